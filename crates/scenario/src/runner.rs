//! Running a compiled scenario ([`crate::plan`]) on a fresh [`Kernel`]: each step acts, its
//! bindings are recorded, its expectations checked (as data, [`crate::check`]), and its
//! [`StepTrace`] is handed to a sink and dropped, so a run holds the world plus one step.
//! [`run`] collects the traces for callers that want them all (tests, small scenarios).
//! `check_invariants` runs after every step.

use crate::check::*;
use crate::format::{OriginHow, ShowWhat, Text};
use crate::load::Scenario;
use crate::plan::*;
use kernsim_kernel::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// A named process or thread, when it has a value.
#[derive(Copy, Clone, Debug)]
struct Actor {
    is_process: bool,
    /// Its pid or tid (one counter hands out both).
    id: u32,
    object: Address,
}

impl Actor {
    fn pid(self) -> Pid {
        Pid(self.id)
    }
    fn tid(self) -> Tid {
        Tid(self.id)
    }
}

/// What a name holds while the scenario runs.
#[derive(Copy, Clone, Debug, Default)]
struct SymState {
    /// The bound number.
    value: Option<u32>,
    /// For handle bindings: the object's address when bound.
    object: Option<Address>,
    /// For process and thread names.
    actor: Option<Actor>,
}

/// What a step did.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action<'a> {
    /// Only a note and/or expectations.
    Nothing,
    /// The system started a process.
    Start {
        /// Its name.
        name: &'a str,
        /// Pid.
        process_id: Pid,
        /// Primary thread id.
        thread_id: Tid,
        /// Executable.
        image: &'a str,
    },
    /// A call.
    Call {
        /// Who called (name).
        by: &'a str,
        /// Its pid.
        process_id: Pid,
        /// Its tid.
        thread_id: Tid,
        /// The call as written, bound names shown with their values, argument names left
        /// for the renderer to word; in JSON, the line with the canonical argument names
        /// (`handle`, also where the scenario wrote the `object` alias).
        #[schemars(with = "String")]
        display: CallLine,
        /// The call that ran.
        call: Call,
        /// The outcome.
        outcome: CallOutcome,
        /// The call's sequence number (0 when it did not park).
        call_seq: u64,
        /// Names bound by this step: (name, value); a value as the text shows it (32 bits,
        /// from 0x80000000 negative, as handle values are).
        binds: Vec<(&'a str, HandleValue)>,
    },
    /// The clock moved.
    Advance {
        /// From (ms).
        from_ms: u64,
        /// To (ms).
        to_ms: u64,
    },
    /// A view of the state.
    Show(Shown<'a>),
    /// A file was set up.
    File {
        /// Its path.
        path: &'a str,
        /// Its size.
        bytes: usize,
    },
}

/// Data of a `show` step.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
#[serde(tag = "show", rename_all = "snake_case")]
pub enum Shown<'a> {
    /// Handle tables.
    Handles {
        /// (name, process) pairs.
        tables: Vec<(String, ProcessView)>,
        /// Usage counts by object address, for the table column.
        objects: BTreeMap<Address, ObjectView>,
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
        label: Label<'a>,
        /// Who holds it (rows and kernel references).
        holders: Vec<Holder>,
        /// The steps of the calls the holders' provenance names.
        steps: CallSteps,
    },
    /// Why one object is alive.
    WhyAlive {
        /// How it was named.
        label: Label<'a>,
        /// Its holders (`None`: it is gone).
        alive: Option<Alive>,
        /// The steps of the calls named.
        steps: CallSteps,
    },
    /// Why threads are blocked.
    WhyBlocked {
        /// The blocked threads asked for.
        threads: Vec<Blocked>,
        /// Those asked for that are not blocked.
        not_blocked: Vec<&'a str>,
        /// The steps of the calls named.
        steps: CallSteps,
    },
    /// The leak report.
    Leaks {
        /// Forgotten rows and the objects only they keep alive.
        leaks: Leaks,
        /// The steps of the calls named.
        steps: CallSteps,
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

/// The step of each call an explanation names, by call sequence number (the kernel counts
/// calls; a scenario's reader counts steps).
pub type CallSteps = BTreeMap<u64, usize>;

/// What the run explains on its own: why a call that just parked waits, and who waits for
/// whom when a deadlock appears.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Explanation {
    /// The thread whose call parked in this step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parked: Option<Blocked>,
    /// Every thread of a deadlock found after this step (it was not there before).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deadlock: Vec<Blocked>,
    /// The steps of the calls named.
    pub steps: CallSteps,
}

/// Everything one step did and checked.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct StepTrace<'a> {
    /// 1-based step number (0 for the setup of `processes`).
    pub step: usize,
    /// The line the step starts on.
    pub line: usize,
    /// Its note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<&'a Text>,
    /// What it did.
    pub action: Action<'a>,
    /// The kernel's events during the step.
    pub events: Vec<Event>,
    /// Parked calls that completed during the step.
    pub completions: Vec<Completion>,
    /// Names bound when those completions arrived.
    pub completion_binds: Vec<(&'a str, HandleValue)>,
    /// Expectations and invariant checks.
    pub checks: Vec<Check<'a>>,
    /// Why a call parked or a deadlock appeared (narrating runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Box<Explanation>>,
}

/// A run that could not go on.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct RunError<'a> {
    /// 1-based step number (0: setup).
    pub step: usize,
    /// Its line.
    pub line: usize,
    /// What happened.
    pub problem: RunProblem<'a>,
}

/// A failed check, with where it was.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Failure<'a> {
    /// 1-based step number.
    pub step: usize,
    /// Its line.
    pub line: usize,
    /// The check.
    pub check: Check<'a>,
}

/// What a run leaves once every step was handed to its sink.
#[derive(Clone, Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Summary<'a> {
    /// Checks made.
    pub checks: usize,
    /// Those that failed.
    pub failures: Vec<Failure<'a>>,
    /// Set when the run stopped early.
    pub error: Option<RunError<'a>>,
    /// The leak report at the end (narrating runs with [`RunOptions::leaks`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaks: Option<LeakReport>,
}

/// The leak report at the end of a run, with what it takes to word it.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct LeakReport {
    /// Forgotten rows and the objects only they keep alive.
    #[serde(flatten)]
    pub leaks: Leaks,
    /// The steps of the calls named.
    pub steps: CallSteps,
    /// The names of the processes named.
    pub names: Names,
}

impl Summary<'_> {
    /// True when every check held and nothing stopped the run.
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.failures.is_empty()
    }
}

/// A whole run with every step's trace (see [`run_with`] for a streaming run).
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Run<'a> {
    /// Every step that ran.
    pub steps: Vec<StepTrace<'a>>,
    /// Checks, failures, error.
    pub summary: Summary<'a>,
    /// Names of processes by pid, for rendering.
    pub names: BTreeMap<Pid, String>,
}

impl<'a> Run<'a> {
    /// Failed checks.
    pub fn failures(&self) -> &[Failure<'a>] {
        &self.summary.failures
    }

    /// True when every check held and nothing stopped the run.
    pub fn passed(&self) -> bool {
        self.summary.passed()
    }

    /// Set when the run stopped early.
    pub fn error(&self) -> Option<&RunError<'a>> {
        self.summary.error.as_ref()
    }
}

/// Process names by pid as a run knows them so far.
pub type Names = BTreeMap<Pid, String>;

/// Where a streaming run hands each step: the trace, and the process names known by then.
pub trait Sink<'a> {
    /// One step, as it finishes.
    fn step(&mut self, trace: StepTrace<'a>, names: &Names);

    /// One step, with the kernel as the step left it: for sinks that draw the state (lesson
    /// pages, diagrams). The default hands the trace to [`Sink::step`].
    fn step_in(&mut self, trace: StepTrace<'a>, names: &Names, kernel: &Kernel) {
        let _ = kernel;
        self.step(trace, names);
    }

    /// Whether this sink shows calls as narrated text (`display`); a sink that does not is
    /// handed traces whose `display` is empty, and the run skips building it.
    fn narrates(&self) -> bool {
        true
    }
}

/// A call as written (`CloseHandle(handle: hEvent=4)`), bound names shown with their values
/// and each argument name left as a hole for a renderer to word in its language: the text
/// without the names, and each name with the byte offset where it goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallLine {
    text: String,
    args: Vec<(usize, &'static str)>,
}

impl CallLine {
    /// The line with each argument named by `word` (a catalog's wording of the name).
    pub fn worded<'w>(&self, mut word: impl FnMut(&'static str) -> &'w str) -> String {
        let mut out = String::with_capacity(self.text.len() + 12 * self.args.len());
        let mut at = 0;
        for &(offset, name) in &self.args {
            out.push_str(&self.text[at..offset]);
            out.push_str(word(name));
            at = offset;
        }
        out.push_str(&self.text[at..]);
        out
    }

    /// The argument names in the order they are shown.
    pub fn args(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.args.iter().map(|&(_, name)| name)
    }
}

impl Serialize for CallLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::fmt::Display for CallLine {
    /// The line with the canonical argument names (`handle`), as English words them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.worded(|name| name))
    }
}

/// A sink that drops every step: for runs where only the [`Summary`] matters
/// (`kernsim check`, timing runs).
pub struct Discard;

impl<'a> Sink<'a> for Discard {
    fn step(&mut self, _: StepTrace<'a>, _: &Names) {}

    fn narrates(&self) -> bool {
        false
    }
}

/// How to run a scenario.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Record the kernel's event log (and put it in the trace). Off: faster, no `events`.
    pub event_log: bool,
    /// Recompute every invariant from scratch after every step. Off (the default): after
    /// each step only what it touched is checked ([`IncrementalCheck`]), and the last step
    /// gets the full recomputation.
    pub paranoid: bool,
    /// A memory budget checked after every step: a run whose memory in use exceeds it ends
    /// with [`RunProblem::OverMemoryBudget`] (the CLI: exit 2) instead of growing until the
    /// system aborts it. `None`: no budget.
    pub memory: Option<MemoryBudget>,
    /// Report leaks at the end ([`Summary::leaks`], for narrating sinks). On by default.
    pub leaks: bool,
    /// Makes the kernel the run starts from (`None`: [`Kernel::new`]); tests run a replay
    /// against a kernel with a planted bug this way.
    pub kernel: Option<fn() -> Kernel>,
}

/// How much memory a run may use, and how to measure what it uses (the CLI counts the bytes
/// its global allocator has handed out; an embedder may measure as it likes).
#[derive(Clone, Copy, Debug)]
pub struct MemoryBudget {
    /// Bytes in use now.
    pub in_use: fn() -> usize,
    /// The most bytes the run may use.
    pub limit: usize,
}

impl MemoryBudget {
    /// The problem to report when the budget is exceeded now.
    pub fn exceeded(&self) -> Option<RunProblem<'static>> {
        let in_use = (self.in_use)();
        (in_use > self.limit).then_some(RunProblem::OverMemoryBudget {
            in_use,
            limit: self.limit,
        })
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            event_log: true,
            paranoid: false,
            memory: None,
            leaks: true,
            kernel: None,
        }
    }
}

/// Runs a scenario from the start and keeps every step's trace.
pub fn run(scenario: &Scenario) -> Run<'_> {
    struct Collect<'a> {
        steps: Vec<StepTrace<'a>>,
        names: Names,
    }
    impl<'a> Sink<'a> for Collect<'a> {
        fn step(&mut self, trace: StepTrace<'a>, names: &Names) {
            self.steps.push(trace);
            self.names.clone_from(names);
        }
    }
    let mut c = Collect {
        steps: Vec::new(),
        names: Names::new(),
    };
    let summary = run_with(scenario, RunOptions::default(), &mut c);
    Run {
        steps: c.steps,
        summary,
        names: c.names,
    }
}

/// Runs a scenario, handing each step's trace to `sink` as it finishes; returns the summary.
pub fn run_with<'a>(scenario: &'a Scenario, options: RunOptions, sink: &mut dyn Sink<'a>) -> Summary<'a> {
    let mut kernel = options.kernel.map_or_else(Kernel::new, |make| make());
    kernel.set_event_log(options.event_log);
    let mut st = State {
        sc: scenario,
        kernel,
        syms: vec![SymState::default(); scenario.symbols.len()],
        names: Names::new(),
        pending: BTreeMap::new(),
        narrate: sink.narrates(),
        incremental: None,
        call_steps: Vec::new(),
        deadlocked: false,
    };
    if !options.paranoid {
        st.incremental = Some(IncrementalCheck::new(&mut st.kernel));
    }
    st.kernel.set_code_page(scenario.code_page);
    let mut summary = Summary::default();
    for (path, content) in &scenario.files {
        if let Err(error) = st.kernel.add_file(path, content.as_bytes()) {
            summary.error = Some(RunError {
                step: 0,
                line: 0,
                problem: RunProblem::File { path, error },
            });
            return summary;
        }
    }
    for p in &scenario.processes {
        match st.start(0, 0, p) {
            Ok(trace) => sink.step_in(trace, &st.names, &st.kernel),
            Err(problem) => {
                summary.error = Some(RunError {
                    step: 0,
                    line: 0,
                    problem,
                });
                return summary;
            }
        }
        if let Some(problem) = options.memory.and_then(|m| m.exceeded()) {
            summary.error = Some(RunError {
                step: 0,
                line: 0,
                problem,
            });
            return summary;
        }
    }
    let mut last_completions: Vec<Completion> = Vec::new();
    for (i, step) in scenario.steps.iter().enumerate() {
        let n = i + 1;
        let line = step.line as usize;
        let full_check = n == scenario.steps.len();
        match st.step(n, step, &last_completions, full_check) {
            Ok(trace) => {
                if !matches!(trace.action, Action::Nothing | Action::Show(_)) {
                    last_completions.clone_from(&trace.completions);
                }
                summary.checks += trace.checks.len();
                for c in trace.checks.iter().filter(|c| !c.ok) {
                    summary.failures.push(Failure {
                        step: n,
                        line,
                        check: c.clone(),
                    });
                }
                sink.step_in(trace, &st.names, &st.kernel);
                if let Some(problem) = options.memory.and_then(|m| m.exceeded()) {
                    summary.error = Some(RunError { step: n, line, problem });
                    break;
                }
            }
            Err(problem) => {
                summary.error = Some(RunError { step: n, line, problem });
                break;
            }
        }
    }
    if options.leaks && st.narrate && summary.error.is_none() {
        let leaks = st.kernel.leaks();
        let steps = st.steps_of(leaks.rows.iter().map(|r| r.provenance.call_seq));
        let names = leaks
            .rows
            .iter()
            .flat_map(|r| {
                let from = match r.provenance.origin {
                    Origin::Inherited { parent } => Some(parent),
                    Origin::Duplicated { source, .. } => Some(source),
                    _ => None,
                };
                std::iter::once(r.process_id).chain(from)
            })
            .filter_map(|p| st.names.get(&p).map(|n| (p, n.clone())))
            .collect();
        summary.leaks = Some(LeakReport { leaks, steps, names });
    }
    summary
}

/// The call sequence numbers a why-blocked answer names: the parked call and the
/// provenance of every holder.
fn blocked_seqs(b: &Blocked) -> impl Iterator<Item = u64> + '_ {
    b.call_seq
        .into_iter()
        .chain(b.release.iter().flat_map(|r| holder_seqs(&r.holders)))
}

/// The call sequence numbers of rows' provenance.
fn holder_seqs(holders: &[Holder]) -> impl Iterator<Item = u64> + '_ {
    holders.iter().filter_map(|h| match h {
        Holder::Row { provenance, .. } => Some(provenance.call_seq),
        _ => None,
    })
}

/// A parked call's binds, applied when it completes.
struct PendingBinds<'a> {
    step: usize,
    binds: &'a [Bind],
    holder: Pid,
}

struct State<'a> {
    sc: &'a Scenario,
    kernel: Kernel,
    syms: Vec<SymState>,
    names: Names,
    /// Pending calls by call_seq, so their binds apply when they complete.
    pending: BTreeMap<u64, PendingBinds<'a>>,
    /// Whether traces carry the narrated call.
    narrate: bool,
    /// The per-step check of what each step touched (`None`: full checks every step).
    incremental: Option<IncrementalCheck>,
    /// How explanations name the step of a call: every call the run makes is one call step,
    /// so step = seq + offset, and the offset changes only after steps that make no call.
    /// (first seq, offset) at each change, in order: a run of call steps costs one entry.
    call_steps: Vec<(u64, i64)>,
    /// A deadlock was reported and has not ended.
    deadlocked: bool,
}

type Step<'a, T> = Result<T, RunProblem<'a>>;

impl<'a> State<'a> {
    fn name(&self, s: Sym) -> &'a str {
        self.sc.name(s)
    }

    fn start(&mut self, step: usize, line: usize, p: &'a StartStep) -> Step<'a, StepTrace<'a>> {
        let (pid, tid) = self
            .kernel
            .try_spawn(
                &p.image,
                p.command_line.as_deref().unwrap_or(&p.image),
                p.environment.clone(),
            )
            .map_err(|error| RunProblem::CannotStart {
                name: self.name(p.name),
                error,
            })?;
        self.register_actor(p.name, true, pid.0);
        Ok(StepTrace {
            step,
            line,
            note: None,
            action: Action::Start {
                name: self.name(p.name),
                process_id: pid,
                thread_id: tid,
                image: &p.image,
            },
            events: self.kernel.take_events(),
            completions: Vec::new(),
            completion_binds: Vec::new(),
            checks: Vec::new(),
            explain: None,
        })
    }

    /// The steps of the given call sequence numbers (calls the run made; others are left
    /// out).
    fn steps_of(&self, seqs: impl Iterator<Item = u64>) -> CallSteps {
        seqs.filter_map(|seq| {
            let i = match self.call_steps.binary_search_by_key(&seq, |&(s, _)| s) {
                Ok(i) => i,
                Err(0) => return None,
                Err(i) => i - 1,
            };
            let step = i64::try_from(seq).ok()? + self.call_steps[i].1;
            Some((seq, usize::try_from(step).ok()?))
        })
        .collect()
    }

    /// Adds who waits for whom to the trace when a deadlock has just appeared.
    fn explain_deadlock(&mut self, trace: &mut StepTrace<'a>) {
        let Some(deadlock) = self.kernel.deadlock() else {
            self.deadlocked = false;
            return;
        };
        if std::mem::replace(&mut self.deadlocked, true) {
            return;
        }
        let threads: Vec<Blocked> = deadlock
            .threads
            .iter()
            .filter_map(|t| self.kernel.why_blocked(t.thread_id))
            .collect();
        let steps = self.steps_of(threads.iter().flat_map(blocked_seqs));
        let explain = trace.explain.get_or_insert_with(|| {
            Box::new(Explanation {
                parked: None,
                deadlock: Vec::new(),
                steps: CallSteps::new(),
            })
        });
        explain.steps.extend(steps);
        // The parked thread is told once, as part of the deadlock.
        if explain
            .parked
            .as_ref()
            .is_some_and(|p| threads.iter().any(|t| t.thread_id == p.thread_id))
        {
            explain.parked = None;
        }
        explain.deadlock = threads;
    }

    fn register_actor(&mut self, s: Sym, is_process: bool, id: u32) {
        let object = if is_process {
            self.kernel.process_view(Pid(id)).map(|p| p.object)
        } else {
            self.kernel.thread_view(Tid(id)).map(|t| t.object)
        };
        let state = &mut self.syms[s.0 as usize];
        state.actor = Some(Actor {
            is_process,
            id,
            object: object.unwrap_or_default(),
        });
        state.value = Some(id);
        state.object = object;
        if is_process {
            let name = self.sc.name(s);
            self.names.entry(Pid(id)).or_insert_with(|| name.to_string());
        }
    }

    fn actor(&self, s: Sym) -> Step<'a, Actor> {
        self.syms[s.0 as usize]
            .actor
            .ok_or(RunProblem::Unbound { name: self.name(s) })
    }

    fn value(&self, s: Sym) -> Step<'a, u32> {
        self.syms[s.0 as usize]
            .value
            .ok_or(RunProblem::Unbound { name: self.name(s) })
    }

    fn num(&self, n: &Num) -> Step<'a, u32> {
        match n {
            Num::Lit(v) => Ok(*v),
            Num::Bound(s) => self.value(*s),
            Num::Or(bits, syms) => syms.iter().try_fold(*bits, |acc, s| Ok(acc | self.value(*s)?)),
        }
    }

    fn text(&self, parts: &[TextPart]) -> Step<'a, String> {
        let mut out = String::new();
        for p in parts {
            match p {
                TextPart::Lit(s) => out.push_str(s),
                TextPart::Sym(s) => out.push_str(&show_handle(self.value(*s)?)),
            }
        }
        Ok(out)
    }

    /// The thread a name acts through: a thread, or a process's oldest live thread.
    fn thread_of(&self, s: Sym) -> Step<'a, (Pid, Tid)> {
        let actor = self.actor(s)?;
        if actor.is_process {
            let tid = self.kernel.main_thread(actor.pid()).ok_or(RunProblem::NoLiveThread {
                name: self.name(s),
                pid: actor.pid(),
            })?;
            Ok((actor.pid(), tid))
        } else {
            let pid = self
                .kernel
                .process_of_thread(actor.tid())
                .ok_or(RunProblem::ThreadGone {
                    name: self.name(s),
                    tid: actor.tid(),
                })?;
            Ok((pid, actor.tid()))
        }
    }

    fn display(&self, narration: &Narration) -> Step<'a, CallLine> {
        if let Narration::Lit(s) = narration {
            return Ok(CallLine {
                text: s.to_string(),
                args: Vec::new(),
            });
        }
        let mut out = String::with_capacity(48);
        let mut args = Vec::new();
        for p in narration.pieces() {
            match p {
                DisplayPiece::Lit(s) => out.push_str(s),
                DisplayPiece::Arg(name) => args.push((out.len(), *name)),
                DisplayPiece::Bound(s) => {
                    out.push_str(self.name(*s));
                    out.push('=');
                    out.push_str(&show_handle(self.value(*s)?));
                }
                DisplayPiece::Text(parts) => {
                    out.push('"');
                    out.push_str(&self.text(parts)?);
                    out.push('"');
                }
            }
        }
        Ok(CallLine { text: out, args })
    }

    fn step(
        &mut self,
        n: usize,
        step: &'a PlanStep,
        last_completions: &[Completion],
        full_check: bool,
    ) -> Step<'a, StepTrace<'a>> {
        let mut trace = StepTrace {
            step: n,
            line: step.line as usize,
            note: step.note.as_deref(),
            action: Action::Nothing,
            events: Vec::new(),
            completions: Vec::new(),
            completion_binds: Vec::new(),
            checks: Vec::new(),
            explain: None,
        };
        let mut pending = None;
        let mut may_deadlock = false;
        match &step.kind {
            StepKind::Check => {}
            StepKind::Call(c) => {
                let (pid, tid) = self.thread_of(c.by)?;
                let by = self.name(c.by);
                let values = c
                    .template
                    .patches
                    .iter()
                    .map(|p| match &p.fill {
                        Fill::Number(num) => self.num(num).map(Filled::Number),
                        Fill::Text(parts) => self.text(parts).map(Filled::Text),
                        Fill::Repeat { pattern, len } => Ok(Filled::Bytes(Data::repeat(pattern, *len))),
                    })
                    .collect::<Step<'a, Vec<_>>>()?;
                let call = c.template.instantiate(values);
                let display = if self.narrate {
                    self.display(&c.display)?
                } else {
                    CallLine::default()
                };
                let called = self.kernel.call(tid, &call);
                if called.is_ok() {
                    let seq = self.kernel.last_call_seq();
                    let offset = n as i64 - seq as i64;
                    if self.call_steps.last().is_none_or(|&(_, o)| o != offset) {
                        self.call_steps.push((seq, offset));
                    }
                }
                let outcome = match called {
                    Ok(o) => o,
                    Err(CallError::ThreadParked {
                        call: parked_in,
                        call_seq,
                        ..
                    }) => {
                        return Err(RunProblem::Parked {
                            by,
                            call: c.name(),
                            parked_in,
                            since_step: self.pending.get(&call_seq).map(|p| p.step),
                            call_seq,
                        })
                    }
                    Err(error) => {
                        return Err(RunProblem::CannotCall {
                            by,
                            call: c.name(),
                            error,
                        })
                    }
                };
                let mut binds = Vec::new();
                let call_seq = match &outcome {
                    CallOutcome::Done(r) => {
                        binds = self.apply_binds(&c.binds, r, pid)?;
                        0
                    }
                    CallOutcome::Pending { call_seq } => {
                        pending = Some(*call_seq);
                        self.pending.insert(
                            *call_seq,
                            PendingBinds {
                                step: n,
                                binds: &c.binds,
                                holder: pid,
                            },
                        );
                        *call_seq
                    }
                    CallOutcome::NoReturn => 0,
                };
                // A deadlock can appear only when a thread parks, ends or is suspended.
                may_deadlock = !matches!(outcome, CallOutcome::Done(_))
                    || matches!(
                        call.kind(),
                        CallName::ExitThread | CallName::TerminateProcess | CallName::SuspendThread
                    );
                if self.narrate && matches!(outcome, CallOutcome::Pending { .. }) {
                    if let Some(b) = self.kernel.why_blocked(tid) {
                        let steps = self.steps_of(blocked_seqs(&b));
                        trace.explain = Some(Box::new(Explanation {
                            parked: Some(b),
                            deadlock: Vec::new(),
                            steps,
                        }));
                    }
                }
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
            }
            StepKind::Start(s) => {
                trace.action = self.start(n, step.line as usize, s)?.action;
                self.deadlocked = false;
            }
            StepKind::Advance(ms) => {
                let from_ms = self.kernel.now_ms();
                self.kernel.advance_time(*ms);
                trace.action = Action::Advance {
                    from_ms,
                    to_ms: self.kernel.now_ms(),
                };
            }
            StepKind::Show(s) => trace.action = Action::Show(self.show(s)?),
            StepKind::File(f) => {
                let (path, content) = &**f;
                self.kernel
                    .add_file(path, content.as_bytes())
                    .map_err(|error| RunProblem::File { path, error })?;
                trace.action = Action::File {
                    path,
                    bytes: content.len(),
                };
            }
        }
        if may_deadlock && self.narrate {
            self.explain_deadlock(&mut trace);
        }
        trace.events = self.kernel.take_events();
        trace.completions = self.kernel.take_completions();
        for c in &trace.completions {
            if let Some(p) = self.pending.remove(&c.call_seq) {
                let bound = self.apply_binds(p.binds, &c.result, p.holder)?;
                trace.completion_binds.extend(bound);
            }
        }
        let checked = match &mut self.incremental {
            Some(inc) if !full_check => inc.check(&mut self.kernel),
            Some(inc) => inc
                .check(&mut self.kernel)
                .and_then(|()| self.kernel.check_invariants()),
            None => self.kernel.check_invariants(),
        };
        if let Err(violations) = checked {
            trace.checks.push(Check::new(
                Checked::Invariants,
                violations
                    .into_iter()
                    .map(|violation| Mismatch::Invariant { violation })
                    .collect(),
            ));
        }
        if let Some(expect) = &step.expect {
            let completions = if matches!(trace.action, Action::Nothing | Action::Show(_)) {
                last_completions
            } else {
                &trace.completions
            };
            let result = match &trace.action {
                Action::Call {
                    outcome: CallOutcome::Done(r),
                    ..
                } => Some(r),
                _ => None,
            };
            self.check(expect, result, pending, completions, &mut trace.checks);
        }
        Ok(trace)
    }

    fn apply_binds(&mut self, binds: &[Bind], r: &CallResult, holder: Pid) -> Step<'a, Vec<(&'a str, HandleValue)>> {
        let mut bound = Vec::with_capacity(binds.len());
        for b in binds {
            let (value, owner) = match b.from {
                BindFrom::Ret => (
                    r.ret.as_u32().ok_or(RunProblem::ReturnsNothing)?,
                    matches!(r.ret, Ret::Handle(_)).then_some(holder),
                ),
                BindFrom::Output(field) => {
                    let v = r.output(field).ok_or(RunProblem::NotProduced {
                        output: field.as_str(),
                        ret: r.ret,
                    })?;
                    let n = v.as_u32().ok_or(RunProblem::NotANumber { output: field.as_str() })?;
                    let owner = match v {
                        OutputValue::Handle(_, owner) => Some(owner.pid(holder)),
                        _ => None,
                    };
                    (n, owner)
                }
            };
            match b.as_ {
                BindAs::Process => self.register_actor(b.to, true, value),
                BindAs::Thread => self.register_actor(b.to, false, value),
                BindAs::Value => {
                    let object =
                        owner.and_then(|pid| self.kernel.object_of_handle(pid, HandleValue(value)).map(|o| o.object));
                    let state = &mut self.syms[b.to.0 as usize];
                    state.value = Some(value);
                    state.object = object;
                }
            }
            bound.push((self.name(b.to), HandleValue(value)));
        }
        Ok(bound)
    }

    /// Resolves an object reference to an address (`None`: it names nothing now) and a label.
    fn resolve_object(&self, sel: &ObjectSel) -> Step<'a, (Option<Address>, Label<'a>)> {
        Ok(match sel {
            ObjectSel::Handle { handle, in_ } => {
                let actor = self.actor(*in_)?;
                let pid = self.pid_of(actor);
                let v = HandleValue(self.num(handle)?);
                (
                    self.kernel.object_of_handle(pid, v).map(|o| o.object),
                    Label::Handle {
                        handle: v,
                        in_: self.name(*in_),
                    },
                )
            }
            ObjectSel::Binding(b) => {
                self.value(*b)?;
                (self.syms[b.0 as usize].object, Label::Binding { name: self.name(*b) })
            }
            ObjectSel::Process(p) => (Some(self.actor(*p)?.object), Label::Process { name: self.name(*p) }),
            ObjectSel::Thread(t) => {
                let actor = self.actor(*t)?;
                if actor.is_process {
                    let tid = self.kernel.main_thread(actor.pid());
                    let object = tid.and_then(|t| self.kernel.thread_view(t)).map(|t| t.object);
                    (object, Label::MainThread { name: self.name(*t) })
                } else {
                    (Some(actor.object), Label::Thread { name: self.name(*t) })
                }
            }
            ObjectSel::Address(a) => {
                let v = Address(u64::from(self.num(a)?));
                (Some(v), Label::Address { address: v })
            }
        })
    }

    fn pid_of(&self, actor: Actor) -> Pid {
        if actor.is_process {
            actor.pid()
        } else {
            self.kernel.process_of_thread(actor.tid()).unwrap_or_default()
        }
    }

    fn show(&self, s: &ShowStep) -> Step<'a, Shown<'a>> {
        let selected = || -> Step<'a, Vec<(String, Pid)>> {
            Ok(match &s.of {
                Some(of) => of
                    .iter()
                    .filter_map(|&n| {
                        self.syms[n.0 as usize]
                            .actor
                            .map(|a| (self.name(n).to_string(), self.pid_of(a)))
                    })
                    .collect(),
                None => self
                    .kernel
                    .process_ids()
                    .into_iter()
                    .filter(|&p| self.kernel.is_running(p))
                    .map(|p| (self.name_of(p), p))
                    .collect(),
            })
        };
        Ok(match s.what {
            ShowWhat::Handles => {
                let tables: Vec<(String, ProcessView)> = selected()?
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
                let target = s.target.as_ref().expect("compiled with a target");
                let (address, label) = self.resolve_object(target)?;
                let holders = address
                    .and_then(|a| self.kernel.why_alive(a))
                    .map_or_else(Vec::new, |a| a.holders);
                Shown::Object {
                    object: address.and_then(|a| self.kernel.object_view(a)),
                    label,
                    steps: self.steps_of(holder_seqs(&holders)),
                    holders,
                }
            }
            ShowWhat::WhyAlive => {
                let target = s.target.as_ref().expect("compiled with a target");
                let (address, label) = self.resolve_object(target)?;
                let alive = address.and_then(|a| self.kernel.why_alive(a));
                let steps = self.steps_of(alive.iter().flat_map(|a| holder_seqs(&a.holders)));
                Shown::WhyAlive { label, alive, steps }
            }
            ShowWhat::WhyBlocked => {
                let mut threads = Vec::new();
                let mut not_blocked = Vec::new();
                match &s.of {
                    Some(of) => {
                        for &sym in of.iter() {
                            let actor = self.actor(sym)?;
                            let tids = if actor.is_process {
                                self.kernel
                                    .process_view(actor.pid())
                                    .map_or_else(Vec::new, |p| p.threads)
                            } else {
                                vec![actor.tid()]
                            };
                            let before = threads.len();
                            threads.extend(tids.into_iter().filter_map(|t| self.kernel.why_blocked(t)));
                            if threads.len() == before {
                                not_blocked.push(self.name(sym));
                            }
                        }
                    }
                    None => threads.extend(
                        self.kernel
                            .snapshot()
                            .threads
                            .iter()
                            .filter_map(|t| self.kernel.why_blocked(t.thread_id)),
                    ),
                }
                let steps = self.steps_of(threads.iter().flat_map(blocked_seqs));
                Shown::WhyBlocked {
                    threads,
                    not_blocked,
                    steps,
                }
            }
            ShowWhat::Leaks => {
                let leaks = self.kernel.leaks();
                let steps = self.steps_of(leaks.rows.iter().map(|r| r.provenance.call_seq));
                Shown::Leaks { leaks, steps }
            }
            ShowWhat::Namespace => Shown::Namespace {
                names: self.kernel.names(),
            },
            ShowWhat::Env => Shown::Env {
                blocks: selected()?
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

    fn name_of(&self, pid: Pid) -> String {
        self.names.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}"))
    }

    /// The rows among holders as sorted (process name, value) pairs.
    fn row_pairs(&self, holders: &[Holder]) -> Vec<(String, HandleValue)> {
        let mut pairs: Vec<(String, HandleValue)> = holders
            .iter()
            .filter_map(|h| match h {
                Holder::Row { process_id, handle, .. } => Some((self.name_of(*process_id), *handle)),
                _ => None,
            })
            .collect();
        pairs.sort();
        pairs.dedup();
        pairs
    }

    /// A mismatch when the expected (process, value) rows are not exactly `actual`.
    fn holders_mismatch(&self, expected: &[(Sym, Num)], actual: Vec<(String, HandleValue)>) -> Option<Mismatch<'a>> {
        let mut want: Vec<(String, HandleValue)> = Vec::with_capacity(expected.len());
        for (p, h) in expected {
            let pid = match self.actor(*p) {
                Ok(a) => self.pid_of(a),
                Err(_) => return Some(Mismatch::Unbound { name: self.name(*p) }),
            };
            let v = match self.num(h) {
                Ok(v) => HandleValue(v).canonical(),
                Err(RunProblem::Unbound { name }) => return Some(Mismatch::Unbound { name }),
                Err(_) => return Some(Mismatch::Unbound { name: "" }),
            };
            want.push((self.name_of(pid), v));
        }
        want.sort();
        want.dedup();
        (want != actual).then_some(Mismatch::Holders { expected: want, actual })
    }

    /// Whether a process or thread is parked (a process: any of its threads).
    fn is_blocked(&self, s: Sym) -> bool {
        let Some(actor) = self.syms[s.0 as usize].actor else {
            return false;
        };
        if actor.is_process {
            self.kernel.process_view(actor.pid()).is_some_and(|p| {
                p.threads
                    .iter()
                    .any(|&t| self.kernel.thread_view(t).is_some_and(|t| t.parked.is_some()))
            })
        } else {
            self.kernel.thread_view(actor.tid()).is_some_and(|t| t.parked.is_some())
        }
    }

    /// Mismatches of a call's result against expected ret, last error and outputs.
    fn result_mismatches(
        &self,
        ret: Option<&'a Written<ExpectRet>>,
        last_error: Option<u32>,
        outputs: Option<&'a ExpectOutputs>,
        r: &CallResult,
        out: &mut Vec<Mismatch<'a>>,
    ) {
        if let Some(w) = ret {
            match self.ret_matches(&w.value, r.ret) {
                Ok(true) => {}
                Ok(false) => out.push(Mismatch::Ret {
                    expected: &w.text,
                    actual: r.ret,
                }),
                Err(RunProblem::Unbound { name }) => out.push(Mismatch::Unbound { name }),
                Err(_) => {}
            }
        }
        if let Some(code) = last_error {
            if code != r.last_error.code() {
                out.push(Mismatch::LastError {
                    expected: code,
                    actual: r.last_error,
                });
            }
        }
        if let Some(o) = outputs {
            self.output_mismatches(o, r, out);
        }
    }

    fn ret_matches(&self, e: &ExpectRet, actual: Ret) -> Step<'a, bool> {
        Ok(match e {
            ExpectRet::Void => actual.as_u32().is_none(),
            ExpectRet::Is(n) => actual.as_u32() == Some(self.num(n)?),
            ExpectRet::Not(inner) => !self.ret_matches(inner, actual)?,
        })
    }

    fn output_mismatches(&self, o: &'a ExpectOutputs, r: &CallResult, out: &mut Vec<Mismatch<'a>>) {
        for (field, want) in &o.items {
            if let ExpectOutput::Untouched = want {
                if let Some(have) = r.output(*field) {
                    out.push(Mismatch::Output {
                        field: *field,
                        expected: "untouched".to_string(),
                        actual: have.as_u32().map_or_else(|| format!("{have:?}"), |n| n.to_string()),
                    });
                }
                continue;
            }
            let Some(have) = r.output(*field) else {
                out.push(Mismatch::OutputMissing {
                    field: *field,
                    expected: show_expected_output(want),
                });
                continue;
            };
            match (want, have) {
                (ExpectOutput::Number(w), h) => {
                    let wanted = match self.num(&w.value) {
                        Ok(v) => v,
                        Err(RunProblem::Unbound { name }) => {
                            out.push(Mismatch::Unbound { name });
                            continue;
                        }
                        Err(_) => continue,
                    };
                    if h.as_u32() != Some(wanted) {
                        out.push(Mismatch::Output {
                            field: *field,
                            expected: format!("{} ({wanted})", w.text),
                            actual: h.as_u32().map_or_else(|| format!("{h:?}"), |n| n.to_string()),
                        });
                    }
                }
                (ExpectOutput::Data(w), OutputValue::Data(h)) if w == h => {}
                (ExpectOutput::Data(w), OutputValue::Data(h)) => out.push(Mismatch::Output {
                    field: *field,
                    expected: w.display(),
                    actual: h.display(),
                }),
                (ExpectOutput::Text(w), OutputValue::Text(h)) if w == h => {}
                (ExpectOutput::Text(w), OutputValue::Text(h)) => out.push(Mismatch::Output {
                    field: *field,
                    expected: format!("{w:?}"),
                    actual: format!("{h:?}"),
                }),
                (ExpectOutput::Strings(w), OutputValue::Strings(h)) if w.as_slice() == h => {}
                (ExpectOutput::Strings(w), OutputValue::Strings(h)) => out.push(Mismatch::Output {
                    field: *field,
                    expected: format!("{w:?}"),
                    actual: format!("{h:?}"),
                }),
                (ExpectOutput::Entry(fields), OutputValue::Entry(e)) => {
                    for (k, v) in fields {
                        let got: Option<EntryField> = match k.as_str() {
                            "process_id" | "th32ProcessID" => Some(EntryField::Num(e.process_id)),
                            "parent_process_id" | "th32ParentProcessID" => Some(EntryField::Num(e.parent_process_id)),
                            "threads" | "cntThreads" => Some(EntryField::Num(e.threads)),
                            "priority_base" | "pcPriClassBase" => Some(EntryField::Num(e.priority_base)),
                            "exe_file" | "szExeFile" => Some(EntryField::Text(&e.exe_file)),
                            _ => None,
                        };
                        let Some(got) = got else {
                            out.push(Mismatch::EntryField {
                                field: k,
                                expected: show_entry(v),
                                actual: None,
                            });
                            continue;
                        };
                        let same = match (v, &got) {
                            (EntryValue::Text(a), EntryField::Text(b)) => a.eq_ignore_ascii_case(b),
                            (EntryValue::Number(w), EntryField::Num(b)) => self.num(&w.value).ok() == Some(*b),
                            _ => false,
                        };
                        if !same {
                            out.push(Mismatch::EntryField {
                                field: k,
                                expected: show_entry(v),
                                actual: Some(match got {
                                    EntryField::Num(n) => n.to_string(),
                                    EntryField::Text(t) => format!("{t:?}"),
                                }),
                            });
                        }
                    }
                }
                (w, h) => out.push(Mismatch::Output {
                    field: *field,
                    expected: show_expected_output(w),
                    actual: format!("{h:?}"),
                }),
            }
        }
    }

    fn check(
        &self,
        e: &'a Expectations,
        result: Option<&CallResult>,
        pending: Option<u64>,
        completions: &[Completion],
        checks: &mut Vec<Check<'a>>,
    ) {
        if let Some(want) = e.pending {
            let got = pending.is_some();
            let found = if got == want {
                vec![]
            } else {
                vec![Mismatch::Pending { expected: want }]
            };
            checks.push(Check::new(Checked::Pending { expected: want }, found));
        }
        if e.ret.is_some() || e.last_error.is_some() || e.outputs.is_some() {
            match result {
                None => checks.push(Check::new(Checked::CallResult, vec![Mismatch::NoResult])),
                Some(r) => {
                    if let Some(w) = &e.ret {
                        let mut found = Vec::new();
                        self.result_mismatches(Some(w), None, None, r, &mut found);
                        checks.push(Check::new(Checked::Ret { expected: &w.text }, found));
                    }
                    if let Some(w) = &e.last_error {
                        let mut found = Vec::new();
                        self.result_mismatches(None, Some(w.value), None, r, &mut found);
                        checks.push(Check::new(Checked::LastError { expected: &w.text }, found));
                    }
                    if let Some(o) = e.outputs.as_deref() {
                        let mut found = Vec::new();
                        self.output_mismatches(o, r, &mut found);
                        checks.push(Check::new(Checked::Outputs { expected: &o.text }, found));
                    }
                }
            }
        }
        let Some(st) = e.state.as_deref() else {
            return;
        };
        for &s in &st.blocked {
            let name = self.name(s);
            let found = if self.is_blocked(s) {
                vec![]
            } else {
                vec![Mismatch::NotParked { name }]
            };
            checks.push(Check::new(Checked::Blocked { name }, found));
        }
        for b in &st.blocked_by {
            let name = self.name(b.thread);
            let blocked = self.actor(b.thread).ok().and_then(|actor| {
                let tid = if actor.is_process {
                    self.kernel.main_thread(actor.pid())?
                } else {
                    actor.tid()
                };
                self.kernel.why_blocked(tid)
            });
            let found = match blocked {
                None => vec![Mismatch::NotParked { name }],
                Some(b2) => {
                    let holders: Vec<Holder> = b2.release.into_iter().flat_map(|r| r.holders).collect();
                    let actual = self.row_pairs(&holders);
                    self.holders_mismatch(&b.holders, actual).into_iter().collect()
                }
            };
            checks.push(Check::new(Checked::BlockedBy { name }, found));
        }
        for &s in &st.unblocked {
            let name = self.name(s);
            let found = if self.is_blocked(s) {
                vec![Mismatch::Parked { name }]
            } else {
                vec![]
            };
            checks.push(Check::new(Checked::Unblocked { name }, found));
        }
        if st.no_completion {
            let found = if completions.is_empty() {
                vec![]
            } else {
                vec![Mismatch::Completions {
                    count: completions.len(),
                }]
            };
            checks.push(Check::new(Checked::NoCompletion, found));
        }
        let mut used = vec![false; completions.len()];
        for c in &st.completed {
            let found = self.check_completion(c, completions, &mut used);
            checks.push(Check::new(
                Checked::Completed {
                    by: self.name(c.by),
                    call: c.call,
                },
                found,
            ));
        }
        for t in &st.table {
            checks.push(Check::new(Checked::Table { of: self.name(t.of) }, self.check_table(t)));
        }
        for o in &st.object {
            checks.push(self.check_object(o));
        }
        for p in &st.process {
            checks.push(Check::new(
                Checked::Process {
                    name: self.name(p.name),
                },
                self.check_process(p),
            ));
        }
        for env in &st.env {
            checks.push(Check::new(
                Checked::Env {
                    process: self.name(env.in_),
                    name: &env.name,
                    value: env.value.as_deref(),
                },
                self.check_env(env),
            ));
        }
        if let Some(t) = st.time_ms {
            let now = self.kernel.now_ms();
            let found = if now == t {
                vec![]
            } else {
                vec![Mismatch::Clock { actual: now }]
            };
            checks.push(Check::new(Checked::Time { ms: t }, found));
        }
        if let Some(want) = st.deadlock {
            let found = match (self.kernel.deadlock(), want) {
                (Some(_), true) | (None, false) => vec![],
                (None, true) => vec![Mismatch::NoDeadlock],
                (Some(deadlock), false) => vec![Mismatch::Deadlock { deadlock }],
            };
            checks.push(Check::new(Checked::Deadlock { expected: want }, found));
        }
    }

    fn check_completion(
        &self,
        c: &'a ExpectCompleted,
        completions: &[Completion],
        used: &mut [bool],
    ) -> Vec<Mismatch<'a>> {
        let actor = match self.actor(c.by) {
            Ok(a) => a,
            Err(_) => return vec![Mismatch::Unbound { name: self.name(c.by) }],
        };
        let mut last = None;
        for (i, done) in completions.iter().enumerate() {
            let mine = if actor.is_process {
                done.process_id == actor.pid()
            } else {
                done.thread_id == actor.tid()
            };
            if used[i] || !mine || c.call.is_some_and(|call| call.as_str() != done.call) {
                continue;
            }
            let mut found = Vec::new();
            self.result_mismatches(
                c.ret.as_ref(),
                c.last_error,
                c.outputs.as_ref(),
                &done.result,
                &mut found,
            );
            if found.is_empty() {
                used[i] = true;
                return vec![];
            }
            last = Some(Mismatch::CompletedWith {
                call: done.call.clone(),
                found,
            });
        }
        vec![last.unwrap_or_else(|| Mismatch::NoCompletionOf {
            by: self.name(c.by),
            completed: completions.iter().map(|d| (d.call.clone(), d.thread_id)).collect(),
        })]
    }

    fn check_table(&self, t: &'a ExpectTable) -> Vec<Mismatch<'a>> {
        let actor = match self.actor(t.of) {
            Ok(a) => a,
            Err(_) => return vec![Mismatch::Unbound { name: self.name(t.of) }],
        };
        let Some(view) = self.kernel.process_view(actor.pid()) else {
            return vec![Mismatch::ProcessGone { name: self.name(t.of) }];
        };
        let mut found = Vec::new();
        let mut matched = Vec::new();
        let num = |n: &Num, found: &mut Vec<Mismatch<'a>>| match self.num(n) {
            Ok(v) => Some(v),
            Err(RunProblem::Unbound { name }) => {
                found.push(Mismatch::Unbound { name });
                None
            }
            Err(_) => None,
        };
        for row in &t.rows {
            let Some(v) = num(&row.handle, &mut found) else {
                continue;
            };
            let v = HandleValue(v);
            let Some(have) = view.handles.iter().find(|r| r.handle == v.canonical()) else {
                found.push(Mismatch::NoRow { handle: v });
                continue;
            };
            matched.push(have.handle);
            if let Some(inherit) = row.inherit {
                if have.inherit != inherit {
                    found.push(Mismatch::RowInherit {
                        handle: have.handle,
                        expected: inherit,
                        actual: have.inherit,
                    });
                }
            }
            if let Some(p) = row.protect_from_close {
                if have.protect_from_close != p {
                    found.push(Mismatch::RowProtect {
                        handle: have.handle,
                        expected: p,
                        actual: have.protect_from_close,
                    });
                }
            }
            if let Some(kind) = &row.kind {
                if !have.kind.name().eq_ignore_ascii_case(kind) {
                    found.push(Mismatch::RowKind {
                        handle: have.handle,
                        expected: kind,
                        actual: have.kind,
                    });
                }
            }
            if let Some(a) = &row.access {
                let Some(want) = num(a, &mut found) else { continue };
                if have.access != want {
                    found.push(Mismatch::RowAccess {
                        handle: have.handle,
                        expected: want,
                        actual: have.access,
                    });
                }
            }
            if let Some(want) = &row.origin {
                match self.check_origin(want, have.provenance.origin) {
                    Ok(None) => {}
                    Ok(Some((expected, actual))) => found.push(Mismatch::RowOrigin {
                        handle: have.handle,
                        expected,
                        actual,
                    }),
                    Err(RunProblem::Unbound { name }) => found.push(Mismatch::Unbound { name }),
                    Err(_) => {}
                }
            }
            if let Some(o) = &row.object {
                match self.resolve_object(o) {
                    Ok((address, label)) if address != Some(have.object) => found.push(Mismatch::RowObject {
                        handle: have.handle,
                        expected: label,
                        expected_address: address,
                        actual: have.object,
                    }),
                    Ok(_) => {}
                    Err(RunProblem::Unbound { name }) => found.push(Mismatch::Unbound { name }),
                    Err(_) => {}
                }
            }
        }
        for v in &t.absent {
            let Some(v) = num(v, &mut found) else { continue };
            let v = HandleValue(v);
            if view.handles.iter().any(|r| r.handle == v.canonical()) {
                found.push(Mismatch::RowPresent { handle: v });
            }
        }
        if t.exact {
            for r in &view.handles {
                if !matched.contains(&r.handle) {
                    found.push(Mismatch::UnexpectedRow {
                        handle: r.handle,
                        object: r.object,
                    });
                }
            }
        }
        if let Some(count) = t.count {
            if view.handles.len() != count {
                found.push(Mismatch::RowCount {
                    expected: count,
                    actual: view.handles.len(),
                });
            }
        }
        found
    }

    /// Compares a row's provenance with the parts an expectation states: `None` when they
    /// hold, else the expected and the found facts.
    fn check_origin(
        &self,
        want: &'a ExpectOrigin,
        have: Origin,
    ) -> Step<'a, Option<(OriginFacts<'a>, OriginFacts<'a>)>> {
        let (how, call, from, source_handle, closed_source) = match have {
            Origin::Created { call } => (OriginHow::Created, Some(call), None, None, None),
            Origin::Opened { call } => (OriginHow::Opened, Some(call), None, None, None),
            Origin::Inherited { parent } => (OriginHow::Inherited, None, Some(parent), None, None),
            Origin::Duplicated {
                source,
                source_handle,
                closed_source,
            } => (
                OriginHow::Duplicated,
                None,
                Some(source),
                Some(source_handle),
                Some(closed_source),
            ),
        };
        /// A stated part holds when it was not stated or equals what was found.
        fn fits<T: PartialEq>(want: Option<T>, have: Option<T>) -> bool {
            want.is_none() || want == have
        }
        let want_from = match want.from {
            Some(s) => Some(self.actor(s)?.pid()),
            None => None,
        };
        let want_source = match &want.source_handle {
            Some(n) => Some(HandleValue(self.num(n)?)),
            None => None,
        };
        if want.how == how
            && fits(want.call, call)
            && fits(want_from, from)
            && fits(want_source, source_handle)
            && fits(want.closed_source, closed_source)
        {
            return Ok(None);
        }
        let expected = OriginFacts {
            how: want.how,
            call: want.call,
            from: want.from.map(|s| self.name(s).into()),
            source_handle: want_source,
            closed_source: want.closed_source,
        };
        let actual = OriginFacts {
            how,
            call,
            from: from.map(|pid| self.process_name(pid)),
            source_handle,
            closed_source,
        };
        Ok(Some((expected, actual)))
    }

    /// A process's scenario name, or `pid N` when no actor is bound to it.
    fn process_name(&self, pid: Pid) -> std::borrow::Cow<'a, str> {
        let named = self
            .syms
            .iter()
            .position(|s| s.actor.is_some_and(|a| a.is_process && a.pid() == pid));
        match named {
            Some(i) => self.name(Sym(i as u32)).into(),
            None => format!("pid {}", pid.0).into(),
        }
    }

    fn check_object(&self, o: &'a ExpectObject) -> Check<'a> {
        let (address, label) = match self.resolve_object(&o.target) {
            Ok(v) => v,
            Err(problem) => {
                let name = match problem {
                    RunProblem::Unbound { name } => name,
                    _ => "",
                };
                return Check::new(
                    Checked::Object {
                        object: None,
                        alive: o.alive,
                        usage_count: None,
                        handle_count: None,
                        holders: o.holders.as_ref().map(|h| h.len()),
                        kind: o.kind.as_deref(),
                        signaled: o.signaled,
                    },
                    vec![Mismatch::Unbound { name }],
                );
            }
        };
        let view = address.and_then(|a| self.kernel.object_view(a));
        let mut found = Vec::new();
        if let Some(alive) = o.alive {
            if view.is_some() != alive {
                found.push(Mismatch::Alive { expected: alive });
            }
        }
        if let Some(v) = &view {
            if let Some(u) = o.usage_count {
                if v.usage_count != u {
                    found.push(Mismatch::UsageCount {
                        expected: u,
                        actual: v.usage_count,
                    });
                }
            }
            if let Some(h) = o.handle_count {
                if v.handle_count != h {
                    found.push(Mismatch::HandleCount {
                        expected: h,
                        actual: v.handle_count,
                    });
                }
            }
            if let Some(k) = &o.kind {
                if !v.kind.name().eq_ignore_ascii_case(k) {
                    found.push(Mismatch::Kind {
                        expected: k,
                        actual: v.kind,
                    });
                }
            }
            if let Some(s) = o.signaled {
                let actual = match &v.detail {
                    Detail::Event { signaled, .. } => Some(*signaled),
                    Detail::Mutex { owner, .. } => Some(owner.is_none()),
                    Detail::Semaphore { count, .. } => Some(*count > 0),
                    Detail::Process { exited, .. } | Detail::Thread { exited, .. } => Some(*exited),
                    _ => None,
                };
                if actual != Some(s) {
                    found.push(Mismatch::Signaled { expected: s, actual });
                }
            }
            if let Some(expected) = &o.holders {
                let alive = address.and_then(|a| self.kernel.why_alive(a));
                let actual = alive.map_or_else(Vec::new, |a| self.row_pairs(&a.holders));
                if let Some(m) = self.holders_mismatch(expected, actual) {
                    found.push(m);
                }
            }
        } else if o.usage_count.is_some()
            || o.handle_count.is_some()
            || o.kind.is_some()
            || o.signaled.is_some()
            || o.holders.is_some()
        {
            found.push(Mismatch::DoesNotExist);
        }
        Check::new(
            Checked::Object {
                object: Some(label),
                alive: o.alive,
                usage_count: view.as_ref().and(o.usage_count),
                handle_count: view.as_ref().and(o.handle_count),
                holders: o.holders.as_ref().map(|h| h.len()),
                kind: view.as_ref().and(o.kind.as_deref()),
                signaled: view.as_ref().and(o.signaled),
            },
            found,
        )
    }

    fn check_process(&self, p: &'a ExpectProcess) -> Vec<Mismatch<'a>> {
        let actor = match self.actor(p.name) {
            Ok(a) => a,
            Err(_) => {
                return vec![Mismatch::Unbound {
                    name: self.name(p.name),
                }]
            }
        };
        let view = self.kernel.process_view(actor.pid());
        let mut found = Vec::new();
        if let Some(alive) = p.alive {
            if view.is_some() != alive {
                found.push(Mismatch::ProcessAlive { expected: alive });
            }
        }
        if let Some(running) = p.running {
            if self.kernel.is_running(actor.pid()) != running {
                found.push(Mismatch::Running { expected: running });
            }
        }
        if let Some(code) = &p.exit_code {
            match (self.num(code), &view) {
                (Ok(want), Some(v)) => {
                    let have = v.exit_code.unwrap_or(consts::STILL_ACTIVE);
                    if have != want {
                        found.push(Mismatch::ExitCode {
                            expected: want,
                            actual: have,
                        });
                    }
                }
                (Ok(_), None) => found.push(Mismatch::ExitCodeGone),
                (Err(RunProblem::Unbound { name }), _) => found.push(Mismatch::Unbound { name }),
                (Err(_), _) => {}
            }
        }
        if let Some(n) = p.threads {
            let have = view.as_ref().map_or(0, |v| v.threads.len() as u32);
            if have != n {
                found.push(Mismatch::Threads {
                    expected: n,
                    actual: have,
                });
            }
        }
        if let Some(parent) = p.parent {
            let want = self.syms[parent.0 as usize].actor.map(Actor::pid);
            let have = view.as_ref().map(|v| v.parent_process_id);
            if have != want {
                found.push(Mismatch::Parent {
                    expected: self.name(parent),
                    expected_pid: want,
                    actual: have,
                });
            }
        }
        found
    }

    fn check_env(&self, e: &'a ExpectEnv) -> Vec<Mismatch<'a>> {
        let actor = match self.actor(e.in_) {
            Ok(a) => a,
            Err(_) => return vec![Mismatch::Unbound { name: self.name(e.in_) }],
        };
        let Some(view) = self.kernel.process_view(actor.pid()) else {
            return vec![Mismatch::ProcessGone { name: self.name(e.in_) }];
        };
        let have = env::value(&view.environment, &e.name);
        if have == e.value.as_deref() {
            vec![]
        } else {
            vec![Mismatch::Env {
                expected: e.value.as_deref(),
                actual: have.map(str::to_string),
            }]
        }
    }
}

/// A field of a process entry, as found.
enum EntryField<'e> {
    Num(u32),
    Text(&'e str),
}

fn show_entry(v: &EntryValue) -> String {
    match v {
        EntryValue::Number(w) => w.text.to_string(),
        EntryValue::Text(t) => format!("{t:?}"),
    }
}

fn show_expected_output(o: &ExpectOutput) -> String {
    match o {
        ExpectOutput::Number(w) => w.text.to_string(),
        ExpectOutput::Data(d) => d.display(),
        ExpectOutput::Text(t) => format!("{t:?}"),
        ExpectOutput::Strings(s) => format!("{s:?}"),
        ExpectOutput::Entry(_) => "a process entry".to_string(),
        ExpectOutput::Untouched => "untouched".to_string(),
    }
}
