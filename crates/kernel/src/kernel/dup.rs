//! `DuplicateHandle`, in the order of spec §4: source process, target process, source handle,
//! access, attributes, insertion, and `DUPLICATE_CLOSE_SOURCE` (which closes the source
//! whatever the outcome once the source process was valid).

use super::{map_access, Cx, Kernel, Res};
use crate::call::DuplicateHandleArgs;
use crate::consts::*;
use crate::error::Win32Error;
use crate::event::{Event, Why};
use crate::handle::{HandleEntry, HandleFlags, HandleValue, Origin};
use crate::object::{ObjectId, ObjectKind};
use crate::result::{OutputField, Outs};

impl Kernel {
    /// Resolves a process handle that needs `PROCESS_DUP_HANDLE`: 6 when it is not a process
    /// handle, 5 when the right is missing.
    fn dup_process(&self, cx: Cx, h: HandleValue) -> Result<ObjectId, Win32Error> {
        let (id, access) = self.resolve(cx, h)?;
        if self.obj(id).kind() != ObjectKind::Process {
            return Err(Win32Error::InvalidHandle);
        }
        if access & PROCESS_DUP_HANDLE == 0 {
            return Err(Win32Error::AccessDenied);
        }
        Ok(id)
    }

    /// `DuplicateHandle` (spec §4).
    pub(crate) fn duplicate_handle(&mut self, cx: Cx, a: &DuplicateHandleArgs) -> Res {
        let close_source = a.options & DUPLICATE_CLOSE_SOURCE != 0;
        let zero = |res: Res, null_target: bool| {
            if null_target {
                res
            } else {
                res.out1(OutputField::TargetHandle, HandleValue::NULL.0)
            }
        };

        // 1. The source process: nothing is closed when it is wrong.
        let source_process = match self.dup_process(cx, a.source_process_handle) {
            Ok(p) => p,
            Err(e) => return zero(Res::no(e), a.null_target_handle),
        };
        // An exited process has no handle table any more: ObDuplicateObject fails with
        // STATUS_PROCESS_IS_TERMINATING (5) whatever the source value, pseudo or real
        // (nt-pipe-rules §4).
        if self.process(source_process).exit_code.is_some() {
            return zero(Res::no(Win32Error::AccessDenied), a.null_target_handle);
        }
        // The std constants are translated through the caller's own std handles (kernel32).
        let source_value = if source_process == cx.process {
            self.translate_std(cx.process, a.source_handle)
        } else {
            a.source_handle
        };
        // 3 (looked up first so that CLOSE_SOURCE knows what to close). A pseudo handle means
        // the source process (-1) or the calling thread (-2), never the caller's process when
        // the source is another one (spec §4, §10 row 6).
        let source = if source_value == HandleValue::CURRENT_PROCESS {
            Ok((source_process, PROCESS_ALL_ACCESS, HandleFlags::NONE, true))
        } else if source_value == HandleValue::CURRENT_THREAD {
            Ok((cx.thread, THREAD_ALL_ACCESS, HandleFlags::NONE, true))
        } else {
            match self
                .process(source_process)
                .handles
                .use_row(source_value, self.call_seq())
            {
                Some(e) => Ok((e.object, e.access, e.flags, false)),
                None => Err(Win32Error::InvalidHandle),
            }
        };
        let source_protected =
            matches!(source, Ok((_, _, flags, false)) if flags.contains(HandleFlags::PROTECT_FROM_CLOSE));
        let closable = matches!(source, Ok((_, _, _, false))) && close_source && !source_protected;

        // 2. The target process (NULL is allowed only to close the source).
        let target_process = if a.target_process_handle == HandleValue::NULL {
            if close_source {
                if source.is_err() {
                    return zero(Res::no(Win32Error::InvalidHandle), a.null_target_handle);
                }
                if closable {
                    self.remove_row(source_process, source_value, Why::CloseSource);
                }
                return Res::yes();
            }
            return Res::no(Win32Error::InvalidParameter);
        } else {
            self.dup_process(cx, a.target_process_handle)
        };
        let fail = |k: &mut Kernel, e: Win32Error| {
            if closable {
                k.remove_row(source_process, source_value, Why::CloseSource);
            }
            zero(Res::no(e), a.null_target_handle)
        };
        let target_process = match target_process {
            Ok(p) => p,
            Err(e) => return fail(self, e),
        };
        let (object, source_access, source_flags, _) = match source {
            Ok(s) => s,
            Err(e) => return fail(self, e),
        };

        // 4. Access: the source's, or the requested one mapped (widening is allowed: the
        // model's objects carry no security descriptor that would refuse it).
        let kind = self.obj(object).kind();
        let access = if a.options & DUPLICATE_SAME_ACCESS != 0 {
            source_access
        } else {
            map_access(kind, a.desired_access)
        };
        // 5. Attributes: inherit from the argument; protect-from-close is not copied unless
        // DUPLICATE_SAME_ATTRIBUTES asks for both flags of the source.
        let flags = if a.options & DUPLICATE_SAME_ATTRIBUTES != 0 {
            source_flags
        } else {
            HandleFlags::inherit_if(a.inherit_handle)
        };

        let origin = Origin::Duplicated {
            source: self.process(source_process).pid,
            // A pseudo source stays as written (-1, -2); a real one loses its tag bits.
            source_handle: if source_value.is_pseudo() {
                source_value
            } else {
                source_value.canonical()
            },
            closed_source: closable,
        };
        // 6. Insertion.
        if self.process(target_process).exit_code.is_some() {
            return fail(self, Win32Error::AccessDenied);
        }
        if closable && target_process == source_process {
            // Same process + CLOSE_SOURCE: the row is moved in place and keeps its value, even
            // when a lower slot is free (WT-process checks this on Windows).
            let value = source_value.canonical();
            #[allow(unused_mut)]
            let mut provenance = self.provenance(origin);
            #[cfg(feature = "test-hooks")]
            if self.bugs.move_keeps_provenance {
                provenance = self
                    .process(source_process)
                    .handles
                    .get(value)
                    .expect("the source row")
                    .provenance;
            }
            let entry = HandleEntry {
                object,
                access,
                flags,
                provenance,
            };
            self.rewrite_row(source_process, value, entry);
            return self.dup_done(value, a.null_target_handle, target_process);
        }
        if let Err(e) = self.ensure_rows(target_process, 1) {
            if closable {
                self.remove_row(source_process, source_value, Why::CloseSource);
            }
            return zero(Res::no(e), a.null_target_handle);
        }
        let value = self.add_row(target_process, object, access, flags, origin);
        // 7. Close the source (a protected source stays open; the call still succeeds).
        if closable {
            #[cfg(feature = "test-hooks")]
            if self.bugs.close_source_keeps_count {
                self.process_mut(source_process).handles.remove(source_value);
                return self.dup_done(value, a.null_target_handle, target_process);
            }
            self.remove_row(source_process, source_value, Why::CloseSource);
        }
        self.dup_done(value, a.null_target_handle, target_process)
    }

    /// Replaces a row's access and flags in place: the "move" of a same-process
    /// `DUPLICATE_CLOSE_SOURCE`. Counts do not change; the log shows the close and the copy.
    fn rewrite_row(&mut self, process: ObjectId, value: HandleValue, entry: HandleEntry) {
        let updated = self.process_mut(process).handles.update(value, |e| *e = entry);
        assert!(updated, "the source row exists");
        if self.tracking {
            self.touched_rows.push((process, value));
        }
        if self.logging() {
            let process_id = self.process(process).pid;
            let object = self.obj(entry.object).address;
            self.log(Event::RowRemoved {
                process_id,
                handle: value,
                object,
                why: Why::CloseSource,
            });
            let inherit = entry.inherit();
            self.log(Event::RowAdded {
                process_id,
                handle: value,
                object,
                access: entry.access,
                inherit,
                why: Why::Duplicate,
            });
        }
    }

    fn dup_done(&self, value: HandleValue, null_target: bool, target_process: ObjectId) -> Res {
        if null_target {
            Res::yes()
        } else {
            // Held inline with its process: a duplicate's result does not allocate.
            let pid = self.process(target_process).pid;
            Res {
                out: Outs::One(OutputField::TargetHandle, value.0, Some(pid)),
                ..Res::yes()
            }
        }
    }
}
