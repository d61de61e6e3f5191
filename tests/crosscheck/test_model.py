"""Cross-check records survive pickling (the pipeline's pair cache stores them)."""

from __future__ import annotations

import datetime as dt
import pickle

from crosscheck.check import compare
from crosscheck.model import Item, NoticeRef
from parsers.domains import DomainRow
from parsers.model import Location


def test_a_check_pickles_back_to_an_equal_check() -> None:
    template = [Item("r0", "1", "探索建立群众参与基层政府有关会议制度。", category="（一）")]
    plan = [
        Item("t0", "1", "探索建立群众参与基层政府有关会议制度。", responsible_units=("县政府办",)),
        Item("t1", "2", "编发政务地图。", deadline_raw="2021年底", deadline_date=dt.date(2021, 12, 31)),
    ]
    domains = (DomainRow(0, "1", "救灾", "unit", "省应急厅", Location(0)),)
    check = compare(
        NoticeRef("p", "方案", None, "县政府", dt.date(2021, 8, 1), "p.docx"),
        NoticeRef("t", "通知", "川办函〔2021〕57号", None, None, "t.docx"),
        plan,
        template,
        domains,
        domains,
        as_of=dt.date(2022, 1, 1),
    )
    assert check.gaps and check.domains and check.alignment.options
    assert pickle.loads(pickle.dumps(check, protocol=pickle.HIGHEST_PROTOCOL)) == check
