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


_served = 0


def served(path: str) -> int:
    """How many files this process has served, this one included: a copy of a worker
    (``Guard.fork_from``) goes on from the count of the worker it was copied from."""
    global _served
    _served += 1
    return _served


def served_slowly(path: str, seconds: float) -> tuple[int, int]:
    """After ``seconds``: this process's id and ``served`` (keeps a reader busy meanwhile)."""
    time.sleep(seconds)
    return os.getpid(), served(path)
