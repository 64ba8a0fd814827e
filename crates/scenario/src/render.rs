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
        Why::Inherit => lang.t("why-inherit"),
        Why::Duplicate => lang.t("duplicate"),
        Why::Close => lang.t("closehandle"),
        Why::CloseSource => lang.t("duplicate-close-source"),
        Why::ExitSweep => lang.t("process-exit-closes-it"),
        Why::Start => lang.t("starts-running"),
        Why::Exit => lang.t("stops-running"),
    }
}

/// The columns of a handle table, as the source note draws it (catalog keys).
pub(crate) const TABLE_COLUMNS: [&str; 5] = ["handle", "object-address", "inherit-2", "object", "usage-count"];

/// "handle table of NAME (pid N)", with the exit code of an exited process.
pub(crate) fn table_caption(l: Lang, name: &str, view: &ProcessView) -> String {
    let state = match view.exit_code {
        None => String::new(),
        Some(c) => format!(", {} {c}", l.t("exited-with")),
    };
    format!("{} {name} (pid {}{state})", l.t("handle-table-of"), view.process_id)
}

/// The object column of a handle table: the kind, with which pipe end or whose process or
/// thread it is.
pub(crate) fn object_cell(l: Lang, kind: ObjectKind, o: Option<&ObjectView>, short: &dyn Fn(Pid) -> String) -> String {
    match o.map(|o| &o.detail) {
        Some(Detail::Process { process_id, .. }) => format!("Process {}", short(*process_id)),
        Some(Detail::Thread {
            thread_id, process_id, ..
        }) => l.f("table-thread", &[("tid", thread_id), ("owner", &short(*process_id))]),
        Some(Detail::Pipe {
            server,
            anonymous: true,
            ..
        }) => format!("Pipe ({})", if *server { l.t("read-end") } else { l.t("write-end") }),
        Some(Detail::Pipe { server, .. }) => {
            format!("Pipe ({})", if *server { l.t("server-end") } else { l.t("client-end") })
        }
        _ => kind.name().to_string(),
    }
}

pub(crate) fn pipe_state(lang: Lang, s: PipeState) -> &'static str {
    match s {
        PipeState::Listening => lang.t("listening"),
        PipeState::Connected => lang.t("connected"),
        PipeState::Closing => lang.t("closing-the-other-end-is-gone"),
        PipeState::Disconnected => lang.t("disconnected"),
    }
}

/// An object named in a wait reason: "Pipe 0x1200", or "a destroyed object".
fn tag(l: Lang, t: &Option<ObjectTag>) -> String {
    match t {
        Some(t) => format!("{} {:#x}", t.kind.name(), t.address),
        None => l.t("a-destroyed-object").to_string(),
    }
}

/// What a parked call waits for, in words.
pub fn wait_reason(l: Lang, w: &WaitReason) -> String {
    let obj = |key: &str, t: &Option<ObjectTag>| l.f(key, &[("obj", &tag(l, t))]);
    match w {
        WaitReason::Signaled { objects, wait_all } => {
            let list: Vec<String> = objects.iter().map(|t| tag(l, t)).collect();
            let sep = l.t(if *wait_all { "list-and" } else { "list-or" });
            l.f("wait-signaled", &[("objects", &list.join(sep))])
        }
        WaitReason::Clock => l.t("wait-clock").to_string(),
        WaitReason::Data { end } => obj("wait-data", end),
        WaitReason::ReadDown { end } => obj("wait-read-down", end),
        WaitReason::Client { end } => obj("wait-client", end),
        WaitReason::ListeningInstance { pipe } => l.f("wait-listening", &[("pipe", pipe)]),
        WaitReason::PeerReads { end } => obj("wait-peer-reads", end),
        WaitReason::Message { mailslot } => obj("wait-message", mailslot),
        WaitReason::Reply { end } => obj("wait-reply", end),
        WaitReason::Resume => "ResumeThread".to_string(),
    }
}

pub(crate) fn yn(b: bool) -> &'static str {
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
            Event::MutexAbandoned { object, thread_id } => l.f(
                "event-mutex-abandoned",
                &[("obj", &self.obj(*object)), ("thread", &self.thread(*thread_id))],
            ),
            Event::AccessViolation {
                thread_id,
                process_id,
                call,
            } => l.f(
                "event-access-violation",
                &[
                    ("thread", &self.thread(*thread_id)),
                    ("call", call),
                    ("proc", &self.proc(*process_id)),
                ],
            ),
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
                "{}: {call} {} -> {}{}",
                self.thread(*thread_id),
                l.t("completes"),
                call_ret(l, call, *ret),
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
            Event::Data {
                object,
                flow: Flow::Queued,
                bytes,
                from: Some(from),
            } => l.f(
                "bytes-written-to",
                &[
                    ("from", &self.obj(*from)),
                    ("bytes", bytes),
                    ("object", &self.obj(*object)),
                ],
            ),
            Event::Data {
                object, flow, bytes, ..
            } => {
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
    /// After each step, what it changed against the step before (`run --diff`).
    diff: bool,
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
            let _ = writeln!(out, "{} {}", l.t("source"), text(src, l));
        }
        if let Some(d) = &scenario.description {
            let _ = writeln!(out, "{}", text(d, lang));
        }
        TextRenderer {
            lang,
            kinds: BTreeMap::new(),
            thread_owner: BTreeMap::new(),
            diff: false,
            out,
        }
    }

    /// Also writes, after each step, what it changed against the step before: rows added
    /// and removed, counts from and to, pipe states (`run --diff`).
    pub fn with_diff(mut self) -> TextRenderer {
        self.diff = true;
        self
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
        if self.diff && !matches!(step.action, Action::Show(_) | Action::Nothing) {
            let d = crate::lesson::StepDiff::of(&step.events);
            let lines = d.lines(l, names, ctx.kinds);
            if lines.is_empty() {
                let _ = writeln!(out, "    {} {}", l.t("diff"), l.t("diff-none"));
            }
            for line in lines {
                let _ = writeln!(out, "    {} {line}", l.t("diff"));
            }
        }
        for (name, value) in &step.completion_binds {
            let _ = writeln!(out, "    {} {name} = {value}", l.t("bound"));
        }
        explain_lines(out, &ctx, step);
        for c in &step.checks {
            if c.ok {
                let _ = writeln!(out, "    {} {}", l.t("ok"), checked(l, &c.what));
            } else {
                let _ = writeln!(out, "    {} {}", l.t("failed"), failure(l, c));
            }
        }
    }

    /// Why the step's call blocked or a deadlock appeared, as the narration words it (empty
    /// when neither): the lesson page shows it on its own.
    pub fn explanation(&mut self, step: &StepTrace<'_>, names: &Names) -> String {
        let ctx = Ctx {
            lang: self.lang,
            names,
            kinds: &mut self.kinds,
            thread_owner: &mut self.thread_owner,
        };
        let mut out = String::new();
        explain_lines(&mut out, &ctx, step);
        out
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

/// A call's return value the way the lesson means it: the pseudo handles of
/// GetCurrentProcess/GetCurrentThread by what they are (the same bits as
/// INVALID_HANDLE_VALUE, but not a failure), wait results by name (`WAIT_OBJECT_0+1`).
fn call_ret(l: Lang, call: &str, ret: Ret) -> String {
    match (call, ret) {
        ("GetCurrentProcess", Ret::Handle(HandleValue::CURRENT_PROCESS)) => l.t("ret-pseudo-process").to_string(),
        ("GetCurrentThread", Ret::Handle(HandleValue::CURRENT_THREAD)) => l.t("ret-pseudo-thread").to_string(),
        ("WaitForSingleObject" | "WaitForMultipleObjects", Ret::Dword(d)) => wait_result(d),
        _ => show_ret(ret),
    }
}

/// A wait's result by name: `WAIT_OBJECT_0 (0)`, `WAIT_OBJECT_0+1 (1)`, `WAIT_ABANDONED_0`,
/// `WAIT_TIMEOUT (258)`, `WAIT_FAILED`.
fn wait_result(d: u32) -> String {
    match d {
        0 => "WAIT_OBJECT_0 (0)".to_string(),
        1..=63 => format!("WAIT_OBJECT_0+{d} ({d})"),
        0x80 => "WAIT_ABANDONED_0 (0x80)".to_string(),
        0x81..=0xBF => format!("WAIT_ABANDONED_0+{} ({d:#x})", d - 0x80),
        _ => show_ret(Ret::Dword(d)),
    }
}

/// An output value the way the lesson means it: an exit code of 259 is `STILL_ACTIVE`, handle
/// flags by name.
fn output_text(field: OutputField, v: &OutputValue<'_>) -> String {
    match (field, v) {
        (_, OutputValue::Data(d)) => d.display(),
        (OutputField::BytesLeftThisMessage, OutputValue::Number(n)) => format!("{n} ({})", *n as i32),
        (OutputField::ExitCode, OutputValue::Number(n)) => exit_code_name(*n),
        (OutputField::Flags, OutputValue::Number(n)) => {
            let names: Vec<&str> = [(1, "HANDLE_FLAG_INHERIT"), (2, "HANDLE_FLAG_PROTECT_FROM_CLOSE")]
                .iter()
                .filter(|(bit, _)| n & bit != 0)
                .map(|&(_, name)| name)
                .collect();
            if names.is_empty() {
                n.to_string()
            } else {
                format!("{n} ({})", names.join("|"))
            }
        }
        _ => output_json(v),
    }
}

/// A return value for messages: `TRUE`, `FALSE`, `4`, `WAIT_TIMEOUT (258)`.
fn show_ret(ret: Ret) -> String {
    crate::values::show_ret(ret)
}

fn object_label(l: Lang, label: &Label<'_>) -> String {
    match label {
        Label::Handle { handle, in_ } => l.f("label-handle", &[("handle", handle), ("in", in_)]),
        Label::Binding { name } => l.f("label-binding", &[("name", name)]),
        Label::Process { name } => l.f("label-process", &[("name", name)]),
        Label::MainThread { name } => l.f("label-main-thread", &[("name", name)]),
        Label::Thread { name } => l.f("label-thread", &[("name", name)]),
        Label::Address { address } => l.f("label-address", &[("address", &format!("{address:#x}"))]),
    }
}

/// What a check looked at, in words (the line after `ok:`).
pub fn checked(l: Lang, c: &Checked<'_>) -> String {
    match c {
        Checked::Invariants => l.t("checked-invariants").to_string(),
        Checked::Pending { expected } => format!("pending = {expected}"),
        Checked::CallResult => l.t("checked-call-result").to_string(),
        Checked::Ret { expected } if expected.starts_with('≠') => format!("ret {expected}"),
        Checked::Ret { expected } => format!("ret = {expected}"),
        Checked::LastError { expected } => format!("last_error = {expected}"),
        Checked::Outputs { expected } => format!("outputs {expected}"),
        Checked::Blocked { name } => l.f("checked-blocked", &[("name", name)]),
        Checked::Unblocked { name } => l.f("checked-unblocked", &[("name", name)]),
        Checked::BlockedBy { name } => l.f("checked-blocked-by", &[("name", name)]),
        Checked::NoCompletion => l.t("checked-no-completion").to_string(),
        Checked::Completed { by, call } => match call {
            Some(call) => l.f("checked-completed", &[("by", by), ("call", call)]),
            None => l.f("checked-completed-any", &[("by", by)]),
        },
        Checked::Table { of } => l.f("checked-table", &[("of", of)]),
        Checked::Object {
            object,
            alive,
            usage_count,
            handle_count,
            holders,
            kind,
            signaled,
        } => {
            let mut parts = Vec::new();
            if let Some(k) = kind {
                parts.push(l.f("checked-kind", &[("kind", k)]));
            }
            if let Some(s) = signaled {
                parts.push(l.f("checked-signaled", &[("signaled", s)]));
            }
            if let Some(a) = alive {
                parts.push(l.t(if *a { "checked-alive" } else { "checked-not-alive" }).to_string());
            }
            if let Some(u) = usage_count {
                parts.push(l.f("checked-usage-count", &[("n", u)]));
            }
            if let Some(h) = handle_count {
                parts.push(l.f("checked-handle-count", &[("n", h)]));
            }
            if let Some(n) = holders {
                parts.push(l.f("checked-holders", &[("n", n)]));
            }
            let label = object
                .as_ref()
                .map_or_else(|| l.t("object").to_string(), |o| object_label(l, o));
            format!("{label}: {}", parts.join(", "))
        }
        Checked::Process { name } => l.f("label-process", &[("name", name)]),
        Checked::Env { process, name, value } => l.f(
            "checked-env",
            &[
                ("process", process),
                ("name", name),
                ("value", &serde_json::to_string(value).unwrap_or_default()),
            ],
        ),
        Checked::Time { ms } => l.f("checked-time", &[("ms", ms)]),
        Checked::Deadlock { expected } => format!("deadlock = {expected}"),
    }
}

fn error_name(code: u32) -> String {
    Win32Error::from_code(code).map_or(code.to_string(), |e| e.to_string())
}

/// A row's provenance as stated or found: how, then the parts known, in brackets.
fn origin_facts(l: Lang, f: &OriginFacts<'_>) -> String {
    let mut parts = Vec::new();
    if let Some(call) = f.call {
        parts.push(l.f("origin-part-call", &[("call", &call.as_str())]));
    }
    if let Some(from) = &f.from {
        parts.push(l.f("origin-part-from", &[("process", from)]));
    }
    if let Some(h) = f.source_handle {
        parts.push(l.f("origin-part-source", &[("handle", &h)]));
    }
    if let Some(closed) = f.closed_source {
        parts.push(
            l.t(if closed {
                "origin-part-closed"
            } else {
                "origin-part-kept"
            })
            .to_string(),
        );
    }
    let how = l.t(f.how.key());
    if parts.is_empty() {
        how.to_string()
    } else {
        format!("{how} ({})", parts.join(", "))
    }
}

/// One mismatch, in words.
pub fn mismatch(l: Lang, m: &Mismatch<'_>) -> String {
    let none = || l.t("none").to_string();
    match m {
        Mismatch::Invariant { violation } => violation.to_string(),
        Mismatch::Pending { expected: true } => l.t("mismatch-not-parked-call").to_string(),
        Mismatch::Pending { expected: false } => l.t("mismatch-parked-call").to_string(),
        Mismatch::NoResult => l.t("mismatch-no-result").to_string(),
        Mismatch::Holders { expected, actual } => {
            let list = |v: &[(String, HandleValue)]| {
                let items: Vec<String> = v.iter().map(|(p, h)| format!("{p} {h}")).collect();
                if items.is_empty() {
                    none()
                } else {
                    items.join(", ")
                }
            };
            l.f(
                "mismatch-holders",
                &[("expected", &list(expected)), ("actual", &list(actual))],
            )
        }
        Mismatch::Ret { expected, actual } => l.f(
            "mismatch-ret",
            &[("expected", expected), ("actual", &show_ret(*actual))],
        ),
        Mismatch::LastError { expected, actual } => l.f(
            "mismatch-last-error",
            &[("expected", &error_name(*expected)), ("actual", actual)],
        ),
        Mismatch::OutputMissing { field, expected } => {
            l.f("mismatch-output-missing", &[("field", field), ("expected", expected)])
        }
        Mismatch::Output {
            field,
            expected,
            actual,
        } => l.f(
            "mismatch-output",
            &[("field", field), ("expected", expected), ("actual", actual)],
        ),
        Mismatch::EntryField {
            field,
            expected,
            actual: Some(actual),
        } => l.f(
            "mismatch-entry-field",
            &[("field", field), ("expected", expected), ("actual", actual)],
        ),
        Mismatch::EntryField { field, .. } => l.f("mismatch-entry-no-field", &[("field", field)]),
        Mismatch::NotParked { name } => l.f("mismatch-not-parked", &[("name", name)]),
        Mismatch::Parked { name } => l.f("mismatch-parked", &[("name", name)]),
        Mismatch::Completions { count } => l.f("mismatch-completions", &[("count", count)]),
        Mismatch::NoCompletionOf { by, completed } => {
            let others: Vec<String> = completed
                .iter()
                .map(|(c, t)| l.f("call-of-tid", &[("call", c), ("tid", t)]))
                .collect();
            let others = if others.is_empty() { none() } else { others.join(", ") };
            l.f("mismatch-no-completion-of", &[("by", by), ("completed", &others)])
        }
        Mismatch::CompletedWith { call, found } => {
            let list: Vec<String> = found.iter().map(|m| mismatch(l, m)).collect();
            l.f("mismatch-completed-with", &[("call", call), ("list", &list.join("; "))])
        }
        Mismatch::ProcessGone { name } => l.f("mismatch-process-gone", &[("name", name)]),
        Mismatch::NoRow { handle } => l.f("mismatch-no-row", &[("handle", handle)]),
        Mismatch::RowInherit {
            handle,
            expected,
            actual,
        } => l.f(
            "mismatch-row-inherit",
            &[
                ("handle", handle),
                ("actual", &yn(*actual)),
                ("expected", &yn(*expected)),
            ],
        ),
        Mismatch::RowProtect {
            handle,
            expected,
            actual,
        } => l.f(
            "mismatch-row-protect",
            &[("handle", handle), ("actual", actual), ("expected", expected)],
        ),
        Mismatch::RowKind {
            handle,
            expected,
            actual,
        } => l.f(
            "mismatch-row-kind",
            &[("handle", handle), ("actual", &actual.name()), ("expected", expected)],
        ),
        Mismatch::RowAccess {
            handle,
            expected,
            actual,
        } => l.f(
            "mismatch-row-access",
            &[
                ("handle", handle),
                ("actual", &format!("{actual:#x}")),
                ("expected", &format!("{expected:#x}")),
            ],
        ),
        Mismatch::RowOrigin {
            handle,
            expected,
            actual,
        } => l.f(
            "mismatch-row-origin",
            &[
                ("handle", handle),
                ("actual", &origin_facts(l, actual)),
                ("expected", &origin_facts(l, expected)),
            ],
        ),
        Mismatch::RowObject {
            handle,
            expected,
            expected_address,
            actual,
        } => l.f(
            "mismatch-row-object",
            &[
                ("handle", handle),
                ("actual", &format!("{actual:#x}")),
                ("expected", &object_label(l, expected)),
                (
                    "address",
                    &expected_address.map_or_else(|| l.t("gone").to_string(), |a| format!("{a:#x}")),
                ),
            ],
        ),
        Mismatch::RowPresent { handle } => l.f("mismatch-row-present", &[("handle", handle)]),
        Mismatch::UnexpectedRow { handle, object } => l.f(
            "mismatch-unexpected-row",
            &[("handle", handle), ("object", &format!("{object:#x}"))],
        ),
        Mismatch::RowCount { expected, actual } => {
            l.f("mismatch-row-count", &[("actual", actual), ("expected", expected)])
        }
        Mismatch::Alive { expected: true } => l.t("mismatch-gone").to_string(),
        Mismatch::Alive { expected: false } => l.t("mismatch-still-exists").to_string(),
        Mismatch::UsageCount { expected, actual } => {
            l.f("mismatch-usage-count", &[("actual", actual), ("expected", expected)])
        }
        Mismatch::HandleCount { expected, actual } => {
            l.f("mismatch-handle-count", &[("actual", actual), ("expected", expected)])
        }
        Mismatch::Kind { expected, actual } => {
            l.f("mismatch-kind", &[("actual", &actual.name()), ("expected", expected)])
        }
        Mismatch::Signaled { expected, actual } => l.f(
            "mismatch-signaled",
            &[
                (
                    "actual",
                    &actual.map_or_else(|| l.t("not-applicable").to_string(), |b| b.to_string()),
                ),
                ("expected", expected),
            ],
        ),
        Mismatch::DoesNotExist => l.t("mismatch-does-not-exist").to_string(),
        Mismatch::ProcessAlive { expected: true } => l.t("mismatch-process-object-gone").to_string(),
        Mismatch::ProcessAlive { expected: false } => l.t("mismatch-process-object-exists").to_string(),
        Mismatch::Running { expected: true } => l.t("mismatch-not-running").to_string(),
        Mismatch::Running { expected: false } => l.t("mismatch-running").to_string(),
        Mismatch::ExitCode { expected, actual } => l.f(
            "mismatch-exit-code",
            &[
                ("actual", &exit_code_name(*actual)),
                ("expected", &exit_code_name(*expected)),
            ],
        ),
        Mismatch::ExitCodeGone => l.t("mismatch-exit-code-gone").to_string(),
        Mismatch::Threads { expected, actual } => {
            l.f("mismatch-threads", &[("actual", actual), ("expected", expected)])
        }
        Mismatch::Parent {
            expected,
            expected_pid,
            actual,
        } => l.f(
            "mismatch-parent",
            &[
                (
                    "actual",
                    &actual.map_or_else(|| l.t("parent-unknown").to_string(), |p| p.to_string()),
                ),
                ("expected", expected),
                (
                    "expected_pid",
                    &expected_pid.map_or_else(|| l.t("not-started").to_string(), |p| format!("pid {p}")),
                ),
            ],
        ),
        Mismatch::Env { expected, actual } => {
            let show = |v: Option<&str>| v.map_or_else(|| l.t("not-set").to_string(), |v| format!("{v:?}"));
            l.f(
                "mismatch-env",
                &[("actual", &show(actual.as_deref())), ("expected", &show(*expected))],
            )
        }
        Mismatch::Clock { actual } => l.f("mismatch-clock", &[("actual", actual)]),
        Mismatch::NoDeadlock => l.t("mismatch-no-deadlock").to_string(),
        Mismatch::Deadlock { deadlock } => l.f("mismatch-deadlock", &[("list", &deadlock_text(l, deadlock))]),
        Mismatch::Unbound { name } => l.f("mismatch-unbound", &[("name", name)]),
    }
}

/// An exit code by name where it has one (`STILL_ACTIVE (259)`).
fn exit_code_name(code: u32) -> String {
    if code == consts::STILL_ACTIVE {
        format!("STILL_ACTIVE ({code})")
    } else {
        code.to_string()
    }
}

/// Who waits for what in a deadlock.
fn deadlock_text(l: Lang, d: &Deadlock) -> String {
    d.threads
        .iter()
        .map(|t| {
            l.f(
                "deadlock-thread",
                &[
                    ("tid", &t.thread_id),
                    ("call", &t.call.as_deref().unwrap_or_else(|| l.t("suspended"))),
                    ("reason", &wait_reason(l, &t.waiting_for)),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A failed check, in words (the line after `FAILED:`): its subject and what differed.
pub fn failure(l: Lang, c: &Check<'_>) -> String {
    let list: Vec<String> = c.found.iter().map(|m| mismatch(l, m)).collect();
    let list = list.join("; ");
    match &c.what {
        Checked::Table { of } => format!("{}: {list}", l.f("checked-table", &[("of", of)])),
        Checked::Object { object: Some(o), .. } => format!("{}: {list}", object_label(l, o)),
        Checked::Process { name } => format!("{}: {list}", l.f("label-process", &[("name", name)])),
        Checked::Env { process, name, .. } => {
            format!("{}: {list}", l.f("env-of", &[("process", process), ("name", name)]))
        }
        _ => list,
    }
}

/// Why a kernel refused a call, in words.
fn call_error(l: Lang, e: &CallError) -> String {
    match e {
        CallError::NoSuchThread(t) => l.f("call-error-no-thread", &[("tid", t)]),
        CallError::ThreadExited(t) => l.f("call-error-exited", &[("tid", t)]),
        CallError::ThreadParked {
            thread_id,
            call,
            call_seq,
        } => l.f(
            "call-error-parked",
            &[("tid", thread_id), ("call", call), ("seq", call_seq)],
        ),
        CallError::ThreadSuspended(t) => l.f("call-error-suspended", &[("tid", t)]),
    }
}

/// Why a run stopped, in words.
pub fn run_problem(l: Lang, p: &RunProblem<'_>) -> String {
    match p {
        RunProblem::File { path, error } => l.f("problem-file", &[("path", &format!("{path:?}")), ("error", error)]),
        RunProblem::CannotStart { name, error } => l.f("problem-cannot-start", &[("name", name), ("error", error)]),
        RunProblem::NoLiveThread { name, pid } => l.f("problem-no-live-thread", &[("name", name), ("pid", pid)]),
        RunProblem::ThreadGone { name, tid } => l.f("problem-thread-gone", &[("name", name), ("tid", tid)]),
        RunProblem::Parked {
            by,
            call,
            parked_in,
            since_step,
            call_seq,
        } => {
            let since = since_step.map_or(String::new(), |s| l.f("since-step", &[("step", &s)]));
            l.f(
                "problem-parked",
                &[
                    ("by", by),
                    ("call", call),
                    ("parked_in", parked_in),
                    ("since", &since),
                    ("seq", call_seq),
                ],
            )
        }
        RunProblem::CannotCall { by, call, error } => l.f(
            "problem-cannot-call",
            &[("by", by), ("call", call), ("error", &call_error(l, error))],
        ),
        RunProblem::Unbound { name } => l.f("problem-unbound", &[("name", name)]),
        RunProblem::NotProduced { output, ret } => {
            l.f("problem-not-produced", &[("output", output), ("ret", &show_ret(*ret))])
        }
        RunProblem::ReturnsNothing => l.t("problem-returns-nothing").to_string(),
        RunProblem::OverMemoryBudget { in_use, limit } => l.f(
            "problem-memory",
            &[("in_use", &(in_use >> 20)), ("limit", &(limit >> 20))],
        ),
        RunProblem::NotANumber { output } => l.f("problem-not-a-number", &[("output", output)]),
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
        Holder::MutexOwner {
            thread_id, recursion, ..
        } => format!(
            "{}: {}",
            ctx.thread(*thread_id),
            l.f("holder-mutex-owner", &[("times", recursion)])
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
    let obj = r.object.map_or_else(|| tag(l, &None), |t| ctx.obj(t.address));
    let mailslot = r.object.is_some_and(|t| t.kind == ObjectKind::Mailslot);
    let key = match r.by {
        ReleaseBy::Write if mailslot => "release-write-mailslot",
        ReleaseBy::Write => "release-write",
        ReleaseBy::Read => "release-read",
        ReleaseBy::Signal => "release-signal",
        ReleaseBy::OwnerReleases => "release-owner",
        ReleaseBy::Post => "release-post",
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
/// The step's explanation: the parked call's wait, and a deadlock's threads.
fn explain_lines(out: &mut String, ctx: &Ctx<'_>, step: &StepTrace<'_>) {
    let l = ctx.lang;
    if let Some(x) = &step.explain {
        if let Some(b) = &x.parked {
            blocked_lines(out, ctx, b, &x.steps, "    ");
        }
        if !x.deadlock.is_empty() {
            let _ = writeln!(out, "    {}", l.t("deadlock-no-thread-can-run-and-no-timeout-is-pen"));
            for b in &x.deadlock {
                blocked_lines(out, ctx, b, &x.steps, "      ");
            }
        }
    }
}

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
        let own = b
            .release
            .iter()
            .flat_map(|r| &r.holders)
            .all(|h| h.row_process() == Some(b.process_id));
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
            call,
            outcome,
            binds,
            thread_id,
            process_id,
            ..
        } => {
            ctx.thread_owner.insert(*thread_id, *process_id);
            let _ = writeln!(out, "{by}: {}", display.worded(|name| l.arg(name)));
            match outcome {
                CallOutcome::Done(r) => {
                    let _ = write!(out, "    -> {}", call_ret(l, call.name(), r.ret));
                    let failed =
                        matches!(r.ret, Ret::Bool(false)) || r.ret == Ret::Handle(HandleValue::INVALID) && r.error_set;
                    if failed
                        || (r.error_set && r.last_error != Win32Error::Success)
                        || (r.error_set && r.ret == Ret::Handle(HandleValue::NULL))
                    {
                        let _ = write!(out, ", GetLastError = {}", r.last_error);
                    }
                    let _ = writeln!(out);
                    for (field, v) in r.each_output() {
                        let _ = writeln!(out, "       {field} = {}", output_text(field, &v));
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
                let _ = writeln!(out, "{}", table_caption(l, name, view));
                let columns = TABLE_COLUMNS.map(|k| l.t(k));
                let _ = writeln!(out, "    | {} |", columns.join(" | "));
                let _ = writeln!(out, "    |---|---|---|---|---|");
                if view.handles.is_empty() {
                    let _ = writeln!(out, "    | {} | | | | |", l.t("empty"));
                }
                for row in &view.handles {
                    ctx.kinds.insert(row.object, row.kind);
                    let o = objects.get(&row.object);
                    let what = object_cell(l, row.kind, o, &|p| ctx.short(p));
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
                        match (*anonymous, *server) {
                            (true, true) => l.t("read-end"),
                            (true, false) => l.t("write-end"),
                            (false, true) => l.t("server-end"),
                            (false, false) => l.t("client-end"),
                        },
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
                    Detail::Mutex {
                        owner,
                        recursion,
                        abandoned,
                    } => {
                        let state = match owner {
                            None => l.t("mutex-free").to_string(),
                            Some(t) => l.f("mutex-owned", &[("thread", &ctx.thread(*t)), ("times", recursion)]),
                        };
                        let abandoned = if *abandoned { l.t("mutex-abandoned") } else { "" };
                        format!("{state}{abandoned}")
                    }
                    Detail::Semaphore { count, maximum } => {
                        l.f("semaphore-count", &[("count", count), ("maximum", maximum)])
                    }
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

/// One line of a JSON trace (`kernsim run --format json`), typed so that the trace's schema
/// (`kernsim schema --output`) is generated from what is written: the `scenario` header, a
/// `step` per step, the `summary` last. Numbers are JSON numbers everywhere: object addresses
/// (`4096` is the text output's `0x1000`), handle values (pseudo handles negative, as
/// `HANDLE` values are signed: `-1`), pids, tids, access masks and error codes' numbers.
#[derive(serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TraceLine<'a> {
    /// The first line: which scenario ran.
    Scenario {
        /// The scenario file.
        file: &'a str,
        /// Its title.
        title: &'a Text,
        /// The textbook section it follows.
        source: &'a Option<Text>,
    },
    /// One step: what it did, the kernel's events, the completions and the checks.
    Step(&'a StepTrace<'a>),
    /// The last line: the outcome of the run.
    Summary {
        /// Every check held and nothing stopped the run.
        passed: bool,
        /// Checks made.
        checks: usize,
        /// The checks that failed.
        failures: &'a [crate::runner::Failure<'a>],
        /// Why the run stopped early, if it did.
        error: &'a Option<crate::runner::RunError<'a>>,
        /// The leak report (`--leaks`).
        leaks: &'a Option<crate::runner::LeakReport>,
    },
}

impl TraceLine<'_> {
    /// The line as JSON, large data summarized ([`LARGE_DATA`]).
    fn write(&self, out: &mut String) {
        let v = Data::summarized(LARGE_DATA, || serde_json::to_value(self)).unwrap_or_default();
        let _ = writeln!(out, "{v}");
    }
}

impl JsonRenderer {
    /// A renderer that starts with the scenario header line.
    pub fn new(scenario: &Scenario) -> JsonRenderer {
        let mut out = String::new();
        TraceLine::Scenario {
            file: &scenario.file,
            title: &scenario.title,
            source: &scenario.source,
        }
        .write(&mut out);
        JsonRenderer { out }
    }

    /// Takes what was written so far.
    pub fn take(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    /// One step as a JSON line.
    pub fn step(&mut self, step: &StepTrace<'_>) {
        TraceLine::Step(step).write(&mut self.out);
    }

    /// The summary line.
    pub fn summary(&mut self, summary: &Summary<'_>) {
        TraceLine::Summary {
            passed: summary.passed(),
            checks: summary.checks,
            failures: &summary.failures,
            error: &summary.error,
            leaks: &summary.leaks,
        }
        .write(&mut self.out);
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
