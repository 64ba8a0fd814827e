//! Loading a scenario: parse the file once, then compile every step into the typed plan
//! ([`crate::plan`]) before anything runs: one decision about each step's kind, call names,
//! arguments as literals or binding slots, constants, process names, expectations. Every error
//! names the file, line, column, JSON path and what was expected; nothing here panics.
//!
//! Steps are kept as borrowed raw JSON slices while the header is parsed, and each is
//! deserialized and compiled on its own, so loading never holds every step's generic form at
//! once, and each step's line comes from its slice's offset.

use crate::format::*;
use crate::i18n::{Lang, Message};
use crate::locate::{line_col, locate, JsonPath, Seg};
use crate::plan::*;
use kernsim_kernel::{consts, ArgSeg, Args, Call, CallName, Data, OutputField, Win32Error};
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
    pub source: Option<Text>,
    /// A longer introduction.
    pub description: Option<Text>,
    /// Files of the in-memory file system at the start (path, content), in path order.
    pub files: Vec<(String, String)>,
    /// The ANSI code page of the A functions.
    pub code_page: kernsim_kernel::CodePage,
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
    /// What was wrong and what was expected, in English.
    pub message: String,
    /// The same as data, for the other languages ([`LoadError::localized`]).
    pub detail: Message,
}

impl LoadError {
    /// An error at `(line, column)` of `file`, at JSON `path`.
    fn new(file: String, (line, column): (usize, usize), path: String, detail: Message) -> LoadError {
        LoadError {
            file,
            line,
            column,
            path,
            message: detail.text(Lang::En),
            detail,
        }
    }

    /// The error in `lang`: place, JSON path and what was wrong.
    pub fn localized(&self, lang: Lang) -> String {
        let at = if self.path.is_empty() {
            String::new()
        } else {
            lang.f("load-at-path", &[("path", &self.path)])
        };
        format!(
            "{}:{}:{}: {at}{}",
            self.file,
            self.line,
            self.column,
            self.detail.text(lang)
        )
    }
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
    let bytes = std::fs::read(path).map_err(|e| {
        LoadError::new(
            file.clone(),
            (0, 0),
            String::new(),
            Message::new("load-cannot-read", &[("error", &e)]),
        )
    })?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => load_str(text, &file),
        Err(e) => {
            // Where the text stops being UTF-8: the line and column of the last good
            // character, and the byte offset.
            let at = e.valid_up_to();
            let good = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
            let (line, column) = line_col(good, at);
            Err(LoadError::new(
                file,
                (line, column),
                String::new(),
                Message::new(
                    "load-not-utf8",
                    &[("at", &at), ("byte", &format!("0x{:02x}", bytes[at]))],
                ),
            ))
        }
    }
}

/// An error inside the document: a path and a message; located when reported.
type Fail = (JsonPath, Message);
type CResult<T> = Result<T, Fail>;

/// Compiles a scenario given as text; `file` is used in messages. A leading UTF-8 byte order
/// mark is accepted (editors on Windows write one) and positions count from after it.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let located = |path: JsonPath, message: Message| {
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
        LoadError::new(file.to_string(), (line, column), path.to_string(), message)
    };
    let mut loader = Loader {
        text,
        file,
        located: &located,
        c: Compiler::default(),
        processes: None,
        version_ok: false,
        steps: Vec::new(),
        buffered: Vec::new(),
        next_index: 0,
        line: 1,
        counted: 0,
        error: None,
    };
    // One pass over the text: the header's fields are read as they come, and each step is
    // compiled from its raw slice as soon as the processes and the version are known (else
    // its slice waits until the end of the file).
    let mut de = serde_json::Deserializer::from_str(text);
    let header = match serde::de::DeserializeSeed::deserialize(HeaderSeed(&mut loader), &mut de)
        .and_then(|h| de.end().map(|()| h))
    {
        Ok(h) => h,
        Err(_) => {
            // A step's error found before the parser reached a syntax error further on: the
            // syntax error wins (as when the whole file was parsed first), and only valid JSON
            // can be located.
            return Err(match loader.error.take() {
                Some(e) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => e,
                _ => load_error_tracked(text, file),
            });
        }
    };
    if !loader.version_ok {
        return Err(located(
            JsonPath::default().key("format_version"),
            Message::new(
                "load-format-version",
                &[("version", &header.format_version), ("supported", &FORMAT_VERSION)],
            ),
        ));
    }
    if loader.processes.is_none() {
        loader.declare(&[])?;
    }
    for raw in std::mem::take(&mut loader.buffered) {
        loader.step(raw)?;
    }
    let top = JsonPath::default();
    for path in header.files.keys() {
        if !(path.len() > 2 && path.as_bytes()[1] == b':') {
            return Err(located(
                top.key("files").key(path.clone()),
                Message::new("load-file-path", &[("path", &format!("{path:?}"))]),
            ));
        }
    }
    // Each setup file is created on a scratch file system exactly as the run will, so a file
    // that cannot be created is refused here, with its place.
    let mut scratch = kernsim_kernel::Kernel::new();
    for (path, content) in &header.files {
        if let Err(e) = scratch.add_file(path, content.as_bytes()) {
            return Err(located(
                top.key("files").key(path.clone()),
                Message::new("load-file-create", &[("path", &format!("{path:?}")), ("error", &e)]),
            ));
        }
    }
    Ok(Scenario {
        file: file.to_string(),
        title: header.title,
        source: header.source,
        description: header.description,
        files: header.files.into_iter().collect(),
        code_page: header.code_page.unwrap_or_default(),
        processes: loader.processes.unwrap_or_default(),
        steps: loader.steps,
        symbols: loader.c.symbols,
    })
}

/// The header fields of a scenario file, read by [`HeaderSeed`].
struct Header {
    format_version: u32,
    title: Text,
    source: Option<Text>,
    description: Option<Text>,
    files: std::collections::BTreeMap<String, String>,
    code_page: Option<kernsim_kernel::CodePage>,
}

/// The state of one load: the compiler, the compiled steps, where the line count is.
struct Loader<'t, 'l> {
    text: &'t str,
    file: &'t str,
    located: &'l dyn Fn(JsonPath, Message) -> LoadError,
    c: Compiler,
    processes: Option<Vec<StartStep>>,
    version_ok: bool,
    steps: Vec<PlanStep>,
    /// Steps seen before the processes or the version: compiled at the end.
    buffered: Vec<&'t RawValue>,
    next_index: usize,
    line: usize,
    counted: usize,
    /// The located error that stopped the parse, if it was ours rather than serde's.
    error: Option<LoadError>,
}

impl<'t> Loader<'t, '_> {
    fn ready(&self) -> bool {
        self.processes.is_some() && self.version_ok
    }

    fn declare(&mut self, decls: &[ProcessDecl]) -> Result<(), LoadError> {
        let mut processes = Vec::with_capacity(decls.len());
        for (i, p) in decls.iter().enumerate() {
            let name = self
                .c
                .new_actor(&p.name, true, &Here::Root)
                .map_err(|(_, m)| (self.located)(JsonPath::default().key("processes").index(i).key("name"), m))?;
            processes.push(StartStep {
                name,
                image: p.image.clone(),
                command_line: p.command_line.clone(),
                environment: p.environment.clone(),
            });
        }
        self.processes = Some(processes);
        Ok(())
    }

    fn step(&mut self, raw: &'t RawValue) -> Result<(), LoadError> {
        let (text, file) = (self.text, self.file);
        let i = self.next_index;
        self.next_index += 1;
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        // Offsets ascend, so one walk counts the newlines before each step.
        self.line += text.as_bytes()[self.counted..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted = offset;
        let mut step: Step<'_> = match serde_json::from_str(raw.get()) {
            Ok(step) => step,
            Err(_) => {
                let path = JsonPath::default().key("steps").index(i);
                return Err(step_error_tracked(text, file, raw.get(), offset, &path));
            }
        };
        let compiled = self
            .c
            .step(&mut step, self.line as u32)
            .map_err(|(p, m)| (self.located)(join(&JsonPath::default().key("steps").index(i), &p), m))?;
        self.steps.push(compiled);
        Ok(())
    }

    /// Keeps a located error and gives serde one to stop with.
    fn stop<E: serde::de::Error>(&mut self, e: LoadError) -> E {
        let msg = e.message.clone();
        self.error = Some(e);
        E::custom(msg)
    }
}

/// Reads the top-level object: the fields of [`ScenarioFile`], with `steps` compiled as they
/// come ([`StepsSeed`]).
struct HeaderSeed<'a, 't, 'l>(&'a mut Loader<'t, 'l>);

const FIELDS: &[&str] = &[
    "$schema",
    "format_version",
    "title",
    "source",
    "description",
    "files",
    "code_page",
    "processes",
    "steps",
];

impl<'de: 't, 't> serde::de::DeserializeSeed<'de> for HeaderSeed<'_, 't, '_> {
    type Value = Header;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Header, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de: 't, 't> serde::de::Visitor<'de> for HeaderSeed<'_, 't, '_> {
    type Value = Header;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a scenario object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        use serde::de::Error;
        let loader = self.0;
        let (mut version, mut title, mut source, mut description, mut files) = (None, None, None, None, None);
        let mut code_page = None;
        let mut steps_seen = false;
        let mut seen: Vec<&str> = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let Some(&field) = FIELDS.iter().find(|f| **f == &*key) else {
                return Err(A::Error::unknown_field(&key, FIELDS));
            };
            if seen.contains(&field) {
                return Err(A::Error::duplicate_field(field));
            }
            seen.push(field);
            match field {
                // For editors: where the file's JSON Schema is; the run ignores it.
                "$schema" => {
                    map.next_value::<String>()?;
                }
                "format_version" => {
                    let v: u32 = map.next_value()?;
                    loader.version_ok = v == FORMAT_VERSION;
                    version = Some(v);
                }
                "title" => title = Some(map.next_value::<Text>()?),
                "source" => source = map.next_value::<Option<Text>>()?,
                "description" => description = map.next_value::<Option<Text>>()?,
                "files" => files = Some(map.next_value::<std::collections::BTreeMap<String, String>>()?),
                "code_page" => code_page = map.next_value::<Option<kernsim_kernel::CodePage>>()?,
                "processes" => {
                    let decls: Vec<ProcessDecl> = map.next_value()?;
                    if let Err(e) = loader.declare(&decls) {
                        return Err(loader.stop(e));
                    }
                }
                _ => {
                    map.next_value_seed(StepsSeed(&mut *loader))?;
                    steps_seen = true;
                }
            }
        }
        if !steps_seen {
            return Err(A::Error::missing_field("steps"));
        }
        Ok(Header {
            format_version: version.ok_or_else(|| A::Error::missing_field("format_version"))?,
            title: title.ok_or_else(|| A::Error::missing_field("title"))?,
            source,
            description,
            files: files.unwrap_or_default(),
            code_page,
        })
    }
}

/// Reads the `steps` array, compiling each step from its raw slice (or keeping the slice
/// until the processes and the version are known).
struct StepsSeed<'a, 't, 'l>(&'a mut Loader<'t, 'l>);

impl<'de: 't, 't> serde::de::DeserializeSeed<'de> for StepsSeed<'_, 't, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de: 't, 't> serde::de::Visitor<'de> for StepsSeed<'_, 't, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of steps")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let loader = self.0;
        if let Some(n) = seq.size_hint() {
            loader.steps.reserve(n);
        }
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            if loader.ready() {
                if let Err(e) = loader.step(raw) {
                    return Err(loader.stop(e));
                }
            } else {
                loader.buffered.push(raw);
            }
        }
        Ok(())
    }
}

/// The error of a file that did not parse, with the JSON path that serde was at.
fn load_error_tracked(text: &str, file: &str) -> LoadError {
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = serde_path_to_error::deserialize::<_, ScenarioFile<&RawValue>>(&mut de) {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { String::new() } else { path };
        return LoadError::new(
            file.to_string(),
            (inner.line().max(1), inner.column().max(1)),
            path,
            explain_serde(&inner.to_string()),
        );
    }
    let e = de
        .end()
        .err()
        .unwrap_or_else(|| <serde_json::Error as serde::de::Error>::custom("the file does not parse"));
    LoadError::new(
        file.into(),
        (e.line(), e.column()),
        String::new(),
        explain_serde(&e.to_string()),
    )
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
    LoadError::new(
        file.into(),
        (line, column),
        join(path, &inner_path).to_string(),
        explain_serde(&e.to_string()),
    )
}

/// serde's messages as data: the common kinds keyed for the catalogs (missing, unknown or
/// duplicate field, unknown variant, wrong type, a number too large), the untagged-enum ones
/// made readable, JSON syntax errors with serde's own words.
pub(crate) fn explain_serde(msg: &str) -> Message {
    let msg = msg.split(" at line ").next().unwrap_or(msg).to_string();
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or("").to_string();
    if msg.contains("untagged enum Text") {
        return Message::new("serde-text", &[]);
    }
    if msg.contains("untagged enum OneOrMany") {
        return Message::new("serde-one-or-many", &[]);
    }
    if let Some(rest) = msg.strip_prefix("invalid type: floating point ") {
        // A number too large for its field (or with a fraction) arrives as a float.
        let limit = match rest.rsplit("expected ").next() {
            Some("u64") => Some(u64::MAX.to_string()),
            Some("u32") => Some(u32::MAX.to_string()),
            Some("usize") => Some(usize::MAX.to_string()),
            _ => None,
        };
        if let Some(limit) = limit {
            let value = rest.split(',').next().unwrap_or(rest);
            return Message::new("serde-not-whole", &[("value", &value), ("limit", &limit)]);
        }
    }
    if msg.starts_with("missing field `") {
        return Message::new("serde-missing-field", &[("field", &quoted(&msg))]);
    }
    if msg.starts_with("duplicate field `") {
        return Message::new("serde-duplicate-field", &[("field", &quoted(&msg))]);
    }
    for (prefix, key) in [
        ("unknown field `", "serde-unknown-field"),
        ("unknown variant `", "serde-unknown-variant"),
    ] {
        if msg.starts_with(prefix) {
            let known = msg.split_once(", expected ").map_or("", |(_, k)| k);
            let known = known.strip_prefix("one of ").unwrap_or(known).to_string();
            return Message::new(key, &[("name", &quoted(&msg)), ("known", &known)]);
        }
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            return Message::new("serde-invalid-type", &[("found", &found), ("expected", &expected)]);
        }
    }
    // JSON syntax, in serde_json's words (json.rs `ErrorCode`).
    if let Some(what) = msg.strip_prefix("EOF while parsing ") {
        let key = match what {
            "a list" => "serde-eof-list",
            "an object" => "serde-eof-object",
            "a string" => "serde-eof-string",
            _ => "serde-eof-value",
        };
        return Message::new(key, &[]);
    }
    match msg.as_str() {
        "expected value" => return Message::new("serde-expected-value", &[]),
        "trailing comma" => return Message::new("serde-trailing-comma", &[]),
        "key must be a string" => return Message::new("serde-key-string", &[]),
        "trailing characters" => return Message::new("serde-trailing-characters", &[]),
        _ => {}
    }
    if let Some(tokens) = msg.strip_prefix("expected ").filter(|t| t.starts_with('`')) {
        return Message::new("serde-expected-token", &[("tokens", &tokens)]);
    }
    let syntax = [
        "expected",
        "EOF while parsing",
        "trailing",
        "key must be",
        "control character",
        "invalid escape",
        "invalid number",
        "invalid unicode",
        "lone leading surrogate",
        "number out of range",
        "recursion limit",
    ];
    if syntax.iter().any(|p| msg.starts_with(p)) {
        return Message::new("serde-syntax", &[("text", &msg)]);
    }
    Message::raw(msg)
}

/// Output names a step may bind or check: `ret` and every field of [`kernsim_kernel::Outputs`].
pub fn output_names() -> Vec<&'static str> {
    std::iter::once("ret")
        .chain(OutputField::ALL.iter().map(|f| f.as_str()))
        .collect()
}

/// An output the call table does not list for `call` (`target_handle` of `ReadFile`) is
/// refused where it is written, with the call's own outputs.
fn not_an_output_of(call: CallName, field: OutputField, at: &Here<'_>) -> CResult<()> {
    if call.outputs().contains(&field) {
        return Ok(());
    }
    let names: Vec<&str> = std::iter::once("ret")
        .chain(call.outputs().iter().map(|f| f.as_str()))
        .collect();
    Err((
        at.json_path(),
        Message::new(
            "load-not-an-output-of",
            &[
                ("key", &field.as_str()),
                ("call", &call.as_str()),
                ("names", &names.join(", ")),
            ],
        ),
    ))
}

/// Where the compiler is in the document: a path on the stack, built into a [`JsonPath`] only
/// when an error is reported (a valid file of a million steps never pays for paths).
#[derive(Clone, Copy)]
enum Here<'p> {
    Root,
    Key(&'p Here<'p>, &'p str),
    Index(&'p Here<'p>, usize),
}

impl<'p> Here<'p> {
    fn key(&'p self, k: &'p str) -> Here<'p> {
        Here::Key(self, k)
    }

    fn index(&'p self, i: usize) -> Here<'p> {
        Here::Index(self, i)
    }

    fn json_path(&self) -> JsonPath {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                Here::Root => break,
                Here::Key(parent, k) => {
                    segs.push(Seg::Key(k.to_string().into()));
                    at = parent;
                }
                Here::Index(parent, i) => {
                    segs.push(Seg::Index(*i));
                    at = parent;
                }
            }
        }
        segs.reverse();
        JsonPath(segs)
    }
}

/// The most bytes of data arguments (`WriteFile` buffers and the like) one scenario may hold.
pub const DATA_BUDGET: usize = 64 << 20;

/// Names known while compiling, step by step.
#[derive(Default)]
struct Compiler {
    symbols: Vec<String>,
    index: HashMap<String, Sym>,
    /// Per symbol: bound as a value, named a process, named a thread.
    bound: Vec<bool>,
    /// Bytes of data arguments compiled so far (bounded by [`DATA_BUDGET`]).
    data_bytes: usize,
    /// Reused between steps: the narration being built, resolved arguments, a leaf path.
    scratch_display: String,
    scratch_args: Vec<(&'static str, Value)>,
    process: Vec<bool>,
    thread: Vec<bool>,
}

/// The step's kind, from its keys: one decision.
fn kind_of(step: &Step) -> Result<&'static str, Message> {
    let mut kinds = [
        ("call", step.call.is_some()),
        ("start", step.start.is_some()),
        ("advance", step.advance.is_some()),
        ("show", step.show.is_some()),
        ("file", step.file.is_some()),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| k);
    let first = kinds.next();
    if let (Some(a), Some(b)) = (first, kinds.next()) {
        return Err(Message::new("load-two-kinds", &[("a", &a), ("b", &b)]));
    }
    Ok(first.unwrap_or(""))
}

/// The call named `name` in an expectation, or "unknown call" with the nearest names.
fn call_named(name: &str, path: &Here<'_>) -> CResult<CallName> {
    CallName::from_name(name).ok_or_else(|| {
        let near = consts::near_names(name, Call::NAMES.iter().copied(), 3);
        let hint = Message::new("load-hint-did-you-mean", &[("names", &near.join(", "))]);
        let m = Message::new("load-unknown-call", &[("name", &format!("{name:?}"))]).with("hint", hint);
        (path.json_path(), m)
    })
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

    fn new_actor(&mut self, name: &str, process: bool, path: &Here<'_>) -> CResult<Sym> {
        if name.is_empty() {
            return Err((path.json_path(), Message::new("load-empty-name", &[])));
        }
        if consts::lookup(name).is_some() {
            return Err((
                path.json_path(),
                Message::new("load-constant-name", &[("name", &format!("{name:?}"))]),
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

    fn actor(&self, name: &str, path: &Here<'_>) -> CResult<Sym> {
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
        let hint = if near.is_empty() && known.is_empty() {
            Message::new("load-no-names-yet", &[])
        } else if near.is_empty() {
            Message::new("load-known-names", &[("names", &known.join(", "))])
        } else {
            Message::new("load-did-you-mean", &[("names", &near.join(", "))])
        };
        Err((
            path.json_path(),
            Message::new("load-no-actor", &[("name", &format!("{name:?}"))]).with("hint", hint),
        ))
    }

    /// A list of rows by (process, value) in an expectation.
    fn holder_list(&self, list: &[HolderExpect], path: &Here<'_>) -> CResult<Box<[(Sym, Num)]>> {
        list.iter()
            .enumerate()
            .map(|(i, h)| {
                let at = path.index(i);
                Ok((
                    self.actor(&h.process, &at.key("process"))?,
                    self.num(&h.handle, &at.key("handle"))?,
                ))
            })
            .collect()
    }

    /// A row's expected provenance: each part given must fit `how` (a call only for rows
    /// created or opened, a source row and its closing only for duplicates).
    fn origin(&self, o: &OriginExpect, path: &Here<'_>) -> CResult<ExpectOrigin> {
        let misplaced = |field: &str| {
            let m = Message::new("load-origin-part", &[("field", &field)]).with("how", Message::new(o.how.key(), &[]));
            Err((path.key(field).json_path(), m))
        };
        let made_by_call = matches!(o.how, OriginHow::Created | OriginHow::Opened);
        if o.call.is_some() && !made_by_call {
            return misplaced("call");
        }
        if o.from.is_some() && made_by_call {
            return misplaced("from");
        }
        if o.how != OriginHow::Duplicated {
            if o.source_handle.is_some() {
                return misplaced("source_handle");
            }
            if o.closed_source.is_some() {
                return misplaced("closed_source");
            }
        }
        let call = match &o.call {
            Some(name) => Some(call_named(name, &path.key("call"))?),
            None => None,
        };
        Ok(ExpectOrigin {
            how: o.how,
            call,
            from: match &o.from {
                Some(f) => Some(self.actor(f, &path.key("from"))?),
                None => None,
            },
            source_handle: match &o.source_handle {
                Some(v) => Some(self.num(v, &path.key("source_handle"))?),
                None => None,
            },
            closed_source: o.closed_source,
        })
    }

    fn actors(&self, names: Option<&OneOrMany<String>>, path: &Here<'_>) -> CResult<Vec<Sym>> {
        names
            .iter()
            .flat_map(|o| o.as_slice())
            .enumerate()
            .map(|(i, n)| self.actor(n, &path.index(i)))
            .collect()
    }

    fn step(&mut self, step: &mut Step<'_>, line: u32) -> CResult<PlanStep> {
        let here = Here::Root;
        let kind = kind_of(step).map_err(|m| (here.json_path(), m))?;
        let only_with = |field: &'static str, present: bool, owner: &str| -> CResult<()> {
            if present && kind != owner {
                Err((
                    here.key(field).json_path(),
                    Message::new("load-belongs-to", &[("field", &field), ("owner", &owner)]),
                ))
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
            return Err((here.json_path(), Message::new("load-object-fields", &[])));
        }
        if kind.is_empty() && step.note.is_none() && step.expect.is_none() {
            return Err((here.json_path(), Message::new("load-empty-step", &[])));
        }
        let compiled = match kind {
            "call" => StepKind::Call(Box::new(self.call_step(step)?)),
            "start" => {
                let name = step.start.as_deref().unwrap_or_default();
                let Some(image) = step.image.clone() else {
                    return Err((here.json_path(), Message::new("load-start-needs-image", &[])));
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
                let target = if matches!(what, ShowWhat::Object | ShowWhat::Pipe | ShowWhat::WhyAlive) {
                    Some(self.object_sel(&step.target(), &here)?)
                } else {
                    None
                };
                StepKind::Show(Box::new(ShowStep { what, of, target }))
            }
            "file" => {
                let Some(content) = step.content.clone() else {
                    return Err((here.json_path(), Message::new("load-file-needs-content", &[])));
                };
                StepKind::File(Box::new((step.file.clone().unwrap_or_default(), content)))
            }
            "advance" => StepKind::Advance(step.advance.unwrap_or_default()),
            _ => StepKind::Check,
        };
        let expect = match &step.expect {
            Some(e) => {
                let call = match &compiled {
                    StepKind::Call(c) => Some(c.template.call.kind()),
                    _ => None,
                };
                Some(Box::new(self.expect(e, call, &here.key("expect"))?))
            }
            None => None,
        };
        Ok(PlanStep {
            line,
            note: step.note.clone().map(Box::new),
            kind: compiled,
            expect,
        })
    }

    fn call_step(&mut self, step: &mut Step<'_>) -> CResult<CallStep> {
        let here = Here::Root;
        let name = step.call.as_deref().unwrap_or_default();
        let Some(kind) = CallName::from_name(name) else {
            let near = consts::near_names(name, Call::NAMES.iter().copied(), 3);
            let hint = if near.is_empty() {
                Message::raw("")
            } else {
                Message::new("load-hint-did-you-mean", &[("names", &near.join(", "))])
            };
            let m = Message::new("load-unknown-call", &[("name", &format!("{name:?}"))]).with("hint", hint);
            return Err((here.key("call").json_path(), m));
        };
        let by = step
            .by
            .as_deref()
            .ok_or_else(|| (here.json_path(), Message::new("load-needs-by", &[("name", &name)])))?;
        let by = self.actor(by, &here.key("by"))?;
        let args = step.args.take().unwrap_or_default();
        let (mut template, display) = self.template(kind, args, &here.key("args"))?;
        let outputs = output_names();
        let mut binds = Vec::with_capacity(step.bind.len());
        for (key, target) in &step.bind {
            let at_k = here.key("bind");
            let at = at_k.key(key);
            let from = if key == "ret" {
                BindFrom::Ret
            } else if let Some(field) = OutputField::from_name(key) {
                not_an_output_of(kind, field, &at)?;
                BindFrom::Output(field)
            } else {
                let near = consts::near_names(key, outputs.iter().copied(), 3);
                return Err((
                    at.json_path(),
                    Message::new(
                        "load-not-an-output",
                        &[
                            ("key", &format!("{key:?}")),
                            (
                                "names",
                                &if near.is_empty() {
                                    outputs.join(", ")
                                } else {
                                    near.join(", ")
                                },
                            ),
                        ],
                    ),
                ));
            };
            let (to, as_) = match key.as_str() {
                "process_id" => (self.new_actor(target, true, &at)?, BindAs::Process),
                "thread_id" => (self.new_actor(target, false, &at)?, BindAs::Thread),
                _ => {
                    if consts::lookup(target).is_some() {
                        return Err((
                            at.json_path(),
                            Message::new("load-constant-name", &[("name", &format!("{target:?}"))]),
                        ));
                    }
                    let s = self.sym(target);
                    self.bound[s.0 as usize] = true;
                    (s, BindAs::Value)
                }
            };
            binds.push(Bind { from, to, as_ });
        }
        // Every call's data stays in the plan, and a run copies one step's at a time: a budget
        // on their total bounds memory by the scenario's size, not by what it asks for.
        let mut data = 0usize;
        template.call.visit_leaves(&mut Vec::new(), &mut |_, leaf| {
            if let kernsim_kernel::ArgMut::Bytes(b) = leaf {
                data += b.len();
            }
        });
        for p in template.patches.iter() {
            if let Fill::Repeat { len, .. } = p.fill {
                data = data.saturating_add(len);
            }
        }
        self.data_bytes += data;
        if self.data_bytes > DATA_BUDGET {
            return Err((
                here.key("args").json_path(),
                Message::new(
                    "load-data-budget",
                    &[("total", &self.data_bytes), ("budget", &DATA_BUDGET)],
                ),
            ));
        }
        Ok(CallStep {
            by,
            template,
            display,
            binds: binds.into_boxed_slice(),
        })
    }

    /// The call template and its narration pieces, from the arguments as written.
    fn template(
        &mut self,
        kind: CallName,
        args: Members<Key<'_>>,
        path: &Here<'_>,
    ) -> CResult<(CallTemplate, Narration)> {
        let mut resolved = std::mem::take(&mut self.scratch_args);
        resolved.clear();
        let mut patches = Vec::new();
        let mut leaf = Vec::with_capacity(2);
        let mut display = Display {
            cur: std::mem::take(&mut self.scratch_display),
            pieces: Vec::new(),
        };
        display.cur.clear();
        display.lit(kind.as_str());
        display.lit("(");
        for (i, (key, value)) in args.0.into_iter().enumerate() {
            let key = &*key;
            let at = path.key(key);
            let Some(arg) = kind.canonical_argument(key) else {
                return Err((at.json_path(), unknown_argument(kind, key)));
            };
            if resolved.iter().any(|(a, _)| *a == arg) {
                return Err((
                    at.json_path(),
                    Message::new("load-argument-twice", &[("key", &key), ("arg", &arg)]),
                ));
            }
            if i > 0 {
                display.lit(", ");
            }
            display.piece(DisplayPiece::Arg(arg));
            display.lit(": ");
            self.display_arg(&value, &mut display);
            let text = kind.text_arguments().contains(&arg);
            leaf.clear();
            leaf.push(ArgSeg::Field(arg));
            let v = self.resolve(value, text, &mut leaf, &mut patches, &at)?;
            resolved.push((arg, v));
        }
        display.lit(")");
        let call = match build_call(kind, &resolved) {
            Ok(call) => {
                self.scratch_args = resolved;
                call
            }
            // The fast path says nothing of where; ask again with path tracking.
            Err(_) => {
                let object = Value::Object(resolved.into_iter().map(|(k, v)| (k.to_string(), v)).collect());
                return Err(match crate::values::build_call(kind.as_str(), object) {
                    Err((p, m)) => (join(&path.json_path(), &p), m),
                    Ok(_) => (path.json_path(), Message::new("load-arguments-do-not-fit", &[])),
                });
            }
        };
        // A `{"fill", "len"}` buffer goes only where the call takes data.
        let mut call = call;
        let mut bytes_leaves = Vec::new();
        call.visit_leaves(&mut Vec::new(), &mut |p, leaf| {
            if let kernsim_kernel::ArgMut::Bytes(_) = leaf {
                bytes_leaves.push(p.to_vec());
            }
        });
        for p in patches.iter().filter(|p| matches!(p.fill, Fill::Repeat { .. })) {
            if !bytes_leaves.iter().any(|b| **b == *p.path) {
                let mut at = path.json_path();
                for seg in p.path.iter() {
                    at.0.push(match seg {
                        ArgSeg::Field(f) => crate::locate::Seg::Key((*f).into()),
                        ArgSeg::Index(i) => crate::locate::Seg::Index(*i),
                    });
                }
                return Err((
                    at,
                    "expected text: {\"fill\", \"len\"} describes a data buffer, and this argument is text".into(),
                ));
            }
        }
        let (narration, buffer) = display.finish();
        self.scratch_display = buffer;
        Ok((
            CallTemplate {
                call,
                patches: patches.into_boxed_slice(),
            },
            narration,
        ))
    }

    /// One argument value: constants resolved, bound names and `${}` left as patches (with a
    /// placeholder that type-checks).
    fn resolve(
        &self,
        v: Value,
        text: bool,
        leaf: &mut Vec<ArgSeg>,
        patches: &mut Vec<Patch>,
        at: &Here<'_>,
    ) -> CResult<Value> {
        match v {
            Value::String(s) if text => {
                if s.contains("${") {
                    let parts = self.text_parts(&s).map_err(|m| (at.json_path(), m))?;
                    patches.push(Patch {
                        path: leaf.clone().into_boxed_slice(),
                        fill: Fill::Text(parts.into_boxed_slice()),
                    });
                }
                Ok(Value::String(s))
            }
            Value::String(s) => match self.num_from_str(&s).map_err(|m| (at.json_path(), m))? {
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
                for (i, item) in items.into_iter().enumerate() {
                    leaf.push(ArgSeg::Index(i));
                    let r = self.resolve(item, text, leaf, patches, &at.index(i));
                    leaf.pop();
                    out.push(r?);
                }
                Ok(Value::Array(out))
            }
            Value::Object(map) if text && map.contains_key("fill") => {
                // `{"fill": "x", "len": n}`: kept as its pattern and length, the bytes made
                // when the step runs (a data argument; any other text argument refuses it
                // once the call is built).
                let fill = map.get("fill").and_then(Value::as_str);
                let len = map.get("len").and_then(Value::as_u64);
                let (Some(fill), Some(len), 2) = (fill, len, map.len()) else {
                    return Err((
                        at.json_path(),
                        "expected {\"fill\": TEXT, \"len\": NUMBER} (a buffer of len bytes of the text repeated)"
                            .into(),
                    ));
                };
                let len = usize::try_from(len).unwrap_or(usize::MAX);
                Data::check_fill(fill.as_bytes(), len).map_err(|m| (at.json_path(), m.into()))?;
                patches.push(Patch {
                    path: leaf.clone().into_boxed_slice(),
                    fill: Fill::Repeat {
                        pattern: fill.as_bytes().into(),
                        len,
                    },
                });
                Ok(Value::String(String::new()))
            }
            Value::Object(map) if !text => {
                // Structures inside an argument (`SECURITY_ATTRIBUTES`) hold flags and
                // constants, resolved here; a bound name has no slot there.
                let mut out = Map::with_capacity(map.len());
                for (k, item) in map {
                    let before = patches.len();
                    let r = self.resolve(item, false, &mut Vec::new(), patches, &at.key(&k))?;
                    if patches.len() > before {
                        return Err((at.key(&k).json_path(), Message::new("load-bound-in-structure", &[])));
                    }
                    out.insert(k, r);
                }
                Ok(Value::Object(out))
            }
            Value::Number(n) => match n.as_i64().and_then(int_to_u32) {
                Some(x) if !text => Ok(Value::from(x)),
                _ => Ok(Value::Number(n)),
            },
            other => Ok(other.clone()),
        }
    }

    /// Narration of one argument as written: bound names with their value when the step
    /// runs, `${}` text interpolated, constants as written, other text quoted.
    fn display_arg(&self, v: &Value, out: &mut Display) {
        match v {
            Value::String(s) => match self.bound_sym(s) {
                Some(sym) => out.piece(DisplayPiece::Bound(sym)),
                None if s.contains("${") => match self.text_parts(s) {
                    Ok(parts) => out.piece(DisplayPiece::Text(parts.into_boxed_slice())),
                    Err(_) => {
                        out.lit("\"");
                        out.lit(s);
                        out.lit("\"");
                    }
                },
                None if consts::lookup(s.split('|').next().unwrap_or("")).is_some() => out.lit(s),
                None => {
                    out.lit("\"");
                    escape_controls(s, &mut out.cur);
                    out.lit("\"");
                }
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
                    match NESTED_FIELDS.iter().find(|f| **f == k) {
                        Some(&field) => out.piece(DisplayPiece::Arg(field)),
                        None => out.lit(k),
                    }
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
    fn text_parts(&self, text: &str) -> Result<Vec<TextPart>, Message> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            if start > 0 {
                parts.push(TextPart::Lit(rest[..start].into()));
            }
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| Message::new("load-unclosed-insertion", &[("text", &format!("{text:?}"))]))?;
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
    fn num_from_str(&self, text: &str) -> Result<Num, Message> {
        let t = text.trim();
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u32::from_str_radix(hex, 16)
                .map(Num::Lit)
                .map_err(|_| Message::new("load-not-hex", &[("text", &format!("{t:?}"))]));
        }
        if let Ok(n) = t.parse::<i64>() {
            return int_to_u32(n)
                .map(Num::Lit)
                .ok_or_else(|| Message::new("load-not-32-bits", &[("n", &n)]));
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
    fn num(&self, v: &Value, at: &Here<'_>) -> CResult<Num> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .and_then(int_to_u32)
                .map(Num::Lit)
                .ok_or_else(|| (at.json_path(), Message::new("load-not-32-bit-integer", &[("n", &n)]))),
            Value::Bool(b) => Ok(Num::Lit(u32::from(*b))),
            Value::String(s) => self.num_from_str(s).map_err(|m| (at.json_path(), m)),
            other => Err((
                at.json_path(),
                Message::new("load-expected-number", &[("found", &other)]),
            )),
        }
    }

    fn written_num(&self, v: &Value, at: &Here<'_>) -> CResult<Written<Num>> {
        Ok(Written {
            value: self.num(v, at)?,
            text: show_expected(v).into(),
        })
    }

    /// "X is neither a number, a constant nor a bound name; did you mean A, B?"
    fn unknown_name(&self, name: &str) -> Message {
        crate::values::unknown_name_among(name, &self.bound_names())
    }

    fn ret(&self, v: &Value, at: &Here<'_>) -> CResult<Written<ExpectRet>> {
        fn go(c: &Compiler, v: &Value, at: &Here<'_>) -> CResult<ExpectRet> {
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

    fn object_sel(&self, r: &ObjectRef, path: &Here<'_>) -> CResult<ObjectSel> {
        let modes = [
            r.handle.is_some(),
            r.binding.is_some(),
            r.process.is_some(),
            r.thread.is_some(),
            r.address.is_some(),
        ];
        if modes.iter().filter(|m| **m).count() != 1 {
            return Err((path.json_path(), Message::new("load-name-one-object", &[])));
        }
        if let Some(h) = &r.handle {
            let owner = r
                .in_process
                .as_deref()
                .ok_or_else(|| (path.json_path(), Message::new("load-handle-needs-in", &[])))?;
            let in_ = self.actor(owner, &path.key("in"))?;
            let handle = self.num(h, &path.key("handle"))?;
            return Ok(ObjectSel::Handle { handle, in_ });
        }
        if r.in_process.is_some() {
            return Err((path.key("in").json_path(), Message::new("load-in-needs-handle", &[])));
        }
        if let Some(b) = &r.binding {
            return self
                .bound_sym(b)
                .map(ObjectSel::Binding)
                .ok_or_else(|| (path.key("ref").json_path(), self.unknown_name(b)));
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

    fn last_error(v: &Value, at: &Here<'_>) -> CResult<u32> {
        let code = match v {
            Value::Number(n) => n.as_u64().map(|n| n as u32),
            Value::String(s) => Win32Error::from_name(s)
                .map(Win32Error::code)
                .or_else(|| s.parse().ok()),
            _ => None,
        };
        code.ok_or_else(|| (at.json_path(), Message::new("load-bad-last-error", &[("value", &v)])))
    }

    /// A step's expectations; `call` is the step's own call (its outputs are the ones it may
    /// check), `None` on a step without one.
    fn expect(&self, e: &Expect, call: Option<CallName>, path: &Here<'_>) -> CResult<Expectations> {
        let in_call = call.is_some();
        for (field, present) in [
            ("ret", e.ret.is_some()),
            ("last_error", e.last_error.is_some()),
            ("outputs", e.outputs.is_some()),
            ("pending", e.pending.is_some()),
        ] {
            if present && !in_call {
                return Err((
                    path.key(field).json_path(),
                    Message::new("load-result-check-needs-call", &[("field", &field)]),
                ));
            }
        }
        let mut x = Expectations {
            pending: e.pending,
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
            x.outputs = Some(Box::new(self.outputs(o, call, &path.key("outputs"))?));
        }
        let mut st = StateExpectations {
            no_completion: e.no_completion == Some(true),
            time_ms: e.time_ms,
            deadlock: e.deadlock,
            ..StateExpectations::default()
        };
        st.blocked = self.actors(e.blocked.as_ref(), &path.key("blocked"))?;
        st.unblocked = self.actors(e.unblocked.as_ref(), &path.key("unblocked"))?;
        for (i, c) in e.completed.iter().flat_map(|c| c.as_slice()).enumerate() {
            let p_k = path.key("completed");
            let p = p_k.index(i);
            let by = self.actor(&c.by, &p.key("by"))?;
            let call = match &c.call {
                Some(name) => Some(call_named(name, &p.key("call"))?),
                None => None,
            };
            st.completed.push(ExpectCompleted {
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
                    Some(o) => Some(self.outputs(o, call, &p.key("outputs"))?),
                    None => None,
                },
            });
        }
        for (i, t) in e.table.iter().flat_map(|t| t.as_slice()).enumerate() {
            let p_k = path.key("table");
            let p = p_k.index(i);
            let of = self.actor(&t.of, &p.key("of"))?;
            let mut rows = Vec::with_capacity(t.rows.len());
            for (j, row) in t.rows.iter().enumerate() {
                let rp_k = p.key("rows");
                let rp = rp_k.index(j);
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
                    origin: match &row.origin {
                        Some(o) => Some(Box::new(self.origin(o, &rp.key("origin"))?)),
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
            st.table.push(ExpectTable {
                of,
                rows,
                absent,
                exact: t.exact,
                count: t.count,
            });
        }
        for (i, o) in e.object.iter().flat_map(|o| o.as_slice()).enumerate() {
            st.object.push(ExpectObject {
                target: self.object_sel(&o.target(), &path.key("object").index(i))?,
                usage_count: o.usage_count,
                handle_count: o.handle_count,
                alive: o.alive,
                kind: o.kind.clone(),
                signaled: o.signaled,
                holders: match &o.holders {
                    Some(h) => Some(self.holder_list(h, &path.key("object").index(i).key("holders"))?),
                    None => None,
                },
            });
        }
        for (i, b) in e.blocked_by.iter().flat_map(|b| b.as_slice()).enumerate() {
            let p_k = path.key("blocked_by");
            let p = p_k.index(i);
            st.blocked_by.push(ExpectBlockedBy {
                thread: self.actor(&b.thread, &p.key("thread"))?,
                holders: self.holder_list(&b.holders, &p.key("holders"))?,
            });
        }
        for (i, p) in e.process.iter().flat_map(|p| p.as_slice()).enumerate() {
            let pp_k = path.key("process");
            let pp = pp_k.index(i);
            st.process.push(ExpectProcess {
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
                        path.key("env").index(i).key("value").json_path(),
                        "expected a string, or null for \"not set\"".into(),
                    ))
                }
            };
            st.env.push(ExpectEnv {
                in_,
                name: env.name.clone(),
                value,
            });
        }
        if st != StateExpectations::default() {
            x.state = Some(Box::new(st));
        }
        Ok(x)
    }

    fn outputs(&self, outputs: &Members, call: Option<CallName>, path: &Here<'_>) -> CResult<ExpectOutputs> {
        let names = output_names();
        let mut items = Vec::with_capacity(outputs.len());
        for (key, v) in outputs.iter() {
            let at = path.key(key);
            let Some(field) = OutputField::from_name(key) else {
                let near = consts::near_names(key, names.iter().copied(), 3);
                return Err((
                    at.json_path(),
                    Message::new(
                        "load-not-an-output-near",
                        &[("key", &format!("{key:?}")), ("names", &near.join(", "))],
                    ),
                ));
            };
            if let Some(call) = call {
                not_an_output_of(call, field, &at)?;
            }
            let expected = match field {
                _ if v.as_str() == Some("untouched") => ExpectOutput::Untouched,
                OutputField::Data => ExpectOutput::Data(
                    serde_json::from_value::<Data>(v.clone())
                        .map_err(|e| (at.json_path(), Message::new("load-bad-data", &[("error", &e)])))?,
                ),
                OutputField::Text => match v {
                    Value::String(s) => ExpectOutput::Text(s.clone()),
                    _ => return Err((at.json_path(), Message::new("load-expected-string", &[]))),
                },
                OutputField::Environment => ExpectOutput::Strings(
                    serde_json::from_value(v.clone())
                        .map_err(|_| (at.json_path(), Message::new("load-expected-strings", &[])))?,
                ),
                OutputField::Entry => {
                    let Some(m) = v.as_object() else {
                        return Err((at.json_path(), Message::new("load-expected-entry", &[])));
                    };
                    let mut fields = Vec::with_capacity(m.len());
                    for (k, fv) in m {
                        let value = match fv {
                            Value::String(s) if self.num(fv, &at).is_err() => EntryValue::Text(s.clone()),
                            other => EntryValue::Number(self.written_num(other, &at.key(k))?),
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
            text: outputs.to_value().to_string().into(),
            items,
        })
    }
}

/// The fields of the arguments written as objects, worded like argument names: a security
/// attributes' `inherit_handle` and a large buffer's `fill` and `len` (kernel `call.rs`).
pub const NESTED_FIELDS: &[&str] = &["inherit_handle", "fill", "len"];

/// Builds narration pieces: literal text gathers in one buffer until a bound piece comes.
struct Display {
    cur: String,
    pieces: Vec<DisplayPiece>,
}

impl Display {
    fn lit(&mut self, s: &str) {
        self.cur.push_str(s);
    }

    fn piece(&mut self, p: DisplayPiece) {
        if !self.cur.is_empty() {
            self.pieces.push(DisplayPiece::Lit(self.cur.as_str().into()));
            self.cur.clear();
        }
        self.pieces.push(p);
    }

    /// The narration, each text allocated once at its size; and the buffer, for reuse.
    fn finish(mut self) -> (Narration, String) {
        if self.pieces.is_empty() {
            return (Narration::Lit(self.cur.as_str().into()), self.cur);
        }
        if !self.cur.is_empty() {
            self.pieces.push(DisplayPiece::Lit(self.cur.as_str().into()));
        }
        (Narration::Pieces(self.pieces.into_boxed_slice()), self.cur)
    }
}

/// Deserializes a [`Call`] from its name and resolved arguments, presenting serde the
/// `{"call": name, "args": {...}}` shape without building it.
fn build_call(kind: CallName, args: &[(&'static str, Value)]) -> Result<Call, serde_json::Error> {
    use serde::de::value::{MapDeserializer, StrDeserializer};
    use serde::de::{DeserializeSeed, IntoDeserializer, MapAccess, Visitor};
    use serde::Deserialize;

    struct Wrapped<'a> {
        name: &'static str,
        args: Option<&'a [(&'static str, Value)]>,
        at: u8,
    }
    impl<'de> MapAccess<'de> for Wrapped<'de> {
        type Error = serde_json::Error;
        fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
            let key = match (self.at, &self.args) {
                (0, _) => "call",
                (1, Some(_)) => "args",
                _ => return Ok(None),
            };
            let de: StrDeserializer<'_, serde_json::Error> = key.into_deserializer();
            seed.deserialize(de).map(Some)
        }
        fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
            self.at += 1;
            if self.at == 1 {
                let de: StrDeserializer<'_, serde_json::Error> = self.name.into_deserializer();
                return seed.deserialize(de);
            }
            let args = self.args.take().unwrap_or_default();
            seed.deserialize(MapDeserializer::new(args.iter().map(|(k, v)| (*k, v))))
        }
    }
    struct De<'a>(Wrapped<'a>);
    impl<'de> serde::Deserializer<'de> for De<'de> {
        type Error = serde_json::Error;
        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            visitor.visit_map(self.0)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
            identifier ignored_any
        }
    }
    // Calls that take no arguments are unit variants: no `args` at all.
    let args = (!kind.arguments().is_empty()).then_some(args);
    Call::deserialize(De(Wrapped {
        name: kind.as_str(),
        args,
        at: 0,
    }))
}

/// "unknown argument `buffer` of ReadFile; its arguments are: file, bytes_to_read".
fn unknown_argument(kind: CallName, key: &str) -> Message {
    let args = kind.arguments();
    let near = consts::near_names(key, args.iter().copied(), 3);
    let list = if args.is_empty() {
        Message::new("load-takes-no-arguments", &[])
    } else {
        Message::new("load-its-arguments", &[("args", &args.join(", "))])
    };
    let m = Message::new("load-unknown-argument", &[("key", &key), ("call", &kind)]);
    if near.is_empty() {
        m.with("list", list)
    } else {
        Message::new(
            "load-unknown-argument-near",
            &[("key", &key), ("call", &kind), ("near", &near.join(", "))],
        )
        .with("list", list)
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
/// "≠ x" (a sign, so that every language reads it).
fn show_value(v: &Value) -> String {
    if let Some(inner) = v.as_object().and_then(|m| m.get("not")) {
        return format!("≠ {}", show_value(inner));
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
fn escape_controls(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = fmt::Write::write_fmt(out, format_args!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
}

fn join(base: &JsonPath, rest: &JsonPath) -> JsonPath {
    let mut p = base.clone();
    p.0.extend(rest.0.iter().cloned());
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Fill, Narration, Num, StepKind};
    use crate::runner::{run, run_with, Discard, RunOptions};

    fn scenario(steps: &str) -> String {
        format!(
            r#"{{"format_version": 1, "title": "t", "processes": [{{"name": "p", "image": "p.exe"}}], "steps": [{steps}]}}"#
        )
    }

    fn error(steps: &str) -> LoadError {
        load_str(&scenario(steps), "t.json").expect_err("must not load")
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_positions_count_after_it() {
        let plain = scenario(r#"{"by": "p", "call": "Bogus"}"#);
        let without = load_str(&plain, "t.json").unwrap_err();
        let with = load_str(&format!("\u{feff}{plain}"), "t.json").unwrap_err();
        assert_eq!(with.path, "steps[0].call");
        assert_eq!((with.line, with.column), (without.line, without.column), "{with}");
        assert!(load_str(&format!("\u{feff}{}", scenario("")), "t.json").is_ok());
    }

    #[test]
    fn an_advance_too_large_names_the_limit() {
        let e = error(r#"{"advance": 1e30}"#);
        assert!(
            e.message.contains("not a whole number from 0 to 18446744073709551615"),
            "{e}"
        );
        assert_eq!(e.path, "steps[0].advance");
    }

    #[test]
    fn a_setup_file_that_cannot_be_created_is_refused_at_load_with_its_place() {
        let text = r#"{"format_version": 1, "title": "t", "files": {"C:\\": "x"}, "steps": []}"#;
        let e = load_str(text, "t.json").unwrap_err();
        assert!(e.message.contains("cannot be created"), "{e}");
        assert_eq!(e.path, "files.C:\\");
        assert_eq!((e.line, e.column), (1, 55), "{e}");
    }

    #[test]
    fn data_arguments_are_bounded_per_buffer_and_per_scenario() {
        let e =
            error(r#"{"by": "p", "call": "WriteFile", "args": {"file": 4, "data": {"fill": "x", "len": 1073741824}}}"#);
        assert!(e.message.contains("above the limit of a buffer"), "{e}");
        assert_eq!(e.path, "steps[0].args.data");
        let step = r#"{"by": "p", "call": "WriteFile", "args": {"file": 4, "data": {"fill": "x", "len": 16777216}}}"#;
        let four = [step; 4].join(",");
        assert!(load_str(&scenario(&four), "t.json").is_ok(), "64 MiB in all is allowed");
        let e = error(&[step; 5].join(","));
        assert!(e.message.contains("above the budget"), "{e}");
        assert_eq!(e.path, "steps[4].args");
    }

    #[test]
    fn a_fill_buffer_is_kept_as_its_pattern_and_made_when_the_step_runs() {
        let text = scenario(
            r#"{"by": "p", "call": "CreatePipe", "args": {"size": 65536}, "bind": {"read_handle": "r", "write_handle": "w"}},
               {"by": "p", "call": "WriteFile", "args": {"file": "w", "data": {"fill": "ab", "len": 5}}},
               {"by": "p", "call": "ReadFile", "args": {"file": "r", "bytes_to_read": 10}, "expect": {"outputs": {"data": "ababa"}}}"#,
        );
        let sc = load_str(&text, "t.json").unwrap();
        let StepKind::Call(write) = &sc.steps[1].kind else {
            panic!("a call")
        };
        // The plan holds the pattern, not the bytes.
        assert!(write
            .template
            .patches
            .iter()
            .any(|p| matches!(&p.fill, Fill::Repeat { pattern, len: 5 } if &**pattern == b"ab")));
        let summary = run_with(&sc, RunOptions::default(), &mut Discard);
        assert!(summary.passed() && summary.error.is_none(), "{summary:?}");
    }

    #[test]
    fn a_fill_buffer_is_refused_where_the_call_takes_text() {
        let e = error(
            r#"{"by": "p", "call": "SetEnvironmentVariable", "args": {"name": "A", "value": {"fill": "x", "len": 3}}}"#,
        );
        assert_eq!(e.path, "steps[0].args.value");
        assert!(e.message.contains("this argument is text"), "{e}");
        let e = error(r#"{"by": "p", "call": "WriteFile", "args": {"file": 4, "data": {"fill": "x"}}}"#);
        assert_eq!(e.path, "steps[0].args.data");
        assert!(e.message.contains("expected {\"fill\": TEXT, \"len\": NUMBER}"), "{e}");
        let e = error(r#"{"by": "p", "call": "WriteFile", "args": {"file": 4, "data": {"fill": "", "len": 3}}}"#);
        assert!(e.message.contains("fill pattern is empty"), "{e}");
    }

    #[test]
    fn a_run_over_its_memory_budget_ends_with_a_located_problem() {
        let sc = load_str(
            &scenario(r#"{"by": "p", "call": "CreateEvent"}, {"by": "p", "call": "CreateEvent"}"#),
            "t.json",
        )
        .unwrap();
        let budget = |limit| RunOptions {
            memory: Some(crate::runner::MemoryBudget { in_use: || 1000, limit }),
            ..RunOptions::default()
        };
        let over = run_with(&sc, budget(999), &mut Discard);
        let e = over.error.expect("over the budget");
        assert_eq!(e.step, 0, "checked after the setup already");
        assert!(matches!(
            e.problem,
            crate::RunProblem::OverMemoryBudget {
                in_use: 1000,
                limit: 999
            }
        ));
        assert!(run_with(&sc, budget(1000), &mut Discard).error.is_none());
    }

    #[test]
    fn holders_and_blocked_by_expectations_fail_with_expected_and_actual() {
        let text = scenario(
            r#"{"by": "p", "call": "CreatePipe", "bind": {"read_handle": "r", "write_handle": "w"}},
               {"by": "p", "call": "CreateEvent", "bind": {"ret": "e"}},
               {"expect": {"object": {"ref": "w", "holders": [{"process": "p", "handle": "w"}]}}},
               {"expect": {"object": {"ref": "w", "holders": [{"process": "p", "handle": "e"}]}}},
               {"expect": {"blocked_by": {"thread": "p", "holders": []}}},
               {"by": "p", "call": "ReadFile", "args": {"file": "r", "bytes_to_read": 1}},
               {"expect": {"blocked_by": {"thread": "p", "holders": [{"process": "p", "handle": "w"}]}}},
               {"expect": {"blocked_by": {"thread": "p", "holders": [{"process": "p", "handle": "r"}]}}},
               {"show": "why_blocked", "of": ["p"]},
               {"show": "leaks"}"#,
        );
        let sc = load_str(&text, "t.json").unwrap();
        let run = run(&sc);
        let failed: Vec<(usize, String)> = run
            .summary
            .failures
            .iter()
            .map(|f| (f.step, crate::render::failure(crate::Lang::En, &f.check)))
            .collect();
        assert_eq!(failed.len(), 3, "{failed:#?}");
        assert_eq!(failed[0].0, 4);
        assert!(failed[0].1.contains("holders: expected p 12, found p 8"), "{failed:?}");
        assert_eq!(failed[1].0, 5);
        assert!(failed[1].1.contains("not"), "p is not blocked yet: {failed:?}");
        assert_eq!(failed[2].0, 8);
        assert!(failed[2].1.contains("holders: expected p 4, found p 8"), "{failed:?}");
        let text = crate::render_text(&sc, &run, crate::Lang::En);
        assert!(
            text.contains("- p: handle 8 (inherit N), from CreatePipe at step 1, never used since"),
            "{text}"
        );
        assert!(
            text.contains("p: handle 12 -> Event"),
            "the unused event is a leak: {text}"
        );
    }

    #[test]
    fn a_syntax_error_after_a_bad_step_is_the_one_reported_and_it_is_located() {
        // Found by the scenario fuzzer: a step's error came first and could not be located
        // in text that is not JSON further on.
        let text = "{\"format_version\": 1, \"title\": \"t\", \"processes\": [{\"name\": \"p\", \"image\": \"p.exe\"}],\n \"steps\": [{\"by\": \"p\", \"call\": \"Bogus\"},\n {\"note\": \"a\u{1}b\"}]}";
        let e = load_str(text, "t.json").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.column >= 1, "{e}");
        assert!(e.message.contains("control character"), "{e}");
    }

    #[test]
    fn a_key_given_twice_in_args_is_refused_with_its_place() {
        let e = error(r#"{"by": "p", "call": "CloseHandle", "args": {"handle": 4, "handle": 8}}"#);
        assert!(e.message.contains("duplicate key `handle`"), "{e}");
        assert_eq!(e.line, 1);
        assert!(e.path.starts_with("steps[0]"), "{e}");
        let e = error(r#"{"by": "p", "call": "CloseHandle", "args": {"handle": 4, "object": 8}}"#);
        assert!(e.message.contains("a second time"), "{e}");
        assert_eq!(e.path, "steps[0].args.object");
    }

    #[test]
    fn the_object_alias_of_hobject_names_the_handle_argument() {
        let s = load_str(
            &scenario(r#"{"by": "p", "call": "CloseHandle", "args": {"object": 4}, "expect": {"ret": false}}"#),
            "t.json",
        )
        .unwrap();
        let StepKind::Call(c) = &s.steps[0].kind else { panic!() };
        assert_eq!(
            c.template.call,
            Call::CloseHandle {
                handle: kernsim_kernel::HandleValue(4)
            }
        );
        assert!(run(&s).passed());
    }

    #[test]
    fn unknown_arguments_name_the_call_and_its_arguments_whatever_the_value() {
        for value in ["\"hi dad\"", "5", "true"] {
            let e = error(&format!(
                r#"{{"by": "p", "call": "ReadFile", "args": {{"buffer": {value}}}}}"#
            ));
            assert!(
                e.message.contains("unknown argument `buffer` of ReadFile")
                    && e.message.contains("file, bytes_to_read"),
                "{e}"
            );
            assert_eq!(e.path, "steps[0].args.buffer");
        }
    }

    #[test]
    fn a_bound_name_inside_a_structure_argument_is_refused() {
        let e = error(
            r#"{"by": "p", "call": "CreateEvent", "bind": {"ret": "h"}},
               {"by": "p", "call": "CreateEvent", "args": {"event_attributes": {"inherit_handle": "h"}}}"#,
        );
        assert!(e.message.contains("inside a structure argument"), "{e}");
        assert_eq!(e.path, "steps[1].args.event_attributes.inherit_handle");
    }

    #[test]
    fn bound_arguments_become_patches_filled_when_the_step_runs() {
        let s = load_str(
            &scenario(
                r#"{"by": "p", "call": "CreateEvent", "bind": {"ret": "h"}},
                   {"by": "p", "call": "CreateEvent", "bind": {"ret": "h2"}},
                   {"by": "p", "call": "WaitForMultipleObjects", "args": {"handles": ["h", "h2|0"], "milliseconds": 0},
                    "expect": {"ret": "WAIT_TIMEOUT"}},
                   {"by": "p", "call": "SetEnvironmentVariable", "args": {"name": "H", "value": "${h2}"}},
                   {"expect": {"env": {"in": "p", "name": "H", "value": "8"}}}"#,
            ),
            "t.json",
        )
        .unwrap();
        let StepKind::Call(wait) = &s.steps[2].kind else {
            panic!()
        };
        assert_eq!(wait.template.patches.len(), 2);
        assert!(matches!(wait.template.patches[0].fill, Fill::Number(Num::Bound(_))));
        assert!(matches!(wait.template.patches[1].fill, Fill::Number(Num::Or(0, _))));
        assert!(matches!(wait.display, Narration::Pieces(_)));
        let StepKind::Call(create) = &s.steps[0].kind else {
            panic!()
        };
        assert!(create.template.patches.is_empty());
        assert!(matches!(&create.display, Narration::Lit(t) if &**t == "CreateEvent()"));
        let r = run(&s);
        assert!(r.passed(), "{:?}", r.failures());
        let display = match &r.steps[3].action {
            crate::runner::Action::Call { display, .. } => display.clone(),
            _ => panic!(),
        };
        // As before the compiled plan: a bound name alone shows its value; an expression is
        // shown as written.
        assert_eq!(
            display.to_string(),
            r#"WaitForMultipleObjects(handles: [h=4, "h2|0"], milliseconds: 0)"#
        );
        // The argument names are left for the renderer, which words them in its language.
        assert_eq!(display.args().collect::<Vec<_>>(), ["handles", "milliseconds"]);
        assert_eq!(
            display.worded(|a| crate::Lang::Ko.arg(a)),
            r#"WaitForMultipleObjects(핸들 목록: [h=4, "h2|0"], 대기 시간(ms): 0)"#
        );
    }

    #[test]
    fn steps_before_processes_in_the_file_still_compile() {
        let text = r#"{"steps": [{"by": "p", "call": "GetLastError", "expect": {"ret": 0}}],
                       "title": "t", "processes": [{"name": "p", "image": "p.exe"}], "format_version": 1}"#;
        let s = load_str(text, "t.json").unwrap();
        assert_eq!(s.steps.len(), 1);
        assert_eq!(s.steps[0].line, 1);
        assert!(run(&s).passed());
    }

    #[test]
    fn a_streaming_run_gives_the_same_summary_and_hands_over_every_step() {
        let s = load_str(
            &scenario(
                r#"{"by": "p", "call": "CreateEvent", "expect": {"ret": 4}},
                   {"by": "p", "call": "CloseHandle", "args": {"handle": 4}, "expect": {"ret": false}}"#,
            ),
            "t.json",
        )
        .unwrap();
        let collected = run(&s);
        assert_eq!(collected.steps.len(), 3, "the setup start and two steps");
        let summary = run_with(&s, RunOptions::default(), &mut Discard);
        assert_eq!(summary.checks, collected.summary.checks);
        assert_eq!(summary.failures.len(), 1);
        assert_eq!(summary.failures[0].step, 2);
    }
}
