//! The single entry point's input: [`Call`], one variant per Win32 function, named as in Win32,
//! with parameters named after Win32's (without the Hungarian prefix: `hSourceHandle` is
//! `source_handle`). Serde-tagged as `{"call": "CloseHandle", "args": {"handle": 48}}`: the
//! same value is the library call, the JSON scenario step, the shell command and the property
//! tests' input.

use crate::handle::HandleValue;
use crate::kernel::{Cx, Kernel, Res, Step};
use crate::object::ObjectKind;
use crate::result::Ret;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// `SECURITY_ATTRIBUTES`: only `bInheritHandle` matters to the model. A `None` in a call is the
/// `NULL` pointer (not inheritable).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SecurityAttributes {
    /// `bInheritHandle`: TRUE makes the new handle's inherit flag Y.
    #[serde(default)]
    pub inherit_handle: bool,
}

/// True when the attributes ask for an inheritable handle.
pub(crate) fn inheritable(sa: &Option<SecurityAttributes>) -> bool {
    sa.is_some_and(|s| s.inherit_handle)
}

/// Bytes passed to `WriteFile` and friends. In JSON: a string (its UTF-8 bytes), an array of
/// byte values, or `{"fill": "x", "len": 100000}` for large buffers.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Data(pub Vec<u8>);

impl From<&str> for Data {
    /// The text's UTF-8 bytes.
    fn from(text: &str) -> Data {
        Data(text.as_bytes().to_vec())
    }
}

impl From<&[u8]> for Data {
    fn from(bytes: &[u8]) -> Data {
        Data(bytes.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Data {
    fn from(bytes: &[u8; N]) -> Data {
        Data(bytes.to_vec())
    }
}

impl From<Vec<u8>> for Data {
    fn from(bytes: Vec<u8>) -> Data {
        Data(bytes)
    }
}

impl From<String> for Data {
    fn from(text: String) -> Data {
        Data(text.into_bytes())
    }
}

impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.display())
    }
}

impl Data {
    /// The largest buffer a `{"fill", "len"}` may ask for (64 MiB): a few bytes of scenario
    /// must not ask for gigabytes.
    pub const MAX_LEN: usize = 64 << 20;

    /// A printable form: the text in quotes when it is printable UTF-8, else hex bytes;
    /// long data is summarised.
    pub fn display(&self) -> String {
        let bytes = &self.0;
        if bytes.len() > 64 {
            if bytes.iter().all(|&b| b == bytes[0]) {
                return format!("{} x {:?}", bytes.len(), char::from(bytes[0]));
            }
            return format!("{} bytes", bytes.len());
        }
        match std::str::from_utf8(bytes) {
            Ok(text) if text.chars().all(|c| !c.is_control() || c == '\n' || c == '\t') => {
                format!("{text:?}")
            }
            _ => {
                let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
                format!("[{}]", hex.join(" "))
            }
        }
    }
}

thread_local! {
    /// Data longer than this many bytes serializes as its summary ([`Data::summarized`]).
    static SUMMARIZE_OVER: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

impl Data {
    /// `len` bytes of `pattern` repeated (`{"fill": pattern, "len": len}`), within
    /// [`Data::MAX_LEN`].
    pub fn fill(pattern: &[u8], len: usize) -> Result<Data, String> {
        Data::check_fill(pattern, len)?;
        Ok(Data::repeat(pattern, len))
    }

    /// Whether `{"fill": pattern, "len": len}` describes a buffer: a pattern to repeat, and
    /// a length within [`Data::MAX_LEN`].
    pub fn check_fill(pattern: &[u8], len: usize) -> Result<(), String> {
        if pattern.is_empty() && len > 0 {
            return Err("fill pattern is empty".into());
        }
        if len > Data::MAX_LEN {
            return Err(format!(
                "fill len {len} is above the limit of a buffer, {} bytes (64 MiB)",
                Data::MAX_LEN
            ));
        }
        Ok(())
    }

    /// `len` bytes of `pattern` repeated, with no limit (empty when `pattern` is).
    pub fn repeat(pattern: &[u8], len: usize) -> Data {
        if pattern.is_empty() || len == 0 {
            return Data(Vec::new());
        }
        let mut bytes = pattern.repeat(len / pattern.len());
        bytes.extend_from_slice(&pattern[..len % pattern.len()]);
        Data(bytes)
    }

    /// The 64-bit FNV-1a digest of the bytes: deterministic, and enough to tell two large
    /// buffers apart in a trace.
    pub fn fnv1a64(&self) -> u64 {
        self.0.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// Runs `f` (a serialization) with every `Data` longer than `limit` bytes written as
    /// `{"len": n, "fnv1a64": "0x..."}` instead of its bytes, so that a trace of large
    /// buffers never holds them a second time (as JSON text, or as an array of numbers).
    /// Only serializations inside `f`, on this thread, are affected.
    pub fn summarized<R>(limit: usize, f: impl FnOnce() -> R) -> R {
        struct Restore(usize);
        impl Drop for Restore {
            fn drop(&mut self) {
                SUMMARIZE_OVER.with(|c| c.set(self.0));
            }
        }
        let _restore = Restore(SUMMARIZE_OVER.with(|c| c.replace(limit)));
        f()
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.len() > SUMMARIZE_OVER.with(std::cell::Cell::get) {
            use serde::ser::SerializeMap;
            let mut map = serializer.serialize_map(Some(2))?;
            map.serialize_entry("len", &self.0.len())?;
            map.serialize_entry("fnv1a64", &format!("{:#018x}", self.fnv1a64()))?;
            return map.end();
        }
        match std::str::from_utf8(&self.0) {
            Ok(text) => serializer.serialize_str(text),
            Err(_) => self.0.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Bytes(Vec<u8>),
            Fill { fill: String, len: usize },
        }
        match Repr::deserialize(deserializer)? {
            Repr::Text(text) => Ok(Data(text.into_bytes())),
            Repr::Bytes(bytes) => Ok(Data(bytes)),
            Repr::Fill { fill, len } => Data::fill(fill.as_bytes(), len).map_err(serde::de::Error::custom),
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn current_process() -> HandleValue {
    HandleValue::CURRENT_PROCESS
}

fn infinite() -> u32 {
    crate::consts::INFINITE
}

fn entry_size() -> u32 {
    crate::consts::PROCESSENTRY32_SIZE
}

fn open_existing() -> u32 {
    crate::consts::OPEN_EXISTING
}

/// Arguments of `DuplicateHandle`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DuplicateHandleArgs {
    /// `hSourceProcessHandle` (default: the current process).
    #[serde(default = "current_process")]
    pub source_process_handle: HandleValue,
    /// `hSourceHandle`: the handle to copy, valid in the source process.
    pub source_handle: HandleValue,
    /// `hTargetProcessHandle` (default: the current process; `0` is `NULL`).
    #[serde(default = "current_process")]
    pub target_process_handle: HandleValue,
    /// `lpTargetHandle == NULL`: make the copy and lose it.
    #[serde(default)]
    pub null_target_handle: bool,
    /// `dwDesiredAccess` (ignored with `DUPLICATE_SAME_ACCESS`).
    #[serde(default)]
    pub desired_access: u32,
    /// `bInheritHandle`.
    #[serde(default)]
    pub inherit_handle: bool,
    /// `dwOptions`: `DUPLICATE_CLOSE_SOURCE` (1), `DUPLICATE_SAME_ACCESS` (2),
    /// `DUPLICATE_SAME_ATTRIBUTES` (4).
    #[serde(default)]
    pub options: u32,
}

impl Default for DuplicateHandleArgs {
    /// The defaults a scenario gets: both processes the current one, source `NULL`, no
    /// access, no options.
    fn default() -> Self {
        DuplicateHandleArgs {
            source_process_handle: current_process(),
            source_handle: HandleValue::NULL,
            target_process_handle: current_process(),
            null_target_handle: false,
            desired_access: 0,
            inherit_handle: false,
            options: 0,
        }
    }
}

/// Arguments of `CreateProcess` (with `STARTUPINFO`'s std handles and the
/// `PROC_THREAD_ATTRIBUTE_HANDLE_LIST` of `STARTUPINFOEX`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct CreateProcessArgs {
    /// `lpApplicationName`.
    pub application_name: Option<String>,
    /// `lpCommandLine`: the image is its first token when no application name is given.
    pub command_line: Option<String>,
    /// `lpProcessAttributes` (inherit flag of the new process handle in the parent).
    pub process_attributes: Option<SecurityAttributes>,
    /// `lpThreadAttributes` (inherit flag of the new thread handle in the parent).
    pub thread_attributes: Option<SecurityAttributes>,
    /// `bInheritHandles`.
    pub inherit_handles: bool,
    /// `dwCreationFlags` (`CREATE_SUSPENDED` is modelled).
    pub creation_flags: u32,
    /// `lpEnvironment`: `None` copies the parent's block; otherwise `NAME=VALUE` strings.
    pub environment: Option<Vec<String>>,
    /// `lpCurrentDirectory`.
    pub current_directory: Option<String>,
    /// `STARTUPINFO.hStdInput` with `STARTF_USESTDHANDLES`.
    pub std_input: Option<HandleValue>,
    /// `STARTUPINFO.hStdOutput`.
    pub std_output: Option<HandleValue>,
    /// `STARTUPINFO.hStdError`.
    pub std_error: Option<HandleValue>,
    /// `PROC_THREAD_ATTRIBUTE_HANDLE_LIST`: inherit only these handles (a shorthand for an
    /// attribute list made with `InitializeProcThreadAttributeList`/`UpdateProcThreadAttribute`).
    pub handle_list: Option<Vec<HandleValue>>,
    /// `STARTUPINFOEX.lpAttributeList`: the address of a list initialized in the caller (read
    /// only with `EXTENDED_STARTUPINFO_PRESENT` in `dwCreationFlags`).
    pub attribute_list: Option<u32>,
}

/// Arguments of `CreateNamedPipe`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateNamedPipeArgs {
    /// `lpName`: `\\.\pipe\NAME`.
    pub name: String,
    /// `dwOpenMode`: `PIPE_ACCESS_*` plus `FILE_FLAG_FIRST_PIPE_INSTANCE` and others.
    pub open_mode: u32,
    /// `dwPipeMode`: `PIPE_TYPE_*`, `PIPE_READMODE_*`, `PIPE_WAIT`/`PIPE_NOWAIT`.
    #[serde(default)]
    pub pipe_mode: u32,
    /// `nMaxInstances`: 1 ... 255 (`PIPE_UNLIMITED_INSTANCES`).
    #[serde(default = "one")]
    pub max_instances: u32,
    /// `nOutBufferSize`.
    #[serde(default = "default_buffer")]
    pub out_buffer_size: u32,
    /// `nInBufferSize`.
    #[serde(default = "default_buffer")]
    pub in_buffer_size: u32,
    /// `nDefaultTimeOut` in ms (0 means 50).
    #[serde(default)]
    pub default_timeout: u32,
    /// `lpSecurityAttributes`.
    #[serde(default)]
    pub security_attributes: Option<SecurityAttributes>,
}

impl Default for CreateNamedPipeArgs {
    /// The defaults a scenario gets: no name, no access, a byte pipe in byte read mode,
    /// blocking, one instance, 4096-byte quotas, the 50 ms default timeout.
    fn default() -> Self {
        CreateNamedPipeArgs {
            name: String::new(),
            open_mode: 0,
            pipe_mode: 0,
            max_instances: one(),
            out_buffer_size: default_buffer(),
            in_buffer_size: default_buffer(),
            default_timeout: 0,
            security_attributes: None,
        }
    }
}

fn one() -> u32 {
    1
}

fn default_buffer() -> u32 {
    crate::consts::DEFAULT_PIPE_BUFFER_SIZE
}

/// Arguments of `CreateFile`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateFileArgs {
    /// `lpFileName`: a path, `\\.\pipe\NAME` or `\\.\mailslot\NAME`.
    pub file_name: String,
    /// `dwDesiredAccess` (`GENERIC_READ`, `GENERIC_WRITE`, `FILE_READ_DATA`, `FILE_WRITE_DATA`,
    /// `FILE_WRITE_ATTRIBUTES`, `SYNCHRONIZE`).
    #[serde(default)]
    pub desired_access: u32,
    /// `dwShareMode` (`FILE_SHARE_READ`, `FILE_SHARE_WRITE`, `FILE_SHARE_DELETE`).
    #[serde(default)]
    pub share_mode: u32,
    /// `lpSecurityAttributes`.
    #[serde(default)]
    pub security_attributes: Option<SecurityAttributes>,
    /// `dwCreationDisposition` (default `OPEN_EXISTING`; `CREATE_NEW`, `CREATE_ALWAYS`,
    /// `OPEN_ALWAYS`, `TRUNCATE_EXISTING`).
    #[serde(default = "open_existing")]
    pub creation_disposition: u32,
    /// `dwFlagsAndAttributes` (`FILE_ATTRIBUTE_NORMAL`, `FILE_FLAG_OVERLAPPED`,
    /// `FILE_FLAG_WRITE_THROUGH`).
    #[serde(default)]
    pub flags_and_attributes: u32,
}

impl Default for CreateFileArgs {
    /// The defaults a scenario gets: no name, no access, no sharing, `OPEN_EXISTING`.
    fn default() -> Self {
        CreateFileArgs {
            file_name: String::new(),
            desired_access: 0,
            share_mode: 0,
            security_attributes: None,
            creation_disposition: open_existing(),
            flags_and_attributes: 0,
        }
    }
}

/// The call table: one entry per Win32 function, generating [`Call`], [`CallName`] (its names),
/// the per-call text arguments, the value each call returns on failure, and the argument-leaf
/// visitor that fills scenario templates. Adding a call is one entry here plus its semantics.
///
/// Entry: `Name { fields } => fails F, text ["arg", ...], outputs [Field, ...], run EXPR;` (or
/// `Name(Args)`, or `Name`; `outputs` only for calls with out-parameters), where
/// `F` is the failure return (`FALSE`, `NULL`, `INVALID`, `ZERO`, `MINUS_ONE`, `WAIT_FAILED`,
/// or `NEVER` for calls that cannot fail) and `text` lists the arguments whose JSON strings
/// are text (names, command lines, data) rather than numbers or constant names.
macro_rules! calls {
    (
        dispatch($k:ident, $cx:ident, $args:ident);
        $(
            $(#[$vmeta:meta])*
            $name:ident
            $({ $( $(#[$fmeta:meta])* $field:ident $(| $alias:literal)? : $fty:ty ),* $(,)? })?
            $(( $inner:ty ))?
            => fails $fail:ident, text [$($text:literal),*], $(outputs [$($out:ident),*],)? run $run:expr;
        )*
    ) => {
        /// One Win32 call. See the module docs for the JSON shape.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[serde(tag = "call", content = "args", deny_unknown_fields)]
        pub enum Call {
            $(
                $(#[$vmeta])*
                $name $({ $( $(#[$fmeta])* $(#[serde(alias = $alias)])? $field : $fty ),* })? $(($inner))?,
            )*
        }

        /// The name of a call, without its arguments (one variant per [`Call`] variant).
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub enum CallName {
            $(
                #[doc = concat!("`", stringify!($name), "`.")]
                $name,
            )*
        }

        impl CallName {
            /// Every call, in table order.
            pub const ALL: &'static [CallName] = &[$(CallName::$name),*];

            /// The Win32 name (`"CloseHandle"`).
            pub const fn as_str(self) -> &'static str {
                match self { $(CallName::$name => stringify!($name),)* }
            }

            /// The call with this exact name.
            pub fn from_name(name: &str) -> Option<CallName> {
                match name { $(stringify!($name) => Some(CallName::$name),)* _ => None }
            }

            /// Arguments whose JSON strings are text, not numbers or constant names: scenario
            /// loaders must not look those strings up as constants or bindings.
            pub const fn text_arguments(self) -> &'static [&'static str] {
                match self { $(CallName::$name => &[$($text),*],)* }
            }

            /// The call's argument names (JSON keys), in declaration order.
            pub fn arguments(self) -> &'static [&'static str] {
                match self {
                    $(CallName::$name => {
                        $(return &[$(stringify!($field)),*];)?
                        $(return <$inner as ArgStruct>::FIELDS;)?
                        #[allow(unreachable_code)]
                        &[]
                    })*
                }
            }

            /// The documented aliases of the call's arguments: (alias, argument).
            pub fn aliases(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(CallName::$name => &[$($($(($alias, stringify!($field)),)?)*)?],)*
                }
            }

            /// The argument a JSON key names, accepting the documented aliases (`object` for
            /// `CloseHandle`'s `handle`, after `hObject`).
            pub fn canonical_argument(self, key: &str) -> Option<&'static str> {
                match self {
                    $(CallName::$name => {
                        $($($(if key == $alias { return Some(stringify!($field)); })?)*)?
                    })*
                }
                self.arguments().iter().copied().find(|a| *a == key)
            }

            /// The out-parameters the call can fill, in output-table order (its return value
            /// aside). The kernel checks in debug builds that a result never has others.
            pub const fn outputs(self) -> &'static [crate::result::OutputField] {
                match self {
                    $(CallName::$name => &[$($(crate::result::OutputField::$out),*)?],)*
                }
            }

            /// What the call returns when it fails (`None`: it cannot fail).
            pub const fn failure_ret(self) -> Option<Ret> {
                match self { $(CallName::$name => $fail,)* }
            }
        }

        impl fmt::Display for CallName {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Call {
            /// Every call name, for "did you mean" messages and documentation.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($name)),*];

            /// Which call this is.
            pub const fn kind(&self) -> CallName {
                match self { $(Call::$name { .. } => CallName::$name,)* }
            }

            /// The Win32 name of this call.
            pub const fn name(&self) -> &'static str {
                self.kind().as_str()
            }
        }

        impl Kernel {
            /// Runs a call's semantics: one arm per table entry, each calling the call's
            /// semantic function in `kernel/*.rs`. (A parameter the model ignores, such as
            /// a process snapshot's `th32ProcessID`, is bound and left unused.)
            #[allow(unused_variables)]
            pub(crate) fn dispatch($k: &mut Kernel, $cx: Cx, call: &Call) -> Step {
                match call {
                    $(calls!(@pattern $name $args $({ $($field),* })? $(($inner))?) => Step::from($run),)*
                }
            }
        }

        impl Args for Call {
            #[allow(unused_variables)]
            fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
                match self {
                    $(
                        $(Call::$name { $($field),* } => {
                            $(
                                path.push(ArgSeg::Field(stringify!($field)));
                                $field.visit_leaves(path, f);
                                path.pop();
                            )*
                        })?
                        $(Call::$name(inner) => {
                            let _: &mut $inner = inner;
                            inner.visit_leaves(path, f)
                        })?
                    )*
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
            }
        }
    };
    (@pattern $name:ident $args:ident { $($field:ident),* }) => { Call::$name { $($field),* } };
    (@pattern $name:ident $args:ident ($inner:ty)) => { Call::$name($args) };
    (@pattern $name:ident $args:ident) => { Call::$name };
}

const FALSE: Option<Ret> = Some(Ret::Bool(false));
const NULL: Option<Ret> = Some(Ret::Handle(HandleValue::NULL));
const INVALID: Option<Ret> = Some(Ret::Handle(HandleValue::INVALID));
const ZERO: Option<Ret> = Some(Ret::Dword(0));
const MINUS_ONE: Option<Ret> = Some(Ret::Dword(u32::MAX));
const WAIT_FAILED: Option<Ret> = Some(Ret::Dword(crate::consts::WAIT_FAILED));
const NEVER: Option<Ret> = None;

calls! {
    dispatch(k, cx, args);

    // ----- handles -----
    /// `CloseHandle(hObject)`.
    CloseHandle {
        /// `hObject`.
        handle | "object": HandleValue,
    } => fails FALSE, text [], run k.close_handle(cx, *handle);
    /// `DuplicateHandle(...)`.
    DuplicateHandle(DuplicateHandleArgs) => fails FALSE, text [], outputs [TargetHandle], run k.duplicate_handle(cx, args);
    /// `GetHandleInformation(hObject, &flags)`.
    GetHandleInformation {
        /// `hObject`.
        handle | "object": HandleValue,
    } => fails FALSE, text [], outputs [Flags], run k.get_handle_information(cx, *handle);
    /// `SetHandleInformation(hObject, dwMask, dwFlags)`.
    SetHandleInformation {
        /// `hObject`.
        handle | "object": HandleValue,
        /// `dwMask`: which flags to change (`HANDLE_FLAG_INHERIT`, `HANDLE_FLAG_PROTECT_FROM_CLOSE`).
        mask: u32,
        /// `dwFlags`: their new values (`HANDLE_FLAG_INHERIT`, `HANDLE_FLAG_PROTECT_FROM_CLOSE`, 0).
        flags: u32,
    } => fails FALSE, text [], run k.set_handle_information(cx, *handle, *mask, *flags);
    /// `GetCurrentProcess()`: the pseudo handle -1.
    GetCurrentProcess => fails NEVER, text [], run k.get_current_process();
    /// `GetCurrentThread()`: the pseudo handle -2.
    GetCurrentThread => fails NEVER, text [], run k.get_current_thread();
    /// `GetCurrentProcessId()`.
    GetCurrentProcessId => fails NEVER, text [], run Res::ok(Ret::Dword(cx.pid.0));
    /// `GetCurrentThreadId()`.
    GetCurrentThreadId => fails NEVER, text [], run Res::ok(Ret::Dword(cx.tid.0));
    /// `GetProcessId(Process)`.
    GetProcessId {
        /// `Process`.
        process: HandleValue,
    } => fails ZERO, text [], run k.get_process_id(cx, *process);
    /// `GetThreadId(Thread)`: the thread's id (needs query access).
    GetThreadId {
        /// `Thread`.
        thread: HandleValue,
    } => fails ZERO, text [], run k.get_thread_id(cx, *thread, false);
    /// `GetProcessIdOfThread(Thread)`: the id of the thread's process (needs query access).
    GetProcessIdOfThread {
        /// `Thread`.
        thread: HandleValue,
    } => fails ZERO, text [], run k.get_thread_id(cx, *thread, true);
    /// `GetLastError()`.
    GetLastError => fails NEVER, text [], run k.get_last_error(cx);
    /// `SetLastError(dwErrCode)`.
    SetLastError {
        /// `dwErrCode` (by name or number).
        error: crate::error::Win32Error,
    } => fails NEVER, text [], run k.set_last_error(*error);

    // ----- processes and threads -----
    /// `CreateProcess(...)`.
    CreateProcess(Box<CreateProcessArgs>) => fails FALSE, text ["application_name", "command_line", "current_directory", "environment"], outputs [ProcessHandle, ThreadHandle, ProcessId, ThreadId], run k.create_process(cx, args);
    /// `CreateProcessA(...)`: the texts in the ANSI code page (unmappable characters become `?`).
    CreateProcessA(Box<CreateProcessArgs>) => fails FALSE, text ["application_name", "command_line", "current_directory", "environment"], outputs [ProcessHandle, ThreadHandle, ProcessId, ThreadId], run k.create_process_a(cx, args);
    /// `InitializeProcThreadAttributeList(lpAttributeList, dwAttributeCount, dwFlags, lpSize)`.
    InitializeProcThreadAttributeList {
        /// `lpAttributeList`: the buffer's address (0: NULL, to ask for the size).
        #[serde(default)]
        attribute_list: u32,
        /// `dwAttributeCount`.
        attribute_count: u32,
        /// `dwFlags` (must be 0).
        #[serde(default)]
        flags: u32,
        /// `*lpSize` on input: the buffer's size in bytes.
        #[serde(default)]
        size: u32,
    } => fails FALSE, text [], outputs [Size], run k.initialize_attribute_list(cx, *attribute_list, *attribute_count, *flags, *size);
    /// `UpdateProcThreadAttribute(lpAttributeList, dwFlags, Attribute, lpValue, cbSize, NULL, NULL)`.
    UpdateProcThreadAttribute {
        /// `lpAttributeList`.
        attribute_list: u32,
        /// `dwFlags` (must be 0).
        #[serde(default)]
        flags: u32,
        /// `Attribute` (`PROC_THREAD_ATTRIBUTE_HANDLE_LIST` is modelled).
        attribute: u32,
        /// `lpValue`: the handles of a handle list.
        #[serde(default)]
        handles: Vec<HandleValue>,
        /// `cbSize` in bytes (default: 8 per handle).
        #[serde(default)]
        size: Option<u32>,
    } => fails FALSE, text [], run k.update_attribute_list(cx, *attribute_list, *flags, *attribute, handles, *size);
    /// `DeleteProcThreadAttributeList(lpAttributeList)`.
    DeleteProcThreadAttributeList {
        /// `lpAttributeList`.
        attribute_list: u32,
    } => fails NEVER, text [], run k.delete_attribute_list(cx, *attribute_list);
    /// `ExitProcess(uExitCode)`: never returns.
    ExitProcess {
        /// `uExitCode`.
        #[serde(default)]
        exit_code: u32,
    } => fails NEVER, text [], run k.exit_process_call(cx, *exit_code);
    /// `TerminateProcess(hProcess, uExitCode)`.
    TerminateProcess {
        /// `hProcess`.
        process: HandleValue,
        /// `uExitCode`.
        #[serde(default)]
        exit_code: u32,
    } => fails FALSE, text [], run k.terminate_process(cx, *process, *exit_code);
    /// `GetExitCodeProcess(hProcess, &code)`.
    GetExitCodeProcess {
        /// `hProcess`.
        process: HandleValue,
    } => fails FALSE, text [], outputs [ExitCode], run k.get_exit_code_process(cx, *process);
    /// `OpenProcess(dwDesiredAccess, bInheritHandle, dwProcessId)`.
    OpenProcess {
        /// `dwDesiredAccess` (`PROCESS_ALL_ACCESS`, `PROCESS_QUERY_INFORMATION`, `PROCESS_TERMINATE`, `PROCESS_DUP_HANDLE`, `SYNCHRONIZE`).
        desired_access: u32,
        /// `bInheritHandle`.
        #[serde(default)]
        inherit_handle: bool,
        /// `dwProcessId`.
        process_id: u32,
    } => fails NULL, text [], run k.open_process(cx, *desired_access, *inherit_handle, *process_id);
    /// `CreateThread(...)`: a new thread in the calling process.
    CreateThread {
        /// `lpThreadAttributes`.
        #[serde(default)]
        thread_attributes: Option<SecurityAttributes>,
        /// `dwCreationFlags` (`CREATE_SUSPENDED`).
        #[serde(default)]
        creation_flags: u32,
    } => fails NULL, text [], outputs [ThreadId], run k.create_thread(cx, thread_attributes, *creation_flags);
    /// `ExitThread(dwExitCode)`: never returns.
    ExitThread {
        /// `dwExitCode`.
        #[serde(default)]
        exit_code: u32,
    } => fails NEVER, text [], run k.exit_thread_call(cx, *exit_code);
    /// `GetExitCodeThread(hThread, &code)`.
    GetExitCodeThread {
        /// `hThread`.
        thread: HandleValue,
    } => fails FALSE, text [], outputs [ExitCode], run k.get_exit_code_thread(cx, *thread);
    /// `ResumeThread(hThread)`.
    ResumeThread {
        /// `hThread`.
        thread: HandleValue,
    } => fails MINUS_ONE, text [], run k.suspend_resume(cx, *thread, false);
    /// `SuspendThread(hThread)`.
    SuspendThread {
        /// `hThread`.
        thread: HandleValue,
    } => fails MINUS_ONE, text [], run k.suspend_resume(cx, *thread, true);
    /// `GetCommandLine()`.
    GetCommandLine => fails NEVER, text [], outputs [Text], run k.get_command_line(cx);
    /// `GetCommandLineA()`: the command line in the ANSI code page.
    GetCommandLineA => fails NEVER, text [], outputs [Text], run k.get_command_line_a(cx);
    /// `GetStdHandle(nStdHandle)`.
    GetStdHandle {
        /// `nStdHandle`: `STD_INPUT_HANDLE`, `STD_OUTPUT_HANDLE` or `STD_ERROR_HANDLE`.
        std_handle: u32,
    } => fails INVALID, text [], run k.get_std_handle(cx, *std_handle);
    /// `SetStdHandle(nStdHandle, hHandle)`.
    SetStdHandle {
        /// `nStdHandle`: `STD_INPUT_HANDLE`, `STD_OUTPUT_HANDLE` or `STD_ERROR_HANDLE`.
        std_handle: u32,
        /// `hHandle`.
        handle: HandleValue,
    } => fails FALSE, text [], run k.set_std_handle(cx, *std_handle, *handle);
    /// `CreateToolhelp32Snapshot(dwFlags, th32ProcessID)`.
    CreateToolhelp32Snapshot {
        /// `dwFlags` (`TH32CS_SNAPPROCESS`, `TH32CS_INHERIT`).
        flags: u32,
        /// `th32ProcessID` (used only for module snapshots).
        #[serde(default)]
        process_id: u32,
    } => fails INVALID, text [], run k.create_snapshot(cx, *flags);
    /// `Process32First(hSnapshot, &pe)`.
    Process32First {
        /// `hSnapshot`.
        snapshot: HandleValue,
        /// `pe.dwSize` as the caller set it.
        #[serde(default = "entry_size")]
        size: u32,
    } => fails FALSE, text [], outputs [Entry], run k.process32(cx, *snapshot, *size, true);
    /// `Process32Next(hSnapshot, &pe)`.
    Process32Next {
        /// `hSnapshot`.
        snapshot: HandleValue,
        /// `pe.dwSize` as the caller set it.
        #[serde(default = "entry_size")]
        size: u32,
    } => fails FALSE, text [], outputs [Entry], run k.process32(cx, *snapshot, *size, false);

    // ----- synchronisation -----
    /// `WaitForSingleObject(hHandle, dwMilliseconds)`.
    WaitForSingleObject {
        /// `hHandle`.
        handle: HandleValue,
        /// `dwMilliseconds` (`INFINITE` by default).
        #[serde(default = "infinite")]
        milliseconds: u32,
    } => fails WAIT_FAILED, text [], run k.wait(cx, &[*handle], false, *milliseconds);
    /// `WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds)`.
    WaitForMultipleObjects {
        /// `lpHandles` (`nCount` is its length).
        handles: Vec<HandleValue>,
        /// `bWaitAll`.
        #[serde(default)]
        wait_all: bool,
        /// `dwMilliseconds` (`INFINITE`).
        #[serde(default = "infinite")]
        milliseconds: u32,
    } => fails WAIT_FAILED, text [], run k.wait(cx, handles, *wait_all, *milliseconds);
    /// `Sleep(dwMilliseconds)`.
    Sleep {
        /// `dwMilliseconds` (`INFINITE`).
        milliseconds: u32,
    } => fails NEVER, text [], run k.sleep(*milliseconds);
    /// `CreateEvent(lpEventAttributes, bManualReset, bInitialState, lpName)`.
    CreateEvent {
        /// `lpEventAttributes`.
        #[serde(default)]
        event_attributes: Option<SecurityAttributes>,
        /// `bManualReset`.
        #[serde(default)]
        manual_reset: bool,
        /// `bInitialState`.
        #[serde(default)]
        initial_state: bool,
        /// `lpName`.
        #[serde(default)]
        name: Option<String>,
    } => fails NULL, text ["name"], run k.create_event(cx, event_attributes, *manual_reset, *initial_state, name.as_deref());
    /// `OpenEvent(dwDesiredAccess, bInheritHandle, lpName)`.
    OpenEvent {
        /// `dwDesiredAccess` (`EVENT_ALL_ACCESS`, `EVENT_MODIFY_STATE`, `SYNCHRONIZE`).
        desired_access: u32,
        /// `bInheritHandle`.
        #[serde(default)]
        inherit_handle: bool,
        /// `lpName`.
        name: String,
    } => fails NULL, text ["name"], run k.open_named(cx, ObjectKind::Event, *desired_access, *inherit_handle, name);
    /// `SetEvent(hEvent)`.
    SetEvent {
        /// `hEvent`.
        event: HandleValue,
    } => fails FALSE, text [], run k.set_event(cx, *event, true);
    /// `ResetEvent(hEvent)`.
    ResetEvent {
        /// `hEvent`.
        event: HandleValue,
    } => fails FALSE, text [], run k.set_event(cx, *event, false);
    /// `CreateMutex(lpMutexAttributes, bInitialOwner, lpName)`.
    CreateMutex {
        /// `lpMutexAttributes`.
        #[serde(default)]
        mutex_attributes: Option<SecurityAttributes>,
        /// `bInitialOwner`: the calling thread owns a new mutex once.
        #[serde(default)]
        initial_owner: bool,
        /// `lpName`.
        #[serde(default)]
        name: Option<String>,
    } => fails NULL, text ["name"], run k.create_mutex(cx, mutex_attributes, *initial_owner, name.as_deref());
    /// `OpenMutex(dwDesiredAccess, bInheritHandle, lpName)`.
    OpenMutex {
        /// `dwDesiredAccess` (`MUTEX_ALL_ACCESS`, `MUTEX_MODIFY_STATE`, `SYNCHRONIZE`).
        desired_access: u32,
        /// `bInheritHandle`.
        #[serde(default)]
        inherit_handle: bool,
        /// `lpName`.
        name: String,
    } => fails NULL, text ["name"], run k.open_named(cx, ObjectKind::Mutex, *desired_access, *inherit_handle, name);
    /// `ReleaseMutex(hMutex)`.
    ReleaseMutex {
        /// `hMutex`.
        mutex: HandleValue,
    } => fails FALSE, text [], run k.release_mutex(cx, *mutex);
    /// `CreateSemaphore(lpSemaphoreAttributes, lInitialCount, lMaximumCount, lpName)`.
    CreateSemaphore {
        /// `lpSemaphoreAttributes`.
        #[serde(default)]
        semaphore_attributes: Option<SecurityAttributes>,
        /// `lInitialCount` (`LONG`).
        initial_count: u32,
        /// `lMaximumCount` (`LONG`).
        maximum_count: u32,
        /// `lpName`.
        #[serde(default)]
        name: Option<String>,
    } => fails NULL, text ["name"], run k.create_semaphore(cx, semaphore_attributes, *initial_count, *maximum_count, name.as_deref());
    /// `OpenSemaphore(dwDesiredAccess, bInheritHandle, lpName)`.
    OpenSemaphore {
        /// `dwDesiredAccess` (`SEMAPHORE_ALL_ACCESS`, `SEMAPHORE_MODIFY_STATE`, `SYNCHRONIZE`).
        desired_access: u32,
        /// `bInheritHandle`.
        #[serde(default)]
        inherit_handle: bool,
        /// `lpName`.
        name: String,
    } => fails NULL, text ["name"], run k.open_named(cx, ObjectKind::Semaphore, *desired_access, *inherit_handle, name);
    /// `ReleaseSemaphore(hSemaphore, lReleaseCount, lpPreviousCount)`.
    ReleaseSemaphore {
        /// `hSemaphore`.
        semaphore: HandleValue,
        /// `lReleaseCount` (`LONG`).
        release_count: u32,
    } => fails FALSE, text [], outputs [PreviousCount], run k.release_semaphore(cx, *semaphore, *release_count);

    // ----- environment -----
    /// `SetEnvironmentVariable(lpName, lpValue)`; a missing value deletes.
    SetEnvironmentVariable {
        /// `lpName`.
        name: String,
        /// `lpValue` (`null` deletes the variable).
        #[serde(default)]
        value: Option<String>,
    } => fails FALSE, text ["name", "value"], run k.set_environment_variable(cx, name, value.as_deref());
    /// `GetEnvironmentVariable(lpName, lpBuffer, nSize)`.
    GetEnvironmentVariable {
        /// `lpName`.
        name: String,
        /// `nSize` in characters (0 asks for the size).
        size: u32,
        /// `lpBuffer == NULL` (the size stays as given): the call faults where it would write.
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails ZERO, text ["name"], outputs [Text], run k.get_environment_variable(cx, name, *size, *null_buffer);
    /// `GetEnvironmentStrings()`: a copy of the block.
    GetEnvironmentStrings => fails NEVER, text [], outputs [Environment], run k.get_environment_strings(cx);
    /// `SetEnvironmentStrings(NewEnvironment)`: replaces the whole block.
    SetEnvironmentStrings {
        /// The new block's `NAME=VALUE` strings.
        environment: Vec<String>,
    } => fails FALSE, text ["environment"], run k.set_environment_strings(cx, environment);
    /// `ExpandEnvironmentStrings(lpSrc, lpDst, nSize)`.
    ExpandEnvironmentStrings {
        /// `lpSrc`.
        src: String,
        /// `nSize` in characters.
        size: u32,
        /// `lpBuffer == NULL` (the size stays as given): the call faults where it would write.
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails ZERO, text ["src"], outputs [Text], run k.expand_environment_strings(cx, src, *size, *null_buffer);
    /// `GetEnvironmentVariableA(lpName, lpBuffer, nSize)`: sizes in bytes of the ANSI code page.
    GetEnvironmentVariableA {
        /// `lpName`.
        name: String,
        /// `nSize` in bytes.
        size: u32,
        /// `lpBuffer == NULL` (the size stays as given): the call faults where it would write.
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails ZERO, text ["name"], outputs [Text], run k.get_environment_variable_a(cx, name, *size, *null_buffer);
    /// `SetEnvironmentVariableA(lpName, lpValue)`.
    SetEnvironmentVariableA {
        /// `lpName`.
        name: String,
        /// `lpValue` (`null` deletes the variable).
        #[serde(default)]
        value: Option<String>,
    } => fails FALSE, text ["name", "value"], run k.set_environment_variable_a(cx, name, value.as_deref());
    /// `ExpandEnvironmentStringsA(lpSrc, lpDst, nSize)`: sizes in bytes of the ANSI code page.
    ExpandEnvironmentStringsA {
        /// `lpSrc`.
        src: String,
        /// `nSize` in bytes.
        size: u32,
        /// `lpBuffer == NULL` (the size stays as given): the call faults where it would write.
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails ZERO, text ["src"], outputs [Text], run k.expand_environment_strings_a(cx, src, *size, *null_buffer);

    // ----- pipes -----
    /// `CreatePipe(&hRead, &hWrite, lpPipeAttributes, nSize)`.
    CreatePipe {
        /// `lpPipeAttributes`.
        #[serde(default)]
        pipe_attributes: Option<SecurityAttributes>,
        /// `nSize` (0: 4096).
        #[serde(default)]
        size: u32,
    } => fails FALSE, text [], outputs [ReadHandle, WriteHandle], run k.create_pipe(cx, pipe_attributes, *size);
    /// `ReadFile(hFile, buf, nNumberOfBytesToRead, &read, NULL)`.
    ReadFile {
        /// `hFile`.
        file: HandleValue,
        /// `nNumberOfBytesToRead`.
        bytes_to_read: u32,
        /// `lpBuffer == NULL` (the size stays as given): the call faults where it would write.
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails FALSE, text [], outputs [Data, BytesRead], run k.read_file(cx, *file, *bytes_to_read, *null_buffer);
    /// `WriteFile(hFile, buf, len, &written, NULL)`.
    WriteFile {
        /// `hFile`.
        file: HandleValue,
        /// The buffer (its length is `nNumberOfBytesToWrite`).
        data: Data,
        /// `lpBuffer == NULL`, with `data`'s length as `nNumberOfBytesToWrite` (its bytes are
        /// never read).
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails FALSE, text ["data"], outputs [BytesWritten], run k.write_file(cx, *file, &data.0, *null_buffer);
    /// `PeekNamedPipe(hNamedPipe, buf, nBufferSize, &read, &avail, &left)`.
    PeekNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// `nBufferSize`.
        #[serde(default)]
        buffer_size: u32,
        /// `lpBuffer == NULL`: the counts are reported, no data is copied.
        #[serde(default, skip_serializing_if = "is_false")]
        null_buffer: bool,
    } => fails FALSE, text [], outputs [Data, BytesRead, TotalBytesAvail, BytesLeftThisMessage], run k.peek_named_pipe(cx, *named_pipe, *buffer_size, *null_buffer);
    /// `CreateNamedPipe(...)`.
    CreateNamedPipe(CreateNamedPipeArgs) => fails INVALID, text ["name"], run k.create_named_pipe(cx, args);
    /// `ConnectNamedPipe(hNamedPipe, NULL)`.
    ConnectNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
    } => fails FALSE, text [], run k.connect_named_pipe(cx, *named_pipe);
    /// `DisconnectNamedPipe(hNamedPipe)`.
    DisconnectNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
    } => fails FALSE, text [], run k.disconnect_named_pipe(cx, *named_pipe);
    /// `WaitNamedPipe(lpNamedPipeName, nTimeOut)`.
    WaitNamedPipe {
        /// `lpNamedPipeName`.
        name: String,
        /// `nTimeOut`: ms, `NMPWAIT_USE_DEFAULT_WAIT` (0) or `NMPWAIT_WAIT_FOREVER`.
        #[serde(default)]
        timeout: u32,
    } => fails FALSE, text ["name"], run k.wait_named_pipe(name, *timeout);
    /// `SetNamedPipeHandleState(hNamedPipe, lpMode, lpMaxCollectionCount, lpCollectDataTimeout)`.
    SetNamedPipeHandleState {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// `*lpMode` (`null` = `NULL`).
        #[serde(default)]
        mode: Option<u32>,
        /// `*lpMaxCollectionCount` (`null` = `NULL`).
        #[serde(default)]
        max_collection_count: Option<u32>,
        /// `*lpCollectDataTimeout` (`null` = `NULL`).
        #[serde(default)]
        collect_data_timeout: Option<u32>,
    } => fails FALSE, text [], run k.set_named_pipe_handle_state(cx, *named_pipe, *mode, *max_collection_count, *collect_data_timeout);
    /// `GetNamedPipeHandleState(hNamedPipe, &state, &instances, NULL, NULL, NULL, 0)`.
    GetNamedPipeHandleState {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// Ask for the collection count, timeout or user name (refused on local pipes).
        #[serde(default)]
        query_remote_info: bool,
    } => fails FALSE, text [], outputs [State, CurInstances], run k.get_named_pipe_handle_state(cx, *named_pipe, *query_remote_info);
    /// `GetNamedPipeInfo(hNamedPipe, &flags, &out, &in, &max)`.
    GetNamedPipeInfo {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
    } => fails FALSE, text [], outputs [Flags, MaxInstances, InBufferSize, OutBufferSize], run k.get_named_pipe_info(cx, *named_pipe);
    /// `FlushFileBuffers(hFile)`.
    FlushFileBuffers {
        /// `hFile`.
        file: HandleValue,
    } => fails FALSE, text [], run k.flush_file_buffers(cx, *file);
    /// `TransactNamedPipe(hNamedPipe, in, inSize, out, outSize, &read, NULL)`.
    TransactNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// The message to write.
        data: Data,
        /// `nOutBufferSize`.
        out_buffer_size: u32,
    } => fails FALSE, text ["data"], outputs [Data, BytesRead], run k.transact_named_pipe(cx, *named_pipe, &data.0, *out_buffer_size);
    /// `CallNamedPipe(name, in, inSize, out, outSize, &read, nTimeOut)`.
    CallNamedPipe {
        /// `lpNamedPipeName`.
        name: String,
        /// The message to write.
        data: Data,
        /// `nOutBufferSize`.
        out_buffer_size: u32,
        /// `nTimeOut` for the `WaitNamedPipe` it makes when the pipe is busy (`NMPWAIT_USE_DEFAULT_WAIT`, `NMPWAIT_NOWAIT`, `NMPWAIT_WAIT_FOREVER`).
        #[serde(default)]
        timeout: u32,
    } => fails FALSE, text ["name", "data"], outputs [Data, BytesRead], run k.call_named_pipe(cx, name, &data.0, *out_buffer_size, *timeout);

    // ----- mailslots -----
    /// `CreateMailslot(lpName, nMaxMessageSize, lReadTimeout, lpSecurityAttributes)`.
    CreateMailslot {
        /// `lpName`: `\\.\mailslot\NAME`.
        name: String,
        /// `nMaxMessageSize` (0: any size).
        #[serde(default)]
        max_message_size: u32,
        /// `lReadTimeout` in ms (`MAILSLOT_WAIT_FOREVER` for ever).
        #[serde(default)]
        read_timeout: u32,
        /// `lpSecurityAttributes`.
        #[serde(default)]
        security_attributes: Option<SecurityAttributes>,
    } => fails INVALID, text ["name"], run k.create_mailslot(cx, name, *max_message_size, *read_timeout, security_attributes);
    /// `GetMailslotInfo(hMailslot, &max, &next, &count, &timeout)`.
    GetMailslotInfo {
        /// `hMailslot`.
        mailslot: HandleValue,
    } => fails FALSE, text [], outputs [MaxMessageSize, NextSize, MessageCount, ReadTimeout], run k.get_mailslot_info(cx, *mailslot);
    /// `SetMailslotInfo(hMailslot, lReadTimeout)`.
    SetMailslotInfo {
        /// `hMailslot`.
        mailslot: HandleValue,
        /// `lReadTimeout` (`MAILSLOT_WAIT_FOREVER`, 0, or milliseconds).
        read_timeout: u32,
    } => fails FALSE, text [], run k.set_mailslot_info(cx, *mailslot, *read_timeout);

    // ----- files -----
    /// `CreateFile(...)`: files, pipe clients, mailslot clients.
    CreateFile(CreateFileArgs) => fails INVALID, text ["file_name"], run k.create_file(cx, args);
    /// `DeleteFile(lpFileName)`.
    DeleteFile {
        /// `lpFileName`.
        file_name: String,
    } => fails FALSE, text ["file_name"], run k.delete_file(cx, file_name);
    /// `GetFileType(hFile)`.
    GetFileType {
        /// `hFile`.
        file: HandleValue,
    } => fails ZERO, text [], run k.get_file_type(cx, *file);
}

/// One step of an argument path: a parameter (field) name or a list index.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ArgSeg {
    /// A parameter or structure field, by its JSON name.
    Field(&'static str),
    /// An element of a list parameter (`handles`, `handle_list`, `environment`).
    Index(usize),
}

/// A mutable leaf of a call's arguments, as [`Args::visit_leaves`] hands it out: where a
/// scenario template fills in a bound number or an interpolated text.
pub enum ArgMut<'a> {
    /// A number (a `DWORD`, a flag word, a handle value).
    Number(&'a mut u32),
    /// A text parameter.
    Text(&'a mut String),
    /// A data buffer.
    Bytes(&'a mut Vec<u8>),
}

/// Values whose number and text leaves can be visited by path: every argument type of
/// [`Call`]. Leaves with nothing to fill in (flags as `bool`, error codes) are not visited.
pub trait Args {
    /// Calls `f` with the path and a mutable reference of every number or text leaf.
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>));
}

impl Args for u32 {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        f(path, ArgMut::Number(self));
    }
}

impl Args for HandleValue {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        f(path, ArgMut::Number(&mut self.0));
    }
}

impl Args for String {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        f(path, ArgMut::Text(self));
    }
}

impl Args for Data {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        f(path, ArgMut::Bytes(&mut self.0));
    }
}

/// Leaves that a template never fills in: flags and error codes are written as literals.
macro_rules! no_leaves {
    ($($t:ty),*) => {$(
        impl Args for $t {
            fn visit_leaves(&mut self, _: &mut Vec<ArgSeg>, _: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {}
        }
    )*};
}
no_leaves!(bool, crate::error::Win32Error, SecurityAttributes);

impl<T: Args> Args for Option<T> {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        if let Some(v) = self {
            v.visit_leaves(path, f);
        }
    }
}

impl<T: Args> Args for Vec<T> {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        for (i, v) in self.iter_mut().enumerate() {
            path.push(ArgSeg::Index(i));
            v.visit_leaves(path, f);
            path.pop();
        }
    }
}

impl<T: Args> Args for Box<T> {
    fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
        (**self).visit_leaves(path, f);
    }
}

/// An argument structure of a call (`DuplicateHandleArgs`, ...): its JSON field names.
pub trait ArgStruct {
    /// The field names, in declaration order.
    const FIELDS: &'static [&'static str];
}

impl<T: ArgStruct> ArgStruct for Box<T> {
    const FIELDS: &'static [&'static str] = T::FIELDS;
}

/// [`Args`] and [`ArgStruct`] for an argument structure: each listed field under its name.
macro_rules! args_struct {
    ($t:ty { $($field:ident),* $(,)? }) => {
        impl ArgStruct for $t {
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }
        impl Args for $t {
            fn visit_leaves(&mut self, path: &mut Vec<ArgSeg>, f: &mut dyn FnMut(&[ArgSeg], ArgMut<'_>)) {
                let Self { $($field),* } = self;
                $(
                    path.push(ArgSeg::Field(stringify!($field)));
                    $field.visit_leaves(path, f);
                    path.pop();
                )*
            }
        }
    };
}
args_struct!(DuplicateHandleArgs {
    source_process_handle,
    source_handle,
    target_process_handle,
    null_target_handle,
    desired_access,
    inherit_handle,
    options,
});
args_struct!(CreateProcessArgs {
    application_name,
    command_line,
    process_attributes,
    thread_attributes,
    inherit_handles,
    creation_flags,
    environment,
    current_directory,
    std_input,
    std_output,
    std_error,
    handle_list,
    attribute_list,
});
args_struct!(CreateNamedPipeArgs {
    name,
    open_mode,
    pipe_mode,
    max_instances,
    out_buffer_size,
    in_buffer_size,
    default_timeout,
    security_attributes,
});
args_struct!(CreateFileArgs {
    file_name,
    desired_access,
    share_mode,
    security_attributes,
    creation_disposition,
    flags_and_attributes,
});
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_made_from_text_byte_slices_and_byte_arrays_alike() {
        let bytes: &[u8] = b"pipe\0\xff";
        assert_eq!(Data::from(bytes).0, bytes);
        assert_eq!(Data::from(b"pipe\0\xff").0, bytes);
        assert_eq!(Data::from("\u{d30c}").0, "\u{d30c}".as_bytes());
        assert!(Data::from(&b""[..]).0.is_empty());
        // The owned forms keep their bytes as they are.
        assert_eq!(Data::from(bytes.to_vec()).0, bytes);
        assert_eq!(Data::from("\u{d30c}".to_string()).0, "\u{d30c}".as_bytes());
    }

    #[test]
    fn data_debug_prints_as_it_displays() {
        // Assertion messages and error texts show a buffer the way the narration does.
        for d in [Data::from("hi"), Data(vec![0xff, 0]), Data(vec![b'x'; 100])] {
            assert_eq!(format!("{d:?}"), d.display());
        }
        // Printable text in quotes (`Data::display`).
        assert_eq!(format!("{:?}", Data::from("hi")), "\"hi\"");
    }

    #[test]
    fn repeat_fills_whole_and_partial_patterns_and_nothing_from_an_empty_one() {
        assert_eq!(Data::repeat(b"ab", 5).0, b"ababa");
        assert_eq!(Data::repeat(b"ab", 0).0, b"");
        assert_eq!(Data::repeat(b"", 5).0, b"", "empty when the pattern is");
        assert_eq!(Data::fill(b"xy", 3).unwrap().0, b"xyx");
        assert!(Data::fill(b"", 3).is_err());
    }

    #[test]
    fn a_fill_may_be_as_long_as_a_buffer_and_no_longer() {
        assert!(Data::check_fill(b"x", Data::MAX_LEN).is_ok(), "exactly the limit fits");
        let over = Data::check_fill(b"x", Data::MAX_LEN + 1).unwrap_err();
        assert!(over.contains("above the limit"), "{over}");
        assert!(Data::check_fill(b"", 0).is_ok(), "nothing to repeat, nothing asked");
    }

    #[test]
    fn every_name_deserializes_as_a_known_variant() {
        for name in Call::NAMES {
            let json = format!(r#"{{"call":"{name}","args":{{}}}}"#);
            if let Err(e) = serde_json::from_str::<Call>(&json) {
                assert!(!e.to_string().contains("unknown variant"), "{name}: {e}");
            }
        }
        let err = serde_json::from_str::<Call>(r#"{"call":"CloseHandel","args":{}}"#).unwrap_err();
        assert!(err.to_string().contains("unknown variant"));
    }

    #[test]
    fn names_match_variants() {
        let calls = [
            Call::CloseHandle { handle: HandleValue(4) },
            Call::GetCurrentProcess,
            Call::WriteFile {
                file: HandleValue(4),
                data: Data(b"x".to_vec()),
                null_buffer: false,
            },
        ];
        for call in calls {
            let json = serde_json::to_value(&call).unwrap();
            assert_eq!(json["call"], call.name());
            let back: Call = serde_json::from_value(json).unwrap();
            assert_eq!(back, call);
        }
    }

    #[test]
    fn the_table_lists_every_call_once_with_its_own_text_arguments() {
        assert_eq!(CallName::ALL.len(), Call::NAMES.len());
        for (kind, name) in CallName::ALL.iter().zip(Call::NAMES) {
            assert_eq!(kind.as_str(), *name);
            assert_eq!(CallName::from_name(name), Some(*kind));
        }
        assert_eq!(CallName::WriteFile.text_arguments(), ["data"]);
        assert!(CallName::OpenProcess.text_arguments().is_empty());
        assert_eq!(
            CallName::CreateEvent.failure_ret(),
            Some(Ret::Handle(HandleValue::NULL))
        );
        assert_eq!(
            CallName::CreateFile.failure_ret(),
            Some(Ret::Handle(HandleValue::INVALID))
        );
        assert_eq!(CallName::GetCurrentProcess.failure_ret(), None);
        assert_eq!(CallName::ReadFile.arguments(), ["file", "bytes_to_read", "null_buffer"]);
        assert_eq!(CallName::DuplicateHandle.arguments()[1], "source_handle");
        assert!(CallName::CreateProcess.arguments().contains(&"handle_list"));
        assert_eq!(CallName::CloseHandle.canonical_argument("object"), Some("handle"));
        assert_eq!(CallName::CloseHandle.canonical_argument("handle"), Some("handle"));
        assert_eq!(CallName::CloseHandle.canonical_argument("handel"), None);
        let c: Call = serde_json::from_str(r#"{"call":"CloseHandle","args":{"object":8}}"#).unwrap();
        assert_eq!(c, Call::CloseHandle { handle: HandleValue(8) });
    }

    #[test]
    fn leaves_are_visited_by_path() {
        let mut call = Call::CreateProcess(Box::new(CreateProcessArgs {
            command_line: Some("child.exe 0".into()),
            std_input: Some(HandleValue(4)),
            handle_list: Some(vec![HandleValue(8), HandleValue(12)]),
            ..CreateProcessArgs::default()
        }));
        let mut seen = Vec::new();
        call.visit_leaves(&mut Vec::new(), &mut |path, leaf| {
            if let ArgMut::Number(n) = leaf {
                *n += 100;
            }
            seen.push(path.to_vec());
        });
        assert_eq!(
            seen,
            [
                vec![ArgSeg::Field("command_line")],
                vec![ArgSeg::Field("creation_flags")],
                vec![ArgSeg::Field("std_input")],
                vec![ArgSeg::Field("handle_list"), ArgSeg::Index(0)],
                vec![ArgSeg::Field("handle_list"), ArgSeg::Index(1)],
            ]
        );
        let Call::CreateProcess(a) = &call else { unreachable!() };
        assert_eq!(a.handle_list, Some(vec![HandleValue(108), HandleValue(112)]));
    }

    #[test]
    fn unknown_arguments_are_refused() {
        let err = serde_json::from_str::<Call>(r#"{"call":"CloseHandle","args":{"handel":4}}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }

    #[test]
    fn data_accepts_text_bytes_and_fill() {
        let d: Data = serde_json::from_str(r#""hi""#).unwrap();
        assert_eq!(d.0, b"hi");
        let d: Data = serde_json::from_str("[0, 255]").unwrap();
        assert_eq!(d.0, vec![0, 255]);
        let d: Data = serde_json::from_str(r#"{"fill":"ab","len":5}"#).unwrap();
        assert_eq!(d.0, b"ababa");
    }
}

/// JSON Schemas of the argument leaves, as scenario files may write them: numbers also as
/// constant names, hex strings or bound names.
#[cfg(feature = "schema")]
mod schema_impls {
    use super::Data;
    use crate::error::Win32Error;
    use crate::handle::HandleValue;
    use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
    use std::borrow::Cow;

    impl JsonSchema for HandleValue {
        fn schema_name() -> Cow<'static, str> {
            "HandleValue".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "A handle value: a number (-1 and -2 are the pseudo handles), a constant (NULL, INVALID_HANDLE_VALUE, STD_OUTPUT_HANDLE, ...), a hex string, or a name bound by an earlier step.",
                "anyOf": [{"type": "integer"}, {"type": "string"}]
            })
        }
    }

    impl JsonSchema for Data {
        fn schema_name() -> Cow<'static, str> {
            "Data".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "Bytes: a string (its UTF-8 bytes), an array of byte values, or {\"fill\": pattern, \"len\": n}.",
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 255}},
                    {"type": "object", "properties": {"fill": {"type": "string"}, "len": {"type": "integer", "minimum": 0}}, "required": ["fill", "len"], "additionalProperties": false}
                ]
            })
        }
    }

    impl JsonSchema for Win32Error {
        fn schema_name() -> Cow<'static, str> {
            "Win32Error".into()
        }

        fn json_schema(_: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "An error: its name (ERROR_INVALID_HANDLE, or INVALID_HANDLE) or its number.",
                "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]
            })
        }
    }
}
