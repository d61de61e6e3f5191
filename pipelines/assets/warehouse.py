"""The Parquet tables analysts query: each combines the fragments of every registered document.

Unpartitioned on purpose: a table is one file (``warehouse/<table>.parquet``) that ``gongwen
query`` and DuckDB read directly. After rerunning any set of documents the file is written anew,
atomically, rows in partition-key order and deduplicated on the primary key: the same fragments
always give the same file content. A build reads only the fragments written or removed since the
last one (``pipelines.storage.build_table``); with none, the file is left as it is.

The nine tables are one step (``warehouse_tables``, a multi-asset that can be subset: select one
table to rebuild just that one): they read the same fragments at the same moment, and as separate
steps each paid Dagster's per-step bookkeeping and the registered-partitions query again (~1.5 s
per run at 2,000 documents). The builds run one after the other: on threads, a full build of
the nine tables took 13-23 % longer (reading fragments is Python work that holds the GIL) and an
incremental one no shorter.
"""

import datetime as dt
from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    AutomationCondition,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from pipelines import storage
from pipelines.assets.ingest import parsed_documents
from pipelines.metadata import definition_metadata, table_metadata
from pipelines.partitions import DOCUMENTS_PARTITIONS_NAME
from pipelines.resources import Warehouse
from schemas.tables import TABLES, description

#: Rebuild a table as soon as any document was (re)parsed, when the automation sensor is on
#: (Automation page of the UI); `gongwen run` and the `ingest` job rebuild them anyway.
REBUILD = AutomationCondition.eager()

#: Each table's asset: key, docs and column schema from ``schemas``.
TABLE_SPECS: dict[str, AssetSpec] = {
    name: AssetSpec(
        key=name,
        deps=[parsed_documents],
        group_name="warehouse",
        kinds={"parquet"},
        description=description(schema),
        metadata=definition_metadata(schema),
        automation_condition=REBUILD,
    )
    for name, schema in TABLES.items()
}


def _table_result(
    warehouse: Warehouse, table: str, built: storage.Combined, documents: int
) -> MaterializeResult:
    return MaterializeResult(
        asset_key=table,
        metadata={
            **table_metadata(built.table, storage.table_path(warehouse.path, table)),
            "fragments_read": built.fragments,
            "registered_documents": documents,
            "duplicate_rows_dropped": built.duplicates,
            "rebuilt": built.rebuilt,
            "incremental": built.incremental,
            "built_at": MetadataValue.timestamp(dt.datetime.now(dt.UTC)),
        },
    )


@multi_asset(
    name="warehouse_tables",
    specs=list(TABLE_SPECS.values()),
    can_subset=True,
    description="The warehouse tables, each combining the fragments of every registered document.",
)
def warehouse_tables(context: AssetExecutionContext, warehouse: Warehouse) -> Iterator[MaterializeResult]:
    """Bring the selected tables up to date with the fragments of the registered partitions."""
    selected = context.selected_asset_keys
    names = [name for name in TABLES if AssetKey(name) in selected]
    keys = list(context.instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME))
    for name in names:
        built = warehouse.build(name, keys)
        if built.rebuilt and built.duplicates:
            context.log.warning(
                f"{name}: dropped {built.duplicates} rows whose key an earlier file already had "
                "(identical copies of a file)"
            )
        yield _table_result(warehouse, name, built, len(keys))
