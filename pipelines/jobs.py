"""Jobs: parse documents and build the tables; register the raw files as partitions."""

from dagster import AssetSelection, OpExecutionContext, define_asset_job, job, op

from pipelines.assets.ingest import parsed_documents
from pipelines.partitions import sync_document_partitions
from pipelines.resources import RawStore, Warehouse

#: ``parsed_documents`` and everything downstream of it: the tables, the cross-check, the checks.
#: Shared by ``ingest`` and ``ingest_dask`` (``pipelines.distributed``), which differ only in
#: where the steps run.
INGEST_SELECTION = AssetSelection.assets(parsed_documents).downstream()

#: Parse the selected documents (partitions) and rebuild everything downstream of them. Launch
#: it for one partition to rerun one document, or for a range: ``parsed_documents`` has a
#: single-run backfill policy, so a range is one run in one process.
ingest_job = define_asset_job(
    name="ingest",
    selection=INGEST_SELECTION,
    description="Parse raw files (the selected document partitions) and rebuild the tables.",
)


@op(
    description="Add a `documents` partition for every file in the raw directory and delete the "
    "partitions (and warehouse fragments) of files that are gone."
)
def register_documents(context: OpExecutionContext, raw_store: RawStore, warehouse: Warehouse) -> None:
    result = sync_document_partitions(context.instance, raw_store.path, warehouse.path)
    context.log.info(
        f"{len(result.keys)} documents registered; added {len(result.added)}, removed {len(result.removed)}"
    )


@job(description="Register the raw directory's files as `documents` partitions.")
def register_documents_job() -> None:
    register_documents()
