//! A reference model of handle tables and usage counts, deliberately simple and separate from
//! the kernel: plain maps, written from the spec (§1-§5, §8, §9) and MS's pages on the
//! synchronisation objects and access rights rather than from the kernel's code. It knows a
//! handle-centric subset of calls and predicts, call by call, the return value, the last
//! error, the out-parameters it knows, which parked calls complete, every table row, every
//! object's counts and the process ids:
//!
//! * handles: `CloseHandle`, `SetHandleInformation`, `DuplicateHandle` (every option, generic
//!   rights mapped per type, reduced access), pseudo handles (its own -1 ... -6 test) and
//!   tagged values (the two low bits ignored);
//! * events (manual and auto-reset, `SetEvent`, `ResetEvent`), mutexes and semaphores in one
//!   namespace with `Open*`, `ReleaseMutex`, `ReleaseSemaphore`; zero-timeout
//!   `WaitForSingleObject` and `WaitForMultipleObjects` (any and all) that consume;
//! * processes: `CreateProcess` (inheritance, handle lists with pseudo and bad entries, no
//!   image, environment copied, ids), `OpenProcess`, `ExitProcess` and `ExitThread` of the
//!   only thread with mutex abandonment, `TerminateProcess`, `GetExitCodeProcess`,
//!   `GetExitCodeThread`, `GetProcessId`, `GetThreadId`, `GetProcessIdOfThread`,
//!   `SuspendThread` / `ResumeThread` (counts, the
//!   127 limit, ended threads; a suspended process makes no calls);
//! * pipes (`pipe.rs`): anonymous pipes in both directions and named pipe instances
//!   (`CreateNamedPipe`, client `CreateFile`, `ConnectNamedPipe`, `DisconnectNamedPipe`, the
//!   §6.3 state machine), `ReadFile` / `WriteFile` (quotas, pending writes and their
//!   completion, message read mode and `ERROR_MORE_DATA`, 109 / 232 / 233 / 536),
//!   `PeekNamedPipe`, `SetNamedPipeHandleState`, `GetNamedPipeHandleState`,
//!   `GetNamedPipeInfo`, `PIPE_NOWAIT`;
//! * mailslots (`mailslot.rs`): `CreateMailslot` with size limits, client opens, one
//!   message per read, 122 that keeps the message, 121 when empty, 87 above the limit, 232
//!   once the mailslot is gone, a server end that cannot write, `GetMailslotInfo`;
//! * environment: `SetEnvironmentVariable` / `GetEnvironmentVariable` (case as NT upper-cases
//!   names, limits, sizes), `ExpandEnvironmentStrings` (references, unknown names, sizes).
//!
//! [`run_reference`] compares it with the kernel after every call.

use crate::driver::resolve_handle;
use crate::ops::RefOp;
use crate::property::{may_change_on_failure, Check, Property, PropertyFailure};
use crate::record::{call_or_record_panic, Record, Recorder};
use kernsim_kernel::consts::*;
use kernsim_kernel::*;
use std::collections::BTreeMap;

mod mailslot;
mod pipe;
use pipe::Pipe;

/// What the model knows of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Obj {
    kind: ObjectKind,
    name: Option<String>,
    /// A running process or thread holds one reference on itself.
    running: bool,
    /// For a process: its pid and thread object.
    pid: Option<u32>,
    thread: Option<u32>,
    /// What a wait sees.
    state: State,
    /// A process's exit code (`STILL_ACTIVE` while it runs).
    exit_code: u32,
    /// A thread's suspend count (a suspended thread makes no calls).
    suspend: u32,
    /// For a thread: its tid and its process's pid.
    thread_ids: Option<(u32, u32)>,
}

/// The waitable state of an event, a mutex or a semaphore (processes and threads are
/// signaled once they stop running, pipe ends always).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Plain,
    /// An event: a satisfied wait resets an auto-reset one (MS "Event Objects").
    Event {
        signaled: bool,
        manual: bool,
    },
    /// Owned by the (only) thread of process `owner`, `recursion` times.
    Mutex {
        owner: Option<u32>,
        recursion: u32,
        abandoned: bool,
    },
    Semaphore {
        count: u32,
        maximum: u32,
    },
    /// Never signaled: a pipe client end a `DisconnectNamedPipe` cut off (spec §6.3: "the
    /// client handle is not signaled").
    Unsignaled,
}

/// A row: object address, access, inherit, protect, and how it came to be (its
/// provenance's origin: which call created or opened it, the parent it was inherited from,
/// the process and row it was duplicated from).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Row {
    object: u32,
    access: u32,
    inherit: bool,
    protect: bool,
    origin: Origin,
}

const fn created(call: CallName) -> Origin {
    Origin::Created { call }
}

/// What the model expects a call to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A result: return value and, when the call sets it, the last error.
    Result(Ret, Option<Win32Error>),
    /// The call ends its caller.
    NoReturn,
    /// The call parks (a write that does not fit the pipe's quota).
    Pending,
}

/// A parked call that completed, as the model predicts it: the caller, its return value and,
/// for a failure, its last error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefCompletion {
    /// The caller's pid.
    pub pid: u32,
    /// What the call returned.
    pub ret: Ret,
    /// The last error a failure set.
    pub error: Option<Win32Error>,
}

/// The reference model.
#[derive(Clone, Debug, Default)]
pub struct RefModel {
    next_address: u32,
    next_id: u32,
    objects: BTreeMap<u32, Obj>,
    tables: BTreeMap<u32, BTreeMap<u32, Row>>,
    pids: BTreeMap<u32, u32>,
    names: BTreeMap<String, u32>,
    /// Pipe instances (anonymous and named) by their server end's address.
    pipes: BTreeMap<u32, Pipe>,
    /// Client ends a `DisconnectNamedPipe` cut off, with their read and wait modes.
    dead_clients: BTreeMap<u32, (bool, bool)>,
    /// Each named pipe's type and maximum, fixed by its first instance, by upper-cased name.
    pipe_configs: BTreeMap<String, (bool, u32)>,
    next_msg: u64,
    next_listen: u64,
    /// Mailslots by their server object's address.
    slots: BTreeMap<u32, mailslot::Slot>,
    /// Each mailslot client object's mailslot (which may be gone).
    slot_clients: BTreeMap<u32, u32>,
    /// Each process's environment: (name, value), sorted by upper-cased name.
    env: BTreeMap<u32, Vec<(String, String)>>,
    /// The out-parameters the model predicts for the last call (only those it knows).
    pub outputs: Outputs,
    /// Parked calls the last call completed, in the order they completed.
    pub completions: Vec<RefCompletion>,
}

fn all_access(kind: ObjectKind) -> u32 {
    match kind {
        ObjectKind::Process => PROCESS_ALL_ACCESS,
        ObjectKind::Thread => THREAD_ALL_ACCESS,
        ObjectKind::Event => EVENT_ALL_ACCESS,
        ObjectKind::Mutex => MUTEX_ALL_ACCESS,
        ObjectKind::Semaphore => SEMAPHORE_ALL_ACCESS,
        _ => FILE_ALL_ACCESS,
    }
}

/// -1 ... -6: the values Windows treats as pseudo handles (spec §1.4), never table rows.
fn pseudo(v: HandleValue) -> bool {
    v.0 >= 0xFFFF_FFFA
}

/// Generic rights as each object type's generic mapping turns them into specific ones (the
/// Windows SDK's `FILE_GENERIC_*`; the process, thread, event, mutant and semaphore types'
/// mappings as NT defines them: read = `READ_CONTROL` + the query rights, write = the
/// modifying rights, execute = `SYNCHRONIZE`), the other bits kept as asked.
fn map_generic(kind: ObjectKind, access: u32) -> u32 {
    let (read, write, execute) = match kind {
        ObjectKind::Process => (
            READ_CONTROL | PROCESS_VM_READ | PROCESS_QUERY_INFORMATION,
            READ_CONTROL
                | PROCESS_CREATE_THREAD
                | PROCESS_VM_OPERATION
                | PROCESS_VM_WRITE
                | PROCESS_DUP_HANDLE
                | PROCESS_CREATE_PROCESS
                | PROCESS_SET_QUOTA
                | PROCESS_SET_INFORMATION
                | PROCESS_SUSPEND_RESUME,
            READ_CONTROL | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_TERMINATE,
        ),
        ObjectKind::Thread => (
            READ_CONTROL | THREAD_GET_CONTEXT | THREAD_QUERY_INFORMATION,
            READ_CONTROL | THREAD_TERMINATE | THREAD_SUSPEND_RESUME | THREAD_SET_INFORMATION | THREAD_SET_CONTEXT,
            READ_CONTROL | SYNCHRONIZE | THREAD_QUERY_LIMITED_INFORMATION,
        ),
        ObjectKind::Event => (
            READ_CONTROL | 1,
            READ_CONTROL | EVENT_MODIFY_STATE,
            READ_CONTROL | SYNCHRONIZE,
        ),
        ObjectKind::Mutex => (
            READ_CONTROL | MUTANT_QUERY_STATE,
            READ_CONTROL,
            READ_CONTROL | SYNCHRONIZE,
        ),
        ObjectKind::Semaphore => (
            READ_CONTROL | SEMAPHORE_QUERY_STATE,
            READ_CONTROL | SEMAPHORE_MODIFY_STATE,
            READ_CONTROL | SYNCHRONIZE,
        ),
        _ => (FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE),
    };
    let mut mapped = access & !(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
    for (bit, rights) in [(GENERIC_READ, read), (GENERIC_WRITE, write), (GENERIC_EXECUTE, execute)] {
        if access & bit != 0 {
            mapped |= rights;
        }
    }
    if access & GENERIC_ALL != 0 {
        mapped |= all_access(kind);
    }
    // MS "Process Security and Access Rights" / "Thread ...": a handle with the query (set)
    // right is automatically granted the limited query (set) right.
    let implied: &[(u32, u32)] = match kind {
        ObjectKind::Process => &[
            (PROCESS_QUERY_INFORMATION, PROCESS_QUERY_LIMITED_INFORMATION),
            (PROCESS_SET_INFORMATION, 0x2000),
        ],
        ObjectKind::Thread => &[
            (THREAD_QUERY_INFORMATION, THREAD_QUERY_LIMITED_INFORMATION),
            (THREAD_SET_INFORMATION, 0x0400),
        ],
        _ => &[],
    };
    for &(right, limited) in implied {
        if mapped & right != 0 {
            mapped |= limited;
        }
    }
    mapped
}

/// The model's own (32-bit) address for a kernel address; every live one is a model address
/// once the lists of live objects were found equal.
fn narrow(a: Address) -> u32 {
    u32::try_from(a.0).unwrap_or(u32::MAX)
}

impl RefModel {
    /// An empty machine (first address 0x1000, first id 100).
    pub fn new() -> RefModel {
        RefModel {
            next_address: 0x1000,
            next_id: 100,
            ..Default::default()
        }
    }

    fn new_object(&mut self, kind: ObjectKind, name: Option<String>) -> u32 {
        let a = self.next_address;
        self.next_address += 0x100;
        self.objects.insert(
            a,
            Obj {
                kind,
                name,
                running: false,
                pid: None,
                thread: None,
                state: State::Plain,
                exit_code: STILL_ACTIVE,
                suspend: 0,
                thread_ids: None,
            },
        );
        a
    }

    /// Usage count: rows pointing at it plus one while running.
    fn usage(&self, a: u32) -> u32 {
        self.handles(a) + u32::from(self.objects[&a].running)
    }

    fn handles(&self, a: u32) -> u32 {
        self.tables
            .values()
            .flat_map(|t| t.values())
            .filter(|r| r.object == a)
            .count() as u32
    }

    /// Destroys the object if nothing uses it any more.
    fn collect(&mut self, a: u32) {
        if self.objects.contains_key(&a) && self.usage(a) == 0 {
            let o = self.objects.remove(&a).expect("exists");
            if let Some(pid) = o.pid {
                self.pids.remove(&pid);
            }
            if let Some(n) = o.name {
                self.names.remove(&n);
            }
            self.end_gone(a);
            self.slot_gone(a);
        }
    }

    fn lowest_free(&self, pid: u32) -> u32 {
        let t = &self.tables[&pid];
        (1..).map(|i| i * 4).find(|v| !t.contains_key(v)).expect("a free value")
    }

    fn insert(&mut self, pid: u32, row: Row) -> u32 {
        let v = self.lowest_free(pid);
        self.tables.get_mut(&pid).expect("table").insert(v, row);
        v
    }

    fn remove(&mut self, pid: u32, v: u32) {
        if let Some(row) = self.tables.get_mut(&pid).and_then(|t| t.remove(&v)) {
            self.collect(row.object);
        }
    }

    fn row(&self, pid: u32, v: u32) -> Option<Row> {
        if v == 0 || v >= 0x8000_0000 {
            return None;
        }
        self.tables.get(&pid)?.get(&(v & !3)).copied()
    }

    fn process_object(&self, pid: u32) -> u32 {
        self.pids[&pid]
    }

    /// A process starts (system spawn or `CreateProcess`): process object, then thread object.
    fn start(&mut self, rows: BTreeMap<u32, Row>) -> (u32, u32, u32) {
        let pid = self.next_id;
        let tid = pid + 4;
        self.next_id += 8;
        let p = self.new_object(ObjectKind::Process, None);
        let t = self.new_object(ObjectKind::Thread, None);
        {
            let o = self.objects.get_mut(&p).expect("new");
            o.running = true;
            o.pid = Some(pid);
            o.thread = Some(t);
        }
        {
            let o = self.objects.get_mut(&t).expect("new");
            o.running = true;
            o.thread_ids = Some((tid, pid));
        }
        self.pids.insert(pid, p);
        self.tables.insert(pid, rows);
        self.env.insert(pid, Vec::new());
        (pid, tid, p)
    }

    /// The system starts a process.
    pub fn spawn(&mut self) -> u32 {
        self.start(BTreeMap::new()).0
    }

    fn exit(&mut self, pid: u32, code: u32) {
        let p = self.process_object(pid);
        if !self.objects[&p].running {
            return;
        }
        self.objects.get_mut(&p).expect("process").exit_code = code;
        self.pipes_thread_ends(pid);
        // Its thread ends first and abandons every mutex it owns (MS "WaitForSingleObject":
        // WAIT_ABANDONED), before the handle table is swept.
        for o in self.objects.values_mut() {
            if let State::Mutex { owner, .. } = o.state {
                if owner == Some(pid) {
                    o.state = State::Mutex {
                        owner: None,
                        recursion: 0,
                        abandoned: true,
                    };
                }
            }
        }
        if let Some(t) = self.objects[&p].thread {
            let thread = self.objects.get_mut(&t).expect("thread");
            thread.running = false;
            thread.exit_code = code;
            self.collect(t);
        }
        let values: Vec<u32> = self.tables[&pid].keys().copied().collect();
        for v in values {
            self.remove(pid, v);
        }
        self.objects.get_mut(&p).expect("process").running = false;
        self.collect(p);
    }

    fn resolve(&self, pid: u32, v: HandleValue) -> Option<(u32, u32, Row)> {
        if v == HandleValue::CURRENT_PROCESS {
            let p = self.process_object(pid);
            return Some((
                p,
                PROCESS_ALL_ACCESS,
                Row {
                    object: p,
                    access: PROCESS_ALL_ACCESS,
                    inherit: false,
                    protect: false,
                    origin: created(CallName::GetCurrentProcess),
                },
            ));
        }
        if v == HandleValue::CURRENT_THREAD {
            let t = self.objects[&self.process_object(pid)].thread?;
            return Some((
                t,
                THREAD_ALL_ACCESS,
                Row {
                    object: t,
                    access: THREAD_ALL_ACCESS,
                    inherit: false,
                    protect: false,
                    origin: created(CallName::GetCurrentThread),
                },
            ));
        }
        self.row(pid, v.0).map(|r| (r.object, r.access, r))
    }

    /// Predicts a call by `pid`'s thread and applies it to the model.
    pub fn apply(&mut self, pid: u32, call: &Call) -> Expected {
        use Expected::Result as R;
        let fail = |e| R(Ret::Bool(false), Some(e));
        let ok = R(Ret::Bool(true), None);
        match call {
            Call::CreateEvent {
                event_attributes,
                name,
                initial_state,
                manual_reset,
            } => self.create_named(
                pid,
                CallName::CreateEvent,
                *event_attributes,
                name,
                State::Event {
                    signaled: *initial_state,
                    manual: *manual_reset,
                },
            ),
            Call::CreateMutex {
                mutex_attributes,
                initial_owner,
                name,
            } => {
                let owner = initial_owner.then_some(pid);
                let state = State::Mutex {
                    owner,
                    recursion: u32::from(*initial_owner),
                    abandoned: false,
                };
                self.create_named(pid, CallName::CreateMutex, *mutex_attributes, name, state)
            }
            Call::CreateSemaphore {
                semaphore_attributes,
                initial_count,
                maximum_count,
                name,
            } => {
                let (initial, maximum) = (*initial_count as i32, *maximum_count as i32);
                if maximum <= 0 || initial < 0 || initial > maximum {
                    return R(Ret::Handle(HandleValue::NULL), Some(Win32Error::InvalidParameter));
                }
                let state = State::Semaphore {
                    count: *initial_count,
                    maximum: *maximum_count,
                };
                self.create_named(pid, CallName::CreateSemaphore, *semaphore_attributes, name, state)
            }
            Call::OpenEvent {
                desired_access,
                inherit_handle,
                name,
            } => self.open_named(
                pid,
                CallName::OpenEvent,
                ObjectKind::Event,
                *desired_access,
                *inherit_handle,
                name,
            ),
            Call::OpenMutex {
                desired_access,
                inherit_handle,
                name,
            } => self.open_named(
                pid,
                CallName::OpenMutex,
                ObjectKind::Mutex,
                *desired_access,
                *inherit_handle,
                name,
            ),
            Call::OpenSemaphore {
                desired_access,
                inherit_handle,
                name,
            } => self.open_named(
                pid,
                CallName::OpenSemaphore,
                ObjectKind::Semaphore,
                *desired_access,
                *inherit_handle,
                name,
            ),
            Call::SetEvent { event } => self.set_event(pid, *event, true),
            Call::ResetEvent { event } => self.set_event(pid, *event, false),
            Call::ReleaseMutex { mutex } => {
                let Some((object, _, _)) = self.resolve(pid, *mutex) else {
                    return fail(Win32Error::InvalidHandle);
                };
                let o = self.objects.get_mut(&object).expect("live");
                match o.state {
                    State::Mutex {
                        owner: Some(owner),
                        recursion,
                        abandoned,
                    } if owner == pid => {
                        let recursion = recursion - 1;
                        o.state = State::Mutex {
                            owner: (recursion > 0).then_some(owner),
                            recursion,
                            abandoned,
                        };
                        ok
                    }
                    State::Mutex { .. } => fail(Win32Error::NotOwner),
                    _ => fail(Win32Error::InvalidHandle),
                }
            }
            Call::ReleaseSemaphore {
                semaphore,
                release_count,
            } => {
                if *release_count as i32 <= 0 {
                    return fail(Win32Error::InvalidParameter);
                }
                let Some((object, access, _)) = self.resolve(pid, *semaphore) else {
                    return fail(Win32Error::InvalidHandle);
                };
                let o = self.objects.get_mut(&object).expect("live");
                let State::Semaphore { count, maximum } = o.state else {
                    return fail(Win32Error::InvalidHandle);
                };
                if access & SEMAPHORE_MODIFY_STATE == 0 {
                    return fail(Win32Error::AccessDenied);
                }
                match count.checked_add(*release_count).filter(|&c| c <= maximum) {
                    None => fail(Win32Error::TooManyPosts),
                    Some(count) => {
                        o.state = State::Semaphore { count, maximum };
                        ok
                    }
                }
            }
            Call::WaitForSingleObject {
                handle,
                milliseconds: 0,
            } => self.wait_now(pid, *handle),
            Call::CreatePipe { pipe_attributes, size } => self.create_pipe(pid, *pipe_attributes, *size),
            Call::CreateNamedPipe(args) => self.create_named_pipe(pid, args),
            Call::CreateFile(args)
                if args.creation_disposition == OPEN_EXISTING
                    && args.file_name.to_ascii_uppercase().starts_with("\\\\.\\MAILSLOT\\") =>
            {
                self.open_mailslot_client(pid, args)
            }
            Call::CreateFile(args) if args.creation_disposition == OPEN_EXISTING => self.open_pipe_client(pid, args),
            Call::CreateMailslot {
                name,
                max_message_size,
                read_timeout: 0,
                security_attributes,
            } => self.create_mailslot(
                pid,
                name,
                *max_message_size,
                security_attributes.is_some_and(|s| s.inherit_handle),
            ),
            Call::GetMailslotInfo { mailslot } => self.mailslot_info(pid, *mailslot),
            Call::ReadFile {
                file,
                bytes_to_read,
                null_buffer: false,
            } if self.is_mailslot(pid, *file) => self.mailslot_read(pid, *file, *bytes_to_read),
            Call::WriteFile {
                file,
                data,
                null_buffer: false,
            } if self.is_mailslot(pid, *file) => self.mailslot_write(pid, *file, &data.0),
            Call::ConnectNamedPipe { named_pipe } => self.connect(pid, *named_pipe),
            Call::DisconnectNamedPipe { named_pipe } => self.disconnect(pid, *named_pipe),
            Call::CloseHandle { handle } => {
                if pseudo(*handle) {
                    return ok;
                }
                // Std constants mean the std handles, which are NULL in this subset.
                match self.row(pid, handle.0) {
                    None => fail(Win32Error::InvalidHandle),
                    Some(r) if r.protect => fail(Win32Error::InvalidHandle),
                    Some(_) => {
                        self.remove(pid, handle.0 & !3);
                        ok
                    }
                }
            }
            Call::SetHandleInformation { handle, mask, flags } => {
                if pseudo(*handle) {
                    return fail(Win32Error::AccessDenied);
                }
                let Some(mut r) = self.row(pid, handle.0) else {
                    return fail(Win32Error::InvalidHandle);
                };
                if mask & 1 != 0 {
                    r.inherit = flags & 1 != 0;
                }
                if mask & 2 != 0 {
                    r.protect = flags & 2 != 0;
                }
                self.tables.get_mut(&pid).expect("table").insert(handle.0 & !3, r);
                ok
            }
            Call::GetHandleInformation { handle } => {
                // Spec §1.3: the pseudo handles read as flags 0 (Wine, W-handle, [Oracle]).
                let flags = if *handle == HandleValue::CURRENT_PROCESS || *handle == HandleValue::CURRENT_THREAD {
                    0
                } else {
                    match self.row(pid, handle.0) {
                        Some(r) => u32::from(r.inherit) | u32::from(r.protect) << 1,
                        None => return fail(Win32Error::InvalidHandle),
                    }
                };
                self.outputs.flags = Some(flags);
                ok
            }
            Call::DuplicateHandle(a) => self.duplicate(pid, a),
            Call::CreateProcess(args) => {
                // Spec §3, in the order a caller's mistakes are found: no image at all (87),
                // then a handle list: bInheritHandles must be TRUE, and each entry must be a
                // real, inheritable handle (a pseudo handle or a row without the flag is 87,
                // no row is 6). Nothing of the parent changes and no id is taken on failure.
                let image = args.application_name.as_deref().filter(|a| !a.is_empty()).is_some()
                    || args
                        .command_line
                        .as_deref()
                        .is_some_and(|c| c.split_whitespace().next().is_some());
                if !image {
                    return fail(Win32Error::InvalidParameter);
                }
                let rows: BTreeMap<u32, Row> = match &args.handle_list {
                    Some(list) => {
                        if !args.inherit_handles {
                            return fail(Win32Error::InvalidParameter);
                        }
                        let mut rows = BTreeMap::new();
                        for h in list {
                            if pseudo(*h) {
                                return fail(Win32Error::InvalidParameter);
                            }
                            let Some(r) = self.row(pid, h.0) else {
                                return fail(Win32Error::InvalidHandle);
                            };
                            if !r.inherit {
                                return fail(Win32Error::InvalidParameter);
                            }
                            let origin = Origin::Inherited { parent: Pid(pid) };
                            rows.insert(h.0 & !3, Row { origin, ..r });
                        }
                        rows
                    }
                    None if args.inherit_handles => self.tables[&pid]
                        .iter()
                        .filter(|(_, r)| r.inherit)
                        .map(|(v, r)| {
                            let origin = Origin::Inherited { parent: Pid(pid) };
                            (*v, Row { origin, ..*r })
                        })
                        .collect(),
                    None => BTreeMap::new(),
                };
                let environment = self.env[&pid].clone();
                let (child, tid, p) = self.start(rows);
                self.env.insert(child, environment);
                let t = self.objects[&p].thread.expect("thread");
                self.insert(
                    pid,
                    Row {
                        object: p,
                        access: PROCESS_ALL_ACCESS,
                        inherit: false,
                        protect: false,
                        origin: created(CallName::CreateProcess),
                    },
                );
                self.insert(
                    pid,
                    Row {
                        object: t,
                        access: THREAD_ALL_ACCESS,
                        inherit: false,
                        protect: false,
                        origin: created(CallName::CreateProcess),
                    },
                );
                self.outputs.process_id = Some(child);
                self.outputs.thread_id = Some(tid);
                R(Ret::Bool(true), Some(Win32Error::Success))
            }
            Call::OpenProcess {
                desired_access,
                inherit_handle,
                process_id,
            } => {
                let null = Ret::Handle(HandleValue::NULL);
                let id = process_id & !3;
                if id == 4 {
                    return R(null, Some(Win32Error::AccessDenied));
                }
                let Some(&p) = self.pids.get(&id) else {
                    return R(null, Some(Win32Error::InvalidParameter));
                };
                let v = self.insert(
                    pid,
                    Row {
                        object: p,
                        access: *desired_access,
                        inherit: *inherit_handle,
                        protect: false,
                        origin: Origin::Opened {
                            call: CallName::OpenProcess,
                        },
                    },
                );
                R(Ret::Handle(HandleValue(v)), None)
            }
            // A process here has one thread: when it calls ExitThread, the last thread ends
            // and the process takes its exit code (spec §9).
            Call::ExitProcess { exit_code } | Call::ExitThread { exit_code } => {
                self.exit(pid, *exit_code);
                Expected::NoReturn
            }
            Call::TerminateProcess { process, exit_code } => {
                let Some((object, access, _)) = self.resolve(pid, *process) else {
                    return fail(Win32Error::InvalidHandle);
                };
                if self.objects[&object].kind != ObjectKind::Process {
                    return fail(Win32Error::InvalidHandle);
                }
                if access & PROCESS_TERMINATE == 0 || !self.objects[&object].running {
                    return fail(Win32Error::AccessDenied);
                }
                let target = self.objects[&object].pid.expect("a process has a pid");
                self.exit(target, *exit_code);
                if target == pid {
                    Expected::NoReturn
                } else {
                    ok
                }
            }
            Call::WaitForMultipleObjects {
                handles,
                wait_all,
                milliseconds: 0,
            } => self.wait_many(pid, handles, *wait_all),
            Call::SuspendThread { thread } | Call::ResumeThread { thread } => {
                // MS "SuspendThread" / "ResumeThread": the previous count, or (DWORD)-1 with
                // the error; a thread that ended cannot be suspended (NT: "thread is
                // terminating", 5), nor one suspended MAXIMUM_SUSPEND_COUNT (127) times
                // (NT: "suspend count exceeded", 156).
                let suspend = matches!(call, Call::SuspendThread { .. });
                let failed = |e| R(Ret::Dword(u32::MAX), Some(e));
                let Some((object, access, _)) = self.resolve(pid, *thread) else {
                    return failed(Win32Error::InvalidHandle);
                };
                if self.objects[&object].kind != ObjectKind::Thread {
                    return failed(Win32Error::InvalidHandle);
                }
                if access & THREAD_SUSPEND_RESUME == 0 {
                    return failed(Win32Error::AccessDenied);
                }
                let t = self.objects.get_mut(&object).expect("a thread");
                let previous = t.suspend;
                if suspend && !t.running {
                    return failed(Win32Error::AccessDenied);
                }
                if suspend && previous >= 127 {
                    return failed(Win32Error::SignalRefused);
                }
                if t.running {
                    t.suspend = if suspend {
                        previous + 1
                    } else {
                        previous.saturating_sub(1)
                    };
                }
                R(Ret::Dword(previous), None)
            }
            // MS "GetExitCodeProcess" / "GetExitCodeThread": STILL_ACTIVE while it runs, then
            // the code it ended with (a process's one thread ends with the process's code).
            Call::GetExitCodeProcess { process: h } | Call::GetExitCodeThread { thread: h } => {
                let kind = match call {
                    Call::GetExitCodeProcess { .. } => ObjectKind::Process,
                    _ => ObjectKind::Thread,
                };
                match self.query_object(pid, *h, kind) {
                    Ok(object) => {
                        self.outputs.exit_code = Some(self.objects[&object].exit_code);
                        R(Ret::Bool(true), None)
                    }
                    Err(e) => fail(e),
                }
            }
            // MS "GetProcessId", "GetThreadId", "GetProcessIdOfThread": the id, or 0 with the
            // error. An ended process or thread keeps its id.
            Call::GetProcessId { process: h }
            | Call::GetThreadId { thread: h }
            | Call::GetProcessIdOfThread { thread: h } => {
                let kind = match call {
                    Call::GetProcessId { .. } => ObjectKind::Process,
                    _ => ObjectKind::Thread,
                };
                let object = match self.query_object(pid, *h, kind) {
                    Ok(object) => &self.objects[&object],
                    Err(e) => return R(Ret::Dword(0), Some(e)),
                };
                let id = match (call, object.thread_ids) {
                    (Call::GetThreadId { .. }, Some((tid, _))) => tid,
                    (Call::GetProcessIdOfThread { .. }, Some((_, owner))) => owner,
                    _ => object.pid.expect("a process has a pid"),
                };
                R(Ret::Dword(id), None)
            }
            Call::SetEnvironmentVariable { name, value } => self.set_env(pid, name, value.as_deref()),
            Call::ExpandEnvironmentStrings {
                src,
                size,
                null_buffer: false,
            } => self.expand_env(pid, src, *size),
            Call::GetEnvironmentVariable {
                name,
                size,
                null_buffer: false,
            } => self.get_env(pid, name, *size),
            Call::ReadFile {
                file,
                bytes_to_read,
                null_buffer: false,
            } => self.read(pid, *file, *bytes_to_read),
            Call::WriteFile {
                file,
                data,
                null_buffer: false,
            } => self.write(pid, *file, &data.0),
            Call::PeekNamedPipe {
                named_pipe,
                buffer_size,
                null_buffer: false,
            } => self.peek(pid, *named_pipe, *buffer_size),
            Call::SetNamedPipeHandleState {
                named_pipe,
                mode: Some(mode),
                max_collection_count: None,
                collect_data_timeout: None,
            } => self.set_pipe_mode(pid, *named_pipe, *mode),
            Call::GetNamedPipeHandleState {
                named_pipe,
                query_remote_info: false,
            } => self.pipe_handle_state(pid, *named_pipe),
            Call::GetNamedPipeInfo { named_pipe } => self.pipe_info(pid, *named_pipe),
            other => panic!("the reference model does not know {}", other.name()),
        }
    }

    /// `SetEvent` (`true`) / `ResetEvent`: an event handle with `EVENT_MODIFY_STATE`.
    fn set_event(&mut self, pid: u32, h: HandleValue, to: bool) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let Some((object, access, _)) = self.resolve(pid, h) else {
            return fail(Win32Error::InvalidHandle);
        };
        let o = self.objects.get_mut(&object).expect("live");
        let State::Event { manual, .. } = o.state else {
            return fail(Win32Error::InvalidHandle);
        };
        if access & EVENT_MODIFY_STATE == 0 {
            return fail(Win32Error::AccessDenied);
        }
        o.state = State::Event { signaled: to, manual };
        Expected::Result(Ret::Bool(true), None)
    }

    /// `WaitForMultipleObjects(n, handles, all, 0)` (spec §9): 1 to 64 handles, each valid
    /// with `SYNCHRONIZE`; wait-all refuses one object twice (87). Wait-any takes the lowest
    /// signaled index; wait-all takes every object at once or none.
    fn wait_many(&mut self, pid: u32, handles: &[HandleValue], all: bool) -> Expected {
        let failed = |e| Expected::Result(Ret::Dword(WAIT_FAILED), Some(e));
        let done = |code| Expected::Result(Ret::Dword(code), None);
        if handles.is_empty() || handles.len() > MAXIMUM_WAIT_OBJECTS as usize {
            return failed(Win32Error::InvalidParameter);
        }
        let mut objects = Vec::new();
        for &h in handles {
            let Some((object, access, _)) = self.resolve(pid, h) else {
                return failed(Win32Error::InvalidHandle);
            };
            if access & SYNCHRONIZE == 0 {
                return failed(Win32Error::AccessDenied);
            }
            objects.push(object);
        }
        if all {
            if (1..objects.len()).any(|i| objects[..i].contains(&objects[i])) {
                return failed(Win32Error::InvalidParameter);
            }
            if !objects.iter().all(|o| Self::signaled(&self.objects[o], pid)) {
                return done(WAIT_TIMEOUT);
            }
            let mut abandoned = false;
            for o in &objects {
                abandoned |= Self::consume(self.objects.get_mut(o).expect("live"), pid);
            }
            return done(if abandoned { WAIT_ABANDONED_0 } else { WAIT_OBJECT_0 });
        }
        match objects.iter().position(|o| Self::signaled(&self.objects[o], pid)) {
            None => done(WAIT_TIMEOUT),
            Some(i) => {
                let abandoned = Self::consume(self.objects.get_mut(&objects[i]).expect("live"), pid);
                done(if abandoned { WAIT_ABANDONED_0 } else { WAIT_OBJECT_0 } + i as u32)
            }
        }
    }

    /// `SetEnvironmentVariable` (spec §8): an empty name or an `=` after the first character
    /// is 87; a name or value over 32,766 characters (the 32,767-character limit with its NUL)
    /// is 206 and changes nothing; `NULL` deletes; names compare case-insensitively and a new
    /// one goes to its sorted place.
    fn set_env(&mut self, pid: u32, name: &str, value: Option<&str>) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        if name.is_empty() || name.chars().skip(1).any(|c| c == '=') {
            return fail(Win32Error::InvalidParameter);
        }
        let units = |t: &str| t.encode_utf16().count();
        if units(name) > 32_766 || value.is_some_and(|v| units(v) > 32_766) {
            return fail(Win32Error::FilenameExcedRange);
        }
        let block = self.env.get_mut(&pid).expect("a running process has an environment");
        let key = nt_upper(name);
        let found = block.iter().position(|(n, _)| nt_upper(n) == key);
        match (found, value) {
            (Some(i), None) => {
                block.remove(i);
            }
            (None, None) => {}
            (Some(i), Some(v)) => block[i] = (name.to_string(), v.to_string()),
            (None, Some(v)) => {
                let at = block.iter().position(|(n, _)| nt_upper(n) > key).unwrap_or(block.len());
                block.insert(at, (name.to_string(), v.to_string()));
            }
        }
        Expected::Result(Ret::Bool(true), None)
    }

    /// `GetEnvironmentVariable(name, buf, size)` (spec §8): L when `size > L` (the value
    /// copied), L + 1 when it does not fit (last error unchanged), 0 with 203 when missing,
    /// 0 with the last error unchanged for an empty value.
    fn get_env(&mut self, pid: u32, name: &str, size: u32) -> Expected {
        let Some(v) = self.env_value(pid, name) else {
            return Expected::Result(Ret::Dword(0), Some(Win32Error::EnvvarNotFound));
        };
        let len = v.encode_utf16().count() as u32;
        if size > len {
            self.outputs.text = Some(v.to_string());
            Expected::Result(Ret::Dword(len), None)
        } else {
            Expected::Result(Ret::Dword(len + 1), None)
        }
    }

    /// The value of `name` in `pid`'s environment: names compare as NT upper-cases them, and
    /// an empty name names nothing.
    fn env_value(&self, pid: u32, name: &str) -> Option<&str> {
        let key = nt_upper(name);
        self.env[&pid]
            .iter()
            .find(|(n, _)| !name.is_empty() && nt_upper(n) == key)
            .map(|(_, v)| v.as_str())
    }

    /// `ExpandEnvironmentStrings(src, dst, size)` (spec §8): each `%NAME%` of a set variable
    /// (names compare as `GetEnvironmentVariable`'s) becomes its value, once, not expanded
    /// again; an unknown or empty name and a lone `%` stay as written. Returns the characters
    /// needed with the NUL, on success and when they do not fit (then 122 and no text,
    /// ARCHITECTURE's choice for the W function); the buffer counts at most 32,767.
    fn expand_env(&mut self, pid: u32, src: &str, size: u32) -> Expected {
        let mut out = String::new();
        let mut rest = src;
        loop {
            let Some(i) = rest.find('%') else {
                out.push_str(rest);
                break;
            };
            let after = &rest[i + 1..];
            // A lone `%` and what follows it stay as written.
            let Some(j) = after.find('%') else {
                out.push_str(rest);
                break;
            };
            out.push_str(&rest[..i]);
            let name = &after[..j];
            match self.env_value(pid, name) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[i..i + j + 2]),
            }
            rest = &after[j + 1..];
        }
        let needed = out.encode_utf16().count() as u32 + 1;
        if size.min(32_767) >= needed {
            self.outputs.text = Some(out);
            Expected::Result(Ret::Dword(needed), None)
        } else {
            Expected::Result(Ret::Dword(needed), Some(Win32Error::InsufficientBuffer))
        }
    }

    /// Whether `pid`'s thread cannot call: parked in a call the model follows (a pipe write, a
    /// connect), or suspended.
    pub fn is_blocked(&self, pid: u32) -> bool {
        self.parked_in_pipe(pid) || self.is_suspended(pid)
    }

    /// Whether `pid`'s thread is suspended (it makes no calls until resumed).
    pub fn is_suspended(&self, pid: u32) -> bool {
        let Some(p) = self.pids.get(&pid) else { return false };
        self.objects[p]
            .thread
            .and_then(|t| self.objects.get(&t))
            .is_some_and(|t| t.running && t.suspend > 0)
    }

    /// The pid a process handle of `pid` names, if it is one.
    pub fn process_of_handle(&self, pid: u32, h: HandleValue) -> Option<u32> {
        let (object, _, _) = self.resolve(pid, h)?;
        self.objects[&object].pid
    }

    /// The object a process or thread query names (exit code, id): the handle must name an
    /// object of `kind` (another kind is NT's type mismatch, 6) with the query or the limited
    /// query right (else 5); the pseudo handles carry every right.
    fn query_object(&self, pid: u32, h: HandleValue, kind: ObjectKind) -> Result<u32, Win32Error> {
        let (object, access, _) = self.resolve(pid, h).ok_or(Win32Error::InvalidHandle)?;
        if self.objects[&object].kind != kind {
            return Err(Win32Error::InvalidHandle);
        }
        let query = match kind {
            ObjectKind::Process => PROCESS_QUERY_INFORMATION | PROCESS_QUERY_LIMITED_INFORMATION,
            _ => THREAD_QUERY_INFORMATION | THREAD_QUERY_LIMITED_INFORMATION,
        };
        match access & query {
            0 => Err(Win32Error::AccessDenied),
            _ => Ok(object),
        }
    }

    /// `CreateEvent`, `CreateMutex`, `CreateSemaphore`: one namespace for the three kinds. An
    /// existing name of the same kind is opened with 183 (the creation arguments ignored); of
    /// another kind it is `NULL` with 6 (MS "CreateMutexW": "ERROR_INVALID_HANDLE").
    fn create_named(
        &mut self,
        pid: u32,
        call: CallName,
        attributes: Option<SecurityAttributes>,
        name: &Option<String>,
        state: State,
    ) -> Expected {
        let kind = match state {
            State::Mutex { .. } => ObjectKind::Mutex,
            State::Semaphore { .. } => ObjectKind::Semaphore,
            _ => ObjectKind::Event,
        };
        let inherit = attributes.is_some_and(|s| s.inherit_handle);
        let row = |object, origin| Row {
            object,
            access: all_access(kind),
            inherit,
            protect: false,
            origin,
        };
        let name = name.as_ref().filter(|n| !n.is_empty());
        if let Some(&a) = name.and_then(|n| self.names.get(n)) {
            if self.objects[&a].kind != kind {
                return Expected::Result(Ret::Handle(HandleValue::NULL), Some(Win32Error::InvalidHandle));
            }
            let v = self.insert(pid, row(a, Origin::Opened { call }));
            return Expected::Result(Ret::Handle(HandleValue(v)), Some(Win32Error::AlreadyExists));
        }
        let a = self.new_object(kind, name.cloned());
        self.objects.get_mut(&a).expect("new").state = state;
        if let Some(n) = name {
            self.names.insert(n.clone(), a);
        }
        let v = self.insert(pid, row(a, created(call)));
        Expected::Result(Ret::Handle(HandleValue(v)), Some(Win32Error::Success))
    }

    /// `OpenEvent`, `OpenMutex`, `OpenSemaphore`: a missing name is 2, another kind's 6.
    fn open_named(
        &mut self,
        pid: u32,
        call: CallName,
        kind: ObjectKind,
        desired_access: u32,
        inherit: bool,
        name: &str,
    ) -> Expected {
        let null = Ret::Handle(HandleValue::NULL);
        let Some(&a) = self.names.get(name) else {
            return Expected::Result(null, Some(Win32Error::FileNotFound));
        };
        if self.objects[&a].kind != kind {
            return Expected::Result(null, Some(Win32Error::InvalidHandle));
        }
        let access = map_generic(kind, desired_access);
        let row = Row {
            object: a,
            access,
            inherit,
            protect: false,
            origin: Origin::Opened { call },
        };
        let v = self.insert(pid, row);
        Expected::Result(Ret::Handle(HandleValue(v)), None)
    }

    /// `WaitForSingleObject(h, 0)`: needs `SYNCHRONIZE`; a signaled object is consumed (a
    /// semaphore counts down, a mutex is acquired, abandoned ones once with
    /// `WAIT_ABANDONED`); otherwise `WAIT_TIMEOUT`.
    fn wait_now(&mut self, pid: u32, h: HandleValue) -> Expected {
        let failed = |e| Expected::Result(Ret::Dword(WAIT_FAILED), Some(e));
        let done = |code| Expected::Result(Ret::Dword(code), None);
        let Some((object, access, _)) = self.resolve(pid, h) else {
            return failed(Win32Error::InvalidHandle);
        };
        if access & SYNCHRONIZE == 0 {
            return failed(Win32Error::AccessDenied);
        }
        let o = self.objects.get_mut(&object).expect("live");
        match o.state {
            State::Plain if o.kind == ObjectKind::Process || o.kind == ObjectKind::Thread => {
                done(if o.running { WAIT_TIMEOUT } else { WAIT_OBJECT_0 })
            }
            State::Plain => done(WAIT_OBJECT_0),
            _ if !Self::signaled(o, pid) => done(WAIT_TIMEOUT),
            _ => done(if Self::consume(o, pid) {
                WAIT_ABANDONED_0
            } else {
                WAIT_OBJECT_0
            }),
        }
    }

    /// Whether a wait by `pid`'s thread is satisfied by `o` now.
    fn signaled(o: &Obj, pid: u32) -> bool {
        match o.state {
            State::Plain if o.kind == ObjectKind::Process || o.kind == ObjectKind::Thread => !o.running,
            State::Plain => true,
            State::Unsignaled => false,
            State::Event { signaled, .. } => signaled,
            State::Semaphore { count, .. } => count > 0,
            State::Mutex { owner, .. } => owner.is_none_or(|o| o == pid),
        }
    }

    /// What a satisfied wait does to `o`: an auto-reset event resets, a semaphore counts
    /// down, a mutex is acquired. True when it was an abandoned mutex.
    fn consume(o: &mut Obj, pid: u32) -> bool {
        match o.state {
            State::Event { manual: false, .. } => {
                o.state = State::Event {
                    signaled: false,
                    manual: false,
                };
                false
            }
            State::Semaphore { count, maximum } => {
                o.state = State::Semaphore {
                    count: count - 1,
                    maximum,
                };
                false
            }
            State::Mutex {
                recursion, abandoned, ..
            } => {
                o.state = State::Mutex {
                    owner: Some(pid),
                    recursion: recursion + 1,
                    abandoned: false,
                };
                abandoned
            }
            _ => false,
        }
    }

    /// `DuplicateHandle`, in spec §4's order.
    fn duplicate(&mut self, pid: u32, a: &DuplicateHandleArgs) -> Expected {
        let fail = |e, out: bool| {
            let _ = out;
            Expected::Result(Ret::Bool(false), Some(e))
        };
        let close = a.options & DUPLICATE_CLOSE_SOURCE != 0;
        let dup_process = |m: &RefModel, h: HandleValue| -> Result<u32, Win32Error> {
            let (o, access, _) = m.resolve(pid, h).ok_or(Win32Error::InvalidHandle)?;
            if m.objects[&o].kind != ObjectKind::Process {
                return Err(Win32Error::InvalidHandle);
            }
            if access & PROCESS_DUP_HANDLE == 0 {
                return Err(Win32Error::AccessDenied);
            }
            Ok(m.objects[&o].pid.expect("pid"))
        };
        let source_pid = match dup_process(self, a.source_process_handle) {
            Ok(p) => p,
            Err(e) => return fail(e, true),
        };
        // An exited source process has no table left to duplicate from (nt-pipe-rules §4).
        if !self.objects[&self.process_object(source_pid)].running {
            return fail(Win32Error::AccessDenied, true);
        }
        let src = a.source_handle;
        let source: Option<(u32, u32, u8, bool)> = if src == HandleValue::CURRENT_PROCESS {
            Some((self.process_object(source_pid), PROCESS_ALL_ACCESS, 0, true))
        } else if src == HandleValue::CURRENT_THREAD {
            let t = self.objects[&self.process_object(pid)].thread.expect("thread");
            Some((t, THREAD_ALL_ACCESS, 0, true))
        } else {
            self.row(source_pid, src.0).map(|r| {
                (
                    r.object,
                    r.access,
                    u8::from(r.inherit) | (u8::from(r.protect) << 1),
                    false,
                )
            })
        };
        let closable = matches!(source, Some((_, _, flags, false)) if flags & 2 == 0) && close;
        let close_source = |m: &mut RefModel| {
            if closable {
                m.remove(source_pid, src.0 & !3);
            }
        };
        if a.target_process_handle == HandleValue::NULL {
            if close {
                if source.is_none() {
                    return fail(Win32Error::InvalidHandle, true);
                }
                close_source(self);
                return Expected::Result(Ret::Bool(true), None);
            }
            return fail(Win32Error::InvalidParameter, false);
        }
        let target_pid = match dup_process(self, a.target_process_handle) {
            Ok(p) => p,
            Err(e) => {
                close_source(self);
                return fail(e, true);
            }
        };
        let Some((object, source_access, source_flags, _)) = source else {
            close_source(self);
            return fail(Win32Error::InvalidHandle, true);
        };
        let kind = self.objects[&object].kind;
        let access = if a.options & DUPLICATE_SAME_ACCESS != 0 {
            source_access
        } else {
            map_generic(kind, a.desired_access)
        };
        let flags = if a.options & DUPLICATE_SAME_ATTRIBUTES != 0 {
            source_flags
        } else {
            u8::from(a.inherit_handle)
        };
        let row = Row {
            object,
            access,
            inherit: flags & 1 != 0,
            protect: flags & 2 != 0,
            origin: Origin::Duplicated {
                source: Pid(source_pid),
                source_handle: if pseudo(src) { src } else { HandleValue(src.0 & !3) },
                closed_source: closable,
            },
        };
        if !self.objects[&self.process_object(target_pid)].running {
            close_source(self);
            return fail(Win32Error::AccessDenied, true);
        }
        if closable && target_pid == source_pid {
            self.tables.get_mut(&source_pid).expect("table").insert(src.0 & !3, row);
            return Expected::Result(Ret::Bool(true), None);
        }
        self.insert(target_pid, row);
        close_source(self);
        Expected::Result(Ret::Bool(true), None)
    }

    /// The expectations of a call the model predicted, in the scenario format: its return
    /// value, its last error when it sets one, whether it parks, and the outputs the model
    /// knows.
    pub fn expect_json(&self, expected: &Expected) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        let mut e = Map::new();
        match expected {
            Expected::NoReturn => {}
            Expected::Pending => {
                e.insert("pending".into(), true.into());
            }
            Expected::Result(ret, error) => {
                e.insert("pending".into(), false.into());
                let ret = match ret {
                    Ret::Bool(b) => json!(b),
                    Ret::Handle(h) => json!(h),
                    Ret::Dword(d) => json!(d),
                    Ret::Void => Value::Null,
                };
                if !ret.is_null() {
                    e.insert("ret".into(), ret);
                }
                if let Some(error) = error {
                    e.insert("last_error".into(), error.name().into());
                }
            }
        }
        let mut outputs = Map::new();
        for (field, v) in self.outputs.iter() {
            let v = match v {
                OutputValue::Number(n) => json!(n),
                OutputValue::Handle(h, _) => json!(h),
                OutputValue::Text(t) => json!(t),
                OutputValue::Data(d) => serde_json::to_value(d).unwrap_or(Value::Null),
                _ => continue,
            };
            outputs.insert(field.as_str().into(), v);
        }
        if !outputs.is_empty() {
            e.insert("outputs".into(), Value::Object(outputs));
        }
        Value::Object(e)
    }

    /// The model's whole state as scenario expectations: every running process's table,
    /// exactly, and every object's counts by address.
    pub fn state_json(&self) -> serde_json::Value {
        use serde_json::json;
        let mut tables = Vec::new();
        for (pid, rows) in &self.tables {
            let running = self.pids.get(pid).is_some_and(|p| self.objects[p].running);
            if !running {
                continue;
            }
            let rows: Vec<_> = rows
                .iter()
                .map(|(v, r)| {
                    json!({
                        "handle": v,
                        "object": {"address": format!("{:#x}", r.object)},
                        "inherit": r.inherit,
                        "protect_from_close": r.protect,
                        "access": format!("{:#x}", r.access),
                        "origin": origin_json(r.origin),
                    })
                })
                .collect();
            tables.push(json!({"of": format!("p{pid}"), "rows": rows, "exact": true}));
        }
        let objects: Vec<_> = self
            .objects
            .keys()
            .map(|&a| {
                json!({
                    "address": format!("{a:#x}"),
                    "usage_count": self.usage(a),
                    "handle_count": self.handles(a),
                })
            })
            .collect();
        json!({"table": tables, "object": objects})
    }

    /// The model's value of `name` in `pid`'s environment as an `env` expectation (`null`:
    /// not set).
    pub fn env_json(&self, pid: u32, name: &str) -> serde_json::Value {
        let value = self.env_value(pid, name);
        serde_json::json!([{"in": format!("p{pid}"), "name": name, "value": value}])
    }

    /// Compares the model with the kernel: every table and every object's counts.
    pub fn compare(&self, kernel: &Kernel) -> Result<(), String> {
        let snap = kernel.snapshot();
        let pids: Vec<u32> = snap.processes.iter().map(|p| p.process_id.0).collect();
        let model_pids: Vec<u32> = self.pids.keys().copied().collect();
        if pids != model_pids {
            return Err(format!("process ids differ: kernel {pids:?}, model {model_pids:?}"));
        }
        let live: Vec<u64> = snap.objects.iter().map(|o| o.object.0).collect();
        let model: Vec<u64> = self.objects.keys().map(|&a| u64::from(a)).collect();
        if live != model {
            return Err(format!("live objects differ: kernel {live:x?}, model {model:x?}"));
        }
        for o in &snap.objects {
            let (usage, handles) = (self.usage(narrow(o.object)), self.handles(narrow(o.object)));
            if (o.usage_count, o.handle_count) != (usage, handles) {
                return Err(format!(
                    "{} {:#x}: kernel usage {} handles {}, model usage {usage} handles {handles}",
                    o.kind.name(),
                    o.object,
                    o.usage_count,
                    o.handle_count
                ));
            }
        }
        for o in &snap.objects {
            if let Detail::Pipe {
                state,
                queued_bytes,
                queued_messages,
                read_mode_message,
                nonblocking,
                ..
            } = o.detail
            {
                let kernel = (state, queued_bytes, queued_messages, read_mode_message, nonblocking);
                let model = self.pipe_detail(narrow(o.object));
                if model != Some(kernel) {
                    return Err(format!(
                        "pipe end {:#x} (state, queued bytes, messages, message read mode, nowait): kernel {kernel:?}, model {model:?}",
                        o.object
                    ));
                }
            }
        }
        for p in &snap.processes {
            let model: Vec<(u32, Row)> = self
                .tables
                .get(&p.process_id.0)
                .map(|t| t.iter().map(|(v, r)| (*v, *r)).collect())
                .unwrap_or_default();
            let kernel_rows: Vec<(u32, Row)> = p
                .handles
                .iter()
                .map(|r| {
                    (
                        r.handle.0,
                        Row {
                            object: narrow(r.object),
                            access: r.access,
                            inherit: r.inherit,
                            protect: r.protect_from_close,
                            origin: r.provenance.origin,
                        },
                    )
                })
                .collect();
            if model != kernel_rows {
                return Err(format!(
                    "handle table of pid {} differs:\n  kernel {kernel_rows:x?}\n  model  {model:x?}",
                    p.process_id
                ));
            }
        }
        Ok(())
    }
}

/// A snapshot without what a failed call may change: the threads' last errors.
fn comparable(mut snap: Snapshot) -> Snapshot {
    for t in &mut snap.threads {
        t.last_error = Win32Error::Success;
    }
    snap
}

/// The desired accesses a `DuplicateHandle` asks for: generic ones (mapped per type),
/// specific ones, and none.
const ACCESSES: &[u32] = &[
    GENERIC_ALL,
    GENERIC_READ,
    GENERIC_WRITE,
    GENERIC_EXECUTE,
    GENERIC_READ | GENERIC_WRITE,
    SYNCHRONIZE,
    READ_CONTROL,
    0,
    GENERIC_READ | SYNCHRONIZE,
    FILE_WRITE_ATTRIBUTES,
];

/// The environment names operations use: case variants of one name, a drive variable, two a
/// caller may not set (empty, `=` inside), names whose uppercase NT does not expand (`ß`) or
/// does not touch (outside the BMP), accented and Hangul names, and names at and past the
/// 32,766-unit limit.
fn env_name(i: u8) -> String {
    const NAMES: &[&str] = &[
        "Path",
        "PATH",
        "path",
        "TMP",
        "=C:",
        "",
        "A=B",
        "tmp",
        "straße",
        "STRASSE",
        "STRAßE",
        "ärger",
        "ÄRGER",
        "한글",
        "\u{10428}x",
        "\u{10400}X",
    ];
    match usize::from(i) % (NAMES.len() + 2) {
        n if n < NAMES.len() => NAMES[n].to_string(),
        n => "N".repeat(32_766 + n - NAMES.len()),
    }
}

/// Runs reference operations on a fresh kernel (or `kernel`), comparing with the model after
/// every call. `Err` names the first property broken and carries the sequence as a scenario
/// whose calls expect what the model predicted.
pub fn run_reference(ops: &[RefOp], kernel: Option<Kernel>) -> Result<usize, PropertyFailure> {
    run_reference_with(ops, kernel, &[])
}

/// [`run_reference`] with an embedder's own properties, checked after every call.
pub fn run_reference_with(ops: &[RefOp], kernel: Option<Kernel>, checks: &[Check]) -> Result<usize, PropertyFailure> {
    // A repeated suspend is 128 suspends in a row: far enough to reach
    // MAXIMUM_SUSPEND_COUNT, which no sequence of single operations would.
    let ops: Vec<RefOp> = ops
        .iter()
        .flat_map(|op| match op {
            RefOp::Suspend {
                actor,
                h,
                resume: false,
                repeat: true,
            } => vec![
                RefOp::Suspend {
                    actor: *actor,
                    h: h.clone(),
                    resume: false,
                    repeat: false,
                };
                128
            ],
            other => vec![other.clone()],
        })
        .collect();
    let mut kernel = kernel.unwrap_or_default();
    let mut model = RefModel::new();
    let mut rec = Recorder::default();
    let spawn = |kernel: &mut Kernel, model: &mut RefModel, rec: &mut Recorder| {
        let (pid, tid) = kernel.spawn("sys.exe", "", vec![]);
        let mpid = model.spawn();
        rec.push(Record::Start {
            pid,
            tid,
            image: "sys.exe".into(),
            environment: vec![],
        });
        if pid.0 != mpid {
            // A start step cannot expect its pid: the new process asks for it, and the replay
            // expects the model's.
            let call = Call::GetCurrentProcessId;
            if let Ok(outcome) = kernel.call(tid, &call) {
                rec.push(Record::Call {
                    pid,
                    tid,
                    call,
                    outcome,
                });
                rec.push(Record::Expect(serde_json::json!({ "ret": mpid })));
            }
            return Err((format!("pid {mpid}"), format!("pid {pid}")));
        }
        Ok(())
    };
    let fail = |property: Property, step: usize, (expected, actual): (String, String), rec: &mut Recorder| {
        rec.push(Record::Note(format!(
            "FAILED here: {property}: expected {expected}, the kernel gave {actual}"
        )));
        PropertyFailure {
            property,
            step,
            expected,
            actual,
            replay: rec.scenario_json("reference model difference"),
        }
    };
    let mut calls = 0;
    for op in &ops {
        let running: Vec<Pid> = kernel
            .process_ids()
            .into_iter()
            .filter(|&p| kernel.is_running(p) && !model.is_blocked(p.0))
            .collect();
        let actor_of = |i: u8| running.get(usize::from(i) % running.len().max(1)).copied();
        let (pid, call) = match op {
            RefOp::Spawn => {
                spawn(&mut kernel, &mut model, &mut rec).map_err(|e| fail(Property::State, calls, e, &mut rec))?;
                continue;
            }
            _ if running.is_empty() => {
                spawn(&mut kernel, &mut model, &mut rec).map_err(|e| fail(Property::State, calls, e, &mut rec))?;
                continue;
            }
            RefOp::CreateEvent {
                actor,
                name,
                inherit,
                manual,
            } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CreateEvent {
                        event_attributes: Some(SecurityAttributes {
                            inherit_handle: *inherit,
                        }),
                        manual_reset: *manual,
                        initial_state: false,
                        name: name.map(|n| format!("obj{n}")),
                    },
                )
            }
            RefOp::CreatePipe { actor, inherit, size } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CreatePipe {
                        pipe_attributes: Some(SecurityAttributes {
                            inherit_handle: *inherit,
                        }),
                        size: [0, 1, 8, 64][usize::from(*size % 4)],
                    },
                )
            }
            RefOp::Close { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CloseHandle {
                        handle: resolve_handle(&kernel, pid, h),
                    },
                )
            }
            RefOp::GetInformation { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::GetHandleInformation {
                        handle: resolve_handle(&kernel, pid, h),
                    },
                )
            }
            RefOp::SetInformation { actor, h, mask, flags } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::SetHandleInformation {
                        handle: resolve_handle(&kernel, pid, h),
                        mask: u32::from(*mask),
                        flags: u32::from(*flags),
                    },
                )
            }
            RefOp::Duplicate {
                actor,
                source_process,
                h,
                target_process,
                options,
                inherit,
                access,
            } => {
                let pid = actor_of(*actor).expect("running");
                let options = u32::from(*options) & 7;
                (
                    pid,
                    Call::DuplicateHandle(DuplicateHandleArgs {
                        source_process_handle: resolve_handle(&kernel, pid, source_process),
                        source_handle: resolve_handle(&kernel, pid, h),
                        target_process_handle: resolve_handle(&kernel, pid, target_process),
                        null_target_handle: false,
                        desired_access: ACCESSES[usize::from(*access) % ACCESSES.len()],
                        inherit_handle: *inherit,
                        options,
                    }),
                )
            }
            RefOp::CreateProcess {
                actor,
                inherit,
                list,
                no_image,
            } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CreateProcess(Box::new(CreateProcessArgs {
                        command_line: (!no_image).then(|| "child.exe".into()),
                        inherit_handles: *inherit,
                        handle_list: list
                            .as_ref()
                            .map(|l| l.iter().map(|h| resolve_handle(&kernel, pid, h)).collect()),
                        ..Default::default()
                    })),
                )
            }
            RefOp::OpenProcess {
                actor,
                pid: p,
                terminate,
            } => {
                let pid = actor_of(*actor).expect("running");
                let all = kernel.process_ids();
                // A live pid, often with low bits set (Windows ignores them, as a handle's
                // tag bits), or a raw number.
                let process_id = if p % 4 == 0 || all.is_empty() {
                    u32::from(*p)
                } else {
                    all[usize::from(*p) % all.len()].0 | (u32::from(*p) >> 14)
                };
                let desired_access = if *terminate {
                    PROCESS_TERMINATE
                } else {
                    PROCESS_ALL_ACCESS
                };
                (
                    pid,
                    Call::OpenProcess {
                        desired_access,
                        inherit_handle: p % 3 == 0,
                        process_id,
                    },
                )
            }
            RefOp::ExitProcess { actor, code, thread } => {
                let exit_code = u32::from(*code);
                (
                    actor_of(*actor).expect("running"),
                    match thread {
                        false => Call::ExitProcess { exit_code },
                        true => Call::ExitThread { exit_code },
                    },
                )
            }
            RefOp::Terminate { actor, h, code } => {
                let pid = actor_of(*actor).expect("running");
                let process = resolve_handle(&kernel, pid, h);
                // A process parked in a pipe write is not ended here: the model does not
                // follow what its unread data does then (spec §6.6).
                if model
                    .process_of_handle(pid.0, process)
                    .is_some_and(|p| model.is_blocked(p) && !model.is_suspended(p))
                {
                    continue;
                }
                (
                    pid,
                    Call::TerminateProcess {
                        process,
                        exit_code: u32::from(*code),
                    },
                )
            }
            RefOp::Suspend { actor, h, resume, .. } => {
                let pid = actor_of(*actor).expect("running");
                let thread = resolve_handle(&kernel, pid, h);
                (
                    pid,
                    if *resume {
                        Call::ResumeThread { thread }
                    } else {
                        Call::SuspendThread { thread }
                    },
                )
            }
            RefOp::CreateMutex {
                actor,
                name,
                owner,
                inherit,
            } => (
                actor_of(*actor).expect("running"),
                Call::CreateMutex {
                    mutex_attributes: inherit.then_some(SecurityAttributes { inherit_handle: true }),
                    initial_owner: *owner,
                    name: name.map(|n| format!("obj{n}")),
                },
            ),
            RefOp::CreateSemaphore {
                actor,
                name,
                initial,
                maximum,
            } => (
                actor_of(*actor).expect("running"),
                Call::CreateSemaphore {
                    semaphore_attributes: Some(SecurityAttributes {
                        inherit_handle: initial % 2 == 0,
                    }),
                    initial_count: i32::from(*initial) as u32,
                    maximum_count: i32::from(*maximum) as u32,
                    name: name.map(|n| format!("obj{n}")),
                },
            ),
            RefOp::Open {
                actor,
                kind,
                name,
                full,
            } => {
                let desired_access = if *full { GENERIC_ALL } else { SYNCHRONIZE };
                let (inherit_handle, name) = (*full, format!("obj{name}"));
                let call = match kind % 3 {
                    0 => Call::OpenEvent {
                        desired_access,
                        inherit_handle,
                        name,
                    },
                    1 => Call::OpenMutex {
                        desired_access,
                        inherit_handle,
                        name,
                    },
                    _ => Call::OpenSemaphore {
                        desired_access,
                        inherit_handle,
                        name,
                    },
                };
                (actor_of(*actor).expect("running"), call)
            }
            RefOp::SetEvent { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                let event = resolve_handle(&kernel, pid, h);
                (pid, Call::SetEvent { event })
            }
            RefOp::ReleaseMutex { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                let mutex = resolve_handle(&kernel, pid, h);
                (pid, Call::ReleaseMutex { mutex })
            }
            RefOp::ReleaseSemaphore { actor, h, count } => {
                let pid = actor_of(*actor).expect("running");
                let semaphore = resolve_handle(&kernel, pid, h);
                let release_count = i32::from(*count) as u32;
                (
                    pid,
                    Call::ReleaseSemaphore {
                        semaphore,
                        release_count,
                    },
                )
            }
            RefOp::Wait { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                let handle = resolve_handle(&kernel, pid, h);
                (
                    pid,
                    Call::WaitForSingleObject {
                        handle,
                        milliseconds: 0,
                    },
                )
            }
            RefOp::ResetEvent { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                let event = resolve_handle(&kernel, pid, h);
                (pid, Call::ResetEvent { event })
            }
            RefOp::WaitMany { actor, hs, all } => {
                let pid = actor_of(*actor).expect("running");
                let handles = hs.iter().map(|h| resolve_handle(&kernel, pid, h)).collect();
                (
                    pid,
                    Call::WaitForMultipleObjects {
                        handles,
                        wait_all: *all,
                        milliseconds: 0,
                    },
                )
            }
            RefOp::GetId { actor, h, which } => {
                let pid = actor_of(*actor).expect("running");
                let h = resolve_handle(&kernel, pid, h);
                (
                    pid,
                    match which % 3 {
                        0 => Call::GetProcessId { process: h },
                        1 => Call::GetThreadId { thread: h },
                        _ => Call::GetProcessIdOfThread { thread: h },
                    },
                )
            }
            RefOp::GetExitCode { actor, h, thread } => {
                let pid = actor_of(*actor).expect("running");
                let h = resolve_handle(&kernel, pid, h);
                match thread {
                    false => (pid, Call::GetExitCodeProcess { process: h }),
                    true => (pid, Call::GetExitCodeThread { thread: h }),
                }
            }
            RefOp::SetEnv { actor, name, value } => {
                let value = match value % 8 {
                    0 => None,
                    1 => Some(String::new()),
                    2 => Some("x".repeat(32_766)),
                    3 => Some("y".repeat(32_767)),
                    4 => Some("z".repeat(40_000)),
                    v => Some(format!("value{v}")),
                };
                (
                    actor_of(*actor).expect("running"),
                    Call::SetEnvironmentVariable {
                        name: env_name(*name),
                        value,
                    },
                )
            }
            RefOp::Expand { actor, src, size } => {
                // References to the names SetEnv uses (in other cases too), text around them,
                // two side by side, lone and doubled `%`. No source has an unknown name whose
                // closing `%` could pair with a later one (`%A%B%`): the spec does not say
                // which `%` opens the next reference then.
                const SOURCES: &[&str] = &[
                    "%Path%",
                    "<%tmp%>",
                    "%PATH%%TMP%",
                    "100%",
                    "%Path",
                    "%%",
                    "%=C:%",
                    "%STRASSE% and %ärger%",
                    "%한글%!",
                    "no reference",
                    "",
                ];
                (
                    actor_of(*actor).expect("running"),
                    Call::ExpandEnvironmentStrings {
                        src: SOURCES[usize::from(*src) % SOURCES.len()].to_string(),
                        size: [0, 1, 6, 7, 8, 12, 100, 32_767, 40_000][usize::from(*size) % 9],
                        null_buffer: false,
                    },
                )
            }
            RefOp::GetEnv { actor, name, size } => (
                actor_of(*actor).expect("running"),
                Call::GetEnvironmentVariable {
                    name: env_name(*name),
                    size: [0, 1, 5, 6, 7, 40_000][usize::from(*size) % 6],
                    null_buffer: false,
                },
            ),
            RefOp::Read { actor, h, len } => {
                let pid = actor_of(*actor).expect("running");
                let file = resolve_handle(&kernel, pid, h);
                let bytes_to_read = u32::from(*len % 80);
                // A read that would park reads an end with data instead, when there is one.
                let file = match model.readable_end(pid.0, usize::from(*len)) {
                    Some(other) if model.read_would_wait(pid.0, file) || len % 3 == 0 => other,
                    _ => file,
                };
                // And now and then a mailslot with messages, when the caller serves one.
                let file = match model.readable_slot(pid.0, usize::from(*len)) {
                    Some(slot) if len % 2 == 1 => slot,
                    _ => file,
                };
                if model.read_would_wait(pid.0, file) {
                    (
                        pid,
                        Call::PeekNamedPipe {
                            named_pipe: file,
                            buffer_size: 0,
                            null_buffer: false,
                        },
                    )
                } else {
                    (
                        pid,
                        Call::ReadFile {
                            file,
                            bytes_to_read,
                            null_buffer: false,
                        },
                    )
                }
            }
            RefOp::Write { actor, h, len } => {
                let pid = actor_of(*actor).expect("running");
                let file = resolve_handle(&kernel, pid, h);
                // Now and then into a mailslot, when the caller holds a client end.
                let file = match model.slot_client(pid.0, usize::from(*len)) {
                    Some(client) if len % 2 == 0 => client,
                    _ => file,
                };
                // A quarter of the writes (among those steered to a mailslot above: an even
                // `len`) are exactly a mailslot's limit (4, 16, 64) or one byte past it, the
                // boundary a limit check must get right; the rest any length up to 79 (pipe
                // quotas are 0 to 64 bytes).
                let n = if len % 4 == 2 {
                    [4, 5, 16, 17, 64, 65][usize::from(*len / 4 % 6)]
                } else {
                    usize::from(*len % 80)
                };
                let data = Data((0..n).map(|i| b'a' + ((i + calls) % 26) as u8).collect());
                (
                    pid,
                    Call::WriteFile {
                        file,
                        data,
                        null_buffer: false,
                    },
                )
            }
            RefOp::PipeState { actor, h, info } => {
                let pid = actor_of(*actor).expect("running");
                let named_pipe = resolve_handle(&kernel, pid, h);
                (
                    pid,
                    match info {
                        false => Call::GetNamedPipeHandleState {
                            named_pipe,
                            query_remote_info: false,
                        },
                        true => Call::GetNamedPipeInfo { named_pipe },
                    },
                )
            }
            RefOp::Peek { actor, h, size } => {
                let pid = actor_of(*actor).expect("running");
                let named_pipe = resolve_handle(&kernel, pid, h);
                (
                    pid,
                    Call::PeekNamedPipe {
                        named_pipe,
                        // No buffer, buffers that cut a message (writes are up to 79 bytes),
                        // and one that takes everything.
                        buffer_size: [0, 1, 3, 8, 40, 255][usize::from(*size % 6)],
                        null_buffer: false,
                    },
                )
            }
            RefOp::SetPipeMode { actor, h, mode } => {
                let pid = actor_of(*actor).expect("running");
                let named_pipe = resolve_handle(&kernel, pid, h);
                let mode = [
                    PIPE_NOWAIT,
                    PIPE_WAIT,
                    PIPE_READMODE_MESSAGE,
                    PIPE_READMODE_MESSAGE,
                    PIPE_READMODE_MESSAGE | PIPE_NOWAIT,
                    0x10,
                ][usize::from(*mode) % 6];
                (
                    pid,
                    Call::SetNamedPipeHandleState {
                        named_pipe,
                        mode: Some(mode),
                        max_collection_count: None,
                        collect_data_timeout: None,
                    },
                )
            }
            RefOp::CreateNamedPipe {
                actor,
                name,
                mode,
                max,
                sizes,
                first,
            } => {
                let pid = actor_of(*actor).expect("running");
                let pipe_mode = [PIPE_TYPE_MESSAGE, PIPE_READMODE_MESSAGE, PIPE_NOWAIT]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mode & (1 << i) != 0)
                    .fold(0, |m, (_, bit)| m | bit);
                let size = |bit: u8| if sizes & bit != 0 { 64 } else { 8 };
                (
                    pid,
                    Call::CreateNamedPipe(CreateNamedPipeArgs {
                        name: format!("\\\\.\\pipe\\np{name}"),
                        open_mode: PIPE_ACCESS_DUPLEX | if *first { FILE_FLAG_FIRST_PIPE_INSTANCE } else { 0 },
                        pipe_mode,
                        max_instances: [1, 2, PIPE_UNLIMITED_INSTANCES, 0][usize::from(*max % 4)],
                        out_buffer_size: size(1),
                        in_buffer_size: size(2),
                        default_timeout: 0,
                        security_attributes: None,
                    }),
                )
            }
            RefOp::CreateMailslot {
                actor,
                name,
                max,
                inherit,
            } => (
                actor_of(*actor).expect("running"),
                Call::CreateMailslot {
                    // Three names in two spellings, and now and then one without the prefix.
                    name: match name % 8 {
                        7 => format!("ms{name}"),
                        n if n % 2 == 0 => format!("\\\\.\\mailslot\\ms{}", n % 3),
                        n => format!("\\\\.\\MailSlot\\MS{}", n % 3),
                    },
                    max_message_size: [0, 4, 16, 64][usize::from(*max % 4)],
                    read_timeout: 0,
                    security_attributes: Some(SecurityAttributes {
                        inherit_handle: *inherit,
                    }),
                },
            ),
            RefOp::OpenMailslot { actor, name, access } => (
                actor_of(*actor).expect("running"),
                Call::CreateFile(CreateFileArgs {
                    file_name: format!("\\\\.\\mailslot\\ms{}", name % 4),
                    desired_access: [GENERIC_WRITE, GENERIC_READ | GENERIC_WRITE, GENERIC_READ]
                        [usize::from(*access % 3)],
                    share_mode: FILE_SHARE_READ,
                    creation_disposition: OPEN_EXISTING,
                    ..CreateFileArgs::default()
                }),
            ),
            RefOp::MailslotInfo { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                // Every other one asks a mailslot the caller serves that holds messages, when
                // there is one: the next message's size is then that of the oldest.
                let mailslot = match model.readable_slot(pid.0, calls) {
                    Some(slot) if calls % 2 == 0 => slot,
                    _ => resolve_handle(&kernel, pid, h),
                };
                (pid, Call::GetMailslotInfo { mailslot })
            }
            RefOp::OpenPipe {
                actor,
                name,
                access,
                inherit,
            } => {
                let pid = actor_of(*actor).expect("running");
                let desired_access = [
                    GENERIC_READ | GENERIC_WRITE,
                    GENERIC_READ,
                    GENERIC_WRITE,
                    GENERIC_READ | GENERIC_WRITE,
                ][usize::from(*access % 4)];
                (
                    pid,
                    Call::CreateFile(CreateFileArgs {
                        file_name: format!("\\\\.\\PIPE\\NP{name}"),
                        desired_access,
                        security_attributes: Some(SecurityAttributes {
                            inherit_handle: *inherit,
                        }),
                        creation_disposition: OPEN_EXISTING,
                        ..CreateFileArgs::default()
                    }),
                )
            }
            RefOp::Connect { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                let named_pipe = resolve_handle(&kernel, pid, h);
                if model.connect_would_wait_twice(pid.0, named_pipe) {
                    (
                        pid,
                        Call::PeekNamedPipe {
                            named_pipe,
                            buffer_size: 0,
                            null_buffer: false,
                        },
                    )
                } else {
                    (pid, Call::ConnectNamedPipe { named_pipe })
                }
            }
            RefOp::Disconnect { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::DisconnectNamedPipe {
                        named_pipe: resolve_handle(&kernel, pid, h),
                    },
                )
            }
        };
        let tid = kernel.main_thread(pid).expect("a running process has a thread");
        model.outputs = Outputs::default();
        model.completions.clear();
        let before = comparable(kernel.snapshot());
        let expected = model.apply(pid.0, &call);
        let outcome = match call_or_record_panic(&mut kernel, pid, tid, &call, &mut rec) {
            Ok(called) => called.map_err(|e| {
                let what = (format!("{} to run", call.name()), format!("{e}"));
                fail(Property::KernelAccepts, calls + 1, what, &mut rec)
            })?,
            Err(message) => {
                let what = (
                    format!("{} to return or park", call.name()),
                    format!("the kernel panicked: {message}"),
                );
                return Err(fail(Property::KernelAccepts, calls + 1, what, &mut rec));
            }
        };
        rec.push(Record::Call {
            pid,
            tid,
            call: call.clone(),
            outcome: outcome.clone(),
        });
        calls += 1;
        rec.push(Record::Expect(model.expect_json(&expected)));
        let agrees = match (&expected, &outcome) {
            (Expected::NoReturn, CallOutcome::NoReturn) => true,
            (Expected::Pending, CallOutcome::Pending { .. }) => true,
            (Expected::Result(ret, error), CallOutcome::Done(r)) => {
                r.ret == *ret && error.is_none_or(|e| r.last_error == e && r.error_set)
            }
            _ => false,
        };
        if !agrees {
            let what = (
                format!("{} by pid {pid}: {expected:?}", call.name()),
                format!("{outcome:?}"),
            );
            return Err(fail(Property::ReturnValue, calls, what, &mut rec));
        }
        if let CallOutcome::Done(r) = &outcome {
            for (field, want) in model.outputs.iter() {
                let got = r.output(field);
                if got.as_ref() != Some(&want) {
                    let what = (
                        format!("{} by pid {pid}: output {field} {want:?}", call.name()),
                        format!("{got:?}"),
                    );
                    return Err(fail(Property::Outputs, calls, what, &mut rec));
                }
            }
            // A failed call changes nothing but the caller's last error (spec §11).
            if Some(r.ret) == call.kind().failure_ret() && !may_change_on_failure(&call, r.last_error) {
                let after = comparable(kernel.snapshot());
                if after != before {
                    // The replay states what should have stayed: the tables and counts, and
                    // the variable a failed SetEnvironmentVariable must not have touched.
                    let mut expect = model.state_json();
                    if let Call::SetEnvironmentVariable { name, .. } = &call {
                        expect["env"] = model.env_json(pid.0, name);
                    }
                    rec.push(Record::Expect(expect));
                    let what = (
                        format!("{} by pid {pid} failed and changed nothing", call.name()),
                        "a changed state".to_string(),
                    );
                    return Err(fail(Property::FailedCallChangesNothing, calls, what, &mut rec));
                }
            }
        }
        let completed: Vec<RefCompletion> = kernel
            .take_completions()
            .into_iter()
            .map(|c| RefCompletion {
                pid: c.process_id.0,
                ret: c.result.ret,
                error: (c.result.ret == Ret::Bool(false)).then_some(c.result.last_error),
            })
            .collect();
        // Which of several calls one call releases completes first is the kernel's choice
        // (park order, ARCHITECTURE.md "Blocking and time"); Windows has no such order to
        // observe across threads (and a process has one thread here), so the completions are
        // compared by process.
        let sorted = |c: &[RefCompletion]| {
            let mut c = c.to_vec();
            c.sort_by_key(|c| c.pid);
            c
        };
        if sorted(&completed) != sorted(&model.completions) {
            let what = (
                format!(
                    "after {} by pid {pid}: completions {:?}",
                    call.name(),
                    model.completions
                ),
                format!("{completed:?}"),
            );
            return Err(fail(Property::Completions, calls, what, &mut rec));
        }
        if let Err(e) = model.compare(&kernel) {
            rec.push(Record::Expect(model.state_json()));
            let what = (format!("after {} by pid {pid}: the model's state", call.name()), e);
            return Err(fail(Property::State, calls, what, &mut rec));
        }
        for c in checks {
            if let Err(e) = (c.check)(&kernel) {
                let what = (format!("after {} by pid {pid}: {}", call.name(), c.name), e);
                return Err(fail(Property::Custom(c.name), calls, what, &mut rec));
            }
        }
    }
    Ok(calls)
}

/// A row's provenance as a scenario's row `origin` expectation (processes named `p<pid>`).
fn origin_json(origin: Origin) -> serde_json::Value {
    use serde_json::json;
    match origin {
        Origin::Created { call } => json!({"how": "created", "call": call.as_str()}),
        Origin::Opened { call } => json!({"how": "opened", "call": call.as_str()}),
        Origin::Inherited { parent } => json!({"how": "inherited", "from": format!("p{parent}")}),
        Origin::Duplicated {
            source,
            source_handle,
            closed_source,
        } => json!({
            "how": "duplicated",
            "from": format!("p{source}"),
            "source_handle": source_handle.0,
            "closed_source": closed_source,
        }),
    }
}

/// A name as NT compares it without case (spec §8: "case-insensitively", by
/// `RtlUpcaseUnicodeChar`): UTF-16 units, each BMP character replaced by its one-character
/// uppercase when it has one; nothing grows (`ß` stays) and surrogates stay. Compared as
/// units, so the block's order is NT's ordinal order.
pub(crate) fn nt_upper(name: &str) -> Vec<u16> {
    let mut units = Vec::with_capacity(name.len());
    for c in name.chars() {
        let mut up = c.to_uppercase();
        let one = match (up.next(), up.next()) {
            (Some(u), None) if c.len_utf16() == 1 && u.len_utf16() == 1 => u,
            _ => c,
        };
        let mut buf = [0u16; 2];
        units.extend_from_slice(one.encode_utf16(&mut buf));
    }
    units
}
