"""Functions the guard's worker runs in tests (``Guard(target="tests.robustness.workers:…")``).

Each stands for a reader misbehaving in one way: hanging, eating memory, crashing in C code,
raising an unexpected exception.
"""

from __future__ import annotations

import os
import signal
import time


def hang(path: str) -> None:
    time.sleep(3600)


def eat_memory(path: str) -> bytes:
    blocks = []
    while True:
        blocks.append(b"x" * (64 * 1024 * 1024))


def crash(path: str) -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def killed(path: str) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def bug(path: str) -> None:
    raise KeyError("oops")


def echo(path: str) -> str:
    return path


def pid(path: str) -> int:
    return os.getpid()
