//! The teaching outputs of `kernsim run`: `--diff`, `--format dot --at N` and the lesson page
//! `--format html` (its browser test is `browser.rs`). Expected values are the spec's: a
//! child inherits the write end at the same value (spec §3), a running child's process and
//! thread objects count its own reference plus the parent's handle (spec §2.2).

use std::process::Command;

fn kernsim(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .args(args)
        .current_dir(super::root())
        .output()
        .expect("kernsim runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn diff_lists_rows_counts_and_pipe_states_per_step() {
    let (code, out, _) = kernsim(&["run", "scenarios/s2_anonymous_pipe_child.json", "--diff"]);
    assert_eq!(code, 0);
    for line in [
        "diff: + child: handle 8 -> Pipe 0x1300",
        "diff: ~ Pipe 0x1300: usage count 1 -> 2 (+1)",
        "diff: ~ Process 0x1400: usage count 0 -> 2 (+2)",
        "diff: - parent: handle 8 -> Pipe 0x1300",
        "diff: ~ Pipe 0x1300: usage count 2 -> 1 (-1)",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    let (_, named, _) = kernsim(&["run", "scenarios/s2_named_pipe_procedure.json", "--diff"]);
    assert!(named.contains(": now connected"), "{named}");
    let (_, ko, _) = kernsim(&[
        "run",
        "scenarios/s2_anonymous_pipe_child.json",
        "--diff",
        "--lang",
        "ko",
    ]);
    assert!(ko.contains("변화: + child: 핸들 8 -> Pipe 0x1300"), "{ko}");
}

#[test]
fn dot_draws_the_rows_objects_and_counts_of_one_step() {
    let (code, out, _) = kernsim(&[
        "run",
        "scenarios/s2_anonymous_pipe_child.json",
        "--format",
        "dot",
        "--at",
        "3",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("digraph step_3 {"), "{out}");
    assert!(out.contains("p108:h8 -> o1300;"), "the child's inherited row: {out}");
    assert!(out.contains("p100:h8 -> o1300;"), "the parent's row: {out}");
    assert!(out.contains("usage count 2 · handles 2"), "{out}");
    assert!(out.contains("o1200 -> o1300 [dir=both"), "pipe ends joined: {out}");
    assert!(out.trim_end().ends_with('}'));
    let (code, _, err) = kernsim(&[
        "run",
        "scenarios/s2_anonymous_pipe_child.json",
        "--format",
        "dot",
        "--at",
        "99",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("there is no step 99"), "{err}");
}

#[test]
fn the_lesson_page_is_one_self_contained_file_with_a_section_per_step() {
    for (file, lang) in [
        ("scenarios/s2_named_pipe_procedure.json", "en"),
        ("scenarios/s1_inheritance.json", "ko"),
    ] {
        let (code, page, err) = kernsim(&["run", file, "--format", "html", "--lang", lang]);
        assert_eq!(code, 0, "{err}");
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains(&format!("<html lang=\"{lang}\">")));
        assert!(page.contains("Content-Security-Policy"));
        // Nothing is fetched: no external script, style, font or image.
        for bad in ["<script src", "<link", "@import", "url(", "<img", "https://"] {
            assert!(!page.contains(bad), "{file}: {bad}");
        }
        let text = std::fs::read_to_string(super::root().join(file)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let steps = v["steps"].as_array().unwrap().len() + v["processes"].as_array().map_or(0, |p| p.len());
        assert_eq!(page.matches("<section class=\"step\"").count(), steps, "{file}");
        assert!(page.trim_end().ends_with("</html>"));
        if lang == "ko" {
            assert!(page.contains("이전") && page.contains("다음"));
        }
    }
}

fn stepping(file: &str, keys: &str, lang: &str) -> String {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .args(["run", file, "--step", "--lang", lang])
        .current_dir(super::root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("kernsim runs");
    child.stdin.take().unwrap().write_all(keys.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn stepping_goes_forward_back_and_to_a_step_and_shows_there() {
    let out = stepping(
        "scenarios/s2_anonymous_pipe_child.json",
        "\n\nb\ng 3\ns handles child\ns why hWrite\nq\n",
        "en",
    );
    // Forward to 2, back to 1: step 1 is narrated twice, from a fresh run each time.
    assert_eq!(
        out.matches("[step 1] The parent creates an inheritable pipe").count(),
        2,
        "{out}"
    );
    assert_eq!(out.matches("[step 2] ").count(), 1, "{out}");
    assert!(out.contains("[step 3] The child inherits the write end"), "{out}");
    // `s handles child` at step 3: the child's table with the inherited write end.
    assert!(out.contains("handle table of child (pid 108)\n"), "{out}");
    assert!(out.contains("| 8 | 0x1300 | Y | Pipe (write end) | 2 |"), "{out}");
    // `s why hWrite`: both holders, the parent's row and the child's inherited one.
    assert!(
        out.contains("- child: handle 8 (inherit Y), inherited from parent by CreateProcess at step 3"),
        "{out}"
    );
    assert!(!out.contains("[step 4]"), "q stops at step 3: {out}");
    let ko = stepping("scenarios/s2_anonymous_pipe_child.json", "g 99\nb\nx\n", "ko");
    assert!(ko.contains("단계 99는 없다"), "{ko}");
    assert!(ko.contains("준비 단계, 첫 단계다"), "{ko}");
    assert!(ko.contains("Enter 또는 n: 다음 단계"), "{ko}");
}

#[test]
fn a_large_table_is_drawn_in_part_so_a_page_step_stays_bounded() {
    let steps: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"by": "p", "call": "CreateEvent", "args": {{}}, "bind": {{"ret": "h{i}"}}}}"#))
        .collect();
    let text = format!(
        r#"{{"format_version": 1, "title": "t", "processes": [{{"name": "p", "image": "p.exe"}}], "steps": [{}]}}"#,
        steps.join(",")
    );
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lesson");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hundred.json");
    std::fs::write(&path, text).unwrap();
    let (code, page, _) = kernsim(&["run", path.to_str().unwrap(), "--format", "html"]);
    assert_eq!(code, 0);
    let last = page.rsplit("<section class=\"step\"").next().unwrap();
    // 48 rows plus the one the step added (handle 400), and a line for the other 51.
    assert_eq!(
        last.matches("<tr class=\"").count() - last.matches("<tr class=\"more\"").count(),
        49,
        "{last}"
    );
    assert!(last.contains("data-handle=\"400\""), "the changed row is drawn");
    assert!(last.contains("... and 51 more rows, not drawn"), "{last}");
    assert!(last.contains("data-total=\"100\""));
}
