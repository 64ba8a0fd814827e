//! `kernsim quiz`: seeded problems, scripted answers, scores and exit codes, `-c`, Korean,
//! `--final-only` and `--reverse`. The answers checked here were worked out by hand from the
//! spec for the printed problem (pipes, seed 3): CreatePipe gives TRUE; "data!" is 5 bytes, a
//! read of 2 leaves 3 and a read of 10 on a byte pipe takes those 3 (spec §5); the read end is
//! handle 4 and the write end 8; one handle, usage count 1.

use std::io::Write;
use std::process::{Command, Stdio};

fn quiz(args: &[&str], answers: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kernsim"))
        .arg("quiz")
        .args(args)
        .current_dir(super::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("kernsim runs");
    child.stdin.take().unwrap().write_all(answers.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

const PIPES_3: [&str; 2] = ["--topic", "pipes"];

#[test]
fn a_seed_prints_first_and_gives_the_same_problem_again() {
    let (_, a) = quiz(&[PIPES_3[0], PIPES_3[1], "--seed", "3", "-c"], "");
    let (_, b) = quiz(&[PIPES_3[0], PIPES_3[1], "--seed", "3", "-c"], "");
    assert_eq!(a, b);
    assert!(a.starts_with("kernsim quiz: seed 3, topic pipes"), "{a}");
    assert!(a.contains("   2. app: WriteFile(file: hWrite, data: data!)"), "{a}");
    let (_, c) = quiz(&[PIPES_3[0], PIPES_3[1], "--seed", "4", "-c"], "");
    assert_ne!(a, c, "another seed, another problem");
}

#[test]
fn scripted_answers_are_graded_with_a_score_and_the_exit_status() {
    let args = [PIPES_3[0], PIPES_3[1], "--seed", "3"];
    let right = "TRUE\ntrue\n3\nTRUE\n8 4\n1\n";
    let (code, out) = quiz(&args, right);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("score: 6 of 6"), "{out}");
    // A wrong count: graded wrong, with the answer and why (the object's holders).
    let (code, out) = quiz(&args, "TRUE\ntrue\n5\nTRUE\n4 8\n1\n");
    assert_eq!(code, 1);
    assert!(out.contains("wrong: the answer is 3."), "{out}");
    assert!(out.contains("score: 5 of 6"), "{out}");
    assert!(
        out.contains("held by:"),
        "the usage question is explained by why_alive: {out}"
    );
    // No answers at all: every question wrong, exit 1.
    let (code, out) = quiz(&args, "");
    assert_eq!(code, 1);
    assert!(out.contains("score: 0 of 6"), "{out}");
}

#[test]
fn a_korean_quiz_wrong_then_right_then_solved() {
    let args = ["--topic", "pipes", "--seed", "3", "--lang", "ko"];
    let (code, out) = quiz(&args, "FALSE 6\n");
    assert_eq!(code, 1);
    assert!(out.contains("1단계 (CreatePipe): 무엇을 반환하고"), "{out}");
    assert!(out.contains("틀렸다: 답은 TRUE."), "{out}");
    let (code, out) = quiz(&args, "TRUE\nTRUE\n3\nTRUE\n4 8\n1\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("점수: 6개 중 6개"), "{out}");
    let (code, out) = quiz(&[args.as_slice(), &["-c"]].concat(), "");
    assert_eq!(code, 0);
    assert!(out.contains("답: 3"), "{out}");
}

#[test]
fn blocking_reverse_and_final_only_questions() {
    // Pipes, seed 0: a peek of the new pipe, then a read of the empty pipe whose write end is
    // still open: it blocks (spec §5: a read waits while a writer exists).
    let (_, out) = quiz(&["--topic", "pipes", "--seed", "0", "-c"], "");
    assert!(
        out.contains("   3. app: ReadFile(file: hRead, bytes_to_read: 64)"),
        "{out}"
    );
    assert!(out.contains("Does step 3 block"), "{out}");
    assert!(out.contains("answer: yes"), "{out}");
    // --reverse: the final tables and lettered calls; exactly one is right.
    let (_, solved) = quiz(&["--topic", "inherit", "--seed", "5", "--reverse", "-c"], "");
    let letter = solved
        .lines()
        .find_map(|l| l.trim().strip_prefix("answer: "))
        .expect("an answer")
        .to_string();
    assert!(solved.contains("Which call was step 6?"), "{solved}");
    let (code, _) = quiz(
        &["--topic", "inherit", "--seed", "5", "--reverse"],
        &format!("{letter}\n"),
    );
    assert_eq!(code, 0);
    let (code, _) = quiz(&["--topic", "inherit", "--seed", "5", "--reverse"], "z\n");
    assert_eq!(code, 1);
    // --final-only asks about the last step only.
    let (_, out) = quiz(&["--topic", "processes", "--seed", "1", "--final-only", "-c"], "");
    let numbered = |l: &&str| {
        let t = l.trim_start();
        l.starts_with("  ") && t.split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok())
    };
    let steps = out.lines().filter(numbered).count();
    for q in out.lines().filter(|l| l.starts_with('Q')) {
        assert!(
            q.contains(&format!("step {steps}")) || q.contains(&format!("Step {steps}")),
            "{q}"
        );
    }
}

#[test]
fn every_topic_makes_problems_that_run_and_ask() {
    for topic in [
        "handles",
        "inherit",
        "duplicate",
        "pipes",
        "named-pipes",
        "env",
        "processes",
        "all",
    ] {
        for seed in 0..6 {
            let (code, out) = quiz(&["--topic", topic, "--seed", &seed.to_string(), "-c"], "");
            assert_eq!(code, 0, "{topic} {seed}: {out}");
            assert!(!out.contains("error:"), "{topic} {seed}: {out}");
            let steps = out
                .lines()
                .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()) && l.contains(": "))
                .count();
            assert!(steps >= 2, "{topic} {seed}: {out}");
            assert!(
                out.lines().filter(|l| l.starts_with('Q')).count() >= 2,
                "{topic} {seed}: {out}"
            );
        }
    }
    let (code, out) = quiz(&["--topic", "mailslots"], "");
    assert_eq!(code, 2, "{out}");
}
