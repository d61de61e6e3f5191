"""The sources file: defaults, merging, and one clear line per problem naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import DEFAULT_ATTACHMENT_SUFFIXES, ConfigError, load_sources

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    assert all("\n" not in line for line in info.value.problems)
    return info.value.problems


def test_minimal_source_gets_safe_defaults(tmp_path: Path) -> None:
    cfg = load_sources(write(tmp_path, '[[source]]\nname = "x"\nlisting_url = "http://Www.X.gov.cn/zfwj/"\n'))
    (src,) = cfg.sources
    assert src.enabled and src.allowed_hosts == ("www.x.gov.cn",)
    assert src.politeness.respect_robots and src.politeness.delay_seconds >= 1.0
    assert src.politeness.concurrency <= 2 and src.politeness.retries >= 1
    assert src.links.attachment_suffixes == DEFAULT_ATTACHMENT_SUFFIXES
    assert src.limits.max_file_bytes == 30 * 1024 * 1024


def test_non_standard_port_is_part_of_the_default_host(tmp_path: Path) -> None:
    cfg = load_sources(write(tmp_path, '[[source]]\nname = "x"\nlisting_url = "http://127.0.0.1:8123/a/"\n'))
    assert cfg.sources[0].allowed_hosts == ("127.0.0.1:8123",)


def test_defaults_are_merged_and_sources_win(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[defaults.politeness]
delay_seconds = 3.0
retries = 1
[[source]]
name = "a"
listing_url = "https://a.gov.cn/"
[source.politeness]
retries = 5
[[source]]
name = "b"
enabled = false
listing_url = "https://b.gov.cn/"
""",
    )
    a, b = load_sources(path).sources
    assert (a.politeness.delay_seconds, a.politeness.retries) == (3.0, 5)
    assert (b.politeness.delay_seconds, b.politeness.retries) == (3.0, 1)
    cfg = load_sources(path)
    assert [s.name for s in cfg.enabled()] == ["a"]
    assert [s.name for s in cfg.select(["b"])] == ["b"]  # naming a disabled source runs it
    with pytest.raises(ConfigError, match="no source named 'c'"):
        cfg.select(["c"])


def test_every_problem_is_one_line_with_file_source_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[[source]]
name = "ok"
listing_url = "http://ok.gov.cn/"
[source.limits]
max_notices = 0
max_notice = 3
[source.links]
notice_pattern = "t(2024"
notice_selector = "ul >>> li"
[[source]]
name = "Bad Name"
listing_url = "ftp://x.gov.cn/"
encoding = "klingon"
allowed_hosts = ["http://x.gov.cn/"]
[[source]]
name = "ok"
listing_url = "http://ok2.gov.cn/"
[source.pagination]
template = "http://ok2.gov.cn/index.html"
""",
    )
    lines = problems(path)
    text = "\n".join(lines)
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert 'source "ok" (#1): limits.max_notices: Input should be greater than 0' in text
    assert 'source "ok" (#1): limits.max_notice: unknown key' in text
    assert 'source "ok" (#1): links.notice_pattern: not a valid regular expression' in text
    assert 'source "ok" (#1): links.notice_selector: not a valid CSS selector' in text
    assert 'source "Bad Name" (#2): name: use 1-64 lower-case letters' in text
    assert 'source "Bad Name" (#2): listing_url: must be an absolute http' in text
    assert "encoding: unknown encoding 'klingon'" in text
    assert "allowed_hosts: not a host name: http://x.gov.cn/" in text
    assert 'source "ok" (#3): pagination.template: must contain {n}' in text
    assert 'source "ok" (#3): name: already used by source #1' in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[source]\nname=1", "not valid TOML"),
        ("[[sources]]\nname = 'a'\n", "unknown top-level key(s) sources"),
        ("[[source]]\nname = 'a'\n", "listing_url: Field required"),
    ],
)
def test_broken_files(tmp_path: Path, text: str, expected: str) -> None:
    assert any(expected in line for line in problems(write(tmp_path, text)))


def test_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: sources file not found"]


def test_the_shipped_sources_file_loads_and_crawls_nothing_by_default() -> None:
    cfg = load_sources(PROJECT_ROOT / "sources.toml")
    assert cfg.sources and not cfg.enabled()
    for src in cfg.sources:
        assert src.politeness.delay_seconds >= 1.0 and src.limits.max_notices <= 50
