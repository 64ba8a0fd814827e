//! Waits, events, parking, the virtual clock and deadlock detection (spec §9 waits; the
//! blocking model of DESIGN.md).

use super::*;

fn wait(handle: HandleValue, ms: u32) -> Call {
    Call::WaitForSingleObject {
        handle,
        milliseconds: ms,
    }
}

#[test]
fn a_wait_on_a_running_child_parks_and_completes_when_it_exits() {
    // The DuplicateProcessParent/Child lesson, seen from the parent.
    let mut w = World::new();
    let (_cpid, ctid, hp, _) = w.child(w.tid, "child.exe", false);
    let seq = w.park(w.tid, wait(hp, INFINITE));
    let err = w.k.call(w.tid, &Call::GetLastError).unwrap_err();
    assert!(
        matches!(err, CallError::ThreadParked { ref call, call_seq, .. } if call == "WaitForSingleObject" && call_seq == seq)
    );
    w.no_completion();
    w.gone(ctid, Call::ExitProcess { exit_code: 42 });
    assert_eq!(w.completed(seq).ret, Ret::Dword(WAIT_OBJECT_0));
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeProcess { process: hp })
            .outputs()
            .exit_code,
        Some(42)
    );
}

#[test]
fn timeouts_fire_only_as_virtual_time_advances() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let seq = w.park(w.tid, wait(e, 300));
    w.k.advance_time(299);
    w.no_completion();
    w.k.advance_time(1);
    assert_eq!(w.completed(seq).ret, Ret::Dword(WAIT_TIMEOUT));
    assert_eq!(w.k.now_ms(), 300);
    assert_eq!(w.run(w.tid, wait(e, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
}

#[test]
fn wait_failures() {
    // spec §9: invalid or NULL → 6; no SYNCHRONIZE → 5; count 0 or > 64 → 87.
    let mut w = World::new();
    for bad in [HandleValue::NULL, h(0x400)] {
        let r = w.run(w.tid, wait(bad, 0));
        assert_eq!(
            (r.ret, r.last_error),
            (Ret::Dword(WAIT_FAILED), Win32Error::InvalidHandle)
        );
    }
    let snap = handle(&w.run(
        w.tid,
        Call::CreateToolhelp32Snapshot {
            flags: TH32CS_SNAPPROCESS,
            process_id: 0,
        },
    ));
    assert_eq!(w.run(w.tid, wait(snap, 0)).last_error, Win32Error::InvalidHandle);
    let e = handle(&w.run(w.tid, event(false, None)));
    for n in [0usize, 65] {
        let r = w.run(
            w.tid,
            Call::WaitForMultipleObjects {
                handles: vec![e; n],
                wait_all: false,
                milliseconds: 0,
            },
        );
        assert_eq!(
            (r.ret, r.last_error),
            (Ret::Dword(WAIT_FAILED), Win32Error::InvalidParameter)
        );
    }
    let r = w.run(
        w.tid,
        Call::WaitForMultipleObjects {
            handles: vec![e, e],
            wait_all: true,
            milliseconds: 0,
        },
    );
    assert_eq!(r.last_error, Win32Error::InvalidParameter);
}

#[test]
fn wait_any_returns_the_lowest_signaled_index() {
    // spec §9: WAIT_OBJECT_0 + the lowest index among the signaled objects.
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(false, None)));
    let b = handle(&w.run(w.tid, event(false, None)));
    let c = handle(&w.run(w.tid, event(false, None)));
    w.run(w.tid, Call::SetEvent { event: c });
    w.run(w.tid, Call::SetEvent { event: b });
    let any = Call::WaitForMultipleObjects {
        handles: vec![a, b, c],
        wait_all: false,
        milliseconds: 0,
    };
    assert_eq!(w.run(w.tid, any.clone()).ret, Ret::Dword(1));
    w.run(w.tid, Call::ResetEvent { event: b });
    assert_eq!(w.run(w.tid, any).ret, Ret::Dword(2));
    let all = Call::WaitForMultipleObjects {
        handles: vec![a, b, c],
        wait_all: true,
        milliseconds: 0,
    };
    assert_eq!(w.run(w.tid, all).ret, Ret::Dword(WAIT_TIMEOUT));
}

#[test]
fn an_auto_reset_event_releases_one_waiter_in_fifo_order() {
    let mut w = World::new();
    let e = handle(&w.run(
        w.tid,
        Call::CreateEvent {
            event_attributes: None,
            manual_reset: false,
            initial_state: false,
            name: None,
        },
    ));
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
    let t3 = w
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
    let s2 = w.park(t2, wait(e, INFINITE));
    let s3 = w.park(t3, wait(e, INFINITE));
    succeeds(&w.run(w.tid, Call::SetEvent { event: e }));
    assert_eq!(w.completed(s2).ret, Ret::Dword(0));
    assert_eq!(
        w.run(w.tid, wait(e, 0)).ret,
        Ret::Dword(WAIT_TIMEOUT),
        "consumed by the waiter"
    );
    succeeds(&w.run(w.tid, Call::SetEvent { event: e }));
    assert_eq!(w.completed(s3).ret, Ret::Dword(0));
}

#[test]
fn wait_all_completes_when_the_last_object_is_signaled() {
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(false, None)));
    let b = handle(&w.run(w.tid, event(false, None)));
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
        Call::WaitForMultipleObjects {
            handles: vec![a, b],
            wait_all: true,
            milliseconds: INFINITE,
        },
    );
    w.run(w.tid, Call::SetEvent { event: b });
    w.no_completion();
    w.run(w.tid, Call::SetEvent { event: a });
    assert_eq!(w.completed(seq).ret, Ret::Dword(0));
}

#[test]
fn sleep_and_deadlock_detection() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let seq = w.park(w.tid, Call::Sleep { milliseconds: 50 });
    assert!(w.k.deadlock().is_none(), "a timeout is pending");
    assert_eq!(w.k.next_deadline(), Some(50));
    w.k.advance_time(100);
    assert_eq!(w.completed(seq).ret, Ret::Void);
    w.park(w.tid, wait(e, INFINITE));
    let d = w.k.deadlock().expect("the only thread waits for ever");
    assert_eq!(d.threads.len(), 1);
    assert_eq!(d.threads[0].thread_id, w.tid);
    match &d.threads[0].waiting_for {
        crate::WaitReason::Signaled {
            objects,
            wait_all: false,
        } => {
            assert_eq!(
                objects.iter().map(|o| o.map(|o| o.kind)).collect::<Vec<_>>(),
                [Some(crate::ObjectKind::Event)]
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_exiting_thread_abandons_its_wait() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let (cpid, ctid, _, _) = w.child(w.tid, "child.exe", false);
    let dup = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            source_process_handle: HandleValue::CURRENT_PROCESS,
            source_handle: e,
            target_process_handle: w.k.process_view(w.pid).unwrap().handles[1].handle,
            null_target_handle: false,
            desired_access: 0,
            inherit_handle: false,
            options: DUPLICATE_SAME_ACCESS,
        }),
    );
    let v = dup.outputs().target_handle.unwrap();
    w.park(ctid, wait(v, INFINITE));
    let hp = handle(&w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: PROCESS_TERMINATE,
            inherit_handle: false,
            process_id: cpid.0,
        },
    ));
    succeeds(&w.run(
        w.tid,
        Call::TerminateProcess {
            process: hp,
            exit_code: 1,
        },
    ));
    w.no_completion();
    assert_eq!(w.usage(w.pid, e), (1, 1), "the child's row went with it");
}
