"""Leading-group members (领导小组成员): role, name and post, or a member unit.

Lines look like ``组  长：叶仕良  县委常委、副县长``; lines without a role label continue the
last role (``成员``). The space a layout puts between name and post is read from the raw text
when it is there; otherwise the name is the 2–3 characters before the post's level word
(县/市/省/…). A role whose value is a list of units (``成 员：市政府办公室、市委组织部、…``)
gives one member unit per entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from parsers.model import Document, Location, Paragraph
from parsers.units import split_unit_names

_ROLE = re.compile(
    r"^(?P<role>组\s*长|副\s*组\s*长|成\s*员|顾\s*问|办公室主任|办公室副主任)\s*[:：]\s*(?P<rest>.*)$"
)
_POST_START = re.compile(r"^(?:县|市|省|州|区|乡|镇|宣传部|党委|政府|人大|政协|纪委)")
_SECTION = re.compile(r"领导小组")


@dataclass(frozen=True, slots=True)
class Member:
    seq: int
    role: str
    name: str | None
    post: str | None
    unit: str | None  # a member unit (成员单位) instead of a person
    location: Location


def split_name_post(text: str, raw: str) -> tuple[str | None, str]:
    """(name, post) of ``叶仕良县委常委、副县长``; no name when the entry is not a person."""
    if text.startswith(("各", "全体", "有关", "相关")):
        return None, text  # 各镇镇长、… names a group of office holders, not one person
    tokens = [t for t in re.split(r"[ \t\u3000\u00a0]+", raw.strip()) if t]
    if len(tokens) >= 2 and all(len(t) <= 3 for t in tokens[:-1]) and len("".join(tokens[:-1])) in (2, 3):
        return "".join(tokens[:-1]), tokens[-1]
    if len(tokens) >= 2 and len(tokens[0]) in (2, 3):
        return tokens[0], "".join(tokens[1:])
    for n in (2, 3):
        if len(text) > n + 2 and _POST_START.match(text[n:]):
            return text[:n], text[n:]
    return None, text


_LABEL = re.compile(r"^\S{1,4}\s*\S?\s*[:：]")


def _unit_list_lines(paras: list[Paragraph], start: int) -> tuple[str, int]:
    """A member-unit list wrapped over several lines: its text and the index after it."""
    text = paras[start].text.strip()
    k = start + 1
    while not text.endswith("。") and k < len(paras):
        nxt = paras[k].text.strip()
        if _ROLE.match(nxt) or _LABEL.match(nxt) or _SECTION.search(nxt):
            break
        text += nxt
        k += 1
    return text, k


def extract_members(doc: Document) -> tuple[Member, ...]:
    out: list[Member] = []
    in_list = False
    role: str | None = None
    paras = [b for b in doc.blocks if isinstance(b, Paragraph)]
    skip_to = 0
    for index, block in enumerate(paras):
        if index < skip_to:
            continue
        text = block.text.strip()
        if (
            _SECTION.search(text)
            and ("名单" in text or "成员" in text)
            and len(text) < 80
            and not _ROLE.match(text)
        ):
            in_list, role = True, None
            continue
        if not in_list:
            continue
        m = _ROLE.match(text)
        if not m and _LABEL.match(text):  # 职 责：… — the member list is over
            in_list = False
            continue
        raw_m = _ROLE.match(block.raw.strip())
        if m:
            role = re.sub(r"\s+", "", m.group("role"))
            entry, raw_entry = m.group("rest"), raw_m.group("rest") if raw_m else m.group("rest")
        elif role is not None and len(text) <= 40 and "。" not in text:
            entry, raw_entry = text, block.raw.strip()
        else:
            if role is not None:
                in_list = False
            continue
        if not entry:
            continue
        name, post = split_name_post(entry, raw_entry)
        if name is None and m and ("、" in entry or "，" in entry) and role == "成员":
            whole, skip_to = _unit_list_lines(paras, index)
            entry = whole[m.end("role") :].lstrip(" :：")
            for unit in split_unit_names(entry)[0]:
                out.append(Member(len(out) + 1, role, None, None, unit, block.location))
            continue
        if name is None and not m and out and out[-1].name and not entry.startswith(("各", "全体")):
            # the post of the member above, wrapped onto a line of its own
            out[-1] = replace(out[-1], post=(out[-1].post or "") + entry)
            continue
        out.append(
            Member(
                len(out) + 1,
                role or "成员",
                name,
                post if name else None,
                None if name else post,
                block.location,
            )
        )
    return tuple(out)
