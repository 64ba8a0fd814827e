//! Trace rendering: narrated text in English or Korean, drawing handle tables as the source
//! note does (`| handle | object address | inherit |` plus the usage count), and JSON lines
//! (one object per line: a `scenario` header, one `step` per step, a `summary`).

use crate::check::*;
use crate::format::Text;
use crate::load::Scenario;
use crate::runner::*;
use kernsim_kernel::*;
use std::collections::BTreeMap;
use std::fmt::Write;

pub use crate::i18n::Lang;

fn why(lang: Lang, w: Why) -> &'static str {
    match w {
        Why::Create => lang.t("create"),
        Why::Open => lang.t("open"),
        Why::Inherit => lang.t("inherit"),
        Why::Duplicate => lang.t("duplicate"),
        Why::Close => lang.t("closehandle"),
        Why::CloseSource => lang.t("duplicate-close-source"),
        Why::ExitSweep => lang.t("process-exit-closes-it"),
        Why::Start => lang.t("starts-running"),
        Why::Exit => lang.t("stops-running"),
    }
}

fn pipe_state(lang: Lang, s: PipeState) -> &'static str {
    match s {
        PipeState::Listening => lang.t("listening"),
        PipeState::Connected => lang.t("connected"),
        PipeState::Closing => lang.t("closing-the-other-end-is-gone"),
        PipeState::Disconnected => lang.t("disconnected"),
    }
}

/// An object named in a wait reason: "Pipe 0x1200", or "a destroyed object".
fn tag(t: &Option<ObjectTag>) -> String {
    match t {
        Some(t) => format!("{} {:#x}", t.kind.name(), t.address),
        None => "a destroyed object".to_string(),
    }
}

/// What a parked call waits for, in words.
pub fn wait_reason(_lang: Lang, w: &WaitReason) -> String {
    match w {
        WaitReason::Signaled { objects, wait_all } => {
            let list: Vec<String> = objects.iter().map(tag).collect();
            format!("{} to be signaled", list.join(if *wait_all { " and " } else { " or " }))
        }
        WaitReason::Clock => "the clock".to_string(),
        WaitReason::Data { end } => format!("data in {}", tag(end)),
        WaitReason::ReadDown { end } => format!("{} to be read down to its quota", tag(end)),
        WaitReason::Client { end } => format!("a client on {}", tag(end)),
        WaitReason::ListeningInstance { pipe } => format!("a listening instance of {pipe}"),
        WaitReason::PeerReads { end } => format!("the peer of {} to read everything", tag(end)),
        WaitReason::Message { mailslot } => format!("a message in {}", tag(mailslot)),
        WaitReason::Reply { end } => format!("a reply on {}", tag(end)),
        WaitReason::Resume => "ResumeThread".to_string(),
    }
}

fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

/// What the renderer remembers across steps (object kinds and thread owners seen so far), and
/// the process names the run knows at the step being rendered.
struct Ctx<'n> {
    lang: Lang,
    names: &'n Names,
    kinds: &'n mut BTreeMap<Address, ObjectKind>,
    thread_owner: &'n mut BTreeMap<Tid, Pid>,
}

impl Ctx<'_> {
    fn proc(&self, pid: Pid) -> String {
        match self.names.get(&pid) {
            Some(n) => format!("{n} (pid {pid})"),
            None => format!("pid {pid}"),
        }
    }

    fn short(&self, pid: Pid) -> String {
        self.names.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}"))
    }

    fn thread(&self, tid: Tid) -> String {
        match self.thread_owner.get(&tid) {
            Some(pid) => format!("{} (tid {tid})", self.short(*pid)),
            None => format!("tid {tid}"),
        }
    }

    fn obj(&self, address: Address) -> String {
        match self.kinds.get(&address) {
            Some(k) => format!("{} {address:#x}", k.name()),
            None => format!("{address:#x}"),
        }
    }

    /// The cause of a count change that no row change explains: a process or thread that
    /// starts or stops running holds or drops its reference on its own object.
    fn count_cause(&self, object: Address, delta: i32, w: Why) -> String {
        let process = self.kinds.get(&object) == Some(&ObjectKind::Process);
        let cause = match (w, process) {
            (Why::Start, true) => self.lang.t("the-process-is-running"),
            (Why::Start, false) => self.lang.t("the-thread-is-running"),
            (Why::Exit, true) => self.lang.t("the-process-ended"),
            (Why::Exit, false) => self.lang.t("the-thread-ended"),
            _ => return String::new(),
        };
        format!(": {delta:+}, {cause}")
    }

    fn event(&mut self, e: &Event) -> Option<String> {
        let l = self.lang;
        Some(match e {
            Event::ObjectCreated { object, kind, name } => {
                self.kinds.insert(*object, *kind);
                let name = name.as_ref().map_or(String::new(), |n| format!(" \"{n}\""));
                format!("{} {}{name}", l.t("new"), self.obj(*object))
            }
            Event::ObjectDestroyed { object, .. } => {
                format!("{} {}", self.obj(*object), l.t("is-destroyed-usage-count-0"))
            }
            Event::RowAdded {
                process_id,
                handle,
                object,
                inherit,
                why: w,
                ..
            } => format!(
                "{}: {} {handle} {} -> {} ({} {}, {})",
                self.short(*process_id),
                l.t("handle"),
                l.t("registered"),
                self.obj(*object),
                l.t("inherit"),
                yn(*inherit),
                why(l, *w)
            ),
            Event::RowRemoved {
                process_id,
                handle,
                object,
                why: w,
            } => format!(
                "{}: {} {handle} -> {} {} ({})",
                self.short(*process_id),
                l.t("handle"),
                self.obj(*object),
                l.t("removed"),
                why(l, *w)
            ),
            Event::CountChanged {
                object,
                usage_count,
                handle_count,
                delta,
                why: w,
            } => format!(
                "{}: {} {usage_count} ({} {handle_count}){}",
                self.obj(*object),
                l.t("usage-count"),
                l.t("handles"),
                self.count_cause(*object, *delta, *w),
            ),
            Event::FlagsChanged {
                process_id,
                handle,
                object,
                inherit,
                protect_from_close,
                before,
            } => format!(
                "{}: {} {handle} -> {}: {} {} -> {}, {} {} -> {}",
                self.short(*process_id),
                l.t("handle"),
                self.obj(*object),
                l.t("inherit"),
                yn(before & 1 != 0),
                yn(*inherit),
                l.t("protect-from-close"),
                yn(before & 2 != 0),
                yn(*protect_from_close),
            ),
            Event::ProcessStarted {
                process_id,
                parent_process_id,
                image,
            } => {
                let parent = if parent_process_id.0 == 0 {
                    l.t("the-system").to_string()
                } else {
                    self.short(*parent_process_id)
                };
                format!(
                    "{} {} {} {image} ({} {parent})",
                    l.t("process"),
                    self.proc(*process_id),
                    l.t("starts"),
                    l.t("created-by")
                )
            }
            Event::ProcessExited { process_id, exit_code } => {
                format!(
                    "{} {} {} {exit_code}",
                    l.t("process"),
                    self.proc(*process_id),
                    l.t("exits-with-code")
                )
            }
            Event::ThreadStarted { thread_id, process_id } => {
                self.thread_owner.insert(*thread_id, *process_id);
                return None;
            }
            Event::ThreadExited {
                thread_id, exit_code, ..
            } => {
                format!("{} {} {exit_code}", self.thread(*thread_id), l.t("ends-with-code"))
            }
            Event::CallParked { thread_id, call, .. } => {
                format!("{} {} {call}", self.thread(*thread_id), l.t("blocks-in"))
            }
            Event::CallCompleted {
                thread_id,
                call,
                ret,
                last_error,
                ..
            } => format!(
                "{}: {call} {} -> {ret}{}",
                self.thread(*thread_id),
                l.t("completes"),
                if matches!(ret, Ret::Bool(false)) || *ret == Ret::Dword(consts::WAIT_FAILED) {
                    format!(", GetLastError = {last_error}")
                } else {
                    String::new()
                }
            ),
            Event::CallAbandoned { thread_id, call, .. } => {
                format!(
                    "{}: {call} {}",
                    self.thread(*thread_id),
                    l.t("is-abandoned-its-thread-ended")
                )
            }
            Event::NameAdded { name, object } => {
                format!("{} \"{name}\" -> {}", l.t("name"), self.obj(*object))
            }
            Event::NameRemoved { name } => format!("{} \"{name}\" {}", l.t("name-2"), l.t("removed")),
            Event::EnvironmentChanged {
                process_id,
                name,
                value,
            } => match value {
                Some(v) => format!("{}: {name}={v}", self.short(*process_id)),
                None => format!("{}: {name} {}", self.short(*process_id), l.t("deleted")),
            },
            Event::Data { object, flow, bytes } => {
                let verb = match flow {
                    Flow::Queued => l.t("bytes-queued"),
                    Flow::Read => l.t("bytes-read"),
                    Flow::Discarded => l.t("bytes-discarded"),
                };
                format!("{}: {bytes} {verb}", self.obj(*object))
            }
            Event::PipeStateChanged { object, state } => {
                format!("{}: {}", self.obj(*object), pipe_state(l, *state))
            }
            Event::TimeAdvanced { from_ms, to_ms } => {
                format!("{} {from_ms} -> {to_ms} ms", l.t("time"))
            }
        })
    }
}

fn text(t: &Text, lang: Lang) -> &str {
    t.get(lang.id())
}

/// Narrates a run as text, step by step as the run hands them over ([`Sink`]): each step is
/// written to the buffer and dropped. [`render_text`] feeds it a collected [`Run`].
pub struct TextRenderer {
    lang: Lang,
    kinds: BTreeMap<Address, ObjectKind>,
    thread_owner: BTreeMap<Tid, Pid>,
    /// What has been written and not yet taken.
    pub out: String,
}

impl TextRenderer {
    /// A renderer that starts with the scenario's title, source and description.
    pub fn new(scenario: &Scenario, lang: Lang) -> TextRenderer {
        let mut out = String::new();
        let l = lang;
        let _ = writeln!(out, "== {} ==", text(&scenario.title, lang));
        if let Some(src) = &scenario.source {
            let _ = writeln!(out, "{} {src}", l.t("source"));
        }
        if let Some(d) = &scenario.description {
            let _ = writeln!(out, "{}", text(d, lang));
        }
        TextRenderer {
            lang,
            kinds: BTreeMap::new(),
            thread_owner: BTreeMap::new(),
            out,
        }
    }

    /// Takes what was written so far.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// Narrates one step.
    pub fn step(&mut self, step: &StepTrace<'_>, names: &Names) {
        let l = self.lang;
        let out = &mut self.out;
        let mut ctx = Ctx {
            lang: l,
            names,
            kinds: &mut self.kinds,
            thread_owner: &mut self.thread_owner,
        };
        let _ = writeln!(out);
        if step.step == 0 {
            let _ = write!(out, "[{}] ", l.t("setup"));
        } else {
            let _ = write!(out, "[{} {}] ", l.t("step"), step.step);
        }
        if let Some(note) = step.note {
            let _ = writeln!(out, "{}", text(note, l));
            let _ = write!(out, "  ");
        }
        render_action(out, &mut ctx, step);
        // A count change is folded into the line of the row or object change that caused it.
        let mut lines: Vec<(Option<Address>, String)> = Vec::new();
        for e in &step.events {
            if let Event::CountChanged {
                object,
                usage_count,
                handle_count,
                delta,
                why: w,
            } = e
            {
                if let Some((Some(last), line)) = lines.last_mut() {
                    if last == object {
                        let _ = write!(
                            line,
                            "; {} {usage_count} ({} {handle_count}){}",
                            l.t("usage-count"),
                            l.t("handles"),
                            ctx.count_cause(*object, *delta, *w)
                        );
                        continue;
                    }
                }
            }
            let subject = match e {
                Event::RowAdded { object, .. }
                | Event::RowRemoved { object, .. }
                | Event::ObjectCreated { object, .. } => Some(*object),
                _ => None,
            };
            if let Some(line) = ctx.event(e) {
                lines.push((subject, line));
            }
        }
        for (_, line) in lines {
            let _ = writeln!(out, "    . {line}");
        }
        for (name, value) in &step.completion_binds {
            let _ = writeln!(out, "    {} {name} = {value}", l.t("bound"));
        }
        if let Some(x) = &step.explain {
            if let Some(b) = &x.parked {
                blocked_lines(out, &ctx, b, &x.steps, "    ");
            }
            if !x.deadlock.is_empty() {
                let _ = writeln!(out, "    {}", l.t("deadlock-no-thread-can-run-and-no-timeout-is-pen"));
                for b in &x.deadlock {
                    blocked_lines(out, &ctx, b, &x.steps, "      ");
                }
            }
        }
        for c in &step.checks {
            if c.ok {
                let _ = writeln!(out, "    {} {}", l.t("ok"), checked(l, &c.what));
            } else {
                let _ = writeln!(out, "    {} {}", l.t("failed"), failure(l, c));
            }
        }
    }

    /// The closing lines: a run error, if any, and the count of checks.
    pub fn summary(&mut self, summary: &Summary<'_>) {
        let l = self.lang;
        let out = &mut self.out;
        let _ = writeln!(out);
        let failed = summary.failures.len();
        if let Some(e) = &summary.error {
            let _ = writeln!(
                out,
                "{} {} {} ({} {}): {}",
                l.t("error-at"),
                l.t("step"),
                e.step,
                l.t("line"),
                e.line,
                run_problem(l, &e.problem)
            );
        }
        if let Some(r) = &summary.leaks {
            let _ = writeln!(out, "{}", leak_line(l, &r.names, &r.leaks, &r.steps));
        }
        let _ = writeln!(
            out,
            "{} {} {}, {} {}",
            l.t("result"),
            summary.checks - failed,
            l.t("checks-passed"),
            failed,
            l.t("failed-2")
        );
    }
}

impl<'a> Sink<'a> for TextRenderer {
    fn step(&mut self, trace: StepTrace<'a>, names: &Names) {
        TextRenderer::step(self, &trace, names);
    }
}

/// Renders a collected run as narrated text.
pub fn render_text(scenario: &Scenario, run: &Run<'_>, lang: Lang) -> String {
    let mut r = TextRenderer::new(scenario, lang);
    for step in &run.steps {
        r.step(step, &run.names);
    }
    r.summary(&run.summary);
    r.take()
}

/// A return value for messages: `TRUE`, `FALSE`, `4`, `WAIT_TIMEOUT (258)`.
fn show_ret(ret: Ret) -> String {
    crate::values::show_ret(ret)
}

fn object_label(lang: Lang, label: &Label<'_>) -> String {
    let _ = lang;
    match label {
        Label::Handle { handle, in_ } => format!("handle {handle} in {in_}"),
        Label::Binding { name } => format!("the object of {name}"),
        Label::Process { name } => format!("process {name}"),
        Label::MainThread { name } => format!("the main thread of {name}"),
        Label::Thread { name } => format!("thread {name}"),
        Label::Address { address } => format!("object {address:#x}"),
    }
}

/// What a check looked at, in words (the line after `ok:`).
pub fn checked(lang: Lang, c: &Checked<'_>) -> String {
    match c {
        Checked::Invariants => "kernel invariants".into(),
        Checked::Pending { expected } => format!("pending = {expected}"),
        Checked::CallResult => "the call's result".into(),
        Checked::Ret { expected } => format!("ret = {expected}"),
        Checked::LastError { expected } => format!("last_error = {expected}"),
        Checked::Outputs { expected } => format!("outputs {expected}"),
        Checked::Blocked { name } => format!("{name} is blocked"),
        Checked::Unblocked { name } => format!("{name} is not blocked"),
        Checked::BlockedBy { name } => lang.f("checked-blocked-by", &[("name", name)]),
        Checked::NoCompletion => "no parked call completed".into(),
        Checked::Completed { by, call } => {
            format!("{by}'s {} completed", call.map_or("call", |c| c.as_str()))
        }
        Checked::Table { of } => format!("handle table of {of}"),
        Checked::Object {
            object,
            alive,
            usage_count,
            handle_count,
            holders,
        } => {
            let mut parts = Vec::new();
            if let Some(a) = alive {
                parts.push(format!("alive = {a}"));
            }
            if let Some(u) = usage_count {
                parts.push(format!("usage count {u}"));
            }
            if let Some(h) = handle_count {
                parts.push(format!("handle count {h}"));
            }
            if let Some(n) = holders {
                parts.push(lang.f("checked-holders", &[("n", n)]));
            }
            let label = object.as_ref().map_or("object".to_string(), |o| object_label(lang, o));
            format!("{label}: {}", parts.join(", "))
        }
        Checked::Process { name } => format!("process {name}"),
        Checked::Env { process, name, value } => format!(
            "{process}'s {name} = {}",
            serde_json::to_string(value).unwrap_or_default()
        ),
        Checked::Time { ms } => format!("time = {ms} ms"),
        Checked::Deadlock { expected } => format!("deadlock = {expected}"),
    }
}

fn error_name(code: u32) -> String {
    Win32Error::from_code(code).map_or(code.to_string(), |e| e.to_string())
}

/// One mismatch, in words.
pub fn mismatch(lang: Lang, m: &Mismatch<'_>) -> String {
    match m {
        Mismatch::Invariant { violation } => violation.to_string(),
        Mismatch::Pending { expected } => format!(
            "expected the call to {}, but it {}",
            if *expected { "park" } else { "return" },
            if *expected { "did not park" } else { "parked" }
        ),
        Mismatch::NoResult => "the call has no result yet (it parked or did not return)".into(),
        Mismatch::Holders { expected, actual } => {
            let list = |v: &[(String, HandleValue)]| {
                let items: Vec<String> = v.iter().map(|(p, h)| format!("{p} {h}")).collect();
                if items.is_empty() {
                    lang.t("none").to_string()
                } else {
                    items.join(", ")
                }
            };
            lang.f(
                "mismatch-holders",
                &[("expected", &list(expected)), ("actual", &list(actual))],
            )
        }
        Mismatch::Ret { expected, actual } => format!("ret: expected {expected}, found {}", show_ret(*actual)),
        Mismatch::LastError { expected, actual } => {
            format!("last_error: expected {}, found {actual}", error_name(*expected))
        }
        Mismatch::OutputMissing { field, expected } => {
            format!("outputs.{field}: expected {expected}, but the call did not produce it")
        }
        Mismatch::Output {
            field,
            expected,
            actual,
        } => format!("outputs.{field}: expected {expected}, found {actual}"),
        Mismatch::EntryField {
            field,
            expected,
            actual: Some(actual),
        } => format!("outputs.entry: entry.{field}: expected {expected}, found {actual}"),
        Mismatch::EntryField { field, .. } => format!("outputs.entry: entry has no field {field}"),
        Mismatch::NotParked { name } => format!("{name} is not parked in any call"),
        Mismatch::Parked { name } => format!("{name} is parked"),
        Mismatch::Completions { count } => format!("{count} call(s) completed"),
        Mismatch::NoCompletionOf { by, completed } => {
            let others: Vec<String> = completed.iter().map(|(c, t)| format!("{c} of tid {t}")).collect();
            format!(
                "no call of {by} completed (completed: {})",
                if others.is_empty() {
                    "none".into()
                } else {
                    others.join(", ")
                }
            )
        }
        Mismatch::CompletedWith { call, found } => {
            let list: Vec<String> = found.iter().map(|m| mismatch(lang, m)).collect();
            format!("{call} completed, but {}", list.join("; "))
        }
        Mismatch::ProcessGone { name } => format!("process {name} no longer exists"),
        Mismatch::NoRow { handle } => format!("no row {handle}"),
        Mismatch::RowInherit {
            handle,
            expected,
            actual,
        } => format!("row {handle}: inherit {}, expected {}", yn(*actual), yn(*expected)),
        Mismatch::RowProtect {
            handle,
            expected,
            actual,
        } => format!("row {handle}: protect_from_close {actual}, expected {expected}"),
        Mismatch::RowKind {
            handle,
            expected,
            actual,
        } => format!("row {handle}: a {}, expected a {expected}", actual.name()),
        Mismatch::RowAccess {
            handle,
            expected,
            actual,
        } => format!("row {handle}: access {actual:#x}, expected {expected:#x}"),
        Mismatch::RowObject {
            handle,
            expected,
            expected_address,
            actual,
        } => format!(
            "row {handle}: object {actual:#x}, expected {} ({})",
            object_label(lang, expected),
            expected_address.map_or("gone".into(), |a| format!("{a:#x}"))
        ),
        Mismatch::RowPresent { handle } => format!("row {handle} is present"),
        Mismatch::UnexpectedRow { handle, object } => format!("unexpected row {handle} -> {object:#x}"),
        Mismatch::RowCount { expected, actual } => format!("{actual} rows, expected {expected}"),
        Mismatch::Alive { expected: true } => "it no longer exists".into(),
        Mismatch::Alive { expected: false } => "it still exists".into(),
        Mismatch::UsageCount { expected, actual } => format!("usage count is {actual}, expected {expected}"),
        Mismatch::HandleCount { expected, actual } => format!("handle count is {actual}, expected {expected}"),
        Mismatch::Kind { expected, actual } => format!("it is a {}, expected a {expected}", actual.name()),
        Mismatch::Signaled { expected, actual } => format!(
            "signaled is {}, expected {expected}",
            actual.map_or("not applicable".into(), |b| b.to_string())
        ),
        Mismatch::DoesNotExist => "it does not exist".into(),
        Mismatch::ProcessAlive { expected: true } => "its object is gone".into(),
        Mismatch::ProcessAlive { expected: false } => "its object still exists".into(),
        Mismatch::Running { expected: true } => "it is not running".into(),
        Mismatch::Running { expected: false } => "it is running".into(),
        Mismatch::ExitCode { expected, actual } => format!("exit code is {actual}, expected {expected}"),
        Mismatch::ExitCodeGone => "its object is gone, so its exit code cannot be read".into(),
        Mismatch::Threads { expected, actual } => format!("{actual} threads, expected {expected}"),
        Mismatch::Parent {
            expected,
            expected_pid,
            actual,
        } => format!(
            "parent pid is {}, expected {expected} ({})",
            actual.map_or("unknown (the process is gone)".into(), |p| p.to_string()),
            expected_pid.map_or("not started".into(), |p| format!("pid {p}"))
        ),
        Mismatch::Env { expected, actual } => format!(
            "the value is {}, expected {}",
            actual.as_ref().map_or("not set".into(), |v| format!("{v:?}")),
            expected.map_or("not set".into(), |v| format!("{v:?}"))
        ),
        Mismatch::Clock { actual } => format!("the clock is at {actual} ms"),
        Mismatch::NoDeadlock => "no deadlock: some thread can still run or a timeout is pending".into(),
        Mismatch::Deadlock { deadlock } => format!("deadlock: {}", deadlock_text(lang, deadlock)),
        Mismatch::Unbound { name } => format!("{name} has no value yet (the call that binds it has not completed)"),
    }
}

/// Who waits for what in a deadlock.
fn deadlock_text(lang: Lang, d: &Deadlock) -> String {
    d.threads
        .iter()
        .map(|t| {
            format!(
                "tid {} in {} waits for {}",
                t.thread_id,
                t.call.as_deref().unwrap_or("(suspended)"),
                wait_reason(lang, &t.waiting_for)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A failed check, in words (the line after `FAILED:`): its subject and what differed.
pub fn failure(lang: Lang, c: &Check<'_>) -> String {
    let list: Vec<String> = c.found.iter().map(|m| mismatch(lang, m)).collect();
    let list = list.join("; ");
    match &c.what {
        Checked::Table { of } => format!("handle table of {of}: {list}"),
        Checked::Object { object: Some(o), .. } => format!("{}: {list}", object_label(lang, o)),
        Checked::Process { name } => format!("process {name}: {list}"),
        Checked::Env { process, name, .. } => format!("{process}'s {name}: {list}"),
        _ => list,
    }
}

/// Why a kernel refused a call, in words.
fn call_error(lang: Lang, e: &CallError) -> String {
    let _ = lang;
    match e {
        CallError::NoSuchThread(t) => format!("no thread has id {t}"),
        CallError::ThreadExited(t) => format!("thread {t} has exited"),
        CallError::ThreadParked {
            thread_id,
            call,
            call_seq,
        } => format!("thread {thread_id} is parked in {call} (call #{call_seq}) and cannot make another call"),
        CallError::ThreadSuspended(t) => format!("thread {t} is suspended"),
    }
}

/// Why a run stopped, in words.
pub fn run_problem(lang: Lang, p: &RunProblem<'_>) -> String {
    match p {
        RunProblem::File { path, error } => format!("file {path:?} cannot be created: {error}"),
        RunProblem::CannotStart { name, error } => format!("the system cannot start {name}: {error}"),
        RunProblem::NoLiveThread { name, pid } => {
            format!("process {name} (pid {pid}) has no live thread: it has exited")
        }
        RunProblem::ThreadGone { name, tid } => format!("thread {name} (tid {tid}) is gone"),
        RunProblem::Parked {
            by,
            call,
            parked_in,
            since_step,
            call_seq,
        } => format!(
            "{by} cannot call {call}: it is parked in {parked_in}{} (call #{call_seq}); a parked thread makes no calls until its call completes",
            since_step.map_or(String::new(), |s| format!(" since step {s}"))
        ),
        RunProblem::CannotCall { by, call, error } => format!("{by} cannot call {call}: {}", call_error(lang, error)),
        RunProblem::Unbound { name } => {
            format!("{name} has no value yet: the call that binds it has not completed")
        }
        RunProblem::NotProduced { output, ret } => format!(
            "bind {output}: the call did not produce {output} (it returned {})",
            show_ret(*ret)
        ),
        RunProblem::ReturnsNothing => "bind ret: the call returns nothing".into(),
        RunProblem::OverMemoryBudget { in_use, limit } => format!(
            "the run uses {} MiB of memory, above its budget of {} MiB",
            in_use >> 20,
            limit >> 20
        ),
        RunProblem::NotANumber { output } => format!("bind {output}: {output} is not a number"),
    }
}

/// A call by its step when the run made it ("step 3"), else by its number ("call #3").
fn at_step(l: Lang, seq: u64, steps: &CallSteps) -> String {
    match steps.get(&seq) {
        Some(n) => format!("{} {n}", l.t("step")),
        None => format!("{} #{seq}", l.t("call")),
    }
}

fn name_or_pid(names: &Names, pid: Pid) -> String {
    names.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}"))
}

/// Where a row came from, in words.
pub fn provenance(l: Lang, names: &Names, p: &Provenance, steps: &CallSteps) -> String {
    let at = at_step(l, p.call_seq, steps);
    match p.origin {
        Origin::Created { call } => l.f("origin-created", &[("call", &call), ("at", &at)]),
        Origin::Opened { call } => l.f("origin-opened", &[("call", &call), ("at", &at)]),
        Origin::Inherited { parent } => {
            let parent = name_or_pid(names, parent);
            l.f("origin-inherited", &[("parent", &parent), ("at", &at)])
        }
        Origin::Duplicated {
            source,
            source_handle,
            closed_source,
        } => {
            let source = name_or_pid(names, source);
            let key = if closed_source {
                "origin-duplicated-closed"
            } else {
                "origin-duplicated"
            };
            l.f(key, &[("source", &source), ("handle", &source_handle), ("at", &at)])
        }
    }
}

/// One holder of an object, in words.
fn holder(l: Lang, ctx: &Ctx<'_>, h: &Holder, steps: &CallSteps) -> String {
    match h {
        Holder::Row {
            process_id,
            handle,
            inherit,
            provenance: p,
            last_used,
            ..
        } => format!(
            "{}: {} {handle} ({} {}), {}{}",
            ctx.short(*process_id),
            l.t("handle"),
            l.t("inherit"),
            yn(*inherit),
            provenance(l, ctx.names, p, steps),
            if last_used.is_none() {
                l.t("never-used-since")
            } else {
                ""
            }
        ),
        Holder::ProcessRunning { process_id } => format!(
            "{}: {}",
            ctx.short(*process_id),
            l.t("the-process-is-running-its-reference-on-its-own")
        ),
        Holder::ThreadRunning { thread_id, .. } => format!(
            "{}: {}",
            ctx.thread(*thread_id),
            l.t("the-thread-is-running-its-reference-on-its-own-o")
        ),
    }
}

fn holder_lines(out: &mut String, ctx: &Ctx<'_>, holders: &[Holder], steps: &CallSteps, indent: &str) {
    let l = ctx.lang;
    let _ = writeln!(out, "{indent}{}", l.t("held-by"));
    if holders.is_empty() {
        let _ = writeln!(out, "{indent}  - {}", l.t("nobody"));
    }
    for h in holders {
        let _ = writeln!(out, "{indent}  - {}", holder(l, ctx, h, steps));
    }
}

/// What would release a blocked thread, in words.
fn release(l: Lang, ctx: &Ctx<'_>, r: &Release, deadline: Option<u64>) -> String {
    let obj = r.object.map_or_else(|| tag(&None), |t| ctx.obj(t.address));
    let mailslot = r.object.is_some_and(|t| t.kind == ObjectKind::Mailslot);
    let key = match r.by {
        ReleaseBy::Write if mailslot => "release-write-mailslot",
        ReleaseBy::Write => "release-write",
        ReleaseBy::Read => "release-read",
        ReleaseBy::Signal => "release-signal",
        ReleaseBy::End => "release-end",
        ReleaseBy::Connect => "release-connect",
        ReleaseBy::Resume => "release-resume",
        ReleaseBy::Clock => {
            return l.f("release-clock", &[("ms", &deadline.unwrap_or(0))]);
        }
        ReleaseBy::Listen => {
            let states: Vec<String> = r
                .instances
                .iter()
                .map(|(t, s)| format!("{} {}", ctx.obj(t.address), pipe_state(l, *s)))
                .collect();
            let states = if states.is_empty() {
                l.t("none").to_string()
            } else {
                states.join(", ")
            };
            return l.f("release-listen", &[("states", &states)]);
        }
    };
    l.f(key, &[("obj", &obj)])
}

/// Why a thread is blocked and who could release it, as indented lines.
fn blocked_lines(out: &mut String, ctx: &Ctx<'_>, b: &Blocked, steps: &CallSteps, indent: &str) {
    let l = ctx.lang;
    let call = match (&b.call, b.call_seq) {
        (Some(c), Some(seq)) => format!("{c} ({})", at_step(l, seq, steps)),
        _ => l.t("suspended").to_string(),
    };
    let _ = writeln!(
        out,
        "{indent}{} {} {call}: {} {}",
        ctx.thread(b.thread_id),
        l.t("is-blocked-in"),
        l.t("waits-for"),
        wait_reason(l, &b.waiting_for)
    );
    for r in &b.release {
        let _ = writeln!(
            out,
            "{indent}  {} {}",
            l.t("released-by"),
            release(l, ctx, r, b.deadline_ms)
        );
        if !matches!(r.by, ReleaseBy::Clock | ReleaseBy::Connect) {
            if r.holders.is_empty() {
                let _ = writeln!(out, "{indent}    - {}", l.t("nobody-holds-it"));
            }
            for h in &r.holders {
                let _ = writeln!(out, "{indent}    - {}", holder(l, ctx, h, steps));
            }
        }
    }
    if b.stuck {
        let own = b.release.iter().flat_map(|r| &r.holders).all(|h| match h {
            Holder::Row { process_id, .. } => *process_id == b.process_id,
            _ => false,
        });
        let who = ctx.short(b.process_id);
        let line = if own {
            l.f("stuck-own", &[("who", &who)])
        } else {
            l.t("nothing-will-release-it-every-holder-is-in-a-pro").to_string()
        };
        let _ = writeln!(out, "{indent}  {line}");
    }
}

/// The one-line leak report at the end of a run.
fn leak_line(l: Lang, names: &Names, leaks: &Leaks, steps: &CallSteps) -> String {
    if leaks.rows.is_empty() {
        return l.t("leaks-none-every-row-of-a-live-process-was-used").to_string();
    }
    /// The report stays one line: the first few rows, then a count (`show leaks` lists all).
    const LISTED: usize = 4;
    let mut rows: Vec<String> = leaks
        .rows
        .iter()
        .take(LISTED)
        .map(|r| {
            format!(
                "{} {} ({} {:#x}, {})",
                name_or_pid(names, r.process_id),
                r.handle,
                r.object.kind.name(),
                r.object.address,
                provenance(l, names, &r.provenance, steps)
            )
        })
        .collect();
    if leaks.rows.len() > LISTED {
        let more = leaks.rows.len() - LISTED;
        rows.push(l.f("leaks-more", &[("more", &more)]));
    }
    l.f(
        "leaks-line",
        &[
            ("rows", &leaks.rows.len()),
            ("list", &rows.join(", ")),
            ("objects", &leaks.objects.len()),
        ],
    )
}

fn render_action(out: &mut String, ctx: &mut Ctx<'_>, step: &StepTrace<'_>) {
    let l = ctx.lang;
    match &step.action {
        Action::Nothing => {
            let _ = writeln!(out, "{}", l.t("check"));
        }
        Action::Start {
            name,
            process_id,
            thread_id,
            image,
        } => {
            ctx.thread_owner.insert(*thread_id, *process_id);
            let _ = writeln!(
                out,
                "{} {name}: {image} (pid {process_id}, tid {thread_id})",
                l.t("the-system-starts")
            );
        }
        Action::Call {
            by,
            display,
            outcome,
            binds,
            thread_id,
            process_id,
            ..
        } => {
            ctx.thread_owner.insert(*thread_id, *process_id);
            let _ = writeln!(out, "{by}: {display}");
            match outcome {
                CallOutcome::Done(r) => {
                    let _ = write!(out, "    -> {}", crate::values::show_ret(r.ret));
                    let failed =
                        matches!(r.ret, Ret::Bool(false)) || r.ret == Ret::Handle(HandleValue::INVALID) && r.error_set;
                    if failed
                        || (r.error_set && r.last_error != Win32Error::Success)
                        || (r.error_set && r.ret == Ret::Handle(HandleValue::NULL))
                    {
                        let _ = write!(out, ", GetLastError = {}", r.last_error);
                    }
                    let _ = writeln!(out);
                    for (field, v) in r.outputs().iter() {
                        let shown = match (field, v) {
                            (_, OutputValue::Data(d)) => d.display(),
                            (OutputField::BytesLeftThisMessage, OutputValue::Number(n)) => {
                                format!("{n} ({})", n as i32)
                            }
                            _ => output_json(&v),
                        };
                        let _ = writeln!(out, "       {field} = {shown}");
                    }
                }
                CallOutcome::Pending { .. } => {
                    let _ = writeln!(
                        out,
                        "    -> {}",
                        l.t("blocks-the-thread-is-parked-until-the-call-can-c")
                    );
                }
                CallOutcome::NoReturn => {
                    let _ = writeln!(out, "    -> {}", l.t("does-not-return"));
                }
            }
            for (name, value) in binds {
                let _ = writeln!(out, "    {} {name} = {value}", l.t("bound"));
            }
        }
        Action::Advance { from_ms, to_ms } => {
            let _ = writeln!(out, "{} {from_ms} -> {to_ms} ms", l.t("virtual-time-advances"));
        }
        Action::File { path, bytes } => {
            let _ = writeln!(out, "{} {path} ({bytes} {})", l.t("file"), l.t("bytes"));
        }
        Action::Show(shown) => render_show(out, ctx, shown),
    }
}

fn render_show(out: &mut String, ctx: &mut Ctx<'_>, shown: &Shown<'_>) {
    let l = ctx.lang;
    match shown {
        Shown::Handles { tables, objects } => {
            for (name, view) in tables {
                let state = match view.exit_code {
                    None => String::new(),
                    Some(c) => format!(", {} {c}", l.t("exited-with")),
                };
                let _ = writeln!(
                    out,
                    "{} {name} (pid {}{state})",
                    l.t("handle-table-of"),
                    view.process_id
                );
                let _ = writeln!(
                    out,
                    "    | {} | {} | {} | {} | {} |",
                    l.t("handle"),
                    l.t("object-address"),
                    l.t("inherit-2"),
                    l.t("object"),
                    l.t("usage-count")
                );
                let _ = writeln!(out, "    |---|---|---|---|---|");
                if view.handles.is_empty() {
                    let _ = writeln!(out, "    | {} | | | | |", l.t("empty"));
                }
                for row in &view.handles {
                    ctx.kinds.insert(row.object, row.kind);
                    let o = objects.get(&row.object);
                    let what = match o.map(|o| &o.detail) {
                        Some(Detail::Process { process_id, .. }) => {
                            format!("Process {}", ctx.short(*process_id))
                        }
                        Some(Detail::Thread {
                            thread_id, process_id, ..
                        }) => format!("Thread {} of {}", thread_id, ctx.short(*process_id)),
                        Some(Detail::Pipe {
                            server,
                            anonymous: true,
                            ..
                        }) => {
                            format!("Pipe ({})", if *server { l.t("read-end") } else { l.t("write-end") })
                        }
                        Some(Detail::Pipe { server, .. }) => {
                            format!("Pipe ({})", if *server { l.t("server-end") } else { l.t("client-end") })
                        }
                        _ => row.kind.name().to_string(),
                    };
                    let named = o
                        .and_then(|o| o.name.clone())
                        .map_or(String::new(), |n| format!(" \"{n}\""));
                    let usage = o.map_or("?".to_string(), |o| o.usage_count.to_string());
                    let protect = if row.protect_from_close { l.t("protected") } else { "" };
                    let _ = writeln!(
                        out,
                        "    | {} | {:#x} | {} | {what}{named}{protect} | {usage} |",
                        row.handle,
                        row.object,
                        yn(row.inherit)
                    );
                }
            }
        }
        Shown::Processes { processes } => {
            let _ = writeln!(out, "{}", l.t("processes"));
            let _ = writeln!(
                out,
                "    | pid | {} | {} | {} | {} | {} |",
                l.t("parent-pid"),
                l.t("threads"),
                l.t("image"),
                l.t("handles"),
                l.t("state")
            );
            let _ = writeln!(out, "    |---|---|---|---|---|---|");
            for p in processes {
                let state = match p.exit_code {
                    None => l.t("running").to_string(),
                    Some(c) => format!("{} {c}", l.t("exited-code")),
                };
                let _ = writeln!(
                    out,
                    "    | {} | {} | {} | {} | {} | {state} |",
                    p.process_id,
                    p.parent_process_id,
                    p.threads.len(),
                    p.image,
                    p.handles.len()
                );
            }
        }
        Shown::Object {
            object,
            label,
            holders,
            steps,
        } => match object {
            None => {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    object_label(l, label),
                    l.t("no-such-object-destroyed-or-never-there")
                );
            }
            Some(o) => {
                ctx.kinds.insert(o.object, o.kind);
                let _ = writeln!(
                    out,
                    "{}: {} {:#x}{}",
                    object_label(l, label),
                    o.kind.name(),
                    o.object,
                    o.name.as_ref().map_or(String::new(), |n| format!(" \"{n}\""))
                );
                let _ = writeln!(
                    out,
                    "    {} {}, {} {}",
                    l.t("usage-count"),
                    o.usage_count,
                    l.t("handle-count"),
                    o.handle_count
                );
                let detail = match &o.detail {
                    Detail::Pipe {
                        server,
                        anonymous,
                        message_type,
                        state,
                        peer,
                        queued_bytes,
                        queued_messages,
                        read_mode_message,
                        nonblocking,
                    } => format!(
                        "{} {}, {}, {} {}, {}: {}, {} {queued_bytes} {} ({queued_messages} {}), {} {}{}",
                        if *anonymous {
                            l.t("anonymous-pipe")
                        } else {
                            l.t("named-pipe")
                        },
                        if *server { l.t("server-end") } else { l.t("client-end") },
                        pipe_state(l, *state),
                        l.t("type"),
                        if *message_type { "message" } else { "byte" },
                        l.t("peer"),
                        peer.map_or("-".to_string(), |p| format!("{p:#x}")),
                        l.t("queued"),
                        l.t("bytes"),
                        l.t("writes"),
                        l.t("read-mode"),
                        if *read_mode_message { "message" } else { "byte" },
                        if *nonblocking { ", PIPE_NOWAIT" } else { "" }
                    ),
                    Detail::Process { process_id, exited } => format!(
                        "{} {}, {}",
                        l.t("process"),
                        ctx.proc(*process_id),
                        if *exited {
                            l.t("exited-signaled")
                        } else {
                            l.t("running")
                        }
                    ),
                    Detail::Thread {
                        thread_id,
                        process_id,
                        exited,
                    } => format!(
                        "{} {thread_id} {} {}, {}",
                        l.t("thread"),
                        l.t("of"),
                        ctx.proc(*process_id),
                        if *exited {
                            l.t("exited-signaled")
                        } else {
                            l.t("running")
                        }
                    ),
                    Detail::Event { manual_reset, signaled } => format!(
                        "{}, {}",
                        if *manual_reset {
                            l.t("manual-reset-event")
                        } else {
                            l.t("auto-reset-event")
                        },
                        if *signaled {
                            l.t("signaled")
                        } else {
                            l.t("not-signaled")
                        }
                    ),
                    Detail::Snapshot { entries, cursor } => {
                        format!(
                            "{} {entries}, {} {cursor}",
                            l.t("process-snapshot-entries"),
                            l.t("cursor")
                        )
                    }
                    Detail::Mailslot {
                        messages,
                        bytes,
                        max_message_size,
                        read_timeout,
                    } => format!(
                        "{} {messages} ({bytes} {}), {} {max_message_size}, {} {read_timeout}",
                        l.t("mailslot-messages"),
                        l.t("bytes"),
                        l.t("max-size"),
                        l.t("read-timeout")
                    ),
                    Detail::MailslotClient { mailslot } => format!(
                        "{} {}",
                        l.t("mailslot-client-of"),
                        mailslot.map_or(l.t("deleted-2").to_string(), |m| format!("{m:#x}"))
                    ),
                    Detail::File { path, position } => {
                        format!("{} {path}, {} {position}", l.t("file"), l.t("position"))
                    }
                };
                let _ = writeln!(out, "    {detail}");
                holder_lines(out, ctx, holders, steps, "    ");
            }
        },
        Shown::WhyAlive { label, alive, steps } => match alive {
            None => {
                let _ = writeln!(
                    out,
                    "{}: {}",
                    object_label(l, label),
                    l.t("no-such-object-nothing-keeps-it-alive")
                );
            }
            Some(a) => {
                ctx.kinds.insert(a.object.address, a.object.kind);
                let refs = a.usage_count - a.handle_count;
                let _ = writeln!(
                    out,
                    "{} ({} {:#x}) {} {} = {} {} + {} {}:",
                    object_label(l, label),
                    a.object.kind.name(),
                    a.object.address,
                    l.t("is-alive-usage-count"),
                    a.usage_count,
                    a.handle_count,
                    l.t("handle-s"),
                    refs,
                    l.t("kernel-reference-s"),
                );
                holder_lines(out, ctx, &a.holders, steps, "    ");
            }
        },
        Shown::WhyBlocked {
            threads,
            not_blocked,
            steps,
        } => {
            if threads.is_empty() && not_blocked.is_empty() {
                let _ = writeln!(out, "{}", l.t("no-thread-is-blocked"));
            }
            for b in threads {
                blocked_lines(out, ctx, b, steps, "");
            }
            for n in not_blocked {
                let _ = writeln!(out, "{n}: {}", l.t("not-blocked"));
            }
        }
        Shown::Leaks { leaks, steps } => {
            let _ = writeln!(out, "{}", l.t("leaks"));
            if leaks.rows.is_empty() {
                let _ = writeln!(out, "    {}", l.t("none-every-row-of-a-live-process-was-used-since"));
            }
            for r in &leaks.rows {
                ctx.kinds.insert(r.object.address, r.object.kind);
                let _ = writeln!(
                    out,
                    "    {}: {} {} -> {}, {}, {}",
                    ctx.short(r.process_id),
                    l.t("handle"),
                    r.handle,
                    ctx.obj(r.object.address),
                    provenance(l, ctx.names, &r.provenance, steps),
                    l.t("never-used-since-2")
                );
            }
            if !leaks.objects.is_empty() {
                let objs: Vec<String> = leaks.objects.iter().map(|t| ctx.obj(t.address)).collect();
                let _ = writeln!(out, "    {} {}", l.t("alive-only-through-them"), objs.join(", "));
            }
        }
        Shown::Namespace { names } => {
            let _ = writeln!(out, "{}", l.t("namespace"));
            if names.is_empty() {
                let _ = writeln!(out, "    {}", l.t("empty"));
            }
            for n in names {
                let objs: Vec<String> = n.objects.iter().map(|a| format!("{a:#x}")).collect();
                let _ = writeln!(out, "    {} \"{}\" -> {}", n.namespace, n.name, objs.join(", "));
            }
        }
        Shown::Env { blocks } => {
            for (name, block) in blocks {
                let _ = writeln!(out, "{} {name}", l.t("environment-of"));
                for entry in block {
                    let _ = writeln!(out, "    {entry}");
                }
            }
        }
        Shown::Files { entries } => {
            let _ = writeln!(out, "{}", l.t("files"));
            for e in entries {
                if e.directory {
                    let _ = writeln!(out, "    {} <DIR>", e.path);
                } else {
                    let _ = writeln!(out, "    {} ({} {})", e.path, e.size, l.t("bytes"));
                }
            }
        }
        Shown::Waits { threads, deadlock } => {
            let _ = writeln!(out, "{}", l.t("parked-calls"));
            if threads.is_empty() {
                let _ = writeln!(out, "    {}", l.t("none-2"));
            }
            for t in threads {
                if let Some(p) = &t.parked {
                    let deadline = p
                        .deadline_ms
                        .map_or(String::new(), |d| format!(" ({} {d} ms)", l.t("times-out-at")));
                    let _ = writeln!(
                        out,
                        "    {}: {} {} {}{deadline}",
                        ctx.thread(t.thread_id),
                        p.call,
                        l.t("waits-for"),
                        wait_reason(l, &p.waiting_for)
                    );
                }
            }
            if deadlock.is_some() {
                let _ = writeln!(out, "    {}", l.t("deadlock-no-thread-can-run-and-no-timeout-is-pen"));
            }
        }
    }
}

/// One output value as JSON text (handles as signed numbers, text quoted).
pub fn output_json(v: &OutputValue<'_>) -> String {
    match v {
        OutputValue::Handle(h, _) => serde_json::to_string(h),
        OutputValue::Number(n) => Ok(n.to_string()),
        OutputValue::Data(d) => serde_json::to_string(d),
        OutputValue::Text(t) => serde_json::to_string(t),
        OutputValue::Strings(l) => serde_json::to_string(l),
        OutputValue::Entry(e) => serde_json::to_string(e),
    }
    .unwrap_or_default()
}

/// Renders one `show` view on its own (the shell uses this for its tables and lists).
pub fn render_shown(shown: &Shown<'_>, lang: Lang, names: &Names) -> String {
    let (mut kinds, mut thread_owner) = (BTreeMap::new(), BTreeMap::new());
    let mut ctx = Ctx {
        lang,
        names,
        kinds: &mut kinds,
        thread_owner: &mut thread_owner,
    };
    let mut out = String::new();
    render_show(&mut out, &mut ctx, shown);
    out
}

/// Writes a run as JSON lines, step by step as the run hands them over ([`Sink`]): a
/// `scenario` header, a `step` object per step, a `summary`. [`render_json`] feeds it a
/// collected [`Run`].
pub struct JsonRenderer {
    /// What has been written and not yet taken.
    pub out: String,
}

impl JsonRenderer {
    /// A renderer that starts with the scenario header line.
    pub fn new(scenario: &Scenario) -> JsonRenderer {
        let header = serde_json::json!({
            "type": "scenario",
            "file": scenario.file,
            "title": scenario.title,
            "source": scenario.source,
        });
        JsonRenderer {
            out: format!("{header}\n"),
        }
    }

    /// Takes what was written so far.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// One step as a JSON line.
    pub fn step(&mut self, step: &StepTrace<'_>) {
        let mut v = Data::summarized(LARGE_DATA, || serde_json::to_value(step)).unwrap_or_default();
        if let Some(map) = v.as_object_mut() {
            map.insert("type".into(), "step".into());
        }
        let _ = writeln!(self.out, "{v}");
    }

    /// The summary line.
    pub fn summary(&mut self, summary: &Summary<'_>) {
        let line = Data::summarized(LARGE_DATA, || {
            serde_json::json!({
                "type": "summary",
                "passed": summary.passed(),
                "checks": summary.checks,
                "failures": summary.failures,
                "error": summary.error,
                "leaks": summary.leaks,
            })
        });
        let _ = writeln!(self.out, "{line}");
    }
}

impl<'a> Sink<'a> for JsonRenderer {
    fn step(&mut self, trace: StepTrace<'a>, _: &Names) {
        JsonRenderer::step(self, &trace);
    }
}

/// Data above this many bytes is shown in JSON traces as its length and digest
/// (`{"len": n, "fnv1a64": "0x..."}`, [`Data::summarized`]), so a trace stays small whatever
/// the buffers and the large bytes are never copied into JSON.
pub const LARGE_DATA: usize = 4096;

/// Renders a collected run as JSON lines.
pub fn render_json(scenario: &Scenario, run: &Run<'_>) -> String {
    let mut r = JsonRenderer::new(scenario);
    for step in &run.steps {
        r.step(step);
    }
    r.summary(&run.summary);
    r.take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_is_the_published_function() {
        assert_eq!(Data(b"".to_vec()).fnv1a64(), 0xcbf2_9ce4_8422_2325);
        assert_eq!(Data(b"a".to_vec()).fnv1a64(), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn json_traces_summarize_large_data_and_keep_small_data() {
        let text = r#"{"format_version": 1, "title": "t", "processes": [{"name": "p", "image": "p.exe"}], "steps": [
            {"by": "p", "call": "CreatePipe", "args": {"size": 65536}, "bind": {"read_handle": "r", "write_handle": "w"}},
            {"by": "p", "call": "WriteFile", "args": {"file": "w", "data": {"fill": "x", "len": 5000}}},
            {"by": "p", "call": "WriteFile", "args": {"file": "w", "data": "small"}},
            {"by": "p", "call": "ReadFile", "args": {"file": "r", "bytes_to_read": 6000}}]}"#;
        let scenario = crate::load_str(text, "t.json").unwrap();
        let out = render_json(&scenario, &crate::run(&scenario));
        let big = format!(
            r#"{{"len":5000,"fnv1a64":"{:#018x}"}}"#,
            Data(vec![b'x'; 5000]).fnv1a64()
        );
        assert_eq!(out.matches(&big).count(), 1, "the write's buffer: {out}");
        assert!(out.contains(r#""data":"small""#));
        assert!(
            out.contains(r#""len":5005"#),
            "the read's 5005 bytes are summarized too"
        );
        assert!(!out.contains(&"x".repeat(LARGE_DATA + 1)));
    }
}
