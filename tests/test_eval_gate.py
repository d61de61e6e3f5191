"""The evaluation gate: extraction and alignment F1 on the seeds may not drop below the pinned floors."""

import json
from pathlib import Path

import pytest

from gongwen.evaluation import evaluate, evaluate_alignment

ROOT = Path(__file__).resolve().parents[1]
BASELINE = json.loads((ROOT / "tests/gold/eval_baseline.json").read_text(encoding="utf-8"))
GATED = [
    (kind, fmt, name, floor)
    for kind in ("extraction", "alignment")
    for fmt, fields in BASELINE[kind].items()
    for name, floor in fields.items()
]


@pytest.fixture(scope="module")
def reports():
    gold, raw = ROOT / "tests/gold", ROOT / "raw"
    return {
        "extraction": evaluate(raw, gold, list(BASELINE["extraction"])),
        "alignment": evaluate_alignment(raw, gold, list(BASELINE["alignment"])),
    }


def test_no_file_failed(reports):
    assert reports["extraction"].errors == [] and reports["alignment"].errors == []


@pytest.mark.parametrize(("kind", "fmt", "name", "floor"), GATED)
def test_f1_at_or_above_floor(reports, kind, fmt, name, floor):
    assert reports[kind].scores[fmt][name].f1 >= floor
