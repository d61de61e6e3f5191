"""Plans checked against the templates they implement, from the warehouse tables.

Unpartitioned and downstream of the tables: linking needs every notice at once (a plan and its
template are different documents). One run aligns each plan (one copy per notice) with each
template it names, writes ``plan_alignment``, ``plan_domains`` and ``missing_templates``, and the
HTML reports under ``warehouse/reports/`` (one per plan, one overview per template); the counts
per plan and the report paths go into the asset's metadata, so an analyst opens them from the UI.

Incremental and parallel (docs/benchmark.md): each (plan, template) pair is keyed by the content
of what ``compare`` reads — both notices' task rows, domain rows and references, the link, the
thresholds, the day deadlines are judged on, and the engine's own source — and its result and
report are kept under ``warehouse/_cache/crosscheck/<key>.pickle``. A rerun recomputes only the
pairs whose key changed; new pairs are computed on a process pool (one process per CPU) when
there are enough of them to pay for the processes' start-up.
"""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import AssetExecutionContext, ConfigurableResource, MaterializeResult, MetadataValue, asset

from crosscheck.align import load_options
from crosscheck.from_tables import corpus_from_rows
from crosscheck.linking import load_links
from crosscheck.model import CrossCheck
from crosscheck.report import overview_file_name, render_plan_report, report_file_name, write_overview
from pipelines import storage
from pipelines.assets.warehouse import TABLE_ASSETS
from pipelines.crosscheck_cache import CACHE_DIR, checked_pairs, linked_pairs
from pipelines.metadata import table_metadata
from pipelines.resources import Warehouse
from schemas.crosscheck_rows import crosscheck_tables
from schemas.tables import DERIVED_TABLES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TIMEZONE = ZoneInfo("Asia/Shanghai")


REPORTS_DIR = "reports"


def write_reports(
    checks: list[CrossCheck], folder: Path, pages: Sequence[str | None] | None = None
) -> dict[str, Path]:
    """One report per plan (keyed by the plan's doc_id) and one overview per template
    (keyed ``overview <template number or title>``), written atomically into ``folder``.
    ``pages``: each check's report page when already rendered (None: render it here); a report
    file that already holds exactly that page is not rewritten."""
    written: dict[str, Path] = {}
    by_template: dict[str, list[CrossCheck]] = {}
    for i, check in enumerate(checks):
        page = pages[i] if pages is not None else None
        html = page if page is not None else render_plan_report(check)
        out = folder / report_file_name(check)
        if not _same_text(out, html):
            storage.atomic_write_text(html, out)
        written[check.plan.doc_id] = out
        by_template.setdefault(check.template.doc_id, []).append(check)
    for group in by_template.values():
        template = group[0].template
        name = f"overview {template.doc_number or template.title or template.doc_id}"
        written[name] = write_overview(group, folder / overview_file_name(template))
    return written


def _same_text(path: Path, text: str) -> bool:
    try:
        return path.stat().st_size == len(text.encode("utf-8")) and path.read_text(encoding="utf-8") == text
    except OSError:
        return False


class CrossCheckSettings(ConfigurableResource):
    """Where the cross-check reads its links and thresholds (``crosscheck.toml``)."""

    config_file: str = str(PROJECT_ROOT / "crosscheck.toml")
    as_of: str | None = None  # judge deadlines as of this day (YYYY-MM-DD); default: today in Shanghai

    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.datetime.now(TIMEZONE).date()


@asset(
    deps=[TABLE_ASSETS[name] for name in ("documents", "citations", "tasks", "domains")],
    group_name="crosscheck",
    kinds={"python", "parquet"},
    description="Each plan aligned with the template it implements (plan_alignment, plan_domains, "
    "missing_templates).",
)
def plan_alignment(
    context: AssetExecutionContext, warehouse: Warehouse, crosscheck_settings: CrossCheckSettings
) -> MaterializeResult:
    config = Path(crosscheck_settings.config_file)
    corpus = corpus_from_rows(
        *(warehouse.read_table(n).to_pylist() for n in ("documents", "citations", "tasks", "domains"))
    )
    pairs, missing = linked_pairs(corpus, load_links(config))
    checks, pages, computed = checked_pairs(
        pairs, load_options(config), crosscheck_settings.day(), warehouse.path / CACHE_DIR
    )
    tables = crosscheck_tables(checks, missing)
    paths = {name: warehouse.write_table(name, tables[name]) for name in DERIVED_TABLES}
    reports = write_reports(checks, warehouse.path / REPORTS_DIR, pages)
    per_plan = "\n".join(
        f"| [{c.plan.title or c.plan.path}]({reports[c.plan.doc_id].as_uri()}) | "
        f"{c.template.doc_number or c.template.title} | "
        + " | ".join(str(c.summary()[k]) for k in ("verbatim", "modified", "partial", "missing", "added"))
        + " |"
        for c in checks
    )
    for m in missing:
        context.log.warning(
            f"{m.plan.path}: implements {m.doc_number or m.title}, which is not in the corpus"
        )
    return MaterializeResult(
        metadata={
            **table_metadata(tables["plan_alignment"], paths["plan_alignment"]),
            "plans_checked": len(checks),
            "pairs_computed": computed,
            "pairs_from_cache": len(checks) - computed,
            "reports_dir": MetadataValue.path(str(warehouse.path / REPORTS_DIR)),
            **{
                f"overview {name}": MetadataValue.path(str(path))
                for name, path in reports.items()
                if name.startswith("overview")
            },
            "missing_templates": len(missing),
            "plans": MetadataValue.md(
                "| plan | template | verbatim | modified | partial | missing | added |\n"
                "|---|---|---|---|---|---|---|\n" + (per_plan or "| — | — | | | | | |")
            ),
        }
    )
