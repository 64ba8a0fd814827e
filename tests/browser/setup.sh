#!/usr/bin/env bash
# Installs what the lesson page's browser test needs: Debian's chromium and, from the npm
# registry, the playwright-core locked in package-lock.json. Idempotent. When something cannot
# be installed it prints why on stdout and exits 1 (the test is then skipped with that reason).
set -uo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } ||
      { echo "apt-get could not install chromium"; exit 1; }
  else
    echo "chromium is not installed and this user cannot install it (Debian: apt-get install chromium)"
    exit 1
  fi
fi
# Hangul for the Korean pages' screenshots (system fonts only: the page loads none).
if ! fc-list 2>/dev/null | grep -qi nanum && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-nanum >/dev/null 2>&1 || true
fi
command -v node >/dev/null 2>&1 || { echo "node is not installed (Debian: apt-get install nodejs npm)"; exit 1; }
if [ ! -f node_modules/playwright-core/package.json ]; then
  npm ci --no-audit --no-fund >/dev/null 2>&1 || { echo "npm ci could not install playwright-core"; exit 1; }
fi
