"""pipelines.checks: the uniqueness rule on a column, with and without repeated values."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from pipelines.checks import _unique


class _Tables:
    """Stands in for the Warehouse resource: ``read_table`` of one in-memory table."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def read_table(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        return self.table.select(list(columns)) if columns else self.table


def test_unique_column_passes() -> None:
    result = _unique(_Tables(pa.table({"task_id": ["a", "b", "c"]})), "tasks", "task_id", rows_label="tasks")
    assert result.passed
    assert result.metadata["duplicated_task_ids"].value == 0
    assert result.metadata["tasks"].value == 3


def test_repeated_values_fail_and_are_listed() -> None:
    table = pa.table({"task_id": ["b", "a", "b", "c", "a", "b"]})
    result = _unique(_Tables(table), "tasks", "task_id", rows_label="tasks")
    assert not result.passed
    assert result.metadata["duplicated_task_ids"].value == 2
    assert result.metadata["examples"].value == "a, b"
