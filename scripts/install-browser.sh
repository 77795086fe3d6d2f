#!/usr/bin/env bash
# Debian's chromium for the browser journeys (tests/browser). Playwright's own browser download
# is not reachable from CI, so the suite drives the system browser. Idempotent: does nothing when
# chromium is already there (set COMMONGROUND_CHROMIUM to use another binary).
set -euo pipefail
CHROMIUM="${COMMONGROUND_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "No $CHROMIUM and no apt-get: install Chromium and set COMMONGROUND_CHROMIUM to its path." >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  SUDO="sudo"
fi
echo "== installing Debian's chromium for the browser tests"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
"$CHROMIUM" --version
