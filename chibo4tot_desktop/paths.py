"""Where things live: the user's data file (never next to the program) and bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_FILE_NAME = "chibo4tot.sqlite3"


def user_data_dir() -> Path:
    """The per-user application-data folder (CHIBO4TOT_DATA_DIR overrides it, for tests)."""
    override = os.environ.get("CHIBO4TOT_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        return base / "Chibo4tot"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Chibo4tot"
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "chibo4tot-desktop"


def default_data_file() -> Path:
    return user_data_dir() / DATA_FILE_NAME


def resources_dir() -> Path:
    """The ``resources/`` folder: inside the PyInstaller bundle, or at the source tree's root."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
