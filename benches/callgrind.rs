//! Instruction counts of kernsim's hot paths under callgrind (gungraun): each benchmark runs
//! `PAIRS` operations through the one checked entry point, `Kernel::call`, so a figure divided
//! by `PAIRS` is the cost of one pair. Run: `tools/callgrind-bench` (installs the matching
//! `gungraun-runner`, then `cargo bench --bench callgrind`). Setup is not counted.

use gungraun::{library_benchmark, library_benchmark_group, main};
use kernsim::kernel::consts::*;
use kernsim::kernel::*;
use kernsim::scenario::{self, Discard, RunOptions, Scenario};
use kernsim_testkit::workload::{
    self, close_in, duplicate, handle_of, inheriting_parent, message_ping_pong, parent_and_child, pipe_round_trip,
    EVENT,
};
use std::hint::black_box;

/// Operations (pairs, round trips, steps) per benchmark: the reported count divided by this
/// is the cost of one.
const PAIRS: usize = 1000;

/// A call that must return at once, straight through `Kernel::call`.
fn done(k: &mut Kernel, tid: Tid, call: &Call) -> CallResult {
    match k.call(tid, call) {
        Ok(CallOutcome::Done(r)) => r,
        other => panic!("{} did not return: {other:?}", call.name()),
    }
}

fn world() -> (Kernel, Tid) {
    workload::world("bench.exe")
}

/// A world and two calls to run in turn.
struct Pair {
    k: Kernel,
    tid: Tid,
    first: Call,
    second: fn(&CallResult) -> Call,
}

fn run_pairs(mut p: Pair) -> Kernel {
    for _ in 0..PAIRS {
        let r = done(&mut p.k, p.tid, &p.first);
        black_box(done(&mut p.k, p.tid, &(p.second)(&r)));
    }
    p.k
}

fn close_it(r: &CallResult) -> Call {
    Call::CloseHandle { handle: handle_of(r) }
}

fn create_close() -> Pair {
    let (k, tid) = world();
    Pair {
        k,
        tid,
        first: EVENT,
        second: close_it,
    }
}

fn duplicate_close() -> Pair {
    let (mut k, tid) = world();
    let e = handle_of(&done(&mut k, tid, &EVENT));
    Pair {
        k,
        tid,
        first: duplicate(e, HandleValue::CURRENT_PROCESS, false),
        second: close_it,
    }
}

fn open_close() -> Pair {
    let (mut k, tid) = world();
    done(
        &mut k,
        tid,
        &Call::CreateEvent {
            event_attributes: None,
            manual_reset: true,
            initial_state: false,
            name: Some("bench-event".into()),
        },
    );
    Pair {
        k,
        tid,
        first: Call::OpenEvent {
            desired_access: EVENT_ALL_ACCESS,
            inherit_handle: false,
            name: "bench-event".into(),
        },
        second: close_it,
    }
}

fn create_close_beside_sleepers() -> Pair {
    beside_parked(&Call::Sleep { milliseconds: INFINITE })
}

fn create_close_beside_waiters() -> Pair {
    // Handle 4: the event the first call below makes, never signaled.
    beside_parked(&Call::WaitForSingleObject {
        handle: HandleValue(4),
        milliseconds: INFINITE,
    })
}

/// Creates `n` more threads of `tid`'s process and parks the i-th in the call `parking`
/// makes for it (which may first set things up as that thread).
fn park_threads(k: &mut Kernel, tid: Tid, n: u32, mut parking: impl FnMut(&mut Kernel, Tid, u32) -> Call) {
    for i in 0..n {
        let r = done(
            k,
            tid,
            &Call::CreateThread {
                thread_attributes: None,
                creation_flags: 0,
            },
        );
        let thread = Tid(r.outputs().thread_id.expect("a thread id"));
        let call = parking(k, thread, i);
        let parked = k.call(thread, &call);
        assert!(
            matches!(parked, Ok(CallOutcome::Pending { .. })),
            "{} parks",
            call.name()
        );
    }
}

/// A world where 1,000 more threads of the process are parked in `parking`.
fn beside_parked(parking: &Call) -> Pair {
    let (mut k, tid) = world();
    done(&mut k, tid, &EVENT);
    park_threads(&mut k, tid, 1000, |_, _, _| parking.clone());
    Pair {
        k,
        tid,
        first: EVENT,
        second: close_it,
    }
}

// CreateEvent + CloseHandle.
#[library_benchmark]
#[bench::create_event_close_handle(setup = create_close)]
#[bench::create_event_close_handle_beside_1000_sleepers(setup = create_close_beside_sleepers)]
#[bench::create_event_close_handle_beside_1000_waiters(setup = create_close_beside_waiters)]
#[bench::duplicate_handle_close_handle(setup = duplicate_close)]
#[bench::open_event_close_handle(setup = open_close)]
fn pairs(p: Pair) -> Kernel {
    run_pairs(p)
}

// DuplicateHandle into another process + DuplicateHandle(DUPLICATE_CLOSE_SOURCE) from it.
#[library_benchmark]
#[bench::duplicate_cross_process(setup = parent_and_child)]
fn cross((mut k, tid, into_child, child): (Kernel, Tid, Call, HandleValue)) -> Kernel {
    for _ in 0..PAIRS {
        let v = handle_of(&done(&mut k, tid, &into_child));
        black_box(done(&mut k, tid, &close_in(child, v)));
    }
    k
}

/// An anonymous pipe and a write and a read of `chunk` bytes.
fn pipe_setup(chunk: u32) -> (Kernel, Tid, Call, Call) {
    let (mut k, tid) = world();
    let (write, read) = pipe_round_trip(&mut k, tid, chunk);
    (k, tid, write, read)
}

/// The same beside 1,000 threads of the process parked reading pipes of their own.
fn pipe_beside_readers(chunk: u32) -> (Kernel, Tid, Call, Call) {
    let (mut k, tid) = world();
    park_threads(&mut k, tid, 1000, |k, reader, _| pipe_round_trip(k, reader, 16).1);
    let (write, read) = pipe_round_trip(&mut k, tid, chunk);
    (k, tid, write, read)
}

// WriteFile + ReadFile of one chunk through an anonymous pipe (two copies of the bytes).
#[library_benchmark]
#[bench::pipe_4k(args = (4096), setup = pipe_setup)]
#[bench::pipe_64k(args = (65536), setup = pipe_setup)]
#[bench::pipe_4k_beside_1000_parked_readers(args = (4096), setup = pipe_beside_readers)]
fn pipe((mut k, tid, write, read): (Kernel, Tid, Call, Call)) -> Kernel {
    for _ in 0..PAIRS {
        done(&mut k, tid, &write);
        black_box(done(&mut k, tid, &read));
    }
    k
}

/// The baseline for the pipe: the same bytes copied twice, as the pipe must.
fn copy_setup(chunk: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    (vec![0x5a; chunk], vec![0; chunk], vec![0; chunk])
}

// Two copies of a chunk (the floor under a pipe round trip).
#[library_benchmark]
#[bench::copies_4k(args = (4096), setup = copy_setup)]
#[bench::copies_64k(args = (65536), setup = copy_setup)]
fn two_copies((source, mut middle, mut dest): (Vec<u8>, Vec<u8>, Vec<u8>)) -> Vec<u8> {
    for _ in 0..PAIRS {
        middle.copy_from_slice(black_box(&source));
        dest.copy_from_slice(black_box(&middle));
    }
    dest
}

// One message each way: client write, server read, server write, client read.
#[library_benchmark]
#[bench::named_pipe_message_round_trip(setup = message_ping_pong)]
fn message((mut k, server, client, [ping, serve, pong, answer]): (Kernel, Tid, Tid, [Call; 4])) -> Kernel {
    for _ in 0..PAIRS {
        done(&mut k, client, &ping);
        done(&mut k, server, &serve);
        done(&mut k, server, &pong);
        black_box(done(&mut k, client, &answer));
    }
    k
}

// CreateProcess (bInheritHandles) + the child's ExitProcess + WaitForSingleObject + two
// CloseHandle; a tenth of `PAIRS` rounds (a round is five calls and a process).
#[library_benchmark]
#[bench::create_process_0_rows(args = (0, 0), setup = inheriting_parent)]
#[bench::create_process_10000_rows_0_inheritable(args = (10_000, 0), setup = inheriting_parent)]
#[bench::create_process_10000_rows_100_inheritable(args = (10_000, 100), setup = inheriting_parent)]
fn create_process((mut k, tid, create): (Kernel, Tid, Call)) -> Kernel {
    for _ in 0..PAIRS / 10 {
        let r = done(&mut k, tid, &create);
        let o = r.outputs();
        let (hp, ht) = (o.process_handle.unwrap(), o.thread_handle.unwrap());
        let child = Tid(o.thread_id.unwrap());
        black_box(k.call(child, &Call::ExitProcess { exit_code: 0 }).unwrap());
        black_box(done(
            &mut k,
            tid,
            &Call::WaitForSingleObject {
                handle: hp,
                milliseconds: 0,
            },
        ));
        done(&mut k, tid, &Call::CloseHandle { handle: hp });
        done(&mut k, tid, &Call::CloseHandle { handle: ht });
    }
    k
}

/// A signaled manual-reset event.
fn signaled() -> (Kernel, Tid, Call) {
    let (mut k, tid) = world();
    let h = handle_of(&done(
        &mut k,
        tid,
        &Call::CreateEvent {
            event_attributes: None,
            manual_reset: true,
            initial_state: true,
            name: None,
        },
    ));
    (
        k,
        tid,
        Call::WaitForSingleObject {
            handle: h,
            milliseconds: 0,
        },
    )
}

// WaitForSingleObject on a signaled event (satisfied at once).
#[library_benchmark]
#[bench::wait_signaled_event(setup = signaled)]
fn wait((mut k, tid, wait): (Kernel, Tid, Call)) -> Kernel {
    for _ in 0..PAIRS {
        black_box(done(&mut k, tid, &wait));
    }
    k
}

/// 1,000 threads of the process parked in `WaitForSingleObject(INFINITE)` on a manual-reset
/// event that is not signaled, and a second event nobody waits on: (kernel, the main thread,
/// the waited event, the other event).
fn waited_world(timeouts: bool) -> (Kernel, Tid, HandleValue, HandleValue) {
    let (mut k, tid) = world();
    let manual = Call::CreateEvent {
        event_attributes: None,
        manual_reset: true,
        initial_state: false,
        name: None,
    };
    let waited = handle_of(&done(&mut k, tid, &manual));
    let other = handle_of(&done(&mut k, tid, &manual));
    park_threads(&mut k, tid, 1000, |_, _, i| Call::WaitForSingleObject {
        handle: waited,
        milliseconds: if timeouts { 1 + i } else { INFINITE },
    });
    (k, tid, waited, other)
}

fn waiters_forever() -> (Kernel, Tid, HandleValue, HandleValue) {
    waited_world(false)
}

// SetEvent + ResetEvent of an event nobody waits on, beside 1,000 threads waiting on another.
#[library_benchmark]
#[bench::set_reset_event_beside_1000_waiters(setup = waiters_forever)]
fn signal_beside((mut k, tid, _, other): (Kernel, Tid, HandleValue, HandleValue)) -> Kernel {
    for _ in 0..PAIRS {
        black_box(done(&mut k, tid, &Call::SetEvent { event: other }));
        black_box(done(&mut k, tid, &Call::ResetEvent { event: other }));
    }
    k
}

// One SetEvent that wakes 1,000 waiters of a manual-reset event (divide by 1,000: per waiter).
#[library_benchmark]
#[bench::set_event_waking_1000_waiters(setup = waiters_forever)]
fn wake_all((mut k, tid, waited, _): (Kernel, Tid, HandleValue, HandleValue)) -> Kernel {
    black_box(done(&mut k, tid, &Call::SetEvent { event: waited }));
    assert_eq!(k.take_completions().len(), 1000);
    k
}

fn waiters_timing_out() -> (Kernel, Tid, HandleValue, HandleValue) {
    waited_world(true)
}

// advance_time past 1,000 waits timing out at 1, 2, ..., 1,000 ms (divide by 1,000: per timeout).
#[library_benchmark]
#[bench::advance_time_past_1000_timeouts(setup = waiters_timing_out)]
fn time_out((mut k, _, _, _): (Kernel, Tid, HandleValue, HandleValue)) -> Kernel {
    k.advance_time(2000);
    assert_eq!(k.take_completions().len(), 1000);
    k
}

/// A compiled scenario of `PAIRS` steps of one kind (the header's processes `a` and `b`).
fn steps(kind: &str) -> Scenario {
    let step = |i: usize| {
        match kind {
        "call" => [
            r#"{"by": "a", "call": "CreateEvent", "args": {"manual_reset": true}}"#.to_string(),
            r#"{"by": "a", "call": "CloseHandle", "args": {"handle": 4}, "expect": {"ret": true}}"#.to_string(),
        ][i % 2]
            .clone(),
        "bound" => [
            r#"{"by": "a", "call": "CreateEvent", "args": {"manual_reset": true}, "bind": {"ret": "e"}}"#.to_string(),
            r#"{"by": "a", "call": "CloseHandle", "args": {"handle": "e"}, "expect": {"ret": true}}"#.to_string(),
        ][i % 2]
            .clone(),
        "check" => r#"{"expect": {"table": {"of": "a", "rows": [], "exact": true}, "object": {"process": "a", "usage_count": 1}}}"#.to_string(),
        "start" => format!(r#"{{"start": "p{i}", "image": "p.exe"}}"#),
        "advance" => r#"{"advance": 1}"#.to_string(),
        "show" => r#"{"show": "handles", "of": "a"}"#.to_string(),
        "file" => format!(r#"{{"file": "C:\\f{i}.txt", "content": "x"}}"#),
        other => unreachable!("no step kind {other}"),
    }
    };
    let body: Vec<String> = (0..PAIRS).map(step).collect();
    let text = format!(
        r#"{{"format_version": 1, "title": "bench", "processes": [{{"name": "a", "image": "a.exe"}}, {{"name": "b", "image": "b.exe"}}], "steps": [{}]}}"#,
        body.join(",")
    );
    scenario::load_str(&text, "bench.json").expect("the generated scenario loads")
}

// `PAIRS` steps of one kind through the compiled runner (`run_with`, nothing rendered).
#[library_benchmark]
#[bench::step_call(args = ("call"), setup = steps)]
#[bench::step_call_bound(args = ("bound"), setup = steps)]
#[bench::step_check(args = ("check"), setup = steps)]
#[bench::step_start(args = ("start"), setup = steps)]
#[bench::step_advance(args = ("advance"), setup = steps)]
#[bench::step_show(args = ("show"), setup = steps)]
#[bench::step_file(args = ("file"), setup = steps)]
fn scenario_steps(sc: Scenario) -> usize {
    let summary = scenario::run_with(&sc, RunOptions::default(), &mut Discard);
    assert!(summary.passed(), "the generated scenario passes");
    black_box(summary.checks)
}

library_benchmark_group!(
    name = calls;
    benchmarks = pairs, cross, pipe, two_copies, message, create_process, wait, signal_beside, wake_all, time_out
);
library_benchmark_group!(
    name = scenario_runner;
    benchmarks = scenario_steps
);
main!(library_benchmark_groups = calls, scenario_runner);
