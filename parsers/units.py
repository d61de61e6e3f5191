"""Responsible units (牵头单位 / 责任单位 / 配合单位): split a list, classify, normalize.

Rules, in order, over one cell or one ``责任单位：…`` line:

``notes``      parenthesised instructions are taken out (``（排第一位的为牵头单位，下同）`` — that one
               also switches on the lead-first rule — ``（详见附件4）``); qualifiers such as ``(街道)``,
               ``(单位)``, ``(州)`` stay
``tail``       trailing how-to phrases go (``按各自职责分工推进``, ``负责``)
``split``      at ，,；;、 and line breaks outside parentheses (a line starting with 等 continues
               the line before)
``regroup``    a bare administrative level (``各乡``, ``市(州)``) followed by a level's government
               belongs to it: ``各乡、镇人民政府`` and ``市(州)、县(市、区)人民政府`` are each one
               group, while ``各镇(街道)、各园区`` stay two
``glued``      names run together without a separator (``审计厅省国资委``, a separator lost in a
               PDF cell) are split where the organ-name recogniser (``parsers.nlp``) finds
               organ names that exactly make up the part
``etc``        ``A等B`` gives the unit A and the group mention B (``市发改局等市级相关部门``)
``kind``       group when it names many (各…, 相关/有关…, N个…, …的单位), else agency
``normalize``  abbreviations expanded through ``data/unit_abbreviations.tsv``
               (``市发改局`` → ``市发展改革局``), so the same agency written two ways compares equal
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from parsers.text import ShortTextMemo, split_outside_brackets

Role = Literal["lead", "responsible", "cooperating", "mentioned"]
Kind = Literal["agency", "group"]

LEAD_FIRST_RULE = re.compile(r"排(?:在)?第一(?:位)?(?:的)?(?:为|是)牵头(?:单位)?")
# A note is a parenthesised group (no parentheses inside) that names one of these words. Written as
# "find the group, then look for the word": the single pattern ``[（(][^（）()]*(?:词)[^（）()]*[）)]``
# backtracked quadratically on a long unclosed group (40 000 characters: 10 s).
_PAREN_GROUP = re.compile(r"[（(][^（）()]*[）)]")
_NOTE_WORD = re.compile(r"牵头|下同|附件|详见|见|负责|配合")
_TAIL = re.compile(
    r"(?:按(?:照)?各自职责(?:分工)?(?:推进|负责|落实)?|按职责分工负责|分别负责|共同负责|负责落实|负责)$"
)
_BARE_LEVEL = re.compile(r"^各?(?:乡|镇|县|市|区|州|乡镇|街道|村|社区|省)(?:[（(][^（）()]+[）)])?$")
_GROUP = re.compile(
    r"^各|^其他|^其它|相关|有关|^\d+个|各部门|各直属|各单位|"
    r"(?:县级|市级|省级|州级|省直|市直|县直)部门|^部门$|^单位$"
)
# Two more group forms are tested by ``_group_by_ending``: ``…的…部门/单位/机构`` (optionally
# followed by a parenthesised qualifier) and ``A、…政府/部门/单位``. As the patterns
# ``的.*(?:部门|单位|机构)(?:[（(].*[）)])?$`` and ``、.*(?:人民政府|政府|部门|单位)$`` they
# backtracked cubically / quadratically (12 000 characters: minutes).
_GROUP_WORD = re.compile(r"部门|单位|机构")
_GROUP_WORD_PAREN = re.compile(r"(?:部门|单位|机构)[（(]")
_LEVEL_GOVERNMENT = re.compile(
    r"^(?:乡|镇|县|市|区|州|乡镇|街道)(?:[（(][^（）()]+[）)])?(?:人民政府|政府|街道办事处|办事处)$"
)
_SEPARATORS = "，,；;、"


@dataclass(frozen=True, slots=True)
class Unit:
    """One unit as named in a list, with its normalized name, role and kind."""

    name: str  # as written, notes removed: 市发改局 / 各乡、镇人民政府 / 市级相关部门
    normalized: str  # abbreviations expanded: 市发展改革局
    kind: Kind
    role: Role


@dataclass(frozen=True, slots=True)
class UnitList:
    units: tuple[Unit, ...]
    lead_first_rule: bool  # the text stated 排第一位的为牵头单位


@lru_cache(maxsize=1)
def abbreviations() -> tuple[tuple[str, str], ...]:
    """(short, full) pairs, longest short form first."""
    text = resources.files("parsers").joinpath("data", "unit_abbreviations.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line or line.startswith("abbreviation\t"):
            continue
        short, full = line.split("\t")[:2]
        pairs.append((short.strip(), full.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@lru_cache(maxsize=1)
def _abbreviations_by_last_char() -> dict[str, tuple[tuple[str, str], ...]]:
    """``abbreviations()`` grouped by the last character of the short form, each group in the same
    order: a name can only end with a short form that ends with its own last character."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for short, full in abbreviations():
        groups.setdefault(short[-1:], []).append((short, full))
    return {last: tuple(pairs) for last, pairs in groups.items()}


def normalize_unit_name(name: str) -> str:
    """Expand a known short form at the end of ``name`` (``县发改局`` → ``县发展改革局``)."""
    groups = _abbreviations_by_last_char()
    if "" in groups:  # an empty short form would end every name: keep the one scan in file order
        candidates: tuple[tuple[str, str], ...] = abbreviations()
    else:
        candidates = groups.get(name[-1:], ())
    for short, full in candidates:
        if name.endswith(short) and not name.endswith(full):
            return name[: -len(short)] + full
    return name


def _group_by_ending(name: str) -> bool:
    """``re.search`` of ``的.*(?:部门|单位|机构)(?:[（(].*[）)])?$`` or ``、.*(?:人民政府|政府|部门|单位)$``
    on ``name``, in linear time."""
    text = name[:-1] if name.endswith("\n") else name  # ``$`` also matches before a final \n
    line = text.rsplit("\n", 1)[-1]  # ``.`` does not cross line breaks
    for word in ("政府", "部门", "单位"):  # 人民政府 ends in 政府
        if line.endswith(word) and "、" in line[: -len(word)]:
            return True
    first = line.find("的")
    if first < 0:
        return False
    if len(line) - 2 > first and _GROUP_WORD.fullmatch(line, len(line) - 2):
        return True
    if not line.endswith(("）", ")")):
        return False
    m = _GROUP_WORD_PAREN.search(line, first + 1)
    return m is not None and m.end() <= len(line) - 1


def unit_kind(name: str) -> Kind:
    return "group" if _GROUP.search(name) or _group_by_ending(name) else "agency"


def remove_notes(text: str) -> str:
    """Take out parenthesised instructions (``（排第一位的为牵头单位，下同）``, ``（详见附件4）``)."""
    return _PAREN_GROUP.sub(lambda m: "" if _NOTE_WORD.search(m.group()) else m.group(), text)


def _regroup(parts: list[str]) -> list[str]:
    out: list[str] = []
    pending: list[str] = []
    for i, part in enumerate(parts):
        following = parts[i + 1] if i + 1 < len(parts) else ""
        if _BARE_LEVEL.match(part) and (_LEVEL_GOVERNMENT.match(following) or _BARE_LEVEL.match(following)):
            pending.append(part)
            continue
        out.append("、".join([*pending, part]))
        pending = []
    out.extend(pending)
    return out


_ROLE_LABEL = re.compile(r"^(?P<label>牵头|责任|配合|协办)(?:单位|部门)?\s*[:：]\s*")
_LABEL_ROLE: dict[str, Role] = {
    "牵头": "lead",
    "责任": "responsible",
    "配合": "cooperating",
    "协办": "cooperating",
}


_ORGAN_END = re.compile(r"(?:厅|局|委|中心|馆)(?=[省市县州区]|[\u4e00-\u9fff]{2,})")


def _looks_glued(part: str) -> bool:
    """Cheap test before asking the segmenter: an organ ending with more organ text after it."""
    return len(part) >= 6 and bool(_ORGAN_END.search(part)) and unit_kind(part) == "agency"


def split_unit_names(text: str) -> tuple[list[str], bool]:
    """The unit names of a list, and whether it states the lead-first rule."""
    labelled, lead_first = split_labelled_units(text)
    return [name for name, _ in labelled], lead_first


def split_labelled_units(text: str) -> tuple[list[tuple[str, Role | None]], bool]:
    """Unit names with the role a label in the list gives them (``牵头：A、B 配合：C``)."""
    lead_first = bool(LEAD_FIRST_RULE.search(text))
    # A line of its own is an item (a cell listing one unit per line); a line starting with
    # 等 continues the line before it (``市民政局`` / ``等市级相关部门``).
    text = re.sub(r"\s*\n\s*(?=等)", "", text.strip())
    text = remove_notes(re.sub(r"\s*\n\s*", "、", text))
    names: list[tuple[str, Role | None]] = []
    label_role: Role | None = None
    for part in _regroup(split_outside_brackets(text, _SEPARATORS)):
        label = _ROLE_LABEL.match(part)
        if label:
            label_role = _LABEL_ROLE[label.group("label")]
            part = part[label.end() :]
        part = _TAIL.sub("", part).strip()
        if _looks_glued(part):  # 审计厅省国资委: a separator lost on the way (a PDF cell)
            from parsers.nlp import split_glued_organs

            split = split_glued_organs(part)
            if split:
                names.extend((name, label_role) for name in split)
                continue
        if "等" in part:
            head, _, group = part.partition("等")
            if head and not re.search(r"\d$", head):
                names.append((head.strip(), label_role))
                if group.strip():
                    names.append((group.strip(), label_role))
                continue
        if part:
            names.append((part, label_role))
    return names, lead_first


@ShortTextMemo
def parse_units(text: str | None, role: Role = "responsible", *, lead_first: bool = False) -> UnitList:
    """Units of one list; with ``lead_first`` (or the rule stated in the text) the first is the lead.

    Remembered per list (the result is immutable): a task table repeats its unit lists row after
    row, and the notices of one region name the same offices."""
    if not text or not text.strip():
        return UnitList((), False)
    names, stated = split_labelled_units(text)
    first_is_lead = lead_first or stated
    units = []
    for i, (name, labelled) in enumerate(names):
        unit_role: Role = "lead" if (first_is_lead and i == 0) else (labelled or role)
        units.append(Unit(name, normalize_unit_name(name), unit_kind(name), unit_role))
    return UnitList(tuple(units), stated)
