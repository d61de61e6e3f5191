"""Read one file under per-file limits, so that one hostile file cannot stall or exhaust a run.

``parse_guarded(path, limits)`` is ``parsers.parse_file`` with three limits:

``size``    checked on the file's ``stat`` before anything reads it (``too_large``);
``time``    wall-clock seconds for the whole read and extraction (``timeout``);
``memory``  the reader's address space (``RLIMIT_AS``): a ``MemoryError`` or a worker killed
            for memory is ``too_large``.

The reading happens in one long-lived worker process (``spawn``ed once, parsers imported once,
then reused for every file; the per-file overhead is one pipe round trip and pickling the record).
A worker that runs over its time is killed and replaced; so is one that died or ran out of memory.
The worker's stdout/stderr go to ``/dev/null`` (library chatter must not reach ``gongwen parse
--json`` output), Ctrl-C is left to the parent, and on Linux the worker dies with its parent.

Failures come back as the ``ParseError`` the reader raised (same kind and message as in-process);
any other exception in the reader is a ``ReaderError`` (a bug: its traceback text is kept).
No Dagster in here.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from parsers.errors import ParseError
from parsers.record import NoticeRecord

__all__ = ["Guard", "Limits", "ReaderError", "can_fork_workers", "parse_guarded", "shutdown"]

MB = 1024 * 1024
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TARGET = "parsers:parse_file"
_STARTUP_TIMEOUT_S = 120.0  # importing the parsers in a fresh worker (normally ~0.5 s)


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-file limits. ``max_memory_mb=0`` means no memory cap (not recommended for runs).

    ``max_memory_mb`` caps the worker's whole address space (its baseline after importing the
    readers is about 100 MB), so 2048 leaves ~1.9 GB for one file's pages and tables.
    """

    timeout_s: float = 120.0
    max_memory_mb: int = 2048
    max_file_mb: float = 100.0

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")
        if self.max_memory_mb < 0 or 0 < self.max_memory_mb < 256:
            raise ValueError(f"max_memory_mb must be 0 (no cap) or at least 256, got {self.max_memory_mb}")
        if not self.max_file_mb > 0:
            raise ValueError(f"max_file_mb must be positive, got {self.max_file_mb}")


class ReaderError(Exception):
    """The reader failed with an unexpected exception (a parser bug, not bad input).

    ``str(err)`` is ``"<ExceptionType>: <message>"``; ``worker_traceback`` holds the traceback
    formatted in the worker.
    """

    def __init__(self, path: str, message: str, worker_traceback: str = "") -> None:
        self.path = path
        self.message = message
        self.worker_traceback = worker_traceback
        super().__init__(message)


# --------------------------------------------------------------------------------------------
# The worker process
# --------------------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent dies (a killed run leaves no orphan)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


def _set_memory_cap(limit_bytes: int) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = resource.RLIM_INFINITY if limit_bytes <= 0 else limit_bytes
    if hard != resource.RLIM_INFINITY and (soft == resource.RLIM_INFINITY or soft > hard):
        soft = hard
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _worker_main(fd: int, warm: bool = True, preload: tuple[str, ...] = ()) -> None:  # pragma: no cover
    """The worker process: serve, then exit without tearing the interpreter down (everything it
    wrote is closed and replied; the teardown of spaCy and the readers costs ~0.3 s per worker,
    which a run would wait for when it stops its readers)."""
    code = 0
    try:
        _worker_entry(fd, warm, preload)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _worker_entry(fd: int, warm: bool = True, preload: tuple[str, ...] = ()) -> None:  # pragma: no cover
    """Serve ``(target, path, memory_bytes, args)`` requests on socket ``fd`` until it closes or
    ``None``: call ``target(path, *args)`` and send back what it returns.

    ``warm``: import every reader before the first request (a run reads many files; a single
    ``gongwen parse`` imports only the reader it needs).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    conn = Connection(fd)
    import importlib

    from parsers.startup import loading_for_life

    try:
        with loading_for_life():  # the readers and dictionaries stay for the life of the process
            for module in (
                ("parsers.extract", "parsers.pdf", "parsers.docx", "parsers.html") if warm else ("parsers",)
            ):
                importlib.import_module(module)
            for target in preload:
                module_name, _, name = target.partition(":")
                getattr(importlib.import_module(module_name), name)()
    except BaseException:
        conn.send(("broken", traceback.format_exc()))
        return
    functions: dict[str, Any] = {}
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        if request[0] == _FORK:
            copy = _fork_reader(conn, request[1])
            if copy is not None:  # this is the copy: it serves its own caller from now on
                conn = copy
            continue
        target, path, memory_bytes, args = request
        reply: tuple[Any, ...]
        fatal = False
        _set_memory_cap(memory_bytes)
        try:
            if target not in functions:
                module, _, name = target.partition(":")
                functions[target] = getattr(importlib.import_module(module), name)
            reply = ("ok", functions[target](path, *args))
        except ParseError as err:
            reply = ("parse_error", err.kind, err.message)
        except MemoryError:
            reply, fatal = ("memory",), True
        except BaseException as err:  # a reader bug: report it, keep serving
            reply = ("bug", f"{type(err).__name__}: {err}", traceback.format_exc())
        finally:
            _set_memory_cap(0)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory",))
            fatal = True
        except Exception as err:  # the record does not pickle: a bug
            conn.send(("bug", f"result could not be sent ({type(err).__name__}: {err})", ""))
        if fatal:  # the heap may be in a bad state after MemoryError: start afresh
            return


#: Request to a started worker: ``(_FORK, requester pid)``, then the copy's socket (``SCM_RIGHTS``).
_FORK = "fork"
_ADOPTION_TIMEOUT_S = 5.0  # for the copy to be re-parented to the requester (immediate, normally)


def _fork_reader(conn: Connection, requester: int) -> Connection | None:  # pragma: no cover
    """A copy of this started worker for the process ``requester``: everything imported and loaded
    is there already, so it is ready in ~20 ms instead of the ~1.4 s of CPU a new interpreter
    takes. Forked through a short-lived intermediate, so the copy is adopted by ``requester``
    (its subreaper, ``can_fork_workers``), which waits for it and reads its exit code like any
    child's, and not tied to this worker, which may be killed for a file's timeout.

    Returns the copy's connection in the copy, None in this worker (which replies with the
    copy's pid, or 0 when the fork failed)."""
    from multiprocessing.reduction import recv_handle

    fd = recv_handle(conn)
    read_end, write_end = os.pipe()
    try:
        intermediate = os.fork()
    except OSError:
        os.close(fd)
        os.close(read_end)
        os.close(write_end)
        conn.send(("forked", 0))
        return None
    if intermediate == 0:  # exits as soon as the copy is forked, which orphans the copy
        try:
            copy = os.fork()
        except OSError:
            os._exit(1)
        if copy == 0:
            os.close(read_end)
            os.close(write_end)
            return _adopted(conn, fd, requester)
        try:
            os.write(write_end, str(copy).encode())
        finally:
            os._exit(0)
    os.close(fd)
    os.close(write_end)
    os.waitpid(intermediate, 0)  # when it returns, the copy has been adopted by the requester
    with os.fdopen(read_end, "rb") as pipe:
        copy_pid = int(pipe.read() or b"0")
    conn.send(("forked", copy_pid))
    return None


def _adopted(template_conn: Connection, fd: int, requester: int) -> Connection:  # pragma: no cover
    """In a fresh copy of a worker: let go of the original's connection, wait to be adopted by
    ``requester``, die with it (as a spawned worker does), say hello on the copy's own socket."""
    template_conn.close()
    deadline = time.monotonic() + _ADOPTION_TIMEOUT_S
    while os.getppid() != requester:
        if time.monotonic() > deadline:
            os._exit(1)  # adopted by someone else: nobody would wait for this process
        time.sleep(0.0005)
    _die_with_parent()
    if os.getppid() != requester:  # the requester died in between
        os._exit(1)
    conn = Connection(fd)
    conn.send(("ready", os.getpid()))
    return conn


# --------------------------------------------------------------------------------------------
# The parent side
# --------------------------------------------------------------------------------------------


class _AdoptedProcess:
    """A worker forked by another worker and adopted by this process (``Guard.fork_from``):
    ``subprocess.Popen``'s ``poll``, ``wait`` and ``kill`` for a child this process did not spawn."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # waited for elsewhere: its exit code is lost
                self.returncode = 0
            else:
                if done:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(f"reader {self.pid}", timeout or 0.0)
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        return code

    def kill(self) -> None:
        if self.poll() is None:  # not waited for yet, so the pid is still this child's
            os.kill(self.pid, signal.SIGKILL)


_PR_SET_CHILD_SUBREAPER = 36
_FORK_TIMEOUT_S = 30.0  # for a started worker to answer a fork request (~20 ms, normally)


@cache
def can_fork_workers() -> bool:
    """Whether ``Guard.fork_from`` can work here. Linux: makes this process the subreaper of its
    descendants, so a worker forked by another worker (through an intermediate that exits at
    once) becomes this process's child. Side effect:
    any orphaned descendant is re-parented here rather than to init (the run's own processes
    leave none)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


@dataclass
class _Worker:
    process: subprocess.Popen[bytes] | _AdoptedProcess
    conn: Connection
    owner_pid: int
    ready: bool = False  # said hello: imports (and preloads) done


class Guard:
    """One reusable worker process and the limits it enforces; use as a context manager.

    ``target`` is the function the worker calls with the path (``"module:function"``, default
    ``parsers:parse_file``); ``warm=False`` skips importing every reader up front (for one file);
    ``preload`` names functions (``"module:function"``) the worker calls once when it starts, e.g.
    ``parsers.nlp:warm`` to load the dictionaries before the first file's time limit runs;
    ``silence_worker=False`` lets the worker's stdout/stderr through (for debugging readers).
    """

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        target: str = DEFAULT_TARGET,
        warm: bool = True,
        preload: tuple[str, ...] = (),
        silence_worker: bool = True,
    ) -> None:
        self.limits = limits or Limits()
        self.target = target
        self.warm = warm
        self.preload = preload
        self.silence_worker = silence_worker
        self._worker: _Worker | None = None
        self._lock = threading.Lock()
        self.restarts = 0  # workers replaced after a timeout, crash or out-of-memory

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- worker lifecycle ---------------------------------------------------------------------

    def _start(self) -> _Worker:
        worker = self._spawn()
        self._handshake(worker)
        return worker

    def _spawn(self) -> _Worker:
        """Start the worker process; it imports the readers while the caller goes on.

        The worker dies with the *thread* that spawned it (``PR_SET_PDEATHSIG`` follows the thread),
        so spawn from a thread that lives as long as the guard is used, not a short-lived helper."""
        parent_sock, child_sock = socket.socketpair()
        fd = child_sock.fileno()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PROJECT_ROOT), env.get("PYTHONPATH")) if p)
        out = subprocess.DEVNULL if self.silence_worker else None
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from parsers.guard import _worker_main; "
                    f"_worker_main({fd}, {self.warm}, {tuple(self.preload)!r})",
                ],
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=env,
                cwd=str(_PROJECT_ROOT),
            )
        finally:
            child_sock.close()
        return _Worker(process, Connection(parent_sock.detach()), os.getpid())

    def _handshake(self, worker: _Worker) -> None:
        """Wait for the worker's hello; ``RuntimeError`` if it does not come."""
        conn, process = worker.conn, worker.process
        if not conn.poll(_STARTUP_TIMEOUT_S):
            self._kill(worker)
            raise RuntimeError(f"the reader process did not start within {_STARTUP_TIMEOUT_S:g} s")
        try:
            hello = conn.recv()
        except (EOFError, OSError) as err:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(2)
            code = self._kill(worker)
            raise RuntimeError(f"the reader process failed to start (exit code {code})") from err
        if hello[0] != "ready":
            self._kill(worker)
            lines = str(hello[1]).strip().splitlines()
            raise RuntimeError(f"the reader process failed to start: {lines[-1] if lines else hello}")
        worker.ready = True

    def fork_from(self, template: Guard) -> bool:
        """Start this guard's worker as a copy of ``template``'s worker, once that one has
        started (it is forked between two files): nothing is imported or loaded again, so the copy
        is ready in ~20 ms where a spawned worker takes ~1.4 s of CPU. The copy is this process's
        child, dies with it and is bound by this guard's limits like a spawned one.

        Only on Linux, from a template whose worker was started (``start``; this waits until it
        is ready and between two files) and loads what this guard would (``warm``, ``preload``);
        False when the copy was not made (this guard then spawns on its first file). A template
        that does not answer is stopped."""
        if (template.warm, template.preload) != (self.warm, self.preload) or not can_fork_workers():
            return False
        from multiprocessing.reduction import send_handle

        parent_sock, child_sock = socket.socketpair()
        reply: Any = None
        try:
            with template._lock:
                worker = template._worker
                if worker is None or worker.owner_pid != os.getpid() or worker.process.poll() is not None:
                    raise RuntimeError("the reader to copy is not running")
                if not worker.ready:
                    template._handshake(worker)
                worker.conn.send((_FORK, os.getpid()))
                send_handle(worker.conn, child_sock.fileno(), worker.process.pid)
                if not worker.conn.poll(_FORK_TIMEOUT_S):
                    template._discard()
                    raise RuntimeError("the reader did not answer")
                reply = worker.conn.recv()
        except (OSError, EOFError, RuntimeError):
            parent_sock.close()
            return False
        finally:
            child_sock.close()
        if reply[0] != "forked" or not reply[1]:
            parent_sock.close()
            return False
        with self._lock:
            if self._worker is not None and self._worker.owner_pid == os.getpid():
                self._kill(self._worker)
            self._worker = _Worker(_AdoptedProcess(reply[1]), Connection(parent_sock.detach()), os.getpid())
        return True

    def pid(self) -> int | None:
        """The worker's process id while it runs, else None."""
        w = self._worker
        return w.process.pid if w is not None and w.process.poll() is None else None

    def start(self) -> None:
        """Spawn the worker now without waiting for it (it would start on the first file
        otherwise): its imports overlap with the caller's work until the first file."""
        with self._lock:
            w = self._worker
            if w is None or w.owner_pid != os.getpid() or w.process.poll() is not None:
                if w is not None and w.owner_pid == os.getpid():
                    self._kill(w)
                self._worker = self._spawn()

    def wait_ready(self) -> None:
        """Start the worker if it is not running and wait until it said hello (imports and
        preloads done); ``RuntimeError`` if it does not start."""
        with self._lock:
            self._ensure()

    def _ensure(self) -> _Worker:
        w = self._worker
        if w is None or w.owner_pid != os.getpid() or w.process.poll() is not None:
            if w is not None and w.owner_pid == os.getpid():
                self._kill(w)
            self._worker = w = self._start()
        elif not w.ready:
            try:
                self._handshake(w)
            except RuntimeError:
                self._worker = None
                raise
        return w

    @staticmethod
    def _kill(worker: _Worker) -> int | None:
        """Stop the worker now; its exit code (negative: the signal that ended it)."""
        with contextlib.suppress(Exception):
            worker.conn.close()
        if worker.process.poll() is None:
            with contextlib.suppress(OSError):
                worker.process.kill()
        try:
            return worker.process.wait(5)
        except subprocess.TimeoutExpired:
            return None

    def _discard(self) -> int | None:
        worker, self._worker = self._worker, None
        self.restarts += 1
        return self._kill(worker) if worker is not None else None

    def close(self) -> None:
        """Stop the worker (a new one starts on the next ``parse``): asked to exit when it has
        started, at once while it is still starting (it would only read the request once its
        imports are done)."""
        with self._lock:
            worker, self._worker = self._worker, None
            if worker is None or worker.owner_pid != os.getpid():
                return
            if worker.ready or worker.conn.poll(0):
                with contextlib.suppress(Exception):
                    worker.conn.send(None)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(2)
            self._kill(worker)

    # -- one file -----------------------------------------------------------------------------

    def precheck(self, path: Path, limits: Limits | None = None) -> None:
        """The checks that need no reading: the file exists and is within the size limit."""
        limits = limits or self.limits
        sp = str(path)
        try:
            size = path.stat().st_size
        except OSError:
            raise ParseError("not_found", sp, "no such file") from None
        if not path.is_file():
            raise ParseError("not_found", sp, "not a regular file")
        limit = int(limits.max_file_mb * MB)
        if size > limit:
            raise ParseError(
                "too_large",
                sp,
                f"{size / MB:.1f} MB is over the {limits.max_file_mb:g} MB limit per file; "
                "split the file or raise the limit (--max-size / max_file_mb)",
            )

    def parse(self, path: str | Path, limits: Limits | None = None) -> Any:
        """``parsers.parse_file(path)`` in the worker, within ``limits`` (default: the guard's).

        Raises ``ParseError`` for bad input (kinds as the readers give them, plus ``timeout``
        and ``too_large`` for the limits) and ``ReaderError`` for a reader bug.
        """
        return self.call(self.target, path, limits=limits)

    def call(self, target: str, path: str | Path, *args: Any, limits: Limits | None = None) -> Any:
        """``target(path, *args)`` in the worker (``"module:function"``), within ``limits``: for
        work that belongs with the reading, e.g. turning the record into rows in the same process.
        ``args`` and the result must pickle. Errors as for ``parse``."""
        p = Path(path)
        sp = str(p)
        limits = limits or self.limits
        self.precheck(p, limits)
        request = (target, sp, limits.max_memory_mb * MB, args)
        with self._lock:
            worker = self._ensure()
            try:
                worker.conn.send(request)
            except (OSError, ValueError):  # died between files: start afresh once
                self._discard()
                worker = self._ensure()
                worker.conn.send(request)
            if not worker.conn.poll(limits.timeout_s):
                self._discard()
                raise ParseError(
                    "timeout",
                    sp,
                    f"reading took longer than the {limits.timeout_s:g} s limit and was stopped; "
                    "the file is malformed or unusually large — check it, split it, or raise the "
                    "limit (--timeout / parse_timeout_s)",
                )
            try:
                reply = worker.conn.recv()
            except (EOFError, OSError):
                code = self._discard()
                raise self._death_error(sp, code) from None
            except Exception as err:  # the record did not unpickle here
                self._discard()
                raise ReaderError(sp, f"result could not be received ({type(err).__name__}: {err})") from err
        tag = reply[0]
        if tag == "ok":
            return reply[1]
        if tag == "parse_error":
            raise ParseError(reply[1], sp, reply[2])
        if tag == "memory":
            self._discard()
            raise self._memory_error(sp, limits)
        raise ReaderError(sp, reply[1], reply[2])

    @staticmethod
    def _memory_error(sp: str, limits: Limits) -> ParseError:
        return ParseError(
            "too_large",
            sp,
            f"reading needs more than the {limits.max_memory_mb} MB memory limit and was stopped; "
            "split the file or raise the limit (--max-memory / parse_max_memory_mb)",
        )

    def _death_error(self, sp: str, code: int | None) -> ParseError:
        """The worker died while reading: out of memory (killed, aborted) or a crash in C code."""
        if code is not None and code < 0:
            sig = -code
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            if sig in (signal.SIGKILL, signal.SIGABRT):
                return ParseError(
                    "too_large",
                    sp,
                    f"the reader was killed ({name}) while reading, most likely out of memory; "
                    "split the file or raise the limit (--max-memory / parse_max_memory_mb)",
                )
            return ParseError(
                "corrupt",
                sp,
                f"the reader crashed ({name}) on this file; it is probably damaged — "
                "download it again or repair it",
            )
        return ParseError(
            "corrupt",
            sp,
            f"the reader stopped unexpectedly (exit code {code}) on this file; it is probably "
            "damaged — download it again or repair it",
        )


# --------------------------------------------------------------------------------------------
# A shared guard for callers that parse file after file (the pipeline, the CLI)
# --------------------------------------------------------------------------------------------

_shared: Guard | None = None
_shared_lock = threading.Lock()


def parse_guarded(path: str | Path, limits: Limits | None = None) -> NoticeRecord:
    """``parsers.parse_file`` under ``limits`` in the process-wide reusable worker."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Guard()
            atexit.register(shutdown)
        guard = _shared
    record: NoticeRecord = guard.parse(path, limits or Limits())
    return record


def shutdown() -> None:
    """Stop the shared worker (registered with ``atexit``; safe to call any time)."""
    global _shared
    with _shared_lock:
        guard, _shared = _shared, None
    if guard is not None:
        guard.close()
