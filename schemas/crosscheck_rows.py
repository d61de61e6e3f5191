"""Cross-check results as warehouse rows (``plan_alignment``, ``plan_domains``, ``missing_templates``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from crosscheck.linking import MissingTemplate
from crosscheck.model import CrossCheck
from schemas.tables import MISSING_TEMPLATES, PLAN_ALIGNMENT, PLAN_DOMAINS, conform


def alignment_rows(check: CrossCheck) -> list[dict[str, Any]]:
    base = {
        "plan_doc_id": check.plan.doc_id,
        "template_doc_id": check.template.doc_id,
        "linked_by": check.linked_by,
    }
    tasks = {t.task.key: t for t in check.alignment.tasks}
    rows: list[dict[str, Any]] = []

    def add(**values: Any) -> None:
        rows.append({**base, "seq": len(rows), **values})

    for r in check.alignment.requirements:
        req = {
            "requirement_id": r.requirement.key,
            "requirement_number": r.requirement.number,
            "requirement_status": r.status,
            "requirement_similarity": r.similarity,
        }
        if not r.links:
            add(**req, task_id=None, task_number=None, task_status=None, link_similarity=None, verbatim=False)
        for link in r.links:
            task = tasks[link.task_key]
            add(
                **req,
                task_id=task.task.key,
                task_number=task.task.number,
                task_status=task.status,
                link_similarity=link.similarity,
                verbatim=link.verbatim,
            )
    for t in check.alignment.tasks:
        if t.status == "added":
            add(
                requirement_id=None,
                requirement_number=None,
                requirement_status=None,
                requirement_similarity=None,
                task_id=t.task.key,
                task_number=t.task.number,
                task_status="added",
                link_similarity=None,
                verbatim=False,
            )
    return rows


def domain_rows(check: CrossCheck) -> list[dict[str, Any]]:
    return [
        {
            "plan_doc_id": check.plan.doc_id,
            "template_doc_id": check.template.doc_id,
            "seq": seq,
            "status": d.status,
            "template_domain": d.template_domain,
            "template_unit": d.template_unit,
            "plan_domain": d.plan_domain,
            "plan_unit": d.plan_unit,
            "similarity": d.similarity,
        }
        for seq, d in enumerate(check.domains)
    ]


def crosscheck_tables(
    checks: Sequence[CrossCheck], missing: Sequence[MissingTemplate]
) -> dict[str, pa.Table]:
    seqs: dict[str, int] = {}
    missing_rows = []
    for m in missing:
        seq = seqs.get(m.plan.doc_id, 0)
        seqs[m.plan.doc_id] = seq + 1
        missing_rows.append(
            {
                "plan_doc_id": m.plan.doc_id,
                "seq": seq,
                "cited_doc_number": m.doc_number,
                "cited_title": m.title,
            }
        )
    return {
        "plan_alignment": _table(PLAN_ALIGNMENT, [row for c in checks for row in alignment_rows(c)]),
        "plan_domains": _table(PLAN_DOMAINS, [row for c in checks for row in domain_rows(c)]),
        "missing_templates": _table(MISSING_TEMPLATES, missing_rows),
    }


def _table(schema: pa.Schema, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows built above as a table of ``schema``. Every row has the schema's columns by
    construction, so they are not checked value by value in Python (``schemas.tables.to_table``:
    most of the time of building these tables, tens of thousands of rows); Arrow refuses a value
    of the wrong type and ``conform`` a null in a non-nullable column."""
    return conform(pa.Table.from_pylist(rows, schema=schema), schema, what=_name(schema))


def _name(schema: pa.Schema) -> str:
    return (schema.metadata or {}).get(b"name", b"table").decode()
