//! CreateProcess and inheritance (spec §3), process lifetime, exit codes, OpenProcess,
//! TerminateProcess, threads and snapshots (spec §2.2, §2.3, §9).

use super::*;
use crate::ids::{Pid, Tid};
use crate::object::ObjectKind;

fn create(w: &mut World, args: CreateProcessArgs) -> CallResult {
    w.run(w.tid, Call::CreateProcess(Box::new(args)))
}

#[test]
fn a_new_child_process_and_thread_start_at_usage_count_two() {
    // spec §2.2: running + the parent's hProcess / hThread.
    let mut w = World::new();
    let (cpid, ctid, hp, ht) = w.child(w.tid, "child.exe 30", false);
    assert_eq!(w.usage(w.pid, hp), (2, 1));
    assert_eq!(w.usage(w.pid, ht), (2, 1));
    assert_eq!(w.run(ctid, Call::GetCurrentProcessId).ret, Ret::Dword(cpid.0));
    assert_eq!(
        w.run(ctid, Call::GetCommandLine).outputs().text.as_deref(),
        Some("child.exe 30")
    );
    let view = w.k.process_view(cpid).unwrap();
    assert_eq!((view.parent_process_id, view.image.as_str()), (w.pid, "child.exe"));
}

#[test]
fn exit_keeps_the_object_while_a_handle_remains_and_frees_the_pid_at_zero() {
    // spec §2.2, §2.3: exit code kept, signaled, OpenProcess works; PID freed at destruction.
    let mut w = World::new();
    let (cpid, ctid, hp, ht) = w.child(w.tid, "child.exe", false);
    let r = w.run(w.tid, Call::GetExitCodeProcess { process: hp });
    assert_eq!(r.outputs().exit_code, Some(STILL_ACTIVE));
    w.gone(ctid, Call::ExitProcess { exit_code: 7 });
    assert_eq!(w.usage(w.pid, hp), (1, 1));
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeProcess { process: hp })
            .outputs()
            .exit_code,
        Some(7)
    );
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeThread { thread: ht }).outputs().exit_code,
        Some(7)
    );
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: hp,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(0)
    );
    let again = handle(&w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: PROCESS_QUERY_INFORMATION,
            inherit_handle: false,
            process_id: cpid.0,
        },
    ));
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeProcess { process: again })
            .outputs()
            .exit_code,
        Some(7)
    );
    fails(
        &w.run(
            w.tid,
            Call::TerminateProcess {
                process: hp,
                exit_code: 99,
            },
        ),
        Win32Error::AccessDenied,
    );
    succeeds(&w.run(w.tid, close(again)));
    succeeds(&w.run(w.tid, close(hp)));
    let r = w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: PROCESS_QUERY_INFORMATION,
            inherit_handle: false,
            process_id: cpid.0,
        },
    );
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Handle(HandleValue::NULL), Win32Error::InvalidParameter)
    );
    assert!(w.k.process_view(cpid).is_none());
    assert!(
        w.k.thread_view(ctid).is_some(),
        "the thread object lives while hThread is open"
    );
}

#[test]
fn closing_hprocess_at_once_frees_the_child_object_when_it_exits() {
    // spec §2.2: usage 1 while it runs, destroyed at exit.
    let mut w = World::new();
    let (cpid, ctid, hp, ht) = w.child(w.tid, "child.exe", false);
    succeeds(&w.run(w.tid, close(hp)));
    succeeds(&w.run(w.tid, close(ht)));
    assert_eq!(
        w.k.object_of_handle(cpid, HandleValue::CURRENT_PROCESS)
            .unwrap()
            .usage_count,
        1
    );
    w.gone(ctid, Call::ExitProcess { exit_code: 0 });
    assert!(w.k.process_view(cpid).is_none());
    assert!(w.k.thread_view(ctid).is_none());
}

#[test]
fn inheritance_copies_only_inheritable_rows_at_the_same_values() {
    // spec §3, [Oracle] 3c.
    let mut w = World::new();
    let inh = handle(&w.run(w.tid, event(true, None)));
    let non = handle(&w.run(w.tid, event(false, None)));
    let set_inh = handle(&w.run(w.tid, event(false, None)));
    w.run(
        w.tid,
        Call::SetHandleInformation {
            handle: set_inh,
            mask: 1,
            flags: 1,
        },
    );
    let (cpid, ctid, _, _) = w.child(w.tid, "child.exe", true);
    let rows = w.k.process_view(cpid).unwrap().handles;
    let values: Vec<u32> = rows.iter().map(|r| r.handle.0).collect();
    assert_eq!(values, vec![inh.0, set_inh.0]);
    assert!(rows.iter().all(|r| r.inherit && r.access == EVENT_ALL_ACCESS));
    assert_eq!(w.address(cpid, inh), w.address(w.pid, inh));
    assert_eq!(w.usage(w.pid, inh), (2, 2), "inheriting raises the usage count");
    fails(&w.run(ctid, Call::SetEvent { event: non }), Win32Error::InvalidHandle);
    // The child's own first handle fills the hole the parent did not pass on (lowest free).
    assert_eq!(handle(&w.run(ctid, event(false, None))), non);
}

#[test]
fn false_inherits_nothing_and_later_parent_changes_do_not_reach_the_child() {
    // spec §3 (timing), [Oracle] 3c child B and D.
    let mut w = World::new();
    let inh = handle(&w.run(w.tid, event(true, None)));
    let (bpid, _, _, _) = w.child(w.tid, "b.exe", false);
    assert!(w.k.process_view(bpid).unwrap().handles.is_empty());
    let (dpid, dtid, _, _) = w.child(w.tid, "d.exe", true);
    succeeds(&w.run(w.tid, close(inh)));
    assert_eq!(w.k.object_of_handle(dpid, inh).unwrap().usage_count, 1);
    succeeds(&w.run(dtid, Call::SetEvent { event: inh }));
}

#[test]
fn grandchildren_inherit_again() {
    // spec §3: the flag stays set, so a grandchild can inherit; FALSE stops it.
    let mut w = World::new();
    let inh = handle(&w.run(w.tid, event(true, None)));
    let (_apid, atid, _, _) = w.child(w.tid, "a.exe", true);
    let (gpid, _, _, _) = w.child(atid, "g.exe", true);
    assert_eq!(w.address(gpid, inh), w.address(w.pid, inh));
    let (g2pid, _, _, _) = w.child(atid, "g2.exe", false);
    assert!(w.k.object_of_handle(g2pid, inh).is_none());
    assert_eq!(w.usage(w.pid, inh), (3, 3));
}

#[test]
fn a_handle_list_restricts_inheritance() {
    // spec §3 PROC_THREAD_ATTRIBUTE_HANDLE_LIST; listed handles must be inheritable (87).
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(true, None)));
    let b = handle(&w.run(w.tid, event(true, None)));
    let n = handle(&w.run(w.tid, event(false, None)));
    let r = create(
        &mut w,
        CreateProcessArgs {
            command_line: Some("c.exe".into()),
            inherit_handles: true,
            handle_list: Some(vec![b]),
            ..Default::default()
        },
    );
    let cpid = Pid(r.outputs().process_id.unwrap());
    let values: Vec<HandleValue> =
        w.k.process_view(cpid)
            .unwrap()
            .handles
            .iter()
            .map(|r| r.handle)
            .collect();
    assert_eq!(values, vec![b]);
    let _ = a;
    let before = w.k.process_ids();
    for (list, inherit, err) in [
        (vec![n], true, Win32Error::InvalidParameter),
        (vec![b], false, Win32Error::InvalidParameter),
        (vec![HandleValue::CURRENT_PROCESS], true, Win32Error::InvalidParameter),
        (vec![h(400)], true, Win32Error::InvalidHandle),
    ] {
        let r = create(
            &mut w,
            CreateProcessArgs {
                command_line: Some("c.exe".into()),
                inherit_handles: inherit,
                handle_list: Some(list),
                ..Default::default()
            },
        );
        fails(&r, err);
    }
    assert_eq!(w.k.process_ids(), before, "a failed CreateProcess creates nothing");
}

#[test]
fn exit_sweeps_the_table_and_objects_held_only_there_die() {
    // spec §9 exit sequence, [Oracle] 3i: OpenEvent gives 2 after the child exited.
    let mut w = World::new();
    let (_cpid, ctid, _, _) = w.child(w.tid, "child.exe", false);
    let e = handle(&w.run(ctid, event(false, Some("oracle_i_named"))));
    w.run(
        ctid,
        Call::SetHandleInformation {
            handle: e,
            mask: 2,
            flags: 2,
        },
    );
    let open = Call::OpenEvent {
        desired_access: SYNCHRONIZE,
        inherit_handle: false,
        name: "oracle_i_named".into(),
    };
    let o = handle(&w.run(w.tid, open.clone()));
    succeeds(&w.run(w.tid, close(o)));
    w.gone(ctid, Call::ExitProcess { exit_code: 1 });
    let r = w.run(w.tid, open);
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Handle(HandleValue::NULL), Win32Error::FileNotFound)
    );
}

#[test]
fn children_keep_running_when_the_parent_exits() {
    // spec §9: child processes are not terminated.
    let mut w = World::new();
    let (cpid, _, _, _) = w.child(w.tid, "child.exe", false);
    w.gone(w.tid, Call::ExitProcess { exit_code: 0 });
    assert!(w.k.is_running(cpid));
    assert!(!w.k.is_running(w.pid));
}

#[test]
fn terminate_process_checks_type_and_access() {
    // spec §9: PROCESS_TERMINATE needed (5); wrong type or invalid 6.
    let mut w = World::new();
    let (cpid, _ctid, hp, _) = w.child(w.tid, "child.exe", false);
    let q = handle(&w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: PROCESS_QUERY_LIMITED_INFORMATION,
            inherit_handle: false,
            process_id: cpid.0,
        },
    ));
    fails(
        &w.run(
            w.tid,
            Call::TerminateProcess {
                process: q,
                exit_code: 1,
            },
        ),
        Win32Error::AccessDenied,
    );
    let wait = w.run(
        w.tid,
        Call::WaitForSingleObject {
            handle: q,
            milliseconds: 0,
        },
    );
    assert_eq!(
        (wait.ret, wait.last_error),
        (Ret::Dword(WAIT_FAILED), Win32Error::AccessDenied)
    );
    let e = handle(&w.run(w.tid, event(false, None)));
    for bad in [e, HandleValue::NULL, h(0x1234)] {
        fails(
            &w.run(
                w.tid,
                Call::TerminateProcess {
                    process: bad,
                    exit_code: 1,
                },
            ),
            Win32Error::InvalidHandle,
        );
        fails(
            &w.run(w.tid, Call::GetExitCodeProcess { process: bad }),
            Win32Error::InvalidHandle,
        );
    }
    succeeds(&w.run(
        w.tid,
        Call::TerminateProcess {
            process: hp,
            exit_code: 1234,
        },
    ));
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeProcess { process: hp })
            .outputs()
            .exit_code,
        Some(1234)
    );
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: hp,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(0)
    );
}

#[test]
fn terminating_oneself_does_not_return() {
    let mut w = World::new();
    let (cpid, ctid, hp, _) = w.child(w.tid, "child.exe", false);
    w.gone(
        ctid,
        Call::TerminateProcess {
            process: HandleValue::CURRENT_PROCESS,
            exit_code: 55,
        },
    );
    assert!(!w.k.is_running(cpid));
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeProcess { process: hp })
            .outputs()
            .exit_code,
        Some(55)
    );
    assert_eq!(w.k.call(ctid, &Call::GetLastError), Err(CallError::ThreadExited(ctid)));
}

#[test]
fn open_process_errors() {
    // spec §9: pid 0 → 87, System → 5, unknown or thread id → 87; low bits ignored.
    let mut w = World::new();
    let open = |pid| Call::OpenProcess {
        desired_access: PROCESS_ALL_ACCESS,
        inherit_handle: false,
        process_id: pid,
    };
    for (pid, err) in [
        (0, Win32Error::InvalidParameter),
        (4, Win32Error::AccessDenied),
        (0x7fff_fff0, Win32Error::InvalidParameter),
        (w.tid.0, Win32Error::InvalidParameter),
    ] {
        let r = w.run(w.tid, open(pid));
        assert_eq!(
            (r.ret, r.last_error),
            (Ret::Handle(HandleValue::NULL), err),
            "pid {pid}"
        );
    }
    let me = handle(&w.run(w.tid, open(w.pid.0 + 1)));
    assert_eq!(
        w.run(w.tid, Call::GetProcessId { process: me }).ret,
        Ret::Dword(w.pid.0)
    );
    let inh = handle(&w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: SYNCHRONIZE,
            inherit_handle: true,
            process_id: w.pid.0,
        },
    ));
    assert_eq!(
        w.run(w.tid, Call::GetHandleInformation { handle: inh }).outputs().flags,
        Some(1)
    );
}

#[test]
fn suspended_children_run_only_after_resume_thread() {
    // spec §3: CREATE_SUSPENDED; ResumeThread returns the previous count, 1.
    let mut w = World::new();
    let r = create(
        &mut w,
        CreateProcessArgs {
            command_line: Some("s.exe".into()),
            creation_flags: CREATE_SUSPENDED,
            ..Default::default()
        },
    );
    let (ctid, ht, hp) = (
        r.outputs().thread_id.map(Tid).unwrap(),
        r.outputs().thread_handle.unwrap(),
        r.outputs().process_handle.unwrap(),
    );
    assert_eq!(
        w.k.call(ctid, &Call::GetLastError),
        Err(CallError::ThreadSuspended(ctid))
    );
    assert_eq!(
        w.run(
            w.tid,
            Call::WaitForSingleObject {
                handle: hp,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(WAIT_TIMEOUT)
    );
    assert_eq!(w.run(w.tid, Call::ResumeThread { thread: ht }).ret, Ret::Dword(1));
    assert_eq!(w.run(w.tid, Call::ResumeThread { thread: ht }).ret, Ret::Dword(0));
    assert!(w.k.call(ctid, &Call::GetLastError).is_ok());
}

#[test]
fn the_last_thread_to_exit_ends_the_process_with_its_code() {
    // spec §9: a process takes its last thread's exit code.
    let mut w = World::new();
    let (cpid, ctid, hp, _) = w.child(w.tid, "child.exe", false);
    let r = w.run(
        ctid,
        Call::CreateThread {
            thread_attributes: None,
            creation_flags: 0,
        },
    );
    let t2 = Tid(r.outputs().thread_id.unwrap());
    w.gone(ctid, Call::ExitThread { exit_code: 3 });
    assert!(w.k.is_running(cpid));
    assert_eq!(w.k.main_thread(cpid), Some(t2));
    w.gone(t2, Call::ExitThread { exit_code: 9 });
    assert_eq!(
        w.run(w.tid, Call::GetExitCodeProcess { process: hp })
            .outputs()
            .exit_code,
        Some(9)
    );
}

#[test]
fn missing_executables_and_directories() {
    // spec §3 errors: missing executable 2, missing directory 3; bad current directory 267.
    let mut w = World::new();
    w.k.add_file("C:\\apps\\real.exe", b"MZ").unwrap();
    let go = |w: &mut World, cmd: &str, cwd: Option<&str>| {
        create(
            w,
            CreateProcessArgs {
                command_line: Some(cmd.into()),
                current_directory: cwd.map(str::to_string),
                ..Default::default()
            },
        )
    };
    fails(&go(&mut w, "C:\\Windows\\no_such.exe", None), Win32Error::FileNotFound);
    fails(&go(&mut w, "Z:\\no\\such.exe", None), Win32Error::PathNotFound);
    succeeds(&go(&mut w, "C:\\apps\\real", None));
    fails(&go(&mut w, "x.exe", Some("C:\\nowhere")), Win32Error::Directory);
    fails(&go(&mut w, "", None), Win32Error::InvalidParameter);
    let r = go(&mut w, "\"C:\\apps\\real.exe\" arg", Some("C:\\apps"));
    let pid = Pid(r.outputs().process_id.unwrap());
    assert_eq!(w.k.process_view(pid).unwrap().current_directory, "C:\\apps");
}

#[test]
fn create_process_sets_last_error_zero() {
    // [Oracle] 3i: CreateProcess sets last error 0.
    let mut w = World::new();
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::IoPending,
        },
    );
    let r = create(
        &mut w,
        CreateProcessArgs {
            command_line: Some("c.exe".into()),
            ..Default::default()
        },
    );
    assert_eq!(r.last_error, Win32Error::Success);
}

#[test]
fn snapshots_list_running_processes_only() {
    // spec §9 snapshots, §2.3: exited processes still referenced are not listed.
    let mut w = World::new();
    let (apid, _, _, _) = w.child(w.tid, "a.exe", false);
    let (bpid, btid, _hb, _) = w.child(w.tid, "b.exe", false);
    w.run(
        btid,
        Call::CreateThread {
            thread_attributes: None,
            creation_flags: 0,
        },
    );
    let snap = handle(&w.run(
        w.tid,
        Call::CreateToolhelp32Snapshot {
            flags: TH32CS_SNAPPROCESS,
            process_id: 0,
        },
    ));
    w.gone(btid, Call::ExitThread { exit_code: 0 });
    let mut seen = Vec::new();
    let first = w.run(
        w.tid,
        Call::Process32First {
            snapshot: snap,
            size: PROCESSENTRY32_SIZE,
        },
    );
    seen.push(first.outputs().entry.clone().unwrap());
    loop {
        let r = w.run(
            w.tid,
            Call::Process32Next {
                snapshot: snap,
                size: PROCESSENTRY32_SIZE,
            },
        );
        match r.outputs().entry.clone() {
            Some(e) => seen.push(e),
            None => {
                fails(&r, Win32Error::NoMoreFiles);
                break;
            }
        }
    }
    let ids: Vec<u32> = seen.iter().map(|e| e.process_id).collect();
    assert_eq!(ids, vec![w.pid.0, apid.0, bpid.0]);
    assert_eq!(seen[2].threads, 2, "the snapshot is frozen when taken");
    assert_eq!(seen[1].parent_process_id, w.pid.0);
    assert_eq!(seen[1].exe_file, "a.exe");
    // b.exe's first thread exited, the second keeps it running; terminate it now.
    let hb = handle(&w.run(
        w.tid,
        Call::OpenProcess {
            desired_access: PROCESS_TERMINATE,
            inherit_handle: false,
            process_id: bpid.0,
        },
    ));
    succeeds(&w.run(
        w.tid,
        Call::TerminateProcess {
            process: hb,
            exit_code: 0,
        },
    ));
    let snap2 = handle(&w.run(
        w.tid,
        Call::CreateToolhelp32Snapshot {
            flags: TH32CS_SNAPPROCESS,
            process_id: 0,
        },
    ));
    let r = w.run(
        w.tid,
        Call::Process32First {
            snapshot: snap2,
            size: PROCESSENTRY32_SIZE,
        },
    );
    assert_eq!(r.outputs().entry.clone().unwrap().process_id, w.pid.0);
    let r = w.run(
        w.tid,
        Call::Process32Next {
            snapshot: snap2,
            size: PROCESSENTRY32_SIZE,
        },
    );
    assert_eq!(
        r.outputs().entry.clone().unwrap().process_id,
        apid.0,
        "the exited b.exe is left out"
    );
    fails(
        &w.run(
            w.tid,
            Call::Process32First {
                snapshot: snap2,
                size: 100,
            },
        ),
        Win32Error::BadLength,
    );
    let r = w.run(
        w.tid,
        Call::CreateToolhelp32Snapshot {
            flags: 0,
            process_id: 0,
        },
    );
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Handle(HandleValue::INVALID), Win32Error::CallNotImplemented)
    );
    assert_eq!(w.k.object_of_handle(w.pid, snap2).unwrap().kind, ObjectKind::Snapshot);
}

#[test]
fn the_pseudo_value_passed_to_a_child_means_the_child() {
    // spec §1.4, [Oracle] 3d variant: -1 in the child is the child itself.
    let mut w = World::new();
    let (cpid, ctid, _, _) = w.child(w.tid, "child.exe -1", true);
    assert_eq!(
        w.run(
            ctid,
            Call::GetProcessId {
                process: HandleValue::CURRENT_PROCESS
            }
        )
        .ret,
        Ret::Dword(cpid.0)
    );
    assert_eq!(
        w.run(
            ctid,
            Call::WaitForSingleObject {
                handle: HandleValue::CURRENT_PROCESS,
                milliseconds: 0
            }
        )
        .ret,
        Ret::Dword(WAIT_TIMEOUT)
    );
}

#[test]
fn get_thread_id_and_get_process_id_of_thread() {
    // MS docs: the handle needs THREAD_QUERY_(LIMITED_)INFORMATION; 0 and the error on failure.
    let mut w = World::new();
    let (cpid, ctid, _, ht) = w.child(w.tid, "child.exe", false);
    let me = HandleValue::CURRENT_THREAD;
    assert_eq!(w.run(w.tid, Call::GetThreadId { thread: me }).ret, Ret::Dword(w.tid.0));
    assert_eq!(
        w.run(w.tid, Call::GetProcessIdOfThread { thread: me }).ret,
        Ret::Dword(w.pid.0)
    );
    assert_eq!(w.run(w.tid, Call::GetThreadId { thread: ht }).ret, Ret::Dword(ctid.0));
    assert_eq!(
        w.run(w.tid, Call::GetProcessIdOfThread { thread: ht }).ret,
        Ret::Dword(cpid.0)
    );
    let e = handle(&w.run(w.tid, event(false, None)));
    let r = w.run(w.tid, Call::GetThreadId { thread: e });
    assert_eq!((r.ret, r.last_error), (Ret::Dword(0), Win32Error::InvalidHandle));
    let r = w.run(w.tid, Call::GetProcessIdOfThread { thread: h(400) });
    assert_eq!((r.ret, r.last_error), (Ret::Dword(0), Win32Error::InvalidHandle));
    let sync_only = w.run(
        w.tid,
        Call::DuplicateHandle(DuplicateHandleArgs {
            source_process_handle: HandleValue::CURRENT_PROCESS,
            source_handle: ht,
            target_process_handle: HandleValue::CURRENT_PROCESS,
            null_target_handle: false,
            desired_access: SYNCHRONIZE,
            inherit_handle: false,
            options: 0,
        }),
    );
    let d = sync_only.outputs().target_handle.unwrap();
    let r = w.run(w.tid, Call::GetThreadId { thread: d });
    assert_eq!((r.ret, r.last_error), (Ret::Dword(0), Win32Error::AccessDenied));
}

#[test]
fn a_spent_id_space_fails_creation_instead_of_reusing_ids() {
    // Ids are never reused; when none is left, creation fails with ERROR_NO_SYSTEM_RESOURCES
    // (NT: the client-id table is full) and changes nothing.
    let mut w = World::new();
    w.k.next_client_id = u32::MAX - 7; // room for one id, not two
    let before = w.k.snapshot();
    let r = w.run(
        w.tid,
        Call::CreateProcess(Box::new(CreateProcessArgs {
            command_line: Some("child.exe".into()),
            ..Default::default()
        })),
    );
    assert_eq!((r.ret, r.last_error), (Ret::Bool(false), Win32Error::NoSystemResources));
    let after = w.k.snapshot();
    assert_eq!(
        (&after.processes, &after.objects, &after.names),
        (&before.processes, &before.objects, &before.names),
        "a failed CreateProcess changes nothing but the last error"
    );
    assert_eq!(w.k.try_spawn("a.exe", "", vec![]), Err(Win32Error::NoSystemResources));
    let r = w.run(
        w.tid,
        Call::CreateThread {
            thread_attributes: None,
            creation_flags: 0,
        },
    );
    assert_ne!(r.ret, Ret::Handle(HandleValue::NULL), "one id was left: {r:?}");
    let r = w.run(
        w.tid,
        Call::CreateThread {
            thread_attributes: None,
            creation_flags: 0,
        },
    );
    assert_eq!(
        (r.ret, r.last_error),
        (Ret::Handle(HandleValue::NULL), Win32Error::NoSystemResources)
    );
    w.k.check_invariants().unwrap();
}

#[test]
fn the_clock_saturates_and_a_timeout_past_its_end_never_fires() {
    let mut w = World::new();
    w.k.advance_time(u64::MAX - 5);
    let seq = w.park(w.tid, Call::Sleep { milliseconds: 10 });
    w.k.advance_time(u64::MAX);
    assert_eq!(w.k.now_ms(), u64::MAX);
    w.no_completion();
    let _ = seq;
    w.k.check_invariants().unwrap();
}

fn init_list(address: u32, count: u32, size: u32) -> Call {
    Call::InitializeProcThreadAttributeList {
        attribute_list: address,
        attribute_count: count,
        flags: 0,
        size,
    }
}

fn update_list(address: u32, handles: Vec<HandleValue>, size: Option<u32>) -> Call {
    Call::UpdateProcThreadAttribute {
        attribute_list: address,
        flags: 0,
        attribute: PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
        handles,
        size,
    }
}

#[test]
fn an_attribute_list_is_sized_then_initialized_then_filled_once() {
    // MS "InitializeProcThreadAttributeList": NULL asks for the size (FALSE, 122).
    let mut w = World::new();
    let r = w.run(w.tid, init_list(0, 1, 0));
    fails(&r, Win32Error::InsufficientBuffer);
    assert_eq!(r.outputs().size, Some(48));
    let r = w.run(w.tid, init_list(0x5000, 2, 48));
    fails(&r, Win32Error::InsufficientBuffer);
    assert_eq!(r.outputs().size, Some(72));
    let r = w.run(
        w.tid,
        Call::InitializeProcThreadAttributeList {
            attribute_list: 0x5000,
            attribute_count: 1,
            flags: 1,
            size: 48,
        },
    );
    fails(&r, Win32Error::InvalidParameter);
    succeeds(&w.run(w.tid, init_list(0x5000, 1, 48)));
    let e = handle(&w.run(w.tid, event(true, None)));
    // cbSize must be a nonzero multiple of a handle's size.
    fails(
        &w.run(w.tid, update_list(0x5000, vec![e], Some(4))),
        Win32Error::BadLength,
    );
    fails(&w.run(w.tid, update_list(0x5000, vec![], None)), Win32Error::BadLength);
    let other = Call::UpdateProcThreadAttribute {
        attribute_list: 0x5000,
        flags: 0,
        attribute: 0x0002_0007,
        handles: vec![],
        size: Some(8),
    };
    fails(&w.run(w.tid, other), Win32Error::NotSupported);
    succeeds(&w.run(w.tid, update_list(0x5000, vec![e], None)));
    // A list for one attribute is full now.
    fails(
        &w.run(w.tid, update_list(0x5000, vec![e], None)),
        Win32Error::GenFailure,
    );
    // Never initialized at this address.
    fails(
        &w.run(w.tid, update_list(0x6000, vec![e], None)),
        Win32Error::InvalidParameter,
    );
}

#[test]
fn cb_size_says_how_many_of_the_handles_the_list_holds() {
    // MS "UpdateProcThreadAttribute": cbSize is the size of the attribute value, here
    // sizeof(HANDLE) times the handles listed; a size for one handle lists the first of two.
    // A size past the handles given is 87 [choice, the function's doc comment: Windows
    // would read whatever memory follows the array].
    let mut w = World::new();
    let a = handle(&w.run(w.tid, event(true, None)));
    let b = handle(&w.run(w.tid, event(true, None)));
    succeeds(&w.run(w.tid, init_list(0x5000, 1, 48)));
    fails(
        &w.run(w.tid, update_list(0x5000, vec![a, b], Some(24))),
        Win32Error::InvalidParameter,
    );
    succeeds(&w.run(w.tid, update_list(0x5000, vec![a, b], Some(8))));
    let r = w.run(
        w.tid,
        Call::CreateProcess(Box::new(CreateProcessArgs {
            command_line: Some("child.exe".into()),
            inherit_handles: true,
            creation_flags: EXTENDED_STARTUPINFO_PRESENT,
            attribute_list: Some(0x5000),
            ..Default::default()
        })),
    );
    let child = Pid(r.outputs().process_id.unwrap());
    let rows = w.k.process_view(child).unwrap().handles;
    assert_eq!(rows.iter().map(|r| r.handle).collect::<Vec<_>>(), vec![a]);
}

#[test]
fn create_process_reads_the_attribute_list_only_with_extended_startupinfo() {
    let mut w = World::new();
    w.run(w.tid, event(true, None));
    let b = handle(&w.run(w.tid, event(true, None)));
    succeeds(&w.run(w.tid, init_list(0x5000, 1, 48)));
    succeeds(&w.run(w.tid, update_list(0x5000, vec![b], None)));
    let create = |flags: u32, list: Option<u32>| {
        Call::CreateProcess(Box::new(CreateProcessArgs {
            command_line: Some("child.exe".into()),
            inherit_handles: true,
            creation_flags: flags,
            attribute_list: list,
            ..Default::default()
        }))
    };
    // Without the flag the list is not read: both inheritable rows go to the child.
    let r = w.run(w.tid, create(0, Some(0x5000)));
    let child = Pid(r.outputs().process_id.unwrap());
    assert_eq!(w.k.process_view(child).unwrap().handles.len(), 2);
    // With it, only the listed row.
    let r = w.run(w.tid, create(EXTENDED_STARTUPINFO_PRESENT, Some(0x5000)));
    let child = Pid(r.outputs().process_id.unwrap());
    let rows = w.k.process_view(child).unwrap().handles;
    assert_eq!(rows.iter().map(|r| r.handle).collect::<Vec<_>>(), vec![b]);
    // An address with no list, or the shorthand as well: 87.
    fails(
        &w.run(w.tid, create(EXTENDED_STARTUPINFO_PRESENT, Some(0x7000))),
        Win32Error::InvalidParameter,
    );
    let both = Call::CreateProcess(Box::new(CreateProcessArgs {
        command_line: Some("child.exe".into()),
        inherit_handles: true,
        creation_flags: EXTENDED_STARTUPINFO_PRESENT,
        attribute_list: Some(0x5000),
        handle_list: Some(vec![b]),
        ..Default::default()
    }));
    fails(&w.run(w.tid, both), Win32Error::InvalidParameter);
    // After DeleteProcThreadAttributeList the address names nothing.
    w.run(w.tid, Call::DeleteProcThreadAttributeList { attribute_list: 0x5000 });
    fails(
        &w.run(w.tid, create(EXTENDED_STARTUPINFO_PRESENT, Some(0x5000))),
        Win32Error::InvalidParameter,
    );
    // NULL with the flag: no attributes, every inheritable row.
    let r = w.run(w.tid, create(EXTENDED_STARTUPINFO_PRESENT, Some(0)));
    assert_eq!(
        w.k.process_view(Pid(r.outputs().process_id.unwrap()))
            .unwrap()
            .handles
            .len(),
        2
    );
}

#[test]
fn suspend_counts_stop_at_127_and_an_ended_thread_cannot_be_suspended() {
    // NT: KeSuspendThread raises STATUS_SUSPEND_COUNT_EXCEEDED at MAXIMUM_SUSPEND_COUNT (127,
    // ERROR_SIGNAL_REFUSED), PsSuspendThread refuses a terminated thread with
    // STATUS_THREAD_IS_TERMINATING (ERROR_ACCESS_DENIED); both return (DWORD)-1 and change
    // nothing. MS "SuspendThread".
    let mut w = World::new();
    let (_, ctid, _, ht) = w.child(w.tid, "child.exe", false);
    for n in 0..MAXIMUM_SUSPEND_COUNT {
        assert_eq!(w.run(w.tid, Call::SuspendThread { thread: ht }).ret, Ret::Dword(n));
    }
    let r = w.run(w.tid, Call::SuspendThread { thread: ht });
    assert_eq!((r.ret, r.last_error), (Ret::Dword(u32::MAX), Win32Error::SignalRefused));
    assert_eq!(w.run(w.tid, Call::ResumeThread { thread: ht }).ret, Ret::Dword(127));
    for _ in 1..MAXIMUM_SUSPEND_COUNT {
        w.run(w.tid, Call::ResumeThread { thread: ht });
    }
    w.gone(ctid, Call::ExitThread { exit_code: 0 });
    let r = w.run(w.tid, Call::SuspendThread { thread: ht });
    assert_eq!((r.ret, r.last_error), (Ret::Dword(u32::MAX), Win32Error::AccessDenied));
    assert_eq!(w.run(w.tid, Call::ResumeThread { thread: ht }).ret, Ret::Dword(0));
}

#[test]
fn each_call_is_made_by_the_thread_it_names_and_a_destroyed_thread_is_unknown() {
    // The entry point remembers the last caller's object; the answer must not depend on it.
    let mut w = World::new();
    let (_, ctid, hp, ht) = w.child(w.tid, "child.exe", false);
    // Alternate callers: each call's last error is its own thread's.
    w.run(
        w.tid,
        Call::SetLastError {
            error: Win32Error::of(11),
        },
    );
    w.run(
        ctid,
        Call::SetLastError {
            error: Win32Error::of(22),
        },
    );
    assert_eq!(w.run(w.tid, Call::GetLastError).ret, Ret::Dword(11));
    assert_eq!(w.run(ctid, Call::GetLastError).ret, Ret::Dword(22));
    // The child ends and its handles are closed: its thread object is destroyed, and a new
    // thread may take its arena slot. A call in the old thread's name finds no thread.
    w.gone(ctid, Call::ExitProcess { exit_code: 0 });
    assert_eq!(w.k.call(ctid, &Call::GetLastError), Err(CallError::ThreadExited(ctid)));
    w.run(w.tid, close(hp));
    w.run(w.tid, close(ht));
    assert_eq!(w.k.call(ctid, &Call::GetLastError), Err(CallError::NoSuchThread(ctid)));
    let (_, newer, _, _) = w.child(w.tid, "again.exe", false);
    assert_ne!(newer, ctid, "thread ids are never reused");
    assert_eq!(w.k.call(ctid, &Call::GetLastError), Err(CallError::NoSuchThread(ctid)));
    assert_eq!(w.run(newer, Call::GetLastError).ret, Ret::Dword(0));
    assert_eq!(
        w.k.call(Tid(4_000_000), &Call::GetLastError),
        Err(CallError::NoSuchThread(Tid(4_000_000)))
    );
}
