//! Unit tests of every call's edge cases, by area; each cites the spec section it checks
//! (`../shared/spec/win32-semantics.md`). The harness checks invariants after every call.

mod api;
mod dup;
mod env;
mod explain;
mod files;
mod handles;
mod mailslots;
mod named_pipes;
mod null_buffers;
mod pipes;
mod processes;
mod sync_objects;
mod waits;

use crate::call::*;
use crate::consts::*;
use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::ids::{Address, Pid, Tid};
use crate::kernel::Kernel;
use crate::result::*;

/// A kernel with one system-started process.
pub(crate) struct World {
    pub k: Kernel,
    pub pid: Pid,
    pub tid: Tid,
}

impl World {
    pub fn new() -> World {
        let mut k = Kernel::new();
        let (pid, tid) = k.spawn("parent.exe", "parent.exe", vec!["PATH=C:\\Windows".into()]);
        World { k, pid, tid }
    }

    /// Runs a call that must return, then checks every invariant.
    pub fn run(&mut self, tid: Tid, call: Call) -> CallResult {
        let outcome = self.k.call(tid, &call).expect("the thread can call");
        self.check();
        match outcome {
            CallOutcome::Done(r) => r,
            other => panic!("{} did not return: {other:?}", call.name()),
        }
    }

    /// Runs a call that must park; returns its sequence number.
    pub fn park(&mut self, tid: Tid, call: Call) -> u64 {
        let outcome = self.k.call(tid, &call).expect("the thread can call");
        self.check();
        match outcome {
            CallOutcome::Pending { call_seq } => call_seq,
            other => panic!("{} did not park: {other:?}", call.name()),
        }
    }

    /// Runs a call that never returns (exit).
    pub fn gone(&mut self, tid: Tid, call: Call) {
        let outcome = self.k.call(tid, &call).expect("the thread can call");
        self.check();
        assert_eq!(outcome, CallOutcome::NoReturn);
    }

    pub fn check(&self) {
        if let Err(v) = self.k.check_invariants() {
            panic!("invariants broken: {v:#?}");
        }
    }

    /// The single completion since the last take, which must be `call_seq`'s.
    pub fn completed(&mut self, call_seq: u64) -> CallResult {
        let mut done = self.k.take_completions();
        assert_eq!(done.len(), 1, "expected one completion, got {done:?}");
        let c = done.pop().unwrap();
        assert_eq!(c.call_seq, call_seq);
        c.result
    }

    pub fn no_completion(&mut self) {
        let done = self.k.take_completions();
        assert!(done.is_empty(), "unexpected completions {done:?}");
    }

    /// Creates a child with `CreateProcess`; returns (child pid, child tid, hProcess, hThread).
    pub fn child(&mut self, tid: Tid, command_line: &str, inherit: bool) -> (Pid, Tid, HandleValue, HandleValue) {
        let r = self.run(
            tid,
            Call::CreateProcess(Box::new(CreateProcessArgs {
                command_line: Some(command_line.into()),
                inherit_handles: inherit,
                ..Default::default()
            })),
        );
        assert_eq!(r.ret, Ret::Bool(true), "{r:?}");
        let o = r.outputs().into_owned();
        (
            Pid(o.process_id.unwrap()),
            Tid(o.thread_id.unwrap()),
            o.process_handle.unwrap(),
            o.thread_handle.unwrap(),
        )
    }

    pub fn usage(&self, pid: Pid, h: HandleValue) -> (u32, u32) {
        let o = self.k.object_of_handle(pid, h).expect("handle names an object");
        (o.usage_count, o.handle_count)
    }

    pub fn address(&self, pid: Pid, h: HandleValue) -> Address {
        self.k.object_of_handle(pid, h).expect("handle names an object").object
    }
}

pub(crate) fn h(v: u32) -> HandleValue {
    HandleValue(v)
}

pub(crate) fn handle(r: &CallResult) -> HandleValue {
    match r.ret {
        Ret::Handle(h) => h,
        other => panic!("not a handle: {other:?}"),
    }
}

pub(crate) fn event(inherit: bool, name: Option<&str>) -> Call {
    Call::CreateEvent {
        event_attributes: Some(SecurityAttributes {
            inherit_handle: inherit,
        }),
        manual_reset: true,
        initial_state: false,
        name: name.map(str::to_string),
    }
}

/// `DuplicateHandle` of `source` within the calling process with `options` (access 0, not
/// inheritable): change fields with struct update syntax.
pub(crate) fn dup(source: HandleValue, options: u32) -> DuplicateHandleArgs {
    DuplicateHandleArgs {
        source_process_handle: HandleValue::CURRENT_PROCESS,
        source_handle: source,
        target_process_handle: HandleValue::CURRENT_PROCESS,
        null_target_handle: false,
        desired_access: 0,
        inherit_handle: false,
        options,
    }
}

pub(crate) fn close(v: HandleValue) -> Call {
    Call::CloseHandle { handle: v }
}

pub(crate) fn fails(r: &CallResult, error: Win32Error) {
    assert!(matches!(r.ret, Ret::Bool(false)), "expected FALSE, got {r:?}");
    assert_eq!(r.last_error, error, "{r:?}");
}

pub(crate) fn succeeds(r: &CallResult) {
    assert_eq!(r.ret, Ret::Bool(true), "{r:?}");
}

pub(crate) fn write(file: HandleValue, data: &str) -> Call {
    Call::WriteFile {
        file,
        data: Data(data.as_bytes().to_vec()),
        null_buffer: false,
    }
}

pub(crate) fn read(file: HandleValue, n: u32) -> Call {
    Call::ReadFile {
        file,
        bytes_to_read: n,
        null_buffer: false,
    }
}

pub(crate) fn data(r: &CallResult) -> String {
    String::from_utf8(r.outputs().data.clone().unwrap_or_default().0).unwrap()
}
