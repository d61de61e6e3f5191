"""parsers.startup: loading with the cyclic collector off, what was loaded frozen; modules hidden
from an import."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator

import pytest

from parsers.startup import hidden, import_for_life, loading_for_life


@pytest.fixture(autouse=True)
def _thawed() -> Iterator[None]:
    yield
    gc.unfreeze()  # the rest of the session collects as usual
    gc.enable()


def test_what_is_loaded_is_frozen_and_the_collector_back_on() -> None:
    gc.unfreeze()
    with loading_for_life():
        assert not gc.isenabled()
        kept = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(kept)
    assert all(o is not kept[0] for o in gc.get_objects())  # left out of every collection


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with loading_for_life():
        pass
    assert not gc.isenabled()


def test_import_for_life_imports_the_modules() -> None:
    sys.modules.pop("parsers.docnumber", None)
    import_for_life("parsers.docnumber")
    assert "parsers.docnumber" in sys.modules and gc.isenabled()


def test_a_hidden_module_fails_to_import_inside_and_imports_after() -> None:
    sys.modules.pop("colorsys", None)
    with hidden("colorsys", "json"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module("colorsys")
        assert importlib.import_module("json").dumps([1]) == "[1]"  # imported already: usable
    assert "colorsys" not in sys.modules
    assert importlib.import_module("colorsys").rgb_to_hsv(0, 0, 0) == (0.0, 0.0, 0.0)
