//! Running a validated scenario: each step acts on a fresh [`Kernel`], its bindings are
//! recorded, its expectations checked, and everything that happened is kept as a
//! [`StepTrace`] for the renderers. `check_invariants` runs after every step.

use crate::format::*;
use crate::load::Scenario;
use crate::values::{self, Lookup};
use kernsim_kernel::*;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A bound name: a number, and for handles the object it named when bound.
#[derive(Clone, Debug, Serialize)]
pub struct Binding {
    /// The number.
    pub value: u32,
    /// The object's display address, for handle bindings.
    pub object: Option<u32>,
}

/// A named process or thread.
#[derive(Clone, Debug, Serialize)]
pub struct Actor {
    /// True for a process, false for a thread.
    pub is_process: bool,
    /// Its pid or tid.
    pub id: u32,
    /// Its object's address.
    pub object: u32,
}

/// What a step did.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Only a note and/or expectations.
    Nothing,
    /// The system started a process.
    Start {
        /// Its name.
        name: String,
        /// Pid.
        process_id: u32,
        /// Primary thread id.
        thread_id: u32,
        /// Executable.
        image: String,
    },
    /// A call.
    Call {
        /// Who called (name).
        by: String,
        /// Its pid.
        process_id: u32,
        /// Its tid.
        thread_id: u32,
        /// The call as written, arguments shown with bound values.
        display: String,
        /// The call that ran.
        call: Call,
        /// The outcome.
        outcome: CallOutcome,
        /// The call's sequence number.
        call_seq: u64,
        /// Names bound by this step: name = value.
        binds: Vec<(String, String)>,
    },
    /// The clock moved.
    Advance {
        /// From (ms).
        from_ms: u64,
        /// To (ms).
        to_ms: u64,
    },
    /// A view of the state.
    Show(Shown),
    /// A file was set up.
    File {
        /// Its path.
        path: String,
        /// Its size.
        bytes: usize,
    },
}

/// Data of a `show` step.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "show", rename_all = "snake_case")]
pub enum Shown {
    /// Handle tables.
    Handles {
        /// (name, process) pairs.
        tables: Vec<(String, ProcessView)>,
        /// Usage counts by object address, for the table column.
        objects: BTreeMap<u32, ObjectView>,
    },
    /// The process list.
    Processes {
        /// Every process object.
        processes: Vec<ProcessView>,
    },
    /// One object.
    Object {
        /// The object (None: it is gone).
        object: Option<ObjectView>,
        /// How it was named.
        label: String,
    },
    /// The namespaces.
    Namespace {
        /// The entries.
        names: Vec<NameView>,
    },
    /// Environment blocks.
    Env {
        /// (name, block) pairs.
        blocks: Vec<(String, Vec<String>)>,
    },
    /// The file system.
    Files {
        /// The entries.
        entries: Vec<FileSystemEntry>,
    },
    /// Parked threads.
    Waits {
        /// Threads that are parked.
        threads: Vec<ThreadView>,
        /// The deadlock, if any.
        deadlock: Option<Deadlock>,
    },
}

/// One checked expectation.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What was checked.
    pub what: String,
    /// Whether it held.
    pub ok: bool,
    /// What was found when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Everything one step did and checked.
#[derive(Clone, Debug, Serialize)]
pub struct StepTrace {
    /// 1-based step number.
    pub step: usize,
    /// The line the step starts on.
    pub line: usize,
    /// Its note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    /// What it did.
    pub action: Action,
    /// The kernel's events during the step.
    pub events: Vec<Event>,
    /// Parked calls that completed during the step.
    pub completions: Vec<Completion>,
    /// Names bound when those completions arrived.
    pub completion_binds: Vec<(String, String)>,
    /// Expectations and invariant checks.
    pub checks: Vec<Check>,
}

/// A run that could not go on (a step that cannot act, or a broken invariant).
#[derive(Clone, Debug, Serialize)]
pub struct RunError {
    /// 1-based step number.
    pub step: usize,
    /// Its line.
    pub line: usize,
    /// What happened.
    pub message: String,
}

/// The result of running a scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    /// Every step that ran.
    pub steps: Vec<StepTrace>,
    /// Set when the run stopped early.
    pub error: Option<RunError>,
    /// Names of processes by pid, for rendering.
    pub names: BTreeMap<u32, String>,
}

impl Run {
    /// Failed checks, as (step, line, message).
    pub fn failures(&self) -> Vec<(usize, usize, String)> {
        self.steps
            .iter()
            .flat_map(|s| {
                s.checks.iter().filter(|c| !c.ok).map(move |c| {
                    let detail = c.detail.clone().unwrap_or_default();
                    (s.step, s.line, if detail.is_empty() { c.what.clone() } else { detail })
                })
            })
            .collect()
    }

    /// True when every check held and nothing stopped the run.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.failures().is_empty()
    }
}

/// A parked call's bindings: (its step, the binds, the caller's pid, the DuplicateHandle
/// target's pid).
type PendingBinds = (usize, BTreeMap<String, String>, u32, Option<u32>);

struct State {
    kernel: Kernel,
    bindings: BTreeMap<String, Binding>,
    actors: BTreeMap<String, Actor>,
    names: BTreeMap<u32, String>,
    /// Pending calls by call_seq, so their binds apply when they complete.
    pending: BTreeMap<u64, PendingBinds>,
}

impl Lookup for State {
    fn number(&self, name: &str) -> Option<u32> {
        self.bindings.get(name).map(|b| b.value)
    }
    fn names(&self) -> Vec<String> {
        self.bindings.keys().cloned().collect()
    }
}

/// Runs a scenario from the start.
pub fn run(scenario: &Scenario) -> Run {
    run_with(scenario, RunOptions::default())
}

/// How to run a scenario.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Record the kernel's event log (and put it in the trace). Off: faster, no `events`.
    pub event_log: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { event_log: true }
    }
}

/// Runs a scenario with options.
pub fn run_with(scenario: &Scenario, options: RunOptions) -> Run {
    let mut kernel = Kernel::new();
    kernel.set_event_log(options.event_log);
    let mut st = State {
        kernel,
        bindings: BTreeMap::new(),
        actors: BTreeMap::new(),
        names: BTreeMap::new(),
        pending: BTreeMap::new(),
    };
    let mut out = Run {
        steps: Vec::new(),
        error: None,
        names: BTreeMap::new(),
    };
    let doc = &scenario.doc;
    for (path, content) in &doc.files {
        if let Err(e) = st.kernel.add_file(path, content.as_bytes()) {
            out.error = Some(RunError {
                step: 0,
                line: 0,
                message: format!("file {path:?} cannot be created: {e}"),
            });
            return out;
        }
    }
    for p in &doc.processes {
        let trace = st.start(
            0,
            0,
            &p.name,
            &p.image,
            p.command_line.as_deref(),
            p.environment.clone(),
        );
        out.steps.push(trace);
    }
    let mut last_completions: Vec<Completion> = Vec::new();
    for (i, step) in doc.steps.iter().enumerate() {
        let line = scenario.step_lines.get(i).copied().unwrap_or(0);
        let n = i + 1;
        match st.step(n, line, step, &last_completions) {
            Ok(trace) => {
                if !matches!(trace.action, Action::Nothing | Action::Show(_)) {
                    last_completions = trace.completions.clone();
                }
                out.steps.push(trace);
            }
            Err(message) => {
                out.error = Some(RunError { step: n, line, message });
                break;
            }
        }
    }
    out.names = st.names;
    out
}

impl State {
    fn start(
        &mut self,
        step: usize,
        line: usize,
        name: &str,
        image: &str,
        cmd: Option<&str>,
        env: Vec<String>,
    ) -> StepTrace {
        let (pid, tid) = self.kernel.spawn(image, cmd.unwrap_or(image), env);
        self.register_actor(name, true, pid);
        let events = self.kernel.take_events();
        StepTrace {
            step,
            line,
            note: None,
            action: Action::Start {
                name: name.to_string(),
                process_id: pid,
                thread_id: tid,
                image: image.to_string(),
            },
            events,
            completions: Vec::new(),
            completion_binds: Vec::new(),
            checks: Vec::new(),
        }
    }

    fn register_actor(&mut self, name: &str, is_process: bool, id: u32) {
        let object = if is_process {
            self.kernel.process_view(id).map(|p| p.object)
        } else {
            self.kernel.thread_view(id).map(|t| t.object)
        };
        self.actors.insert(
            name.to_string(),
            Actor {
                is_process,
                id,
                object: object.unwrap_or(0),
            },
        );
        self.bindings.insert(name.to_string(), Binding { value: id, object });
        if is_process {
            self.names.entry(id).or_insert_with(|| name.to_string());
        }
    }

    /// The thread a name acts through: a thread, or a process's oldest live thread.
    fn thread_of(&self, name: &str) -> Result<(u32, u32), String> {
        let actor = self
            .actors
            .get(name)
            .ok_or_else(|| format!("no process or thread is named {name:?}"))?;
        if actor.is_process {
            let tid = self
                .kernel
                .main_thread(actor.id)
                .ok_or_else(|| format!("process {name} (pid {}) has no live thread: it has exited", actor.id))?;
            Ok((actor.id, tid))
        } else {
            let pid = self
                .kernel
                .process_of_thread(actor.id)
                .ok_or_else(|| format!("thread {name} (tid {}) is gone", actor.id))?;
            Ok((pid, actor.id))
        }
    }

    fn step(
        &mut self,
        n: usize,
        line: usize,
        step: &Step,
        last_completions: &[Completion],
    ) -> Result<StepTrace, String> {
        let mut trace = StepTrace {
            step: n,
            line,
            note: step.note.clone(),
            action: Action::Nothing,
            events: Vec::new(),
            completions: Vec::new(),
            completion_binds: Vec::new(),
            checks: Vec::new(),
        };
        let mut result: Option<CallResult> = None;
        let mut pending = None;
        if let Some(name) = &step.call {
            let by = step.by.clone().unwrap_or_default();
            let (pid, tid) = self.thread_of(&by)?;
            let no_args = serde_json::Map::new();
            let args = step.args.as_ref().unwrap_or(&no_args);
            let resolved = values::resolve_args(CallName::from_name(name).ok_or("unknown call")?, args, self)
                .map_err(|(p, m)| format!("args.{p}: {m}"))?;
            let call = values::build_call(name, resolved).map_err(|(p, m)| format!("args.{p}: {m}"))?;
            let target_pid = match &call {
                Call::DuplicateHandle(a) => self
                    .kernel
                    .object_of_handle(pid, a.target_process_handle)
                    .and_then(|o| match o.detail {
                        Detail::Process { process_id, .. } => Some(process_id),
                        _ => None,
                    }),
                _ => None,
            };
            let outcome = match self.kernel.call(tid, &call) {
                Ok(o) => o,
                Err(CallError::ThreadParked { call, call_seq, .. }) => {
                    let since = self
                        .pending
                        .get(&call_seq)
                        .map_or(String::new(), |p| format!(" since step {}", p.0));
                    return Err(format!("{by} cannot call {name}: it is parked in {call}{since} (call #{call_seq}); a parked thread makes no calls until its call completes"));
                }
                Err(e) => return Err(format!("{by} cannot call {name}: {e}")),
            };
            let display = display_call(name, args, self);
            let mut binds = Vec::new();
            let call_seq = match &outcome {
                CallOutcome::Done(r) => {
                    binds = self.apply_binds(&step.bind, r, pid, target_pid)?;
                    result = Some(r.clone());
                    0
                }
                CallOutcome::Pending { call_seq } => {
                    pending = Some(*call_seq);
                    self.pending.insert(*call_seq, (n, step.bind.clone(), pid, target_pid));
                    *call_seq
                }
                CallOutcome::NoReturn => 0,
            };
            trace.action = Action::Call {
                by,
                process_id: pid,
                thread_id: tid,
                display,
                call,
                outcome,
                call_seq,
                binds,
            };
        } else if let Some(name) = &step.start {
            let started = self.start(
                n,
                line,
                name,
                step.image.as_deref().unwrap_or_default(),
                step.command_line.as_deref(),
                step.environment.clone().unwrap_or_default(),
            );
            trace.action = started.action;
        } else if let Some(ms) = step.advance {
            let from_ms = self.kernel.now_ms();
            self.kernel.advance_time(ms);
            trace.action = Action::Advance {
                from_ms,
                to_ms: self.kernel.now_ms(),
            };
        } else if let Some(what) = step.show {
            trace.action = Action::Show(self.show(what, step)?);
        } else if let Some(path) = &step.file {
            let content = step.content.clone().unwrap_or_default();
            self.kernel
                .add_file(path, content.as_bytes())
                .map_err(|e| format!("file {path:?} cannot be created: {e}"))?;
            trace.action = Action::File {
                path: path.clone(),
                bytes: content.len(),
            };
        }
        trace.events = self.kernel.take_events();
        trace.completions = self.kernel.take_completions();
        for c in &trace.completions {
            if let Some((_, binds, holder, target)) = self.pending.remove(&c.call_seq) {
                let bound = self.apply_binds(&binds, &c.result, holder, target)?;
                trace.completion_binds.extend(bound);
            }
        }
        if let Err(violations) = self.kernel.check_invariants() {
            let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
            trace.checks.push(Check {
                what: "kernel invariants".into(),
                ok: false,
                detail: Some(list.join("; ")),
            });
        }
        if let Some(expect) = &step.expect {
            let completions = if matches!(trace.action, Action::Nothing | Action::Show(_)) {
                last_completions
            } else {
                &trace.completions
            };
            let checks = self.check(expect, result.as_ref(), pending, completions);
            trace.checks.extend(checks);
        }
        Ok(trace)
    }

    fn apply_binds(
        &mut self,
        binds: &BTreeMap<String, String>,
        r: &CallResult,
        holder: u32,
        target: Option<u32>,
    ) -> Result<Vec<(String, String)>, String> {
        let outputs = serde_json::to_value(r.outputs()).unwrap_or(Value::Null);
        let mut bound = Vec::new();
        for (key, name) in binds {
            let (value, is_handle) = if key == "ret" {
                (
                    r.ret.as_u32().ok_or("ret: the call returns nothing")?,
                    matches!(r.ret, Ret::Handle(_)),
                )
            } else {
                let v = outputs.get(key).ok_or_else(|| {
                    format!(
                        "bind {key}: the call did not produce {key} (it returned {})",
                        values::show_ret(r.ret)
                    )
                })?;
                let n = values::number(v, self).map_err(|e| format!("bind {key}: {e}"))?;
                (n, key.ends_with("_handle"))
            };
            match key.as_str() {
                "process_id" => self.register_actor(name, true, value),
                "thread_id" => self.register_actor(name, false, value),
                _ => {
                    let owner = if key == "target_handle" {
                        target.unwrap_or(holder)
                    } else {
                        holder
                    };
                    let object = if is_handle {
                        self.kernel
                            .object_of_handle(owner, HandleValue(value))
                            .map(|o| o.object)
                    } else {
                        None
                    };
                    self.bindings.insert(name.clone(), Binding { value, object });
                }
            }
            bound.push((name.clone(), HandleValue(value).to_string()));
        }
        Ok(bound)
    }

    /// Resolves an object reference to an address (`Ok(None)`: it names nothing now).
    fn resolve_object(&self, r: &ObjectRef) -> Result<(Option<u32>, String), String> {
        if let Some(h) = &r.handle {
            let owner = r.in_process.as_deref().unwrap_or_default();
            let actor = self
                .actors
                .get(owner)
                .ok_or_else(|| format!("no process named {owner:?}"))?;
            let pid = if actor.is_process {
                actor.id
            } else {
                self.kernel.process_of_thread(actor.id).unwrap_or(0)
            };
            let v = values::number(h, self)?;
            let label = format!("handle {} in {owner}", HandleValue(v));
            return Ok((
                self.kernel.object_of_handle(pid, HandleValue(v)).map(|o| o.object),
                label,
            ));
        }
        if let Some(b) = &r.binding {
            let binding = self.bindings.get(b).ok_or_else(|| format!("{b:?} is not bound"))?;
            return Ok((binding.object, format!("the object of {b}")));
        }
        if let Some(name) = &r.process {
            let actor = self
                .actors
                .get(name)
                .ok_or_else(|| format!("no process named {name:?}"))?;
            return Ok((Some(actor.object), format!("process {name}")));
        }
        if let Some(name) = &r.thread {
            let actor = self
                .actors
                .get(name)
                .ok_or_else(|| format!("no thread named {name:?}"))?;
            if actor.is_process {
                let tid = self.kernel.main_thread(actor.id);
                let object = tid.and_then(|t| self.kernel.thread_view(t)).map(|t| t.object);
                return Ok((object, format!("the main thread of {name}")));
            }
            return Ok((Some(actor.object), format!("thread {name}")));
        }
        if let Some(a) = &r.address {
            let v = values::number(a, self)?;
            return Ok((Some(v), format!("object {v:#x}")));
        }
        Err("no object named".into())
    }

    fn show(&self, what: ShowWhat, step: &Step) -> Result<Shown, String> {
        let selected = |st: &State| -> Vec<(String, u32)> {
            match &step.of {
                Some(of) => of
                    .as_slice()
                    .iter()
                    .filter_map(|n| st.actors.get(n).map(|a| (n.clone(), a)))
                    .map(|(n, a)| {
                        let pid = if a.is_process {
                            a.id
                        } else {
                            st.kernel.process_of_thread(a.id).unwrap_or(0)
                        };
                        (n, pid)
                    })
                    .collect(),
                None => st
                    .kernel
                    .process_ids()
                    .into_iter()
                    .filter(|&p| st.kernel.is_running(p))
                    .map(|p| (st.name_of(p), p))
                    .collect(),
            }
        };
        Ok(match what {
            ShowWhat::Handles => {
                let tables: Vec<(String, ProcessView)> = selected(self)
                    .into_iter()
                    .filter_map(|(n, pid)| self.kernel.process_view(pid).map(|v| (n, v)))
                    .collect();
                let mut objects = BTreeMap::new();
                for (_, view) in &tables {
                    for row in &view.handles {
                        if let Some(o) = self.kernel.object_view(row.object) {
                            objects.insert(row.object, o);
                        }
                    }
                }
                Shown::Handles { tables, objects }
            }
            ShowWhat::Processes => Shown::Processes {
                processes: self
                    .kernel
                    .process_ids()
                    .into_iter()
                    .filter_map(|p| self.kernel.process_view(p))
                    .collect(),
            },
            ShowWhat::Object | ShowWhat::Pipe => {
                let (address, label) = self.resolve_object(&step.target())?;
                Shown::Object {
                    object: address.and_then(|a| self.kernel.object_view(a)),
                    label,
                }
            }
            ShowWhat::Namespace => Shown::Namespace {
                names: self.kernel.names(),
            },
            ShowWhat::Env => Shown::Env {
                blocks: selected(self)
                    .into_iter()
                    .filter_map(|(n, pid)| self.kernel.process_view(pid).map(|v| (n, v.environment)))
                    .collect(),
            },
            ShowWhat::Files => Shown::Files {
                entries: self.kernel.file_system(),
            },
            ShowWhat::Waits => Shown::Waits {
                threads: self
                    .kernel
                    .snapshot()
                    .threads
                    .into_iter()
                    .filter(|t| t.parked.is_some())
                    .collect(),
                deadlock: self.kernel.deadlock(),
            },
        })
    }

    fn name_of(&self, pid: u32) -> String {
        self.names.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}"))
    }

    /// Whether a process or thread name is parked (a process: any of its threads).
    fn is_blocked(&self, name: &str) -> bool {
        let Some(actor) = self.actors.get(name) else {
            return false;
        };
        if actor.is_process {
            self.kernel.process_view(actor.id).is_some_and(|p| {
                p.threads
                    .iter()
                    .any(|&t| self.kernel.thread_view(t).is_some_and(|t| t.parked.is_some()))
            })
        } else {
            self.kernel.thread_view(actor.id).is_some_and(|t| t.parked.is_some())
        }
    }

    fn check(
        &self,
        e: &Expect,
        result: Option<&CallResult>,
        pending: Option<u64>,
        completions: &[Completion],
    ) -> Vec<Check> {
        let mut checks = Vec::new();
        let mut push = |what: String, outcome: Result<(), String>| {
            checks.push(Check {
                what,
                ok: outcome.is_ok(),
                detail: outcome.err(),
            });
        };
        if let Some(want) = e.pending {
            let got = pending.is_some();
            push(
                format!("pending = {want}"),
                if got == want {
                    Ok(())
                } else {
                    Err(format!(
                        "expected the call to {}, but it {}",
                        if want { "park" } else { "return" },
                        if got { "parked" } else { "did not park" }
                    ))
                },
            );
        }
        if e.ret.is_some() || e.last_error.is_some() || e.outputs.is_some() {
            match result {
                None => push(
                    "the call's result".into(),
                    Err("the call has no result yet (it parked or did not return)".into()),
                ),
                Some(r) => {
                    if let Some(v) = &e.ret {
                        push(format!("ret = {}", show_value(v)), values::match_ret(v, r.ret, self));
                    }
                    if let Some(v) = &e.last_error {
                        push(
                            format!("last_error = {}", show_value(v)),
                            values::match_error(v, r.last_error),
                        );
                    }
                    if let Some(o) = &e.outputs {
                        let failures = values::match_outputs(o, r, self);
                        push(
                            format!("outputs {}", Value::Object(o.clone())),
                            if failures.is_empty() {
                                Ok(())
                            } else {
                                Err(failures.join("; "))
                            },
                        );
                    }
                }
            }
        }
        for name in e.blocked.iter().flat_map(|b| b.as_slice()) {
            push(
                format!("{name} is blocked"),
                if self.is_blocked(name) {
                    Ok(())
                } else {
                    Err(format!("{name} is not parked in any call"))
                },
            );
        }
        for name in e.unblocked.iter().flat_map(|b| b.as_slice()) {
            push(
                format!("{name} is not blocked"),
                if self.is_blocked(name) {
                    Err(format!("{name} is parked"))
                } else {
                    Ok(())
                },
            );
        }
        if e.no_completion == Some(true) {
            push(
                "no parked call completed".into(),
                if completions.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{} call(s) completed", completions.len()))
                },
            );
        }
        let mut used = vec![false; completions.len()];
        for c in e.completed.iter().flat_map(|c| c.as_slice()) {
            push(
                format!("{}'s {} completed", c.by, c.call.as_deref().unwrap_or("call")),
                self.check_completion(c, completions, &mut used),
            );
        }
        for t in e.table.iter().flat_map(|t| t.as_slice()) {
            push(format!("handle table of {}", t.of), self.check_table(t));
        }
        for o in e.object.iter().flat_map(|o| o.as_slice()) {
            let (what, outcome) = self.check_object(o);
            push(what, outcome);
        }
        for p in e.process.iter().flat_map(|p| p.as_slice()) {
            push(format!("process {}", p.name), self.check_process(p));
        }
        for env in e.env.iter().flat_map(|v| v.as_slice()) {
            push(
                format!("{}'s {} = {}", env.in_process, env.name, env.value),
                self.check_env(env),
            );
        }
        if let Some(t) = e.time_ms {
            let now = self.kernel.now_ms();
            push(
                format!("time = {t} ms"),
                if now == t {
                    Ok(())
                } else {
                    Err(format!("the clock is at {now} ms"))
                },
            );
        }
        if let Some(want) = e.deadlock {
            let d = self.kernel.deadlock();
            let outcome = match (&d, want) {
                (Some(_), true) | (None, false) => Ok(()),
                (None, true) => Err("no deadlock: some thread can still run or a timeout is pending".to_string()),
                (Some(d), false) => Err(format!(
                    "deadlock: {}",
                    d.threads
                        .iter()
                        .map(|t| {
                            format!(
                                "tid {} in {} waits for {}",
                                t.thread_id,
                                t.call.as_deref().unwrap_or("(suspended)"),
                                crate::render::wait_reason(crate::Lang::En, &t.waiting_for)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
            };
            push(format!("deadlock = {want}"), outcome);
        }
        checks
    }

    fn check_completion(
        &self,
        c: &CompletedExpect,
        completions: &[Completion],
        used: &mut [bool],
    ) -> Result<(), String> {
        let actor = self
            .actors
            .get(&c.by)
            .ok_or_else(|| format!("no process or thread named {}", c.by))?;
        let mut last_error = None;
        for (i, done) in completions.iter().enumerate() {
            let mine = if actor.is_process {
                done.process_id == actor.id
            } else {
                done.thread_id == actor.id
            };
            if used[i] || !mine || c.call.as_ref().is_some_and(|call| call != &done.call) {
                continue;
            }
            let mut errors = Vec::new();
            if let Some(v) = &c.ret {
                errors.extend(values::match_ret(v, done.result.ret, self).err());
            }
            if let Some(v) = &c.last_error {
                errors.extend(values::match_error(v, done.result.last_error).err());
            }
            if let Some(o) = &c.outputs {
                errors.extend(values::match_outputs(o, &done.result, self));
            }
            if errors.is_empty() {
                used[i] = true;
                return Ok(());
            }
            last_error = Some(format!("{} completed, but {}", done.call, errors.join("; ")));
        }
        Err(last_error.unwrap_or_else(|| {
            let others: Vec<String> = completions
                .iter()
                .map(|d| format!("{} of tid {}", d.call, d.thread_id))
                .collect();
            format!(
                "no call of {} completed (completed: {})",
                c.by,
                if others.is_empty() {
                    "none".into()
                } else {
                    others.join(", ")
                }
            )
        }))
    }

    fn check_table(&self, t: &TableExpect) -> Result<(), String> {
        let actor = self.actors.get(&t.of).ok_or("unknown process")?;
        let view = self
            .kernel
            .process_view(actor.id)
            .ok_or_else(|| format!("process {} no longer exists", t.of))?;
        let mut errors = Vec::new();
        let mut matched = Vec::new();
        for row in &t.rows {
            let v = values::number(&row.handle, self)?;
            let Some(have) = view.handles.iter().find(|r| r.handle.0 == (v & !3)) else {
                errors.push(format!("no row {}", HandleValue(v)));
                continue;
            };
            matched.push(have.handle);
            if let Some(inherit) = row.inherit {
                if have.inherit != inherit {
                    errors.push(format!(
                        "row {}: inherit {}, expected {}",
                        have.handle,
                        yn(have.inherit),
                        yn(inherit)
                    ));
                }
            }
            if let Some(p) = row.protect_from_close {
                if have.protect_from_close != p {
                    errors.push(format!(
                        "row {}: protect_from_close {}, expected {p}",
                        have.handle, have.protect_from_close
                    ));
                }
            }
            if let Some(kind) = &row.kind {
                if !have.kind.name().eq_ignore_ascii_case(kind) {
                    errors.push(format!(
                        "row {}: a {}, expected a {kind}",
                        have.handle,
                        have.kind.name()
                    ));
                }
            }
            if let Some(a) = &row.access {
                let want = values::number(a, self)?;
                if have.access != want {
                    errors.push(format!(
                        "row {}: access {:#x}, expected {want:#x}",
                        have.handle, have.access
                    ));
                }
            }
            if let Some(o) = &row.object {
                let (address, label) = self.resolve_object(o)?;
                if address != Some(have.object) {
                    errors.push(format!(
                        "row {}: object {:#x}, expected {label} ({})",
                        have.handle,
                        have.object,
                        address.map_or("gone".into(), |a| format!("{a:#x}"))
                    ));
                }
            }
        }
        for v in &t.absent {
            let v = values::number(v, self)?;
            if view.handles.iter().any(|r| r.handle.0 == (v & !3)) {
                errors.push(format!("row {} is present", HandleValue(v)));
            }
        }
        if t.exact {
            for r in &view.handles {
                if !matched.contains(&r.handle) {
                    errors.push(format!("unexpected row {} -> {:#x}", r.handle, r.object));
                }
            }
        }
        if let Some(count) = t.count {
            if view.handles.len() != count {
                errors.push(format!("{} rows, expected {count}", view.handles.len()));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("handle table of {}: {}", t.of, errors.join("; ")))
        }
    }

    fn check_object(&self, o: &ObjectExpect) -> (String, Result<(), String>) {
        let (address, label) = match self.resolve_object(&o.target()) {
            Ok(v) => v,
            Err(e) => return ("object".into(), Err(e)),
        };
        let view = address.and_then(|a| self.kernel.object_view(a));
        let mut errors = Vec::new();
        let mut what = vec![];
        if let Some(alive) = o.alive {
            what.push(format!("alive = {alive}"));
            if view.is_some() != alive {
                errors.push(if alive {
                    "it no longer exists".to_string()
                } else {
                    "it still exists".to_string()
                });
            }
        }
        if let Some(v) = &view {
            if let Some(u) = o.usage_count {
                what.push(format!("usage count {u}"));
                if v.usage_count != u {
                    errors.push(format!("usage count is {}", v.usage_count));
                }
            }
            if let Some(h) = o.handle_count {
                what.push(format!("handle count {h}"));
                if v.handle_count != h {
                    errors.push(format!("handle count is {}", v.handle_count));
                }
            }
            if let Some(k) = &o.kind {
                if !v.kind.name().eq_ignore_ascii_case(k) {
                    errors.push(format!("it is a {}", v.kind.name()));
                }
            }
            if let Some(s) = o.signaled {
                let actual = match &v.detail {
                    Detail::Event { signaled, .. } => Some(*signaled),
                    Detail::Process { exited, .. } | Detail::Thread { exited, .. } => Some(*exited),
                    _ => None,
                };
                if actual != Some(s) {
                    errors.push(format!(
                        "signaled is {}",
                        actual.map_or("not applicable".into(), |b| b.to_string())
                    ));
                }
            }
        } else if o.usage_count.is_some() || o.handle_count.is_some() || o.kind.is_some() || o.signaled.is_some() {
            errors.push("it does not exist".into());
        }
        let what = format!("{label}: {}", what.join(", "));
        (
            what,
            if errors.is_empty() {
                Ok(())
            } else {
                Err(format!("{label}: {}", errors.join("; ")))
            },
        )
    }

    fn check_process(&self, p: &ProcessExpect) -> Result<(), String> {
        let actor = self.actors.get(&p.name).ok_or("unknown process")?;
        let view = self.kernel.process_view(actor.id);
        let mut errors = Vec::new();
        if let Some(alive) = p.alive {
            if view.is_some() != alive {
                errors.push(if alive {
                    "its object is gone".to_string()
                } else {
                    "its object still exists".to_string()
                });
            }
        }
        if let Some(running) = p.running {
            let actual = self.kernel.is_running(actor.id);
            if actual != running {
                errors.push(if actual {
                    "it is running".into()
                } else {
                    "it is not running".into()
                });
            }
        }
        if let Some(code) = &p.exit_code {
            let want = values::number(code, self)?;
            match &view {
                Some(v) => {
                    let have = v.exit_code.unwrap_or(kernsim_kernel::consts::STILL_ACTIVE);
                    if have != want {
                        errors.push(format!("exit code is {have}, expected {want}"));
                    }
                }
                None => errors.push("its object is gone, so its exit code cannot be read".into()),
            }
        }
        if let Some(n) = p.threads {
            let have = view.as_ref().map_or(0, |v| v.threads.len() as u32);
            if have != n {
                errors.push(format!("{have} threads, expected {n}"));
            }
        }
        if let Some(parent) = &p.parent {
            let want = self.actors.get(parent).map(|a| a.id);
            let have = view.as_ref().map(|v| v.parent_process_id);
            if have != want {
                errors.push(format!("parent pid is {have:?}, expected {parent} ({want:?})"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!("process {}: {}", p.name, errors.join("; ")))
        }
    }

    fn check_env(&self, e: &EnvExpect) -> Result<(), String> {
        let actor = self.actors.get(&e.in_process).ok_or("unknown process")?;
        let view = self
            .kernel
            .process_view(actor.id)
            .ok_or_else(|| format!("process {} no longer exists", e.in_process))?;
        let have = kernsim_kernel::env::value(&view.environment, &e.name);
        let want = e.value.as_str();
        if have == want {
            Ok(())
        } else {
            Err(format!(
                "{}'s {} is {}, expected {}",
                e.in_process,
                e.name,
                have.map_or("not set".into(), |v| format!("{v:?}")),
                want.map_or("not set".into(), |v| format!("{v:?}"))
            ))
        }
    }
}

/// Control characters as escapes, so a value stays on one line.
fn escape_controls(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

fn show_value(v: &Value) -> String {
    if let Some(inner) = v.as_object().and_then(|m| m.get("not")) {
        return format!("anything but {}", show_value(inner));
    }
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `Name(arg: value, ...)` with bound names annotated: `handle: hEvent=4`.
pub fn display_call(name: &str, args: &serde_json::Map<String, Value>, lookup: &dyn Lookup) -> String {
    let mut out = String::with_capacity(64);
    out.push_str(name);
    out.push('(');
    for (i, (k, v)) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&display_arg(v, lookup));
    }
    out.push(')');
    out
}

fn display_arg(v: &Value, lookup: &dyn Lookup) -> String {
    match v {
        Value::String(s) => match lookup.number(s) {
            Some(n) => format!("{s}={}", HandleValue(n)),
            None if s.contains("${") => format!("\"{}\"", values::interpolate(s, lookup).unwrap_or_else(|_| s.clone())),
            None if kernsim_kernel::consts::lookup(s.split('|').next().unwrap_or("")).is_some() => s.clone(),
            None => format!("\"{}\"", escape_controls(s)),
        },
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| display_arg(i, lookup))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", display_arg(v, lookup)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        other => other.to_string(),
    }
}
