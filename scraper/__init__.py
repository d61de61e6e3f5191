"""Polite crawling of government notice listings into the raw landing zone. No Dagster here.

Stages, each in its own module: ``config`` (the sources file, validated on load) → ``links``
(listing and notice pages → notice / pagination / attachment links) → ``crawl`` (robots.txt,
per-host rate limit and concurrency, retries, conditional GET, size caps, allow-list) →
``naming`` (safe file names inside ``raw/``) → ``state`` (what was fetched, in SQLite, so an
unchanged notice is never fetched or parsed twice) → ``export`` (the ``fetches`` warehouse table).
"""

from scraper.config import ConfigError, Source, SourcesFile, load_sources
from scraper.crawl import CrawlReport, SourceReport, crawl

__all__ = ["ConfigError", "CrawlReport", "Source", "SourceReport", "SourcesFile", "crawl", "load_sources"]
