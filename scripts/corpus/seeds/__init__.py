"""Per-seed structuring: one module per seed dump, each ``build(text, stem) -> SourceDoc``.

The modules use layout knowledge of their seed (anchors, column counts); that is the point of a
rendering script — the product's parsers must *not* do this.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scripts.corpus.model import SourceDoc
from scripts.corpus.seeds import s000, s001, s002, s003, s004

BUILDERS: dict[str, Callable[[str, str], SourceDoc]] = {
    "000": s000.build,
    "001": s001.build,
    "002": s002.build,
    "003": s003.build,
    "004": s004.build,
}


def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed dumps this script knows how to structure, in name order."""
    files = sorted(p for p in seeds_dir.glob("*.txt") if p.name[:3] in BUILDERS)
    if len(files) != len(BUILDERS):
        found = ", ".join(p.name for p in files) or "none"
        raise FileNotFoundError(f"expected {len(BUILDERS)} seeds in {seeds_dir}, found {found}")
    return files


def build_source(path: Path) -> SourceDoc:
    return BUILDERS[path.name[:3]](path.read_text(encoding="utf-8"), path.stem)
