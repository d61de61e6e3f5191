from pathlib import Path

import pytest

from parsers.model import Location
from parsers.targets import targets_in
from tests.seeds import parsed

RAW = Path(__file__).resolve().parents[2] / "raw"


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_26_domains_of_the_template(fmt):
    domains = parsed(RAW / f"000_3fcaf470a0c023ac.{fmt}").domains
    assert len(domains) == 26
    assert (domains[10].domain, domains[10].unit) == ("国土空间规划", "自然资源厅")
    assert domains[23].unit == "省市场监管局、省药监局"


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_county_domain_table_renames(fmt):
    domains = {d.domain for d in parsed(RAW / f"001_3066dfd361fc75f9.{fmt}").domains}
    assert "城乡规划" in domains and "救灾生产" in domains and "国土空间规划" not in domains


def test_targets_need_a_comparator_or_a_percentage():
    found = targets_in(
        "各县全年主动公开信息数量原则上不低于8000条。确定26个试点领域。政务公开率达100%。", Location(0)
    )
    assert [(t.raw, t.comparator, t.value, t.unit) for t in found] == [
        ("不低于8000条", ">=", 8000.0, "条"),
        ("达100%", ">=", 100.0, "%"),
    ]
    assert found[0].context == "各县全年主动公开信息数量原则上不低于8000条。"


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_targets_of_the_forwarding_notice(fmt):
    record = parsed(RAW / f"004_597f21caaa58e27d.{fmt}")
    assert [t.raw for t in record.targets] == ["不低于8000条", "不少于200条"]
    assert "不低于4%" in [t.raw for t in record.forwarded[0].targets]
