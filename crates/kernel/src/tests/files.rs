//! The in-memory file system through CreateFile, ReadFile, WriteFile and DeleteFile.

use super::*;

fn open(name: &str, access: u32, share: u32, disposition: u32) -> Call {
    Call::CreateFile(CreateFileArgs {
        file_name: name.into(),
        desired_access: access,
        share_mode: share,
        security_attributes: None,
        creation_disposition: disposition,
        flags_and_attributes: 0,
    })
}

#[test]
fn create_read_write_and_dispositions() {
    let mut w = World::new();
    w.k.add_file("C:\\data\\hello.txt", b"Hello, pipe!").unwrap();
    let f = w.run(
        w.tid,
        open("C:\\DATA\\Hello.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING),
    );
    assert_eq!(f.last_error, Win32Error::Success);
    let f = handle(&f);
    assert_eq!(data(&w.run(w.tid, read(f, 5))), "Hello");
    assert_eq!(data(&w.run(w.tid, read(f, 100))), ", pipe!");
    assert_eq!(
        w.run(w.tid, read(f, 100)).outputs().bytes_read,
        Some(0),
        "TRUE with 0 bytes at the end"
    );
    fails(&w.run(w.tid, write(f, "x")), Win32Error::AccessDenied);
    let bad = |r: &CallResult, e| assert_eq!((r.ret, r.last_error), (Ret::Handle(HandleValue::INVALID), e), "{r:?}");
    bad(
        &w.run(w.tid, open("C:\\data\\none.txt", GENERIC_READ, 0, OPEN_EXISTING)),
        Win32Error::FileNotFound,
    );
    bad(
        &w.run(w.tid, open("C:\\nodir\\x.txt", GENERIC_READ, 0, OPEN_EXISTING)),
        Win32Error::PathNotFound,
    );
    bad(
        &w.run(
            w.tid,
            open("C:\\data\\hello.txt", GENERIC_READ, FILE_SHARE_READ, CREATE_NEW),
        ),
        Win32Error::FileExists,
    );
    bad(
        &w.run(
            w.tid,
            open("C:\\data\\hello.txt", GENERIC_WRITE, FILE_SHARE_READ, OPEN_EXISTING),
        ),
        Win32Error::SharingViolation,
    );
    bad(
        &w.run(w.tid, open("C:\\data", GENERIC_READ, 0, OPEN_EXISTING)),
        Win32Error::AccessDenied,
    );
    bad(
        &w.run(w.tid, open("C:\\data\\x", GENERIC_READ, 0, 9)),
        Win32Error::InvalidParameter,
    );
    let o = w.run(w.tid, open("C:\\data\\out.txt", GENERIC_WRITE, 0, CREATE_ALWAYS));
    assert_eq!(o.last_error, Win32Error::Success);
    w.run(w.tid, write(handle(&o), "abc"));
    let again = w.run(w.tid, open("C:\\data\\new.txt", GENERIC_WRITE, 0, OPEN_ALWAYS));
    assert_eq!(again.last_error, Win32Error::Success);
    succeeds(&w.run(w.tid, close(handle(&o))));
    let o2 = w.run(w.tid, open("C:\\data\\out.txt", GENERIC_WRITE, 0, OPEN_ALWAYS));
    assert_eq!(o2.last_error, Win32Error::AlreadyExists);
    assert_eq!(w.k.file_content("C:\\data\\out.txt"), Some(&b"abc"[..]));
    assert_eq!(
        w.run(w.tid, Call::GetFileType { file: handle(&o2) }).ret,
        Ret::Dword(FILE_TYPE_DISK)
    );
}

#[test]
fn delete_needs_share_delete_and_waits_for_the_last_handle() {
    let mut w = World::new();
    w.k.add_file("C:\\t\\a.txt", b"x").unwrap();
    let f = handle(&w.run(
        w.tid,
        open("C:\\t\\a.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING),
    ));
    fails(
        &w.run(
            w.tid,
            Call::DeleteFile {
                file_name: "C:\\t\\a.txt".into(),
            },
        ),
        Win32Error::SharingViolation,
    );
    succeeds(&w.run(w.tid, close(f)));
    let f = handle(&w.run(
        w.tid,
        open("C:\\t\\a.txt", GENERIC_READ, FILE_SHARE_DELETE, OPEN_EXISTING),
    ));
    succeeds(&w.run(
        w.tid,
        Call::DeleteFile {
            file_name: "C:\\t\\a.txt".into(),
        },
    ));
    assert!(w.k.file_content("C:\\t\\a.txt").is_some(), "delete pending");
    succeeds(&w.run(w.tid, close(f)));
    assert!(w.k.file_content("C:\\t\\a.txt").is_none());
    fails(
        &w.run(
            w.tid,
            Call::DeleteFile {
                file_name: "C:\\t\\a.txt".into(),
            },
        ),
        Win32Error::FileNotFound,
    );
}

#[test]
fn sharing_compares_each_open_s_rights_with_the_other_s_share_mode() {
    // MS "Creating and Opening Files" (the sharing table): a second open conflicts when it
    // asks for a right an earlier open does not share, or when an earlier open holds a right
    // the second does not share; readers that share only reading do not conflict.
    let mut w = World::new();
    w.k.add_file("C:\\data\\shared.txt", b"x").unwrap();
    let name = "C:\\data\\shared.txt";
    let ok = |w: &mut World, access, share| {
        let r = w.run(w.tid, open(name, access, share, OPEN_EXISTING));
        assert!(
            matches!(r.ret, Ret::Handle(h) if h != HandleValue::INVALID),
            "{access:#x} {share:#x}: {r:?}"
        );
        handle(&r)
    };
    let refused = |w: &mut World, access, share| {
        let r = w.run(w.tid, open(name, access, share, OPEN_EXISTING));
        assert_eq!(r.last_error, Win32Error::SharingViolation, "{access:#x} {share:#x}");
    };
    let first = ok(&mut w, GENERIC_READ, FILE_SHARE_READ);
    let second = ok(&mut w, GENERIC_READ, FILE_SHARE_READ);
    refused(&mut w, GENERIC_WRITE, FILE_SHARE_READ);
    refused(&mut w, GENERIC_READ, 0);
    for h in [first, second] {
        succeeds(&w.run(w.tid, close(h)));
    }
    let writer = ok(&mut w, GENERIC_WRITE, FILE_SHARE_READ);
    ok(&mut w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE);
    refused(&mut w, GENERIC_READ, FILE_SHARE_READ);
    succeeds(&w.run(w.tid, close(writer)));
}

#[test]
fn create_file_always_adds_synchronize_and_read_attributes() {
    // kernel32's CreateFileW opens with `dwDesiredAccess | SYNCHRONIZE | FILE_READ_ATTRIBUTES`
    // (Wine's kernelbase and ReactOS's kernel32 pass that mask to NtCreateFile), after the
    // generic rights are mapped: a query-only open (0) holds just those two, a writer
    // (FILE_GENERIC_WRITE has SYNCHRONIZE but no FILE_READ_ATTRIBUTES) gains the second.
    let mut w = World::new();
    w.k.add_file("C:\\data\\a.txt", b"x").unwrap();
    let share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    let access_of = |w: &mut World, desired: u32| {
        let h = handle(&w.run(w.tid, open("C:\\data\\a.txt", desired, share, OPEN_EXISTING)));
        let view = w.k.process_view(w.pid).unwrap();
        view.handles.iter().find(|r| r.handle == h).unwrap().access
    };
    assert_eq!(access_of(&mut w, 0), SYNCHRONIZE | FILE_READ_ATTRIBUTES);
    assert_eq!(
        access_of(&mut w, GENERIC_WRITE),
        FILE_GENERIC_WRITE | FILE_READ_ATTRIBUTES
    );
    assert_eq!(access_of(&mut w, GENERIC_READ), FILE_GENERIC_READ);
}

#[test]
fn writes_through_one_handle_follow_each_other() {
    // MS "WriteFile": a synchronous write starts at the file pointer and moves it past the
    // bytes written, so two writes through one handle follow each other.
    let mut w = World::new();
    let name = "C:\\data\\w.txt";
    w.k.add_directory("C:\\data").unwrap();
    let h = handle(&w.run(w.tid, open(name, GENERIC_WRITE, 0, CREATE_ALWAYS)));
    succeeds(&w.run(w.tid, write(h, "ab")));
    succeeds(&w.run(w.tid, write(h, "cde")));
    assert_eq!(w.k.file_content(name), Some(&b"abcde"[..]));
}

#[test]
fn delete_conflicts_only_with_an_open_that_does_not_share_delete() {
    // MS "Creating and Opening Files": DELETE access conflicts with an open that does not
    // share delete, and not sharing delete refuses only later opens that ask for DELETE;
    // openers that share reading and writing but not deletion open together while none
    // asks for DELETE.
    let mut w = World::new();
    w.k.add_file("C:\\data\\d.txt", b"x").unwrap();
    let name = "C:\\data\\d.txt";
    let rw = FILE_SHARE_READ | FILE_SHARE_WRITE;
    let first = w.run(w.tid, open(name, GENERIC_READ | GENERIC_WRITE, rw, OPEN_EXISTING));
    let second = w.run(w.tid, open(name, GENERIC_READ, rw, OPEN_EXISTING));
    for r in [&first, &second] {
        assert!(matches!(r.ret, Ret::Handle(h) if h != HandleValue::INVALID), "{r:?}");
    }
    let deleter = w.run(w.tid, open(name, DELETE, rw | FILE_SHARE_DELETE, OPEN_EXISTING));
    assert_eq!(deleter.last_error, Win32Error::SharingViolation);
}

#[test]
fn a_read_past_a_truncated_end_reads_nothing() {
    // MS "ReadFile": a synchronous read at or past the end of a file returns TRUE with 0 bytes
    // read. A reader's position can lie past the end when another open truncates the file
    // (CREATE_ALWAYS, TRUNCATE_EXISTING) under it.
    let mut w = World::new();
    w.k.add_file("C:\\data\\log.txt", b"0123456789").unwrap();
    let share = FILE_SHARE_READ | FILE_SHARE_WRITE;
    let reader = handle(&w.run(w.tid, open("C:\\data\\log.txt", GENERIC_READ, share, OPEN_EXISTING)));
    assert_eq!(data(&w.run(w.tid, read(reader, 8))), "01234567");
    let trunc = w.run(
        w.tid,
        open("C:\\data\\log.txt", GENERIC_WRITE, share, TRUNCATE_EXISTING),
    );
    assert_eq!(trunc.last_error, Win32Error::Success);
    assert_eq!(w.k.file_content("C:\\data\\log.txt"), Some(&b""[..]));
    let r = w.run(w.tid, read(reader, 4));
    assert_eq!((r.ret, r.outputs().bytes_read), (Ret::Bool(true), Some(0)));
    assert_eq!(data(&r), "");
}

#[test]
fn a_file_is_held_by_each_of_its_open_objects_until_the_last_closes() {
    // Each CreateFile is a file object of its own (shared through a duplicate it stays one);
    // a delete-pending file goes when its last file object is destroyed, not its last handle
    // in one process; a file written again by the host keeps the objects open on it.
    let mut w = World::new();
    let refused = |r: &CallResult| {
        let want = (Ret::Handle(HandleValue::INVALID), Win32Error::SharingViolation);
        assert_eq!((r.ret, r.last_error), want, "{r:?}");
    };
    w.k.add_file("C:\\t\\b.txt", b"one").unwrap();
    let all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    let f1 = handle(&w.run(w.tid, open("C:\\t\\b.txt", GENERIC_READ, all, OPEN_EXISTING)));
    let f2 = handle(&w.run(w.tid, open("c:/T/B.TXT", GENERIC_READ, all, OPEN_EXISTING)));
    let d = w
        .run(w.tid, Call::DuplicateHandle(dup(f2, DUPLICATE_SAME_ACCESS)))
        .outputs()
        .target_handle
        .unwrap();
    // The host writes the file again while it is open: the opens still count.
    w.k.add_file("C:\\t\\b.txt", b"two").unwrap();
    // They hold reading, which an open sharing nothing cannot allow.
    refused(&w.run(w.tid, open("C:\\t\\b.txt", GENERIC_READ, 0, OPEN_EXISTING)));
    succeeds(&w.run(
        w.tid,
        Call::DeleteFile {
            file_name: "C:\\t\\b.txt".into(),
        },
    ));
    for h in [f1, f2] {
        succeeds(&w.run(w.tid, close(h)));
        assert_eq!(w.k.file_content("C:\\t\\b.txt"), Some(&b"two"[..]), "still open");
    }
    succeeds(&w.run(w.tid, close(d)));
    assert_eq!(w.k.file_content("C:\\t\\b.txt"), None, "the last object went");
    // The name is free again: a new file of that name is a new file.
    let f = handle(&w.run(w.tid, open("C:\\t\\b.txt", GENERIC_WRITE, 0, CREATE_NEW)));
    refused(&w.run(w.tid, open("C:\\t\\b.txt", GENERIC_READ, all, OPEN_EXISTING)));
    succeeds(&w.run(w.tid, close(f)));
    w.check();
}
