//! What a call gives back: a Win32-shaped [`CallResult`] (return value, last error, outputs),
//! wrapped in a [`CallOutcome`] that says whether the call finished, parked or never returns.

use crate::call::Data;
use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::ids::{Pid, Tid};
use crate::object::ProcessEntry;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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

            /// Sets a number or handle output from its 32-bit value.
            ///
            /// # Panics
            ///
            /// On an output of another kind (data, text, strings, an entry): the kernel
            /// sets only numbers and handles this way.
            pub(crate) fn set_number(&mut self, field: OutputField, value: u32) {
                match field {
                    $(OutputField::$variant => outputs!(@set $kind self.$field, value, field),)*
                }
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
    (@set handle $f:expr, $v:ident, $n:ident) => { $f = Some(HandleValue($v)) };
    (@set target_handle $f:expr, $v:ident, $n:ident) => { $f = Some(HandleValue($v)) };
    (@set number $f:expr, $v:ident, $n:ident) => { $f = Some($v) };
    (@set $other:ident $f:expr, $v:ident, $n:ident) => { unreachable!("`{}` is not a number", $n) };
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
/// Most calls produce no out-parameters, and most of the others one number or handle
/// (`DuplicateHandle`'s target handle, the bytes a write wrote): those are kept inline, so a
/// result is small, cheap to move and never allocates for them; richer outputs are boxed.
/// [`CallResult::outputs`] reads them either way, [`CallResult::output`] one of them without
/// building the whole set.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    #[cfg_attr(feature = "schema", schemars(with = "Option<Outputs>"))]
    pub(crate) outputs: Outs,
}

/// How a result holds its out-parameters: none, one number or handle inline, or on the heap
/// (a read's bytes with their count, or any other set). Two results are equal when their
/// outputs read the same, whichever way they are held.
#[derive(Clone, Debug, Default)]
pub(crate) enum Outs {
    /// No out-parameter.
    #[default]
    None,
    /// One number or handle output (with `DuplicateHandle`'s target process when the output
    /// is its target handle).
    One(OutputField, u32, Option<Pid>),
    /// On the heap: one pointer, so a result stays 40 bytes and has one kind of owned output
    /// to drop.
    Heap(Box<Heap>),
}

/// Outputs kept on the heap (32 bytes: a read's bytes take one small allocation beside them).
#[derive(Clone, Debug)]
pub(crate) enum Heap {
    /// A read's bytes and, as `bytes_read`, their count: the 312-byte set is not filled (nor
    /// dropped field by field) for the commonest output there is.
    Read(Data),
    /// Any other set, in a box of its own.
    Set(Box<Outputs>),
}

impl Outs {
    /// A read's bytes (their count is `bytes_read`).
    pub(crate) fn read(data: Data) -> Outs {
        Outs::Heap(Box::new(Heap::Read(data)))
    }

    /// The set, built when held inline.
    pub(crate) fn get(&self) -> Cow<'_, Outputs> {
        match self {
            Outs::None => Cow::Borrowed(&Outputs::NONE),
            Outs::One(field, value, target_process) => {
                let mut o = Outputs::NONE;
                o.set_number(*field, *value);
                o.target_process = *target_process;
                Cow::Owned(o)
            }
            Outs::Heap(h) => match &**h {
                Heap::Read(data) => Cow::Owned(read_outputs(data.clone())),
                Heap::Set(o) => Cow::Borrowed(o),
            },
        }
    }

    /// The set, taken out.
    fn into_outputs(self) -> Outputs {
        match self {
            Outs::Heap(h) => match *h {
                Heap::Read(data) => read_outputs(data),
                Heap::Set(o) => *o,
            },
            other => other.get().into_owned(),
        }
    }

    /// The whole set, boxed (what was held inline moved into it), to change in place.
    pub(crate) fn boxed(&mut self) -> &mut Outputs {
        if !matches!(self, Outs::Heap(h) if matches!(**h, Heap::Set(_))) {
            *self = Outs::Heap(Box::new(Heap::Set(Box::new(std::mem::take(self).into_outputs()))));
        }
        match self {
            Outs::Heap(h) => match &mut **h {
                Heap::Set(o) => o,
                Heap::Read(_) => unreachable!("just boxed"),
            },
            _ => unreachable!("just boxed"),
        }
    }

    /// Sets one number or handle output: inline when it is the only one.
    pub(crate) fn set(&mut self, field: OutputField, value: u32) {
        match self {
            Outs::None => *self = Outs::One(field, value, None),
            _ => self.boxed().set_number(field, value),
        }
    }

    /// One output, read where it is held.
    fn output(&self, field: OutputField) -> Option<OutputValue<'_>> {
        match self {
            Outs::None => None,
            // Only a target handle is held with a process (`Outs::One`'s doc), so one owner
            // rule serves every handle output.
            &Outs::One(f, value, target_process) => (f == field).then(|| match field {
                f if f.is_handle() => OutputValue::Handle(
                    HandleValue(value),
                    target_process.map_or(HandleOwner::Caller, HandleOwner::Process),
                ),
                _ => OutputValue::Number(value),
            }),
            Outs::Heap(h) => match &**h {
                Heap::Read(data) => match field {
                    OutputField::Data => Some(OutputValue::Data(data)),
                    OutputField::BytesRead => Some(OutputValue::Number(data.0.len() as u32)),
                    _ => None,
                },
                Heap::Set(o) => o.get(field),
            },
        }
    }

    /// The same set, held the smallest way.
    fn from_outputs(o: Outputs) -> Outs {
        let one = {
            let mut present = o.iter().map(|(field, value)| (field, value.as_u32()));
            match (present.next(), present.next()) {
                (None, _) => return Outs::None,
                (Some((field, Some(value))), None) => Some((field, value)),
                _ => None,
            }
        };
        match one {
            Some((field, value)) => Outs::One(field, value, o.target_process),
            None if o.is_read() => Outs::read(o.data.expect("a read has its bytes")),
            None => Outs::Heap(Box::new(Heap::Set(Box::new(o)))),
        }
    }
}

/// The set a read's bytes stand for: the bytes and their count.
fn read_outputs(data: Data) -> Outputs {
    Outputs {
        bytes_read: Some(data.0.len() as u32),
        data: Some(data),
        ..Outputs::NONE
    }
}

impl Outputs {
    /// Exactly a read's bytes and their count, nothing else (held as [`Heap::Read`]).
    fn is_read(&self) -> bool {
        let n = self.data.as_ref().map(|d| d.0.len() as u32);
        n.is_some() && self.bytes_read == n && self.target_process.is_none() && self.iter().count() == 2
    }
}

impl PartialEq for Outs {
    fn eq(&self, other: &Outs) -> bool {
        *self.get() == *other.get()
    }
}

impl Eq for Outs {}

impl PartialEq for CallResult {
    fn eq(&self, other: &CallResult) -> bool {
        (self.ret, self.last_error, self.error_set) == (other.ret, other.last_error, other.error_set)
            && self.outputs == other.outputs
    }
}

impl Eq for CallResult {}

impl CallResult {
    /// The return value.
    pub fn ret(&self) -> Ret {
        self.ret
    }

    /// `GetLastError()` right after the call.
    pub fn last_error(&self) -> Win32Error {
        self.last_error
    }

    /// A result, its outputs held the smallest way.
    pub fn new(ret: Ret, last_error: Win32Error, error_set: bool, outputs: Outputs) -> CallResult {
        CallResult {
            ret,
            last_error,
            error_set,
            outputs: Outs::from_outputs(outputs),
        }
    }

    /// The out-parameters (all `None` when the call filled none). Borrowed when they are
    /// boxed or absent, built when the result holds one inline; [`CallResult::output`] reads
    /// one without building the set.
    pub fn outputs(&self) -> Cow<'_, Outputs> {
        self.outputs.get()
    }

    /// One out-parameter, typed, if the call produced it.
    pub fn output(&self, field: OutputField) -> Option<OutputValue<'_>> {
        self.outputs.output(field)
    }

    /// Every out-parameter the call produced, in [`OutputField::ALL`] order, read where it is
    /// held (nothing is built or copied, unlike [`CallResult::outputs`] for a read's bytes).
    pub fn each_output(&self) -> impl Iterator<Item = (OutputField, OutputValue<'_>)> + '_ {
        OutputField::ALL
            .iter()
            .filter_map(move |&f| self.outputs.output(f).map(|v| (f, v)))
    }
}

fn outputs_ser<S: serde::Serializer>(o: &Outs, s: S) -> Result<S::Ok, S::Error> {
    o.get().serialize(s)
}

fn outputs_de<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Outs, D::Error> {
    Ok(Outs::from_outputs(Outputs::deserialize(d)?))
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

    /// Held as the whole set on the heap.
    fn is_set(o: &Outs) -> bool {
        matches!(o, Outs::Heap(h) if matches!(**h, Heap::Set(_)))
    }

    #[test]
    fn a_return_value_reads_as_its_own_type_only() {
        let h = HandleValue(8);
        let all = [
            Ret::Bool(false),
            Ret::Bool(true),
            Ret::Handle(h),
            Ret::Dword(258),
            Ret::Void,
        ];
        let read: Vec<_> = all
            .iter()
            .map(|r| (r.as_bool(), r.as_handle(), r.as_dword(), r.as_u32()))
            .collect();
        assert_eq!(
            read,
            [
                (Some(false), None, None, Some(0)),
                (Some(true), None, None, Some(1)),
                (None, Some(h), None, Some(8)),
                (None, None, Some(258), Some(258)),
                (None, None, None, None),
            ]
        );
        let shown: Vec<String> = all.iter().map(Ret::to_string).collect();
        assert_eq!(shown, ["FALSE", "TRUE", "8", "258", "(void)"]);
        assert_eq!(Ret::Handle(HandleValue::NULL).to_string(), "NULL");
        assert_eq!(Ret::Handle(HandleValue::INVALID).to_string(), "INVALID_HANDLE_VALUE");
    }

    /// A result holding `outputs` the way the kernel would: one number or handle inline,
    /// anything else boxed.
    fn result(outputs: Outputs) -> CallResult {
        CallResult::new(Ret::Bool(true), Win32Error::Success, false, outputs)
    }

    #[test]
    fn one_number_or_handle_is_held_inline_and_reads_like_the_boxed_set() {
        let dup = Outputs {
            target_handle: Some(HandleValue(0x44)),
            target_process: Some(Pid(8)),
            ..Outputs::NONE
        };
        let r = result(dup.clone());
        assert!(matches!(
            r.outputs,
            Outs::One(OutputField::TargetHandle, 0x44, Some(Pid(8)))
        ));
        assert_eq!(*r.outputs(), dup);
        assert_eq!(
            r.output(OutputField::TargetHandle),
            Some(OutputValue::Handle(HandleValue(0x44), HandleOwner::Process(Pid(8))))
        );
        assert_eq!(r.output(OutputField::BytesRead), None);
        let written = result(Outputs {
            bytes_written: Some(7),
            ..Outputs::NONE
        });
        assert_eq!(written.output(OutputField::BytesWritten), Some(OutputValue::Number(7)));
        let pipe = result(Outputs {
            read_handle: Some(HandleValue(4)),
            ..Outputs::NONE
        });
        assert_eq!(
            pipe.output(OutputField::ReadHandle),
            Some(OutputValue::Handle(HandleValue(4), HandleOwner::Caller))
        );
        // Two outputs, or one that is not a number, are boxed.
        let two = Outputs {
            bytes_read: Some(2),
            exit_code: Some(5),
            ..Outputs::NONE
        };
        assert!(is_set(&result(two.clone()).outputs));
        assert!(matches!(result(Outputs::NONE).outputs, Outs::None));
        assert_eq!(*result(two.clone()).outputs(), two);
    }

    #[test]
    fn a_reads_bytes_and_count_are_held_without_the_set_and_read_like_it() {
        let read = Outputs {
            bytes_read: Some(2),
            data: Some(Data(b"hi".to_vec())),
            ..Outputs::NONE
        };
        let r = result(read.clone());
        assert!(matches!(&r.outputs, Outs::Heap(h) if matches!(&**h, Heap::Read(d) if d.0 == b"hi")));
        assert_eq!(*r.outputs(), read);
        assert_eq!(r.output(OutputField::BytesRead), Some(OutputValue::Number(2)));
        assert_eq!(
            r.output(OutputField::Data),
            Some(OutputValue::Data(&Data(b"hi".to_vec())))
        );
        assert_eq!(r.output(OutputField::BytesWritten), None);
        // Read in the order of `OutputField::ALL`, as the boxed set reads.
        let order: Vec<OutputField> = r.each_output().map(|(f, _)| f).collect();
        assert_eq!(order, read.iter().map(|(f, _)| f).collect::<Vec<_>>());
        assert_eq!(order.len(), 2);
        // Anything beside them, or a count that is not theirs, is boxed.
        for other in [
            Outputs {
                total_bytes_avail: Some(9),
                ..read.clone()
            },
            Outputs {
                bytes_read: Some(3),
                ..read.clone()
            },
            Outputs {
                bytes_read: None,
                ..read.clone()
            },
        ] {
            assert!(is_set(&result(other.clone()).outputs), "{other:?}");
            assert_eq!(*result(other.clone()).outputs(), other);
        }
        // Another output set later moves the bytes into the box.
        let mut outs = r.outputs.clone();
        outs.set(OutputField::TotalBytesAvail, 9);
        assert_eq!(
            (
                outs.get().data.clone(),
                outs.get().bytes_read,
                outs.get().total_bytes_avail
            ),
            (Some(Data(b"hi".to_vec())), Some(2), Some(9))
        );
        // Equal to the same set boxed; serialized alike.
        let mut boxed_r = r.clone();
        boxed_r.outputs = Outs::Heap(Box::new(Heap::Set(Box::new(read.clone()))));
        assert_eq!(r, boxed_r);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::to_value(&boxed_r).unwrap()
        );
        let back: CallResult = serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
        assert!(matches!(&back.outputs, Outs::Heap(h) if matches!(**h, Heap::Read(_))));
    }

    #[test]
    fn results_are_equal_when_their_outputs_read_the_same_however_held() {
        let inline = result(Outputs {
            exit_code: Some(3),
            ..Outputs::NONE
        });
        let mut boxed = inline.clone();
        boxed.outputs = Outs::Heap(Box::new(Heap::Set(Box::new(inline.outputs().into_owned()))));
        assert_eq!(inline, boxed);
        boxed.outputs.boxed().exit_code = Some(4);
        assert_ne!(inline, boxed);
        // A second output joins the first in the box.
        let mut two = Outs::None;
        two.set(OutputField::BytesRead, 1);
        assert!(matches!(two, Outs::One(..)));
        two.set(OutputField::TotalBytesAvail, 9);
        assert_eq!((two.get().bytes_read, two.get().total_bytes_avail), (Some(1), Some(9)));
    }

    #[test]
    fn outputs_serialize_as_one_object_however_held() {
        let r = result(Outputs {
            target_handle: Some(HandleValue(0x48)),
            target_process: Some(Pid(12)),
            ..Outputs::NONE
        });
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["outputs"], serde_json::json!({ "target_handle": 72 }));
        let back: CallResult = serde_json::from_value(json).unwrap();
        // The target process is not serialized (not an out-parameter of its own).
        assert_eq!(back.outputs().target_handle, Some(HandleValue(0x48)));
        assert_eq!(back.outputs().target_process, None);
        let none = serde_json::to_value(result(Outputs::NONE)).unwrap();
        assert_eq!(none["outputs"], serde_json::json!({}));
        let back: CallResult = serde_json::from_value(none).unwrap();
        assert!(matches!(back.outputs, Outs::None));
    }

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
