//! `check_invariants` must catch a deliberately corrupted state (issue 2), and only then.

use kernsim_kernel::{HandleValue, Kernel, Pid, Tid};

fn world() -> (Kernel, Pid, Tid, HandleValue) {
    let mut k = Kernel::new();
    let (pid, tid) = k.spawn("p.exe", "", vec![]);
    let h = k.by(tid).create_event(true, false, Some("ev")).expect("an event");
    k.check_invariants().expect("a healthy kernel");
    (k, pid, tid, h)
}

#[test]
fn a_usage_count_off_by_one_is_caught() {
    let (mut k, pid, _, h) = world();
    let address = k.object_of_handle(pid, h).unwrap().object;
    assert!(k.tamper_usage_count(address, 1));
    let v = k.check_invariants().unwrap_err();
    assert!(v.iter().any(|v| v.rule == "usage-count"), "{v:?}");
}

#[test]
fn a_row_dropped_without_its_count_is_caught() {
    let (mut k, pid, _, h) = world();
    assert!(k.tamper_drop_row(pid, h));
    let v = k.check_invariants().unwrap_err();
    assert!(v.iter().any(|v| v.rule == "handle-count"), "{v:?}");
}

#[test]
fn a_pid_freed_while_its_process_lives_is_caught() {
    let (mut k, pid, _, _) = world();
    assert!(k.tamper_forget_pid(pid));
    let v = k.check_invariants().unwrap_err();
    assert!(v.iter().any(|v| v.rule == "pid-table"), "{v:?}");
}

#[test]
fn the_process_running_reference_is_counted() {
    let (mut k, pid, _, _) = world();
    let address = k.process_view(pid).unwrap().object;
    assert!(k.tamper_usage_count(address, -1));
    let v = k.check_invariants().unwrap_err();
    assert!(
        v.iter()
            .any(|v| v.rule == "usage-count" && v.detail.contains("Process")),
        "{v:?}"
    );
}

/// `missed-wake` for a parked pipe read: bytes that arrive unseen would let it complete. (A
/// parked read has no place in the rich world below: other corruptions of its pipe would wake
/// it too.)
#[test]
fn a_parked_read_that_could_complete_is_a_missed_wake() {
    use kernsim_kernel::tamper::Corruption::DataUnseen;
    use kernsim_kernel::{Call, SecurityAttributes};
    let mut k = Kernel::new();
    let (pid, tid) = k.spawn("reader.exe", "", vec![]);
    let mut by = k.by(tid);
    let r = by
        .succeed(&Call::CreatePipe {
            pipe_attributes: Some(SecurityAttributes { inherit_handle: false }),
            size: 0,
        })
        .unwrap();
    let read_end = r.outputs().read_handle.unwrap();
    let reader = Tid(by
        .succeed(&Call::CreateThread {
            thread_attributes: None,
            creation_flags: 0,
        })
        .unwrap()
        .outputs()
        .thread_id
        .unwrap());
    assert!(k
        .by(reader)
        .call(&Call::ReadFile {
            file: read_end,
            bytes_to_read: 16,
            null_buffer: false,
        })
        .unwrap_err()
        .is_blocked());
    k.check_invariants().expect("healthy while the read waits");
    assert!(k.tamper(DataUnseen(pid, read_end)));
    let found = k.check_invariants().expect_err("missed-wake");
    let rules: std::collections::BTreeSet<&str> = found.iter().map(|v| v.rule.as_str()).collect();
    assert_eq!(rules, ["missed-wake"].into(), "{found:?}");
}

/// A world with something of every kind each rule speaks of: a parent with an event, a
/// semaphore, an owned mutex, a connected named pipe and a cut-off one, a second thread parked
/// on a timeout and a third parked for ever, an exited child it holds, and a running child.
struct Rich {
    k: Kernel,
    parent: Pid,
    event: HandleValue,
    semaphore: HandleValue,
    mutex: HandleValue,
    server: HandleValue,
    client: HandleValue,
    cut_off_client: HandleValue,
    sleeper: Tid,
    forever: Tid,
    exited: Pid,
    running: Pid,
}

fn rich() -> Rich {
    use kernsim_kernel::consts::*;
    use kernsim_kernel::{Call, CreateFileArgs, CreateNamedPipeArgs};
    let mut k = Kernel::new();
    let (parent, tid) = k.spawn("parent.exe", "", vec![]);
    let mut by = k.by(tid);
    let h = |r: kernsim_kernel::CallResult| match r.ret {
        kernsim_kernel::Ret::Handle(h) => h,
        other => panic!("not a handle: {other:?}"),
    };
    let event = by.create_event(true, false, Some("ev")).unwrap();
    let semaphore = h(by
        .succeed(&Call::CreateSemaphore {
            // Inheritable: the inheritable index is corrupted both ways below.
            semaphore_attributes: Some(kernsim_kernel::SecurityAttributes { inherit_handle: true }),
            initial_count: 1,
            maximum_count: 2,
            name: None,
        })
        .unwrap());
    let mutex = h(by
        .succeed(&Call::CreateMutex {
            mutex_attributes: None,
            initial_owner: true,
            name: None,
        })
        .unwrap());
    let pipe = |by: &mut kernsim_kernel::ThreadCalls<'_>, name: &str| {
        let server = h(by
            .succeed(&Call::CreateNamedPipe(CreateNamedPipeArgs {
                name: name.into(),
                open_mode: PIPE_ACCESS_DUPLEX,
                max_instances: 1,
                out_buffer_size: 64,
                in_buffer_size: 64,
                ..Default::default()
            }))
            .unwrap());
        let client = h(by
            .succeed(&Call::CreateFile(CreateFileArgs {
                file_name: name.into(),
                desired_access: GENERIC_READ | GENERIC_WRITE,
                creation_disposition: OPEN_EXISTING,
                ..Default::default()
            }))
            .unwrap());
        (server, client)
    };
    let (server, client) = pipe(&mut by, r"\\.\pipe\kept");
    let (cut_server, cut_off_client) = pipe(&mut by, r"\\.\pipe\cut");
    by.succeed(&Call::WriteFile {
        file: client,
        data: kernsim_kernel::Data(b"queued".to_vec()),
        null_buffer: false,
    })
    .unwrap();
    by.succeed(&Call::DisconnectNamedPipe { named_pipe: cut_server })
        .unwrap();
    let thread = |by: &mut kernsim_kernel::ThreadCalls<'_>| {
        let r = by
            .succeed(&Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            })
            .unwrap();
        Tid(r.outputs().thread_id.unwrap())
    };
    let waiter = thread(&mut by);
    let sleeper = thread(&mut by);
    let forever = thread(&mut by);
    let exited = by.create_process("exited.exe", false).unwrap();
    let running = by.create_process("running.exe", false).unwrap();
    assert!(k
        .by(waiter)
        .call(&Call::WaitForSingleObject {
            handle: event,
            milliseconds: INFINITE,
        })
        .unwrap_err()
        .is_blocked());
    assert!(k
        .by(sleeper)
        .call(&Call::Sleep { milliseconds: 1000 })
        .unwrap_err()
        .is_blocked());
    assert!(k
        .by(forever)
        .call(&Call::Sleep { milliseconds: u32::MAX })
        .unwrap_err()
        .is_blocked());
    k.by(exited.thread_id)
        .call(&Call::ExitProcess { exit_code: 3 })
        .unwrap_err();
    k.check_invariants().expect("the rich world is healthy");
    Rich {
        k,
        parent,
        event,
        semaphore,
        mutex,
        server,
        client,
        cut_off_client,
        sleeper,
        forever,
        exited: exited.process_id,
        running: running.process_id,
    }
}

/// Every rule of `check_invariants` catches a corruption that no other rule catches, so a
/// rule switched off would be noticed (issue 17). `row-value` has no corruption (a table's
/// values come from its slots) and `exited-owner` never fires alone (see `Corruption`).
#[test]
fn every_invariant_rule_catches_a_corruption_only_it_catches() {
    use kernsim_kernel::tamper::Corruption::*;
    let w = rich();
    let cases = [
        (DestroyUnder(w.parent, w.semaphore), "dangling-row"),
        (FlipInheritUnindexed(w.parent, w.event), "inheritable-index"),
        (FlipInheritUnindexed(w.parent, w.semaphore), "inheritable-index"),
        (MiscountRows(w.parent), "table-length"),
        (UncountedObject, "zero-count-alive"),
        (RowInExited(w.exited, w.parent, w.event), "exited-process"),
        (OrphanProcess(w.running), "threadless-process"),
        (ListForeignThread(w.parent, w.event), "thread-list"),
        (EndListedThread(w.running), "thread-list"),
        (UnlistThread(w.parent), "thread-owner"),
        (UnqueueParked(w.sleeper), "parked-set"),
        (OverdueDeadline(w.sleeper), "overdue-timeout"),
        (ExitParked(w.forever), "exited-parked"),
        (Misname("ghost".into(), w.parent, w.event), "namespace"),
        (ClientAsInstance(w.parent, w.client, w.server), "namespace"),
        (MiscountPipeBytes(w.parent, w.server), "pipe-bytes"),
        (ForgetPeer(w.parent, w.server), "pipe-peer"),
        (ForgetPeer(w.parent, w.client), "pipe-peer"),
        (ListeningClient(w.parent, w.cut_off_client), "pipe-state"),
        (OverfullSemaphore(w.parent, w.semaphore), "semaphore-count"),
        (SemaphoreMaximum(w.parent, w.semaphore, 0), "semaphore-count"),
        (SemaphoreMaximum(w.parent, w.semaphore, 0x8000_0000), "semaphore-count"),
        (DisownMutex(w.parent, w.mutex), "mutex-owner"),
        (SignalUnseen(w.parent, w.event), "missed-wake"),
    ];
    for (corruption, rule) in cases {
        let mut k = w.k.clone();
        assert!(k.tamper(corruption.clone()), "{corruption:?} applies");
        let found = k.check_invariants().expect_err(rule);
        let rules: std::collections::BTreeSet<&str> = found.iter().map(|v| v.rule.as_str()).collect();
        assert_eq!(
            rules,
            [rule].into(),
            "{corruption:?} must be caught by {rule} alone: {found:?}"
        );
    }
}
