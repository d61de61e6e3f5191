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

import gc
import logging
import marshal
import os
import re
import tempfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from parsers.startup import hidden
from parsers.text import ShortTextMemo
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
_ORGAN_STEM = "[\u4e00-\u9fff]{1,10}"  # what stands before the ending in an organ word of its own


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


def _jieba() -> ModuleType:
    """jieba, imported without setuptools' ``pkg_resources`` (unless something imported it).

    jieba 0.42 imports ``pkg_resources`` only to open its own data files, and opens them next to
    its module when that import fails; ``pkg_resources`` (deprecated) scans every installed
    distribution when imported: ~0.1 s of every reader's start, for nothing."""
    with hidden("pkg_resources"):
        import jieba
    return jieba


def _load_jieba_dictionary(tokenizer: Any) -> None:
    """jieba's prefix dictionary from its own cache file, read in one piece.

    ``jieba.initialize`` reads the 9 MB cache with ``marshal.load`` on the open file, which
    fetches it in small pieces (0.6–0.9 s); ``marshal.loads`` on the bytes gives the same
    dictionary in a third of that. Anything else than jieba's default dictionary and cache, or a
    cache that does not read, is left to ``initialize`` (which rebuilds and rewrites the cache).
    """
    jieba = _jieba()
    cache_file = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    own_cache = tokenizer.dictionary == jieba.DEFAULT_DICT and tokenizer.cache_file is None
    if not tokenizer.initialized and own_cache and cache_file.is_file():
        try:
            freq, total = marshal.loads(cache_file.read_bytes())
        except (EOFError, ValueError, TypeError) as exc:
            logging.getLogger(__name__).info("jieba cache %s unreadable (%s); rebuilding it", cache_file, exc)
        else:
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
    tokenizer.check_initialized()


@cache
def pipeline() -> Language:
    """The spaCy pipeline: jieba segmenter with the domain dictionary, organ entity ruler."""
    import spacy

    jieba = _jieba()
    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = str(_cache_dir())  # its 9 MB model cache, not in a shared temp folder
    _load_jieba_dictionary(jieba.dt)
    for word in organ_words():
        jieba.add_word(word, freq=200000, tag="nt")
    for level in LEVELS:
        jieba.add_word(level, freq=200000)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler")
    organ = {"IN": list(organ_words())}
    ending = {"REGEX": f"^{_ORGAN_STEM}(" + "|".join(ORGAN_ENDINGS) + ")$"}
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "ORG", "pattern": [{"TEXT": {"IN": list(LEVELS)}, "OP": "?"}, {"TEXT": organ}]},
            {"label": "ORG", "pattern": [{"TEXT": {"IN": list(LEVELS)}}, {"TEXT": ending}]},
        ]
    )
    return nlp


def warm() -> None:
    """Load jieba's dictionary and the spaCy pipeline now, once per process: a reader process
    calls this when it starts, so no document's time limit pays for it.

    What is loaded then stays for the life of the process, so it is moved out of the garbage
    collector's way (``gc.freeze``): otherwise every full collection walks those ~100 000 objects
    again, about 7 % of a reader's CPU time. Calling it again costs next to nothing.
    """
    pipeline()("省政府办公厅")  # the first text run also sets up the matcher
    gc.freeze()


def segment(text: str) -> list[str]:
    return [t.text for t in pipeline().make_doc(text)]


@cache
def _organ_clue() -> re.Pattern[str]:
    """What a text must contain for the entity ruler to find an organ in it: an organ word (the
    first pattern's token), or a level word, perhaps a space, then a word with an organ ending
    (the second pattern's two tokens). Tokens are pieces of the text, so this is a substring test."""
    words = "|".join(map(re.escape, organ_words()))
    levels = "|".join(map(re.escape, sorted(LEVELS, key=len, reverse=True)))
    endings = "|".join(map(re.escape, ORGAN_ENDINGS))
    return re.compile(rf"{words}|(?:{levels})\s*{_ORGAN_STEM}(?:{endings})")


def organ_mentions(text: str) -> list[str]:
    """Organ names in ``text``, in order (县级国家档案馆, 省国资委 …)."""
    return list(_organ_mentions(text))


@ShortTextMemo
def _organ_mentions(text: str) -> tuple[str, ...]:
    """Segmenting and matching cost about a millisecond a sentence: skipped for text without a
    clue, and remembered per text (plans repeat their template's sentences word for word)."""
    if not _organ_clue().search(text):
        return ()
    return tuple(ent.text for ent in pipeline()(text).ents if ent.label_ == "ORG")


def split_glued_organs(name: str) -> list[str] | None:
    """``审计厅省国资委`` → [审计厅, 省国资委] when the name is exactly several organ names."""
    mentions = organ_mentions(name)
    if len(mentions) >= 2 and "".join(mentions) == name:
        return mentions
    return None
