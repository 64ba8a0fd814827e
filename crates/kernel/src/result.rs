//! What a call gives back: a Win32-shaped [`CallResult`] (return value, last error, outputs),
//! wrapped in a [`CallOutcome`] that says whether the call finished, parked or never returns.

use crate::call::Data;
use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::ids::{Pid, Tid};
use crate::object::ProcessEntry;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A Win32 return value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// `Some(b)` for a `BOOL`.
    pub fn as_bool(self) -> Option<bool> {
        match self {
            Ret::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// `Some(h)` for a `HANDLE` (`NULL` and `INVALID_HANDLE_VALUE` included).
    pub fn as_handle(self) -> Option<HandleValue> {
        match self {
            Ret::Handle(h) => Some(h),
            _ => None,
        }
    }

    /// `Some(d)` for a `DWORD`.
    pub fn as_dword(self) -> Option<u32> {
        match self {
            Ret::Dword(d) => Some(d),
            _ => None,
        }
    }

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

/// The output table: one entry per out-parameter, generating [`Outputs`], [`OutputField`],
/// `Outputs::NONE`, `Outputs::FIELDS` and [`Outputs::get`]. Adding an output is one entry.
///
/// Entry: `Variant field: kind Type`, where `kind` says what [`Outputs::get`] gives:
/// `handle` (valid in the caller's table), `target_handle` (valid in the table of
/// [`Outputs::target_process`]), `number`, `data`, `text`, `strings` or `entry`.
macro_rules! outputs {
    ($( $(#[$m:meta])* $variant:ident $field:ident : $kind:ident $ty:ty, )*) => {
        /// The out-parameters of a call. Only the ones the call fills are present.
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(deny_unknown_fields)]
        pub struct Outputs {
            $(
                $(#[$m])*
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// The process whose table a `target_handle` is valid in (`DuplicateHandle`'s
            /// target process); not an out-parameter of its own, so not serialized.
            #[serde(skip)]
            pub target_process: Option<Pid>,
        }

        /// One out-parameter, by name.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum OutputField {
            $(
                #[doc = concat!("`", stringify!($field), "`.")]
                $variant,
            )*
        }

        impl OutputField {
            /// Every output, in table order.
            pub const ALL: &'static [OutputField] = &[$(OutputField::$variant),*];

            /// The JSON name (`"target_handle"`).
            pub const fn as_str(self) -> &'static str {
                match self { $(OutputField::$variant => stringify!($field),)* }
            }

            /// The output with this JSON name.
            pub fn from_name(name: &str) -> Option<OutputField> {
                match name { $(stringify!($field) => Some(OutputField::$variant),)* _ => None }
            }

            /// True for outputs that are handle values (valid in some process's table).
            pub const fn is_handle(self) -> bool {
                match self { $(OutputField::$variant => outputs!(@is_handle $kind),)* }
            }
        }

        impl Outputs {
            /// No outputs at all.
            pub const NONE: Outputs = Outputs { $($field: None,)* target_process: None };

            /// The JSON names of every output, in declaration order (scenario `bind` keys).
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// One output, typed, if the call produced it.
            pub fn get(&self, field: OutputField) -> Option<OutputValue<'_>> {
                match field {
                    $(OutputField::$variant => self.$field.as_ref().map(|v| outputs!(@wrap $kind v self)),)*
                }
            }

            /// Every output present (each its type's default value): for tests of the table.
            #[cfg(test)]
            pub(crate) fn all_present() -> Outputs {
                Outputs { $($field: Some(Default::default()),)* target_process: None }
            }

            /// Every output the call produced, in table order.
            pub fn iter(&self) -> impl Iterator<Item = (OutputField, OutputValue<'_>)> + '_ {
                OutputField::ALL.iter().filter_map(move |&f| self.get(f).map(|v| (f, v)))
            }
        }
    };
    (@is_handle handle) => { true };
    (@is_handle target_handle) => { true };
    (@is_handle $other:ident) => { false };
    (@wrap handle $v:ident $s:ident) => { OutputValue::Handle(*$v, HandleOwner::Caller) };
    (@wrap target_handle $v:ident $s:ident) => {
        OutputValue::Handle(*$v, $s.target_process.map_or(HandleOwner::Caller, HandleOwner::Process))
    };
    (@wrap number $v:ident $s:ident) => { OutputValue::Number(*$v) };
    (@wrap data $v:ident $s:ident) => { OutputValue::Data($v) };
    (@wrap text $v:ident $s:ident) => { OutputValue::Text($v) };
    (@wrap strings $v:ident $s:ident) => { OutputValue::Strings($v) };
    (@wrap entry $v:ident $s:ident) => { OutputValue::Entry($v) };
}

outputs! {
    /// `DuplicateHandle`'s `*lpTargetHandle`, valid in the target process.
    TargetHandle target_handle: target_handle HandleValue,
    /// `CreatePipe`'s `*hReadPipe`.
    ReadHandle read_handle: handle HandleValue,
    /// `CreatePipe`'s `*hWritePipe`.
    WriteHandle write_handle: handle HandleValue,
    /// `PROCESS_INFORMATION.hProcess`.
    ProcessHandle process_handle: handle HandleValue,
    /// `PROCESS_INFORMATION.hThread`.
    ThreadHandle thread_handle: handle HandleValue,
    /// `PROCESS_INFORMATION.dwProcessId` (also `CreateThread`'s owner).
    ProcessId process_id: number u32,
    /// `PROCESS_INFORMATION.dwThreadId`, `CreateThread`'s `*lpThreadId`.
    ThreadId thread_id: number u32,
    /// `GetHandleInformation`'s flags.
    Flags flags: number u32,
    /// `GetExitCodeProcess` / `GetExitCodeThread`.
    ExitCode exit_code: number u32,
    /// Bytes read (`ReadFile`, `PeekNamedPipe`, `TransactNamedPipe`).
    Data data: data Data,
    /// `*lpNumberOfBytesRead`.
    BytesRead bytes_read: number u32,
    /// `*lpNumberOfBytesWritten`.
    BytesWritten bytes_written: number u32,
    /// `PeekNamedPipe`'s `*lpTotalBytesAvail`.
    TotalBytesAvail total_bytes_avail: number u32,
    /// `PeekNamedPipe`'s `*lpBytesLeftThisMessage`.
    BytesLeftThisMessage bytes_left_this_message: number u32,
    /// A string result (environment value, command line, expanded text).
    Text text: text String,
    /// The environment block (`GetEnvironmentStrings`).
    Environment environment: strings Vec<String>,
    /// `Process32First` / `Process32Next`.
    Entry entry: entry ProcessEntry,
    /// Pipe handle state (`PIPE_READMODE_MESSAGE` | `PIPE_NOWAIT` bits).
    State state: number u32,
    /// `GetNamedPipeHandleState`'s `*lpCurInstances`.
    CurInstances cur_instances: number u32,
    /// `GetNamedPipeInfo`'s `*lpMaxInstances`.
    MaxInstances max_instances: number u32,
    /// `GetNamedPipeInfo`'s `*lpInBufferSize`.
    InBufferSize in_buffer_size: number u32,
    /// `GetNamedPipeInfo`'s `*lpOutBufferSize`.
    OutBufferSize out_buffer_size: number u32,
    /// `GetMailslotInfo`'s `*lpMaxMessageSize`.
    MaxMessageSize max_message_size: number u32,
    /// `GetMailslotInfo`'s `*lpNextSize`.
    NextSize next_size: number u32,
    /// `GetMailslotInfo`'s `*lpMessageCount`.
    MessageCount message_count: number u32,
    /// `InitializeProcThreadAttributeList`'s `*lpSize`: the bytes the list needs.
    Size size: number u32,
    /// `ReleaseSemaphore`'s `*lpPreviousCount`.
    PreviousCount previous_count: number u32,
    /// `GetMailslotInfo`'s `*lpReadTimeout`.
    ReadTimeout read_timeout: number u32,
}

impl std::fmt::Display for OutputField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose handle table an output handle value is valid in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HandleOwner {
    /// The calling process's.
    Caller,
    /// This process's (`DuplicateHandle`'s target), by pid.
    Process(Pid),
}

impl HandleOwner {
    /// The pid, given the caller's.
    pub fn pid(self, caller: Pid) -> Pid {
        match self {
            HandleOwner::Caller => caller,
            HandleOwner::Process(pid) => pid,
        }
    }
}

/// One output, typed: what [`Outputs::get`] gives.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OutputValue<'a> {
    /// A handle value and the table it is valid in.
    Handle(HandleValue, HandleOwner),
    /// A number (a count, an id, a flag word, a size).
    Number(u32),
    /// Bytes.
    Data(&'a Data),
    /// A string.
    Text(&'a str),
    /// A list of strings (an environment block).
    Strings(&'a [String]),
    /// A process entry.
    Entry(&'a ProcessEntry),
}

impl OutputValue<'_> {
    /// The value as a number, for handles and numbers.
    pub fn as_u32(&self) -> Option<u32> {
        match self {
            OutputValue::Handle(h, _) => Some(h.0),
            OutputValue::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// A finished call: return value, the thread's last error after the call, and outputs.
///
/// Most calls produce no out-parameters, so they are boxed and present only when a call has
/// some: results stay small and cheap to move. [`CallResult::outputs`] reads them either way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
    /// The return value.
    pub fn ret(&self) -> Ret {
        self.ret
    }

    /// `GetLastError()` right after the call.
    pub fn last_error(&self) -> Win32Error {
        self.last_error
    }

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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Completion {
    /// The thread that made the call.
    pub thread_id: Tid,
    /// Its process.
    pub process_id: Pid,
    /// The call's sequence number.
    pub call_seq: u64,
    /// The Win32 name of the call.
    pub call: String,
    /// What it returned.
    pub result: CallResult,
}

/// Why the kernel refused to run a call at all (the call never reached Win32 semantics).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CallError {
    /// No thread has this id.
    NoSuchThread(Tid),
    /// The thread has exited.
    ThreadExited(Tid),
    /// The thread is parked in an earlier call.
    ThreadParked {
        /// The thread.
        thread_id: Tid,
        /// The call it is parked in.
        call: String,
        /// That call's sequence number.
        call_seq: u64,
    },
    /// The thread is suspended.
    ThreadSuspended(Tid),
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
        let full = Outputs::all_present();
        let json = serde_json::to_value(&full).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = Outputs::FIELDS.to_vec();
        expected.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, expected);
        for field in OutputField::ALL {
            assert_eq!(OutputField::from_name(field.as_str()), Some(*field));
            assert!(full.get(*field).is_some(), "{field:?}");
            assert_eq!(field.is_handle(), field.as_str().ends_with("_handle"));
        }
    }
}
