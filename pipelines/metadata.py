"""Dagster metadata derived from the warehouse schemas and tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
from dagster import MetadataValue, TableColumn, TableColumnConstraints, TableSchema

from schemas.tables import description, primary_key

if TYPE_CHECKING:
    from pipelines.storage import Location

PREVIEW_ROWS = 10
_CELL_MAX = 40


def column_schema(schema: pa.Schema) -> TableSchema:
    """The Dagster ``TableSchema`` of a warehouse schema (types, nullability, descriptions)."""
    key = primary_key(schema)
    return TableSchema(
        columns=[
            TableColumn(
                name=f.name,
                type=str(f.type),
                description=description(f),
                constraints=TableColumnConstraints(nullable=f.nullable, unique=(key == (f.name,))),
            )
            for f in schema
        ],
    )


def definition_metadata(schema: pa.Schema, path: Location | None = None) -> dict[str, Any]:
    """Metadata for an asset definition: the UI shows the columns before the first run."""
    meta: dict[str, Any] = {"dagster/column_schema": column_schema(schema)}
    if key := primary_key(schema):
        meta["primary_key"] = ", ".join(key)
    if path is not None:
        meta["path"] = MetadataValue.path(str(path))
    return meta


def _cell(value: Any, limit: int) -> str:
    if value is None:
        return ""
    text = "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_preview(table: pa.Table, rows: int = PREVIEW_ROWS, cell_max: int = _CELL_MAX) -> str:
    """The first ``rows`` rows as a Markdown table (cells longer than ``cell_max`` cut)."""
    names = table.column_names
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in table.slice(0, rows).to_pylist():
        lines.append("| " + " | ".join(_cell(row[n], cell_max) for n in names) + " |")
    if table.num_rows > rows:
        lines.append(f"\n… {table.num_rows - rows} more rows")
    return "\n".join(lines)


def table_metadata(table: pa.Table, path: Location) -> dict[str, Any]:
    """Materialization metadata of a warehouse table (``path``: a local file or an object-storage
    location)."""
    return {
        "dagster/row_count": table.num_rows,
        "dagster/column_schema": column_schema(table.schema),
        "path": MetadataValue.path(str(path)),
        "preview": MetadataValue.md(markdown_preview(table)),
    }
