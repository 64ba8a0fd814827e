//! `kernsim quiz`: seeded problems generated from the model, in the manner of the OSTEP
//! homework simulators. A seed gives a short scenario of one topic; the model runs it, and the
//! questions ask what it knows (a call's return value and last error, a table after a step, an
//! object's usage count, whether a call blocks, what a child reads from its environment).
//! Answers come from the run, never from a table of answers; `--solve` prints them with the
//! explanation the explain queries give. Interactive at a terminal, scriptable otherwise
//! (answers on stdin, one per line; the score on stdout; exit 0 when all are right).

use crate::stepper::Stepper;
use kernsim_kernel::{CallOutcome, HandleValue, Kernel, OutputField, OutputValue, Pid, Ret, Win32Error};
use kernsim_scenario::runner::{Action, Names};
use kernsim_scenario::{load_str, run_with, Lang, RunOptions, Sink, StepTrace};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, Write};

/// The topics, as `--topic` names them.
pub const TOPICS: &[&str] = &[
    "handles",
    "inherit",
    "duplicate",
    "pipes",
    "named-pipes",
    "env",
    "processes",
];

/// SplitMix64: a seeded, portable sequence (the same problem for the same seed everywhere).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A generated step: who calls what, with which arguments (binding names, not values, so
/// that the problem does not give away what the model computes).
fn call(by: &str, call: &str, args: Value, bind: Value) -> Value {
    let mut step = json!({"by": by, "call": call, "args": args});
    if bind.as_object().is_some_and(|b| !b.is_empty()) {
        step["bind"] = bind;
    }
    step
}

/// The problem's steps for a topic (about `steps` of them).
fn generate(topic: &str, rng: &mut Rng, steps: usize) -> (Vec<&'static str>, Vec<Value>) {
    let mut out = Vec::new();
    let mut handles: Vec<String> = Vec::new();
    let mut n = 0;
    let mut fresh = |prefix: &str| {
        n += 1;
        format!("{prefix}{n}")
    };
    match topic {
        "inherit" => {
            let pipe = rng.chance(50);
            if pipe {
                let (r, w) = (fresh("hRead"), fresh("hWrite"));
                let inherit = rng.chance(70);
                out.push(call(
                    "parent",
                    "CreatePipe",
                    json!({"pipe_attributes": {"inherit_handle": inherit}}),
                    json!({"read_handle": r, "write_handle": w}),
                ));
                handles.extend([r, w]);
            }
            while out.len() + 2 < steps {
                let h = fresh("hEvent");
                let inherit = rng.chance(50);
                out.push(call(
                    "parent",
                    "CreateEvent",
                    json!({"event_attributes": {"inherit_handle": inherit}, "manual_reset": true}),
                    json!({"ret": h}),
                ));
                handles.push(h);
                if rng.chance(40) {
                    let h = rng.pick(&handles).clone();
                    let flags = if rng.chance(50) { "HANDLE_FLAG_INHERIT" } else { "0" };
                    out.push(call(
                        "parent",
                        "SetHandleInformation",
                        json!({"handle": h, "mask": "HANDLE_FLAG_INHERIT", "flags": flags}),
                        json!({}),
                    ));
                }
            }
            out.push(call(
                "parent",
                "CreateProcess",
                json!({"command_line": "child.exe", "inherit_handles": rng.chance(75)}),
                json!({"process_id": "child", "process_handle": "hChild"}),
            ));
            if rng.chance(60) {
                let h = rng.pick(&handles).clone();
                out.push(call("parent", "CloseHandle", json!({"handle": h}), json!({})));
            }
            (vec!["parent"], out)
        }
        "duplicate" => {
            out.push(call(
                "parent",
                "CreateProcess",
                json!({"command_line": "child.exe"}),
                json!({"process_id": "child", "process_handle": "hChild"}),
            ));
            let e = fresh("hEvent");
            out.push(call(
                "parent",
                "CreateEvent",
                json!({"manual_reset": true}),
                json!({"ret": e}),
            ));
            handles.push(e);
            while out.len() < steps {
                let source = rng.pick(&handles).clone();
                let options = *rng.pick(&[
                    "DUPLICATE_SAME_ACCESS",
                    "DUPLICATE_SAME_ACCESS|DUPLICATE_CLOSE_SOURCE",
                    "DUPLICATE_CLOSE_SOURCE",
                    "0",
                ]);
                let to_child = rng.chance(50);
                let target = if to_child { "hChild" } else { "GetCurrentProcess" };
                let name = fresh(if to_child { "hInChild" } else { "hDup" });
                let mut args = json!({"source_handle": source, "options": options, "inherit_handle": rng.chance(30)});
                if to_child {
                    args["target_process_handle"] = json!(target);
                }
                if options == "0" {
                    args["desired_access"] = json!("SYNCHRONIZE");
                }
                out.push(call("parent", "DuplicateHandle", args, json!({"target_handle": name})));
                if !to_child {
                    handles.push(name);
                }
                if rng.chance(30) {
                    let h = rng.pick(&handles).clone();
                    out.push(call("parent", "CloseHandle", json!({"handle": h}), json!({})));
                }
            }
            (vec!["parent"], out)
        }
        "pipes" => {
            let size = *rng.pick(&[0u32, 8, 16]);
            out.push(call(
                "app",
                "CreatePipe",
                json!({"size": size}),
                json!({"read_handle": "hRead", "write_handle": "hWrite"}),
            ));
            let words = ["hi", "hello", "pipe", "data!", "0123456789"];
            // What is queued, so that only the last read may find the pipe empty and block,
            // and no write waits for room (the writer would block the only thread).
            let quota = if size == 0 { 4096 } else { size as usize };
            let mut queued = 0usize;
            while out.len() + 1 < steps {
                let word = *rng.pick(&words);
                let write = queued == 0 || (queued + word.len() <= quota && rng.chance(55));
                if write && queued + word.len() <= quota {
                    out.push(call(
                        "app",
                        "WriteFile",
                        json!({"file": "hWrite", "data": word}),
                        json!({}),
                    ));
                    queued += word.len();
                } else if queued > 0 && rng.chance(75) {
                    let n = *rng.pick(&[2usize, 4, 10, 64]);
                    out.push(call(
                        "app",
                        "ReadFile",
                        json!({"file": "hRead", "bytes_to_read": n}),
                        json!({}),
                    ));
                    queued -= n.min(queued);
                } else {
                    out.push(call(
                        "app",
                        "PeekNamedPipe",
                        json!({"named_pipe": "hRead", "buffer_size": 64}),
                        json!({}),
                    ));
                    if queued == 0 {
                        break;
                    }
                }
            }
            if rng.chance(50) {
                out.push(call("app", "CloseHandle", json!({"handle": "hWrite"}), json!({})));
            }
            // The last step may block: a read of an empty pipe whose writer is still open.
            out.push(call(
                "app",
                "ReadFile",
                json!({"file": "hRead", "bytes_to_read": 64}),
                json!({}),
            ));
            (vec!["app"], out)
        }
        "named-pipes" => {
            let name = "\\\\.\\pipe\\quiz";
            let message = rng.chance(50);
            let mode = if message {
                "PIPE_TYPE_MESSAGE|PIPE_READMODE_MESSAGE"
            } else {
                "PIPE_TYPE_BYTE"
            };
            out.push(call(
                "server",
                "CreateNamedPipe",
                json!({"name": name, "open_mode": "PIPE_ACCESS_DUPLEX", "pipe_mode": mode, "max_instances": 1}),
                json!({"ret": "hPipe"}),
            ));
            if rng.chance(40) {
                out.push(call(
                    "server",
                    "CreateNamedPipe",
                    json!({"name": name, "open_mode": "PIPE_ACCESS_DUPLEX", "max_instances": 1}),
                    json!({"ret": "hSecond"}),
                ));
            }
            let client_first = rng.chance(50);
            let open = call(
                "client",
                "CreateFile",
                json!({"file_name": name, "desired_access": "GENERIC_READ|GENERIC_WRITE", "creation_disposition": "OPEN_EXISTING"}),
                json!({"ret": "hClient"}),
            );
            let connect = call("server", "ConnectNamedPipe", json!({"named_pipe": "hPipe"}), json!({}));
            if client_first {
                out.push(open);
                out.push(connect);
            } else {
                out.push(connect);
                out.push(open);
            }
            let data = *rng.pick(&["hello", "message one", "0123456789"]);
            out.push(call(
                "client",
                "WriteFile",
                json!({"file": "hClient", "data": data}),
                json!({}),
            ));
            out.push(call(
                "server",
                "ReadFile",
                json!({"file": "hPipe", "bytes_to_read": rng.pick(&[4u32, 64])}),
                json!({}),
            ));
            if rng.chance(60) {
                out.push(call(
                    "server",
                    "DisconnectNamedPipe",
                    json!({"named_pipe": "hPipe"}),
                    json!({}),
                ));
                out.push(call(
                    "client",
                    "ReadFile",
                    json!({"file": "hClient", "bytes_to_read": 16}),
                    json!({}),
                ));
            }
            (vec!["server", "client"], out)
        }
        "env" => {
            let names = ["GREETING", "COLOR", "LEVEL"];
            let values = ["hello", "blue", "3", "", "안녕"];
            let var = *rng.pick(&names);
            out.push(call(
                "parent",
                "SetEnvironmentVariable",
                json!({"name": var, "value": rng.pick(&values)}),
                json!({}),
            ));
            let explicit = rng.chance(30);
            let mut args = json!({"command_line": "child.exe"});
            if explicit {
                args["environment"] = json!([format!("{}=given", rng.pick(&names))]);
            }
            out.push(call("parent", "CreateProcess", args, json!({"process_id": "child"})));
            if rng.chance(60) {
                out.push(call(
                    "parent",
                    "SetEnvironmentVariable",
                    json!({"name": var, "value": "changed-later"}),
                    json!({}),
                ));
            }
            while out.len() < steps {
                let asked = if rng.chance(70) { var } else { rng.pick(&names) };
                let size = *rng.pick(&[64u32, 64, 2, 0]);
                out.push(call(
                    "child",
                    "GetEnvironmentVariable",
                    json!({"name": asked, "size": size}),
                    json!({}),
                ));
            }
            (vec!["parent"], out)
        }
        "processes" => {
            out.push(call(
                "parent",
                "CreateProcess",
                json!({"command_line": "child.exe"}),
                json!({"process_id": "child", "process_handle": "hChild", "thread_handle": "hThread"}),
            ));
            if rng.chance(50) {
                out.push(call("parent", "CloseHandle", json!({"handle": "hThread"}), json!({})));
            }
            out.push(call(
                "parent",
                "GetExitCodeProcess",
                json!({"process": "hChild"}),
                json!({}),
            ));
            let code = rng.below(5);
            if rng.chance(50) {
                out.push(call("child", "ExitProcess", json!({"exit_code": code}), json!({})));
            } else {
                out.push(call(
                    "parent",
                    "TerminateProcess",
                    json!({"process": "hChild", "exit_code": code}),
                    json!({}),
                ));
            }
            out.push(call(
                "parent",
                "WaitForSingleObject",
                json!({"handle": "hChild", "milliseconds": 0}),
                json!({}),
            ));
            out.push(call(
                "parent",
                "GetExitCodeProcess",
                json!({"process": "hChild"}),
                json!({}),
            ));
            if rng.chance(60) {
                out.push(call("parent", "CloseHandle", json!({"handle": "hChild"}), json!({})));
                out.push(call(
                    "parent",
                    "OpenProcess",
                    json!({"desired_access": "PROCESS_QUERY_INFORMATION", "process_id": "child"}),
                    json!({}),
                ));
            }
            (vec!["parent"], out)
        }
        _ => {
            // "handles"
            while out.len() < steps {
                match rng.below(6) {
                    0 | 1 => {
                        let h = fresh("hEvent");
                        let mut args = json!({"manual_reset": rng.chance(50)});
                        if rng.chance(50) {
                            args["name"] = json!(format!("ev{}", rng.below(2)));
                        }
                        out.push(call("app", "CreateEvent", args, json!({"ret": h})));
                        handles.push(h);
                    }
                    2 if !handles.is_empty() => {
                        let h = rng.pick(&handles).clone();
                        out.push(call("app", "CloseHandle", json!({"handle": h}), json!({})));
                    }
                    3 => {
                        let h = fresh("hOpened");
                        out.push(call(
                            "app",
                            "OpenEvent",
                            json!({"desired_access": "EVENT_ALL_ACCESS", "name": format!("ev{}", rng.below(2))}),
                            json!({"ret": h}),
                        ));
                        handles.push(h);
                    }
                    4 if !handles.is_empty() => {
                        let h = rng.pick(&handles).clone();
                        let d = fresh("hDup");
                        out.push(call(
                            "app",
                            "DuplicateHandle",
                            json!({"source_handle": h, "options": "DUPLICATE_SAME_ACCESS"}),
                            json!({"target_handle": d}),
                        ));
                        handles.push(d);
                    }
                    _ if !handles.is_empty() => {
                        let h = rng.pick(&handles).clone();
                        out.push(call(
                            "app",
                            "WaitForSingleObject",
                            json!({"handle": h, "milliseconds": 0}),
                            json!({}),
                        ));
                    }
                    _ => {}
                }
            }
            (vec!["app"], out)
        }
    }
}

/// Keeps the steps that load and run: a step naming a handle a failed call never bound, or
/// acting for a thread an earlier call left blocked, is left out, so a blocking call can only
/// be the last of its thread's.
fn keep_runnable(processes: &[&str], steps: Vec<Value>) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::new();
    for step in steps {
        let mut candidate = kept.clone();
        candidate.push(step);
        let text = scenario_json(processes, &candidate).to_string();
        let runs = load_str(&text, "quiz.json").is_ok_and(|sc| {
            run_with(&sc, RunOptions::default(), &mut kernsim_scenario::Discard)
                .error
                .is_none()
        });
        if runs {
            kept = candidate;
        }
    }
    kept
}

fn scenario_json(processes: &[&str], steps: &[Value]) -> Value {
    let procs: Vec<Value> = processes
        .iter()
        .map(|p| json!({"name": p, "image": format!("{p}.exe")}))
        .collect();
    json!({"format_version": 1, "title": "quiz", "processes": procs, "steps": steps})
}

/// One process's table after a step: its name, pid and rows (value, object address, inherit).
type Table = (String, Pid, Vec<(HandleValue, u64, bool)>);

/// What the run says about each step.
#[derive(Clone, Debug)]
struct Fact {
    /// The step as the problem prints it.
    shown: String,
    outcome: Option<CallOutcome>,
    text: Option<String>,
    /// Every process's table after the step.
    tables: Vec<Table>,
    /// Usage counts after the step, by object address.
    usage: BTreeMap<u64, u32>,
}

struct Collect {
    facts: Vec<Fact>,
}

impl<'a> Sink<'a> for Collect {
    fn step(&mut self, _: StepTrace<'a>, _: &Names) {}

    fn narrates(&self) -> bool {
        false
    }

    fn step_in(&mut self, trace: StepTrace<'a>, names: &Names, kernel: &Kernel) {
        if trace.step == 0 {
            return;
        }
        let outcome = match &trace.action {
            Action::Call { outcome, .. } => Some(outcome.clone()),
            _ => None,
        };
        let text = match &outcome {
            Some(CallOutcome::Done(r)) => r.outputs().text.clone(),
            _ => None,
        };
        // Quiz worlds are a few objects: the whole state after each step is small.
        let snap = kernel.snapshot();
        let tables = snap
            .processes
            .iter()
            .map(|p| {
                let name = names.get(&p.process_id).cloned().unwrap_or_default();
                let rows = p.handles.iter().map(|r| (r.handle, r.object.0, r.inherit)).collect();
                (name, p.process_id, rows)
            })
            .collect();
        let usage = snap.objects.iter().map(|o| (o.object.0, o.usage_count)).collect();
        self.facts.push(Fact {
            shown: String::new(),
            outcome,
            text,
            tables,
            usage,
        });
    }
}

/// `NAME(arg: value, ...)` of a generated step, with binding names as written.
fn show_step(step: &Value) -> String {
    let args: Vec<String> = step["args"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| match v {
            Value::String(s) => format!("{k}: {s}"),
            v => format!("{k}: {v}"),
        })
        .collect();
    format!(
        "{}: {}({})",
        step["by"].as_str().unwrap_or(""),
        step["call"].as_str().unwrap_or(""),
        args.join(", ")
    )
}

/// One question, its answer, and how to explain it.
struct Question {
    text: String,
    answer: Answer,
    /// The step whose state explains it, and the show step that does.
    explain: (usize, Option<Value>),
}

enum Answer {
    /// A return value and, when the call set one, the last error.
    Ret(Ret, Option<Win32Error>),
    Number(u32),
    Handles(Vec<u32>),
    YesNo(bool),
    Text(String),
    Choice(usize, usize),
}

impl Answer {
    fn shown(&self, l: Lang) -> String {
        match self {
            Answer::Ret(r, None) => r.to_string(),
            Answer::Ret(r, Some(e)) => format!("{r} {} ({})", e.name(), e.code()),
            Answer::Number(n) => n.to_string(),
            Answer::Handles(v) if v.is_empty() => l.t("quiz-none").to_string(),
            Answer::Handles(v) => v.iter().map(u32::to_string).collect::<Vec<_>>().join(" "),
            Answer::YesNo(b) => l.t(if *b { "quiz-yes" } else { "quiz-no" }).to_string(),
            Answer::Text(t) => format!("{t:?}"),
            Answer::Choice(i, _) => ((b'a' + *i as u8) as char).to_string(),
        }
    }

    /// Whether a student's line says this.
    fn accepts(&self, l: Lang, said: &str) -> bool {
        let said = said.trim();
        let words: Vec<String> = said
            .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        match self {
            Answer::Ret(r, e) => {
                let Some((first, rest)) = words.split_first() else {
                    return false;
                };
                let ret_ok = match r {
                    Ret::Bool(b) => first == if *b { "TRUE" } else { "FALSE" } || first == if *b { "1" } else { "0" },
                    _ => number(first).is_some_and(|n| Some(n) == r.as_u32()) || *first == r.to_string(),
                };
                let error_ok = match (e, rest.first()) {
                    (None, None) => true,
                    (None, Some(w)) => number(w) == Some(0) || w == "ERROR_SUCCESS",
                    (Some(e), Some(w)) => number(w) == Some(e.code()) || Win32Error::from_name(w) == Some(*e),
                    (Some(_), None) => false,
                };
                ret_ok && error_ok
            }
            Answer::Number(n) => words.len() == 1 && number(&words[0]) == Some(*n),
            Answer::Handles(v) => {
                let none = words.len() == 1 && (words[0] == "NONE" || said == l.t("quiz-none"));
                if v.is_empty() {
                    return none || words.is_empty();
                }
                let mut got: Vec<u32> = words.iter().filter_map(|w| number(w)).collect();
                got.sort_unstable();
                got.len() == words.len() && got == *v
            }
            Answer::YesNo(b) => {
                let yes = ["Y", "YES", "예", "네", "응"]
                    .iter()
                    .any(|w| words.first().is_some_and(|x| x == w));
                let no = ["N", "NO", "아니오", "아니요", "아니"]
                    .iter()
                    .any(|w| words.first().is_some_and(|x| x == w));
                if *b {
                    yes
                } else {
                    no
                }
            }
            Answer::Text(t) => said.trim_matches('"') == t,
            Answer::Choice(i, n) => {
                let c = said.to_ascii_lowercase();
                c.len() == 1
                    && c.as_bytes()[0]
                        .checked_sub(b'a')
                        .is_some_and(|k| usize::from(k) == *i && *i < *n)
            }
        }
    }
}

fn number(w: &str) -> Option<u32> {
    match w.strip_prefix("0X") {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => w
            .parse::<i64>()
            .ok()
            .and_then(|n| u32::try_from(n).ok().or((n < 0).then_some(n as u32))),
    }
}

/// What `quiz` was asked for (with the `cli` feature, also `kernsim quiz`'s arguments).
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct QuizOptions {
    /// handles, inherit, duplicate, pipes, named-pipes, env, processes, or all.
    #[cfg_attr(feature = "cli", arg(long, default_value = "all"))]
    pub topic: String,
    /// The problem's seed (printed first, so a problem can be shared).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 0))]
    pub seed: u64,
    /// About how many calls the problem has.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 6))]
    pub steps: usize,
    /// Language of the problem and the explanations.
    #[cfg_attr(feature = "cli", arg(long, default_value = "en", value_parser = crate::parse_lang))]
    pub lang: Lang,
    /// Print the answers with their explanations instead of asking.
    #[cfg_attr(feature = "cli", arg(short = 'c', long))]
    pub solve: bool,
    /// Ask only about the state after the last call.
    #[cfg_attr(feature = "cli", arg(long))]
    pub final_only: bool,
    /// Show the final tables and ask which call produced them.
    #[cfg_attr(feature = "cli", arg(long))]
    pub reverse: bool,
}

/// The problem: its scenario JSON, the steps as printed, and what the run said.
struct Problem {
    topic: &'static str,
    processes: Vec<&'static str>,
    steps: Vec<Value>,
    facts: Vec<Fact>,
}

fn build(topic: &'static str, seed: u64, steps: usize) -> Problem {
    let mut rng = Rng(seed ^ 0x6b65_726e_7369_6d00);
    let (processes, generated) = generate(topic, &mut rng, steps);
    let steps = keep_runnable(&processes, generated);
    let facts = run_facts(&processes, &steps);
    Problem {
        topic,
        processes,
        steps,
        facts,
    }
}

fn run_facts(processes: &[&str], steps: &[Value]) -> Vec<Fact> {
    let text = scenario_json(processes, steps).to_string();
    let scenario = load_str(&text, "quiz.json").expect("kept steps load");
    let mut c = Collect { facts: Vec::new() };
    run_with(&scenario, RunOptions::default(), &mut c);
    for (f, s) in c.facts.iter_mut().zip(steps) {
        f.shown = show_step(s);
    }
    c.facts
}

fn questions(p: &Problem, o: &QuizOptions, rng: &mut Rng) -> Vec<Question> {
    let l = o.lang;
    let last = p.facts.len();
    let mut qs = Vec::new();
    if o.reverse {
        // Which call made the final tables? The real last step and others that would not.
        let Some(real) = p.steps.last() else {
            return qs;
        };
        let final_tables = p.facts.last().map(|f| f.tables.clone());
        let mut options = vec![real.clone()];
        // Candidates: the last call with one argument changed, a close of each handle the
        // problem bound, and the earlier calls made once more.
        let mut candidates = mutations(real);
        for step in &p.steps[..last - 1] {
            for name in step["bind"].as_object().into_iter().flat_map(|b| b.values()) {
                if name.as_str().is_some_and(|n| n.starts_with('h')) {
                    let by = step["by"].as_str().unwrap_or("");
                    candidates.push(call(by, "CloseHandle", json!({"handle": name}), json!({})));
                }
            }
            let mut again = step.clone();
            again.as_object_mut().map(|m| m.remove("bind"));
            candidates.push(again);
        }
        for candidate in candidates {
            if options.len() == 4 {
                break;
            }
            let mut steps = p.steps[..last - 1].to_vec();
            steps.push(candidate.clone());
            if keep_runnable(&p.processes, steps.clone()).len() != steps.len() {
                continue;
            }
            let facts = run_facts(&p.processes, &steps);
            if facts.last().map(|f| f.tables.clone()) != final_tables && !options.contains(&candidate) {
                options.push(candidate);
            }
        }
        let n = options.len();
        let at = rng.below(n);
        options.swap(0, at);
        let mut text = l.f("quiz-reverse", &[("step", &last)]);
        for (i, c) in options.iter().enumerate() {
            let _ = write!(text, "\n     {}) {}", (b'a' + i as u8) as char, show_step(c));
        }
        qs.push(Question {
            text,
            answer: Answer::Choice(at, n),
            explain: (last, Some(json!({"show": "handles"}))),
        });
        return qs;
    }
    let range: Vec<usize> = if o.final_only { vec![last] } else { (1..=last).collect() };
    // Return values: up to three calls that returned.
    let mut ret_steps: Vec<usize> = range
        .iter()
        .copied()
        .filter(|&k| matches!(p.facts[k - 1].outcome, Some(CallOutcome::Done(_))))
        .collect();
    while ret_steps.len() > 3 {
        ret_steps.remove(rng.below(ret_steps.len()));
    }
    for k in ret_steps {
        let f = &p.facts[k - 1];
        let Some(CallOutcome::Done(r)) = &f.outcome else {
            continue;
        };
        let name = p.steps[k - 1]["call"].as_str().unwrap_or("");
        let failed = kernsim_kernel::CallName::from_name(name).and_then(|c| c.failure_ret()) == Some(r.ret);
        let error = (r.error_set && (failed || r.last_error != Win32Error::Success)).then_some(r.last_error);
        qs.push(Question {
            text: l.f("quiz-ret", &[("step", &k), ("call", &name)]),
            answer: Answer::Ret(r.ret, error),
            explain: (k, None),
        });
        if let (Some(OutputValue::Number(n)), "ReadFile") = (r.output(OutputField::BytesRead), name) {
            if r.ret == Ret::Bool(true) {
                qs.push(Question {
                    text: l.f("quiz-bytes-read", &[("step", &k)]),
                    answer: Answer::Number(n),
                    explain: (k, None),
                });
            }
        }
        if let (Some(t), "GetEnvironmentVariable") = (&f.text, name) {
            qs.push(Question {
                text: l.f("quiz-env-text", &[("step", &k)]),
                answer: Answer::Text(t.clone()),
                explain: (k, Some(json!({"show": "env", "of": ["child"]}))),
            });
        }
    }
    // Whether a call blocks.
    if let Some(k) = range
        .iter()
        .copied()
        .find(|&k| matches!(p.facts[k - 1].outcome, Some(CallOutcome::Pending { .. })))
    {
        let by = p.steps[k - 1]["by"].as_str().unwrap_or("").to_string();
        qs.push(Question {
            text: l.f("quiz-blocks", &[("step", &k)]),
            answer: Answer::YesNo(true),
            explain: (k, Some(json!({"show": "why_blocked", "of": [by]}))),
        });
    }
    // A table and a usage count at a step.
    let k = if o.final_only { last } else { 1 + rng.below(last) };
    let f = &p.facts[k - 1];
    let busy: Vec<&Table> = f.tables.iter().filter(|t| !t.0.is_empty()).collect();
    if !busy.is_empty() {
        let (name, _, rows) = busy[rng.below(busy.len())];
        let mut values: Vec<u32> = rows.iter().map(|r| r.0 .0).collect();
        values.sort_unstable();
        qs.push(Question {
            text: l.f("quiz-table", &[("step", &k), ("proc", name)]),
            answer: Answer::Handles(values),
            explain: (k, Some(json!({"show": "handles", "of": [name]}))),
        });
        if !rows.is_empty() {
            let (h, object, inherit) = rows[rng.below(rows.len())];
            let usage = f.usage.get(&object).copied().unwrap_or(0);
            qs.push(Question {
                text: l.f("quiz-usage", &[("step", &k), ("proc", name), ("handle", &h)]),
                answer: Answer::Number(usage),
                explain: (k, Some(json!({"show": "why_alive", "handle": h.0, "in": name}))),
            });
            if p.topic == "inherit" || p.topic == "duplicate" {
                qs.push(Question {
                    text: l.f("quiz-inherit", &[("step", &k), ("proc", name), ("handle", &h)]),
                    answer: Answer::YesNo(inherit),
                    explain: (k, Some(json!({"show": "handles", "of": [name]}))),
                });
            }
        }
    }
    qs
}

/// Other calls a reverse question offers: the same call with one argument changed.
fn mutations(step: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let Some(args) = step["args"].as_object() else {
        return out;
    };
    for (k, v) in args {
        let changed = match v {
            Value::Bool(b) => vec![Value::Bool(!b)],
            Value::Number(n) => vec![json!(n.as_u64().unwrap_or(0) + 1), json!(0)],
            Value::Object(m) if m.contains_key("inherit_handle") => {
                vec![json!({"inherit_handle": !m["inherit_handle"].as_bool().unwrap_or(false)})]
            }
            _ => vec![],
        };
        for c in changed {
            let mut s = step.clone();
            s["args"][k] = c;
            out.push(s);
        }
    }
    for call in ["CloseHandle", "GetExitCodeProcess"] {
        if step["call"] != call {
            if let Some(h) = args.values().find(|v| v.as_str().is_some_and(|s| s.starts_with('h'))) {
                let mut s = step.clone();
                s["call"] = json!(call);
                s["args"] = if call == "CloseHandle" {
                    json!({"handle": h})
                } else {
                    json!({"process": h})
                };
                s.as_object_mut().map(|m| m.remove("bind"));
                out.push(s);
            }
        }
    }
    out
}

/// Runs the quiz; returns the exit code.
pub fn main(o: &QuizOptions, input: &mut dyn BufRead, out: &mut dyn Write, interactive: bool) -> u8 {
    let l = o.lang;
    let topic: &'static str = match TOPICS.iter().find(|t| **t == o.topic) {
        Some(t) => t,
        None if o.topic == "all" => TOPICS[(o.seed % TOPICS.len() as u64) as usize],
        None => {
            let _ = writeln!(
                out,
                "{}: {}",
                l.t("cli-error"),
                l.f("quiz-no-topic", &[("topic", &o.topic), ("topics", &TOPICS.join(", "))])
            );
            return 2;
        }
    };
    let p = build(topic, o.seed, o.steps.clamp(2, 20));
    let mut rng = Rng(o.seed.wrapping_mul(31) ^ 0x7175_697a);
    let qs = questions(&p, o, &mut rng);
    let _ = writeln!(out, "{}", l.f("quiz-header", &[("seed", &o.seed), ("topic", &topic)]));
    let _ = writeln!(out, "{}", l.f("quiz-processes", &[("names", &p.processes.join(", "))]));
    if !o.reverse {
        for (i, f) in p.facts.iter().enumerate() {
            let _ = writeln!(out, "  {:>2}. {}", i + 1, f.shown);
        }
    } else {
        for (i, f) in p.facts.iter().take(p.facts.len().saturating_sub(1)).enumerate() {
            let _ = writeln!(out, "  {:>2}. {}", i + 1, f.shown);
        }
        let _ = writeln!(out, "  {:>2}. ?", p.facts.len());
        let stepper = stepper_of(&p, l);
        if let Ok(t) = stepper.view(p.facts.len(), Some(json!({"show": "handles"}))) {
            let _ = writeln!(out, "{}", l.f("quiz-final-tables", &[("step", &p.facts.len())]));
            let _ = writeln!(out, "{}", t.trim_end());
        }
    }
    let _ = writeln!(out);
    let stepper = stepper_of(&p, l);
    let explain = |q: &Question| -> String {
        let (k, show) = &q.explain;
        match stepper.view(*k, show.clone()) {
            Ok(t) => t.trim_end().to_string(),
            Err(e) => e,
        }
    };
    let mut right = 0;
    for (i, q) in qs.iter().enumerate() {
        let _ = writeln!(out, "Q{}. {}", i + 1, q.text);
        if o.solve {
            let _ = writeln!(out, "    {} {}", l.t("quiz-answer"), q.answer.shown(l));
            let _ = writeln!(out, "{}", indent(&explain(q)));
            continue;
        }
        if interactive {
            let _ = write!(out, "  > ");
        }
        let _ = out.flush();
        let mut line = String::new();
        let said = match input.read_line(&mut line) {
            Ok(n) if n > 0 => line.trim().to_string(),
            _ => String::new(),
        };
        if q.answer.accepts(l, &said) {
            right += 1;
            let _ = writeln!(out, "    {}", l.t("quiz-right"));
        } else {
            let _ = writeln!(out, "    {}", l.f("quiz-wrong", &[("answer", &q.answer.shown(l))]));
        }
        let _ = writeln!(out, "{}", indent(&explain(q)));
    }
    if o.solve {
        return 0;
    }
    let _ = writeln!(out, "{}", l.f("quiz-score", &[("right", &right), ("of", &qs.len())]));
    u8::from(right != qs.len())
}

fn stepper_of(p: &Problem, lang: Lang) -> Stepper {
    Stepper {
        file: "quiz.json".into(),
        json: scenario_json(&p.processes, &p.steps),
        steps: p.steps.len(),
        lang,
        diff: false,
        options: RunOptions::default(),
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
