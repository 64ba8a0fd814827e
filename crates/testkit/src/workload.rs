//! Workloads for benchmarks and timing runs: large generated scenarios (valid, boring), and
//! the few helpers that drive a kernel directly (`benches/`, `examples/`).

use kernsim_kernel::consts::*;
use kernsim_kernel::{
    Call, CallResult, CreateFileArgs, CreateNamedPipeArgs, Data, DuplicateHandleArgs, HandleValue, Kernel, OutputField,
    OutputValue, Ret, Tid,
};

/// A kernel with its event log off and one process started by the system, running `image`;
/// returns the kernel and that process's thread id.
pub fn world(image: &str) -> (Kernel, Tid) {
    let mut k = Kernel::new();
    k.set_event_log(false);
    let (_, tid) = k.spawn(image, "", vec![]);
    (k, tid)
}

/// Runs a call that must return at once (not park, not end the thread).
pub fn done(k: &mut Kernel, tid: Tid, call: &Call) -> CallResult {
    k.by(tid)
        .call(call)
        .unwrap_or_else(|f| panic!("{} did not return: {f:?}", call.name()))
}

/// The handle a call gave: its return value, or its `target_handle` output (DuplicateHandle).
pub fn handle_of(r: &CallResult) -> HandleValue {
    match r.ret {
        Ret::Handle(h) => h,
        _ => match r.output(OutputField::TargetHandle) {
            Some(OutputValue::Handle(h, _)) => h,
            _ => panic!("a handle"),
        },
    }
}

/// An unnamed manual-reset event, initially not signaled.
pub const EVENT: Call = Call::CreateEvent {
    event_attributes: None,
    manual_reset: true,
    initial_state: false,
    name: None,
};

/// DuplicateHandle of `source` from the caller into `target_process`, same access.
pub fn duplicate(source: HandleValue, target_process: HandleValue, inherit: bool) -> Call {
    Call::DuplicateHandle(DuplicateHandleArgs {
        source_process_handle: HandleValue::CURRENT_PROCESS,
        source_handle: source,
        target_process_handle: target_process,
        null_target_handle: false,
        desired_access: 0,
        inherit_handle: inherit,
        options: DUPLICATE_SAME_ACCESS,
    })
}

/// An anonymous pipe of quota `chunk` made by `tid`, and the two calls of a round trip
/// through it: a write of `chunk` bytes into the write end, a read of `chunk` from the read end.
pub fn pipe_round_trip(k: &mut Kernel, tid: Tid, chunk: u32) -> (Call, Call) {
    let r = done(
        k,
        tid,
        &Call::CreatePipe {
            pipe_attributes: None,
            size: chunk,
        },
    );
    let (rh, wh) = (r.outputs().read_handle.unwrap(), r.outputs().write_handle.unwrap());
    let write = Call::WriteFile {
        file: wh,
        data: Data(vec![0x5a; chunk as usize]),
        null_buffer: false,
    };
    let read = Call::ReadFile {
        file: rh,
        bytes_to_read: chunk,
        null_buffer: false,
    };
    (write, read)
}

/// A message-mode named pipe between a server and a client process on a fresh kernel (event
/// log off), and the four calls of one message each way: the client writes, the server
/// reads, the server writes, the client reads.
pub fn message_ping_pong() -> (Kernel, Tid, Tid, [Call; 4]) {
    let mut k = Kernel::new();
    k.set_event_log(false);
    let (_, server) = k.spawn("server.exe", "", vec![]);
    let (_, client) = k.spawn("client.exe", "", vec![]);
    let s = handle_of(&done(
        &mut k,
        server,
        &Call::CreateNamedPipe(CreateNamedPipeArgs {
            name: "\\\\.\\pipe\\ping".into(),
            open_mode: PIPE_ACCESS_DUPLEX,
            pipe_mode: PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE,
            max_instances: 1,
            out_buffer_size: 4096,
            in_buffer_size: 4096,
            ..Default::default()
        }),
    ));
    let c = handle_of(&done(
        &mut k,
        client,
        &Call::CreateFile(CreateFileArgs {
            file_name: "\\\\.\\pipe\\ping".into(),
            desired_access: GENERIC_READ | GENERIC_WRITE,
            creation_disposition: OPEN_EXISTING,
            ..Default::default()
        }),
    ));
    let write = |file, text: &[u8]| Call::WriteFile {
        file,
        data: Data(text.to_vec()),
        null_buffer: false,
    };
    let read = |file| Call::ReadFile {
        file,
        bytes_to_read: 64,
        null_buffer: false,
    };
    (
        k,
        server,
        client,
        [write(c, b"ping"), read(s), write(s, b"pong"), read(c)],
    )
}

/// A parent (`world("bench.exe")`) with an event and a child process, the call that
/// duplicates the event into the child, and the child's process handle in the parent.
pub fn parent_and_child() -> (Kernel, Tid, Call, HandleValue) {
    let (mut k, tid) = world("bench.exe");
    let e = handle_of(&done(&mut k, tid, &EVENT));
    let r = done(
        &mut k,
        tid,
        &Call::CreateProcess(Box::new(kernsim_kernel::CreateProcessArgs {
            command_line: Some("c.exe".into()),
            ..Default::default()
        })),
    );
    let child = r.outputs().process_handle.expect("a process handle");
    (k, tid, duplicate(e, child, false), child)
}

/// `DuplicateHandle(process, handle, NULL, NULL, 0, FALSE, DUPLICATE_CLOSE_SOURCE)`: closes
/// `handle` in the process `process` names.
pub fn close_in(process: HandleValue, handle: HandleValue) -> Call {
    Call::DuplicateHandle(DuplicateHandleArgs {
        source_process_handle: process,
        source_handle: handle,
        target_process_handle: HandleValue::NULL,
        null_target_handle: true,
        desired_access: 0,
        inherit_handle: false,
        options: DUPLICATE_CLOSE_SOURCE,
    })
}

/// A parent (`world("bench.exe")`) holding `rows` duplicates of one event, the first
/// `inheritable` of them inheritable, and a `CreateProcess` of `child.exe` that inherits.
pub fn inheriting_parent(rows: usize, inheritable: usize) -> (Kernel, Tid, Call) {
    let (mut k, tid) = world("bench.exe");
    let e = handle_of(&done(&mut k, tid, &EVENT));
    for i in 0..rows {
        done(
            &mut k,
            tid,
            &duplicate(e, HandleValue::CURRENT_PROCESS, i < inheritable),
        );
    }
    let create = Call::CreateProcess(Box::new(kernsim_kernel::CreateProcessArgs {
        command_line: Some("child.exe".into()),
        inherit_handles: true,
        ..Default::default()
    }));
    (k, tid, create)
}

/// A scenario of `steps` steps as JSON text: two processes; `a` creates, sets, waits on and
/// closes an event (always at value 4, checked), `b` sets an environment variable.
pub fn event_cycles(steps: usize) -> String {
    const CYCLE: [&str; 5] = [
        r#"{"by": "a", "call": "CreateEvent", "args": {"manual_reset": true}}"#,
        r#"{"by": "a", "call": "SetEvent", "args": {"event": 4}}"#,
        r#"{"by": "a", "call": "WaitForSingleObject", "args": {"handle": 4, "milliseconds": 0}, "expect": {"ret": "WAIT_OBJECT_0"}}"#,
        r#"{"by": "a", "call": "CloseHandle", "args": {"handle": 4}, "expect": {"ret": true}}"#,
        r#"{"by": "b", "call": "SetEnvironmentVariable", "args": {"name": "N", "value": "v"}}"#,
    ];
    let mut out = String::with_capacity(steps * 90 + 200);
    out.push_str(r#"{"format_version": 1, "title": "generated", "processes": [{"name": "a", "image": "a.exe"}, {"name": "b", "image": "b.exe"}], "steps": ["#);
    for i in 0..steps {
        if i > 0 {
            out.push(',');
        }
        out.push_str(CYCLE[i % CYCLE.len()]);
    }
    out.push_str("]}");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_scenarios_load_and_pass() {
        for steps in [0, 1, 7] {
            let text = super::event_cycles(steps);
            let scenario = kernsim_scenario::load_str(&text, "generated.json").expect("loads");
            assert_eq!(scenario.steps.len(), steps);
            let run = kernsim_scenario::run(&scenario);
            assert!(run.passed(), "{steps} steps");
        }
    }
}
