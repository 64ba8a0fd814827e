//! Check results as data: what a check looked at ([`Checked`]), whether it held, and each
//! thing found that differed from what was expected ([`Mismatch`], with both values). The
//! renderers word them; nothing here is a sentence.

use kernsim_kernel::{
    Address, CallError, CallName, Deadlock, HandleValue, ObjectKind, OutputField, Pid, Ret, Tid, Violation, Win32Error,
};
use serde::Serialize;

/// How a check or a show names an object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Label<'a> {
    /// A handle in a process's table.
    Handle {
        /// The value.
        handle: HandleValue,
        /// The process (or thread) name.
        #[serde(rename = "in")]
        in_: &'a str,
    },
    /// The object a handle binding named.
    Binding {
        /// The binding.
        name: &'a str,
    },
    /// A process's object.
    Process {
        /// Its name.
        name: &'a str,
    },
    /// A process's oldest live thread.
    MainThread {
        /// The process name.
        name: &'a str,
    },
    /// A thread's object.
    Thread {
        /// Its name.
        name: &'a str,
    },
    /// A display address.
    Address {
        /// The address.
        address: Address,
    },
}

/// What a check looked at, with what it expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum Checked<'a> {
    /// The kernel's invariants (after every step).
    Invariants,
    /// Whether the call parked.
    Pending {
        /// Expected.
        expected: bool,
    },
    /// The call's result exists (a `ret`, `last_error` or `outputs` check on a parked call).
    CallResult,
    /// The return value.
    Ret {
        /// As written.
        expected: &'a str,
    },
    /// The last error.
    LastError {
        /// As written.
        expected: &'a str,
    },
    /// Out-parameters.
    Outputs {
        /// As written.
        expected: &'a str,
    },
    /// A process or thread is parked.
    Blocked {
        /// Its name.
        name: &'a str,
    },
    /// A process or thread is not parked.
    Unblocked {
        /// Its name.
        name: &'a str,
    },
    /// Who could release a blocked thread.
    BlockedBy {
        /// The thread's (or process's) name.
        name: &'a str,
    },
    /// No parked call completed.
    NoCompletion,
    /// A parked call completed.
    Completed {
        /// Whose.
        by: &'a str,
        /// Which, if it matters.
        call: Option<CallName>,
    },
    /// Rows of a handle table.
    Table {
        /// The process.
        of: &'a str,
    },
    /// Counts and liveness of an object.
    Object {
        /// Which (`None`: it could not be named when the step ran).
        object: Option<Label<'a>>,
        /// Expected liveness.
        alive: Option<bool>,
        /// Expected usage count (when it exists).
        usage_count: Option<u32>,
        /// Expected handle count (when it exists).
        handle_count: Option<u32>,
        /// How many holding rows were expected (a `holders` list).
        #[serde(skip_serializing_if = "Option::is_none")]
        holders: Option<usize>,
        /// Expected kind (when it exists).
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<&'a str>,
        /// Expected signaled state (when it exists).
        #[serde(skip_serializing_if = "Option::is_none")]
        signaled: Option<bool>,
    },
    /// Process state.
    Process {
        /// The process.
        name: &'a str,
    },
    /// An environment value.
    Env {
        /// The process.
        process: &'a str,
        /// The variable.
        name: &'a str,
        /// Expected value (`None`: not set).
        value: Option<&'a str>,
    },
    /// The virtual clock.
    Time {
        /// Expected ms.
        ms: u64,
    },
    /// Whether the world is deadlocked.
    Deadlock {
        /// Expected.
        expected: bool,
    },
}

/// One thing a check found that differs from what it expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "mismatch", rename_all = "snake_case")]
pub enum Mismatch<'a> {
    /// A broken kernel invariant.
    Invariant {
        /// The rule and what was found.
        violation: Violation,
    },
    /// The call parked when it should have returned, or the reverse.
    Pending {
        /// Expected to park.
        expected: bool,
    },
    /// The call has no result (it parked or did not return).
    NoResult,
    /// The return value.
    Ret {
        /// As written.
        expected: &'a str,
        /// Found.
        actual: Ret,
    },
    /// The last error.
    LastError {
        /// Expected code.
        expected: u32,
        /// Found.
        actual: Win32Error,
    },
    /// An expected output the call did not produce.
    OutputMissing {
        /// Which.
        field: OutputField,
        /// As expected.
        expected: String,
    },
    /// An output with another value.
    Output {
        /// Which.
        field: OutputField,
        /// Expected, shown.
        expected: String,
        /// Found, shown.
        actual: String,
    },
    /// A process entry field.
    EntryField {
        /// The field.
        field: &'a str,
        /// Expected, shown.
        expected: String,
        /// Found, shown (`None`: no such field).
        actual: Option<String>,
    },
    /// Expected parked, but it is not.
    NotParked {
        /// The process or thread.
        name: &'a str,
    },
    /// Expected not parked, but it is.
    Parked {
        /// The process or thread.
        name: &'a str,
    },
    /// Calls completed where none should.
    Completions {
        /// How many.
        count: usize,
    },
    /// No call of this process or thread completed.
    NoCompletionOf {
        /// The process or thread.
        by: &'a str,
        /// What did complete: (call, tid).
        completed: Vec<(String, Tid)>,
    },
    /// A call completed, with other results.
    CompletedWith {
        /// The call.
        call: String,
        /// What differed.
        found: Vec<Mismatch<'a>>,
    },
    /// The process's object is gone, so its table cannot be read.
    ProcessGone {
        /// The process.
        name: &'a str,
    },
    /// A row that is not there.
    NoRow {
        /// Its value.
        handle: HandleValue,
    },
    /// A row's inherit flag.
    RowInherit {
        /// The row.
        handle: HandleValue,
        /// Expected.
        expected: bool,
        /// Found.
        actual: bool,
    },
    /// A row's protect-from-close flag.
    RowProtect {
        /// The row.
        handle: HandleValue,
        /// Expected.
        expected: bool,
        /// Found.
        actual: bool,
    },
    /// A row's object kind.
    RowKind {
        /// The row.
        handle: HandleValue,
        /// Expected (as written).
        expected: &'a str,
        /// Found.
        actual: ObjectKind,
    },
    /// A row's access mask.
    RowAccess {
        /// The row.
        handle: HandleValue,
        /// Expected.
        expected: u32,
        /// Found.
        actual: u32,
    },
    /// A row's provenance.
    RowOrigin {
        /// The row.
        handle: HandleValue,
        /// Expected (only the parts the expectation states).
        expected: OriginFacts<'a>,
        /// Found (every part that applies).
        actual: OriginFacts<'a>,
    },
    /// A row's object.
    RowObject {
        /// The row.
        handle: HandleValue,
        /// The object expected.
        expected: Label<'a>,
        /// Its address (`None`: gone).
        expected_address: Option<Address>,
        /// Found.
        actual: Address,
    },
    /// A row that should be absent.
    RowPresent {
        /// The row.
        handle: HandleValue,
    },
    /// A row not listed in an exact table.
    UnexpectedRow {
        /// The row.
        handle: HandleValue,
        /// Its object.
        object: Address,
    },
    /// The number of rows.
    RowCount {
        /// Expected.
        expected: usize,
        /// Found.
        actual: usize,
    },
    /// The object exists or not.
    Alive {
        /// Expected.
        expected: bool,
    },
    /// Usage count.
    UsageCount {
        /// Expected.
        expected: u32,
        /// Found.
        actual: u32,
    },
    /// Handle count.
    HandleCount {
        /// Expected.
        expected: u32,
        /// Found.
        actual: u32,
    },
    /// Object kind.
    Kind {
        /// Expected (as written).
        expected: &'a str,
        /// Found.
        actual: ObjectKind,
    },
    /// Signaled state.
    Signaled {
        /// Expected.
        expected: bool,
        /// Found (`None`: not a waitable kind with a state).
        actual: Option<bool>,
    },
    /// The rows that hold an object, or that could release a blocked thread, differ:
    /// (process name, value) pairs, sorted.
    Holders {
        /// Expected.
        expected: Vec<(String, HandleValue)>,
        /// Found.
        actual: Vec<(String, HandleValue)>,
    },
    /// Facts were asked of an object that does not exist.
    DoesNotExist,
    /// A process's object exists or not.
    ProcessAlive {
        /// Expected.
        expected: bool,
    },
    /// A process runs or not.
    Running {
        /// Expected.
        expected: bool,
    },
    /// Exit code.
    ExitCode {
        /// Expected.
        expected: u32,
        /// Found.
        actual: u32,
    },
    /// The exit code of a process whose object is gone.
    ExitCodeGone,
    /// Live threads.
    Threads {
        /// Expected.
        expected: u32,
        /// Found.
        actual: u32,
    },
    /// A process's parent.
    Parent {
        /// Expected parent name.
        expected: &'a str,
        /// Its pid (`None`: not known).
        expected_pid: Option<Pid>,
        /// Found (`None`: the process is gone).
        actual: Option<Pid>,
    },
    /// An environment value.
    Env {
        /// Expected (`None`: not set).
        expected: Option<&'a str>,
        /// Found.
        actual: Option<String>,
    },
    /// The clock.
    Clock {
        /// Found ms.
        actual: u64,
    },
    /// Expected a deadlock, but something can still move.
    NoDeadlock,
    /// A deadlock nobody expected.
    Deadlock {
        /// Who waits for what.
        deadlock: Deadlock,
    },
    /// A name the check needs has no value when the step runs (bound by a call that has
    /// not completed).
    Unbound {
        /// The name.
        name: &'a str,
    },
}

/// One checked expectation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Check<'a> {
    /// What was checked.
    pub what: Checked<'a>,
    /// Whether it held.
    pub ok: bool,
    /// What differed when it did not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub found: Vec<Mismatch<'a>>,
}

impl<'a> Check<'a> {
    /// A check with what it found: it held when nothing differed.
    pub fn new(what: Checked<'a>, found: Vec<Mismatch<'a>>) -> Check<'a> {
        Check {
            what,
            ok: found.is_empty(),
            found,
        }
    }
}

/// Why a run could not go on: a step that cannot act.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum RunProblem<'a> {
    /// The system could not start a process (the id space is spent).
    CannotStart {
        /// Its name.
        name: &'a str,
        /// Why.
        error: Win32Error,
    },
    /// A setup file could not be created.
    File {
        /// Its path.
        path: &'a str,
        /// The file system's error.
        error: Win32Error,
    },
    /// A process that acts has no live thread.
    NoLiveThread {
        /// Its name.
        name: &'a str,
        /// Its pid.
        pid: Pid,
    },
    /// A thread that acts is gone.
    ThreadGone {
        /// Its name.
        name: &'a str,
        /// Its tid.
        tid: Tid,
    },
    /// The acting thread is parked in an earlier call.
    Parked {
        /// Who.
        by: &'a str,
        /// The call it tried.
        call: CallName,
        /// The call it is parked in.
        parked_in: String,
        /// The step that parked it.
        since_step: Option<usize>,
        /// That call's sequence number.
        call_seq: u64,
    },
    /// The kernel refused the call.
    CannotCall {
        /// Who.
        by: &'a str,
        /// The call.
        call: CallName,
        /// Why.
        error: CallError,
    },
    /// The run used more memory than its budget ([`crate::runner::MemoryBudget`]).
    OverMemoryBudget {
        /// Bytes in use after the step.
        in_use: usize,
        /// The budget.
        limit: usize,
    },
    /// A name the step needs has no value yet.
    Unbound {
        /// The name.
        name: &'a str,
    },
    /// A `bind` entry whose output the call did not produce.
    NotProduced {
        /// The output.
        output: &'static str,
        /// What the call returned.
        ret: Ret,
    },
    /// A `bind` of `ret` on a call that returns nothing.
    ReturnsNothing,
    /// A `bind` of an output that is not a number.
    NotANumber {
        /// The output.
        output: &'static str,
    },
}

/// A row's provenance as facts to word: how, and the call, the process (by its scenario name,
/// or `pid N` when it has none) and the source row where they apply or were stated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct OriginFacts<'a> {
    /// How the row came to be.
    pub how: crate::format::OriginHow,
    /// The call that created or opened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<CallName>,
    /// The parent or source process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<std::borrow::Cow<'a, str>>,
    /// The source row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_handle: Option<HandleValue>,
    /// Whether the duplicate closed its source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_source: Option<bool>,
}
