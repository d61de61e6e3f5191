"""The warehouse's table schemas: one ``pyarrow.Schema`` per table, the single source of truth.

``schemas.tables`` declares the tables and the strict writer (``to_table``); ``schemas.rows``
turns parsed records into rows. No Dagster in here: ``pipelines.metadata`` derives the Dagster
column-schema metadata from these schemas.
"""

from schemas.tables import (
    CITATIONS,
    DOCUMENTS,
    QUARANTINE,
    TABLES,
    SchemaError,
    conform,
    empty_table,
    primary_key,
    schema_for,
    to_table,
)

__all__ = [
    "CITATIONS",
    "DOCUMENTS",
    "QUARANTINE",
    "TABLES",
    "SchemaError",
    "conform",
    "empty_table",
    "primary_key",
    "schema_for",
    "to_table",
]
