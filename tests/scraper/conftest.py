"""Fixtures: the fake government site (started and stopped per test) and a sources file for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scraper.fakesite import FakeSite


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


@pytest.fixture
def sources_file(tmp_path: Path, site: FakeSite) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(site.sources_toml(), encoding="utf-8")
    return path
