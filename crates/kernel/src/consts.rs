//! Win32 constants (access rights, flags, special values) and a table to look them up by name.
//!
//! Values are from the Windows SDK headers (`winnt.h`, `winbase.h`, `namedpipeapi.h`,
//! `tlhelp32.h`), as collected in the spec's Appendix B. Scenario files and the shell name
//! constants; [`lookup`] turns a name into its value and [`near_names`] suggests spellings.

#![allow(missing_docs)]

// Standard and generic rights.
pub const DELETE: u32 = 0x0001_0000;
pub const READ_CONTROL: u32 = 0x0002_0000;
pub const WRITE_DAC: u32 = 0x0004_0000;
pub const WRITE_OWNER: u32 = 0x0008_0000;
pub const SYNCHRONIZE: u32 = 0x0010_0000;
pub const STANDARD_RIGHTS_REQUIRED: u32 = 0x000F_0000;
pub const GENERIC_READ: u32 = 0x8000_0000;
pub const GENERIC_WRITE: u32 = 0x4000_0000;
pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
pub const GENERIC_ALL: u32 = 0x1000_0000;
pub const MAXIMUM_ALLOWED: u32 = 0x0200_0000;

// Process rights.
pub const PROCESS_TERMINATE: u32 = 0x0001;
pub const PROCESS_CREATE_THREAD: u32 = 0x0002;
pub const PROCESS_VM_OPERATION: u32 = 0x0008;
pub const PROCESS_VM_READ: u32 = 0x0010;
pub const PROCESS_VM_WRITE: u32 = 0x0020;
pub const PROCESS_DUP_HANDLE: u32 = 0x0040;
pub const PROCESS_CREATE_PROCESS: u32 = 0x0080;
pub const PROCESS_SET_QUOTA: u32 = 0x0100;
pub const PROCESS_SET_INFORMATION: u32 = 0x0200;
pub const PROCESS_QUERY_INFORMATION: u32 = 0x0400;
pub const PROCESS_SUSPEND_RESUME: u32 = 0x0800;
pub const PROCESS_QUERY_LIMITED_INFORMATION: u32 = 0x1000;
pub const PROCESS_ALL_ACCESS: u32 = 0x001F_FFFF;

// Thread rights.
pub const THREAD_TERMINATE: u32 = 0x0001;
pub const THREAD_SUSPEND_RESUME: u32 = 0x0002;
pub const THREAD_GET_CONTEXT: u32 = 0x0008;
pub const THREAD_SET_CONTEXT: u32 = 0x0010;
pub const THREAD_SET_INFORMATION: u32 = 0x0020;
pub const THREAD_QUERY_INFORMATION: u32 = 0x0040;
pub const THREAD_QUERY_LIMITED_INFORMATION: u32 = 0x0800;
pub const THREAD_ALL_ACCESS: u32 = 0x001F_FFFF;

// Event rights.
pub const EVENT_MODIFY_STATE: u32 = 0x0002;
pub const EVENT_ALL_ACCESS: u32 = 0x001F_0003;

// Mutex and semaphore rights (`MUTEX_MODIFY_STATE` is `MUTANT_QUERY_STATE`, winnt.h).
pub const MUTANT_QUERY_STATE: u32 = 0x0001;
pub const MUTEX_MODIFY_STATE: u32 = MUTANT_QUERY_STATE;
pub const MUTEX_ALL_ACCESS: u32 = 0x001F_0001;
pub const SEMAPHORE_QUERY_STATE: u32 = 0x0001;
pub const SEMAPHORE_MODIFY_STATE: u32 = 0x0002;
pub const SEMAPHORE_ALL_ACCESS: u32 = 0x001F_0003;
/// How many times one thread can hold a mutex (`MINLONG` acquisitions, MS "KeWaitForSingleObject").
pub const MUTEX_RECURSION_LIMIT: u32 = 0x8000_0000;

// File, pipe and mailslot rights.
pub const FILE_READ_DATA: u32 = 0x0001;
pub const FILE_WRITE_DATA: u32 = 0x0002;
pub const FILE_APPEND_DATA: u32 = 0x0004;
pub const FILE_CREATE_PIPE_INSTANCE: u32 = 0x0004;
pub const FILE_READ_EA: u32 = 0x0008;
pub const FILE_WRITE_EA: u32 = 0x0010;
pub const FILE_EXECUTE: u32 = 0x0020;
pub const FILE_READ_ATTRIBUTES: u32 = 0x0080;
pub const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
pub const FILE_GENERIC_READ: u32 = 0x0012_0089;
pub const FILE_GENERIC_WRITE: u32 = 0x0012_0116;
pub const FILE_GENERIC_EXECUTE: u32 = 0x0012_00A0;
pub const FILE_ALL_ACCESS: u32 = 0x001F_01FF;

// Share modes and dispositions for CreateFile.
pub const FILE_SHARE_READ: u32 = 0x1;
pub const FILE_SHARE_WRITE: u32 = 0x2;
pub const FILE_SHARE_DELETE: u32 = 0x4;
pub const CREATE_NEW: u32 = 1;
pub const CREATE_ALWAYS: u32 = 2;
pub const OPEN_EXISTING: u32 = 3;
pub const OPEN_ALWAYS: u32 = 4;
pub const TRUNCATE_EXISTING: u32 = 5;
pub const FILE_ATTRIBUTE_NORMAL: u32 = 0x80;
pub const FILE_FLAG_OVERLAPPED: u32 = 0x4000_0000;
pub const FILE_FLAG_WRITE_THROUGH: u32 = 0x8000_0000;
pub const FILE_FLAG_FIRST_PIPE_INSTANCE: u32 = 0x0008_0000;

// GetFileType results.
pub const FILE_TYPE_UNKNOWN: u32 = 0;
pub const FILE_TYPE_DISK: u32 = 1;
pub const FILE_TYPE_CHAR: u32 = 2;
pub const FILE_TYPE_PIPE: u32 = 3;

// Handle information flags.
pub const HANDLE_FLAG_INHERIT: u32 = 0x1;
pub const HANDLE_FLAG_PROTECT_FROM_CLOSE: u32 = 0x2;

// DuplicateHandle options.
pub const DUPLICATE_CLOSE_SOURCE: u32 = 0x1;
pub const DUPLICATE_SAME_ACCESS: u32 = 0x2;
pub const DUPLICATE_SAME_ATTRIBUTES: u32 = 0x4;

// Named pipes.
pub const PIPE_ACCESS_INBOUND: u32 = 0x1;
pub const PIPE_ACCESS_OUTBOUND: u32 = 0x2;
pub const PIPE_ACCESS_DUPLEX: u32 = 0x3;
pub const PIPE_WAIT: u32 = 0x0;
pub const PIPE_NOWAIT: u32 = 0x1;
pub const PIPE_READMODE_BYTE: u32 = 0x0;
pub const PIPE_READMODE_MESSAGE: u32 = 0x2;
pub const PIPE_TYPE_BYTE: u32 = 0x0;
pub const PIPE_TYPE_MESSAGE: u32 = 0x4;
pub const PIPE_ACCEPT_REMOTE_CLIENTS: u32 = 0x0;
pub const PIPE_REJECT_REMOTE_CLIENTS: u32 = 0x8;
pub const PIPE_UNLIMITED_INSTANCES: u32 = 255;
pub const PIPE_CLIENT_END: u32 = 0x0;
pub const PIPE_SERVER_END: u32 = 0x1;
pub const NMPWAIT_USE_DEFAULT_WAIT: u32 = 0x0;
pub const NMPWAIT_NOWAIT: u32 = 0x1;
pub const NMPWAIT_WAIT_FOREVER: u32 = 0xFFFF_FFFF;
/// `CreatePipe`'s buffer size when `nSize` is 0 (spec §5).
pub const DEFAULT_PIPE_BUFFER_SIZE: u32 = 4096;
/// `nDefaultTimeOut` 0 means 50 ms (spec §6.2, Windows column).
pub const DEFAULT_PIPE_TIMEOUT_MS: u32 = 50;

// Mailslots.
pub const MAILSLOT_WAIT_FOREVER: u32 = 0xFFFF_FFFF;
pub const MAILSLOT_NO_MESSAGE: u32 = 0xFFFF_FFFF;

// Waits.
pub const WAIT_OBJECT_0: u32 = 0x0;
pub const WAIT_ABANDONED_0: u32 = 0x80;
pub const WAIT_TIMEOUT: u32 = 0x102;
pub const WAIT_FAILED: u32 = 0xFFFF_FFFF;
pub const INFINITE: u32 = 0xFFFF_FFFF;
pub const MAXIMUM_WAIT_OBJECTS: u32 = 64;

// Processes.
pub const STILL_ACTIVE: u32 = 0x103;
/// `MAXIMUM_SUSPEND_COUNT` (`MAXCHAR`): the most times a thread can be suspended.
pub const MAXIMUM_SUSPEND_COUNT: u32 = 0x7f;
/// `STATUS_ACCESS_VIOLATION`: the exit code of a process ended by an unhandled access
/// violation (a write through a `NULL` buffer).
pub const STATUS_ACCESS_VIOLATION: u32 = 0xC000_0005;
pub const CREATE_SUSPENDED: u32 = 0x4;
pub const EXTENDED_STARTUPINFO_PRESENT: u32 = 0x0008_0000;
pub const PROC_THREAD_ATTRIBUTE_PARENT_PROCESS: u32 = 0x0002_0000;
pub const PROC_THREAD_ATTRIBUTE_HANDLE_LIST: u32 = 0x0002_0002;
pub const CREATE_NEW_CONSOLE: u32 = 0x10;
pub const CREATE_UNICODE_ENVIRONMENT: u32 = 0x400;
pub const DETACHED_PROCESS: u32 = 0x8;
pub const STARTF_USESTDHANDLES: u32 = 0x100;
pub const TH32CS_SNAPHEAPLIST: u32 = 0x1;
pub const TH32CS_SNAPPROCESS: u32 = 0x2;
pub const TH32CS_SNAPTHREAD: u32 = 0x4;
pub const TH32CS_SNAPMODULE: u32 = 0x8;
pub const TH32CS_INHERIT: u32 = 0x8000_0000;
/// `sizeof(PROCESSENTRY32W)` on 64-bit Windows.
pub const PROCESSENTRY32_SIZE: u32 = 568;

// Standard handles (as DWORD values).
pub const STD_INPUT_HANDLE: u32 = (-10i32) as u32;
pub const STD_OUTPUT_HANDLE: u32 = (-11i32) as u32;
pub const STD_ERROR_HANDLE: u32 = (-12i32) as u32;

// Special handle values.
pub const NULL: u32 = 0;
pub const INVALID_HANDLE_VALUE: u32 = 0xFFFF_FFFF;
pub const CURRENT_PROCESS: u32 = 0xFFFF_FFFF;
pub const CURRENT_THREAD: u32 = 0xFFFF_FFFE;
pub const FALSE: u32 = 0;
pub const TRUE: u32 = 1;

/// Every named constant, for scenario files and the shell. Names that share a value (e.g.
/// `INFINITE` and `WAIT_FAILED`) are all listed; lookup is by name only.
pub const TABLE: &[(&str, u32)] = &[
    ("DELETE", DELETE),
    ("READ_CONTROL", READ_CONTROL),
    ("WRITE_DAC", WRITE_DAC),
    ("WRITE_OWNER", WRITE_OWNER),
    ("SYNCHRONIZE", SYNCHRONIZE),
    ("STANDARD_RIGHTS_REQUIRED", STANDARD_RIGHTS_REQUIRED),
    ("GENERIC_READ", GENERIC_READ),
    ("GENERIC_WRITE", GENERIC_WRITE),
    ("GENERIC_EXECUTE", GENERIC_EXECUTE),
    ("GENERIC_ALL", GENERIC_ALL),
    ("MAXIMUM_ALLOWED", MAXIMUM_ALLOWED),
    ("PROCESS_TERMINATE", PROCESS_TERMINATE),
    ("PROCESS_CREATE_THREAD", PROCESS_CREATE_THREAD),
    ("PROCESS_VM_OPERATION", PROCESS_VM_OPERATION),
    ("PROCESS_VM_READ", PROCESS_VM_READ),
    ("PROCESS_VM_WRITE", PROCESS_VM_WRITE),
    ("PROCESS_DUP_HANDLE", PROCESS_DUP_HANDLE),
    ("PROCESS_CREATE_PROCESS", PROCESS_CREATE_PROCESS),
    ("PROCESS_SET_QUOTA", PROCESS_SET_QUOTA),
    ("PROCESS_SET_INFORMATION", PROCESS_SET_INFORMATION),
    ("PROCESS_QUERY_INFORMATION", PROCESS_QUERY_INFORMATION),
    ("PROCESS_SUSPEND_RESUME", PROCESS_SUSPEND_RESUME),
    ("PROCESS_QUERY_LIMITED_INFORMATION", PROCESS_QUERY_LIMITED_INFORMATION),
    ("PROCESS_ALL_ACCESS", PROCESS_ALL_ACCESS),
    ("THREAD_TERMINATE", THREAD_TERMINATE),
    ("THREAD_SUSPEND_RESUME", THREAD_SUSPEND_RESUME),
    ("THREAD_GET_CONTEXT", THREAD_GET_CONTEXT),
    ("THREAD_SET_CONTEXT", THREAD_SET_CONTEXT),
    ("THREAD_SET_INFORMATION", THREAD_SET_INFORMATION),
    ("THREAD_QUERY_INFORMATION", THREAD_QUERY_INFORMATION),
    ("THREAD_QUERY_LIMITED_INFORMATION", THREAD_QUERY_LIMITED_INFORMATION),
    ("THREAD_ALL_ACCESS", THREAD_ALL_ACCESS),
    ("EVENT_MODIFY_STATE", EVENT_MODIFY_STATE),
    ("EVENT_ALL_ACCESS", EVENT_ALL_ACCESS),
    ("MUTANT_QUERY_STATE", MUTANT_QUERY_STATE),
    ("MUTEX_MODIFY_STATE", MUTEX_MODIFY_STATE),
    ("MUTEX_ALL_ACCESS", MUTEX_ALL_ACCESS),
    ("SEMAPHORE_QUERY_STATE", SEMAPHORE_QUERY_STATE),
    ("SEMAPHORE_MODIFY_STATE", SEMAPHORE_MODIFY_STATE),
    ("SEMAPHORE_ALL_ACCESS", SEMAPHORE_ALL_ACCESS),
    ("FILE_READ_DATA", FILE_READ_DATA),
    ("FILE_WRITE_DATA", FILE_WRITE_DATA),
    ("FILE_APPEND_DATA", FILE_APPEND_DATA),
    ("FILE_CREATE_PIPE_INSTANCE", FILE_CREATE_PIPE_INSTANCE),
    ("FILE_READ_EA", FILE_READ_EA),
    ("FILE_WRITE_EA", FILE_WRITE_EA),
    ("FILE_EXECUTE", FILE_EXECUTE),
    ("FILE_READ_ATTRIBUTES", FILE_READ_ATTRIBUTES),
    ("FILE_WRITE_ATTRIBUTES", FILE_WRITE_ATTRIBUTES),
    ("FILE_GENERIC_READ", FILE_GENERIC_READ),
    ("FILE_GENERIC_WRITE", FILE_GENERIC_WRITE),
    ("FILE_GENERIC_EXECUTE", FILE_GENERIC_EXECUTE),
    ("FILE_ALL_ACCESS", FILE_ALL_ACCESS),
    ("FILE_SHARE_READ", FILE_SHARE_READ),
    ("FILE_SHARE_WRITE", FILE_SHARE_WRITE),
    ("FILE_SHARE_DELETE", FILE_SHARE_DELETE),
    ("CREATE_NEW", CREATE_NEW),
    ("CREATE_ALWAYS", CREATE_ALWAYS),
    ("OPEN_EXISTING", OPEN_EXISTING),
    ("OPEN_ALWAYS", OPEN_ALWAYS),
    ("TRUNCATE_EXISTING", TRUNCATE_EXISTING),
    ("FILE_ATTRIBUTE_NORMAL", FILE_ATTRIBUTE_NORMAL),
    ("FILE_FLAG_OVERLAPPED", FILE_FLAG_OVERLAPPED),
    ("FILE_FLAG_WRITE_THROUGH", FILE_FLAG_WRITE_THROUGH),
    ("FILE_FLAG_FIRST_PIPE_INSTANCE", FILE_FLAG_FIRST_PIPE_INSTANCE),
    ("FILE_TYPE_UNKNOWN", FILE_TYPE_UNKNOWN),
    ("FILE_TYPE_DISK", FILE_TYPE_DISK),
    ("FILE_TYPE_CHAR", FILE_TYPE_CHAR),
    ("FILE_TYPE_PIPE", FILE_TYPE_PIPE),
    ("HANDLE_FLAG_INHERIT", HANDLE_FLAG_INHERIT),
    ("HANDLE_FLAG_PROTECT_FROM_CLOSE", HANDLE_FLAG_PROTECT_FROM_CLOSE),
    ("DUPLICATE_CLOSE_SOURCE", DUPLICATE_CLOSE_SOURCE),
    ("DUPLICATE_SAME_ACCESS", DUPLICATE_SAME_ACCESS),
    ("DUPLICATE_SAME_ATTRIBUTES", DUPLICATE_SAME_ATTRIBUTES),
    ("PIPE_ACCESS_INBOUND", PIPE_ACCESS_INBOUND),
    ("PIPE_ACCESS_OUTBOUND", PIPE_ACCESS_OUTBOUND),
    ("PIPE_ACCESS_DUPLEX", PIPE_ACCESS_DUPLEX),
    ("PIPE_WAIT", PIPE_WAIT),
    ("PIPE_NOWAIT", PIPE_NOWAIT),
    ("PIPE_READMODE_BYTE", PIPE_READMODE_BYTE),
    ("PIPE_READMODE_MESSAGE", PIPE_READMODE_MESSAGE),
    ("PIPE_TYPE_BYTE", PIPE_TYPE_BYTE),
    ("PIPE_TYPE_MESSAGE", PIPE_TYPE_MESSAGE),
    ("PIPE_ACCEPT_REMOTE_CLIENTS", PIPE_ACCEPT_REMOTE_CLIENTS),
    ("PIPE_REJECT_REMOTE_CLIENTS", PIPE_REJECT_REMOTE_CLIENTS),
    ("PIPE_UNLIMITED_INSTANCES", PIPE_UNLIMITED_INSTANCES),
    ("PIPE_CLIENT_END", PIPE_CLIENT_END),
    ("PIPE_SERVER_END", PIPE_SERVER_END),
    ("NMPWAIT_USE_DEFAULT_WAIT", NMPWAIT_USE_DEFAULT_WAIT),
    ("NMPWAIT_NOWAIT", NMPWAIT_NOWAIT),
    ("NMPWAIT_WAIT_FOREVER", NMPWAIT_WAIT_FOREVER),
    ("MAILSLOT_WAIT_FOREVER", MAILSLOT_WAIT_FOREVER),
    ("MAILSLOT_NO_MESSAGE", MAILSLOT_NO_MESSAGE),
    ("WAIT_OBJECT_0", WAIT_OBJECT_0),
    ("WAIT_ABANDONED_0", WAIT_ABANDONED_0),
    ("WAIT_ABANDONED", WAIT_ABANDONED_0),
    ("WAIT_TIMEOUT", WAIT_TIMEOUT),
    ("WAIT_FAILED", WAIT_FAILED),
    ("INFINITE", INFINITE),
    ("MAXIMUM_WAIT_OBJECTS", MAXIMUM_WAIT_OBJECTS),
    ("STILL_ACTIVE", STILL_ACTIVE),
    ("MAXIMUM_SUSPEND_COUNT", MAXIMUM_SUSPEND_COUNT),
    ("STATUS_ACCESS_VIOLATION", STATUS_ACCESS_VIOLATION),
    ("CREATE_SUSPENDED", CREATE_SUSPENDED),
    ("EXTENDED_STARTUPINFO_PRESENT", EXTENDED_STARTUPINFO_PRESENT),
    (
        "PROC_THREAD_ATTRIBUTE_PARENT_PROCESS",
        PROC_THREAD_ATTRIBUTE_PARENT_PROCESS,
    ),
    ("PROC_THREAD_ATTRIBUTE_HANDLE_LIST", PROC_THREAD_ATTRIBUTE_HANDLE_LIST),
    ("CREATE_NEW_CONSOLE", CREATE_NEW_CONSOLE),
    ("CREATE_UNICODE_ENVIRONMENT", CREATE_UNICODE_ENVIRONMENT),
    ("DETACHED_PROCESS", DETACHED_PROCESS),
    ("STARTF_USESTDHANDLES", STARTF_USESTDHANDLES),
    ("TH32CS_SNAPHEAPLIST", TH32CS_SNAPHEAPLIST),
    ("TH32CS_SNAPPROCESS", TH32CS_SNAPPROCESS),
    ("TH32CS_SNAPTHREAD", TH32CS_SNAPTHREAD),
    ("TH32CS_SNAPMODULE", TH32CS_SNAPMODULE),
    ("TH32CS_INHERIT", TH32CS_INHERIT),
    ("PROCESSENTRY32_SIZE", PROCESSENTRY32_SIZE),
    ("STD_INPUT_HANDLE", STD_INPUT_HANDLE),
    ("STD_OUTPUT_HANDLE", STD_OUTPUT_HANDLE),
    ("STD_ERROR_HANDLE", STD_ERROR_HANDLE),
    ("NULL", NULL),
    ("INVALID_HANDLE_VALUE", INVALID_HANDLE_VALUE),
    ("CURRENT_PROCESS", CURRENT_PROCESS),
    ("CURRENT_THREAD", CURRENT_THREAD),
    ("FALSE", FALSE),
    ("TRUE", TRUE),
];

/// The value of a named constant (exact, case-sensitive as in C).
pub fn lookup(name: &str) -> Option<u32> {
    TABLE.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

/// Up to `limit` known names closest to `name` (by edit distance, then alphabetically), for
/// "did you mean" messages. `candidates` is the list to choose from.
pub fn near_names<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>, limit: usize) -> Vec<&'a str> {
    // Suggestions are for typos: a name (or candidate) much longer than any identifier takes
    // no part, so an absurd input costs no more than a short one.
    const LONGEST: usize = 128;
    if name.len() > LONGEST {
        return Vec::new();
    }
    let wanted = name.to_ascii_uppercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| c.len() <= LONGEST)
        .map(|c| {
            let upper = c.to_ascii_uppercase();
            let mut score = edit_distance(&wanted, &upper);
            if upper.len() >= 3 && wanted.len() >= 3 && (upper.contains(&wanted) || wanted.contains(&upper)) {
                score = score.min(2);
            }
            (score, c)
        })
        .collect();
    scored.sort();
    // A typo is a few edits: about one in three letters, at least two.
    let cutoff = (wanted.len() / 3).max(2);
    scored
        .into_iter()
        .filter(|(s, _)| *s <= cutoff)
        .take(limit)
        .map(|(_, c)| c)
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_sdk_values() {
        assert_eq!(lookup("DUPLICATE_SAME_ACCESS"), Some(2));
        assert_eq!(lookup("PROCESS_ALL_ACCESS"), Some(0x1F_FFFF));
        assert_eq!(lookup("STD_OUTPUT_HANDLE"), Some(0xFFFF_FFF5));
        assert_eq!(lookup("nonsense"), None);
    }

    #[test]
    fn near_names_is_bounded_for_absurd_names() {
        let huge = "A".repeat(1 << 20);
        let names = TABLE.iter().map(|(n, _)| *n);
        assert!(near_names(&huge, names, 3).is_empty());
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ACCESS", "ACESS"), 1, "a deletion");
        assert_eq!(edit_distance("ACESS", "ACCESS"), 1, "an insertion");
        assert_eq!(edit_distance("", "ABC"), 3);
        assert_eq!(edit_distance("ABC", ""), 3);
        assert_eq!(edit_distance("SAME", "SAME"), 0);
    }

    #[test]
    fn near_names_suggests_close_spellings() {
        let names = TABLE.iter().map(|(n, _)| *n);
        let near = near_names("DUPLICATE_SAME_ACESS", names, 3);
        assert_eq!(near.first(), Some(&"DUPLICATE_SAME_ACCESS"));
    }
}
