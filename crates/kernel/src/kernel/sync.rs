//! Events, waits and the machinery of blocking: parking a call, completing parked calls in
//! FIFO order when another call makes them possible (`settle`), timeouts on the virtual clock
//! (`advance_time`), and deadlock detection.

use super::{map_access, Cx, Kernel, Res, Step};
use crate::call::{inheritable, SecurityAttributes};
use crate::consts::*;
use crate::error::Win32Error;
use crate::event::Event;
use crate::handle::HandleFlags;
use crate::handle::HandleValue;
use crate::ids::{Address, Pid, Tid};
use crate::object::*;
use crate::result::{Completion, OutputField, Ret};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeSet;

/// A thread stuck in a deadlock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DeadlockedThread {
    /// The thread.
    pub thread_id: Tid,
    /// Its process.
    pub process_id: Pid,
    /// The call it is parked in (`None`: it is suspended, not parked).
    pub call: Option<String>,
    /// What it waits for, as data ([`WaitReason::Resume`] for a suspended thread).
    pub waiting_for: WaitReason,
}

/// Every live thread is parked (or suspended) and no timeout is pending: nothing can move.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Deadlock {
    /// Who waits on what, by thread id.
    pub threads: Vec<DeadlockedThread>,
}

/// An object named in a [`WaitReason`]: its display address and kind (`None`: destroyed).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObjectTag {
    /// Display address.
    pub address: Address,
    /// Its kind.
    pub kind: ObjectKind,
}

/// What a parked call waits for: data that the renderers word (never a sentence here).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "for", rename_all = "snake_case")]
pub enum WaitReason {
    /// `WaitForSingleObject`/`WaitForMultipleObjects`: these objects to be signaled, all of
    /// them or any one.
    Signaled {
        /// The objects, in argument order (`None`: destroyed).
        objects: Vec<Option<ObjectTag>>,
        /// All at once (true) or any one.
        wait_all: bool,
    },
    /// `Sleep`: only the clock.
    Clock,
    /// An empty pipe read: data written to this end.
    Data {
        /// The end being read.
        end: Option<ObjectTag>,
    },
    /// A write over quota: this end's queue to be read down.
    ReadDown {
        /// The end whose queue holds the data.
        end: Option<ObjectTag>,
    },
    /// `ConnectNamedPipe`: a client on this server end.
    Client {
        /// The server end.
        end: Option<ObjectTag>,
    },
    /// `WaitNamedPipe` or a busy `CallNamedPipe`: an instance of this pipe to listen.
    ListeningInstance {
        /// The pipe's name as created.
        pipe: String,
    },
    /// `FlushFileBuffers`: the peer of this end to read everything.
    PeerReads {
        /// The flushing end.
        end: Option<ObjectTag>,
    },
    /// An empty mailslot read: a message.
    Message {
        /// The mailslot.
        mailslot: Option<ObjectTag>,
    },
    /// `TransactNamedPipe`/`CallNamedPipe`: the reply on this end.
    Reply {
        /// The caller's end.
        end: Option<ObjectTag>,
    },
    /// A suspended thread: `ResumeThread`.
    Resume,
}

/// Named-object names: `Local\` is the default namespace, `Global\` another; any other
/// backslash names a directory that does not exist (`ERROR_PATH_NOT_FOUND`).
fn object_name(name: &str) -> Result<String, Win32Error> {
    let local = name.strip_prefix("Local\\").unwrap_or(name);
    let (prefix, rest) = match local.strip_prefix("Global\\") {
        Some(rest) => ("Global\\", rest),
        None => ("", local),
    };
    if rest.contains('\\') {
        return Err(Win32Error::PathNotFound);
    }
    Ok(format!("{prefix}{rest}"))
}

impl Kernel {
    // ------------------------------------------------------------------ events

    /// The create half shared by events, mutexes and semaphores (spec §2.3, [Oracle] 3a): a
    /// name held by an object of the same kind opens it (`ERROR_ALREADY_EXISTS`; `body` is
    /// dropped, so a mutex's initial ownership is not taken), a name held by another kind
    /// fails with `ERROR_INVALID_HANDLE`; a new object sets 0. The object is `Some` when it
    /// was created by this call.
    fn create_named(
        &mut self,
        cx: Cx,
        attributes: &Option<SecurityAttributes>,
        name: Option<&str>,
        body: Body,
    ) -> (Res, Option<ObjectId>) {
        let null = Ret::Handle(HandleValue::NULL);
        let kind = body.kind();
        let all_access = map_access(kind, GENERIC_ALL);
        let inherit = HandleFlags::inherit_if(inheritable(attributes));
        let name = match name.filter(|n| !n.is_empty()).map(object_name) {
            None => None,
            Some(Ok(n)) => Some(n),
            Some(Err(e)) => return (Res::fail(null, e), None),
        };
        if let Err(e) = self.ensure_rows(cx.process, 1) {
            return (Res::fail(null, e), None);
        }
        if let Some(n) = &name {
            if let Some(&existing) = self.named.get(n) {
                if self.obj(existing).kind() != kind {
                    return (Res::fail(null, Win32Error::InvalidHandle), None);
                }
                let h = self.add_row(cx.process, existing, all_access, inherit, self.opened());
                return (Res::ok(Ret::Handle(h)).set(Win32Error::AlreadyExists), None);
            }
        }
        let object = self.new_object(body, name.clone());
        if let Some(n) = name {
            self.named.insert(n.clone(), object);
            let address = self.obj(object).address;
            self.log(Event::NameAdded {
                name: n,
                object: address,
            });
        }
        let h = self.add_row(cx.process, object, all_access, inherit, self.created());
        (Res::ok(Ret::Handle(h)).set(Win32Error::Success), Some(object))
    }

    /// `CreateEvent`.
    pub(crate) fn create_event(
        &mut self,
        cx: Cx,
        attributes: &Option<SecurityAttributes>,
        manual_reset: bool,
        initial_state: bool,
        name: Option<&str>,
    ) -> Res {
        let body = Body::Event(EventObj {
            manual_reset,
            signaled: initial_state,
        });
        self.create_named(cx, attributes, name, body).0
    }

    /// `CreateMutex`: with `bInitialOwner` a new mutex is owned once by the calling thread; an
    /// existing one is only opened (MS "CreateMutexW").
    pub(crate) fn create_mutex(
        &mut self,
        cx: Cx,
        attributes: &Option<SecurityAttributes>,
        initial_owner: bool,
        name: Option<&str>,
    ) -> Res {
        let body = Body::Mutex(MutexObj {
            owner: None,
            recursion: 0,
            abandoned: false,
        });
        let (res, created) = self.create_named(cx, attributes, name, body);
        if let (Some(mutex), true) = (created, initial_owner) {
            self.acquire_mutex(mutex, cx.thread);
        }
        res
    }

    /// `CreateSemaphore`: the counts are checked before the name (NtCreateSemaphore:
    /// `lMaximumCount > 0`, `0 <= lInitialCount <= lMaximumCount`, else
    /// `ERROR_INVALID_PARAMETER`). `LONG` arguments arrive as their 32-bit pattern.
    pub(crate) fn create_semaphore(
        &mut self,
        cx: Cx,
        attributes: &Option<SecurityAttributes>,
        initial_count: u32,
        maximum_count: u32,
        name: Option<&str>,
    ) -> Res {
        let (initial, maximum) = (initial_count as i32, maximum_count as i32);
        if maximum <= 0 || initial < 0 || initial > maximum {
            return Res::fail(Ret::Handle(HandleValue::NULL), Win32Error::InvalidParameter);
        }
        let body = Body::Semaphore(SemaphoreObj {
            count: initial_count,
            maximum: maximum_count,
        });
        self.create_named(cx, attributes, name, body).0
    }

    /// `OpenEvent`, `OpenMutex`, `OpenSemaphore`: missing name 2, another kind 6. Names are
    /// case-sensitive.
    pub(crate) fn open_named(
        &mut self,
        cx: Cx,
        kind: ObjectKind,
        desired_access: u32,
        inherit: bool,
        name: &str,
    ) -> Res {
        let null = Ret::Handle(HandleValue::NULL);
        let key = match object_name(name) {
            Ok(k) => k,
            Err(e) => return Res::fail(null, e),
        };
        let Some(&id) = self.named.get(&key) else {
            return Res::fail(null, Win32Error::FileNotFound);
        };
        if self.obj(id).kind() != kind {
            return Res::fail(null, Win32Error::InvalidHandle);
        }
        if let Err(e) = self.ensure_rows(cx.process, 1) {
            return Res::fail(null, e);
        }
        let access = map_access(kind, desired_access);
        let h = self.add_row(cx.process, id, access, HandleFlags::inherit_if(inherit), self.opened());
        Res::ok(Ret::Handle(h))
    }

    /// `SetEvent` / `ResetEvent`: need `EVENT_MODIFY_STATE`.
    pub(crate) fn set_event(&mut self, cx: Cx, event: HandleValue, signaled: bool) -> Res {
        let (id, access) = match self.resolve_kind(cx, event, ObjectKind::Event) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if access & EVENT_MODIFY_STATE == 0 {
            return Res::no(Win32Error::AccessDenied);
        }
        if let Body::Event(e) = &mut self.objects[id].body {
            e.signaled = signaled;
        }
        if signaled {
            self.rise(id);
        }
        Res::yes()
    }

    /// `ReleaseMutex`: only the owner may release (`ERROR_NOT_OWNER`, NT's
    /// `STATUS_MUTANT_NOT_OWNED`); the last release frees it. No access right is needed:
    /// `NtReleaseMutant` references the handle asking for none (ReactOS; Wine's server agrees,
    /// as the oracle run shows), and MS lists `MUTEX_MODIFY_STATE` as "reserved for future use".
    pub(crate) fn release_mutex(&mut self, cx: Cx, mutex: HandleValue) -> Res {
        let (id, _) = match self.resolve_kind(cx, mutex, ObjectKind::Mutex) {
            Ok(v) => v,
            Err(res) => return res,
        };
        let Body::Mutex(m) = &mut self.objects[id].body else {
            unreachable!("resolve_kind checked the kind")
        };
        if m.owner != Some(cx.thread) {
            return Res::no(Win32Error::NotOwner);
        }
        m.recursion -= 1;
        if m.recursion == 0 {
            m.owner = None;
            self.thread_mut(cx.thread).owned_mutexes.retain(|&x| x != id);
            self.rise(id);
        }
        Res::yes()
    }

    /// `ReleaseSemaphore`: the count is checked before the handle (NtReleaseSemaphore:
    /// `lReleaseCount <= 0` is `ERROR_INVALID_PARAMETER`); needs `SEMAPHORE_MODIFY_STATE`;
    /// past the maximum it fails with `ERROR_TOO_MANY_POSTS`, changing nothing and leaving
    /// `*lpPreviousCount` unwritten.
    pub(crate) fn release_semaphore(&mut self, cx: Cx, semaphore: HandleValue, release_count: u32) -> Res {
        if release_count as i32 <= 0 {
            return Res::no(Win32Error::InvalidParameter);
        }
        let (id, access) = match self.resolve_kind(cx, semaphore, ObjectKind::Semaphore) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if access & SEMAPHORE_MODIFY_STATE == 0 {
            return Res::no(Win32Error::AccessDenied);
        }
        let Body::Semaphore(sem) = &mut self.objects[id].body else {
            unreachable!("resolve_kind checked the kind")
        };
        let previous = sem.count;
        match previous.checked_add(release_count).filter(|&c| c <= sem.maximum) {
            None => Res::no(Win32Error::TooManyPosts),
            Some(count) => {
                sem.count = count;
                self.rise(id);
                Res::yes().out1(OutputField::PreviousCount, previous)
            }
        }
    }

    /// Makes `thread` the owner of `mutex` once more.
    fn acquire_mutex(&mut self, mutex: ObjectId, thread: ObjectId) {
        let Body::Mutex(m) = &mut self.objects[mutex].body else {
            return;
        };
        m.recursion += 1;
        m.abandoned = false;
        if m.owner != Some(thread) {
            m.owner = Some(thread);
            self.thread_mut(thread).owned_mutexes.push(mutex);
        }
    }

    /// A thread is ending: every mutex it owns becomes free and abandoned (its next acquirer
    /// gets `WAIT_ABANDONED`).
    pub(crate) fn abandon_mutexes(&mut self, thread: ObjectId) {
        let thread_id = self.thread(thread).tid;
        for mutex in std::mem::take(&mut self.thread_mut(thread).owned_mutexes) {
            let Some(obj) = self.objects.get_mut(mutex) else {
                continue;
            };
            if let Body::Mutex(m) = &mut obj.body {
                m.owner = None;
                m.recursion = 0;
                m.abandoned = true;
                let object = obj.address;
                self.rise(mutex);
                self.log(Event::MutexAbandoned { object, thread_id });
            }
        }
    }

    /// A mutex is being destroyed: it leaves its owner's list.
    pub(crate) fn mutex_destroyed(&mut self, id: ObjectId, mutex: &MutexObj) {
        if let Some(owner) = mutex.owner {
            if let Some(Body::Thread(t)) = self.objects.get_mut(owner).map(|o| &mut o.body) {
                t.owned_mutexes.retain(|&x| x != id);
            }
        }
    }

    // ------------------------------------------------------------------ waits

    /// Whether a wait by `thread` on `id` would be satisfied now. Processes and threads are
    /// signaled once exited; a mutex when free or owned by the waiter; a semaphore while its
    /// count is above zero; files and mailslots always (their I/O is synchronous).
    fn is_signaled(&self, id: ObjectId, thread: ObjectId) -> bool {
        match self.objects.get(id).map(|o| &o.body) {
            Some(Body::Process(p)) => p.exit_code.is_some(),
            Some(Body::Thread(t)) => t.exit_code.is_some(),
            Some(Body::Event(e)) => e.signaled,
            Some(Body::Mutex(m)) => m.owner.is_none_or(|o| o == thread),
            Some(Body::Semaphore(s)) => s.count > 0,
            // A pipe end's state follows the pipe: a client end cut off by DisconnectNamedPipe
            // is not signaled (nt-pipe-rules §2; every other state is, as a file object whose
            // last I/O completed) [choice].
            Some(Body::Pipe(p)) => p.server || p.state != PipeState::Disconnected,
            Some(Body::File(_) | Body::Mailslot(_) | Body::MailslotClient(_)) => true,
            Some(Body::Snapshot(_)) | None => false,
        }
    }

    /// A mutex the waiter already owns `MINLONG` times cannot be acquired again (NT raises
    /// `STATUS_MUTANT_LIMIT_EXCEEDED` in the waiter; the model fails the wait) [choice].
    fn at_mutex_limit(&self, id: ObjectId) -> bool {
        matches!(self.objects.get(id).map(|o| &o.body), Some(Body::Mutex(m)) if m.recursion >= MUTEX_RECURSION_LIMIT)
    }

    /// What a satisfied wait does to the object: an auto-reset event resets, a semaphore
    /// counts down, a mutex is acquired. True when the mutex was abandoned.
    fn consume(&mut self, id: ObjectId, thread: ObjectId) -> bool {
        match self.objects.get_mut(id).map(|o| &mut o.body) {
            Some(Body::Event(e)) => {
                if !e.manual_reset {
                    e.signaled = false;
                }
                false
            }
            Some(Body::Semaphore(s)) => {
                s.count -= 1;
                false
            }
            Some(Body::Mutex(m)) => {
                let abandoned = m.abandoned;
                self.acquire_mutex(id, thread);
                abandoned
            }
            _ => false,
        }
    }

    /// Whether a wait by `thread` on `objects` is satisfied now (it then completes, possibly
    /// failing at the mutex limit).
    pub(crate) fn wait_ready(&self, objects: &[ObjectId], wait_all: bool, thread: ObjectId) -> bool {
        if wait_all {
            objects.iter().all(|&o| self.is_signaled(o, thread))
        } else {
            objects.iter().any(|&o| self.is_signaled(o, thread))
        }
    }

    /// What a wait by `thread` returns now, if it is satisfied: wait-any takes the lowest
    /// signaled index (`WAIT_ABANDONED_0 + i` for an abandoned mutex); wait-all acquires every
    /// object at once or none (`WAIT_ABANDONED_0` when any was an abandoned mutex, as NT's
    /// `STATUS_ABANDONED`).
    fn check_wait(&mut self, objects: &[ObjectId], wait_all: bool, thread: ObjectId) -> Option<Res> {
        let limit = || Res::fail(Ret::Dword(WAIT_FAILED), Win32Error::MutantLimitExceeded);
        if wait_all {
            if !self.wait_ready(objects, wait_all, thread) {
                return None;
            }
            if objects.iter().any(|&o| self.at_mutex_limit(o)) {
                return Some(limit());
            }
            let mut abandoned = false;
            for &o in objects {
                abandoned |= self.consume(o, thread);
            }
            Some(Res::ok(Ret::Dword(if abandoned {
                WAIT_ABANDONED_0
            } else {
                WAIT_OBJECT_0
            })))
        } else {
            let i = objects.iter().position(|&o| self.is_signaled(o, thread))?;
            if self.at_mutex_limit(objects[i]) {
                return Some(limit());
            }
            let base = if self.consume(objects[i], thread) {
                WAIT_ABANDONED_0
            } else {
                WAIT_OBJECT_0
            };
            Some(Res::ok(Ret::Dword(base + i as u32)))
        }
    }

    /// `WaitForSingleObject` / `WaitForMultipleObjects` (spec §9).
    pub(crate) fn wait(&mut self, cx: Cx, handles: &[HandleValue], wait_all: bool, milliseconds: u32) -> Step {
        let failed = |e| Res::fail(Ret::Dword(WAIT_FAILED), e).into();
        if handles.is_empty() || handles.len() > MAXIMUM_WAIT_OBJECTS as usize {
            return failed(Win32Error::InvalidParameter);
        }
        // Most waits name a few objects: they are resolved on the stack, and only a wait
        // that parks keeps them on the heap.
        let mut objects: SmallVec<[ObjectId; 4]> = SmallVec::with_capacity(handles.len());
        for &h in handles {
            let h = self.translate_std(cx.process, h);
            let (id, access) = match self.resolve(cx, h) {
                Ok(v) => v,
                Err(e) => return failed(e),
            };
            if self.obj(id).kind() == ObjectKind::Snapshot {
                return failed(Win32Error::InvalidHandle);
            }
            if access & SYNCHRONIZE == 0 {
                return failed(Win32Error::AccessDenied);
            }
            objects.push(id);
        }
        if wait_all && (1..objects.len()).any(|i| objects[..i].contains(&objects[i])) {
            return failed(Win32Error::InvalidParameter);
        }
        if let Some(res) = self.check_wait(&objects, wait_all, cx.thread) {
            return res.into();
        }
        if milliseconds == 0 {
            return Res::ok(Ret::Dword(WAIT_TIMEOUT)).into();
        }
        let objects = objects.into_vec();
        Step::Park(PendingOp::Wait { objects, wait_all }, self.deadline(milliseconds))
    }

    /// `Sleep`: 0 returns at once; `INFINITE` never returns.
    pub(crate) fn sleep(&mut self, milliseconds: u32) -> Step {
        if milliseconds == 0 {
            return Res::ok(Ret::Void).into();
        }
        Step::Park(PendingOp::Sleep, self.deadline(milliseconds))
    }

    /// The deadline for a timeout in ms (`INFINITE` has none).
    pub(crate) fn deadline(&self, milliseconds: u32) -> Option<u64> {
        // The clock saturates at u64::MAX ms; a timeout that would end later never fires.
        if milliseconds == INFINITE {
            return None;
        }
        self.time_ms.checked_add(u64::from(milliseconds))
    }

    // ------------------------------------------------------------------ parking

    pub(crate) fn park(
        &mut self,
        thread: ObjectId,
        op: PendingOp,
        deadline: Option<u64>,
        call_name: &'static str,
        call_seq: u64,
    ) {
        let park_seq = self.alloc_park_seq();
        self.index_parked(park_seq, &op, deadline, true);
        let t = self.thread_mut(thread);
        t.parked = Some(Box::new(Parked {
            park_seq,
            call_seq,
            call_name,
            op,
            deadline,
        }));
        let thread_id = t.tid;
        self.parked.insert(park_seq, thread);
        self.log(Event::CallParked {
            thread_id,
            call_seq,
            call: call_name.to_string(),
        });
    }

    /// Completes the parked calls that can complete, in park order, until none can: the
    /// calls parked on an object signaled or changed since the last settle (`risen`: waits,
    /// and pipe and mailslot calls on their end or mailslot) and, when `names`, every call
    /// waiting for a pipe name. A completion or a call's progress may move others: the calls
    /// parked on what it changed join, and every call waiting for a pipe name is tried again.
    /// Any other parked call could not complete before and nothing it waits for changed, so
    /// it is not looked at (the `missed-wake` invariant checks that no parked call could
    /// complete). The order is the one trying every parked call from the first after each
    /// completion would give.
    pub(crate) fn settle(&mut self, names: bool) {
        let mut todo: BTreeSet<u64> = BTreeSet::new();
        if names {
            todo.extend(self.name_parked.iter().copied());
        }
        self.take_risen(&mut todo);
        while let Some(seq) = todo.pop_first() {
            let Some(&thread) = self.parked.get(&seq) else {
                continue;
            };
            // The op is lent out while it is tried (no copy of a wait's handle list), a
            // `Sleep` standing in; it goes back unless the try moved the call on to a new op
            // (`CallNamedPipe` from connecting to waiting for the reply).
            let op = self.lend_op(thread);
            let done = self.try_complete(thread, &op);
            self.return_op(thread, op);
            let moved = done.is_some() | std::mem::take(&mut self.progressed);
            if let Some(res) = done {
                self.complete(thread, res);
            }
            if moved {
                todo.extend(self.name_parked.iter().copied());
            }
            self.take_risen(&mut todo);
        }
    }

    /// Moves the calls parked on every object risen since the last look into `todo`.
    fn take_risen(&mut self, todo: &mut BTreeSet<u64>) {
        // A pipe call records its ends several times over: each is looked up once.
        let mut risen = std::mem::take(&mut self.risen);
        risen.sort_unstable();
        risen.dedup();
        for &id in &risen {
            todo.extend(self.waiters.range((id, 0)..=(id, u64::MAX)).map(|&(_, seq)| seq));
        }
        // The buffer is kept for the next call.
        risen.clear();
        self.risen = risen;
    }

    /// Records that `id` may have become signaled or (a pipe end, a mailslot) changed, so
    /// `settle` tries the calls parked on it (nothing to record while none is parked on any
    /// object).
    pub(crate) fn rise(&mut self, id: ObjectId) {
        if !self.waiters.is_empty() {
            self.risen.push(id);
        }
    }

    /// Adds a parked call to the indexes that find it (`add`), or takes it out: the sleeper
    /// count, the waiters of each object a wait names or a pipe or mailslot call is keyed on,
    /// the calls waiting for a pipe name, the timeouts.
    pub(crate) fn index_parked(&mut self, seq: u64, op: &PendingOp, deadline: Option<u64>, add: bool) {
        match op {
            PendingOp::Sleep if add => self.sleepers += 1,
            PendingOp::Sleep => self.sleepers -= 1,
            PendingOp::Wait { objects, .. } => {
                for &o in objects {
                    if add {
                        self.waiters.insert((o, seq));
                    } else {
                        self.waiters.remove(&(o, seq));
                    }
                }
            }
            _ => match (op.keyed_on(), add) {
                (Some(o), true) => {
                    self.waiters.insert((o, seq));
                }
                (Some(o), false) => {
                    self.waiters.remove(&(o, seq));
                }
                (None, true) => {
                    self.name_parked.insert(seq);
                }
                (None, false) => {
                    self.name_parked.remove(&seq);
                }
            },
        }
        if let Some(d) = deadline {
            if add {
                self.deadlines.insert((d, seq));
            } else {
                self.deadlines.remove(&(d, seq));
            }
        }
    }

    /// The first parked pipe or mailslot call (in park order) that could complete or move on
    /// now, tried on a copy of the kernel: none should, after any call (the `missed-wake`
    /// invariant). Costs a copy of the world, and only while such a call is parked.
    pub(crate) fn io_could_move(&self) -> Option<u64> {
        let io = |op: &PendingOp| !matches!(op, PendingOp::Wait { .. } | PendingOp::Sleep);
        let parked_io = |k: &Kernel, t: ObjectId| k.thread(t).parked.as_ref().is_some_and(|p| io(&p.op));
        if !self.parked.values().any(|&t| parked_io(self, t)) {
            return None;
        }
        let mut copy = self.clone();
        copy.set_event_log(false);
        for (&seq, &thread) in &self.parked {
            if !parked_io(&copy, thread) {
                continue;
            }
            let op = copy.lend_op(thread);
            let moved = copy.try_complete(thread, &op).is_some() | std::mem::take(&mut copy.progressed);
            copy.return_op(thread, op);
            if moved {
                return Some(seq);
            }
        }
        None
    }

    /// Takes a parked thread's pending op, leaving `Sleep` in its place.
    fn lend_op(&mut self, thread: ObjectId) -> PendingOp {
        let parked = self.thread_mut(thread).parked.as_mut().expect("parked thread");
        std::mem::replace(&mut parked.op, PendingOp::Sleep)
    }

    /// Puts a lent op back, where the stand-in still is.
    fn return_op(&mut self, thread: ObjectId, op: PendingOp) {
        if let Some(parked) = self.thread_mut(thread).parked.as_mut() {
            if matches!(parked.op, PendingOp::Sleep) {
                parked.op = op;
            }
        }
    }

    fn try_complete(&mut self, thread: ObjectId, op: &PendingOp) -> Option<Res> {
        match op {
            PendingOp::Wait { objects, wait_all } => self.check_wait(objects, *wait_all, thread),
            PendingOp::Sleep => None,
            PendingOp::ReadMailslot { slot, size } => self.mailslot_try_read(*slot, *size),
            PendingOp::ReadPipe { .. }
            | PendingOp::WritePipe { .. }
            | PendingOp::Connect { .. }
            | PendingOp::WaitNamedPipe { .. }
            | PendingOp::Flush { .. }
            | PendingOp::Transact { .. }
            | PendingOp::CallWait { .. }
            | PendingOp::CallReply { .. } => self.pipe_try_complete(thread, op),
        }
    }

    /// Finishes a parked call with `res`.
    pub(crate) fn complete(&mut self, thread: ObjectId, res: Res) {
        let parked = self
            .thread_mut(thread)
            .parked
            .take()
            .expect("completing a parked thread");
        self.parked.remove(&parked.park_seq);
        self.index_parked(parked.park_seq, &parked.op, parked.deadline, false);
        if cfg!(debug_assertions) {
            if let Some(call) = crate::CallName::from_name(parked.call_name) {
                super::debug_assert_outputs(call, &res.out);
            }
        }
        let result = self.finish(thread, res);
        let t = self.thread(thread);
        let (thread_id, process_id) = (t.tid, t.pid);
        let call = parked.call_name.to_string();
        self.log(Event::CallCompleted {
            thread_id,
            call_seq: parked.call_seq,
            call: call.clone(),
            ret: result.ret,
            last_error: result.last_error,
        });
        self.push_completion(Completion {
            thread_id,
            process_id,
            call_seq: parked.call_seq,
            call,
            result,
        });
    }

    /// Drops a parked call whose thread is ending. A pending write's unread data is removed
    /// (spec §6.6: a terminated writer's unread data goes away).
    pub(crate) fn abandon_parked(&mut self, thread: ObjectId) {
        let Some(parked) = self.thread_mut(thread).parked.take() else {
            return;
        };
        self.parked.remove(&parked.park_seq);
        self.index_parked(parked.park_seq, &parked.op, parked.deadline, false);
        if let PendingOp::WritePipe { reader, message, .. } = parked.op {
            self.pipe_drop_message(reader, message);
        }
        let thread_id = self.thread(thread).tid;
        self.log(Event::CallAbandoned {
            thread_id,
            call_seq: parked.call_seq,
            call: parked.call_name.to_string(),
        });
    }

    /// What a parked call returns when its timeout passes.
    fn timeout_result(op: &PendingOp) -> Res {
        match op {
            PendingOp::Wait { .. } => Res::ok(Ret::Dword(WAIT_TIMEOUT)),
            PendingOp::Sleep => Res::ok(Ret::Void),
            _ => Res::no(Win32Error::SemTimeout),
        }
    }

    // ------------------------------------------------------------------ the clock

    /// The earliest pending timeout, if any.
    pub fn next_deadline(&self) -> Option<u64> {
        self.deadlines.first().map(|&(d, _)| d)
    }

    /// Moves the virtual clock forward by `ms`, firing every timeout on the way in deadline
    /// order (ties: park order). Each timeout completes its call and may wake others.
    pub fn advance_time(&mut self, ms: u64) {
        let target = self.time_ms.saturating_add(ms);
        while let Some(&(deadline, seq)) = self.deadlines.first().filter(|&&(d, _)| d <= target) {
            let thread = self.parked[&seq];
            if deadline > self.time_ms {
                self.log(Event::TimeAdvanced {
                    from_ms: self.time_ms,
                    to_ms: deadline,
                });
                self.time_ms = deadline;
            }
            // A timeout changes nothing another call waits for; what a completion does
            // change (none today) it records as risen.
            let res = Self::timeout_result(&self.thread(thread).parked.as_ref().expect("parked").op);
            self.complete(thread, res);
            self.settle(false);
        }
        if target > self.time_ms {
            self.log(Event::TimeAdvanced {
                from_ms: self.time_ms,
                to_ms: target,
            });
            self.time_ms = target;
        }
    }

    // ------------------------------------------------------------------ deadlock

    /// `Some` when every live thread is parked or suspended, at least one is parked, and no
    /// timeout is pending: nothing that the model can do will move any of them.
    pub fn deadlock(&self) -> Option<Deadlock> {
        if self.parked.is_empty() || self.next_deadline().is_some() {
            return None;
        }
        let mut threads = Vec::new();
        for &id in self.cids.values() {
            let Body::Thread(t) = &self.obj(id).body else {
                continue;
            };
            if t.exit_code.is_some() {
                continue;
            }
            let (call, waiting_for) = match &t.parked {
                Some(p) => (Some(p.call_name.to_string()), self.wait_reason(&p.op)),
                None if t.suspend_count > 0 => (None, WaitReason::Resume),
                None => return None,
            };
            threads.push(DeadlockedThread {
                thread_id: t.tid,
                process_id: t.pid,
                call,
                waiting_for,
            });
        }
        Some(Deadlock { threads })
    }

    /// An object as a [`WaitReason`] names it.
    pub(crate) fn tag(&self, id: ObjectId) -> Option<ObjectTag> {
        self.objects.get(id).map(|o| ObjectTag {
            address: o.address,
            kind: o.kind(),
        })
    }

    /// What a parked call waits for.
    pub(crate) fn wait_reason(&self, op: &PendingOp) -> WaitReason {
        match op {
            PendingOp::Wait { objects, wait_all } => WaitReason::Signaled {
                objects: objects.iter().map(|&o| self.tag(o)).collect(),
                wait_all: *wait_all,
            },
            PendingOp::Sleep => WaitReason::Clock,
            PendingOp::ReadPipe { end, .. } => WaitReason::Data { end: self.tag(*end) },
            PendingOp::WritePipe { reader, .. } => WaitReason::ReadDown { end: self.tag(*reader) },
            PendingOp::Connect { end } => WaitReason::Client { end: self.tag(*end) },
            PendingOp::WaitNamedPipe { key } | PendingOp::CallWait { key, .. } => WaitReason::ListeningInstance {
                pipe: self.pipes.get(key).map_or(key.clone(), |p| p.display_name.clone()),
            },
            PendingOp::Flush { end } => WaitReason::PeerReads { end: self.tag(*end) },
            PendingOp::ReadMailslot { slot, .. } => WaitReason::Message {
                mailslot: self.tag(*slot),
            },
            PendingOp::Transact { end, .. } | PendingOp::CallReply { end, .. } => {
                WaitReason::Reply { end: self.tag(*end) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_follow_the_session_namespace() {
        assert_eq!(object_name("Local\\ev"), Ok("ev".to_string()));
        assert_eq!(object_name("Global\\ev"), Ok("Global\\ev".to_string()));
        assert_eq!(object_name("a\\b"), Err(Win32Error::PathNotFound));
    }
}
