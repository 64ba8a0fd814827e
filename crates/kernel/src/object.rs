//! Kernel objects: a header (display address, usage count, handle count, name) and a body per
//! kind (process, thread, event, snapshot, pipe end, mailslot, file).
//!
//! Objects live in a `slotmap::SlotMap<ObjectId, Object>`: generational keys, so a stale id
//! never reaches a newer object. The *display address* (0x1000, 0x1100, ... as in the source
//! note) is what people and logs see; it is never reused.

use crate::error::Win32Error;
use crate::handle::{HandleTable, HandleValue};
use crate::ids::{Address, Pid, Tid};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

slotmap::new_key_type! {
    /// A kernel object. Stale ids never alias a newer object.
    pub struct ObjectId;
}

/// An object: the shared header every kind has, and its body.
#[derive(Clone, Debug)]
pub struct Object {
    /// Deterministic display address (0x1000, 0x1100, ...), never reused.
    pub address: Address,
    /// Usage count: rows in every handle table plus kernel references (spec §2).
    pub usage_count: u32,
    /// Rows in every handle table that point here.
    pub handle_count: u32,
    /// The name in the object namespace, if any (events, pipes, mailslots, files).
    pub name: Option<Box<str>>,
    /// What kind of object, with its state.
    pub body: Body,
}

/// The kind of an object, without its state.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ObjectKind {
    /// A process.
    Process,
    /// A thread.
    Thread,
    /// An event (the simplest waitable object).
    Event,
    /// A mutex (NT's mutant): owned by one thread at a time, recursively.
    Mutex,
    /// A semaphore: a count between zero and its maximum.
    Semaphore,
    /// A Toolhelp process snapshot.
    Snapshot,
    /// One end of an anonymous pipe or of a named-pipe instance.
    Pipe,
    /// A mailslot's server (reading) side.
    Mailslot,
    /// A client (writing) handle's object on a mailslot.
    MailslotClient,
    /// An open file of the in-memory file system.
    File,
}

impl ObjectKind {
    /// Whether the object is an I/O manager file object (a pipe end, a mailslot side or a
    /// file): the kinds `ReadFile` and `WriteFile` accept, with file access rights.
    pub fn is_file_object(self) -> bool {
        matches!(
            self,
            ObjectKind::Pipe | ObjectKind::Mailslot | ObjectKind::MailslotClient | ObjectKind::File
        )
    }

    /// The name used in traces and snapshots.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Process => "Process",
            ObjectKind::Thread => "Thread",
            ObjectKind::Event => "Event",
            ObjectKind::Mutex => "Mutex",
            ObjectKind::Semaphore => "Semaphore",
            ObjectKind::Snapshot => "Snapshot",
            ObjectKind::Pipe => "Pipe",
            ObjectKind::Mailslot => "Mailslot",
            ObjectKind::MailslotClient => "MailslotClient",
            ObjectKind::File => "File",
        }
    }
}

/// The state of an object, by kind.
#[derive(Clone, Debug)]
pub enum Body {
    /// A process.
    Process(Box<ProcessObj>),
    /// A thread.
    Thread(Box<ThreadObj>),
    /// An event.
    Event(EventObj),
    /// A mutex.
    Mutex(MutexObj),
    /// A semaphore.
    Semaphore(SemaphoreObj),
    /// A process snapshot.
    Snapshot(Box<SnapshotObj>),
    /// A pipe end.
    Pipe(Box<PipeEnd>),
    /// A mailslot (server side).
    Mailslot(Box<MailslotObj>),
    /// A mailslot client.
    MailslotClient(MailslotClientObj),
    /// An open file.
    File(Box<FileObj>),
}

impl Body {
    /// The kind of this body.
    pub fn kind(&self) -> ObjectKind {
        match self {
            Body::Process(_) => ObjectKind::Process,
            Body::Thread(_) => ObjectKind::Thread,
            Body::Event(_) => ObjectKind::Event,
            Body::Mutex(_) => ObjectKind::Mutex,
            Body::Semaphore(_) => ObjectKind::Semaphore,
            Body::Snapshot(_) => ObjectKind::Snapshot,
            Body::Pipe(_) => ObjectKind::Pipe,
            Body::Mailslot(_) => ObjectKind::Mailslot,
            Body::MailslotClient(_) => ObjectKind::MailslotClient,
            Body::File(_) => ObjectKind::File,
        }
    }
}

impl Object {
    /// The kind of this object.
    pub fn kind(&self) -> ObjectKind {
        self.body.kind()
    }

    /// Kernel references: usage count minus handle rows. A running process or thread holds one
    /// on itself (spec §2.2, the book's model).
    pub fn kernel_references(&self) -> u32 {
        match &self.body {
            Body::Process(p) => u32::from(p.exit_code.is_none()),
            Body::Thread(t) => u32::from(t.exit_code.is_none()),
            Body::Event(_)
            | Body::Mutex(_)
            | Body::Semaphore(_)
            | Body::Snapshot(_)
            | Body::Pipe(_)
            | Body::Mailslot(_)
            | Body::MailslotClient(_)
            | Body::File(_) => 0,
        }
    }
}

/// A `PROC_THREAD_ATTRIBUTE_LIST` in a process's memory (not a kernel object: no handle, no
/// count; it goes with the process).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeList {
    /// `dwAttributeCount` it was initialized for.
    pub capacity: u32,
    /// Attributes set so far.
    pub count: u32,
    /// `PROC_THREAD_ATTRIBUTE_HANDLE_LIST`, once set.
    pub handle_list: Option<Vec<HandleValue>>,
}

/// A process: its handle table, environment block, threads and exit code.
#[derive(Clone, Debug)]
pub struct ProcessObj {
    /// Process id (shares one id space with thread ids, multiples of 4).
    pub pid: Pid,
    /// The creator's pid (0 for processes the system started).
    pub parent_pid: Pid,
    /// Executable file name without its path (`szExeFile`).
    pub image: String,
    /// The command line as passed to `CreateProcess`.
    pub command_line: String,
    /// The environment block: `NAME=VALUE` strings in block order.
    pub environment: Vec<String>,
    /// The current directory.
    pub current_directory: String,
    /// The handle table. Emptied when the process exits.
    pub handles: HandleTable,
    /// Live thread objects of this process, oldest first.
    pub threads: Vec<ObjectId>,
    /// `None` while running; the exit code once exited.
    pub exit_code: Option<u32>,
    /// Standard handle values (input, output, error), as `GetStdHandle` returns them.
    pub std_handles: [HandleValue; 3],
    /// `PROC_THREAD_ATTRIBUTE_LIST`s initialized in this process's memory, by buffer address.
    pub attribute_lists: std::collections::BTreeMap<u32, AttributeList>,
}

/// A thread: its owner, last error, suspend count and what it is parked in.
#[derive(Clone, Debug)]
pub struct ThreadObj {
    /// Thread id.
    pub tid: Tid,
    /// The owning process's id.
    pub pid: Pid,
    /// The owning process object (may be stale once that object is gone).
    pub process: ObjectId,
    /// `None` while running.
    pub exit_code: Option<u32>,
    /// `ResumeThread` decrements; the thread runs at 0.
    pub suspend_count: u32,
    /// The per-thread last error (`GetLastError`).
    pub last_error: Win32Error,
    /// The call this thread is parked in, if any.
    pub parked: Option<Box<Parked>>,
    /// The mutexes it owns, in acquisition order (abandoned when it ends).
    pub owned_mutexes: Vec<ObjectId>,
}

/// A blocked call: what it waits for, until when, and where it sits in the FIFO.
#[derive(Clone, Debug)]
pub struct Parked {
    /// Position in the kernel's park order (FIFO for wake-ups).
    pub park_seq: u64,
    /// The call's sequence number (as returned in `CallOutcome::Pending`).
    pub call_seq: u64,
    /// The Win32 name of the call.
    pub call_name: &'static str,
    /// What the call needs before it can complete.
    pub op: PendingOp,
    /// Virtual time (ms) when it times out, if ever.
    pub deadline: Option<u64>,
}

/// What a parked call waits for.
#[derive(Clone, Debug)]
pub enum PendingOp {
    /// `WaitForSingleObject` / `WaitForMultipleObjects`.
    Wait {
        /// The objects, in argument order.
        objects: Vec<ObjectId>,
        /// All at once, or any one.
        wait_all: bool,
    },
    /// `Sleep`.
    Sleep,
    /// `ReadFile` on a pipe end with nothing to read.
    ReadPipe {
        /// The end being read.
        end: ObjectId,
        /// `nNumberOfBytesToRead`.
        size: u32,
    },
    /// `WriteFile` whose data is queued but over quota.
    WritePipe {
        /// The end whose queue holds the data.
        reader: ObjectId,
        /// The queued message.
        message: u64,
        /// Bytes written (reported on completion).
        len: u32,
    },
    /// `ConnectNamedPipe` on a listening instance.
    Connect {
        /// The server end.
        end: ObjectId,
    },
    /// `WaitNamedPipe` while no instance listens.
    WaitNamedPipe {
        /// Namespace key of the pipe.
        key: String,
    },
    /// `FlushFileBuffers` while the peer has unread data.
    Flush {
        /// The flushing end.
        end: ObjectId,
    },
    /// `ReadFile` on an empty mailslot.
    ReadMailslot {
        /// The mailslot.
        slot: ObjectId,
        /// `nNumberOfBytesToRead`.
        size: u32,
    },
    /// `TransactNamedPipe`: the message was written; waiting for the reply.
    Transact {
        /// The caller's end.
        end: ObjectId,
        /// `nOutBufferSize`.
        size: u32,
    },
    /// `CallNamedPipe` while every instance is busy: waiting for one to listen.
    CallWait {
        /// Namespace key of the pipe.
        key: String,
        /// The message to send.
        data: Vec<u8>,
        /// `nOutBufferSize`.
        size: u32,
    },
    /// `CallNamedPipe` after sending: waiting for the reply, then closing its handle.
    CallReply {
        /// The client end it opened.
        end: ObjectId,
        /// The handle it opened (closed on completion).
        handle: HandleValue,
        /// `nOutBufferSize`.
        size: u32,
    },
}

impl PendingOp {
    /// The one object whose change can finish this pipe or mailslot call (the end read,
    /// the reader of a pending write, the server end connecting, the flushing end, the end a
    /// reply comes to, the mailslot read); `None` for waits, sleeps and the calls that wait
    /// for a pipe name to have a listening instance.
    pub(crate) fn keyed_on(&self) -> Option<ObjectId> {
        match *self {
            PendingOp::ReadPipe { end, .. }
            | PendingOp::Connect { end }
            | PendingOp::Flush { end }
            | PendingOp::Transact { end, .. }
            | PendingOp::CallReply { end, .. } => Some(end),
            PendingOp::WritePipe { reader, .. } => Some(reader),
            PendingOp::ReadMailslot { slot, .. } => Some(slot),
            PendingOp::Wait { .. }
            | PendingOp::Sleep
            | PendingOp::WaitNamedPipe { .. }
            | PendingOp::CallWait { .. } => None,
        }
    }
}

/// An event: manual or auto reset, signaled or not.
#[derive(Clone, Debug)]
pub struct EventObj {
    /// Manual-reset events stay signaled until `ResetEvent`.
    pub manual_reset: bool,
    /// Current state.
    pub signaled: bool,
}

/// A mutex (NT's mutant). Ownership holds no reference: the owner's list names the mutex,
/// and a destroyed mutex leaves that list (as `ExpDeleteMutant` releases it).
#[derive(Clone, Debug)]
pub struct MutexObj {
    /// The owning thread (`None`: free, and so signaled).
    pub owner: Option<ObjectId>,
    /// How many times the owner acquired it (0 when free).
    pub recursion: u32,
    /// Its last owner ended without releasing it; the next acquirer gets `WAIT_ABANDONED`.
    pub abandoned: bool,
}

/// A semaphore: signaled while its count is above zero.
#[derive(Clone, Debug)]
pub struct SemaphoreObj {
    /// The current count (`0..=maximum`).
    pub count: u32,
    /// `lMaximumCount` (at least 1).
    pub maximum: u32,
}

/// A Toolhelp snapshot: a frozen process list and a cursor shared by every handle to it.
#[derive(Clone, Debug)]
pub struct SnapshotObj {
    /// The entries, in creation order of the processes.
    pub entries: Vec<ProcessEntry>,
    /// Index of the next entry `Process32Next` returns.
    pub cursor: usize,
}

/// One `PROCESSENTRY32`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProcessEntry {
    /// `th32ProcessID`.
    pub process_id: u32,
    /// `th32ParentProcessID`.
    pub parent_process_id: u32,
    /// `cntThreads`.
    pub threads: u32,
    /// `pcPriClassBase` (8, normal).
    pub priority_base: u32,
    /// `szExeFile`: the file name without its path.
    pub exe_file: String,
}

/// Named-pipe instance states (NT `FilePipeLocalInformation` numbers, spec §6.3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum PipeState {
    /// 1: the server disconnected; the instance needs `ConnectNamedPipe`.
    Disconnected,
    /// 2: waiting for a client.
    Listening,
    /// 3: both ends are there.
    Connected,
    /// 4: the other end is gone; data already queued can still be read.
    Closing,
}

impl PipeState {
    /// The NT state number.
    pub fn number(self) -> u32 {
        match self {
            PipeState::Disconnected => 1,
            PipeState::Listening => 2,
            PipeState::Connected => 3,
            PipeState::Closing => 4,
        }
    }
}

/// Parameters fixed when a pipe is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipeConfig {
    /// `PIPE_TYPE_MESSAGE`: each write is one message.
    pub message_type: bool,
    /// Direction bits of `dwOpenMode` (1 inbound, 2 outbound, 3 duplex).
    pub direction: u32,
    /// `nMaxInstances` (255 = unlimited).
    pub max_instances: u32,
    /// Quota for data flowing to the client.
    pub out_buffer_size: u32,
    /// Quota for data flowing to the server.
    pub in_buffer_size: u32,
    /// `nDefaultTimeOut` in ms (0 already turned into 50).
    pub default_timeout: u32,
    /// True for `CreatePipe` pipes.
    pub anonymous: bool,
}

/// One queued write: a message (message pipes) or a chunk of the byte stream (byte pipes).
#[derive(Clone, Debug)]
pub struct Message {
    /// Unique id (pending writes find their data by it).
    pub id: u64,
    /// The bytes.
    pub data: Vec<u8>,
    /// How much of `data` was already read.
    pub read_pos: usize,
}

impl Message {
    /// Bytes not yet read.
    pub fn unread(&self) -> usize {
        self.data.len() - self.read_pos
    }
}

/// One end of a pipe instance. Anonymous pipes: the read end is the server end.
#[derive(Clone, Debug)]
pub struct PipeEnd {
    /// True for the server end (created by `CreateNamedPipe`, or the read end of `CreatePipe`).
    pub server: bool,
    /// Namespace key of the named pipe (upper case), `None` for anonymous pipes.
    pub key: Option<String>,
    /// The pipe's parameters.
    pub config: PipeConfig,
    /// Instance state, as this end sees it.
    pub state: PipeState,
    /// The other end, while connected.
    pub peer: Option<ObjectId>,
    /// Data written by the peer and not yet read here, in order.
    pub inbound: VecDeque<Message>,
    /// Sum of `unread()` over `inbound`.
    pub inbound_bytes: usize,
    /// `PIPE_READMODE_MESSAGE` on this end.
    pub read_mode_message: bool,
    /// `PIPE_NOWAIT` on this end.
    pub nonblocking: bool,
    /// When this instance last started listening (clients take the oldest).
    pub listen_seq: u64,
}

impl PipeEnd {
    /// The quota of this end's inbound queue: server ends get the in size, clients the out
    /// size (spec §6.2).
    pub fn quota(&self) -> usize {
        if self.server {
            self.config.in_buffer_size as usize
        } else {
            self.config.out_buffer_size as usize
        }
    }
}

/// A mailslot's server side: the message queue.
#[derive(Clone, Debug)]
pub struct MailslotObj {
    /// Namespace key (upper case).
    pub key: String,
    /// `nMaxMessageSize`; 0 means any size.
    pub max_message_size: u32,
    /// `lReadTimeout` in ms (`MAILSLOT_WAIT_FOREVER` for ever).
    pub read_timeout: u32,
    /// Queued messages, oldest first.
    pub messages: VecDeque<Vec<u8>>,
}

/// A mailslot client: which mailslot it writes to (stale once the mailslot is deleted).
#[derive(Clone, Debug)]
pub struct MailslotClientObj {
    /// The mailslot.
    pub slot: ObjectId,
}

/// An open file of the in-memory file system.
#[derive(Clone, Debug)]
pub struct FileObj {
    /// Key of the file node (upper-case path).
    pub key: String,
    /// Current position.
    pub position: u64,
    /// Access granted at open (for share checks).
    pub access: u32,
    /// Share mode given at open.
    pub share: u32,
}
