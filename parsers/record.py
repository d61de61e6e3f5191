"""The extracted record of one notice: what ``gongwen parse`` prints and the warehouse stores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from parsers.model import Document, Location

if TYPE_CHECKING:
    from parsers.domains import DomainRow
    from parsers.members import Member
    from parsers.milestones import Milestone
    from parsers.targets import Target
    from parsers.tasks import Task


@dataclass(frozen=True, slots=True)
class Citation:
    """A document cited in the text, by number, by 《title》, or both when they stand together."""

    doc_number: str | None  # normalized 机关代字〔年份〕序号号
    doc_number_raw: str | None
    title: str | None  # the text inside 《》
    location: Location
    # cited in the sentence where the notice names what it implements (按照《…》要求，结合…制定)
    basis: bool = False


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment named in the 附件说明 (``附件：1．…``) or found as an attachment body."""

    number: int | None
    title: str
    has_body: bool  # the attachment's own text is present in the document
    location: Location


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    """One notice with its GB/T 9704-2012 elements.

    A forwarding notice (转发) carries the forwarded documents in ``forwarded``, each a full record
    of its own whose ``parent_id`` is this record's ``doc_id``; ``document`` holds only the blocks
    of this notice (a wrapper's blocks end where the forwarded notice starts).
    """

    doc_id: str
    path: str
    format: str
    doc_number: str | None
    doc_number_raw: str | None
    issuer: str | None
    title: str | None
    recipients: tuple[str, ...]
    signing_date: dt.date | None
    signing_date_raw: str | None
    publication_date: str | None  # from web pages: as published, ISO form
    source: str | None  # web page 来源 / ContentSource
    attachments: tuple[Attachment, ...]
    citations: tuple[Citation, ...]
    cc: tuple[str, ...]  # 抄送机关
    printed_by: str | None  # 印发机关
    printed_date: dt.date | None  # 印发日期
    document: Document
    parent_id: str | None = None
    forwarded: tuple[NoticeRecord, ...] = ()
    warnings: tuple[str, ...] = ()
    tasks: tuple[Task, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    members: tuple[Member, ...] = ()
    domains: tuple[DomainRow, ...] = ()
    targets: tuple[Target, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cited_doc_numbers(self) -> list[str]:
        """Distinct cited numbers in order of first mention, own number excluded."""
        seen: list[str] = []
        for c in self.citations:
            if c.doc_number and c.doc_number != self.doc_number and c.doc_number not in seen:
                seen.append(c.doc_number)
        return seen

    @property
    def cited_titles(self) -> list[str]:
        seen: list[str] = []
        for c in self.citations:
            if c.title and c.title not in seen:
                seen.append(c.title)
        return seen
