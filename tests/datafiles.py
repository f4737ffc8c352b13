"""Test data files copied from the session's templates (see conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_data_file(template: Path, target: Path) -> None:
    """Copy a closed template data file (nothing left in a -wal or -shm file beside it)."""
    for suffix in ("-wal", "-shm", "-journal"):
        assert not template.with_name(template.name + suffix).exists(), \
            f"{template.name} is still open"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
