"""Dagster wiring for gongwen: thin assets over ``parsers`` and ``schemas``.

Layout follows Dagster's example projects: ``definitions.py`` (the root), ``assets/`` by domain,
``checks.py``, ``partitions.py``, ``jobs.py``, ``resources.py``; ``storage.py`` and
``metadata.py`` are plain helpers. See docs/pipelines.md.
"""
