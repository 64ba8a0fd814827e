//! Property testing over real [`Call`] values: an embedder describes a call mix ([`CallMix`]:
//! weighted functions that build a `Call` from what exists, through [`Operands`]), proptest
//! draws a script of [`Drawn`] steps ([`script`]), and [`run_calls`] turns each step into a
//! real `Call` against the live kernel (operands drawn from its rows, processes, names and pipe
//! ends), runs it through `Kernel::call`, and checks the invariants and the embedder's own
//! [`Check`]s after every call. A failure is a [`PropertyFailure`] whose replay is a scenario
//! of the very calls made.
//!
//! A step holds only small numbers (which maker, which process, the operand choices), so it
//! shrinks well: proptest drives choices toward 0, that is toward the first row, the first
//! process and the first name.
//!
//! ```
//! use kernsim_kernel::{Call, HandleValue};
//! use kernsim_testkit::calls::{run_calls, script, CallMix, Operands};
//! use proptest::test_runner::{Config, TestRunner};
//!
//! // An embedder's own mix: events and closes only.
//! fn create(o: &mut Operands<'_>) -> Call {
//!     Call::CreateEvent { event_attributes: None, manual_reset: o.flag(), initial_state: false, name: o.maybe_name() }
//! }
//! fn close(o: &mut Operands<'_>) -> Call {
//!     Call::CloseHandle { handle: o.handle() }
//! }
//! let mix = CallMix::new().with(3, create).with(2, close);
//! let mut runner = TestRunner::new(Config { cases: 8, ..Config::default() });
//! runner
//!     .run(&script(&mix, 1..30), |steps| {
//!         run_calls(&mix, &steps, &[]).map_err(|f| proptest::test_runner::TestCaseError::fail(f.to_string()))?;
//!         Ok(())
//!     })
//!     .unwrap();
//! ```

use crate::property::{Check, Property, PropertyFailure};
use crate::record::{call_or_record_panic, Record, Recorder};
use kernsim_kernel::consts::*;
use kernsim_kernel::{
    Call, CallError, CreateProcessArgs, Data, DuplicateHandleArgs, HandleValue, Kernel, ObjectKind, Pid,
    SecurityAttributes, Tid,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use std::ops::{Range, RangeInclusive};

/// How many operand choices a step carries (a maker that asks for more gets zeros).
pub const CHOICES: usize = 16;

/// Names the standard mix and [`Operands::name`] draw from, so that names collide.
pub const NAMES: [&str; 4] = ["alpha", "beta", "Alpha", "gamma"];

/// One drawn step: which maker of the mix, which live process calls (modulo), and the raw
/// choices its operands are drawn with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawn {
    /// The maker (modulo the mix's length, weights already applied).
    pub maker: u16,
    /// The calling process (modulo the live processes).
    pub by: u16,
    /// Operand choices, consumed in order.
    pub choices: [u32; CHOICES],
}

/// What exists when a call is made, and the step's choices to pick from it.
pub struct Operands<'k> {
    kernel: &'k Kernel,
    caller: Pid,
    choices: [u32; CHOICES],
    next: usize,
}

impl<'k> Operands<'k> {
    /// Operands for a call by `caller`, drawn with `choices`.
    pub fn new(kernel: &'k Kernel, caller: Pid, choices: [u32; CHOICES]) -> Self {
        Operands {
            kernel,
            caller,
            choices,
            next: 0,
        }
    }

    /// The kernel as it is before the call.
    pub fn kernel(&self) -> &Kernel {
        self.kernel
    }

    /// The calling process.
    pub fn caller(&self) -> Pid {
        self.caller
    }

    /// The next raw choice (0 once the step's choices are used up).
    pub fn choice(&mut self) -> u32 {
        let c = self.choices.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        c
    }

    /// A choice below `n` (0 when `n` is 0).
    pub fn pick(&mut self, n: usize) -> usize {
        match n {
            0 => {
                self.choice();
                0
            }
            n => self.choice() as usize % n,
        }
    }

    /// A number in `range`.
    pub fn number(&mut self, range: RangeInclusive<u32>) -> u32 {
        let span = u64::from(range.end() - range.start()) + 1;
        range.start() + (u64::from(self.choice()) % span) as u32
    }

    /// A boolean.
    pub fn flag(&mut self) -> bool {
        self.choice() % 2 == 1
    }

    /// One of [`NAMES`].
    pub fn name(&mut self) -> String {
        NAMES[self.pick(NAMES.len())].to_string()
    }

    /// No name half the time, else one of [`NAMES`].
    pub fn maybe_name(&mut self) -> Option<String> {
        if self.flag() {
            Some(self.name())
        } else {
            None
        }
    }

    /// A handle as real callers pass one: mostly one of the caller's rows (the first ones
    /// when choices are small), sometimes the same row with tag bits set, a pseudo handle, a
    /// row of another process, or an arbitrary value.
    pub fn handle(&mut self) -> HandleValue {
        self.handle_where(|_| true)
    }

    /// A handle to an object of `kind` when the caller has one, else as [`Operands::handle`].
    pub fn handle_of(&mut self, kind: ObjectKind) -> HandleValue {
        self.handle_where(|k| k == kind)
    }

    fn handle_where(&mut self, wanted: impl Fn(ObjectKind) -> bool) -> HandleValue {
        let how = self.choice() % 16;
        let which = self.choice() as usize;
        let rows = |pid: Pid| -> Vec<(HandleValue, ObjectKind)> {
            self.kernel
                .process_view(pid)
                .map(|v| v.handles.iter().map(|r| (r.handle, r.kind)).collect())
                .unwrap_or_default()
        };
        let own = rows(self.caller);
        let fitting: Vec<HandleValue> = own.iter().filter(|(_, k)| wanted(*k)).map(|&(h, _)| h).collect();
        let pool = if fitting.is_empty() {
            own.iter().map(|&(h, _)| h).collect()
        } else {
            fitting
        };
        match how {
            0 => HandleValue::CURRENT_PROCESS,
            1 => HandleValue::CURRENT_THREAD,
            2 => HandleValue(which as u32),
            3 => {
                let others: Vec<Pid> = self
                    .kernel
                    .process_ids()
                    .into_iter()
                    .filter(|&p| p != self.caller)
                    .collect();
                match others.get(which % others.len().max(1)).map(|&p| rows(p)) {
                    Some(r) if !r.is_empty() => r[which % r.len()].0,
                    _ => HandleValue(which as u32),
                }
            }
            _ if pool.is_empty() => HandleValue(4 * (which as u32 % 8 + 1)),
            4 | 5 => HandleValue(pool[which % pool.len()].0 | (how - 3)),
            _ => pool[which % pool.len()],
        }
    }

    /// A handle to a process: one of the caller's rows to a process object when it has any
    /// (three times in four), else -1; now and then any handle.
    pub fn process_handle(&mut self) -> HandleValue {
        let how = self.pick(8);
        let which = self.choice() as usize;
        let processes: Vec<HandleValue> = self
            .kernel
            .process_view(self.caller)
            .map(|v| {
                v.handles
                    .iter()
                    .filter(|r| r.kind == ObjectKind::Process)
                    .map(|r| r.handle)
                    .collect()
            })
            .unwrap_or_default();
        match how {
            0 => self.handle(),
            1 | 2 => HandleValue::CURRENT_PROCESS,
            _ if processes.is_empty() => HandleValue::CURRENT_PROCESS,
            _ => processes[which % processes.len()],
        }
    }

    /// A live process (the caller when there is no other).
    pub fn process(&mut self) -> Pid {
        let pids = self.kernel.process_ids();
        pids.get(self.pick(pids.len())).copied().unwrap_or(self.caller)
    }
}

/// Builds one call from what exists.
pub type CallMaker = fn(&mut Operands<'_>) -> Call;

/// An embedder's call mix: weighted call makers.
#[derive(Clone, Default)]
pub struct CallMix {
    /// Each maker repeated by its weight (so a drawn index is a weighted choice).
    slots: Vec<CallMaker>,
}

impl CallMix {
    /// An empty mix.
    pub fn new() -> Self {
        CallMix::default()
    }

    /// Adds `maker` with `weight` (its share of the drawn calls).
    pub fn with(mut self, weight: u16, maker: CallMaker) -> Self {
        self.slots.extend(std::iter::repeat_n(maker, usize::from(weight)));
        self
    }

    /// How many weighted slots the mix has.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when the mix has no maker.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The handle, event, pipe, process and environment calls, with operands as real callers
    /// pass them (tagged and pseudo handles, reduced access, names that collide).
    pub fn standard() -> Self {
        CallMix::new()
            .with(4, |o| Call::CreateEvent {
                event_attributes: Some(SecurityAttributes {
                    inherit_handle: o.flag(),
                }),
                manual_reset: o.flag(),
                initial_state: o.flag(),
                name: o.maybe_name(),
            })
            .with(2, |o| Call::OpenEvent {
                desired_access: [EVENT_ALL_ACCESS, SYNCHRONIZE, EVENT_MODIFY_STATE][o.pick(3)],
                inherit_handle: o.flag(),
                name: o.name(),
            })
            .with(2, |o| {
                let event = o.handle_of(ObjectKind::Event);
                if o.flag() {
                    Call::SetEvent { event }
                } else {
                    Call::ResetEvent { event }
                }
            })
            .with(4, |o| Call::CloseHandle { handle: o.handle() })
            .with(4, |o| {
                let source_process_handle = o.process_handle();
                let source_handle = o.handle();
                let target_process_handle = o.process_handle();
                Call::DuplicateHandle(DuplicateHandleArgs {
                    source_process_handle,
                    source_handle,
                    target_process_handle,
                    null_target_handle: o.pick(8) == 0,
                    desired_access: [0, SYNCHRONIZE, EVENT_MODIFY_STATE, GENERIC_READ][o.pick(4)],
                    inherit_handle: o.flag(),
                    options: [
                        DUPLICATE_SAME_ACCESS,
                        0,
                        DUPLICATE_CLOSE_SOURCE,
                        DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE,
                    ][o.pick(4)],
                })
            })
            .with(1, |o| Call::GetHandleInformation { handle: o.handle() })
            .with(1, |o| Call::SetHandleInformation {
                handle: o.handle(),
                mask: o.number(0..=3),
                flags: o.number(0..=3),
            })
            .with(2, |o| Call::CreatePipe {
                pipe_attributes: Some(SecurityAttributes {
                    inherit_handle: o.flag(),
                }),
                size: o.number(0..=64),
            })
            .with(2, |o| Call::WriteFile {
                file: o.handle_of(ObjectKind::Pipe),
                data: Data(vec![b'x'; o.number(0..=48) as usize]),
                null_buffer: false,
            })
            .with(2, |o| Call::ReadFile {
                file: o.handle_of(ObjectKind::Pipe),
                bytes_to_read: o.number(0..=48),
                null_buffer: false,
            })
            .with(2, |o| Call::WaitForSingleObject {
                handle: o.handle(),
                milliseconds: 0,
            })
            .with(2, |o| {
                Call::CreateProcess(Box::new(CreateProcessArgs {
                    command_line: Some("child.exe".into()),
                    inherit_handles: o.flag(),
                    ..Default::default()
                }))
            })
            .with(1, |o| Call::ExitProcess {
                exit_code: o.number(0..=3),
            })
            .with(1, |o| Call::SetEnvironmentVariable {
                name: o.name(),
                value: if o.flag() { Some("v".into()) } else { None },
            })
            .with(1, |o| Call::GetEnvironmentVariable {
                name: o.name(),
                size: o.number(0..=8),
                null_buffer: false,
            })
    }
}

/// A strategy over scripts of `len` drawn steps.
pub fn script(mix: &CallMix, len: Range<usize>) -> impl Strategy<Value = Vec<Drawn>> {
    let makers = mix.len().max(1) as u16;
    let step = (0..makers, any::<u16>(), any::<[u32; CHOICES]>()).prop_map(|(maker, by, choices)| Drawn {
        maker,
        by,
        choices,
    });
    proptest::collection::vec(step, len)
}

/// Runs `script` with `mix` on a fresh kernel with two processes (`a.exe`, `b.exe`): each
/// step becomes a real `Call` by a runnable thread of the chosen live process; after every
/// call the invariants and every check in `checks` must hold. Steps whose process has no
/// runnable thread are skipped. `Ok` gives the calls made.
pub fn run_calls(mix: &CallMix, script: &[Drawn], checks: &[Check]) -> Result<Vec<(Tid, Call)>, PropertyFailure> {
    run_calls_on(Kernel::new, mix, script, checks)
}

/// [`run_calls`] on a kernel made by `make` (a kernel with bugs switched on, in tests of the
/// tests).
pub fn run_calls_on(
    make: fn() -> Kernel,
    mix: &CallMix,
    script: &[Drawn],
    checks: &[Check],
) -> Result<Vec<(Tid, Call)>, PropertyFailure> {
    let mut kernel = make();
    kernel.set_event_log(false);
    let mut record = Recorder::default();
    for image in ["a.exe", "b.exe"] {
        let (pid, tid) = kernel.spawn(image, "", vec![]);
        record.push(Record::Start {
            pid,
            tid,
            image: image.into(),
            environment: vec![],
        });
    }
    let mut made = Vec::new();
    for step in script {
        if mix.is_empty() {
            break;
        }
        let running: Vec<Pid> = kernel
            .process_ids()
            .into_iter()
            .filter(|&p| kernel.is_running(p))
            .collect();
        let Some(&pid) = running.get(usize::from(step.by) % running.len().max(1)) else {
            break;
        };
        let call = (mix.slots[usize::from(step.maker) % mix.len()])(&mut Operands::new(&kernel, pid, step.choices));
        let threads = kernel.process_view(pid).map(|v| v.threads).unwrap_or_default();
        let mut outcome = None;
        for tid in threads {
            let called = call_or_record_panic(&mut kernel, pid, tid, &call, &mut record).map_err(|message| {
                failure(
                    Property::KernelAccepts,
                    made.len() + 1,
                    "the call to return or park",
                    format!("the kernel panicked on {}: {message}", call.name()),
                    &record,
                )
            })?;
            match called {
                Err(CallError::ThreadParked { .. } | CallError::ThreadSuspended(_)) => continue,
                Err(e) => {
                    return Err(failure(
                        Property::KernelAccepts,
                        made.len() + 1,
                        "a runnable thread's call to run",
                        format!("{e:?}"),
                        &record,
                    ));
                }
                Ok(o) => {
                    outcome = Some((tid, o));
                    break;
                }
            }
        }
        let Some((tid, outcome)) = outcome else { continue };
        record.push(Record::Call {
            pid,
            tid,
            call: call.clone(),
            outcome: outcome.clone(),
        });
        made.push((tid, call));
        let step_no = made.len();
        if let Err(v) = kernel.check_invariants() {
            let found: Vec<String> = v.iter().map(|v| format!("{}: {}", v.rule, v.detail)).collect();
            return Err(failure(
                Property::Invariants,
                step_no,
                "every invariant to hold",
                found.join("; "),
                &record,
            ));
        }
        for c in checks {
            if let Err(detail) = (c.check)(&kernel) {
                return Err(failure(Property::Custom(c.name), step_no, c.name, detail, &record));
            }
        }
    }
    Ok(made)
}

fn failure(property: Property, step: usize, expected: &str, actual: String, record: &Recorder) -> PropertyFailure {
    let mut record = record.clone();
    record.push(Record::Note(format!("{property} failed here: {actual}")));
    PropertyFailure {
        property,
        step,
        expected: expected.to_string(),
        actual,
        replay: record.scenario_json("a failing sequence of real calls"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_becomes_the_same_call_on_the_same_world() {
        let mut k = Kernel::new();
        let (pid, tid) = k.spawn("a.exe", "", vec![]);
        k.by(tid).create_event(true, false, Some("alpha")).unwrap();
        let choices = [5, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
        let mix = CallMix::standard();
        for maker in &mix.slots {
            let first = maker(&mut Operands::new(&k, pid, choices));
            let again = maker(&mut Operands::new(&k, pid, choices));
            assert_eq!(first, again);
        }
    }

    #[test]
    fn small_choices_pick_the_callers_first_row() {
        let mut k = Kernel::new();
        let (pid, tid) = k.spawn("a.exe", "", vec![]);
        let h = k.by(tid).create_event(true, false, None).unwrap();
        let mut o = Operands::new(&k, pid, [15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(o.handle(), h);
        let mut tagged = Operands::new(&k, pid, [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(tagged.handle(), HandleValue(h.0 | 2), "the same row with tag bits");
    }
}
