#!/usr/bin/env bash
# The fuzzing suite: builds the libFuzzer targets on the stable toolchain (libfuzzer-sys
# compiles libFuzzer with the system's C++ compiler; coverage comes from stable -C flags) and
# runs each for FUZZ_SECONDS seconds (default 15: the smoke run .ci/run makes).
#   fuzz/run.sh                              # every target, 15 s each
#   FUZZ_SECONDS=3600 fuzz/run.sh calls      # one target, an hour
# Seeds: the shipped scenarios (scenario target), fuzz/seeds/shell (shell target). What a run
# finds is kept in fuzz/target/corpus/TARGET; a crash is written as fuzz/target/crash-*.
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
cargo build --release --bins --quiet --target "$host"
seconds="${FUZZ_SECONDS:-15}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario calls shell)
for t in "${targets[@]}"; do
  corpus="target/corpus/$t"
  mkdir -p "$corpus"
  seeds=()
  case "$t" in
    scenario) seeds=(../scenarios) ;;
    shell) seeds=(seeds/shell) ;;
  esac
  echo "fuzz $t for ${seconds}s"
  "./target/$host/release/$t" -max_total_time="$seconds" -artifact_prefix=target/ -print_final_stats=1 \
    "$corpus" "${seeds[@]}" 2>&1 | grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|==|SUMMARY|Done)" || true
  # libFuzzer exits non-zero on a crash; the pipe above hides it, so look for the artifact.
  if ls target/crash-* target/oom-* target/timeout-* >/dev/null 2>&1; then
    echo "fuzz $t found a failing input:" target/crash-* target/oom-* target/timeout-* 2>/dev/null
    exit 1
  fi
done
