"""Crawl state → ``warehouse/fetches.parquet`` (schema ``schemas.crawl.FETCHES``), written atomically."""

from __future__ import annotations

from pathlib import Path

from pipelines.storage import atomic_write_parquet
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
    atomic_write_parquet(table, target)
    return target
