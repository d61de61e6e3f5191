from gongwen.evaluation import Score, pair_tasks, score_tasks


def _task(text, lead=None, units=(), deadline=None, ongoing=False):
    return {
        "text": text,
        "lead_unit": lead,
        "responsible_units": list(units),
        "deadline_raw": deadline,
        "deadline_date": deadline,
        "ongoing": ongoing,
    }


def test_wrong_and_missing_values_lower_the_scores():
    gold = [
        _task("推行重大行政决策预公开。", "市司法局", ["市司法局", "市发改局"], "2022-06-30", True),
        _task("探索建立群众参与基层政府有关会议制度。", "市政府办公室", ["市政府办公室"]),
    ]
    predicted = [
        _task("推行重大行政决策预公开。", "市发改局", ["市司法局"], "2022-06-30", False),
        _task("一条多出来的任务。"),
    ]
    scores: dict[str, Score] = {
        k: Score() for k in ("task_text", "lead_unit", "responsible_units", "deadline")
    }
    score_tasks(scores, predicted, gold)
    assert (scores["task_text"].tp, scores["task_text"].fp, scores["task_text"].fn) == (1, 1, 1)
    assert scores["lead_unit"].tp == 0 and scores["lead_unit"].f1 == 0.0
    assert (scores["responsible_units"].tp, scores["responsible_units"].fn) == (1, 2)
    assert scores["deadline"].tp == 0  # the ongoing flag differs


def test_pairing_is_one_to_one_by_similarity():
    gold = [_task("甲乙丙丁戊己庚辛壬癸"), _task("子丑寅卯辰巳午未申酉")]
    predicted = [_task("子丑寅卯辰巳午未申酉"), _task("甲乙丙丁戊己庚辛壬癸。")]
    pairs = pair_tasks(predicted, gold)
    assert all(p and g for p, g in pairs) and len(pairs) == 2
