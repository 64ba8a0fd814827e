//! Named properties: every rule the property runs check, as a value that can be selected,
//! reported and matched by name (like stateright's `Property::always(name, f)`), the typed
//! failure a run returns, and [`Check`], a property of an embedder's own that the same
//! drivers run after every step.

use kernsim_kernel::{Call, Kernel, Win32Error};
use std::fmt;

/// Whether `call`, failing with `error`, may change state: the documented Windows exceptions
/// to "a failed call changes nothing" (ARCHITECTURE.md lists them with their sources).
///
/// * `DuplicateHandle` with `DUPLICATE_CLOSE_SOURCE` closes the source whatever the outcome
///   once the source process is valid (spec §4, rule 7);
/// * `CloseHandle` of a std-handle constant clears the std slot before the close fails
///   (spec §1.4);
/// * a message read in parts: `ReadFile`, `TransactNamedPipe` and `CallNamedPipe` failing
///   with `ERROR_MORE_DATA` deliver the first part and keep the rest (spec §6.6, §6.11);
/// * `ConnectNamedPipe` in `PIPE_NOWAIT` on a disconnected instance puts it back to
///   LISTENING, then fails with `ERROR_PIPE_LISTENING` (spec §6.3 table).
pub fn may_change_on_failure(call: &Call, error: Win32Error) -> bool {
    match call {
        Call::DuplicateHandle(a) => a.options & kernsim_kernel::consts::DUPLICATE_CLOSE_SOURCE != 0,
        Call::CloseHandle { handle } => handle.is_std_constant(),
        Call::ReadFile { .. } | Call::TransactNamedPipe { .. } | Call::CallNamedPipe { .. } => {
            error == Win32Error::MoreData
        }
        Call::ConnectNamedPipe { .. } => error == Win32Error::PipeListening,
        _ => false,
    }
}

/// A rule a property run checks.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// The kernel accepts every call the run makes (no `CallError`).
    KernelAccepts,
    /// Each call returns what the reference model predicts, with its last error, and parks or
    /// not as predicted.
    ReturnValue,
    /// The out-parameters the reference model predicts are the kernel's.
    Outputs,
    /// The parked calls a call completes are the ones the model predicts.
    Completions,
    /// Every handle table, every object's counts and the process ids are the model's.
    State,
    /// A failed call changes nothing (tables, counts, objects, environment), except where
    /// Windows itself changes something (`DUPLICATE_CLOSE_SOURCE` closes its source whatever
    /// the outcome: spec §4 rule 7).
    FailedCallChangesNothing,
    /// `Kernel::check_invariants` holds after every step (each of its rules by name in the
    /// failure's detail).
    Invariants,
    /// The per-step incremental check agrees with the full one.
    IncrementalCheck,
    /// The driver's promises about call results beyond the invariants (pipe data and message
    /// boundaries, broken pipes, inheritance, environment isolation, explanations).
    DriverPromises,
    /// Nothing is left once every process has ended.
    Teardown,
    /// An embedder's own check ([`Check`]), by its name.
    Custom(&'static str),
}

impl Property {
    /// Every built-in property.
    pub const ALL: &'static [Property] = &[
        Property::KernelAccepts,
        Property::ReturnValue,
        Property::Outputs,
        Property::Completions,
        Property::State,
        Property::FailedCallChangesNothing,
        Property::Invariants,
        Property::IncrementalCheck,
        Property::DriverPromises,
        Property::Teardown,
    ];

    /// Its name (`"return-value"`).
    pub fn name(self) -> &'static str {
        match self {
            Property::KernelAccepts => "kernel-accepts",
            Property::ReturnValue => "return-value",
            Property::Outputs => "outputs",
            Property::Completions => "completions",
            Property::State => "state",
            Property::FailedCallChangesNothing => "failed-call-changes-nothing",
            Property::Invariants => "invariants",
            Property::IncrementalCheck => "incremental-check",
            Property::DriverPromises => "driver-promises",
            Property::Teardown => "teardown",
            Property::Custom(name) => name,
        }
    }

    /// The built-in property with this name.
    pub fn from_name(name: &str) -> Option<Property> {
        Property::ALL.iter().copied().find(|p| p.name() == name)
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A property of an embedder's own: a name and a check of the kernel's state, run after
/// every step by [`crate::run_reference_with`] and [`crate::Driver::add_check`].
///
/// ```
/// use kernsim_testkit::{ops, run_reference_with, Check};
/// let few_processes = Check::always("at most 64 processes", |k| {
///     if k.process_ids().len() <= 64 { Ok(()) } else { Err("too many".into()) }
/// });
/// let ops = vec![kernsim_testkit::RefOp::Spawn; 3];
/// run_reference_with(&ops, None, &[few_processes]).unwrap();
/// ```
#[derive(Copy, Clone)]
pub struct Check {
    /// The property's name, as reported.
    pub name: &'static str,
    /// The check: `Err` says what is wrong.
    pub check: fn(&Kernel) -> Result<(), String>,
}

impl Check {
    /// A property that must hold after every step.
    pub const fn always(name: &'static str, check: fn(&Kernel) -> Result<(), String>) -> Check {
        Check { name, check }
    }
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Check({})", self.name)
    }
}

/// Why a property run failed: which property, at which step (1-based, in the saved
/// scenario's calls), what was expected and what the kernel did, and the case as a scenario
/// whose steps carry the expectations (so `kernsim check` on it fails until the bug is
/// fixed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertyFailure {
    /// The property that failed.
    pub property: Property,
    /// The call (1-based) after which it failed.
    pub step: usize,
    /// What the property expected.
    pub expected: String,
    /// What the kernel did.
    pub actual: String,
    /// The case as a scenario file.
    pub replay: String,
}

impl fmt::Display for PropertyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed at call {}: expected {}, the kernel gave {}\n--- replay with `kernsim run` ---\n{}",
            self.property, self.step, self.expected, self.actual, self.replay
        )
    }
}

impl std::error::Error for PropertyFailure {}

impl From<PropertyFailure> for proptest::test_runner::Reason {
    fn from(f: PropertyFailure) -> Self {
        f.to_string().into()
    }
}

impl From<PropertyFailure> for String {
    fn from(f: PropertyFailure) -> Self {
        f.to_string()
    }
}
