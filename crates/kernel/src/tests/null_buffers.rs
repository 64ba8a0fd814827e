//! `NULL` buffers as an argument form distinct from a zero-size buffer: ReadFile, WriteFile,
//! PeekNamedPipe and the environment calls (sources in each kernel function's docs; the values
//! are Wine 8.0's where Windows agrees, and Wine's conformance test `test_read_write`).

use super::*;
use crate::consts::STATUS_ACCESS_VIOLATION;

fn pipe(w: &mut World) -> (HandleValue, HandleValue) {
    let r = w.run(
        w.tid,
        Call::CreatePipe {
            pipe_attributes: None,
            size: 0,
        },
    );
    (r.outputs().read_handle.unwrap(), r.outputs().write_handle.unwrap())
}

fn read_null(file: HandleValue, n: u32) -> Call {
    Call::ReadFile {
        file,
        bytes_to_read: n,
        null_buffer: true,
    }
}

fn write_null(file: HandleValue, n: usize) -> Call {
    Call::WriteFile {
        file,
        data: Data(vec![b'x'; n]),
        null_buffer: true,
    }
}

fn peek(named_pipe: HandleValue, buffer_size: u32, null_buffer: bool) -> Call {
    Call::PeekNamedPipe {
        named_pipe,
        buffer_size,
        null_buffer,
    }
}

#[test]
fn a_null_read_buffer_is_noaccess_and_a_null_write_buffer_an_invalid_user_buffer() {
    let mut w = World::new();
    let (r, wr) = pipe(&mut w);
    let t = w.tid;
    // A NULL buffer of length 0 is an ordinary empty write.
    let ok = w.run(t, write_null(wr, 0));
    succeeds(&ok);
    assert_eq!(ok.outputs().bytes_written, Some(0));
    let e = w.run(t, write_null(wr, 10));
    fails(&e, Win32Error::InvalidUserBuffer);
    assert_eq!(e.outputs().bytes_written, Some(0));
    succeeds(&w.run(t, write(wr, "hello")));
    let e = w.run(t, read_null(r, 10));
    fails(&e, Win32Error::NoAccess);
    assert_eq!(e.outputs().bytes_read, Some(0));
    // The failed read took nothing: the five bytes are still there.
    assert_eq!(data(&w.run(t, read(r, 10))), "hello");
    // A NULL buffer of length 0 reads nothing and succeeds.
    succeeds(&w.run(t, write(wr, "again")));
    let zero = w.run(t, read_null(r, 0));
    succeeds(&zero);
    assert_eq!(zero.outputs().bytes_read, Some(0));
}

#[test]
fn the_handle_and_its_access_are_checked_before_the_buffer() {
    // WRK NtReadFile/NtWriteFile reference the handle with FILE_READ_DATA / FILE_WRITE_DATA
    // before probing the buffer (Wine probes first: a documented Wine difference).
    let mut w = World::new();
    let (r, wr) = pipe(&mut w);
    let t = w.tid;
    fails(&w.run(t, read_null(h(0x1234), 10)), Win32Error::InvalidHandle);
    fails(&w.run(t, read_null(wr, 10)), Win32Error::AccessDenied);
    fails(&w.run(t, write_null(r, 10)), Win32Error::AccessDenied);
    let ev = handle(&w.run(t, event(false, None)));
    fails(&w.run(t, read_null(ev, 10)), Win32Error::InvalidHandle);
    // ... and the buffer before the pipe's state: a broken pipe still answers 998.
    succeeds(&w.run(t, close(wr)));
    fails(&w.run(t, read_null(r, 10)), Win32Error::NoAccess);
}

#[test]
fn peek_with_a_null_buffer_reports_the_counts_and_copies_nothing() {
    // Wine 8.0: PeekNamedPipe(r, NULL, 64, ...) with 5 queued: TRUE, read 5, avail 5, left -5;
    // (r, NULL, 0) and (r, buf, 0): read 0, avail 5, left 0.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w);
    let t = w.tid;
    succeeds(&w.run(t, write(wr, "hello")));
    let p = w.run(t, peek(r, 64, true));
    succeeds(&p);
    let o = p.outputs();
    assert_eq!(
        (
            o.data.clone(),
            o.bytes_read,
            o.total_bytes_avail,
            o.bytes_left_this_message
        ),
        (None, Some(5), Some(5), Some(5u32.wrapping_neg()))
    );
    for null_buffer in [true, false] {
        let o = w.run(t, peek(r, 0, null_buffer)).outputs().into_owned();
        assert_eq!(
            (o.bytes_read, o.total_bytes_avail, o.bytes_left_this_message),
            (Some(0), Some(5), Some(0))
        );
    }
    assert_eq!(data(&w.run(t, read(r, 10))), "hello");
}

/// `SetEnvironmentVariable("NBT", "abc")`.
fn set_nbt() -> Call {
    Call::SetEnvironmentVariable {
        name: "NBT".into(),
        value: Some("abc".into()),
    }
}

fn get(name: &str, size: u32, null_buffer: bool) -> Call {
    Call::GetEnvironmentVariable {
        name: name.into(),
        size,
        null_buffer,
    }
}

#[test]
fn get_environment_variable_with_a_null_buffer_faults_only_where_it_copies() {
    let mut w = World::new();
    let t = w.tid;
    succeeds(&w.run(t, set_nbt()));
    // Wine 8.0: (NULL, 0) -> 4; missing with (NULL, 10) -> 0 / 203; (NULL, 2) -> 4, no fault.
    assert_eq!(w.run(t, get("NBT", 0, true)).ret, Ret::Dword(4));
    let missing = w.run(t, get("NBT_MISSING", 10, true));
    assert_eq!(
        (missing.ret, missing.last_error),
        (Ret::Dword(0), Win32Error::EnvvarNotFound)
    );
    assert_eq!(w.run(t, get("NBT", 2, true)).ret, Ret::Dword(4));
    let ansi = Call::GetEnvironmentVariableA {
        name: "NBT".into(),
        size: 2,
        null_buffer: true,
    };
    assert_eq!(w.run(t, ansi).ret, Ret::Dword(4));
    // (NULL, 10) copies "abc" through NULL: the process dies of the access violation (Wine 8.0:
    // "page fault on write access"), and its exit code says so.
    let (_cpid, ctid, hp, _ht) = w.child(t, "child.exe", false);
    succeeds(&w.run(ctid, set_nbt()));
    w.gone(ctid, get("NBT", 10, true));
    let code = w.run(t, Call::GetExitCodeProcess { process: hp });
    assert_eq!(code.outputs().exit_code, Some(STATUS_ACCESS_VIOLATION));
    let a = Call::GetEnvironmentVariableA {
        name: "NBT".into(),
        size: 10,
        null_buffer: true,
    };
    w.gone(t, a);
}

#[test]
fn expand_with_a_null_buffer_counts_as_size_zero_and_the_a_version_refuses_it() {
    let mut w = World::new();
    let t = w.tid;
    succeeds(&w.run(t, set_nbt()));
    let expand = |size, null_buffer| Call::ExpandEnvironmentStrings {
        src: "x%NBT%".into(),
        size,
        null_buffer,
    };
    // Wine 8.0: ExpandEnvironmentStringsW("x%NBT%", NULL, 10) -> 5, no fault.
    let r = w.run(t, expand(10, true));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(5), None));
    let r = w.run(t, expand(10, false));
    assert_eq!((r.ret, r.outputs().text.as_deref()), (Ret::Dword(5), Some("xabc")));
    // Wine 8.0: ExpandEnvironmentStringsA(src, NULL, 10) and (src, NULL, 2) -> error 87.
    for size in [10, 2] {
        let a = Call::ExpandEnvironmentStringsA {
            src: "x%NBT%".into(),
            size,
            null_buffer: true,
        };
        let r = w.run(t, a);
        assert_eq!(r.last_error, Win32Error::InvalidParameter);
        assert_eq!(r.outputs().text, None);
    }
}
