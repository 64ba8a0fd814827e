//! A reference model of handle tables and usage counts, deliberately simple and separate from
//! the kernel: plain maps, written from the spec (§1-§4, §9) rather than from the kernel's
//! code. It knows a handle-centric subset of calls (events, pipes, `CloseHandle`,
//! `SetHandleInformation`, `DuplicateHandle`, `CreateProcess`, `OpenProcess`, `ExitProcess`,
//! `TerminateProcess`) and predicts, call by call, the return value, the last error, every
//! table row and every object's counts. [`run_reference`] compares it with the kernel after
//! every call.

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
                event_attributes, name, ..
            } => {
                let inherit = event_attributes.is_some_and(|s| s.inherit_handle);
                let row = |object, origin| Row {
                    object,
                    access: EVENT_ALL_ACCESS,
                    inherit,
                    protect: false,
                    origin,
                };
                if let Some(n) = name {
                    if let Some(&a) = self.names.get(n) {
                        let v = self.insert(
                            pid,
                            row(
                                a,
                                Origin::Opened {
                                    call: CallName::CreateEvent,
                                },
                            ),
                        );
                        return R(Ret::Handle(HandleValue(v)), Some(Win32Error::AlreadyExists));
                    }
                }
                let a = self.new_object(ObjectKind::Event, name.clone());
                if let Some(n) = name {
                    self.names.insert(n.clone(), a);
                }
                let v = self.insert(pid, row(a, created(CallName::CreateEvent)));
                R(Ret::Handle(HandleValue(v)), Some(Win32Error::Success))
            }
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
                        name: name.map(|n| format!("ev{n}")),
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
