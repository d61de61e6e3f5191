"""The Dagster code location of gongwen (``[tool.dagster] module_name``)."""

from dagster import Definitions, in_process_executor

from pipelines.assets.crosscheck import CrossCheckSettings, plan_alignment
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.scrape import ScrapeSources, scraped_files
from pipelines.assets.warehouse import warehouse_tables
from pipelines.checks import CHECKS
from pipelines.distributed import ingest_dask_job
from pipelines.jobs import ingest_job, register_documents_job
from pipelines.resources import RawStore, Warehouse
from pipelines.schedules import SCHEDULES, scrape_job
from pipelines.sensors import SENSORS

defs = Definitions(
    assets=[parsed_documents, warehouse_tables, plan_alignment, scraped_files],
    asset_checks=CHECKS,
    jobs=[ingest_job, ingest_dask_job, register_documents_job, scrape_job],
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={
        "raw_store": RawStore(),
        "warehouse": Warehouse(),
        "crosscheck_settings": CrossCheckSettings(),
        "scrape_sources": ScrapeSources(),
    },
    # One process per run instead of one per step: the steps are light and mostly sequential,
    # and each extra process pays the Dagster + parsers import (~4 s) again. `ingest_dask` sets
    # its own executor (a Dask cluster; docs/distributed.md).
    executor=in_process_executor,
)
