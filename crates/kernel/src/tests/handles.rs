//! Handle values, CloseHandle, handle information, pseudo handles, named events (spec §1, §2).

use super::*;
use crate::ids::Tid;

#[test]
fn values_are_per_process_multiples_of_four() {
    // spec §1.1: slot i has value (i+1)*4; the same number in two processes names two entries.
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(false, None)));
    let b = handle(&w.run(w.tid, event(false, None)));
    assert_eq!((a.0, b.0), (4, 8));
    let (cpid, ctid, hp, ht) = w.child(w.tid, "child.exe", false);
    assert_eq!(
        (hp.0, ht.0),
        (12, 16),
        "process handle first, then thread handle (spec §3)"
    );
    let c = handle(&w.run(ctid, event(false, None)));
    assert_eq!(c.0, 4);
    assert_ne!(w.address(cpid, c), w.address(w.pid, a), "same value, different objects");
}

#[test]
fn close_handle_removes_the_row_and_the_object_dies_at_zero() {
    // spec §2.1: each handle holds one usage count; the object dies at 0.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    assert_eq!(w.usage(w.pid, e), (1, 1));
    let address = w.address(w.pid, e);
    succeeds(&w.run(w.tid, close(e)));
    assert!(w.k.object_view(address).is_none());
    fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
}

#[test]
fn close_handle_on_garbage_null_and_never_used_values_fails_with_6() {
    // spec §1.3.
    let mut w = World::new();
    for v in [0u32, 0x1234_5678, 0x1000, 3] {
        fails(&w.run(w.tid, close(h(v))), Win32Error::InvalidHandle);
    }
    fails(&w.run(w.tid, close(h((-7i32) as u32))), Win32Error::InvalidHandle);
}

#[test]
fn close_handle_ignores_the_low_two_bits() {
    // spec §1.1: CloseHandle(h|3) really closes h.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    succeeds(&w.run(w.tid, close(h(e.0 | 3))));
    fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
}

#[test]
fn closing_a_pseudo_handle_returns_true_and_leaves_the_last_error() {
    // spec §1.4: CloseHandle(GetCurrentProcess()) has no effect; error untouched.
    let mut w = World::new();
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::IoPending,
        },
    );
    for v in [
        HandleValue::CURRENT_PROCESS,
        HandleValue::CURRENT_THREAD,
        h((-3i32) as u32),
    ] {
        let r = w.run(w.tid, close(v));
        succeeds(&r);
        assert_eq!(r.last_error, Win32Error::IoPending);
        assert!(!r.error_set);
    }
    assert!(w.k.is_running(w.pid));
}

#[test]
fn protected_handles_refuse_to_close() {
    // spec §1.3: CloseHandle on a protected handle fails with 6 and the handle stays.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    succeeds(&w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: e,
            mask: HANDLE_FLAG_PROTECT_FROM_CLOSE,
            flags: 2,
        },
    ));
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: e }).outputs().flags,
        Some(2)
    );
    fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
    assert_eq!(w.usage(w.pid, e), (1, 1));
    succeeds(&w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: e,
            mask: 2,
            flags: 0,
        },
    ));
    succeeds(&w.run(w.tid, close(e)));
}

#[test]
fn set_handle_information_changes_only_masked_known_bits() {
    // spec §1.3: only bits named in the mask change; unknown bits are ignored.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(true, None)));
    succeeds(&w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: e,
            mask: 0x80,
            flags: 0x80,
        },
    ));
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: e }).outputs().flags,
        Some(1)
    );
    succeeds(&w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: e,
            mask: 2,
            flags: 3,
        },
    ));
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: e }).outputs().flags,
        Some(3)
    );
    fails(
        &w.run(
            w.tid,
            Call::SetHandleInformation {
                handle: h(0x400),
                mask: 1,
                flags: 1,
            },
        ),
        Win32Error::InvalidHandle,
    );
}

#[test]
fn handle_information_on_pseudo_handles() {
    // spec §1.3 ([Oracle] 3a): Get gives flags 0; Set fails with 5.
    let mut w = World::new();
    let r = w.run(
        w.tid,
        Call::GetHandleInformation {
            handle: HandleValue::CURRENT_PROCESS,
        },
    );
    succeeds(&r);
    assert_eq!(r.outputs().flags, Some(0));
    fails(
        &w.run(
            w.tid,
            Call::SetHandleInformation {
                handle: HandleValue::CURRENT_PROCESS,
                mask: 1,
                flags: 1,
            },
        ),
        Win32Error::AccessDenied,
    );
    fails(
        &w.run(w.tid, Call::GetHandleInformation { handle: h(40) }),
        Win32Error::InvalidHandle,
    );
}

#[test]
fn pseudo_handles_are_fixed_values_never_stored() {
    // spec §1.4.
    let mut w = World::new();
    assert_eq!(w.run(w.tid, Call::GetCurrentProcess).ret, Ret::Handle(h(0xFFFF_FFFF)));
    assert_eq!(w.run(w.tid, Call::GetCurrentThread).ret, Ret::Handle(h(0xFFFF_FFFE)));
    assert!(w.k.process_view(w.pid).unwrap().handles.is_empty());
    assert_eq!(
        w.run(
            w.tid,
            Call::GetProcessId {
                process: HandleValue::CURRENT_PROCESS
            }
        )
        .ret,
        Ret::Dword(w.pid.0)
    );
}

#[test]
fn a_second_create_of_a_named_event_opens_the_same_object() {
    // spec §2.3, [Oracle] 3a: new handle, same object, error 183; a new one sets 0.
    let mut w = World::new();
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::IoPending,
        },
    );
    let first = w.run(w.tid, event(false, Some("OracleEv")));
    assert_eq!(first.last_error, Win32Error::Success);
    let second = w.run(w.tid, event(false, Some("OracleEv")));
    assert_eq!(second.last_error, Win32Error::AlreadyExists);
    let (a, b) = (handle(&first), handle(&second));
    assert_ne!(a, b);
    assert_eq!(w.address(w.pid, a), w.address(w.pid, b));
    assert_eq!(w.usage(w.pid, a), (2, 2));
    succeeds(&w.run(w.tid, Call::SetEvent { event: a }));
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: b,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(WAIT_OBJECT_0)
    );
}

#[test]
fn open_event_is_case_sensitive_and_fails_once_the_object_died() {
    // [Oracle] 3a: event names are case-sensitive; the object dies with its last handle.
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(false, Some("OracleEv"))));
    let miss = w.run(
        w.tid,
        Call::OpenEvent {
            desired_access: EVENT_ALL_ACCESS,
            inherit_handle: false,
            name: "oracleev".into(),
        },
    );
    assert_eq!(miss.ret, Ret::Handle(HandleValue::NULL));
    assert_eq!(miss.last_error, Win32Error::FileNotFound);
    let o = handle(&w.run(
        w.tid,
        Call::OpenEvent {
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            name: "OracleEv".into(),
        },
    ));
    succeeds(&w.run(w.tid, close(a)));
    assert_eq!(w.usage(w.pid, o), (1, 1), "the OpenEvent handle keeps it alive");
    succeeds(&w.run(w.tid, close(o)));
    let gone = w.run(
        w.tid,
        Call::OpenEvent {
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            name: "OracleEv".into(),
        },
    );
    assert_eq!(
        (gone.ret, gone.last_error),
        (Ret::Handle(HandleValue::NULL), Win32Error::FileNotFound)
    );
}

#[test]
fn event_access_is_checked() {
    // [Oracle] 3b: a handle with only EVENT_MODIFY_STATE can set but not wait (5).
    let mut w = World::new();
    let _e = handle(&w.run(w.tid, event(false, Some("acc"))));
    let m = handle(&w.run(
        w.tid,
        Call::OpenEvent {
            desired_access: EVENT_MODIFY_STATE,
            inherit_handle: false,
            name: "acc".into(),
        },
    ));
    succeeds(&w.run(w.tid, Call::SetEvent { event: m }));
    let r = w.run(
        w.tid,
        Call::WaitForSingleObject {
            handle: m,
            milliseconds: 0,
        },
    );
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Dword(WAIT_FAILED), Win32Error::AccessDenied)
    );
    let s = handle(&w.run(
        w.tid,
        Call::OpenEvent {
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            name: "acc".into(),
        },
    ));
    fails(&w.run(w.tid, Call::SetEvent { event: s }), Win32Error::AccessDenied);
}

#[test]
fn named_objects_with_a_bad_path_fail_with_3() {
    let mut w = World::new();
    let r = w.run(w.tid, event(false, Some("no\\such")));
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Handle(HandleValue::NULL), Win32Error::PathNotFound)
    );
    assert!(
        w.k.process_view(w.pid).unwrap().handles.is_empty(),
        "a failed call adds no row"
    );
}

#[test]
fn closing_a_std_handle_constant_closes_the_real_handle() {
    // spec §1.4: CloseHandle(STD_*_HANDLE) closes the std handle and sets the slot to 0, for
    // each of the three.
    let mut w = World::new();
    for std_handle in [STD_INPUT_HANDLE, STD_OUTPUT_HANDLE, STD_ERROR_HANDLE] {
        let e = handle(&w.run(w.tid, event(false, None)));
        succeeds(&w.run(w.tid, Call::SetStdHandle { std_handle, handle: e }));
        let get = Call::GetStdHandle { std_handle };
        assert_eq!(w.run(w.tid, get.clone()).ret, Ret::Handle(e));
        succeeds(&w.run(w.tid, close(h(std_handle))));
        fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
        assert_eq!(w.run(w.tid, get).ret, Ret::Handle(HandleValue::NULL), "{std_handle:#x}");
    }
    let bad = w.run(w.tid, Call::GetStdHandle { std_handle: 7 });
    assert_eq!(
        (bad.ret, bad.last_error),
        (Ret::Handle(HandleValue::INVALID), Win32Error::InvalidHandle)
    );
}

#[test]
fn last_error_is_per_thread() {
    let mut w = World::new();
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
    fails(&w.run(w.tid, close(h(400))), Win32Error::InvalidHandle);
    assert_eq!(w.run(t2, Call::GetLastError).ret, Ret::Dword(0));
    assert_eq!(w.run(w.tid, Call::GetLastError).ret, Ret::Dword(6));
}

#[test]
fn the_incremental_check_catches_what_the_step_touched() {
    let mut w = World::new();
    let mut check = crate::IncrementalCheck::new(&mut w.k);
    let e = handle(&w.run(w.tid, event(false, None)));
    check.check(&mut w.k).expect("a correct step");
    // A count off by one on an object the next step touches is caught at that step.
    let id = w.k.process(w.k.cids[&w.pid.0]).handles.get(e).unwrap().object;
    w.k.objects[id].usage_count += 1;
    w.k.call(
        w.tid,
        &Call::SetHandleInformation {
            handle: e,
            mask: 1,
            flags: 1,
        },
    )
    .unwrap();
    w.k.touched_objects.push(id);
    let v = check.check(&mut w.k).unwrap_err();
    assert!(v.iter().any(|v| v.rule == "usage-count"), "{v:?}");
    w.k.objects[id].usage_count -= 1;
    // A row that vanished from a table without its count is caught too.
    let process = w.k.cids[&w.pid.0];
    w.k.process_mut(process).handles.remove(e);
    w.k.touched_rows.push((process, e));
    let v = check.check(&mut w.k).unwrap_err();
    assert!(v.iter().any(|v| v.rule == "handle-count"), "{v:?}");
}

#[test]
fn set_last_error_stores_any_32_bit_value() {
    // MS "SetLastError": dwErrCode is any DWORD; bit 29 marks application-defined codes.
    let mut w = World::new();
    for code in [12345u32, 0xE000_0001, u32::MAX, 0] {
        w.run(
            w.tid,
            Call::SetLastError {
                error: Win32Error::of(code),
            },
        );
        assert_eq!(w.run(w.tid, Call::GetLastError).ret, Ret::Dword(code));
    }
}
