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
