//! Abstract operations and their proptest strategies. An operation names its operands by
//! index into *what exists when it runs* (the caller's rows, live processes, known names), so
//! random sequences go deep instead of failing at once; a share of operands are deliberately
//! bogus (garbage values, pseudo handles, values from another process's table).

use proptest::prelude::*;
use serde::{Deserialize, Serialize};

/// A handle operand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandleRef {
    /// The i-th row (modulo) of the caller's table; garbage when the table is empty.
    Own(u16),
    /// A value taken from another process's table, used in the caller (cross-process misuse).
    Foreign(u16),
    /// The current-process (true) or current-thread (false) pseudo handle.
    Pseudo(bool),
    /// An arbitrary value.
    Garbage(u32),
    /// The i-th row (modulo) of the caller's table with low bits set (1 to 3): Windows
    /// ignores the two tag bits (spec §1.1).
    Tagged(u16, u8),
    /// The i-th pipe end (modulo) among the caller's rows, as `Own` when it has none: pipe
    /// calls reach data and states more often than through any row.
    Pipe(u16),
    /// The i-th row (modulo) of the caller's table to an object a parked wait names, as
    /// `Own` when there is none: signals, releases, closes and ends reach waiting threads.
    Waited(u16),
    /// The i-th row (modulo) of the caller's table to an event, mutex or semaphore, as `Own`
    /// when there is none: the synchronization calls meet the same object again (a mutex
    /// acquired twice by its owner and released once, a wait for all of a set holding an
    /// abandoned mutex), which picks among every row make rare.
    Sync(u16),
    /// The i-th row (modulo) of the caller's table to a thread, as `Own` when there is none:
    /// a suspend meets its resume, and an exit code is read from a thread that ended.
    Thread(u16),
    /// The i-th row (modulo) of the caller's table to a waitable object not signaled now (an
    /// event reset, a semaphore at 0, an owned mutex, a running process or thread), as `Own`
    /// when there is none: waits park, so something else can wake them.
    Unsignaled(u16),
}

/// A timeout operand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Timeout {
    /// 0: poll.
    Zero,
    /// A few virtual milliseconds.
    Ms(u8),
    /// `INFINITE`.
    Forever,
}

/// What an acting thread does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Action {
    CreateEvent {
        name: Option<u8>,
        inherit: bool,
        manual: bool,
        initial: bool,
    },
    OpenEvent {
        name: u8,
        inherit: bool,
    },
    SetEvent {
        h: HandleRef,
        set: bool,
    },
    Close {
        h: HandleRef,
    },
    Duplicate {
        source_process: HandleRef,
        h: HandleRef,
        target_process: HandleRef,
        options: u8,
        inherit: bool,
        null_target: bool,
    },
    SetInformation {
        h: HandleRef,
        mask: u8,
        flags: u8,
    },
    GetInformation {
        h: HandleRef,
    },
    CreateProcess {
        inherit: bool,
        suspended: bool,
        explicit_env: bool,
        list: Option<Vec<u16>>,
    },
    CreateThread {
        suspended: bool,
    },
    Resume {
        h: HandleRef,
    },
    ExitThread {
        code: u8,
    },
    ExitProcess {
        code: u8,
    },
    Terminate {
        h: HandleRef,
        code: u8,
    },
    OpenProcess {
        pid: u16,
        access: u8,
        inherit: bool,
    },
    GetExitCode {
        h: HandleRef,
    },
    Wait {
        h: HandleRef,
        timeout: Timeout,
    },
    WaitMany {
        hs: Vec<HandleRef>,
        all: bool,
        timeout: Timeout,
    },
    Sleep {
        ms: u8,
    },
    CreatePipe {
        inherit: bool,
        size: u16,
    },
    Read {
        h: HandleRef,
        n: u16,
    },
    Write {
        h: HandleRef,
        len: u16,
    },
    Peek {
        h: HandleRef,
        n: u8,
    },
    CreateNamedPipe {
        name: u8,
        message: bool,
        max: u8,
        nowait: bool,
    },
    Connect {
        h: HandleRef,
    },
    Disconnect {
        h: HandleRef,
    },
    OpenPipeClient {
        name: u8,
        write_only: bool,
    },
    WaitNamedPipe {
        name: u8,
        timeout: Timeout,
    },
    SetPipeMode {
        h: HandleRef,
        message: bool,
        nowait: bool,
    },
    Flush {
        h: HandleRef,
    },
    CreateMailslot {
        name: u8,
        timeout: Timeout,
    },
    OpenMailslot {
        name: u8,
    },
    SetEnv {
        name: u8,
        value: Option<u8>,
    },
    GetEnv {
        name: u8,
    },
    Snapshot,
    /// Names are shared with events (`ev0`..): a clash gives `ERROR_INVALID_HANDLE`.
    CreateMutex {
        name: Option<u8>,
        owner: bool,
    },
    OpenMutex {
        name: u8,
    },
    ReleaseMutex {
        h: HandleRef,
    },
    CreateSemaphore {
        name: Option<u8>,
        initial: u8,
        maximum: u8,
    },
    OpenSemaphore {
        name: u8,
    },
    ReleaseSemaphore {
        h: HandleRef,
        n: u8,
    },
}

/// One step of a generated sequence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// The system starts a new process.
    Spawn,
    /// Virtual time advances.
    Advance(u16),
    /// The `actor`-th runnable thread (modulo) makes a call.
    Act {
        /// Which runnable thread (by index, modulo their number).
        actor: u8,
        /// What it does.
        action: Action,
    },
}

fn handle_ref() -> impl Strategy<Value = HandleRef> {
    prop_oneof![
        12 => any::<u16>().prop_map(HandleRef::Own),
        2 => any::<u16>().prop_map(HandleRef::Foreign),
        1 => any::<bool>().prop_map(HandleRef::Pseudo),
        1 => prop_oneof![Just(0u32), Just(3), Just(0x400), Just(0xFFFF_FFF5), any::<u32>()].prop_map(HandleRef::Garbage),
        2 => (any::<u16>(), 1u8..4).prop_map(|(i, bits)| HandleRef::Tagged(i, bits)),
    ]
}

/// A handle operand for a pipe call: mostly one of the caller's pipe ends.
fn pipe_ref() -> impl Strategy<Value = HandleRef> {
    prop_oneof![3 => any::<u16>().prop_map(HandleRef::Pipe), 1 => handle_ref()]
}

/// A handle operand for a call that may signal or end what others wait on.
fn waited_ref() -> impl Strategy<Value = HandleRef> {
    prop_oneof![2 => any::<u16>().prop_map(HandleRef::Waited), 3 => handle_ref()]
}

/// A handle operand for a synchronization call: often an event, mutex or semaphore row.
fn sync_ref() -> impl Strategy<Value = HandleRef> {
    prop_oneof![3 => any::<u16>().prop_map(HandleRef::Sync), 2 => handle_ref()]
}

/// A handle operand for a thread call: often one of the caller's thread rows.
fn thread_ref() -> impl Strategy<Value = HandleRef> {
    prop_oneof![3 => any::<u16>().prop_map(HandleRef::Thread), 2 => handle_ref()]
}

/// A handle operand for a wait: often one that parks.
fn unsignaled_ref() -> impl Strategy<Value = HandleRef> {
    prop_oneof![2 => any::<u16>().prop_map(HandleRef::Unsignaled), 3 => handle_ref()]
}

/// A timeout for a wait meant to park until something wakes it.
fn park_timeout() -> impl Strategy<Value = Timeout> {
    prop_oneof![1 => Just(Timeout::Zero), 2 => (1u8..100).prop_map(Timeout::Ms), 3 => Just(Timeout::Forever)]
}

fn timeout() -> impl Strategy<Value = Timeout> {
    prop_oneof![2 => Just(Timeout::Zero), 3 => (1u8..100).prop_map(Timeout::Ms), 1 => Just(Timeout::Forever)]
}

fn action() -> impl Strategy<Value = Action> {
    let name = 0u8..4;
    prop_oneof![
        6 => (proptest::option::of(0u8..3), any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(name, inherit, manual, initial)| Action::CreateEvent { name, inherit, manual, initial }),
        2 => (0u8..3, any::<bool>()).prop_map(|(name, inherit)| Action::OpenEvent { name, inherit }),
        3 => (waited_ref(), any::<bool>()).prop_map(|(h, set)| Action::SetEvent { h, set }),
        6 => waited_ref().prop_map(|h| Action::Close { h }),
        6 => (
            prop_oneof![4 => Just(HandleRef::Pseudo(true)), 1 => handle_ref()],
            handle_ref(),
            prop_oneof![3 => Just(HandleRef::Pseudo(true)), 2 => handle_ref(), 1 => Just(HandleRef::Garbage(0))],
            0u8..8,
            any::<bool>(),
            proptest::bool::weighted(0.1),
        )
            .prop_map(|(source_process, h, target_process, options, inherit, null_target)| Action::Duplicate {
                source_process,
                h,
                target_process,
                options,
                inherit,
                null_target
            }),
        2 => (handle_ref(), 0u8..4, 0u8..4).prop_map(|(h, mask, flags)| Action::SetInformation { h, mask, flags }),
        1 => handle_ref().prop_map(|h| Action::GetInformation { h }),
        4 => (any::<bool>(), proptest::bool::weighted(0.1), proptest::bool::weighted(0.2), proptest::option::weighted(0.15, proptest::collection::vec(any::<u16>(), 0..3)))
            .prop_map(|(inherit, suspended, explicit_env, list)| Action::CreateProcess { inherit, suspended, explicit_env, list }),
        2 => proptest::bool::weighted(0.2).prop_map(|suspended| Action::CreateThread { suspended }),
        1 => handle_ref().prop_map(|h| Action::Resume { h }),
        1 => any::<u8>().prop_map(|code| Action::ExitThread { code }),
        2 => any::<u8>().prop_map(|code| Action::ExitProcess { code }),
        2 => (waited_ref(), any::<u8>()).prop_map(|(h, code)| Action::Terminate { h, code }),
        2 => (any::<u16>(), 0u8..4, any::<bool>()).prop_map(|(pid, access, inherit)| Action::OpenProcess { pid, access, inherit }),
        1 => handle_ref().prop_map(|h| Action::GetExitCode { h }),
        3 => (unsignaled_ref(), timeout()).prop_map(|(h, timeout)| Action::Wait { h, timeout }),
        1 => (proptest::collection::vec(unsignaled_ref(), 0..4), any::<bool>(), timeout()).prop_map(|(hs, all, timeout)| Action::WaitMany { hs, all, timeout }),
        1 => (0u8..50).prop_map(|ms| Action::Sleep { ms }),
        4 => (any::<bool>(), prop_oneof![Just(0u16), Just(1), Just(16), Just(4096)]).prop_map(|(inherit, size)| Action::CreatePipe { inherit, size }),
        6 => (handle_ref(), prop_oneof![Just(0u16), 1u16..64, Just(4096)]).prop_map(|(h, n)| Action::Read { h, n }),
        6 => (handle_ref(), prop_oneof![Just(0u16), 1u16..64, Just(5000)]).prop_map(|(h, len)| Action::Write { h, len }),
        1 => (handle_ref(), 0u8..16).prop_map(|(h, n)| Action::Peek { h, n }),
        3 => (name.clone(), any::<bool>(), 0u8..3, proptest::bool::weighted(0.15))
            .prop_map(|(name, message, max, nowait)| Action::CreateNamedPipe { name, message, max, nowait }),
        2 => handle_ref().prop_map(|h| Action::Connect { h }),
        1 => handle_ref().prop_map(|h| Action::Disconnect { h }),
        3 => (name.clone(), proptest::bool::weighted(0.1)).prop_map(|(name, write_only)| Action::OpenPipeClient { name, write_only }),
        1 => (name.clone(), timeout()).prop_map(|(name, timeout)| Action::WaitNamedPipe { name, timeout }),
        1 => (handle_ref(), any::<bool>(), proptest::bool::weighted(0.2)).prop_map(|(h, message, nowait)| Action::SetPipeMode { h, message, nowait }),
        1 => handle_ref().prop_map(|h| Action::Flush { h }),
        2 => (name.clone(), timeout()).prop_map(|(name, timeout)| Action::CreateMailslot { name, timeout }),
        2 => name.clone().prop_map(|name| Action::OpenMailslot { name }),
        2 => (0u8..4, proptest::option::weighted(0.8, 0u8..4)).prop_map(|(name, value)| Action::SetEnv { name, value }),
        2 => (0u8..4).prop_map(|name| Action::GetEnv { name }),
        1 => Just(Action::Snapshot),
        2 => (proptest::option::of(0u8..3), any::<bool>()).prop_map(|(name, owner)| Action::CreateMutex { name, owner }),
        1 => (0u8..3).prop_map(|name| Action::OpenMutex { name }),
        3 => waited_ref().prop_map(|h| Action::ReleaseMutex { h }),
        2 => (proptest::option::of(0u8..3), 0u8..4, 0u8..4).prop_map(|(name, initial, maximum)| Action::CreateSemaphore { name, initial, maximum }),
        1 => (0u8..3).prop_map(|name| Action::OpenSemaphore { name }),
        3 => (waited_ref(), 0u8..4).prop_map(|(h, n)| Action::ReleaseSemaphore { h, n }),
    ]
}

/// The synchronization mix: events, mutexes and semaphores shared by threads of one process
/// and by inheriting children, waits that park (mostly on something not signaled) and the
/// signals, releases and ends that wake them (mostly on something waited on); mailslot reads
/// that park until another thread writes. Its waits
/// park and wake far more often than in [`action`]'s mix of every call.
fn sync_action() -> impl Strategy<Value = Action> {
    let name = proptest::option::of(0u8..3);
    prop_oneof![
        4 => (name.clone(), any::<bool>(), any::<bool>()).prop_map(|(name, manual, initial)| Action::CreateEvent { name, inherit: true, manual, initial }),
        1 => (0u8..3).prop_map(|name| Action::OpenEvent { name, inherit: true }),
        5 => (waited_ref(), proptest::bool::weighted(0.8)).prop_map(|(h, set)| Action::SetEvent { h, set }),
        3 => (name.clone(), any::<bool>()).prop_map(|(name, owner)| Action::CreateMutex { name, owner }),
        5 => waited_ref().prop_map(|h| Action::ReleaseMutex { h }),
        3 => (name, 0u8..2, 1u8..4).prop_map(|(name, initial, maximum)| Action::CreateSemaphore { name, initial, maximum }),
        5 => (waited_ref(), 1u8..3).prop_map(|(h, n)| Action::ReleaseSemaphore { h, n }),
        6 => (unsignaled_ref(), park_timeout()).prop_map(|(h, timeout)| Action::Wait { h, timeout }),
        3 => (proptest::collection::vec(unsignaled_ref(), 1..4), any::<bool>(), park_timeout()).prop_map(|(hs, all, timeout)| Action::WaitMany { hs, all, timeout }),
        6 => Just(Action::CreateThread { suspended: false }),
        1 => Just(Action::CreateProcess { inherit: true, suspended: false, explicit_env: false, list: None }),
        2 => any::<u8>().prop_map(|code| Action::ExitThread { code }),
        1 => any::<u8>().prop_map(|code| Action::ExitProcess { code }),
        1 => (waited_ref(), any::<u8>()).prop_map(|(h, code)| Action::Terminate { h, code }),
        2 => waited_ref().prop_map(|h| Action::Close { h }),
        2 => (0u8..2, park_timeout()).prop_map(|(name, timeout)| Action::CreateMailslot { name, timeout }),
        2 => (0u8..2).prop_map(|name| Action::OpenMailslot { name }),
        3 => (handle_ref(), 1u16..64).prop_map(|(h, n)| Action::Read { h, n }),
        3 => (handle_ref(), 1u16..64).prop_map(|(h, len)| Action::Write { h, len }),
    ]
}

/// One operation: mostly calls, sometimes a new system process or the clock moving.
pub fn op() -> impl Strategy<Value = Op> {
    op_of(action())
}

fn op_of(action: impl Strategy<Value = Action>) -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Spawn),
        2 => (1u16..200).prop_map(Op::Advance),
        30 => (any::<u8>(), action).prop_map(|(actor, action)| Op::Act { actor, action }),
    ]
}

/// A sequence of up to `max_len` operations.
pub fn ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 1..=max_len)
}

/// A sequence of up to `max_len` operations of the synchronization mix.
pub fn sync_ops(max_len: usize) -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op_of(sync_action()), 1..=max_len)
}

/// Operations of the handle-centric subset the reference model knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum RefOp {
    Spawn,
    CreateEvent {
        actor: u8,
        name: Option<u8>,
        inherit: bool,
        manual: bool,
    },
    /// `CreatePipe` with a quota of 4096 (size 0), 1, 8 or 64 bytes.
    CreatePipe {
        actor: u8,
        inherit: bool,
        size: u8,
    },
    Close {
        actor: u8,
        h: HandleRef,
    },
    SetInformation {
        actor: u8,
        h: HandleRef,
        mask: u8,
        flags: u8,
    },
    /// `GetHandleInformation`: a row's inherit and protect bits (flags 0 on the two pseudo
    /// handles, 6 on anything else that is no row).
    GetInformation {
        actor: u8,
        h: HandleRef,
    },
    Duplicate {
        actor: u8,
        source_process: HandleRef,
        h: HandleRef,
        target_process: HandleRef,
        options: u8,
        inherit: bool,
        /// Which desired access (when not `DUPLICATE_SAME_ACCESS`): generic, specific, none.
        access: u8,
    },
    /// `CreateProcess`, optionally with a handle list (pseudo and bad handles included) and
    /// sometimes with no image at all (87).
    CreateProcess {
        actor: u8,
        inherit: bool,
        list: Option<Vec<HandleRef>>,
        no_image: bool,
    },
    OpenProcess {
        actor: u8,
        pid: u16,
        terminate: bool,
    },
    /// `ExitProcess`, or `ExitThread` when `thread` (the process's only thread: the process
    /// ends with the thread's code).
    ExitProcess {
        actor: u8,
        code: u8,
        /// (Absent in cases saved before it existed: false.)
        #[serde(default)]
        thread: bool,
    },
    Terminate {
        actor: u8,
        h: HandleRef,
        code: u8,
    },
    /// `SuspendThread` (or `ResumeThread`) of a handle: a thread row of the caller's
    /// (`CreateProcess` gives one), the caller's own thread (-2), or anything; a repeated
    /// suspend runs 128 times in a row (to the suspend limit).
    Suspend {
        actor: u8,
        h: HandleRef,
        resume: bool,
        repeat: bool,
    },
    /// `CreateMutex` named `obj{name}` (the events' namespace).
    CreateMutex {
        actor: u8,
        name: Option<u8>,
        owner: bool,
        /// Inheritable (children made with inheritance get a handle: an owner that ends
        /// then abandons it to them, or a child that owns it is ended by its parent).
        #[serde(default)]
        inherit: bool,
    },
    /// `CreateSemaphore` with counts given as `LONG`s (0 or negative maxima included).
    CreateSemaphore {
        actor: u8,
        name: Option<u8>,
        initial: i8,
        maximum: i8,
    },
    /// `OpenEvent` (0), `OpenMutex` (1) or `OpenSemaphore` (2) of `obj{name}`, with
    /// `GENERIC_ALL` or only `SYNCHRONIZE`.
    Open {
        actor: u8,
        kind: u8,
        name: u8,
        full: bool,
    },
    SetEvent {
        actor: u8,
        h: HandleRef,
    },
    ReleaseMutex {
        actor: u8,
        h: HandleRef,
    },
    ReleaseSemaphore {
        actor: u8,
        h: HandleRef,
        count: i8,
    },
    /// `WaitForSingleObject(h, 0)`.
    Wait {
        actor: u8,
        h: HandleRef,
    },
    ResetEvent {
        actor: u8,
        h: HandleRef,
    },
    /// `WaitForMultipleObjects(n, hs, all, 0)`.
    WaitMany {
        actor: u8,
        hs: Vec<HandleRef>,
        all: bool,
    },
    /// `GetProcessId`, `GetThreadId` or `GetProcessIdOfThread` (by `which`, modulo 3).
    GetId {
        actor: u8,
        h: HandleRef,
        which: u8,
    },
    /// `GetExitCodeProcess`, or `GetExitCodeThread` when `thread`.
    GetExitCode {
        actor: u8,
        h: HandleRef,
        /// (Absent in cases saved before it existed: false.)
        #[serde(default)]
        thread: bool,
    },
    /// `SetEnvironmentVariable` of one of a few names (case variants, `=C:`, empty, `A=B`)
    /// to a value: deleted, empty, short, or 32,766 / 32,767 / 40,000 characters.
    SetEnv {
        actor: u8,
        name: u8,
        value: u8,
    },
    /// `ExpandEnvironmentStrings` of one of a few sources (references to the names `SetEnv`
    /// uses, text around them, a lone `%`) into a buffer of one of a few sizes.
    Expand {
        actor: u8,
        src: u8,
        size: u8,
    },
    /// `GetEnvironmentVariable` of one of those names with a buffer of `size` characters
    /// (0, small, or ample).
    GetEnv {
        actor: u8,
        name: u8,
        size: u8,
    },
    /// `ReadFile(h, len)`; a read that would wait becomes a `PeekNamedPipe`.
    Read {
        actor: u8,
        h: HandleRef,
        len: u8,
    },
    /// `WriteFile(h, len bytes)`.
    Write {
        actor: u8,
        h: HandleRef,
        len: u8,
    },
    /// `GetNamedPipeHandleState(h, &state, &instances, ...)` (the end's modes and its name's
    /// instance count), or `GetNamedPipeInfo` (end, type, sizes, maximum) when `info`.
    PipeState {
        actor: u8,
        h: HandleRef,
        /// (Absent in cases saved before it existed: false.)
        #[serde(default)]
        info: bool,
    },
    /// `PeekNamedPipe(h, buffer, size, ...)`: never removes data.
    Peek {
        actor: u8,
        h: HandleRef,
        /// Picks the buffer size (0, sizes that cut a message, one that takes all).
        #[serde(default)]
        size: u8,
    },
    /// `SetNamedPipeHandleState(h, PIPE_NOWAIT or PIPE_WAIT)` (or a refused mode).
    SetPipeMode {
        actor: u8,
        h: HandleRef,
        mode: u8,
    },
    /// `CreateNamedPipe(\\.\pipe\np{name}, PIPE_ACCESS_DUPLEX [| FILE_FLAG_FIRST_PIPE_INSTANCE],
    /// mode, max, out, in)`: `mode`'s low bits pick `PIPE_TYPE_MESSAGE`, `PIPE_READMODE_MESSAGE`
    /// and `PIPE_NOWAIT` (so the refused byte type with message read mode too); `max` 1, 2,
    /// unlimited or 0; quotas of 8 or 64 bytes each way.
    CreateNamedPipe {
        actor: u8,
        name: u8,
        mode: u8,
        max: u8,
        sizes: u8,
        first: bool,
    },
    /// A client `CreateFile` of `\\.\pipe\np{name}` with `GENERIC_READ | GENERIC_WRITE`,
    /// `GENERIC_READ` or `GENERIC_WRITE`.
    OpenPipe {
        actor: u8,
        name: u8,
        access: u8,
        inherit: bool,
    },
    /// `CreateMailslot` of one of three names (two spellings, sometimes no prefix: 123) with a
    /// size limit of 0 (any), 4, 16 or 64 bytes and a read timeout of 0.
    CreateMailslot {
        actor: u8,
        name: u8,
        max: u8,
        inherit: bool,
    },
    /// A client `CreateFile` of `\\.\mailslot\ms{name}` with `GENERIC_WRITE`, read and
    /// write, or only `GENERIC_READ`.
    OpenMailslot {
        actor: u8,
        name: u8,
        access: u8,
    },
    /// `GetMailslotInfo(h)`.
    MailslotInfo {
        actor: u8,
        h: HandleRef,
    },
    /// `ConnectNamedPipe(h, NULL)`.
    Connect {
        actor: u8,
        h: HandleRef,
    },
    /// `DisconnectNamedPipe(h)`.
    Disconnect {
        actor: u8,
        h: HandleRef,
    },
}

/// One reference-model operation.
pub fn ref_op() -> impl Strategy<Value = RefOp> {
    let actor = any::<u8>();
    prop_oneof![
        1 => Just(RefOp::Spawn),
        5 => (actor, proptest::option::of(0u8..3), any::<bool>(), any::<bool>()).prop_map(|(actor, name, inherit, manual)| RefOp::CreateEvent { actor, name, inherit, manual }),
        3 => (actor, any::<bool>(), 0u8..4).prop_map(|(actor, inherit, size)| RefOp::CreatePipe { actor, inherit, size }),
        5 => (actor, handle_ref()).prop_map(|(actor, h)| RefOp::Close { actor, h }),
        2 => (actor, handle_ref(), 0u8..4, 0u8..4).prop_map(|(actor, h, mask, flags)| RefOp::SetInformation { actor, h, mask, flags }),
        2 => (actor, prop_oneof![4 => handle_ref(), 1 => any::<bool>().prop_map(HandleRef::Pseudo)]).prop_map(|(actor, h)| RefOp::GetInformation { actor, h }),
        6 => (
            actor,
            prop_oneof![3 => Just(HandleRef::Pseudo(true)), 2 => handle_ref()],
            handle_ref(),
            prop_oneof![3 => Just(HandleRef::Pseudo(true)), 2 => handle_ref(), 1 => Just(HandleRef::Garbage(0))],
            0u8..8,
            any::<bool>(),
            any::<u8>()
        )
            .prop_map(|(actor, source_process, h, target_process, options, inherit, access)| RefOp::Duplicate { actor, source_process, h, target_process, options, inherit, access }),
        4 => (
            actor,
            any::<bool>(),
            proptest::option::weighted(0.3, proptest::collection::vec(prop_oneof![4 => handle_ref(), 1 => any::<bool>().prop_map(HandleRef::Pseudo)], 1..4)),
            proptest::bool::weighted(0.1)
        )
            .prop_map(|(actor, inherit, list, no_image)| RefOp::CreateProcess { actor, inherit, list, no_image }),
        2 => (actor, any::<u16>(), any::<bool>()).prop_map(|(actor, pid, terminate)| RefOp::OpenProcess { actor, pid, terminate }),
        1 => (actor, any::<u8>(), any::<bool>()).prop_map(|(actor, code, thread)| RefOp::ExitProcess { actor, code, thread }),
        1 => (actor, handle_ref(), any::<u8>()).prop_map(|(actor, h, code)| RefOp::Terminate { actor, h, code }),
        3 => (actor, proptest::option::of(0u8..3), any::<bool>(), any::<bool>()).prop_map(|(actor, name, owner, inherit)| RefOp::CreateMutex { actor, name, owner, inherit }),
        3 => (actor, proptest::option::of(0u8..3), -1i8..4, -1i8..4).prop_map(|(actor, name, initial, maximum)| RefOp::CreateSemaphore { actor, name, initial, maximum }),
        2 => (actor, 0u8..3, 0u8..4, any::<bool>()).prop_map(|(actor, kind, name, full)| RefOp::Open { actor, kind, name, full }),
        2 => (actor, sync_ref()).prop_map(|(actor, h)| RefOp::SetEvent { actor, h }),
        3 => (actor, sync_ref()).prop_map(|(actor, h)| RefOp::ReleaseMutex { actor, h }),
        3 => (actor, sync_ref(), -1i8..4).prop_map(|(actor, h, count)| RefOp::ReleaseSemaphore { actor, h, count }),
        5 => (actor, prop_oneof![4 => sync_ref(), 1 => Just(HandleRef::Pseudo(true))]).prop_map(|(actor, h)| RefOp::Wait { actor, h }),
        2 => (actor, sync_ref()).prop_map(|(actor, h)| RefOp::ResetEvent { actor, h }),
        3 => (actor, proptest::collection::vec(prop_oneof![4 => sync_ref(), 1 => any::<bool>().prop_map(HandleRef::Pseudo)], 0..5), any::<bool>()).prop_map(|(actor, hs, all)| RefOp::WaitMany { actor, hs, all }),
        2 => (actor, prop_oneof![2 => handle_ref(), 2 => thread_ref(), 1 => any::<bool>().prop_map(HandleRef::Pseudo)], any::<u8>()).prop_map(|(actor, h, which)| RefOp::GetId { actor, h, which }),
        3 => (actor, any::<bool>(), any::<u16>(), prop_oneof![4 => handle_ref(), 1 => any::<bool>().prop_map(HandleRef::Pseudo)])
            .prop_map(|(actor, thread, i, h)| RefOp::GetExitCode { actor, h: if thread && i % 2 == 0 { HandleRef::Thread(i) } else { h }, thread }),
        2 => (actor, prop_oneof![4 => thread_ref(), 1 => Just(HandleRef::Pseudo(false))], any::<bool>(), proptest::bool::weighted(0.15)).prop_map(|(actor, h, resume, repeat)| RefOp::Suspend { actor, h, resume, repeat }),
        2 => (actor, any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(actor, name, max, inherit)| RefOp::CreateMailslot { actor, name, max, inherit }),
        3 => (actor, any::<u8>(), any::<u8>()).prop_map(|(actor, name, access)| RefOp::OpenMailslot { actor, name, access }),
        1 => (actor, handle_ref()).prop_map(|(actor, h)| RefOp::MailslotInfo { actor, h }),
        3 => (actor, any::<u8>(), any::<u8>()).prop_map(|(actor, name, value)| RefOp::SetEnv { actor, name, value }),
        3 => (actor, any::<u8>(), any::<u8>()).prop_map(|(actor, name, size)| RefOp::GetEnv { actor, name, size }),
        2 => (actor, any::<u8>(), any::<u8>()).prop_map(|(actor, src, size)| RefOp::Expand { actor, src, size }),
        7 => (actor, pipe_ref(), any::<u8>()).prop_map(|(actor, h, len)| RefOp::Read { actor, h, len }),
        7 => (actor, pipe_ref(), any::<u8>()).prop_map(|(actor, h, len)| RefOp::Write { actor, h, len }),
        2 => (actor, pipe_ref(), any::<u8>()).prop_map(|(actor, h, size)| RefOp::Peek { actor, h, size }),
        2 => (actor, pipe_ref(), any::<bool>()).prop_map(|(actor, h, info)| RefOp::PipeState { actor, h, info }),
        2 => (actor, pipe_ref(), any::<u8>()).prop_map(|(actor, h, mode)| RefOp::SetPipeMode { actor, h, mode }),
        // Message pipes in message read mode most often (ERROR_MORE_DATA needs one), and every
        // other combination, the refused byte type with message read mode included.
        5 => (actor, 0u8..2, prop_oneof![3 => Just(3u8), 2 => Just(7u8), 1 => Just(1u8), 1 => Just(0u8), 1 => Just(2u8), 1 => Just(4u8)], 0u8..4, 0u8..4, proptest::bool::weighted(0.1))
            .prop_map(|(actor, name, mode, max, sizes, first)| RefOp::CreateNamedPipe { actor, name, mode, max, sizes, first }),
        5 => (actor, 0u8..2, 0u8..4, any::<bool>()).prop_map(|(actor, name, access, inherit)| RefOp::OpenPipe { actor, name, access, inherit }),
        3 => (actor, pipe_ref()).prop_map(|(actor, h)| RefOp::Connect { actor, h }),
        2 => (actor, pipe_ref()).prop_map(|(actor, h)| RefOp::Disconnect { actor, h }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_saved_before_a_field_existed_still_load() {
        // A raw case (`.case.json`) holds its operations as serde wrote them then: a field
        // added later reads as its default.
        let op: RefOp = serde_json::from_str(r#"{"ExitProcess":{"actor":1,"code":3}}"#).unwrap();
        assert_eq!(
            op,
            RefOp::ExitProcess {
                actor: 1,
                code: 3,
                thread: false
            }
        );
        let op: RefOp = serde_json::from_str(r#"{"GetExitCode":{"actor":0,"h":{"Own":2}}}"#).unwrap();
        assert_eq!(
            op,
            RefOp::GetExitCode {
                actor: 0,
                h: HandleRef::Own(2),
                thread: false
            }
        );
    }
}
