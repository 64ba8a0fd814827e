//! The single entry point's input: [`Call`], one variant per Win32 function, named as in Win32,
//! with parameters named after Win32's (without the Hungarian prefix: `hSourceHandle` is
//! `source_handle`). Serde-tagged as `{"call": "CloseHandle", "args": {"handle": 48}}`: the
//! same value is the library call, the JSON scenario step, the shell command and the property
//! tests' input.

use crate::handle::HandleValue;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// `SECURITY_ATTRIBUTES`: only `bInheritHandle` matters to the model. A `None` in a call is the
/// `NULL` pointer (not inheritable).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

impl fmt::Debug for Data {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.display())
    }
}

impl Data {
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

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
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
            Repr::Fill { fill, len } => {
                let pattern = fill.into_bytes();
                if pattern.is_empty() && len > 0 {
                    return Err(serde::de::Error::custom("fill pattern is empty"));
                }
                if len > 1 << 30 {
                    return Err(serde::de::Error::custom("fill len is above 1 GiB"));
                }
                Ok(Data(pattern.iter().copied().cycle().take(len).collect()))
            }
        }
    }
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

/// Arguments of `CreateProcess` (with `STARTUPINFO`'s std handles and the
/// `PROC_THREAD_ATTRIBUTE_HANDLE_LIST` of `STARTUPINFOEX`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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
    /// `PROC_THREAD_ATTRIBUTE_HANDLE_LIST`: inherit only these handles.
    pub handle_list: Option<Vec<HandleValue>>,
}

/// Arguments of `CreateNamedPipe`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

fn one() -> u32 {
    1
}

fn default_buffer() -> u32 {
    crate::consts::DEFAULT_PIPE_BUFFER_SIZE
}

/// Arguments of `CreateFile`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateFileArgs {
    /// `lpFileName`: a path, `\\.\pipe\NAME` or `\\.\mailslot\NAME`.
    pub file_name: String,
    /// `dwDesiredAccess`.
    #[serde(default)]
    pub desired_access: u32,
    /// `dwShareMode`.
    #[serde(default)]
    pub share_mode: u32,
    /// `lpSecurityAttributes`.
    #[serde(default)]
    pub security_attributes: Option<SecurityAttributes>,
    /// `dwCreationDisposition` (default `OPEN_EXISTING`).
    #[serde(default = "open_existing")]
    pub creation_disposition: u32,
    /// `dwFlagsAndAttributes`.
    #[serde(default)]
    pub flags_and_attributes: u32,
}

/// One Win32 call. See the module docs for the JSON shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", content = "args", deny_unknown_fields)]
pub enum Call {
    // ----- handles -----
    /// `CloseHandle(hObject)`.
    CloseHandle {
        /// `hObject`.
        #[serde(alias = "object")]
        handle: HandleValue,
    },
    /// `DuplicateHandle(...)`.
    DuplicateHandle(DuplicateHandleArgs),
    /// `GetHandleInformation(hObject, &flags)`.
    GetHandleInformation {
        /// `hObject`.
        #[serde(alias = "object")]
        handle: HandleValue,
    },
    /// `SetHandleInformation(hObject, dwMask, dwFlags)`.
    SetHandleInformation {
        /// `hObject`.
        #[serde(alias = "object")]
        handle: HandleValue,
        /// `dwMask`: which flags to change.
        mask: u32,
        /// `dwFlags`: their new values.
        flags: u32,
    },
    /// `GetCurrentProcess()`: the pseudo handle -1.
    GetCurrentProcess,
    /// `GetCurrentThread()`: the pseudo handle -2.
    GetCurrentThread,
    /// `GetCurrentProcessId()`.
    GetCurrentProcessId,
    /// `GetCurrentThreadId()`.
    GetCurrentThreadId,
    /// `GetProcessId(Process)`.
    GetProcessId {
        /// `Process`.
        process: HandleValue,
    },
    /// `GetLastError()`.
    GetLastError,
    /// `SetLastError(dwErrCode)`.
    SetLastError {
        /// `dwErrCode` (by name or number).
        error: crate::error::Win32Error,
    },

    // ----- processes and threads -----
    /// `CreateProcess(...)`.
    CreateProcess(Box<CreateProcessArgs>),
    /// `ExitProcess(uExitCode)`: never returns.
    ExitProcess {
        /// `uExitCode`.
        #[serde(default)]
        exit_code: u32,
    },
    /// `TerminateProcess(hProcess, uExitCode)`.
    TerminateProcess {
        /// `hProcess`.
        process: HandleValue,
        /// `uExitCode`.
        #[serde(default)]
        exit_code: u32,
    },
    /// `GetExitCodeProcess(hProcess, &code)`.
    GetExitCodeProcess {
        /// `hProcess`.
        process: HandleValue,
    },
    /// `OpenProcess(dwDesiredAccess, bInheritHandle, dwProcessId)`.
    OpenProcess {
        /// `dwDesiredAccess`.
        desired_access: u32,
        /// `bInheritHandle`.
        #[serde(default)]
        inherit_handle: bool,
        /// `dwProcessId`.
        process_id: u32,
    },
    /// `CreateThread(...)`: a new thread in the calling process.
    CreateThread {
        /// `lpThreadAttributes`.
        #[serde(default)]
        thread_attributes: Option<SecurityAttributes>,
        /// `dwCreationFlags` (`CREATE_SUSPENDED`).
        #[serde(default)]
        creation_flags: u32,
    },
    /// `ExitThread(dwExitCode)`: never returns.
    ExitThread {
        /// `dwExitCode`.
        #[serde(default)]
        exit_code: u32,
    },
    /// `GetExitCodeThread(hThread, &code)`.
    GetExitCodeThread {
        /// `hThread`.
        thread: HandleValue,
    },
    /// `ResumeThread(hThread)`.
    ResumeThread {
        /// `hThread`.
        thread: HandleValue,
    },
    /// `SuspendThread(hThread)`.
    SuspendThread {
        /// `hThread`.
        thread: HandleValue,
    },
    /// `GetCommandLine()`.
    GetCommandLine,
    /// `GetStdHandle(nStdHandle)`.
    GetStdHandle {
        /// `nStdHandle`: `STD_INPUT_HANDLE`, `STD_OUTPUT_HANDLE` or `STD_ERROR_HANDLE`.
        std_handle: u32,
    },
    /// `SetStdHandle(nStdHandle, hHandle)`.
    SetStdHandle {
        /// `nStdHandle`.
        std_handle: u32,
        /// `hHandle`.
        handle: HandleValue,
    },
    /// `CreateToolhelp32Snapshot(dwFlags, th32ProcessID)`.
    CreateToolhelp32Snapshot {
        /// `dwFlags` (`TH32CS_SNAPPROCESS`, `TH32CS_INHERIT`).
        flags: u32,
        /// `th32ProcessID` (used only for module snapshots).
        #[serde(default)]
        process_id: u32,
    },
    /// `Process32First(hSnapshot, &pe)`.
    Process32First {
        /// `hSnapshot`.
        snapshot: HandleValue,
        /// `pe.dwSize` as the caller set it.
        #[serde(default = "entry_size")]
        size: u32,
    },
    /// `Process32Next(hSnapshot, &pe)`.
    Process32Next {
        /// `hSnapshot`.
        snapshot: HandleValue,
        /// `pe.dwSize` as the caller set it.
        #[serde(default = "entry_size")]
        size: u32,
    },

    // ----- synchronisation -----
    /// `WaitForSingleObject(hHandle, dwMilliseconds)`.
    WaitForSingleObject {
        /// `hHandle`.
        handle: HandleValue,
        /// `dwMilliseconds` (`INFINITE` by default).
        #[serde(default = "infinite")]
        milliseconds: u32,
    },
    /// `WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds)`.
    WaitForMultipleObjects {
        /// `lpHandles` (`nCount` is its length).
        handles: Vec<HandleValue>,
        /// `bWaitAll`.
        #[serde(default)]
        wait_all: bool,
        /// `dwMilliseconds`.
        #[serde(default = "infinite")]
        milliseconds: u32,
    },
    /// `Sleep(dwMilliseconds)`.
    Sleep {
        /// `dwMilliseconds`.
        milliseconds: u32,
    },
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
    },
    /// `OpenEvent(dwDesiredAccess, bInheritHandle, lpName)`.
    OpenEvent {
        /// `dwDesiredAccess`.
        desired_access: u32,
        /// `bInheritHandle`.
        #[serde(default)]
        inherit_handle: bool,
        /// `lpName`.
        name: String,
    },
    /// `SetEvent(hEvent)`.
    SetEvent {
        /// `hEvent`.
        event: HandleValue,
    },
    /// `ResetEvent(hEvent)`.
    ResetEvent {
        /// `hEvent`.
        event: HandleValue,
    },

    // ----- environment -----
    /// `SetEnvironmentVariable(lpName, lpValue)`; a missing value deletes.
    SetEnvironmentVariable {
        /// `lpName`.
        name: String,
        /// `lpValue` (`null` deletes the variable).
        #[serde(default)]
        value: Option<String>,
    },
    /// `GetEnvironmentVariable(lpName, lpBuffer, nSize)`.
    GetEnvironmentVariable {
        /// `lpName`.
        name: String,
        /// `nSize` in characters (0 with a `NULL` buffer asks for the size).
        size: u32,
    },
    /// `GetEnvironmentStrings()`: a copy of the block.
    GetEnvironmentStrings,
    /// `SetEnvironmentStrings(NewEnvironment)`: replaces the whole block.
    SetEnvironmentStrings {
        /// The new block's `NAME=VALUE` strings.
        environment: Vec<String>,
    },
    /// `ExpandEnvironmentStrings(lpSrc, lpDst, nSize)`.
    ExpandEnvironmentStrings {
        /// `lpSrc`.
        src: String,
        /// `nSize` in characters.
        size: u32,
    },

    // ----- pipes -----
    /// `CreatePipe(&hRead, &hWrite, lpPipeAttributes, nSize)`.
    CreatePipe {
        /// `lpPipeAttributes`.
        #[serde(default)]
        pipe_attributes: Option<SecurityAttributes>,
        /// `nSize` (0: 4096).
        #[serde(default)]
        size: u32,
    },
    /// `ReadFile(hFile, buf, nNumberOfBytesToRead, &read, NULL)`.
    ReadFile {
        /// `hFile`.
        file: HandleValue,
        /// `nNumberOfBytesToRead`.
        bytes_to_read: u32,
    },
    /// `WriteFile(hFile, buf, len, &written, NULL)`.
    WriteFile {
        /// `hFile`.
        file: HandleValue,
        /// The buffer (its length is `nNumberOfBytesToWrite`).
        data: Data,
    },
    /// `PeekNamedPipe(hNamedPipe, buf, nBufferSize, &read, &avail, &left)`.
    PeekNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// `nBufferSize` (0: no buffer).
        #[serde(default)]
        buffer_size: u32,
    },
    /// `CreateNamedPipe(...)`.
    CreateNamedPipe(CreateNamedPipeArgs),
    /// `ConnectNamedPipe(hNamedPipe, NULL)`.
    ConnectNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
    },
    /// `DisconnectNamedPipe(hNamedPipe)`.
    DisconnectNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
    },
    /// `WaitNamedPipe(lpNamedPipeName, nTimeOut)`.
    WaitNamedPipe {
        /// `lpNamedPipeName`.
        name: String,
        /// `nTimeOut`: ms, `NMPWAIT_USE_DEFAULT_WAIT` (0) or `NMPWAIT_WAIT_FOREVER`.
        #[serde(default)]
        timeout: u32,
    },
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
    },
    /// `GetNamedPipeHandleState(hNamedPipe, &state, &instances, NULL, NULL, NULL, 0)`.
    GetNamedPipeHandleState {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// Ask for the collection count, timeout or user name (refused on local pipes).
        #[serde(default)]
        query_remote_info: bool,
    },
    /// `GetNamedPipeInfo(hNamedPipe, &flags, &out, &in, &max)`.
    GetNamedPipeInfo {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
    },
    /// `FlushFileBuffers(hFile)`.
    FlushFileBuffers {
        /// `hFile`.
        file: HandleValue,
    },
    /// `TransactNamedPipe(hNamedPipe, in, inSize, out, outSize, &read, NULL)`.
    TransactNamedPipe {
        /// `hNamedPipe`.
        named_pipe: HandleValue,
        /// The message to write.
        data: Data,
        /// `nOutBufferSize`.
        out_buffer_size: u32,
    },
    /// `CallNamedPipe(name, in, inSize, out, outSize, &read, nTimeOut)`.
    CallNamedPipe {
        /// `lpNamedPipeName`.
        name: String,
        /// The message to write.
        data: Data,
        /// `nOutBufferSize`.
        out_buffer_size: u32,
        /// `nTimeOut` for the `WaitNamedPipe` it makes when the pipe is busy.
        #[serde(default)]
        timeout: u32,
    },

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
    },
    /// `GetMailslotInfo(hMailslot, &max, &next, &count, &timeout)`.
    GetMailslotInfo {
        /// `hMailslot`.
        mailslot: HandleValue,
    },
    /// `SetMailslotInfo(hMailslot, lReadTimeout)`.
    SetMailslotInfo {
        /// `hMailslot`.
        mailslot: HandleValue,
        /// `lReadTimeout`.
        read_timeout: u32,
    },

    // ----- files -----
    /// `CreateFile(...)`: files, pipe clients, mailslot clients.
    CreateFile(CreateFileArgs),
    /// `DeleteFile(lpFileName)`.
    DeleteFile {
        /// `lpFileName`.
        file_name: String,
    },
    /// `GetFileType(hFile)`.
    GetFileType {
        /// `hFile`.
        file: HandleValue,
    },
}

impl Call {
    /// Every call name, for "did you mean" messages and documentation.
    pub const NAMES: &'static [&'static str] = &[
        "CloseHandle",
        "DuplicateHandle",
        "GetHandleInformation",
        "SetHandleInformation",
        "GetCurrentProcess",
        "GetCurrentThread",
        "GetCurrentProcessId",
        "GetCurrentThreadId",
        "GetProcessId",
        "GetLastError",
        "SetLastError",
        "CreateProcess",
        "ExitProcess",
        "TerminateProcess",
        "GetExitCodeProcess",
        "OpenProcess",
        "CreateThread",
        "ExitThread",
        "GetExitCodeThread",
        "ResumeThread",
        "SuspendThread",
        "GetCommandLine",
        "GetStdHandle",
        "SetStdHandle",
        "CreateToolhelp32Snapshot",
        "Process32First",
        "Process32Next",
        "WaitForSingleObject",
        "WaitForMultipleObjects",
        "Sleep",
        "CreateEvent",
        "OpenEvent",
        "SetEvent",
        "ResetEvent",
        "SetEnvironmentVariable",
        "GetEnvironmentVariable",
        "GetEnvironmentStrings",
        "SetEnvironmentStrings",
        "ExpandEnvironmentStrings",
        "CreatePipe",
        "ReadFile",
        "WriteFile",
        "PeekNamedPipe",
        "CreateNamedPipe",
        "ConnectNamedPipe",
        "DisconnectNamedPipe",
        "WaitNamedPipe",
        "SetNamedPipeHandleState",
        "GetNamedPipeHandleState",
        "GetNamedPipeInfo",
        "FlushFileBuffers",
        "TransactNamedPipe",
        "CallNamedPipe",
        "CreateMailslot",
        "GetMailslotInfo",
        "SetMailslotInfo",
        "CreateFile",
        "DeleteFile",
        "GetFileType",
    ];

    /// The Win32 name of this call.
    pub fn name(&self) -> &'static str {
        match self {
            Call::CloseHandle { .. } => "CloseHandle",
            Call::DuplicateHandle(_) => "DuplicateHandle",
            Call::GetHandleInformation { .. } => "GetHandleInformation",
            Call::SetHandleInformation { .. } => "SetHandleInformation",
            Call::GetCurrentProcess => "GetCurrentProcess",
            Call::GetCurrentThread => "GetCurrentThread",
            Call::GetCurrentProcessId => "GetCurrentProcessId",
            Call::GetCurrentThreadId => "GetCurrentThreadId",
            Call::GetProcessId { .. } => "GetProcessId",
            Call::GetLastError => "GetLastError",
            Call::SetLastError { .. } => "SetLastError",
            Call::CreateProcess(_) => "CreateProcess",
            Call::ExitProcess { .. } => "ExitProcess",
            Call::TerminateProcess { .. } => "TerminateProcess",
            Call::GetExitCodeProcess { .. } => "GetExitCodeProcess",
            Call::OpenProcess { .. } => "OpenProcess",
            Call::CreateThread { .. } => "CreateThread",
            Call::ExitThread { .. } => "ExitThread",
            Call::GetExitCodeThread { .. } => "GetExitCodeThread",
            Call::ResumeThread { .. } => "ResumeThread",
            Call::SuspendThread { .. } => "SuspendThread",
            Call::GetCommandLine => "GetCommandLine",
            Call::GetStdHandle { .. } => "GetStdHandle",
            Call::SetStdHandle { .. } => "SetStdHandle",
            Call::CreateToolhelp32Snapshot { .. } => "CreateToolhelp32Snapshot",
            Call::Process32First { .. } => "Process32First",
            Call::Process32Next { .. } => "Process32Next",
            Call::WaitForSingleObject { .. } => "WaitForSingleObject",
            Call::WaitForMultipleObjects { .. } => "WaitForMultipleObjects",
            Call::Sleep { .. } => "Sleep",
            Call::CreateEvent { .. } => "CreateEvent",
            Call::OpenEvent { .. } => "OpenEvent",
            Call::SetEvent { .. } => "SetEvent",
            Call::ResetEvent { .. } => "ResetEvent",
            Call::SetEnvironmentVariable { .. } => "SetEnvironmentVariable",
            Call::GetEnvironmentVariable { .. } => "GetEnvironmentVariable",
            Call::GetEnvironmentStrings => "GetEnvironmentStrings",
            Call::SetEnvironmentStrings { .. } => "SetEnvironmentStrings",
            Call::ExpandEnvironmentStrings { .. } => "ExpandEnvironmentStrings",
            Call::CreatePipe { .. } => "CreatePipe",
            Call::ReadFile { .. } => "ReadFile",
            Call::WriteFile { .. } => "WriteFile",
            Call::PeekNamedPipe { .. } => "PeekNamedPipe",
            Call::CreateNamedPipe(_) => "CreateNamedPipe",
            Call::ConnectNamedPipe { .. } => "ConnectNamedPipe",
            Call::DisconnectNamedPipe { .. } => "DisconnectNamedPipe",
            Call::WaitNamedPipe { .. } => "WaitNamedPipe",
            Call::SetNamedPipeHandleState { .. } => "SetNamedPipeHandleState",
            Call::GetNamedPipeHandleState { .. } => "GetNamedPipeHandleState",
            Call::GetNamedPipeInfo { .. } => "GetNamedPipeInfo",
            Call::FlushFileBuffers { .. } => "FlushFileBuffers",
            Call::TransactNamedPipe { .. } => "TransactNamedPipe",
            Call::CallNamedPipe { .. } => "CallNamedPipe",
            Call::CreateMailslot { .. } => "CreateMailslot",
            Call::GetMailslotInfo { .. } => "GetMailslotInfo",
            Call::SetMailslotInfo { .. } => "SetMailslotInfo",
            Call::CreateFile(_) => "CreateFile",
            Call::DeleteFile { .. } => "DeleteFile",
            Call::GetFileType { .. } => "GetFileType",
        }
    }

    /// Argument names whose JSON values are text (names, command lines, data), not numbers:
    /// scenario loaders must not treat those strings as constant or binding names.
    pub const TEXT_ARGUMENTS: &'static [&'static str] = &[
        "name",
        "application_name",
        "command_line",
        "current_directory",
        "environment",
        "value",
        "src",
        "data",
        "file_name",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

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
