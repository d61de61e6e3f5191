"""Crawl state → ``warehouse/fetches.parquet`` (schema ``schemas.crawl.FETCHES``), written atomically."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow.parquet as pq

from schemas.crawl import FETCHES
from schemas.tables import to_table
from scraper.state import CrawlState, parse_time

FETCHES_FILE = "fetches.parquet"


def fetch_rows(state: CrawlState) -> list[dict[str, object]]:
    names = set(FETCHES.names)
    rows = []
    for record in state.records():
        row = {k: v for k, v in record.__dict__.items() if k in names}
        for key in ("first_seen", "last_checked", "last_changed"):
            row[key] = parse_time(row[key])  # type: ignore[arg-type]
        rows.append(row)
    return rows


def write_fetches(state_path: Path, warehouse_dir: Path) -> Path:
    """Write the ``fetches`` table from the state at ``state_path``; returns its path."""
    with CrawlState(state_path) as state:
        table = to_table(FETCHES, fetch_rows(state))
    target = warehouse_dir / FETCHES_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
