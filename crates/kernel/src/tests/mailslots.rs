//! Mailslots, the Windows column of spec §10 (spec §7, [Oracle] 3g where Wine agrees).

use super::*;

const SLOT: &str = "\\\\.\\mailslot\\oracle_ms";

fn create(name: &str, max: u32, timeout: u32) -> Call {
    Call::CreateMailslot {
        name: name.into(),
        max_message_size: max,
        read_timeout: timeout,
        security_attributes: None,
    }
}

fn client(name: &str) -> Call {
    Call::CreateFile(CreateFileArgs {
        file_name: name.into(),
        desired_access: GENERIC_WRITE,
        share_mode: FILE_SHARE_READ,
        security_attributes: None,
        creation_disposition: OPEN_EXISTING,
        flags_and_attributes: 0,
    })
}

#[test]
fn names_info_and_the_read_timeout() {
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create(SLOT, 0, 0)));
    let i = w
        .run(w.tid, Call::GetMailslotInfo { mailslot: s })
        .outputs()
        .into_owned();
    assert_eq!(
        (i.max_message_size, i.next_size, i.message_count, i.read_timeout),
        (Some(0), Some(MAILSLOT_NO_MESSAGE), Some(0), Some(0))
    );
    for name in [SLOT, "\\\\.\\MAILSLOT\\ORACLE_MS"] {
        let r = w.run(w.tid, create(name, 0, 0));
        assert_eq!(
            (r.ret, r.last_error),
            (Ret::Handle(HandleValue::INVALID), Win32Error::AlreadyExists)
        );
    }
    let r = w.run(w.tid, create("oracle_plain", 0, 0));
    assert_eq!(r.last_error, Win32Error::InvalidName);
    // Timeout 0 on an empty mailslot fails at once with 121.
    fails(&w.run(w.tid, read(s, 100)), Win32Error::SemTimeout);
    succeeds(&w.run(
        w.tid,
        Call::SetMailslotInfo {
            mailslot: s,
            read_timeout: 200,
        },
    ));
    let seq = w.park(w.tid, read(s, 100));
    w.k.advance_time(199);
    w.no_completion();
    w.k.advance_time(1);
    fails(&w.completed(seq), Win32Error::SemTimeout);
    assert_eq!(
        w.run(w.tid, Call::GetFileType { file: s }).ret,
        Ret::Dword(FILE_TYPE_PIPE)
    );
}

#[test]
fn one_message_per_read_exact_counts_and_small_buffers_keep_the_message() {
    // spec §7 messages and ReadFile; §10 rows 18.
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create(SLOT, 0, 0)));
    invalid_client(&mut w, "\\\\.\\mailslot\\missing");
    let c = handle(&w.run(w.tid, client(SLOT)));
    let c2 = handle(&w.run(w.tid, client(SLOT)));
    w.run(w.tid, write(c, "first"));
    w.run(w.tid, write(c2, "second message"));
    let i = w
        .run(w.tid, Call::GetMailslotInfo { mailslot: s })
        .outputs()
        .into_owned();
    assert_eq!((i.next_size, i.message_count), (Some(5), Some(2)));
    let r = w.run(w.tid, read(s, 3));
    fails(&r, Win32Error::InsufficientBuffer);
    assert_eq!(r.outputs().bytes_read, Some(0));
    assert_eq!(data(&w.run(w.tid, read(s, 100))), "first");
    assert_eq!(data(&w.run(w.tid, read(s, 100))), "second message");
    succeeds(&w.run(w.tid, write(c, "")));
    assert_eq!(
        w.run(w.tid, Call::GetMailslotInfo { mailslot: s })
            .outputs()
            .message_count,
        Some(1)
    );
    let r = w.run(w.tid, read(s, 100));
    assert_eq!((r.ret, r.outputs().bytes_read), (Ret::Bool(true), Some(0)));
    fails(&w.run(w.tid, read(c, 10)), Win32Error::AccessDenied);
    fails(&w.run(w.tid, write(s, "x")), Win32Error::AccessDenied);
}

fn invalid_client(w: &mut World, name: &str) {
    let r = w.run(w.tid, client(name));
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Handle(HandleValue::INVALID), Win32Error::FileNotFound)
    );
}

#[test]
fn a_blocked_reader_wakes_on_a_message() {
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create(SLOT, 0, MAILSLOT_WAIT_FOREVER)));
    let (_cpid, ctid, _, _) = w.child(w.tid, "sender.exe", false);
    let seq = w.park(w.tid, read(s, 100));
    let c = handle(&w.run(ctid, client(SLOT)));
    w.run(ctid, write(c, "hi"));
    assert_eq!(data(&w.completed(seq)), "hi");
}

#[test]
fn the_maximum_size_is_enforced_and_the_mailslot_dies_with_its_last_server_handle() {
    // spec §7 lifetime and §10 rows 19-20 (error codes are the model's documented choices).
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create(SLOT, 8, 0)));
    let c = handle(&w.run(w.tid, client(SLOT)));
    fails(&w.run(w.tid, write(c, "twelve bytes")), Win32Error::InvalidParameter);
    succeeds(&w.run(w.tid, write(c, "eight by")));
    succeeds(&w.run(w.tid, close(s)));
    fails(&w.run(w.tid, write(c, "x")), Win32Error::NoData);
    invalid_client(&mut w, SLOT);
    assert_ne!(
        handle(&w.run(w.tid, create(SLOT, 0, 0))),
        HandleValue::INVALID,
        "the name is free again"
    );
}

#[test]
fn the_server_end_cannot_write_even_with_write_rights() {
    // spec §7: WriteFile on the server handle → 5 (WT-mailslot); a duplicate given
    // GENERIC_WRITE is still the server end; and a pipe request to it is another driver's
    // (nt-pipe-rules §3: 1) once the handle has the right the request asks for (§1: 5 first).
    let mut w = World::new();
    let s = handle(&w.run(w.tid, create(SLOT, 0, 0)));
    fails(&w.run(w.tid, write(s, "x")), Win32Error::AccessDenied);
    let d = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            desired_access: GENERIC_WRITE,
            ..dup(s, 0)
        }),
    );
    let d = d.outputs().target_handle.unwrap();
    fails(&w.run(w.tid, write(d, "x")), Win32Error::AccessDenied);
    let peek = |h| Call::PeekNamedPipe {
        named_pipe: h,
        buffer_size: 0,
        null_buffer: false,
    };
    fails(&w.run(w.tid, peek(s)), Win32Error::InvalidFunction);
    let c = handle(&w.run(w.tid, client(SLOT)));
    fails(&w.run(w.tid, peek(c)), Win32Error::AccessDenied);
}
