"""Extraction quality against the hand-checked gold of the seeds (``tests/gold``).

For every sample file (seed × format) the current code's output is compared with the gold:
document metadata field by field, and task rows after pairing each gold task with the predicted
task whose text is most alike (one to one, at least ``TASK_MATCH`` similar). Counts are pooled per
format, then precision, recall and F1 are computed per field:

* a scalar field (``doc_number``, ``lead_unit``, ``deadline`` …) scores a true positive when the
  values are equal and not empty, a false positive for a predicted value that is wrong or has no
  gold, a false negative for a gold value that was missed or wrong;
* a list field (``cited_doc_numbers``, ``attachments``, ``responsible_units``) scores its items;
* ``task_text`` scores the pairing itself: predicted tasks without a gold partner are false
  positives, unpaired gold tasks false negatives.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

FORMATS = ("pdf", "docx", "html")
DOC_FIELDS = ("doc_number", "issuer", "title", "signing_date", "cited_doc_numbers", "attachments")
TASK_FIELDS = ("task_text", "lead_unit", "responsible_units", "deadline")
LIST_FIELDS = {"cited_doc_numbers", "attachments", "responsible_units"}
TASK_MATCH = 90.0


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    scores: dict[str, dict[str, Score]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Score))
    )
    files: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, dict[str, dict[str, float]]]:
        return {
            fmt: {
                name: {
                    "precision": s.precision,
                    "recall": s.recall,
                    "f1": s.f1,
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                }
                for name, s in fields.items()
            }
            for fmt, fields in self.scores.items()
        }


def _score_scalar(score: Score, predicted: Any, gold: Any) -> None:
    if predicted == gold and gold not in (None, ""):
        score.tp += 1
        return
    if predicted not in (None, ""):
        score.fp += 1
    if gold not in (None, ""):
        score.fn += 1


def _score_list(score: Score, predicted: Iterable[str], gold: Iterable[str]) -> None:
    pred, want = list(predicted), list(gold)
    remaining = list(want)
    for item in pred:
        if item in remaining:
            remaining.remove(item)
            score.tp += 1
        else:
            score.fp += 1
    score.fn += len(remaining)


def _score(score: Score, name: str, predicted: Any, gold: Any) -> None:
    if name in LIST_FIELDS:
        _score_list(score, predicted or [], gold or [])
    else:
        _score_scalar(score, predicted, gold)


def _key(text: str) -> str:
    return re.sub(r"[\W_]", "", text)


def pair_tasks(predicted: list[dict], gold: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """One-to-one pairs by text similarity, best first; unpaired items stand alone."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            similarity = fuzz.ratio(_key(p["text"]), _key(g["text"]))
            if similarity >= TASK_MATCH:
                candidates.append((similarity, i, j))
    candidates.sort(reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[dict | None, dict | None]] = []
    for _, i, j in candidates:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((predicted[i], gold[j]))
    pairs.extend((p, None) for i, p in enumerate(predicted) if i not in used_p)
    pairs.extend((None, g) for j, g in enumerate(gold) if j not in used_g)
    return pairs


def _deadline(task: dict) -> tuple[str | None, bool] | None:
    if task.get("deadline_raw") is None and task.get("deadline_date") is None:
        return None
    return task.get("deadline_date"), bool(task.get("ongoing"))


def score_tasks(scores: dict[str, Score], predicted: list[dict], gold: list[dict]) -> None:
    for p, g in pair_tasks(predicted, gold):
        if p is not None and g is not None:
            scores["task_text"].tp += 1
        elif p is not None:
            scores["task_text"].fp += 1
        else:
            scores["task_text"].fn += 1
        _score(scores["lead_unit"], "lead_unit", p and p["lead_unit"], g and g["lead_unit"])
        _score(
            scores["responsible_units"],
            "responsible_units",
            p and p["responsible_units"],
            g and g["responsible_units"],
        )
        _score(scores["deadline"], "deadline", p and _deadline(p), g and _deadline(g))


def score_record(
    scores: dict[str, Score], record: dict, gold_meta: dict, gold_tasks: list[dict], fmt: str
) -> None:
    for name in DOC_FIELDS:
        _score(scores[name], name, record.get(name), gold_meta.get(name))
    for name, value in gold_meta.get(fmt, {}).items() if isinstance(gold_meta.get(fmt), dict) else ():
        _score(scores[name], name, record.get(name), value)
    score_tasks(scores, record.get("tasks", []), gold_tasks)


def evaluate(raw_dir: Path, gold_dir: Path, formats: Iterable[str] = FORMATS) -> Report:
    """Run extraction on every seed file under ``raw_dir`` and score it against ``gold_dir``."""
    from parsers import ParseError, parse_file
    from parsers.serialize import record_to_dict

    metadata = json.loads((gold_dir / "metadata.json").read_text(encoding="utf-8"))
    report = Report()
    for seed in sorted(k for k in metadata if not k.startswith("_")):
        task_gold_path = gold_dir / "tasks" / f"{seed}.json"
        task_docs = json.loads(task_gold_path.read_text(encoding="utf-8"))["documents"]
        gold_records = [metadata[seed], *metadata[seed].get("forwarded", [])]
        for fmt in formats:
            path = raw_dir / f"{seed}.{fmt}"
            scores = report.scores[fmt]
            try:
                record = record_to_dict(parse_file(path))
            except (ParseError, OSError) as err:
                report.errors.append(str(err))
                record = {"forwarded": []}
            report.files[fmt] += 1
            predicted = [record, *record.get("forwarded", [])]
            for k, gold_meta in enumerate(gold_records):
                rec = predicted[k] if k < len(predicted) else {}
                gold_tasks = task_docs[k]["tasks"] if k < len(task_docs) else []
                score_record(scores, rec, gold_meta, gold_tasks, fmt)
            for extra in predicted[len(gold_records) :]:
                score_tasks(scores, extra.get("tasks", []), [])
    return report


ALIGNMENT_FIELDS = ("alignment_pairs", "requirement_status", "additions")


def score_alignment(scores: dict[str, Score], predicted: dict[str, Any], gold: dict[str, Any]) -> None:
    """Pairs (requirement, task), requirement statuses and additions against a gold alignment.

    ``predicted`` is ``gongwen crosscheck --json`` output; a status counts as a pair
    (requirement, status), so a wrong status is one false positive and one false negative.
    """
    pred_pairs = {(r["number"], t["number"]) for r in predicted["requirements"] for t in r["matched_tasks"]}
    gold_pairs = {(num, task) for num, g in gold["requirements"].items() for task in g["tasks"]}
    _score_list(scores["alignment_pairs"], sorted(pred_pairs), sorted(gold_pairs))
    _score_list(
        scores["requirement_status"],
        [f"{r['number']}={r['status']}" for r in predicted["requirements"]],
        [f"{num}={g['status']}" for num, g in gold["requirements"].items()],
    )
    _score_list(scores["additions"], [t["number"] for t in predicted["additions"]], gold["added"])


def evaluate_alignment(raw_dir: Path, gold_dir: Path, formats: Iterable[str] = FORMATS) -> Report:
    """Cross-check every gold pair (tests/gold/alignment/*.json) in every format and score it."""
    from crosscheck.check import cross_check
    from crosscheck.serialize import cross_check_dict
    from parsers import ParseError, parse_file

    report = Report()
    for gold_path in sorted((gold_dir / "alignment").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        for fmt in formats:
            report.files[fmt] += 1
            try:
                plan = parse_file(raw_dir / f"{gold['plan']}.{fmt}")
                template = parse_file(raw_dir / f"{gold['template']}.{fmt}")
            except (ParseError, OSError) as err:
                report.errors.append(str(err))
                continue
            score_alignment(report.scores[fmt], cross_check_dict(cross_check(plan, template)), gold)
    return report


def format_report(report: Report) -> str:
    lines = []
    for fmt, fields in report.scores.items():
        lines.append(f"{fmt} ({report.files[fmt]} files)")
        lines.append(f"  {'field':<20} {'precision':>9} {'recall':>7} {'F1':>7}   tp/fp/fn")
        for name in (*DOC_FIELDS, "publication_date", "source", *TASK_FIELDS, *ALIGNMENT_FIELDS):
            if name not in fields:
                continue
            s = fields[name]
            lines.append(
                f"  {name:<20} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>7.3f}   {s.tp}/{s.fp}/{s.fn}"
            )
    for error in report.errors:
        lines.append(f"error: {error}")
    return "\n".join(lines)
