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

/// Text in English and other languages: a plain string (English only) or an object by
/// language id, `{"en": ..., "ko": ...}`, any catalog's id allowed (a language without its
/// own text falls back to English).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Text {
    /// English only.
    Plain(String),
    /// By language id; `en` is required.
    Lang(TextByLang),
}

/// The languages of a [`Text`]: English, and any others by id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TextByLang {
    /// English.
    pub en: String,
    /// Other languages by id (`"ko"`: Korean).
    #[serde(flatten)]
    pub other: BTreeMap<String, String>,
}

impl Text {
    /// The text in `lang`, or in English when it has none.
    pub fn get(&self, lang: &str) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Lang(t) => t.other.get(lang).map_or(&t.en, |s| s),
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

/// Text borrowed from the scenario file when it has no escapes (names, call names, argument
/// keys), so loading does not allocate for each.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Key<'a>(pub std::borrow::Cow<'a, str>);

impl std::ops::Deref for Key<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl Serialize for Key<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for Key<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "String".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        String::json_schema(generator)
    }
}

/// A JSON object kept as its members in file order (call arguments, expected outputs): no
/// hashing, and a key given twice is refused, as everywhere else in the format.
#[derive(Clone, Debug, PartialEq)]
pub struct Members<K = String>(pub Vec<(K, Value)>);

impl<K> Default for Members<K> {
    fn default() -> Self {
        Members(Vec::new())
    }
}

impl<K: std::ops::Deref<Target = str>> Members<K> {
    /// The members in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// As a JSON object.
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }
}

impl<'de, K: Deserialize<'de> + std::ops::Deref<Target = str>> Deserialize<'de> for Members<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K>(std::marker::PhantomData<K>);
        impl<'de, K: Deserialize<'de> + std::ops::Deref<Target = str>> serde::de::Visitor<'de> for V<K> {
            type Value = Members<K>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Members<K>, A::Error> {
                let mut out: Vec<(K, Value)> = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(key) = map.next_key::<K>()? {
                    if out.iter().any(|(k, _)| **k == *key) {
                        return Err(serde::de::Error::custom(format_args!("duplicate key `{}`", &*key)));
                    }
                    let value = map.next_value::<Value>()?;
                    out.push((key, value));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

impl<K: std::ops::Deref<Target = str>> Serialize for Members<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(&**k, v)?;
        }
        m.end()
    }
}

impl<K> JsonSchema for Members<K> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Members".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Map<String, Value>>::json_schema(generator)
    }
}

/// A scenario file. The loader reads the steps as raw JSON slices (`S = &RawValue`) and
/// compiles each on its own; the schema describes them as [`Step`]s.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile<S = Step<'static>> {
    /// Where an editor finds this schema (`kernsim schema > kernsim.schema.json`); ignored
    /// by the run.
    #[serde(default, rename = "$schema")]
    pub schema: Option<String>,
    /// Must be 1.
    pub format_version: u32,
    /// What the scenario shows.
    pub title: Text,
    /// Where it comes from (a section of the source material).
    #[serde(default)]
    pub source: Option<Text>,
    /// A longer introduction.
    #[serde(default)]
    pub description: Option<Text>,
    /// Files of the in-memory file system at the start: path → content.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// The ANSI code page of the A functions (`GetEnvironmentVariableA`, ...): 949 (Korean,
    /// the default), 932, 936, 950, 874, 1250 to 1258, or 65001.
    #[serde(default)]
    #[schemars(with = "Option<u32>")]
    pub code_page: Option<kernsim_kernel::CodePage>,
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
    /// Every holder of one object (addressed as for `object`): each row with its process,
    /// value, flags and provenance, and the kernel reference of a running process or thread.
    WhyAlive,
    /// What the threads of the processes or threads in `of` (every blocked thread when
    /// omitted) wait for, and who could release them.
    WhyBlocked,
    /// Rows of live processes never used since they were made, and the objects only they
    /// keep alive.
    Leaks,
}

/// One step. See the module docs for the kinds.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step<'a> {
    /// Narration shown before the step acts.
    #[serde(default)]
    pub note: Option<Text>,

    /// The acting process (its oldest live thread) or thread, by name.
    #[serde(default)]
    #[serde(borrow)]
    pub by: Option<Key<'a>>,
    /// A Win32 call name (`CreateProcess`, `DuplicateHandle`, ...).
    #[serde(default)]
    #[serde(borrow)]
    pub call: Option<Key<'a>>,
    /// The call's parameters, named after Win32's. Numbers may be given as constant names
    /// (`"DUPLICATE_SAME_ACCESS|DUPLICATE_CLOSE_SOURCE"`), hex strings or binding names; text
    /// parameters may contain `${name}` to insert a bound number.
    #[serde(default)]
    #[serde(borrow)]
    pub args: Option<Members<Key<'a>>>,
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
    /// Out-parameters by name (`bytes_read`, `data`, `target_handle`, `exit_code`, ...);
    /// `"untouched"` expects the call not to have written that one.
    #[serde(default)]
    pub outputs: Option<Members>,
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
    /// What a blocked thread waits for: the rows that could release it.
    #[serde(default)]
    pub blocked_by: Option<OneOrMany<BlockedByExpect>>,
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
    pub outputs: Option<Members>,
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
    /// How the row came to be (its provenance): `{"how": "duplicated", "from": "parent",
    /// "source_handle": 4}`; only the parts given are compared.
    #[serde(default)]
    pub origin: Option<OriginExpect>,
}

/// How a row came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OriginHow {
    /// The call created the object and the row with it.
    Created,
    /// The call opened an object that existed.
    Opened,
    /// `CreateProcess` copied the parent's inheritable row.
    Inherited,
    /// `DuplicateHandle` copied a row.
    Duplicated,
}

impl OriginHow {
    /// Its message key (`origin-how-duplicated`, ...): the word for it in each language.
    pub fn key(self) -> &'static str {
        match self {
            OriginHow::Created => "origin-how-created",
            OriginHow::Opened => "origin-how-opened",
            OriginHow::Inherited => "origin-how-inherited",
            OriginHow::Duplicated => "origin-how-duplicated",
        }
    }
}

/// An expected provenance of a row: how, and (each optional) by which call, from which
/// process and row, and whether the duplicate closed its source.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginExpect {
    /// `created`, `opened`, `inherited` or `duplicated`.
    pub how: OriginHow,
    /// The call that created or opened it (`created`, `opened`).
    #[serde(default)]
    pub call: Option<String>,
    /// The process it came from: the parent (`inherited`) or the source process
    /// (`duplicated`).
    #[serde(default)]
    pub from: Option<String>,
    /// The source row's value (`duplicated`).
    #[serde(default)]
    pub source_handle: Option<Value>,
    /// Whether `DUPLICATE_CLOSE_SOURCE` closed the source row (`duplicated`).
    #[serde(default)]
    pub closed_source: Option<bool>,
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
    /// Every row that holds it, in any order (kernel references are not listed).
    #[serde(default)]
    pub holders: Option<Vec<HolderExpect>>,
}

/// A handle-table row, by process and value.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HolderExpect {
    /// The process (or thread, for its process) whose table holds it.
    pub process: String,
    /// The value: a number or a handle binding.
    pub handle: Value,
}

/// What a blocked thread waits for.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockedByExpect {
    /// The thread (a process: its oldest live thread).
    pub thread: String,
    /// The rows that could release it, in any order: the write ends a read waits for, the
    /// event a wait waits for, ...
    pub holders: Vec<HolderExpect>,
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
target_of!(Step<'_>);
target_of!(ObjectExpect);
