//! Typed calls for embedders, on top of the one entry point: each method builds a [`Call`],
//! runs it through [`Kernel::call`] (the same checked path scenarios, the shell and the
//! property tests use) and returns a typed result instead of a [`CallOutcome`].
//!
//! A two-process pipe lesson: the parent makes an inheritable pipe, starts a child that
//! inherits the write end at the same value, the child writes, the parent reads.
//!
//! ```
//! use kernsim_kernel::{Kernel, Win32Error};
//!
//! let mut k = Kernel::new();
//! let (_, parent) = k.spawn("parent.exe", "parent.exe", vec![]);
//! let (read, write) = k.by(parent).create_pipe(true, 0).unwrap();
//! let child = k.by(parent).create_process("child.exe", true).unwrap();
//! // The child's table holds the write end at the parent's value.
//! assert_eq!(k.by(child.thread_id).write_file(write, "hello").unwrap(), 5);
//! k.by(parent).close_handle(write).unwrap();
//! assert_eq!(k.by(parent).read_file(read, 64).unwrap(), b"hello");
//! // The child still holds a write end: the next read would wait, so it blocks.
//! assert!(k.by(parent).read_file(read, 64).unwrap_err().is_blocked());
//! # let _ = Win32Error::BrokenPipe;
//! ```

use crate::call::{Call, CreateProcessArgs, Data, DuplicateHandleArgs, SecurityAttributes};
use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::ids::{Pid, Tid};
use crate::kernel::Kernel;
use crate::result::{CallError, CallOutcome, CallResult, Ret};

/// Why a typed call gave no value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallFailure {
    /// The call failed, with this last error.
    Failed(Win32Error),
    /// The call blocked: the thread waits, and the completion arrives through
    /// [`Kernel::take_completions`] with this sequence number.
    Blocked {
        /// The call's sequence number.
        call_seq: u64,
    },
    /// The call ended its caller (`ExitProcess`, `ExitThread`, `TerminateProcess` of itself,
    /// or a fault).
    NoReturn,
    /// The kernel refused the call: the thread does not exist, has exited or is parked.
    Refused(CallError),
}

impl CallFailure {
    /// The last error of a failed call.
    pub fn error(&self) -> Option<Win32Error> {
        match self {
            CallFailure::Failed(e) => Some(*e),
            _ => None,
        }
    }

    /// True when the call blocked.
    pub fn is_blocked(&self) -> bool {
        matches!(self, CallFailure::Blocked { .. })
    }
}

/// What `CreateProcess` gives: its two handles and two ids.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ProcessInfo {
    /// `hProcess`, in the caller's table.
    pub process: HandleValue,
    /// `hThread`, in the caller's table.
    pub thread: HandleValue,
    /// `dwProcessId`.
    pub process_id: Pid,
    /// `dwThreadId`: the child's primary thread, for [`Kernel::by`].
    pub thread_id: Tid,
}

/// Calls made by one thread: [`Kernel::by`].
pub struct ThreadCalls<'k> {
    kernel: &'k mut Kernel,
    tid: Tid,
}

impl Kernel {
    /// Typed calls by thread `tid`, each through [`Kernel::call`].
    pub fn by(&mut self, tid: Tid) -> ThreadCalls<'_> {
        ThreadCalls { kernel: self, tid }
    }
}

impl ThreadCalls<'_> {
    /// Runs any call: its result when it returned, whether it succeeded or not.
    pub fn call(&mut self, call: &Call) -> Result<CallResult, CallFailure> {
        match self.kernel.call(self.tid, call) {
            Ok(CallOutcome::Done(r)) => Ok(r),
            Ok(CallOutcome::Pending { call_seq }) => Err(CallFailure::Blocked { call_seq }),
            Ok(CallOutcome::NoReturn) => Err(CallFailure::NoReturn),
            Err(e) => Err(CallFailure::Refused(e)),
        }
    }

    /// Runs a call and keeps it only when it succeeded (its return value is not the call's
    /// failure value).
    pub fn succeed(&mut self, call: &Call) -> Result<CallResult, CallFailure> {
        let r = self.call(call)?;
        if call.kind().failure_ret() == Some(r.ret) {
            return Err(CallFailure::Failed(r.last_error));
        }
        Ok(r)
    }

    /// `CreateEvent(NULL, manual_reset, initial_state, name)`: the handle.
    pub fn create_event(
        &mut self,
        manual_reset: bool,
        initial_state: bool,
        name: Option<&str>,
    ) -> Result<HandleValue, CallFailure> {
        let call = Call::CreateEvent {
            event_attributes: None,
            manual_reset,
            initial_state,
            name: name.map(str::to_string),
        };
        handle(self.succeed(&call)?)
    }

    /// `CreatePipe(&read, &write, inheritable?, size)`: (read end, write end).
    pub fn create_pipe(&mut self, inherit: bool, size: u32) -> Result<(HandleValue, HandleValue), CallFailure> {
        let call = Call::CreatePipe {
            pipe_attributes: Some(SecurityAttributes {
                inherit_handle: inherit,
            }),
            size,
        };
        let r = self.succeed(&call)?;
        let o = r.outputs();
        Ok((o.read_handle.unwrap_or_default(), o.write_handle.unwrap_or_default()))
    }

    /// `WriteFile(file, data, len, &written, NULL)`: the bytes written.
    pub fn write_file(&mut self, file: HandleValue, data: impl Into<Data>) -> Result<u32, CallFailure> {
        let call = Call::WriteFile {
            file,
            data: data.into(),
            null_buffer: false,
        };
        Ok(self.succeed(&call)?.outputs().bytes_written.unwrap_or(0))
    }

    /// `ReadFile(file, buf, n, &read, NULL)`: the bytes read.
    pub fn read_file(&mut self, file: HandleValue, bytes_to_read: u32) -> Result<Vec<u8>, CallFailure> {
        let call = Call::ReadFile {
            file,
            bytes_to_read,
            null_buffer: false,
        };
        let r = self.succeed(&call)?;
        Ok(match r.output(crate::OutputField::Data) {
            Some(crate::OutputValue::Data(d)) => d.0.clone(),
            _ => Vec::new(),
        })
    }

    /// `CloseHandle(handle)`.
    pub fn close_handle(&mut self, handle: HandleValue) -> Result<(), CallFailure> {
        self.succeed(&Call::CloseHandle { handle }).map(drop)
    }

    /// `DuplicateHandle(...)`: the new handle, in the target process's table.
    pub fn duplicate_handle(&mut self, args: DuplicateHandleArgs) -> Result<HandleValue, CallFailure> {
        let r = self.succeed(&Call::DuplicateHandle(args))?;
        Ok(r.outputs().target_handle.unwrap_or_default())
    }

    /// `CreateProcess(NULL, command_line, ..., inherit_handles, ...)`.
    pub fn create_process(&mut self, command_line: &str, inherit_handles: bool) -> Result<ProcessInfo, CallFailure> {
        self.create_process_with(CreateProcessArgs {
            command_line: Some(command_line.into()),
            inherit_handles,
            ..CreateProcessArgs::default()
        })
    }

    /// `CreateProcess` with every argument.
    pub fn create_process_with(&mut self, args: CreateProcessArgs) -> Result<ProcessInfo, CallFailure> {
        let r = self.succeed(&Call::CreateProcess(Box::new(args)))?;
        let o = r.outputs();
        Ok(ProcessInfo {
            process: o.process_handle.unwrap_or_default(),
            thread: o.thread_handle.unwrap_or_default(),
            process_id: Pid(o.process_id.unwrap_or(0)),
            thread_id: Tid(o.thread_id.unwrap_or(0)),
        })
    }

    /// `WaitForSingleObject(handle, milliseconds)`: `WAIT_OBJECT_0`, `WAIT_TIMEOUT`, ...
    /// (a wait that must wait is [`CallFailure::Blocked`]).
    pub fn wait(&mut self, handle: HandleValue, milliseconds: u32) -> Result<u32, CallFailure> {
        let r = self.succeed(&Call::WaitForSingleObject { handle, milliseconds })?;
        Ok(r.ret.as_u32().unwrap_or(0))
    }

    /// `SetEnvironmentVariable(name, value)` (`None` deletes it).
    pub fn set_environment_variable(&mut self, name: &str, value: Option<&str>) -> Result<(), CallFailure> {
        let call = Call::SetEnvironmentVariable {
            name: name.into(),
            value: value.map(str::to_string),
        };
        self.succeed(&call).map(drop)
    }

    /// `GetEnvironmentVariable(name, buf, 32767)`: the value (`ERROR_ENVVAR_NOT_FOUND` when
    /// there is none).
    pub fn get_environment_variable(&mut self, name: &str) -> Result<String, CallFailure> {
        let call = Call::GetEnvironmentVariable {
            name: name.into(),
            size: 32_767,
            null_buffer: false,
        };
        let r = self.call(&call)?;
        match r.outputs().text.clone() {
            Some(text) => Ok(text),
            None => Err(CallFailure::Failed(r.last_error)),
        }
    }

    /// `GetExitCodeProcess(process, &code)`: the exit code (`STILL_ACTIVE` while it runs).
    pub fn get_exit_code_process(&mut self, process: HandleValue) -> Result<u32, CallFailure> {
        let r = self.succeed(&Call::GetExitCodeProcess { process })?;
        Ok(r.outputs().exit_code.unwrap_or(0))
    }
}

fn handle(r: CallResult) -> Result<HandleValue, CallFailure> {
    match r.ret {
        Ret::Handle(h) => Ok(h),
        _ => Err(CallFailure::Failed(r.last_error)),
    }
}
