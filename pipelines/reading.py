"""Reading raw files into warehouse fragments, outside Dagster: guarded reader processes, the
state markers that say what a file's fragments were made from, and reading ahead.

``pipelines.assets.ingest`` wires this into the ``parsed_documents`` asset. Nothing here imports
Dagster, so ``gongwen run`` can start the readers on the changed files before it loads Dagster
(~2 s of imports that the readers' own start-up, ~1.4 s each, now overlaps).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

from parsers.errors import ParseError
from parsers.guard import Guard, Limits, ReaderError, can_fork_workers
from pipelines import reader_task, storage
from pipelines.paths import PROJECT_ROOT
from pipelines.storage import Location, write_fragments
from schemas.rows import quarantine_table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of one raw file; its fragments and state marker are already written."""

    status: str  # "parsed" | "quarantined"
    message: str = ""
    error_kind: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


def ingest_file(
    path: Path,
    rel_path: str,
    key: str,
    warehouse_dir: Location,
    stamp: dict[str, Any] | None,
    now: dt.datetime | None = None,
    limits: Limits | None = None,
    pool: ReaderPool | None = None,
) -> Outcome:
    """Parse one file into the fragments of partition ``key``, or into a quarantine fragment when
    it fails. ``stamp`` (``file_stamp``: the file's SHA-256 and status, taken before reading) goes
    into the state marker; None writes no marker, so the file is read again next time.

    With ``pool`` the work happens in a guarded reader within ``limits`` (size, time, memory):
    parsing, the conversion to rows and the fragment writes (``pipelines.reader_task``); without,
    in this process and unguarded (tests, debugging). ``ParseError`` (bad input, over a limit) and
    any other exception (a parser bug, kind ``internal_error``) quarantine at stage ``parse``; a
    record that does not fit the schema at stage ``convert`` (kind ``schema_error``). Never raises
    for a bad file.
    """
    recorded_at = now or dt.datetime.now(dt.UTC)
    state = {**stamp, "parser_version": parser_version()} if stamp else {}

    def quarantined(stage: str, kind: str, message: str) -> Outcome:
        table = quarantine_table(rel_path, stage, kind, message, recorded_at)
        marker = {**state, "status": "quarantined", "error_kind": kind, "counts": {"quarantine": 1}}
        write_fragments(warehouse_dir, key, {"quarantine": table}, state=marker if state else None)
        return Outcome("quarantined", message, kind, {"quarantine": 1})

    args = (rel_path, str(warehouse_dir), key, state)
    try:
        if pool is None:
            summary = reader_task.parse_into_fragments(str(path), *args)
        else:
            summary = pool.call(reader_task.TARGET, path, *args, limits=limits or Limits())
    except ParseError as err:
        return quarantined("parse", err.kind, err.message)
    except ReaderError as err:
        return quarantined("parse", "internal_error", str(err))
    except Exception as err:  # a parser bug must not stop the other documents
        return quarantined("parse", "internal_error", f"{type(err).__name__}: {err}")
    if summary["status"] == "schema_error":
        return quarantined("convert", "schema_error", summary["message"])
    counts: dict[str, int] = summary["counts"]
    message = ", ".join(f"{n} {name if n != 1 else name[:-1]}" for name, n in counts.items())
    return Outcome("parsed", message, None, counts)


# --- reading many files: a pool of guarded readers ---------------------------------------------


class ReaderPool:
    """``workers`` guarded reader processes (``parsers.guard.Guard``), each enforcing the same
    per-file limits; a file goes to whichever reader is free. Each reader is one long-lived
    process (started on its first file, parsers imported once), so thousands of files cost
    ``workers`` process start-ups, not thousands. A reader loads the NLP dictionaries when it
    starts (``READER_PRELOAD``), outside any file's time limit."""

    def __init__(self, workers: int, limits: Limits) -> None:
        self.limits = limits
        self._guards = [Guard(limits, preload=READER_PRELOAD) for _ in range(max(1, workers))]
        # one thread per reader there may be (``add_reader``); a thread without a free reader waits
        self._thread_count = max(len(self._guards), os.cpu_count() or 1)
        self._threads: ThreadPoolExecutor | None = None
        self._ahead: dict[Hashable, Future[Any]] = {}
        self._free: queue.SimpleQueue[Guard] = queue.SimpleQueue()
        for guard in self._guards:
            self._free.put(guard)
        self._lock = threading.Lock()
        self._forking = 0  # readers being copied from a started one (``add_reader``)
        self._closed = False

    def start(self) -> None:
        """Spawn every reader now without waiting for them, so that their start-up (imports, NLP
        dictionaries: seconds) overlaps with whatever the caller does before the first file.
        Call it from the thread that runs the readers' work or outlives it (``Guard._spawn``)."""
        for guard in list(self._guards):
            guard.start()

    @property
    def workers(self) -> int:
        """Its readers (those added later included)."""
        return len(self._guards) + self._forking

    def add_reader(self) -> bool:
        """One more reader, for work already queued (``read_ahead``), which takes files once it
        has started, so a file never waits for its start-up. When a reader is running already,
        the new one is a copy of it (``Guard.fork_from``: ~20 ms, made between two of its files,
        nothing loaded again); else it is spawned now, from the calling thread (which it dies
        with, ``Guard._spawn``), and starts in ~1.4 s. False when the pool has a reader per CPU
        already."""
        with self._lock:
            if self.workers >= self._thread_count or self._closed:
                return False
            guard = Guard(self.limits, preload=READER_PRELOAD)
            template = next((g for g in self._guards if g.pid() is not None), None)
            if template is not None and can_fork_workers():
                self._forking += 1
                target: Callable[[], None] = partial(self._copy_reader, guard, template)
            else:
                guard.start()
                self._guards.append(guard)
                target = partial(self._take_when_ready, guard)
        threading.Thread(target=target, name="gongwen-reader-start", daemon=True).start()
        return True

    def _copy_reader(self, guard: Guard, template: Guard) -> None:
        copied = False
        try:
            copied = guard.fork_from(template)
        finally:
            with self._lock:
                self._forking -= 1
                closed = self._closed
                if copied and not closed:
                    self._guards.append(guard)
        if closed:
            guard.close()
        elif not copied:  # the pool goes on with the readers it has
            log.warning("an additional reader did not start: its copy of a running reader failed")
        else:
            self._free.put(guard)

    def _take_when_ready(self, guard: Guard) -> None:
        try:
            guard.wait_ready()
        except RuntimeError as err:  # the pool goes on with the readers it has
            log.warning("an additional reader did not start: %s", err)
            return
        self._free.put(guard)

    def pending_ahead(self) -> int:
        """Work started by ``read_ahead`` that has not begun yet (queued for a free reader)."""
        return sum(1 for future in self._ahead.values() if not future.running() and not future.done())

    def call(self, target: str, path: Path, *args: Any, limits: Limits) -> Any:
        """``Guard.call`` on whichever reader is free."""
        guard = self._free.get()
        try:
            return guard.call(target, path, *args, limits=limits)
        finally:
            self._free.put(guard)

    def map(
        self, fn: Callable[[Any], Any], items: list[Any], tag: Callable[[Any], Hashable] | None = None
    ) -> Iterator[Any]:
        """``fn`` over ``items`` on ``workers`` threads (each blocks on one reader), in order. With
        ``tag``, an item whose work was started by ``read_ahead`` under ``tag(item)`` is not done
        again: its result is taken from there.

        The threads belong to the pool and live as long as it does: a reader dies with the thread
        that started it (``Guard._spawn``), so threads made per call would take the readers with
        them at the end of every run."""
        ahead = [self._ahead.pop(tag(item), None) if tag else None for item in items]
        if all(a is None for a in ahead) and (self.workers == 1 or len(items) <= 1):
            yield from map(fn, items)
            return
        futures = [
            a if a is not None else self._executor().submit(fn, i) for a, i in zip(ahead, items, strict=True)
        ]
        try:
            for future in futures:
                yield future.result()
        finally:  # stopped early (an error downstream): do not read the remaining files
            for future in futures:
                future.cancel()
            wait(futures)

    def read_ahead(self, work: list[tuple[Hashable, Callable[[], Any]]]) -> None:
        """Start ``work`` now, ahead of the run that will ask for it (``map`` with a matching
        ``tag``): the readers work while Dagster prepares the run (~8 ms per partition)."""
        for tag, fn in work:
            self._ahead[tag] = self._executor().submit(fn)

    def has_ahead(self, tag: Hashable) -> bool:
        """Work under ``tag`` was started by ``read_ahead`` and not taken yet."""
        return tag in self._ahead

    def _executor(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(self._thread_count, thread_name_prefix="gongwen-reader")
        return self._threads

    def reader_pids(self) -> list[int]:
        """Process ids of the readers running now."""
        return [pid for guard in self._guards if (pid := guard.pid()) is not None]

    def close(self) -> None:
        with self._lock:
            self._closed = True
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()
        if self._threads is not None:
            self._threads.shutdown(wait=True, cancel_futures=True)
            self._threads = None
        for guard in self._guards:
            guard.close()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Called once by every reader process of a run when it starts (``parsers.guard.Guard(preload=…)``).
READER_PRELOAD = ("pipelines.storage:arrow_without_pandas", "parsers.nlp:warm")

_pools: dict[Limits, ReaderPool] = {}
_pools_lock = threading.Lock()


def reader_pool(workers: int, limits: Limits) -> ReaderPool:
    """The process-wide pool for ``limits``, with ``workers`` readers or more (an existing pool
    gets more with ``ReaderPool.add_reader``, up to one per CPU): several runs in one process
    (``gongwen run`` launching a few) share the reader processes instead of starting them again
    each run, and a reader started ahead of a run serves it."""
    with _pools_lock:
        pool = _pools.get(limits)
        if pool is None:
            if not _pools:
                atexit.register(close_reader_pools)
            return _pools.setdefault(limits, ReaderPool(workers, limits))
    while pool.workers < workers and pool.add_reader():
        pass
    return pool


def close_reader_pools() -> None:
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.close()


def stale_keys(keys: list[str], files: dict[str, str], raw_dir: Path, warehouse_dir: Location) -> list[str]:
    """The keys a run must process: files new, changed or gone since their fragments were made
    (a file whose status is as recorded is not read; the others are hashed)."""
    states = storage.read_states(warehouse_dir, [key for key in keys if key in files])
    verdicts = {
        key: _known_unchanged(states[key], raw_dir / files[key]) if key in files else False for key in keys
    }
    return [
        key
        for key, verdict in verdicts.items()
        if verdict is False or (verdict is None and not _same_bytes(states[key], raw_dir / files[key]))
    ]


# --- incremental: what a file's fragments were made from --------------------------------------

#: Quarantine kinds that depend on the limits or the machine, not on the bytes: read again.
RETRY_KINDS = frozenset({"timeout", "too_large", "internal_error"})


@cache
def parser_version() -> str:
    """Hash of the code that turns a file into fragment rows: every source and data file of
    ``parsers/`` and ``schemas/``. Any change there (a rule fixed, a vocabulary extended, a
    column added) makes every file be read again at the next run; nothing to bump by hand."""
    digest = hashlib.sha256()
    for path in parser_sources():
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def parser_sources() -> list[Path]:
    """The files ``parser_version`` hashes, in a fixed order."""
    return [
        path
        for package in ("parsers", "schemas")
        for path in sorted((PROJECT_ROOT / package).rglob("*"))
        if path.is_file() and path.suffix in {".py", ".txt", ".tsv", ".json", ".toml"}
    ]


#: A file whose status changed this close to the moment it was hashed may have been written again
#: within the file system clock's granularity without its status showing it: such a file is
#: hashed again at every check (git's "racy" rule).
RACY_NS = 2_000_000_000


def _status(st: os.stat_result) -> list[int]:
    """The status fields any write or replacement of a file changes: size, inode, change time
    (unlike the modification time, the change time cannot be set back by ``cp -p`` or rsync)."""
    return [st.st_size, st.st_ino, st.st_ctime_ns]


def file_stamp(path: Path) -> dict[str, Any] | None:
    """The file's SHA-256, with its status and the time when it was hashed (what the state
    marker records, so that ``unchanged`` can skip hashing an untouched file); None if unreadable."""
    try:
        with path.open("rb") as f:
            status, hashed_at = _status(os.fstat(f.fileno())), time.time_ns()
            digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None
    return {"sha256": digest, "stat": status, "hashed_at_ns": hashed_at}


def unchanged(state: dict[str, Any] | None, path: Path) -> bool:
    """The fragments recorded in ``state`` were made from the bytes now at ``path`` by this parser
    code, in the fragment format this code reads.

    The bytes are hashed only when the file's status differs from the one recorded with the hash,
    or changed less than ``RACY_NS`` before it was hashed: an untouched file costs a ``stat``,
    not a read (2,000 files: 0.3 s of hashing per check)."""
    verdict = _known_unchanged(state, path)
    return verdict if verdict is not None else _same_bytes(state, path)


def _known_unchanged(state: dict[str, Any] | None, path: Path) -> bool | None:
    """``unchanged`` as far as it is known without reading the file: None when its bytes must be
    hashed to tell."""
    if not (
        state is not None
        and storage.is_current_format(state)
        and state.get("parser_version") == parser_version()
        and (state.get("status") == "parsed" or state.get("error_kind") not in RETRY_KINDS)
    ):
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    recorded_at = state.get("hashed_at_ns")
    status = _status(st)
    if (
        state.get("stat") == status
        and isinstance(recorded_at, int)
        and st.st_ctime_ns < recorded_at - RACY_NS
    ):
        return True
    if _hashed_here.get(path) == (tuple(status), state.get("sha256")):
        return True
    return None


#: ``{path: (status, sha256)}`` of the files this process hashed (``_same_bytes``): a file whose
#: status is still the one it had then is not hashed again (``gongwen run`` checks the files before
#: Dagster is loaded, and its run checks them again; the benchmark's reruns touch every file).
#: The racy rule is not applied to these: a file rewritten within the clock tick of its previous
#: write, right after it was hashed here, is missed by this run as one rewritten while the run reads
#: it would be, and read at the next run (its marker's status no longer matches).
_hashed_here: dict[Path, tuple[tuple[int, ...], str]] = {}


def _same_bytes(state: dict[str, Any] | None, path: Path) -> bool:
    stamp = file_stamp(path)
    if stamp is None:
        return False
    _hashed_here[path] = (tuple(stamp["stat"]), stamp["sha256"])
    return state is not None and stamp["sha256"] == state.get("sha256")


@dataclass(frozen=True)
class ReadJob:
    """Where a run reads from and writes to, and under which limits: what identifies the work
    on one file, so a read started ahead (``read_ahead``) is only used by a run that matches."""

    raw_dir: Path
    warehouse_dir: Location
    limits: Limits

    def tag(self, item: tuple[str, str]) -> Hashable:
        return ("read", str(self.raw_dir), str(self.warehouse_dir), self.limits, *item)


def read_file(job: ReadJob, pool: ReaderPool, item: tuple[str, str]) -> tuple[Outcome, float]:
    """Read one ``(key, relative path)`` on ``pool``; the outcome and the seconds it took."""
    key, rel = item
    path = job.raw_dir / rel
    t0 = time.perf_counter()
    stamp = file_stamp(path)  # before reading: a file replaced meanwhile is read next time
    outcome = ingest_file(path, rel, key, job.warehouse_dir, stamp, limits=job.limits, pool=pool)
    return outcome, time.perf_counter() - t0


def read_ahead(pool: ReaderPool, job: ReadJob, items: list[tuple[str, str]]) -> None:
    """Start reading ``(key, relative path)`` items now on ``pool``; a run in this process with
    the same ``job`` (raw directory, warehouse, limits) takes the results instead of reading those
    files again (``gongwen run``). The largest files go first, so that the readers run out of
    work together instead of one of them finishing a large file alone."""
    by_size = sorted(items, key=lambda item: -_size(job.raw_dir / item[1]))
    pool.read_ahead([(job.tag(item), partial(read_file, job, pool, item)) for item in by_size])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # gone: its reader says so
