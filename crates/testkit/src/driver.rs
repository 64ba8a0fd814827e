//! The checking driver: applies generated [`Op`]s to a [`Kernel`] and, after every step,
//! checks `check_invariants` and the properties the kernel promises beyond it:
//!
//! * pipe data is neither lost, duplicated nor reordered, and message boundaries are kept
//!   (an independent queue model per reading end, fed by successful writes);
//! * mailslot messages come out whole and in order;
//! * `ERROR_BROKEN_PIPE` only when no write end exists any more;
//! * `CreateProcess` copies exactly the inheritable (or listed) rows, at the same values, with
//!   the same access and flags, and nothing else;
//! * environment changes never cross between parent and child (a model block per process);
//! * only a mutex's owner releases it; a satisfied wait consumes (a mutex is acquired, a
//!   semaphore counts down, an auto-reset event resets); a semaphore release reports the
//!   count it found and is refused exactly past the maximum, changing nothing;
//! * no call panics.
//!
//! Every step is also recorded, so a failing sequence prints as a scenario file that
//! `kernsim run` replays.

use crate::ops::{Action, HandleRef, Op, Timeout};
use crate::property::{Check, Property, PropertyFailure};
use crate::record::{call_or_record_panic, Record, Recorder};
use kernsim_kernel::consts::*;
use kernsim_kernel::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A property the driver found broken, and how; [`run_sequence`] turns it into a
/// [`PropertyFailure`] with the replay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    /// Which property.
    pub property: Property,
    /// What was found.
    pub detail: String,
}

impl Broken {
    fn promise(detail: String) -> Broken {
        Broken {
            property: Property::DriverPromises,
            detail,
        }
    }
}

impl From<Broken> for proptest::test_runner::Reason {
    fn from(b: Broken) -> Self {
        b.to_string().into()
    }
}

impl std::error::Error for Broken {}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.property, self.detail)
    }
}

/// A queue model of one reading end (pipe end or mailslot).
#[derive(Clone, Debug, Default)]
struct Queue {
    /// Messages (or byte chunks) not yet read, with how much of the first was read.
    messages: VecDeque<Vec<u8>>,
    front_read: usize,
}

/// What a parked call was, so its completion can be checked.
#[derive(Clone, Debug)]
enum Parked {
    Read {
        reader: Address,
        message_mode: bool,
        n: u32,
        mailslot: bool,
    },
    Write {
        reader: Address,
        tid: Tid,
    },
    Other,
}

/// Applies operations to a kernel and checks every promise after every step.
pub struct Driver {
    /// The kernel under test.
    pub kernel: Kernel,
    recorder: Recorder,
    queues: BTreeMap<Address, Queue>,
    last_peer: BTreeMap<Address, Address>,
    env: BTreeMap<Pid, BTreeMap<String, String>>,
    parked: BTreeMap<u64, Parked>,
    counter: u32,
    spawned: u32,
    steps: usize,
    /// The per-step check the scenario runner uses, run beside the full one: the two must
    /// agree (a path that changed a row without recording it would make it report falsely).
    incremental: IncrementalCheck,
    /// An embedder's own properties, checked after every step.
    checks: Vec<Check>,
    /// What the broken promise says the last call should have done, as scenario
    /// expectations, so the replay fails under `kernsim check` until the bug is fixed.
    expect: Option<Value>,
}

impl Default for Driver {
    fn default() -> Self {
        Self::new()
    }
}

fn upper(s: &str) -> String {
    s.to_uppercase()
}

impl Driver {
    /// A fresh kernel with one system process.
    pub fn new() -> Driver {
        let mut kernel = Kernel::new();
        let incremental = IncrementalCheck::new(&mut kernel);
        let mut d = Driver {
            kernel,
            incremental,
            recorder: Recorder::default(),
            queues: BTreeMap::new(),
            last_peer: BTreeMap::new(),
            env: BTreeMap::new(),
            parked: BTreeMap::new(),
            counter: 0,
            spawned: 0,
            steps: 0,
            checks: Vec::new(),
            expect: None,
        };
        d.spawn();
        d
    }

    /// Adds a property of the embedder's own, checked after every step; a failure names it
    /// (`Property::Custom(name)`).
    pub fn add_check(&mut self, check: Check) {
        self.checks.push(check);
    }

    /// The same driver over a kernel with injected bugs, or any prepared kernel.
    pub fn with_kernel(kernel: Kernel) -> Driver {
        let mut d = Driver::new();
        d.kernel = kernel;
        d.recorder = Recorder::default();
        d.env.clear();
        d.spawned = 0;
        d.spawn();
        d
    }

    /// How many steps ran.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The steps so far, as a scenario file that `kernsim run` replays.
    pub fn scenario_json(&self, title: &str) -> String {
        self.recorder.scenario_json(title)
    }

    fn spawn(&mut self) {
        self.spawned += 1;
        let image = format!("sys{}.exe", self.spawned);
        let env = vec!["PATH=C:\\Windows".to_string(), "SHARED=base".to_string()];
        let (pid, tid) = self.kernel.spawn(&image, "", env.clone());
        self.env.insert(
            pid,
            env.iter()
                .map(|e| {
                    let (n, v) = env::split(e);
                    (upper(n), v.to_string())
                })
                .collect(),
        );
        self.recorder.push(Record::Start {
            pid,
            tid,
            image,
            environment: env,
        });
    }

    /// Applies one operation and checks everything; `Err` names the first broken property.
    pub fn apply(&mut self, op: &Op) -> Result<(), Broken> {
        self.steps += 1;
        match op {
            Op::Spawn => self.spawn(),
            Op::Advance(ms) => {
                self.kernel.advance_time(u64::from(*ms));
                self.recorder.push(Record::Advance(u64::from(*ms)));
            }
            Op::Act { actor, action } => {
                let runnable = self.runnable();
                if runnable.is_empty() {
                    match self.kernel.next_deadline() {
                        Some(d) => {
                            let ms = d - self.kernel.now_ms();
                            self.kernel.advance_time(ms);
                            self.recorder.push(Record::Advance(ms));
                        }
                        None => self.spawn(),
                    }
                } else {
                    let (pid, tid) = runnable[usize::from(*actor) % runnable.len()];
                    self.act(pid, tid, action)?;
                }
            }
        }
        self.after_step()
    }

    /// Runnable threads as (pid, tid), by tid.
    fn runnable(&self) -> Vec<(Pid, Tid)> {
        let snap = self.kernel.snapshot();
        snap.threads
            .iter()
            .filter(|t| t.exit_code.is_none() && t.parked.is_none() && t.suspend_count == 0)
            .map(|t| (t.process_id, t.thread_id))
            .collect()
    }

    fn rows(&self, pid: Pid) -> Vec<RowView> {
        self.kernel.process_view(pid).map(|p| p.handles).unwrap_or_default()
    }

    fn handle(&self, pid: Pid, r: &HandleRef) -> HandleValue {
        resolve_handle(&self.kernel, pid, r)
    }

    fn timeout(t: Timeout) -> u32 {
        match t {
            Timeout::Zero => 0,
            Timeout::Ms(ms) => u32::from(ms),
            Timeout::Forever => INFINITE,
        }
    }

    fn data(&mut self, len: u16) -> Data {
        let start = self.counter;
        self.counter = self.counter.wrapping_add(u32::from(len));
        Data(
            (0..u32::from(len))
                .map(|i| (start.wrapping_add(i) % 251) as u8)
                .collect(),
        )
    }

    /// The pipe or mailslot detail of the object a handle names in `pid`.
    fn detail(&self, pid: Pid, h: HandleValue) -> Option<(Address, Detail)> {
        self.kernel.object_of_handle(pid, h).map(|o| (o.object, o.detail))
    }

    fn build(&mut self, pid: Pid, action: &Action) -> (Call, Parked) {
        let h = |d: &Driver, r: &HandleRef| d.handle(pid, r);
        let sa = |inherit: bool| {
            Some(SecurityAttributes {
                inherit_handle: inherit,
            })
        };
        let mut parked = Parked::Other;
        let call = match action {
            Action::CreateEvent {
                name,
                inherit,
                manual,
                initial,
            } => Call::CreateEvent {
                event_attributes: sa(*inherit),
                manual_reset: *manual,
                initial_state: *initial,
                name: name.map(|n| format!("ev{n}")),
            },
            Action::OpenEvent { name, inherit } => Call::OpenEvent {
                desired_access: EVENT_ALL_ACCESS,
                inherit_handle: *inherit,
                name: format!("ev{name}"),
            },
            Action::SetEvent { h: r, set } => {
                let event = h(self, r);
                if *set {
                    Call::SetEvent { event }
                } else {
                    Call::ResetEvent { event }
                }
            }
            Action::Close { h: r } => Call::CloseHandle { handle: h(self, r) },
            Action::Duplicate {
                source_process,
                h: r,
                target_process,
                options,
                inherit,
                null_target,
            } => {
                let options = u32::from(*options) & 7;
                Call::DuplicateHandle(DuplicateHandleArgs {
                    source_process_handle: h(self, source_process),
                    source_handle: h(self, r),
                    target_process_handle: h(self, target_process),
                    null_target_handle: *null_target,
                    desired_access: if options & DUPLICATE_SAME_ACCESS == 0 {
                        GENERIC_ALL
                    } else {
                        0
                    },
                    inherit_handle: *inherit,
                    options,
                })
            }
            Action::SetInformation { h: r, mask, flags } => Call::SetHandleInformation {
                handle: h(self, r),
                mask: u32::from(*mask),
                flags: u32::from(*flags),
            },
            Action::GetInformation { h: r } => Call::GetHandleInformation { handle: h(self, r) },
            Action::CreateProcess {
                inherit,
                suspended,
                explicit_env,
                list,
            } => {
                let rows = self.rows(pid);
                let handle_list = list.as_ref().map(|l| {
                    l.iter()
                        .filter(|_| !rows.is_empty())
                        .map(|i| rows[usize::from(*i) % rows.len()].handle)
                        .collect()
                });
                Call::CreateProcess(Box::new(CreateProcessArgs {
                    command_line: Some("child.exe".into()),
                    inherit_handles: *inherit,
                    creation_flags: if *suspended { CREATE_SUSPENDED } else { 0 },
                    environment: explicit_env.then(|| vec!["X=explicit".to_string(), "SHARED=child".to_string()]),
                    handle_list,
                    ..Default::default()
                }))
            }
            Action::CreateThread { suspended } => Call::CreateThread {
                thread_attributes: None,
                creation_flags: if *suspended { CREATE_SUSPENDED } else { 0 },
            },
            Action::Resume { h: r } => Call::ResumeThread { thread: h(self, r) },
            Action::ExitThread { code } => Call::ExitThread {
                exit_code: u32::from(*code),
            },
            Action::ExitProcess { code } => Call::ExitProcess {
                exit_code: u32::from(*code),
            },
            Action::Terminate { h: r, code } => Call::TerminateProcess {
                process: h(self, r),
                exit_code: u32::from(*code),
            },
            Action::OpenProcess {
                pid: p,
                access,
                inherit,
            } => {
                let pids = self.kernel.process_ids();
                let process_id = if p % 5 == 0 || pids.is_empty() {
                    u32::from(*p)
                } else {
                    pids[usize::from(*p) % pids.len()].0
                };
                let desired_access = [
                    PROCESS_ALL_ACCESS,
                    PROCESS_TERMINATE,
                    PROCESS_QUERY_LIMITED_INFORMATION,
                    SYNCHRONIZE | PROCESS_DUP_HANDLE,
                ][usize::from(*access) % 4];
                Call::OpenProcess {
                    desired_access,
                    inherit_handle: *inherit,
                    process_id,
                }
            }
            Action::GetExitCode { h: r } => Call::GetExitCodeProcess { process: h(self, r) },
            Action::Wait { h: r, timeout } => Call::WaitForSingleObject {
                handle: h(self, r),
                milliseconds: Self::timeout(*timeout),
            },
            Action::WaitMany { hs, all, timeout } => Call::WaitForMultipleObjects {
                handles: hs.iter().map(|r| h(self, r)).collect(),
                wait_all: *all,
                milliseconds: Self::timeout(*timeout),
            },
            Action::Sleep { ms } => Call::Sleep {
                milliseconds: u32::from(*ms),
            },
            Action::CreatePipe { inherit, size } => Call::CreatePipe {
                pipe_attributes: sa(*inherit),
                size: u32::from(*size),
            },
            Action::Read { h: r, n } => {
                let file = h(self, r);
                parked = match self.detail(pid, file) {
                    Some((addr, Detail::Pipe { read_mode_message, .. })) => Parked::Read {
                        reader: addr,
                        message_mode: read_mode_message,
                        n: u32::from(*n),
                        mailslot: false,
                    },
                    Some((addr, Detail::Mailslot { .. })) => Parked::Read {
                        reader: addr,
                        message_mode: true,
                        n: u32::from(*n),
                        mailslot: true,
                    },
                    _ => Parked::Other,
                };
                Call::ReadFile {
                    file,
                    bytes_to_read: u32::from(*n),
                    null_buffer: false,
                }
            }
            Action::Write { h: r, len } => {
                let file = h(self, r);
                let data = self.data(*len);
                Call::WriteFile {
                    file,
                    data,
                    null_buffer: false,
                }
            }
            Action::Peek { h: r, n } => Call::PeekNamedPipe {
                named_pipe: h(self, r),
                buffer_size: u32::from(*n),
                null_buffer: false,
            },
            Action::CreateNamedPipe {
                name,
                message,
                max,
                nowait,
            } => {
                let pipe_mode = if *message {
                    PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE
                } else {
                    0
                } | if *nowait { PIPE_NOWAIT } else { 0 };
                Call::CreateNamedPipe(CreateNamedPipeArgs {
                    name: format!("\\\\.\\pipe\\p{name}"),
                    open_mode: PIPE_ACCESS_DUPLEX,
                    pipe_mode,
                    max_instances: [1, 2, PIPE_UNLIMITED_INSTANCES][usize::from(*max) % 3],
                    out_buffer_size: 64,
                    in_buffer_size: 64,
                    default_timeout: 0,
                    security_attributes: None,
                })
            }
            Action::Connect { h: r } => Call::ConnectNamedPipe { named_pipe: h(self, r) },
            Action::Disconnect { h: r } => Call::DisconnectNamedPipe { named_pipe: h(self, r) },
            Action::OpenPipeClient { name, write_only } => Call::CreateFile(CreateFileArgs {
                file_name: format!("\\\\.\\pipe\\p{name}"),
                desired_access: if *write_only {
                    GENERIC_WRITE
                } else {
                    GENERIC_READ | GENERIC_WRITE
                },
                share_mode: 0,
                security_attributes: None,
                creation_disposition: OPEN_EXISTING,
                flags_and_attributes: 0,
            }),
            Action::WaitNamedPipe { name, timeout } => Call::WaitNamedPipe {
                name: format!("\\\\.\\pipe\\p{name}"),
                timeout: Self::timeout(*timeout),
            },
            Action::SetPipeMode { h: r, message, nowait } => Call::SetNamedPipeHandleState {
                named_pipe: h(self, r),
                mode: Some(if *message { PIPE_READMODE_MESSAGE } else { 0 } | u32::from(*nowait)),
                max_collection_count: None,
                collect_data_timeout: None,
            },
            Action::Flush { h: r } => Call::FlushFileBuffers { file: h(self, r) },
            Action::CreateMailslot { name, timeout } => Call::CreateMailslot {
                name: format!("\\\\.\\mailslot\\m{name}"),
                max_message_size: 0,
                read_timeout: Self::timeout(*timeout),
                security_attributes: None,
            },
            Action::OpenMailslot { name } => Call::CreateFile(CreateFileArgs {
                file_name: format!("\\\\.\\mailslot\\m{name}"),
                desired_access: GENERIC_WRITE,
                share_mode: FILE_SHARE_READ,
                security_attributes: None,
                creation_disposition: OPEN_EXISTING,
                flags_and_attributes: 0,
            }),
            Action::SetEnv { name, value } => Call::SetEnvironmentVariable {
                name: format!("V{name}"),
                value: value.map(|v| format!("value{v}")),
            },
            Action::GetEnv { name } => Call::GetEnvironmentVariable {
                name: format!("v{name}"),
                size: 64,
                null_buffer: false,
            },
            Action::CreateMutex { name, owner } => Call::CreateMutex {
                mutex_attributes: None,
                initial_owner: *owner,
                name: name.map(|n| format!("ev{n}")),
            },
            Action::OpenMutex { name } => Call::OpenMutex {
                desired_access: MUTEX_ALL_ACCESS,
                inherit_handle: false,
                name: format!("ev{name}"),
            },
            Action::ReleaseMutex { h: r } => Call::ReleaseMutex { mutex: h(self, r) },
            Action::CreateSemaphore { name, initial, maximum } => Call::CreateSemaphore {
                semaphore_attributes: None,
                initial_count: u32::from(*initial),
                maximum_count: u32::from(*maximum),
                name: name.map(|n| format!("ev{n}")),
            },
            Action::OpenSemaphore { name } => Call::OpenSemaphore {
                desired_access: SEMAPHORE_ALL_ACCESS,
                inherit_handle: false,
                name: format!("ev{name}"),
            },
            Action::ReleaseSemaphore { h: r, n } => Call::ReleaseSemaphore {
                semaphore: h(self, r),
                release_count: u32::from(*n),
            },
            Action::Snapshot => Call::CreateToolhelp32Snapshot {
                flags: TH32CS_SNAPPROCESS,
                process_id: 0,
            },
        };
        if let Call::WriteFile { file, .. } = &call {
            if let Some((_, detail)) = self.detail(pid, *file) {
                let reader = match detail {
                    Detail::Pipe { peer, .. } => peer,
                    Detail::MailslotClient { mailslot } => mailslot,
                    _ => None,
                };
                if let Some(reader) = reader {
                    parked = Parked::Write { reader, tid: Tid(0) };
                }
            }
        }
        (call, parked)
    }

    fn act(&mut self, pid: Pid, tid: Tid, action: &Action) -> Result<(), Broken> {
        let (call, mut parked) = self.build(pid, action);
        if let Parked::Write { tid: t, .. } = &mut parked {
            *t = tid;
        }
        let parent_rows = self.rows(pid);
        let queued_before = match &parked {
            Parked::Write { reader, .. } => self.kernel.object_view(*reader).map(|o| o.detail),
            _ => None,
        };
        let sync_before = match &call {
            Call::ReleaseMutex { mutex: h }
            | Call::ReleaseSemaphore { semaphore: h, .. }
            | Call::WaitForSingleObject { handle: h, .. } => self.detail(pid, *h),
            _ => None,
        };
        let accepts = |detail| Broken {
            property: Property::KernelAccepts,
            detail,
        };
        let threads_before = match call {
            Call::ExitThread { .. } => self.kernel.process_view(pid).map(|v| v.threads.len()),
            _ => None,
        };
        let outcome = call_or_record_panic(&mut self.kernel, pid, tid, &call, &mut self.recorder)
            .map_err(|message| accepts(format!("the kernel panicked on {}: {message}", call.name())))?
            .map_err(|e| accepts(format!("the driver chose a thread that cannot call: {e}")))?;
        self.recorder.push(Record::Call {
            pid,
            tid,
            call: call.clone(),
            outcome: outcome.clone(),
        });
        match &outcome {
            CallOutcome::Done(r) => {
                self.check_result(pid, &call, r, &parked, &parent_rows, queued_before)
                    .map_err(Broken::promise)?;
                self.check_sync(tid, &call, r, sync_before).map_err(Broken::promise)?;
            }
            CallOutcome::Pending { call_seq } => {
                if let (Call::WriteFile { data, .. }, Parked::Write { reader, .. }) = (&call, &parked) {
                    self.queue_write(*reader, &data.0, queued_before.as_ref());
                }
                self.parked.insert(*call_seq, parked);
            }
            CallOutcome::NoReturn => {
                if let (Call::ExitThread { exit_code }, Some(before)) = (&call, threads_before) {
                    // What the replay can say of it: the process runs on, or ended with the code.
                    let name = format!("p{pid}");
                    self.expect = Some(if before > 1 {
                        json!({"process": {"name": name, "running": true}})
                    } else {
                        json!({"process": {"name": name, "running": false, "exit_code": exit_code}})
                    });
                    self.check_exit_thread(pid, tid, *exit_code, before)
                        .map_err(Broken::promise)?;
                    self.expect = None;
                }
            }
        }
        Ok(())
    }

    /// `ExitThread` ends the calling thread with its code; the process goes on while another
    /// of its threads runs, and ends with the same code when it was the last (spec §9).
    fn check_exit_thread(&self, pid: Pid, tid: Tid, code: u32, threads_before: usize) -> Result<(), String> {
        if let Some(t) = self.kernel.thread_view(tid) {
            if t.exit_code != Some(code) {
                return Err(format!(
                    "ExitThread({code}) left thread {tid} with exit code {:?}",
                    t.exit_code
                ));
            }
        }
        let Some(p) = self.kernel.process_view(pid) else {
            return Ok(());
        };
        if p.threads.contains(&tid) {
            return Err(format!("thread {tid} is still listed by its process after ExitThread"));
        }
        match p.exit_code {
            None if threads_before > 1 => Ok(()),
            Some(c) if threads_before == 1 && c == code => Ok(()),
            Some(c) if threads_before > 1 => Err(format!(
                "ExitThread of one of {threads_before} threads ended process {pid} (code {c})"
            )),
            c => Err(format!(
                "ExitThread({code}) of the last thread left process {pid} with exit code {c:?}"
            )),
        }
    }

    /// Mutex and semaphore promises: only the owner releases a mutex (and a release by the
    /// owner succeeds); a satisfied wait on a mutex leaves the waiter its owner; a semaphore
    /// release reports the count it found, succeeds exactly when the count stays within the
    /// maximum, and a refused one changes nothing.
    fn check_sync(
        &mut self,
        tid: Tid,
        call: &Call,
        r: &CallResult,
        before: Option<(Address, Detail)>,
    ) -> Result<(), String> {
        let now = |a: Address| self.kernel.object_view(a).map(|o| o.detail);
        match (call, before) {
            (Call::ReleaseMutex { .. }, Some((a, Detail::Mutex { owner, .. }))) => {
                // Ownership decides, not access rights (NtReleaseMutant asks for none).
                let owned = owner == Some(tid);
                let ok = r.ret == Ret::Bool(true);
                if ok != owned || (!ok && r.last_error != Win32Error::NotOwner) {
                    self.expect = Some(if owned {
                        json!({"ret": true})
                    } else {
                        json!({"ret": false, "last_error": "ERROR_NOT_OWNER"})
                    });
                    return Err(format!(
                        "ReleaseMutex on {a:#x} by tid {tid}: owner was {owner:?}, result {r:?}"
                    ));
                }
            }
            (Call::ReleaseSemaphore { release_count, .. }, Some((a, d @ Detail::Semaphore { count, maximum }))) => {
                let fits =
                    (*release_count as i32) > 0 && count.checked_add(*release_count).is_some_and(|c| c <= maximum);
                let ok = r.ret == Ret::Bool(true);
                if ok && (!fits || r.outputs().previous_count != Some(count)) {
                    self.expect = Some(if fits {
                        json!({"outputs": {"previous_count": count}})
                    } else {
                        json!({"ret": false})
                    });
                    return Err(format!(
                        "ReleaseSemaphore({release_count}) on {a:#x} at {count}/{maximum}: {r:?}"
                    ));
                }
                if !ok && fits && r.last_error != Win32Error::AccessDenied {
                    self.expect = Some(json!({"ret": true}));
                    return Err(format!(
                        "ReleaseSemaphore({release_count}) on {a:#x} at {count}/{maximum} refused: {}",
                        r.last_error
                    ));
                }
                if !ok && now(a) != Some(d) {
                    return Err(format!("a refused ReleaseSemaphore changed {a:#x}"));
                }
            }
            (Call::WaitForSingleObject { .. }, Some((a, before)))
                if matches!(r.ret, Ret::Dword(WAIT_OBJECT_0 | WAIT_ABANDONED_0)) =>
            {
                // What a satisfied wait consumes (MS "Wait Functions": side effects).
                let after = now(a);
                let consumed = match (&before, &after) {
                    (
                        Detail::Mutex { owner, recursion, .. },
                        Some(Detail::Mutex {
                            owner: o2,
                            recursion: r2,
                            ..
                        }),
                    ) => *o2 == Some(tid) && *r2 == if *owner == Some(tid) { recursion + 1 } else { 1 },
                    (Detail::Semaphore { count, .. }, Some(Detail::Semaphore { count: c2, .. })) => *c2 + 1 == *count,
                    (
                        Detail::Event {
                            manual_reset: false, ..
                        },
                        Some(Detail::Event { signaled, .. }),
                    ) => !signaled,
                    _ => true,
                };
                if !consumed {
                    if let Detail::Event { .. } = before {
                        self.expect = Some(json!({"object": {"address": format!("{a:#x}"), "signaled": false}}));
                    }
                    return Err(format!(
                        "a satisfied wait by tid {tid} did not consume {a:#x}: {before:?} -> {after:?}"
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A successful write: the bytes are queued as one message (byte pipes drop empty writes).
    fn queue_write(&mut self, reader: Address, data: &[u8], before: Option<&Detail>) {
        let message_type = match before {
            Some(Detail::Pipe { message_type, .. }) => *message_type,
            Some(Detail::Mailslot { .. }) => true,
            _ => return,
        };
        if data.is_empty() && !message_type {
            return;
        }
        self.queues.entry(reader).or_default().messages.push_back(data.to_vec());
    }

    fn check_result(
        &mut self,
        pid: Pid,
        call: &Call,
        r: &CallResult,
        parked: &Parked,
        parent_rows: &[RowView],
        before: Option<Detail>,
    ) -> Result<(), String> {
        match (call, parked) {
            (Call::WriteFile { data, .. }, Parked::Write { reader, .. })
                if r.ret == Ret::Bool(true) && r.outputs().bytes_written == Some(data.0.len() as u32) =>
            {
                self.queue_write(*reader, &data.0, before.as_ref());
            }
            (
                Call::ReadFile { .. },
                Parked::Read {
                    reader,
                    message_mode,
                    n,
                    mailslot,
                },
            ) => {
                self.check_read(*reader, *message_mode, *n, *mailslot, r)?;
            }
            (Call::DisconnectNamedPipe { named_pipe }, _) if r.ret == Ret::Bool(true) => {
                // Both queues are thrown away.
                if let Some(o) = self.kernel.object_of_handle(pid, *named_pipe) {
                    self.queues.remove(&o.object);
                    if let Some(peer) = self.last_peer.get(&o.object) {
                        self.queues.remove(peer);
                    }
                }
            }
            (Call::CreateProcess(args), _) if r.ret == Ret::Bool(true) => {
                let child = r
                    .outputs()
                    .process_id
                    .map(Pid)
                    .ok_or("CreateProcess succeeded without a process id")?;
                self.check_inheritance(args, parent_rows, child)?;
                let block = match &args.environment {
                    Some(list) => list
                        .iter()
                        .map(|e| {
                            let (n, v) = env::split(e);
                            (upper(n), v.to_string())
                        })
                        .collect(),
                    None => self.env.get(&pid).cloned().unwrap_or_default(),
                };
                self.env.insert(child, block);
            }
            (Call::SetEnvironmentVariable { name, value }, _) if r.ret == Ret::Bool(true) => {
                let block = self.env.entry(pid).or_default();
                match value {
                    Some(v) => block.insert(upper(name), v.clone()),
                    None => block.remove(&upper(name)),
                };
            }
            (Call::GetEnvironmentVariable { name, size, .. }, _) => {
                let want = self.env.get(&pid).and_then(|b| b.get(&upper(name)));
                let expect = match want {
                    None => json!({"ret": 0, "last_error": "ERROR_ENVVAR_NOT_FOUND"}),
                    Some(v) if (v.len() as u32) < *size => json!({"ret": v.len(), "outputs": {"text": v}}),
                    Some(v) => json!({"ret": v.len() + 1}),
                };
                let ok = match want {
                    None => r.ret == Ret::Dword(0) && r.last_error == Win32Error::EnvvarNotFound,
                    Some(v) if (v.len() as u32) < *size => {
                        r.ret == Ret::Dword(v.len() as u32) && r.outputs().text.as_deref() == Some(v.as_str())
                    }
                    Some(v) => r.ret == Ret::Dword(v.len() as u32 + 1),
                };
                if !ok {
                    self.expect = Some(expect);
                    return Err(format!(
                        "environment leak or loss: pid {pid} reads {name} as {:?} (ret {}), the model says {want:?}",
                        r.outputs().text,
                        r.ret
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_read(
        &mut self,
        reader: Address,
        message_mode: bool,
        n: u32,
        mailslot: bool,
        r: &CallResult,
    ) -> Result<(), String> {
        let got = match r.output(OutputField::Data) {
            Some(OutputValue::Data(d)) => d.0.clone(),
            _ => Vec::new(),
        };
        let more = r.last_error == Win32Error::MoreData && r.ret == Ret::Bool(false);
        if r.ret == Ret::Bool(false) && !more {
            if r.last_error == Win32Error::BrokenPipe {
                // Only when no write end is left anywhere.
                let view = self.kernel.object_view(reader);
                let peer_now = view.as_ref().and_then(|v| match &v.detail {
                    Detail::Pipe { peer, .. } => *peer,
                    _ => None,
                });
                let old_peer_alive = self
                    .last_peer
                    .get(&reader)
                    .is_some_and(|p| self.kernel.object_view(*p).is_some());
                if peer_now.is_some() || old_peer_alive {
                    return Err(format!(
                        "ERROR_BROKEN_PIPE on {reader:#x} while its write end still exists"
                    ));
                }
                if self.queues.get(&reader).is_some_and(|q| !q.messages.is_empty()) {
                    return Err(format!(
                        "ERROR_BROKEN_PIPE on {reader:#x} while written data was never read"
                    ));
                }
            }
            if mailslot && r.last_error == Win32Error::InsufficientBuffer {
                let front = self.queues.get(&reader).and_then(|q| q.messages.front().map(Vec::len));
                if front.is_none_or(|len| len <= n as usize) {
                    return Err(format!("mailslot {reader:#x}: ERROR_INSUFFICIENT_BUFFER but the next message ({front:?} bytes) fits {n}"));
                }
            }
            return Ok(());
        }
        let q = self.queues.entry(reader).or_default();
        let mut expected = Vec::new();
        if message_mode || mailslot {
            if let Some(front) = q.messages.front() {
                let rest = &front[q.front_read..];
                let take = rest.len().min(n as usize);
                expected.extend_from_slice(&rest[..take]);
                if take == rest.len() {
                    q.messages.pop_front();
                    q.front_read = 0;
                } else {
                    q.front_read += take;
                }
            }
        } else {
            while let Some(front) = q.messages.front() {
                let rest = &front[q.front_read..];
                let take = rest.len().min(n as usize - expected.len());
                expected.extend_from_slice(&rest[..take]);
                q.front_read += take;
                if q.front_read == front.len() {
                    q.messages.pop_front();
                    q.front_read = 0;
                }
                if expected.len() == n as usize {
                    break;
                }
            }
        }
        if got != expected {
            self.expect = Some(json!({"outputs": {"data": Data(expected.clone())}}));
            return Err(format!(
                "data through {reader:#x} lost, duplicated or reordered: read {:?}, the queue model expected {:?}",
                Data(got),
                Data(expected)
            ));
        }
        Ok(())
    }

    fn check_inheritance(
        &mut self,
        args: &CreateProcessArgs,
        parent_rows: &[RowView],
        child: Pid,
    ) -> Result<(), String> {
        let child_rows = self.rows(child);
        let expected: Vec<&RowView> = match (&args.handle_list, args.inherit_handles) {
            (_, false) => Vec::new(),
            (Some(list), true) => parent_rows
                .iter()
                .filter(|r| list.iter().any(|h| h.canonical() == r.handle))
                .collect(),
            (None, true) => parent_rows.iter().filter(|r| r.inherit).collect(),
        };
        let same = child_rows.len() == expected.len()
            && child_rows.iter().zip(&expected).all(|(c, p)| {
                c.handle == p.handle
                    && c.object == p.object
                    && c.access == p.access
                    && c.inherit == p.inherit
                    && c.protect_from_close == p.protect_from_close
            });
        if same {
            Ok(())
        } else {
            let rows: Vec<Value> = expected
                .iter()
                .map(|r| {
                    json!({
                        "handle": r.handle,
                        "object": {"address": format!("{:#x}", r.object)},
                        "inherit": r.inherit,
                        "protect_from_close": r.protect_from_close,
                        "access": format!("{:#x}", r.access),
                    })
                })
                .collect();
            self.expect = Some(json!({"table": {"of": format!("p{child}"), "rows": rows, "exact": true}}));
            Err(format!(
                "inheritance: the child's table {:?} is not the parent's inheritable rows {:?}",
                child_rows
                    .iter()
                    .map(|r| (r.handle, r.object, r.inherit))
                    .collect::<Vec<_>>(),
                expected
                    .iter()
                    .map(|r| (r.handle, r.object, r.inherit))
                    .collect::<Vec<_>>()
            ))
        }
    }

    fn after_step(&mut self) -> Result<(), Broken> {
        for c in self.kernel.take_completions() {
            let parked = self.parked.remove(&c.call_seq).unwrap_or(Parked::Other);
            if let Parked::Read {
                reader,
                message_mode,
                n,
                mailslot,
            } = parked
            {
                // The read mode may have changed while the call was parked.
                let mode = match self.kernel.object_view(reader).map(|o| o.detail) {
                    Some(Detail::Pipe { read_mode_message, .. }) => read_mode_message,
                    _ => message_mode,
                };
                // A completion is no step's own result: the replay's expectation would name the
                // wrong call, so none is kept.
                if let Err(e) = self.check_read(reader, mode, n, mailslot, &c.result) {
                    self.expect = None;
                    return Err(Broken::promise(e));
                }
            }
        }
        // A writer that died while its write was pending takes its unread bytes with it:
        // the queue model of that reader can no longer be exact, so it is dropped.
        let snap = self.kernel.snapshot();
        let alive_parked: Vec<Tid> = snap
            .threads
            .iter()
            .filter(|t| t.parked.is_some())
            .map(|t| t.thread_id)
            .collect();
        let abandoned: Vec<u64> = self
            .parked
            .iter()
            .filter(|(_, p)| matches!(p, Parked::Write { tid, .. } if !alive_parked.contains(tid)))
            .map(|(s, _)| *s)
            .collect();
        for seq in abandoned {
            if let Some(Parked::Write { reader, .. }) = self.parked.remove(&seq) {
                self.queues.remove(&reader);
            }
        }
        // Remember peers; forget models of destroyed ends.
        for o in &snap.objects {
            if let Detail::Pipe { peer: Some(p), .. } = o.detail {
                self.last_peer.insert(o.object, p);
            }
        }
        let alive: Vec<Address> = snap.objects.iter().map(|o| o.object).collect();
        self.queues.retain(|a, _| alive.contains(a));
        self.env
            .retain(|pid, _| snap.processes.iter().any(|p| p.process_id == *pid));
        let broken = |property, detail| Broken { property, detail };
        catch_unwind(AssertUnwindSafe(|| self.kernel.check_invariants()))
            .map_err(|p| {
                broken(
                    Property::Invariants,
                    format!("check_invariants panicked: {}", panic_text(&p)),
                )
            })?
            .map_err(|v| {
                let rules = v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
                broken(Property::Invariants, format!("invariants broken: {rules}"))
            })?;
        self.incremental.check(&mut self.kernel).map_err(|v| {
            let rules = v.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
            broken(
                Property::IncrementalCheck,
                format!("the incremental check disagrees with the full one: {rules}"),
            )
        })?;
        check_explanations(&self.kernel, &snap).map_err(|e| broken(Property::DriverPromises, e))?;
        for c in &self.checks {
            (c.check)(&self.kernel).map_err(|e| broken(Property::Custom(c.name), e))?;
        }
        Ok(())
    }

    /// Ends every process (a fresh system process terminates them, then exits itself) and
    /// checks that no object is left.
    pub fn teardown(&mut self) -> Result<(), Broken> {
        let teardown = |detail| Broken {
            property: Property::Teardown,
            detail,
        };
        self.spawned += 1;
        let (reaper_pid, reaper) = self.kernel.spawn("reaper.exe", "", vec![]);
        self.recorder.push(Record::Start {
            pid: reaper_pid,
            tid: reaper,
            image: "reaper.exe".into(),
            environment: vec![],
        });
        for pid in self.kernel.process_ids() {
            if pid == reaper_pid || !self.kernel.is_running(pid) {
                continue;
            }
            for call in [
                Call::OpenProcess {
                    desired_access: PROCESS_TERMINATE,
                    inherit_handle: false,
                    process_id: pid.0,
                },
                Call::TerminateProcess {
                    process: HandleValue(4),
                    exit_code: 0,
                },
                Call::CloseHandle { handle: HandleValue(4) },
            ] {
                let outcome = self
                    .kernel
                    .call(reaper, &call)
                    .map_err(|e| teardown(format!("teardown: {e}")))?;
                self.recorder.push(Record::Call {
                    pid: reaper_pid,
                    tid: reaper,
                    call,
                    outcome,
                });
            }
            self.after_step()?;
        }
        let exit = Call::ExitProcess { exit_code: 0 };
        let outcome = self
            .kernel
            .call(reaper, &exit)
            .map_err(|e| teardown(format!("teardown: {e}")))?;
        self.recorder.push(Record::Call {
            pid: reaper_pid,
            tid: reaper,
            call: exit,
            outcome,
        });
        self.after_step()?;
        let leaks = self.kernel.leaks();
        if leaks != Leaks::default() {
            return Err(teardown(format!(
                "after every process exited, the leak report is not empty: {leaks:?}"
            )));
        }
        let left = self.kernel.snapshot().objects;
        if !left.is_empty() {
            return Err(teardown(format!(
                "after every process exited, objects are left: {:?}",
                left.iter()
                    .map(|o| format!("{} {:#x} usage {}", o.kind.name(), o.object, o.usage_count))
                    .collect::<Vec<_>>()
            )));
        }
        Ok(())
    }
}

/// The explanation queries agree with the state: `why_alive`'s holders of every object are
/// exactly the rows that point at it (with their provenance) plus the kernel reference of a
/// running process or thread, and `why_blocked` of every parked or suspended thread names
/// only objects that exist and holders that are rows of live tables.
pub fn check_explanations(kernel: &Kernel, snap: &Snapshot) -> Result<(), String> {
    for o in &snap.objects {
        let alive = kernel
            .why_alive(o.object)
            .ok_or_else(|| format!("why_alive({:#x}) finds no object", o.object))?;
        let mut rows: Vec<(Pid, HandleValue, Provenance)> = alive
            .holders
            .iter()
            .filter_map(|h| match h {
                Holder::Row {
                    process_id,
                    handle,
                    provenance,
                    ..
                } => Some((*process_id, *handle, *provenance)),
                _ => None,
            })
            .collect();
        rows.sort_by_key(|r| (r.0, r.1));
        let mut want: Vec<(Pid, HandleValue, Provenance)> = snap
            .processes
            .iter()
            .flat_map(|p| {
                p.handles
                    .iter()
                    .filter(|r| r.object == o.object)
                    .map(move |r| (p.process_id, r.handle, r.provenance))
            })
            .collect();
        want.sort_by_key(|r| (r.0, r.1));
        if rows != want {
            return Err(format!(
                "why_alive({:#x}) rows {rows:?}, but the tables hold {want:?}",
                o.object
            ));
        }
        let running = match &o.detail {
            Detail::Process { exited, .. } | Detail::Thread { exited, .. } => !exited,
            _ => false,
        };
        let refs = alive.holders.len() - rows.len();
        if refs != usize::from(running) || alive.usage_count as usize != alive.holders.len() {
            return Err(format!(
                "why_alive({:#x}): {} holders ({refs} kernel references) for usage count {}",
                o.object,
                alive.holders.len(),
                alive.usage_count
            ));
        }
    }
    for t in &snap.threads {
        let Some(b) = kernel.why_blocked(t.thread_id) else {
            if t.parked.is_some() || (t.exit_code.is_none() && t.suspend_count > 0) {
                return Err(format!(
                    "thread {} is blocked, but why_blocked says it is not",
                    t.thread_id
                ));
            }
            continue;
        };
        for r in &b.release {
            if let Some(tag) = r.object {
                if kernel.why_alive(tag.address).is_none() {
                    return Err(format!(
                        "why_blocked({}) names {:#x}, which does not exist",
                        t.thread_id, tag.address
                    ));
                }
            }
            for h in &r.holders {
                if let Holder::Row { process_id, handle, .. } = h {
                    let ok = snap
                        .processes
                        .iter()
                        .any(|p| p.process_id == *process_id && p.handles.iter().any(|r| r.handle == *handle));
                    if !ok {
                        return Err(format!(
                            "why_blocked({}) names row {handle} of {process_id}, which is not in its table",
                            t.thread_id
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The text of a panic payload.
pub fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Runs a whole sequence: every op, then the teardown. `Err` carries the broken promise and
/// the failing sequence as a replayable scenario.
pub fn run_sequence(ops: &[Op]) -> Result<Driver, PropertyFailure> {
    run_sequence_on(Driver::new(), ops)
}

/// [`run_sequence`] on a prepared driver (e.g. over a kernel with injected bugs). `Err` names
/// the broken property and carries the case as a scenario whose failing call expects what the
/// promise said (when it can be said in the scenario format; an invariant is checked by every
/// run anyway), so `kernsim check` on it fails until the bug is fixed.
pub fn run_sequence_on(mut driver: Driver, ops: &[Op]) -> Result<Driver, PropertyFailure> {
    let result = ops
        .iter()
        .try_for_each(|op| driver.apply(op))
        .and_then(|()| driver.teardown());
    match result {
        Ok(()) => Ok(driver),
        Err(broken) => Err(driver.failure(broken)),
    }
}

impl Driver {
    /// The failure, with the steps so far as a replay.
    fn failure(&mut self, broken: Broken) -> PropertyFailure {
        if let Some(expect) = self.expect.take() {
            self.recorder.push(Record::Expect(expect));
        }
        self.recorder.push(Record::Note(format!("FAILED here: {broken}")));
        let step = self
            .recorder
            .records()
            .iter()
            .filter(|r| matches!(r, Record::Call { .. }))
            .count();
        PropertyFailure {
            property: broken.property,
            step,
            expected: format!("{} to hold", broken.property),
            actual: broken.detail,
            replay: self.scenario_json("property test failure"),
        }
    }
}

/// Turns a [`HandleRef`] into a value, as `pid` would use it: one of its own rows, a value from
/// another process's table, a pseudo handle, or garbage.
pub fn resolve_handle(kernel: &Kernel, pid: Pid, r: &HandleRef) -> HandleValue {
    let rows = |p: Pid| kernel.process_view(p).map(|v| v.handles).unwrap_or_default();
    // The i-th of the caller's rows that `keep` takes, as `Own(i)` when it takes none.
    let nth = |i: u16, keep: &dyn Fn(&RowView) -> bool| {
        let kept: Vec<HandleValue> = rows(pid).into_iter().filter(|r| keep(r)).map(|r| r.handle).collect();
        match kept.len() {
            0 => resolve_handle(kernel, pid, &HandleRef::Own(i)),
            n => kept[usize::from(i) % n],
        }
    };
    match r {
        HandleRef::Own(i) => {
            let own = rows(pid);
            if own.is_empty() {
                HandleValue(0x400)
            } else {
                own[usize::from(*i) % own.len()].handle
            }
        }
        HandleRef::Foreign(i) => {
            let others: Vec<HandleValue> = kernel
                .process_ids()
                .into_iter()
                .filter(|&p| p != pid)
                .flat_map(|p| rows(p).into_iter().map(|r| r.handle))
                .collect();
            if others.is_empty() {
                resolve_handle(kernel, pid, &HandleRef::Own(*i))
            } else {
                others[usize::from(*i) % others.len()]
            }
        }
        HandleRef::Pipe(i) => nth(*i, &|r| r.kind == ObjectKind::Pipe),
        HandleRef::Thread(i) => nth(*i, &|r| r.kind == ObjectKind::Thread),
        HandleRef::Sync(i) => nth(*i, &|r| {
            matches!(r.kind, ObjectKind::Event | ObjectKind::Mutex | ObjectKind::Semaphore)
        }),
        HandleRef::Waited(i) => {
            let waited: BTreeSet<Address> = kernel
                .snapshot()
                .threads
                .iter()
                .filter_map(|t| match &t.parked.as_ref()?.waiting_for {
                    WaitReason::Signaled { objects, .. } => Some(objects.iter().flatten().map(|o| o.address)),
                    _ => None,
                })
                .flatten()
                .collect();
            nth(*i, &|r| waited.contains(&r.object))
        }
        HandleRef::Unsignaled(i) => {
            let unsignaled: BTreeSet<Address> = kernel
                .snapshot()
                .objects
                .iter()
                .filter(|o| match &o.detail {
                    Detail::Event { signaled, .. } => !signaled,
                    Detail::Semaphore { count, .. } => *count == 0,
                    Detail::Mutex { owner, .. } => owner.is_some(),
                    Detail::Process { exited, .. } | Detail::Thread { exited, .. } => !exited,
                    _ => false,
                })
                .map(|o| o.object)
                .collect();
            nth(*i, &|r| unsignaled.contains(&r.object))
        }
        HandleRef::Pseudo(true) => HandleValue::CURRENT_PROCESS,
        HandleRef::Pseudo(false) => HandleValue::CURRENT_THREAD,
        HandleRef::Garbage(v) => HandleValue(*v),
        HandleRef::Tagged(i, bits) => {
            let v = resolve_handle(kernel, pid, &HandleRef::Own(*i));
            HandleValue(v.0 | u32::from(*bits & 3))
        }
    }
}
