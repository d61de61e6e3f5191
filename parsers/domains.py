"""Domain tables (领域 × 指导/编制部门): which unit guides or compiles each public-affairs domain."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from parsers.model import Document, Location
from parsers.tasks import clean_text

_DOMAIN = re.compile(r"领域")
_UNIT_COLUMN = re.compile(r"部门|单位|机构")


@dataclass(frozen=True, slots=True)
class DomainRow:
    table: int
    seq: str | None
    domain: str
    unit_column: str  # the header of the unit column, e.g. 指导部门(单位) / 市级编制单位
    unit: str
    location: Location


def extract_domains(doc: Document) -> tuple[DomainRow, ...]:
    out: list[DomainRow] = []
    for t_index, table in enumerate(doc.tables()):
        if table.n_rows < 2:
            continue
        header = [re.sub(r"\s+", "", c.text) for c in table.rows[0]]
        domain_cols = [i for i, h in enumerate(header) if _DOMAIN.search(h) and not _UNIT_COLUMN.search(h)]
        unit_cols = [i for i, h in enumerate(header) if _UNIT_COLUMN.search(h) and i not in domain_cols]
        if not domain_cols or not unit_cols:
            continue
        seq_col = next((i for i, h in enumerate(header) if h in ("序号", "编号")), None)
        for row in table.rows[1:]:
            if [re.sub(r"\s+", "", c.text) for c in row] == header:
                continue  # header repeated after a page break
            domain = clean_text(row[domain_cols[0]].text)
            if not domain:
                continue
            for col in unit_cols:
                unit = clean_text(row[col].text)
                if unit:
                    out.append(
                        DomainRow(
                            t_index,
                            clean_text(row[seq_col].text) if seq_col is not None else None,
                            domain,
                            header[col],
                            unit,
                            replace(table.location, row=row[col].row, col=col),
                        )
                    )
    return tuple(out)
