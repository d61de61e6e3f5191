"""Document numbers (发文字号): find them in text and normalize them.

Mainland form ``机关代字〔年份〕序号号`` written with any bracket variant (〔〕［］[]【】()（）〈〉)
and stray spaces (``川办函〔2021〕57 号``), normalized to ``川办函〔2021〕57号``. The Taiwan form
``機關字第1100012345號`` is recognised too and normalized to ``…字第1100012345号`` (text is already
Simplified by then: ``parsers.normalize`` runs first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.vocab import word_list

_OPEN = "〔［\\[【(（〈<{｛"
_CLOSE = "〕］\\]】)）〉>}｝"
_SP = r"[ \t\u3000]*"
MAINLAND = re.compile(
    rf"(?P<agency>[\u4e00-\u9fffA-Za-z]{{1,16}}){_SP}[{_OPEN}]{_SP}(?P<year>(?:19|20)\d{{2}}){_SP}"
    rf"[{_CLOSE}]{_SP}(?:第{_SP})?(?P<seq>\d{{1,6}}){_SP}[号號]"
)
TAIWAN = re.compile(rf"(?P<agency>[\u4e00-\u9fff]{{2,16}}字){_SP}第{_SP}(?P<seq>\d{{4,12}}){_SP}[号號]")
_LABEL = re.compile(r"^(?:发文字号|文号|字号)[:：]\s*")


@dataclass(frozen=True, slots=True)
class DocNumber:
    normalized: str
    raw: str
    agency: str
    year: int | None
    start: int
    end: int


def _trim_agency(agency: str) -> str:
    """Strip lead-in words glued to the 机关代字 (``按照国办发`` → ``国办发``)."""
    leadins = word_list("docnumber_leadins")
    changed = True
    while changed and len(agency) > 2:
        changed = False
        for word in leadins:
            if agency.startswith(word) and len(agency) - len(word) >= 2:
                agency = agency[len(word) :]
                changed = True
                break
    return agency


def _match(m: re.Match[str], text: str, template: str) -> DocNumber:
    full_agency = m.group("agency")
    agency = _trim_agency(full_agency)
    begin = m.start("agency")
    if begin and text[begin - 1].isdigit() and agency[0] in "年月日号" and len(agency) > 2:
        agency = agency[1:]  # 7月1日院台法字第…: the 日 ends the date before the number
    start = m.start("agency") + (len(full_agency) - len(agency))
    year = m.groupdict().get("year")
    seq = m.group("seq")
    return DocNumber(
        normalized=template.format(agency=agency, year=year, seq=int(seq) if year else seq),
        raw=text[start : m.end()],
        agency=agency,
        year=int(year) if year else None,
        start=start,
        end=m.end(),
    )


def find_doc_numbers(text: str) -> list[DocNumber]:
    """Every document number in ``text``, in order of appearance."""
    if "号" not in text and "號" not in text:
        return []  # both forms end in 号/號; scanning for the agency everywhere else is the slow part
    found = [_match(m, text, "{agency}〔{year}〕{seq}号") for m in MAINLAND.finditer(text)]
    for m in TAIWAN.finditer(text):
        if not any(d.start <= m.start() < d.end for d in found):
            found.append(_match(m, text, "{agency}第{seq}号"))
    return sorted(found, key=lambda d: d.start)


def normalize_doc_number(raw: str) -> str | None:
    """The normalized form of the first document number in ``raw``, else ``None``."""
    found = find_doc_numbers(raw)
    return found[0].normalized if found else None


def is_doc_number_line(text: str) -> DocNumber | None:
    """The number when a line holds a document number and nothing else of substance.

    Allows a 签发人 part (upward documents print ``川府〔2021〕1号  签发人：张三`` on one line)
    and a leading label such as ``文号：`` / ``发文字号：``.
    """
    stripped = _LABEL.sub("", text.strip())
    stripped = stripped.split("签发人")[0].strip()
    found = find_doc_numbers(stripped)
    if len(found) == 1 and found[0].start == 0 and not stripped[found[0].end :].strip(" 　"):
        return found[0]
    return None
