"""The Parquet tables analysts query: each combines the fragments of every registered document.

Unpartitioned on purpose: a table is one file (``warehouse/<table>.parquet``) that ``gongwen
query`` and DuckDB read directly. After rerunning any set of documents the file is written anew,
atomically, rows in partition-key order and deduplicated on the primary key: the same fragments
always give the same file content. A build reads only the fragments written or removed since the
last one (``pipelines.storage.build_table``); with none, the file is left as it is.
"""

import datetime as dt

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AutomationCondition,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines import storage
from pipelines.assets.ingest import parsed_documents
from pipelines.metadata import definition_metadata, table_metadata
from pipelines.partitions import DOCUMENTS_PARTITIONS_NAME
from pipelines.resources import Warehouse
from schemas.tables import TABLES, description


def build_table(context: AssetExecutionContext, warehouse: Warehouse, table: str) -> MaterializeResult:
    """Combine the fragments of the registered partitions into ``warehouse/<table>.parquet``."""
    keys = list(context.instance.get_dynamic_partitions(DOCUMENTS_PARTITIONS_NAME))
    built = warehouse.build(table, keys)
    if built.rebuilt and built.duplicates:
        context.log.warning(
            f"{table}: dropped {built.duplicates} rows whose key an earlier file already had "
            "(identical copies of a file)"
        )
    return MaterializeResult(
        metadata={
            **table_metadata(built.table, storage.table_path(warehouse.path, table)),
            "fragments_read": built.fragments,
            "registered_documents": len(keys),
            "duplicate_rows_dropped": built.duplicates,
            "rebuilt": built.rebuilt,
            "incremental": built.incremental,
            "built_at": MetadataValue.timestamp(dt.datetime.now(dt.UTC)),
        }
    )


#: Rebuild a table as soon as any document was (re)parsed, when the automation sensor is on
#: (Automation page of the UI); `gongwen run` and the `ingest` job rebuild them anyway.
REBUILD = AutomationCondition.eager()


def table_asset(name: str) -> AssetsDefinition:
    """The asset that builds ``warehouse/<name>.parquet``; schema and docs come from ``schemas``."""
    schema = TABLES[name]

    @asset(
        name=name,
        deps=[parsed_documents],
        group_name="warehouse",
        kinds={"parquet"},
        description=description(schema),
        metadata=definition_metadata(schema),
        automation_condition=REBUILD,
    )
    def _table(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        return build_table(context, warehouse, name)

    return _table


TABLE_ASSETS: dict[str, AssetsDefinition] = {name: table_asset(name) for name in TABLES}
documents = TABLE_ASSETS["documents"]
citations = TABLE_ASSETS["citations"]
tasks = TABLE_ASSETS["tasks"]
quarantine = TABLE_ASSETS["quarantine"]
