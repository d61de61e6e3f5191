"""The warehouse schemas and the strict writer that enforces them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from parsers.model import Cell, Document, Location, Paragraph, Table
from parsers.record import Attachment, Citation, NoticeRecord
from schemas import TABLES, SchemaError, conform, primary_key, to_table
from schemas.rows import quarantine_table, record_tables
from schemas.tables import CITATIONS, DOCUMENTS, QUARANTINE, description


def test_registry_names_each_schema_by_its_table() -> None:
    assert set(TABLES) == {
        "documents",
        "citations",
        "tasks",
        "task_units",
        "milestones",
        "members",
        "domains",
        "targets",
        "quarantine",
    }
    for name, schema in TABLES.items():
        assert schema.metadata[b"name"].decode() == name
        assert description(schema)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_is_described_and_keys_are_not_nullable(name: str) -> None:
    schema = TABLES[name]
    assert all(description(f) for f in schema), "every column needs a description"
    key = primary_key(schema)
    assert key, "every table declares a primary key"
    for column in key:
        assert not schema.field(column).nullable


def test_documents_has_no_wall_clock_column() -> None:
    # Reruns must give identical rows: run time goes to Dagster metadata, not to the table.
    assert not any(pa.types.is_timestamp(f.type) for f in DOCUMENTS)
    assert not any(pa.types.is_timestamp(f.type) for f in CITATIONS)


def test_documents_columns() -> None:
    assert DOCUMENTS.names == [
        "doc_id",
        "parent_id",
        "path",
        "format",
        "doc_number",
        "doc_number_raw",
        "issuer",
        "title",
        "recipients",
        "signing_date",
        "signing_date_raw",
        "publication_date",
        "source",
        "attachments",
        "cc",
        "printed_by",
        "printed_date",
        "page_count",
        "n_blocks",
        "n_tables",
        "warnings",
    ]
    assert DOCUMENTS.field("signing_date").type == pa.date32()
    assert DOCUMENTS.field("recipients").type == pa.list_(pa.string())
    assert CITATIONS.names == [
        "doc_id",
        "seq",
        "cited_doc_number",
        "cited_doc_number_raw",
        "cited_title",
        "basis",
        "block",
    ]
    assert QUARANTINE.names == ["path", "stage", "error_kind", "message", "recorded_at"]
    assert QUARANTINE.field("recorded_at").type == pa.timestamp("us", tz="UTC")


def _citation_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "doc_id": "abc",
        "seq": 0,
        "cited_doc_number": "国办发〔2019〕54号",
        "cited_doc_number_raw": "国办发〔2019〕54 号",
        "cited_title": None,
        "basis": False,
        "block": 3,
    }
    row.update(changes)
    return row


def test_to_table_keeps_the_declared_schema() -> None:
    table = to_table("citations", [_citation_row(), _citation_row(seq=1)])
    assert table.schema.equals(CITATIONS, check_metadata=True)
    assert table.column("seq").to_pylist() == [0, 1]


def test_to_table_of_no_rows_is_empty_with_schema() -> None:
    assert to_table("documents", []).schema.equals(DOCUMENTS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"seq": "0"}, "citations.seq (row 0): expected int, got str"),
        ({"seq": True}, "expected int, got bool"),
        ({"block": 1.5}, "expected int, got float"),
        ({"doc_id": None}, "null in a non-nullable column"),
        ({"cited_title": 42}, "expected str, got int"),
    ],
)
def test_to_table_fails_loudly_on_a_wrong_value(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError, match=message.replace("(", r"\(").replace(")", r"\)")):
        to_table("citations", [_citation_row(**changes)])


def test_to_table_rejects_missing_and_extra_columns() -> None:
    row = _citation_row()
    del row["block"]
    with pytest.raises(SchemaError, match=r"missing \['block'\]"):
        to_table("citations", [row])
    with pytest.raises(SchemaError, match=r"unexpected \['page'\]"):
        to_table("citations", [_citation_row(page=1)])


def test_dates_must_be_dates_not_strings_or_datetimes() -> None:
    when = dt.datetime(2021, 8, 12, 10, 0, tzinfo=dt.UTC)
    good = quarantine_table("a.pdf", "parse", "empty", "empty file", when)
    assert good.column("recorded_at").to_pylist() == [when]
    with pytest.raises(SchemaError, match="timezone-aware"):
        quarantine_table("a.pdf", "parse", "empty", "empty file", when.replace(tzinfo=None))
    record = _record(signing_date="2021-08-12")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"signing_date.*expected datetime\.date, got str"):
        record_tables(record, "a.pdf")
    record = _record(signing_date=dt.datetime(2021, 8, 12))  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"expected datetime\.date, got datetime"):
        record_tables(record, "a.pdf")


def test_list_items_are_checked() -> None:
    record = _record(recipients=("各市（州）人民政府", 7))  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match=r"recipients \(row 0\)\[1\]: expected str, got int"):
        record_tables(record, "a.pdf")


def test_unknown_table_is_an_error() -> None:
    with pytest.raises(SchemaError, match="unknown table 'nonexistent'"):
        to_table("nonexistent", [])


def test_conform_rejects_a_table_written_by_another_schema() -> None:
    old = pa.table({"doc_id": ["a"], "seq": [0]})
    with pytest.raises(SchemaError, match="does not match the citations schema"):
        conform(old, CITATIONS, what="fragment x")
    wrong_type = to_table("citations", [_citation_row()]).cast(
        pa.schema([f.with_type(pa.int64()) if f.name == "seq" else f for f in CITATIONS])
    )
    with pytest.raises(SchemaError, match="seq: int64"):
        conform(wrong_type, CITATIONS)


def _document() -> Document:
    loc = Location(block=0, page=1)
    return Document(
        path="/tmp/whatever.pdf",
        format="pdf",
        blocks=(
            Paragraph("正文", "正文", loc),
            Table(((Cell("x", "x", 0, 0, (0, 0)),),), Location(block=1, page=1)),
        ),
        page_count=2,
    )


def _record(**changes: Any) -> NoticeRecord:
    fields: dict[str, Any] = {
        "doc_id": "0123456789abcdef",
        "path": "/tmp/whatever.pdf",
        "format": "pdf",
        "doc_number": "川办函〔2021〕57号",
        "doc_number_raw": "川办函〔2021〕57 号",
        "issuer": "四川省人民政府办公厅",
        "title": "四川省人民政府办公厅关于印发深化政务公开促进基层政府治理能力提升工作方案的通知",
        "recipients": ("各市（州）、县（市、区）人民政府",),
        "signing_date": dt.date(2021, 8, 12),
        "signing_date_raw": "2021 年 8 月 12 日",
        "publication_date": None,
        "source": None,
        "attachments": (Attachment(1, "试点县（市、区）名单", True, Location(5)),),
        "citations": (Citation(None, None, "深化政务公开促进基层政府治理能力提升工作方案", Location(2)),),
        "cc": (),
        "printed_by": "四川省人民政府办公厅",
        "printed_date": dt.date(2021, 8, 13),
        "document": _document(),
    }
    fields.update(changes)
    return NoticeRecord(**fields)


def test_record_tables_wrapper_then_forwarded_documents() -> None:
    child = _record(
        doc_id="fedcba9876543210",
        parent_id="0123456789abcdef",
        doc_number="川办发〔2021〕16号",
        citations=(
            Citation("国办发〔2021〕12号", "国办发〔2021〕12号", None, Location(9)),
            Citation(None, None, "某方案", Location(11)),
        ),
    )
    tables = record_tables(_record(forwarded=(child,)), "sub/雅安.html")
    docs = tables["documents"].to_pylist()
    assert [d["doc_id"] for d in docs] == ["0123456789abcdef", "fedcba9876543210"]
    assert [d["parent_id"] for d in docs] == [None, "0123456789abcdef"]
    assert {d["path"] for d in docs} == {"sub/雅安.html"}  # relative path, not where it was read
    assert docs[0]["attachments"] == ["试点县（市、区）名单"]
    assert docs[0]["page_count"] == 2 and docs[0]["n_blocks"] == 2 and docs[0]["n_tables"] == 1
    cites = tables["citations"].to_pylist()
    assert [(c["doc_id"], c["seq"], c["block"]) for c in cites] == [
        ("0123456789abcdef", 0, 2),
        ("fedcba9876543210", 0, 9),
        ("fedcba9876543210", 1, 11),
    ]
    assert tables["documents"].schema.equals(DOCUMENTS, check_metadata=True)
