//! Loading a scenario: parse the file once, then compile every step into the typed plan
//! ([`crate::plan`]) before anything runs: one decision about each step's kind, call names,
//! arguments as literals or binding slots, constants, process names, expectations. Every error
//! names the file, line, column, JSON path and what was expected; nothing here panics.
//!
//! Steps are kept as borrowed raw JSON slices while the header is parsed, and each is
//! deserialized and compiled on its own, so loading never holds every step's generic form at
//! once, and each step's line comes from its slice's offset.

use crate::format::*;
use crate::locate::{line_col, locate, JsonPath};
use crate::plan::*;
use kernsim_kernel::{consts, ArgSeg, Call, CallName, Data, OutputField, Win32Error};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// A scenario that loaded and compiled.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The file name as given (for messages).
    pub file: String,
    /// What the scenario shows.
    pub title: Text,
    /// Where it comes from.
    pub source: Option<String>,
    /// A longer introduction.
    pub description: Option<Text>,
    /// Files of the in-memory file system at the start (path, content), in path order.
    pub files: Vec<(String, String)>,
    /// Processes started before the first step.
    pub processes: Vec<StartStep>,
    /// The compiled steps.
    pub steps: Vec<PlanStep>,
    /// Every name, by [`Sym`].
    pub symbols: Vec<String>,
}

impl Scenario {
    /// The text of a name.
    pub fn name(&self, sym: Sym) -> &str {
        &self.symbols[sym.0 as usize]
    }
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

/// Reads and compiles a scenario file.
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

/// An error inside the document: a path and a message; located when reported.
type Fail = (JsonPath, String);
type CResult<T> = Result<T, Fail>;

/// Compiles a scenario given as text; `file` is used in messages.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, LoadError> {
    let located = |path: JsonPath, message: String| {
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
    // The header, with each step as a raw slice of `text`. A file that fails is parsed a
    // second time with path tracking, to say where and what.
    let doc: ScenarioFile<&RawValue> = match serde_json::from_str(text) {
        Ok(doc) => doc,
        Err(_) => return Err(load_error_tracked(text, file)),
    };
    if doc.format_version != FORMAT_VERSION {
        return Err(located(
            JsonPath::default().key("format_version"),
            format!(
                "format_version {} is not supported; this kernsim reads version {FORMAT_VERSION}",
                doc.format_version
            ),
        ));
    }
    let mut c = Compiler::default();
    let top = JsonPath::default();
    let mut processes = Vec::with_capacity(doc.processes.len());
    for (i, p) in doc.processes.iter().enumerate() {
        let name = c
            .new_actor(&p.name, true, &top.key("processes").index(i).key("name"))
            .map_err(|(p, m)| located(p, m))?;
        processes.push(StartStep {
            name,
            image: p.image.clone(),
            command_line: p.command_line.clone(),
            environment: p.environment.clone(),
        });
    }
    for path in doc.files.keys() {
        if !(path.len() > 2 && path.as_bytes()[1] == b':') {
            return Err(located(
                top.key("files").key(path.clone()),
                format!("file path {path:?} must be absolute, like C:\\data\\a.txt"),
            ));
        }
    }
    let base = text.as_ptr() as usize;
    let mut steps = Vec::with_capacity(doc.steps.len());
    let (mut line, mut counted) = (1usize, 0usize);
    for (i, raw) in doc.steps.iter().enumerate() {
        let offset = raw.get().as_ptr() as usize - base;
        // Offsets ascend, so one walk counts the newlines before each step.
        line += text.as_bytes()[counted..offset].iter().filter(|&&b| b == b'\n').count();
        counted = offset;
        let path = top.key("steps").index(i);
        let step: Step = match serde_json::from_str(raw.get()) {
            Ok(step) => step,
            Err(_) => return Err(step_error_tracked(text, file, raw.get(), offset, &path)),
        };
        let compiled = c
            .step(&step, line as u32)
            .map_err(|(p, m)| located(join(&path, &p), m))?;
        steps.push(compiled);
    }
    Ok(Scenario {
        file: file.to_string(),
        title: doc.title,
        source: doc.source,
        description: doc.description,
        files: doc.files.into_iter().collect(),
        processes,
        steps,
        symbols: c.symbols,
    })
}

/// The error of a file that did not parse, with the JSON path that serde was at.
fn load_error_tracked(text: &str, file: &str) -> LoadError {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = serde_path_to_error::deserialize::<_, ScenarioFile<&RawValue>>(&mut de) {
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

/// The error of a step that did not deserialize: its path inside the step, and the position
/// serde gave, moved from the step's slice to the file.
fn step_error_tracked(text: &str, file: &str, raw: &str, offset: usize, path: &JsonPath) -> LoadError {
    let mut de = serde_json::Deserializer::from_str(raw);
    let (inner_path, e) = match serde_path_to_error::deserialize::<_, Step>(&mut de) {
        Err(e) => {
            let p = e.path().to_string();
            (
                if p == "." {
                    JsonPath::default()
                } else {
                    JsonPath::parse(&p)
                },
                e.into_inner(),
            )
        }
        Ok(_) => (
            JsonPath::default(),
            <serde_json::Error as serde::de::Error>::custom("the step does not parse"),
        ),
    };
    // serde's line/column inside the slice, as a byte offset in the file.
    let mut at = offset;
    let (mut l, mut col) = (1, 1);
    for (i, ch) in raw.char_indices() {
        if l == e.line() && col == e.column().max(1) {
            at = offset + i;
            break;
        }
        if ch == '\n' {
            l += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    let (line, column) = line_col(text, at);
    LoadError {
        file: file.into(),
        line,
        column,
        path: join(path, &inner_path).to_string(),
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

/// Output names a step may bind or check: `ret` and every field of [`kernsim_kernel::Outputs`].
pub fn output_names() -> Vec<&'static str> {
    std::iter::once("ret")
        .chain(OutputField::ALL.iter().map(|f| f.as_str()))
        .collect()
}

/// Names known while compiling, step by step.
#[derive(Default)]
struct Compiler {
    symbols: Vec<String>,
    index: HashMap<String, Sym>,
    /// Per symbol: bound as a value, named a process, named a thread.
    bound: Vec<bool>,
    process: Vec<bool>,
    thread: Vec<bool>,
}

/// The step's kind, from its keys: one decision.
fn kind_of(step: &Step) -> Result<&'static str, String> {
    let kinds: Vec<&'static str> = [
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
        return Err(format!(
            "a step does one thing, but this one has both `{}` and `{}`",
            kinds[0], kinds[1]
        ));
    }
    Ok(kinds.first().copied().unwrap_or(""))
}

impl Compiler {
    fn sym(&mut self, name: &str) -> Sym {
        if let Some(&s) = self.index.get(name) {
            return s;
        }
        let s = Sym(self.symbols.len() as u32);
        self.symbols.push(name.to_string());
        self.index.insert(name.to_string(), s);
        self.bound.push(false);
        self.process.push(false);
        self.thread.push(false);
        s
    }

    fn bound_sym(&self, name: &str) -> Option<Sym> {
        self.index.get(name).copied().filter(|s| self.bound[s.0 as usize])
    }

    /// Every bound name, sorted (for suggestions).
    fn bound_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .symbols
            .iter()
            .enumerate()
            .filter(|(i, _)| self.bound[*i])
            .map(|(_, n)| n.as_str())
            .collect();
        names.sort_unstable();
        names
    }

    fn new_actor(&mut self, name: &str, process: bool, path: &JsonPath) -> CResult<Sym> {
        if name.is_empty() {
            return Err((path.clone(), "a name must not be empty".into()));
        }
        if consts::lookup(name).is_some() {
            return Err((
                path.clone(),
                format!("{name:?} is a Win32 constant; choose another name"),
            ));
        }
        let s = self.sym(name);
        if process {
            self.process[s.0 as usize] = true;
        } else {
            self.thread[s.0 as usize] = true;
        }
        self.bound[s.0 as usize] = true;
        Ok(s)
    }

    fn actor(&self, name: &str, path: &JsonPath) -> CResult<Sym> {
        if let Some(&s) = self.index.get(name) {
            if self.process[s.0 as usize] || self.thread[s.0 as usize] {
                return Ok(s);
            }
        }
        let mut known: Vec<&str> = self
            .symbols
            .iter()
            .enumerate()
            .filter(|(i, _)| self.process[*i] || self.thread[*i])
            .map(|(_, n)| n.as_str())
            .collect();
        known.sort_unstable();
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

    fn actors(&self, names: Option<&OneOrMany<String>>, path: &JsonPath) -> CResult<Vec<Sym>> {
        names
            .iter()
            .flat_map(|o| o.as_slice())
            .enumerate()
            .map(|(i, n)| self.actor(n, &path.index(i)))
            .collect()
    }

    fn step(&mut self, step: &Step, line: u32) -> CResult<PlanStep> {
        let here = JsonPath::default();
        let kind = kind_of(step).map_err(|m| (here.clone(), m))?;
        let only_with = |field: &'static str, present: bool, owner: &str| -> CResult<()> {
            if present && kind != owner {
                Err((here.key(field), format!("`{field}` belongs to a `{owner}` step")))
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
                here,
                "object fields (`handle`, `in`, `ref`, ...) belong to a `show` step or an `expect.object`".into(),
            ));
        }
        if kind.is_empty() && step.note.is_none() && step.expect.is_none() {
            return Err((
                here,
                "an empty step: expected one of `call`, `start`, `advance`, `show`, `file`, `note`, `expect`".into(),
            ));
        }
        let compiled = match kind {
            "call" => StepKind::Call(Box::new(self.call_step(step)?)),
            "start" => {
                let name = step.start.as_deref().unwrap_or_default();
                let Some(image) = step.image.clone() else {
                    return Err((here, "a `start` step needs `image`".into()));
                };
                let name = self.new_actor(name, true, &here.key("start"))?;
                StepKind::Start(Box::new(StartStep {
                    name,
                    image,
                    command_line: step.command_line.clone(),
                    environment: step.environment.clone().unwrap_or_default(),
                }))
            }
            "show" => {
                let what = step.show.expect("kind is show");
                let of = match &step.of {
                    Some(of) => Some(self.actors(Some(of), &here.key("of"))?.into_boxed_slice()),
                    None => None,
                };
                let target = if matches!(what, ShowWhat::Object | ShowWhat::Pipe) {
                    Some(self.object_sel(&step.target(), &here)?)
                } else {
                    None
                };
                StepKind::Show(Box::new(ShowStep { what, of, target }))
            }
            "file" => {
                let Some(content) = step.content.clone() else {
                    return Err((here, "a `file` step needs `content`".into()));
                };
                StepKind::File(Box::new((step.file.clone().unwrap_or_default(), content)))
            }
            "advance" => StepKind::Advance(step.advance.unwrap_or_default()),
            _ => StepKind::Check,
        };
        let expect = match &step.expect {
            Some(e) => Some(Box::new(self.expect(e, kind == "call", &here.key("expect"))?)),
            None => None,
        };
        Ok(PlanStep {
            line,
            note: step.note.clone().map(Box::new),
            kind: compiled,
            expect,
        })
    }

    fn call_step(&mut self, step: &Step) -> CResult<CallStep> {
        let here = JsonPath::default();
        let name = step.call.as_deref().unwrap_or_default();
        let Some(kind) = CallName::from_name(name) else {
            let near = consts::near_names(name, Call::NAMES.iter().copied(), 3);
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", near.join(", "))
            };
            return Err((here.key("call"), format!("unknown call {name:?}{hint}")));
        };
        let by = step.by.as_deref().ok_or_else(|| {
            (
                here.clone(),
                format!("a `call` step needs `by`: which process or thread calls {name}"),
            )
        })?;
        let by = self.actor(by, &here.key("by"))?;
        let no_args = Map::new();
        let args = step.args.as_ref().unwrap_or(&no_args);
        let (template, display) = self.template(kind, args, &here.key("args"))?;
        let outputs = output_names();
        let mut binds = Vec::with_capacity(step.bind.len());
        for (key, target) in &step.bind {
            let at = here.key("bind").key(key.clone());
            let from = if key == "ret" {
                BindFrom::Ret
            } else if let Some(field) = OutputField::from_name(key) {
                BindFrom::Output(field)
            } else {
                let near = consts::near_names(key, outputs.iter().copied(), 3);
                return Err((
                    at,
                    format!(
                        "{key:?} is not an output; expected one of {}",
                        if near.is_empty() {
                            outputs.join(", ")
                        } else {
                            near.join(", ")
                        }
                    ),
                ));
            };
            let (to, as_) = match key.as_str() {
                "process_id" => (self.new_actor(target, true, &at)?, BindAs::Process),
                "thread_id" => (self.new_actor(target, false, &at)?, BindAs::Thread),
                _ => {
                    if consts::lookup(target).is_some() {
                        return Err((at, format!("{target:?} is a Win32 constant; choose another name")));
                    }
                    let s = self.sym(target);
                    self.bound[s.0 as usize] = true;
                    (s, BindAs::Value)
                }
            };
            binds.push(Bind { from, to, as_ });
        }
        Ok(CallStep {
            by,
            template,
            display: display.into_boxed_slice(),
            binds: binds.into_boxed_slice(),
        })
    }

    /// The call template and its narration pieces, from the arguments as written.
    fn template(
        &self,
        kind: CallName,
        args: &Map<String, Value>,
        path: &JsonPath,
    ) -> CResult<(CallTemplate, Vec<DisplayPiece>)> {
        let mut resolved = Map::with_capacity(args.len());
        let mut patches = Vec::new();
        let mut display = Display::default();
        display.lit(kind.as_str());
        display.lit("(");
        for (i, (key, value)) in args.iter().enumerate() {
            let at = path.key(key.clone());
            let Some(arg) = kind.canonical_argument(key) else {
                return Err((at, unknown_argument(kind, key)));
            };
            if i > 0 {
                display.lit(", ");
            }
            display.lit(key);
            display.lit(": ");
            self.display_arg(value, &mut display);
            let text = kind.text_arguments().contains(&arg);
            let mut leaf = vec![ArgSeg::Field(arg)];
            let v = self.resolve(value, text, &mut leaf, &mut patches, &at)?;
            resolved.insert(arg.to_string(), v);
        }
        display.lit(")");
        let call = crate::values::build_call(kind.as_str(), Value::Object(resolved))
            .map_err(|(p, m)| (join(path, &p), explain_serde(&m)))?;
        Ok((
            CallTemplate {
                call,
                patches: patches.into_boxed_slice(),
            },
            display.pieces,
        ))
    }

    /// One argument value: constants resolved, bound names and `${}` left as patches (with a
    /// placeholder that type-checks).
    fn resolve(
        &self,
        v: &Value,
        text: bool,
        leaf: &mut Vec<ArgSeg>,
        patches: &mut Vec<Patch>,
        at: &JsonPath,
    ) -> CResult<Value> {
        match v {
            Value::String(s) if text => {
                let parts = self.text_parts(s).map_err(|m| (at.clone(), m))?;
                if parts.iter().any(|p| matches!(p, TextPart::Sym(_))) {
                    patches.push(Patch {
                        path: leaf.clone().into_boxed_slice(),
                        fill: Fill::Text(parts.into_boxed_slice()),
                    });
                }
                Ok(v.clone())
            }
            Value::String(s) => match self.num_from_str(s).map_err(|m| (at.clone(), m))? {
                Num::Lit(n) => Ok(Value::from(n)),
                num => {
                    patches.push(Patch {
                        path: leaf.clone().into_boxed_slice(),
                        fill: Fill::Number(num),
                    });
                    // A small handle-like placeholder type-checks everywhere a number goes.
                    Ok(Value::from(4))
                }
            },
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    leaf.push(ArgSeg::Index(i));
                    let r = self.resolve(item, text, leaf, patches, &at.index(i));
                    leaf.pop();
                    out.push(r?);
                }
                Ok(Value::Array(out))
            }
            Value::Object(map) if !text => {
                // Structures inside an argument (`SECURITY_ATTRIBUTES`) hold flags and
                // constants, resolved here; a bound name has no slot there.
                let mut out = Map::with_capacity(map.len());
                for (k, item) in map {
                    let before = patches.len();
                    let r = self.resolve(item, false, &mut Vec::new(), patches, &at.key(k.clone()))?;
                    if patches.len() > before {
                        return Err((
                            at.key(k.clone()),
                            "a bound name cannot be used inside a structure argument; write the value".into(),
                        ));
                    }
                    out.insert(k.clone(), r);
                }
                Ok(Value::Object(out))
            }
            Value::Number(n) => match n.as_i64().and_then(int_to_u32) {
                Some(x) if !text => Ok(Value::from(x)),
                _ => Ok(v.clone()),
            },
            other => Ok(other.clone()),
        }
    }

    /// Narration of one argument as written: bound names with their value when the step
    /// runs, `${}` text interpolated, constants as written, other text quoted.
    fn display_arg(&self, v: &Value, out: &mut Display) {
        match v {
            Value::String(s) => match self.bound_sym(s) {
                Some(sym) => {
                    out.pieces.push(DisplayPiece::Bound(sym));
                }
                None if s.contains("${") => match self.text_parts(s) {
                    Ok(parts) => out.pieces.push(DisplayPiece::Text(parts.into_boxed_slice())),
                    Err(_) => out.lit(&format!("\"{s}\"")),
                },
                None if consts::lookup(s.split('|').next().unwrap_or("")).is_some() => out.lit(s),
                None => out.lit(&format!("\"{}\"", escape_controls(s))),
            },
            Value::Array(items) => {
                out.lit("[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.lit(", ");
                    }
                    self.display_arg(item, out);
                }
                out.lit("]");
            }
            Value::Object(map) => {
                out.lit("{");
                for (i, (k, item)) in map.iter().enumerate() {
                    if i > 0 {
                        out.lit(", ");
                    }
                    out.lit(k);
                    out.lit(": ");
                    self.display_arg(item, out);
                }
                out.lit("}");
            }
            Value::Bool(true) => out.lit("TRUE"),
            Value::Bool(false) => out.lit("FALSE"),
            other => out.lit(&other.to_string()),
        }
    }

    /// `${name}` insertions of a text.
    fn text_parts(&self, text: &str) -> Result<Vec<TextPart>, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(TextPart::Lit(rest[..start].into()));
            }
            let after = &rest[start + 2..];
            let end = after.find('}').ok_or_else(|| format!("unclosed ${{ in {text:?}"))?;
            let name = &after[..end];
            let sym = self.bound_sym(name).ok_or_else(|| self.unknown_name(name))?;
            parts.push(TextPart::Sym(sym));
            rest = &after[end + 1..];
        }
        if !rest.is_empty() || parts.is_empty() {
            parts.push(TextPart::Lit(rest.into()));
        }
        Ok(parts)
    }

    /// A number from text: hex, decimal (negative allowed), a bound name, or constants and
    /// bound names joined by `|`.
    fn num_from_str(&self, text: &str) -> Result<Num, String> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u32::from_str_radix(hex, 16)
                .map(Num::Lit)
                .map_err(|_| format!("{t:?} is not a hex number"));
        }
        if let Ok(n) = t.parse::<i64>() {
            return int_to_u32(n)
                .map(Num::Lit)
                .ok_or_else(|| format!("{n} does not fit in 32 bits"));
        }
        if let Some(sym) = self.bound_sym(t) {
            return Ok(Num::Bound(sym));
        }
        let mut total = 0u32;
        let mut syms = Vec::new();
        for part in t.split('|') {
            let part = part.trim();
            let value = consts::lookup(part)
                .or_else(|| {
                    part.starts_with("ERROR_")
                        .then(|| Win32Error::from_name(part).map(Win32Error::code))
                        .flatten()
                })
                .or_else(|| part.parse::<i64>().ok().and_then(int_to_u32))
                .or_else(|| part.strip_prefix("0x").and_then(|h| u32::from_str_radix(h, 16).ok()));
            match (value, self.bound_sym(part)) {
                (Some(v), _) => total |= v,
                (None, Some(sym)) => syms.push(sym),
                (None, None) => return Err(self.unknown_name(part)),
            }
        }
        Ok(if syms.is_empty() {
            Num::Lit(total)
        } else {
            Num::Or(total, syms.into_boxed_slice())
        })
    }

    /// A JSON value as a number.
    fn num(&self, v: &Value, at: &JsonPath) -> CResult<Num> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .and_then(int_to_u32)
                .map(Num::Lit)
                .ok_or_else(|| (at.clone(), format!("{n} is not a 32-bit integer"))),
            Value::Bool(b) => Ok(Num::Lit(u32::from(*b))),
            Value::String(s) => self.num_from_str(s).map_err(|m| (at.clone(), m)),
            other => Err((
                at.clone(),
                format!("expected a number or a constant name, found {other}"),
            )),
        }
    }

    fn written_num(&self, v: &Value, at: &JsonPath) -> CResult<Written<Num>> {
        Ok(Written {
            value: self.num(v, at)?,
            text: show_expected(v).into(),
        })
    }

    /// "unknown constant or name X; did you mean A, B?"
    fn unknown_name(&self, name: &str) -> String {
        let bound = self.bound_names();
        let errors: Vec<&str> = Win32Error::ALL.iter().map(|e| e.name()).collect();
        let candidates = consts::TABLE.iter().map(|(n, _)| *n).chain(errors).chain(bound);
        let near = consts::near_names(name, candidates, 3);
        let base = format!("unknown constant or name {name:?} (not a Win32 constant, not bound by an earlier step)");
        if near.is_empty() {
            base
        } else {
            format!("{base}; did you mean {}?", near.join(", "))
        }
    }

    fn ret(&self, v: &Value, at: &JsonPath) -> CResult<Written<ExpectRet>> {
        fn go(c: &Compiler, v: &Value, at: &JsonPath) -> CResult<ExpectRet> {
            if let Some(inner) = v.as_object().and_then(|m| m.get("not")) {
                return Ok(ExpectRet::Not(Box::new(go(c, inner, &at.key("not"))?)));
            }
            match v {
                Value::Null => Ok(ExpectRet::Void),
                other => c.num(other, at).map(ExpectRet::Is),
            }
        }
        Ok(Written {
            value: go(self, v, at)?,
            text: show_value(v).into(),
        })
    }

    fn object_sel(&self, r: &ObjectRef, path: &JsonPath) -> CResult<ObjectSel> {
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
            let in_ = self.actor(owner, &path.key("in"))?;
            let handle = self.num(h, &path.key("handle"))?;
            return Ok(ObjectSel::Handle { handle, in_ });
        }
        if r.in_process.is_some() {
            return Err((path.key("in"), "`in` goes with `handle`".into()));
        }
        if let Some(b) = &r.binding {
            return self
                .bound_sym(b)
                .map(ObjectSel::Binding)
                .ok_or_else(|| (path.key("ref"), self.unknown_name(b)));
        }
        if let Some(p) = &r.process {
            return self.actor(p, path).map(ObjectSel::Process);
        }
        if let Some(t) = &r.thread {
            return self.actor(t, path).map(ObjectSel::Thread);
        }
        let a = r.address.as_ref().expect("one mode is set");
        self.num(a, &path.key("address")).map(ObjectSel::Address)
    }

    fn last_error(v: &Value, at: &JsonPath) -> CResult<u32> {
        let code = match v {
            Value::Number(n) => n.as_u64().map(|n| n as u32),
            Value::String(s) => Win32Error::from_name(s)
                .map(Win32Error::code)
                .or_else(|| s.parse().ok()),
            _ => None,
        };
        code.ok_or_else(|| {
            (
                at.clone(),
                format!("last_error: {v} is not a Win32 error name or number"),
            )
        })
    }

    fn expect(&self, e: &Expect, in_call: bool, path: &JsonPath) -> CResult<Expectations> {
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
        let mut x = Expectations {
            pending: e.pending,
            no_completion: e.no_completion == Some(true),
            time_ms: e.time_ms,
            deadlock: e.deadlock,
            ..Expectations::default()
        };
        if let Some(v) = &e.ret {
            x.ret = Some(self.ret(v, &path.key("ret"))?);
        }
        if let Some(v) = &e.last_error {
            x.last_error = Some(Written {
                value: Self::last_error(v, &path.key("last_error"))?,
                text: show_value(v).into(),
            });
        }
        if let Some(o) = &e.outputs {
            x.outputs = Some(self.outputs(o, &path.key("outputs"))?);
        }
        x.blocked = self.actors(e.blocked.as_ref(), &path.key("blocked"))?;
        x.unblocked = self.actors(e.unblocked.as_ref(), &path.key("unblocked"))?;
        for (i, c) in e.completed.iter().flat_map(|c| c.as_slice()).enumerate() {
            let p = path.key("completed").index(i);
            let by = self.actor(&c.by, &p.key("by"))?;
            let call = match &c.call {
                Some(name) => Some(CallName::from_name(name).ok_or_else(|| {
                    let near = consts::near_names(name, Call::NAMES.iter().copied(), 3);
                    (
                        p.key("call"),
                        format!("unknown call {name:?}; did you mean {}?", near.join(", ")),
                    )
                })?),
                None => None,
            };
            x.completed.push(ExpectCompleted {
                by,
                call,
                ret: match &c.ret {
                    Some(v) => Some(self.ret(v, &p.key("ret"))?),
                    None => None,
                },
                last_error: match &c.last_error {
                    Some(v) => Some(Self::last_error(v, &p.key("last_error"))?),
                    None => None,
                },
                outputs: match &c.outputs {
                    Some(o) => Some(self.outputs(o, &p.key("outputs"))?),
                    None => None,
                },
            });
        }
        for (i, t) in e.table.iter().flat_map(|t| t.as_slice()).enumerate() {
            let p = path.key("table").index(i);
            let of = self.actor(&t.of, &p.key("of"))?;
            let mut rows = Vec::with_capacity(t.rows.len());
            for (j, row) in t.rows.iter().enumerate() {
                let rp = p.key("rows").index(j);
                rows.push(ExpectRow {
                    handle: self.num(&row.handle, &rp.key("handle"))?,
                    object: match &row.object {
                        Some(o) => Some(self.object_sel(o, &rp.key("object"))?),
                        None => None,
                    },
                    kind: row.kind.clone(),
                    inherit: row.inherit,
                    protect_from_close: row.protect_from_close,
                    access: match &row.access {
                        Some(a) => Some(self.num(a, &rp.key("access"))?),
                        None => None,
                    },
                });
            }
            let absent = t
                .absent
                .iter()
                .enumerate()
                .map(|(j, v)| self.num(v, &p.key("absent").index(j)))
                .collect::<CResult<Vec<_>>>()?;
            x.table.push(ExpectTable {
                of,
                rows,
                absent,
                exact: t.exact,
                count: t.count,
            });
        }
        for (i, o) in e.object.iter().flat_map(|o| o.as_slice()).enumerate() {
            x.object.push(ExpectObject {
                target: self.object_sel(&o.target(), &path.key("object").index(i))?,
                usage_count: o.usage_count,
                handle_count: o.handle_count,
                alive: o.alive,
                kind: o.kind.clone(),
                signaled: o.signaled,
            });
        }
        for (i, p) in e.process.iter().flat_map(|p| p.as_slice()).enumerate() {
            let pp = path.key("process").index(i);
            x.process.push(ExpectProcess {
                name: self.actor(&p.name, &pp.key("name"))?,
                running: p.running,
                exit_code: match &p.exit_code {
                    Some(v) => Some(self.num(v, &pp.key("exit_code"))?),
                    None => None,
                },
                alive: p.alive,
                threads: p.threads,
                parent: match &p.parent {
                    Some(parent) => Some(self.actor(parent, &pp.key("parent"))?),
                    None => None,
                },
            });
        }
        for (i, env) in e.env.iter().flat_map(|v| v.as_slice()).enumerate() {
            let in_ = self.actor(&env.in_process, &path.key("env").index(i).key("in"))?;
            let value = match &env.value {
                Value::Null => None,
                Value::String(s) => Some(s.clone()),
                _ => {
                    return Err((
                        path.key("env").index(i).key("value"),
                        "expected a string, or null for \"not set\"".into(),
                    ))
                }
            };
            x.env.push(ExpectEnv {
                in_,
                name: env.name.clone(),
                value,
            });
        }
        Ok(x)
    }

    fn outputs(&self, outputs: &Map<String, Value>, path: &JsonPath) -> CResult<ExpectOutputs> {
        let names = output_names();
        let mut items = Vec::with_capacity(outputs.len());
        for (key, v) in outputs {
            let at = path.key(key.clone());
            let Some(field) = OutputField::from_name(key) else {
                let near = consts::near_names(key, names.iter().copied(), 3);
                return Err((
                    at,
                    format!("{key:?} is not an output; did you mean {}?", near.join(", ")),
                ));
            };
            let expected = match field {
                OutputField::Data => ExpectOutput::Data(
                    serde_json::from_value::<Data>(v.clone())
                        .map_err(|e| (at.clone(), format!("bad expected data: {e}")))?,
                ),
                OutputField::Text => match v {
                    Value::String(s) => ExpectOutput::Text(s.clone()),
                    _ => return Err((at, "expected a string".into())),
                },
                OutputField::Environment => ExpectOutput::Strings(
                    serde_json::from_value(v.clone())
                        .map_err(|_| (at.clone(), "expected a list of strings".to_string()))?,
                ),
                OutputField::Entry => {
                    let Some(m) = v.as_object() else {
                        return Err((at, "expected an object of process entry fields".into()));
                    };
                    let mut fields = Vec::with_capacity(m.len());
                    for (k, fv) in m {
                        let value = match fv {
                            Value::String(s) if self.num(fv, &at).is_err() => EntryValue::Text(s.clone()),
                            other => EntryValue::Number(self.written_num(other, &at.key(k.clone()))?),
                        };
                        fields.push((k.clone(), value));
                    }
                    ExpectOutput::Entry(fields)
                }
                _ => ExpectOutput::Number(self.written_num(v, &at)?),
            };
            items.push((field, expected));
        }
        Ok(ExpectOutputs {
            text: Value::Object(outputs.clone()).to_string().into(),
            items,
        })
    }
}

/// Builds narration pieces, merging adjacent literals.
#[derive(Default)]
struct Display {
    pieces: Vec<DisplayPiece>,
}

impl Display {
    fn lit(&mut self, s: &str) {
        if let Some(DisplayPiece::Lit(last)) = self.pieces.last_mut() {
            let mut joined = String::with_capacity(last.len() + s.len());
            joined.push_str(last);
            joined.push_str(s);
            *last = joined.into_boxed_str();
        } else {
            self.pieces.push(DisplayPiece::Lit(s.into()));
        }
    }
}

/// "unknown argument `buffer` of ReadFile; its arguments are: file, bytes_to_read".
fn unknown_argument(kind: CallName, key: &str) -> String {
    let args = kind.arguments();
    let near = consts::near_names(key, args.iter().copied(), 3);
    let list = if args.is_empty() {
        "it takes none".to_string()
    } else {
        format!("its arguments are: {}", args.join(", "))
    };
    if near.is_empty() {
        format!("unknown argument `{key}` of {kind}; {list}")
    } else {
        format!(
            "unknown argument `{key}` of {kind}; did you mean {}? ({list})",
            near.join(", ")
        )
    }
}

fn int_to_u32(n: i64) -> Option<u32> {
    if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&n) {
        Some(n as u32)
    } else {
        None
    }
}

/// An expected value as written, for narration: strings as they are, `{"not": x}` as
/// "anything but x".
fn show_value(v: &Value) -> String {
    if let Some(inner) = v.as_object().and_then(|m| m.get("not")) {
        return format!("anything but {}", show_value(inner));
    }
    show_expected(v)
}

fn show_expected(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
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

fn join(base: &JsonPath, rest: &JsonPath) -> JsonPath {
    let mut p = base.clone();
    p.0.extend(rest.0.iter().cloned());
    p
}
