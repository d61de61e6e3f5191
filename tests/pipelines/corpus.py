"""A temporary copy of the real sample corpus (``raw/``) plus two bad files, for pipeline tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_ROOT / "raw"
SAMPLE_FILES = 15  # 5 seeds x pdf/docx/html (SPEC §3)
BAD_FILES = {"bad.pdf": "empty", "x.docx": "corrupt"}  # name -> expected quarantine error_kind


def sample_files() -> list[Path]:
    files = sorted(p for p in SAMPLE_DIR.iterdir() if p.is_file() and p.suffix in {".pdf", ".docx", ".html"})
    if len(files) != SAMPLE_FILES:
        pytest.fail(
            f"raw/ holds {len(files)} sample files, expected {SAMPLE_FILES} "
            "(5 seeds x pdf/docx/html); regenerate the sample corpus"
        )
    return files


def make_corpus(dest: Path, files: list[Path] | None = None, *, bad: bool = True) -> Path:
    """Copy ``files`` (default: the whole sample corpus) to ``dest``; add the bad files."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in files if files is not None else sample_files():
        shutil.copy2(path, dest / path.name)
    if bad:
        (dest / "bad.pdf").write_bytes(b"")
        (dest / "x.docx").write_text("这不是一个 Word 文档，只是改了扩展名的文本。\n", encoding="utf-8")
    return dest
