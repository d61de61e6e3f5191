"""A benchmark corpus of N distinct notices derived from the sample corpus.

File ``i`` (0-based) is seed ``i % 5`` in format ``(i // 5) % 3`` (PDF, DOCX, HTML: ~1/3 each),
variant ``v = i // 5`` of that seed. A variant is the seed's structured source
(``scripts.corpus.seeds``) changed deterministically, then rendered by the sample-corpus
renderers, so the files have the seeds' realistic layout, sizes, page counts and tables:

* the seed's place (泸县, 楚雄, 万源, 雅安) becomes another one of the same kind (``v % len``);
* its own document number gets sequence ``v + 1`` (〔year〕seq 号), so plans stay distinct;
* the signing date moves ``v // len(places)`` days back (same year); 楚雄 (002), which has no
  number and no date of its own, sets a deadline that many months later (后2个月内 → 后N个月内);
* the template (000) keeps its number 川办函〔2021〕57号: its variants are copies of one notice
  with different bytes (the cross-check checks one copy), and every county plan implements it,
  as in a province where the counties carry out one provincial plan (``TEMPLATES`` > 1 spreads
  the plans over that many template numbers; each cited by number only, since they share a title);
* in every table with more than five rows one plain row (no merged cell) is dropped or
  duplicated, and two adjacent plain body paragraphs swap places (a seeded ``random.Random``).

(place, date shift, number) differ between variants of a seed, so every file has a distinct
content hash (checked). The file for index ``i`` does not depend on N: every file ever rendered
for a seed is kept in ``tmp/benchmark/files-<seed>/`` and the corpus of size N,
``tmp/benchmark/corpus-<N>-<seed>/``, holds hard links to its first N files; nothing is rendered twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import random
import re
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scripts.corpus.model import Block, Cell, Para, Role, SourceDoc, Table
from scripts.corpus.seeds.common import ITEM_START

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
FORMATS = ("pdf", "docx", "html")
GENERATOR_VERSION = "3"  # bump when the variations change: cached corpora are then rebuilt

#: The place each seed is about, and places of the same kind it becomes in variants.
_PLACE_NAMES = {
    "001": ("泸县", "泸县 合江县 叙永县 古蔺县 富顺县 荣县 宜宾县 南溪县 江安县 长宁县 高县 筠连县"),
    "002": ("楚雄", "楚雄 大理 红河 文山 西双版纳 德宏 怒江 迪庆 凉山 甘孜 阿坝 黔东南"),
    "003": ("万源", "万源 华蓥 阆中 江油 彭州 邛崃 崇州 简阳 广汉 什邡 绵竹 隆昌"),
    "004": ("雅安", "雅安 眉山 资阳 遂宁 内江 乐山 自贡 泸州 德阳 绵阳 广元 南充"),
}
PLACES: dict[str, tuple[str, tuple[str, ...]]] = {
    key: (home, tuple(names.split())) for key, (home, names) in _PLACE_NAMES.items()
}
TEMPLATE_SEED, TEMPLATE_NUMBER = "000", ("川办函", 2021, 57)
DOC_NUMBER = re.compile(r"〔(\d{4})〕(\s*)(\d+)(\s*)号")
DATE = re.compile(r"(\d{4})(\s*)年(\s*)(\d{1,2})(\s*)月(\s*)(\d{1,2})(\s*)日")


TEMPLATES = 1  # copies of one template; >1: that many template numbers, plans spread over them


def cited_template(k: int) -> str:
    prefix, year, seq = TEMPLATE_NUMBER
    return f"{prefix}〔{year}〕{seq + k}号"


# --- variations of a SourceDoc ---------------------------------------------------------------


def _map_text(src: SourceDoc, fn: Callable[[str, Role | None], str]) -> SourceDoc:
    blocks: list[Block] = []
    for b in src.blocks:
        if isinstance(b, Para):
            blocks.append(dataclasses.replace(b, text=fn(b.text, b.role)))
        else:
            cells = tuple(dataclasses.replace(c, text=fn(c.text, None)) for c in b.cells)
            blocks.append(dataclasses.replace(b, cells=cells))
    web = src.web
    web_fields = {
        f.name: fn(getattr(web, f.name), None)
        for f in dataclasses.fields(web)
        if isinstance(getattr(web, f.name), str) and f.name not in ("charset", "codec", "info_bar")
    }
    web_fields.update(
        {
            name: tuple(fn(t, None) for t in getattr(web, name))
            for name in ("breadcrumb", "keywords", "column_heads", "after_article", "footer")
        }
    )
    return dataclasses.replace(
        src,
        title=fn(src.title, None) if src.title else src.title,
        blocks=tuple(blocks),
        web=dataclasses.replace(web, **web_fields),
    )


def _plain_rows(t: Table) -> list[int]:
    """Data rows whose every cell is its own 1×1 cell and that no merged cell spans."""
    spanned = {r for c in t.cells if c.rowspan > 1 for r in range(c.row, c.row + c.rowspan)}
    by_row: dict[int, list[Cell]] = {}
    for c in t.cells:
        by_row.setdefault(c.row, []).append(c)
    return [
        r
        for r in range(t.header_rows, t.n_rows)
        if r not in spanned and all(c.colspan == 1 and c.rowspan == 1 for c in by_row.get(r, []))
    ]


def _edit_row(t: Table, rng: random.Random) -> Table:
    rows = _plain_rows(t)
    if t.n_rows - t.header_rows <= 5 or not rows:
        return t
    r = rng.choice(rows)
    if rng.random() < 0.5:  # drop row r
        cells = [c for c in t.cells if c.row != r]
        cells = [dataclasses.replace(c, row=c.row - 1) if c.row > r else c for c in cells]
        n_rows = t.n_rows - 1
    else:  # duplicate row r (the copy right below it)
        cells = [dataclasses.replace(c, row=c.row + 1) if c.row > r else c for c in t.cells]
        cells += [dataclasses.replace(c, row=r + 1) for c in t.cells if c.row == r]
        n_rows = t.n_rows + 1
    cells.sort(key=lambda c: (c.row, c.col))
    return dataclasses.replace(t, n_rows=n_rows, cells=tuple(cells))


def _swap_paragraphs(blocks: list[Block], rng: random.Random) -> list[Block]:
    def plain(b: Block) -> bool:
        return (
            isinstance(b, Para)
            and b.role is Role.BODY
            and b.auto_number is None
            and not b.new_page
            and not ITEM_START.match(b.text)
            and "责任单位" not in b.text
        )

    pairs = [i for i in range(len(blocks) - 1) if plain(blocks[i]) and plain(blocks[i + 1])]
    if pairs:
        i = rng.choice(pairs)
        blocks[i], blocks[i + 1] = blocks[i + 1], blocks[i]
    return blocks


def vary(src: SourceDoc, seed_key: str, v: int, rng_seed: int) -> SourceDoc:
    """Variant ``v`` of a seed's source (``v = 0`` is changed too, so no file repeats raw/)."""
    rng = random.Random(f"{rng_seed}:{seed_key}:{v}")
    k_templates = TEMPLATES
    # 1. place
    if seed_key in PLACES:
        home, others = PLACES[seed_key]
        place = others[v % len(others)]
        shift = v // len(others)
        if place != home:
            src = _map_text(src, lambda t, role: t.replace(home, place))
    else:
        shift = v
    # 2. own document number and 3. signing date
    template_k = v % k_templates

    def own(text: str, role: Role | None) -> str:
        if role is Role.DOC_NUMBER:
            if seed_key == TEMPLATE_SEED:
                return DOC_NUMBER.sub(
                    lambda m: f"〔{m[1]}〕{m[2]}{TEMPLATE_NUMBER[2] + template_k}{m[4]}号", text
                )
            return DOC_NUMBER.sub(lambda m: f"〔{m[1]}〕{m[2]}{v + 1}{m[4]}号", text)
        if role is Role.DATE:

            def moved(m: re.Match[str]) -> str:
                day = dt.date(int(m[1]), int(m[4]), int(m[7])) - dt.timedelta(days=1 + shift)
                if day.year != int(m[1]):
                    day = dt.date(int(m[1]), 1, 1) + dt.timedelta(days=shift % 300)
                return f"{day.year}{m[2]}年{m[3]}{day.month}{m[5]}月{m[6]}{day.day}{m[8]}日"

            return DATE.sub(moved, text)
        return text

    src = _map_text(src, own)
    if seed_key == "002":  # no document number or date of its own: its deadline in months varies
        src = _map_text(src, lambda t, role: t.replace("后2个月内", f"后{2 + shift}个月内"))
    if seed_key != TEMPLATE_SEED and k_templates > 1:
        cite = cited_template(v % k_templates)
        src = _map_text(src, lambda t, role: t.replace(cited_template(0), cite))
    # 4. table rows and paragraph order
    blocks = [(_edit_row(b, rng) if isinstance(b, Table) else b) for b in src.blocks]
    return dataclasses.replace(src, blocks=tuple(_swap_paragraphs(blocks, rng)))


# --- generation ------------------------------------------------------------------------------


def plan(n: int) -> list[tuple[int, str, str, int]]:
    """``(i, seed key, format, variant)`` of every file of an N-document corpus."""
    return [(i, f"{i % 5:03d}", FORMATS[(i // 5) % 3], i // 5) for i in range(n)]


_SOURCES: dict[str, SourceDoc] = {}
_RENDER: dict[str, Callable[[SourceDoc], bytes]] = {}


def _render_one(job: tuple[int, str, str, int, int, str]) -> tuple[str, str, int]:
    i, seed_key, fmt, v, rng_seed, out = job
    if not _SOURCES:
        from scripts.corpus.__main__ import renderers
        from scripts.corpus.seeds import build_source, seed_files

        _SOURCES.update({p.name[:3]: build_source(p) for p in seed_files(SEEDS_DIR)})
        _RENDER.update(renderers())
    data = _RENDER[fmt](vary(_SOURCES[seed_key], seed_key, v, rng_seed))
    name = file_name(i)
    tmp = Path(out) / f".{name}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, Path(out) / name)
    return name, hashlib.sha256(data).hexdigest(), len(data)


def file_name(i: int) -> str:
    return f"{i:05d}_{i % 5:03d}.{FORMATS[(i // 5) % 3]}"


def generate(n: int, rng_seed: int, cache: Path, jobs: int | None = None, log=print) -> Path:
    """The corpus directory for (n, seed): hard links to the first n rendered files."""
    pool_dir = cache / f"files-{rng_seed}-v{GENERATOR_VERSION}"
    out = cache / f"corpus-{n}-{rng_seed}-v{GENERATOR_VERSION}"
    if out.is_dir() and len(list(out.iterdir())) == n:
        return out
    pool_dir.mkdir(parents=True, exist_ok=True)
    todo = [
        (i, s, f, v, rng_seed, str(pool_dir))
        for i, s, f, v in plan(n)
        if not (pool_dir / file_name(i)).is_file()
    ]
    if todo:
        log(f"rendering {len(todo)} documents into {pool_dir} …")
        with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
            list(pool.map(_render_one, todo, chunksize=8))
    hashes = {hashlib.sha256((pool_dir / file_name(i)).read_bytes()).hexdigest() for i in range(n)}
    if len(hashes) != n:
        raise RuntimeError(f"only {len(hashes)} distinct files among {n}: the variations repeat")
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for i in range(n):
        os.link(pool_dir / file_name(i), tmp / file_name(i))
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out


def link_copy(src: Path, dst: Path) -> Path:
    """A copy of a corpus made of hard links (editing it with ``edit_file`` leaves ``src`` alone)."""
    dst.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        os.link(p, dst / p.name)
    return dst


def edit_file(path: Path, rng_seed: int) -> None:
    """Replace a corpus file by a changed version of itself (for the 1 %-changed rerun); the new
    file replaces the name, so other hard links keep the old bytes."""
    i = int(path.name[:5])
    _render_one((i, f"{i % 5:03d}", FORMATS[(i // 5) % 3], i // 5 + 7, rng_seed + 1, str(path.parent)))
