#!/usr/bin/env bash
# The oracle, on demand (not part of the test command): renders every shipped scenario and
# oracle case as a Win32 C program, compiles it with mingw-w64, runs it under Wine, compares
# with kernsim, and writes one report per file plus SUMMARY.md to tools/oracle/reports/.
# Needs Debian's wine64 and gcc-mingw-w64-x86-64-win32; installs them when it may (root).
set -euo pipefail
cd "$(dirname "$0")/../.."
need() { command -v "$1" >/dev/null 2>&1; }
if ! need wine || ! need x86_64-w64-mingw32-gcc; then
  if [ "$(id -u)" = 0 ] && need apt-get; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wine64 gcc-mingw-w64-x86-64-win32
  else
    echo "oracle: needs wine (Debian: wine64) and x86_64-w64-mingw32-gcc (gcc-mingw-w64-x86-64-win32)" >&2
    exit 2
  fi
fi
cargo build -q --release -p kernsim -p kernsim-oracle
export WINEPREFIX="${WINEPREFIX:-$PWD/target/oracle-wineprefix}" WINEDEBUG=-all
# Make the prefix once, and keep one wineserver up for the whole run (much faster).
wineboot -i >/dev/null 2>&1 </dev/null || true
wineserver -p >/dev/null 2>&1 </dev/null || true
./target/release/kernsim-oracle --kernsim target/release/kernsim --out tools/oracle/reports \
  --known tools/oracle/wine-differences.json "$@" scenarios/*.json tools/oracle/cases/*.json
