//! Mailslots (spec §7, the Windows column of §10): one message per read, exact counts,
//! zero-length messages, `ERROR_INSUFFICIENT_BUFFER` that keeps the message, read timeouts
//! (0 fails at once with `ERROR_SEM_TIMEOUT`), and deletion with the last server handle.
//!
//! Choices where the spec marks Windows as unverified (documented in ARCHITECTURE.md):
//! * a write above `nMaxMessageSize` fails with `ERROR_INVALID_PARAMETER`;
//! * a client write after the mailslot was deleted fails with `ERROR_NO_DATA` (232), as a
//!   pipe write whose reader is gone;
//! * several writers and share mode 0 are accepted (Vista and later).

use super::{Cx, Kernel, Res, Step};
use crate::call::{inheritable, SecurityAttributes};
use crate::consts::*;
use crate::error::Win32Error;
use crate::event::{Event, Flow};
use crate::handle::HandleFlags;
use crate::handle::HandleValue;
use crate::object::*;
use crate::result::{OutputField, Ret};

/// The namespace key of `\\.\mailslot\[path\]NAME` (upper-cased), or `ERROR_INVALID_NAME`.
pub(crate) fn mailslot_key(name: &str) -> Result<String, Win32Error> {
    const PREFIX: &str = "\\\\.\\mailslot\\";
    let prefix = name
        .get(..PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(PREFIX))
        .ok_or(Win32Error::InvalidName)?;
    let rest = &name[prefix.len()..];
    if rest.is_empty() || rest.ends_with('\\') {
        return Err(Win32Error::InvalidName);
    }
    Ok(crate::case::upcase(rest))
}

impl Kernel {
    fn mailslot(&self, id: ObjectId) -> Option<&MailslotObj> {
        match &self.objects.get(id)?.body {
            Body::Mailslot(m) => Some(m),
            _ => None,
        }
    }

    /// A mailslot to change: the read parked on it is tried after the call.
    fn mailslot_mut(&mut self, id: ObjectId) -> &mut MailslotObj {
        self.rise(id);
        match &mut self.objects[id].body {
            Body::Mailslot(m) => m,
            other => panic!("object is a {:?}, not a mailslot", other.kind()),
        }
    }

    /// `CreateMailslot`: 123 for a bad name, 183 when the name exists.
    pub(crate) fn create_mailslot(
        &mut self,
        cx: Cx,
        name: &str,
        max_message_size: u32,
        read_timeout: u32,
        attributes: &Option<SecurityAttributes>,
    ) -> Res {
        let invalid = Ret::Handle(HandleValue::INVALID);
        let key = match mailslot_key(name) {
            Ok(k) => k,
            Err(e) => return Res::fail(invalid, e),
        };
        if self.mailslots.contains_key(&key) {
            return Res::fail(invalid, Win32Error::AlreadyExists);
        }
        if let Err(e) = self.ensure_rows(cx.process, 1) {
            return Res::fail(invalid, e);
        }
        let body = MailslotObj {
            key: key.clone(),
            max_message_size,
            read_timeout,
            messages: Default::default(),
        };
        let id = self.new_object(Body::Mailslot(Box::new(body)), Some(name.to_string()));
        self.mailslots.insert(key, id);
        let object = self.obj(id).address;
        self.log(Event::NameAdded {
            name: name.to_string(),
            object,
        });
        let access = FILE_GENERIC_READ | FILE_WRITE_ATTRIBUTES;
        let h = self.add_row(
            cx.process,
            id,
            access,
            HandleFlags::inherit_if(inheritable(attributes)),
            self.created(),
        );
        Res::ok(Ret::Handle(h))
    }

    /// A client `CreateFile` on a mailslot name: 2 when there is none.
    pub(crate) fn open_mailslot_client(&mut self, process: ObjectId, key: &str, access: u32, inherit: bool) -> Res {
        let invalid = Ret::Handle(HandleValue::INVALID);
        let Some(&slot) = self.mailslots.get(key) else {
            return Res::fail(invalid, Win32Error::FileNotFound);
        };
        if let Err(e) = self.ensure_rows(process, 1) {
            return Res::fail(invalid, e);
        }
        let name = self.obj(slot).name.as_deref().map(str::to_string);
        let client = self.new_object(Body::MailslotClient(MailslotClientObj { slot }), name);
        let access = super::map_access(ObjectKind::MailslotClient, access) | SYNCHRONIZE | FILE_READ_ATTRIBUTES;
        let h = self.add_row(process, client, access, HandleFlags::inherit_if(inherit), self.opened());
        Res::ok(Ret::Handle(h)).set(Win32Error::Success)
    }

    /// The mailslot's last server handle closed: it is deleted with its messages.
    pub(crate) fn mailslot_destroyed(&mut self, address: crate::ids::Address, slot: MailslotObj) {
        let bytes: usize = slot.messages.iter().map(Vec::len).sum();
        if !slot.messages.is_empty() {
            self.log(Event::Data {
                object: address,
                flow: Flow::Discarded,
                from: None,
                bytes: bytes as u32,
            });
        }
        if let Some(id) = self.mailslots.remove(&slot.key) {
            let name = self
                .objects
                .get(id)
                .and_then(|o| o.name.as_deref().map(str::to_string))
                .unwrap_or(slot.key);
            self.log(Event::NameRemoved { name });
        }
    }

    /// A client write: one message.
    pub(crate) fn mailslot_write(&mut self, client: ObjectId, data: &[u8]) -> Res {
        let Body::MailslotClient(c) = &self.objects[client].body else {
            unreachable!()
        };
        let slot = c.slot;
        let Some(m) = self.mailslot(slot) else {
            return Res::no(Win32Error::NoData).out1(OutputField::BytesWritten, 0);
        };
        if m.max_message_size != 0 && data.len() > m.max_message_size as usize {
            return Res::no(Win32Error::InvalidParameter).out1(OutputField::BytesWritten, 0);
        }
        self.mailslot_mut(slot)
            .messages
            .push_back(super::pipe::copy_bytes(data));
        let object = self.obj(slot).address;
        self.log(Event::Data {
            object,
            flow: Flow::Queued,
            from: None,
            bytes: data.len() as u32,
        });
        let n = data.len() as u32;
        Res::yes().out1(OutputField::BytesWritten, n)
    }

    /// A server read: one whole message, or wait up to the read timeout.
    pub(crate) fn mailslot_read(&mut self, slot: ObjectId, size: u32) -> Step {
        if let Some(res) = self.mailslot_try_read(slot, size) {
            return res.into();
        }
        let timeout = self.mailslot(slot).expect("live mailslot").read_timeout;
        if timeout == 0 {
            return super::pipe::read_failed(Win32Error::SemTimeout).into();
        }
        Step::Park(PendingOp::ReadMailslot { slot, size }, self.deadline(timeout))
    }

    /// Takes the next message if there is one (122 and the message stays when it does not
    /// fit); `None` when the mailslot is empty.
    pub(crate) fn mailslot_try_read(&mut self, slot: ObjectId, size: u32) -> Option<Res> {
        let Some(m) = self.mailslot(slot) else {
            return Some(super::pipe::read_failed(Win32Error::OperationAborted));
        };
        let next = m.messages.front()?;
        if next.len() > size as usize {
            return Some(super::pipe::read_failed(Win32Error::InsufficientBuffer));
        }
        let data = self.mailslot_mut(slot).messages.pop_front().expect("front exists");
        let object = self.obj(slot).address;
        self.log(Event::Data {
            object,
            flow: Flow::Read,
            from: None,
            bytes: data.len() as u32,
        });
        Some(super::pipe::read_result(true, None, data))
    }

    /// `GetMailslotInfo` on a server handle.
    pub(crate) fn get_mailslot_info(&self, cx: Cx, h: HandleValue) -> Res {
        let (id, _) = match self.resolve_fs_request(cx, h, ObjectKind::Mailslot, 0) {
            Ok(v) => v,
            Err(res) => return res,
        };
        let m = self.mailslot(id).expect("resolved");
        let next = m.messages.front().map_or(MAILSLOT_NO_MESSAGE, |msg| msg.len() as u32);
        let (max, count, timeout) = (m.max_message_size, m.messages.len() as u32, m.read_timeout);
        Res::yes().out(|o| {
            o.max_message_size = Some(max);
            o.next_size = Some(next);
            o.message_count = Some(count);
            o.read_timeout = Some(timeout);
        })
    }

    /// `SetMailslotInfo`: changes the read timeout.
    pub(crate) fn set_mailslot_info(&mut self, cx: Cx, h: HandleValue, read_timeout: u32) -> Res {
        let (id, _) = match self.resolve_fs_request(cx, h, ObjectKind::Mailslot, 0) {
            Ok(v) => v,
            Err(res) => return res,
        };
        self.mailslot_mut(id).read_timeout = read_timeout;
        Res::yes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailslot_names_need_the_prefix() {
        assert_eq!(mailslot_key("\\\\.\\mailslot\\oracle_ms"), Ok("ORACLE_MS".into()));
        assert_eq!(mailslot_key("\\\\.\\MailSlot\\a\\b"), Ok("A\\B".into()));
        assert_eq!(mailslot_key("oracle_plain"), Err(Win32Error::InvalidName));
    }
}
