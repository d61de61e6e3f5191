"""Government sites → new files in ``raw/`` → new ``documents`` partitions: the ``scraped_files`` asset.

Thin wiring over ``scraper`` (pure Python): load and validate the sources file, crawl politely
with the state in ``warehouse/crawl_state.sqlite``, write the ``fetches`` table, then register the
new files as ``documents`` partitions with ``sync_document_partitions`` (the same call as
``gongwen run`` and ``register_documents_job``). Parsing is not done here: the
``parse_after_scrape`` sensor (``pipelines.sensors``) requests one ``ingest`` run over exactly the
partitions this materialization lists in ``parse_partition_keys``, so new notices go through the
one parser path, ``parsed_documents``.

A host that cannot be reached does not fail the asset (the nightly run must still register what
the other sources gave); it fails the ``every_source_reachable`` check, a warning in the UI.
An invalid sources file does fail it, with one line per problem.

``scraper`` (an HTTP client and its dependencies, ~0.2 s) is imported when the asset runs, not
when the code location loads: every ``gongwen run`` loads the definitions.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    Config,
    ConfigurableResource,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from pipelines.partitions import sync_document_partitions
from pipelines.paths import resolve_dir
from pipelines.raw_files import partition_key_for
from pipelines.resources import RawStore, Warehouse

if TYPE_CHECKING:
    from scraper import CrawlReport
    from scraper.crawl import CrawlEvent

SOURCES_ENV = "GONGWEN_SOURCES"
REACHABLE_CHECK = "every_source_reachable"
_LOGGED = frozenset({"new", "updated", "duplicate", "failed", "gone", "rejected", "blocked", "listing"})
_TABLE_ROWS = 50


class ScrapeSources(ConfigurableResource):
    """Where the sources file is: ``path``, else ``$GONGWEN_SOURCES``, else the project's ``sources.toml``."""

    path: str | None = Field(
        default=None, description=f"Sources file. Default: ${SOURCES_ENV}, else sources.toml in the project."
    )

    @property
    def file(self) -> Path:
        return resolve_dir(self.path, SOURCES_ENV, "sources.toml")


class ScrapeConfig(Config):
    """Launchpad options of one scrape."""

    sources: list[str] = Field(
        default_factory=list,
        description="Only these sources, by name (named sources run even when disabled). "
        "Empty: every enabled source.",
    )


def _md_table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows[:_TABLE_ROWS]]
    if len(rows) > _TABLE_ROWS:
        lines.append(f"\n… and {len(rows) - _TABLE_ROWS} more")
    return "\n".join(lines)


def report_metadata(report: "CrawlReport") -> dict[str, Any]:
    """Run metadata shown in the UI: counts, then per-source, new files and problems as tables."""
    totals = report.totals()
    meta: dict[str, Any] = {
        "pages_fetched": totals["fetched"],
        "requests": totals["requests"],
        "new": totals["new"],
        "updated": totals["updated"],
        "unchanged": totals["unchanged"],
        "duplicates": totals["duplicates"],
        "failed": totals["failed"],
        "skipped": totals["skipped"],
        "unreadable_formats": totals["unreadable"],
        "sources": totals["sources"],
        "sources_failed": totals["sources_failed"],
    }
    meta["per_source"] = MetadataValue.md(
        _md_table(
            ["source", "fetched", "new", "updated", "unchanged", "duplicates", "failed", "skipped", "error"],
            [
                [
                    r.name,
                    r.fetched,
                    r.new,
                    r.updated,
                    r.unchanged,
                    r.duplicates,
                    r.failed,
                    r.skipped,
                    r.error or "",
                ]
                for r in report.sources
            ],
        )
    )
    files = report.files
    if files:
        meta["new_files"] = MetadataValue.md(
            _md_table(
                ["file", "kind", "change", "parsed?", "url"],
                [
                    [f.path, f.kind, f.change, "yes" if f.readable else "no (format not read yet)", f.url]
                    for f in files
                ],
            )
        )
    problems = [(r.name, p) for r in report.sources for p in r.problems]
    if problems:
        meta["problems"] = MetadataValue.md(
            _md_table(
                ["source", "status", "url", "why"], [[n, p.status, p.url, p.message] for n, p in problems]
            )
        )
    return meta


@asset(
    group_name="scrape",
    kinds={"python", "sqlite"},
    check_specs=[
        AssetCheckSpec(
            REACHABLE_CHECK,
            asset="scraped_files",
            description="Every scraped source's robots.txt and at least one listing page could be read.",
        )
    ],
    description="One polite crawl of the sources in sources.toml: new notices and attachments saved "
    "under raw/<source>/ and registered as `documents` partitions (parsed by the run the "
    "parse_after_scrape sensor requests).",
)
def scraped_files(
    context: AssetExecutionContext,
    config: ScrapeConfig,
    scrape_sources: ScrapeSources,
    raw_store: RawStore,
    warehouse: Warehouse,
) -> MaterializeResult:
    from scraper import ConfigError, crawl, load_sources
    from scraper.export import write_fetches
    from scraper.state import STATE_FILE, StateLockedError

    try:
        sources = load_sources(scrape_sources.file).select(config.sources or None)
    except ConfigError as err:
        raise Failure(description=str(err)) from None
    state_path = warehouse.path / STATE_FILE

    def log(event: "CrawlEvent") -> None:
        if event.status in _LOGGED:
            where = f" → {event.path}" if event.path else ""
            note = f": {event.message}" if event.message else ""
            line = f"[{event.source}] {event.status} {event.url}{where}{note}"
            warn = event.status in ("failed", "gone", "rejected")
            (context.log.warning if warn else context.log.info)(line)

    try:
        report = crawl(sources, raw_store.path, state_path, progress=log)
    except StateLockedError as err:
        raise Failure(description=str(err)) from None
    fetches = write_fetches(state_path, warehouse.path)
    sync = sync_document_partitions(context.instance, raw_store.path, warehouse.path)
    updated = [partition_key_for(f.path) for f in report.files if f.change == "updated"]
    parse_keys = [k for k in sync.keys if k in set(sync.added) | set(updated)]
    failed = [r for r in report.sources if not r.ok]
    for r in failed:
        context.log.warning(f"[{r.name}] source failed: {r.error}")
    if not sources:
        context.log.info("no enabled sources in the sources file; nothing to crawl")
    check = AssetCheckResult(
        check_name=REACHABLE_CHECK,
        passed=not failed,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "failed_sources": MetadataValue.md("\n".join(f"- {r.name}: {r.error}" for r in failed) or "none")
        },
    )
    return MaterializeResult(
        metadata={
            **report_metadata(report),
            "parse_partition_keys": MetadataValue.json(parse_keys),
            "partitions_added": len(sync.added),
            "sources_file": MetadataValue.path(str(scrape_sources.file)),
            "crawl_state": MetadataValue.path(str(state_path)),
            "fetches_table": MetadataValue.path(str(fetches)),
            "crawl_run_id": report.run_id,
        },
        check_results=[check],
    )
