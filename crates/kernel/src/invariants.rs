//! `Kernel::check_invariants`: recomputes every count from scratch and checks every rule the
//! model promises (spec §11). Counts are maintained incrementally by the kernel and checked
//! here independently, so a path that forgets a decrement is caught after the step that took it.

use crate::kernel::Kernel;
use crate::object::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Violation {
    /// A short name of the rule.
    pub rule: String,
    /// What was found.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}

impl Kernel {
    /// Checks every invariant; `Err` lists each violation found.
    ///
    /// * every row points to a live object; every value is a nonzero multiple of 4 below the
    ///   pseudo range, and a table's row count matches its rows;
    /// * each object's handle count equals the rows pointing at it, recomputed from all tables,
    ///   and its usage count equals that plus its kernel references (1 for a running process or
    ///   thread);
    /// * no live object has a usage count of zero;
    /// * an exited process has an empty table and no threads; a running process has at least
    ///   one live thread and its threads name it as their owner;
    /// * the id table holds exactly the live process and thread objects (a pid is freed only
    ///   when its object dies);
    /// * every name maps to a live object of the right kind that carries it; every pipe
    ///   instance is a listed server end of its pipe;
    /// * pipe peers point at each other, connected ends have peers, queued byte counts match the
    ///   queues;
    /// * the parked set holds exactly the parked threads, none exited, and no pending timeout
    ///   is already due; its indexes (calls by the object they are parked on, calls waiting
    ///   for a pipe name, timeouts) hold exactly what the parked calls say;
    /// * no parked wait is satisfied and no parked pipe or mailslot call could complete or move
    ///   on (a change that should have woken it did not).
    pub fn check_invariants(&self) -> Result<(), Vec<Violation>> {
        let mut v = Vec::new();
        let mut bad = |rule: &str, detail: String| {
            v.push(Violation {
                rule: rule.to_string(),
                detail,
            })
        };

        // Rows and recomputed handle counts.
        let mut handles: BTreeMap<ObjectId, u32> = BTreeMap::new();
        for (_, obj) in &self.objects {
            let Body::Process(p) = &obj.body else {
                continue;
            };
            let mut rows = 0;
            for (value, entry) in p.handles.iter() {
                rows += 1;
                if value.0 == 0 || value.0 % 4 != 0 || value.0 >= 0x8000_0000 || value.is_pseudo() {
                    bad("row-value", format!("pid {} holds value {}", p.pid, value));
                }
                if !self.objects.contains_key(entry.object) {
                    bad(
                        "dangling-row",
                        format!("pid {} row {} points to a destroyed object", p.pid, value),
                    );
                    continue;
                }
                *handles.entry(entry.object).or_default() += 1;
            }
            if !p.handles.inheritable_index_is_consistent() {
                bad(
                    "inheritable-index",
                    format!("pid {}'s inheritable index does not match its flags", p.pid),
                );
            }
            if rows != p.handles.len() {
                bad(
                    "table-length",
                    format!("pid {} counts {} rows but holds {}", p.pid, p.handles.len(), rows),
                );
            }
        }
        for (id, obj) in &self.objects {
            count_rules(obj, handles.get(&id).copied().unwrap_or(0), &mut bad);
        }

        // Processes and threads.
        for (id, obj) in &self.objects {
            self.actor_rules(id, obj, &mut bad);
        }
        for (&cid, &id) in &self.cids {
            let ok = match self.objects.get(id).map(|o| &o.body) {
                Some(Body::Process(p)) => p.pid.0 == cid,
                Some(Body::Thread(t)) => t.tid.0 == cid,
                _ => false,
            };
            if !ok {
                bad(
                    "pid-table",
                    format!("id {cid} maps to a destroyed or mismatched object (freed id still in use)"),
                );
            }
        }
        let sleeping = self
            .parked
            .values()
            .filter(|&&t| matches!(self.objects.get(t).map(|o| &o.body), Some(Body::Thread(th)) if th.parked.as_ref().is_some_and(|p| matches!(p.op, PendingOp::Sleep))))
            .count();
        if sleeping != self.sleepers {
            bad(
                "parked-set",
                format!("{sleeping} threads sleep, the kernel counts {}", self.sleepers),
            );
        }
        let (mut waiters, mut name_parked, mut deadlines) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for (&seq, &t) in &self.parked {
            let parked = match self.objects.get(t).map(|o| &o.body) {
                Some(Body::Thread(th)) => th.parked.as_ref().filter(|p| p.park_seq == seq),
                _ => None,
            };
            let Some(p) = parked else {
                bad("parked-set", format!("park queue entry {seq} is not a parked thread"));
                continue;
            };
            match &p.op {
                PendingOp::Sleep => {}
                PendingOp::Wait { objects, wait_all } => {
                    waiters.extend(objects.iter().map(|&o| (o, seq)));
                    if self.wait_ready(objects, *wait_all, t) {
                        bad(
                            "missed-wake",
                            format!("park queue entry {seq} waits on objects that are signaled"),
                        );
                    }
                }
                op => match op.keyed_on() {
                    Some(o) => {
                        waiters.insert((o, seq));
                    }
                    None => {
                        name_parked.insert(seq);
                    }
                },
            }
            if let Some(d) = p.deadline {
                deadlines.insert((d, seq));
            }
        }
        if let Some(seq) = self.io_could_move() {
            bad(
                "missed-wake",
                format!("park queue entry {seq}, a pipe or mailslot call, could complete or move on"),
            );
        }
        for (index, held, expected) in [
            (
                "waiters",
                waiters == self.waiters,
                "each object of each parked wait and the object of each parked pipe or mailslot call",
            ),
            (
                "pipe name",
                name_parked == self.name_parked,
                "each parked call waiting for a pipe name",
            ),
            ("timeout", deadlines == self.deadlines, "each parked call's timeout"),
        ] {
            if !held {
                bad(
                    "parked-set",
                    format!("the {index} index does not hold exactly {expected}"),
                );
            }
        }

        // Namespaces.
        for (name, &id) in &self.named {
            match self.objects.get(id) {
                Some(o) if o.name.as_deref() == Some(name.as_str()) => {}
                _ => bad("namespace", format!("name {name:?} maps to a dead or renamed object")),
            }
        }
        for (key, pipe) in &self.pipes {
            if pipe.instances.is_empty() {
                bad(
                    "namespace",
                    format!("pipe {} has no instance but keeps its name", pipe.display_name),
                );
            }
            for &i in &pipe.instances {
                match self.objects.get(i).map(|o| &o.body) {
                    Some(Body::Pipe(end)) if end.server && end.key.as_deref() == Some(key.as_str()) => {}
                    _ => bad(
                        "namespace",
                        format!(
                            "pipe {} lists an instance that is not its server end",
                            pipe.display_name
                        ),
                    ),
                }
            }
        }
        for (key, &id) in &self.mailslots {
            if !matches!(self.objects.get(id).map(|o| &o.body), Some(Body::Mailslot(m)) if &m.key == key) {
                bad("namespace", format!("mailslot {key} maps to a dead object"));
            }
        }

        // Pipes.
        for (id, obj) in &self.objects {
            let Body::Pipe(end) = &obj.body else { continue };
            let what = Shown("pipe end", obj.address);
            let sum: usize = end.inbound.iter().map(Message::unread).sum();
            if sum != end.inbound_bytes {
                bad(
                    "pipe-bytes",
                    format!("{what} counts {} queued bytes, queue holds {sum}", end.inbound_bytes),
                );
            }
            if end.inbound.iter().any(|m| m.read_pos > m.data.len()) {
                bad("pipe-bytes", format!("{what} has a message read past its end"));
            }
            match end.peer {
                Some(peer) => match self.objects.get(peer).map(|o| &o.body) {
                    Some(Body::Pipe(p)) if p.peer == Some(id) && p.server != end.server => {}
                    _ => bad("pipe-peer", format!("{what}'s peer does not point back")),
                },
                None if end.state == PipeState::Connected => {
                    bad("pipe-peer", format!("{what} is connected without a peer"))
                }
                None => {}
            }
            if end.peer.is_some() && end.state != PipeState::Connected {
                bad("pipe-peer", format!("{what} has a peer in state {:?}", end.state));
            }
            if !end.server && end.state == PipeState::Listening {
                bad("pipe-state", format!("{what} is a listening client"));
            }
            if end.server && !end.config.anonymous {
                let listed = end
                    .key
                    .as_ref()
                    .and_then(|k| self.pipes.get(k))
                    .is_some_and(|p| p.instances.contains(&id));
                if !listed {
                    bad(
                        "namespace",
                        format!("{what} is a server end missing from its pipe's instances"),
                    );
                }
            }
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(v)
        }
    }

    /// The rules of one process or thread object: its id maps to it, an exited process has
    /// no rows and no threads, a running one has live threads that name it, a thread's parked
    /// call is in the park queue and not overdue. Shared by the full and the incremental check.
    fn actor_rules(&self, id: ObjectId, obj: &Object, bad: &mut impl FnMut(&str, String)) {
        match &obj.body {
            Body::Process(p) => {
                if self.cids.get(&p.pid.0) != Some(&id) {
                    bad(
                        "pid-table",
                        format!("process {} is alive but its pid is not mapped to it", p.pid),
                    );
                }
                if p.exit_code.is_some() && (!p.handles.is_empty() || !p.threads.is_empty()) {
                    bad(
                        "exited-process",
                        format!(
                            "exited pid {} still has {} rows, {} threads",
                            p.pid,
                            p.handles.len(),
                            p.threads.len()
                        ),
                    );
                }
                if p.exit_code.is_none() && p.threads.is_empty() {
                    bad(
                        "threadless-process",
                        format!("running pid {} has no live thread", p.pid),
                    );
                }
                for &t in &p.threads {
                    match self.objects.get(t).map(|o| &o.body) {
                        Some(Body::Thread(th)) if th.process == id && th.exit_code.is_none() => {}
                        _ => bad(
                            "thread-list",
                            format!("pid {} lists a thread that is not its live thread", p.pid),
                        ),
                    }
                }
            }
            Body::Thread(t) => {
                if self.cids.get(&t.tid.0) != Some(&id) {
                    bad(
                        "pid-table",
                        format!("thread {} is alive but its tid is not mapped to it", t.tid),
                    );
                }
                if t.exit_code.is_none() {
                    let listed = matches!(self.objects.get(t.process).map(|o| &o.body), Some(Body::Process(p)) if p.threads.contains(&id));
                    if !listed {
                        bad(
                            "thread-owner",
                            format!("running thread {} is not listed by its process", t.tid),
                        );
                    }
                }
                if t.exit_code.is_some() && t.parked.is_some() {
                    bad("exited-parked", format!("exited thread {} is still parked", t.tid));
                }
                if t.exit_code.is_some() && !t.owned_mutexes.is_empty() {
                    bad("exited-owner", format!("exited thread {} still owns a mutex", t.tid));
                }
                for &m in &t.owned_mutexes {
                    if !matches!(self.objects.get(m).map(|o| &o.body), Some(Body::Mutex(mx)) if mx.owner == Some(id)) {
                        bad("mutex-owner", format!("thread {} lists a mutex it does not own", t.tid));
                    }
                }
                if let Some(p) = &t.parked {
                    if self.parked.get(&p.park_seq) != Some(&id) {
                        bad(
                            "parked-set",
                            format!("thread {} is parked but not in the park queue", t.tid),
                        );
                    }
                    if p.deadline.is_some_and(|d| d <= self.time_ms) {
                        bad(
                            "overdue-timeout",
                            format!(
                                "thread {} should have timed out at {} ms",
                                t.tid,
                                p.deadline.unwrap_or(0)
                            ),
                        );
                    }
                }
            }
            Body::Mutex(m) => {
                let listed = m.owner.is_some_and(|o| {
                    matches!(self.objects.get(o).map(|o| &o.body), Some(Body::Thread(th)) if th.exit_code.is_none() && th.owned_mutexes.contains(&id))
                });
                if m.owner.is_some() != listed || (m.recursion == 0) == m.owner.is_some() {
                    bad(
                        "mutex-owner",
                        format!(
                            "{} has owner {:?} and recursion {}, not a live thread that lists it",
                            Shown("mutex", obj.address),
                            m.owner.is_some(),
                            m.recursion
                        ),
                    );
                }
            }
            Body::Semaphore(sem) if sem.count > sem.maximum || sem.maximum == 0 || sem.maximum > i32::MAX as u32 => {
                bad(
                    "semaphore-count",
                    format!(
                        "{} counts {} of at most {}",
                        Shown("semaphore", obj.address),
                        sem.count,
                        sem.maximum
                    ),
                );
            }
            _ => {}
        }
    }
}

/// Checks after each step only what the step touched, so its cost follows the work: every
/// row a call added, removed or rewrote, and every object whose counts changed. It keeps its
/// own shadow of every table's rows, derived from the tables themselves, and compares the
/// kernel's maintained counts (handle count, usage count = rows + running reference) with it,
/// and applies every process and thread rule of the full check to the touched ones. [`Kernel::check_invariants`] stays the full recomputation of every rule (names,
/// pipes, parking too): for tests, `kernsim check --paranoid`, and the end of every run.
///
/// ```
/// use kernsim_kernel::{Call, IncrementalCheck, Kernel};
/// let mut k = Kernel::new();
/// let (_, tid) = k.spawn("a.exe", "", vec![]);
/// let mut check = IncrementalCheck::new(&mut k);
/// k.call(tid, &Call::CreateEvent { event_attributes: None, manual_reset: true, initial_state: false, name: None }).unwrap();
/// check.check(&mut k).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct IncrementalCheck {
    rows: HashMap<(ObjectId, u32), ObjectId>,
    counts: HashMap<ObjectId, u32>,
}

impl IncrementalCheck {
    /// Starts checking `kernel` incrementally: turns on its record of touched rows and objects
    /// and takes the shadow of its tables (one full pass).
    pub fn new(kernel: &mut Kernel) -> IncrementalCheck {
        kernel.tracking = true;
        kernel.touched_rows.clear();
        kernel.touched_objects.clear();
        let mut check = IncrementalCheck::default();
        for (pid_obj, obj) in &kernel.objects {
            if let Body::Process(p) = &obj.body {
                for (value, entry) in p.handles.iter() {
                    let slot = value.slot().expect("a stored value") as u32;
                    check.rows.insert((pid_obj, slot), entry.object);
                    *check.counts.entry(entry.object).or_default() += 1;
                }
            }
        }
        check
    }

    /// Checks what was touched since the last check (or since [`IncrementalCheck::new`]).
    pub fn check(&mut self, kernel: &mut Kernel) -> Result<(), Vec<Violation>> {
        let mut v = Vec::new();
        let mut bad = |rule: &str, detail: String| {
            v.push(Violation {
                rule: rule.to_string(),
                detail,
            })
        };
        let rows = std::mem::take(&mut kernel.touched_rows);
        let mut objects = std::mem::take(&mut kernel.touched_objects);
        for (process, value) in rows {
            let Some(slot) = value.slot() else {
                bad("row-value", format!("a row was recorded at value {value}"));
                continue;
            };
            let actual = kernel.objects.get(process).and_then(|o| match &o.body {
                Body::Process(p) => p.handles.get(value).map(|e| e.object),
                _ => None,
            });
            let key = (process, slot as u32);
            let old = match actual {
                Some(a) => self.rows.insert(key, a),
                None => self.rows.remove(&key),
            };
            if old == actual {
                continue;
            }
            if let Some(o) = old {
                let n = self.counts.entry(o).or_default();
                *n = n.saturating_sub(1);
                objects.push(o);
            }
            if let Some(a) = actual {
                *self.counts.entry(a).or_default() += 1;
                objects.push(a);
                if !kernel.objects.contains_key(a) {
                    bad("dangling-row", format!("row {value} points to a destroyed object"));
                }
            }
        }
        objects.sort_unstable();
        objects.dedup();
        for id in objects {
            let rows = self.counts.get(&id).copied().unwrap_or(0);
            let Some(obj) = kernel.objects.get(id) else {
                if rows != 0 {
                    bad("dangling-row", format!("{rows} rows point to a destroyed object"));
                }
                self.counts.remove(&id);
                continue;
            };
            count_rules(obj, rows, &mut bad);
            kernel.actor_rules(id, obj, &mut bad);
        }
        if v.is_empty() {
            Ok(())
        } else {
            Err(v)
        }
    }
}

/// The count rules of one object, given the rows that point at it: its handle count is those
/// rows, its usage count those plus its kernel references, and a live object is counted.
fn count_rules(obj: &Object, rows: u32, bad: &mut impl FnMut(&str, String)) {
    let what = Shown(obj.kind().name(), obj.address);
    if obj.handle_count != rows {
        bad(
            "handle-count",
            format!("{what} says {} handles, tables hold {rows}", obj.handle_count),
        );
    }
    let expected = rows + obj.kernel_references();
    if obj.usage_count != expected {
        bad(
            "usage-count",
            format!(
                "{what} says usage {}, expected {rows} rows + {} kernel = {expected}",
                obj.usage_count,
                obj.kernel_references()
            ),
        );
    }
    if obj.usage_count == 0 {
        bad("zero-count-alive", format!("{what} is alive with usage count 0"));
    }
}

/// An object named in a violation (`event 0x1100`), formatted only when one is reported.
#[derive(Clone, Copy)]
struct Shown(&'static str, crate::ids::Address);

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}
