//! The compiled form of a scenario: what [`crate::load`] turns a file into, once, and what
//! [`crate::run`] executes without looking at JSON again. One enum of step kinds, typed call
//! templates whose arguments are literals or binding slots, typed expectations. Names
//! (processes, threads, bound values) are interned as [`Sym`]s.

use crate::format::{OriginHow, ShowWhat, Text};
use kernsim_kernel::{ArgMut, ArgSeg, Args, Call, CallName, Data, HandleValue, OutputField};

/// A name of the scenario (a process, a thread or a bound value), interned.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sym(pub u32);

/// A number known at load (`Lit`) or read from bindings when the step runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Num {
    /// A literal or constant.
    Lit(u32),
    /// A bound name.
    Bound(Sym),
    /// Constants or'ed with bound names (`"hA|FLAG"`).
    Or(u32, Box<[Sym]>),
}

/// Text with `${name}` insertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextPart {
    /// Literal text.
    Lit(Box<str>),
    /// The bound number, in decimal (negative for pseudo values).
    Sym(Sym),
}

/// What a template fills into one argument leaf when the step runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fill {
    /// A number from bindings.
    Number(Num),
    /// Text with insertions.
    Text(Box<[TextPart]>),
    /// A data buffer of `len` bytes of `pattern` repeated (`{"fill": "x", "len": n}`), made
    /// when the step runs so that the plan does not hold it.
    Repeat {
        /// The pattern.
        pattern: Box<[u8]>,
        /// The buffer's length.
        len: usize,
    },
}

/// One leaf of a call template to fill in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    /// Where the leaf is: the argument and, in list arguments, the index.
    pub path: Box<[ArgSeg]>,
    /// What goes there.
    pub fill: Fill,
}

/// A call with every literal argument in place and the bound ones listed as patches.
#[derive(Clone, Debug, PartialEq)]
pub struct CallTemplate {
    /// The call, with placeholders where patches go.
    pub call: Call,
    /// The leaves filled from bindings when the step runs (usually none).
    pub patches: Box<[Patch]>,
}

impl CallTemplate {
    /// The call to run: the template with the given values in its patched leaves (one value
    /// per patch, in order; see [`Filled`]). The values are moved in, not copied.
    pub fn instantiate(&self, mut values: Vec<Filled>) -> Call {
        let mut call = self.call.clone();
        if self.patches.is_empty() {
            return call;
        }
        call.visit_leaves(&mut Vec::new(), &mut |path, leaf| {
            let Some(i) = self.patches.iter().position(|p| &*p.path == path) else {
                return;
            };
            match (leaf, std::mem::replace(&mut values[i], Filled::Number(0))) {
                (ArgMut::Number(n), Filled::Number(v)) => *n = v,
                (ArgMut::Text(t), Filled::Text(v)) => *t = v,
                (ArgMut::Bytes(b), Filled::Text(v)) => *b = v.into_bytes(),
                (ArgMut::Bytes(b), Filled::Bytes(v)) => *b = v.0,
                _ => {}
            }
        });
        call
    }
}

/// A patch's value when the step runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filled {
    /// A number.
    Number(u32),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Data),
}

/// A piece of a call's narration: `CloseHandle(handle: hEvent=4)` is a literal, an argument
/// name, a literal, a bound name with its value when the step runs, and a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisplayPiece {
    /// Text as written.
    Lit(Box<str>),
    /// An argument's name (`handle`), worded by the renderer in its language.
    Arg(&'static str),
    /// A bound name: shown as `name=value`.
    Bound(Sym),
    /// Text with insertions, shown quoted.
    Text(Box<[TextPart]>),
}

/// A call's narration: one literal (most calls), or pieces with bound names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Narration {
    /// Nothing bound: the text as it will be shown.
    Lit(Box<str>),
    /// Literals, argument names, bound names and insertions.
    Pieces(Box<[DisplayPiece]>),
}

impl Narration {
    /// The pieces (a literal narration is one piece).
    pub fn pieces(&self) -> &[DisplayPiece] {
        match self {
            Narration::Lit(_) => &[],
            Narration::Pieces(p) => p,
        }
    }
}

/// Where an output goes: into a value binding or naming a process or thread.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BindAs {
    /// A bound number (a handle remembers its object).
    Value,
    /// A process name (`process_id`).
    Process,
    /// A thread name (`thread_id`).
    Thread,
}

/// Which result value a bind takes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BindFrom {
    /// The return value.
    Ret,
    /// An out-parameter.
    Output(OutputField),
}

/// One `bind` entry.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Bind {
    /// The value taken.
    pub from: BindFrom,
    /// The name it goes to.
    pub to: Sym,
    /// How.
    pub as_: BindAs,
}

/// A `call` step.
#[derive(Clone, Debug, PartialEq)]
pub struct CallStep {
    /// The acting process or thread.
    pub by: Sym,
    /// The call.
    pub template: CallTemplate,
    /// Its narration.
    pub display: Narration,
    /// Outputs to remember, in key order.
    pub binds: Box<[Bind]>,
}

impl CallStep {
    /// Which call.
    pub fn name(&self) -> CallName {
        self.template.call.kind()
    }
}

/// A `start` step (or a process of `processes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartStep {
    /// Its name.
    pub name: Sym,
    /// Executable.
    pub image: String,
    /// Command line (default: the image).
    pub command_line: Option<String>,
    /// Environment block.
    pub environment: Vec<String>,
}

/// How a step or expectation names an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectSel {
    /// A handle in a process's table.
    Handle {
        /// The handle value.
        handle: Num,
        /// The process (or thread's process).
        in_: Sym,
    },
    /// The object a handle binding named when it was bound.
    Binding(Sym),
    /// A named process's object.
    Process(Sym),
    /// A named thread's object (a process: its oldest live thread).
    Thread(Sym),
    /// A display address.
    Address(Num),
}

/// A `show` step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShowStep {
    /// What.
    pub what: ShowWhat,
    /// The processes for `handles` and `env` (`None`: every running one).
    pub of: Option<Box<[Sym]>>,
    /// The object for `object` and `pipe`.
    pub target: Option<ObjectSel>,
}

/// What a step does: decided once, at load.
#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    /// Only a note and/or expectations.
    Check,
    /// A call.
    Call(Box<CallStep>),
    /// The system starts a process.
    Start(Box<StartStep>),
    /// The clock advances (ms).
    Advance(u64),
    /// A view of the state.
    Show(Box<ShowStep>),
    /// A file is set up.
    File(Box<(String, String)>),
}

/// One compiled step.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanStep {
    /// The line it starts on.
    pub line: u32,
    /// Its note.
    pub note: Option<Box<Text>>,
    /// What it does.
    pub kind: StepKind,
    /// What it checks afterwards.
    pub expect: Option<Box<Expectations>>,
}

/// An expected return value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectRet {
    /// `null`: the call returns nothing.
    Void,
    /// A number (`true` is 1).
    Is(Num),
    /// `{"not": ...}`.
    Not(Box<ExpectRet>),
}

/// An expected value with the text the author wrote, for narration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written<T> {
    /// The value.
    pub value: T,
    /// As written (a constant name, a number, `true`, `≠ NULL`).
    pub text: Box<str>,
}

/// An expected out-parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectOutput {
    /// A number or handle.
    Number(Written<Num>),
    /// Bytes.
    Data(Data),
    /// A string.
    Text(String),
    /// A string list.
    Strings(Vec<String>),
    /// Fields of a process entry: numbers or names (names compare case-insensitively).
    Entry(Vec<(String, EntryValue)>),
    /// `"untouched"`: the call did not write this out-parameter (a failed call leaves it as
    /// the caller had it).
    Untouched,
}

/// A field of an expected process entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryValue {
    /// A number.
    Number(Written<Num>),
    /// A name.
    Text(String),
}

/// Expected outputs of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectOutputs {
    /// As written, for narration (`{"bytes_read":18}`).
    pub text: Box<str>,
    /// Each output.
    pub items: Vec<(OutputField, ExpectOutput)>,
}

/// A parked call that completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectCompleted {
    /// Whose call.
    pub by: Sym,
    /// Which call, if it matters.
    pub call: Option<CallName>,
    /// Its return value.
    pub ret: Option<Written<ExpectRet>>,
    /// Its last error.
    pub last_error: Option<u32>,
    /// Its outputs.
    pub outputs: Option<ExpectOutputs>,
}

/// One expected row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectRow {
    /// The handle value.
    pub handle: Num,
    /// The object it points to.
    pub object: Option<ObjectSel>,
    /// The object's kind (a name, compared case-insensitively).
    pub kind: Option<String>,
    /// The inherit flag.
    pub inherit: Option<bool>,
    /// The protect-from-close flag.
    pub protect_from_close: Option<bool>,
    /// The granted access.
    pub access: Option<Num>,
    /// Its provenance, as far as stated.
    pub origin: Option<Box<ExpectOrigin>>,
}

/// An expected provenance (`origin` of a row), each part but `how` optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectOrigin {
    /// How.
    pub how: OriginHow,
    /// The call that created or opened the row.
    pub call: Option<CallName>,
    /// The parent or source process.
    pub from: Option<Sym>,
    /// The source row (duplicates).
    pub source_handle: Option<Num>,
    /// Whether the duplicate closed its source.
    pub closed_source: Option<bool>,
}

/// Rows of one process's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectTable {
    /// The process.
    pub of: Sym,
    /// Rows that must be there.
    pub rows: Vec<ExpectRow>,
    /// Values that must not be.
    pub absent: Vec<Num>,
    /// No other rows.
    pub exact: bool,
    /// How many rows.
    pub count: Option<usize>,
}

/// Facts about one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectObject {
    /// Which.
    pub target: ObjectSel,
    /// Usage count.
    pub usage_count: Option<u32>,
    /// Handle count.
    pub handle_count: Option<u32>,
    /// Whether it exists.
    pub alive: Option<bool>,
    /// Its kind.
    pub kind: Option<String>,
    /// Signaled state.
    pub signaled: Option<bool>,
    /// Every row that holds it: (process, value).
    pub holders: Option<Box<[(Sym, Num)]>>,
}

/// What a blocked thread waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectBlockedBy {
    /// The thread (or a process's oldest thread).
    pub thread: Sym,
    /// The rows that could release it: (process, value).
    pub holders: Box<[(Sym, Num)]>,
}

/// Facts about one process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectProcess {
    /// Which.
    pub name: Sym,
    /// Running.
    pub running: Option<bool>,
    /// Exit code.
    pub exit_code: Option<Num>,
    /// Its object exists.
    pub alive: Option<bool>,
    /// Live threads.
    pub threads: Option<u32>,
    /// Its parent.
    pub parent: Option<Sym>,
}

/// An environment value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectEnv {
    /// The process.
    pub in_: Sym,
    /// The variable.
    pub name: String,
    /// Its value (`None`: not set).
    pub value: Option<String>,
}

/// Everything a step checks after it acted: the call's result inline (most expectations),
/// the state of the world behind one box (present only when asked for).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expectations {
    /// Return value.
    pub ret: Option<Written<ExpectRet>>,
    /// Last error (a code), as written.
    pub last_error: Option<Written<u32>>,
    /// Parked or not.
    pub pending: Option<bool>,
    /// Outputs.
    pub outputs: Option<Box<ExpectOutputs>>,
    /// Expectations about the state after the step.
    pub state: Option<Box<StateExpectations>>,
}

/// Expectations about the state of the world after a step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateExpectations {
    /// Parked processes or threads.
    pub blocked: Vec<Sym>,
    /// Not parked.
    pub unblocked: Vec<Sym>,
    /// Who could release blocked threads.
    pub blocked_by: Vec<ExpectBlockedBy>,
    /// Completed calls.
    pub completed: Vec<ExpectCompleted>,
    /// No completion.
    pub no_completion: bool,
    /// Handle tables.
    pub table: Vec<ExpectTable>,
    /// Objects.
    pub object: Vec<ExpectObject>,
    /// Processes.
    pub process: Vec<ExpectProcess>,
    /// Environment values.
    pub env: Vec<ExpectEnv>,
    /// The clock.
    pub time_ms: Option<u64>,
    /// Deadlock or not.
    pub deadlock: Option<bool>,
}

/// A handle value as the narration shows it (decimal, pseudo values negative).
pub fn show_handle(v: u32) -> String {
    HandleValue(v).to_string()
}
