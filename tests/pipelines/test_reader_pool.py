"""pipelines.reading.ReaderPool: guarded readers shared by the runs of one process."""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path

from parsers.guard import Limits
from pipelines.reading import ReaderPool
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
