//! The [`Kernel`]: the object arena, handle-table bookkeeping (rows and counts), the call
//! dispatcher, and the handle and environment calls. Other areas live in submodules:
//! `process` (processes, threads, snapshots), `dup` (DuplicateHandle), `sync` (events, waits,
//! parking, the clock), `pipe` (anonymous and named pipes), `mailslot`, `file`.
//!
//! Every call validates before it mutates, so a failed call leaves the state as it was, except
//! where Windows itself changes state on failure (`DUPLICATE_CLOSE_SOURCE`).

mod dup;
mod file;
mod mailslot;
mod pipe;
mod process;
mod sync;

pub use file::FileSystemEntry;
pub use sync::{Deadlock, DeadlockedThread, ObjectTag, WaitReason};

use crate::call::{Call, CallName, CreateProcessArgs};
use crate::consts::*;
use crate::env;
use crate::error::Win32Error;
use crate::event::{Event, Why};
use crate::handle::{HandleEntry, HandleFlags, HandleValue, Origin, Provenance, MAX_HANDLES_PER_PROCESS};
use crate::ids::{Address, Pid, Tid};
use crate::object::*;
use crate::result::*;
use slotmap::SlotMap;
use std::collections::{BTreeMap, BTreeSet};

/// First display address; each new object takes the next multiple of 0x100.
const FIRST_ADDRESS: u64 = 0x1000;
/// First process or thread id. Ids come from one counter in steps of 4 (as in the CID table,
/// where pids and tids share one space) and are never reused. 0 and 4 are the idle and System
/// processes of Windows and are never handed out.
const FIRST_CLIENT_ID: u32 = 100;
/// The System process id: `OpenProcess` on it is refused with `ERROR_ACCESS_DENIED`.
pub const SYSTEM_PROCESS_ID: u32 = 4;

/// A named pipe in the namespace: its fixed parameters and its live instances.
#[derive(Clone, Debug)]
pub struct NamedPipe {
    /// The name as first created (`\\.\pipe\Name`).
    pub display_name: String,
    /// Parameters fixed by the first instance.
    pub config: PipeConfig,
    /// Server ends, in creation order.
    pub instances: Vec<ObjectId>,
}

/// Who is calling: a live, runnable thread and its process.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Cx {
    pub thread: ObjectId,
    pub process: ObjectId,
    pub tid: Tid,
    pub pid: Pid,
}

/// A call's result before the last error is applied to the thread.
#[derive(Clone, Debug)]
pub(crate) struct Res {
    pub ret: Ret,
    pub error: Option<Win32Error>,
    /// Out-parameters: none, one number or handle inline, or boxed (results move cheaply).
    pub out: Outs,
}

impl Res {
    pub fn ok(ret: Ret) -> Res {
        Res {
            ret,
            error: None,
            out: Outs::None,
        }
    }
    pub fn yes() -> Res {
        Res::ok(Ret::Bool(true))
    }
    pub fn no(error: Win32Error) -> Res {
        Res {
            ret: Ret::Bool(false),
            error: Some(error),
            out: Outs::None,
        }
    }
    pub fn fail(ret: Ret, error: Win32Error) -> Res {
        Res {
            ret,
            error: Some(error),
            out: Outs::None,
        }
    }
    pub fn set(mut self, error: Win32Error) -> Res {
        self.error = Some(error);
        self
    }
    /// Fills out-parameters (boxed: for data, text, or several at once).
    pub fn out(mut self, f: impl FnOnce(&mut Outputs)) -> Res {
        f(self.out.boxed());
        self
    }
    /// Sets one number or handle out-parameter, held inline when it is the only one.
    pub fn out1(mut self, field: OutputField, value: u32) -> Res {
        self.out.set(field, value);
        self
    }
}

/// What dispatching a call did.
pub(crate) enum Step {
    Done(Res),
    Park(PendingOp, Option<u64>),
    NoReturn,
}

impl From<Res> for Step {
    fn from(res: Res) -> Step {
        Step::Done(res)
    }
}

/// Shorthand: turn `Result<T, Res>` early returns into `Step`s.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(res) => return Step::Done(res),
        }
    };
}
pub(crate) use tri;

/// Whether `call` may make an instance of a pipe name listen or the name go, so that `settle`
/// must try the calls waiting for a pipe name (`WaitNamedPipe`, a busy `CallNamedPipe`)
/// afterwards; every other parked call is woken through `Kernel::risen` by the change itself.
/// Only kinds that can never do so answer false: creating or opening other objects, handle
/// flags, queries, the environment, the last error, the synchronization calls. `CloseHandle`
/// answers false and sets `Kernel::wake` itself when it closes a file object (the end of a
/// pipe, a mailslot).
fn may_wake(call: &Call) -> bool {
    use crate::call::CallName as C;
    match call {
        Call::DuplicateHandle(a) => a.options & DUPLICATE_CLOSE_SOURCE != 0,
        _ => !matches!(
            call.kind(),
            C::CloseHandle
                | C::CreateEvent
                | C::CreateMutex
                | C::CreateSemaphore
                | C::OpenEvent
                | C::OpenMutex
                | C::OpenSemaphore
                | C::OpenProcess
                | C::GetHandleInformation
                | C::SetHandleInformation
                | C::GetProcessId
                | C::GetThreadId
                | C::GetProcessIdOfThread
                | C::SetLastError
                | C::GetExitCodeProcess
                | C::GetExitCodeThread
                | C::GetStdHandle
                | C::SetEnvironmentVariable
                | C::GetEnvironmentVariable
                | C::ExpandEnvironmentStrings
                | C::GetEnvironmentVariableA
                | C::SetEnvironmentVariableA
                | C::ExpandEnvironmentStringsA
                | C::GetNamedPipeHandleState
                | C::GetNamedPipeInfo
                | C::GetMailslotInfo
                | C::GetFileType
                | C::SetEvent
                | C::ResetEvent
                | C::ReleaseMutex
                | C::ReleaseSemaphore
                | C::WaitForSingleObject
                | C::WaitForMultipleObjects
                | C::Sleep
        ),
    }
}

/// The whole simulated machine. Two kernels never share state; nothing here reads a clock,
/// draws a random number or iterates a hash map.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub(crate) objects: SlotMap<ObjectId, Object>,
    /// Live process and thread objects by id (pids and tids share the space).
    pub(crate) cids: BTreeMap<u32, ObjectId>,
    pub(crate) next_client_id: u32,
    next_address: u64,
    /// Named kernel objects (events): names are case-sensitive.
    pub(crate) named: BTreeMap<String, ObjectId>,
    /// Named pipes by upper-case name.
    pub(crate) pipes: BTreeMap<String, NamedPipe>,
    /// Mailslots by upper-case name.
    pub(crate) mailslots: BTreeMap<String, ObjectId>,
    /// The in-memory file system.
    pub(crate) fs: file::FileSystem,
    pub(crate) time_ms: u64,
    /// Parked threads in FIFO order.
    pub(crate) parked: BTreeMap<u64, ObjectId>,
    /// How many of them are in `Sleep` (which only a timeout ends, so calls need not look).
    pub(crate) sleepers: usize,
    /// Every object a parked wait names, and the object a parked pipe or mailslot call is
    /// keyed on ([`PendingOp::keyed_on`]), with the call's park number: the calls a change of
    /// that object may finish (so a signal or a pipe's change tries only its own waiters).
    pub(crate) waiters: BTreeSet<(ObjectId, u64)>,
    /// The park numbers of the parked calls that wait for a pipe name to have a listening
    /// instance (`WaitNamedPipe`, a busy `CallNamedPipe`): tried after every call that
    /// [`may_wake`] says may move one.
    pub(crate) name_parked: BTreeSet<u64>,
    /// Pending timeouts as (deadline, park number): the next one is the first.
    pub(crate) deadlines: BTreeSet<(u64, u64)>,
    /// Objects that may have become signaled, or pipe ends and mailslots that changed, since
    /// the last `settle` (recorded only while a call is parked on some object).
    pub(crate) risen: Vec<ObjectId>,
    /// Set by a call of a kind that [`may_wake`] passes over when it may have removed a pipe
    /// name's last instance (a `CloseHandle` that closed a file object).
    pub(crate) wake: bool,
    next_park_seq: u64,
    next_call_seq: u64,
    /// The call being made (what a new row's [`Origin`] names).
    current_call: CallName,
    pub(crate) next_message_id: u64,
    pub(crate) next_listen_seq: u64,
    /// Set when a parked call changed state without completing (so `settle` starts over).
    pub(crate) progressed: bool,
    log_enabled: bool,
    /// The ANSI code page of the A functions.
    code_page: crate::codepage::CodePage,
    log: Vec<Event>,
    /// Whether rows and objects touched by calls are recorded for an incremental check
    /// ([`crate::IncrementalCheck`]), and what was touched since it last looked.
    pub(crate) tracking: bool,
    pub(crate) touched_rows: Vec<(ObjectId, HandleValue)>,
    pub(crate) touched_objects: Vec<ObjectId>,
    completions: Vec<Completion>,
    /// The object of the thread that made the last call: a cache in front of `cids`.
    last_caller: std::cell::Cell<ObjectId>,
    /// Deliberate bugs (feature `test-hooks`), to show the property tests catch them.
    #[cfg(feature = "test-hooks")]
    pub(crate) bugs: crate::tamper::Bugs,
}

impl Default for Kernel {
    fn default() -> Self {
        Self::new()
    }
}

impl Kernel {
    /// A fresh machine: no processes, an empty namespace, time 0, a file system with `C:\`,
    /// `C:\Windows` and `C:\Windows\System32`, and the event log on.
    pub fn new() -> Kernel {
        Kernel {
            objects: SlotMap::with_key(),
            cids: BTreeMap::new(),
            next_client_id: FIRST_CLIENT_ID,
            next_address: FIRST_ADDRESS,
            named: BTreeMap::new(),
            pipes: BTreeMap::new(),
            mailslots: BTreeMap::new(),
            fs: file::FileSystem::new(),
            time_ms: 0,
            parked: BTreeMap::new(),
            sleepers: 0,
            waiters: BTreeSet::new(),
            name_parked: BTreeSet::new(),
            deadlines: BTreeSet::new(),
            risen: Vec::new(),
            wake: false,
            next_park_seq: 0,
            next_call_seq: 0,
            current_call: CallName::CloseHandle,
            next_message_id: 0,
            next_listen_seq: 0,
            progressed: false,
            log_enabled: true,
            code_page: crate::codepage::CodePage::default(),
            log: Vec::new(),
            tracking: false,
            touched_rows: Vec::new(),
            touched_objects: Vec::new(),
            completions: Vec::new(),
            last_caller: std::cell::Cell::new(ObjectId::default()),
            #[cfg(feature = "test-hooks")]
            bugs: Default::default(),
        }
    }

    // ------------------------------------------------------------------ public entry points

    /// Runs one call on behalf of thread `thread_id`: the single entry point of the model.
    ///
    /// Returns the call's Win32 result, or `Pending` when the call blocked (the thread is then
    /// parked; its [`Completion`] arrives through [`Kernel::take_completions`]), or `NoReturn`
    /// for calls that end the caller. Refuses calls from unknown, exited, parked or suspended
    /// threads with a [`CallError`] and changes nothing then.
    pub fn call(&mut self, thread_id: Tid, call: &Call) -> Result<CallOutcome, CallError> {
        let cx = self.runnable(thread_id)?;
        self.next_call_seq += 1;
        let call_seq = self.next_call_seq;
        self.current_call = call.kind();
        let step = Kernel::dispatch(self, cx, call);
        let outcome = match step {
            Step::Done(res) => CallOutcome::Done(self.finish_call(cx.thread, res, call)),
            Step::Park(op, deadline) => {
                self.park(cx.thread, op, deadline, call.name(), call_seq);
                CallOutcome::Pending { call_seq }
            }
            Step::NoReturn => CallOutcome::NoReturn,
        };
        // A parked wait, pipe or mailslot call can complete only when the object it is parked
        // on was signaled or changed (`risen`); a call waiting for a pipe name only after a
        // call that may have made an instance listen or the name go; a sleep only by its
        // timeout.
        let names = !self.name_parked.is_empty() && (std::mem::take(&mut self.wake) || may_wake(call));
        if names || !self.risen.is_empty() {
            self.settle(names);
        }
        Ok(outcome)
    }

    /// Starts a process on behalf of the system (not by another process): parent pid 0, no
    /// inherited handles. Returns its pid and its primary thread's tid.
    ///
    /// # Panics
    ///
    /// When the id space is spent (about 2^30 processes and threads created); use
    /// [`Kernel::try_spawn`] where that can happen.
    pub fn spawn(&mut self, image: &str, command_line: &str, environment: Vec<String>) -> (Pid, Tid) {
        let cmd = if command_line.is_empty() {
            image.to_string()
        } else {
            command_line.to_string()
        };
        let image = process::image_name(image);
        let (process, thread) = self.new_process(Pid(0), image, cmd, environment, "C:\\".into(), false);
        (self.process(process).pid, self.thread(thread).tid)
    }

    /// Calls that finished after parking, oldest first, since the last call of this method.
    pub fn take_completions(&mut self) -> Vec<Completion> {
        std::mem::take(&mut self.completions)
    }

    /// The event log so far.
    pub fn events(&self) -> &[Event] {
        &self.log
    }

    /// Takes the event log, leaving it empty.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.log)
    }

    /// Turns the event log on or off (off: nothing is recorded; for speed).
    pub fn set_event_log(&mut self, enabled: bool) {
        self.log_enabled = enabled;
    }

    /// The sequence number of the last call made (0 before the first): what a row's
    /// [`Provenance::call_seq`] and a parked call's number count.
    pub fn last_call_seq(&self) -> u64 {
        self.next_call_seq
    }

    /// The virtual clock, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.time_ms
    }

    /// The thread id of a process's oldest live thread: who acts when "the process" calls.
    pub fn main_thread(&self, pid: Pid) -> Option<Tid> {
        let id = *self.cids.get(&pid.0)?;
        match &self.objects.get(id)?.body {
            Body::Process(p) => p.threads.first().map(|&t| self.thread(t).tid),
            _ => None,
        }
    }

    /// The process a thread belongs to.
    pub fn process_of_thread(&self, tid: Tid) -> Option<Pid> {
        match &self.objects.get(*self.cids.get(&tid.0)?)?.body {
            Body::Thread(t) => Some(t.pid),
            _ => None,
        }
    }

    /// Live process ids (running or exited while referenced), ascending.
    pub fn process_ids(&self) -> Vec<Pid> {
        self.cids
            .iter()
            .filter(|(_, &id)| matches!(self.objects[id].body, Body::Process(_)))
            .map(|(&pid, _)| Pid(pid))
            .collect()
    }

    /// True when `pid` names a process object that is still alive and has not exited.
    pub fn is_running(&self, pid: Pid) -> bool {
        self.cids
            .get(&pid.0)
            .is_some_and(|&id| matches!(&self.objects[id].body, Body::Process(p) if p.exit_code.is_none()))
    }

    /// Adds a file to the in-memory file system (creating its directories), as setup done
    /// outside any process. Fails on a path that is not absolute or that names a directory.
    pub fn add_file(&mut self, path: &str, content: &[u8]) -> Result<(), Win32Error> {
        self.fs.add_file(path, content)
    }

    /// Adds a directory (and its parents) to the in-memory file system.
    pub fn add_directory(&mut self, path: &str) -> Result<(), Win32Error> {
        self.fs.add_directory(path)
    }

    /// The content of a file, if it exists.
    pub fn file_content(&self, path: &str) -> Option<&[u8]> {
        self.fs.content(path)
    }

    /// Every file and directory, sorted by path.
    pub fn file_system(&self) -> Vec<FileSystemEntry> {
        self.fs.entries()
    }

    // ------------------------------------------------------------------ internal plumbing

    fn runnable(&self, tid: Tid) -> Result<Cx, CallError> {
        // The caller of the last call usually calls again: its object is remembered, and
        // trusted only while that key still holds a thread with this id (keys are versioned
        // and ids never reused, so a stale entry cannot match).
        let cached = self.last_caller.get();
        let (id, t) = match self.objects.get(cached).map(|o| &o.body) {
            Some(Body::Thread(t)) if t.tid == tid => (cached, t),
            _ => {
                let id = *self.cids.get(&tid.0).ok_or(CallError::NoSuchThread(tid))?;
                let Body::Thread(t) = &self.objects[id].body else {
                    return Err(CallError::NoSuchThread(tid));
                };
                self.last_caller.set(id);
                (id, t)
            }
        };
        if t.exit_code.is_some() {
            return Err(CallError::ThreadExited(tid));
        }
        if let Some(p) = &t.parked {
            return Err(CallError::ThreadParked {
                thread_id: tid,
                call: p.call_name.to_string(),
                call_seq: p.call_seq,
            });
        }
        if t.suspend_count > 0 {
            return Err(CallError::ThreadSuspended(tid));
        }
        Ok(Cx {
            thread: id,
            process: t.process,
            tid,
            pid: t.pid,
        })
    }

    /// [`Kernel::finish`] for a call that returned at once. A shared validation helper fails
    /// with FALSE; a call of another return type returns its own failure value from the call
    /// table (NULL, INVALID_HANDLE_VALUE, WAIT_FAILED, 0). Only failures pay for the check.
    fn finish_call(&mut self, thread: ObjectId, mut res: Res, call: &Call) -> CallResult {
        debug_assert_outputs(call.kind(), &res.out);
        if let Some(e) = res.error {
            if res.ret == Ret::Bool(false) {
                if let Some(failed) = call.kind().failure_ret() {
                    res.ret = failed;
                }
            }
            self.thread_mut(thread).last_error = e;
            return CallResult {
                ret: res.ret,
                last_error: e,
                error_set: true,
                outputs: res.out,
            };
        }
        self.finish(thread, res)
    }

    /// Applies a result's error to the thread's last error and builds the public result.
    pub(crate) fn finish(&mut self, thread: ObjectId, res: Res) -> CallResult {
        let t = self.thread_mut(thread);
        if let Some(e) = res.error {
            t.last_error = e;
        }
        CallResult {
            ret: res.ret,
            last_error: t.last_error,
            error_set: res.error.is_some(),
            outputs: res.out,
        }
    }

    pub(crate) fn log(&mut self, event: Event) {
        if self.log_enabled {
            self.log.push(event);
        }
    }

    pub(crate) fn logging(&self) -> bool {
        self.log_enabled
    }

    pub(crate) fn push_completion(&mut self, completion: Completion) {
        self.completions.push(completion);
    }

    pub(crate) fn alloc_client_id(&mut self) -> u32 {
        let id = self.next_client_id;
        self.next_client_id = self
            .next_client_id
            .checked_add(4)
            .expect("ids were checked with ensure_ids");
        id
    }

    /// Whether `n` more process or thread ids can be handed out. Ids are never reused, so
    /// after about 2^30 creations the id space is spent and creation fails with
    /// `ERROR_NO_SYSTEM_RESOURCES` (NT's client-id table full:
    /// `STATUS_INSUFFICIENT_RESOURCES`) instead of reusing one.
    pub(crate) fn ensure_ids(&self, n: u32) -> Result<(), Win32Error> {
        match self.next_client_id.checked_add(4 * n) {
            Some(_) => Ok(()),
            None => Err(Win32Error::NoSystemResources),
        }
    }

    /// `spawn` that fails instead of panicking when the id space is spent.
    pub fn try_spawn(
        &mut self,
        image: &str,
        command_line: &str,
        environment: Vec<String>,
    ) -> Result<(Pid, Tid), Win32Error> {
        if self.ensure_ids(2).is_err() {
            return Err(Win32Error::NoSystemResources);
        }
        Ok(self.spawn(image, command_line, environment))
    }

    pub(crate) fn alloc_park_seq(&mut self) -> u64 {
        self.next_park_seq += 1;
        self.next_park_seq
    }

    /// A new object with no handles and no references yet.
    pub(crate) fn new_object(&mut self, body: Body, name: Option<String>) -> ObjectId {
        let address = Address(self.next_address);
        // 64-bit addresses: unique for 2^56 objects, far beyond any run.
        self.next_address += 0x100;
        let kind = body.kind();
        // The log gets its own copy of the name only when it is on.
        let (name, logged) = if self.log_enabled {
            (name.as_deref().map(Box::from), name)
        } else {
            (name.map(String::into_boxed_str), None)
        };
        let id = self.objects.insert(Object {
            address,
            usage_count: 0,
            handle_count: 0,
            name,
            body,
        });
        if self.log_enabled {
            self.log(Event::ObjectCreated {
                object: address,
                kind,
                name: logged,
            });
        }
        id
    }

    pub(crate) fn obj(&self, id: ObjectId) -> &Object {
        &self.objects[id]
    }

    pub(crate) fn process(&self, id: ObjectId) -> &ProcessObj {
        match &self.objects[id].body {
            Body::Process(p) => p,
            other => panic!("object is a {:?}, not a process", other.kind()),
        }
    }

    pub(crate) fn process_mut(&mut self, id: ObjectId) -> &mut ProcessObj {
        match &mut self.objects[id].body {
            Body::Process(p) => p,
            other => panic!("object is a {:?}, not a process", other.kind()),
        }
    }

    pub(crate) fn thread(&self, id: ObjectId) -> &ThreadObj {
        match &self.objects[id].body {
            Body::Thread(t) => t,
            other => panic!("object is a {:?}, not a thread", other.kind()),
        }
    }

    pub(crate) fn thread_mut(&mut self, id: ObjectId) -> &mut ThreadObj {
        match &mut self.objects[id].body {
            Body::Thread(t) => t,
            other => panic!("object is a {:?}, not a thread", other.kind()),
        }
    }

    /// Changes an object's counts, logs why, and destroys it at usage count zero. Always
    /// inlined: a row's constant deltas then fold into plain increments and decrements (left
    /// to the compiler, it stayed a call: 38 instructions more a CreateEvent + CloseHandle
    /// pair, 59 a DuplicateHandle + CloseHandle pair).
    #[inline(always)]
    pub(crate) fn bump(&mut self, id: ObjectId, handle_delta: i32, usage_delta: i32, why: Why) {
        if self.tracking {
            self.touched_objects.push(id);
        }
        let obj = &mut self.objects[id];
        obj.handle_count = obj
            .handle_count
            .checked_add_signed(handle_delta)
            .expect("handle count underflow");
        obj.usage_count = obj
            .usage_count
            .checked_add_signed(usage_delta)
            .expect("usage count underflow");
        let (object, usage_count, handle_count) = (obj.address, obj.usage_count, obj.handle_count);
        if self.log_enabled {
            self.log(Event::CountChanged {
                object,
                usage_count,
                handle_count,
                delta: usage_delta,
                why,
            });
        }
        if usage_count == 0 {
            self.destroy(id);
        }
    }

    /// Fails with `ERROR_NO_SYSTEM_RESOURCES` unless `process`'s table has `n` free rows.
    pub(crate) fn ensure_rows(&self, process: ObjectId, n: usize) -> Result<(), Win32Error> {
        if self.process(process).handles.len() + n <= MAX_HANDLES_PER_PROCESS {
            Ok(())
        } else {
            Err(Win32Error::NoSystemResources)
        }
    }

    /// Registers a row in the lowest free slot of `process`'s table (space checked by the
    /// caller with [`Kernel::ensure_rows`]).
    pub(crate) fn add_row(
        &mut self,
        process: ObjectId,
        object: ObjectId,
        access: u32,
        flags: HandleFlags,
        origin: Origin,
    ) -> HandleValue {
        let provenance = self.provenance(origin);
        let entry = HandleEntry {
            object,
            access,
            flags,
            provenance,
        };
        let value = self
            .process_mut(process)
            .handles
            .insert(entry)
            .expect("row space was checked");
        self.row_added(process, value, entry, why_of(origin));
        value
    }

    /// Registers a row at a given value (inheritance keeps the parent's values); `entry`
    /// carries its provenance.
    pub(crate) fn add_row_at(&mut self, process: ObjectId, value: HandleValue, entry: HandleEntry) {
        self.process_mut(process).handles.insert_at(value, entry);
        self.row_added(process, value, entry, why_of(entry.provenance.origin));
    }

    /// The current call's sequence number.
    pub(crate) fn call_seq(&self) -> u64 {
        self.next_call_seq
    }

    /// The provenance of a row the current call makes.
    pub(crate) fn provenance(&self, origin: Origin) -> Provenance {
        Provenance {
            origin,
            call_seq: self.next_call_seq,
        }
    }

    /// The origin of a row whose object the current call created.
    pub(crate) fn created(&self) -> Origin {
        Origin::Created {
            call: self.current_call,
        }
    }

    /// The origin of a row the current call opened to an existing object.
    pub(crate) fn opened(&self) -> Origin {
        Origin::Opened {
            call: self.current_call,
        }
    }

    /// Always inlined, as is [`Kernel::remove_row`]: 20 instructions less a create-and-close
    /// pair each (measured); `add_row` itself is left to the compiler (forcing it saves 25 on
    /// CreateEvent but costs 17 on DuplicateHandle).
    #[inline(always)]
    fn row_added(&mut self, process: ObjectId, handle: HandleValue, entry: HandleEntry, why: Why) {
        if self.tracking {
            self.touched_rows.push((process, handle));
        }
        if self.log_enabled {
            let process_id = self.process(process).pid;
            let object = self.objects[entry.object].address;
            self.log(Event::RowAdded {
                process_id,
                handle,
                object,
                access: entry.access,
                inherit: entry.inherit(),
                why,
            });
        }
        self.bump(entry.object, 1, 1, why);
    }

    /// Removes a row and drops the object's counts (destroying it at zero).
    #[inline(always)]
    pub(crate) fn remove_row(&mut self, process: ObjectId, value: HandleValue, why: Why) -> Option<HandleEntry> {
        let entry = self.process_mut(process).handles.remove(value)?;
        self.row_removed(process, value, entry, why);
        Some(entry)
    }

    /// What follows a row's removal from `process`'s table: the touched set, the log, and the
    /// object's counts (destroying it at zero).
    #[inline(always)]
    fn row_removed(&mut self, process: ObjectId, value: HandleValue, entry: HandleEntry, why: Why) {
        let handle = value.canonical();
        if self.tracking {
            self.touched_rows.push((process, handle));
        }
        if self.log_enabled {
            let process_id = self.process(process).pid;
            let object = self.objects[entry.object].address;
            self.log(Event::RowRemoved {
                process_id,
                handle,
                object,
                why,
            });
        }
        self.bump(entry.object, -1, -1, why);
    }

    /// Tears an object down once its usage count is zero.
    fn destroy(&mut self, id: ObjectId) {
        let obj = self.objects.remove(id).expect("destroying a live object");
        if self.log_enabled {
            self.log(Event::ObjectDestroyed {
                object: obj.address,
                kind: obj.kind(),
            });
        }
        // Every arm takes its body by value, so no drop over every kind runs afterwards.
        let named = match obj.body {
            Body::Process(p) => {
                self.cids.remove(&p.pid.0);
                false
            }
            Body::Thread(t) => {
                self.cids.remove(&t.tid.0);
                false
            }
            Body::Event(_event) => true,
            Body::Semaphore(_semaphore) => true,
            Body::Mutex(m) => {
                self.mutex_destroyed(id, &m);
                true
            }
            Body::Pipe(end) => {
                self.rise(id);
                self.pipe_end_destroyed(id, obj.address, *end);
                false
            }
            Body::Mailslot(slot) => {
                self.rise(id);
                self.mailslot_destroyed(obj.address, *slot);
                false
            }
            Body::File(f) => {
                self.fs.closed(&f.key, id);
                false
            }
            Body::MailslotClient(_client) => false,
            Body::Snapshot(_snapshot) => false,
        };
        if let (true, Some(name)) = (named, obj.name) {
            if self.named.get(&*name) == Some(&id) {
                self.named.remove(&*name);
                self.log(Event::NameRemoved { name: name.into() });
            }
        }
    }

    // ------------------------------------------------------------------ handle resolution

    /// Resolves a handle value in the caller's process: pseudo handles mean the caller with
    /// full access; anything else must be a row of the caller's table.
    pub(crate) fn resolve(&self, cx: Cx, h: HandleValue) -> Result<(ObjectId, u32), Win32Error> {
        self.resolve_in(cx.process, cx.thread, h)
    }

    /// Resolves `h` as `process` sees it (`thread` is what -2 means).
    pub(crate) fn resolve_in(
        &self,
        process: ObjectId,
        thread: ObjectId,
        h: HandleValue,
    ) -> Result<(ObjectId, u32), Win32Error> {
        if h == HandleValue::CURRENT_PROCESS {
            return Ok((process, PROCESS_ALL_ACCESS));
        }
        if h == HandleValue::CURRENT_THREAD {
            return Ok((thread, THREAD_ALL_ACCESS));
        }
        let entry = self
            .process(process)
            .handles
            .use_row(h, self.next_call_seq)
            .ok_or(Win32Error::InvalidHandle)?;
        Ok((entry.object, entry.access))
    }

    /// Resolves a handle that must name an object of `kind` (else `ERROR_INVALID_HANDLE`).
    pub(crate) fn resolve_kind(&self, cx: Cx, h: HandleValue, kind: ObjectKind) -> Result<(ObjectId, u32), Res> {
        let (id, access) = self.resolve(cx, h).map_err(Res::no)?;
        if self.objects[id].kind() == kind {
            Ok((id, access))
        } else {
            Err(Res::no(Win32Error::InvalidHandle))
        }
    }

    /// A file-system request (a pipe or mailslot control or information call) in NT's order
    /// (nt-pipe-rules §1, §3): the handle must name a file object (else
    /// `ERROR_INVALID_HANDLE`, an object-type mismatch); the I/O manager then checks `needed`
    /// access (`ERROR_ACCESS_DENIED`); a file object of another file system does not implement
    /// the request (`ERROR_INVALID_FUNCTION`).
    pub(crate) fn resolve_fs_request(
        &self,
        cx: Cx,
        h: HandleValue,
        kind: ObjectKind,
        needed: u32,
    ) -> Result<(ObjectId, u32), Res> {
        let (id, access) = self.resolve(cx, h).map_err(Res::no)?;
        match self.objects[id].kind() {
            ObjectKind::Process
            | ObjectKind::Thread
            | ObjectKind::Event
            | ObjectKind::Mutex
            | ObjectKind::Semaphore
            | ObjectKind::Snapshot => return Err(Res::no(Win32Error::InvalidHandle)),
            ObjectKind::Pipe | ObjectKind::Mailslot | ObjectKind::MailslotClient | ObjectKind::File => {}
        }
        if access & needed != needed {
            return Err(Res::no(Win32Error::AccessDenied));
        }
        if self.objects[id].kind() != kind {
            return Err(Res::no(Win32Error::InvalidFunction));
        }
        Ok((id, access))
    }

    /// The std-handle constants (-10, -11, -12) mean the process's std handles to
    /// `CloseHandle`, `DuplicateHandle` and the waits (kernel32 translates them, spec §1.4).
    pub(crate) fn translate_std(&self, process: ObjectId, h: HandleValue) -> HandleValue {
        match std_slot(h.0) {
            Some(slot) => self.process(process).std_handles[slot],
            None => h,
        }
    }

    // ------------------------------------------------------------------ dispatch

    // ------------------------------------------------------------------ small calls
    // (the dispatch itself is generated from the call table in `call.rs`)

    pub(crate) fn get_current_process(&self) -> Res {
        Res::ok(Ret::Handle(HandleValue::CURRENT_PROCESS))
    }

    pub(crate) fn get_current_thread(&self) -> Res {
        Res::ok(Ret::Handle(HandleValue::CURRENT_THREAD))
    }

    pub(crate) fn get_last_error(&self, cx: Cx) -> Res {
        Res::ok(Ret::Dword(self.thread(cx.thread).last_error.code()))
    }

    pub(crate) fn set_last_error(&self, error: Win32Error) -> Res {
        Res {
            ret: Ret::Void,
            error: Some(error),
            out: Outs::None,
        }
    }

    pub(crate) fn exit_process_call(&mut self, cx: Cx, exit_code: u32) -> Step {
        self.exit_process(cx.process, exit_code);
        Step::NoReturn
    }

    /// A write through a `NULL` buffer: user-mode code faults, nothing handles the access
    /// violation, and the process ends with `STATUS_ACCESS_VIOLATION` (the default handling
    /// of an unhandled exception). The call never returns.
    pub(crate) fn null_buffer_fault(&mut self, cx: Cx, call: crate::call::CallName) -> Step {
        self.log(Event::AccessViolation {
            thread_id: cx.tid,
            process_id: cx.pid,
            call: call.as_str().into(),
        });
        self.exit_process(cx.process, crate::consts::STATUS_ACCESS_VIOLATION);
        Step::NoReturn
    }

    pub(crate) fn exit_thread_call(&mut self, cx: Cx, exit_code: u32) -> Step {
        self.exit_thread(cx.thread, exit_code);
        Step::NoReturn
    }

    /// The ANSI code page the A functions use (default 949).
    pub fn code_page(&self) -> crate::codepage::CodePage {
        self.code_page
    }

    /// Sets the ANSI code page the A functions use (a machine setting: set it before the run).
    pub fn set_code_page(&mut self, code_page: crate::codepage::CodePage) {
        self.code_page = code_page;
    }

    /// `GetCommandLineA`: the command line as the code page has it.
    pub(crate) fn get_command_line_a(&self, cx: Cx) -> Res {
        let text = self
            .code_page
            .to_ansi(&self.process(cx.process).command_line)
            .into_owned();
        Res::ok(Ret::Void).out(|o| o.text = Some(text))
    }

    /// `GetEnvironmentVariableA`: the W rules (spec §8) with lengths in bytes of the code page:
    /// found with B bytes and `size > B`, B and the text; `size <= B`, B + 1 and the buffer
    /// untouched; missing, 0 and 203. A `NULL` buffer faults only where the text is copied (the
    /// A version leaves the buffer alone otherwise).
    pub(crate) fn get_environment_variable_a(&mut self, cx: Cx, name: &str, size: u32, null_buffer: bool) -> Step {
        let cp = self.code_page;
        let name = cp.to_ansi(name);
        let (ret, text, error) = match env::get(&self.process(cx.process).environment, &name, u32::MAX) {
            (_, Some(value), None) => {
                let bytes = u32::try_from(cp.byte_len(&value)).unwrap_or(u32::MAX);
                if size > bytes {
                    (bytes, Some(cp.to_ansi(&value).into_owned()), None)
                } else {
                    (bytes.saturating_add(1), None, None)
                }
            }
            other => other,
        };
        if null_buffer && text.is_some() {
            return self.null_buffer_fault(cx, crate::call::CallName::GetEnvironmentVariableA);
        }
        text_result((ret, text, error)).into()
    }

    /// `SetEnvironmentVariableA`: the A caller's text, then the W rules.
    pub(crate) fn set_environment_variable_a(&mut self, cx: Cx, name: &str, value: Option<&str>) -> Res {
        let cp = self.code_page;
        let value = value.map(|v| cp.to_ansi(v));
        self.set_environment_variable(cx, &cp.to_ansi(name), value.as_deref())
    }

    /// `ExpandEnvironmentStringsA`: the size needed is the result's bytes in the code page plus
    /// the NUL; the A function wants one byte more than that, and reports the size needed plus
    /// one when the buffer is too small (spec §8 and table row 25: Windows XP SP2 and later; MS
    /// "ExpandEnvironmentStringsA": "the string length, plus terminating null character, plus
    /// one"). A result over the W function's 32K limit is counted as W counts it [choice].
    ///
    /// A `NULL` buffer with a size: the A function converts into the caller's buffer with
    /// `WideCharToMultiByte`, which refuses a `NULL` buffer with a non-zero size, so the call
    /// reports the too-small answer with `ERROR_INVALID_PARAMETER` ([choice] from Wine 8.0,
    /// which gives 87 for every such call; Windows is not recorded).
    pub(crate) fn expand_environment_strings_a(&self, cx: Cx, src: &str, size: u32, null_buffer: bool) -> Res {
        if null_buffer && size > 0 {
            let too_small = self.expand_environment_strings_a(cx, src, 0, false);
            return Res {
                error: Some(Win32Error::InvalidParameter),
                ..too_small
            };
        }
        let cp = self.code_page;
        let block = &self.process(cx.process).environment;
        let (units, text, _) = env::expand(block, &cp.to_ansi(src), env::MAX_EXPAND_UNITS as u32);
        let Some(text) = text else {
            return text_result((units, None, Some(Win32Error::InsufficientBuffer)));
        };
        let needed = u32::try_from(cp.byte_len(&text)).unwrap_or(u32::MAX).saturating_add(1);
        if size > needed {
            text_result((needed, Some(cp.to_ansi(&text).into_owned()), None))
        } else {
            text_result((needed.saturating_add(1), None, Some(Win32Error::InsufficientBuffer)))
        }
    }

    /// `CreateProcessA`: the A caller's texts, then `CreateProcess`.
    pub(crate) fn create_process_a(&mut self, cx: Cx, args: &CreateProcessArgs) -> Res {
        let cp = self.code_page;
        let conv = |s: &Option<String>| s.as_ref().map(|s| cp.to_ansi(s).into_owned());
        let args = CreateProcessArgs {
            application_name: conv(&args.application_name),
            command_line: conv(&args.command_line),
            current_directory: conv(&args.current_directory),
            environment: args
                .environment
                .as_ref()
                .map(|block| block.iter().map(|e| cp.to_ansi(e).into_owned()).collect()),
            ..args.clone()
        };
        self.create_process(cx, &args)
    }

    pub(crate) fn get_command_line(&self, cx: Cx) -> Res {
        let text = self.process(cx.process).command_line.clone();
        Res::ok(Ret::Void).out(|o| o.text = Some(text))
    }

    pub(crate) fn get_std_handle(&self, cx: Cx, std_handle: u32) -> Res {
        match std_slot(std_handle) {
            Some(slot) => Res::ok(Ret::Handle(self.process(cx.process).std_handles[slot])),
            None => Res::fail(Ret::Handle(HandleValue::INVALID), Win32Error::InvalidHandle),
        }
    }

    pub(crate) fn set_std_handle(&mut self, cx: Cx, std_handle: u32, handle: HandleValue) -> Res {
        match std_slot(std_handle) {
            Some(slot) => {
                self.process_mut(cx.process).std_handles[slot] = handle;
                Res::yes()
            }
            None => Res::no(Win32Error::InvalidHandle),
        }
    }

    /// `GetEnvironmentVariableW`. A `NULL` buffer with a size faults where the value is
    /// copied (found and `size > L`); a size too small or a missing name writes nothing, as
    /// Wine 8.0 shows ([choice]: Vista's `buf[0] = 0` on a short buffer is not modelled).
    pub(crate) fn get_environment_variable(&mut self, cx: Cx, name: &str, size: u32, null_buffer: bool) -> Step {
        let result = env::get(&self.process(cx.process).environment, name, size);
        if null_buffer && result.1.is_some() {
            return self.null_buffer_fault(cx, crate::call::CallName::GetEnvironmentVariable);
        }
        text_result(result).into()
    }

    pub(crate) fn get_environment_strings(&self, cx: Cx) -> Res {
        let block = self.process(cx.process).environment.clone();
        Res::ok(Ret::Void).out(|o| o.environment = Some(block))
    }

    pub(crate) fn set_environment_strings(&mut self, cx: Cx, environment: &[String]) -> Res {
        if let Err(e) = env::validate_block(environment) {
            return Res::no(e);
        }
        self.process_mut(cx.process).environment = environment.to_vec();
        if self.log_enabled {
            for entry in environment {
                let (name, value) = env::split(entry);
                let e = Event::EnvironmentChanged {
                    process_id: cx.pid,
                    name: name.into(),
                    value: Some(value.into()),
                };
                self.log(e);
            }
        }
        Res::yes()
    }

    /// `ExpandEnvironmentStringsW`. A `NULL` destination counts as a buffer of size 0 ([choice]
    /// from Wine 8.0, where `ExpandEnvironmentStringsW(src, NULL, 10)` returns the size needed
    /// and does not fault; Windows is not recorded).
    pub(crate) fn expand_environment_strings(&self, cx: Cx, src: &str, size: u32, null_buffer: bool) -> Res {
        let size = if null_buffer { 0 } else { size };
        text_result(env::expand(&self.process(cx.process).environment, src, size))
    }

    // ------------------------------------------------------------------ handle calls

    /// `CloseHandle` (spec §1.3, §1.4).
    pub(crate) fn close_handle(&mut self, cx: Cx, handle: HandleValue) -> Res {
        if let Some(slot) = std_slot(handle.0) {
            // kernelbase takes the std handle out of the process parameters, then closes it.
            let real = self.process(cx.process).std_handles[slot];
            self.process_mut(cx.process).std_handles[slot] = HandleValue::NULL;
            return self.close_handle(cx, real);
        }
        if handle.is_pseudo() {
            return Res::yes();
        }
        // One lookup of the caller's table for the check and the removal.
        let table = &mut self.process_mut(cx.process).handles;
        let entry = match table.get(handle) {
            Some(e) if !e.protect_from_close() => table.remove(handle).expect("the row was just found"),
            _ => return Res::no(Win32Error::InvalidHandle),
        };
        if !self.name_parked.is_empty() && self.objects[entry.object].kind().is_file_object() {
            self.wake = true;
        }
        self.row_removed(cx.process, handle, entry, Why::Close);
        Res::yes()
    }

    /// `GetHandleInformation` (spec §1.3).
    pub(crate) fn get_handle_information(&self, cx: Cx, handle: HandleValue) -> Res {
        if handle == HandleValue::CURRENT_PROCESS || handle == HandleValue::CURRENT_THREAD {
            return Res::yes().out1(OutputField::Flags, 0);
        }
        match self.process(cx.process).handles.use_row(handle, self.next_call_seq) {
            Some(e) => {
                let flags = e.flags.bits();
                Res::yes().out1(OutputField::Flags, flags)
            }
            None => Res::no(Win32Error::InvalidHandle),
        }
    }

    /// `SetHandleInformation`: changes only the masked bits; unknown bits are ignored.
    pub(crate) fn set_handle_information(&mut self, cx: Cx, handle: HandleValue, mask: u32, flags: u32) -> Res {
        if handle.is_pseudo() {
            return Res::no(Win32Error::AccessDenied);
        }
        let (mask, flags) = (HandleFlags::from_bits(mask), HandleFlags::from_bits(flags));
        let Some(entry) = self
            .process(cx.process)
            .handles
            .use_row(handle, self.next_call_seq)
            .copied()
        else {
            return Res::no(Win32Error::InvalidHandle);
        };
        let after = entry.flags.with(mask, flags);
        self.process_mut(cx.process).handles.update(handle, |e| e.flags = after);
        if self.log_enabled {
            let object = self.objects[entry.object].address;
            self.log(Event::FlagsChanged {
                process_id: cx.pid,
                handle: handle.canonical(),
                object,
                inherit: after.contains(HandleFlags::INHERIT),
                protect_from_close: after.contains(HandleFlags::PROTECT_FROM_CLOSE),
                before: entry.flags.bits(),
            });
        }
        Res::yes()
    }

    /// `GetProcessId(Process)`: needs query access.
    pub(crate) fn get_process_id(&self, cx: Cx, process: HandleValue) -> Res {
        let (id, access) = match self.resolve_kind(cx, process, ObjectKind::Process) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if access & PROCESS_QUERY_RIGHTS == 0 {
            return Res::fail(Ret::Dword(0), Win32Error::AccessDenied);
        }
        Res::ok(Ret::Dword(self.process(id).pid.0))
    }

    /// `GetThreadId` (`of_process` false) and `GetProcessIdOfThread` (true): the thread
    /// object's id or its process's, with query access as `GetProcessId` needs (MS docs:
    /// `THREAD_QUERY_INFORMATION` or `THREAD_QUERY_LIMITED_INFORMATION`). -2 is the caller.
    pub(crate) fn get_thread_id(&self, cx: Cx, thread: HandleValue, of_process: bool) -> Res {
        let (id, access) = match self.resolve_kind(cx, thread, ObjectKind::Thread) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if access & THREAD_QUERY_RIGHTS == 0 {
            return Res::fail(Ret::Dword(0), Win32Error::AccessDenied);
        }
        let t = self.thread(id);
        Res::ok(Ret::Dword(if of_process { t.pid.0 } else { t.tid.0 }))
    }

    // ------------------------------------------------------------------ environment

    pub(crate) fn set_environment_variable(&mut self, cx: Cx, name: &str, value: Option<&str>) -> Res {
        match env::set(&mut self.process_mut(cx.process).environment, name, value) {
            Ok(()) => {
                self.log(Event::EnvironmentChanged {
                    process_id: cx.pid,
                    name: name.to_string(),
                    value: value.map(str::to_string),
                });
                Res::yes()
            }
            Err(e) => Res::no(e),
        }
    }
}

/// The result of a call that returns a length and fills a text buffer (the environment
/// calls' `(ret, text, error)` rules from `env.rs`).
fn text_result((ret, text, error): (u32, Option<String>, Option<Win32Error>)) -> Res {
    Res {
        ret: Ret::Dword(ret),
        error,
        out: Outs::Heap(Box::new(Heap::Set(Box::new(Outputs {
            text,
            ..Outputs::default()
        })))),
    }
}

/// The event-log reason of a row's origin.
fn why_of(origin: Origin) -> Why {
    match origin {
        Origin::Created { .. } => Why::Create,
        Origin::Opened { .. } => Why::Open,
        Origin::Inherited { .. } => Why::Inherit,
        Origin::Duplicated { .. } => Why::Duplicate,
    }
}

/// Index into `std_handles` for `STD_INPUT/OUTPUT/ERROR_HANDLE`.
pub(crate) fn std_slot(value: u32) -> Option<usize> {
    match value {
        STD_INPUT_HANDLE => Some(0),
        STD_OUTPUT_HANDLE => Some(1),
        STD_ERROR_HANDLE => Some(2),
        _ => None,
    }
}

/// Masks of rights the checks test for "any of these", as numbers (the unions they stand for
/// are beside each; `rights_masks_are_the_unions_of_their_rights` checks them).
///
/// `PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION`: either allows a query.
pub(crate) const PROCESS_QUERY_RIGHTS: u32 = 0x1400;
/// `THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION`.
pub(crate) const THREAD_QUERY_RIGHTS: u32 = 0x0840;
/// `FILE_READ_DATA | FILE_EXECUTE`: the rights a read-sharing check looks at.
pub(crate) const FILE_READ_RIGHTS: u32 = 0x0021;
/// `FILE_WRITE_DATA | FILE_APPEND_DATA`: either allows writing.
pub(crate) const FILE_WRITE_RIGHTS: u32 = 0x0006;
/// `GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED`: the bits
/// the generic mapping replaces.
pub(crate) const GENERIC_RIGHTS: u32 = 0xF200_0000;
/// `GENERIC_ALL | MAXIMUM_ALLOWED`: either asks for every right of the type.
pub(crate) const EVERY_RIGHT: u32 = 0x1200_0000;
/// `SYNCHRONIZE | FILE_READ_ATTRIBUTES`: what kernel32's `CreateFileW` adds to every open.
pub(crate) const CREATE_FILE_ADDED_RIGHTS: u32 = 0x0010_0080;

/// An object type's generic mapping (NT's `GENERIC_MAPPING`): the specific rights that
/// `GENERIC_READ`, `GENERIC_WRITE`, `GENERIC_EXECUTE` and `GENERIC_ALL` stand for, one per
/// object type as NT keeps it. Written as numbers, as the SDK's tables are printed (the
/// unions they stand for are beside each, and a test checks each number against its union:
/// `generic_mappings_are_the_unions_of_their_rights`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GenericMapping {
    pub read: u32,
    pub write: u32,
    pub execute: u32,
    pub all: u32,
}

/// read: `READ_CONTROL | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION`; write: `READ_CONTROL`
/// with `CREATE_THREAD`, `VM_OPERATION`, `VM_WRITE`, `DUP_HANDLE`, `CREATE_PROCESS`,
/// `SET_QUOTA`, `SET_INFORMATION`, `SUSPEND_RESUME`; execute: `READ_CONTROL | SYNCHRONIZE |
/// PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE`; all: `PROCESS_ALL_ACCESS`.
pub(crate) const PROCESS_MAPPING: GenericMapping = GenericMapping {
    read: 0x0002_0410,
    write: 0x0002_0BEA,
    execute: 0x0012_1001,
    all: 0x001F_FFFF,
};

/// read: `READ_CONTROL | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION`; write:
/// `READ_CONTROL | THREAD_TERMINATE | THREAD_SUSPEND_RESUME | THREAD_SET_INFORMATION |
/// THREAD_SET_CONTEXT`; execute: `READ_CONTROL | SYNCHRONIZE |
/// THREAD_QUERY_LIMITED_INFORMATION`; all: `THREAD_ALL_ACCESS`.
pub(crate) const THREAD_MAPPING: GenericMapping = GenericMapping {
    read: 0x0002_0048,
    write: 0x0002_0033,
    execute: 0x0012_0800,
    all: 0x001F_FFFF,
};

/// read: `READ_CONTROL | EVENT_QUERY_STATE`; write: `READ_CONTROL | EVENT_MODIFY_STATE`;
/// execute: `READ_CONTROL | SYNCHRONIZE`; all: `EVENT_ALL_ACCESS`.
pub(crate) const EVENT_MAPPING: GenericMapping = GenericMapping {
    read: 0x0002_0001,
    write: 0x0002_0002,
    execute: 0x0012_0000,
    all: 0x001F_0003,
};

/// read: `READ_CONTROL | MUTANT_QUERY_STATE`; write: `READ_CONTROL`; execute:
/// `READ_CONTROL | SYNCHRONIZE`; all: `MUTEX_ALL_ACCESS`.
pub(crate) const MUTEX_MAPPING: GenericMapping = GenericMapping {
    read: 0x0002_0001,
    write: 0x0002_0000,
    execute: 0x0012_0000,
    all: 0x001F_0001,
};

/// read: `READ_CONTROL | SEMAPHORE_QUERY_STATE`; write: `READ_CONTROL |
/// SEMAPHORE_MODIFY_STATE`; execute: `READ_CONTROL | SYNCHRONIZE`; all:
/// `SEMAPHORE_ALL_ACCESS`.
pub(crate) const SEMAPHORE_MAPPING: GenericMapping = GenericMapping {
    read: 0x0002_0001,
    write: 0x0002_0002,
    execute: 0x0012_0000,
    all: 0x001F_0003,
};

/// A toolhelp snapshot (a section object underneath): read `READ_CONTROL | 0x4`, write
/// `READ_CONTROL | 0x2`, execute `READ_CONTROL | 0x8`, all `0x000F_001F`.
pub(crate) const SNAPSHOT_MAPPING: GenericMapping = GenericMapping {
    read: 0x0002_0004,
    write: 0x0002_0002,
    execute: 0x0002_0008,
    all: 0x000F_001F,
};

/// Pipes, mailslots and files are file objects: the file type's mapping.
pub(crate) const FILE_MAPPING: GenericMapping = GenericMapping {
    read: FILE_GENERIC_READ,
    write: FILE_GENERIC_WRITE,
    execute: FILE_GENERIC_EXECUTE,
    all: FILE_ALL_ACCESS,
};

/// Maps generic and implied rights to the specific rights of `kind` (the object type's
/// generic mapping, spec §9 for the implied query-limited rights).
pub(crate) fn map_access(kind: ObjectKind, access: u32) -> u32 {
    let GenericMapping {
        read,
        write,
        execute,
        all,
    } = match kind {
        ObjectKind::Process => PROCESS_MAPPING,
        ObjectKind::Thread => THREAD_MAPPING,
        ObjectKind::Event => EVENT_MAPPING,
        ObjectKind::Mutex => MUTEX_MAPPING,
        ObjectKind::Semaphore => SEMAPHORE_MAPPING,
        ObjectKind::Snapshot => SNAPSHOT_MAPPING,
        ObjectKind::Pipe | ObjectKind::Mailslot | ObjectKind::MailslotClient | ObjectKind::File => FILE_MAPPING,
    };
    let mut mapped = access & !GENERIC_RIGHTS;
    if access & GENERIC_READ != 0 {
        mapped |= read;
    }
    if access & GENERIC_WRITE != 0 {
        mapped |= write;
    }
    if access & GENERIC_EXECUTE != 0 {
        mapped |= execute;
    }
    if access & EVERY_RIGHT != 0 {
        mapped |= all;
    }
    match kind {
        ObjectKind::Process => {
            if mapped & PROCESS_QUERY_INFORMATION != 0 {
                mapped |= PROCESS_QUERY_LIMITED_INFORMATION;
            }
            if mapped & PROCESS_SET_INFORMATION != 0 {
                mapped |= 0x2000; // PROCESS_SET_LIMITED_INFORMATION
            }
            mapped & PROCESS_ALL_ACCESS
        }
        ObjectKind::Thread => {
            if mapped & THREAD_QUERY_INFORMATION != 0 {
                mapped |= THREAD_QUERY_LIMITED_INFORMATION;
            }
            if mapped & THREAD_SET_INFORMATION != 0 {
                mapped |= 0x0400; // THREAD_SET_LIMITED_INFORMATION
            }
            mapped & THREAD_ALL_ACCESS
        }
        ObjectKind::Event
        | ObjectKind::Mutex
        | ObjectKind::Semaphore
        | ObjectKind::Snapshot
        | ObjectKind::Pipe
        | ObjectKind::Mailslot
        | ObjectKind::MailslotClient
        | ObjectKind::File => mapped,
    }
}

/// Debug builds check every result against the call table's `outputs` list, so the list the
/// schema and the loader show cannot fall behind what the semantics fill.
pub(crate) fn debug_assert_outputs(call: CallName, out: &Outs) {
    if cfg!(debug_assertions) {
        for (field, _) in out.get().iter() {
            assert!(
                call.outputs().contains(&field),
                "{call} filled `{field}`, which its entry in the call table does not list"
            );
        }
    }
}
