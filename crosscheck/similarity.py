"""How much of one Chinese text another one says.

Texts are compared on character bigrams after ``canonical`` (punctuation and spaces removed,
local rewordings from ``data/equivalents.tsv`` mapped to one form). Bigrams are weighted by how
rare they are across the texts being aligned (IDF), so the words every sentence of a plan shares
(政务公开, 基层政府) weigh little and the words that make a requirement specific weigh much.

``coverage(a, b)`` is the weighted share of ``a``'s bigrams found in ``b``: a plan task that
merges two requirements covers each of them well although it is much longer than either.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


@lru_cache(maxsize=1)
def equivalents() -> tuple[tuple[str, str], ...]:
    text = resources.files("crosscheck").joinpath("data", "equivalents.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        variant, canonical = line.split("\t")[:2]
        pairs.append((variant, canonical))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


@lru_cache(maxsize=8192)
def canonical(text: str) -> str:
    """Text reduced for comparison: rewordings unified, then punctuation and spaces dropped.

    Memoized: the aligner reduces each requirement and task once per pair it scores, and a
    template's requirements once for every plan checked against it."""
    for variant, canon in equivalents():
        text = text.replace(variant, canon)
    return _NOISE.sub("", text)


@lru_cache(maxsize=8192)
def bigrams(text: str) -> Counter[str]:
    """The character bigrams of ``canonical(text)`` with their counts. Memoized like ``canonical``
    (a template's requirements are counted once for all the plans checked against it): callers
    read the result, never change it."""
    t = canonical(text)
    return Counter(t[i : i + 2] for i in range(len(t) - 1))


class Weights:
    """IDF weights of bigrams over a collection of texts (requirements and tasks together)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._fit([bigrams(t) for t in texts])

    @classmethod
    def of_grams(cls, grams: Sequence[Counter[str]]) -> Weights:
        """The weights of the texts whose ``bigrams`` are ``grams`` (the aligner has them already)."""
        weights = cls.__new__(cls)
        weights._fit(grams)
        return weights

    def _fit(self, grams: Sequence[Counter[str]]) -> None:
        docs = [set(g) for g in grams]
        df: Counter[str] = Counter(g for d in docs for g in d)
        n = max(len(docs), 1)
        self._idf = {g: math.log((n + 1) / (c + 0.5)) for g, c in df.items()}
        self._default = math.log(n + 1) + 1.0

    def __call__(self, gram: str) -> float:
        return self._idf.get(gram, self._default)


def coverage(a: Counter[str], b: Counter[str] | set[str], weight: Weights) -> float:
    """Weighted share of the bigrams of ``a`` that ``b`` also has (0…1)."""
    total = sum(weight(g) * n for g, n in a.items())
    if not total:
        return 0.0
    found = sum(weight(g) * min(n, b[g] if isinstance(b, Counter) else 1) for g, n in a.items() if g in b)
    return found / total


class GramIndex:
    """Which of a list of texts (by their ``bigrams``) hold each bigram, and how often.

    ``coverages`` scores one text against all of them at once, visiting only the texts that share
    a bigram with it instead of every bigram against every text. Each value is the one
    ``coverage`` gives: the same terms are added in the same order.
    """

    def __init__(self, targets: Sequence[Counter[str]]) -> None:
        self.size = len(targets)
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for j, grams in enumerate(targets):
            for g, n in grams.items():
                self._postings.setdefault(g, []).append((j, n))

    def coverages(self, a: Counter[str], weight: Weights) -> list[float]:
        """``coverage(a, targets[j], weight)`` for every j."""
        terms = [(g, n, weight(g)) for g, n in a.items()]
        total = sum(w * n for _, n, w in terms)
        if not total:
            return [0.0] * self.size
        found = [0.0] * self.size
        for g, n, w in terms:
            for j, m in self._postings.get(g, ()):
                found[j] += w * min(n, m)
        return [f / total for f in found]


def union(grams: Sequence[Counter[str]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for g in grams:
        out |= g
    return out


def window_ratio(needle: str, haystack: str) -> float:
    """0…1: how closely ``needle`` matches its best-aligned stretch of ``haystack``."""
    a, b = canonical(needle), canonical(haystack)
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        return fuzz.ratio(a, b) / 100
    return fuzz.partial_ratio(a, b) / 100


def best_window(needle: str, haystack: str) -> tuple[int, int]:
    """(start, end) in ``haystack`` (original characters) of the stretch most like ``needle``."""
    if not needle or not haystack:
        return 0, 0
    result = fuzz.partial_ratio_alignment(needle, haystack)
    if result is None:
        return 0, len(haystack)
    return result.dest_start, result.dest_end
