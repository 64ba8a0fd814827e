//! Serializable views of the kernel's state: the whole machine ([`Snapshot`]) or one process,
//! thread or object. Objects appear by display address, processes and threads by id, in
//! ascending order, so two equal states give byte-identical JSON.

use crate::error::Win32Error;
use crate::handle::HandleValue;
use crate::ids::{Address, Pid, Tid};
use crate::kernel::Kernel;
use crate::object::*;
use serde::{Deserialize, Serialize};

/// The whole machine at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Snapshot {
    /// Virtual time in ms.
    pub time_ms: u64,
    /// Every process object (running or exited but referenced), by pid.
    pub processes: Vec<ProcessView>,
    /// Every thread object, by tid.
    pub threads: Vec<ThreadView>,
    /// Every object, by address.
    pub objects: Vec<ObjectView>,
    /// The namespaces.
    pub names: Vec<NameView>,
}

/// A process and its handle table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProcessView {
    /// Process id.
    pub process_id: Pid,
    /// Creator's id (0: the system).
    pub parent_process_id: Pid,
    /// Executable name.
    pub image: String,
    /// Command line.
    pub command_line: String,
    /// The process object's address.
    pub object: Address,
    /// `None` while running.
    pub exit_code: Option<u32>,
    /// Live thread ids.
    pub threads: Vec<Tid>,
    /// The handle table, ascending.
    pub handles: Vec<RowView>,
    /// The environment block.
    pub environment: Vec<String>,
    /// Std handle values (input, output, error).
    pub std_handles: [HandleValue; 3],
    /// Current directory.
    pub current_directory: String,
}

/// One handle-table row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RowView {
    /// The value.
    pub handle: HandleValue,
    /// The object's address.
    pub object: Address,
    /// The object's kind.
    pub kind: ObjectKind,
    /// Granted access.
    pub access: u32,
    /// Inherit flag (Y/N in the source note).
    pub inherit: bool,
    /// Protect-from-close flag.
    pub protect_from_close: bool,
    /// How and when the row was made.
    pub provenance: crate::handle::Provenance,
}

/// A thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThreadView {
    /// Thread id.
    pub thread_id: Tid,
    /// Owner's pid.
    pub process_id: Pid,
    /// The thread object's address.
    pub object: Address,
    /// `None` while running.
    pub exit_code: Option<u32>,
    /// Suspend count.
    pub suspend_count: u32,
    /// `GetLastError()`.
    pub last_error: Win32Error,
    /// The call it is parked in.
    pub parked: Option<ParkedView>,
}

/// A parked call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ParkedView {
    /// Win32 name.
    pub call: String,
    /// Sequence number.
    pub call_seq: u64,
    /// What it waits for.
    pub waiting_for: crate::WaitReason,
    /// When it times out.
    pub deadline_ms: Option<u64>,
}

/// An object: header and kind-specific detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ObjectView {
    /// Display address.
    pub object: Address,
    /// Kind.
    pub kind: ObjectKind,
    /// Name, if any.
    pub name: Option<String>,
    /// Usage count.
    pub usage_count: u32,
    /// Handle count.
    pub handle_count: u32,
    /// Kind-specific state.
    pub detail: Detail,
}

/// Kind-specific state of an object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type")]
#[allow(missing_docs)]
pub enum Detail {
    Process {
        process_id: Pid,
        exited: bool,
    },
    Thread {
        thread_id: Tid,
        process_id: Pid,
        exited: bool,
    },
    Event {
        manual_reset: bool,
        signaled: bool,
    },
    /// `owner`: the owning thread (`None`: free); `recursion`: times it holds it.
    Mutex {
        owner: Option<Tid>,
        recursion: u32,
        abandoned: bool,
    },
    Semaphore {
        count: u32,
        maximum: u32,
    },
    Snapshot {
        entries: u32,
        cursor: u32,
    },
    Pipe {
        server: bool,
        anonymous: bool,
        message_type: bool,
        state: PipeState,
        peer: Option<Address>,
        queued_bytes: u64,
        queued_messages: u32,
        read_mode_message: bool,
        nonblocking: bool,
    },
    Mailslot {
        messages: u32,
        bytes: u64,
        max_message_size: u32,
        read_timeout: u32,
    },
    MailslotClient {
        mailslot: Option<Address>,
    },
    File {
        path: String,
        position: u64,
    },
}

/// One namespace entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NameView {
    /// `object` (events), `pipe` or `mailslot`.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The objects behind it (a pipe's instances).
    pub objects: Vec<Address>,
}

impl Kernel {
    /// The whole state.
    pub fn snapshot(&self) -> Snapshot {
        let mut objects: Vec<ObjectView> = self.objects.keys().map(|id| self.object_view_of(id)).collect();
        objects.sort_by_key(|o| o.object);
        let mut processes = Vec::new();
        let mut threads = Vec::new();
        for &id in self.cids.values() {
            match &self.objects[id].body {
                Body::Process(_) => processes.push(self.process_view_of(id)),
                Body::Thread(_) => threads.push(self.thread_view_of(id)),
                _ => {}
            }
        }
        Snapshot {
            time_ms: self.time_ms,
            processes,
            threads,
            objects,
            names: self.names(),
        }
    }

    /// One process by id.
    pub fn process_view(&self, pid: Pid) -> Option<ProcessView> {
        let &id = self.cids.get(&pid.0)?;
        matches!(self.objects[id].body, Body::Process(_)).then(|| self.process_view_of(id))
    }

    /// One thread by id.
    pub fn thread_view(&self, tid: Tid) -> Option<ThreadView> {
        let &id = self.cids.get(&tid.0)?;
        matches!(self.objects[id].body, Body::Thread(_)).then(|| self.thread_view_of(id))
    }

    /// One object by display address.
    pub fn object_view(&self, address: Address) -> Option<ObjectView> {
        let id = self.objects.iter().find(|(_, o)| o.address == address)?.0;
        Some(self.object_view_of(id))
    }

    /// The object a handle value names in a process (pseudo handles included).
    pub fn object_of_handle(&self, pid: Pid, handle: HandleValue) -> Option<ObjectView> {
        let &pid_obj = self.cids.get(&pid.0)?;
        let Body::Process(p) = &self.objects[pid_obj].body else {
            return None;
        };
        let id = if handle == HandleValue::CURRENT_PROCESS {
            pid_obj
        } else if handle == HandleValue::CURRENT_THREAD {
            *p.threads.first()?
        } else {
            p.handles.get(handle)?.object
        };
        Some(self.object_view_of(id))
    }

    /// The namespaces: named objects, pipes (with instances) and mailslots, sorted.
    pub fn names(&self) -> Vec<NameView> {
        let addr = |id: ObjectId| self.objects[id].address;
        let mut names: Vec<NameView> = self
            .named
            .iter()
            .map(|(n, &id)| NameView {
                namespace: "object".into(),
                name: n.clone(),
                objects: vec![addr(id)],
            })
            .collect();
        names.extend(self.pipes.values().map(|p| NameView {
            namespace: "pipe".into(),
            name: p.display_name.clone(),
            objects: p.instances.iter().map(|&i| addr(i)).collect(),
        }));
        names.extend(self.mailslots.values().map(|&id| NameView {
            namespace: "mailslot".into(),
            name: self.objects[id].name.as_deref().unwrap_or_default().to_string(),
            objects: vec![addr(id)],
        }));
        names
    }

    fn process_view_of(&self, id: ObjectId) -> ProcessView {
        let obj = &self.objects[id];
        let Body::Process(p) = &obj.body else { unreachable!() };
        ProcessView {
            process_id: p.pid,
            parent_process_id: p.parent_pid,
            image: p.image.clone(),
            command_line: p.command_line.clone(),
            object: obj.address,
            exit_code: p.exit_code,
            threads: p.threads.iter().map(|&t| self.thread(t).tid).collect(),
            handles: p
                .handles
                .iter()
                .map(|(handle, e)| {
                    let target = &self.objects[e.object];
                    RowView {
                        handle,
                        object: target.address,
                        kind: target.kind(),
                        access: e.access,
                        inherit: e.inherit(),
                        protect_from_close: e.protect_from_close(),
                        provenance: e.provenance,
                    }
                })
                .collect(),
            environment: p.environment.clone(),
            std_handles: p.std_handles,
            current_directory: p.current_directory.clone(),
        }
    }

    fn thread_view_of(&self, id: ObjectId) -> ThreadView {
        let obj = &self.objects[id];
        let Body::Thread(t) = &obj.body else { unreachable!() };
        ThreadView {
            thread_id: t.tid,
            process_id: t.pid,
            object: obj.address,
            exit_code: t.exit_code,
            suspend_count: t.suspend_count,
            last_error: t.last_error,
            parked: t.parked.as_ref().map(|p| ParkedView {
                call: p.call_name.to_string(),
                call_seq: p.call_seq,
                waiting_for: self.wait_reason(&p.op),
                deadline_ms: p.deadline,
            }),
        }
    }

    fn object_view_of(&self, id: ObjectId) -> ObjectView {
        let obj = &self.objects[id];
        let addr = |id: ObjectId| self.objects.get(id).map(|o| o.address);
        let detail = match &obj.body {
            Body::Process(p) => Detail::Process {
                process_id: p.pid,
                exited: p.exit_code.is_some(),
            },
            Body::Thread(t) => Detail::Thread {
                thread_id: t.tid,
                process_id: t.pid,
                exited: t.exit_code.is_some(),
            },
            Body::Event(e) => Detail::Event {
                manual_reset: e.manual_reset,
                signaled: e.signaled,
            },
            Body::Mutex(m) => Detail::Mutex {
                owner: m.owner.and_then(|t| match self.objects.get(t).map(|o| &o.body) {
                    Some(Body::Thread(t)) => Some(t.tid),
                    _ => None,
                }),
                recursion: m.recursion,
                abandoned: m.abandoned,
            },
            Body::Semaphore(s) => Detail::Semaphore {
                count: s.count,
                maximum: s.maximum,
            },
            Body::Snapshot(s) => Detail::Snapshot {
                entries: s.entries.len() as u32,
                cursor: s.cursor as u32,
            },
            Body::Pipe(p) => Detail::Pipe {
                server: p.server,
                anonymous: p.config.anonymous,
                message_type: p.config.message_type,
                state: p.state,
                peer: p.peer.and_then(addr),
                queued_bytes: p.inbound_bytes as u64,
                queued_messages: p.inbound.len() as u32,
                read_mode_message: p.read_mode_message,
                nonblocking: p.nonblocking,
            },
            Body::Mailslot(m) => Detail::Mailslot {
                messages: m.messages.len() as u32,
                bytes: m.messages.iter().map(|x| x.len() as u64).sum(),
                max_message_size: m.max_message_size,
                read_timeout: m.read_timeout,
            },
            Body::MailslotClient(c) => Detail::MailslotClient { mailslot: addr(c.slot) },
            Body::File(f) => Detail::File {
                path: obj.name.as_deref().unwrap_or_default().to_string(),
                position: f.position,
            },
        };
        ObjectView {
            object: obj.address,
            kind: obj.kind(),
            name: obj.name.as_deref().map(str::to_string),
            usage_count: obj.usage_count,
            handle_count: obj.handle_count,
            detail,
        }
    }
}
