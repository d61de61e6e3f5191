"""pipelines.assets.ingest.ReaderPool: guarded readers shared by the runs of one process."""

from __future__ import annotations

from pathlib import Path

from parsers.guard import Limits
from pipelines.assets.ingest import ReaderPool
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
