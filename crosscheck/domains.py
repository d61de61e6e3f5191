"""Compare the attachment tables of domains (领域 × 指导/编制部门) of a template and a plan.

Rows pair up by domain name (exact, then alike: 救灾 → 救灾生产), then by position when the
units agree (国土空间规划 → 城乡规划, both 自然资源). A paired row is ``same``, ``renamed``,
``reassigned`` (another unit) or both; what is left is ``dropped`` (template only) or ``added``.
Units are compared on their core: level prefix (省/市/县…) and organ ending (厅/局/委…) off,
short forms expanded, so 省发展改革委 and 县发展改革局 are the same unit at two levels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from crosscheck.model import DomainDiff
from parsers.domains import DomainRow
from parsers.units import normalize_unit_name

_LEVEL = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,4}?(?:省|自治区|市|州|县|区)|省|市|州|县|区)(?=[\u4e00-\u9fff]{2})"
)
_ORGAN_END = re.compile(r"(?:委员会|办公室|厅|局|委|中心|办|部)$")
NAME_ALIKE = 0.6
UNIT_ALIKE = 0.7


def unit_core(unit: str) -> str:
    name = normalize_unit_name(unit.strip())
    name = _LEVEL.sub("", name, count=1)
    return _ORGAN_END.sub("", name)


def same_unit(a: str, b: str) -> bool:
    """Any unit of ``a`` (a cell may name several) is the same organ as any of ``b``."""
    for x in re.split(r"[、，,；;]", a):
        for y in re.split(r"[、，,；;]", b):
            cx, cy = unit_core(x), unit_core(y)
            if cx and cy and (cx in cy or cy in cx or fuzz.ratio(cx, cy) / 100 >= UNIT_ALIKE):
                return True
    return False


def _first_table(rows: Sequence[DomainRow]) -> list[DomainRow]:
    """Rows of the first domain table, first unit column only (one unit per domain)."""
    if not rows:
        return []
    table, column = rows[0].table, rows[0].unit_column
    return [r for r in rows if r.table == table and r.unit_column == column]


def compare_domains(template: Sequence[DomainRow], plan: Sequence[DomainRow]) -> tuple[DomainDiff, ...]:
    t_rows, p_rows = _first_table(template), _first_table(plan)
    pairs: dict[int, tuple[int, float]] = {}
    free = set(range(len(p_rows)))
    for i, t in enumerate(t_rows):  # exact names
        j = next((j for j in sorted(free) if p_rows[j].domain == t.domain), None)
        if j is not None:
            pairs[i] = (j, 1.0)
            free.discard(j)
    for i, t in enumerate(t_rows):  # alike names
        if i in pairs:
            continue
        scored = [(fuzz.ratio(t.domain, p_rows[j].domain) / 100, j) for j in free]
        scored += [(0.9, j) for j in free if t.domain in p_rows[j].domain or p_rows[j].domain in t.domain]
        if scored:
            best, j = max(scored)
            if best >= NAME_ALIKE:
                pairs[i] = (j, best)
                free.discard(j)
    for i, t in enumerate(t_rows):  # same position, same unit: a renamed domain
        if i in pairs or i >= len(p_rows) or i not in range(len(p_rows)):
            continue
        j = i
        if j in free and same_unit(t.unit, p_rows[j].unit):
            pairs[i] = (j, fuzz.ratio(t.domain, p_rows[j].domain) / 100)
            free.discard(j)
    out: list[DomainDiff] = []
    for i, t in enumerate(t_rows):
        if i not in pairs:
            out.append(DomainDiff("dropped", t.domain, t.unit, None, None, 0.0))
            continue
        j, similarity = pairs[i]
        p = p_rows[j]
        renamed = p.domain != t.domain
        reassigned = not same_unit(t.unit, p.unit)
        status = (
            "renamed_and_reassigned"
            if renamed and reassigned
            else "renamed"
            if renamed
            else "reassigned"
            if reassigned
            else "same"
        )
        out.append(DomainDiff(status, t.domain, t.unit, p.domain, p.unit, round(similarity, 4)))  # type: ignore[arg-type]
    for j in sorted(free):
        out.append(DomainDiff("added", None, None, p_rows[j].domain, p_rows[j].unit, 0.0))
    return tuple(out)
