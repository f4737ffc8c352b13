"""Another copy of the program holding a data file: a child process that takes the writer lock,
says so on its stdout and keeps it until its stdin is closed.

The test waits for the child's "ready" line (a blocking read on a pipe), so nothing depends on
how fast the child starts; the child's user name is set through the environment so messages
can be checked for it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
from chibo4tot_desktop.safety.lock import WriterLock

lock = WriterLock(sys.argv[1]).acquire()
print("ready", flush=True)
sys.stdin.read()      # hold the lock until the parent closes our stdin
lock.release()
"""


@contextlib.contextmanager
def held_by_another_program(data_path, user: str = "hoa"):
    """Yield the child's pid while it holds the writer lock of ``data_path``."""
    env = dict(os.environ, LOGNAME=user, USER=user, USERNAME=user,
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(data_path)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline().strip()
        assert line == "ready", f"the lock holder did not start (said {line!r})"
        yield child.pid
    finally:
        with contextlib.suppress(OSError):
            child.stdin.close()
        try:
            child.wait(60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
