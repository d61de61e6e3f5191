"""Chinese word segmentation and organ-name recognition, loaded once per process.

jieba segments with a domain dictionary (``data/organ_names.txt`` plus both columns of
``data/unit_abbreviations.tsv``), so 审计厅省国资委 reads 审计厅 / 省 / 国资委 instead of
审计 / 厅省 / 国资委; a spaCy ``zh`` pipeline on that segmenter carries an entity ruler that marks
organ names (an optional level word — 省, 市, 县 … — and an organ word). Nothing is downloaded: a
blank pipeline with rule components only.

Used where rules on separators run out: splitting unit names that arrive glued together (a
separator lost in a PDF cell) and finding the organs a template's prose requirement names.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from parsers.vocab import data_lines

if TYPE_CHECKING:
    from spacy.language import Language

LEVELS = (
    "省",
    "市",
    "州",
    "县",
    "区",
    "乡",
    "镇",
    "自治州",
    "县级",
    "市级",
    "省级",
    "省直",
    "市直",
    "县直",
    "省委",
    "市委",
    "州委",
    "县委",
    "区委",
)
ORGAN_ENDINGS = ("厅", "局", "委", "办", "中心", "馆", "部", "院", "室", "会")


@cache
def organ_words() -> tuple[str, ...]:
    from parsers.units import abbreviations

    words = set(data_lines("organ_names"))
    for short, full in abbreviations():
        words.update((short, full))
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def _cache_dir() -> Path:
    base = os.environ.get("GONGWEN_CACHE_DIR") or os.path.join(tempfile.gettempdir(), "gongwen")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


@cache
def pipeline() -> Language:
    """The spaCy pipeline: jieba segmenter with the domain dictionary, organ entity ruler."""
    import jieba
    import spacy

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(_cache_dir())  # its 9 MB model cache, not in a shared temp folder
    for word in organ_words():
        jieba.add_word(word, freq=200000, tag="nt")
    for level in LEVELS:
        jieba.add_word(level, freq=200000)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler")
    organ = {"IN": list(organ_words())}
    ending = {"REGEX": "^[\u4e00-\u9fff]{1,10}(" + "|".join(ORGAN_ENDINGS) + ")$"}
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "ORG", "pattern": [{"TEXT": {"IN": list(LEVELS)}, "OP": "?"}, {"TEXT": organ}]},
            {"label": "ORG", "pattern": [{"TEXT": {"IN": list(LEVELS)}}, {"TEXT": ending}]},
        ]
    )
    return nlp


def segment(text: str) -> list[str]:
    return [t.text for t in pipeline().make_doc(text)]


def organ_mentions(text: str) -> list[str]:
    """Organ names in ``text``, in order (县级国家档案馆, 省国资委 …)."""
    return [ent.text for ent in pipeline()(text).ents if ent.label_ == "ORG"]


def split_glued_organs(name: str) -> list[str] | None:
    """``审计厅省国资委`` → [审计厅, 省国资委] when the name is exactly several organ names."""
    mentions = organ_mentions(name)
    if len(mentions) >= 2 and "".join(mentions) == name:
        return mentions
    return None
