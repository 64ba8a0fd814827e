//! The reference model's mailslots, from spec §7 (not from the kernel's code): a server end
//! that only reads, client ends that only write, one whole message per read, a size limit on
//! writes, `ERROR_INSUFFICIENT_BUFFER` that keeps the message, reads that fail at once with
//! 121 when empty (the model creates mailslots with a read timeout of 0), and the name freed
//! with the last server handle.

use super::{Expected, RefModel, Row};
use kernsim_kernel::consts::*;
use kernsim_kernel::*;
use std::collections::VecDeque;

/// A mailslot: its upper-cased name, its size limit (0: any size) and its messages.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    key: String,
    max: u32,
    messages: VecDeque<Vec<u8>>,
}

/// The upper-cased name of `\\.\mailslot\NAME` (spec §7: case-insensitive), or 123.
fn slot_key(name: &str) -> Result<String, Win32Error> {
    let upper = name.to_ascii_uppercase();
    match upper.strip_prefix("\\\\.\\MAILSLOT\\") {
        Some(rest) if !rest.is_empty() && !rest.ends_with('\\') => Ok(rest.to_string()),
        _ => Err(Win32Error::InvalidName),
    }
}

impl RefModel {
    /// `CreateMailslot(name, max, 0, sa)` (spec §7): 123 for a bad name, 183 for one in use;
    /// the server row may read and set attributes [the model's choice, as ARCHITECTURE.md].
    pub(super) fn create_mailslot(&mut self, pid: u32, name: &str, max: u32, inherit: bool) -> Expected {
        let fail = |e| Expected::Result(Ret::Handle(HandleValue::INVALID), Some(e));
        let key = match slot_key(name) {
            Ok(k) => k,
            Err(e) => return fail(e),
        };
        if self.slots.values().any(|s| s.key == key) {
            return fail(Win32Error::AlreadyExists);
        }
        let a = self.new_object(ObjectKind::Mailslot, None);
        self.slots.insert(
            a,
            Slot {
                key,
                max,
                messages: VecDeque::new(),
            },
        );
        let v = self.insert(
            pid,
            Row {
                object: a,
                access: FILE_GENERIC_READ | FILE_WRITE_ATTRIBUTES,
                inherit,
                protect: false,
                origin: super::created(CallName::CreateMailslot),
            },
        );
        Expected::Result(Ret::Handle(HandleValue(v)), None)
    }

    /// A client `CreateFile(name, access, ..., OPEN_EXISTING)` (spec §7): 2 without the
    /// mailslot; a new client object bound to it.
    pub(super) fn open_mailslot_client(&mut self, pid: u32, a: &CreateFileArgs) -> Expected {
        let fail = |e| Expected::Result(Ret::Handle(HandleValue::INVALID), Some(e));
        let Ok(key) = slot_key(&a.file_name) else {
            return fail(Win32Error::InvalidName);
        };
        let Some(slot) = self.slots.iter().find(|(_, s)| s.key == key).map(|(&k, _)| k) else {
            return fail(Win32Error::FileNotFound);
        };
        let c = self.new_object(ObjectKind::MailslotClient, None);
        self.slot_clients.insert(c, slot);
        let v = self.insert(
            pid,
            Row {
                object: c,
                access: super::map_generic(ObjectKind::MailslotClient, a.desired_access)
                    | SYNCHRONIZE
                    | FILE_READ_ATTRIBUTES,
                inherit: a.security_attributes.is_some_and(|s| s.inherit_handle),
                protect: false,
                origin: Origin::Opened {
                    call: CallName::CreateFile,
                },
            },
        );
        Expected::Result(Ret::Handle(HandleValue(v)), Some(Win32Error::Success))
    }

    /// Whether `h` in `pid` names a mailslot end (so reads and writes take its rules).
    pub(super) fn is_mailslot(&self, pid: u32, h: HandleValue) -> bool {
        self.resolve(pid, h)
            .is_some_and(|(o, _, _)| matches!(self.objects[&o].kind, ObjectKind::Mailslot | ObjectKind::MailslotClient))
    }

    /// `ReadFile` on a mailslot end (spec §7): the server reads one whole message, 122 (the
    /// message stays) when it does not fit, 121 when there is none; a client may not read
    /// (5 without the read right, else 87).
    pub(super) fn mailslot_read(&mut self, pid: u32, h: HandleValue, size: u32) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (object, access, _) = self.resolve(pid, h).expect("is_mailslot resolved it");
        if access & FILE_READ_DATA == 0 {
            return fail(Win32Error::AccessDenied);
        }
        let Some(slot) = self.slots.get_mut(&object) else {
            return fail(Win32Error::InvalidParameter);
        };
        match slot.messages.front() {
            None => fail(Win32Error::SemTimeout),
            Some(m) if m.len() > size as usize => fail(Win32Error::InsufficientBuffer),
            Some(_) => {
                let m = slot.messages.pop_front().expect("a message");
                self.outputs.bytes_read = Some(m.len() as u32);
                self.outputs.data = Some(Data(m));
                Expected::Result(Ret::Bool(true), None)
            }
        }
    }

    /// `WriteFile` on a mailslot end (spec §7): a client's write is one message; above the
    /// size limit 87, after the mailslot is gone 232 (both with 0 bytes written) [the
    /// model's choices, as ARCHITECTURE.md]; the server end may not write (5), even through a
    /// duplicate with write rights.
    pub(super) fn mailslot_write(&mut self, pid: u32, h: HandleValue, data: &[u8]) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (object, access, _) = self.resolve(pid, h).expect("is_mailslot resolved it");
        // The server end only reads, whatever rights its handle has (spec §7: 5).
        if access & (FILE_WRITE_DATA | FILE_APPEND_DATA) == 0 || self.slots.contains_key(&object) {
            return fail(Win32Error::AccessDenied);
        }
        let slot = self.slot_clients.get(&object).and_then(|s| self.slots.get_mut(s));
        let Some(slot) = slot else {
            self.outputs.bytes_written = Some(0);
            return fail(Win32Error::NoData);
        };
        if slot.max != 0 && data.len() > slot.max as usize {
            self.outputs.bytes_written = Some(0);
            return fail(Win32Error::InvalidParameter);
        }
        slot.messages.push_back(data.to_vec());
        self.outputs.bytes_written = Some(data.len() as u32);
        Expected::Result(Ret::Bool(true), None)
    }

    /// `GetMailslotInfo` on the server handle (spec §7): the limit, the next message's size
    /// (`MAILSLOT_NO_MESSAGE` when empty), the count and the read timeout (0 here). A handle
    /// that is no file object is 6; another file object's driver does not take the request
    /// (NT's `STATUS_INVALID_DEVICE_REQUEST`, 1).
    pub(super) fn mailslot_info(&mut self, pid: u32, h: HandleValue) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let Some((object, _, _)) = self.resolve(pid, h) else {
            return fail(Win32Error::InvalidHandle);
        };
        let file_object = matches!(
            self.objects[&object].kind,
            ObjectKind::Pipe | ObjectKind::File | ObjectKind::Mailslot | ObjectKind::MailslotClient
        );
        let Some(slot) = self.slots.get(&object) else {
            return fail(if file_object {
                Win32Error::InvalidFunction
            } else {
                Win32Error::InvalidHandle
            });
        };
        self.outputs.max_message_size = Some(slot.max);
        self.outputs.next_size = Some(slot.messages.front().map_or(MAILSLOT_NO_MESSAGE, |m| m.len() as u32));
        self.outputs.message_count = Some(slot.messages.len() as u32);
        self.outputs.read_timeout = Some(0);
        Expected::Result(Ret::Bool(true), None)
    }

    /// One of `pid`'s rows (the `pick`-th, modulo) naming a mailslot with messages queued:
    /// drivers read there now and then, so reads find messages (and sizes that do not fit).
    pub fn readable_slot(&self, pid: u32, pick: usize) -> Option<HandleValue> {
        let rows: Vec<u32> = self.tables[&pid]
            .iter()
            .filter(|(_, r)| self.slots.get(&r.object).is_some_and(|s| !s.messages.is_empty()))
            .map(|(&v, _)| v)
            .collect();
        (!rows.is_empty()).then(|| HandleValue(rows[pick % rows.len()]))
    }

    /// One of `pid`'s rows (the `pick`-th, modulo) naming a mailslot client end.
    pub fn slot_client(&self, pid: u32, pick: usize) -> Option<HandleValue> {
        let rows: Vec<u32> = self.tables[&pid]
            .iter()
            .filter(|(_, r)| self.slot_clients.contains_key(&r.object))
            .map(|(&v, _)| v)
            .collect();
        (!rows.is_empty()).then(|| HandleValue(rows[pick % rows.len()]))
    }

    /// An object went away: a mailslot takes its name and messages with it; a client forgets
    /// it.
    pub(super) fn slot_gone(&mut self, a: u32) {
        self.slots.remove(&a);
        self.slot_clients.remove(&a);
    }
}
