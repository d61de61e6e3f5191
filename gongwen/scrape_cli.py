"""``gongwen scrape``: one crawl pass over the configured sources, from a shell.

Progress goes to stderr, one line per listing page and per file saved or URL that failed, then a
summary line. Exit 0 when the pass ran (unreachable hosts are reported, not fatal), 1 when every
selected source failed or another scrape holds the state, 2 for an invalid sources file.
The new files land in ``raw/<source>/``; ``gongwen run`` (or, in the UI, the ``raw/`` sensor)
parses them. No Dagster import here: a scrape starts in well under a second.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SOURCES_ENV = "GONGWEN_SOURCES"
_QUIET = frozenset({"unchanged", "known"})  # shown with --verbose only


def _error(message: str) -> None:
    print(f"gongwen: error: {message}", file=sys.stderr)


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def resolve(arg: Path | None, env_var: str, default: str) -> Path:
    """A command-line path (relative to the working directory), else ``$env_var``, else the project's."""
    from pipelines.paths import from_cwd, resolve_dir

    return resolve_dir(from_cwd(arg), env_var, default)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def scrape(
    config: Path | None = None,
    raw_dir: Path | None = None,
    warehouse_dir: Path | None = None,
    sources: list[str] | None = None,
    *,
    verbose: bool = False,
    stream: IO[str] | None = None,
) -> int:
    """Run one scrape pass; returns the exit code."""
    from pipelines.paths import RAW_DIR_ENV, WAREHOUSE_DIR_ENV
    from scraper import ConfigError, crawl, load_sources
    from scraper.crawl import CrawlEvent
    from scraper.export import write_fetches
    from scraper.state import STATE_FILE, StateLockedError

    err = stream or sys.stderr
    config_path = resolve(config, SOURCES_ENV, "sources.toml")
    raw = resolve(raw_dir, RAW_DIR_ENV, "raw")
    warehouse = resolve(warehouse_dir, WAREHOUSE_DIR_ENV, "warehouse")
    try:
        selected = load_sources(config_path).select(sources)
    except ConfigError as problem:
        for line in problem.problems:
            _error(line)
        return EXIT_USAGE
    if raw.exists() and not raw.is_dir():
        _error(f"raw directory {_display(raw)} exists and is not a directory")
        return EXIT_USAGE
    if not selected:
        print(
            f"gongwen scrape: no enabled sources in {_display(config_path)}; "
            "set enabled = true or name one with --source",
            file=err,
        )
        return EXIT_OK
    state_path = warehouse / STATE_FILE
    print(
        f"scraping {_plural(len(selected), 'source')} from {_display(config_path)} into {_display(raw)} "
        f"(state {_display(state_path)})",
        file=err,
        flush=True,
    )

    def show(event: CrawlEvent) -> None:
        if event.status in _QUIET and not verbose:
            return
        where = f" → {_display(raw / event.path)}" if event.path else ""
        note = f" ({event.message})" if event.message else ""
        print(f"[{event.source}] {event.status} {event.url}{where}{note}", file=err, flush=True)

    try:
        report = crawl(selected, raw, state_path, progress=show)
        write_fetches(state_path, warehouse)
    except StateLockedError as locked:
        _error(str(locked))
        return EXIT_FAILED
    except OSError as problem:
        _error(f"cannot write the crawl results: {problem}")
        return EXIT_FAILED
    for source in report.sources:
        if not source.ok:
            print(f"gongwen: warning: source {source.name} failed: {source.error}", file=err)
    t = report.totals()
    unreadable = f" ({t['unreadable']} in a format not parsed yet)" if t["unreadable"] else ""
    print(
        f"scrape: {_plural(t['sources'], 'source')} ({t['sources_failed']} failed), "
        f"{_plural(t['listing_pages'], 'listing page')} ({t['listings_not_modified']} not modified), "
        f"{t['fetched']} fetched, {t['new']} new{unreadable}, {t['updated']} updated, "
        f"{t['unchanged']} unchanged, {_plural(t['duplicates'], 'duplicate')}, {t['failed']} failed, "
        f"{t['skipped']} skipped; run {report.run_id}",
        file=err,
    )
    if t["new"] or t["updated"]:
        print("parse them with `gongwen run` (or let the raw/ sensor of `gongwen ui` do it)", file=err)
    return EXIT_FAILED if report.all_failed else EXIT_OK
