"""Which template a plan implements.

A plan names its basis in one sentence (``按照《…》（川办函〔2021〕57号）要求，结合我市实际，特制定
本方案``); the parser marks the documents cited there (``Citation.basis``). Those are its
templates: linked by the cited number, else by the cited 《title》 (brackets inside the title
ignored), else by configuration (``crosscheck.toml`` maps a plan to a template when the plan does
not say). A basis document that is not in the corpus is reported as a missing template.

Works on ``Notice`` summaries, which come from a parsed record or from warehouse rows alike.
The same notice may be in the corpus more than once (a web page and its PDF): ``identity`` groups
the copies and ``representatives`` keeps one of each.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from parsers.metadata import canonical_title
from parsers.record import NoticeRecord

#: Which copy of a notice to keep when the corpus holds it in several formats.
FORMAT_PREFERENCE = ("docx", "html", "pdf")


@dataclass(frozen=True, slots=True)
class Notice:
    doc_id: str
    parent_id: str | None
    path: str
    format: str
    doc_number: str | None
    title: str | None
    has_tasks: bool
    basis: tuple[tuple[str | None, str | None], ...]  # (cited number, cited title)
    issuer: str | None = None
    signing_date: str | None = None  # ISO


@dataclass(frozen=True, slots=True)
class TemplateLink:
    plan: Notice
    template: Notice
    linked_by: str  # doc_number | title | config


@dataclass(frozen=True, slots=True)
class MissingTemplate:
    """A basis document the plan cites that the corpus does not hold."""

    plan: Notice
    doc_number: str | None
    title: str | None


def notice_from_record(record: NoticeRecord) -> Notice:
    return Notice(
        doc_id=record.doc_id,
        parent_id=record.parent_id,
        path=record.path,
        format=record.format,
        doc_number=record.doc_number,
        title=record.title,
        has_tasks=bool(record.tasks),
        basis=tuple((c.doc_number, c.title) for c in record.citations if c.basis),
        issuer=record.issuer,
        signing_date=record.signing_date.isoformat() if record.signing_date else None,
    )


@lru_cache(maxsize=65536)
def title_key(title: str) -> str:
    """``canonical_title``, memoized: linking compares each plan's cited titles with the titles of
    its candidate templates, the same few titles for every plan of a corpus."""
    return canonical_title(title)


def identity(notice: Notice) -> str:
    """The same notice in several files shares its number, else its title, else issuer and date."""
    if notice.doc_number:
        return notice.doc_number
    if notice.title:
        return title_key(notice.title)
    if notice.issuer and notice.signing_date:
        return f"{notice.issuer}@{notice.signing_date}"
    return notice.doc_id


def representatives(notices: Iterable[Notice], preference: Sequence[str] = FORMAT_PREFERENCE) -> list[Notice]:
    """One notice per identity: the copy in the most preferred format (then the first path)."""
    rank = {fmt: i for i, fmt in enumerate(preference)}
    best: dict[str, Notice] = {}
    for n in notices:
        key = identity(n)
        current = best.get(key)
        if current is None or (rank.get(n.format, 99), n.path) < (rank.get(current.format, 99), current.path):
            best[key] = n
    return sorted(best.values(), key=lambda n: n.path)


def load_links(path: Path) -> dict[str, str]:
    """``crosscheck.toml``: ``[links]`` plan (number, title or file name) = template (number or title)."""
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    links = data.get("links", {})
    if not isinstance(links, dict) or not all(isinstance(v, str) for v in links.values()):
        raise ValueError(f"{path}: [links] must map a plan to a template, both given as strings")
    return dict(links)


def _names(n: Notice) -> set[str]:
    return {x for x in (n.doc_number, n.title, Path(n.path).name, Path(n.path).stem) if x}


def _matches(number: str | None, title: str | None, candidate: Notice) -> str | None:
    if number and candidate.doc_number == number:
        return "doc_number"
    if title and candidate.title and title_key(title) == title_key(candidate.title):
        return "title"
    return None


def may_implement(plan: Notice, candidate: Notice) -> bool:
    """Whether ``plan`` can implement ``candidate``: a notice with tasks that is not the plan
    itself (nor a copy of it), nor forwards it, nor is forwarded by it."""
    return (
        candidate.has_tasks
        and identity(candidate) != identity(plan)
        and plan.doc_id not in (candidate.doc_id, candidate.parent_id)
        and plan.parent_id != candidate.doc_id
    )


def find_templates(
    plan: Notice, candidates: Iterable[Notice], configured: Mapping[str, str] | None = None
) -> tuple[list[TemplateLink], list[MissingTemplate]]:
    """Templates of ``plan`` among ``candidates`` (never itself or a notice it forwards or is
    forwarded by); of several copies of one template, the one in the plan's own format."""
    pool = [c for c in candidates if may_implement(plan, c)]
    found: list[TemplateLink] = []
    missing: list[MissingTemplate] = []
    for number, title in plan.basis:
        hits = [(c, how) for c in pool if (how := _matches(number, title, c))]
        found.extend(TemplateLink(plan, c, how) for c, how in hits)
        if not hits:
            missing.append(MissingTemplate(plan, number, title))
    for plan_name, template_name in (configured or {}).items():
        if plan_name not in _names(plan):
            continue
        configured_hits = [c for c in pool if template_name in _names(c)]
        found.extend(TemplateLink(plan, c, "config") for c in configured_hits)
        if not configured_hits:
            is_number = "〔" in template_name
            missing.append(
                MissingTemplate(
                    plan, template_name if is_number else None, None if is_number else template_name
                )
            )
    by_template: dict[str, TemplateLink] = {}
    for link in found:
        key = identity(link.template)
        kept = by_template.get(key)
        if kept is None or (link.template.format == plan.format and kept.template.format != plan.format):
            by_template[key] = link
    return list(by_template.values()), missing
