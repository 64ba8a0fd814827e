//! Mutexes and semaphores: ownership and recursion, `ERROR_NOT_OWNER`, abandonment and
//! `WAIT_ABANDONED`, semaphore counts and `ERROR_TOO_MANY_POSTS`, waits that consume, wait-all
//! that acquires all or nothing, the shared namespace (MS "CreateMutexW", "ReleaseMutex",
//! "CreateSemaphoreW", "ReleaseSemaphore", "WaitForMultipleObjects"; NT's mutant rules).

use super::*;

fn mutex(initial_owner: bool, name: Option<&str>) -> Call {
    Call::CreateMutex {
        mutex_attributes: None,
        initial_owner,
        name: name.map(str::to_string),
    }
}

fn semaphore(initial: i32, maximum: i32, name: Option<&str>) -> Call {
    Call::CreateSemaphore {
        semaphore_attributes: None,
        initial_count: initial as u32,
        maximum_count: maximum as u32,
        name: name.map(str::to_string),
    }
}

fn release_mutex(m: HandleValue) -> Call {
    Call::ReleaseMutex { mutex: m }
}

fn release_semaphore(s: HandleValue, n: i32) -> Call {
    Call::ReleaseSemaphore {
        semaphore: s,
        release_count: n as u32,
    }
}

fn wait(handle: HandleValue, ms: u32) -> Call {
    Call::WaitForSingleObject {
        handle,
        milliseconds: ms,
    }
}

fn wait_all(handles: &[HandleValue], all: bool, ms: u32) -> Call {
    Call::WaitForMultipleObjects {
        handles: handles.to_vec(),
        wait_all: all,
        milliseconds: ms,
    }
}

/// A second thread in the world's process.
fn second_thread(w: &mut World) -> Tid {
    let r = w.run(
        w.tid,
        Call::CreateThread {
            thread_attributes: None,
            creation_flags: 0,
        },
    );
    Tid(r.outputs().thread_id.unwrap())
}

fn ret(r: &CallResult) -> (Ret, Win32Error) {
    (r.ret, r.last_error)
}

#[test]
fn an_owned_mutex_is_signaled_only_to_its_owner_who_may_take_it_again() {
    let mut w = World::new();
    let t2 = second_thread(&mut w);
    let m = handle(&w.run(w.tid, mutex(true, None)));
    // Recursion: the owner's waits succeed at once.
    assert_eq!(w.run(w.tid, wait(m, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    // Another thread's wait times out, and it may not release what it does not own.
    assert_eq!(w.run(t2, wait(m, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
    fails(&w.run(t2, release_mutex(m)), Win32Error::NotOwner);
    // Owned twice: two releases free it, a third is not the owner's any more.
    succeeds(&w.run(w.tid, release_mutex(m)));
    assert_eq!(w.run(t2, wait(m, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
    succeeds(&w.run(w.tid, release_mutex(m)));
    fails(&w.run(w.tid, release_mutex(m)), Win32Error::NotOwner);
    assert_eq!(w.run(t2, wait(m, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    fails(&w.run(w.tid, release_mutex(m)), Win32Error::NotOwner);
}

#[test]
fn a_released_mutex_goes_to_the_parked_waiter() {
    let mut w = World::new();
    let t2 = second_thread(&mut w);
    let m = handle(&w.run(w.tid, mutex(true, None)));
    let seq = w.park(t2, wait(m, INFINITE));
    succeeds(&w.run(w.tid, release_mutex(m)));
    assert_eq!(w.completed(seq).ret, Ret::Dword(WAIT_OBJECT_0));
    // Now t2 owns it.
    assert_eq!(w.run(w.tid, wait(m, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
    succeeds(&w.run(t2, release_mutex(m)));
}

#[test]
fn an_owner_that_ends_abandons_its_mutex_and_the_next_acquirer_is_told() {
    let mut w = World::new();
    let t2 = second_thread(&mut w);
    let m = handle(&w.run(w.tid, mutex(false, None)));
    let e = handle(&w.run(w.tid, event(false, None)));
    assert_eq!(w.run(t2, wait(m, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    let seq = w.park(w.tid, wait_all(&[e, m], false, INFINITE));
    w.gone(t2, Call::ExitThread { exit_code: 0 });
    // Wait-any: WAIT_ABANDONED_0 + the mutex's index; the waiter now owns it.
    assert_eq!(w.completed(seq).ret, Ret::Dword(WAIT_ABANDONED_0 + 1));
    // The abandonment is reported once: the owner's recursive wait is a plain success.
    assert_eq!(w.run(w.tid, wait(m, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    succeeds(&w.run(w.tid, release_mutex(m)));
    succeeds(&w.run(w.tid, release_mutex(m)));
    fails(&w.run(w.tid, release_mutex(m)), Win32Error::NotOwner);
}

#[test]
fn a_process_that_exits_abandons_what_its_threads_own() {
    let mut w = World::new();
    let (_, ctid, _hp, _) = w.child(w.tid, "child.exe", false);
    let m = handle(&w.run(w.tid, mutex(false, Some("shared"))));
    let cm = handle(&w.run(
        ctid,
        Call::OpenMutex {
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            name: "shared".into(),
        },
    ));
    assert_eq!(w.run(ctid, wait(cm, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    w.gone(ctid, Call::ExitProcess { exit_code: 1 });
    // Wait-all reports an abandoned mutex as WAIT_ABANDONED_0 (NT's STATUS_ABANDONED).
    let e = handle(&w.run(
        w.tid,
        Call::CreateEvent {
            event_attributes: None,
            manual_reset: true,
            initial_state: true,
            name: None,
        },
    ));
    assert_eq!(
        w.run(w.tid, wait_all(&[e, m], true, 0)).ret,
        Ret::Dword(WAIT_ABANDONED_0)
    );
}

#[test]
fn creating_an_existing_mutex_opens_it_without_taking_ownership() {
    let mut w = World::new();
    let t2 = second_thread(&mut w);
    let a = w.run(w.tid, mutex(false, Some("m")));
    assert_eq!(a.last_error, Win32Error::Success);
    let b = w.run(t2, mutex(true, Some("m")));
    assert_eq!(b.last_error, Win32Error::AlreadyExists);
    assert_eq!(w.address(w.pid, handle(&a)), w.address(w.pid, handle(&b)));
    // bInitialOwner was ignored: the first thread can take it.
    assert_eq!(w.run(w.tid, wait(handle(&a), 0)).ret, Ret::Dword(WAIT_OBJECT_0));
}

#[test]
fn events_mutexes_and_semaphores_share_one_namespace() {
    let mut w = World::new();
    w.run(w.tid, event(false, Some("x")));
    let null = Ret::Handle(HandleValue::NULL);
    assert_eq!(
        ret(&w.run(w.tid, mutex(false, Some("x")))),
        (null, Win32Error::InvalidHandle)
    );
    assert_eq!(
        ret(&w.run(w.tid, semaphore(0, 1, Some("x")))),
        (null, Win32Error::InvalidHandle)
    );
    let open = |name: &str| Call::OpenSemaphore {
        desired_access: SYNCHRONIZE,
        inherit_handle: false,
        name: name.into(),
    };
    assert_eq!(ret(&w.run(w.tid, open("x"))), (null, Win32Error::InvalidHandle));
    assert_eq!(ret(&w.run(w.tid, open("y"))), (null, Win32Error::FileNotFound));
    w.run(w.tid, semaphore(0, 1, Some("s")));
    let r = w.run(
        w.tid,
        Call::OpenEvent {
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            name: "s".into(),
        },
    );
    assert_eq!(ret(&r), (null, Win32Error::InvalidHandle));
}

#[test]
fn semaphore_counts_are_checked_before_anything_else() {
    let mut w = World::new();
    let null = Ret::Handle(HandleValue::NULL);
    for (initial, maximum) in [(0, 0), (2, 1), (-1, 1), (0, -5)] {
        let r = w.run(w.tid, semaphore(initial, maximum, Some("bad\\path")));
        assert_eq!(ret(&r), (null, Win32Error::InvalidParameter), "{initial}/{maximum}");
    }
    let s = handle(&w.run(w.tid, semaphore(1, 2, None)));
    // A release count of zero or less is invalid even before the handle is looked at.
    for n in [0, -1] {
        fails(
            &w.run(w.tid, release_semaphore(HandleValue::NULL, n)),
            Win32Error::InvalidParameter,
        );
        fails(&w.run(w.tid, release_semaphore(s, n)), Win32Error::InvalidParameter);
    }
    fails(
        &w.run(w.tid, release_semaphore(HandleValue::NULL, 1)),
        Win32Error::InvalidHandle,
    );
}

#[test]
fn waits_count_a_semaphore_down_and_releases_count_it_up_to_its_maximum() {
    let mut w = World::new();
    let s = handle(&w.run(w.tid, semaphore(2, 3, None)));
    assert_eq!(w.run(w.tid, wait(s, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    assert_eq!(w.run(w.tid, wait(s, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    assert_eq!(w.run(w.tid, wait(s, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
    let r = w.run(w.tid, release_semaphore(s, 2));
    succeeds(&r);
    assert_eq!(r.outputs().previous_count, Some(0));
    // 2 + 2 > 3: nothing changes and the previous count is not written.
    let r = w.run(w.tid, release_semaphore(s, 2));
    fails(&r, Win32Error::TooManyPosts);
    assert_eq!(r.outputs().previous_count, None);
    let r = w.run(w.tid, release_semaphore(s, 1));
    assert_eq!(r.outputs().previous_count, Some(2));
    // A count that would overflow is past the maximum too.
    fails(&w.run(w.tid, release_semaphore(s, i32::MAX)), Win32Error::TooManyPosts);
}

#[test]
fn a_parked_semaphore_wait_takes_one_count_when_it_is_released() {
    let mut w = World::new();
    let (t2, t3) = (second_thread(&mut w), second_thread(&mut w));
    let s = handle(&w.run(w.tid, semaphore(0, 5, None)));
    let a = w.park(t2, wait(s, INFINITE));
    let b = w.park(t3, wait(s, INFINITE));
    succeeds(&w.run(w.tid, release_semaphore(s, 1)));
    // First parked, first served; the count goes straight to the waiter.
    assert_eq!(w.completed(a).ret, Ret::Dword(WAIT_OBJECT_0));
    let r = w.run(w.tid, release_semaphore(s, 3));
    assert_eq!(r.outputs().previous_count, Some(0));
    assert_eq!(w.completed(b).ret, Ret::Dword(WAIT_OBJECT_0));
    let r = w.run(w.tid, release_semaphore(s, 1));
    assert_eq!(r.outputs().previous_count, Some(2));
}

#[test]
fn wait_all_acquires_every_object_at_once_or_none() {
    let mut w = World::new();
    let t2 = second_thread(&mut w);
    let m = handle(&w.run(w.tid, mutex(true, None)));
    let s = handle(&w.run(w.tid, semaphore(1, 1, None)));
    let seq = w.park(t2, wait_all(&[s, m], true, INFINITE));
    // The semaphore was not taken while the mutex was owned elsewhere.
    assert_eq!(w.run(w.tid, wait(s, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    succeeds(&w.run(w.tid, release_mutex(m)));
    w.no_completion();
    assert_eq!(w.run(w.tid, release_semaphore(s, 1)).outputs().previous_count, Some(0));
    assert_eq!(w.completed(seq).ret, Ret::Dword(WAIT_OBJECT_0));
    // Both were taken together.
    assert_eq!(w.run(w.tid, wait(s, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
    assert_eq!(w.run(w.tid, wait(m, 0)).ret, Ret::Dword(WAIT_TIMEOUT));
    succeeds(&w.run(t2, release_mutex(m)));
}

#[test]
fn release_needs_ownership_or_the_modify_right_and_the_right_kind() {
    let mut w = World::new();
    w.run(w.tid, mutex(false, Some("m")));
    w.run(w.tid, semaphore(0, 1, Some("s")));
    let om = handle(&w.run(
        w.tid,
        Call::OpenMutex {
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            name: "m".into(),
        },
    ));
    assert_eq!(w.run(w.tid, wait(om, 0)).ret, Ret::Dword(WAIT_OBJECT_0));
    // Releasing a mutex needs ownership, not an access right (NtReleaseMutant asks for none).
    succeeds(&w.run(w.tid, release_mutex(om)));
    let os = handle(&w.run(
        w.tid,
        Call::OpenSemaphore {
            desired_access: SYNCHRONIZE | SEMAPHORE_QUERY_STATE,
            inherit_handle: false,
            name: "s".into(),
        },
    ));
    fails(&w.run(w.tid, release_semaphore(os, 1)), Win32Error::AccessDenied);
    // GENERIC_WRITE maps to SEMAPHORE_MODIFY_STATE.
    let ws = handle(&w.run(
        w.tid,
        Call::OpenSemaphore {
            desired_access: GENERIC_WRITE,
            inherit_handle: false,
            name: "s".into(),
        },
    ));
    succeeds(&w.run(w.tid, release_semaphore(ws, 1)));
    let e = handle(&w.run(w.tid, event(false, None)));
    fails(&w.run(w.tid, release_mutex(e)), Win32Error::InvalidHandle);
    fails(&w.run(w.tid, release_semaphore(om, 1)), Win32Error::InvalidHandle);
}

#[test]
fn a_destroyed_owned_mutex_leaves_its_owner() {
    let mut w = World::new();
    let m = handle(&w.run(w.tid, mutex(true, None)));
    succeeds(&w.run(w.tid, close(m)));
    // The invariant check (owner lists name live mutexes) ran after the close; the thread
    // can still end cleanly.
    let t2 = second_thread(&mut w);
    w.gone(t2, Call::ExitThread { exit_code: 0 });
}

#[test]
fn why_blocked_names_the_owner_of_a_mutex() {
    let mut w = World::new();
    let t2 = second_thread(&mut w);
    let m = handle(&w.run(w.tid, mutex(true, None)));
    w.park(t2, wait(m, INFINITE));
    let b = w.k.why_blocked(t2).expect("blocked");
    assert_eq!(b.release[0].by, crate::explain::ReleaseBy::OwnerReleases);
    assert_eq!(
        b.release[0].holders,
        vec![crate::explain::Holder::MutexOwner {
            thread_id: w.tid,
            process_id: w.pid,
            recursion: 1,
        }]
    );
    assert!(!b.stuck);
}
