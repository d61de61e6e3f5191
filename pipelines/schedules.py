"""The nightly scrape: its job and its schedule (02:00 Asia/Shanghai, when government sites are quiet).

The ``scrape`` job materializes ``scraped_files`` only; the ``parse_after_scrape`` sensor then
requests the ``ingest`` run for the partitions it registered (``pipelines.sensors``), so by
morning the night's notices are parsed and in the tables. The job lives here, beside the schedule
that is its reason to exist; ``pipelines.jobs`` holds the ingest jobs.
"""

from dagster import AssetSelection, DefaultScheduleStatus, ScheduleDefinition, define_asset_job

from pipelines.assets.scrape import scraped_files

SCRAPE_CRON = "0 2 * * *"
SCRAPE_TIMEZONE = "Asia/Shanghai"

#: One crawl of the configured sources; its new files become `documents` partitions.
scrape_job = define_asset_job(
    name="scrape",
    selection=AssetSelection.assets(scraped_files),
    description="Crawl the sources in sources.toml; new files land in raw/<source>/ and are registered "
    "as documents partitions (parsed by the run the parse_after_scrape sensor requests).",
)

nightly_scrape = ScheduleDefinition(
    name="nightly_scrape",
    job=scrape_job,
    cron_schedule=SCRAPE_CRON,
    execution_timezone=SCRAPE_TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Scrape the government sites every night at 02:00 China time.",
)

SCHEDULES = [nightly_scrape]
