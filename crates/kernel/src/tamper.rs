//! Deliberate corruption of the kernel's state (feature `test-hooks`), so that tests can show
//! `check_invariants` catches what it promises to catch. Never enabled in normal builds.

use crate::handle::HandleValue;
use crate::ids::{Address, Pid};
use crate::kernel::Kernel;
use crate::object::Body;

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
