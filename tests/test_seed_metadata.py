"""Every seed, in every format, gives the hand-checked document elements of tests/gold/metadata.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsers import parse_file
from parsers.serialize import record_to_dict

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads((ROOT / "tests/gold/metadata.json").read_text(encoding="utf-8"))
SEEDS = sorted(k for k in GOLD if not k.startswith("_"))
FORMATS = ("pdf", "docx", "html")
FIELDS = ("doc_number", "issuer", "title", "signing_date", "recipients", "cited_doc_numbers", "attachments")


@pytest.fixture(scope="module")
def parsed():
    cache: dict[Path, dict] = {}

    def get(path: Path) -> dict:
        if path not in cache:
            cache[path] = record_to_dict(parse_file(path))
        return cache[path]

    return get


def _check(record: dict, gold: dict, fmt: str | None) -> None:
    for field in FIELDS:
        assert record[field] == gold[field], field
    if "cc" in gold:
        assert record["cc"] == gold["cc"]
    for title in gold.get("cited_titles_include", []):
        assert title in record["cited_titles"]
    for field, value in (gold.get(fmt, {}) if fmt else {}).items():
        assert record[field] == value, field
    assert len(record["forwarded"]) == len(gold["forwarded"])
    for sub, sub_gold in zip(record["forwarded"], gold["forwarded"], strict=True):
        assert sub["parent_id"] == record["doc_id"]
        _check(sub, sub_gold, None)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", SEEDS)
def test_seed_metadata(seed, fmt, parsed):
    record = parsed(ROOT / "raw" / f"{seed}.{fmt}")
    _check(record, GOLD[seed], fmt)


@pytest.mark.parametrize("seed", SEEDS)
def test_same_answer_in_every_format(seed, parsed):
    records = [parsed(ROOT / "raw" / f"{seed}.{fmt}") for fmt in FORMATS]
    for field in FIELDS:
        assert len({json.dumps(r[field], ensure_ascii=False) for r in records}) == 1, field
