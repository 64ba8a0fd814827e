//! Named pipes: creation rules, the instance state machine with the error of every call in
//! every state, message mode, flushing, transactions (spec §6, [Oracle] 3f).

use super::*;
use crate::ids::Tid;

const NAME: &str = "\\\\.\\pipe\\oracle";

fn create(name: &str, open_mode: u32, pipe_mode: u32, max_instances: u32, timeout: u32) -> Call {
    Call::CreateNamedPipe(CreateNamedPipeArgs {
        name: name.into(),
        open_mode,
        pipe_mode,
        max_instances,
        out_buffer_size: 4096,
        in_buffer_size: 4096,
        default_timeout: timeout,
        security_attributes: None,
    })
}

fn message_server() -> Call {
    create(
        NAME,
        PIPE_ACCESS_DUPLEX,
        PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
        1,
        0,
    )
}

fn open(name: &str, access: u32) -> Call {
    Call::CreateFile(CreateFileArgs {
        file_name: name.into(),
        desired_access: access,
        share_mode: 0,
        security_attributes: None,
        creation_disposition: OPEN_EXISTING,
        flags_and_attributes: 0,
    })
}

fn rw() -> u32 {
    GENERIC_READ | GENERIC_WRITE
}

fn connect(p: HandleValue) -> Call {
    Call::ConnectNamedPipe { named_pipe: p }
}

impl World {
    fn thread(&mut self) -> Tid {
        self.run(
            self.tid,
            Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            },
        )
        .outputs()
        .thread_id
        .map(Tid)
        .unwrap()
    }
}

/// `SetNamedPipeHandleState(h, PIPE_READMODE_MESSAGE, NULL, NULL)`.
fn message_read_mode(h: HandleValue) -> Call {
    Call::SetNamedPipeHandleState {
        named_pipe: h,
        mode: Some(PIPE_READMODE_MESSAGE),
        max_collection_count: None,
        collect_data_timeout: None,
    }
}

fn invalid(r: &CallResult, e: Win32Error) {
    assert_eq!((r.ret, r.last_error), (Ret::Handle(HandleValue::INVALID), e), "{r:?}");
}

#[test]
fn missing_pipes_give_2_at_once() {
    let mut w = World::new();
    invalid(
        &w.run(w.tid, open("\\\\.\\pipe\\oracle_nonexistent", rw())),
        Win32Error::FileNotFound,
    );
    fails(
        &w.run(
            w.tid,
            Call::WaitNamedPipe {
                name: "\\\\.\\pipe\\oracle_nonexistent".into(),
                timeout: 200,
            },
        ),
        Win32Error::FileNotFound,
    );
    fails(
        &w.run(
            w.tid,
            Call::WaitNamedPipe {
                name: "nopipe".into(),
                timeout: 200,
            },
        ),
        Win32Error::BadPathname,
    );
}

#[test]
fn a_new_instance_listens_at_once_and_an_early_client_makes_connect_say_535() {
    // spec §6.2 (new instance LISTENING), §6.3 table, [Oracle] 3f.
    let mut w = World::new();
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::IoPending,
        },
    );
    let r = w.run(w.tid, message_server());
    assert_eq!(r.last_error, Win32Error::Success);
    let s = handle(&r);
    let info = w
        .run(w.tid, Call::GetNamedPipeInfo { named_pipe: s })
        .outputs()
        .into_owned();
    assert_eq!(info.flags, Some(PIPE_SERVER_END | PIPE_TYPE_MESSAGE));
    let st = w
        .run(
            w.tid,
            Call::GetNamedPipeHandleState {
                named_pipe: s,
                query_remote_info: false,
            },
        )
        .outputs()
        .into_owned();
    assert_eq!((st.state, st.cur_instances), (Some(PIPE_READMODE_MESSAGE), Some(1)));
    fails(
        &w.run(
            w.tid,
            Call::GetNamedPipeHandleState {
                named_pipe: s,
                query_remote_info: true,
            },
        ),
        Win32Error::InvalidParameter,
    );
    succeeds(&w.run(
        w.tid,
        Call::WaitNamedPipe {
            name: NAME.into(),
            timeout: 200,
        },
    ));
    let c = w.run(w.tid, open(NAME, rw()));
    assert_eq!(c.last_error, Win32Error::Success);
    let c = handle(&c);
    fails(&w.run(w.tid, connect(s)), Win32Error::PipeConnected);
    fails(&w.run(w.tid, connect(s)), Win32Error::PipeConnected);
    let cs = w
        .run(
            w.tid,
            Call::GetNamedPipeHandleState {
                named_pipe: c,
                query_remote_info: false,
            },
        )
        .outputs()
        .into_owned();
    assert_eq!(cs.state, Some(0), "a client starts in byte read mode");
    assert_eq!(
        w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: c }).outputs().flags,
        Some(PIPE_TYPE_MESSAGE)
    );
    fails(&w.run(w.tid, connect(c)), Win32Error::InvalidFunction);
    invalid(&w.run(w.tid, open(NAME, rw())), Win32Error::PipeBusy);
    invalid(&w.run(w.tid, message_server()), Win32Error::PipeBusy);
}

#[test]
fn wait_named_pipe_times_out_on_the_virtual_clock() {
    // spec §6.5: 121 on timeout; NMPWAIT_USE_DEFAULT_WAIT with a 0 default means 50 ms.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    w.run(w.tid, open(NAME, rw()));
    let t2 = w.thread();
    let seq = w.park(
        t2,
        Call::WaitNamedPipe {
            name: NAME.into(),
            timeout: 300,
        },
    );
    w.k.advance_time(299);
    w.no_completion();
    w.k.advance_time(1);
    fails(&w.completed(seq), Win32Error::SemTimeout);
    let seq = w.park(
        t2,
        Call::WaitNamedPipe {
            name: NAME.into(),
            timeout: NMPWAIT_USE_DEFAULT_WAIT,
        },
    );
    w.k.advance_time(49);
    w.no_completion();
    w.k.advance_time(1);
    fails(&w.completed(seq), Win32Error::SemTimeout);
    // Forever waits until the instance listens again.
    let seq = w.park(
        t2,
        Call::WaitNamedPipe {
            name: NAME.into(),
            timeout: NMPWAIT_WAIT_FOREVER,
        },
    );
    w.k.advance_time(100_000);
    w.no_completion();
    succeeds(&w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }));
    w.no_completion();
    let t3 = w.thread();
    w.park(t3, connect(s));
    succeeds(&w.completed(seq));
}

#[test]
fn creation_parameters_are_validated() {
    // spec §6.1, §6.2.
    let mut w = World::new();
    invalid(
        &w.run(w.tid, create("oracle_plainname", 3, 0, 1, 0)),
        Win32Error::InvalidName,
    );
    // A path under a device other than the pipe file system does not resolve (nt-pipe-rules
    // §5 refines spec §6.1's "not under \\.\\pipe\\ → 123" for \\.\\X\\... names).
    invalid(
        &w.run(w.tid, create("\\\\.\\notpipe\\x", 3, 0, 1, 0)),
        Win32Error::PathNotFound,
    );
    invalid(&w.run(w.tid, create(NAME, 0, 0, 1, 0)), Win32Error::InvalidParameter);
    invalid(
        &w.run(w.tid, create(NAME, 3, PIPE_TYPE_BYTE | PIPE_READMODE_MESSAGE, 1, 0)),
        Win32Error::InvalidParameter,
    );
    invalid(&w.run(w.tid, create(NAME, 3, 0, 0, 0)), Win32Error::InvalidParameter);
    invalid(&w.run(w.tid, create(NAME, 3, 0, 256, 0)), Win32Error::InvalidParameter);
    assert!(w.k.process_view(w.pid).unwrap().handles.is_empty());
    let first = w.run(w.tid, create(NAME, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 2, 0));
    assert_eq!(first.last_error, Win32Error::Success);
    invalid(
        &w.run(
            w.tid,
            create(NAME, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, 0, 2, 0),
        ),
        Win32Error::AccessDenied,
    );
    invalid(
        &w.run(w.tid, create(NAME, PIPE_ACCESS_INBOUND, 0, 2, 0)),
        Win32Error::AccessDenied,
    );
    let second = w.run(w.tid, create(NAME, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE, 5, 0));
    assert_eq!(
        second.last_error,
        Win32Error::AlreadyExists,
        "mismatched type and maximum are accepted"
    );
    invalid(
        &w.run(w.tid, create(NAME, PIPE_ACCESS_DUPLEX, 0, 2, 0)),
        Win32Error::PipeBusy,
    );
    succeeds(&w.run(w.tid, close(handle(&second))));
    assert_ne!(
        handle(&w.run(w.tid, create(NAME, PIPE_ACCESS_DUPLEX, 0, 2, 0))),
        HandleValue::INVALID
    );
    let unlimited = handle(&w.run(w.tid, create("\\\\.\\pipe\\many", 3, 0, PIPE_UNLIMITED_INSTANCES, 0)));
    assert_eq!(
        w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: unlimited })
            .outputs()
            .max_instances,
        Some(255)
    );
}

#[test]
fn message_mode_reads_one_message_and_more_data_keeps_the_rest() {
    // spec §6.6, §6.10, [Oracle] 3f.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    w.run(w.tid, write(c, "hello world"));
    w.run(w.tid, write(c, "ab"));
    for (size, read_n, left) in [(64, 11, 0), (3, 3, 8), (0, 0, 11)] {
        let p = w
            .run(
                w.tid,
                Call::PeekNamedPipe {
                    named_pipe: s,
                    buffer_size: size,
                    null_buffer: false,
                },
            )
            .outputs()
            .into_owned();
        assert_eq!(
            (p.bytes_read, p.total_bytes_avail, p.bytes_left_this_message),
            (Some(read_n), Some(13), Some(left))
        );
    }
    let r = w.run(w.tid, read(s, 5));
    fails(&r, Win32Error::MoreData);
    assert_eq!((data(&r), r.outputs().bytes_read), ("hello".to_string(), Some(5)));
    let p = w
        .run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: s,
                buffer_size: 2,
                null_buffer: false,
            },
        )
        .outputs()
        .into_owned();
    assert_eq!(
        (p.bytes_read, p.total_bytes_avail, p.bytes_left_this_message),
        (Some(2), Some(8), Some(4))
    );
    assert_eq!(data(&w.run(w.tid, read(s, 100))), " world");
    assert_eq!(data(&w.run(w.tid, read(s, 100))), "ab");
    // Byte read mode on a message pipe merges messages.
    w.run(w.tid, write(s, "m1"));
    w.run(w.tid, write(s, "m22"));
    assert_eq!(data(&w.run(w.tid, read(c, 100))), "m1m22");
    let mode = |m| Call::SetNamedPipeHandleState {
        named_pipe: c,
        mode: Some(m),
        max_collection_count: None,
        collect_data_timeout: None,
    };
    succeeds(&w.run(w.tid, mode(PIPE_READMODE_MESSAGE)));
    w.run(w.tid, write(s, "four"));
    w.run(w.tid, write(s, "five!"));
    assert_eq!(w.run(w.tid, read(c, 100)).outputs().bytes_read, Some(4));
    let r = w.run(w.tid, read(c, 2));
    fails(&r, Win32Error::MoreData);
    assert_eq!(r.outputs().bytes_read, Some(2));
    assert_eq!(data(&w.run(w.tid, read(c, 100))), "ve!");
    // Zero-length messages are real.
    succeeds(&w.run(w.tid, write(c, "")));
    let r = w.run(w.tid, read(s, 100));
    assert_eq!((r.ret, r.outputs().bytes_read), (Ret::Bool(true), Some(0)));
    fails(
        &w.run(
            w.tid,
            Call::SetNamedPipeHandleState {
                named_pipe: c,
                mode: Some(0x10),
                max_collection_count: None,
                collect_data_timeout: None,
            },
        ),
        Win32Error::InvalidParameter,
    );
    fails(
        &w.run(
            w.tid,
            Call::SetNamedPipeHandleState {
                named_pipe: c,
                mode: None,
                max_collection_count: Some(1),
                collect_data_timeout: None,
            },
        ),
        Win32Error::InvalidParameter,
    );
}

#[test]
fn disconnect_discards_data_and_cuts_the_client_off_for_good() {
    // spec §6.3, §6.9, [Oracle] 3f.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    w.run(w.tid, write(s, "unread"));
    succeeds(&w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }));
    fails(
        &w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: c,
                buffer_size: 10,
                null_buffer: false,
            },
        ),
        Win32Error::PipeNotConnected,
    );
    fails(&w.run(w.tid, read(c, 10)), Win32Error::PipeNotConnected);
    fails(&w.run(w.tid, write(c, "x")), Win32Error::PipeNotConnected);
    fails(&w.run(w.tid, read(s, 10)), Win32Error::PipeNotConnected);
    fails(&w.run(w.tid, write(s, "x")), Win32Error::PipeNotConnected);
    fails(
        &w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: s,
                buffer_size: 10,
                null_buffer: false,
            },
        ),
        Win32Error::BadPipe,
    );
    invalid(&w.run(w.tid, open(NAME, rw())), Win32Error::PipeBusy);
    fails(
        &w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }),
        Win32Error::PipeNotConnected,
    );
    // NPFS's flush has no state check on a server end: nothing is queued, so it succeeds
    // (nt-pipe-rules §2); the cut-off client is not connected.
    succeeds(&w.run(w.tid, Call::FlushFileBuffers { file: s }));
    fails(
        &w.run(w.tid, Call::FlushFileBuffers { file: c }),
        Win32Error::PipeNotConnected,
    );
    fails(
        &w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: c }),
        Win32Error::InvalidFunction,
    );
    // The information queries on the cut-off client fail too, and it is not signaled
    // (nt-pipe-rules §2, MS "DisconnectNamedPipe").
    fails(
        &w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: c }),
        Win32Error::PipeNotConnected,
    );
    fails(
        &w.run(
            w.tid,
            Call::GetNamedPipeHandleState {
                named_pipe: c,
                query_remote_info: false,
            },
        ),
        Win32Error::PipeNotConnected,
    );
    let waited = w.run(
        w.tid,
        Call::WaitForSingleObject {
            handle: c,
            milliseconds: 0,
        },
    );
    assert_eq!(waited.ret, Ret::Dword(WAIT_TIMEOUT));
    succeeds(&w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: s }));
    let t2 = w.thread();
    let seq = w.park(
        t2,
        Call::WaitNamedPipe {
            name: NAME.into(),
            timeout: 200,
        },
    );
    w.k.advance_time(200);
    fails(&w.completed(seq), Win32Error::SemTimeout);
    // ConnectNamedPipe listens again and blocks until a client comes.
    let seq = w.park(t2, connect(s));
    w.k.advance_time(300);
    w.no_completion();
    let c2 = handle(&w.run(w.tid, open(NAME, rw())));
    succeeds(&w.completed(seq));
    fails(&w.run(w.tid, read(c, 10)), Win32Error::PipeNotConnected);
    succeeds(&w.run(w.tid, write(c2, "new")));
    assert_eq!(data(&w.run(w.tid, read(s, 10))), "new");
}

#[test]
fn a_client_that_left_leaves_its_data_then_broken_pipe() {
    // spec §6.3 CLOSING column.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    w.run(w.tid, write(c, "last"));
    succeeds(&w.run(w.tid, close(c)));
    assert_eq!(
        w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: s,
                buffer_size: 0,
                null_buffer: false
            }
        )
        .outputs()
        .total_bytes_avail,
        Some(4)
    );
    assert_eq!(data(&w.run(w.tid, read(s, 10))), "last");
    fails(&w.run(w.tid, read(s, 10)), Win32Error::BrokenPipe);
    fails(&w.run(w.tid, write(s, "x")), Win32Error::NoData);
    fails(&w.run(w.tid, connect(s)), Win32Error::NoData);
    invalid(&w.run(w.tid, open(NAME, rw())), Win32Error::PipeBusy);
    succeeds(&w.run(w.tid, Call::FlushFileBuffers { file: s }));
    succeeds(&w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }));
}

#[test]
fn a_listening_instance_refuses_io() {
    // spec §6.3 LISTENING column.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    fails(&w.run(w.tid, read(s, 10)), Win32Error::PipeListening);
    fails(&w.run(w.tid, write(s, "x")), Win32Error::PipeListening);
    fails(
        &w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: s,
                buffer_size: 10,
                null_buffer: false,
            },
        ),
        Win32Error::BadPipe,
    );
    fails(
        &w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }),
        Win32Error::PipeListening,
    );
}

#[test]
fn nonblocking_mode() {
    // spec §6.3 PIPE_NOWAIT row, §6.6.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create(NAME, 3, PIPE_NOWAIT, 1, 0)));
    fails(&w.run(w.tid, connect(s)), Win32Error::PipeListening);
    fails(&w.run(w.tid, read(s, 10)), Win32Error::PipeListening);
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    fails(&w.run(w.tid, connect(s)), Win32Error::PipeConnected);
    fails(&w.run(w.tid, read(s, 10)), Win32Error::NoData);
    succeeds(&w.run(w.tid, close(c)));
    fails(&w.run(w.tid, read(s, 10)), Win32Error::BrokenPipe);
    succeeds(&w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }));
    fails(&w.run(w.tid, connect(s)), Win32Error::PipeListening);
}

#[test]
fn the_server_closing_leaves_data_then_the_name_is_gone() {
    // spec §6.3: server CloseHandle → client CLOSING; last instance → name disappears.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    w.run(w.tid, write(s, "bye"));
    succeeds(&w.run(w.tid, close(s)));
    assert_eq!(data(&w.run(w.tid, read(c, 10))), "bye");
    fails(&w.run(w.tid, read(c, 10)), Win32Error::BrokenPipe);
    fails(&w.run(w.tid, write(c, "x")), Win32Error::NoData);
    succeeds(&w.run(
        w.tid,
        Call::GetNamedPipeHandleState {
            named_pipe: c,
            query_remote_info: false,
        },
    ));
    invalid(&w.run(w.tid, open(NAME, rw())), Win32Error::FileNotFound);
    assert!(w.k.names().is_empty());
}

#[test]
fn pending_calls_fail_when_the_other_side_acts() {
    // [Oracle] 3f: a blocked client read gets 233 on disconnect; a blocked server read 109
    // when the client closes.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    let t2 = w.thread();
    let seq = w.park(t2, read(c, 10));
    succeeds(&w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }));
    fails(&w.completed(seq), Win32Error::PipeNotConnected);
    succeeds(&w.run(w.tid, close(c)));
    let t3 = w.thread();
    w.park(t3, connect(s));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    w.k.take_completions();
    let seq = w.park(t2, read(s, 10));
    succeeds(&w.run(w.tid, close(c)));
    fails(&w.completed(seq), Win32Error::BrokenPipe);
}

#[test]
fn clients_bind_to_the_oldest_listening_instance_and_data_never_crosses() {
    // spec §6.12.
    let mut w = World::new();
    let s1 = handle(&w.run(w.tid, create(NAME, 3, 0, 2, 0)));
    let s2 = handle(&w.run(w.tid, create(NAME, 3, 0, 2, 0)));
    invalid(&w.run(w.tid, create(NAME, 3, 0, 2, 0)), Win32Error::PipeBusy);
    let c1 = handle(&w.run(w.tid, open(NAME, rw())));
    let c2 = handle(&w.run(w.tid, open(NAME, rw())));
    invalid(&w.run(w.tid, open(NAME, rw())), Win32Error::PipeBusy);
    w.run(w.tid, write(c1, "one"));
    w.run(w.tid, write(c2, "two"));
    assert_eq!(data(&w.run(w.tid, read(s1, 10))), "one");
    assert_eq!(data(&w.run(w.tid, read(s2, 10))), "two");
    assert_eq!(
        w.run(
            w.tid,
            Call::GetNamedPipeHandleState {
                named_pipe: c1,
                query_remote_info: false
            }
        )
        .outputs()
        .cur_instances,
        Some(2)
    );
}

#[test]
fn access_must_fit_the_direction_and_names_ignore_case() {
    // spec §6.1, §6.4, [Oracle] 3f.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create("\\\\.\\pipe\\Oracle_Case", PIPE_ACCESS_INBOUND, 0, 2, 0)));
    invalid(
        &w.run(w.tid, open("\\\\.\\PIPE\\ORACLE_CASE", rw())),
        Win32Error::AccessDenied,
    );
    let c = handle(&w.run(w.tid, open("\\\\.\\PIPE\\ORACLE_CASE", GENERIC_WRITE)));
    fails(&w.run(w.tid, write(s, "x")), Win32Error::AccessDenied);
    fails(&w.run(w.tid, read(c, 10)), Win32Error::AccessDenied);
    succeeds(&w.run(w.tid, write(c, "in")));
    assert_eq!(data(&w.run(w.tid, read(s, 10))), "in");
    // The mirror: a server-to-client pipe opens for reading only.
    let o = handle(&w.run(w.tid, create("\\\\.\\pipe\\outward", PIPE_ACCESS_OUTBOUND, 0, 2, 0)));
    invalid(
        &w.run(w.tid, open("\\\\.\\pipe\\outward", rw())),
        Win32Error::AccessDenied,
    );
    invalid(
        &w.run(w.tid, open("\\\\.\\pipe\\outward", GENERIC_WRITE)),
        Win32Error::AccessDenied,
    );
    let oc = handle(&w.run(w.tid, open("\\\\.\\pipe\\outward", GENERIC_READ)));
    fails(&w.run(w.tid, write(oc, "x")), Win32Error::AccessDenied);
    succeeds(&w.run(w.tid, write(o, "out")));
    assert_eq!(data(&w.run(w.tid, read(oc, 10))), "out");
    // Its server end can write only (spec §6.2: "OUTBOUND can write only").
    fails(&w.run(w.tid, read(o, 10)), Win32Error::AccessDenied);
    let b = handle(&w.run(w.tid, create("\\\\.\\pipe\\bytes", 3, 0, 1, 0)));
    let bc = handle(&w.run(w.tid, open("\\\\.\\pipe\\bytes", rw())));
    for end in [b, bc] {
        let r = w.run(w.tid, message_read_mode(end));
        fails(&r, Win32Error::InvalidParameter);
    }
    w.run(w.tid, write(bc, "ab"));
    w.run(w.tid, write(bc, "cd"));
    assert_eq!(data(&w.run(w.tid, read(b, 10))), "abcd");
}

#[test]
fn flush_waits_until_the_peer_has_read_everything() {
    // spec §6.8.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    succeeds(&w.run(w.tid, Call::FlushFileBuffers { file: s }));
    w.run(w.tid, write(s, "data"));
    let t2 = w.thread();
    let seq = w.park(t2, Call::FlushFileBuffers { file: s });
    w.run(w.tid, read(c, 2));
    w.no_completion();
    w.run(w.tid, read(c, 10));
    succeeds(&w.completed(seq));
    w.run(w.tid, write(s, "more"));
    let seq = w.park(t2, Call::FlushFileBuffers { file: s });
    succeeds(&w.run(w.tid, close(c)));
    fails(&w.completed(seq), Win32Error::BrokenPipe);
}

#[test]
fn transact_and_call_named_pipe() {
    // spec §6.11.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    let t = |data: &str, out| Call::TransactNamedPipe {
        named_pipe: c,
        data: Data(data.as_bytes().to_vec()),
        out_buffer_size: out,
    };
    fails(&w.run(w.tid, t("q", 10)), Win32Error::BadPipe);
    succeeds(&w.run(w.tid, message_read_mode(c)));
    let t2 = w.thread();
    let seq = w.park(t2, t("question", 5));
    assert_eq!(data(&w.run(w.tid, read(s, 100))), "question");
    w.run(w.tid, write(s, "answer!"));
    let r = w.completed(seq);
    fails(&r, Win32Error::MoreData);
    assert_eq!(data(&r), "answe");
    fails(&w.run(w.tid, t("again", 10)), Win32Error::PipeBusy);
    assert_eq!(data(&w.run(w.tid, read(c, 10))), "r!");
    // CallNamedPipe while the only instance is busy: waits, then opens, sends, reads, closes.
    let seq = w.park(
        t2,
        Call::CallNamedPipe {
            name: NAME.into(),
            data: Data(b"ping".to_vec()),
            out_buffer_size: 64,
            timeout: NMPWAIT_WAIT_FOREVER,
        },
    );
    succeeds(&w.run(w.tid, close(c)));
    succeeds(&w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: s }));
    let t3 = w.thread();
    w.park(t3, connect(s));
    w.k.take_completions();
    assert_eq!(data(&w.run(w.tid, read(s, 100))), "ping");
    w.run(w.tid, write(s, "pong"));
    let r = w.completed(seq);
    succeeds(&r);
    assert_eq!(data(&r), "pong");
    let pipes =
        w.k.process_view(w.pid)
            .unwrap()
            .handles
            .iter()
            .filter(|r| r.kind == crate::object::ObjectKind::Pipe)
            .count();
    assert_eq!(
        pipes, 1,
        "only the server handle is left: CallNamedPipe closed its client"
    );
    fails(&w.run(w.tid, read(s, 10)), Win32Error::BrokenPipe);
}

#[test]
fn pipe_information_calls_check_access_first() {
    // nt-pipe-rules §1: queries need FILE_READ_ATTRIBUTES, SetNamedPipeHandleState needs
    // FILE_WRITE_ATTRIBUTES, checked by the I/O manager before any parameter or mode check.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    // CreateFile adds SYNCHRONIZE | FILE_READ_ATTRIBUTES to what is asked (kernelbase), so any
    // client may query; GENERIC_READ maps to FILE_GENERIC_READ, without
    // FILE_WRITE_ATTRIBUTES, so a read-only client may not set the mode (MS
    // "SetNamedPipeHandleState": the handle needs FILE_WRITE_ATTRIBUTES).
    let c = handle(&w.run(w.tid, open(NAME, GENERIC_READ)));
    succeeds(&w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: c }));
    fails(
        &w.run(
            w.tid,
            Call::SetNamedPipeHandleState {
                named_pipe: c,
                mode: Some(0x100),
                max_collection_count: None,
                collect_data_timeout: None,
            },
        ),
        Win32Error::AccessDenied,
    );
    // A duplicate with read-data access only: the set is refused before its bad mode bits.
    let d = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            desired_access: FILE_READ_DATA,
            ..dup(s, 0)
        }),
    );
    let d = d.outputs().target_handle.unwrap();
    fails(
        &w.run(
            w.tid,
            Call::SetNamedPipeHandleState {
                named_pipe: d,
                mode: Some(0x100),
                max_collection_count: None,
                collect_data_timeout: None,
            },
        ),
        Win32Error::AccessDenied,
    );
    fails(
        &w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: d }),
        Win32Error::AccessDenied,
    );
    // The server end of a DUPLEX pipe has both rights: the mode check speaks.
    fails(
        &w.run(
            w.tid,
            Call::SetNamedPipeHandleState {
                named_pipe: s,
                mode: Some(0x100),
                max_collection_count: None,
                collect_data_timeout: None,
            },
        ),
        Win32Error::InvalidParameter,
    );
}

#[test]
fn a_valid_handle_of_another_file_system_is_an_invalid_function() {
    // nt-pipe-rules §3: the handle is valid, the driver does not implement the request.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let m = handle(&w.run(
        w.tid,
        Call::CreateMailslot {
            name: "\\\\.\\mailslot\\box".into(),
            max_message_size: 0,
            read_timeout: 0,
            security_attributes: None,
        },
    ));
    fails(
        &w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: m }),
        Win32Error::InvalidFunction,
    );
    fails(&w.run(w.tid, connect(m)), Win32Error::InvalidFunction);
    fails(
        &w.run(w.tid, Call::DisconnectNamedPipe { named_pipe: m }),
        Win32Error::InvalidFunction,
    );
    fails(
        &w.run(w.tid, Call::GetMailslotInfo { mailslot: s }),
        Win32Error::InvalidFunction,
    );
    fails(
        &w.run(
            w.tid,
            Call::SetMailslotInfo {
                mailslot: s,
                read_timeout: 5,
            },
        ),
        Win32Error::InvalidFunction,
    );
    // Not a file object at all: an object-type mismatch, ERROR_INVALID_HANDLE.
    let e = handle(&w.run(w.tid, event(false, None)));
    fails(
        &w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: e }),
        Win32Error::InvalidHandle,
    );
    fails(
        &w.run(w.tid, Call::GetMailslotInfo { mailslot: e }),
        Win32Error::InvalidHandle,
    );
}

#[test]
fn a_listening_server_end_flushes_at_once() {
    // nt-pipe-rules §2: an empty queue flushes successfully in every server state.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    succeeds(&w.run(w.tid, Call::FlushFileBuffers { file: s }));
}

#[test]
fn create_named_pipe_checks_parameters_then_the_name_then_the_instance_limit() {
    // nt-pipe-rules §5.
    let mut w = World::new();
    // Parameters and modes come before the name.
    fails_invalid(&w.run(w.tid, create("bad", 0, 0, 1, 0)), Win32Error::InvalidParameter);
    fails_invalid(
        &w.run(w.tid, create("\\\\.\\mailslot\\x", PIPE_ACCESS_DUPLEX, 0, 0, 0)),
        Win32Error::InvalidParameter,
    );
    // A path under another device does not resolve; a name outside \\.\ is invalid.
    fails_invalid(
        &w.run(w.tid, create("\\\\.\\mailslot\\x", PIPE_ACCESS_DUPLEX, 0, 1, 0)),
        Win32Error::PathNotFound,
    );
    fails_invalid(
        &w.run(w.tid, create("\\\\.\\nul\\x", PIPE_ACCESS_DUPLEX, 0, 1, 0)),
        Win32Error::PathNotFound,
    );
    fails_invalid(
        &w.run(w.tid, create("pipe", PIPE_ACCESS_DUPLEX, 0, 1, 0)),
        Win32Error::InvalidName,
    );
    fails_invalid(
        &w.run(w.tid, create("\\\\.\\pipe\\", PIPE_ACCESS_DUPLEX, 0, 1, 0)),
        Win32Error::InvalidName,
    );
    // The instance limit before FILE_FLAG_FIRST_PIPE_INSTANCE.
    let first = w.run(w.tid, create(NAME, PIPE_ACCESS_DUPLEX, 0, 2, 0));
    assert_eq!(first.last_error, Win32Error::Success);
    fails_invalid(
        &w.run(
            w.tid,
            create(NAME, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, 0, 2, 0),
        ),
        Win32Error::AccessDenied,
    );
    let second = w.run(w.tid, create(NAME, PIPE_ACCESS_DUPLEX, 0, 2, 0));
    assert_eq!(second.last_error, Win32Error::AlreadyExists);
    fails_invalid(
        &w.run(
            w.tid,
            create(NAME, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, 0, 2, 0),
        ),
        Win32Error::PipeBusy,
    );
}

fn fails_invalid(r: &CallResult, e: Win32Error) {
    assert_eq!((r.ret, r.last_error), (Ret::Handle(HandleValue::INVALID), e), "{r:?}");
}

#[test]
fn a_name_wait_ends_when_duplicate_handle_closes_the_last_server_end() {
    // spec §6.5 and the model's choice for a pipe that goes while waited for (ARCHITECTURE.md:
    // 2); DuplicateHandle with DUPLICATE_CLOSE_SOURCE and no target process is Windows'
    // documented way to close a handle (spec §4, §10 row 4): here the instance's only server
    // handle.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    let t2 = w.thread();
    let seq = w.park(
        t2,
        Call::WaitNamedPipe {
            name: NAME.into(),
            timeout: NMPWAIT_WAIT_FOREVER,
        },
    );
    // A duplicate that keeps its source, and closing it, leave the instance as it was.
    let copy = w.run(w.tid, Call::DuplicateHandle(dup(s, DUPLICATE_SAME_ACCESS)));
    w.no_completion();
    succeeds(&w.run(w.tid, close(copy.outputs().target_handle.unwrap())));
    w.no_completion();
    let moved = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            target_process_handle: HandleValue::NULL,
            null_target_handle: true,
            ..dup(s, DUPLICATE_CLOSE_SOURCE)
        }),
    );
    succeeds(&moved);
    fails(&w.completed(seq), Win32Error::FileNotFound);
    succeeds(&w.run(w.tid, close(c)));
}

#[test]
fn transact_needs_both_read_and_write_access() {
    // FSCTL_PIPE_TRANSCEIVE is defined with FILE_READ_DATA | FILE_WRITE_DATA as its required
    // access (ntifs.h: CTL_CODE(FILE_DEVICE_NAMED_PIPE, 5, METHOD_NEITHER, FILE_READ_DATA |
    // FILE_WRITE_DATA)); the I/O manager refuses a handle without either (5) before the pipe
    // looks at its modes. A duplicate with part of the rights is such a handle.
    let mut w = World::new();
    handle(&w.run(w.tid, message_server()));
    let c = handle(&w.run(w.tid, open(NAME, rw())));
    succeeds(&w.run(w.tid, message_read_mode(c)));
    for part in [FILE_READ_DATA, FILE_WRITE_DATA, FILE_READ_DATA | FILE_WRITE_ATTRIBUTES] {
        let d = w
            .run(
                w.tid,
                Call::DuplicateHandle(DuplicateHandleArgs {
                    desired_access: part | SYNCHRONIZE,
                    ..dup(c, 0)
                }),
            )
            .outputs()
            .target_handle
            .unwrap();
        fails(
            &w.run(
                w.tid,
                Call::TransactNamedPipe {
                    named_pipe: d,
                    data: Data(b"q".to_vec()),
                    out_buffer_size: 10,
                },
            ),
            Win32Error::AccessDenied,
        );
        succeeds(&w.run(w.tid, close(d)));
    }
    w.check();
}
