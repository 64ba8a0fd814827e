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

/// Which runner a saved case replays with.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Runner {
    /// [`crate::run_reference`] over [`crate::RefOp`]s.
    Reference,
    /// [`crate::run_sequence`] over [`crate::Op`]s.
    Driver,
    /// An embedder's own runner: [`load_case`] gives the operations back.
    Other,
}

/// A failing case as saved beside its scenario: the raw operations, the seed the run
/// started from, and the runner that replays them ([`replay`]).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Case<T> {
    /// The property test's name.
    pub test: String,
    /// The proptest seed of the run that found it (`None`: a random seed).
    pub seed: Option<u64>,
    /// Who replays it.
    pub runner: Runner,
    /// The operations, shrunk.
    pub ops: Vec<T>,
}

/// A failure saved to disk: the typed failure, the scenario file (`kernsim check FILE` fails
/// on it until the bug is fixed), and the raw case ([`replay`]).
#[derive(Clone, Debug)]
pub struct SavedFailure {
    /// What failed.
    pub failure: PropertyFailure,
    /// The replay scenario.
    pub scenario: std::path::PathBuf,
    /// The raw operations with their seed.
    pub case: std::path::PathBuf,
}

impl fmt::Display for SavedFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\n--- saved: `kernsim check {}` fails until the bug is fixed; raw case: {} (kernsim_testkit::property::replay) ---",
            self.failure,
            self.scenario.display(),
            self.case.display()
        )
    }
}

impl std::error::Error for SavedFailure {}

/// Where failing cases are saved: `KERNSIM_REPLAY_DIR`, else `kernsim-replays` in the cargo
/// target directory (`CARGO_TARGET_DIR`, else `target`).
pub fn replay_dir() -> std::path::PathBuf {
    match std::env::var_os("KERNSIM_REPLAY_DIR") {
        Some(dir) => dir.into(),
        None => std::path::PathBuf::from(std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()))
            .join("kernsim-replays"),
    }
}

/// Runs a property test: `run` over cases drawn from `strategy` with proptest (shrinking on
/// failure). On failure the shrunk case is run once more for its typed failure and saved as
/// `<replay_dir>/<test>.json` (the scenario) and `<test>.case.json` (the raw case).
///
/// ```
/// use kernsim_testkit::{ops, property, run_reference};
/// use proptest::test_runner::Config;
/// let config = Config { cases: 4, ..Config::default() };
/// let strategy = proptest::collection::vec(ops::ref_op(), 1..20);
/// property::check("doc_example", property::Runner::Reference, config, strategy, |ops| run_reference(ops, None))
///     .unwrap();
/// ```
pub fn check<T, S>(
    test: &str,
    runner: Runner,
    config: proptest::test_runner::Config,
    strategy: S,
    run: impl Fn(&[T]) -> Result<usize, PropertyFailure>,
) -> Result<(), Box<SavedFailure>>
where
    S: proptest::strategy::Strategy<Value = Vec<T>>,
    T: serde::Serialize + fmt::Debug + Clone,
{
    use proptest::test_runner::{RngSeed, TestCaseError, TestError, TestRunner};
    let seed = match config.rng_seed {
        RngSeed::Fixed(seed) => Some(seed),
        _ => None,
    };
    let mut proptest = TestRunner::new(config);
    let outcome = proptest.run(&strategy, |ops| match run(&ops) {
        Ok(_) => Ok(()),
        Err(failure) => Err(TestCaseError::fail(failure.to_string())),
    });
    let (ops, reason) = match outcome {
        Ok(()) => return Ok(()),
        Err(TestError::Fail(reason, ops)) => (ops, reason.to_string()),
        Err(TestError::Abort(reason)) => (Vec::new(), reason.to_string()),
    };
    // Runs are deterministic, so the shrunk case fails again, with its typed failure.
    let failure = run(&ops).err().unwrap_or_else(|| PropertyFailure {
        property: Property::Custom("deterministic rerun"),
        step: 0,
        expected: "the shrunk case to fail again".into(),
        actual: reason,
        replay: String::new(),
    });
    let dir = replay_dir();
    let scenario = dir.join(format!("{test}.json"));
    let case_file = dir.join(format!("{test}.case.json"));
    let case = Case {
        test: test.to_string(),
        seed,
        runner,
        ops,
    };
    let saved = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&scenario, &failure.replay))
        .and_then(|()| std::fs::write(&case_file, serde_json::to_string_pretty(&case).unwrap_or_default()));
    if let Err(e) = saved {
        eprintln!("could not save the failing case in {}: {e}", dir.display());
    }
    Err(Box::new(SavedFailure {
        failure,
        scenario,
        case: case_file,
    }))
}

/// Why a saved case could not be replayed, or how it failed again.
#[derive(Clone, Debug)]
pub enum ReplayError {
    /// The file could not be read or is no case.
    Load(String),
    /// A case of [`Runner::Other`]: its embedder replays it ([`load_case`]).
    NotBuiltIn,
    /// It failed again.
    Failed(PropertyFailure),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Load(e) => write!(f, "cannot load the case: {e}"),
            ReplayError::NotBuiltIn => f.write_str("the case is an embedder's own: replay it with its runner"),
            ReplayError::Failed(failure) => write!(f, "{failure}"),
        }
    }
}

/// Loads a saved case's operations (for an embedder's own runner).
pub fn load_case<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<Case<T>, ReplayError> {
    let text = std::fs::read_to_string(path).map_err(|e| ReplayError::Load(format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| ReplayError::Load(format!("{}: {e}", path.display())))
}

/// Reruns a saved case (`<test>.case.json`) with its runner: `Ok` with the number of calls
/// or steps once the bug is fixed, [`ReplayError::Failed`] while it is not.
pub fn replay(path: &std::path::Path) -> Result<usize, ReplayError> {
    let case: Case<serde_json::Value> = load_case(path)?;
    let ops = serde_json::Value::Array(case.ops);
    let load = |e: serde_json::Error| ReplayError::Load(format!("{}: {e}", path.display()));
    match case.runner {
        Runner::Reference => {
            let ops: Vec<crate::RefOp> = serde_json::from_value(ops).map_err(load)?;
            crate::run_reference(&ops, None).map_err(ReplayError::Failed)
        }
        Runner::Driver => {
            let ops: Vec<crate::Op> = serde_json::from_value(ops).map_err(load)?;
            crate::run_sequence(&ops)
                .map(|d| d.steps())
                .map_err(ReplayError::Failed)
        }
        Runner::Other => Err(ReplayError::NotBuiltIn),
    }
}
