//! The reference model's pipes, from spec §5 and §6 (not from the kernel's code): anonymous
//! pipes and named pipe instances as one shape (a server end and a client end, each with the
//! messages queued for it), the instance state machine of §6.3 (LISTENING, CONNECTED,
//! CLOSING, DISCONNECTED, with a disconnected client cut off for good), client opens bound to
//! the instance listening longest (§6.12), byte and message types and read modes with
//! `ERROR_MORE_DATA` (§6.6), quotas and pending writes, `PIPE_NOWAIT`, peeks (§6.10) and the
//! handle states of §6.7.

use super::{created, map_generic, Expected, RefCompletion, RefModel, Row, State};
use kernsim_kernel::consts::*;
use kernsim_kernel::*;
use std::collections::VecDeque;

/// One write queued for an end: a message on a message-type pipe, a chunk of the byte stream
/// otherwise; `read` bytes of it were read. `id` names a pending write's message.
#[derive(Clone, Debug)]
pub(super) struct Msg {
    id: u64,
    data: Vec<u8>,
    read: usize,
}

impl Msg {
    fn unread(&self) -> usize {
        self.data.len() - self.read
    }
}

/// What is queued for one end (its inbound data), that end's quota (the in size for a server
/// end, the out size for a client end, spec §6.2), its handle state (§6.7), and the pending
/// writes into it: (writer's pid, its message), oldest first. A write completes when the bytes
/// queued up to and including its own fit the quota (spec §5).
#[derive(Clone, Debug, Default)]
pub(super) struct Inbound {
    quota: u64,
    msgs: VecDeque<Msg>,
    pending: Vec<(u32, u64)>,
    nowait: bool,
    read_message: bool,
}

impl Inbound {
    fn unread(&self) -> u64 {
        self.msgs.iter().map(|m| m.unread() as u64).sum()
    }

    /// Bytes queued up to and including message `id` (0 once it was read).
    fn up_to(&self, id: u64) -> u64 {
        match self.msgs.iter().position(|m| m.id == id) {
            Some(i) => self.msgs.iter().take(i + 1).map(|m| m.unread() as u64).sum(),
            None => 0,
        }
    }
}

/// A server end's link to its client (spec §6.3). CLOSING is `Connected` with the client end
/// gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Listening,
    Connected,
    Disconnected,
}

/// A pipe instance: `ends` = [server end (an anonymous pipe's read end), client end (0 while
/// there is none)], `inbound[i]` the data queued for end `i`.
#[derive(Clone, Debug)]
pub(super) struct Pipe {
    ends: [u32; 2],
    inbound: [Inbound; 2],
    /// A named pipe's upper-cased name.
    key: Option<String>,
    message_type: bool,
    /// The maximum instances of its name as the first instance fixed it (1: anonymous).
    max_instances: u32,
    link: Link,
    listen_seq: u64,
    /// The process whose thread is parked in `ConnectNamedPipe` on this instance.
    connect_pending: Option<u32>,
}

/// An end a handle names: live (pipe, which end), or a client a disconnect cut off.
enum EndRef {
    Live(u32, usize),
    Dead,
}

/// The upper-cased pipe name of `\\.\pipe\NAME` (case-insensitive, spec §6.1).
fn pipe_key(name: &str) -> Option<String> {
    let upper = name.to_uppercase();
    upper
        .strip_prefix("\\\\.\\PIPE\\")
        .filter(|n| !n.is_empty())
        .map(|_| upper.clone())
}

impl RefModel {
    fn end_of(&self, end: u32) -> Option<(u32, usize)> {
        if end == 0 {
            return None;
        }
        self.pipes
            .iter()
            .find_map(|(k, p)| p.ends.iter().position(|e| *e == end).map(|i| (*k, i)))
    }

    fn alive(&self, a: u32) -> bool {
        a != 0 && self.objects.contains_key(&a)
    }

    /// The instances of the named pipe `name` (upper-cased): those whose server end lives.
    fn live_instances(&self, name: &str) -> u32 {
        self.pipes
            .values()
            .filter(|p| p.key.as_deref() == Some(name) && self.alive(p.ends[0]))
            .count() as u32
    }

    /// The state of end `i` of pipe `key` (spec §6.3).
    fn end_state(&self, key: u32, i: usize) -> PipeState {
        let p = &self.pipes[&key];
        match (i, p.link) {
            (0, Link::Listening) => PipeState::Listening,
            (0, Link::Disconnected) => PipeState::Disconnected,
            _ if self.alive(p.ends[1 - i]) => PipeState::Connected,
            _ => PipeState::Closing,
        }
    }

    /// A handle for a file request: 6 without a row or for a non-file object, 5 without any
    /// of `needed` (when some are needed), 1 for a file object that is no pipe.
    fn pipe_end(&self, pid: u32, h: HandleValue, needed: u32) -> Result<EndRef, Win32Error> {
        let (object, access, _) = self.resolve(pid, h).ok_or(Win32Error::InvalidHandle)?;
        let kind = self.objects[&object].kind;
        if !matches!(
            kind,
            ObjectKind::Pipe | ObjectKind::Mailslot | ObjectKind::MailslotClient | ObjectKind::File
        ) {
            return Err(Win32Error::InvalidHandle);
        }
        if needed != 0 && access & needed == 0 {
            return Err(Win32Error::AccessDenied);
        }
        // A pipe request to another driver's file object (a mailslot): NT's
        // STATUS_INVALID_DEVICE_REQUEST.
        if kind != ObjectKind::Pipe {
            return Err(Win32Error::InvalidFunction);
        }
        Ok(match self.end_of(object) {
            Some((key, i)) => EndRef::Live(key, i),
            None => EndRef::Dead,
        })
    }

    /// A live end for a data request ([`Self::pipe_end`]): a client a disconnect cut off is
    /// 233 (spec §6.3).
    fn live_end(&self, pid: u32, h: HandleValue, needed: u32) -> Result<(u32, usize), Win32Error> {
        match self.pipe_end(pid, h, needed)? {
            EndRef::Live(key, i) => Ok((key, i)),
            EndRef::Dead => Err(Win32Error::PipeNotConnected),
        }
    }

    /// `CreatePipe` (spec §5): a connected byte pipe, read end first; the quota is the size
    /// (0: 4096) both ways.
    pub(super) fn create_pipe(&mut self, pid: u32, sa: Option<SecurityAttributes>, size: u32) -> Expected {
        let inherit = sa.is_some_and(|s| s.inherit_handle);
        let r = self.new_object(ObjectKind::Pipe, None);
        let w = self.new_object(ObjectKind::Pipe, None);
        let quota = if size == 0 { 4096 } else { u64::from(size) };
        let inbound = Inbound {
            quota,
            ..Inbound::default()
        };
        self.pipes.insert(
            r,
            Pipe {
                ends: [r, w],
                inbound: [inbound.clone(), inbound],
                key: None,
                message_type: false,
                max_instances: 1,
                link: Link::Connected,
                listen_seq: 0,
                connect_pending: None,
            },
        );
        let row = |object, access| Row {
            object,
            access,
            inherit,
            protect: false,
            origin: created(CallName::CreatePipe),
        };
        let rv = self.insert(pid, row(r, FILE_GENERIC_READ | FILE_WRITE_ATTRIBUTES));
        let wv = self.insert(pid, row(w, FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES));
        self.outputs.read_handle = Some(HandleValue(rv));
        self.outputs.write_handle = Some(HandleValue(wv));
        Expected::Result(Ret::Bool(true), None)
    }

    /// `CreateNamedPipe` (spec §6.2): modes and the instance count checked before the name's
    /// rules; the first instance fixes the type and the maximum, quotas are each instance's;
    /// a new instance LISTENS at once. Last error 0 for a new pipe, 183 for another instance.
    pub(super) fn create_named_pipe(&mut self, pid: u32, a: &CreateNamedPipeArgs) -> Expected {
        let fail = |e| Expected::Result(Ret::Handle(HandleValue::INVALID), Some(e));
        let direction = a.open_mode & PIPE_ACCESS_DUPLEX;
        let message_type = a.pipe_mode & PIPE_TYPE_MESSAGE != 0;
        let read_message = a.pipe_mode & PIPE_READMODE_MESSAGE != 0;
        if direction == 0 || a.pipe_mode & !0xF != 0 || (read_message && !message_type) {
            return fail(Win32Error::InvalidParameter);
        }
        if a.max_instances == 0 || a.max_instances > PIPE_UNLIMITED_INSTANCES {
            return fail(Win32Error::InvalidParameter);
        }
        let Some(key) = pipe_key(&a.name) else {
            return fail(Win32Error::InvalidName);
        };
        assert_eq!(direction, PIPE_ACCESS_DUPLEX, "the model's pipes are duplex");
        let existing = self.pipe_configs.get(&key).copied();
        if let Some((_, max)) = existing {
            if max != PIPE_UNLIMITED_INSTANCES && self.live_instances(&key) >= max {
                return fail(Win32Error::PipeBusy);
            }
            if a.open_mode & FILE_FLAG_FIRST_PIPE_INSTANCE != 0 {
                return fail(Win32Error::AccessDenied);
            }
        }
        let (message_type, max_instances) = *self
            .pipe_configs
            .entry(key.clone())
            .or_insert((message_type, a.max_instances));
        let s = self.new_object(ObjectKind::Pipe, None);
        self.next_listen += 1;
        let server = Inbound {
            quota: u64::from(a.in_buffer_size),
            read_message: read_message && message_type,
            nowait: a.pipe_mode & PIPE_NOWAIT != 0,
            ..Inbound::default()
        };
        let client = Inbound {
            quota: u64::from(a.out_buffer_size),
            ..Inbound::default()
        };
        self.pipes.insert(
            s,
            Pipe {
                ends: [s, 0],
                inbound: [server, client],
                key: Some(key),
                message_type,
                max_instances,
                link: Link::Listening,
                listen_seq: self.next_listen,
                connect_pending: None,
            },
        );
        let v = self.insert(
            pid,
            Row {
                object: s,
                access: FILE_GENERIC_READ | FILE_GENERIC_WRITE,
                inherit: a.security_attributes.is_some_and(|s| s.inherit_handle),
                protect: false,
                origin: created(CallName::CreateNamedPipe),
            },
        );
        let error = if existing.is_some() {
            Win32Error::AlreadyExists
        } else {
            Win32Error::Success
        };
        Expected::Result(Ret::Handle(HandleValue(v)), Some(error))
    }

    /// A client `CreateFile` on `\\.\pipe\NAME` (spec §6.4): 2 without the pipe, 231 when no
    /// instance listens; it binds to the instance listening longest (§6.12), both ends
    /// CONNECTED, the client in byte read mode and blocking; a parked `ConnectNamedPipe` on
    /// that instance completes with TRUE.
    pub(super) fn open_pipe_client(&mut self, pid: u32, a: &CreateFileArgs) -> Expected {
        let fail = |e| Expected::Result(Ret::Handle(HandleValue::INVALID), Some(e));
        let Some(key) = pipe_key(&a.file_name).filter(|k| self.pipe_configs.contains_key(k)) else {
            return fail(Win32Error::FileNotFound);
        };
        let listening = self
            .pipes
            .iter()
            .filter(|(_, p)| p.key.as_ref() == Some(&key) && p.link == Link::Listening)
            .min_by_key(|(_, p)| p.listen_seq)
            .map(|(k, _)| *k);
        let Some(instance) = listening else {
            return fail(Win32Error::PipeBusy);
        };
        let c = self.new_object(ObjectKind::Pipe, None);
        let p = self.pipes.get_mut(&instance).expect("instance");
        p.ends[1] = c;
        p.link = Link::Connected;
        p.inbound[1].read_message = false;
        p.inbound[1].nowait = false;
        if let Some(server) = p.connect_pending.take() {
            self.completions.push(RefCompletion {
                pid: server,
                ret: Ret::Bool(true),
                error: None,
            });
        }
        let v = self.insert(
            pid,
            Row {
                object: c,
                access: map_generic(ObjectKind::Pipe, a.desired_access) | SYNCHRONIZE | FILE_READ_ATTRIBUTES,
                inherit: a.security_attributes.is_some_and(|s| s.inherit_handle),
                protect: false,
                origin: Origin::Opened {
                    call: CallName::CreateFile,
                },
            },
        );
        Expected::Result(Ret::Handle(HandleValue(v)), Some(Win32Error::Success))
    }

    /// The server end a control request names, with its state: 6 / 1 as for any file
    /// request, 1 for a client end (spec §6.3: client ends cannot listen).
    fn server_end(&self, pid: u32, h: HandleValue) -> Result<(u32, PipeState), Win32Error> {
        match self.pipe_end(pid, h, 0)? {
            EndRef::Live(key, 0) => Ok((key, self.end_state(key, 0))),
            _ => Err(Win32Error::InvalidFunction),
        }
    }

    /// `ConnectNamedPipe` (spec §6.3 table): 535 connected, 232 closing; a disconnected
    /// instance listens again (at the back of the queue); listening: 536 in `PIPE_NOWAIT`,
    /// else the caller parks until a client opens.
    pub(super) fn connect(&mut self, pid: u32, h: HandleValue) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (key, state) = match self.server_end(pid, h) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        match state {
            PipeState::Connected => return fail(Win32Error::PipeConnected),
            PipeState::Closing => return fail(Win32Error::NoData),
            PipeState::Listening => {}
            PipeState::Disconnected => {
                self.next_listen += 1;
                let p = self.pipes.get_mut(&key).expect("pipe");
                p.link = Link::Listening;
                p.listen_seq = self.next_listen;
            }
        }
        let p = self.pipes.get_mut(&key).expect("pipe");
        if p.inbound[0].nowait {
            return fail(Win32Error::PipeListening);
        }
        p.connect_pending = Some(pid);
        Expected::Pending
    }

    /// Whether `ConnectNamedPipe(h)` by `pid` would park while another thread already waits
    /// on the same instance (drivers avoid that: the model follows one waiter per instance).
    pub fn connect_would_wait_twice(&self, pid: u32, h: HandleValue) -> bool {
        match self.server_end(pid, h) {
            Ok((key, _)) => self.pipes[&key].connect_pending.is_some(),
            Err(_) => false,
        }
    }

    /// `DisconnectNamedPipe` (spec §6.9): 536 listening, 233 disconnected; otherwise every
    /// queued byte both ways is thrown away, pending writes fail with 233 (§6.6), and the
    /// client end is cut off for good.
    pub(super) fn disconnect(&mut self, pid: u32, h: HandleValue) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (key, state) = match self.server_end(pid, h) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        match state {
            PipeState::Listening => return fail(Win32Error::PipeListening),
            PipeState::Disconnected => return fail(Win32Error::PipeNotConnected),
            PipeState::Connected | PipeState::Closing => {}
        }
        let p = self.pipes.get_mut(&key).expect("pipe");
        let mut failed = Vec::new();
        for q in &mut p.inbound {
            q.msgs.clear();
            failed.extend(q.pending.drain(..).map(|(w, _)| w));
        }
        let client = std::mem::take(&mut p.ends[1]);
        let modes = (p.inbound[1].read_message, p.inbound[1].nowait);
        p.link = Link::Disconnected;
        if let Some(o) = self.objects.get_mut(&client) {
            o.state = State::Unsignaled;
            self.dead_clients.insert(client, modes);
        }
        self.completions.extend(failed.into_iter().map(|pid| RefCompletion {
            pid,
            ret: Ret::Bool(false),
            error: Some(Win32Error::PipeNotConnected),
        }));
        Expected::Result(Ret::Bool(true), None)
    }

    /// Whether `ReadFile(h, n)` by `pid` would wait: a connected end with nothing queued in
    /// blocking mode. Drivers avoid those reads (the model does not follow a parked reader).
    pub fn read_would_wait(&self, pid: u32, h: HandleValue) -> bool {
        match self.pipe_end(pid, h, FILE_READ_DATA) {
            Ok(EndRef::Live(key, i)) => {
                let q = &self.pipes[&key].inbound[i];
                self.end_state(key, i) == PipeState::Connected && q.msgs.is_empty() && !q.nowait
            }
            _ => false,
        }
    }

    /// One of `pid`'s rows (the `pick`-th, modulo) naming a pipe end with data queued for it
    /// that it may read, one in message read mode when there is one (message reads in parts
    /// are rare otherwise): drivers read there instead of parking on an empty end.
    pub fn readable_end(&self, pid: u32, pick: usize) -> Option<HandleValue> {
        let ends: Vec<(u32, bool)> = self.tables[&pid]
            .iter()
            .filter(|(_, r)| r.access & FILE_READ_DATA != 0)
            .filter_map(|(v, r)| {
                let (key, i) = self.end_of(r.object)?;
                let q = &self.pipes[&key].inbound[i];
                (!q.msgs.is_empty()).then_some((*v, q.read_message))
            })
            .collect();
        let message: Vec<u32> = ends.iter().filter(|e| e.1).map(|e| e.0).collect();
        let all: Vec<u32> = ends.iter().map(|e| e.0).collect();
        let from = if message.is_empty() { all } else { message };
        (!from.is_empty()).then(|| HandleValue(from[pick % from.len()]))
    }

    /// `ReadFile` on a pipe end (spec §5, §6.3, §6.6): 536 listening, 233 disconnected (a
    /// cut-off client too); queued data first: in message read mode one message, the rest of
    /// a longer one kept with `ERROR_MORE_DATA`; in byte read mode bytes across messages up to
    /// the size; then 109 once the other end is gone, 232 in `PIPE_NOWAIT`. Reading may
    /// complete pending writes.
    pub(super) fn read(&mut self, pid: u32, h: HandleValue, size: u32) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (key, i) = match self.live_end(pid, h, FILE_READ_DATA) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        let state = self.end_state(key, i);
        let q = &mut self.pipes.get_mut(&key).expect("pipe").inbound[i];
        match state {
            PipeState::Listening => return fail(Win32Error::PipeListening),
            PipeState::Disconnected => return fail(Win32Error::PipeNotConnected),
            _ if !q.msgs.is_empty() => {}
            PipeState::Closing => return fail(Win32Error::BrokenPipe),
            _ if q.nowait => return fail(Win32Error::NoData),
            _ => panic!("a blocking read of an empty pipe: drivers check read_would_wait first"),
        }
        let size = size as usize;
        let mut data = Vec::new();
        let mut more = false;
        if q.read_message {
            let m = q.msgs.front_mut().expect("queued");
            let take = m.unread().min(size);
            data.extend_from_slice(&m.data[m.read..m.read + take]);
            m.read += take;
            more = m.unread() > 0;
            if !more {
                q.msgs.pop_front();
            }
        } else {
            while let Some(m) = q.msgs.front_mut() {
                let take = m.unread().min(size - data.len());
                data.extend_from_slice(&m.data[m.read..m.read + take]);
                m.read += take;
                if m.unread() == 0 {
                    q.msgs.pop_front();
                }
                if data.len() == size {
                    break;
                }
            }
        }
        while let Some(&(writer, id)) = q.pending.first() {
            if q.up_to(id) > q.quota {
                break;
            }
            q.pending.remove(0);
            self.completions.push(RefCompletion {
                pid: writer,
                ret: Ret::Bool(true),
                error: None,
            });
        }
        self.outputs.bytes_read = Some(data.len() as u32);
        self.outputs.data = Some(Data(data));
        if more {
            fail(Win32Error::MoreData)
        } else {
            Expected::Result(Ret::Bool(true), None)
        }
    }

    /// `WriteFile` on a pipe end (spec §5, §6.3, §6.6): 536 listening, 233 disconnected, 232
    /// once the other end is gone; 0 bytes on a byte pipe is TRUE at once (a message pipe
    /// queues an empty message); a write completes at once if the other end's queue plus it
    /// fit the quota, else it pends with its bytes queued; with `PIPE_NOWAIT` on the writing
    /// end a write that does not fit is TRUE with 0 bytes written and nothing queued.
    pub(super) fn write(&mut self, pid: u32, h: HandleValue, data: &[u8]) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (key, i) = match self.live_end(pid, h, FILE_WRITE_DATA | FILE_APPEND_DATA) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        match self.end_state(key, i) {
            PipeState::Listening => return fail(Win32Error::PipeListening),
            PipeState::Disconnected => return fail(Win32Error::PipeNotConnected),
            PipeState::Closing => return fail(Win32Error::NoData),
            PipeState::Connected => {}
        }
        self.next_msg += 1;
        let id = self.next_msg;
        let p = self.pipes.get_mut(&key).expect("pipe");
        if data.is_empty() && !p.message_type {
            self.outputs.bytes_written = Some(0);
            return Expected::Result(Ret::Bool(true), None);
        }
        let nowait = p.inbound[i].nowait;
        let q = &mut p.inbound[1 - i];
        let fits = data.is_empty() || q.unread() + data.len() as u64 <= q.quota;
        if !fits && nowait {
            self.outputs.bytes_written = Some(0);
            return Expected::Result(Ret::Bool(true), None);
        }
        q.msgs.push_back(Msg {
            id,
            data: data.to_vec(),
            read: 0,
        });
        if fits {
            self.outputs.bytes_written = Some(data.len() as u32);
            return Expected::Result(Ret::Bool(true), None);
        }
        q.pending.push((pid, id));
        Expected::Pending
    }

    /// `PeekNamedPipe(h, buffer, size, ...)` (spec §6.10): 1 for a file object that is no
    /// pipe, 230 on a listening or disconnected server, 233 on a cut-off client, 109 once the
    /// other end is gone and nothing is queued. It never removes data. A message pipe copies
    /// at most the first message's unread bytes, and `left` is what of it was not copied; a
    /// byte pipe copies across messages, and `left` is 0 without a buffer, else minus the
    /// bytes copied as a `DWORD` (MessageLength 0 minus the bytes read: WT-pipe).
    pub(super) fn peek(&mut self, pid: u32, h: HandleValue, size: u32) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let (key, i) = match self.live_end(pid, h, FILE_READ_DATA) {
            Ok(v) => v,
            Err(e) => return fail(e),
        };
        let state = self.end_state(key, i);
        let p = &self.pipes[&key];
        let q = &p.inbound[i];
        match state {
            PipeState::Listening | PipeState::Disconnected => return fail(Win32Error::BadPipe),
            PipeState::Closing if q.msgs.is_empty() => return fail(Win32Error::BrokenPipe),
            _ => {}
        }
        let size = size as usize;
        let mut data = Vec::new();
        let left = if p.message_type {
            match q.msgs.front() {
                Some(m) => {
                    let n = m.unread().min(size);
                    data.extend_from_slice(&m.data[m.read..m.read + n]);
                    (m.unread() - n) as u32
                }
                None => 0,
            }
        } else {
            for m in &q.msgs {
                let take = m.unread().min(size - data.len());
                data.extend_from_slice(&m.data[m.read..m.read + take]);
            }
            if size == 0 {
                0
            } else {
                (data.len() as u32).wrapping_neg()
            }
        };
        self.outputs.bytes_read = Some(data.len() as u32);
        self.outputs.total_bytes_avail = Some(q.unread() as u32);
        self.outputs.bytes_left_this_message = Some(left);
        self.outputs.data = Some(Data(data));
        Expected::Result(Ret::Bool(true), None)
    }

    /// `SetNamedPipeHandleState(h, &mode, NULL, NULL)` (spec §6.7): needs
    /// `FILE_WRITE_ATTRIBUTES`; only the read-mode and wait bits (87); a disconnected end 233;
    /// message read mode on a byte pipe 87; each end keeps its own mode.
    pub(super) fn set_pipe_mode(&mut self, pid: u32, h: HandleValue, mode: u32) -> Expected {
        let fail = |e| Expected::Result(Ret::Bool(false), Some(e));
        let end = match self.pipe_end(pid, h, FILE_WRITE_ATTRIBUTES) {
            Ok(e) => e,
            Err(e) => return fail(e),
        };
        if mode & !(PIPE_READMODE_MESSAGE | PIPE_NOWAIT) != 0 {
            return fail(Win32Error::InvalidParameter);
        }
        let EndRef::Live(key, i) = end else {
            return fail(Win32Error::PipeNotConnected);
        };
        if self.end_state(key, i) == PipeState::Disconnected {
            return fail(Win32Error::PipeNotConnected);
        }
        let p = self.pipes.get_mut(&key).expect("pipe");
        if mode & PIPE_READMODE_MESSAGE != 0 && !p.message_type {
            return fail(Win32Error::InvalidParameter);
        }
        p.inbound[i].read_message = mode & PIPE_READMODE_MESSAGE != 0;
        p.inbound[i].nowait = mode & PIPE_NOWAIT != 0;
        Expected::Result(Ret::Bool(true), None)
    }

    /// The end a pipe query names (nt-pipe-rules §1, §2): the handle needs
    /// `FILE_READ_ATTRIBUTES`, and a client a disconnect cut off answers 233.
    fn queried_end(&self, pid: u32, h: HandleValue) -> Result<(u32, usize), Win32Error> {
        match self.pipe_end(pid, h, FILE_READ_ATTRIBUTES)? {
            EndRef::Live(key, i) => Ok((key, i)),
            EndRef::Dead => Err(Win32Error::PipeNotConnected),
        }
    }

    /// `GetNamedPipeHandleState(h, &state, &instances, NULL, NULL, NULL, 0)` (spec §6.7,
    /// nt-pipe-rules §1 and §2): needs `FILE_READ_ATTRIBUTES`; a client a disconnect cut off
    /// 233; the state is the end's own read mode and wait mode (`PIPE_READMODE_MESSAGE`,
    /// `PIPE_NOWAIT`), the count the instances of its name whose server end lives (1 for an
    /// anonymous pipe).
    pub(super) fn pipe_handle_state(&mut self, pid: u32, h: HandleValue) -> Expected {
        let (key, i) = match self.queried_end(pid, h) {
            Ok(end) => end,
            Err(e) => return Expected::Result(Ret::Bool(false), Some(e)),
        };
        let p = &self.pipes[&key];
        let q = &p.inbound[i];
        let state = if q.read_message { PIPE_READMODE_MESSAGE } else { 0 } | if q.nowait { PIPE_NOWAIT } else { 0 };
        let instances = match &p.key {
            None => 1,
            Some(name) => self.live_instances(name).min(255),
        };
        self.outputs.state = Some(state);
        self.outputs.cur_instances = Some(instances);
        Expected::Result(Ret::Bool(true), None)
    }

    /// `GetNamedPipeInfo(h, &flags, &out, &in, &max)` (spec §6.7): needs
    /// `FILE_READ_ATTRIBUTES`; a client a disconnect cut off 233; the flags say the end
    /// (`PIPE_SERVER_END` for a server end and an anonymous pipe's read end) and the type
    /// (`PIPE_TYPE_MESSAGE`); the sizes are as created (an anonymous pipe's 0 is 4096), the
    /// maximum as the first instance fixed it (255 for unlimited, 1 for an anonymous pipe).
    pub(super) fn pipe_info(&mut self, pid: u32, h: HandleValue) -> Expected {
        let (key, i) = match self.queried_end(pid, h) {
            Ok(end) => end,
            Err(e) => return Expected::Result(Ret::Bool(false), Some(e)),
        };
        let p = &self.pipes[&key];
        let server = if i == 0 { PIPE_SERVER_END } else { 0 };
        let kind = if p.message_type { PIPE_TYPE_MESSAGE } else { 0 };
        self.outputs.flags = Some(server | kind);
        self.outputs.in_buffer_size = Some(p.inbound[0].quota as u32);
        self.outputs.out_buffer_size = Some(p.inbound[1].quota as u32);
        self.outputs.max_instances = Some(p.max_instances);
        Expected::Result(Ret::Bool(true), None)
    }

    /// Whether `pid`'s thread is parked in a call the model follows (a write, a connect).
    pub(super) fn parked_in_pipe(&self, pid: u32) -> bool {
        self.pipes.values().any(|p| {
            p.connect_pending == Some(pid) || p.inbound.iter().any(|q| q.pending.iter().any(|(w, _)| *w == pid))
        })
    }

    /// `pid`'s thread ends: a parked connect is dropped, and a write it left pending takes
    /// its unread bytes with it (spec §6.6: "a process that is terminated while its write is
    /// pending has that unread data removed").
    pub(super) fn pipes_thread_ends(&mut self, pid: u32) {
        for p in self.pipes.values_mut() {
            if p.connect_pending == Some(pid) {
                p.connect_pending = None;
            }
            for q in &mut p.inbound {
                let gone: Vec<u64> = q.pending.iter().filter(|(w, _)| *w == pid).map(|(_, id)| *id).collect();
                q.pending.retain(|(w, _)| *w != pid);
                q.msgs.retain(|m| !gone.contains(&m.id));
            }
        }
    }

    /// A pipe end was destroyed: pending writes into it fail with 109 (spec §6.6); a connect
    /// parked on a server end whose last handle another process closed (`DuplicateHandle`
    /// with `DUPLICATE_CLOSE_SOURCE`; the parked thread cannot close it itself) fails with 995,
    /// as cancelled I/O (ARCHITECTURE.md, the model's choice); a named pipe's name goes with
    /// its last instance (§6.3); the pipe is forgotten once both ends are gone.
    pub(super) fn end_gone(&mut self, a: u32) {
        self.dead_clients.remove(&a);
        let Some((key, i)) = self.end_of(a) else {
            return;
        };
        let p = self.pipes.get_mut(&key).expect("pipe");
        if i == 0 {
            if let Some(server) = p.connect_pending.take() {
                self.completions.push(RefCompletion {
                    pid: server,
                    ret: Ret::Bool(false),
                    error: Some(Win32Error::OperationAborted),
                });
            }
        }
        let p = self.pipes.get_mut(&key).expect("pipe");
        let failed: Vec<u32> = p.inbound[i].pending.drain(..).map(|(w, _)| w).collect();
        self.completions.extend(failed.into_iter().map(|pid| RefCompletion {
            pid,
            ret: Ret::Bool(false),
            error: Some(Win32Error::BrokenPipe),
        }));
        if let (0, Some(name)) = (i, self.pipes[&key].key.clone()) {
            if self.live_instances(&name) == 0 {
                self.pipe_configs.remove(&name);
            }
        }
        let ends = self.pipes[&key].ends;
        if ends.iter().all(|e| !self.alive(*e)) {
            self.pipes.remove(&key);
        }
    }

    /// What the kernel's snapshot shows of a pipe end: state, queued bytes and messages, read
    /// mode, wait mode.
    pub(super) fn pipe_detail(&self, a: u32) -> Option<(PipeState, u64, u32, bool, bool)> {
        if let Some(&(read_message, nowait)) = self.dead_clients.get(&a) {
            return Some((PipeState::Disconnected, 0, 0, read_message, nowait));
        }
        let (key, i) = self.end_of(a)?;
        let q = &self.pipes[&key].inbound[i];
        let state = self.end_state(key, i);
        Some((state, q.unread(), q.msgs.len() as u32, q.read_message, q.nowait))
    }
}
