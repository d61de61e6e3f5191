"""``gongwen scrape``: progress on stderr, a summary line, and the documented exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from gongwen.cli import main
from tests.scraper.fakesite import FakeSite


@pytest.fixture
def site() -> Iterator[FakeSite]:
    with FakeSite() as fake:
        yield fake


def scrape(tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(
        [
            "scrape",
            "--config",
            str(config),
            "--raw",
            str(tmp_path / "raw"),
            "--warehouse",
            str(tmp_path / "wh"),
        ]
    )
    return code, capsys.readouterr().err


def test_two_passes(site: FakeSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(site.sources_toml(), encoding="utf-8")
    code, err = scrape(tmp_path, config, capsys)
    assert code == 0
    lines = err.splitlines()
    assert any(line.startswith("[fake-county] new ") and "t20240301_1001.html" in line for line in lines)
    assert any("[fake-county] blocked" in line and "robots.txt" in line for line in lines)
    assert any("[fake-county] gone" in line and "HTTP 404" in line for line in lines)
    summary = next(line for line in lines if line.startswith("scrape: "))
    assert "1 source (0 failed)" in summary and " 8 new (3 in a format not parsed yet)" in summary
    fetches = pq.read_table(tmp_path / "wh" / "fetches.parquet").to_pylist()
    stored = {r["raw_path"] for r in fetches if r["status"] == "stored"}
    assert "fake-county/t20240301_1001.html" in stored and len(stored) == 8
    code, err = scrape(tmp_path, config, capsys)
    assert code == 0 and ", 0 fetched, 0 new," in err.splitlines()[-1]


def test_invalid_config_exits_2_with_one_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[source]]\nname = "x"\nlisting_url = "nope"\nspeed = 3\n', encoding="utf-8")
    code, err = scrape(tmp_path, config, capsys)
    assert code == 2
    where = f'gongwen: error: {config}: source "x" (#1)'
    assert err.splitlines() == [
        f"{where}: listing_url: must be an absolute http:// or https:// URL",
        f"{where}: speed: unknown key (check the spelling; see docs/scrape.md)",
    ]
    assert not (tmp_path / "raw").exists()


def test_every_source_failing_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "dead.toml"
    config.write_text(
        '[[source]]\nname = "dead"\nlisting_url = "http://127.0.0.1:9/zfwj/"\n'
        "[source.politeness]\nretries = 0\ntimeout_seconds = 1\n",
        encoding="utf-8",
    )
    code, err = scrape(tmp_path, config, capsys)
    assert code == 1
    assert "gongwen: warning: source dead failed: robots.txt unreachable" in err
    assert "1 source (1 failed)" in err


def test_no_enabled_source_is_not_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "off.toml"
    config.write_text('[[source]]\nname = "off"\nenabled = false\nlisting_url = "http://127.0.0.1:9/"\n')
    code, err = scrape(tmp_path, config, capsys)
    assert code == 0 and "no enabled sources" in err
