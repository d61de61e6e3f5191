"""Request-level politeness, with httpx's mock transport (no sockets): spacing, retries, caps, robots."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx

from scraper import crawl
from scraper.config import Source
from scraper.crawl import CrawlReport, host_allowed

HOST = "http://www.xx.gov.cn"
LISTING = (
    "<ul>"
    + "".join(
        f'<li><a href="/zfwj/t20240301_{i}.html">关于第{i}项工作的通知</a>2024-03-01</li>' for i in range(4)
    )
    + "</ul>"
)
NOTICE = b"<html><head><meta charset='utf-8'></head><body><h1>\xe9\x80\x9a\xe7\x9f\xa5</h1></body></html>"


def source(**politeness: object) -> Source:
    pol = {"delay_seconds": 0.0, "retries": 2, "backoff_seconds": 0.01, "timeout_seconds": 2.0, **politeness}
    return Source.model_validate({"name": "xx", "listing_url": f"{HOST}/zfwj/index.html", "politeness": pol})


def run(
    tmp_path: Path, handler: Callable[[httpx.Request], httpx.Response], src: Source | None = None
) -> CrawlReport:
    return crawl(
        (src or source(),),
        tmp_path / "raw",
        tmp_path / "state.sqlite",
        transport=httpx.MockTransport(handler),
    )


def site(overrides: dict[str, Callable[[httpx.Request], httpx.Response]] | None = None):
    log: list[tuple[float, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        log.append((time.monotonic(), path))
        if overrides and path in overrides:
            return overrides[path](request)
        if path == "/robots.txt":
            return httpx.Response(404)
        if path == "/zfwj/index.html":
            return httpx.Response(200, html=LISTING)
        return httpx.Response(200, content=NOTICE, headers={"Content-Type": "text/html"})

    return handler, log


def test_requests_to_one_host_are_spaced(tmp_path: Path) -> None:
    handler, log = site()
    report = run(tmp_path, handler, source(delay_seconds=0.15, concurrency=2))
    assert report.sources[0].new == 1 and report.sources[0].duplicates == 3  # four links, same bytes
    starts = [t for t, path in log if path != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 5 and min(gaps) >= 0.14


def test_5xx_and_429_are_retried_with_backoff_then_reported(tmp_path: Path) -> None:
    calls: dict[str, int] = {}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls[request.url.path] = calls.get(request.url.path, 0) + 1
        if request.url.path.endswith("_0.html"):
            return httpx.Response(503)  # never recovers
        if calls[request.url.path] == 1:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return httpx.Response(
            200, content=NOTICE + request.url.path.encode(), headers={"Content-Type": "text/html"}
        )

    handler, _ = site({f"/zfwj/t20240301_{i}.html": flaky for i in range(4)})
    src = run(tmp_path, handler).sources[0]
    assert calls["/zfwj/t20240301_0.html"] == 3  # 1 + 2 retries
    assert calls["/zfwj/t20240301_1.html"] == 2
    assert src.new == 3 and src.failed == 1
    (problem,) = src.problems
    assert problem.status == "failed" and "HTTP 503 (3 attempts)" in problem.message


def test_redirects_are_followed_on_allowed_hosts_only(tmp_path: Path) -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "/zfwj/new/t20240301_9.html"})

    def away(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://evil.example.com/x.html"})

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": request.url.path})

    handler, log = site(
        {"/zfwj/t20240301_0.html": moved, "/zfwj/t20240301_1.html": away, "/zfwj/t20240301_2.html": loop}
    )
    src = run(tmp_path, handler).sources[0]
    assert ("/zfwj/new/t20240301_9.html" in {p for _, p in log}) and src.new == 1
    messages = {p.url.rsplit("/", 1)[-1]: p.message for p in src.problems}
    assert "evil.example.com, not an allowed host" in messages["t20240301_1.html"]
    assert "redirects" in messages["t20240301_2.html"]


def test_declared_and_streamed_sizes_are_capped(tmp_path: Path) -> None:
    big = b"<html>" + b"x" * 200_000

    def declared(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=big, headers={"Content-Type": "text/html"})

    async def chunks() -> AsyncIterator[bytes]:
        yield big[:100_000]
        yield big[100_000:]

    def streamed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())  # no Content-Length

    handler, _ = site({"/zfwj/t20240301_0.html": declared, "/zfwj/t20240301_1.html": streamed})
    src = Source.model_validate({**source().model_dump(), "limits": {"max_file_mb": 0.1}})
    report = run(tmp_path, handler, src).sources[0]
    rejected = [p for p in report.problems if p.status == "rejected"]
    assert len(rejected) == 2 and all("cap" in p.message for p in rejected)


def test_robots_rules_and_failures(tmp_path: Path) -> None:
    def robots(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, text="User-agent: gongwen-scraper\nDisallow: /zfwj/t20240301_3\nCrawl-delay: 0\n"
        )

    handler, log = site({"/robots.txt": robots})
    src = run(tmp_path / "a", handler).sources[0]
    assert "/zfwj/t20240301_3.html" not in {p for _, p in log}
    assert [p.message for p in src.problems] == ["disallowed by robots.txt"]

    down, log = site({"/robots.txt": lambda r: httpx.Response(500)})
    report = run(tmp_path / "b", down, source(retries=0))
    assert report.all_failed and "robots.txt unreachable" in (report.sources[0].error or "")
    assert {p for _, p in log} == {"/robots.txt"}  # nothing else is asked for


def test_host_allow_list() -> None:
    allowed = ("www.xx.gov.cn", "*.yy.gov.cn", "127.0.0.1:8080")
    assert host_allowed("http://www.xx.gov.cn/a", allowed)
    assert host_allowed("https://WWW.XX.GOV.CN:443/a", allowed)
    assert host_allowed("http://a.b.yy.gov.cn/a", allowed) and host_allowed("http://yy.gov.cn/", allowed)
    assert host_allowed("http://127.0.0.1:8080/", allowed)
    assert not host_allowed("http://127.0.0.1:8081/", allowed)
    assert not host_allowed("http://www.xx.gov.cn.evil.com/", allowed)
    assert not host_allowed("http://xyy.gov.cn/", allowed)
    assert not host_allowed("ftp://www.xx.gov.cn/", allowed)
