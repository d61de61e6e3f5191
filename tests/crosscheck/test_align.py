from collections import Counter
from pathlib import Path

import pytest

from crosscheck.align import AlignOptions, align, is_verbatim, load_options
from crosscheck.check import cross_check
from crosscheck.model import Item
from crosscheck.similarity import (
    GramIndex,
    Weights,
    bigrams,
    canonical,
    collection_terms,
    coverage,
    held_share,
    idf_table,
)
from tests.seeds import parsed

RAW = Path(__file__).resolve().parents[2] / "raw"


def _items(*texts: str, prefix: str = "r") -> list[Item]:
    return [Item(f"{prefix}{i}", str(i + 1), t) for i, t in enumerate(texts)]


def test_local_rewordings_count_as_the_same_words():
    assert canonical("对县本级政府和部门、镇(街道)") == canonical("对县级政府和部门、乡镇（街道）")


def test_coverage_survives_added_text():
    req = "探索建立群众参与基层政府有关会议制度。"
    task = (
        "探索建立群众参与基层政府有关会议制度。"
        "对涉及群众切身利益的政策措施，采取座谈会等方式，提升群众参与度。"
    )
    weight = Weights([req, task])
    assert coverage(bigrams(req), bigrams(task), weight) == pytest.approx(1.0)
    assert coverage(bigrams(task), bigrams(req), weight) < 0.6


def test_verbatim_ignores_punctuation_but_not_rewording():
    assert is_verbatim(
        "推行重大行政决策预公开,大力推进行政决策内容、过程公开。",
        "推行重大行政决策预公开，大力推进行政决策内容、过程公开。在正式决定前征求意见。",
    )
    assert not is_verbatim("由乡镇(街道)开展议事协商。", "由镇(街道)开展议事协商。")


def test_merge_one_task_carries_two_requirements():
    reqs = _items(
        "探索建立群众参与基层政府有关会议制度。",
        "对涉及群众切身利益的重点项目，采取座谈会、网上征求意见等多种方式，提升群众参与度。",
        "编发政务地图，便于群众查询政务服务场所。",
    )
    tasks = _items(
        "探索建立群众参与基层政府有关会议制度。对涉及群众切身利益的重点项目，通过政府网站发布，同时采取座谈会、网上征求意见等多种方式，提升群众参与度。",
        "编发政务地图，方便群众查询政务服务场所及其可办事项。",
        prefix="t",
    )
    a = align(reqs, tasks)
    assert [r.status for r in a.requirements] == ["verbatim", "modified", "modified"]
    assert a.tasks[0].requirements == ("r0", "r1")


def test_added_task_and_missing_requirement():
    reqs = _items("县级国家档案馆设置专门的政府公报查阅点。", "公开政务服务好差评情况特别是差评整改情况。")
    tasks = _items(
        "定期公开政务服务好差评情况特别是差评整改情况，提高企业群众满意度。",
        "持续开展政务公开进学校、进企业、进农村、进社区活动。",
        prefix="t",
    )
    a = align(reqs, tasks)
    assert [r.status for r in a.requirements] == ["missing", "verbatim"]
    assert [t.status for t in a.tasks] == ["matched", "added"]


def test_split_requirement_rests_on_two_tasks():
    reqs = _items("依法发布地震地质灾害等预警及风险监测信息，做好常态化疫情防控信息公开。")
    tasks = _items(
        "依法发布地震地质灾害等预警及风险监测信息。", "做好常态化疫情防控信息公开，强化部门联动。", prefix="t"
    )
    (result,) = align(reqs, tasks).requirements
    assert {link.task_key for link in result.links} == {"t0", "t1"}
    assert result.status == "modified"


def test_thresholds_from_config(tmp_path):
    cfg = tmp_path / "crosscheck.toml"
    cfg.write_text("[thresholds]\nlink = 0.7\n", encoding="utf-8")
    assert load_options(cfg) == AlignOptions(link=0.7)
    cfg.write_text("[thresholds]\nlinks = 0.7\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown threshold"):
        load_options(cfg)


# ---- the seeds, as the issue checks them ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_luxian_takes_over_every_template_sentence(fmt):
    check = cross_check(
        parsed(RAW / f"001_3066dfd361fc75f9.{fmt}"), parsed(RAW / f"000_3fcaf470a0c023ac.{fmt}")
    )
    assert len(check.alignment.requirements) == 27
    assert not [r for r in check.alignment.requirements if r.status == "missing"]
    assert all(t.status == "matched" for t in check.alignment.tasks)


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_wanyuan_merges_and_additions(fmt):
    check = cross_check(
        parsed(RAW / f"003_b54ff24471a88dd0.{fmt}"), parsed(RAW / f"000_3fcaf470a0c023ac.{fmt}")
    )
    by_task = {t.task.number: t for t in check.alignment.tasks}
    requirement_numbers = {r.requirement.key: r.requirement.number for r in check.alignment.requirements}
    merged = [requirement_numbers[k] for k in by_task["1.2"].requirements]
    assert merged == ["(一).2", "(一).3"]  # 探索建立群众参与… and 对涉及群众切身利益…
    added = sorted(n for n, t in by_task.items() if t.status == "added")
    assert added == ["3.7", "4.5", "4.6"]  # 进学校进企业…, 监督评议, 联席会议
    assert "进学校" in by_task["3.7"].task.text and "监督评议" in by_task["4.5"].task.text


# ---- indexed scoring gives exactly the pairwise values -----------------------------------------


def test_gram_index_coverages_equal_pairwise_coverage_exactly():
    reqs = [
        "探索建立群众参与基层政府有关会议制度。",
        "编发政务地图，便于群众查询政务服务场所。",
        "公开公开公开政务服务好差评情况。",  # repeated bigrams: counts matter
        "。",  # no bigram at all
    ]
    tasks = [
        "探索建立群众参与基层政府有关会议制度。对涉及群众切身利益的重点项目，提升群众参与度。",
        "编发政务地图，方便群众查询政务服务场所及其可办事项。公开政务服务好差评情况。",
        "持续开展政务公开进学校、进企业、进农村、进社区活动。",
        "",
    ]
    grams = [bigrams(t) for t in tasks]
    weight = Weights([*reqs, *tasks])
    index = GramIndex(grams)
    for req in reqs:
        assert index.coverages(bigrams(req), weight) == [coverage(bigrams(req), g, weight) for g in grams]
    # what the aligner uses: the requirements' terms prepared once, weights from a table by
    # document frequency, coverage by several tasks from their largest counts (no Counter union)
    for req, terms in zip(reqs, collection_terms(reqs), strict=True):
        covs, weights, total = index.weighted_coverages(terms, idf_table(len(reqs) + len(tasks)))
        assert covs == index.coverages(bigrams(req), weight)
        for chosen in ([0], [1], [0, 1], [0, 1, 2], [3]):
            union = Counter[str]()
            for j in chosen:
                union |= grams[j]
            held = [max(grams[j][g] for j in chosen) for g in terms.grams]
            assert held_share(terms, weights, held, total) == coverage(bigrams(req), union, weight)


def test_weights_of_grams_are_the_weights_of_the_texts():
    texts = ["探索建立群众参与基层政府有关会议制度。", "编发政务地图，便于群众查询。", "政务地图"]
    by_text, by_grams = Weights(texts), Weights.of_grams([bigrams(t) for t in texts])
    for gram in {g for t in texts for g in bigrams(t)} | {"未见"}:
        assert by_text(gram) == by_grams(gram)
