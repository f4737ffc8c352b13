#!/usr/bin/env bash
# Build the program with PyInstaller (onedir, build.spec) and run the built program's
# --self-test. Usage:  bash scripts/build.sh [PYTHON]
#   PYTHON  the interpreter whose environment has the program's dependencies and PyInstaller
#           (default: .venv/bin/python, else python3). `pip install -e ".[build]"` gives both.
# Result: dist/chibo4tot-desktop/ (chibo4tot-desktop = the window, chibo4tot-cli = console).
# Exit code: 0 when the build and the self-test pass.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-}"
if [ -z "$python" ]; then
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=python3; fi
fi
if ! "$python" -c "import PyInstaller" 2>/dev/null; then
  echo "PyInstaller chưa được cài cho $python: chạy '$python -m pip install -e \".[build]\"'." >&2
  exit 2
fi

start=$(date +%s)
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller build.spec
echo "Đã đóng gói trong $(( $(date +%s) - start )) giây: dist/chibo4tot-desktop"
echo "Dung lượng dist/chibo4tot-desktop: $(du -sh dist/chibo4tot-desktop | cut -f1)" \
     "($(du -sb dist/chibo4tot-desktop | cut -f1) byte)"

case "$(uname -s)" in
  MINGW*|MSYS*|CYGWIN*) cli=dist/chibo4tot-desktop/chibo4tot-cli.exe ;;
  *) cli=dist/chibo4tot-desktop/chibo4tot-cli ;;
esac
# No display (CI, a server): Qt's offscreen platform, which the bundle includes.
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname -s)" = "Linux" ]; then
  export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
fi
# Run from another folder with an empty application-data folder: the built program must not
# depend on the source tree, nor write beside itself.
appdata="$(mktemp -d)"
trap 'rm -rf "$appdata"' EXIT
snapshot="$(find dist/chibo4tot-desktop -type f -printf '%P %s %T@\n' | sort | md5sum)"
(cd "$appdata" && CHIBO4TOT_DATA_DIR="$appdata/data" PYTHONPATH= "$OLDPWD/$cli" --self-test)
if [ "$snapshot" != "$(find dist/chibo4tot-desktop -type f -printf '%P %s %T@\n' | sort | md5sum)" ]; then
  echo "LỖI: chương trình đã ghi tệp vào thư mục của nó (dist/chibo4tot-desktop)." >&2
  exit 1
fi
echo "Bản đóng gói chạy tự kiểm tra đạt; không ghi gì vào thư mục chương trình."
