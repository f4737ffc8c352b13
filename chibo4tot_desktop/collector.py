"""Pauses of Python's cyclic garbage collector (no SQLAlchemy, no Qt: the start uses it
before either is loaded).

``paused_gc()`` keeps the collector from running while work makes many small objects that
form no cycles (a bulk read, a year's overview, the start of the window): its passes would
walk them again and again. Reference counting still frees memory. Safe to nest and to use
from several threads: collection resumes when the last pause ends, as it was before the
first.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_pauses = 0
_enabled = True          # the collector's state before the first of the current pauses


def pause() -> None:
    global _pauses, _enabled
    with _lock:
        if _pauses == 0:
            _enabled = gc.isenabled()
            gc.disable()
        _pauses += 1


def resume() -> None:
    """Ends one ``pause()``."""
    global _pauses
    with _lock:
        _pauses -= 1
        if _pauses == 0 and _enabled:
            gc.enable()


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    pause()
    try:
        yield
    finally:
        resume()
