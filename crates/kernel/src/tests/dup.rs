//! DuplicateHandle, every parameter and option (spec §4).

use super::*;

fn run_dup(w: &mut World, args: DuplicateHandleArgs) -> CallResult {
    let tid = w.tid;
    w.run(tid, Call::DuplicateHandle(args))
}

#[test]
fn pseudo_process_handle_becomes_a_real_inheritable_handle() {
    // spec §4 step 3, [Oracle] 3d: the textbook's DuplicateProcessParent.
    let mut w = World::new();
    let before = w.k.process_view(w.pid).unwrap().object;
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            inherit_handle: true,
            ..dup(HandleValue::CURRENT_PROCESS, DUPLICATE_SAME_ACCESS)
        },
    );
    succeeds(&r);
    let real = r.outputs().target_handle.unwrap();
    assert_eq!(real, h(4));
    assert_eq!(w.address(w.pid, real), before);
    assert_eq!(w.usage(w.pid, real), (2, 1), "running + one handle");
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: real })
            .outputs()
            .flags,
        Some(1)
    );
    assert_eq!(
        w.run(w.tid, Call::GetProcessId { process: real }).ret,
        Ret::Dword(w.pid.0)
    );
    // A wait on one's own process can never succeed while it runs.
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: real,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(WAIT_TIMEOUT)
    );
}

#[test]
fn pseudo_thread_handle_becomes_a_real_thread_handle() {
    let mut w = World::new();
    let r = run_dup(&mut w, dup(HandleValue::CURRENT_THREAD, DUPLICATE_SAME_ACCESS));
    let t = r.outputs().target_handle.unwrap();
    let view = w.k.object_of_handle(w.pid, t).unwrap();
    assert_eq!(view.kind, crate::object::ObjectKind::Thread);
    assert_eq!(
        view.detail,
        crate::snapshot::Detail::Thread {
            thread_id: w.tid,
            process_id: w.pid,
            exited: false
        }
    );
}

#[test]
fn access_is_the_sources_or_the_requested_one_and_may_widen() {
    // spec §4 step 4, [Oracle] 3b.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let narrow = run_dup(
        &mut w,
        DuplicateHandleArgs {
            desired_access: EVENT_MODIFY_STATE,
            ..dup(e, 0)
        },
    )
    .outputs()
    .target_handle
    .unwrap();
    let wait = w.run(
        w.tid,
        Call::WaitForSingleObject {
            handle: narrow,
            milliseconds: 0,
        },
    );
    assert_eq!(
        (wait.ret, wait.last_error),
        (Ret::Dword(WAIT_FAILED), Win32Error::AccessDenied)
    );
    let same = run_dup(&mut w, dup(narrow, DUPLICATE_SAME_ACCESS))
        .outputs()
        .target_handle
        .unwrap();
    let wait = w.run(
        w.tid,
        Call::WaitForSingleObject {
            handle: same,
            milliseconds: 0,
        },
    );
    assert_eq!(
        wait.last_error,
        Win32Error::AccessDenied,
        "SAME_ACCESS keeps the restriction"
    );
    let wide = run_dup(
        &mut w,
        DuplicateHandleArgs {
            desired_access: EVENT_ALL_ACCESS,
            ..dup(narrow, 0)
        },
    )
    .outputs()
    .target_handle
    .unwrap();
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: wide,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(WAIT_TIMEOUT)
    );
    assert_eq!(w.usage(w.pid, e), (4, 4));
}

#[test]
fn same_process_close_source_keeps_the_value_even_with_a_lower_slot_free() {
    // spec §4 special cases: WT-process checks the output equals the input on Windows.
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(false, None)));
    let b = handle(&w.run(w.tid, event(false, None)));
    succeeds(&w.run(w.tid, close(a)));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            inherit_handle: true,
            ..dup(b, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE)
        },
    );
    assert_eq!(r.outputs().target_handle, Some(b));
    assert_eq!(w.usage(w.pid, b), (1, 1), "a move: counts unchanged");
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: b }).outputs().flags,
        Some(1)
    );
}

#[test]
fn close_source_closes_even_when_the_target_process_is_invalid() {
    // spec §4 step 7, [Oracle] 3b: "closed regardless of any error status"; *out = 0.
    let mut w = World::new();
    for target in [h(0x1234), HandleValue::NULL] {
        let e = handle(&w.run(w.tid, event(false, None)));
        let target = if target == HandleValue::NULL {
            handle(&w.run(w.tid, event(false, None)))
        } else {
            target
        };
        let r = run_dup(
            &mut w,
            DuplicateHandleArgs {
                target_process_handle: target,
                ..dup(e, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE)
            },
        );
        fails(&r, Win32Error::InvalidHandle);
        assert_eq!(r.outputs().target_handle, Some(HandleValue::NULL));
        fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
    }
}

#[test]
fn a_bad_source_process_closes_nothing() {
    // spec §4 step 1.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            source_process_handle: h(0x1234),
            ..dup(e, DUPLICATE_CLOSE_SOURCE)
        },
    );
    fails(&r, Win32Error::InvalidHandle);
    assert_eq!(w.usage(w.pid, e), (1, 1));
}

#[test]
fn an_invalid_source_handle_gives_6_and_a_zero_output() {
    let mut w = World::new();
    for v in [h(0x1234), HandleValue::NULL, h(40)] {
        let r = run_dup(&mut w, dup(v, DUPLICATE_SAME_ACCESS));
        fails(&r, Win32Error::InvalidHandle);
        assert_eq!(r.outputs().target_handle, Some(HandleValue::NULL));
    }
}

#[test]
fn a_null_target_process_only_closes() {
    // spec §4: documented way to close a handle (Windows; Wine fails). Without CLOSE_SOURCE: 87.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            target_process_handle: HandleValue::NULL,
            null_target_handle: true,
            ..dup(e, 0)
        },
    );
    fails(&r, Win32Error::InvalidParameter);
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            target_process_handle: HandleValue::NULL,
            null_target_handle: true,
            ..dup(e, DUPLICATE_CLOSE_SOURCE)
        },
    );
    succeeds(&r);
    fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
}

#[test]
fn a_null_target_pointer_leaks_the_duplicate() {
    // spec §4, [Oracle]: the next allocation skips a slot.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            null_target_handle: true,
            ..dup(e, DUPLICATE_SAME_ACCESS)
        },
    );
    succeeds(&r);
    assert_eq!(r.outputs().target_handle, None);
    assert_eq!(w.usage(w.pid, e), (2, 2));
    assert_eq!(handle(&w.run(w.tid, event(false, None))), h(12));
}

#[test]
fn protect_from_close_is_not_copied_and_protects_the_source() {
    // spec §4 steps 5 and 7, [Oracle] 3b.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: e,
            mask: 3,
            flags: 3,
        },
    );
    let r = run_dup(&mut w, dup(e, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    succeeds(&r);
    let copy = r.outputs().target_handle.unwrap();
    assert_ne!(copy, e);
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: copy })
            .outputs()
            .flags,
        Some(0)
    );
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: e }).outputs().flags,
        Some(3),
        "source not closed"
    );
}

#[test]
fn same_attributes_copies_both_flags() {
    // spec §4 step 5: DUPLICATE_SAME_ATTRIBUTES (Windows; Wine 8.0 ignores it).
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(true, None)));
    let r = run_dup(&mut w, dup(e, DUPLICATE_SAME_ACCESS | DUPLICATE_SAME_ATTRIBUTES));
    assert_eq!(
        w.run(
            w.tid,
            Call::GetHandleInformation {
                handle: r.outputs().target_handle.unwrap()
            }
        )
        .outputs()
        .flags,
        Some(1)
    );
}

#[test]
fn cross_process_duplicates_are_values_of_the_target_table() {
    // spec §4 cross-process, [Oracle] 3b.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let (cpid, ctid, hchild, _) = w.child(w.tid, "child.exe", false);
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            target_process_handle: hchild,
            ..dup(e, DUPLICATE_SAME_ACCESS)
        },
    );
    let v = r.outputs().target_handle.unwrap();
    assert_eq!(v, h(4), "lowest free slot of the child's empty table");
    assert_eq!(w.address(cpid, v), w.address(w.pid, e));
    assert_eq!(w.usage(w.pid, e), (2, 2));
    succeeds(&w.run(ctid, Call::SetEvent { event: v }));
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: e,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(0)
    );
    // Pull it back out of the child with CLOSE_SOURCE: invalid in the child afterwards.
    let back = run_dup(
        &mut w,
        DuplicateHandleArgs {
            source_process_handle: hchild,
            ..dup(v, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE)
        },
    );
    succeeds(&back);
    fails(&w.run(ctid, Call::SetEvent { event: v }), Win32Error::InvalidHandle);
    assert_eq!(w.usage(w.pid, e), (2, 2));
}

#[test]
fn remote_close_through_a_null_target() {
    // spec §10 row 4: Windows closes a handle in another process this way.
    let mut w = World::new();
    let (_cpid, ctid, hchild, _) = w.child(w.tid, "child.exe", false);
    let v = handle(&w.run(ctid, event(false, None)));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            source_process_handle: hchild,
            target_process_handle: HandleValue::NULL,
            null_target_handle: true,
            ..dup(v, DUPLICATE_CLOSE_SOURCE)
        },
    );
    succeeds(&r);
    fails(&w.run(ctid, close(v)), Win32Error::InvalidHandle);
}

#[test]
fn an_exited_target_gives_5_and_a_missing_dup_right_gives_5() {
    // spec §4 steps 1, 2 and 6.
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let (cpid, ctid, hchild, _) = w.child(w.tid, "child.exe", false);
    let limited = handle(&w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: PROCESS_QUERY_LIMITED_INFORMATION,
            inherit_handle: false,
            process_id: cpid.0,
        },
    ));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            target_process_handle: limited,
            ..dup(e, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE)
        },
    );
    fails(&r, Win32Error::AccessDenied);
    fails(&w.run(w.tid, close(e)), Win32Error::InvalidHandle);
    w.gone(ctid, Call::ExitProcess { exit_code: 0 });
    let e = handle(&w.run(w.tid, event(false, None)));
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            target_process_handle: hchild,
            ..dup(e, DUPLICATE_SAME_ACCESS)
        },
    );
    fails(&r, Win32Error::AccessDenied);
    assert_eq!(r.outputs().target_handle, Some(HandleValue::NULL));
    assert_eq!(w.usage(w.pid, e), (1, 1));
}

#[test]
fn a_pseudo_source_in_a_foreign_process_means_that_process() {
    // spec §4, §10 row 6: resolved in the source process, never in the caller.
    let mut w = World::new();
    let (cpid, _ctid, hchild, _) = w.child(w.tid, "child.exe", false);
    let r = run_dup(
        &mut w,
        DuplicateHandleArgs {
            source_process_handle: hchild,
            ..dup(HandleValue::CURRENT_PROCESS, DUPLICATE_SAME_ACCESS)
        },
    );
    let v = r.outputs().target_handle.unwrap();
    assert_eq!(w.run(w.tid, Call::GetProcessId { process: v }).ret, Ret::Dword(cpid.0));
}

#[test]
fn duplicate_then_close_leaves_counts_as_they_were() {
    let mut w = World::new();
    let e = handle(&w.run(w.tid, event(false, None)));
    let before = w.usage(w.pid, e);
    let d = run_dup(&mut w, dup(e, DUPLICATE_SAME_ACCESS))
        .outputs()
        .target_handle
        .unwrap();
    succeeds(&w.run(w.tid, close(d)));
    assert_eq!(w.usage(w.pid, e), before);
}

#[test]
fn an_exited_source_process_has_no_table_whatever_the_source_value() {
    // nt-pipe-rules §4: ObDuplicateObject finds no handle table: ERROR_ACCESS_DENIED for a
    // pseudo handle and a real one alike, and nothing changes.
    let mut w = World::new();
    let (_cpid, ctid, hp, _) = w.child(w.tid, "child.exe", false);
    let child_event = handle(&w.run(ctid, event(false, None)));
    w.gone(ctid, Call::ExitProcess { exit_code: 0 });
    let rows_before = w.k.process_view(w.pid).unwrap().handles.len();
    for source in [HandleValue::CURRENT_PROCESS, HandleValue::CURRENT_THREAD, child_event] {
        for options in [DUPLICATE_SAME_ACCESS, DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE] {
            let r = w.run(
                w.tid,
                Call::DuplicateHandle(DuplicateHandleArgs {
                    source_process_handle: hp,
                    ..dup(source, options)
                }),
            );
            fails(&r, Win32Error::AccessDenied);
            assert_eq!(r.outputs().target_handle, Some(HandleValue::NULL));
        }
    }
    assert_eq!(w.k.process_view(w.pid).unwrap().handles.len(), rows_before);
}

#[test]
fn generic_rights_map_through_each_object_types_generic_mapping() {
    // The GENERIC_MAPPING of each NT object type, as numbers from the SDK's winnt.h
    // (STANDARD_RIGHTS_READ/WRITE 0x20000, STANDARD_RIGHTS_EXECUTE 0x20000, SYNCHRONIZE
    // 0x100000): ReactOS `ExpEventMapping`, `ExpMutantMapping`, `ExpSemaphoreMapping`,
    // `PspProcessMapping`, `PspThreadMapping`, `IopFileMapping` (FILE_GENERIC_*). Process and
    // thread rights imply their limited forms (spec §9): QUERY_INFORMATION brings
    // QUERY_LIMITED_INFORMATION, SET_INFORMATION brings SET_LIMITED_INFORMATION.
    use crate::kernel::map_access;
    use crate::ObjectKind;
    const R: u32 = 0x8000_0000;
    const W: u32 = 0x4000_0000;
    const X: u32 = 0x2000_0000;
    const A: u32 = 0x1000_0000;
    let table: [(ObjectKind, [u32; 4]); 7] = [
        (ObjectKind::Event, [0x0002_0001, 0x0002_0002, 0x0012_0000, 0x001F_0003]),
        (ObjectKind::Mutex, [0x0002_0001, 0x0002_0000, 0x0012_0000, 0x001F_0001]),
        (
            ObjectKind::Semaphore,
            [0x0002_0001, 0x0002_0002, 0x0012_0000, 0x001F_0003],
        ),
        // read: VM_READ 0x10 | QUERY_INFORMATION 0x400 (+ QUERY_LIMITED 0x1000); write:
        // CREATE_THREAD, VM_OPERATION, VM_WRITE, DUP_HANDLE, CREATE_PROCESS, SET_QUOTA,
        // SET_INFORMATION, SUSPEND_RESUME = 0xBEA (+ SET_LIMITED 0x2000); execute:
        // SYNCHRONIZE | QUERY_LIMITED 0x1000 | TERMINATE 0x1.
        (
            ObjectKind::Process,
            [0x0002_1410, 0x0002_2BEA, 0x0012_1001, 0x001F_FFFF],
        ),
        // read: GET_CONTEXT 0x8 | QUERY_INFORMATION 0x40 (+ QUERY_LIMITED 0x800); write:
        // TERMINATE 0x1 | SUSPEND_RESUME 0x2 | SET_CONTEXT 0x10 | SET_INFORMATION 0x20
        // (+ SET_LIMITED 0x400); execute: SYNCHRONIZE | QUERY_LIMITED 0x800.
        (ObjectKind::Thread, [0x0002_0848, 0x0002_0433, 0x0012_0800, 0x001F_FFFF]),
        (ObjectKind::File, [0x0012_0089, 0x0012_0116, 0x0012_00A0, 0x001F_01FF]),
        // A toolhelp snapshot is a section underneath: SECTION_MAP_READ 0x4, SECTION_MAP_WRITE
        // 0x2, SECTION_MAP_EXECUTE 0x8, SECTION_ALL_ACCESS 0xF001F.
        (
            ObjectKind::Snapshot,
            [0x0002_0004, 0x0002_0002, 0x0002_0008, 0x000F_001F],
        ),
    ];
    for (kind, [read, write, execute, all]) in table {
        assert_eq!(map_access(kind, R), read, "{kind:?} GENERIC_READ");
        assert_eq!(map_access(kind, W), write, "{kind:?} GENERIC_WRITE");
        assert_eq!(map_access(kind, X), execute, "{kind:?} GENERIC_EXECUTE");
        assert_eq!(map_access(kind, A), all, "{kind:?} GENERIC_ALL");
        // Specific rights pass through beside the mapped ones (within the type's rights).
        assert_eq!(map_access(kind, R | 0x0002_0000), read | 0x0002_0000, "{kind:?}");
    }
    for kind in [ObjectKind::Pipe, ObjectKind::Mailslot, ObjectKind::MailslotClient] {
        assert_eq!(map_access(kind, R | W), 0x0012_019F, "{kind:?}: a file object");
    }
}

#[test]
fn generic_mappings_are_the_unions_of_their_rights() {
    // The mapping tables are written as numbers; here each is the union it stands for.
    use crate::kernel::{
        GenericMapping, EVENT_MAPPING, MUTEX_MAPPING, PROCESS_MAPPING, SEMAPHORE_MAPPING, SNAPSHOT_MAPPING,
        THREAD_MAPPING,
    };
    let process = GenericMapping {
        read: READ_CONTROL | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION,
        write: READ_CONTROL
            | PROCESS_CREATE_THREAD
            | PROCESS_VM_OPERATION
            | PROCESS_VM_WRITE
            | PROCESS_DUP_HANDLE
            | PROCESS_CREATE_PROCESS
            | PROCESS_SET_QUOTA
            | PROCESS_SET_INFORMATION
            | PROCESS_SUSPEND_RESUME,
        execute: READ_CONTROL | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE,
        all: PROCESS_ALL_ACCESS,
    };
    let thread = GenericMapping {
        read: READ_CONTROL | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION,
        write: READ_CONTROL | THREAD_TERMINATE | THREAD_SUSPEND_RESUME | THREAD_SET_INFORMATION | THREAD_SET_CONTEXT,
        execute: READ_CONTROL | SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION,
        all: THREAD_ALL_ACCESS,
    };
    let event = GenericMapping {
        read: READ_CONTROL | 0x1, // EVENT_QUERY_STATE
        write: READ_CONTROL | EVENT_MODIFY_STATE,
        execute: READ_CONTROL | SYNCHRONIZE,
        all: EVENT_ALL_ACCESS,
    };
    let mutex = GenericMapping {
        read: READ_CONTROL | MUTANT_QUERY_STATE,
        write: READ_CONTROL,
        execute: READ_CONTROL | SYNCHRONIZE,
        all: MUTEX_ALL_ACCESS,
    };
    let semaphore = GenericMapping {
        read: READ_CONTROL | SEMAPHORE_QUERY_STATE,
        write: READ_CONTROL | SEMAPHORE_MODIFY_STATE,
        execute: READ_CONTROL | SYNCHRONIZE,
        all: SEMAPHORE_ALL_ACCESS,
    };
    let snapshot = GenericMapping {
        read: READ_CONTROL | 0x4,
        write: READ_CONTROL | 0x2,
        execute: READ_CONTROL | 0x8,
        all: 0x000F_001F,
    };
    assert_eq!(PROCESS_MAPPING, process);
    assert_eq!(THREAD_MAPPING, thread);
    assert_eq!(EVENT_MAPPING, event);
    assert_eq!(MUTEX_MAPPING, mutex);
    assert_eq!(SEMAPHORE_MAPPING, semaphore);
    assert_eq!(SNAPSHOT_MAPPING, snapshot);
}

#[test]
fn rights_masks_are_the_unions_of_their_rights() {
    use crate::kernel::{
        CREATE_FILE_ADDED_RIGHTS, EVERY_RIGHT, FILE_READ_RIGHTS, FILE_WRITE_RIGHTS, GENERIC_RIGHTS,
        PROCESS_QUERY_RIGHTS, THREAD_QUERY_RIGHTS,
    };
    assert_eq!(CREATE_FILE_ADDED_RIGHTS, SYNCHRONIZE | FILE_READ_ATTRIBUTES);
    assert_eq!(
        PROCESS_QUERY_RIGHTS,
        PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION
    );
    assert_eq!(
        THREAD_QUERY_RIGHTS,
        THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION
    );
    assert_eq!(FILE_READ_RIGHTS, FILE_READ_DATA | FILE_EXECUTE);
    assert_eq!(FILE_WRITE_RIGHTS, FILE_WRITE_DATA | FILE_APPEND_DATA);
    assert_eq!(
        GENERIC_RIGHTS,
        GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED
    );
    assert_eq!(EVERY_RIGHT, GENERIC_ALL | MAXIMUM_ALLOWED);
}
