#!/usr/bin/env bash
# Set up a fresh machine for chibo4tot-desktop: the system libraries Qt needs (Debian, as root),
# then a virtual environment in .venv with the program (and, with --test, the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
extra=""
[ "${1:-}" = "--test" ] && extra="[test]"

# Qt's xcb/offscreen platforms need these shared libraries; poppler-utils reads PDFs in tests.
debs="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0 poppler-utils fonts-dejavu-core"
# Qt >= 6.5 needs libxcb-cursor0 (and these xcb helpers) for its xcb platform on a real display.
debs="$debs libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"
# With --test also PostgreSQL (Debian's server package): .ci/run runs the storage tests on it.
[ "${1:-}" = "--test" ] && debs="$debs postgresql"
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  missing=""
  for deb in $debs; do
    dpkg -s "$deb" >/dev/null 2>&1 || missing="$missing $deb"
  done
  if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extra}"
