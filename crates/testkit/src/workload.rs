//! Workloads for benchmarks and timing runs: large generated scenarios (valid, boring), and
//! the few helpers that drive a kernel directly (`benches/`, `examples/`).

use kernsim_kernel::consts::DUPLICATE_SAME_ACCESS;
use kernsim_kernel::{Call, CallResult, DuplicateHandleArgs, HandleValue, Kernel, Ret, Tid};

/// A kernel with its event log off and one process started by the system, running `image`;
/// returns the kernel and that process's thread id.
pub fn world(image: &str) -> (Kernel, Tid) {
    let mut k = Kernel::new();
    k.set_event_log(false);
    let (_, tid) = k.spawn(image, "", vec![]);
    (k, tid)
}

/// Runs a call that must return at once (not park, not end the thread).
pub fn done(k: &mut Kernel, tid: Tid, call: &Call) -> CallResult {
    k.by(tid)
        .call(call)
        .unwrap_or_else(|f| panic!("{} did not return: {f:?}", call.name()))
}

/// The handle a call gave: its return value, or its `target_handle` output (DuplicateHandle).
pub fn handle_of(r: &CallResult) -> HandleValue {
    match r.ret {
        Ret::Handle(h) => h,
        _ => r.outputs().target_handle.expect("a handle"),
    }
}

/// An unnamed manual-reset event, initially not signaled.
pub const EVENT: Call = Call::CreateEvent {
    event_attributes: None,
    manual_reset: true,
    initial_state: false,
    name: None,
};

/// DuplicateHandle of `source` from the caller into `target_process`, same access.
pub fn duplicate(source: HandleValue, target_process: HandleValue, inherit: bool) -> Call {
    Call::DuplicateHandle(DuplicateHandleArgs {
        source_process_handle: HandleValue::CURRENT_PROCESS,
        source_handle: source,
        target_process_handle: target_process,
        null_target_handle: false,
        desired_access: 0,
        inherit_handle: inherit,
        options: DUPLICATE_SAME_ACCESS,
    })
}

/// A scenario of `steps` steps as JSON text: two processes; `a` creates, sets, waits on and
/// closes an event (always at value 4, checked), `b` sets an environment variable.
pub fn event_cycles(steps: usize) -> String {
    const CYCLE: [&str; 5] = [
        r#"{"by": "a", "call": "CreateEvent", "args": {"manual_reset": true}}"#,
        r#"{"by": "a", "call": "SetEvent", "args": {"event": 4}}"#,
        r#"{"by": "a", "call": "WaitForSingleObject", "args": {"handle": 4, "milliseconds": 0}, "expect": {"ret": "WAIT_OBJECT_0"}}"#,
        r#"{"by": "a", "call": "CloseHandle", "args": {"handle": 4}, "expect": {"ret": true}}"#,
        r#"{"by": "b", "call": "SetEnvironmentVariable", "args": {"name": "N", "value": "v"}}"#,
    ];
    let mut out = String::with_capacity(steps * 90 + 200);
    out.push_str(r#"{"format_version": 1, "title": "generated", "processes": [{"name": "a", "image": "a.exe"}, {"name": "b", "image": "b.exe"}], "steps": ["#);
    for i in 0..steps {
        if i > 0 {
            out.push(',');
        }
        out.push_str(CYCLE[i % CYCLE.len()]);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_scenarios_load_and_pass() {
        for steps in [0, 1, 7] {
            let text = super::event_cycles(steps);
            let scenario = kernsim_scenario::load_str(&text, "generated.json").expect("loads");
            assert_eq!(scenario.steps.len(), steps);
            let run = kernsim_scenario::run(&scenario);
            assert!(run.passed(), "{steps} steps");
        }
    }
}
