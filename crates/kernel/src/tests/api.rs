//! The typed embedder API (`Kernel::by`): each method gives the value its Win32 function
//! gives through its out-parameter or return value, and each way a call can give none
//! (failed with its last error, blocked, no return, refused) is a distinct `CallFailure`.

use super::*;
use crate::api::CallFailure;

#[test]
fn the_typed_pipe_calls_give_the_handles_the_byte_count_and_the_bytes() {
    let mut w = World::new();
    let (read, write) = w.k.by(w.tid).create_pipe(false, 0).unwrap();
    // Two new rows at the lowest free values, the read end first (wine-observations §3a).
    assert_eq!((read, write), (HandleValue(4), HandleValue(8)));
    assert_eq!(w.k.by(w.tid).write_file(write, "hello").unwrap(), 5);
    assert_eq!(w.k.by(w.tid).read_file(read, 3).unwrap(), b"hel");
    assert_eq!(w.k.by(w.tid).read_file(read, 64).unwrap(), b"lo");
    // Nothing left and a writer remains: the read waits.
    let blocked = w.k.by(w.tid).read_file(read, 64).unwrap_err();
    assert!(blocked.is_blocked(), "{blocked:?}");
    assert_eq!(blocked.error(), None);
}

#[test]
fn a_failed_typed_call_is_its_last_error_and_not_a_block() {
    let mut w = World::new();
    let failed = w.k.by(w.tid).close_handle(HandleValue(0x40)).unwrap_err();
    assert_eq!(failed, CallFailure::Failed(Win32Error::InvalidHandle));
    assert_eq!(failed.error(), Some(Win32Error::InvalidHandle));
    assert!(!failed.is_blocked());
    let missing = w.k.by(w.tid).get_environment_variable("NOPE").unwrap_err();
    assert_eq!(missing.error(), Some(Win32Error::EnvvarNotFound));
}

#[test]
fn the_typed_handle_and_process_calls_give_their_out_parameters() {
    let mut w = World::new();
    let e = w.k.by(w.tid).create_event(true, true, None).unwrap();
    assert_eq!(e, HandleValue(4));
    let d =
        w.k.by(w.tid)
            .duplicate_handle(DuplicateHandleArgs {
                source_process_handle: HandleValue::CURRENT_PROCESS,
                source_handle: e,
                target_process_handle: HandleValue::CURRENT_PROCESS,
                null_target_handle: false,
                desired_access: 0,
                inherit_handle: false,
                options: DUPLICATE_SAME_ACCESS,
            })
            .unwrap();
    assert_eq!(d, HandleValue(8));
    assert_eq!(w.k.by(w.tid).wait(d, 0).unwrap(), WAIT_OBJECT_0);
    let child = w.k.by(w.tid).create_process("child.exe", false).unwrap();
    assert_eq!((child.process, child.thread), (HandleValue(12), HandleValue(16)));
    assert_eq!(w.k.process_of_thread(child.thread_id), Some(child.process_id));
    assert_ne!(child.process_id, w.pid);
    assert_eq!(w.k.by(w.tid).wait(child.process, 0).unwrap(), WAIT_TIMEOUT);
    assert_eq!(
        w.k.by(w.tid).get_exit_code_process(child.process).unwrap(),
        STILL_ACTIVE
    );
    let gone =
        w.k.by(child.thread_id)
            .call(&Call::ExitProcess { exit_code: 7 })
            .unwrap_err();
    assert_eq!(gone, CallFailure::NoReturn);
    assert_eq!(w.k.by(w.tid).get_exit_code_process(child.process).unwrap(), 7);
    let refused = w.k.by(child.thread_id).close_handle(e).unwrap_err();
    assert!(matches!(refused, CallFailure::Refused(_)), "{refused:?}");
    w.k.by(w.tid).set_environment_variable("KEY", Some("value")).unwrap();
    assert_eq!(w.k.by(w.tid).get_environment_variable("key").unwrap(), "value");
    w.check();
}

#[test]
fn a_typed_create_process_passes_its_inherit_flag() {
    // spec §3: with bInheritHandles TRUE the child gets every inheritable row at the same
    // value; with FALSE none.
    let mut w = World::new();
    let e = w.k.by(w.tid).create_event(true, false, None).unwrap();
    w.k.by(w.tid)
        .succeed(&Call::SetHandleInformation {
            handle: e,
            mask: HANDLE_FLAG_INHERIT,
            flags: HANDLE_FLAG_INHERIT,
        })
        .unwrap();
    let rows = |w: &World, pid| {
        w.k.process_view(pid)
            .unwrap()
            .handles
            .iter()
            .map(|r| r.handle)
            .collect::<Vec<_>>()
    };
    let heir = w.k.by(w.tid).create_process("heir.exe", true).unwrap();
    assert_eq!(rows(&w, heir.process_id), [e]);
    let other = w.k.by(w.tid).create_process("other.exe", false).unwrap();
    assert_eq!(rows(&w, other.process_id), []);
    w.check();
}
