#!/usr/bin/env bash
# Per-call cost of kernsim against Wine in one sitting (BENCHMARKS.md): each operation runs
# pinned to one core, Wine's bench.exe (20,000 pairs) beside kernsim's hot_loop (10,000,000
# pairs), and the ratio is printed. Needs Debian's wine64 and gcc-mingw-w64-x86-64-win32;
# installs them when it may (root).
set -euo pipefail
cd "$(dirname "$0")/../.."
need() { command -v "$1" >/dev/null 2>&1; }
if ! need wine || ! need x86_64-w64-mingw32-gcc; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wine64 gcc-mingw-w64-x86-64-win32
fi
out=target/wine-bench
mkdir -p "$out"
x86_64-w64-mingw32-gcc -O2 -o "$out/bench.exe" tools/wine-bench/bench.c
cargo build -q --release --example hot_loop
export WINEPREFIX="${WINEPREFIX:-$PWD/target/oracle-wineprefix}" WINEDEBUG=-all
wineboot -i >/dev/null 2>&1 </dev/null || true
taskset -c 0 wineserver -p >/dev/null 2>&1 </dev/null || true
for op in events dup pipe4k; do
  wine_ns=$(taskset -c 0 wine "$out/bench.exe" $op 20000 | awk '{print $4}')
  n=10000000
  t0=$(date +%s%N)
  taskset -c 0 target/release/examples/hot_loop $op $n
  t1=$(date +%s%N)
  awk -v op=$op -v w="$wine_ns" -v k="$(( (t1 - t0) ))" -v n=$n \
    'BEGIN { kn = k / n; printf "%-7s wine %8.0f ns/pair   kernsim %6.1f ns/pair   ratio %6.0fx\n", op, w, kn, w / kn }'
done
wineserver -k >/dev/null 2>&1 || true
