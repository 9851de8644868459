"""`serve --stop-with-parent`: stop when the process that started this one is gone.

Two signals of the parent's death, either is enough: on Linux the kernel sends SIGTERM when
the parent dies (`prctl(PR_SET_PDEATHSIG)`, even when it was SIGKILLed), and everywhere a
thread reads stdin, which the parent holds open and never writes, until end-of-file. Both
end in SIGTERM to this process, so the shutdown is the usual graceful one.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def stop_with_parent() -> None:
    parent = os.getppid()
    _ask_linux_for_a_death_signal()
    if os.getppid() != parent:  # it died before the kernel was asked
        _stop_self()
    threading.Thread(target=_watch_stdin, name="gclap-parent-watch", daemon=True).start()


def _ask_linux_for_a_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the stdin watch still works


def _watch_stdin() -> None:
    try:
        while os.read(0, 4096):
            pass  # the parent never writes; anything read is ignored
    except OSError:
        pass
    _stop_self()


def _stop_self() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
