//! Recording what a driver did, and printing it as a scenario file (`format_version` 1) that
//! `kernsim run` replays: system starts, clock advances, and every call with its arguments as
//! numbers. Processes are named `p<pid>` and threads `t<tid>`; ids and handle values are
//! deterministic, so the replay sees the same values.

use kernsim_kernel::{Call, CallError, CallOutcome, Kernel, Pid, Ret, Tid};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// One recorded step.
#[derive(Clone, Debug)]
pub enum Record {
    /// The system started a process.
    Start {
        /// Its pid.
        pid: Pid,
        /// Its primary thread.
        tid: Tid,
        /// Executable.
        image: String,
        /// Environment.
        environment: Vec<String>,
    },
    /// The clock advanced.
    Advance(u64),
    /// A call.
    Call {
        /// Caller's pid.
        pid: Pid,
        /// Caller's tid.
        tid: Tid,
        /// The call.
        call: Call,
        /// What it did.
        outcome: CallOutcome,
    },
    /// A call on which the kernel panicked: replayed as the call itself (so `kernsim check`
    /// fails on it for as long as the kernel panics there), with the panic as its note.
    Panicked {
        /// Caller's pid.
        pid: Pid,
        /// Caller's tid.
        tid: Tid,
        /// The call.
        call: Call,
        /// The panic's message.
        message: String,
    },
    /// A note (where a check failed).
    Note(String),
    /// Expectations for the call recorded last (an `expect` object of the scenario format):
    /// what the reference model or the driver's promises said it should do, so that the
    /// replay fails under `kernsim check` for as long as the kernel disagrees.
    Expect(Value),
}

/// Collects records.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    records: Vec<Record>,
}

impl Recorder {
    /// Adds a record.
    pub fn push(&mut self, r: Record) {
        self.records.push(r);
    }

    /// The records so far.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The records as a scenario file.
    pub fn scenario_json(&self, title: &str) -> String {
        let mut named_threads: BTreeSet<Tid> = BTreeSet::new();
        let mut steps = Vec::new();
        for r in &self.records {
            match r {
                Record::Start {
                    pid,
                    image,
                    environment,
                    ..
                } => {
                    steps.push(json!({"start": format!("p{pid}"), "image": image, "environment": environment}));
                }
                Record::Advance(ms) => steps.push(json!({ "advance": ms })),
                Record::Note(text) => steps.push(json!({ "note": text })),
                Record::Expect(expect) => {
                    let Some(Value::Object(step)) = steps.last_mut() else {
                        continue;
                    };
                    let into = step.entry("expect").or_insert_with(|| json!({}));
                    if let (Value::Object(into), Value::Object(more)) = (into, expect) {
                        into.extend(more.clone());
                    }
                }
                Record::Panicked {
                    pid,
                    tid,
                    call,
                    message,
                } => {
                    let mut step = call_step(&named_threads, *pid, *tid, call);
                    step.insert(
                        "note".into(),
                        format!("FAILED here: the kernel panicked on this call: {message}").into(),
                    );
                    steps.push(Value::Object(step));
                }
                Record::Call {
                    pid,
                    tid,
                    call,
                    outcome,
                } => {
                    let mut step = call_step(&named_threads, *pid, *tid, call);
                    let mut bind = Map::new();
                    if let CallOutcome::Done(res) = outcome {
                        if let (Some(p), Some(t)) = (res.outputs().process_id, res.outputs().thread_id) {
                            if res.ret == Ret::Bool(true) {
                                bind.insert("process_id".into(), format!("p{p}").into());
                                bind.insert("thread_id".into(), format!("t{t}").into());
                                named_threads.insert(Tid(t));
                            }
                        } else if let (Some(t), Call::CreateThread { .. }) = (res.outputs().thread_id, call) {
                            bind.insert("thread_id".into(), format!("t{t}").into());
                            named_threads.insert(Tid(t));
                        }
                        step.insert(
                            "note".into(),
                            format!("observed: ret {}, last error {}", res.ret, res.last_error).into(),
                        );
                    }
                    if !bind.is_empty() {
                        step.insert("bind".into(), Value::Object(bind));
                    }
                    steps.push(Value::Object(step));
                }
            }
        }
        drop_unused_binds(&mut steps);
        let doc = json!({
            "format_version": 1,
            "title": title,
            "source": "generated by kernsim-testkit",
            "steps": steps,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}

/// Leaves out each bound name that neither a later step (as its caller or in an
/// expectation) nor the step's own expectations mention: the failing call's process, say,
/// which it may no longer create once the bug is fixed (a `bind` of an output the call does
/// not produce is an error, and the replay should pass then).
fn drop_unused_binds(steps: &mut [Value]) {
    fn strings<'v>(v: &'v Value, into: &mut BTreeSet<&'v str>) {
        match v {
            Value::String(s) => {
                into.insert(s);
            }
            Value::Array(items) => items.iter().for_each(|i| strings(i, into)),
            Value::Object(m) => m.values().for_each(|i| strings(i, into)),
            _ => {}
        }
    }
    // One pass from the end, gathering what later steps mention; a step's own expectations
    // count (the child's table, expected of the CreateProcess that bound it).
    let mut later: BTreeSet<String> = BTreeSet::new();
    for step in steps.iter_mut().rev() {
        let Some(step) = step.as_object_mut() else { continue };
        let mut mentioned = BTreeSet::new();
        for (key, v) in step.iter() {
            if key != "bind" {
                strings(v, &mut mentioned);
            }
        }
        later.extend(mentioned.into_iter().map(str::to_string));
        if let Some(Value::Object(bind)) = step.get_mut("bind") {
            bind.retain(|_, name| name.as_str().is_some_and(|n| later.contains(n)));
            if bind.is_empty() {
                step.remove("bind");
            }
        }
    }
}

/// A call as a scenario step: who calls (a thread by name once it has one), the call and its
/// arguments.
fn call_step(named_threads: &BTreeSet<Tid>, pid: Pid, tid: Tid, call: &Call) -> Map<String, Value> {
    let by = if named_threads.contains(&tid) {
        format!("t{tid}")
    } else {
        format!("p{pid}")
    };
    let wrapped = serde_json::to_value(call).unwrap_or(Value::Null);
    let mut step = Map::new();
    step.insert("by".into(), by.into());
    step.insert("call".into(), call.name().into());
    if let Some(args) = wrapped.get("args") {
        step.insert("args".into(), args.clone());
    }
    step
}

/// Makes one call, catching a panic of the kernel: the call is then recorded as
/// [`Record::Panicked`] and the panic's message returned, so that every runner's replay makes
/// the call that panicked (a runner stops at a panic; the kernel may be left half-changed).
pub fn call_or_record_panic(
    kernel: &mut Kernel,
    pid: Pid,
    tid: Tid,
    call: &Call,
    recorder: &mut Recorder,
) -> Result<Result<CallOutcome, CallError>, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| kernel.call(tid, call))).map_err(|p| {
        let message = crate::driver::panic_text(&p);
        recorder.push(Record::Panicked {
            pid,
            tid,
            call: call.clone(),
            message: message.clone(),
        });
        message
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernsim_kernel::HandleValue;

    #[test]
    fn a_call_the_kernel_panicked_on_is_replayed_as_the_call_itself() {
        let mut r = Recorder::default();
        r.push(Record::Panicked {
            pid: Pid(100),
            tid: Tid(104),
            call: Call::CloseHandle { handle: HandleValue(8) },
            message: "attempt to subtract with overflow".into(),
        });
        let doc: Value = serde_json::from_str(&r.scenario_json("t")).unwrap();
        let step = &doc["steps"][0];
        assert_eq!(step["by"], "p100");
        assert_eq!(step["call"], "CloseHandle");
        assert_eq!(step["args"]["handle"], 8);
        assert!(step["note"].as_str().unwrap().contains("panicked"), "{step}");
        assert!(
            step.get("expect").is_none(),
            "nothing is known of what it should have done"
        );
    }

    #[test]
    fn a_bind_no_later_step_mentions_is_left_out() {
        // The child's names are bound only while a later step is made by the child: the
        // replay of a CreateProcess that should have failed must not bind what it will not
        // produce once the bug is fixed.
        let mut k = Kernel::new();
        let (pid, tid) = k.spawn("a.exe", "", vec![]);
        let create = Call::CreateProcess(Box::new(kernsim_kernel::CreateProcessArgs {
            command_line: Some("child.exe".into()),
            ..Default::default()
        }));
        let mut r = Recorder::default();
        let mut child = None;
        for _ in 0..2 {
            let outcome = k.call(tid, &create).unwrap();
            if let CallOutcome::Done(res) = &outcome {
                child = res.outputs().process_id.zip(res.outputs().thread_id);
            }
            r.push(Record::Call {
                pid,
                tid,
                call: create.clone(),
                outcome,
            });
        }
        let (cpid, ctid) = child.unwrap();
        let doc: Value = serde_json::from_str(&r.scenario_json("t")).unwrap();
        assert!(doc["steps"][0].get("bind").is_none(), "no later step by p{}", cpid - 8);
        assert!(doc["steps"][1].get("bind").is_none());
        // A step by the second child keeps the second call's binds.
        let tc = Tid(ctid);
        r.push(Record::Call {
            pid: Pid(cpid),
            tid: tc,
            call: Call::GetLastError,
            outcome: k.call(tc, &Call::GetLastError).unwrap(),
        });
        let doc: Value = serde_json::from_str(&r.scenario_json("t")).unwrap();
        assert!(doc["steps"][0].get("bind").is_none());
        assert_eq!(doc["steps"][1]["bind"]["thread_id"], format!("t{ctid}"));
        assert_eq!(doc["steps"][2]["by"], format!("t{ctid}"));
    }

    #[test]
    fn a_call_that_returns_is_recorded_with_its_outcome_and_no_panic() {
        let mut k = Kernel::new();
        let (pid, tid) = k.spawn("a.exe", "", vec![]);
        let mut r = Recorder::default();
        let call = Call::CloseHandle { handle: HandleValue(8) };
        let outcome = call_or_record_panic(&mut k, pid, tid, &call, &mut r).unwrap().unwrap();
        assert!(matches!(outcome, CallOutcome::Done(_)));
        assert!(r.records().is_empty(), "the caller records a call that returned");
    }
}
