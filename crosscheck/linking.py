"""Which template a plan implements.

A plan names its basis in one sentence (``按照《…》（川办函〔2021〕57号）要求，结合我市实际，特制定
本方案``). The documents cited in such a sentence are its templates: linked by the cited number,
else by the cited 《title》 (brackets inside the title ignored), else by configuration (a
``crosscheck.toml`` that maps a plan to a template when the plan does not say). A basis document
that is not in the corpus is reported as a missing template.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from parsers.metadata import canonical_title
from parsers.model import Paragraph
from parsers.record import Citation, NoticeRecord

BASIS = re.compile(r"(按照|根据|依据|依照|贯彻落实|为落实|落实).{0,400}?(要求|精神|部署|规定|安排)")
PURPOSE = re.compile(r"制定|结合.{0,10}实际|通知如下|意见如下")


@dataclass(frozen=True, slots=True)
class TemplateLink:
    template: NoticeRecord
    linked_by: str  # doc_number | title | config
    citation: Citation | None


@dataclass(frozen=True, slots=True)
class MissingTemplate:
    """A basis document the plan cites that the corpus does not hold."""

    doc_number: str | None
    title: str | None


def basis_citations(plan: NoticeRecord) -> list[Citation]:
    """Citations in the sentence where the plan names what it implements."""
    by_block = {b.location.block: b for b in plan.document.blocks if isinstance(b, Paragraph)}
    out = []
    for c in plan.citations:
        para = by_block.get(c.location.block)
        if para is None:
            continue
        for sentence in re.split(r"(?<=。)", para.text):
            cited_here = bool(c.title and c.title in sentence) or bool(
                c.doc_number_raw and c.doc_number_raw in sentence
            )
            if cited_here and BASIS.search(sentence) and PURPOSE.search(sentence):
                out.append(c)
                break
    return out


def _matches(citation: Citation, candidate: NoticeRecord) -> str | None:
    if citation.doc_number and candidate.doc_number and citation.doc_number == candidate.doc_number:
        return "doc_number"
    if (
        citation.title
        and candidate.title
        and canonical_title(citation.title) == canonical_title(candidate.title)
    ):
        return "title"
    return None


def load_links(path: Path) -> dict[str, str]:
    """``crosscheck.toml``: ``[links]`` plan (doc number, title or file name) = template (number or title)."""
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    links = data.get("links", {})
    if not isinstance(links, dict) or not all(isinstance(v, str) for v in links.values()):
        raise ValueError(f"{path}: [links] must map a plan to a template, both as strings")
    return dict(links)


def _names(record: NoticeRecord) -> set[str]:
    return {n for n in (record.doc_number, record.title, Path(record.path).name, Path(record.path).stem) if n}


def find_templates(
    plan: NoticeRecord, candidates: Iterable[NoticeRecord], configured: Mapping[str, str] | None = None
) -> tuple[list[TemplateLink], list[MissingTemplate]]:
    """Templates of ``plan`` among ``candidates`` (never itself or its own forwarded parts).

    The same template notice may be in the corpus more than once (a web page and its PDF);
    the rendering in the plan's own format is preferred.
    """
    pool = [
        c
        for c in candidates
        if c.doc_id != plan.doc_id and c.parent_id != plan.doc_id and plan.parent_id != c.doc_id and c.tasks
    ]
    links: list[TemplateLink] = []
    missing: list[MissingTemplate] = []
    for citation in basis_citations(plan):
        found = [(c, how) for c in pool if (how := _matches(citation, c))]
        for candidate, how in found:
            if all(link.template.doc_id != candidate.doc_id for link in links):
                links.append(TemplateLink(candidate, how, citation))
        if not found and not any(
            m.doc_number == citation.doc_number and m.title == citation.title for m in missing
        ):
            missing.append(MissingTemplate(citation.doc_number, citation.title))
    for plan_name, template_name in (configured or {}).items():
        if plan_name in _names(plan):
            target = next((c for c in pool if template_name in _names(c)), None)
            if target is not None and all(link.template.doc_id != target.doc_id for link in links):
                links.append(TemplateLink(target, "config", None))
            elif target is None:
                missing.append(
                    MissingTemplate(
                        template_name if "〔" in template_name else None,
                        None if "〔" in template_name else template_name,
                    )
                )
    return prefer_same_format(links, plan.format), missing


def prefer_same_format(links: Sequence[TemplateLink], fmt: str) -> list[TemplateLink]:
    """One link per template notice: the rendering in the plan's own format when there are several."""
    best: dict[str, TemplateLink] = {}
    for link in links:
        key = link.template.doc_number or canonical_title(link.template.title or link.template.doc_id)
        if key not in best or (link.template.format == fmt and best[key].template.format != fmt):
            best[key] = link
    return list(best.values())
