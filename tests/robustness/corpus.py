"""The bad-input corpus (``tests/fixtures/bad``, made by ``scripts/make_bad_corpus.py``)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from scripts.make_bad_corpus import read_manifest

ROOT = Path(__file__).resolve().parents[2]
BAD_DIR = ROOT / "tests" / "fixtures" / "bad"
GOOD_FILES = [ROOT / "raw" / f"001_3066dfd361fc75f9.{ext}" for ext in ("pdf", "docx", "html")]

#: Files a reader currently gets wrong: name -> (kind it gives now, what is wrong and where).
#: Their tests are ``xfail(strict=True)``: they flip to failures, to be removed here, once fixed.
KNOWN_WRONG: dict[str, tuple[str, str]] = {}


@dataclass(frozen=True)
class BadFile:
    name: str  # path relative to the corpus directory
    expected: str  # ParseError kind, or "ok"
    why: str

    @property
    def path(self) -> Path:
        return BAD_DIR / self.name

    @property
    def actual(self) -> str:
        """What the pipeline gives today (``expected`` unless the file is a known reader bug)."""
        return KNOWN_WRONG[self.name][0] if self.name in KNOWN_WRONG else self.expected


def manifest() -> list[BadFile]:
    return [BadFile(*row) for row in read_manifest(BAD_DIR)]


def copy_corpus(dest: Path, *, good: bool = True, bad: bool = True) -> Path:
    """``dest`` filled with the good sample files and/or the bad corpus (subdirectories kept)."""
    dest.mkdir(parents=True, exist_ok=True)
    if good:
        for path in GOOD_FILES:
            shutil.copy2(path, dest / path.name)
    if bad:
        for item in manifest():
            target = dest / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item.path, target)
    return dest
