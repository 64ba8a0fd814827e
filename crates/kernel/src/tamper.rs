//! Deliberate corruption of the kernel's state (feature `test-hooks`), so that tests can show
//! `check_invariants` catches what it promises to catch. Never enabled in normal builds.

use crate::handle::{HandleFlags, HandleValue};
use crate::ids::{Address, Pid, Tid};
use crate::kernel::Kernel;
use crate::object::{Body, EventObj, ObjectId, PipeState};

/// Deliberate bugs to inject, one switch each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bugs {
    /// `DUPLICATE_CLOSE_SOURCE` into another slot removes the source row but forgets to
    /// decrement the object's counts.
    pub close_source_keeps_count: bool,
    /// `CreateProcess` with `bInheritHandles = TRUE` copies every row, ignoring the flag.
    pub inherit_ignores_flag: bool,
    /// A same-process `DuplicateHandle` with `DUPLICATE_CLOSE_SOURCE` (the row moved in
    /// place) keeps the old row's provenance instead of recording the duplicate.
    pub move_keeps_provenance: bool,
}

impl Kernel {
    /// Turns deliberate bugs on (for tests of the tests).
    pub fn inject_bugs(&mut self, bugs: Bugs) {
        self.bugs = bugs;
    }

    /// Adds `delta` to an object's usage count without any row changing. False if no object
    /// has that address.
    pub fn tamper_usage_count(&mut self, address: Address, delta: i32) -> bool {
        match self.objects.values_mut().find(|o| o.address == address) {
            Some(o) => {
                o.usage_count = o.usage_count.wrapping_add_signed(delta);
                true
            }
            None => false,
        }
    }

    /// Removes a row from a process's table without touching the object's counts (a "forgot
    /// to decrement" bug seen from the other side).
    pub fn tamper_drop_row(&mut self, pid: Pid, handle: HandleValue) -> bool {
        let Some(&id) = self.cids.get(&pid.0) else {
            return false;
        };
        match &mut self.objects[id].body {
            Body::Process(p) => p.handles.remove(handle).is_some(),
            _ => false,
        }
    }

    /// Frees a pid from the id table while its process object lives.
    pub fn tamper_forget_pid(&mut self, pid: Pid) -> bool {
        self.cids.remove(&pid.0).is_some()
    }
}

/// One corruption per rule of [`Kernel::check_invariants`], each the smallest change that
/// breaks that rule and no other (so a rule switched off goes noticed). Rows and objects are
/// named by a process and a handle value in its table. `row-value` has none: a table stores
/// slots, and a slot's value is always a valid one, so no state can break it; `exited-owner`
/// never fires alone: a mutex listed by an exited thread either names it as owner (and the
/// mutex's own rule sees a dead owner) or does not (and the thread's list is wrong), both
/// `mutex-owner`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// The object a row points to is destroyed under it (`dangling-row`).
    DestroyUnder(Pid, HandleValue),
    /// A row's inherit flag flips, its table's inheritable index does not (`inheritable-index`).
    FlipInheritUnindexed(Pid, HandleValue),
    /// A table's row count drifts from its rows (`table-length`).
    MiscountRows(Pid),
    /// An object is made that no row or kernel reference counts (`zero-count-alive`).
    UncountedObject,
    /// The object of a row of the second process gets a row in the first, an exited process,
    /// with its counts kept right (`exited-process`).
    RowInExited(Pid, Pid, HandleValue),
    /// A running process's only thread is marked exited and leaves its list, the thread's
    /// count kept right (`threadless-process`).
    OrphanProcess(Pid),
    /// A process lists the object of one of its rows as a thread (`thread-list`).
    ListForeignThread(Pid, HandleValue),
    /// A running process's only thread is marked ended, its count kept right, and stays in
    /// the list (`thread-list`: a listed thread must be live).
    EndListedThread(Pid),
    /// A process's newest thread, still running, leaves its list (`thread-owner`).
    UnlistThread(Pid),
    /// A parked thread leaves the park queue (`parked-set`).
    UnqueueParked(Tid),
    /// A parked call's deadline passes without it timing out (`overdue-timeout`).
    OverdueDeadline(Tid),
    /// A parked thread is marked exited and leaves its process's list, its count kept right,
    /// but stays parked (`exited-parked`).
    ExitParked(Tid),
    /// A name maps to the object of a row, which has another name (`namespace`).
    Misname(String, Pid, HandleValue),
    /// A pipe end's byte count drifts from its queue (`pipe-bytes`).
    MiscountPipeBytes(Pid, HandleValue),
    /// A connected pipe end forgets its peer; the peer still points back at it (`pipe-peer`).
    ForgetPeer(Pid, HandleValue),
    /// A client end, cut off, says it is listening (`pipe-state`).
    ListeningClient(Pid, HandleValue),
    /// A semaphore counts past its maximum (`semaphore-count`).
    OverfullSemaphore(Pid, HandleValue),
    /// A client end takes its server's pipe name and is listed among that pipe's instances,
    /// which are server ends only (`namespace`). The first handle is the client, the second
    /// its server.
    ClientAsInstance(Pid, HandleValue, HandleValue),
    /// Bytes appear in a pipe end's queue (counted, so `pipe-bytes` holds) without the change
    /// being recorded, so a read parked on that end is never tried (`missed-wake`).
    DataUnseen(Pid, HandleValue),
    /// A semaphore's maximum set to a value `CreateSemaphore` refuses (0, or past `LONG`'s
    /// range), its count 0 (`semaphore-count`).
    SemaphoreMaximum(Pid, HandleValue, u32),
    /// A mutex forgets its owner while the owner still lists it (`mutex-owner`).
    DisownMutex(Pid, HandleValue),
    /// An event a parked wait names is set behind the kernel's back, its waiter left parked
    /// (`missed-wake`).
    SignalUnseen(Pid, HandleValue),
}

impl Kernel {
    /// Applies `corruption`; false when what it names does not exist (nothing changed then).
    pub fn tamper(&mut self, corruption: Corruption) -> bool {
        use Corruption::*;
        match corruption {
            DestroyUnder(pid, h) => self
                .row_object(pid, h)
                .is_some_and(|o| self.objects.remove(o).is_some()),
            FlipInheritUnindexed(pid, h) => self
                .table_of(pid)
                .is_some_and(|t| t.tamper_flags(h, HandleFlags::INHERIT)),
            MiscountRows(pid) => self.table_of(pid).is_some_and(|t| t.tamper_len(1)),
            UncountedObject => {
                let body = Body::Event(EventObj {
                    manual_reset: true,
                    signaled: false,
                });
                self.new_object(body, None);
                true
            }
            RowInExited(exited, pid, h) => {
                let (Some(process), Some(object)) = (self.process_id(exited), self.row_object(pid, h)) else {
                    return false;
                };
                let origin = self.opened();
                self.add_row(process, object, 0, HandleFlags::NONE, origin);
                true
            }
            OrphanProcess(pid) => {
                let Some(thread) = self.only_thread(pid) else {
                    return false;
                };
                self.end_quietly(thread) && self.unlist_thread(thread)
            }
            EndListedThread(pid) => self.only_thread(pid).is_some_and(|thread| self.end_quietly(thread)),
            ListForeignThread(pid, h) => {
                let (Some(process), Some(object)) = (self.process_id(pid), self.row_object(pid, h)) else {
                    return false;
                };
                match &mut self.objects[process].body {
                    Body::Process(p) => {
                        p.threads.push(object);
                        true
                    }
                    _ => false,
                }
            }
            UnlistThread(pid) => {
                let Some(process) = self.process_id(pid) else {
                    return false;
                };
                match &mut self.objects[process].body {
                    Body::Process(p) if p.threads.len() > 1 => p.threads.pop().is_some(),
                    _ => false,
                }
            }
            UnqueueParked(tid) => match self
                .thread_id(tid)
                .and_then(|t| self.thread(t).parked.as_ref().map(|p| p.park_seq))
            {
                Some(seq) => self.parked.remove(&seq).is_some(),
                None => false,
            },
            OverdueDeadline(tid) => {
                let now = self.time_ms;
                let Some(thread) = self.thread_id(tid) else {
                    return false;
                };
                // The timeout index moves with it: only the overdue timeout is wrong.
                match &mut self.thread_mut(thread).parked {
                    Some(p) => {
                        let (seq, old) = (p.park_seq, p.deadline.replace(now));
                        if let Some(d) = old {
                            self.deadlines.remove(&(d, seq));
                        }
                        self.deadlines.insert((now, seq));
                        true
                    }
                    None => false,
                }
            }
            ExitParked(tid) => {
                let Some(thread) = self.thread_id(tid) else {
                    return false;
                };
                self.thread(thread).parked.is_some() && self.end_quietly(thread) && self.unlist_thread(thread)
            }
            Misname(name, pid, h) => match self.row_object(pid, h) {
                Some(object) => {
                    self.named.insert(name, object);
                    true
                }
                None => false,
            },
            MiscountPipeBytes(pid, h) => self.pipe_end_mut(pid, h).is_some_and(|end| {
                end.inbound_bytes += 1;
                true
            }),
            ForgetPeer(pid, h) => self.pipe_end_mut(pid, h).is_some_and(|end| end.peer.take().is_some()),
            ListeningClient(pid, h) => self.pipe_end_mut(pid, h).is_some_and(|end| {
                let cut_off = !end.server && end.peer.is_none();
                if cut_off {
                    end.state = PipeState::Listening;
                }
                cut_off
            }),
            OverfullSemaphore(pid, h) => {
                let Some(o) = self.row_object(pid, h) else { return false };
                match &mut self.objects[o].body {
                    Body::Semaphore(s) => {
                        s.count = s.maximum + 1;
                        true
                    }
                    _ => false,
                }
            }
            ClientAsInstance(pid, client, server) => {
                let Some(key) = self.pipe_end_mut(pid, server).and_then(|end| end.key.clone()) else {
                    return false;
                };
                let Some(id) = self.row_object(pid, client) else {
                    return false;
                };
                let Some(end) = self.pipe_end_mut(pid, client).filter(|end| !end.server) else {
                    return false;
                };
                end.key = Some(key.clone());
                self.pipes.get_mut(&key).is_some_and(|pipe| {
                    pipe.instances.push(id);
                    true
                })
            }
            DataUnseen(pid, h) => {
                self.next_message_id += 1;
                let id = self.next_message_id;
                self.pipe_end_mut(pid, h).is_some_and(|end| {
                    end.inbound.push_back(crate::object::Message {
                        id,
                        data: b"unseen".to_vec(),
                        read_pos: 0,
                    });
                    end.inbound_bytes += 6;
                    true
                })
            }
            SemaphoreMaximum(pid, h, maximum) => {
                let Some(o) = self.row_object(pid, h) else { return false };
                match &mut self.objects[o].body {
                    Body::Semaphore(s) => {
                        (s.count, s.maximum) = (0, maximum);
                        true
                    }
                    _ => false,
                }
            }
            SignalUnseen(pid, h) => match self.row_object(pid, h).map(|o| &mut self.objects[o].body) {
                Some(Body::Event(e)) => {
                    e.signaled = true;
                    true
                }
                _ => false,
            },
            DisownMutex(pid, h) => {
                let Some(o) = self.row_object(pid, h) else { return false };
                match &mut self.objects[o].body {
                    Body::Mutex(m) => m.owner.take().is_some(),
                    _ => false,
                }
            }
        }
    }

    /// Marks a live thread ended and drops its running reference, as an exit would, touching
    /// nothing else (its process's list, the park queue); false when it had ended.
    fn end_quietly(&mut self, thread: ObjectId) -> bool {
        let t = &mut self.objects[thread];
        match &mut t.body {
            Body::Thread(th) if th.exit_code.is_none() => th.exit_code = Some(0),
            _ => return false,
        }
        t.usage_count -= 1;
        true
    }

    /// Takes a thread out of its process's list of threads.
    fn unlist_thread(&mut self, thread: ObjectId) -> bool {
        let process = self.thread(thread).process;
        match &mut self.objects[process].body {
            Body::Process(p) => {
                p.threads.retain(|&t| t != thread);
                true
            }
            _ => false,
        }
    }

    /// The thread of a process that has exactly one.
    fn only_thread(&self, pid: Pid) -> Option<ObjectId> {
        match &self.objects[self.process_id(pid)?].body {
            Body::Process(p) if p.threads.len() == 1 => Some(p.threads[0]),
            _ => None,
        }
    }

    fn process_id(&self, pid: Pid) -> Option<ObjectId> {
        self.cids
            .get(&pid.0)
            .copied()
            .filter(|&id| matches!(self.objects[id].body, Body::Process(_)))
    }

    fn thread_id(&self, tid: Tid) -> Option<ObjectId> {
        self.cids
            .get(&tid.0)
            .copied()
            .filter(|&id| matches!(self.objects[id].body, Body::Thread(_)))
    }

    fn table_of(&mut self, pid: Pid) -> Option<&mut crate::handle::HandleTable> {
        let id = self.process_id(pid)?;
        match &mut self.objects[id].body {
            Body::Process(p) => Some(&mut p.handles),
            _ => None,
        }
    }

    fn row_object(&self, pid: Pid, h: HandleValue) -> Option<ObjectId> {
        match &self.objects[self.process_id(pid)?].body {
            Body::Process(p) => p.handles.get(h).map(|e| e.object),
            _ => None,
        }
    }

    fn pipe_end_mut(&mut self, pid: Pid, h: HandleValue) -> Option<&mut crate::object::PipeEnd> {
        let o = self.row_object(pid, h)?;
        match &mut self.objects[o].body {
            Body::Pipe(end) => Some(end),
            _ => None,
        }
    }
}
