"""Compile resources/i18n/qtbase_vi.ts (Vietnamese for Qt's own words) into
resources/qtbase_vi.qm with Qt's lrelease (pyside6-lrelease, installed with PySide6).

    python scripts/build_translations.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "resources" / "i18n" / "qtbase_vi.ts"
TARGET = ROOT / "resources" / "qtbase_vi.qm"


def lrelease() -> str | None:
    found = shutil.which("pyside6-lrelease")
    if found:
        return found
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    return str(beside) if beside.exists() else None


def compile_ts(source: Path = SOURCE, target: Path = TARGET) -> None:
    tool = lrelease()
    if tool is None:
        raise SystemExit("pyside6-lrelease not found (install PySide6).")
    subprocess.run([tool, "-silent", str(source), "-qm", str(target)], check=True)


if __name__ == "__main__":
    compile_ts()
    print(f"{TARGET.relative_to(ROOT)} written.")
