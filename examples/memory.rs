//! Measures kernsim's memory: heap bytes per handle row (plain and inheritable), per event
//! object, per process, and a world of 100,000 processes holding 10,000,000 handles:
//! `cargo run --release --example memory [processes] [handles-per-process]`.

use kernsim::kernel::*;
use kernsim_testkit::workload::{done as ret, duplicate, handle_of as handle, EVENT};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// The system allocator, counting live bytes (what was asked for, not allocator overhead).
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Heap bytes per row for `n` duplicated rows of one event in one table.
fn per_row(n: usize, inherit: bool) -> f64 {
    let (mut k, tid) = kernsim_testkit::workload::world("memory.exe");
    let e = handle(&ret(&mut k, tid, &EVENT));
    let before = live();
    let call = duplicate(e, HandleValue::CURRENT_PROCESS, inherit);
    for _ in 0..n {
        ret(&mut k, tid, &call);
    }
    (live() - before) as f64 / n as f64
}

/// Heap bytes per event object (with its one row) for `n` events.
fn per_event(n: usize) -> f64 {
    let (mut k, tid) = kernsim_testkit::workload::world("memory.exe");
    let before = live();
    for _ in 0..n {
        ret(&mut k, tid, &EVENT);
    }
    (live() - before) as f64 / n as f64
}

/// Starts `processes` children of one root (their process and thread handles closed in the
/// root, so only the children's own references keep them), each holding `per_process`
/// handles: one event of its own and duplicates of it. Returns the heap bytes added.
fn big_world(processes: usize, per_process: usize) -> (Kernel, usize) {
    let (mut k, root) = kernsim_testkit::workload::world("memory.exe");
    let before = live();
    let create = Call::CreateProcess(Box::new(CreateProcessArgs {
        command_line: Some("child.exe".into()),
        ..Default::default()
    }));
    for _ in 0..processes {
        let r = ret(&mut k, root, &create);
        let child = Tid(r.outputs().thread_id.expect("a thread id"));
        let (hp, ht) = (r.outputs().process_handle.unwrap(), r.outputs().thread_handle.unwrap());
        ret(&mut k, root, &Call::CloseHandle { handle: hp });
        ret(&mut k, root, &Call::CloseHandle { handle: ht });
        if per_process > 0 {
            let e = handle(&ret(&mut k, child, &EVENT));
            let call = duplicate(e, HandleValue::CURRENT_PROCESS, false);
            for _ in 1..per_process {
                ret(&mut k, child, &call);
            }
        }
    }
    let added = live() - before;
    (k, added)
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("a number"));
    let processes = args.next().unwrap_or(100_000);
    let per_process = args.next().unwrap_or(100);
    let n = 1_000_000;
    println!(
        "sizes: HandleEntry row {} bytes in its slot",
        std::mem::size_of::<Option<HandleEntry>>()
    );
    println!(
        "per handle row (1,000,000 duplicates, one table): {:.1} bytes",
        per_row(n, false)
    );
    println!(
        "per inheritable handle row (same, inheritable): {:.1} bytes",
        per_row(n, true)
    );
    println!(
        "per event object with its row (1,000,000 events): {:.1} bytes",
        per_event(n)
    );
    let empty = big_world(10_000, 0).1 as f64 / 10_000.0;
    println!(
        "per process (with its thread, no handles; 10,000 processes): {:.0} bytes",
        empty
    );
    let t = Instant::now();
    let (k, bytes) = big_world(processes, per_process);
    let elapsed = t.elapsed();
    k.check_invariants().expect("a consistent world");
    let rows = processes * per_process;
    println!(
        "world: {processes} processes, {rows} handles: {:.0} MB of heap, built in {elapsed:.2?}, invariants hold",
        bytes as f64 / 1e6
    );
}
