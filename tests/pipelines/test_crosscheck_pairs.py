"""pipelines.crosscheck_pairs: the pairs of a cross-check and what a pair worker loads."""

from __future__ import annotations

import random

import pytest

from crosscheck.linking import Notice, find_templates
from pipelines import crosscheck_pairs
from tests.fresh_process import run_fresh


def test_a_pair_worker_loads_neither_pyarrow_nor_numpy_nor_dagster() -> None:
    """What a pool process imports (``pipelines.crosscheck_cache._new_pool``): the pairs' module
    and the engine; a worker starting with the warehouse's storage helpers took 5× the CPU."""
    code = (
        "import sys\n"
        "from parsers.startup import import_for_life\n"
        "import_for_life('pipelines.crosscheck_pairs')\n"
        "from pipelines.crosscheck_pairs import warm_worker\n"
        "warm_worker()\n"
        "print(sorted(m for m in ('pyarrow', 'numpy', 'pandas', 'dagster') if m in sys.modules))\n"
    )
    assert run_fresh(code) == ["[]"]


def _random_notices(rng: random.Random, count: int) -> list[Notice]:
    """Notices in several copies (formats) of a few numbers and titles, some forwarding others,
    some without tasks, citing each other by number, by title, or both."""
    numbers = [f"川办函〔2021〕{n}号" for n in range(50, 55)] + [None]
    titles = ["关于印发实施方案的通知", "关于开展工作的通知", "工作方案", None]
    notices: list[Notice] = []
    for i in range(count):
        basis = tuple((rng.choice(numbers), rng.choice(titles)) for _ in range(rng.choice((0, 1, 1, 2))))
        notices.append(
            Notice(
                doc_id=f"d{i}",
                parent_id=rng.choice([None, None, None, *(n.doc_id for n in notices[-3:])]),
                path=f"{i:04d}.{rng.choice(('pdf', 'docx', 'html'))}",
                format=rng.choice(("pdf", "docx", "html")),
                doc_number=rng.choice(numbers),
                title=rng.choice(titles),
                has_tasks=rng.random() < 0.8,
                basis=basis,
            )
        )
    return notices


@pytest.mark.parametrize("seed", range(20))
def test_candidates_give_the_links_every_notice_would(seed: int) -> None:
    notices = _random_notices(random.Random(seed), 60)
    candidates = crosscheck_pairs._Candidates(notices, None)
    for plan in notices:
        assert find_templates(plan, candidates.for_plan(plan)) == find_templates(plan, notices)
