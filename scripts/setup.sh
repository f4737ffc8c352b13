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
# With --test also LibreOffice (Calc and Writer, no GUI), which the tests use to read the
# exports and drafts back as the office prints them, and the Liberation fonts it draws Times
# New Roman with (metric-compatible: the lines wrap where they do in Word and Excel).
office_debs=""
[ "${1:-}" = "--test" ] && office_debs="libreoffice-calc-nogui libreoffice-writer-nogui fonts-liberation"
# Installed, not merely known to dpkg (a removed package keeps its configuration files, and
# "dpkg -s" still answers for it).
installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
# The packages named that are not installed.
not_installed() {
  local deb
  for deb in "$@"; do
    installed "$deb" || printf ' %s' "$deb"
  done
}
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  missing="$(not_installed $debs)"
  office_missing="$(not_installed $office_debs)"
  if [ -n "$missing$office_missing" ]; then
    apt-get update -qq
  fi
  if [ -n "$missing" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
  if [ -n "$office_missing" ]; then
    # Without the recommended packages: LibreOffice's would add some hundreds of megabytes.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      $office_missing >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extra}"
