"""Write the sample corpus: ``python -m scripts.corpus [--out DIR] [--seeds DIR] [--formats …]``.

Each seed in ``--seeds`` (default ``../shared/seeds`` next to the project root) becomes
``<stem>.pdf``, ``<stem>.docx`` and ``<stem>.html`` in ``--out`` (default ``raw/``). Files are
written atomically (temp file + rename) and only when their bytes changed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from scripts.corpus.fonts import FontMissingError
from scripts.corpus.model import SourceDoc
from scripts.corpus.seeds import build_source, seed_files

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("pdf", "docx", "html")


def renderers() -> dict[str, Callable[[SourceDoc], bytes]]:
    from scripts.corpus.render_docx import render_docx
    from scripts.corpus.render_html import render_html
    from scripts.corpus.render_pdf import render_pdf

    return {"pdf": render_pdf, "docx": render_docx, "html": render_html}


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; True if written."""
    if path.exists() and path.read_bytes() == data:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def generate(seeds: Path, out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Render every seed in every format into ``out``; returns the paths, in order."""
    out.mkdir(parents=True, exist_ok=True)
    render = renderers()
    paths = []
    for seed in seed_files(seeds):
        src = build_source(seed)
        for fmt in formats:
            path = out / f"{seed.stem}.{fmt}"
            write_atomic(path, render[fmt](src))
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.corpus", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "raw", help="output folder (raw/)")
    parser.add_argument(
        "--seeds", type=Path, default=ROOT.parent / "shared" / "seeds", help="seed dumps folder"
    )
    parser.add_argument(
        "--formats", nargs="+", choices=FORMATS, default=list(FORMATS), help="formats to write"
    )
    args = parser.parse_args(argv)
    try:
        paths = generate(args.seeds, args.out, tuple(args.formats))
    except (FontMissingError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
