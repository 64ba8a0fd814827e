//! Recording what a driver did, and printing it as a scenario file (`format_version` 1) that
//! `kernsim run` replays: system starts, clock advances, and every call with its arguments as
//! numbers. Processes are named `p<pid>` and threads `t<tid>`; ids and handle values are
//! deterministic, so the replay sees the same values.

use kernsim_kernel::{Call, CallOutcome, Pid, Ret, Tid};
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
                Record::Call {
                    pid,
                    tid,
                    call,
                    outcome,
                } => {
                    let by = if named_threads.contains(tid) {
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
        let doc = json!({
            "format_version": 1,
            "title": title,
            "source": "generated by kernsim-testkit",
            "steps": steps,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }
}
