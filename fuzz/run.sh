#!/usr/bin/env bash
# The fuzzing suite: builds the libFuzzer targets on the stable toolchain (libfuzzer-sys
# compiles libFuzzer with the system's C++ compiler; coverage comes from stable -C flags) and
# runs each for FUZZ_SECONDS seconds (default 15: the smoke run .ci/run makes).
#   fuzz/run.sh                              # every target, 15 s each
#   FUZZ_SECONDS=3600 fuzz/run.sh calls      # one target, an hour
#   FUZZ_SEED=0 fuzz/run.sh                  # a new random seed each run (default: seed 1)
# Each input is limited to FUZZ_INPUT_TIMEOUT seconds (default 10) and FUZZ_RSS_MB of memory
# (default 2048): an input over either is a finding, like a crash. A wall-clock backstop
# (the run's time plus 120 s) ends a run that libFuzzer itself could not stop.
# Seeds: the shipped scenarios (scenario target), fuzz/seeds/shell (shell target). What a run
# finds is kept in fuzz/target/corpus/TARGET; a failing input is written as
# fuzz/target/findings/{crash,oom,timeout}-*.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v c++ >/dev/null 2>&1; then
  apt-get install -y g++ >/dev/null
fi
export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares"
# An explicit --target keeps the coverage flags off build scripts (as cargo-fuzz does).
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --bins --quiet --locked --target "$host"
seconds="${FUZZ_SECONDS:-15}"
seed="${FUZZ_SEED:-1}"
input_timeout="${FUZZ_INPUT_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario calls shell)
findings=target/findings
mkdir -p "$findings"
status=0
for t in "${targets[@]}"; do
  corpus="target/corpus/$t"
  mkdir -p "$corpus"
  seeds=()
  case "$t" in
    scenario) seeds=(../scenarios) ;;
    shell) seeds=(seeds/shell) ;;
  esac
  before="$(ls "$findings" | wc -l)"
  echo "fuzz $t for ${seconds}s (seed $seed)"
  rc=0
  timeout --kill-after=10 "$((seconds + 120))" \
    "./target/$host/release/$t" -max_total_time="$seconds" -seed="$seed" \
    -timeout="$input_timeout" -rss_limit_mb="$rss_mb" -artifact_prefix="$findings/" \
    -print_final_stats=1 "$corpus" "${seeds[@]}" >"target/$t.log" 2>&1 || rc=$?
  grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|SUMMARY|Done)" \
    "target/$t.log" || true
  after="$(ls "$findings" | wc -l)"
  if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
    echo "fuzz $t failed (exit $rc); log: fuzz/target/$t.log; findings in fuzz/$findings:"
    ls "$findings"
    tail -40 "target/$t.log"
    status=1
  fi
done
exit "$status"
