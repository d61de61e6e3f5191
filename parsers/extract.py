"""Everything extracted from one ``Document``: metadata first, then each notice's content.

The metadata step splits a forwarding notice into its own record and the forwarded ones; every
record then gets its tasks, stages, leading-group members, domain tables and targets from its own
blocks, with year-less deadlines resolved against that notice's year.
"""

from __future__ import annotations

from dataclasses import replace

from parsers.domains import extract_domains
from parsers.linear import recover_structure
from parsers.members import extract_members
from parsers.metadata import extract_record
from parsers.milestones import extract_milestones
from parsers.model import Document
from parsers.record import NoticeRecord
from parsers.targets import extract_targets
from parsers.tasks import extract_tasks


def notice_year(record: NoticeRecord) -> int | None:
    """The year year-less deadlines belong to: signing date, else number, else publication."""
    if record.signing_date:
        return record.signing_date.year
    if record.doc_number and "〔" in record.doc_number:
        return int(record.doc_number.split("〔")[1][:4])
    if record.publication_date:
        return int(record.publication_date[:4])
    return None


def with_content(record: NoticeRecord) -> NoticeRecord:
    doc = record.document
    year = notice_year(record)
    return replace(
        record,
        tasks=extract_tasks(doc, record.doc_id, year),
        milestones=extract_milestones(doc, year),
        members=extract_members(doc),
        domains=extract_domains(doc),
        targets=extract_targets(doc),
        forwarded=tuple(with_content(f) for f in record.forwarded),
    )


def extract_notice(doc: Document, doc_id: str) -> NoticeRecord:
    doc = recover_structure(doc)
    return with_content(extract_record(doc, doc_id))
