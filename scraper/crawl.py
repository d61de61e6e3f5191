"""The polite crawler: configured listings → new notice files and attachments in ``raw/<source>/``.

Cascade for one source (``crawl`` runs the sources side by side):

1. robots.txt of the listing's host (RFC 9309: 4xx → everything allowed, 5xx or unreachable →
   nothing allowed, so the source is reported as failed without hammering the host);
2. listing pages, with ``If-None-Match``/``If-Modified-Since`` from the last run; a 304 reuses the
   links remembered then; pagination follows 下一页 / ``index_N`` / ``createPageHTML`` / a template;
3. notice pages not stored yet (a stored one is never asked for again, unless the source sets
   ``recheck_after_days``, and then conditionally); a body whose SHA-256 is already a file in
   ``raw/`` (the same notice under a second URL) is recorded as a duplicate, not stored twice;
4. attachments linked from each new notice, stored beside it and linked to it in the state.

Every request goes through the host's gate (minimum spacing, at most ``concurrency`` in
flight, robots.txt ``Crawl-delay`` honoured), is retried with exponential back-off on time-outs,
network errors, 429 and 5xx, never follows a redirect off the allow-list, and is refused past the
size cap. Failures are recorded and reported, never raised: one dead host never stops the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import random
import time
import urllib.robotparser
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from scraper import naming
from scraper.config import Source, listing_netloc
from scraper.links import Link, decode_page, extract_attachments, extract_listing
from scraper.state import PERMANENT, CrawlState, UrlRecord, now_utc

MAX_REDIRECTS = 5
ROBOTS_MAX_BYTES = 512 * 1024
MAX_CRAWL_DELAY = 30.0  # a robots.txt Crawl-delay above this is capped (and reported)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


# --- what a crawl reports ----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    """A file written to the raw directory in this run."""

    path: str  # relative to the raw directory, POSIX
    url: str
    kind: str  # notice | attachment
    change: str  # new | updated
    parent_url: str | None = None

    @property
    def readable(self) -> bool:
        """False for .doc/.wps/.xls …: stored and registered, but the parser cannot read them yet."""
        return naming.split_suffix(self.path)[1] not in naming.UNREADABLE_SUFFIXES


@dataclass(frozen=True)
class Problem:
    url: str
    status: str  # failed | gone | blocked | rejected | skipped
    message: str


@dataclass(frozen=True)
class CrawlEvent:
    """One line of progress."""

    source: str
    #: new, updated, unchanged, duplicate, failed, gone, blocked, rejected, skipped (a limit),
    #: known (gone/blocked last time, not asked again yet), listing
    status: str
    url: str
    path: str | None = None
    message: str = ""


@dataclass
class SourceReport:
    """Counts and details of one source's crawl."""

    name: str
    requests: int = 0  # HTTP requests sent (retries included, robots.txt excluded)
    fetched: int = 0  # responses with a body (200)
    listing_pages: int = 0  # listing pages read (fetched or 304)
    listings_not_modified: int = 0  # of which the server said 304
    notices_found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0  # not requested (stored before), 304, or the same bytes again
    duplicates: int = 0  # same bytes as a file stored under another URL
    failed: int = 0  # failed, gone (4xx) or rejected (too large, not a document)
    skipped: int = 0  # robots.txt, off the allow-list, over a limit
    error: str | None = None  # the source as a whole could not be crawled
    files: list[StoredFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def unreadable(self) -> list[StoredFile]:
        return [f for f in self.files if not f.readable]

    def counts(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "fetched": self.fetched,
            "listing_pages": self.listing_pages,
            "listings_not_modified": self.listings_not_modified,
            "notices_found": self.notices_found,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "skipped": self.skipped,
            "unreadable": len(self.unreadable),
        }


@dataclass
class CrawlReport:
    """The result of one crawl over several sources."""

    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    sources: list[SourceReport] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for report in self.sources:
            for key, value in report.counts().items():
                out[key] = out.get(key, 0) + value
        out["sources"] = len(self.sources)
        out["sources_failed"] = sum(not r.ok for r in self.sources)
        return out

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and all(not r.ok for r in self.sources)

    @property
    def files(self) -> list[StoredFile]:
        return [f for r in self.sources for f in r.files]

    def summary(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            **self.totals(),
            "per_source": {r.name: {**r.counts(), "error": r.error} for r in self.sources},
        }


# --- fetching ----------------------------------------------------------------------------------


class FetchError(Exception):
    """A URL could not be fetched; ``status`` is its state status (failed, gone, blocked, rejected)."""

    def __init__(self, status: str, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.http_status = http_status


class LimitReached(Exception):
    """A per-run limit of the source stops this request; the URL is left for the next run."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200 or 304
    headers: httpx.Headers
    body: bytes


class HostGate:
    """Per-host politeness: at most ``concurrency`` requests in flight, starts ``delay`` apart."""

    def __init__(self, delay: float, concurrency: int) -> None:
        self.delay = delay
        self.concurrency = concurrency
        self._sem = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()
        self._next = 0.0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._sem:
            async with self._lock:
                loop = asyncio.get_running_loop()
                wait = self._next - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next = loop.time() + self.delay
            yield


def host_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    """Is ``url``'s host (and non-standard port) on the allow-list? ``*.x.gov.cn`` covers subdomains."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    netloc = listing_netloc(url)
    host, _, port = netloc.partition(":")
    for entry in allowed:
        e_host, _, e_port = entry.partition(":")
        if e_port != port:
            continue
        if e_host == host or (e_host.startswith("*.") and (host.endswith(e_host[1:]) or host == e_host[2:])):
            return True
    return False


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- the crawler -------------------------------------------------------------------------------


class Crawler:
    """One crawl over a set of sources, sharing one HTTP client, the host gates and the state."""

    def __init__(
        self,
        sources: tuple[Source, ...],
        raw_dir: Path,
        state: CrawlState,
        *,
        progress: Callable[[CrawlEvent], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.sources = sources
        self.raw_dir = raw_dir
        self.state = state
        self.progress = progress or (lambda event: None)
        self.transport = transport
        self._gates: dict[str, HostGate] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._client: httpx.AsyncClient | None = None

    # --- plumbing --------------------------------------------------------------------------------

    def _gate(self, url: str, source: Source) -> HostGate:
        key = listing_netloc(url)
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = HostGate(source.politeness.delay_seconds, source.politeness.concurrency)
        return gate

    def _emit(
        self, report: SourceReport, status: str, url: str, path: str | None = None, message: str = ""
    ) -> None:
        self.progress(CrawlEvent(report.name, status, url, path, message))

    def _problem(self, report: SourceReport, url: str, status: str, message: str) -> None:
        report.problems.append(Problem(url, status, message))
        if status in ("skipped", "blocked"):
            report.skipped += 1
        else:
            report.failed += 1
        self._emit(report, status, url, message=message)

    async def _send(
        self,
        url: str,
        source: Source,
        report: SourceReport | None,
        headers: dict[str, str],
        max_bytes: int,
        deadline: float | None,
    ) -> tuple[int, httpx.Headers, bytes]:
        """One URL, no redirects followed, with retries and back-off; body capped at ``max_bytes``."""
        pol = source.politeness
        assert self._client is not None
        gate = self._gate(url, source)
        last_error, last_status = "", None
        for attempt in range(pol.retries + 1):
            if deadline is not None and time.monotonic() > deadline:
                raise LimitReached(f"run time limit ({source.limits.max_run_seconds:g} s) reached")
            retry_after = 0.0
            try:
                async with gate.slot():
                    if report is not None:
                        report.requests += 1
                    async with self._client.stream(
                        "GET", url, headers=headers, timeout=pol.timeout_seconds
                    ) as response:
                        code = response.status_code
                        if code == 429 or code >= 500:
                            last_error, last_status = f"HTTP {code}", code
                            retry_after = _retry_after(response.headers.get("retry-after"))
                        elif code in _REDIRECTS or code == 304:
                            return code, response.headers, b""
                        elif code >= 400:
                            raise FetchError("gone", f"HTTP {code}", code)
                        elif code != 200:
                            raise FetchError("rejected", f"unexpected HTTP {code}", code)
                        else:
                            return code, response.headers, await _read_capped(response, max_bytes)
            except httpx.TimeoutException:
                last_error, last_status = f"timed out after {pol.timeout_seconds:g} s", None
            except httpx.TransportError as err:
                last_error, last_status = f"network error: {type(err).__name__}: {err}".rstrip(": "), None
            if attempt < pol.retries:
                pause = min(pol.max_backoff_seconds, pol.backoff_seconds * 2**attempt)
                await asyncio.sleep(
                    max(pause * random.uniform(1.0, 1.25), min(retry_after, pol.max_backoff_seconds))
                )
        tries = pol.retries + 1
        raise FetchError("failed", f"{last_error} ({tries} attempt{'s' if tries != 1 else ''})", last_status)

    async def fetch(
        self,
        url: str,
        source: Source,
        report: SourceReport | None,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        deadline: float | None = None,
        robots: bool = True,
    ) -> Fetched:
        """GET ``url`` politely: allow-list and robots.txt checked on every hop of a redirect."""
        headers = {"User-Agent": source.politeness.user_agent, "Accept-Language": "zh-CN,zh;q=0.9"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = max_bytes or source.limits.max_file_bytes
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            if not host_allowed(current, source.allowed_hosts):
                where = "redirected to" if current != url else "on"
                raise FetchError(
                    "blocked", f"{where} {listing_netloc(current) or current}, not an allowed host"
                )
            if robots and not await self.robots_allow(current, source):
                raise FetchError("blocked", "disallowed by robots.txt")
            code, resp_headers, body = await self._send(current, source, report, headers, cap, deadline)
            if code in _REDIRECTS:
                location = resp_headers.get("location")
                if not location:
                    raise FetchError("failed", f"HTTP {code} without a Location header", code)
                current = urljoin(current, location.strip())
                continue
            return Fetched(current, code, resp_headers, body)
        raise FetchError("failed", f"more than {MAX_REDIRECTS} redirects")

    async def robots_allow(self, url: str, source: Source) -> bool:
        """robots.txt of ``url``'s origin, fetched once per crawl (RFC 9309 failure rules)."""
        if not source.politeness.respect_robots:
            return True
        origin = _origin(url)
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin not in self._robots:
                self._robots[origin] = await self._load_robots(origin, source)
        rules = self._robots[origin]
        if rules is None:
            return True
        if isinstance(rules, str):
            raise FetchError("failed", rules)
        return rules.can_fetch(source.politeness.user_agent, url)

    async def _load_robots(
        self, origin: str, source: Source
    ) -> urllib.robotparser.RobotFileParser | str | None:
        try:
            got = await self.fetch(
                f"{origin}/robots.txt", source, None, max_bytes=ROBOTS_MAX_BYTES, robots=False
            )
        except FetchError as err:
            if err.status in ("gone", "blocked", "rejected"):
                return None  # 4xx, or robots.txt elsewhere: no rules
            return f"robots.txt unreachable ({err.message}); not crawling {origin}"
        except LimitReached:
            return "run time limit reached before robots.txt was read"
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(got.body.decode("utf-8", errors="replace").splitlines())
        delay = parser.crawl_delay(source.politeness.user_agent)
        if delay:
            gate = self._gate(origin, source)
            gate.delay = max(gate.delay, min(float(delay), MAX_CRAWL_DELAY))
        return parser

    # --- files -----------------------------------------------------------------------------------

    def _present(self, raw_path: str | None) -> bool:
        if not raw_path:
            return False
        try:
            return naming.safe_join(self.raw_dir, raw_path).is_file()
        except naming.UnsafePathError:
            return False

    def _target_name(self, source: Source, name: str, url: str, previous: UrlRecord | None) -> str:
        if previous is not None and previous.status == "stored" and previous.raw_path:
            old = previous.raw_path
            if naming.split_suffix(old)[1] == naming.split_suffix(name)[1]:
                return old  # a changed notice replaces its file: same partition, reparsed
        rel = f"{source.name}/{name}"
        owner = self.state.url_for_path(rel)
        if (owner is not None and owner != url) or (owner is None and self._present(rel)):
            rel = f"{source.name}/{naming.with_hash(name, url)}"
        return rel

    def _write(self, rel: str, data: bytes) -> None:
        target = naming.safe_join(self.raw_dir, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    # --- one source ------------------------------------------------------------------------------

    async def crawl_source(self, source: Source) -> SourceReport:
        report = SourceReport(source.name)
        deadline = time.monotonic() + source.limits.max_run_seconds
        try:
            notices = await self._listings(source, report, deadline)
        except FetchError as err:  # robots.txt unreachable
            report.error = err.message
            self._emit(report, "failed", source.listing_url, message=err.message)
            return report
        if report.error:
            return report
        report.notices_found = len(notices)
        budget = {"notice": source.limits.max_notices, "attachment": source.limits.max_attachments}
        await asyncio.gather(*(self._item(source, link, report, deadline, budget) for link in notices))
        return report

    async def _listings(self, source: Source, report: SourceReport, deadline: float) -> list[Link]:
        queue = [source.listing_url]
        if source.pagination.template:
            first = source.pagination.first
            queue += [
                source.pagination.template.format(n=n)
                for n in range(first, first + source.limits.max_listing_pages - 1)
            ]
        seen: set[str] = set()
        notices: dict[str, Link] = {}
        first_error: str | None = None
        while queue and len(seen) < source.limits.max_listing_pages:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            if not host_allowed(url, source.allowed_hosts):
                continue
            previous = self.state.get(url)
            usable = previous is not None and previous.status == "listed"
            try:
                got = await self.fetch(
                    url,
                    source,
                    report,
                    etag=previous.etag if usable and previous else None,
                    last_modified=previous.last_modified if usable and previous else None,
                    deadline=deadline,
                )
            except LimitReached as err:
                self._problem(report, url, "skipped", str(err))
                break
            except FetchError as err:
                if err.message.startswith("robots.txt unreachable"):
                    raise
                first_error = first_error or f"listing {url}: {err.message}"
                self.state.put(
                    UrlRecord(
                        url,
                        source.name,
                        "listing",
                        err.status,
                        http_status=err.http_status,
                        error=err.message,
                    )
                )
                self._problem(report, url, "failed" if err.status != "blocked" else "blocked", err.message)
                continue
            report.listing_pages += 1
            if got.status == 304 and previous is not None:
                links = previous.links
                report.listings_not_modified += 1
                self.state.put(previous)
                self._emit(report, "listing", url, message="not modified; links remembered from last run")
            else:
                report.fetched += 1
                text, _ = decode_page(got.body, hint=source.encoding, header_charset=_charset(got.headers))
                listing = extract_listing(text, got.url, source.links, source.pagination)
                links = tuple((link.url, link.text, "notice") for link in listing.notices) + tuple(
                    (page, "", "page") for page in listing.pages
                )
                self.state.put(
                    UrlRecord(
                        url,
                        source.name,
                        "listing",
                        "listed",
                        http_status=200,
                        etag=got.headers.get("etag"),
                        last_modified=got.headers.get("last-modified"),
                        sha256=hashlib.sha256(got.body).hexdigest(),
                        size=len(got.body),
                        content_type=got.headers.get("content-type"),
                        links=links,
                    )
                )
                self._emit(report, "listing", url, message=f"{len(listing.notices)} notice links")
            for link_url, text, role in links:
                if role == "notice":
                    notices.setdefault(link_url, Link(link_url, text))
                elif link_url not in seen and host_allowed(link_url, source.allowed_hosts):
                    queue.append(link_url)
        if report.listing_pages == 0:
            report.error = first_error or "no listing page could be read"
        return list(notices.values())

    async def _item(
        self,
        source: Source,
        link: Link,
        report: SourceReport,
        deadline: float,
        budget: dict[str, int],
        *,
        kind: str = "notice",
        parent: UrlRecord | None = None,
    ) -> None:
        """One notice page or attachment: skip it if known, else fetch, dedupe, store, recurse."""
        url = link.url
        pol = source.politeness
        now = now_utc()
        parent_url = parent.url if parent else None
        if not host_allowed(url, source.allowed_hosts):
            self.state.put(
                UrlRecord(
                    url,
                    source.name,
                    kind,
                    "blocked",
                    parent_url=parent_url,
                    link_text=link.text,
                    error="not an allowed host",
                )
            )
            self._problem(report, url, "blocked", f"{listing_netloc(url)} is not an allowed host")
            return
        previous = self.state.get(url)
        validators: tuple[str | None, str | None] = (None, None)
        if previous is not None:
            known = previous.status in ("stored", "duplicate") and self._present(previous.raw_path)
            if known:
                age = previous.checked_days_ago(now)
                if pol.recheck_after_days is None or age < pol.recheck_after_days:
                    report.unchanged += 1
                    self._emit(report, "unchanged", url, previous.raw_path, "stored before; not requested")
                    if kind == "notice":
                        await self._attachments(source, previous, report, deadline, budget)
                    return
                validators = (previous.etag, previous.last_modified)
            elif (
                previous.status in PERMANENT and previous.checked_days_ago(now) < pol.retry_failed_after_days
            ):
                report.skipped += 1
                self._emit(report, "known", url, message=f"{previous.status} last time ({previous.error})")
                return
        if budget[kind] <= 0:
            self._problem(report, url, "skipped", f"over max_{kind}s for this run; left for the next run")
            return
        budget[kind] -= 1
        base = UrlRecord(url, source.name, kind, "failed", parent_url=parent_url, link_text=link.text)
        try:
            got = await self.fetch(
                url, source, report, etag=validators[0], last_modified=validators[1], deadline=deadline
            )
        except LimitReached as err:
            self._problem(report, url, "skipped", str(err))
            return
        except FetchError as err:
            keep = previous if previous is not None and previous.status == "stored" else None
            self.state.put(
                _replace(
                    base,
                    status=keep.status if keep else err.status,
                    http_status=err.http_status,
                    error=err.message,
                    raw_path=keep.raw_path if keep else None,
                    sha256=keep.sha256 if keep else None,
                )
            )
            self._problem(report, url, err.status, err.message)
            return
        if got.status == 304 and previous is not None:
            report.unchanged += 1
            self.state.put(previous)
            self._emit(report, "unchanged", url, previous.raw_path, "not modified")
            return
        report.fetched += 1
        sha = hashlib.sha256(got.body).hexdigest()
        meta = {
            "http_status": 200,
            "etag": got.headers.get("etag"),
            "last_modified": got.headers.get("last-modified"),
            "sha256": sha,
            "size": len(got.body),
            "content_type": got.headers.get("content-type"),
        }
        if previous is not None and previous.sha256 == sha and self._present(previous.raw_path):
            report.unchanged += 1
            self.state.put(_replace(base, **meta, status=previous.status, raw_path=previous.raw_path))
            self._emit(report, "unchanged", url, previous.raw_path, "same content")
            return
        existing = self.state.content(sha)
        if existing is not None and existing[1] != url and self._present(existing[0]):
            report.duplicates += 1
            self.state.put(
                _replace(
                    base, **meta, status="duplicate", raw_path=existing[0], error=f"same as {existing[1]}"
                )
            )
            self._emit(report, "duplicate", url, existing[0], f"same content as {existing[1]}")
            return
        prefix = naming.split_suffix(Path(parent.raw_path).name)[0] if parent and parent.raw_path else None
        name = naming.file_name(
            got.url,
            got.body,
            disposition=got.headers.get("content-disposition"),
            link_text=link.text,
            prefix=prefix,
        )
        if name is None:
            what = got.headers.get("content-type") or naming.sniff_kind(got.body)
            message = f"not a document ({what}); not stored"
            self.state.put(_replace(base, **meta, status="rejected", error=message))
            self._problem(report, url, "rejected", message)
            return
        rel = self._target_name(source, name, url, previous)
        replaced = self._present(rel) and previous is not None and previous.raw_path == rel
        self._write(rel, got.body)
        self.state.put_content(sha, rel, url)
        change = "updated" if replaced else "new"
        record = self.state.put(_replace(base, **meta, status="stored", raw_path=rel), changed=True)
        stored = StoredFile(rel, url, kind, change, parent_url)
        report.files.append(stored)
        if change == "new":
            report.new += 1
        else:
            report.updated += 1
        note = "" if stored.readable else "stored; this format is not parsed yet"
        self._emit(report, change, url, rel, note)
        if kind == "notice" and naming.sniff_kind(got.body) == "html":
            text, _ = decode_page(got.body, header_charset=_charset(got.headers))
            for att in extract_attachments(text, got.url, source.links):
                self.state.link_attachment(url, att.url, att.text)
            await self._attachments(source, record, report, deadline, budget)

    async def _attachments(
        self, source: Source, page: UrlRecord, report: SourceReport, deadline: float, budget: dict[str, int]
    ) -> None:
        links = [Link(u, t) for u, t in self.state.attachments_of(page.url)]
        await asyncio.gather(
            *(
                self._item(source, link, report, deadline, budget, kind="attachment", parent=page)
                for link in links
            )
        )

    # --- all sources -----------------------------------------------------------------------------

    async def run(self) -> CrawlReport:
        report = CrawlReport(run_id=uuid.uuid4().hex[:12], started_at=now_utc())
        self.state.start_run(report.run_id)
        async with httpx.AsyncClient(follow_redirects=False, transport=self.transport) as client:
            self._client = client
            try:
                report.sources = list(await asyncio.gather(*(self.crawl_source(s) for s in self.sources)))
            finally:
                self._client = None
        report.finished_at = now_utc()
        self.state.finish_run(report.run_id, report.summary())
        return report


def _replace(record: UrlRecord, **changes: object) -> UrlRecord:
    return UrlRecord(**{**record.__dict__, **changes})


def _charset(headers: httpx.Headers) -> str | None:
    content_type = headers.get("content-type") or ""
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset":
            return value.strip().strip("\"'")
    return None


def _retry_after(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("rejected", f"{int(declared):,} bytes is over the {max_bytes:,}-byte cap", 200)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchError("rejected", f"over the {max_bytes:,}-byte cap", 200)
    return bytes(body)


def crawl(
    sources: tuple[Source, ...],
    raw_dir: Path,
    state_path: Path,
    *,
    progress: Callable[[CrawlEvent], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> CrawlReport:
    """One crawl pass of ``sources`` into ``raw_dir``, state in ``state_path`` (blocking)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    with CrawlState(state_path) as state:
        crawler = Crawler(sources, raw_dir, state, progress=progress, transport=transport)
        return asyncio.run(crawler.run())
