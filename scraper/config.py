"""The sources file (``sources.toml``): which listings to crawl and how politely.

Validated on load, all at once, so a typo fails the run before any request is made; each problem
is one line naming the file, the source and the field (``sources.toml: source "luxian"
(#1): limits.max_notices: Input should be greater than 0``). Unknown keys are errors too: a
misspelt ``max_notice`` would otherwise silently fall back to the default.

Layout::

    [defaults]               # optional; merged into every source (source values win)
    politeness = { delay_seconds = 1.0 }

    [[source]]
    name = "luxian-zfwj"     # also the sub-folder of raw/ its files land in
    listing_url = "http://www.luxian.gov.cn/zwgk/zfwj/index.html"
    encoding = "gbk"         # optional hint; detected otherwise
    allowed_hosts = ["www.luxian.gov.cn"]   # default: the listing's host
    [source.links]           # optional; heuristics for typical government listings otherwise
    [source.pagination]      # optional; 下一页 / index_N.html / createPageHTML found otherwise
    [source.limits]
    [source.politeness]
"""

from __future__ import annotations

import codecs
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_USER_AGENT = "gongwen-scraper/0.1 (government notice archive; polite, robots.txt honoured)"
#: Attachment suffixes looked for on notice pages (the parser reads .pdf/.docx; the others are
#: stored and reported as not readable yet, never dropped).
DEFAULT_ATTACHMENT_SUFFIXES = (".pdf", ".docx", ".doc", ".wps", ".xls", ".xlsx", ".ofd")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_HOST = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")


class ConfigError(ValueError):
    """The sources file is missing or invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression ({err})") from err
    return value


def _check_selector(value: str | None) -> str | None:
    if value is not None:
        from selectolax.lexbor import LexborHTMLParser, SelectolaxError

        try:
            LexborHTMLParser("<p></p>").css(value)
        except SelectolaxError as err:
            raise ValueError(f"not a valid CSS selector ({err})") from err
    return value


class LinkRules(_Model):
    """Which links of a listing are notices, and which links of a notice are attachments.

    With neither ``notice_selector`` nor ``notice_pattern`` the defaults (``scraper.links``)
    take links in dated list items (ul/li, tables) and links that look like articles
    (``t20240301_123.shtml``, ``art_1_2.html``, ``content_9.htm`` …).
    """

    notice_selector: str | None = Field(default=None, description="CSS selector of the notice <a> elements")
    notice_pattern: str | None = Field(default=None, description="regex the absolute notice URL must match")
    exclude_pattern: str | None = Field(default=None, description="regex of URLs never to follow")
    attachment_selector: str | None = Field(
        default=None, description="CSS selector of attachment <a> on a notice"
    )
    attachment_suffixes: tuple[str, ...] = DEFAULT_ATTACHMENT_SUFFIXES
    listing_attachments: bool = Field(
        default=True, description="files linked straight from the listing are notices"
    )

    @field_validator("notice_pattern", "exclude_pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return _check_regex(value)

    @field_validator("notice_selector", "attachment_selector")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return _check_selector(value)

    @field_validator("attachment_suffixes")
    @classmethod
    def _suffixes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(s.lower() if s.startswith(".") else "." + s.lower() for s in value)
        if any(not re.fullmatch(r"\.[a-z0-9]{1,8}", s) for s in out):
            raise ValueError("suffixes look like '.pdf'")
        return out


class Pagination(_Model):
    """More listing pages: an explicit URL template and/or the page's own 下一页/index_N links."""

    template: str | None = Field(default=None, description="e.g. 'http://x.gov.cn/zfwj/index_{n}.html'")
    first: int = Field(default=1, ge=0, description="{n} of the second listing page")
    follow_links: bool = Field(default=True, description="follow 下一页 / index_N.html / createPageHTML")
    next_selector: str | None = Field(default=None, description="CSS selector of the next-page <a>")

    @field_validator("next_selector")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        return _check_selector(value)

    @field_validator("template")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        if value is not None and "{n}" not in value:
            raise ValueError("must contain {n}, the page number")
        return value


class Limits(_Model):
    """Caps per source and run; what is over a cap is left for the next run, and reported."""

    max_listing_pages: int = Field(default=5, gt=0)
    max_notices: int = Field(default=50, gt=0, description="notice pages requested per run")
    max_attachments: int = Field(default=100, ge=0, description="attachments requested per run")
    max_file_mb: float = Field(default=30.0, gt=0, description="bigger responses are refused")
    max_run_seconds: float = Field(default=900.0, gt=0, description="no new request after this")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


class Politeness(_Model):
    """How hard one host is hit: spacing, parallel requests, retries and time-outs."""

    delay_seconds: float = Field(default=1.0, ge=0, description="minimum spacing of requests to one host")
    concurrency: int = Field(default=2, ge=1, le=8, description="requests in flight per host")
    timeout_seconds: float = Field(default=20.0, gt=0)
    retries: int = Field(default=3, ge=0, le=10, description="extra attempts after a time-out, 429 or 5xx")
    backoff_seconds: float = Field(default=1.0, ge=0, description="first retry delay; doubles each time")
    max_backoff_seconds: float = Field(default=60.0, ge=0)
    user_agent: str = DEFAULT_USER_AGENT
    respect_robots: bool = True
    recheck_after_days: float | None = Field(
        default=None, ge=0, description="re-request stored notices (conditionally) after this; never if unset"
    )
    retry_failed_after_days: float = Field(
        default=7.0, ge=0, description="wait before asking again for a 404/403/blocked URL"
    )


class Source(_Model):
    """One listing of notices on one government site."""

    name: str = Field(description="short id: lower-case letters, digits, - and _; the raw/ sub-folder")
    title: str = ""
    enabled: bool = True
    listing_url: str
    encoding: str | None = Field(default=None, description="hint for the listing pages: gbk, gb2312, utf-8 …")
    allowed_hosts: tuple[str, ...] = Field(
        default=(), description="hosts ('www.x.gov.cn', '*.x.gov.cn', 'host:port'); default the listing's"
    )
    links: LinkRules = Field(default_factory=LinkRules)
    pagination: Pagination = Field(default_factory=Pagination)
    limits: Limits = Field(default_factory=Limits)
    politeness: Politeness = Field(default_factory=Politeness)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use 1-64 lower-case letters, digits, '-' or '_' (it names a folder in raw/)")
        return value

    @field_validator("listing_url")
    @classmethod
    def _url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http:// or https:// URL")
        return value

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as err:
                raise ValueError(f"unknown encoding {value!r}") from err
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(h.strip().lower() for h in value)
        bad = [h for h in out if not _HOST.match(h)]
        if bad:
            raise ValueError(f"not a host name: {', '.join(bad)}")
        return out

    @model_validator(mode="after")
    def _default_hosts(self) -> Source:
        if not self.allowed_hosts:
            object.__setattr__(self, "allowed_hosts", (listing_netloc(self.listing_url),))
        return self


def listing_netloc(url: str) -> str:
    """``host`` or ``host:port`` (only a non-standard port is kept), lower case."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port and parts.port not in (80, 443) else host


class SourcesFile(_Model):
    """A loaded sources file."""

    path: Path
    sources: tuple[Source, ...]

    def enabled(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)

    def select(self, names: list[str] | None) -> tuple[Source, ...]:
        """The named sources (even disabled ones: naming is asking), else every enabled one."""
        if not names:
            return self.enabled()
        by_name = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ConfigError(
                [f"{self.path}: no source named {', '.join(map(repr, unknown))} (have {', '.join(by_name)})"]
            )
        return tuple(by_name[n] for n in names)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _problem_lines(where: str, err: ValidationError) -> list[str]:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(source)"
        message = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            message = "unknown key (check the spelling; see docs/scrape.md)"
        lines.append(f"{where}: {loc}: {message}")
    return lines


def load_sources(path: Path | str) -> SourcesFile:
    """Read and validate a sources file; ``ConfigError`` lists every problem, one line each."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: sources file not found"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError([f"{path}: cannot be read ({err})"]) from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError([f"{path}: not valid TOML ({err})"]) from None
    problems: list[str] = []
    unknown = sorted(set(data) - {"defaults", "source"})
    if unknown:
        problems.append(
            f"{path}: unknown top-level key(s) {', '.join(unknown)} (expected [defaults], [[source]])"
        )
    defaults = data.get("defaults", {})
    raw_sources = data.get("source", [])
    if not isinstance(defaults, dict):
        problems.append(f"{path}: defaults: must be a table")
        defaults = {}
    if not isinstance(raw_sources, list) or not all(isinstance(s, dict) for s in raw_sources):
        problems.append(f"{path}: source: must be an array of tables ([[source]])")
        raw_sources = []
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_sources, start=1):
        name = raw.get("name")
        label = f'source "{name}" (#{index})' if isinstance(name, str) else f"source #{index}"
        if isinstance(name, str):
            if name in seen:
                problems.append(f"{path}: {label}: name: already used by source #{seen[name]}")
            seen.setdefault(name, index)
        try:
            sources.append(Source.model_validate(_merge(defaults, raw)))
        except ValidationError as err:
            problems.extend(_problem_lines(f"{path}: {label}", err))
    if problems:
        raise ConfigError(problems)
    return SourcesFile(path=path, sources=tuple(sources))
