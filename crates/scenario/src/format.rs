//! The scenario file format (`format_version` 1), as serde types. Everything a file can say
//! is here; [`crate::load`] validates the combinations and [`crate::run`] executes them.
//!
//! A step is one object. Which kind it is follows from its key: `call` (with `by`), `start`,
//! `advance`, `show`, `file`, or none of those (a note and/or expectations about the state).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The only format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// Text in English and optionally Korean (a plain string is English only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Text {
    /// English only.
    Plain(String),
    /// Both languages.
    Lang {
        /// English.
        en: String,
        /// Korean (falls back to English when missing).
        #[serde(default)]
        ko: Option<String>,
    },
}

impl Text {
    /// The text in `lang` ("ko" or anything else for English).
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Lang { en, ko } => match (lang, ko) {
                ("ko", Some(ko)) => ko,
                _ => en,
            },
        }
    }
}

/// One value or a list of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    // Boxed: an `Expect` holds many of these, mostly absent, and steps come by the million.
    One(Box<T>),
    /// Several.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(t) => std::slice::from_ref(&**t),
            OneOrMany::Many(v) => v,
        }
    }
}

/// A scenario file. The loader reads the steps as raw JSON slices (`S = &RawValue`) and
/// compiles each on its own; the schema describes them as [`Step`]s.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile<S = Step> {
    /// Must be 1.
    pub format_version: u32,
    /// What the scenario shows.
    pub title: Text,
    /// Where it comes from (a section of the source material).
    #[serde(default)]
    pub source: Option<String>,
    /// A longer introduction.
    #[serde(default)]
    pub description: Option<Text>,
    /// Files of the in-memory file system at the start: path → content.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Processes the system starts before the first step.
    #[serde(default)]
    pub processes: Vec<ProcessDecl>,
    /// The steps, in order.
    pub steps: Vec<S>,
}

/// A process started by the system (not by another scenario process).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessDecl {
    /// The name steps use for it in `by`.
    pub name: String,
    /// Executable name.
    pub image: String,
    /// Command line (default: the image).
    #[serde(default)]
    pub command_line: Option<String>,
    /// Environment block, `NAME=VALUE` strings.
    #[serde(default)]
    pub environment: Vec<String>,
}

/// What a `show` step displays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShowWhat {
    /// Handle tables of the processes in `of` (all running ones when omitted).
    Handles,
    /// The process list (as a Toolhelp snapshot sees it), plus exited processes still alive.
    Processes,
    /// One object (`handle` + `in`, or `ref`, `process`, `thread`, `address`).
    Object,
    /// A pipe end's state (same addressing as `object`).
    Pipe,
    /// The named-object, pipe and mailslot namespaces.
    Namespace,
    /// Environment blocks of the processes in `of`.
    Env,
    /// The in-memory file system.
    Files,
    /// Parked calls and who waits for what.
    Waits,
}

/// One step. See the module docs for the kinds.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Narration shown before the step acts.
    #[serde(default)]
    pub note: Option<Text>,

    /// The acting process (its oldest live thread) or thread, by name.
    #[serde(default)]
    pub by: Option<String>,
    /// A Win32 call name (`CreateProcess`, `DuplicateHandle`, ...).
    #[serde(default)]
    pub call: Option<String>,
    /// The call's parameters, named after Win32's. Numbers may be given as constant names
    /// (`"DUPLICATE_SAME_ACCESS|DUPLICATE_CLOSE_SOURCE"`), hex strings or binding names; text
    /// parameters may contain `${name}` to insert a bound number.
    #[serde(default)]
    pub args: Option<Map<String, Value>>,
    /// Outputs to remember under names: `{"ret": "hEvent"}`, `{"target_handle": "hDup"}`,
    /// `{"process_id": "child"}` (a process name for `by`), `{"thread_id": "worker"}`.
    #[serde(default)]
    pub bind: BTreeMap<String, String>,

    /// Start a process on behalf of the system, under this name.
    #[serde(default)]
    pub start: Option<String>,
    /// Executable of a `start` step.
    #[serde(default)]
    pub image: Option<String>,
    /// Command line of a `start` step.
    #[serde(default)]
    pub command_line: Option<String>,
    /// Environment of a `start` step.
    #[serde(default)]
    pub environment: Option<Vec<String>>,

    /// Advance the virtual clock by this many milliseconds.
    #[serde(default)]
    pub advance: Option<u64>,

    /// Display part of the state.
    #[serde(default)]
    pub show: Option<ShowWhat>,
    /// Processes for `show: handles` / `show: env`.
    #[serde(default)]
    pub of: Option<OneOrMany<String>>,
    /// Object addressing for `show: object` / `show: pipe`: a handle (binding or number) ...
    #[serde(default)]
    pub handle: Option<Value>,
    /// ... in this process.
    #[serde(default, rename = "in")]
    pub in_process: Option<String>,
    /// The object a handle binding named when it was bound (works after the handle closed).
    #[serde(default, rename = "ref")]
    pub binding: Option<String>,
    /// The process object of a named process.
    #[serde(default)]
    pub process: Option<String>,
    /// The thread object of a named thread (or a process's oldest thread).
    #[serde(default)]
    pub thread: Option<String>,
    /// A display address (`"0x1100"`).
    #[serde(default)]
    pub address: Option<Value>,

    /// Create or replace a file of the in-memory file system (setup, by no process).
    #[serde(default)]
    pub file: Option<String>,
    /// Content of a `file` step.
    #[serde(default)]
    pub content: Option<String>,

    /// Expectations checked after the step acted.
    #[serde(default)]
    pub expect: Option<Box<Expect>>,
}

/// How a step or expectation names an object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ObjectRef {
    /// A handle (binding name or number) ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle: Option<Value>,
    /// ... in this process.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_process: Option<String>,
    /// The object a handle binding named when it was bound (works after the handle closed).
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub binding: Option<String>,
    /// The process object of a named process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// The thread object of a named thread (or a process's oldest thread).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// A display address (`"0x1100"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Value>,
}

impl ObjectRef {
    /// True when no addressing field is given.
    pub fn is_empty(&self) -> bool {
        self == &ObjectRef::default()
    }
}

/// Expectations about a call's result and about the state after a step.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The return value: `true`, `false`, a number, a constant name (`"WAIT_OBJECT_0"`,
    /// `"INVALID_HANDLE_VALUE"`), a binding, or `{"not": ...}`.
    #[serde(default)]
    pub ret: Option<Value>,
    /// `GetLastError()` after the call, by name or number.
    #[serde(default)]
    pub last_error: Option<Value>,
    /// Out-parameters by name (`bytes_read`, `data`, `target_handle`, `exit_code`, ...).
    #[serde(default)]
    pub outputs: Option<Map<String, Value>>,
    /// The call parked (true) or returned (false).
    #[serde(default)]
    pub pending: Option<bool>,
    /// These processes or threads are parked in a call.
    #[serde(default)]
    pub blocked: Option<OneOrMany<String>>,
    /// These processes or threads are not parked.
    #[serde(default)]
    pub unblocked: Option<OneOrMany<String>>,
    /// Parked calls that completed during the step (or the step before, for an expect-only
    /// step).
    #[serde(default)]
    pub completed: Option<OneOrMany<CompletedExpect>>,
    /// No parked call completed.
    #[serde(default)]
    pub no_completion: Option<bool>,
    /// Handle-table rows of a process.
    #[serde(default)]
    pub table: Option<OneOrMany<TableExpect>>,
    /// Counts and liveness of objects.
    #[serde(default)]
    pub object: Option<OneOrMany<ObjectExpect>>,
    /// Process state.
    #[serde(default)]
    pub process: Option<OneOrMany<ProcessExpect>>,
    /// Environment values.
    #[serde(default)]
    pub env: Option<OneOrMany<EnvExpect>>,
    /// The virtual clock.
    #[serde(default)]
    pub time_ms: Option<u64>,
    /// Whether every live thread is stuck with no timeout pending.
    #[serde(default)]
    pub deadlock: Option<bool>,
}

/// A parked call that completed.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompletedExpect {
    /// Whose call (process or thread name).
    pub by: String,
    /// Which call (Win32 name), if it matters.
    #[serde(default)]
    pub call: Option<String>,
    /// Its return value.
    #[serde(default)]
    pub ret: Option<Value>,
    /// Its last error.
    #[serde(default)]
    pub last_error: Option<Value>,
    /// Its outputs.
    #[serde(default)]
    pub outputs: Option<Map<String, Value>>,
}

/// Rows of one process's handle table.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableExpect {
    /// The process.
    pub of: String,
    /// Rows that must be there.
    #[serde(default)]
    pub rows: Vec<RowExpect>,
    /// Handle values that must not be there.
    #[serde(default)]
    pub absent: Vec<Value>,
    /// No rows besides `rows`.
    #[serde(default)]
    pub exact: bool,
    /// The number of rows.
    #[serde(default)]
    pub count: Option<usize>,
}

/// One expected row.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RowExpect {
    /// The handle value (number or binding).
    pub handle: Value,
    /// The object it must point to.
    #[serde(default)]
    pub object: Option<ObjectRef>,
    /// The object's kind (`Process`, `Event`, `Pipe`, ...).
    #[serde(default)]
    pub kind: Option<String>,
    /// The inherit flag.
    #[serde(default)]
    pub inherit: Option<bool>,
    /// The protect-from-close flag.
    #[serde(default)]
    pub protect_from_close: Option<bool>,
    /// The granted access mask.
    #[serde(default)]
    pub access: Option<Value>,
}

/// Facts about one object.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectExpect {
    /// A handle (binding name or number) ...
    #[serde(default)]
    pub handle: Option<Value>,
    /// ... in this process.
    #[serde(default, rename = "in")]
    pub in_process: Option<String>,
    /// The object a handle binding named when it was bound (works after the handle closed).
    #[serde(default, rename = "ref")]
    pub binding: Option<String>,
    /// The process object of a named process.
    #[serde(default)]
    pub process: Option<String>,
    /// The thread object of a named thread (or a process's oldest thread).
    #[serde(default)]
    pub thread: Option<String>,
    /// A display address (`"0x1100"`).
    #[serde(default)]
    pub address: Option<Value>,
    /// Usage count.
    #[serde(default)]
    pub usage_count: Option<u32>,
    /// Handle count.
    #[serde(default)]
    pub handle_count: Option<u32>,
    /// Whether it still exists.
    #[serde(default)]
    pub alive: Option<bool>,
    /// Its kind.
    #[serde(default)]
    pub kind: Option<String>,
    /// An event's or process's signaled state.
    #[serde(default)]
    pub signaled: Option<bool>,
}

/// Facts about one process.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessExpect {
    /// The process name.
    pub name: String,
    /// Running (true) or exited / gone (false).
    #[serde(default)]
    pub running: Option<bool>,
    /// Its exit code (`"STILL_ACTIVE"` while running).
    #[serde(default)]
    pub exit_code: Option<Value>,
    /// Whether its object still exists (an exited process stays while handles remain).
    #[serde(default)]
    pub alive: Option<bool>,
    /// Live threads.
    #[serde(default)]
    pub threads: Option<u32>,
    /// Its parent's name.
    #[serde(default)]
    pub parent: Option<String>,
}

/// An environment value of one process.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvExpect {
    /// The process.
    #[serde(rename = "in")]
    pub in_process: String,
    /// The variable (case-insensitive).
    pub name: String,
    /// Its value; `null` means not set.
    pub value: Value,
}

macro_rules! target_of {
    ($t:ty) => {
        impl $t {
            /// The object addressing fields as an [`ObjectRef`].
            pub fn target(&self) -> ObjectRef {
                ObjectRef {
                    handle: self.handle.clone(),
                    in_process: self.in_process.clone(),
                    binding: self.binding.clone(),
                    process: self.process.clone(),
                    thread: self.thread.clone(),
                    address: self.address.clone(),
                }
            }
        }
    };
}
target_of!(Step);
target_of!(ObjectExpect);
