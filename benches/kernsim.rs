//! kernsim's benchmarks (divan): the operations measured under Wine in
//! `wine-observations.md` §5, plus CreateProcess cost against table size, pipe throughput
//! against memcpy, a named-pipe ping-pong, and a 1,000,000-step scenario loaded from JSON and
//! run with the event log on and off; memory per handle row and per object (divan's allocation
//! profiler). Run: `cargo bench --bench kernsim`. The 100,000-process world: `cargo run
//! --release --example memory`.

use kernsim::kernel::*;
use kernsim_testkit::workload::{self, done as ret, duplicate, handle_of as handle, EVENT};
use std::hint::black_box;

// Counts allocations, so the memory benchmarks report bytes. It costs a few ns per allocation:
// CreateEvent/CloseHandle allocate nothing; DuplicateHandle allocates its boxed outputs.
#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn world() -> (Kernel, Tid) {
    workload::world("bench.exe")
}

/// Wine 8.0 pinned: 44,300 pairs/s.
#[divan::bench(name = "CreateEvent+CloseHandle")]
fn create_close(bencher: divan::Bencher) {
    let (mut k, tid) = world();
    bencher.bench_local(|| {
        let h = handle(&ret(&mut k, tid, &EVENT));
        black_box(ret(&mut k, tid, &Call::CloseHandle { handle: h }));
    });
}

/// The same with the event log on.
#[divan::bench(name = "CreateEvent+CloseHandle (event log on)")]
fn create_close_logged(bencher: divan::Bencher) {
    let (mut k, tid) = world();
    k.set_event_log(true);
    bencher.bench_local(|| {
        let h = handle(&ret(&mut k, tid, &EVENT));
        black_box(ret(&mut k, tid, &Call::CloseHandle { handle: h }));
        k.take_events();
    });
}

/// Wine 8.0 pinned: 46,300 pairs/s.
#[divan::bench(name = "DuplicateHandle+CloseHandle (same process)")]
fn duplicate_close(bencher: divan::Bencher) {
    let (mut k, tid) = world();
    let e = handle(&ret(&mut k, tid, &EVENT));
    let d = duplicate(e, HandleValue::CURRENT_PROCESS, false);
    bencher.bench_local(|| {
        let h = handle(&ret(&mut k, tid, &d));
        black_box(ret(&mut k, tid, &Call::CloseHandle { handle: h }));
    });
}

/// Into a child's table and closed there with DUPLICATE_CLOSE_SOURCE from the parent.
#[divan::bench(name = "DuplicateHandle+CloseHandle (cross-process)")]
fn duplicate_close_cross(bencher: divan::Bencher) {
    let (mut k, tid, into_child, child) = workload::parent_and_child();
    bencher.bench_local(|| {
        let v = handle(&ret(&mut k, tid, &into_child));
        black_box(ret(&mut k, tid, &workload::close_in(child, v)));
    });
}

/// CreateProcess (bInheritHandles TRUE) + child ExitProcess + WaitForSingleObject + two
/// CloseHandle, with a parent table of N rows of which K are inheritable. Wine: ~24 ms.
#[divan::bench(name = "CreateProcess+exit+wait+close", args = [(0, 0), (1_000, 0), (100_000, 0), (100_000, 100), (100_000, 1_000), (100_000, 10_000)])]
fn create_process(bencher: divan::Bencher, (rows, inheritable): (usize, usize)) {
    let (mut k, tid, create) = workload::inheriting_parent(rows, inheritable);
    bencher.bench_local(|| {
        let r = ret(&mut k, tid, &create);
        let (hp, ht, child_tid) = (
            r.outputs().process_handle.unwrap(),
            r.outputs().thread_handle.unwrap(),
            Tid(r.outputs().thread_id.unwrap()),
        );
        assert_eq!(
            k.call(child_tid, &Call::ExitProcess { exit_code: 0 }).unwrap(),
            CallOutcome::NoReturn
        );
        black_box(ret(
            &mut k,
            tid,
            &Call::WaitForSingleObject {
                handle: hp,
                milliseconds: 0,
            },
        ));
        ret(&mut k, tid, &Call::CloseHandle { handle: hp });
        ret(&mut k, tid, &Call::CloseHandle { handle: ht });
    });
}

/// WriteFile + ReadFile of one chunk through an anonymous pipe. Wine 8.0 pinned: 80 MiB/s
/// in 4 KiB chunks.
#[divan::bench(name = "pipe WriteFile+ReadFile", args = [4096, 65536])]
fn pipe_throughput(bencher: divan::Bencher, chunk: usize) {
    let (mut k, tid) = world();
    let (write, read) = workload::pipe_round_trip(&mut k, tid, chunk as u32);
    bencher.counter(divan::counter::BytesCount::new(chunk)).bench_local(|| {
        ret(&mut k, tid, &write);
        black_box(ret(&mut k, tid, &read));
    });
}

/// The baseline: copying the same chunk once.
#[divan::bench(name = "memcpy baseline", args = [4096, 65536])]
fn memcpy(bencher: divan::Bencher, chunk: usize) {
    let source = vec![0x5au8; chunk];
    let mut dest = vec![0u8; chunk];
    bencher.counter(divan::counter::BytesCount::new(chunk)).bench_local(|| {
        dest.copy_from_slice(black_box(&source));
        black_box(&dest);
    });
}

/// The same copy done the way the kernel copies pipe data (64-byte blocks, no `rep movsb`).
#[divan::bench(name = "block-copy baseline", args = [4096, 65536])]
fn block_copy(bencher: divan::Bencher, chunk: usize) {
    let source = vec![0x5au8; chunk];
    bencher.counter(divan::counter::BytesCount::new(chunk)).bench_local(|| {
        let mut dest = Vec::with_capacity(chunk);
        for block in black_box(&source).chunks_exact(64) {
            let block: &[u8; 64] = block.try_into().unwrap();
            dest.extend_from_slice(block);
        }
        black_box(dest);
    });
}

/// One message each way between a client and a server process. Wine 8.0 pinned: 4,700/s.
#[divan::bench(name = "named pipe ping-pong round trip")]
fn ping_pong(bencher: divan::Bencher) {
    let (mut k, server, client, [ping, server_read, pong, client_read]) = workload::message_ping_pong();
    bencher.bench_local(|| {
        ret(&mut k, client, &ping);
        ret(&mut k, server, &server_read);
        ret(&mut k, server, &pong);
        black_box(ret(&mut k, client, &client_read));
    });
}

/// Loading (parse + validate) and running a 1,000,000-step scenario. Aim: under 2 s.
#[divan::bench(name = "1,000,000-step scenario: load + run", args = [true, false], sample_count = 3, sample_size = 1)]
fn million_steps(bencher: divan::Bencher, event_log: bool) {
    let text = workload::event_cycles(1_000_000);
    bencher.bench_local(|| {
        let scenario = kernsim::scenario::load_str(&text, "generated.json").expect("valid");
        let run = kernsim::scenario::run_with(
            &scenario,
            kernsim::scenario::RunOptions {
                event_log,
                ..Default::default()
            },
            &mut kernsim::scenario::Discard,
        );
        assert!(run.passed());
        black_box(run.checks);
    });
}

/// Memory per handle row: 1,000,000 rows of one event added to an empty table. Divan's
/// "max alloc" bytes (the peak of live bytes in the iteration) divided by 1,000,000 is what a
/// row costs, the table's capacity slack included. (The "alloc"/"dealloc" columns also count
/// each DuplicateHandle's boxed outputs, allocated and freed per call.) `examples/memory.rs`
/// counts the same live bytes directly.
#[divan::bench(name = "memory: 1,000,000 handle rows", args = [false, true], sample_count = 5, sample_size = 1)]
fn memory_rows(bencher: divan::Bencher, inheritable: bool) {
    bencher
        .with_inputs(|| {
            let (mut k, tid) = world();
            let e = handle(&ret(&mut k, tid, &EVENT));
            (k, tid, duplicate(e, HandleValue::CURRENT_PROCESS, inheritable))
        })
        .bench_local_values(|(mut k, tid, call)| {
            for _ in 0..1_000_000 {
                ret(&mut k, tid, &call);
            }
            k
        });
}

/// Memory per object: 1,000,000 events (each with its one row) in a fresh world; "max alloc"
/// bytes divided by 1,000,000 is what an event and its row cost.
#[divan::bench(name = "memory: 1,000,000 event objects", sample_count = 5, sample_size = 1)]
fn memory_objects(bencher: divan::Bencher) {
    bencher.with_inputs(world).bench_local_values(|(mut k, tid)| {
        for _ in 0..1_000_000 {
            ret(&mut k, tid, &EVENT);
        }
        k
    });
}
