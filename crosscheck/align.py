"""Align a plan's tasks with its template's requirements, many to many.

Cascade for every requirement (thresholds in ``AlignOptions``, documented in docs/crosscheck.md):

1. ``score``   each (requirement, task) pair: the larger of the IDF-weighted bigram coverage of
               the requirement by the task and the fuzzy ratio of the requirement against its
               best-aligned stretch of the task — both survive a task that adds text around it.
2. ``link``    the best task when it scores ``link`` or more, plus every other task scoring
               ``link`` too (the plan repeated the requirement), plus, when the best task covers
               the requirement only partly, the next tasks whose union covers clearly more (a
               split over several tasks).
3. ``status``  ``verbatim`` when the requirement stands unchanged inside a linked task
               (punctuation and spaces aside); ``modified`` when the linked tasks cover it at
               least ``modified``; ``partial`` when at least ``partial``; else ``missing``.

Each task linked to no requirement is ``added``, else ``matched``. A task can carry several
requirements (a merge); a requirement can rest on several tasks (a split).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from crosscheck.model import Alignment, Item, Link, RequirementResult, RequirementStatus, TaskResult
from crosscheck.similarity import (
    GramIndex,
    Terms,
    bigrams,
    canonical,
    canonical_ratio,
    collection_terms,
    held_share,
    idf_table,
)

_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class AlignOptions:
    """Similarity thresholds (0…1). See docs/crosscheck.md for how they were chosen.

    Overridden by the ``[thresholds]`` table of ``crosscheck.toml`` (``load_options``).
    """

    link: float = 0.55  # a task scoring this much for a requirement carries it
    split_step: float = 0.12  # another task joins a split when it adds this much coverage
    split_min: float = 0.35  # … and scores at least this much on its own
    modified: float = 0.6  # covered this much: the requirement is taken over, reworded
    partial: float = 0.3  # covered this much: taken over in part


def load_options(path: Path) -> AlignOptions:
    """``AlignOptions`` with the ``[thresholds]`` of a TOML file applied (defaults if absent)."""
    if not path.is_file():
        return AlignOptions()
    with path.open("rb") as fh:
        given = tomllib.load(fh).get("thresholds", {})
    known = {f.name for f in fields(AlignOptions)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ValueError(
            f"{path}: unknown threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    for name, value in given.items():
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{path}: threshold {name} must be a number from 0 to 1, got {value!r}")
    return replace(AlignOptions(), **{k: float(v) for k, v in given.items()})


def _strip(text: str) -> str:
    return _STRIP.sub("", text).replace("（", "(").replace("）", ")")


def is_verbatim(requirement: str, task: str) -> bool:
    """The requirement stands unchanged inside the task, punctuation and spaces aside."""
    return _strip(requirement) in _strip(task)


@dataclass(frozen=True, slots=True)
class _Requirements:
    """What scoring needs of a template's requirements, whichever plan they are checked against."""

    terms: tuple[Terms, ...]
    canonical: tuple[str, ...]  # for the fuzzy window ratio
    stripped: tuple[str, ...]  # for ``is_verbatim``


@lru_cache(maxsize=256)
def _requirements(texts: tuple[str, ...]) -> _Requirements:
    """Memoized: a template is aligned with every plan that implements it (hundreds)."""
    return _Requirements(
        collection_terms(texts), tuple(canonical(t) for t in texts), tuple(_strip(t) for t in texts)
    )


def _held(grams: Sequence[str], task: dict[str, int], held: list[int] | None = None) -> list[int]:
    """How often each of ``grams`` occurs in ``task``, or in ``task`` and the tasks of ``held``
    (the largest count): the counts of a ``Counter`` union, for ``held_share``."""
    counts = list(map(task.get, grams, repeat(0)))
    return counts if held is None else list(map(max, held, counts))


def align(
    requirements: Sequence[Item], tasks: Sequence[Item], options: AlignOptions | None = None
) -> Alignment:
    opts = options or AlignOptions()
    side = _requirements(tuple(r.text for r in requirements))
    task_grams = [bigrams(t.text) for t in tasks]
    task_index = GramIndex(task_grams)
    # IDF over the requirements and the tasks together (``Weights`` of both)
    idf = idf_table(len(requirements) + len(tasks))
    stripped: dict[int, str] = {}

    def verbatim(i: int, j: int) -> bool:
        """``is_verbatim(requirements[i].text, tasks[j].text)``, each text stripped once."""
        if j not in stripped:
            stripped[j] = _strip(tasks[j].text)
        return side.stripped[i] in stripped[j]

    results: list[RequirementResult] = []
    carried: dict[int, list[str]] = {j: [] for j in range(len(tasks))}
    for i, req in enumerate(requirements):
        terms = side.terms[i]
        covs, weights, total = task_index.weighted_coverages(terms, idf)
        # the coverage, or the window ratio when larger (looked for only from ``partial`` up)
        scores = [
            cov if cov < opts.partial else max(cov, canonical_ratio(side.canonical[i], canonical(t.text)))
            for cov, t in zip(covs, tasks, strict=True)
        ]
        # best first, ties in task order (a stable sort)
        scored = [(scores[j], j) for j in sorted(range(len(scores)), key=scores.__getitem__, reverse=True)]
        links: list[tuple[int, float]] = []
        if scored and scored[0][0] >= opts.link:
            links = [(j, s) for s, j in scored if s >= opts.link]
        held: list[int] | None = None
        for j, _ in links:
            held = _held(terms.grams, task_grams[j], held)
        cover = held_share(terms, weights, held, total) if held is not None else 0.0
        # a split: the requirement rests on more tasks than the best one
        for s, j in scored[len(links) : len(links) + 3]:
            if s < opts.split_min:
                break
            trial_held = _held(terms.grams, task_grams[j], held)
            trial = held_share(terms, weights, trial_held, total)
            if trial - cover >= opts.split_step:
                links.append((j, s))
                held = trial_held
                cover = trial
        best = max((s for _, s in links), default=scored[0][0] if scored else 0.0)
        similarity = max(best, cover)
        verbatims = [verbatim(i, j) for j, _ in links]
        status: RequirementStatus
        if links and any(verbatims):
            status = "verbatim"
        elif links and similarity >= opts.modified:
            status = "modified"
        elif links and similarity >= opts.partial:
            status = "partial"
        elif scored and scored[0][0] >= opts.partial:
            # no task carries it, but one touches it: a partial take-over by that task
            j = scored[0][1]
            links, similarity, status = [(j, scored[0][0])], scored[0][0], "partial"
            verbatims = [verbatim(i, j)]
        else:
            links, verbatims, status = [], [], "missing"
        for j, _ in links:
            carried[j].append(req.key)
        results.append(
            RequirementResult(
                requirement=req,
                status=status,
                similarity=round(similarity, 4),
                links=tuple(
                    Link(tasks[j].key, round(s, 4), v) for (j, s), v in zip(links, verbatims, strict=True)
                ),
            )
        )
    task_results = tuple(
        TaskResult(task=t, status="matched" if carried[j] else "added", requirements=tuple(carried[j]))
        for j, t in enumerate(tasks)
    )
    return Alignment(requirements=tuple(results), tasks=task_results, options=asdict(opts))
