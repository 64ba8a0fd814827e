//! Loading a scenario: parse, check the format version, then validate every step before
//! anything runs (step kinds, call names, arguments, constants, bindings, process names,
//! expectation fields). Every error names the file, line, column, JSON path and what was
//! expected; nothing here panics on any input.

use crate::format::*;
use crate::locate::{element_lines, locate, JsonPath};
use crate::values::{self, Lookup};
use kernsim_kernel::{consts, Call, CallName, Outputs};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

/// A scenario that loaded and validated.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file name as given (for messages).
    pub file: String,
    /// The parsed file.
    pub doc: ScenarioFile,
    /// The line each step starts on.
    pub step_lines: Vec<usize>,
}

/// Why a scenario could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file.
    pub file: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// Where in the document.
    pub path: String,
    /// What was wrong and what was expected.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "at {}: ", self.path)?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for LoadError {}

/// Reads and validates a scenario file.
pub fn load_file(path: &Path) -> Result<Scenario, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError {
        file: file.clone(),
        line: 0,
        column: 0,
        path: String::new(),
        message: format!("cannot read the file: {e}"),
    })?;
    load_str(&text, &file)
}

/// Validates a scenario given as text; `file` is used in messages.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, LoadError> {
    // Parse untracked first (path tracking costs as much again); a file that fails is
    // parsed a second time with tracking, to say where and what.
    let doc: ScenarioFile = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(_) => return Err(load_error_tracked(text, file)),
    };
    let fail = |path: JsonPath, message: String| {
        // Point at the path, or at the nearest enclosing element that is in the text.
        let mut at = path.clone();
        let (line, column) = loop {
            if let Some(found) = locate(text, &at) {
                break found;
            }
            if at.0.pop().is_none() {
                break (0, 0);
            }
        };
        LoadError {
            file: file.to_string(),
            line,
            column,
            path: path.to_string(),
            message,
        }
    };
    if doc.format_version != FORMAT_VERSION {
        return Err(fail(
            JsonPath::default().key("format_version"),
            format!(
                "format_version {} is not supported; this kernsim reads version {FORMAT_VERSION}",
                doc.format_version
            ),
        ));
    }
    Validator::default()
        .validate(&doc)
        .map_err(|(path, msg)| fail(path, msg))?;
    let mut step_lines = element_lines(text, &JsonPath::default().key("steps"));
    step_lines.resize(doc.steps.len(), 0);
    Ok(Scenario {
        file: file.to_string(),
        doc,
        step_lines,
    })
}

/// The error of a file that did not parse, with the JSON path that serde was at.
fn load_error_tracked(text: &str, file: &str) -> LoadError {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = serde_path_to_error::deserialize::<_, ScenarioFile>(&mut de) {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { String::new() } else { path };
        return LoadError {
            file: file.to_string(),
            line: inner.line().max(1),
            column: inner.column().max(1),
            path,
            message: explain_serde(&inner.to_string()),
        };
    }
    let e = de
        .end()
        .err()
        .unwrap_or_else(|| <serde_json::Error as serde::de::Error>::custom("the file does not parse"));
    LoadError {
        file: file.into(),
        line: e.line(),
        column: e.column(),
        path: String::new(),
        message: explain_serde(&e.to_string()),
    }
}

/// serde's messages, with the untagged-enum ones made readable.
fn explain_serde(msg: &str) -> String {
    let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
    if msg.contains("untagged enum Text") {
        return "expected a string, or an object {\"en\": ..., \"ko\": ...}".to_string();
    }
    if msg.contains("untagged enum OneOrMany") {
        return "expected a value or a list of values of the documented shape".to_string();
    }
    msg
}

/// Names known while validating, step by step.
#[derive(Default)]
struct Validator {
    bound: BTreeSet<String>,
    processes: BTreeSet<String>,
    threads: BTreeSet<String>,
}

impl Lookup for Validator {
    fn number(&self, name: &str) -> Option<u32> {
        // Bound numbers are unknown until run time; a small handle-like value type-checks.
        self.bound.contains(name).then_some(4)
    }
    fn names(&self) -> Vec<String> {
        self.bound.iter().cloned().collect()
    }
}

type VResult = Result<(), (JsonPath, String)>;

/// Output names a step may bind or check: `ret` and every field of [`Outputs`].
pub fn output_names() -> Vec<&'static str> {
    std::iter::once("ret").chain(Outputs::FIELDS.iter().copied()).collect()
}

impl Validator {
    fn validate(mut self, doc: &ScenarioFile) -> VResult {
        let top = JsonPath::default();
        for (i, p) in doc.processes.iter().enumerate() {
            self.new_actor(&p.name, true, &top.key("processes").index(i).key("name"))?;
        }
        for path in doc.files.keys() {
            if !(path.len() > 2 && path.as_bytes()[1] == b':') {
                return Err((
                    top.key("files").key(path.clone()),
                    format!("file path {path:?} must be absolute, like C:\\data\\a.txt"),
                ));
            }
        }
        for (i, step) in doc.steps.iter().enumerate() {
            self.step(step, &top.key("steps").index(i))?;
        }
        Ok(())
    }

    fn new_actor(&mut self, name: &str, process: bool, path: &JsonPath) -> VResult {
        if name.is_empty() {
            return Err((path.clone(), "a name must not be empty".into()));
        }
        if consts::lookup(name).is_some() {
            return Err((
                path.clone(),
                format!("{name:?} is a Win32 constant; choose another name"),
            ));
        }
        if process {
            self.processes.insert(name.to_string());
        } else {
            self.threads.insert(name.to_string());
        }
        self.bound.insert(name.to_string());
        Ok(())
    }

    fn actor(&self, name: &str, path: &JsonPath) -> VResult {
        if self.processes.contains(name) || self.threads.contains(name) {
            return Ok(());
        }
        let known: Vec<&str> = self.processes.iter().chain(&self.threads).map(String::as_str).collect();
        let near = consts::near_names(name, known.iter().copied(), 3);
        let hint = if near.is_empty() {
            format!(
                "known names: {}",
                if known.is_empty() {
                    "none yet".to_string()
                } else {
                    known.join(", ")
                }
            )
        } else {
            format!("did you mean {}?", near.join(", "))
        };
        Err((path.clone(), format!("no process or thread is named {name:?} at this point ({hint}); processes are named in `processes`, by `start`, or by binding `process_id`/`thread_id`")))
    }

    fn step(&mut self, step: &Step, path: &JsonPath) -> VResult {
        let kinds: Vec<&str> = [
            ("call", step.call.is_some()),
            ("start", step.start.is_some()),
            ("advance", step.advance.is_some()),
            ("show", step.show.is_some()),
            ("file", step.file.is_some()),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| *k)
        .collect();
        if kinds.len() > 1 {
            return Err((
                path.clone(),
                format!(
                    "a step does one thing, but this one has both `{}` and `{}`",
                    kinds[0], kinds[1]
                ),
            ));
        }
        let kind = kinds.first().copied().unwrap_or("");
        let only_with = |field: &'static str, present: bool, owner: &str| -> VResult {
            if present && kind != owner {
                Err((path.key(field), format!("`{field}` belongs to a `{owner}` step")))
            } else {
                Ok(())
            }
        };
        only_with("by", step.by.is_some(), "call")?;
        only_with("args", step.args.is_some(), "call")?;
        only_with("bind", !step.bind.is_empty(), "call")?;
        only_with("image", step.image.is_some(), "start")?;
        only_with("command_line", step.command_line.is_some(), "start")?;
        only_with("environment", step.environment.is_some(), "start")?;
        only_with("of", step.of.is_some(), "show")?;
        only_with("content", step.content.is_some(), "file")?;
        if kind != "show" && !step.target().is_empty() {
            return Err((
                path.clone(),
                "object fields (`handle`, `in`, `ref`, ...) belong to a `show` step or an `expect.object`".into(),
            ));
        }
        if kind.is_empty() && step.note.is_none() && step.expect.is_none() {
            return Err((
                path.clone(),
                "an empty step: expected one of `call`, `start`, `advance`, `show`, `file`, `note`, `expect`".into(),
            ));
        }
        match kind {
            "call" => self.call_step(step, path)?,
            "start" => {
                let name = step.start.as_deref().unwrap_or_default();
                if step.image.is_none() {
                    return Err((path.clone(), "a `start` step needs `image`".into()));
                }
                self.new_actor(name, true, &path.key("start"))?;
            }
            "show" => {
                for (i, name) in step.of.iter().flat_map(|o| o.as_slice()).enumerate() {
                    self.actor(name, &path.key("of").index(i))?;
                }
                let what = step.show.expect("kind is show");
                if matches!(what, ShowWhat::Object | ShowWhat::Pipe) {
                    self.object_ref(&step.target(), path)?;
                }
            }
            "file" if step.content.is_none() => {
                return Err((path.clone(), "a `file` step needs `content`".into()));
            }
            _ => {}
        }
        if let Some(expect) = &step.expect {
            self.expect(expect, kind == "call", &path.key("expect"))?;
        }
        Ok(())
    }

    fn call_step(&mut self, step: &Step, path: &JsonPath) -> VResult {
        let name = step.call.as_deref().unwrap_or_default();
        if !Call::NAMES.contains(&name) {
            let near = consts::near_names(name, Call::NAMES.iter().copied(), 3);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            return Err((path.key("call"), format!("unknown call {name:?}{hint}")));
        }
        let by = step.by.as_deref().ok_or_else(|| {
            (
                path.clone(),
                format!("a `call` step needs `by`: which process or thread calls {name}"),
            )
        })?;
        self.actor(by, &path.key("by"))?;
        let no_args = serde_json::Map::new();
        let resolved = values::resolve_args(kind_of(name), step.args.as_ref().unwrap_or(&no_args), self)
            .map_err(|(p, m)| (join(&path.key("args"), &p), m))?;
        values::build_call(name, resolved).map_err(|(p, m)| (join(&path.key("args"), &p), explain_serde(&m)))?;
        let outputs = output_names();
        for (key, target) in &step.bind {
            if !outputs.contains(&key.as_str()) {
                let near = consts::near_names(key, outputs.iter().copied(), 3);
                return Err((
                    path.key("bind").key(key.clone()),
                    format!(
                        "{key:?} is not an output; expected one of {}",
                        if near.is_empty() {
                            outputs.join(", ")
                        } else {
                            near.join(", ")
                        }
                    ),
                ));
            }
            match key.as_str() {
                "process_id" => self.new_actor(target, true, &path.key("bind").key(key.clone()))?,
                "thread_id" => self.new_actor(target, false, &path.key("bind").key(key.clone()))?,
                _ => {
                    if consts::lookup(target).is_some() {
                        return Err((
                            path.key("bind").key(key.clone()),
                            format!("{target:?} is a Win32 constant; choose another name"),
                        ));
                    }
                    self.bound.insert(target.clone());
                }
            }
        }
        Ok(())
    }

    fn value(&self, v: &Value, path: &JsonPath) -> VResult {
        if let Some(inner) = v.as_object().and_then(|m| m.get("not")) {
            return self.value(inner, &path.key("not"));
        }
        match v {
            Value::Null | Value::Bool(_) => Ok(()),
            other => values::number(other, self).map(|_| ()).map_err(|e| (path.clone(), e)),
        }
    }

    fn object_ref(&self, r: &ObjectRef, path: &JsonPath) -> VResult {
        let modes = [
            r.handle.is_some(),
            r.binding.is_some(),
            r.process.is_some(),
            r.thread.is_some(),
            r.address.is_some(),
        ];
        if modes.iter().filter(|m| **m).count() != 1 {
            return Err((
                path.clone(),
                "name exactly one object: `handle` (with `in`), `ref`, `process`, `thread` or `address`".into(),
            ));
        }
        if let Some(h) = &r.handle {
            let owner = r.in_process.as_deref().ok_or_else(|| {
                (
                    path.clone(),
                    "`handle` needs `in`: the process whose table holds it".to_string(),
                )
            })?;
            self.actor(owner, &path.key("in"))?;
            self.value(h, &path.key("handle"))?;
        } else if r.in_process.is_some() {
            return Err((path.key("in"), "`in` goes with `handle`".into()));
        }
        if let Some(b) = &r.binding {
            if !self.bound.contains(b) {
                return Err((path.key("ref"), values::unknown_name(b, self)));
            }
        }
        if let Some(p) = r.process.as_deref().or(r.thread.as_deref()) {
            self.actor(p, path)?;
        }
        if let Some(a) = &r.address {
            self.value(a, &path.key("address"))?;
        }
        Ok(())
    }

    fn expect(&self, e: &Expect, in_call: bool, path: &JsonPath) -> VResult {
        for (field, present) in [
            ("ret", e.ret.is_some()),
            ("last_error", e.last_error.is_some()),
            ("outputs", e.outputs.is_some()),
            ("pending", e.pending.is_some()),
        ] {
            if present && !in_call {
                return Err((
                    path.key(field),
                    format!("`{field}` checks a call's result and belongs to a `call` step"),
                ));
            }
        }
        if let Some(v) = &e.ret {
            self.value(v, &path.key("ret"))?;
        }
        if let Some(v) = &e.last_error {
            values::match_error(v, kernsim_kernel::Win32Error::Success)
                .or_else(|m| {
                    if m.contains("is not a Win32 error") {
                        Err(m)
                    } else {
                        Ok(())
                    }
                })
                .map_err(|m| (path.key("last_error"), m))?;
        }
        self.outputs(e.outputs.as_ref(), &path.key("outputs"))?;
        for (i, name) in e.blocked.iter().flat_map(|b| b.as_slice()).enumerate() {
            self.actor(name, &path.key("blocked").index(i))?;
        }
        for (i, name) in e.unblocked.iter().flat_map(|b| b.as_slice()).enumerate() {
            self.actor(name, &path.key("unblocked").index(i))?;
        }
        for (i, c) in e.completed.iter().flat_map(|c| c.as_slice()).enumerate() {
            let p = path.key("completed").index(i);
            self.actor(&c.by, &p.key("by"))?;
            if let Some(v) = &c.ret {
                self.value(v, &p.key("ret"))?;
            }
            self.outputs(c.outputs.as_ref(), &p.key("outputs"))?;
        }
        for (i, t) in e.table.iter().flat_map(|t| t.as_slice()).enumerate() {
            let p = path.key("table").index(i);
            self.actor(&t.of, &p.key("of"))?;
            for (j, row) in t.rows.iter().enumerate() {
                self.value(&row.handle, &p.key("rows").index(j).key("handle"))?;
                if let Some(o) = &row.object {
                    self.object_ref(o, &p.key("rows").index(j).key("object"))?;
                }
            }
            for (j, v) in t.absent.iter().enumerate() {
                self.value(v, &p.key("absent").index(j))?;
            }
        }
        for (i, o) in e.object.iter().flat_map(|o| o.as_slice()).enumerate() {
            self.object_ref(&o.target(), &path.key("object").index(i))?;
        }
        for (i, p) in e.process.iter().flat_map(|p| p.as_slice()).enumerate() {
            self.actor(&p.name, &path.key("process").index(i).key("name"))?;
            if let Some(v) = &p.exit_code {
                self.value(v, &path.key("process").index(i).key("exit_code"))?;
            }
            if let Some(parent) = &p.parent {
                self.actor(parent, &path.key("process").index(i).key("parent"))?;
            }
        }
        for (i, env) in e.env.iter().flat_map(|v| v.as_slice()).enumerate() {
            self.actor(&env.in_process, &path.key("env").index(i).key("in"))?;
            if !matches!(env.value, Value::Null | Value::String(_)) {
                return Err((
                    path.key("env").index(i).key("value"),
                    "expected a string, or null for \"not set\"".into(),
                ));
            }
        }
        Ok(())
    }

    fn outputs(&self, outputs: Option<&serde_json::Map<String, Value>>, path: &JsonPath) -> VResult {
        let names = output_names();
        for (key, v) in outputs.into_iter().flatten() {
            if key == "ret" || !names.contains(&key.as_str()) {
                let near = consts::near_names(key, names.iter().copied(), 3);
                return Err((
                    path.key(key.clone()),
                    format!("{key:?} is not an output; did you mean {}?", near.join(", ")),
                ));
            }
            if !["data", "text", "environment", "entry"].contains(&key.as_str()) {
                self.value(v, &path.key(key.clone()))?;
            }
        }
        Ok(())
    }
}

fn join(base: &JsonPath, rest: &JsonPath) -> JsonPath {
    let mut p = base.clone();
    p.0.extend(rest.0.iter().cloned());
    p
}

fn kind_of(name: &str) -> CallName {
    CallName::from_name(name).expect("validated call name")
}
