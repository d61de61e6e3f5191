"""Data-quality rules on the warehouse tables, each named for what it asserts."""

from collections import Counter

import pyarrow.compute as pc
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from pipelines.assets.warehouse import TABLE_SPECS
from pipelines.metadata import markdown_preview
from pipelines.resources import Warehouse

#: The tables the checks are on.
documents, citations, quarantine, tasks = (
    TABLE_SPECS[n].key for n in ("documents", "citations", "quarantine", "tasks")
)

#: Quarantine kinds that mean a bug in gongwen rather than a bad input file.
BUG_KINDS = frozenset({"internal_error", "schema_error"})


@asset_check(asset=documents, description="Every document has its own doc_id.")
def doc_id_is_unique(warehouse: Warehouse) -> AssetCheckResult:
    return _unique(warehouse, "documents", "doc_id", rows_label="rows")


def _unique(warehouse: Warehouse, table_name: str, column: str, *, rows_label: str) -> AssetCheckResult:
    """Passes when no value of ``column`` repeats; lists up to ten repeated values."""
    table = warehouse.read_table(table_name, [column])
    values = table.column(column)
    dupes: list[str] = []
    if pc.count_distinct(values, mode="all").as_py() < len(values):  # only then list them in Python
        counts = Counter(values.to_pylist())
        dupes = sorted(k for k, n in counts.items() if n > 1)
    return AssetCheckResult(
        passed=not dupes,
        metadata={
            rows_label: table.num_rows,
            f"duplicated_{column}s": len(dupes),
            "examples": ", ".join(dupes[:10]),
        },
    )


@asset_check(
    asset=citations,
    additional_deps=[documents],
    description="Every citation's doc_id is a row of documents.",
)
def citation_doc_id_exists_in_documents(warehouse: Warehouse) -> AssetCheckResult:
    cites = warehouse.read_table("citations", ["doc_id"])
    doc_ids = warehouse.read_table("documents", ["doc_id"]).column("doc_id")
    orphan_mask = pc.invert(pc.is_in(cites.column("doc_id"), value_set=doc_ids))
    orphans = sorted(set(cites.filter(orphan_mask).column("doc_id").to_pylist()))
    return AssetCheckResult(
        passed=not orphans,
        metadata={
            "citations": cites.num_rows,
            "orphan_doc_ids": len(orphans),
            "examples": ", ".join(orphans[:10]),
        },
    )


@asset_check(
    asset=quarantine,
    description="Quarantine report: files that failed, by kind. Fails only when a file was "
    "quarantined by a bug (internal_error, schema_error) rather than by bad input.",
)
def quarantine_has_no_internal_errors(warehouse: Warehouse) -> AssetCheckResult:
    table = warehouse.read_table("quarantine")
    kinds = Counter(table.column("error_kind").to_pylist())
    bugs = sum(n for k, n in kinds.items() if k in BUG_KINDS)
    report = table.select(["path", "stage", "error_kind", "message"])
    return AssetCheckResult(
        passed=bugs == 0,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "quarantined_files": table.num_rows,
            "internal_errors": bugs,
            "by_kind": MetadataValue.json(dict(sorted(kinds.items()))),
            "report": MetadataValue.md(
                markdown_preview(report, rows=50, cell_max=200)
                if table.num_rows
                else "No file is quarantined."
            ),
        },
    )


@asset_check(asset=tasks, description="No two tasks share a task_id.")
def task_id_is_unique(warehouse: Warehouse) -> AssetCheckResult:
    return _unique(warehouse, "tasks", "task_id", rows_label="tasks")


def _plan_task_gaps(
    warehouse: Warehouse, columns: list[str], missing: pc.Expression, what: str
) -> AssetCheckResult:
    """Plan tasks (not a template's prose requirements) that lack ``what`` (``missing``, an
    expression over ``columns`` of tasks), listed per notice."""
    table = warehouse.read_table("tasks", ["doc_id", "source", *columns])
    plan = table.filter(pc.field("source") != "prose")
    gaps = plan.filter(missing)
    docs = warehouse.read_table("documents").select(["doc_id", "title", "path"])
    titles = {d["doc_id"]: d["title"] or d["path"] for d in docs.to_pylist()}
    per_doc = Counter(gaps.column("doc_id").to_pylist())
    report = "\n".join(
        f"- {titles.get(doc, doc)}: {n} task(s) without {what}" for doc, n in per_doc.most_common()
    )
    return AssetCheckResult(
        passed=gaps.num_rows == 0,
        # Information for the analyst (SPEC §1: the template demands 明确职责分工和时间进度), not a crash.
        severity=AssetCheckSeverity.WARN,
        metadata={
            "plan_tasks": plan.num_rows,
            f"tasks_without_{what.replace(' ', '_')}": gaps.num_rows,
            "notices": MetadataValue.md(report or f"Every plan task has a {what}."),
        },
    )


@asset_check(
    asset=tasks,
    additional_deps=[documents],
    description="Every task of a plan names a responsible unit.",
)
def plan_tasks_have_responsible_unit(warehouse: Warehouse) -> AssetCheckResult:
    missing = pc.list_value_length(pc.field("responsible_units")) == 0
    return _plan_task_gaps(warehouse, ["responsible_units"], missing, "responsible unit")


@asset_check(
    asset=tasks,
    additional_deps=[documents],
    description="Every task of a plan has a deadline that parses to a date (or an ongoing duty).",
)
def plan_tasks_have_parseable_deadline(warehouse: Warehouse) -> AssetCheckResult:
    missing = pc.field("deadline_date").is_null() & ~pc.field("ongoing")
    return _plan_task_gaps(warehouse, ["deadline_date", "ongoing"], missing, "deadline")


CHECKS = [
    doc_id_is_unique,
    citation_doc_id_exists_in_documents,
    quarantine_has_no_internal_errors,
    task_id_is_unique,
    plan_tasks_have_responsible_unit,
    plan_tasks_have_parseable_deadline,
]
