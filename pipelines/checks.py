"""Data-quality rules on the warehouse tables, each named for what it asserts."""

from collections import Counter

import pyarrow.compute as pc
from dagster import AssetCheckResult, AssetCheckSeverity, MetadataValue, asset_check

from pipelines.assets.warehouse import citations, documents, quarantine
from pipelines.metadata import markdown_preview
from pipelines.resources import Warehouse

#: Quarantine kinds that mean a bug in gongwen rather than a bad input file.
BUG_KINDS = frozenset({"internal_error", "schema_error"})


@asset_check(asset=documents, description="Every document has its own doc_id.")
def doc_id_is_unique(warehouse: Warehouse) -> AssetCheckResult:
    table = warehouse.read_table("documents")
    counts = Counter(table.column("doc_id").to_pylist())
    dupes = sorted(k for k, n in counts.items() if n > 1)
    return AssetCheckResult(
        passed=not dupes,
        metadata={
            "rows": table.num_rows,
            "duplicated_doc_ids": len(dupes),
            "examples": ", ".join(dupes[:10]),
        },
    )


@asset_check(
    asset=citations,
    additional_deps=[documents],
    description="Every citation's doc_id is a row of documents.",
)
def citation_doc_id_exists_in_documents(warehouse: Warehouse) -> AssetCheckResult:
    cites = warehouse.read_table("citations")
    doc_ids = warehouse.read_table("documents").column("doc_id")
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


CHECKS = [doc_id_is_unique, citation_doc_id_exists_in_documents, quarantine_has_no_internal_errors]
