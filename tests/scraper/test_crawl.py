"""Two crawl passes over the fake government site: what is stored, skipped, reported — and refetched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scraper import crawl, load_sources
from scraper.crawl import CrawlEvent, CrawlReport
from scraper.state import CrawlState, StateLockedError
from tests.scraper.fakesite import ATTACHMENT_DOCX, LISTED_PDF, NOTICE_GBK, NOTICE_RECOVERS, FakeSite

SRC = "fake-county"
EXPECTED_FILES = {
    f"{SRC}/t20240301_1001.html": NOTICE_GBK.read_bytes(),
    f"{SRC}/P020240305_实施方案.pdf": LISTED_PDF.read_bytes(),
    f"{SRC}/t20240202_0902.html": NOTICE_RECOVERS.read_bytes(),
    f"{SRC}/t20240302_1002__P020240302_附件1.docx": ATTACHMENT_DOCX.read_bytes(),
}
UNREADABLE = {
    f"{SRC}/t20240302_1002__P020240302_附件2.doc",
    f"{SRC}/t20240202_0902__附件1.基层政务公开标准化规范化工作任务分工及进度安排.doc",
    f"{SRC}/t20240202_0902__附件2.基层政务公开事项标准目录格式.xls",
}


def run(sources_file: Path, tmp_path: Path, events: list[CrawlEvent] | None = None) -> CrawlReport:
    sources = load_sources(sources_file).enabled()
    return crawl(
        sources,
        tmp_path / "raw",
        tmp_path / "wh" / "crawl_state.sqlite",
        progress=(events if events is not None else []).append,
    )


def raw_files(tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "raw"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def by_status(events: list[CrawlEvent]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in events:
        out.setdefault(e.status, set()).add(e.url.rsplit("/", 1)[-1])
    return out


def test_first_pass_stores_notices_and_attachments_and_reports_the_rest(
    site: FakeSite, sources_file: Path, tmp_path: Path
) -> None:
    events: list[CrawlEvent] = []
    report = run(sources_file, tmp_path, events)
    (src,) = report.sources
    files = raw_files(tmp_path)
    # real notice bytes stored unchanged (GBK page, UTF-8 page with its attachments, a PDF)
    for rel, data in EXPECTED_FILES.items():
        assert files[rel] == data, rel
    assert f"{SRC}/t20240302_1002.shtml" in files
    assert set(files) >= UNREADABLE
    assert len(files) == len(EXPECTED_FILES) + 1 + len(UNREADABLE)
    assert {f.path for f in src.unreadable} == UNREADABLE  # stored and reported, not dropped
    assert src.ok and src.new == len(files) and src.duplicates == 1
    assert src.listing_pages == 2 and src.notices_found == 9
    status = by_status(events)
    assert status["blocked"] == {"t20240303_1003.html", "t20240203_0903.html"}  # robots, foreign redirect
    assert status["gone"] == {"t20240304_1004.html"}
    assert status["failed"] == {"t20240201_0901.html"}  # slower than the client time-out, twice
    assert status["duplicate"] == {"t20240301_1001.html"}  # the same notice under /xxgk/
    assert src.failed == 2 and src.skipped == 2
    # politeness as the server saw it
    assert site.hits("/private/t20240303_1003.html") == 0
    assert not [r for r in site.requests if r.host.startswith("localhost")]
    assert site.hits("/zfwj/202402/t20240202_0902.html") == 2  # 500, then the retry
    assert site.hits("/zfwj/202402/t20240201_0901.html") == 2  # 1 retry configured
    assert site.hits("/robots.txt") == 1
    assert site.max_in_flight <= 2
    # the attachment is linked to its page in the state
    with CrawlState(tmp_path / "wh" / "crawl_state.sqlite") as state:
        docx = site.url("/zfwj/202403/P020240302_附件1.docx")
        rec = state.get(docx)
        assert rec is not None and rec.parent_url == site.url("/zfwj/202403/t20240302_1002.shtml")
        assert rec.link_text == "附件1.docx"
        listing = state.get(site.url("/zfwj/index.html"))
        assert listing is not None and any("泸县人民政府办公室" in text for _, text, _ in listing.links)


def test_second_pass_fetches_nothing_new(site: FakeSite, sources_file: Path, tmp_path: Path) -> None:
    first = run(sources_file, tmp_path, [])
    before = raw_files(tmp_path)
    mark = len(site.requests)
    second = run(sources_file, tmp_path, [])
    (src,) = second.sources
    assert raw_files(tmp_path) == before
    assert (src.new, src.updated, src.fetched, src.duplicates) == (0, 0, 0, 0)
    assert src.unchanged == first.sources[0].new + first.sources[0].duplicates
    again = site.requests[mark:]
    listings = [r for r in again if r.path.startswith("/zfwj/index")]
    assert len(listings) == 2 and all(r.if_none_match for r in listings)  # conditional GET → 304
    # only robots.txt, the two listings and the still-slow page were asked for
    assert {r.path for r in again} == {
        "/robots.txt",
        "/zfwj/index.html",
        "/zfwj/index_1.html",
        "/zfwj/202402/t20240201_0901.html",
    }


def test_a_new_raw_dir_gets_the_files_again(site: FakeSite, sources_file: Path, tmp_path: Path) -> None:
    run(sources_file, tmp_path, [])
    for path in (tmp_path / "raw").rglob("*.pdf"):
        path.unlink()  # an analyst removed a file: the state must not pretend it is there
    report = run(sources_file, tmp_path, [])
    assert report.sources[0].new == 1
    assert f"{SRC}/P020240305_实施方案.pdf" in raw_files(tmp_path)


def test_recheck_uses_conditional_get(site: FakeSite, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(site.sources_toml(recheck_after_days=0), encoding="utf-8")
    run(path, tmp_path, [])
    mark = len(site.requests)
    report = run(path, tmp_path, [])
    notice = [r for r in site.requests[mark:] if r.path == "/zfwj/202403/t20240301_1001.html"]
    assert len(notice) == 1 and notice[0].if_none_match
    assert report.sources[0].new == 0 and report.sources[0].fetched == 0


def test_limits_leave_the_rest_for_the_next_run(site: FakeSite, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        site.sources_toml()
        + "[source.limits]\nmax_listing_pages = 1\nmax_notices = 1\nmax_attachments = 0\n",
        encoding="utf-8",
    )
    report = run(path, tmp_path, [])
    (src,) = report.sources
    assert src.listing_pages == 1 and site.hits("/zfwj/index_1.html") == 0
    assert src.new == 1 and any("max_notices" in p.message for p in src.problems)
    again = run(path, tmp_path, []).sources[0]
    assert again.new == 1  # the next notice in line


def test_size_cap_refuses_big_files(site: FakeSite, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(site.sources_toml() + "[source.limits]\nmax_file_mb = 0.05\n", encoding="utf-8")
    src = run(path, tmp_path, []).sources[0]
    rejected = {p.url.rsplit("/", 1)[-1] for p in src.problems if p.status == "rejected"}
    assert "P020240305_实施方案.pdf" in rejected
    assert not (tmp_path / "raw" / SRC / "P020240305_实施方案.pdf").exists()


def test_unreachable_host_fails_the_source_not_the_crawl(site: FakeSite, tmp_path: Path) -> None:
    dead = tmp_path / "s.toml"
    dead.write_text(
        site.sources_toml()
        + '\n[[source]]\nname = "dead"\nlisting_url = "http://127.0.0.1:9/zfwj/index.html"\n'
        + "[source.politeness]\nretries = 0\ntimeout_seconds = 1.0\n",
        encoding="utf-8",
    )
    report = run(dead, tmp_path, [])
    by_name = {r.name: r for r in report.sources}
    assert by_name["fake-county"].ok and by_name["fake-county"].new > 0
    assert not by_name["dead"].ok and "robots.txt unreachable" in (by_name["dead"].error or "")
    assert not report.all_failed


def test_state_is_on_disk_and_locked_while_crawling(tmp_path: Path) -> None:
    path = tmp_path / "crawl_state.sqlite"
    with CrawlState(path), pytest.raises(StateLockedError):
        CrawlState(path)
    with CrawlState(path):
        pass  # released
    tables = {
        r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {"urls", "contents", "attachments", "runs"} <= tables
