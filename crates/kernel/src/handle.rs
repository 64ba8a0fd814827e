//! Handle values and the per-process handle table (spec §1).
//!
//! A handle is an index into the caller's own table, scaled by 4: slot *i* has value
//! `(i + 1) * 4`, so 0 is never issued. A new handle takes the lowest free slot (Wine's rule; a
//! modelling choice, not a Windows guarantee). Lookups ignore the low two bits.

use crate::call::CallName;
use crate::ids::Pid;
use crate::object::ObjectId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;

/// A handle value as a process sees it. Pseudo handles are values too: `-1` is the current
/// process (the same bits as `INVALID_HANDLE_VALUE`), `-2` the current thread.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HandleValue(pub u32);

impl HandleValue {
    /// `NULL`: never a valid handle.
    pub const NULL: HandleValue = HandleValue(0);
    /// `GetCurrentProcess()`: -1. Same bits as [`HandleValue::INVALID`].
    pub const CURRENT_PROCESS: HandleValue = HandleValue(0xFFFF_FFFF);
    /// `GetCurrentThread()`: -2.
    pub const CURRENT_THREAD: HandleValue = HandleValue(0xFFFF_FFFE);
    /// `INVALID_HANDLE_VALUE`: what `CreateFile` and friends return on failure.
    pub const INVALID: HandleValue = HandleValue(0xFFFF_FFFF);

    /// The value as a signed number (`-1` for the current-process pseudo handle).
    pub fn as_i32(self) -> i32 {
        self.0 as i32
    }

    /// True for the values -1 ... -6 that Windows treats as pseudo handles (spec §1.4).
    pub fn is_pseudo(self) -> bool {
        (-6..=-1).contains(&self.as_i32())
    }

    /// True for the std-handle constants `STD_INPUT/OUTPUT/ERROR_HANDLE` (-10, -11, -12).
    pub fn is_std_constant(self) -> bool {
        (-12..=-10).contains(&self.as_i32())
    }

    /// The value with its low two tag bits cleared: the row it names (Windows ignores the tag
    /// bits on lookup, spec §1.2).
    pub const fn canonical(self) -> HandleValue {
        HandleValue(self.0 & !3)
    }

    /// The table slot this value names (low two bits ignored), or `None` for 0 and values that
    /// cannot be slots (pseudo and negative values).
    pub fn slot(self) -> Option<usize> {
        let masked = self.canonical().0;
        if masked == 0 || self.0 >= 0x8000_0000 {
            return None;
        }
        Some((masked / 4 - 1) as usize)
    }

    /// The value of slot `slot`.
    pub fn from_slot(slot: usize) -> HandleValue {
        HandleValue(((slot as u32) + 1) * 4)
    }
}

impl fmt::Debug for HandleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for HandleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 0x8000_0000 {
            write!(f, "{}", self.as_i32())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Serialize for HandleValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 >= 0x8000_0000 {
            serializer.serialize_i64(i64::from(self.as_i32()))
        } else {
            serializer.serialize_u32(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for HandleValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = i64::deserialize(deserializer)?;
        if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&raw) {
            Ok(HandleValue(raw as u32))
        } else {
            Err(serde::de::Error::custom(format!(
                "handle value {raw} does not fit in 32 bits"
            )))
        }
    }
}

/// A row's flags: `HANDLE_FLAG_INHERIT` and `HANDLE_FLAG_PROTECT_FROM_CLOSE`, the bits that
/// `GetHandleInformation` reports and `SetHandleInformation` changes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct HandleFlags(u8);

impl HandleFlags {
    /// No flags.
    pub const NONE: HandleFlags = HandleFlags(0);
    /// `HANDLE_FLAG_INHERIT` (1): copied into children created with `bInheritHandles`.
    pub const INHERIT: HandleFlags = HandleFlags(1);
    /// `HANDLE_FLAG_PROTECT_FROM_CLOSE` (2): `CloseHandle` refuses the row.
    pub const PROTECT_FROM_CLOSE: HandleFlags = HandleFlags(2);

    /// [`HandleFlags::INHERIT`] when `inherit`, else none.
    pub const fn inherit_if(inherit: bool) -> HandleFlags {
        HandleFlags(inherit as u8)
    }

    /// The flags of a `DWORD` as Win32 passes them; unknown bits are dropped.
    pub const fn from_bits(bits: u32) -> HandleFlags {
        HandleFlags((bits & 3) as u8)
    }

    /// As the `DWORD` `GetHandleInformation` reports.
    pub const fn bits(self) -> u32 {
        self.0 as u32
    }

    /// True when every flag of `other` is set.
    pub const fn contains(self, other: HandleFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// `SetHandleInformation(mask, flags)`: the masked flags take their new values.
    pub const fn with(self, mask: HandleFlags, flags: HandleFlags) -> HandleFlags {
        HandleFlags((self.0 & !mask.0) | (flags.0 & mask.0))
    }
}

/// How a handle row came to be: the first half of its [`Provenance`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "how", rename_all = "snake_case")]
pub enum Origin {
    /// `call` created the object, and this row with it (`CreatePipe`'s two ends,
    /// `CreateProcess`'s process and thread handles, a `CreateFile` that made a file).
    Created {
        /// The call.
        call: CallName,
    },
    /// `call` opened an object that existed: by name, by id, or the client end of a named
    /// pipe or mailslot.
    Opened {
        /// The call.
        call: CallName,
    },
    /// `CreateProcess` copied the row of the same value from the parent's table (its
    /// inherit flag was set and `bInheritHandles` was TRUE).
    Inherited {
        /// The parent.
        parent: Pid,
    },
    /// `DuplicateHandle` copied the row `source_handle` of process `source`.
    Duplicated {
        /// The source process.
        source: Pid,
        /// The source row's value.
        source_handle: HandleValue,
        /// `DUPLICATE_CLOSE_SOURCE` closed the source row in the same call.
        closed_source: bool,
    },
}

/// How and when a row came to be: its origin and the call that made it (`Kernel::call`'s
/// sequence number; the scenario layer maps it to a step).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Provenance {
    /// How.
    #[serde(flatten)]
    pub origin: Origin,
    /// The call's sequence number (1 for the first call).
    pub call_seq: u64,
}

/// One row of a handle table: which object, with which rights and flags, and where it came
/// from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct HandleEntry {
    /// The object the row refers to.
    pub object: ObjectId,
    /// The granted access mask.
    pub access: u32,
    /// `HANDLE_FLAG_INHERIT` and `HANDLE_FLAG_PROTECT_FROM_CLOSE`.
    pub flags: HandleFlags,
    /// How and when it was made.
    pub provenance: Provenance,
}

impl HandleEntry {
    /// True when the row is copied into children created with `bInheritHandles = TRUE`.
    pub fn inherit(&self) -> bool {
        self.flags.contains(HandleFlags::INHERIT)
    }

    /// True when `CloseHandle` refuses to close the row.
    pub fn protect_from_close(&self) -> bool {
        self.flags.contains(HandleFlags::PROTECT_FROM_CLOSE)
    }
}

/// A used slot: the row, and the sequence number of the last call that used it (0: none
/// since it was made), stamped through `&self` by lookups.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Slot {
    entry: HandleEntry,
    used: Cell<u64>,
}

/// Most rows a table may hold: Wine's and Windows' cap of about 16.7 million (spec §1.3).
pub const MAX_HANDLES_PER_PROCESS: usize = 0x00FF_FFFF;

/// A process's handle table. Rows are `Option<Slot>` in a `Vec` (48 bytes a row: the entry,
/// its provenance and its last-use stamp);
/// `holes` lists the free slots below the end, so the lowest free slot is found in
/// O(log holes) even after low slots are freed and refilled. `inheritable` indexes the rows
/// whose inherit flag is set, so `CreateProcess` visits only those, whatever the table's size.
#[derive(Clone, Debug, Default)]
pub struct HandleTable {
    slots: Vec<Option<Slot>>,
    holes: BTreeSet<u32>,
    len: usize,
    inheritable: BTreeSet<u32>,
}

impl HandleTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of rows in use.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no row is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row for `value`, ignoring its low two bits.
    pub fn get(&self, value: HandleValue) -> Option<&HandleEntry> {
        self.slots.get(value.slot()?)?.as_ref().map(|s| &s.entry)
    }

    /// The row for `value`, stamped as used by call `call_seq` (a lookup on a call's behalf).
    pub fn use_row(&self, value: HandleValue, call_seq: u64) -> Option<&HandleEntry> {
        let slot = self.slots.get(value.slot()?)?.as_ref()?;
        slot.used.set(call_seq);
        Some(&slot.entry)
    }

    /// The last call that used the row for `value` (`None`: none since it was made, or no
    /// such row).
    pub fn last_used(&self, value: HandleValue) -> Option<u64> {
        let slot = self.slots.get(value.slot()?)?.as_ref()?;
        Some(slot.used.get()).filter(|&u| u != 0)
    }

    /// Changes the row for `value` in place (keeping the inheritable index right); false when
    /// there is no such row. The row must keep pointing at an object.
    pub fn update(&mut self, value: HandleValue, f: impl FnOnce(&mut HandleEntry)) -> bool {
        let Some(slot) = value.slot() else { return false };
        let Some(Some(Slot { entry, .. })) = self.slots.get_mut(slot) else {
            return false;
        };
        f(entry);
        if entry.inherit() {
            self.inheritable.insert(slot as u32);
        } else {
            self.inheritable.remove(&(slot as u32));
        }
        true
    }

    /// The rows whose inherit flag is set, in ascending value order.
    pub fn inheritable(&self) -> impl Iterator<Item = (HandleValue, &HandleEntry)> + '_ {
        self.inheritable.iter().map(|&slot| {
            let entry = &self.slots[slot as usize].as_ref().expect("indexed rows exist").entry;
            (HandleValue::from_slot(slot as usize), entry)
        })
    }

    /// The value the next [`HandleTable::insert`] would return, or `None` when full.
    pub fn next_free(&self) -> Option<HandleValue> {
        let slot = self.holes.first().map_or(self.slots.len(), |&h| h as usize);
        (slot < MAX_HANDLES_PER_PROCESS).then(|| HandleValue::from_slot(slot))
    }

    /// Stores `entry` in the lowest free slot; `None` when the table is full. Inlined: with
    /// no hole the lowest free slot is the next one, found without the hole set.
    #[inline]
    pub fn insert(&mut self, entry: HandleEntry) -> Option<HandleValue> {
        if self.holes.is_empty() && self.slots.len() < MAX_HANDLES_PER_PROCESS {
            let value = HandleValue::from_slot(self.slots.len());
            self.insert_at(value, entry);
            return Some(value);
        }
        let value = self.next_free()?;
        self.insert_at(value, entry);
        Some(value)
    }

    /// Stores `entry` at `value`'s slot, which must be free (inheritance keeps values).
    /// Inlined for the common case, a row that is not inheritable and grows the table by its
    /// next slot (no hole made or filled, no index touched); the rest is out of line.
    #[inline]
    pub fn insert_at(&mut self, value: HandleValue, entry: HandleEntry) {
        match value.slot() {
            Some(slot) if slot == self.slots.len() && !entry.inherit() => {
                self.slots.push(Some(Slot {
                    entry,
                    used: Cell::new(0),
                }));
                self.len += 1;
            }
            _ => self.insert_slow(value, entry),
        }
    }

    #[inline(never)]
    fn insert_slow(&mut self, value: HandleValue, entry: HandleEntry) {
        let slot = value.slot().expect("insert_at needs a slot value");
        let row = Some(Slot {
            entry,
            used: Cell::new(0),
        });
        if slot == self.slots.len() {
            self.slots.push(row);
        } else if slot > self.slots.len() {
            // The slots skipped on the way are holes (inherited rows keep their values).
            self.holes.extend(self.slots.len() as u32..slot as u32);
            self.slots.resize(slot, None);
            self.slots.push(row);
        } else {
            assert!(self.slots[slot].is_none(), "slot {slot} is already in use");
            self.holes.remove(&(slot as u32));
            self.slots[slot] = row;
        }
        self.len += 1;
        if entry.inherit() {
            self.inheritable.insert(slot as u32);
        }
    }

    /// Flips `flags` on the row for `value` without updating the inheritable index (feature
    /// `test-hooks`: a corruption for the invariant checker's tests).
    #[cfg(feature = "test-hooks")]
    pub(crate) fn tamper_flags(&mut self, value: HandleValue, flags: HandleFlags) -> bool {
        let Some(Some(slot)) = value.slot().and_then(|s| self.slots.get_mut(s)) else {
            return false;
        };
        slot.entry.flags = HandleFlags(slot.entry.flags.0 ^ flags.0);
        true
    }

    /// Adds `delta` to the row count without any row changing (feature `test-hooks`).
    #[cfg(feature = "test-hooks")]
    pub(crate) fn tamper_len(&mut self, delta: usize) -> bool {
        self.len += delta;
        true
    }

    /// Removes and returns the row for `value`.
    /// Inlined for the common case, the newest row and not inheritable (the table shrinks by
    /// one, no hole or index touched); the rest is out of line.
    #[inline]
    pub fn remove(&mut self, value: HandleValue) -> Option<HandleEntry> {
        let slot = value.slot()?;
        if slot + 1 == self.slots.len() {
            // No hole just below: the table shrinks by this one slot only.
            let hole_below = slot > 0 && self.slots[slot - 1].is_none();
            if let Some(Some(last)) = self.slots.last() {
                if !last.entry.inherit() && !hole_below {
                    let entry = last.entry;
                    self.slots.pop();
                    self.len -= 1;
                    return Some(entry);
                }
            }
        }
        self.remove_slow(slot)
    }

    #[inline(never)]
    fn remove_slow(&mut self, slot: usize) -> Option<HandleEntry> {
        let entry = self.slots.get_mut(slot)?.take()?.entry;
        self.len -= 1;
        if entry.inherit() {
            self.inheritable.remove(&(slot as u32));
        }
        if slot + 1 < self.slots.len() {
            self.holes.insert(slot as u32);
        } else {
            // The last slot: the table shrinks past it and past the holes below it, so the
            // common create-and-close of the newest row never touches the hole set.
            self.slots.pop();
            while matches!(self.slots.last(), Some(None)) {
                self.slots.pop();
                self.holes.remove(&(self.slots.len() as u32));
            }
        }
        Some(entry)
    }

    /// Every row, in ascending value order.
    pub fn iter(&self) -> impl Iterator<Item = (HandleValue, &HandleEntry)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (HandleValue::from_slot(i), &e.entry)))
    }

    /// Empties the table, returning every row in ascending value order.
    pub fn drain(&mut self) -> Vec<(HandleValue, HandleEntry)> {
        let rows = self.iter().map(|(v, e)| (v, *e)).collect();
        *self = HandleTable::default();
        rows
    }

    /// Bytes of row storage (capacity included), for the memory benchmark. The inheritable
    /// index is not counted (see the memory example for its measured cost).
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<Slot>>()
    }

    /// True when the inheritable index lists exactly the rows whose inherit flag is set, and
    /// the holes are exactly the free slots below the end.
    pub fn inheritable_index_is_consistent(&self) -> bool {
        let flagged: BTreeSet<u32> = self
            .iter()
            .filter(|(_, e)| e.inherit())
            .map(|(v, _)| v.slot().expect("a slot value") as u32)
            .collect();
        let free: BTreeSet<u32> = (0..self.slots.len())
            .filter(|&i| self.slots[i].is_none())
            .map(|i| i as u32)
            .collect();
        flagged == self.inheritable && free == self.holes && self.slots.last() != Some(&None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slotmap::SlotMap;

    fn entry(objects: &mut SlotMap<ObjectId, ()>) -> HandleEntry {
        HandleEntry {
            object: objects.insert(()),
            access: 0,
            flags: HandleFlags::from_bits(0),
            provenance: Provenance {
                origin: Origin::Created {
                    call: CallName::CreateEvent,
                },
                call_seq: 1,
            },
        }
    }

    #[test]
    fn a_handle_prints_as_a_win32_program_prints_it_shown_or_debugged() {
        // `printf("%d", (int)(INT_PTR)h)`: rows as small positive numbers, the pseudo handles
        // as -1 and -2 (spec §1.1); `{:?}` (assert messages, error texts) reads the same.
        for (value, printed) in [
            (HandleValue(4), "4"),
            (HandleValue(0x44), "68"),
            (HandleValue::CURRENT_PROCESS, "-1"),
            (HandleValue::CURRENT_THREAD, "-2"),
        ] {
            assert_eq!(value.to_string(), printed);
            assert_eq!(format!("{value:?}"), printed);
        }
    }

    #[test]
    fn values_are_multiples_of_four_lowest_free_first() {
        // spec §1.1 (values 4, 8, 12 ...) and §1.2 (lowest free, the modelling choice).
        let mut ids = SlotMap::with_key();
        let mut table = HandleTable::new();
        let a = table.insert(entry(&mut ids)).unwrap();
        let b = table.insert(entry(&mut ids)).unwrap();
        let c = table.insert(entry(&mut ids)).unwrap();
        assert_eq!((a.0, b.0, c.0), (4, 8, 12));
        table.remove(a);
        table.remove(c);
        assert_eq!(table.insert(entry(&mut ids)).unwrap().0, 4);
        assert_eq!(table.insert(entry(&mut ids)).unwrap().0, 12);
        assert_eq!(table.insert(entry(&mut ids)).unwrap().0, 16);
        assert_eq!(table.len(), 4);
    }

    #[test]
    fn low_two_bits_are_ignored_and_zero_is_never_valid() {
        // spec §1.1: lookups drop the tag bits; 0 is never a handle.
        let mut ids = SlotMap::with_key();
        let mut table = HandleTable::new();
        let e = entry(&mut ids);
        let v = table.insert(e).unwrap();
        for tag in 0..4 {
            assert_eq!(table.get(HandleValue(v.0 | tag)), Some(&e));
        }
        assert_eq!(table.get(HandleValue(0)), None);
        assert_eq!(table.get(HandleValue(3)), None);
        assert_eq!(table.get(HandleValue::CURRENT_PROCESS), None);
    }

    #[test]
    fn pseudo_and_std_values_are_classified() {
        assert!(HandleValue::CURRENT_PROCESS.is_pseudo());
        assert!(HandleValue::CURRENT_THREAD.is_pseudo());
        assert!(HandleValue((-6i32) as u32).is_pseudo());
        assert!(!HandleValue((-7i32) as u32).is_pseudo());
        assert!(HandleValue((-11i32) as u32).is_std_constant());
        // STD_INPUT_HANDLE (-10) to STD_ERROR_HANDLE (-12) only: not a row, a pseudo handle
        // or the values beside them.
        for v in [-10i32, -12] {
            assert!(HandleValue(v as u32).is_std_constant(), "{v}");
        }
        for v in [4i32, 0, -1, -2, -9, -13] {
            assert!(!HandleValue(v as u32).is_std_constant(), "{v}");
        }
        assert_eq!(HandleValue::CURRENT_PROCESS.to_string(), "-1");
    }

    #[test]
    fn serde_accepts_negative_values() {
        let v: HandleValue = serde_json::from_str("-1").unwrap();
        assert_eq!(v, HandleValue::CURRENT_PROCESS);
        assert_eq!(serde_json::to_string(&HandleValue(48)).unwrap(), "48");
        assert_eq!(serde_json::to_string(&HandleValue::CURRENT_THREAD).unwrap(), "-2");
    }

    #[test]
    fn the_inheritable_index_follows_inserts_updates_and_removes() {
        let mut ids = SlotMap::with_key();
        let mut table = HandleTable::new();
        let a = table
            .insert(HandleEntry {
                flags: HandleFlags::from_bits(1),
                ..entry(&mut ids)
            })
            .unwrap();
        let b = table.insert(entry(&mut ids)).unwrap();
        let c = table
            .insert(HandleEntry {
                flags: HandleFlags::from_bits(3),
                ..entry(&mut ids)
            })
            .unwrap();
        let listed = |t: &HandleTable| t.inheritable().map(|(v, _)| v.0).collect::<Vec<_>>();
        assert_eq!(listed(&table), vec![a.0, c.0]);
        assert!(table.update(b, |e| e.flags = HandleFlags::from_bits(1)));
        assert!(table.update(a, |e| e.flags = HandleFlags::from_bits(0)));
        assert_eq!(listed(&table), vec![b.0, c.0]);
        table.remove(c);
        assert_eq!(listed(&table), vec![b.0]);
        assert!(!table.update(HandleValue(400), |e| e.flags = HandleFlags::from_bits(1)));
        assert!(table.inheritable_index_is_consistent());
    }

    #[test]
    fn the_lowest_free_slot_wins_after_holes_are_refilled() {
        let mut slots = SlotMap::<ObjectId, ()>::with_key();
        let row = entry(&mut slots);
        let mut t = HandleTable::new();
        let values: Vec<HandleValue> = (0..10).map(|_| t.insert(row).unwrap()).collect();
        assert_eq!(values[9], HandleValue(40));
        for v in [values[7], values[2], values[5]] {
            t.remove(v);
        }
        assert_eq!(t.insert(row), Some(HandleValue(12)));
        assert_eq!(t.insert(row), Some(HandleValue(24)));
        assert_eq!(t.insert(row), Some(HandleValue(32)));
        assert_eq!(t.insert(row), Some(HandleValue(44)), "no hole left: the end");
        // Inheritance keeps values: a row far past the end leaves holes below it.
        t.insert_at(HandleValue(80), row);
        assert_eq!(t.insert(row), Some(HandleValue(48)));
        t.remove(HandleValue(80));
        assert!(t.inheritable_index_is_consistent());
        assert_eq!(t.next_free(), Some(HandleValue(52)));
        assert_eq!(t.len(), 12);
    }

    #[test]
    fn removing_the_newest_row_shrinks_past_holes_and_keeps_the_index() {
        // `insert` and `remove` have an inlined path for the newest plain row; these are the
        // cases it must hand to the general one.
        let mut ids = SlotMap::with_key();
        let plain = entry(&mut ids);
        let inheritable = HandleEntry {
            flags: HandleFlags::from_bits(1),
            ..plain
        };
        let mut t = HandleTable::new();
        let (a, b, c) = (
            t.insert(plain).unwrap(),
            t.insert(plain).unwrap(),
            t.insert(inheritable).unwrap(),
        );
        assert_eq!((a.0, b.0, c.0), (4, 8, 12));
        // The newest row, inheritable: it leaves the index too.
        assert_eq!(t.remove(HandleValue(c.0 | 3)), Some(inheritable), "tag bits ignored");
        assert_eq!(t.inheritable().count(), 0);
        let c = t.insert(plain).unwrap();
        assert_eq!(c.0, 12);
        // A hole just below the newest row: removing it shrinks the table past the hole.
        t.remove(b);
        assert_eq!(t.remove(c), Some(plain));
        assert_eq!((t.len(), t.next_free()), (1, Some(HandleValue(8))));
        assert_eq!(t.insert(inheritable), Some(HandleValue(8)));
        assert_eq!(t.inheritable().map(|(v, _)| v.0).collect::<Vec<_>>(), vec![8]);
        // The only row, then an empty table; a second remove finds nothing.
        t.remove(HandleValue(8));
        assert_eq!(t.remove(a), Some(plain));
        assert_eq!(t.remove(a), None);
        assert!(t.is_empty() && t.inheritable_index_is_consistent());
        assert_eq!(t.insert(plain), Some(HandleValue(4)));
    }

    #[test]
    fn heap_bytes_count_the_row_storage_by_capacity() {
        let mut ids = SlotMap::with_key();
        let mut t = HandleTable::new();
        assert_eq!(t.heap_bytes(), 0);
        for _ in 0..3 {
            t.insert(entry(&mut ids));
        }
        let bytes = t.heap_bytes();
        assert!(bytes >= 3 * 48 && bytes % 48 == 0, "{bytes}");
    }

    #[test]
    fn a_row_is_forty_eight_bytes() {
        // 16 for the object, access and flags; 24 for the provenance (origin and call);
        // 8 for the last-use stamp. A million rows take 48 MB.
        assert_eq!(std::mem::size_of::<Option<HandleEntry>>(), 40);
        assert_eq!(std::mem::size_of::<Option<Slot>>(), 48);
    }
}
