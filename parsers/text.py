"""Small text helpers shared by the extractors."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, update_wrapper
from typing import Concatenate, Generic, ParamSpec, TypeVar

T = TypeVar("T", bound=str | None)
P = ParamSpec("P")
R = TypeVar("R")

OPENING = "(（[［〔【《"
CLOSING = ")）]］〕】》"


def split_outside_brackets(text: str, separators: str, strip: str = " \t。.") -> list[str]:
    """Split at ``separators`` that stand outside any brackets; parts are stripped of ``strip``
    and empty parts dropped (``各市(州)、县(市、区)人民政府,有关单位`` at ``,`` → two parts)."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in OPENING:
            depth += 1
        elif ch in CLOSING and depth:
            depth -= 1
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip(strip) for p in parts if p.strip(strip)]


class ShortTextMemo(Generic[T, P, R]):
    """A pure function of a text (and hashable options), its results remembered for texts of up to
    ``max_chars`` characters (the last ``maxsize`` of them).

    Notices repeat their short texts (unit lists down a task table, a template's sentences in every
    plan, page chrome on every page); longer texts are computed each time, so a hostile page of
    huge lines is not kept alive after it was read.
    """

    def __init__(
        self, fn: Callable[Concatenate[T, P], R], max_chars: int = 1000, maxsize: int = 4096
    ) -> None:
        self._fn: Callable[Concatenate[T, P], R] = fn
        self._remembered = lru_cache(maxsize=maxsize)(fn)
        self._max_chars = max_chars
        update_wrapper(self, fn)

    def __call__(self, text: T, *args: P.args, **kwargs: P.kwargs) -> R:
        if text is not None and len(text) > self._max_chars:
            return self._fn(text, *args, **kwargs)
        return self._remembered(text, *args, **kwargs)  # type: ignore[arg-type]  # options are hashable

    def cache_clear(self) -> None:
        self._remembered.cache_clear()
