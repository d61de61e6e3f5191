"""Start-up of a long-lived process: loading what it keeps for its whole life (modules,
dictionaries, pipelines) without Python's cyclic garbage collector walking it over and over.

Importing Dagster, pyarrow, spaCy or pdfplumber makes hundreds of thousands of objects that live
as long as the process. While they are made, the collector runs full passes over the growing heap
(measured with ``gc.callbacks``: ~0.5 s of ``gongwen run``'s start-up, ~0.15 s of each reader's,
~0.1 s of each cross-check worker's). Loading with the collector off and freezing what was loaded
(``gc.freeze``: later passes leave it out too) costs none of that; the price is that a reference
cycle made while loading is not collected before the process exits, which for import-time
objects is what happens anyway.

Libraries also import optional modules they have no use for in gongwen's processes (jieba imports
``pkg_resources``, pyarrow imports pandas): ``hidden`` makes such an import fail for the moment
the library tries it.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.machinery import ModuleSpec


@contextmanager
def loading_for_life() -> Iterator[None]:
    """The collector off for the duration; what exists at the end is frozen, then the collector is
    back on (if it was on)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        # at exit the frozen objects are collectable again: an interpreter that is torn down
        # (a test session) frees them, and extension modules find nothing leaked
        atexit.unregister(gc.unfreeze)
        atexit.register(gc.unfreeze)
        if enabled:
            gc.enable()


def import_for_life(*modules: str) -> None:
    """Import ``modules`` under ``loading_for_life``: a worker pool's initializer."""
    with loading_for_life():
        for name in modules:
            importlib.import_module(name)


class _Hidden:
    """A finder, first on ``sys.meta_path``, that refuses to import some modules."""

    def __init__(self, names: frozenset[str]) -> None:
        self.names = names

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: object = None
    ) -> ModuleSpec | None:
        if name in self.names:
            raise ModuleNotFoundError(f"{name} is not imported here (parsers.startup.hidden)", name=name)
        return None


@contextmanager
def hidden(*names: str) -> Iterator[None]:
    """While inside, importing any of ``names`` (not imported yet) fails as if it were not
    installed: for a library that imports an optional module it has no use for here at a cost
    (jieba and ``pkg_resources``, pyarrow and pandas). Modules already imported stay usable."""
    finder = _Hidden(frozenset(n for n in names if n not in sys.modules))
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
