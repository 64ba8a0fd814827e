//! A reference model of handle tables and usage counts, deliberately simple and separate from
//! the kernel: plain maps, written from the spec (§1-§4, §9) and MS's pages on the
//! synchronisation objects rather than from the kernel's code. It knows a handle-centric
//! subset of calls (events, mutexes and semaphores in one namespace with `Open*`, `SetEvent`,
//! `ReleaseMutex`, `ReleaseSemaphore` and zero-timeout waits that consume; pipes,
//! `CloseHandle`, `SetHandleInformation`, `DuplicateHandle`, `CreateProcess`, `OpenProcess`,
//! `ExitProcess` with mutex abandonment, `TerminateProcess`) and predicts, call by call, the
//! return value, the last error, every table row and every object's counts.
//! [`run_reference`] compares it with the kernel after every call.

use crate::driver::resolve_handle;
use crate::ops::RefOp;
use crate::record::{Record, Recorder};
use kernsim_kernel::consts::*;
use kernsim_kernel::*;
use std::collections::BTreeMap;

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
}

/// The waitable state of an event, a mutex or a semaphore (processes and threads are
/// signaled once they stop running, pipe ends always).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Plain,
    /// A manual-reset event.
    Event {
        signaled: bool,
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
        self.objects.get_mut(&t).expect("new").running = true;
        self.pids.insert(pid, p);
        self.tables.insert(pid, rows);
        (pid, tid, p)
    }

    /// The system starts a process.
    pub fn spawn(&mut self) -> u32 {
        self.start(BTreeMap::new()).0
    }

    fn exit(&mut self, pid: u32) {
        let p = self.process_object(pid);
        if !self.objects[&p].running {
            return;
        }
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
            self.objects.get_mut(&t).expect("thread").running = false;
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
                ..
            } => self.create_named(
                pid,
                CallName::CreateEvent,
                *event_attributes,
                name,
                State::Event {
                    signaled: *initial_state,
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
            Call::SetEvent { event } => {
                let Some((object, access, _)) = self.resolve(pid, *event) else {
                    return fail(Win32Error::InvalidHandle);
                };
                let o = self.objects.get_mut(&object).expect("live");
                if !matches!(o.state, State::Event { .. }) {
                    return fail(Win32Error::InvalidHandle);
                }
                if access & EVENT_MODIFY_STATE == 0 {
                    return fail(Win32Error::AccessDenied);
                }
                o.state = State::Event { signaled: true };
                ok
            }
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
            Call::CreatePipe { pipe_attributes, .. } => {
                let inherit = pipe_attributes.is_some_and(|s| s.inherit_handle);
                let r = self.new_object(ObjectKind::Pipe, None);
                let w = self.new_object(ObjectKind::Pipe, None);
                self.insert(
                    pid,
                    Row {
                        object: r,
                        access: FILE_GENERIC_READ | FILE_WRITE_ATTRIBUTES,
                        inherit,
                        protect: false,
                        origin: created(CallName::CreatePipe),
                    },
                );
                self.insert(
                    pid,
                    Row {
                        object: w,
                        access: FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES,
                        inherit,
                        protect: false,
                        origin: created(CallName::CreatePipe),
                    },
                );
                ok
            }
            Call::CloseHandle { handle } => {
                if handle.is_pseudo() {
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
                if handle.is_pseudo() {
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
            Call::DuplicateHandle(a) => self.duplicate(pid, a),
            Call::CreateProcess(args) => {
                let rows: BTreeMap<u32, Row> = if args.inherit_handles {
                    self.tables[&pid]
                        .iter()
                        .filter(|(_, r)| r.inherit)
                        .map(|(v, r)| {
                            let origin = Origin::Inherited { parent: Pid(pid) };
                            (*v, Row { origin, ..*r })
                        })
                        .collect()
                } else {
                    BTreeMap::new()
                };
                let (_, _, p) = self.start(rows);
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
            Call::ExitProcess { .. } => {
                self.exit(pid);
                Expected::NoReturn
            }
            Call::TerminateProcess { process, .. } => {
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
                self.exit(target);
                if target == pid {
                    Expected::NoReturn
                } else {
                    ok
                }
            }
            other => panic!("the reference model does not know {}", other.name()),
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
        let access = if desired_access == GENERIC_ALL {
            all_access(kind)
        } else {
            desired_access
        };
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
            State::Event { signaled } => done(if signaled { WAIT_OBJECT_0 } else { WAIT_TIMEOUT }),
            State::Semaphore { count: 0, .. } => done(WAIT_TIMEOUT),
            State::Semaphore { count, maximum } => {
                o.state = State::Semaphore {
                    count: count - 1,
                    maximum,
                };
                done(WAIT_OBJECT_0)
            }
            State::Mutex {
                owner,
                recursion,
                abandoned,
            } if owner.is_none_or(|o| o == pid) => {
                o.state = State::Mutex {
                    owner: Some(pid),
                    recursion: recursion + 1,
                    abandoned: false,
                };
                done(if abandoned { WAIT_ABANDONED_0 } else { WAIT_OBJECT_0 })
            }
            State::Mutex { .. } => done(WAIT_TIMEOUT),
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
        } else if a.desired_access == GENERIC_ALL {
            all_access(kind)
        } else {
            a.desired_access
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
                source_handle: if src.is_pseudo() { src } else { HandleValue(src.0 & !3) },
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

    /// Compares the model with the kernel: every table and every object's counts.
    pub fn compare(&self, kernel: &Kernel) -> Result<(), String> {
        let snap = kernel.snapshot();
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

/// Runs reference operations on a fresh kernel (or `kernel`), comparing with the model after
/// every call. `Err` carries the first difference and the sequence as a replayable scenario.
pub fn run_reference(ops: &[RefOp], kernel: Option<Kernel>) -> Result<usize, String> {
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
            return Err(format!("pid allocation differs: kernel {pid}, model {mpid}"));
        }
        Ok(())
    };
    spawn(&mut kernel, &mut model, &mut rec)?;
    let fail = |msg: String, rec: &mut Recorder| {
        rec.push(Record::Note(format!("FAILED here: {msg}")));
        format!(
            "{msg}\n--- replay with `kernsim run` ---\n{}",
            rec.scenario_json("reference model difference")
        )
    };
    let mut calls = 0;
    for op in ops {
        let running: Vec<Pid> = kernel
            .process_ids()
            .into_iter()
            .filter(|&p| kernel.is_running(p))
            .collect();
        let actor_of = |i: u8| running.get(usize::from(i) % running.len().max(1)).copied();
        let (pid, call) = match op {
            RefOp::Spawn => {
                spawn(&mut kernel, &mut model, &mut rec).map_err(|e| fail(e, &mut rec))?;
                continue;
            }
            _ if running.is_empty() => {
                spawn(&mut kernel, &mut model, &mut rec).map_err(|e| fail(e, &mut rec))?;
                continue;
            }
            RefOp::CreateEvent { actor, name, inherit } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CreateEvent {
                        event_attributes: Some(SecurityAttributes {
                            inherit_handle: *inherit,
                        }),
                        manual_reset: true,
                        initial_state: false,
                        name: name.map(|n| format!("obj{n}")),
                    },
                )
            }
            RefOp::CreatePipe { actor, inherit } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CreatePipe {
                        pipe_attributes: Some(SecurityAttributes {
                            inherit_handle: *inherit,
                        }),
                        size: 0,
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
            } => {
                let pid = actor_of(*actor).expect("running");
                let options = u32::from(*options) & 3;
                (
                    pid,
                    Call::DuplicateHandle(DuplicateHandleArgs {
                        source_process_handle: resolve_handle(&kernel, pid, source_process),
                        source_handle: resolve_handle(&kernel, pid, h),
                        target_process_handle: resolve_handle(&kernel, pid, target_process),
                        null_target_handle: false,
                        desired_access: if options & DUPLICATE_SAME_ACCESS == 0 {
                            GENERIC_ALL
                        } else {
                            0
                        },
                        inherit_handle: *inherit,
                        options,
                    }),
                )
            }
            RefOp::CreateProcess { actor, inherit } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::CreateProcess(Box::new(CreateProcessArgs {
                        command_line: Some("child.exe".into()),
                        inherit_handles: *inherit,
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
                let process_id = if p % 4 == 0 || all.is_empty() {
                    u32::from(*p)
                } else {
                    all[usize::from(*p) % all.len()].0
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
            RefOp::ExitProcess { actor, code } => (
                actor_of(*actor).expect("running"),
                Call::ExitProcess {
                    exit_code: u32::from(*code),
                },
            ),
            RefOp::Terminate { actor, h } => {
                let pid = actor_of(*actor).expect("running");
                (
                    pid,
                    Call::TerminateProcess {
                        process: resolve_handle(&kernel, pid, h),
                        exit_code: 1,
                    },
                )
            }
            RefOp::CreateMutex { actor, name, owner } => (
                actor_of(*actor).expect("running"),
                Call::CreateMutex {
                    mutex_attributes: None,
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
        };
        let tid = kernel.main_thread(pid).expect("a running process has a thread");
        let expected = model.apply(pid.0, &call);
        let outcome = kernel
            .call(tid, &call)
            .map_err(|e| fail(format!("the kernel refused the call: {e}"), &mut rec))?;
        rec.push(Record::Call {
            pid,
            tid,
            call: call.clone(),
            outcome: outcome.clone(),
        });
        calls += 1;
        let agrees = match (&expected, &outcome) {
            (Expected::NoReturn, CallOutcome::NoReturn) => true,
            (Expected::Result(ret, error), CallOutcome::Done(r)) => {
                r.ret == *ret && error.is_none_or(|e| r.last_error == e && r.error_set)
            }
            _ => false,
        };
        if !agrees {
            return Err(fail(
                format!(
                    "{} by pid {pid}: kernel {outcome:?}, model expects {expected:?}",
                    call.name()
                ),
                &mut rec,
            ));
        }
        model
            .compare(&kernel)
            .map_err(|e| fail(format!("after {} by pid {pid}: {e}", call.name()), &mut rec))?;
    }
    Ok(calls)
}
