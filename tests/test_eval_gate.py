"""The evaluation gate: extraction F1 on the seeds may not drop below the pinned floors."""

import json
from pathlib import Path

import pytest

from gongwen.evaluation import evaluate

ROOT = Path(__file__).resolve().parents[1]
BASELINE = json.loads((ROOT / "tests/gold/eval_baseline.json").read_text(encoding="utf-8"))
GATED = [
    (fmt, name, floor)
    for fmt, fields in BASELINE.items()
    if not fmt.startswith("_")
    for name, floor in fields.items()
]


@pytest.fixture(scope="module")
def report():
    formats = [fmt for fmt in BASELINE if not fmt.startswith("_")]
    return evaluate(ROOT / "raw", ROOT / "tests/gold", formats)


def test_no_file_failed(report):
    assert report.errors == []


@pytest.mark.parametrize(("fmt", "name", "floor"), GATED)
def test_f1_at_or_above_floor(report, fmt, name, floor):
    assert report.scores[fmt][name].f1 >= floor
