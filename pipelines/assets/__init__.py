"""Assets, grouped by domain: ``ingest`` (raw file → per-document rows) and ``warehouse``
(per-document rows → the Parquet tables analysts query)."""
