//! What a call gives back: a Win32-shaped [`CallResult`] (return value, last error, outputs),
//! wrapped in a [`CallOutcome`] that says whether the call finished, parked or never returns.

use crate::call::Data;
use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::object::ProcessEntry;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Win32 return value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Ret {
    /// `BOOL`.
    Bool(bool),
    /// `HANDLE` (`NULL` is 0, `INVALID_HANDLE_VALUE` is -1).
    Handle(HandleValue),
    /// `DWORD` (wait results, lengths, ids, counts).
    Dword(u32),
    /// `void` functions.
    Void,
}

impl Ret {
    /// The value as a 32-bit number (`TRUE` is 1), `None` for `void`.
    pub fn as_u32(self) -> Option<u32> {
        match self {
            Ret::Bool(b) => Some(u32::from(b)),
            Ret::Handle(h) => Some(h.0),
            Ret::Dword(d) => Some(d),
            Ret::Void => None,
        }
    }
}

impl fmt::Display for Ret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ret::Bool(true) => write!(f, "TRUE"),
            Ret::Bool(false) => write!(f, "FALSE"),
            Ret::Handle(h) if h.0 == 0 => write!(f, "NULL"),
            Ret::Handle(h) if *h == HandleValue::INVALID => write!(f, "INVALID_HANDLE_VALUE"),
            Ret::Handle(h) => write!(f, "{h}"),
            Ret::Dword(d) => write!(f, "{d}"),
            Ret::Void => write!(f, "(void)"),
        }
    }
}

/// The out-parameters of a call. Only the ones the call fills are present.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Outputs {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_handle: Option<HandleValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_handle: Option<HandleValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_handle: Option<HandleValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_handle: Option<HandleValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_handle: Option<HandleValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_id: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<u32>,
    /// `GetHandleInformation`'s flags.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<u32>,
    /// Bytes read (`ReadFile`, `PeekNamedPipe`, `TransactNamedPipe`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Data>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_read: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_written: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_bytes_avail: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_left_this_message: Option<u32>,
    /// A string result (environment value, command line, expanded text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The environment block (`GetEnvironmentStrings`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Vec<String>>,
    /// `Process32First` / `Process32Next`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<ProcessEntry>,
    /// Pipe handle state (`PIPE_READMODE_MESSAGE` | `PIPE_NOWAIT` bits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cur_instances: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_instances: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_buffer_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_buffer_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_message_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_timeout: Option<u32>,
}

impl Outputs {
    /// No outputs at all.
    pub const NONE: Outputs = Outputs {
        target_handle: None,
        read_handle: None,
        write_handle: None,
        process_handle: None,
        thread_handle: None,
        process_id: None,
        thread_id: None,
        flags: None,
        exit_code: None,
        data: None,
        bytes_read: None,
        bytes_written: None,
        total_bytes_avail: None,
        bytes_left_this_message: None,
        text: None,
        environment: None,
        entry: None,
        state: None,
        cur_instances: None,
        max_instances: None,
        in_buffer_size: None,
        out_buffer_size: None,
        max_message_size: None,
        next_size: None,
        message_count: None,
        read_timeout: None,
    };

    /// The JSON names of every output, in declaration order (scenario `bind` keys).
    pub const FIELDS: &'static [&'static str] = &[
        "target_handle",
        "read_handle",
        "write_handle",
        "process_handle",
        "thread_handle",
        "process_id",
        "thread_id",
        "flags",
        "exit_code",
        "data",
        "bytes_read",
        "bytes_written",
        "total_bytes_avail",
        "bytes_left_this_message",
        "text",
        "environment",
        "entry",
        "state",
        "cur_instances",
        "max_instances",
        "in_buffer_size",
        "out_buffer_size",
        "max_message_size",
        "next_size",
        "message_count",
        "read_timeout",
    ];
}

/// A finished call: return value, the thread's last error after the call, and outputs.
///
/// Most calls produce no out-parameters, so they are boxed and present only when a call has
/// some: results stay small and cheap to move. [`CallResult::outputs`] reads them either way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallResult {
    /// The return value.
    pub ret: Ret,
    /// `GetLastError()` right after the call (unchanged when the call leaves it alone).
    pub last_error: Win32Error,
    /// True when the call itself set the last error (false: it left the old value).
    pub error_set: bool,
    /// Out-parameters (serialized as an object, `{}` when there are none).
    #[serde(default, serialize_with = "outputs_ser", deserialize_with = "outputs_de")]
    pub(crate) outputs: Option<Box<Outputs>>,
}

impl CallResult {
    /// A result; `outputs` is boxed only when it holds something.
    pub fn new(ret: Ret, last_error: Win32Error, error_set: bool, outputs: Outputs) -> CallResult {
        let outputs = (outputs != Outputs::NONE).then(|| Box::new(outputs));
        CallResult {
            ret,
            last_error,
            error_set,
            outputs,
        }
    }

    /// The out-parameters (all `None` when the call filled none).
    pub fn outputs(&self) -> &Outputs {
        self.outputs.as_deref().unwrap_or(&Outputs::NONE)
    }
}

fn outputs_ser<S: serde::Serializer>(o: &Option<Box<Outputs>>, s: S) -> Result<S::Ok, S::Error> {
    o.as_deref().unwrap_or(&Outputs::NONE).serialize(s)
}

fn outputs_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Box<Outputs>>, D::Error> {
    let o = Outputs::deserialize(d)?;
    Ok((o != Outputs::NONE).then(|| Box::new(o)))
}

/// What [`crate::Kernel::call`] reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome")]
pub enum CallOutcome {
    /// The call returned.
    Done(CallResult),
    /// The call blocked: the thread is parked until another call or the clock completes it.
    Pending {
        /// The call's sequence number; its [`Completion`] carries the same one.
        call_seq: u64,
    },
    /// `ExitProcess`, `ExitThread` or `TerminateProcess` on the caller: never returns.
    NoReturn,
}

impl CallOutcome {
    /// The result, if the call finished.
    pub fn result(&self) -> Option<&CallResult> {
        match self {
            CallOutcome::Done(r) => Some(r),
            _ => None,
        }
    }
}

/// A parked call that finished later.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// The thread that made the call.
    pub thread_id: u32,
    /// Its process.
    pub process_id: u32,
    /// The call's sequence number.
    pub call_seq: u64,
    /// The Win32 name of the call.
    pub call: String,
    /// What it returned.
    pub result: CallResult,
}

/// Why the kernel refused to run a call at all (the call never reached Win32 semantics).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallError {
    /// No thread has this id.
    NoSuchThread(u32),
    /// The thread has exited.
    ThreadExited(u32),
    /// The thread is parked in an earlier call.
    ThreadParked {
        /// The thread.
        thread_id: u32,
        /// The call it is parked in.
        call: String,
        /// That call's sequence number.
        call_seq: u64,
    },
    /// The thread is suspended.
    ThreadSuspended(u32),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NoSuchThread(t) => write!(f, "no thread has id {t}"),
            CallError::ThreadExited(t) => write!(f, "thread {t} has exited"),
            CallError::ThreadParked {
                thread_id,
                call,
                call_seq,
            } => {
                write!(
                    f,
                    "thread {thread_id} is parked in {call} (call #{call_seq}) and cannot make another call"
                )
            }
            CallError::ThreadSuspended(t) => write!(f, "thread {t} is suspended"),
        }
    }
}

impl std::error::Error for CallError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_field_names_match_serde() {
        let full = Outputs {
            target_handle: Some(HandleValue(4)),
            read_handle: Some(HandleValue(4)),
            write_handle: Some(HandleValue(4)),
            process_handle: Some(HandleValue(4)),
            thread_handle: Some(HandleValue(4)),
            process_id: Some(0),
            thread_id: Some(0),
            flags: Some(0),
            exit_code: Some(0),
            data: Some(Data::default()),
            bytes_read: Some(0),
            bytes_written: Some(0),
            total_bytes_avail: Some(0),
            bytes_left_this_message: Some(0),
            text: Some(String::new()),
            environment: Some(vec![]),
            entry: Some(ProcessEntry {
                process_id: 0,
                parent_process_id: 0,
                threads: 0,
                priority_base: 0,
                exe_file: String::new(),
            }),
            state: Some(0),
            cur_instances: Some(0),
            max_instances: Some(0),
            in_buffer_size: Some(0),
            out_buffer_size: Some(0),
            max_message_size: Some(0),
            next_size: Some(0),
            message_count: Some(0),
            read_timeout: Some(0),
        };
        let json = serde_json::to_value(full).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = Outputs::FIELDS.to_vec();
        expected.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, expected);
    }
}
