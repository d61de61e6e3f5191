"""How much of one Chinese text another one says.

Texts are compared on character bigrams after ``canonical`` (punctuation and spaces removed,
local rewordings from ``data/equivalents.tsv`` mapped to one form). Bigrams are weighted by how
rare they are across the texts being aligned (IDF), so the words every sentence of a plan shares
(政务公开, 基层政府) weigh little and the words that make a requirement specific weigh much.

``coverage(a, b)`` is the weighted share of ``a``'s bigrams found in ``b``: a plan task that
merges two requirements covers each of them well although it is much longer than either.

``Weights``, ``coverage`` and ``GramIndex.coverages`` define the scores. The aligner computes the
same values faster (``Terms``, ``idf_table``, ``GramIndex.weighted_coverages``, ``held_share``): a
template's side is prepared once for all the plans checked against it, and each value is made of
the same terms added in the same order, so it is the same float.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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


@lru_cache(maxsize=64)
def idf_table(texts: int) -> tuple[float, ...]:
    """The IDF ``Weights`` gives a bigram held by c of ``texts`` texts, at index c (0…texts).

    A pair's weights take a few distinct values only, one per document frequency: looking them up
    here spares the aligner a dict of every bigram and a logarithm for each, per pair."""
    n = max(texts, 1)
    return tuple(math.log((n + 1) / (c + 0.5)) for c in range(n + 1))


@dataclass(frozen=True, slots=True)
class Terms:
    """A text's bigrams as parallel tuples in ``bigrams`` order (the order coverage sums them in),
    with how many texts of its collection hold each one (``df``, the text itself included)."""

    grams: tuple[str, ...]
    counts: tuple[int, ...]
    df: tuple[int, ...]


def collection_terms(texts: Sequence[str]) -> tuple[Terms, ...]:
    """``Terms`` of each of ``texts``, document frequencies counted over them."""
    grams = [bigrams(t) for t in texts]
    df = Counter(g for c in grams for g in c)  # a Counter's keys are distinct: one per text
    return tuple(Terms(tuple(c), tuple(c.values()), tuple(df[g] for g in c)) for c in grams)


def coverage(a: Counter[str], b: Counter[str] | set[str], weight: Weights) -> float:
    """Weighted share of the bigrams of ``a`` that ``b`` also has (0…1)."""
    total = sum(weight(g) * n for g, n in a.items())
    if not total:
        return 0.0
    found = sum(weight(g) * min(n, b[g] if isinstance(b, Counter) else 1) for g, n in a.items() if g in b)
    return found / total


class GramIndex:
    """Which of a list of texts (by their ``bigrams``) hold each bigram.

    ``coverages`` scores one text against all of them at once, visiting only the texts that share
    a bigram with it instead of every bigram against every text. Each value is the one
    ``coverage`` gives: the same terms are added in the same order.
    """

    def __init__(self, targets: Sequence[Counter[str]]) -> None:
        self.size = len(targets)
        self._targets = targets
        # which targets hold each bigram, in target order (their counts are looked up in the rare
        # case that the scored text repeats the bigram: most bigrams of a sentence occur once)
        postings: dict[str, list[int]] = {}
        for j, grams in enumerate(targets):
            for g in grams:
                holders = postings.get(g)
                if holders is None:
                    postings[g] = [j]
                else:
                    holders.append(j)
        self._postings = postings

    def coverages(self, a: Counter[str], weight: Weights) -> list[float]:
        """``coverage(a, targets[j], weight)`` for every j."""
        terms = [(g, n, weight(g)) for g, n in a.items()]
        total = sum(w * n for _, n, w in terms)
        if not total:
            return [0.0] * self.size
        found = [0.0] * self.size
        for g, n, w in terms:
            for j in self._postings.get(g, ()):
                found[j] += w * min(n, self._targets[j][g])
        return [f / total for f in found]

    def weighted_coverages(
        self, terms: Terms, idf: Sequence[float]
    ) -> tuple[list[float], list[float], float]:
        """``coverages`` of a text of a collection, weighted over the collection and the targets
        together (``Weights`` of both: a bigram's df is its df in the collection plus the number
        of targets holding it; ``idf`` is ``idf_table`` of their number). Also returns the weight
        of each of the text's bigrams and their weighted total, for ``held_share``.

        Every sum has the terms ``coverages`` adds, in its order: ``w * min(n, m)`` is written
        ``w`` when n is 1 and ``w * n`` when m ≥ n, the same floats."""
        found = [0.0] * self.size
        weights: list[float] = []
        postings, targets = self._postings, self._targets
        for g, n, df in zip(terms.grams, terms.counts, terms.df, strict=True):
            holders = postings.get(g)
            if holders is None:
                weights.append(idf[df])
                continue
            w = idf[df + len(holders)]
            weights.append(w)
            if n == 1:  # w * min(1, m) is w
                for j in holders:
                    found[j] += w
            else:
                wn = w * n
                for j in holders:
                    m = targets[j][g]
                    found[j] += wn if m >= n else w * m
        total = sum([w * n for w, n in zip(weights, terms.counts, strict=True)])
        if not total:
            return [0.0] * self.size, weights, total
        return [f / total for f in found], weights, total


def held_share(terms: Terms, weights: Sequence[float], held: Sequence[int], total: float) -> float:
    """``coverage`` of a text by the union of some texts, ``held[k]`` being the largest count of its
    k-th bigram among them (0: none has it); ``weights`` and ``total`` as ``weighted_coverages``
    gives them. No ``Counter`` union is built: only these counts matter."""
    if not total:
        return 0.0
    found = sum([w * (n if m >= n else m) for w, n, m in zip(weights, terms.counts, held, strict=True) if m])
    return found / total


def canonical_ratio(a: str, b: str) -> float:
    """``window_ratio`` of two texts already reduced by ``canonical``."""
    if not a or not b:
        return 0.0
    if a in b:  # the stretch equal to ``a`` scores 100, the most there is: skip the search for it
        return 1.0
    if len(a) > len(b):
        return fuzz.ratio(a, b) / 100
    return fuzz.partial_ratio(a, b) / 100


def window_ratio(needle: str, haystack: str) -> float:
    """0…1: how closely ``needle`` matches its best-aligned stretch of ``haystack``."""
    return canonical_ratio(canonical(needle), canonical(haystack))


def best_window(needle: str, haystack: str) -> tuple[int, int]:
    """(start, end) in ``haystack`` (original characters) of the stretch most like ``needle``."""
    if not needle or not haystack:
        return 0, 0
    result = fuzz.partial_ratio_alignment(needle, haystack)
    if result is None:
        return 0, len(haystack)
    return result.dest_start, result.dest_end
