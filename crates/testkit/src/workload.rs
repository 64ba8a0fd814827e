//! Generated scenario workloads for benchmarks and timing runs: large, valid, boring.

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
            assert_eq!(scenario.doc.steps.len(), steps);
            let run = kernsim_scenario::run(&scenario);
            assert!(run.passed(), "{steps} steps");
        }
    }
}
