"""The floor: every file read by the bare libraries, the least any pipeline must do.

``python -m scripts.benchmark.floor DIR [--jobs J]`` prints one JSON object: wall seconds,
files and pages per format, characters and tables found. PDF: ``pdfplumber`` opens the file,
then per page ``page.chars`` and ``page.find_tables()``; DOCX: ``python-docx`` loads it and reads
every paragraph's text and every table cell; HTML: ``lxml.html`` parses the bytes and takes the
text content. ``--jobs J`` spreads files over J processes (as the pipeline does), largest first.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def read_pdf(path: Path) -> tuple[int, int, int]:
    import pdfplumber

    chars = tables = 0
    with pdfplumber.open(path) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            chars += len(page.chars)
            tables += len(page.find_tables())
            page.close()
    return pages, chars, tables


def read_docx(path: Path) -> tuple[int, int, int]:
    import docx

    doc = docx.Document(str(path))
    chars = sum(len(p.text) for p in doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            chars += sum(len(c.text) for c in row.cells)
    return 0, chars, len(doc.tables)


def read_html(path: Path) -> tuple[int, int, int]:
    import lxml.html

    root = lxml.html.document_fromstring(path.read_bytes())
    return 0, len(root.text_content()), len(root.findall(".//table"))


READERS = {".pdf": read_pdf, ".docx": read_docx, ".html": read_html, ".htm": read_html}


def read_one(path: str) -> tuple[str, float, int, int, int]:
    p = Path(path)
    t0 = time.perf_counter()
    pages, chars, tables = READERS[p.suffix.lower()](p)
    return p.suffix.lower().lstrip("."), time.perf_counter() - t0, pages, chars, tables


def _warm() -> None:
    import docx  # noqa: F401
    import lxml.html  # noqa: F401
    import pdfplumber  # noqa: F401


def measure(folder: Path, jobs: int = 1) -> dict[str, object]:
    files = sorted(
        (p for p in folder.iterdir() if p.suffix.lower() in READERS), key=lambda p: -p.stat().st_size
    )
    t0 = time.perf_counter()
    if jobs <= 1:
        _warm()
        results = [read_one(str(p)) for p in files]
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_warm) as pool:
            results = list(pool.map(read_one, [str(p) for p in files], chunksize=4))
    wall = time.perf_counter() - t0
    by_fmt: dict[str, dict[str, float]] = {}
    for fmt, seconds, pages, chars, tables in results:
        agg = by_fmt.setdefault(fmt, {"files": 0, "seconds": 0.0, "pages": 0, "chars": 0, "tables": 0})
        agg["files"] += 1
        agg["seconds"] += seconds
        agg["pages"] += pages
        agg["chars"] += chars
        agg["tables"] += tables
    return {"wall_s": wall, "jobs": jobs, "files": len(files), "formats": by_fmt}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.benchmark.floor", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    result = measure(args.folder, args.jobs)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_s"] = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    result["max_rss_mb"] = max(me.ru_maxrss, kids.ru_maxrss) / 1024
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
