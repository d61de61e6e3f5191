"""The crawl log table ``fetches``: one row per URL the scraper knows, joined to ``documents`` by path.

Written whole (``warehouse/fetches.parquet``) from the crawl state after every scrape, so
``gongwen query`` can answer "what did the sites publish overnight, and what came of it"::

    SELECT f.url, f.first_seen, d.title FROM fetches f JOIN documents d ON d.path = f.raw_path
    WHERE f.first_seen > now() - INTERVAL 1 DAY

Not one of the document tables in ``schemas.tables.TABLES`` (those are built from per-document
fragments); it has wall-clock columns on purpose: when a URL was first seen is the point.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["FETCHES"]


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


_TS = pa.timestamp("s", tz="UTC")

FETCHES = pa.schema(
    [
        _field("url", pa.string(), "The URL as linked (before redirects).", nullable=False),
        _field(
            "source", pa.string(), "Source name in sources.toml (also the raw/ sub-folder).", nullable=False
        ),
        _field("kind", pa.string(), "listing, notice or attachment.", nullable=False),
        _field(
            "status",
            pa.string(),
            "stored, duplicate (same bytes as another URL's file), listed, gone (4xx), blocked "
            "(robots.txt / allow-list), rejected (too large, not a document) or failed (retried next run).",
            nullable=False,
        ),
        _field("raw_path", pa.string(), "The file in the raw directory (documents.path), POSIX."),
        _field("parent_url", pa.string(), "For an attachment: the notice page that links it."),
        _field("link_text", pa.string(), "The text the URL was linked with (the notice title, usually)."),
        _field("http_status", pa.int32(), "Last HTTP status."),
        _field("sha256", pa.string(), "SHA-256 of the last body."),
        _field("size", pa.int64(), "Bytes of the last body."),
        _field("content_type", pa.string(), "Content-Type of the last response."),
        _field("error", pa.string(), "Why the last request failed, or what it duplicates."),
        _field("first_seen", _TS, "When the URL was first requested.", nullable=False),
        _field("last_checked", _TS, "When it was last requested or confirmed unchanged.", nullable=False),
        _field("last_changed", _TS, "When its file was last written."),
    ],
    metadata={
        "name": "fetches",
        "description": "Every URL the scraper has seen, with what became of it.",
        "primary_key": "url",
    },
)
