//! Anonymous pipes (spec §5, [Oracle] 3e).

use super::*;

fn pipe(w: &mut World, inherit: bool, size: u32) -> (HandleValue, HandleValue) {
    let tid = w.tid;
    let r = w.run(
        tid,
        Call::CreatePipe {
            pipe_attributes: Some(SecurityAttributes {
                inherit_handle: inherit,
            }),
            size,
        },
    );
    succeeds(&r);
    (r.outputs().read_handle.unwrap(), r.outputs().write_handle.unwrap())
}

#[test]
fn create_pipe_makes_a_read_server_end_and_a_write_client_end() {
    // spec §5: read end first (lower value), flags 1 / 0, 4096 by default, max 1 instance.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    assert_eq!((r, wr), (h(4), h(8)));
    let info = w
        .run(w.tid, Call::GetNamedPipeInfo { named_pipe: r })
        .outputs()
        .into_owned();
    assert_eq!(
        (
            info.flags,
            info.in_buffer_size,
            info.out_buffer_size,
            info.max_instances
        ),
        (Some(1), Some(4096), Some(4096), Some(1))
    );
    assert_eq!(
        w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: wr }).outputs().flags,
        Some(0)
    );
    let (r1, _) = pipe(&mut w, false, 1);
    assert_eq!(
        w.run(w.tid, Call::GetNamedPipeInfo { named_pipe: r1 })
            .outputs()
            .in_buffer_size,
        Some(1)
    );
    assert_eq!(
        w.run(w.tid, Call::GetFileType { file: r }).ret,
        Ret::Dword(FILE_TYPE_PIPE)
    );
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: r }).outputs().flags,
        Some(0)
    );
    let (ri, _) = pipe(&mut w, true, 0);
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: ri }).outputs().flags,
        Some(1)
    );
}

#[test]
fn bytes_merge_partial_reads_keep_the_rest_and_wrong_ends_are_refused() {
    // spec §5 read, [Oracle] 3e.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    assert_eq!(w.run(w.tid, write(wr, "hello")).outputs().bytes_written, Some(5));
    let peek = w
        .run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: r,
                buffer_size: 64,
                null_buffer: false,
            },
        )
        .outputs()
        .into_owned();
    assert_eq!(
        (peek.bytes_read, peek.total_bytes_avail, peek.bytes_left_this_message),
        (Some(5), Some(5), Some(4_294_967_291))
    );
    let peek = w
        .run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: r,
                buffer_size: 0,
                null_buffer: false,
            },
        )
        .outputs()
        .into_owned();
    assert_eq!(peek.bytes_left_this_message, Some(0));
    fails(
        &w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: wr,
                buffer_size: 64,
                null_buffer: false,
            },
        ),
        Win32Error::AccessDenied,
    );
    assert_eq!(data(&w.run(w.tid, read(r, 100))), "hello");
    w.run(w.tid, write(wr, "abc"));
    w.run(w.tid, write(wr, "defg"));
    assert_eq!(data(&w.run(w.tid, read(r, 100))), "abcdefg");
    w.run(w.tid, write(wr, "0123456789"));
    assert_eq!(data(&w.run(w.tid, read(r, 4))), "0123");
    assert_eq!(data(&w.run(w.tid, read(r, 100))), "456789");
    fails(&w.run(w.tid, read(wr, 10)), Win32Error::AccessDenied);
    fails(&w.run(w.tid, write(r, "x")), Win32Error::AccessDenied);
    let zero = w.run(w.tid, write(wr, ""));
    assert_eq!((zero.ret, zero.outputs().bytes_written), (Ret::Bool(true), Some(0)));
    assert_eq!(
        w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: r,
                buffer_size: 8,
                null_buffer: false
            }
        )
        .outputs()
        .total_bytes_avail,
        Some(0)
    );
}

#[test]
fn an_empty_read_blocks_and_wakes_on_the_next_write() {
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    let t2 = w
        .run(
            w.tid,
            Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            },
        )
        .outputs()
        .thread_id
        .map(Tid)
        .unwrap();
    let seq = w.park(t2, read(r, 100));
    w.run(w.tid, write(wr, "wake"));
    assert_eq!(data(&w.completed(seq)), "wake");
    // A zero-byte read also waits for data, then returns TRUE, 0, leaving the data.
    let seq = w.park(t2, read(r, 0));
    w.run(w.tid, write(wr, "xy"));
    let done = w.completed(seq);
    assert_eq!((done.ret, done.outputs().bytes_read), (Ret::Bool(true), Some(0)));
    assert_eq!(data(&w.run(w.tid, read(r, 10))), "xy");
}

#[test]
fn handle_state_on_anonymous_pipes() {
    // spec §5: message read mode refused (87); PIPE_NOWAIT turns an empty read into 232.
    let mut w = World::new();
    let (r, _wr) = pipe(&mut w, false, 0);
    let set = |mode| Call::SetNamedPipeHandleState {
        named_pipe: r,
        mode: Some(mode),
        max_collection_count: None,
        collect_data_timeout: None,
    };
    fails(&w.run(w.tid, set(PIPE_READMODE_MESSAGE)), Win32Error::InvalidParameter);
    succeeds(&w.run(w.tid, set(PIPE_NOWAIT)));
    fails(&w.run(w.tid, read(r, 10)), Win32Error::NoData);
}

#[test]
fn eof_comes_after_the_data_once_every_write_handle_is_closed() {
    // spec §5 EOF: data drains first, then 109 for ever; Peek also 109.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    w.run(w.tid, write(wr, "last"));
    succeeds(&w.run(w.tid, close(wr)));
    assert_eq!(
        w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: r,
                buffer_size: 0,
                null_buffer: false
            }
        )
        .outputs()
        .total_bytes_avail,
        Some(4)
    );
    assert_eq!(data(&w.run(w.tid, read(r, 100))), "last");
    for _ in 0..2 {
        let rr = w.run(w.tid, read(r, 100));
        fails(&rr, Win32Error::BrokenPipe);
        assert_eq!(rr.outputs().bytes_read, Some(0));
    }
    fails(
        &w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: r,
                buffer_size: 0,
                null_buffer: false,
            },
        ),
        Win32Error::BrokenPipe,
    );
}

#[test]
fn a_blocked_reader_wakes_with_109_when_the_last_writer_closes() {
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    let t2 = w
        .run(
            w.tid,
            Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            },
        )
        .outputs()
        .thread_id
        .map(Tid)
        .unwrap();
    let seq = w.park(t2, read(r, 100));
    succeeds(&w.run(w.tid, close(wr)));
    fails(&w.completed(seq), Win32Error::BrokenPipe);
}

#[test]
fn writing_with_no_reader_fails_with_232() {
    // spec §5 reader gone: 232, zero-length writes included.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    w.run(w.tid, write(wr, "unread!"));
    succeeds(&w.run(w.tid, close(r)));
    fails(&w.run(w.tid, write(wr, "hello")), Win32Error::NoData);
    fails(&w.run(w.tid, write(wr, "")), Win32Error::NoData);
}

#[test]
fn writes_block_over_quota_and_complete_as_the_reader_drains() {
    // spec §5 write rule ([Win] WT-pipe test_blocking_rw); [Oracle]: 4096 accepted exactly.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    let chunk = "x".repeat(512);
    for _ in 0..8 {
        succeeds(&w.run(w.tid, write(wr, &chunk)));
    }
    let t2 = w
        .run(
            w.tid,
            Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            },
        )
        .outputs()
        .thread_id
        .map(Tid)
        .unwrap();
    let seq = w.park(t2, write(wr, &chunk));
    // The pending write's data is already visible.
    assert_eq!(
        w.run(
            w.tid,
            Call::PeekNamedPipe {
                named_pipe: r,
                buffer_size: 0,
                null_buffer: false
            }
        )
        .outputs()
        .total_bytes_avail,
        Some(4608)
    );
    w.run(w.tid, read(r, 100));
    w.no_completion();
    w.run(w.tid, read(r, 412));
    assert_eq!(w.completed(seq).outputs().bytes_written, Some(512));
    // A tiny pipe blocks on the first larger write.
    let (r1, w1) = pipe(&mut w, false, 1);
    let seq = w.park(t2, write(w1, &chunk));
    assert_eq!(w.run(w.tid, read(r1, 1000)).outputs().bytes_read, Some(512));
    assert_eq!(w.completed(seq).outputs().bytes_written, Some(512));
}

#[test]
fn one_huge_write_waits_until_read() {
    // [Oracle] 3e: a 100,000-byte write on a 4096 pipe completes after the reader took it.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, false, 0);
    let t2 = w
        .run(
            w.tid,
            Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            },
        )
        .outputs()
        .thread_id
        .map(Tid)
        .unwrap();
    let seq = w.park(
        t2,
        Call::WriteFile {
            file: wr,
            data: Data(vec![7; 100_000]),
            null_buffer: false,
        },
    );
    assert_eq!(w.run(w.tid, read(r, 65536)).outputs().bytes_read, Some(65536));
    w.no_completion();
    assert_eq!(w.run(w.tid, read(r, 65536)).outputs().bytes_read, Some(34464));
    assert_eq!(w.completed(seq).outputs().bytes_written, Some(100_000));
}

#[test]
fn the_classic_bug_a_parent_keeping_its_write_end_never_sees_eof() {
    // spec §5, [Oracle] 3e: inherited copies count; EOF needs every write handle closed.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, true, 0);
    w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: r,
            mask: HANDLE_FLAG_INHERIT,
            flags: 0,
        },
    );
    let (_cpid, ctid, _, _) = w.child(w.tid, "child.exe", true);
    assert_eq!(w.usage(w.pid, wr), (2, 2));
    w.run(ctid, write(wr, "hello from child!\n"));
    w.gone(ctid, Call::ExitProcess { exit_code: 0 });
    assert_eq!(w.run(w.tid, read(r, 100)).outputs().bytes_read, Some(18));
    let seq = w.park(w.tid, read(r, 100));
    let d = w.k.deadlock().expect("the parent waits on its own write end");
    assert!(
        matches!(
            d.threads[0].waiting_for,
            crate::WaitReason::Data {
                end: Some(crate::ObjectTag {
                    kind: crate::ObjectKind::Pipe,
                    ..
                })
            }
        ),
        "{d:?}"
    );
    // Time changes nothing: the read stays blocked (the [Oracle] waited 1500 ms).
    w.k.advance_time(1500);
    w.no_completion();
    // Another process closes the parent's write handle remotely (DuplicateHandle with a NULL
    // target and DUPLICATE_CLOSE_SOURCE); only then does the read see EOF.
    let fixer = w.k.spawn("fixer.exe", "", vec![]).1;
    assert!(w.k.deadlock().is_none(), "the fixer is runnable");
    let hp = handle(&w.run(
        fixer,
        Call::OpenProcess {
            desired_access: PROCESS_DUP_HANDLE,
            inherit_handle: false,
            process_id: w.pid.0,
        },
    ));
    let closed = w.run(
        fixer,
        Call::DuplicateHandle(DuplicateHandleArgs {
            source_process_handle: hp,
            source_handle: wr,
            target_process_handle: HandleValue::NULL,
            null_target_handle: true,
            desired_access: 0,
            inherit_handle: false,
            options: DUPLICATE_CLOSE_SOURCE,
        }),
    );
    succeeds(&closed);
    fails(&w.completed(seq), Win32Error::BrokenPipe);
}

#[test]
fn closing_the_write_end_after_create_process_gives_eof_at_once() {
    // [Oracle] 3e, the correct version.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, true, 0);
    let (_cpid, ctid, _, _) = w.child(w.tid, "child.exe", true);
    succeeds(&w.run(w.tid, close(wr)));
    w.run(ctid, write(wr, "hello from child!\n"));
    w.gone(ctid, Call::ExitProcess { exit_code: 0 });
    assert_eq!(w.run(w.tid, read(r, 100)).outputs().bytes_read, Some(18));
    fails(&w.run(w.tid, read(r, 100)), Win32Error::BrokenPipe);
}

#[test]
fn a_writer_terminated_while_its_write_is_pending_takes_its_unread_data_with_it() {
    // spec §6.6 (WT-pipe test_overlapped_transport): the pending write's unread data is
    // removed; what was written before stays.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, true, 8);
    let (_, ctid, hp, _) = w.child(w.tid, "writer.exe", true);
    succeeds(&w.run(ctid, write(wr, "12345678")));
    w.park(ctid, write(wr, "abcd"));
    succeeds(&w.run(
        w.tid,
        Call::TerminateProcess {
            process: hp,
            exit_code: 1,
        },
    ));
    assert_eq!(data(&w.run(w.tid, read(r, 64))), "12345678");
    succeeds(&w.run(w.tid, close(wr)));
    fails(&w.run(w.tid, read(r, 64)), Win32Error::BrokenPipe);
}
