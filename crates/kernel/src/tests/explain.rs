//! Explanations (`explain.rs`): provenance of every kind of row, why an object is alive, why
//! a thread is blocked and who could release it, and the leak report.

use super::*;
use crate::explain::*;
use crate::handle::{Origin, Provenance};

fn pipe(w: &mut World, inherit: bool) -> (HandleValue, HandleValue) {
    let r = w.run(
        w.tid,
        Call::CreatePipe {
            pipe_attributes: Some(SecurityAttributes {
                inherit_handle: inherit,
            }),
            size: 0,
        },
    );
    (r.outputs().read_handle.unwrap(), r.outputs().write_handle.unwrap())
}

fn row(pid: Pid, handle: HandleValue, holders: &[Holder]) -> Provenance {
    holders
        .iter()
        .find_map(|h| match h {
            Holder::Row {
                process_id,
                handle: v,
                provenance,
                ..
            } if *process_id == pid && *v == handle => Some(*provenance),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no row {handle} of {pid} in {holders:?}"))
}

#[test]
fn the_forgotten_write_end_is_named_with_its_provenance_as_what_could_release_the_read() {
    // The lesson of s2_forgotten_write_handle: the parent's own write end keeps the read
    // waiting; it is the only holder, the parent's only thread is the reader: stuck.
    let mut w = World::new();
    let (r, wr) = pipe(&mut w, true); // call 1
    let (child, child_tid, hp, ht) = w.child(w.tid, "child.exe", true); // call 2
    w.gone(child_tid, Call::ExitProcess { exit_code: 0 });
    w.park(w.tid, read(r, 10));
    let b = w.k.why_blocked(w.tid).expect("the parent is blocked");
    assert_eq!(b.call.as_deref(), Some("ReadFile"));
    assert_eq!(b.release.len(), 1);
    let release = &b.release[0];
    assert_eq!(release.by, ReleaseBy::Write);
    assert_eq!(release.object.map(|t| t.address), Some(w.address(w.pid, wr)));
    assert_eq!(release.holders.len(), 1, "{:?}", release.holders);
    assert_eq!(
        row(w.pid, wr, &release.holders),
        Provenance {
            origin: Origin::Created {
                call: CallName::CreatePipe
            },
            call_seq: 1
        }
    );
    assert!(b.stuck, "only the blocked parent could write");
    // The child's inherited copy was closed at its exit; the leak report names the parent's
    // unused rows: the write end, and the child's process and thread handles.
    let leaks = w.k.leaks();
    let leaked: Vec<HandleValue> = leaks.rows.iter().map(|l| l.handle).collect();
    assert_eq!(leaked, vec![wr, hp, ht], "{leaks:?}");
    let _ = child;
    // The write end is alive only through the forgotten row; the exited child's process and
    // thread objects too.
    assert!(leaks.objects.iter().any(|t| t.address == w.address(w.pid, wr)));
}

#[test]
fn inherited_and_duplicated_rows_say_where_they_came_from() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(true, None))); // call 1
    let (child, child_tid, hp, _) = w.child(w.tid, "child.exe", true); // call 2
    let dup = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            source_process_handle: HandleValue::CURRENT_PROCESS,
            source_handle: e,
            target_process_handle: hp,
            options: DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
            ..Default::default()
        }),
    ); // call 3
    let target = dup.outputs().target_handle.unwrap();
    let alive = w.k.why_alive(w.address(child, e)).unwrap();
    assert_eq!(alive.usage_count, 2);
    assert_eq!(alive.holders.len(), 2);
    assert_eq!(
        row(child, e, &alive.holders).origin,
        Origin::Inherited { parent: w.pid }
    );
    assert_eq!(
        row(child, target, &alive.holders),
        Provenance {
            origin: Origin::Duplicated {
                source: w.pid,
                source_handle: e,
                closed_source: true
            },
            call_seq: 3
        }
    );
    // A process object: its rows and the running reference.
    let alive = w.k.why_alive(w.address(w.pid, hp)).unwrap();
    assert_eq!(
        alive.holders.last(),
        Some(&Holder::ProcessRunning { process_id: child })
    );
    // Opened by id.
    let opened = handle(&w.run(
        child_tid,
        Call::OpenProcess {
            desired_access: PROCESS_QUERY_INFORMATION,
            inherit_handle: false,
            process_id: w.pid.0,
        },
    ));
    let alive =
        w.k.why_alive(w.k.object_of_handle(child, opened).unwrap().object)
            .unwrap();
    assert_eq!(
        row(child, opened, &alive.holders).origin,
        Origin::Opened {
            call: CallName::OpenProcess
        }
    );
}

#[test]
fn a_same_process_close_source_move_records_the_duplicate() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let moved = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            source_process_handle: HandleValue::CURRENT_PROCESS,
            source_handle: e,
            target_process_handle: HandleValue::CURRENT_PROCESS,
            options: DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
            ..Default::default()
        }),
    );
    assert_eq!(moved.outputs().target_handle, Some(e), "moved in place");
    let alive = w.k.why_alive(w.address(w.pid, e)).unwrap();
    assert_eq!(
        row(w.pid, e, &alive.holders),
        Provenance {
            origin: Origin::Duplicated {
                source: w.pid,
                source_handle: e,
                closed_source: true
            },
            call_seq: 2
        }
    );
}

#[test]
fn waits_name_their_objects_and_sleepers_the_clock() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let (_, child_tid, _, _) = w.child(w.tid, "child.exe", false);
    // A wait on an event: its holders could signal it; the parent can still act.
    w.park(
        w.tid,
        Call::WaitForSingleObject {
            handle: e,
            milliseconds: INFINITE,
        },
    );
    let b = w.k.why_blocked(w.tid).unwrap();
    assert_eq!(b.release[0].by, ReleaseBy::Signal);
    assert_eq!(b.release[0].holders.len(), 1);
    assert!(b.stuck, "the only holder is the waiting parent");
    w.park(child_tid, Call::Sleep { milliseconds: 50 });
    let b = w.k.why_blocked(child_tid).unwrap();
    assert_eq!(
        b.release.iter().map(|r| r.by).collect::<Vec<_>>(),
        vec![ReleaseBy::Clock]
    );
    assert!(!b.stuck, "the clock will release it");
    assert_eq!(b.deadline_ms, Some(50));
    // Every object a why_blocked names exists.
    for r in &w.k.why_blocked(w.tid).unwrap().release {
        if let Some(t) = r.object {
            assert!(w.k.why_alive(t.address).is_some());
        }
    }
}

#[test]
fn a_torn_down_world_has_no_leaks_and_unused_rows_are_reported_until_used() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    assert_eq!(w.k.leaks().rows.len(), 1, "made and never used");
    w.run(w.tid, Call::SetEvent { event: e });
    assert!(w.k.leaks().rows.is_empty(), "used since");
    w.gone(w.tid, Call::ExitProcess { exit_code: 0 });
    assert_eq!(w.k.leaks(), Leaks::default());
}
