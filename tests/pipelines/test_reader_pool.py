"""pipelines.reading.ReaderPool: guarded readers shared by the runs of one process."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Hashable
from functools import partial
from pathlib import Path

import pytest

from parsers.guard import Limits, can_fork_workers
from pipelines.reading import ReaderPool, ReadJob, close_reader_pools, read_ahead, reader_pool
from tests.pipelines.corpus import SAMPLE_DIR


def test_readers_outlive_a_run_and_serve_the_next() -> None:
    files = sorted(SAMPLE_DIR.glob("00[01]_*.docx")) + sorted(SAMPLE_DIR.glob("00[01]_*.html"))
    with ReaderPool(2, Limits()) as pool:

        def title(path: Path) -> str | None:
            return pool.call("parsers:parse_file", path, limits=pool.limits).title

        first = list(pool.map(title, files))
        pids = pool.reader_pids()
        assert len(pids) == 2  # both readers worked
        second = list(pool.map(title, files))
        assert second == first and all(first)
        assert pool.reader_pids() == pids  # the same processes, not started again
    assert pool.reader_pids() == []


def test_started_readers_are_ready_for_the_first_file() -> None:
    with ReaderPool(1, Limits()) as pool:
        pool.start()
        (pid,) = pool.reader_pids()
        record = pool.call("parsers:parse_file", next(SAMPLE_DIR.glob("000_*.docx")), limits=pool.limits)
        assert record.title and pool.reader_pids() == [pid]


def test_work_read_ahead_is_taken_by_the_run_not_done_again() -> None:
    calls: Counter[int] = Counter()

    def work(item: int) -> int:
        calls[item] += 1
        return item * 2

    with ReaderPool(2, Limits()) as pool:
        pool.read_ahead([(("read", i), partial(work, i)) for i in (1, 2)])
        assert list(pool.map(work, [1, 2, 3], tag=lambda i: ("read", i))) == [2, 4, 6]
        assert list(pool.map(work, [1], tag=lambda i: ("read", i))) == [2]  # taken once only
    assert calls == {1: 2, 2: 1, 3: 1}


def serving_reader(path: str, seconds: float) -> int:
    """Run in a reader (``Guard.call`` target): which process served the file."""
    time.sleep(seconds)
    return os.getpid()


def test_a_reader_added_later_takes_queued_files_once_it_has_started() -> None:
    files = sorted(SAMPLE_DIR.iterdir())[:1] * 24
    with ReaderPool(1, Limits()) as pool:
        pool.start()

        def serve(item: tuple[int, Path]) -> int:
            return pool.call(
                "tests.pipelines.test_reader_pool:serving_reader", item[1], 0.25, limits=pool.limits
            )

        items = list(enumerate(files))
        pool.read_ahead([(("serve", i), partial(serve, (i, p))) for i, p in items])
        assert pool.pending_ahead() >= 20  # one reader, the rest queued
        assert pool.add_reader() == ((os.cpu_count() or 1) > 1)
        served = list(pool.map(serve, items, tag=lambda item: ("serve", item[0])))
        assert len(served) == len(files) and pool.pending_ahead() == 0
        if (os.cpu_count() or 1) > 1:
            assert len(set(served)) == 2  # the added reader took some files
            assert sorted(set(served)) == sorted(pool.reader_pids())


@pytest.mark.skipif(not can_fork_workers() or (os.cpu_count() or 1) < 2, reason="needs Linux and 2 CPUs")
def test_a_reader_added_to_a_running_one_is_a_copy_of_it() -> None:
    sample = next(SAMPLE_DIR.glob("000_*.docx"))
    served = "tests.robustness.workers:served"
    with ReaderPool(1, Limits()) as pool:
        pool.start()
        assert [pool.call(served, sample, limits=pool.limits) for _ in range(2)] == [1, 2]
        assert pool.add_reader() and pool.workers == 2
        deadline = time.monotonic() + 60
        while len(pool.reader_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(pool.reader_pids()) == 2

        def serve(i: int) -> tuple[int, int]:
            return pool.call("tests.robustness.workers:served_slowly", sample, 0.5, limits=pool.limits)

        both = dict(pool.map(serve, [0, 1]))
        assert sorted(both) == sorted(pool.reader_pids())
        assert set(both.values()) == {3}  # the copy went on from the original's count (a new reader: 1)


def test_no_reader_is_added_beyond_one_per_cpu() -> None:
    with ReaderPool(os.cpu_count() or 1, Limits()) as pool:
        assert pool.add_reader() is False
        assert pool.reader_pids() == []  # nothing was spawned


def test_the_process_pool_for_some_limits_grows_to_the_readers_asked_for() -> None:
    limits = Limits(timeout_s=123)  # a pool of its own
    try:
        first = reader_pool(1, limits)
        assert first.workers == 1
        again = reader_pool(2, limits)
        assert again is first and first.workers == min(2, os.cpu_count() or 1)
        assert reader_pool(1, limits) is first and first.workers == min(2, os.cpu_count() or 1)
    finally:
        close_reader_pools()


def test_files_read_ahead_go_to_the_readers_largest_first(tmp_path: Path) -> None:
    sizes = {"a.html": 10, "b.pdf": 3000, "c.docx": 200, "d.pdf": 50}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    started: list[Hashable] = []

    class Pool:  # records the order the work is handed to the readers in
        def read_ahead(self, work: list[tuple[Hashable, object]]) -> None:
            started.extend(tag for tag, _ in work)

    job = ReadJob(tmp_path, tmp_path / "wh", Limits())
    items = [(name[0], name) for name in sizes]
    read_ahead(Pool(), job, [*items, ("e", "gone.pdf")])  # type: ignore[arg-type]
    assert started == [job.tag(item) for item in [items[1], items[2], items[3], items[0], ("e", "gone.pdf")]]
