//! kernsim-kernel: a deterministic model of a Windows-style kernel's object bookkeeping.
//!
//! The module list below is a map of the code:
//!
//! * [`Kernel`] (`kernel/`): the machine. One entry point, [`Kernel::call`], runs a [`Call`]
//!   for a thread and returns a Win32-shaped [`CallResult`] (or parks the thread). Submodules:
//!   handle calls and bookkeeping (`kernel/mod.rs`), processes and threads (`process.rs`),
//!   `DuplicateHandle` (`dup.rs`), events, waits, parking and the clock (`sync.rs`), pipes
//!   (`pipe.rs`), mailslots (`mailslot.rs`), files and `CreateFile` (`file.rs`).
//! * [`call`]: the [`Call`] enum, one variant per Win32 function (serde-tagged).
//! * [`result`]: [`CallResult`], [`Ret`], [`Outputs`], [`CallOutcome`], [`Completion`].
//! * [`error`]: [`Win32Error`], real Win32 numbers shown by name.
//! * [`handle`]: [`HandleValue`] and the per-process [`HandleTable`].
//! * [`ids`]: [`Pid`], [`Tid`] and objects' display [`Address`]es.
//! * `object` (private): object header and bodies; [`ObjectKind`], [`PipeState`] and
//!   [`ProcessEntry`] are re-exported.
//! * [`env`](mod@env): environment-block rules (pure functions).
//! * [`event`]: the event log ([`Event`]).
//! * [`snapshot`]: serializable views ([`Snapshot`]).
//! * [`invariants`] holds [`Kernel::check_invariants`].
//! * [`consts`]: Win32 constants and their names.
//!
//! The model does no I/O, reads no clock and draws no random numbers: the same calls give the
//! same state, log and results on every run.
//!
//! ```
//! use kernsim_kernel::{Call, Kernel, HandleValue, Ret};
//!
//! let mut k = Kernel::new();
//! let (_pid, tid) = k.spawn("parent.exe", "", vec![]);
//! let created = k.call(tid, &Call::CreateEvent {
//!     event_attributes: None, manual_reset: true, initial_state: false, name: None,
//! }).unwrap();
//! let event = created.result().unwrap().ret;
//! assert_eq!(event, Ret::Handle(HandleValue(4)));
//! k.check_invariants().unwrap();
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Call results carry their out-parameters inline; boxing them would allocate on every call in
// the hot path, and each result is moved only once or twice.
#![allow(clippy::result_large_err, clippy::large_enum_variant)]

pub mod api;
pub mod call;
pub mod case;
pub mod codepage;
pub mod consts;
pub mod env;
pub mod error;
pub mod event;
pub mod explain;
pub mod handle;
pub mod ids;
pub mod invariants;
mod kernel;
mod object;
pub mod result;
pub mod snapshot;
#[cfg(feature = "test-hooks")]
pub mod tamper;

pub use api::{CallFailure, ProcessInfo, ThreadCalls};
pub use call::{
    ArgMut, ArgSeg, Args, Call, CallName, CreateFileArgs, CreateNamedPipeArgs, CreateProcessArgs, Data,
    DuplicateHandleArgs, SecurityAttributes,
};
pub use codepage::CodePage;
pub use error::Win32Error;
pub use event::{Event, Flow, Why};
pub use explain::{Alive, Blocked, Holder, LeakedRow, Leaks, Release, ReleaseBy};
pub use handle::{HandleEntry, HandleFlags, HandleTable, HandleValue, Origin, Provenance};
pub use ids::{Address, Pid, Tid};
pub use invariants::{IncrementalCheck, Violation};
pub use kernel::{
    Deadlock, DeadlockedThread, FileSystemEntry, Kernel, NamedPipe, ObjectTag, WaitReason, SYSTEM_PROCESS_ID,
};
pub use object::{ObjectKind, PipeState, ProcessEntry};
pub use result::{CallError, CallOutcome, CallResult, Completion, HandleOwner, OutputField, OutputValue, Outputs, Ret};
pub use snapshot::{Detail, NameView, ObjectView, ParkedView, ProcessView, RowView, Snapshot, ThreadView};
#[cfg(test)]
mod tests;

/// The crate README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
