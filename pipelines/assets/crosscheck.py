"""Plans checked against the templates they implement, from the warehouse tables.

Unpartitioned and downstream of the tables: linking needs every notice at once (a plan and its
template are different documents). One run aligns each plan (one copy per notice) with each
template it names, writes ``plan_alignment``, ``plan_domains`` and ``missing_templates``, and the
HTML reports under ``warehouse/reports/`` (one per plan, one overview per template); the counts
per plan and the report paths go into the asset's metadata, so an analyst opens them from the UI.

Incremental and parallel (docs/benchmark.md): each (plan, template) pair is keyed by the content
of what ``compare`` reads — both notices' task rows, domain rows and references, the link, the
thresholds — and the engine's own source, and its result and report are kept under
``warehouse/_cache/crosscheck/<key>.pickle``. A rerun recomputes only the pairs whose key changed;
on a new day the others keep their alignment and have only their overdue tasks and report page
redone (``pairs_rejudged``). Pairs to do go to a pool of workers started ahead when there are
enough of them. A rerun whose input tables, settings, day and engine are those of the last run
reports that run's results and reads nothing.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetExecutionContext, ConfigurableResource, MaterializeResult, MetadataValue, asset

from crosscheck.align import load_options
from crosscheck.from_tables import COLUMNS, corpus_from_columns
from crosscheck.linking import MissingTemplate, load_links
from crosscheck.model import CrossCheck
from crosscheck.report import overview_file_name, render_overview, render_plan_report, report_file_name
from pipelines import storage
from pipelines.assets.warehouse import TABLE_SPECS
from pipelines.crosscheck_cache import (
    CACHE_DIR,
    OVERVIEW_CACHE_DIR,
    checked_pairs,
    collector_paused,
    overview_pages,
    pair_pool,
    template_groups,
)
from pipelines.crosscheck_pairs import engine_version, linked_pairs
from pipelines.metadata import table_metadata
from pipelines.paths import PROJECT_ROOT
from pipelines.resources import Warehouse
from schemas.crosscheck_rows import crosscheck_tables
from schemas.tables import DERIVED_TABLES

TIMEZONE = ZoneInfo("Asia/Shanghai")


REPORTS_DIR = "reports"
#: Warehouses with fewer documents compute their new pairs in the run's own process.
PAIR_POOL_MIN_DOCUMENTS = 200


def write_reports(
    checks: list[CrossCheck],
    folder: storage.Location,
    pages: Sequence[str | None] | None = None,
    overviews: Mapping[str, str] | None = None,
) -> dict[str, storage.Location]:
    """One report per plan (keyed by the plan's doc_id) and one overview per template
    (keyed ``overview <template number or title>``), written atomically into ``folder`` (a local
    directory or a prefix on object storage). ``pages``: each check's report page when already
    rendered (None: render it here); ``overviews``: each template's overview page by template
    doc_id (those not given are rendered here). A report file that already holds exactly its
    page is not rewritten."""
    written: dict[str, storage.Location] = {}
    for i, check in enumerate(checks):
        page = pages[i] if pages is not None else None
        html = page if page is not None else render_plan_report(check)
        written[check.plan.doc_id] = _write_if_changed(html, folder / report_file_name(check))
    for template_id, positions in template_groups(checks).items():
        group = [checks[i] for i in positions]
        template = group[0].template
        name = f"overview {template.doc_number or template.title or template.doc_id}"
        html = (overviews or {}).get(template_id) or render_overview(group)
        written[name] = _write_if_changed(html, folder / overview_file_name(template))
    return written


def _write_if_changed(text: str, out: storage.Location) -> storage.Location:
    """Write a report page unless the file already holds exactly it (its token, and so the
    recorded outputs of the last run, stay as they were)."""
    data = text.encode("utf-8")
    if not storage.holds(out, data):
        storage.atomic_write_bytes(data, out)
    return out


class CrossCheckSettings(ConfigurableResource):
    """Where the cross-check reads its links and thresholds (``crosscheck.toml``)."""

    config_file: str = str(PROJECT_ROOT / "crosscheck.toml")
    as_of: str | None = None  # judge deadlines as of this day (YYYY-MM-DD); default: today in Shanghai

    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.datetime.now(TIMEZONE).date()


def _rows_of(
    tasks: pa.Table, domains: pa.Table, doc_ids: Collection[str]
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """The task and domain rows of the notices ``doc_ids``, converted to Python column by column
    (``crosscheck.from_tables.RecordsReader``): only those, filtered in Arrow."""
    wanted = pa.array(sorted(doc_ids), pa.string())
    return tuple(t.filter(pc.is_in(t["doc_id"], value_set=wanted)).to_pydict() for t in (tasks, domains))


@asset(
    deps=[TABLE_SPECS[name].key for name in COLUMNS],
    group_name="crosscheck",
    kinds={"python", "parquet"},
    description="Each plan aligned with the template it implements (plan_alignment, plan_domains, "
    "missing_templates).",
)
def plan_alignment(
    context: AssetExecutionContext, warehouse: Warehouse, crosscheck_settings: CrossCheckSettings
) -> MaterializeResult:
    config = Path(crosscheck_settings.config_file)
    day = crosscheck_settings.day()
    inputs = _inputs_signature(warehouse.path, config, day)
    previous = _previous_run(warehouse.path, inputs)
    if previous is not None:  # same tables, settings, day and engine: the outputs stand as they are
        table = warehouse.read_table("plan_alignment")
        return MaterializeResult(
            metadata={
                **table_metadata(table, storage.table_path(warehouse.path, "plan_alignment")),
                **_metadata_values(previous),
                "pairs_computed": 0,
                "pairs_rejudged": 0,
                "pairs_from_cache": previous["plans_checked"],
                "recomputed": False,
            }
        )
    with collector_paused():  # back on once the run's objects are gone (``_check_warehouse``)
        done = _check_warehouse(warehouse, config, day)
    if done.warning:
        context.log.warning(done.warning)
    summary = {
        "plans_checked": done.plans_checked,
        "missing_templates": done.missing_templates,
        "reports_dir": str(warehouse.path / REPORTS_DIR),
        "reports": sorted(str(p) for p in done.reports.values()),
        "overviews": {name: str(path) for name, path in done.reports.items() if name.startswith("overview")},
        "plans_table": "| plan | template | verbatim | modified | partial | missing | added |\n"
        "|---|---|---|---|---|---|---|\n" + (done.plan_rows or "| — | — | | | | | |"),
    }
    _record_run(warehouse.path, inputs, summary)
    return MaterializeResult(
        metadata={
            **table_metadata(done.alignment_table, done.alignment_path),
            **_metadata_values(summary),
            "pairs_computed": done.computed,
            "pairs_rejudged": done.rejudged,
            "pairs_from_cache": done.plans_checked - done.computed - done.rejudged,
            "recomputed": True,
        }
    )


@dataclass(frozen=True)
class _Checked:
    """What a cross-check of the warehouse reports (``_check_warehouse``)."""

    alignment_table: pa.Table
    alignment_path: storage.Location
    reports: dict[str, storage.Location]
    plan_rows: str
    plans_checked: int
    missing_templates: int
    computed: int
    rejudged: int
    warning: str | None


def _check_warehouse(warehouse: Warehouse, config: Path, day: dt.date) -> _Checked:
    """Every linked plan checked as of ``day``, the derived tables and the reports written. Only
    what the asset reports leaves this function: the corpus, pairs and checks (hundreds of
    thousands of objects) are freed as it returns, before the caller turns the garbage collector
    back on, so its first pass does not walk them (~0.1 s at 2,000 documents)."""
    # the columns the cross-check reads (``crosscheck.from_tables.COLUMNS``), checked against the
    # tables' declared schemas: the other columns are neither read nor converted
    tables = {name: warehouse.read_table(name, columns) for name, columns in COLUMNS.items()}
    # a pool of workers starts now, while the corpus is built, when the warehouse is big enough
    # for a rerun to have a few hundred pairs to compute
    with pair_pool(enabled=tables["documents"].num_rows >= PAIR_POOL_MIN_DOCUMENTS) as pool:
        corpus = corpus_from_columns(
            tables["documents"].to_pydict(),
            tables["citations"].to_pydict(),
            pc.unique(tables["tasks"]["doc_id"]).to_pylist(),
            partial(_rows_of, tables["tasks"], tables["domains"]),
        )
        pairs, missing = linked_pairs(corpus, load_links(config))
        checked = checked_pairs(pairs, load_options(config), day, warehouse.path / CACHE_DIR, pool=pool)
        checks = checked.checks
        derived = crosscheck_tables(checks, missing)
        paths = {name: warehouse.write_table(name, derived[name]) for name in DERIVED_TABLES}
        reports = write_reports(
            checks,
            warehouse.path / REPORTS_DIR,
            checked.pages,
            overview_pages(checked, warehouse.path / OVERVIEW_CACHE_DIR),
        )
        return _Checked(
            alignment_table=derived["plan_alignment"],
            alignment_path=paths["plan_alignment"],
            reports=reports,
            plan_rows="\n".join(_plan_row(c, storage.uri(reports[c.plan.doc_id])) for c in checks),
            plans_checked=len(checks),
            missing_templates=len(missing),
            computed=checked.computed,
            rejudged=checked.rejudged,
            warning=missing_templates_line(missing) if missing else None,
        )


def _plan_row(check: CrossCheck, report: str) -> str:
    """A plan's row of the ``plans`` table in the asset metadata."""
    summary = check.summary()
    counts = " | ".join(str(summary[k]) for k in ("verbatim", "modified", "partial", "missing", "added"))
    template = check.template.doc_number or check.template.title
    return f"| [{check.plan.title or check.plan.path}]({report}) | {template} | {counts} |"


#: How many of the missing templates the run's warning names (all are in ``missing_templates``).
MISSING_EXAMPLES = 3


def missing_templates_line(missing: Sequence[MissingTemplate]) -> str:
    """One warning for all the templates plans cite that are not in the corpus: their count and a
    few examples (a log line per template would be hundreds of events in a large corpus)."""
    examples = "; ".join(
        f"{m.plan.path}: implements {m.doc_number or m.title}" for m in missing[:MISSING_EXAMPLES]
    )
    more = f"; and {len(missing) - MISSING_EXAMPLES} more" if len(missing) > MISSING_EXAMPLES else ""
    return f"{len(missing)} cited template(s) not in the corpus (table missing_templates): {examples}{more}"


# --- a rerun on unchanged inputs ----------------------------------------------------------------
#
# The outputs depend on the four input tables, crosscheck.toml, the day and the engine. A run
# records a signature of those with the summary it reported; the next run with the same signature,
# whose output tables and report files are still those it wrote, reports the same and does
# nothing else (no table read, no linking, no pair loaded from the cache).


def _run_record_path(warehouse_dir: storage.Location) -> storage.Location:
    return warehouse_dir / storage.PARTS_DIR / storage.BUILT_DIR / "plan_alignment.json"


def _inputs_signature(warehouse_dir: storage.Location, config: Path, day: dt.date) -> str:
    parts = [engine_version(), day.isoformat(), str(config)]
    try:
        parts.append(hashlib.sha256(config.read_bytes()).hexdigest())
    except OSError:
        parts.append("no config")
    parts += [f"{n}={storage.file_token(storage.table_path(warehouse_dir, n))}" for n in COLUMNS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _outputs(warehouse_dir: storage.Location, reports: list[str]) -> dict[str, str | None]:
    tokens = {n: storage.file_token(storage.table_path(warehouse_dir, n)) for n in DERIVED_TABLES}
    tokens.update(zip(reports, storage.file_tokens(storage.location(r) for r in reports), strict=True))
    return tokens


def _previous_run(warehouse_dir: storage.Location, inputs: str) -> dict[str, Any] | None:
    """The summary of the last run if it had these inputs and its outputs are untouched."""
    try:
        record = json.loads(storage.read_text(_run_record_path(warehouse_dir)))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("inputs") != inputs:
        return None
    summary = record.get("summary")
    if not isinstance(summary, dict) or record.get("outputs") != _outputs(warehouse_dir, summary["reports"]):
        return None
    return summary


def _record_run(warehouse_dir: storage.Location, inputs: str, summary: dict[str, Any]) -> None:
    record = {"inputs": inputs, "outputs": _outputs(warehouse_dir, summary["reports"]), "summary": summary}
    storage.atomic_write_text(json.dumps(record, ensure_ascii=False), _run_record_path(warehouse_dir))


def _metadata_values(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "plans_checked": summary["plans_checked"],
        "reports_dir": MetadataValue.path(summary["reports_dir"]),
        **{f"{name}": MetadataValue.path(path) for name, path in summary["overviews"].items()},
        "missing_templates": summary["missing_templates"],
        "plans": MetadataValue.md(summary["plans_table"]),
    }
