//! The event log: one [`Event`] per state change (rows, counts, objects, processes, threads,
//! parked and completed calls, names, environment, pipe data, time). Objects are named by their
//! display address, processes and threads by their ids, so the log is stable across runs.

use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::ids::{Address, Pid, Tid};
use crate::object::ObjectKind;
use crate::result::Ret;
use serde::{Deserialize, Serialize};

/// Why a row or a count changed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Why {
    /// A call created the object and its first handle.
    Create,
    /// A call opened an existing object (by name, by pid, by a client `CreateFile`).
    Open,
    /// `CreateProcess` copied an inheritable row into the child.
    Inherit,
    /// `DuplicateHandle` made a copy.
    Duplicate,
    /// `CloseHandle`.
    Close,
    /// `DuplicateHandle` with `DUPLICATE_CLOSE_SOURCE`.
    CloseSource,
    /// The owning process exited and its table was swept.
    ExitSweep,
    /// A process or thread started running (its reference on itself).
    Start,
    /// A process or thread stopped running.
    Exit,
}

/// Which way pipe or mailslot bytes moved.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Flow {
    /// Written into a queue.
    Queued,
    /// Taken out by a read.
    Read,
    /// Thrown away (disconnect, close, deleted mailslot).
    Discarded,
}

/// One state change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "event")]
#[allow(missing_docs)]
pub enum Event {
    /// An object came to life.
    ObjectCreated {
        object: Address,
        kind: ObjectKind,
        name: Option<String>,
    },
    /// Its usage count reached zero.
    ObjectDestroyed { object: Address, kind: ObjectKind },
    /// A row was registered in a handle table.
    RowAdded {
        process_id: Pid,
        handle: HandleValue,
        object: Address,
        access: u32,
        inherit: bool,
        why: Why,
    },
    /// `SetHandleInformation` set a row's flags (`before`: the flag bits it had).
    FlagsChanged {
        process_id: Pid,
        handle: HandleValue,
        object: Address,
        inherit: bool,
        protect_from_close: bool,
        before: u32,
    },
    /// A row was removed from a handle table.
    RowRemoved {
        process_id: Pid,
        handle: HandleValue,
        object: Address,
        why: Why,
    },
    /// An object's counts changed.
    CountChanged {
        object: Address,
        usage_count: u32,
        handle_count: u32,
        delta: i32,
        why: Why,
    },
    /// A process started.
    ProcessStarted {
        process_id: Pid,
        parent_process_id: Pid,
        image: String,
    },
    /// A process exited.
    ProcessExited { process_id: Pid, exit_code: u32 },
    /// A thread started.
    ThreadStarted { thread_id: Tid, process_id: Pid },
    /// A thread exited.
    ThreadExited {
        thread_id: Tid,
        process_id: Pid,
        exit_code: u32,
    },
    /// A thread ended owning a mutex: the mutex is free and abandoned.
    MutexAbandoned { object: Address, thread_id: Tid },
    /// A call wrote through a `NULL` buffer: the unhandled access violation ends the process
    /// (its exit code is `STATUS_ACCESS_VIOLATION`).
    AccessViolation {
        thread_id: Tid,
        process_id: Pid,
        call: String,
    },
    /// A call blocked.
    CallParked {
        thread_id: Tid,
        call_seq: u64,
        call: String,
    },
    /// A blocked call finished.
    CallCompleted {
        thread_id: Tid,
        call_seq: u64,
        call: String,
        ret: Ret,
        last_error: Win32Error,
    },
    /// A blocked call was abandoned because its thread ended.
    CallAbandoned {
        thread_id: Tid,
        call_seq: u64,
        call: String,
    },
    /// A name entered the namespace.
    NameAdded { name: String, object: Address },
    /// A name left the namespace.
    NameRemoved { name: String },
    /// A process's environment changed.
    EnvironmentChanged {
        process_id: Pid,
        name: String,
        value: Option<String>,
    },
    /// Bytes moved through a pipe end or mailslot queue (`object`: the queue's end; `from`:
    /// for a pipe write, the end the bytes were written to).
    Data {
        object: Address,
        flow: Flow,
        bytes: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<Address>,
    },
    /// A pipe end changed state.
    PipeStateChanged {
        object: Address,
        state: crate::object::PipeState,
    },
    /// The virtual clock moved.
    TimeAdvanced { from_ms: u64, to_ms: u64 },
}
