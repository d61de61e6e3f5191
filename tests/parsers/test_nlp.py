import pytest

from parsers.nlp import organ_mentions, segment, split_glued_organs
from parsers.units import parse_units
from tests.fresh_process import run_fresh


def test_domain_dictionary_segments_organ_names():
    assert segment("审计厅省国资委") == ["审计厅", "省", "国资委"]


@pytest.mark.parametrize(
    ("glued", "parts"),
    [
        ("审计厅省国资委", ["审计厅", "省国资委"]),
        ("自然资源厅住房城乡建设厅", ["自然资源厅", "住房城乡建设厅"]),
        ("农业农村厅省卫生健康委", ["农业农村厅", "省卫生健康委"]),
    ],
)
def test_glued_organ_names_are_split(glued, parts):
    assert split_glued_organs(glued) == parts


@pytest.mark.parametrize(
    "name", ["县自然资源和规划局", "市委宣传部", "省发展改革委", "省政务服务和资源交易服务中心"]
)
def test_one_organ_is_not_split(name):
    assert split_glued_organs(name) is None


def test_unit_list_with_a_lost_separator():
    names = [u.name for u in parse_units("省政府办公厅、司法厅、审计厅省国资委、省市场监管局").units]
    assert names == ["省政府办公厅", "司法厅", "审计厅", "省国资委", "省市场监管局"]


def test_organs_named_in_a_requirement():
    assert organ_mentions("县级国家档案馆、公共图书馆设置专门的政府公报查阅点。") == [
        "县级国家档案馆",
        "公共图书馆",
    ]
    assert organ_mentions("省政府办公厅将适时邀请政务公开监督评议员开展评议。") == ["省政府办公厅"]


def test_jieba_is_loaded_without_pkg_resources():
    """A fresh process: the pipeline segments as before, and setuptools' slow ``pkg_resources``
    was never imported for it (jieba opened its data files next to its module)."""
    code = (
        "import sys, parsers.nlp as nlp\n"
        "print(nlp.segment('审计厅省国资委'), 'pkg_resources' in sys.modules, 'jieba' in sys.modules)\n"
    )
    assert run_fresh(code) == ["['审计厅', '省', '国资委'] False True"]
