//! Processes and threads: `CreateProcess` with handle inheritance (spec §3), exit and
//! termination (spec §9), `OpenProcess`, exit codes, threads, suspend counts, and Toolhelp
//! process snapshots.

use super::{map_access, Cx, Kernel, Res, Step};
use crate::call::{inheritable, CreateProcessArgs, SecurityAttributes};
use crate::consts::*;
use crate::error::Win32Error;
use crate::event::{Event, Why};
use crate::handle::HandleFlags;
use crate::handle::{HandleEntry, HandleValue, Origin};
use crate::ids::{Pid, Tid};
use crate::object::*;
use crate::result::{OutputField, Ret};

/// The executable's file name without its path, with `.exe` added when it has no extension.
pub(crate) fn image_name(path: &str) -> String {
    let base = path.rsplit(['\\', '/']).next().unwrap_or(path);
    if base.contains('.') {
        base.to_string()
    } else {
        format!("{base}.exe")
    }
}

/// The first token of a command line: quoted, or up to the first blank.
fn first_token(command_line: &str) -> &str {
    let line = command_line.trim_start();
    if let Some(rest) = line.strip_prefix('"') {
        rest.split('"').next().unwrap_or(rest)
    } else {
        line.split([' ', '\t']).next().unwrap_or(line)
    }
}

impl Kernel {
    /// Creates a running process with its primary thread. Counts: the process and the thread
    /// each hold one reference on themselves while they run.
    pub(crate) fn new_process(
        &mut self,
        parent_pid: Pid,
        image: String,
        command_line: String,
        environment: Vec<String>,
        current_directory: String,
        suspended: bool,
    ) -> (ObjectId, ObjectId) {
        let pid = Pid(self.alloc_client_id());
        let body = ProcessObj {
            pid,
            parent_pid,
            image: image.clone(),
            command_line,
            environment,
            current_directory,
            handles: Default::default(),
            threads: Vec::new(),
            exit_code: None,
            std_handles: [HandleValue::NULL; 3],
            attribute_lists: Default::default(),
        };
        let process = self.new_object(Body::Process(Box::new(body)), None);
        self.cids.insert(pid.0, process);
        self.log(Event::ProcessStarted {
            process_id: pid,
            parent_process_id: parent_pid,
            image,
        });
        self.bump(process, 0, 1, Why::Start);
        let thread = self.new_thread(process, suspended);
        (process, thread)
    }

    /// Creates a running thread in `process`.
    pub(crate) fn new_thread(&mut self, process: ObjectId, suspended: bool) -> ObjectId {
        let tid = Tid(self.alloc_client_id());
        let pid = self.process(process).pid;
        let body = ThreadObj {
            tid,
            pid,
            process,
            exit_code: None,
            suspend_count: u32::from(suspended),
            last_error: Win32Error::Success,
            parked: None,
            owned_mutexes: Vec::new(),
        };
        let thread = self.new_object(Body::Thread(Box::new(body)), None);
        self.cids.insert(tid.0, thread);
        self.process_mut(process).threads.push(thread);
        self.log(Event::ThreadStarted {
            thread_id: tid,
            process_id: pid,
        });
        self.bump(thread, 0, 1, Why::Start);
        thread
    }

    /// `InitializeProcThreadAttributeList` (MS; Wine's kernelbase for the details): `dwFlags`
    /// must be 0 (87); the list needs 24 bytes plus 24 per attribute (x64); a NULL or smaller
    /// buffer fails with 122; `*lpSize` receives the size needed either way. A count whose
    /// size does not fit in 32 bits is 87 [choice].
    pub(crate) fn initialize_attribute_list(&mut self, cx: Cx, address: u32, count: u32, flags: u32, size: u32) -> Res {
        if flags != 0 {
            return Res::no(Win32Error::InvalidParameter);
        }
        let Ok(needed) = u32::try_from(24 + 24 * u64::from(count)) else {
            return Res::no(Win32Error::InvalidParameter);
        };
        let res = if address == 0 || size < needed {
            Res::no(Win32Error::InsufficientBuffer)
        } else {
            let list = AttributeList {
                capacity: count,
                ..AttributeList::default()
            };
            self.process_mut(cx.process).attribute_lists.insert(address, list);
            Res::yes()
        };
        res.out1(OutputField::Size, needed)
    }

    /// `UpdateProcThreadAttribute` with `PROC_THREAD_ATTRIBUTE_HANDLE_LIST` (Wine's kernelbase,
    /// which its tests hold to Windows): `dwFlags` not 0 → 87; a full list → 31; another
    /// attribute → 50 (not modelled); `cbSize` 0 or not a multiple of 8 → 24; the attribute
    /// set twice → 87. The handles are checked only by `CreateProcess`. An address no list was
    /// initialized at is 87, and so is a `cbSize` past the handles given [choices: Windows
    /// would read whatever memory is there].
    pub(crate) fn update_attribute_list(
        &mut self,
        cx: Cx,
        address: u32,
        flags: u32,
        attribute: u32,
        handles: &[HandleValue],
        size: Option<u32>,
    ) -> Res {
        let Some(list) = self.process(cx.process).attribute_lists.get(&address) else {
            return Res::no(Win32Error::InvalidParameter);
        };
        if flags != 0 {
            return Res::no(Win32Error::InvalidParameter);
        }
        if list.count >= list.capacity {
            return Res::no(Win32Error::GenFailure);
        }
        if attribute != PROC_THREAD_ATTRIBUTE_HANDLE_LIST {
            return Res::no(Win32Error::NotSupported);
        }
        let bytes = size.unwrap_or((handles.len() as u32).saturating_mul(8));
        if bytes == 0 || bytes % 8 != 0 {
            return Res::no(Win32Error::BadLength);
        }
        let n = (bytes / 8) as usize;
        if n > handles.len() || list.handle_list.is_some() {
            return Res::no(Win32Error::InvalidParameter);
        }
        let list = self
            .process_mut(cx.process)
            .attribute_lists
            .get_mut(&address)
            .expect("looked up above");
        list.handle_list = Some(handles[..n].to_vec());
        list.count += 1;
        Res::yes()
    }

    /// `DeleteProcThreadAttributeList`: forgets the list (nothing to free in the kernel).
    pub(crate) fn delete_attribute_list(&mut self, cx: Cx, address: u32) -> Res {
        self.process_mut(cx.process).attribute_lists.remove(&address);
        Res::ok(Ret::Void)
    }

    /// `CreateProcess` (spec §3).
    pub(crate) fn create_process(&mut self, cx: Cx, args: &CreateProcessArgs) -> Res {
        let path = match (&args.application_name, &args.command_line) {
            (Some(app), _) if !app.is_empty() => app.clone(),
            (_, Some(cmd)) if !first_token(cmd).is_empty() => first_token(cmd).to_string(),
            _ => return Res::no(Win32Error::InvalidParameter),
        };
        let command_line = args
            .command_line
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| path.clone());
        if path.contains(['\\', '/']) {
            let base = path.rsplit(['\\', '/']).next().unwrap_or(&path);
            let with_ext = if base.contains('.') {
                path.clone()
            } else {
                format!("{path}.exe")
            };
            if let Err(e) = self
                .fs
                .check_executable(&with_ext, &self.process(cx.process).current_directory)
            {
                return Res::no(e);
            }
        }
        let parent_dir = self.process(cx.process).current_directory.clone();
        let current_directory = match &args.current_directory {
            Some(dir) => match self.fs.directory(dir, &parent_dir) {
                Some(d) => d,
                None => return Res::no(Win32Error::Directory),
            },
            None => parent_dir,
        };

        // STARTUPINFOEX's attribute list is read only with EXTENDED_STARTUPINFO_PRESENT; NULL
        // means no attributes. An address no list was initialized at is 87 [choice: Windows
        // would read whatever memory is there]; the `handle_list` shorthand with a list too, 87.
        let from_list = match args.attribute_list.filter(|&a| a != 0) {
            Some(address) if args.creation_flags & EXTENDED_STARTUPINFO_PRESENT != 0 => {
                match self.process(cx.process).attribute_lists.get(&address) {
                    Some(list) => list.handle_list.clone(),
                    None => return Res::no(Win32Error::InvalidParameter),
                }
            }
            _ => None,
        };
        if from_list.is_some() && args.handle_list.is_some() {
            return Res::no(Win32Error::InvalidParameter);
        }
        // Which rows the child inherits: every inheritable one, or only those listed.
        let inherited: Vec<(HandleValue, HandleEntry)> =
            if let Some(list) = args.handle_list.as_ref().or(from_list.as_ref()) {
                if !args.inherit_handles {
                    return Res::no(Win32Error::InvalidParameter);
                }
                let mut rows: Vec<(HandleValue, HandleEntry)> = Vec::new();
                for &h in list {
                    if h.is_pseudo() {
                        return Res::no(Win32Error::InvalidParameter);
                    }
                    let Some(entry) = self.process(cx.process).handles.get(h) else {
                        return Res::no(Win32Error::InvalidHandle);
                    };
                    if !entry.inherit() {
                        return Res::no(Win32Error::InvalidParameter);
                    }
                    let value = h.canonical();
                    if !rows.iter().any(|(v, _)| *v == value) {
                        rows.push((value, *entry));
                    }
                }
                rows.sort_by_key(|(v, _)| *v);
                rows
            } else if args.inherit_handles {
                // Only the inheritable rows are visited: the cost does not grow with the others.
                #[cfg(feature = "test-hooks")]
                if self.bugs.inherit_ignores_flag {
                    self.process(cx.process).handles.iter().map(|(v, e)| (v, *e)).collect()
                } else {
                    self.process(cx.process)
                        .handles
                        .inheritable()
                        .map(|(v, e)| (v, *e))
                        .collect()
                }
                #[cfg(not(feature = "test-hooks"))]
                self.process(cx.process)
                    .handles
                    .inheritable()
                    .map(|(v, e)| (v, *e))
                    .collect()
            } else {
                Vec::new()
            };
        if let Err(e) = self.ensure_rows(cx.process, 2) {
            return Res::no(e);
        }
        if let Err(e) = self.ensure_ids(2) {
            return Res::no(e);
        }

        let parent = self.process(cx.process);
        let environment = args.environment.clone().unwrap_or_else(|| parent.environment.clone());
        let parent_std = parent.std_handles;
        let suspended = args.creation_flags & CREATE_SUSPENDED != 0;
        let (child, thread) = self.new_process(
            cx.pid,
            image_name(&path),
            command_line,
            environment,
            current_directory,
            suspended,
        );
        let provenance = self.provenance(Origin::Inherited { parent: cx.pid });
        for (value, entry) in inherited {
            self.add_row_at(child, value, HandleEntry { provenance, ..entry });
        }
        let std_handles = [
            args.std_input.unwrap_or(parent_std[0]),
            args.std_output.unwrap_or(parent_std[1]),
            args.std_error.unwrap_or(parent_std[2]),
        ];
        self.process_mut(child).std_handles = std_handles;

        let process_flags = HandleFlags::inherit_if(inheritable(&args.process_attributes));
        let thread_flags = HandleFlags::inherit_if(inheritable(&args.thread_attributes));
        let process_handle = self.add_row(cx.process, child, PROCESS_ALL_ACCESS, process_flags, self.created());
        let thread_handle = self.add_row(cx.process, thread, THREAD_ALL_ACCESS, thread_flags, self.created());
        let process_id = self.process(child).pid;
        let thread_id = self.thread(thread).tid;
        Res::yes().set(Win32Error::Success).out(|o| {
            o.process_handle = Some(process_handle);
            o.thread_handle = Some(thread_handle);
            o.process_id = Some(process_id.0);
            o.thread_id = Some(thread_id.0);
        })
    }

    /// Ends a process (spec §9 exit sequence): all threads end, the whole handle table is swept
    /// (protected rows too), the exit code is recorded and the object becomes signaled.
    /// Children keep running. Does nothing to a process that already exited.
    pub(crate) fn exit_process(&mut self, process: ObjectId, exit_code: u32) {
        if self.process(process).exit_code.is_some() {
            return;
        }
        let threads = self.process(process).threads.clone();
        for thread in threads {
            self.end_thread(thread, exit_code);
        }
        // Its memory, attribute lists included, goes with it.
        self.process_mut(process).attribute_lists.clear();
        let rows = self.process_mut(process).handles.drain();
        // Re-insert and remove one by one so every removal is logged and counted in order.
        for (value, entry) in rows.iter().copied() {
            self.process_mut(process).handles.insert_at(value, entry);
        }
        for (value, _) in rows {
            self.remove_row(process, value, Why::ExitSweep);
        }
        let pid = self.process(process).pid;
        self.process_mut(process).exit_code = Some(exit_code);
        self.rise(process);
        self.log(Event::ProcessExited {
            process_id: pid,
            exit_code,
        });
        self.bump(process, 0, -1, Why::Exit);
    }

    /// Ends one thread: abandons its parked call, records its exit code, abandons the mutexes
    /// it owns, drops its running reference. Does not end the process.
    fn end_thread(&mut self, thread: ObjectId, exit_code: u32) {
        self.abandon_parked(thread);
        let t = self.thread_mut(thread);
        t.exit_code = Some(exit_code);
        let (tid, pid, process) = (t.tid, t.pid, t.process);
        self.rise(thread);
        self.process_mut(process).threads.retain(|&x| x != thread);
        self.log(Event::ThreadExited {
            thread_id: tid,
            process_id: pid,
            exit_code,
        });
        self.abandon_mutexes(thread);
        self.bump(thread, 0, -1, Why::Exit);
    }

    /// `ExitThread`: the last thread's exit ends the process with the same code.
    pub(crate) fn exit_thread(&mut self, thread: ObjectId, exit_code: u32) {
        let process = self.thread(thread).process;
        if self.process(process).threads.len() == 1 {
            self.exit_process(process, exit_code);
        } else {
            self.end_thread(thread, exit_code);
        }
    }

    /// `TerminateProcess` (spec §9): needs `PROCESS_TERMINATE`; an exited process gives
    /// `ERROR_ACCESS_DENIED` (Windows; Wine returns TRUE). Termination completes before the
    /// call returns (a modelling choice: Windows only starts it).
    pub(crate) fn terminate_process(&mut self, cx: Cx, process: HandleValue, exit_code: u32) -> Step {
        let (id, access) = super::tri!(self.resolve_kind(cx, process, ObjectKind::Process));
        if access & PROCESS_TERMINATE == 0 || self.process(id).exit_code.is_some() {
            return Res::no(Win32Error::AccessDenied).into();
        }
        self.exit_process(id, exit_code);
        if id == cx.process {
            Step::NoReturn
        } else {
            Res::yes().into()
        }
    }

    /// `GetExitCodeProcess`: `STILL_ACTIVE` (259) while running.
    pub(crate) fn get_exit_code_process(&self, cx: Cx, process: HandleValue) -> Res {
        let (id, access) = match self.resolve_kind(cx, process, ObjectKind::Process) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if access & super::PROCESS_QUERY_RIGHTS == 0 {
            return Res::no(Win32Error::AccessDenied);
        }
        let code = self.process(id).exit_code.unwrap_or(STILL_ACTIVE);
        Res::yes().out1(OutputField::ExitCode, code)
    }

    /// `GetExitCodeThread`.
    pub(crate) fn get_exit_code_thread(&self, cx: Cx, thread: HandleValue) -> Res {
        let (id, access) = match self.resolve_kind(cx, thread, ObjectKind::Thread) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if access & super::THREAD_QUERY_RIGHTS == 0 {
            return Res::no(Win32Error::AccessDenied);
        }
        let code = self.thread(id).exit_code.unwrap_or(STILL_ACTIVE);
        Res::yes().out1(OutputField::ExitCode, code)
    }

    /// `OpenProcess` (spec §9): pid 0 and unknown or destroyed pids give 87, the System
    /// process 5; an exited process whose object lives opens fine. Low pid bits are ignored.
    pub(crate) fn open_process(&mut self, cx: Cx, desired_access: u32, inherit: bool, pid: u32) -> Res {
        let null = Ret::Handle(HandleValue::NULL);
        let pid = pid & !3;
        if pid == SYSTEM_PROCESS_ID_VALUE {
            return Res::fail(null, Win32Error::AccessDenied);
        }
        let Some(&id) = self.cids.get(&pid) else {
            return Res::fail(null, Win32Error::InvalidParameter);
        };
        if self.obj(id).kind() != ObjectKind::Process {
            return Res::fail(null, Win32Error::InvalidParameter);
        }
        if let Err(e) = self.ensure_rows(cx.process, 1) {
            return Res::fail(null, e);
        }
        let access = map_access(ObjectKind::Process, desired_access);
        let h = self.add_row(cx.process, id, access, HandleFlags::inherit_if(inherit), self.opened());
        Res::ok(Ret::Handle(h))
    }

    /// `CreateThread` in the caller's process.
    pub(crate) fn create_thread(&mut self, cx: Cx, attributes: &Option<SecurityAttributes>, flags: u32) -> Res {
        if let Err(e) = self.ensure_rows(cx.process, 1).and_then(|()| self.ensure_ids(1)) {
            return Res::fail(Ret::Handle(HandleValue::NULL), e);
        }
        let thread = self.new_thread(cx.process, flags & CREATE_SUSPENDED != 0);
        let h = self.add_row(
            cx.process,
            thread,
            THREAD_ALL_ACCESS,
            HandleFlags::inherit_if(inheritable(attributes)),
            self.created(),
        );
        let tid = self.thread(thread).tid;
        Res::ok(Ret::Handle(h)).out1(OutputField::ThreadId, tid.0)
    }

    /// `ResumeThread` / `SuspendThread`: return the previous suspend count, (DWORD)-1 on error.
    /// NT's `PsSuspendThread` refuses a thread that has ended (`STATUS_THREAD_IS_TERMINATING`,
    /// 5) and `KeSuspendThread` a count at `MAXIMUM_SUSPEND_COUNT`, 127
    /// (`STATUS_SUSPEND_COUNT_EXCEEDED`, 156; MS "SuspendThread"); a resume of an ended
    /// thread returns its count and changes nothing.
    pub(crate) fn suspend_resume(&mut self, cx: Cx, thread: HandleValue, suspend: bool) -> Res {
        let failed = Ret::Dword(u32::MAX);
        let (id, access) = match self.resolve_kind(cx, thread, ObjectKind::Thread) {
            Ok(v) => v,
            // The call table's failure value ((DWORD)-1) replaces FALSE (`finish_call`).
            Err(res) => return res,
        };
        if access & THREAD_SUSPEND_RESUME == 0 {
            return Res::fail(failed, Win32Error::AccessDenied);
        }
        let t = self.thread_mut(id);
        let previous = t.suspend_count;
        if suspend && t.exit_code.is_some() {
            return Res::fail(failed, Win32Error::AccessDenied);
        }
        if suspend && previous >= MAXIMUM_SUSPEND_COUNT {
            return Res::fail(failed, Win32Error::SignalRefused);
        }
        if t.exit_code.is_none() {
            if suspend {
                t.suspend_count += 1;
            } else {
                t.suspend_count = t.suspend_count.saturating_sub(1);
            }
        }
        Res::ok(Ret::Dword(previous))
    }

    /// The running processes as `PROCESSENTRY32`s, in creation order. Exited processes whose
    /// objects still live are left out (spec §2.3).
    pub fn process_entries(&self) -> Vec<ProcessEntry> {
        self.cids
            .values()
            .filter_map(|&id| match &self.obj(id).body {
                Body::Process(p) if p.exit_code.is_none() => Some(ProcessEntry {
                    process_id: p.pid.0,
                    parent_process_id: p.parent_pid.0,
                    threads: p.threads.len() as u32,
                    priority_base: 8,
                    exe_file: p.image.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// `CreateToolhelp32Snapshot`: a real handle to a frozen process list.
    pub(crate) fn create_snapshot(&mut self, cx: Cx, flags: u32) -> Res {
        let invalid = Ret::Handle(HandleValue::INVALID);
        if flags & (TH32CS_SNAPPROCESS | TH32CS_SNAPTHREAD | TH32CS_SNAPMODULE | TH32CS_SNAPHEAPLIST) == 0 {
            return Res::fail(invalid, Win32Error::CallNotImplemented);
        }
        if let Err(e) = self.ensure_rows(cx.process, 1) {
            return Res::fail(invalid, e);
        }
        let entries = if flags & TH32CS_SNAPPROCESS != 0 {
            self.process_entries()
        } else {
            Vec::new()
        };
        let snap = self.new_object(Body::Snapshot(Box::new(SnapshotObj { entries, cursor: 0 })), None);
        let inherit = HandleFlags::inherit_if(flags & TH32CS_INHERIT != 0);
        let h = self.add_row(cx.process, snap, 0x000F_001F, inherit, self.created());
        Res::ok(Ret::Handle(h))
    }

    /// `Process32First` / `Process32Next`: `dwSize` must be at least `sizeof(PROCESSENTRY32)`
    /// (else `ERROR_BAD_LENGTH`, a choice: Wine gives 122); the end gives `ERROR_NO_MORE_FILES`.
    /// The cursor lives in the snapshot object, so duplicated handles share it.
    pub(crate) fn process32(&mut self, cx: Cx, snapshot: HandleValue, size: u32, first: bool) -> Res {
        let (id, _) = match self.resolve_kind(cx, snapshot, ObjectKind::Snapshot) {
            Ok(v) => v,
            Err(res) => return res,
        };
        if size < PROCESSENTRY32_SIZE {
            return Res::no(Win32Error::BadLength);
        }
        let Body::Snapshot(snap) = &mut self.objects[id].body else {
            unreachable!()
        };
        if first {
            snap.cursor = 0;
        }
        match snap.entries.get(snap.cursor).cloned() {
            Some(entry) => {
                snap.cursor += 1;
                Res::yes().out(|o| o.entry = Some(entry))
            }
            None => Res::no(Win32Error::NoMoreFiles),
        }
    }
}

const SYSTEM_PROCESS_ID_VALUE: u32 = super::SYSTEM_PROCESS_ID;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_drop_the_path_and_add_exe() {
        assert_eq!(image_name("C:\\Windows\\notepad.exe"), "notepad.exe");
        assert_eq!(image_name("child"), "child.exe");
        assert_eq!(first_token("\"C:\\My Apps\\x.exe\" 30"), "C:\\My Apps\\x.exe");
        assert_eq!(first_token("child.exe 48"), "child.exe");
    }
}
