"""``parsers.guard``: per-file limits in a reusable worker process."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import parsers
from parsers.errors import ParseError
from parsers.guard import Guard, Limits, ReaderError, can_fork_workers, parse_guarded

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = [ROOT / "raw" / f"002_c5a7bb6645cf0ce3.{ext}" for ext in ("pdf", "docx", "html")]
W = "tests.robustness.workers:"


@pytest.fixture(scope="module")
def guard() -> Guard:
    with Guard() as g:
        yield g


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.suffix)
def test_records_pickle_and_guarded_equals_in_process(path: Path, guard: Guard) -> None:
    record = parsers.parse_file(path)
    assert pickle.loads(pickle.dumps(record)) == record
    document = parsers.read_document(path)
    assert pickle.loads(pickle.dumps(document)) == document
    assert guard.parse(path) == record
    assert parse_guarded(path) == record


def test_worker_is_reused(tmp_path: Path) -> None:
    with Guard(target=W + "pid") as g:
        first = g.parse(SAMPLES[0])
        assert g.parse(SAMPLES[1]) == first != os.getpid()
        assert g.restarts == 0


def test_closing_a_worker_still_starting_stops_it_at_once_a_started_one_exits() -> None:
    starting = Guard(preload=("parsers.nlp:warm",))
    starting.start()
    process = starting._worker.process  # type: ignore[union-attr]
    starting.close()  # still importing: not waited for
    assert process.returncode == -signal.SIGKILL
    with Guard(target=W + "pid") as started:
        started.parse(SAMPLES[0])
        process = started._worker.process  # type: ignore[union-attr]
    assert process.returncode == 0  # asked to exit, and did


def test_timeout_stops_the_file_and_replaces_the_worker() -> None:
    with Guard(Limits(timeout_s=1.0), target=W + "hang") as g:
        start = time.monotonic()
        with pytest.raises(ParseError) as err:
            g.parse(SAMPLES[0])
        assert time.monotonic() - start < 5
        assert err.value.kind == "timeout"
        assert str(SAMPLES[0]) in str(err.value) and "1 s limit" in err.value.message
        g.target = W + "echo"
        assert g.parse(SAMPLES[0]) == str(SAMPLES[0])
        assert g.restarts == 1


def test_memory_cap() -> None:
    with Guard(Limits(max_memory_mb=512, timeout_s=60), target=W + "eat_memory") as g:
        with pytest.raises(ParseError) as err:
            g.parse(SAMPLES[0])
        assert err.value.kind == "too_large" and "512 MB memory limit" in err.value.message
        g.target = W + "echo"
        assert g.parse(SAMPLES[0]) == str(SAMPLES[0])


@pytest.mark.parametrize(
    ("target", "kind", "signame"), [("crash", "corrupt", "SIGSEGV"), ("killed", "too_large", "SIGKILL")]
)
def test_dead_worker(target: str, kind: str, signame: str) -> None:
    with Guard(target=W + target) as g:
        with pytest.raises(ParseError) as err:
            g.parse(SAMPLES[0])
        assert err.value.kind == kind and signame in err.value.message
        g.target = W + "echo"
        assert g.parse(SAMPLES[0]) == str(SAMPLES[0])


def test_reader_bug_is_a_reader_error_and_the_worker_survives() -> None:
    with Guard(target=W + "bug") as g:
        with pytest.raises(ReaderError) as err:
            g.parse(SAMPLES[0])
        assert str(err.value) == "KeyError: 'oops'" and "Traceback" in err.value.worker_traceback
        assert g.restarts == 0


def test_size_and_existence_are_checked_before_reading(tmp_path: Path) -> None:
    with Guard(Limits(max_file_mb=0.01), target=W + "crash") as g:  # the worker must not be asked
        with pytest.raises(ParseError) as err:
            g.parse(SAMPLES[0])
        assert err.value.kind == "too_large" and "0.01 MB limit" in err.value.message
        with pytest.raises(ParseError) as err:
            g.parse(tmp_path / "missing.pdf")
        assert err.value.kind == "not_found"
        with pytest.raises(ParseError) as err:
            g.parse(tmp_path)
        assert err.value.kind == "not_found"
        assert g._worker is None


@pytest.mark.parametrize("bad", [{"timeout_s": 0}, {"max_memory_mb": 10}, {"max_file_mb": -1}])
def test_limits_are_validated(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Limits(**bad)  # type: ignore[arg-type]


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name: state, parent pid, …"""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def _parent_pid(pid: int) -> int:
    return int(_stat_fields(pid)[1])


needs_fork = pytest.mark.skipif(not can_fork_workers(), reason="copying a worker needs Linux")


@needs_fork
def test_a_copy_of_a_started_worker_is_a_child_of_this_process_and_outlives_the_original() -> None:
    with Guard(target=W + "pid") as original, Guard(target=W + "pid") as copy:
        assert copy.fork_from(original) is False  # the original has not started
        original.start()
        assert copy.fork_from(original) is True
        original_pid, copy_pid = original.parse(SAMPLES[0]), copy.parse(SAMPLES[0])
        original.target = copy.target = W + "served"
        assert [original.parse(SAMPLES[0]) for _ in range(3)] == [1, 2, 3]
        assert copy.parse(SAMPLES[0]) == 1  # copied before the original served those
        assert copy.fork_from(original) and copy.parse(SAMPLES[0]) == 4  # a fresh copy goes on
        copy_pid = copy.pid()
        assert copy_pid not in (original_pid, os.getpid())
        assert _parent_pid(copy_pid) == os.getpid()  # adopted: waited for and killed by this process
        original._discard()  # killed, as after a file's timeout
        copy.target = "parsers:parse_file"
        assert copy.parse(SAMPLES[1]) == parsers.parse_file(SAMPLES[1])  # readers imported already
        assert copy.pid() == copy_pid and copy.restarts == 0


@needs_fork
@pytest.mark.parametrize(
    ("target", "kind", "signame"), [("crash", "corrupt", "SIGSEGV"), ("killed", "too_large", "SIGKILL")]
)
def test_a_copy_that_dies_is_reported_like_a_spawned_worker(target: str, kind: str, signame: str) -> None:
    with Guard(target=W + "pid") as original, Guard(target=W + target) as copy:
        original.start()
        assert copy.fork_from(original)
        with pytest.raises(ParseError) as err:
            copy.parse(SAMPLES[0])
        assert err.value.kind == kind and signame in err.value.message


@needs_fork
def test_a_copy_that_runs_over_its_time_is_stopped() -> None:
    with Guard(target=W + "pid") as original, Guard(Limits(timeout_s=1.0), target=W + "hang") as copy:
        original.start()
        assert copy.fork_from(original)
        copy_pid = copy.pid()
        with pytest.raises(ParseError) as err:
            copy.parse(SAMPLES[0])
        assert err.value.kind == "timeout" and copy.restarts == 1
        assert copy_pid is not None and not Path(f"/proc/{copy_pid}").exists()  # killed and waited for


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
@pytest.mark.parametrize("copied", [False, True], ids=["spawned", "copied"])
def test_worker_dies_with_its_parent(copied: bool) -> None:
    if copied and not can_fork_workers():
        pytest.skip("copying a worker needs Linux")
    code = (
        "import sys, time\n"
        "from parsers.guard import Guard\n"
        "g = Guard(target='tests.robustness.workers:pid')\n"
        + (
            "o = Guard(target='tests.robustness.workers:pid')\no.start()\nassert g.fork_from(o)\n"
            if copied
            else ""
        )
        + "print(g.parse(sys.argv[1]), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code, str(SAMPLES[0])], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    worker_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if _ended(worker_pid):
            return
        time.sleep(0.05)
    os.kill(worker_pid, signal.SIGKILL)
    pytest.fail("the worker outlived its killed parent")


def _ended(pid: int) -> bool:
    """The process is gone, or dead and not waited for yet: this test process adopts orphans
    once it has copied a worker (``can_fork_workers``), so the killed parent's worker may end as
    its zombie (waited for here)."""
    try:
        state = _stat_fields(pid)[0]
    except FileNotFoundError:
        return True
    if state != "Z":
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return True
