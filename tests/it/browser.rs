//! The lesson page in a real browser: `tests/browser/setup.sh` installs Debian's chromium and
//! playwright-core, then `tests/browser/lesson.mjs` clicks through two shipped lessons and
//! checks every step's tables and diagram against the JSON trace of the same run, that the
//! page fetches nothing and logs no error, and saves a screenshot of one step into
//! `target/tmp/browser/`. Skipped, saying why, only where the browser cannot be installed.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn two_lesson_pages_step_through_in_headless_chromium() {
    let root = super::root();
    let setup = Command::new("bash")
        .arg("tests/browser/setup.sh")
        .current_dir(&root)
        .output();
    match setup {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            eprintln!("skipped: {}", String::from_utf8_lossy(&o.stdout).trim());
            return;
        }
        Err(e) => {
            eprintln!("skipped: bash could not run tests/browser/setup.sh: {e}");
            return;
        }
    }
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&out).unwrap();
    for (lesson, lang, shot_step) in [
        ("s2_named_pipe_procedure", "en", "7"),
        ("s2_anonymous_pipe_child", "ko", "3"),
    ] {
        let file = format!("scenarios/{lesson}.json");
        let render = |format: &str| {
            let o = Command::new(env!("CARGO_BIN_EXE_kernsim"))
                .args(["run", &file, "--format", format, "--lang", lang])
                .current_dir(&root)
                .output()
                .expect("kernsim runs");
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            o.stdout
        };
        let page = out.join(format!("{lesson}.html"));
        let trace = out.join(format!("{lesson}.jsonl"));
        std::fs::write(&page, render("html")).unwrap();
        std::fs::write(&trace, render("json")).unwrap();
        let shot = out.join(format!("{lesson}.step-{shot_step}.png"));
        let o = Command::new("node")
            .arg("tests/browser/lesson.mjs")
            .args([&page, &trace, &shot])
            .arg(shot_step)
            .current_dir(&root)
            .output()
            .expect("node runs");
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(o.status.success(), "{lesson}: {said}");
        assert!(said.starts_with("ok:"), "{said}");
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "no screenshot at {shot:?}"
        );
    }
}
