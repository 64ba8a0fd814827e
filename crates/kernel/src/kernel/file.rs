//! A small in-memory file system (case-insensitive paths under drive letters) and `CreateFile`,
//! which also opens named-pipe and mailslot clients. Files are kernel objects like any other:
//! each `CreateFile` makes a file object with its own position; the content is shared.
//! Share modes are checked between open file objects; `DeleteFile` on a file that is open
//! with `FILE_SHARE_DELETE` marks it delete-pending until its last handle closes.

use super::{map_access, Cx, Kernel, Res};
use crate::call::CreateFileArgs;
use crate::consts::*;
use crate::error::Win32Error;

use crate::handle::HandleFlags;
use crate::handle::HandleValue;
use crate::object::*;
use crate::result::{OutputField, Ret};
use serde::{Deserialize, Serialize};
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;

/// One entry of [`Kernel::file_system`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FileSystemEntry {
    /// The path as first written.
    pub path: String,
    /// True for a directory.
    pub directory: bool,
    /// Size in bytes (0 for directories).
    pub size: u64,
}

#[derive(Clone, Debug)]
struct FileNode {
    path: String,
    data: Vec<u8>,
    delete_pending: bool,
    /// The file objects open on this file, oldest first: share checks and the delete-pending
    /// close look at these, not at every object (cost follows the opens of this one file).
    opens: Vec<ObjectId>,
}

/// A parsed path: display form, upper-case key, and the key of its parent directory.
struct Path {
    display: String,
    key: String,
    parent: Option<String>,
}

/// Paths and file contents. Keys are upper-case display paths.
#[derive(Clone, Debug)]
pub(crate) struct FileSystem {
    dirs: BTreeMap<String, String>,
    files: BTreeMap<String, FileNode>,
}

fn parse(path: &str, cwd: &str) -> Result<Path, Win32Error> {
    let path = path.replace('/', "\\");
    if path.is_empty() {
        return Err(Win32Error::PathNotFound);
    }
    let absolute = if path.len() >= 2 && path.as_bytes()[1] == b':' {
        if path.len() > 2 && path.as_bytes()[2] != b'\\' {
            return Err(Win32Error::InvalidName);
        }
        path
    } else if let Some(rest) = path.strip_prefix('\\') {
        format!("{}\\{rest}", &cwd[..2])
    } else {
        format!("{}\\{path}", cwd.trim_end_matches('\\'))
    };
    let drive = absolute[..2].to_ascii_uppercase();
    if !drive.as_bytes()[0].is_ascii_alphabetic() {
        return Err(Win32Error::InvalidName);
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in absolute[2..].split('\\') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p if p.contains(['<', '>', ':', '"', '|', '?', '*']) => return Err(Win32Error::InvalidName),
            p => parts.push(p),
        }
    }
    let display = format!("{drive}\\{}", parts.join("\\"));
    let parent = (!parts.is_empty())
        .then(|| format!("{drive}\\{}", parts[..parts.len() - 1].join("\\")))
        .map(|d| crate::case::upcase(&d));
    Ok(Path {
        key: crate::case::upcase(&display),
        display,
        parent,
    })
}

impl FileSystem {
    pub(crate) fn new() -> FileSystem {
        let mut fs = FileSystem {
            dirs: BTreeMap::new(),
            files: BTreeMap::new(),
        };
        fs.add_directory("C:\\Windows\\System32").expect("a valid path");
        fs
    }

    fn is_dir(&self, key: &str) -> bool {
        self.dirs.contains_key(key)
    }

    pub(crate) fn add_directory(&mut self, path: &str) -> Result<(), Win32Error> {
        let p = parse(path, "C:\\")?;
        if self.files.contains_key(&p.key) {
            return Err(Win32Error::AlreadyExists);
        }
        let mut display = String::new();
        for (i, part) in p.display.split('\\').enumerate() {
            if part.is_empty() {
                continue;
            }
            if i > 0 {
                display.push('\\');
            }
            display.push_str(part);
            let d = if i == 0 {
                format!("{display}\\")
            } else {
                display.clone()
            };
            let key = crate::case::upcase(&d);
            if self.files.contains_key(&key) {
                return Err(Win32Error::AlreadyExists);
            }
            self.dirs.entry(key).or_insert(d);
        }
        Ok(())
    }

    pub(crate) fn add_file(&mut self, path: &str, content: &[u8]) -> Result<(), Win32Error> {
        let p = parse(path, "C:\\")?;
        let parent = p.parent.clone().ok_or(Win32Error::AccessDenied)?;
        if self.is_dir(&p.key) {
            return Err(Win32Error::AccessDenied);
        }
        let parent_display = p.display[..p.display.rfind('\\').unwrap_or(0).max(3)].to_string();
        if !self.is_dir(&parent) {
            self.add_directory(&parent_display)?;
        }
        let node = FileNode {
            path: p.display,
            data: content.to_vec(),
            delete_pending: false,
            opens: Vec::new(),
        };
        match self.files.entry(p.key) {
            // A file written again keeps the objects open on it.
            Entry::Occupied(mut old) => {
                let opens = std::mem::take(&mut old.get_mut().opens);
                *old.get_mut() = FileNode { opens, ..node };
            }
            Entry::Vacant(new) => {
                new.insert(node);
            }
        }
        Ok(())
    }

    pub(crate) fn content(&self, path: &str) -> Option<&[u8]> {
        let p = parse(path, "C:\\").ok()?;
        self.files.get(&p.key).map(|f| f.data.as_slice())
    }

    pub(crate) fn entries(&self) -> Vec<FileSystemEntry> {
        let mut all: Vec<FileSystemEntry> = self
            .dirs
            .values()
            .map(|d| FileSystemEntry {
                path: d.clone(),
                directory: true,
                size: 0,
            })
            .chain(self.files.values().map(|f| FileSystemEntry {
                path: f.path.clone(),
                directory: false,
                size: f.data.len() as u64,
            }))
            .collect();
        all.sort_by_key(|e| crate::case::upcase(&e.path));
        all
    }

    /// A program path for `CreateProcess`: 3 when a directory is missing, 2 when the file is.
    pub(crate) fn check_executable(&self, path: &str, cwd: &str) -> Result<(), Win32Error> {
        let p = parse(path, cwd).map_err(|_| Win32Error::PathNotFound)?;
        match &p.parent {
            Some(parent) if !self.is_dir(parent) => Err(Win32Error::PathNotFound),
            _ if self.files.contains_key(&p.key) => Ok(()),
            _ if self.is_dir(&p.key) => Err(Win32Error::AccessDenied),
            _ => Err(Win32Error::FileNotFound),
        }
    }

    /// The display path of an existing directory.
    pub(crate) fn directory(&self, path: &str, cwd: &str) -> Option<String> {
        let p = parse(path, cwd).ok()?;
        self.dirs.get(&p.key).cloned()
    }

    /// The file object `id` on `key` was destroyed: a delete-pending file goes once no other
    /// file object has it open.
    pub(crate) fn closed(&mut self, key: &str, id: ObjectId) {
        let Some(node) = self.files.get_mut(key) else { return };
        node.opens.retain(|&o| o != id);
        if node.delete_pending && node.opens.is_empty() {
            self.files.remove(key);
        }
    }
}

impl Kernel {
    /// Open file objects on `key` (for share checks).
    fn open_files<'a>(&'a self, key: &str) -> impl Iterator<Item = &'a FileObj> + 'a {
        let opens = self.fs.files.get(key).map_or(&[][..], |n| &n.opens[..]);
        opens.iter().map(|&id| match &self.objects[id].body {
            Body::File(f) => &**f,
            _ => unreachable!("a file's open list names file objects"),
        })
    }

    /// `CreateFile`: pipe clients, mailslot clients, and files.
    pub(crate) fn create_file(&mut self, cx: Cx, a: &CreateFileArgs) -> Res {
        let invalid = Ret::Handle(HandleValue::INVALID);
        let inherit = crate::call::inheritable(&a.security_attributes);
        let lower = a.file_name.to_ascii_lowercase();
        if lower.starts_with("\\\\.\\pipe\\") {
            return match super::pipe::pipe_key(&a.file_name) {
                Ok(key) => self.open_pipe_client(cx.process, &key, a.desired_access, inherit),
                Err(e) => Res::fail(invalid, e),
            };
        }
        if lower.starts_with("\\\\.\\mailslot\\") {
            return match super::mailslot::mailslot_key(&a.file_name) {
                Ok(key) => self.open_mailslot_client(cx.process, &key, a.desired_access, inherit),
                Err(e) => Res::fail(invalid, e),
            };
        }
        if !(CREATE_NEW..=TRUNCATE_EXISTING).contains(&a.creation_disposition) {
            return Res::fail(invalid, Win32Error::InvalidParameter);
        }
        let cwd = self.process(cx.process).current_directory.clone();
        let path = match parse(&a.file_name, &cwd) {
            Ok(p) => p,
            Err(e) => return Res::fail(invalid, e),
        };
        if self.fs.is_dir(&path.key) {
            return Res::fail(invalid, Win32Error::AccessDenied);
        }
        if !path.parent.as_ref().is_some_and(|p| self.fs.is_dir(p)) {
            return Res::fail(invalid, Win32Error::PathNotFound);
        }
        let node = self.fs.files.get(&path.key);
        if node.is_some_and(|n| n.delete_pending) {
            return Res::fail(invalid, Win32Error::AccessDenied);
        }
        let exists = node.is_some();
        let d = a.creation_disposition;
        if d == CREATE_NEW && exists {
            return Res::fail(invalid, Win32Error::FileExists);
        }
        if (d == OPEN_EXISTING || d == TRUNCATE_EXISTING) && !exists {
            return Res::fail(invalid, Win32Error::FileNotFound);
        }
        let access = map_access(ObjectKind::File, a.desired_access) | super::CREATE_FILE_ADDED_RIGHTS;
        if d == TRUNCATE_EXISTING && access & FILE_WRITE_DATA == 0 {
            return Res::fail(invalid, Win32Error::InvalidParameter);
        }
        let conflict = |held_access: u32, other_share: u32| {
            (held_access & super::FILE_READ_RIGHTS != 0 && other_share & FILE_SHARE_READ == 0)
                || (held_access & super::FILE_WRITE_RIGHTS != 0 && other_share & FILE_SHARE_WRITE == 0)
                || (held_access & DELETE != 0 && other_share & FILE_SHARE_DELETE == 0)
        };
        if self
            .open_files(&path.key)
            .any(|f| conflict(access, f.share) || conflict(f.access, a.share_mode))
        {
            return Res::fail(invalid, Win32Error::SharingViolation);
        }
        if let Err(e) = self.ensure_rows(cx.process, 1) {
            return Res::fail(invalid, e);
        }
        let body = FileObj {
            key: path.key.clone(),
            position: 0,
            access,
            share: a.share_mode,
        };
        let file = self.new_object(Body::File(Box::new(body)), Some(path.display.clone()));
        let node = self.fs.files.entry(path.key).or_insert_with(|| FileNode {
            path: path.display,
            data: Vec::new(),
            delete_pending: false,
            opens: Vec::new(),
        });
        if exists && (d == CREATE_ALWAYS || d == TRUNCATE_EXISTING) {
            node.data.clear();
        }
        node.opens.push(file);
        let h = self.add_row(
            cx.process,
            file,
            access,
            HandleFlags::inherit_if(inherit),
            self.created(),
        );
        let error = if exists && (d == CREATE_ALWAYS || d == OPEN_ALWAYS) {
            Win32Error::AlreadyExists
        } else {
            Win32Error::Success
        };
        Res::ok(Ret::Handle(h)).set(error)
    }

    /// `DeleteFile`.
    pub(crate) fn delete_file(&mut self, cx: Cx, name: &str) -> Res {
        let cwd = self.process(cx.process).current_directory.clone();
        let path = match parse(name, &cwd) {
            Ok(p) => p,
            Err(e) => return Res::no(e),
        };
        if self.fs.is_dir(&path.key) {
            return Res::no(Win32Error::AccessDenied);
        }
        if !path.parent.as_ref().is_some_and(|p| self.fs.is_dir(p)) {
            return Res::no(Win32Error::PathNotFound);
        }
        match self.fs.files.get(&path.key) {
            None => return Res::no(Win32Error::FileNotFound),
            Some(n) if n.delete_pending => return Res::no(Win32Error::AccessDenied),
            Some(_) => {}
        }
        let shares: Vec<u32> = self.open_files(&path.key).map(|f| f.share).collect();
        if shares.is_empty() {
            self.fs.files.remove(&path.key);
            return Res::yes();
        }
        if shares.iter().any(|s| s & FILE_SHARE_DELETE == 0) {
            return Res::no(Win32Error::SharingViolation);
        }
        self.fs.files.get_mut(&path.key).expect("exists").delete_pending = true;
        Res::yes()
    }

    /// `GetFileType`.
    pub(crate) fn get_file_type(&self, cx: Cx, h: HandleValue) -> Res {
        let unknown = Ret::Dword(FILE_TYPE_UNKNOWN);
        let (id, _) = match self.resolve(cx, h) {
            Ok(v) => v,
            Err(e) => return Res::fail(unknown, e),
        };
        match self.obj(id).kind() {
            ObjectKind::Pipe | ObjectKind::Mailslot | ObjectKind::MailslotClient => Res::ok(Ret::Dword(FILE_TYPE_PIPE)),
            ObjectKind::File => Res::ok(Ret::Dword(FILE_TYPE_DISK)),
            ObjectKind::Process
            | ObjectKind::Thread
            | ObjectKind::Event
            | ObjectKind::Mutex
            | ObjectKind::Semaphore
            | ObjectKind::Snapshot => Res::fail(unknown, Win32Error::InvalidHandle),
        }
    }

    pub(crate) fn file_read(&mut self, id: ObjectId, size: u32) -> Res {
        let Body::File(f) = &self.objects[id].body else {
            unreachable!()
        };
        let (key, position) = (f.key.clone(), f.position as usize);
        let data = match self.fs.files.get(&key) {
            Some(node) if position < node.data.len() => {
                super::pipe::copy_bytes(&node.data[position..(position + size as usize).min(node.data.len())])
            }
            _ => Vec::new(),
        };
        if let Body::File(f) = &mut self.objects[id].body {
            f.position += data.len() as u64;
        }
        super::pipe::read_result(true, None, data)
    }

    pub(crate) fn file_write(&mut self, id: ObjectId, data: &[u8]) -> Res {
        let Body::File(f) = &mut self.objects[id].body else {
            unreachable!()
        };
        let (key, position) = (f.key.clone(), f.position as usize);
        f.position += data.len() as u64;
        let node = self.fs.files.get_mut(&key).expect("an open file's node exists");
        if node.data.len() < position + data.len() {
            node.data.resize(position + data.len(), 0);
        }
        node.data[position..position + data.len()].copy_from_slice(data);
        let n = data.len() as u32;
        Res::yes().out1(OutputField::BytesWritten, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_case_insensitive() {
        let p = parse("c:/Data/../Data/./a.txt", "C:\\").unwrap();
        assert_eq!(p.display, "C:\\Data\\a.txt");
        assert_eq!(p.key, "C:\\DATA\\A.TXT");
        assert_eq!(p.parent.as_deref(), Some("C:\\DATA"));
        assert_eq!(parse("a.txt", "C:\\work").unwrap().display, "C:\\work\\a.txt");
        assert_eq!(parse("\\x", "D:\\work").unwrap().display, "D:\\x");
        assert!(parse("C:\\a?b", "C:\\").is_err());
    }

    #[test]
    fn add_file_creates_directories() {
        let mut fs = FileSystem::new();
        fs.add_file("C:\\data\\sub\\f.txt", b"hi").unwrap();
        assert_eq!(fs.content("c:\\DATA\\sub\\F.TXT"), Some(&b"hi"[..]));
        assert!(fs.directory("C:\\data\\sub", "C:\\").is_some());
        assert_eq!(
            fs.check_executable("C:\\data\\nope.exe", "C:\\"),
            Err(Win32Error::FileNotFound)
        );
        assert_eq!(
            fs.check_executable("C:\\nodir\\x.exe", "C:\\"),
            Err(Win32Error::PathNotFound)
        );
    }
}
