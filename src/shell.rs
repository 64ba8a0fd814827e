//! The book's command prompt (chapter 8, Section 4), running on the virtual OS: it is itself a
//! process (`CmdPrompt.exe`) and makes real kernel calls. Commands: `start`, `lp`, `kp`,
//! `echo`, `set`/`env`, `exit`, `help`; to look at the kernel: `handles`, `object`, `names`,
//! `waits`, `advance`; `call` runs any kernel call by name; `save` writes the session as a
//! scenario file that `kernsim run` replays.
//!
//! With a terminal on stdin it offers line editing and history; otherwise it reads commands
//! from stdin, writes results to stdout, and exits non-zero if any command failed.

use kernsim_kernel::consts::*;
use kernsim_kernel::*;
use kernsim_scenario::runner::Shown;
use kernsim_scenario::values::{self, Lookup};
use kernsim_scenario::{render_shown, Lang, MemoryBudget};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;

/// What the loop does after a command.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Read the next command.
    Continue,
    /// Leave the prompt.
    Exit,
}

/// The prompt and the machine it runs on.
pub struct Shell {
    kernel: Kernel,
    lang: Lang,
    pid: Pid,
    /// Process names for display, `by` and saved scenarios.
    names: BTreeMap<Pid, String>,
    /// Every name given so far, and per image stem the next number to try, so that naming
    /// the n-th `start notepad` costs no scan of the others.
    used_names: std::collections::BTreeSet<String>,
    next_suffix: BTreeMap<String, usize>,
    steps: Vec<Value>,
    /// Set when a command failed (the exit status of a script).
    pub failed: bool,
}

/// Names usable in `call` arguments: process names stand for their pids.
struct Names<'a>(&'a BTreeMap<Pid, String>);

impl Lookup for Names<'_> {
    fn number(&self, name: &str) -> Option<u32> {
        self.0.iter().find(|(_, n)| n.as_str() == name).map(|(p, _)| p.0)
    }
    fn names(&self) -> Vec<String> {
        self.0.values().cloned().collect()
    }
}

/// The prompt's commands, for "did you mean".
const COMMANDS: &[&str] = &[
    "help", "exit", "quit", "echo", "start", "lp", "kp", "set", "env", "handles", "object", "usage", "names", "waits",
    "why", "leaks", "advance", "call", "save",
];

impl Shell {
    /// A machine whose only process is the prompt.
    pub fn new(lang: Lang) -> Shell {
        let mut kernel = Kernel::new();
        let env = vec!["PATH=C:\\Windows\\System32".to_string(), "PROMPT=$P$G".to_string()];
        let (pid, _) = kernel.spawn("CmdPrompt.exe", "CmdPrompt.exe", env.clone());
        let mut names = BTreeMap::new();
        names.insert(pid, "prompt".to_string());
        kernel.take_events();
        Shell {
            kernel,
            lang,
            pid,
            names,
            used_names: ["prompt".to_string()].into(),
            next_suffix: BTreeMap::new(),
            steps: Vec::new(),
            failed: false,
        }
        .with_decl(env)
    }

    fn with_decl(mut self, env: Vec<String>) -> Shell {
        self.steps
            .push(json!({"start": "prompt", "image": "CmdPrompt.exe", "environment": env}));
        self
    }

    /// The kernel, for tests and embedders.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// The prompt text.
    pub fn prompt(&self) -> String {
        "kernsim> ".to_string()
    }

    fn name(&self, pid: Pid) -> String {
        self.names.get(&pid).cloned().unwrap_or_else(|| format!("pid {pid}"))
    }

    /// Runs one kernel call for `pid`'s oldest thread and records it as a scenario step.
    fn call(&mut self, pid: Pid, call: Call, bind: Option<(&str, String)>) -> Result<CallOutcome, String> {
        let tid = self
            .kernel
            .main_thread(pid)
            .ok_or_else(|| format!("{} has no live thread", self.name(pid)))?;
        let outcome = self.kernel.call(tid, &call).map_err(|e| e.to_string())?;
        self.kernel.take_events();
        let wrapped = serde_json::to_value(&call).unwrap_or(Value::Null);
        let mut step = Map::new();
        step.insert("by".into(), self.name(pid).into());
        step.insert("call".into(), call.name().into());
        if let Some(args) = wrapped.get("args") {
            step.insert("args".into(), args.clone());
        }
        // A bind is recorded only when the call produced that output: a failed start binds
        // nothing, so the saved session replays.
        let produced = |key: &str| match &outcome {
            CallOutcome::Done(r) => OutputField::from_name(key).is_some_and(|f| r.output(f).is_some()),
            CallOutcome::Pending { .. } => true,
            CallOutcome::NoReturn => false,
        };
        if let Some((key, name)) = bind.filter(|(key, _)| produced(key)) {
            step.insert("bind".into(), json!({ key: name }));
        }
        let expect = match &outcome {
            CallOutcome::Done(r) => {
                let mut e = Map::new();
                e.insert(
                    "ret".into(),
                    r.ret
                        .as_u32()
                        .map_or(Value::Null, |v| Value::from(v as i64 as i32 as i64)),
                );
                if r.error_set {
                    e.insert("last_error".into(), r.last_error.name().into());
                }
                Value::Object(e)
            }
            CallOutcome::Pending { .. } => json!({"pending": true}),
            CallOutcome::NoReturn => Value::Null,
        };
        if !expect.is_null() {
            step.insert("expect".into(), expect);
        }
        self.steps.push(Value::Object(step));
        Ok(outcome)
    }

    fn note(&mut self, line: &str) {
        self.steps.push(json!({ "note": format!("> {line}") }));
    }

    /// The session so far as a scenario file.
    pub fn scenario_json(&self) -> String {
        let doc = json!({
            "format_version": 1,
            "title": {"en": "A saved kernsim shell session", "ko": "저장한 kernsim 셸 세션"},
            "source": "kernsim shell",
            "steps": self.steps,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    }

    /// Runs one command line; returns what to print and whether to go on.
    pub fn execute(&mut self, line: &str) -> (String, Flow) {
        let line = line.trim();
        if line.is_empty() {
            return (String::new(), Flow::Continue);
        }
        let (cmd, rest) = match line.split_once(char::is_whitespace) {
            Some((c, r)) => (c, r.trim()),
            None => (line, ""),
        };
        let result = match cmd.to_ascii_lowercase().as_str() {
            "help" | "?" => Ok(self.lang.t("shell-help").to_string() + "\n"),
            "exit" | "quit" => return (String::new(), Flow::Exit),
            "echo" => {
                let text = kernsim_kernel::env::expand_text(&self.prompt_env(), rest);
                Ok(format!("{text}\n"))
            }
            "start" => {
                self.note(line);
                self.start(rest)
            }
            "lp" => {
                self.note(line);
                self.lp()
            }
            "kp" => {
                self.note(line);
                self.kp(rest)
            }
            "set" => {
                if !rest.is_empty() && rest.contains('=') {
                    self.note(line);
                }
                self.set(rest)
            }
            "env" => Ok(self.prompt_env().iter().map(|e| format!("{e}\n")).collect()),
            "handles" => self.handles(rest),
            "object" => self.object(rest),
            "usage" => self.usage(rest),
            "names" => Ok(render_shown(
                &Shown::Namespace {
                    names: self.kernel.names(),
                },
                self.lang,
                &self.names,
            )),
            "waits" => Ok(self.waits()),
            "why" => self.why(rest),
            "leaks" => Ok(render_shown(
                &Shown::Leaks {
                    leaks: self.kernel.leaks(),
                    steps: Default::default(),
                },
                self.lang,
                &self.names,
            )),
            "advance" => {
                self.note(line);
                self.advance(rest)
            }
            "call" => {
                self.note(line);
                self.generic_call(rest)
            }
            "save" => self.save(rest),
            _ => {
                let near = consts::near_names(cmd, COMMANDS.iter().copied(), 2);
                let hint = if near.is_empty() {
                    String::new()
                } else {
                    format!("; {} {}?", self.lang.t("did-you-mean"), near.join(", "))
                };
                Err(format!("{}: {cmd}{hint}", self.lang.t("unknown-command-try-help")))
            }
        };
        match result {
            Ok(text) => (
                text,
                if self.kernel.is_running(self.pid) {
                    Flow::Continue
                } else {
                    Flow::Exit
                },
            ),
            Err(text) => {
                self.failed = true;
                (
                    format!("{text}\n"),
                    if self.kernel.is_running(self.pid) {
                        Flow::Continue
                    } else {
                        Flow::Exit
                    },
                )
            }
        }
    }

    fn prompt_env(&self) -> Vec<String> {
        self.kernel
            .process_view(self.pid)
            .map(|p| p.environment)
            .unwrap_or_default()
    }

    fn error_text(&self, what: &str, r: &CallResult) -> String {
        format!("{what} {}: {}", self.lang.t("failed-3"), r.last_error)
    }

    fn start(&mut self, rest: &str) -> Result<String, String> {
        let (inherit, rest) = match rest.strip_prefix("/i ") {
            Some(r) => (true, r.trim()),
            None => (false, rest),
        };
        if rest.is_empty() {
            return Err(self.lang.t("usage-start-i-name-args").into());
        }
        let image = rest.split_whitespace().next().unwrap_or(rest);
        let stem = image
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(image)
            .trim_end_matches(".exe")
            .to_ascii_lowercase();
        let mut n = self.next_suffix.get(&stem).copied().unwrap_or(1);
        let mut name = if n == 1 { stem.clone() } else { format!("{stem}{n}") };
        while self.used_names.contains(&name) || consts::lookup(&name).is_some() {
            n += 1;
            name = format!("{stem}{n}");
        }
        let call = Call::CreateProcess(Box::new(CreateProcessArgs {
            command_line: Some(rest.to_string()),
            inherit_handles: inherit,
            ..Default::default()
        }));
        let outcome = self.call(self.pid, call, Some(("process_id", name.clone())))?;
        let r = outcome.result().cloned().ok_or("CreateProcess did not return")?;
        if r.ret != Ret::Bool(true) {
            return Err(self.error_text("CreateProcess", &r));
        }
        let child = Pid(r.outputs().process_id.unwrap_or(0));
        self.names.insert(child, name.clone());
        self.used_names.insert(name.clone());
        self.next_suffix.insert(stem, n + 1);
        // As the book's prompt does: the handles are not needed, so close them.
        for h in [r.outputs().thread_handle, r.outputs().process_handle]
            .into_iter()
            .flatten()
        {
            self.call(self.pid, Call::CloseHandle { handle: h }, None)?;
        }
        Ok(format!("{} {name} (pid {child})\n", self.lang.t("started")))
    }

    /// Process entries through a real Toolhelp snapshot, as `lp` does.
    fn snapshot_entries(&mut self) -> Result<Vec<ProcessEntry>, String> {
        let snap = self.call(
            self.pid,
            Call::CreateToolhelp32Snapshot {
                flags: TH32CS_SNAPPROCESS,
                process_id: 0,
            },
            None,
        )?;
        let Some(Ret::Handle(h)) = snap.result().map(|r| r.ret) else {
            return Err("no snapshot".into());
        };
        if h == HandleValue::INVALID {
            return Err("CreateToolhelp32Snapshot failed".into());
        }
        let mut entries = Vec::new();
        let mut first = true;
        loop {
            let call = if first {
                Call::Process32First {
                    snapshot: h,
                    size: PROCESSENTRY32_SIZE,
                }
            } else {
                Call::Process32Next {
                    snapshot: h,
                    size: PROCESSENTRY32_SIZE,
                }
            };
            first = false;
            let r = self.call(self.pid, call, None)?;
            match r.result().and_then(|r| r.outputs().entry.clone()) {
                Some(e) => entries.push(e),
                None => break,
            }
        }
        self.call(self.pid, Call::CloseHandle { handle: h }, None)?;
        Ok(entries)
    }

    fn lp(&mut self) -> Result<String, String> {
        let entries = self.snapshot_entries()?;
        let mut out = format!(
            "| pid | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
            self.lang.t("parent-pid"),
            self.lang.t("threads"),
            self.lang.t("image"),
            self.lang.t("handles"),
            self.lang.t("state")
        );
        for e in entries {
            let handles = self
                .kernel
                .process_view(Pid(e.process_id))
                .map_or(0, |p| p.handles.len());
            let state = if self.kernel.is_running(Pid(e.process_id)) {
                self.lang.t("running")
            } else {
                self.lang.t("exited")
            };
            out += &format!(
                "| {} | {} | {} | {} | {handles} | {state} |\n",
                e.process_id, e.parent_process_id, e.threads, e.exe_file
            );
        }
        Ok(out)
    }

    fn kp(&mut self, rest: &str) -> Result<String, String> {
        if rest.is_empty() {
            return Err(self.lang.t("usage-kp-name-pid").into());
        }
        let pids: Vec<u32> = match rest.parse::<u32>() {
            Ok(pid) => vec![pid],
            Err(_) => {
                let want = if rest.contains('.') {
                    rest.to_ascii_lowercase()
                } else {
                    format!("{}.exe", rest.to_ascii_lowercase())
                };
                let found: Vec<u32> = self
                    .snapshot_entries()?
                    .into_iter()
                    .filter(|e| e.exe_file.to_ascii_lowercase() == want)
                    .map(|e| e.process_id)
                    .collect();
                if found.is_empty() {
                    return Err(format!("kp: {} {rest}", self.lang.t("no-such-process")));
                }
                found
            }
        };
        let mut out = String::new();
        let mut errors = Vec::new();
        for pid in pids {
            let open = Call::OpenProcess {
                desired_access: PROCESS_TERMINATE,
                inherit_handle: false,
                process_id: pid,
            };
            let r = self
                .call(self.pid, open, None)?
                .result()
                .cloned()
                .ok_or("OpenProcess did not return")?;
            let Ret::Handle(h) = r.ret else { unreachable!() };
            if h == HandleValue::NULL {
                errors.push(format!("kp {pid}: {}", self.error_text("OpenProcess", &r)));
                continue;
            }
            let name = self.name(Pid(pid));
            let outcome = self.call(
                self.pid,
                Call::TerminateProcess {
                    process: h,
                    exit_code: 1,
                },
                None,
            )?;
            match outcome {
                CallOutcome::NoReturn => {
                    out += &format!("{}\n", self.lang.t("the-prompt-terminated-itself"));
                    return Ok(out);
                }
                CallOutcome::Done(t) if t.ret == Ret::Bool(true) => {
                    out += &format!("{} {name} (pid {pid})\n", self.lang.t("killed"));
                }
                CallOutcome::Done(t) => errors.push(format!("kp {pid}: {}", self.error_text("TerminateProcess", &t))),
                CallOutcome::Pending { .. } => {}
            }
            self.call(self.pid, Call::CloseHandle { handle: h }, None)?;
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(format!("{out}{}", errors.join("\n")))
        }
    }

    fn set(&mut self, rest: &str) -> Result<String, String> {
        if rest.is_empty() {
            return Ok(self.prompt_env().iter().map(|e| format!("{e}\n")).collect());
        }
        match rest.split_once('=') {
            Some((name, value)) => {
                let value = (!value.is_empty()).then(|| value.to_string());
                let call = Call::SetEnvironmentVariable {
                    name: name.trim().to_string(),
                    value,
                };
                let r = self.call(self.pid, call, None)?.result().cloned().ok_or("no result")?;
                if r.ret == Ret::Bool(true) {
                    Ok(String::new())
                } else {
                    Err(self.error_text("SetEnvironmentVariable", &r))
                }
            }
            None => match kernsim_kernel::env::value(&self.prompt_env(), rest) {
                Some(v) => Ok(format!("{rest}={v}\n")),
                None => Err(format!("{}: {rest}", self.lang.t("not-set"))),
            },
        }
    }

    fn process_arg(&self, arg: &str) -> Result<Pid, String> {
        if arg.is_empty() {
            return Ok(self.pid);
        }
        if let Ok(pid) = arg.parse::<u32>() {
            return Ok(Pid(pid));
        }
        self.names
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(arg))
            .map(|(p, _)| *p)
            .ok_or_else(|| format!("{} {arg}", self.lang.t("no-process-named")))
    }

    fn handles(&self, rest: &str) -> Result<String, String> {
        let pid = self.process_arg(rest)?;
        let view = self
            .kernel
            .process_view(pid)
            .ok_or_else(|| format!("pid {pid}: {}", self.lang.t("no-such-process-2")))?;
        let mut objects = BTreeMap::new();
        for row in &view.handles {
            if let Some(o) = self.kernel.object_view(row.object) {
                objects.insert(row.object, o);
            }
        }
        Ok(render_shown(
            &Shown::Handles {
                tables: vec![(self.name(pid), view)],
                objects,
            },
            self.lang,
            &self.names,
        ))
    }

    fn object_text(&self, address: Address) -> Result<String, String> {
        let view = self
            .kernel
            .object_view(address)
            .ok_or_else(|| format!("{address:#x}: {}", self.lang.t("no-such-object")))?;
        let holders = self.kernel.why_alive(address).map_or_else(Vec::new, |a| a.holders);
        Ok(render_shown(
            &Shown::Object {
                object: Some(view),
                label: kernsim_scenario::Label::Address { address },
                holders,
                steps: Default::default(),
            },
            self.lang,
            &self.names,
        ))
    }

    /// `why NAME|PID`: why the process's threads are blocked; `why ADDRESS`: why the object
    /// is alive.
    fn why(&self, rest: &str) -> Result<String, String> {
        if rest.is_empty() {
            return Err(self.lang.t("usage-why-name-pid-address").into());
        }
        let pid = self
            .process_arg(rest)
            .ok()
            .filter(|p| self.kernel.process_view(*p).is_some());
        let shown = match pid {
            Some(pid) => {
                let threads = self.kernel.process_view(pid).map_or_else(Vec::new, |p| p.threads);
                let blocked: Vec<_> = threads.into_iter().filter_map(|t| self.kernel.why_blocked(t)).collect();
                let name = self.name(pid);
                if blocked.is_empty() {
                    return Ok(format!("{name}: {}\n", self.lang.t("not-blocked")));
                }
                Shown::WhyBlocked {
                    threads: blocked,
                    not_blocked: Vec::new(),
                    steps: Default::default(),
                }
            }
            None => {
                let address = values::number_from_str(rest, &Names(&self.names))
                    .map_err(|e| format!("why: {}", e.text(self.lang)))?;
                let address = Address(u64::from(address));
                Shown::WhyAlive {
                    label: kernsim_scenario::Label::Address { address },
                    alive: self.kernel.why_alive(address),
                    steps: Default::default(),
                }
            }
        };
        Ok(render_shown(&shown, self.lang, &self.names))
    }

    fn object(&self, rest: &str) -> Result<String, String> {
        let address =
            values::number_from_str(rest, &Names(&self.names)).map_err(|e| format!("object: {}", e.text(self.lang)))?;
        self.object_text(Address(u64::from(address)))
    }

    fn usage(&self, rest: &str) -> Result<String, String> {
        let mut parts = rest.split_whitespace();
        let (Some(p), Some(h)) = (parts.next(), parts.next()) else {
            return Err(self.lang.t("usage-usage-name-pid-handle").into());
        };
        let pid = self.process_arg(p)?;
        let v = values::number_from_str(h, &Names(&self.names)).map_err(|e| format!("usage: {}", e.text(self.lang)))?;
        let o = self
            .kernel
            .object_of_handle(pid, HandleValue(v))
            .ok_or_else(|| format!("{} {h}: {}", self.name(pid), Win32Error::InvalidHandle))?;
        self.object_text(o.object)
    }

    fn waits(&self) -> String {
        let threads = self
            .kernel
            .snapshot()
            .threads
            .into_iter()
            .filter(|t| t.parked.is_some())
            .collect();
        render_shown(
            &Shown::Waits {
                threads,
                deadlock: self.kernel.deadlock(),
            },
            self.lang,
            &self.names,
        )
    }

    fn advance(&mut self, rest: &str) -> Result<String, String> {
        let ms: u64 = rest.parse().map_err(|_| self.lang.t("usage-advance-ms").to_string())?;
        self.kernel.advance_time(ms);
        self.kernel.take_events();
        self.steps.push(json!({ "advance": ms }));
        Ok(self.completions())
    }

    fn completions(&mut self) -> String {
        let mut out = String::new();
        for c in self.kernel.take_completions() {
            let r = &c.result;
            out += &format!(
                "{} {}: {} -> {}{}\n",
                self.lang.t("completed"),
                self.name(c.process_id),
                c.call,
                r.ret,
                if r.error_set {
                    format!(", GetLastError = {}", r.last_error)
                } else {
                    String::new()
                }
            );
        }
        out
    }

    fn generic_call(&mut self, rest: &str) -> Result<String, String> {
        let (pid, rest) = match rest.strip_prefix('@') {
            Some(r) => {
                let (who, after) = r.split_once(char::is_whitespace).unwrap_or((r, ""));
                (self.process_arg(who)?, after.trim())
            }
            None => (self.pid, rest),
        };
        let (name, args_text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let Some(kind) = CallName::from_name(name) else {
            let near = consts::near_names(name, Call::NAMES.iter().copied(), 3);
            return Err(format!(
                "{}: {name:?}{}",
                self.lang.t("unknown-call"),
                if near.is_empty() {
                    String::new()
                } else {
                    self.lang.f("load-hint-did-you-mean", &[("names", &near.join(", "))])
                }
            ));
        };
        let args: Map<String, Value> = if args_text.trim().is_empty() {
            Map::new()
        } else {
            serde_json::from_str(args_text)
                .map_err(|e| format!("{}: {e}", self.lang.t("arguments-must-be-a-json-object")))?
        };
        let resolved = values::resolve_args(kind, &args, &Names(&self.names))
            .map_err(|(p, m)| format!("{}: {}", args_path(&p), m.text(self.lang)))?;
        let call =
            values::build_call(name, resolved).map_err(|(p, m)| format!("{}: {}", args_path(&p), m.text(self.lang)))?;
        let outcome = self.call(pid, call, None)?;
        let mut out = match &outcome {
            CallOutcome::Done(r) => {
                let mut s = format!("-> {}", values::show_ret(r.ret));
                if r.error_set || r.ret == Ret::Bool(false) {
                    s += &format!(", GetLastError = {}", r.last_error);
                }
                s += "\n";
                for (field, v) in r.outputs().iter() {
                    s += &format!("   {field} = {}\n", kernsim_scenario::render::output_json(&v));
                }
                s
            }
            CallOutcome::Pending { .. } => format!("-> {}\n", self.lang.t("blocks-the-thread-is-parked")),
            CallOutcome::NoReturn => format!("-> {}\n", self.lang.t("does-not-return")),
        };
        out += &self.completions();
        Ok(out)
    }

    /// The message for an input line that is not UTF-8.
    fn not_utf8(&self, line: usize, valid_up_to: usize) -> String {
        format!(
            "{} {line}: {} {valid_up_to}\n",
            self.lang.t("line"),
            self.lang.t("not-valid-utf-8-text-the-first-bad-byte-is-at-of")
        )
    }

    fn too_long(&self, line: usize) -> String {
        format!(
            "{} {line}: {} {MAX_LINE} {}\n",
            self.lang.t("line"),
            self.lang.t("longer-than"),
            self.lang.t("bytes-skipped")
        )
    }

    fn save(&self, rest: &str) -> Result<String, String> {
        if rest.is_empty() {
            return Err(self.lang.t("usage-save-file").into());
        }
        std::fs::write(rest, self.scenario_json() + "\n").map_err(|e| format!("save {rest}: {e}"))?;
        Ok(format!("{} {rest}\n", self.lang.t("saved")))
    }
}

/// The longest line the prompt reads; a longer one is reported and skipped (so that a line
/// with no end cannot take the memory of its whole length).
pub const MAX_LINE: usize = 1 << 20;

/// Runs the prompt on stdin/stdout. Returns the exit status: 0, 1 if a command failed, 2 if
/// the session went over its memory budget (`memory`, checked after every command).
pub fn main(lang: Lang, save: Option<&Path>, memory: Option<MemoryBudget>) -> u8 {
    let over_budget = || {
        let problem = memory?.exceeded()?;
        eprintln!(
            "{}: {}",
            lang.t("cli-error"),
            kernsim_scenario::render::run_problem(lang, &problem)
        );
        Some(())
    };
    let mut shell = Shell::new(lang);
    let stdout = std::io::stdout();
    if std::io::stdin().is_terminal() {
        let banner = lang.t("shell-banner");
        println!("{banner}");
        if let Ok(mut editor) = rustyline::DefaultEditor::new() {
            loop {
                let line = match editor.readline(&shell.prompt()) {
                    Ok(line) => line,
                    // Ctrl-C clears the half-typed line, as a command prompt does.
                    Err(rustyline::error::ReadlineError::Interrupted) => continue,
                    Err(_) => break,
                };
                let _ = editor.add_history_entry(line.as_str());
                let (text, flow) = shell.execute(&line);
                print!("{text}");
                if over_budget().is_some() {
                    return 2;
                }
                if flow == Flow::Exit {
                    break;
                }
            }
        }
    } else {
        let mut stdin = std::io::stdin().lock();
        let mut raw = Vec::new();
        let mut number = 0usize;
        loop {
            raw.clear();
            match (&mut stdin).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut raw) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            number += 1;
            let too_long = raw.len() > MAX_LINE;
            if too_long && raw.last() != Some(&b'\n') {
                // Skip the rest of the line without keeping it.
                if skip_line(&mut stdin).is_err() {
                    break;
                }
            }
            let (text, flow) = match std::str::from_utf8(&raw) {
                _ if too_long => {
                    shell.failed = true;
                    (shell.too_long(number), Flow::Continue)
                }
                Ok(line) => shell.execute(line.trim_end_matches(['\n', '\r'])),
                // A line that is not UTF-8 is reported, and the session goes on.
                Err(e) => {
                    shell.failed = true;
                    (shell.not_utf8(number, e.valid_up_to()), Flow::Continue)
                }
            };
            let mut out = stdout.lock();
            if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                break;
            }
            if over_budget().is_some() {
                return 2;
            }
            if flow == Flow::Exit {
                break;
            }
        }
    }
    if let Some(path) = save {
        if let Err(e) = std::fs::write(path, shell.scenario_json() + "\n") {
            eprintln!("{}: {}: {e}", lang.t("cli-error"), path.display());
            return 2;
        }
    }
    u8::from(shell.failed)
}

/// Reads and drops input up to and including the next newline, a buffer at a time.
fn skip_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// Where in a call's JSON arguments an error is: `args`, or `args.handle`.
fn args_path(p: &kernsim_scenario::locate::JsonPath) -> String {
    if p.0.is_empty() {
        "args".to_string()
    } else {
        format!("args.{p}")
    }
}
