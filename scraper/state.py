"""Crawl state in SQLite (``warehouse/crawl_state.sqlite``): what each URL gave last time.

Kept on disk, not in memory, because the point is the *next* run: a listing is asked for with
its ``ETag``/``Last-Modified`` (304 → its remembered links are used), a stored notice is not asked
for again, a body whose SHA-256 is already in the raw directory under another URL is not stored
twice, and a 404 is not retried every night. One row per URL (``urls``), one per distinct body
(``contents``), notice → attachment links (``attachments``), and one row per crawl (``runs``).
Every change is committed at once, so an interrupted crawl keeps what it did.

A lock file next to the database keeps two crawls off the same state at the same time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
STATE_FILE = "crawl_state.sqlite"

#: Final status of a URL after a request: the file is ``stored``; its body equals another URL's
#: file (``duplicate``); the server said it is ``gone`` (4xx); robots.txt or the allow-list
#: ``blocked`` it; it was ``rejected`` (too large, not a document); or it ``failed`` (time-out,
#: 5xx after retries, network) and is tried again next run. Listings: ``listed``.
STATUSES = ("stored", "duplicate", "listed", "gone", "blocked", "rejected", "failed")
PERMANENT = frozenset({"gone", "blocked", "rejected"})

_DDL = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,              -- listing | notice | attachment
    parent_url TEXT,                 -- notice page an attachment was first linked from
    link_text TEXT,
    status TEXT NOT NULL,
    http_status INTEGER,
    etag TEXT,
    last_modified TEXT,
    sha256 TEXT,
    raw_path TEXT,                   -- relative to the raw directory, POSIX
    size INTEGER,
    content_type TEXT,
    links TEXT,                      -- JSON [[url, text, role], ...] a listing linked to last time
    error TEXT,
    first_seen TEXT NOT NULL,
    last_checked TEXT NOT NULL,
    last_changed TEXT
);
CREATE INDEX IF NOT EXISTS urls_raw_path ON urls(raw_path);
CREATE TABLE IF NOT EXISTS contents (
    sha256 TEXT PRIMARY KEY,
    raw_path TEXT NOT NULL,
    url TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attachments (
    page_url TEXT NOT NULL,
    url TEXT NOT NULL,
    text TEXT,
    PRIMARY KEY (page_url, url)
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
);
"""


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def parse_time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class UrlRecord:
    """One row of ``urls``."""

    url: str
    source: str
    kind: str
    status: str
    parent_url: str | None = None
    link_text: str | None = None
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    raw_path: str | None = None
    size: int | None = None
    content_type: str | None = None
    links: tuple[tuple[str, str, str], ...] = ()  # (url, text, 'notice' | 'page')
    error: str | None = None
    first_seen: str | None = None
    last_checked: str | None = None
    last_changed: str | None = None

    def checked_days_ago(self, now: dt.datetime) -> float:
        checked = parse_time(self.last_checked)
        return (now - checked).total_seconds() / 86400 if checked else float("inf")


class StateLockedError(RuntimeError):
    """Another crawl holds the state."""


class CrawlState:
    """The crawl state database; use as a context manager (``with CrawlState(path) as s``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = (path.parent / f".{path.name}.lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise StateLockedError(f"another scrape is using {path}; wait for it to finish") from None
        self.db = sqlite3.connect(path, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.close()
            raise RuntimeError(f"{path} was written by a newer gongwen (state version {version})")
        self.db.executescript(_DDL)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db.commit()

    def __enter__(self) -> CrawlState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.close()
        with contextlib.suppress(OSError):
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()

    # --- urls ----------------------------------------------------------------------------------

    def get(self, url: str) -> UrlRecord | None:
        row = self.db.execute("SELECT * FROM urls WHERE url = ?", (url,)).fetchone()
        return _record(row) if row else None

    def put(self, record: UrlRecord, *, now: dt.datetime | None = None, changed: bool = False) -> UrlRecord:
        """Insert or update a URL's row; ``first_seen`` is kept, ``last_changed`` set when ``changed``."""
        stamp = _iso(now or now_utc())
        old = self.get(record.url)
        values: dict[str, Any] = {
            **record.__dict__,
            "links": json.dumps([list(x) for x in record.links], ensure_ascii=False)
            if record.links
            else None,
            "first_seen": (old.first_seen if old else None) or stamp,
            "last_checked": stamp,
            "last_changed": stamp if changed else (old.last_changed if old else None),
            "parent_url": record.parent_url or (old.parent_url if old else None),
            "link_text": record.link_text or (old.link_text if old else None),
        }
        cols = ", ".join(values)
        marks = ", ".join(f":{c}" for c in values)
        self.db.execute(f"INSERT OR REPLACE INTO urls ({cols}) VALUES ({marks})", values)
        self.db.commit()
        stored = self.get(record.url)
        assert stored is not None
        return stored

    def url_for_path(self, raw_path: str) -> str | None:
        """The URL whose file is ``raw_path`` (to keep two URLs from sharing a file name)."""
        row = self.db.execute(
            "SELECT url FROM urls WHERE raw_path = ? AND status = 'stored' LIMIT 1", (raw_path,)
        ).fetchone()
        return row[0] if row else None

    def records(self) -> Iterator[UrlRecord]:
        for row in self.db.execute("SELECT * FROM urls ORDER BY source, first_seen, url"):
            yield _record(row)

    # --- contents ------------------------------------------------------------------------------

    def content(self, sha256: str) -> tuple[str, str] | None:
        """``(raw_path, url)`` of the file already holding this body, if any."""
        row = self.db.execute("SELECT raw_path, url FROM contents WHERE sha256 = ?", (sha256,)).fetchone()
        return (row[0], row[1]) if row else None

    def put_content(self, sha256: str, raw_path: str, url: str, *, now: dt.datetime | None = None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO contents (sha256, raw_path, url, first_seen) VALUES (?, ?, ?, ?)",
            (sha256, raw_path, url, _iso(now or now_utc())),
        )
        self.db.commit()

    # --- attachments ---------------------------------------------------------------------------

    def link_attachment(self, page_url: str, url: str, text: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO attachments (page_url, url, text) VALUES (?, ?, ?)", (page_url, url, text)
        )
        self.db.commit()

    def attachments_of(self, page_url: str) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT url, text FROM attachments WHERE page_url = ? ORDER BY rowid", (page_url,)
        ).fetchall()
        return [(r[0], r[1] or "") for r in rows]

    # --- runs ----------------------------------------------------------------------------------

    def start_run(self, run_id: str, *, now: dt.datetime | None = None) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO runs (run_id, started_at) VALUES (?, ?)", (run_id, _iso(now or now_utc()))
        )
        self.db.commit()

    def finish_run(self, run_id: str, summary: dict[str, Any], *, now: dt.datetime | None = None) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?",
            (_iso(now or now_utc()), json.dumps(summary, ensure_ascii=False), run_id),
        )
        self.db.commit()


def _record(row: sqlite3.Row) -> UrlRecord:
    data = dict(row)
    links = json.loads(data["links"]) if data.get("links") else []
    data["links"] = tuple((str(u), str(t), str(r)) for u, t, r in links)
    return UrlRecord(**data)
