"""The Dagster code location of gongwen (``[tool.dagster] module_name``)."""

from dagster import Definitions, in_process_executor

from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import TABLE_ASSETS
from pipelines.checks import CHECKS
from pipelines.jobs import ingest_job, register_documents_job
from pipelines.resources import RawStore, Warehouse

defs = Definitions(
    assets=[parsed_documents, *TABLE_ASSETS.values()],
    asset_checks=CHECKS,
    jobs=[ingest_job, register_documents_job],
    resources={"raw_store": RawStore(), "warehouse": Warehouse()},
    # One process per run instead of one per step: the steps are light and mostly sequential,
    # and each extra process pays the Dagster + parsers import (~4 s) again.
    executor=in_process_executor,
)
