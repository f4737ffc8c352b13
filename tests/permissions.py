"""Permission tests that mean something when the suite runs as root (containers, CI images).

Root ignores file modes, so a read-only file or folder would not be read-only for it. On Linux
``no_root_powers()`` drops, for the calling thread and while the block runs, the capabilities
that let root ignore them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER); the file's
modes then apply to root as to its owner. For any other user it does nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys

import pytest

_CAPS = (1 << 1) | (1 << 2) | (1 << 3)
_VERSION_3 = 0x20080522


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _capabilities(libc, change):
    header = _Header(_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    before = data[0].effective
    data[0].effective = change(before)
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")
    return before


@contextlib.contextmanager
def no_root_powers():
    if os.name != "posix" or os.geteuid() != 0:
        yield
        return
    if not sys.platform.startswith("linux"):
        pytest.skip("running as root: file modes cannot be made to apply")
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    try:
        before = _capabilities(libc, lambda effective: effective & ~_CAPS)
    except OSError:
        pytest.skip("running as root without a way to drop CAP_DAC_OVERRIDE")
    try:
        yield
    finally:
        _capabilities(libc, lambda _effective: before)


def readonly(path) -> None:
    """Take write permission away from a file or folder (``writable`` gives it back)."""
    os.chmod(path, 0o555 if os.path.isdir(path) else 0o444)


def writable(path) -> None:
    os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
