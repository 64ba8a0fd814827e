//! Explanations as data: who keeps an object alive ([`Kernel::why_alive`]), what a parked or
//! suspended thread waits for and who could release it ([`Kernel::why_blocked`]), and which
//! rows look forgotten ([`Kernel::leaks`]). Queries over the state, worded only by the
//! renderers. Each scans the handle tables (an object's scan stops once its handle count of
//! rows is found); they run when asked, never on a call's path.

use crate::handle::{HandleValue, Provenance};
use crate::ids::{Address, Pid, Tid};
use crate::kernel::{Kernel, ObjectTag, WaitReason};
use crate::object::*;
use serde::{Deserialize, Serialize};

/// One reason an object is alive: a handle-table row, or a kernel reference (a running
/// process or thread holds one on its own object).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "holder", rename_all = "snake_case")]
pub enum Holder {
    /// A row of a process's handle table.
    Row {
        /// The process whose table holds it.
        process_id: Pid,
        /// Its value.
        handle: HandleValue,
        /// Granted access.
        access: u32,
        /// Its inherit flag.
        inherit: bool,
        /// How and when it was made.
        provenance: Provenance,
        /// The last call that used it (`None`: none since it was made).
        last_used: Option<u64>,
    },
    /// The process is running (its reference on its own object, dropped at exit).
    ProcessRunning {
        /// The process.
        process_id: Pid,
    },
    /// The thread is running (its reference on its own object, dropped when it ends).
    ThreadRunning {
        /// The thread.
        thread_id: Tid,
        /// Its process.
        process_id: Pid,
    },
    /// The thread owns the mutex (no reference: only it can release it, or its end abandons it).
    MutexOwner {
        /// The owner.
        thread_id: Tid,
        /// Its process.
        process_id: Pid,
        /// How many times it holds the mutex.
        recursion: u32,
    },
}

impl Holder {
    /// The process whose row this is (`None` for kernel references).
    pub fn row_process(&self) -> Option<Pid> {
        match self {
            Holder::Row { process_id, .. } => Some(*process_id),
            _ => None,
        }
    }
}

/// Why an object is alive: its counts and every holder, rows in ascending (pid, value)
/// order, then the kernel reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Alive {
    /// The object.
    pub object: ObjectTag,
    /// Its usage count (`holders.len()`).
    pub usage_count: u32,
    /// Its handle count (the rows among the holders).
    pub handle_count: u32,
    /// Who holds it.
    pub holders: Vec<Holder>,
}

/// What would release a blocked thread.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReleaseBy {
    /// A write to this pipe end or mailslot (a holder of a handle to it), or for a pipe read
    /// the close of every handle to it (then the read fails with `ERROR_BROKEN_PIPE`).
    Write,
    /// A read from this end (a holder of a handle to it), or the close of every handle.
    Read,
    /// `SetEvent` or `PulseEvent` on this event by a holder.
    Signal,
    /// `ReleaseMutex` by the owning thread as many times as it acquired the mutex, or the
    /// owner ending (the mutex is then abandoned).
    OwnerReleases,
    /// `ReleaseSemaphore` on this semaphore by a holder.
    Post,
    /// This process or thread ending (its own threads, or `TerminateProcess` by a holder).
    End,
    /// A client opening this pipe by name (`CreateFile`, `CallNamedPipe`): anyone.
    Connect,
    /// An instance of this pipe listening (`ConnectNamedPipe` by a holder of a server end).
    Listen,
    /// `ResumeThread` on this thread by a holder.
    Resume,
    /// The clock reaching the call's deadline.
    Clock,
}

/// One way out of a block: what must happen, to which object, and who could do it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Release {
    /// What must happen.
    pub by: ReleaseBy,
    /// To which object (`None`: the clock, or a destroyed object).
    pub object: Option<ObjectTag>,
    /// For [`ReleaseBy::Listen`]: the pipe's instances and their states.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<(ObjectTag, PipeState)>,
    /// The rows (and kernel references) that could make it happen.
    pub holders: Vec<Holder>,
}

/// Why a thread is blocked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Blocked {
    /// The thread.
    pub thread_id: Tid,
    /// Its process.
    pub process_id: Pid,
    /// The call it is parked in (`None`: it is suspended, not parked).
    pub call: Option<String>,
    /// That call's sequence number.
    pub call_seq: Option<u64>,
    /// What it waits for.
    pub waiting_for: WaitReason,
    /// When the call times out (virtual ms), if ever.
    pub deadline_ms: Option<u64>,
    /// What would release it, one way per object.
    pub release: Vec<Release>,
    /// True when only holders whose every thread is itself blocked could release it, and
    /// no clock or outside client can: nothing will (a self-inflicted deadlock when the
    /// holder is the thread's own process).
    pub stuck: bool,
}

/// A row that looks forgotten: in a live process, never used since it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LeakedRow {
    /// The process.
    pub process_id: Pid,
    /// The value.
    pub handle: HandleValue,
    /// The object.
    pub object: ObjectTag,
    /// How and when it was made.
    pub provenance: Provenance,
}

/// The leak report: forgotten rows, and the objects alive only through them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Leaks {
    /// Rows of live processes that no call used since they were made, by (pid, value).
    pub rows: Vec<LeakedRow>,
    /// Objects whose every holder is such a row (no kernel reference, no used row).
    pub objects: Vec<ObjectTag>,
}

impl Kernel {
    /// Every holder of the object at `address`, or `None` when no object has it.
    pub fn why_alive(&self, address: Address) -> Option<Alive> {
        let (id, obj) = self.objects.iter().find(|(_, o)| o.address == address)?;
        Some(Alive {
            object: ObjectTag {
                address,
                kind: obj.kind(),
            },
            usage_count: obj.usage_count,
            handle_count: obj.handle_count,
            holders: self.holders(id),
        })
    }

    /// The holders of `id`: its rows in (pid, value) order, then its kernel reference.
    fn holders(&self, id: ObjectId) -> Vec<Holder> {
        let obj = self.obj(id);
        let mut holders = Vec::with_capacity(obj.usage_count as usize);
        let mut left = obj.handle_count;
        for &p in self.cids.values() {
            if left == 0 {
                break;
            }
            let Body::Process(proc_) = &self.obj(p).body else {
                continue;
            };
            for (handle, e) in proc_.handles.iter() {
                if e.object == id {
                    left -= 1;
                    holders.push(Holder::Row {
                        process_id: proc_.pid,
                        handle,
                        access: e.access,
                        inherit: e.inherit(),
                        provenance: e.provenance,
                        last_used: proc_.handles.last_used(handle),
                    });
                }
            }
        }
        match &obj.body {
            Body::Process(p) if p.exit_code.is_none() => holders.push(Holder::ProcessRunning { process_id: p.pid }),
            Body::Thread(t) if t.exit_code.is_none() => holders.push(Holder::ThreadRunning {
                thread_id: t.tid,
                process_id: t.pid,
            }),
            _ => {}
        }
        holders
    }

    /// What the thread `tid` waits for and who could release it; `None` when it is not
    /// blocked (running, ended, or unknown).
    pub fn why_blocked(&self, tid: Tid) -> Option<Blocked> {
        let &id = self.cids.get(&tid.0)?;
        let Body::Thread(t) = &self.obj(id).body else {
            return None;
        };
        if t.exit_code.is_some() {
            return None;
        }
        let mut release = Vec::new();
        let way = |by: ReleaseBy, object: Option<ObjectId>| Release {
            by,
            object: object.and_then(|o| self.tag(o)),
            instances: Vec::new(),
            holders: object
                .filter(|&o| self.objects.contains_key(o))
                .map_or_else(Vec::new, |o| self.holders(o)),
        };
        let (call, call_seq, waiting_for, deadline_ms) = match &t.parked {
            Some(p) => {
                let peer = |end: ObjectId| match self.objects.get(end).map(|o| &o.body) {
                    Some(Body::Pipe(pipe)) => pipe.peer,
                    _ => None,
                };
                match &p.op {
                    PendingOp::Wait { objects, .. } => {
                        for &o in objects {
                            if let Some(Body::Mutex(m)) = self.objects.get(o).map(|o| &o.body) {
                                // Only the owner can free a mutex: it is the one holder.
                                let owner = m.owner.and_then(|t| match &self.obj(t).body {
                                    Body::Thread(th) => Some(Holder::MutexOwner {
                                        thread_id: th.tid,
                                        process_id: th.pid,
                                        recursion: m.recursion,
                                    }),
                                    _ => None,
                                });
                                release.push(Release {
                                    by: ReleaseBy::OwnerReleases,
                                    object: self.tag(o),
                                    instances: Vec::new(),
                                    holders: owner.into_iter().collect(),
                                });
                                continue;
                            }
                            let by = match self.objects.get(o).map(|o| o.kind()) {
                                Some(ObjectKind::Process | ObjectKind::Thread) => ReleaseBy::End,
                                Some(ObjectKind::Semaphore) => ReleaseBy::Post,
                                _ => ReleaseBy::Signal,
                            };
                            release.push(way(by, Some(o)));
                        }
                    }
                    PendingOp::Sleep => {}
                    PendingOp::ReadPipe { end, .. } => release.push(way(ReleaseBy::Write, peer(*end))),
                    PendingOp::WritePipe { reader, .. } => release.push(way(ReleaseBy::Read, Some(*reader))),
                    PendingOp::Connect { end } => release.push(way(ReleaseBy::Connect, Some(*end))),
                    PendingOp::WaitNamedPipe { key } | PendingOp::CallWait { key, .. } => {
                        let instances = self.pipes.get(key).map_or(&[][..], |p| &p.instances[..]);
                        let mut holders = Vec::new();
                        let mut states = Vec::new();
                        for &i in instances {
                            holders.extend(self.holders(i));
                            if let Some(tag) = self.tag(i) {
                                states.push((tag, self.pipe(i).state));
                            }
                        }
                        release.push(Release {
                            by: ReleaseBy::Listen,
                            object: instances.first().and_then(|&i| self.tag(i)),
                            instances: states,
                            holders,
                        });
                    }
                    PendingOp::Flush { end } => release.push(way(ReleaseBy::Read, peer(*end))),
                    PendingOp::ReadMailslot { slot, .. } => {
                        // The writers are the holders of the mailslot's client handles.
                        let mut holders = Vec::new();
                        for (c, o) in self.objects.iter() {
                            if matches!(&o.body, Body::MailslotClient(m) if m.slot == *slot) {
                                holders.extend(self.holders(c));
                            }
                        }
                        release.push(Release {
                            by: ReleaseBy::Write,
                            object: self.tag(*slot),
                            instances: Vec::new(),
                            holders,
                        });
                    }
                    PendingOp::Transact { end, .. } | PendingOp::CallReply { end, .. } => {
                        release.push(way(ReleaseBy::Write, peer(*end)))
                    }
                }
                (
                    Some(p.call_name.to_string()),
                    Some(p.call_seq),
                    self.wait_reason(&p.op),
                    p.deadline,
                )
            }
            None if t.suspend_count > 0 => {
                release.push(way(ReleaseBy::Resume, Some(id)));
                (None, None, WaitReason::Resume, None)
            }
            None => return None,
        };
        if deadline_ms.is_some() {
            release.push(way(ReleaseBy::Clock, None));
        }
        let outside = release
            .iter()
            .any(|r| matches!(r.by, ReleaseBy::Clock | ReleaseBy::Connect));
        let stuck = !outside
            && release.iter().all(|r| {
                // A row's process could use it, and a running process or thread ends by itself,
                // only if one of its threads can move.
                r.holders.iter().all(|h| match h {
                    Holder::Row { process_id, .. }
                    | Holder::ProcessRunning { process_id }
                    | Holder::ThreadRunning { process_id, .. } => !self.can_act(*process_id),
                    // Only the owning thread itself can release a mutex.
                    Holder::MutexOwner { thread_id, .. } => !self.thread_can_act(*thread_id),
                })
            });
        Some(Blocked {
            thread_id: t.tid,
            process_id: t.pid,
            call,
            call_seq,
            waiting_for,
            deadline_ms,
            release,
            stuck,
        })
    }

    /// True when the thread is live and neither parked nor suspended.
    fn thread_can_act(&self, tid: Tid) -> bool {
        self.cids.get(&tid.0).is_some_and(|&t| moves(&self.obj(t).body))
    }

    /// True when the process has a live thread that is neither parked nor suspended.
    fn can_act(&self, pid: Pid) -> bool {
        let Some(&p) = self.cids.get(&pid.0) else { return false };
        let Body::Process(proc_) = &self.obj(p).body else {
            return false;
        };
        proc_.threads.iter().any(|&t| moves(&self.obj(t).body))
    }

    /// Rows of live processes that no call used since they were made, and the objects that
    /// only such rows keep alive.
    pub fn leaks(&self) -> Leaks {
        let mut rows = Vec::new();
        let mut candidates = std::collections::BTreeMap::new();
        for &p in self.cids.values() {
            let Body::Process(proc_) = &self.obj(p).body else {
                continue;
            };
            if proc_.exit_code.is_some() {
                continue;
            }
            for (handle, e) in proc_.handles.iter() {
                if proc_.handles.last_used(handle).is_some() {
                    continue;
                }
                let Some(object) = self.tag(e.object) else { continue };
                rows.push(LeakedRow {
                    process_id: proc_.pid,
                    handle,
                    object,
                    provenance: e.provenance,
                });
                *candidates.entry(e.object).or_insert(0u32) += 1;
            }
        }
        let mut objects: Vec<ObjectTag> = candidates
            .into_iter()
            .filter(|&(o, n)| {
                let obj = self.obj(o);
                obj.kernel_references() == 0 && obj.handle_count == n
            })
            .filter_map(|(o, _)| self.tag(o))
            .collect();
        objects.sort_by_key(|t| t.address);
        Leaks { rows, objects }
    }
}

/// A thread that can make a call: live, not parked, not suspended.
fn moves(body: &Body) -> bool {
    matches!(body, Body::Thread(t) if t.exit_code.is_none() && t.parked.is_none() && t.suspend_count == 0)
}
