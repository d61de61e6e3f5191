"""The warehouse's tables, declared once.

Each table is one ``pyarrow.Schema``; everything else derives from it: the writers
(``to_table``), the Parquet files under ``warehouse/``, the Dagster column-schema metadata
(``pipelines.metadata.column_schema``), the asset checks and the tests.

Conventions kept by every schema here:

* each field's ``description`` lives in the field metadata (shown in the Dagster UI);
* the schema metadata names the table (``name``), its ``primary_key`` (comma-separated columns
  that identify a row; the checks assert it is unique) and a ``description``;
* non-nullable fields (``nullable=False``) are the ones a row cannot exist without;
* no wall-clock column in ``documents`` or ``citations``: rerunning on the same input must give
  byte-for-byte the same rows (the run time goes into Dagster metadata instead). ``quarantine``
  is the exception: ``recorded_at`` says when a file last failed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

__all__ = [
    "CITATIONS",
    "DERIVED_TABLES",
    "DOCUMENTS",
    "DOMAINS",
    "MEMBERS",
    "MILESTONES",
    "MISSING_TEMPLATES",
    "PLAN_ALIGNMENT",
    "PLAN_DOMAINS",
    "QUARANTINE",
    "TABLES",
    "TARGETS",
    "TASKS",
    "TASK_UNITS",
    "SchemaError",
    "conform",
    "description",
    "empty_table",
    "primary_key",
    "schema_for",
    "to_table",
    "validate_rows",
]


class SchemaError(ValueError):
    """Rows or a table do not match the declared schema (wrong type, missing/extra column, null)."""


def _field(name: str, type_: pa.DataType, doc: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": doc})


def _schema(name: str, doc: str, primary: Sequence[str], fields: Sequence[pa.Field]) -> pa.Schema:
    return pa.schema(
        fields,
        metadata={"name": name, "description": doc, "primary_key": ",".join(primary)},
    )


_STR_LIST = pa.list_(pa.string())

DOCUMENTS = _schema(
    "documents",
    "One row per notice: every parsed file, plus one row per document a forwarding notice (转发) "
    "carries, linked to its wrapper by parent_id.",
    ["doc_id"],
    [
        _field(
            "doc_id",
            pa.string(),
            "Content id (first 16 hex digits of the file's SHA-256); forwarded documents have their own id.",
            nullable=False,
        ),
        _field("parent_id", pa.string(), "doc_id of the forwarding notice that carries this one."),
        _field(
            "path", pa.string(), "The source file, relative to the raw directory (POSIX).", nullable=False
        ),
        _field("format", pa.string(), "Format the file was read as: pdf, docx or html.", nullable=False),
        _field("doc_number", pa.string(), "发文字号, normalized to 机关代字〔年份〕序号号."),
        _field("doc_number_raw", pa.string(), "发文字号 as printed."),
        _field("issuer", pa.string(), "发文机关."),
        _field("title", pa.string(), "Full title as other documents cite it."),
        _field("recipients", _STR_LIST, "主送机关, in order.", nullable=False),
        _field("signing_date", pa.date32(), "成文日期."),
        _field("signing_date_raw", pa.string(), "成文日期 as printed."),
        _field("publication_date", pa.string(), "Publication date from the web page (ISO form)."),
        _field("source", pa.string(), "来源 / ContentSource of the web page."),
        _field(
            "attachments", _STR_LIST, "Attachment titles (附件说明 and attachment bodies).", nullable=False
        ),
        _field("cc", _STR_LIST, "抄送机关.", nullable=False),
        _field("printed_by", pa.string(), "印发机关."),
        _field("printed_date", pa.date32(), "印发日期."),
        _field("page_count", pa.int32(), "Pages of the source file (PDF only)."),
        _field(
            "n_blocks", pa.int32(), "Blocks (paragraphs + tables) read from the document.", nullable=False
        ),
        _field("n_tables", pa.int32(), "Tables read from the document.", nullable=False),
        _field("warnings", _STR_LIST, "What the reader/extractor was unsure about.", nullable=False),
    ],
)

CITATIONS = _schema(
    "citations",
    "Every document cited in a notice's text, by 发文字号, by 《title》 or both, in reading order.",
    ["doc_id", "seq"],
    [
        _field("doc_id", pa.string(), "The citing document (documents.doc_id).", nullable=False),
        _field("seq", pa.int32(), "0-based position of the citation in the citing document.", nullable=False),
        _field("cited_doc_number", pa.string(), "Cited 发文字号, normalized."),
        _field("cited_doc_number_raw", pa.string(), "Cited 发文字号 as printed."),
        _field("cited_title", pa.string(), "Cited title (the text inside 《》)."),
        _field(
            "basis",
            pa.bool_(),
            "Cited as what the notice implements (按照《…》要求，结合…制定): a template of a plan.",
            nullable=False,
        ),
        _field(
            "block", pa.int32(), "Index of the block the citation sits in (reading order).", nullable=False
        ),
    ],
)

QUARANTINE = _schema(
    "quarantine",
    "Files that could not be turned into rows: the latest failure per file only.",
    ["path"],
    [
        _field("path", pa.string(), "The file, relative to the raw directory (POSIX).", nullable=False),
        _field(
            "stage",
            pa.string(),
            "Where it failed: parse (reading/extracting) or convert "
            "(the record did not fit the warehouse schema).",
            nullable=False,
        ),
        _field(
            "error_kind",
            pa.string(),
            "Machine-readable kind: parsers.errors.ErrorKind, or internal_error / schema_error for bugs.",
            nullable=False,
        ),
        _field("message", pa.string(), "One-line explanation shown to the user.", nullable=False),
        _field("recorded_at", pa.timestamp("us", tz="UTC"), "When the failure was recorded.", nullable=False),
    ],
)

_DEADLINE_FIELDS = (
    _field("deadline_raw", pa.string(), "完成时限 as written, e.g. 2022年6月并长期坚持."),
    _field("deadline_date", pa.date32(), "The deadline as a date (the last day of a month/quarter/year)."),
    _field("deadline_precision", pa.string(), "day, month, quarter, half or year."),
)

TASKS = _schema(
    "tasks",
    "Every task a notice sets: from task tables, numbered body items with 责任单位 lines, or the "
    "sentences of a template's 主要任务 section.",
    ["task_id"],
    [
        _field("task_id", pa.string(), "Stable id from document, number and text.", nullable=False),
        _field("doc_id", pa.string(), "The notice setting the task (documents.doc_id).", nullable=False),
        _field("seq", pa.int32(), "0-based position of the task in its notice.", nullable=False),
        _field("number", pa.string(), "Number path, e.g. 1.2 (group 1, item 2) or (一).3.", nullable=False),
        _field("category", pa.string(), "Group path, e.g. 重点领域信息公开 › 各类规划."),
        _field("text", pa.string(), "The task as written.", nullable=False),
        _field("lead_leader", pa.string(), "牵头县级领导 / 牵头领导, when given."),
        _field("lead_unit", pa.string(), "牵头单位: from its column or the rule the notice states."),
        _field(
            "responsible_units", _STR_LIST, "Units as written, lead first (see task_units).", nullable=False
        ),
        *_DEADLINE_FIELDS,
        _field(
            "ongoing",
            pa.bool_(),
            "并长期坚持 / 持续推进: the task goes on after its deadline.",
            nullable=False,
        ),
        _field(
            "year_inferred",
            pa.bool_(),
            "The deadline gave no year; the notice's year was used.",
            nullable=False,
        ),
        _field("source", pa.string(), "table, body, body+table or prose.", nullable=False),
        _field("block", pa.int32(), "Block index of the task's text (reading order).", nullable=False),
        _field("table_row", pa.int32(), "Row in its table's grid, for tasks read from a table."),
        _field("warnings", _STR_LIST, "Disagreements between body and table, and the like.", nullable=False),
    ],
)

TASK_UNITS = _schema(
    "task_units",
    "Every unit named for a task, one row each, with its role and a normalized name.",
    ["task_id", "seq"],
    [
        _field("task_id", pa.string(), "tasks.task_id", nullable=False),
        _field("seq", pa.int32(), "0-based position of the unit in the task's list.", nullable=False),
        _field("doc_id", pa.string(), "documents.doc_id", nullable=False),
        _field("name", pa.string(), "The unit as written, e.g. 市发改局.", nullable=False),
        _field("normalized", pa.string(), "Abbreviations expanded, e.g. 市发展改革局.", nullable=False),
        _field(
            "kind", pa.string(), "agency, or group for mentions such as 各乡、镇人民政府.", nullable=False
        ),
        _field(
            "role",
            pa.string(),
            "lead, responsible, cooperating, or mentioned (named in a requirement, not made responsible).",
            nullable=False,
        ),
    ],
)

MILESTONES = _schema(
    "milestones",
    "Implementation stages (实施步骤 / 工作步骤) and their deadlines.",
    ["doc_id", "seq"],
    [
        _field("doc_id", pa.string(), "documents.doc_id", nullable=False),
        _field("seq", pa.int32(), "1-based stage number in the notice.", nullable=False),
        _field("name", pa.string(), "Stage name, e.g. 启动阶段.", nullable=False),
        *_DEADLINE_FIELDS,
        _field("text", pa.string(), "What the stage does.", nullable=False),
        _field("block", pa.int32(), "Block index of the stage heading.", nullable=False),
    ],
)

MEMBERS = _schema(
    "members",
    "Leading-group members (领导小组): a person with role and post, or a member unit.",
    ["doc_id", "seq"],
    [
        _field("doc_id", pa.string(), "documents.doc_id", nullable=False),
        _field("seq", pa.int32(), "1-based position in the list.", nullable=False),
        _field("role", pa.string(), "组长, 副组长, 成员 …", nullable=False),
        _field("name", pa.string(), "The person's name."),
        _field("post", pa.string(), "The person's post, e.g. 县委常委、副县长."),
        _field("unit", pa.string(), "A member unit, when the list names units instead of people."),
    ],
)

DOMAINS = _schema(
    "domains",
    "Domain tables: which unit guides or compiles each public-affairs domain (领域).",
    ["doc_id", "seq"],
    [
        _field("doc_id", pa.string(), "documents.doc_id", nullable=False),
        _field("seq", pa.int32(), "0-based row position in the notice.", nullable=False),
        _field("table_index", pa.int32(), "Which table of the notice (0-based).", nullable=False),
        _field("domain_number", pa.string(), "序号 of the domain row."),
        _field("domain", pa.string(), "The domain, e.g. 重大建设项目.", nullable=False),
        _field("unit_column", pa.string(), "Header of the unit column, e.g. 指导部门(单位).", nullable=False),
        _field("unit", pa.string(), "The unit named for the domain.", nullable=False),
    ],
)

TARGETS = _schema(
    "targets",
    "Quantitative targets such as 不低于8000条, 达100%, 不低于4%.",
    ["doc_id", "seq"],
    [
        _field("doc_id", pa.string(), "documents.doc_id", nullable=False),
        _field("seq", pa.int32(), "0-based position in the notice.", nullable=False),
        _field("raw", pa.string(), "The target as written.", nullable=False),
        _field("comparator", pa.string(), ">=, >, <=, < or =.", nullable=False),
        _field("value", pa.float64(), "The number.", nullable=False),
        _field("unit", pa.string(), "条, %, 个 …", nullable=False),
        _field("context", pa.string(), "The sentence the target stands in.", nullable=False),
        _field("block", pa.int32(), "Block index of that sentence.", nullable=False),
    ],
)

PLAN_ALIGNMENT = _schema(
    "plan_alignment",
    "Each plan against the template it implements: one row per requirement–task link, per "
    "requirement no task carries (missing) and per plan task that carries none (added).",
    ["plan_doc_id", "template_doc_id", "seq"],
    [
        _field("plan_doc_id", pa.string(), "The plan (documents.doc_id).", nullable=False),
        _field("template_doc_id", pa.string(), "The template (documents.doc_id).", nullable=False),
        _field("seq", pa.int32(), "0-based row position within the pair.", nullable=False),
        _field(
            "linked_by",
            pa.string(),
            "How the plan names the template: doc_number, title or config.",
            nullable=False,
        ),
        _field(
            "requirement_id", pa.string(), "The template requirement (tasks.task_id); null for an addition."
        ),
        _field("requirement_number", pa.string(), "Its number, e.g. (一).3."),
        _field("requirement_status", pa.string(), "verbatim, modified, partial or missing."),
        _field("requirement_similarity", pa.float64(), "How much of the requirement the plan carries (0–1)."),
        _field("task_id", pa.string(), "The plan task (tasks.task_id); null for a missing requirement."),
        _field("task_number", pa.string(), "Its number, e.g. 1.2."),
        _field("task_status", pa.string(), "matched or added."),
        _field("link_similarity", pa.float64(), "Similarity of this requirement–task link (0–1)."),
        _field("verbatim", pa.bool_(), "The requirement stands unchanged inside this task.", nullable=False),
    ],
)

PLAN_DOMAINS = _schema(
    "plan_domains",
    "The domain tables (领域 × 部门) of a plan compared with its template's.",
    ["plan_doc_id", "template_doc_id", "seq"],
    [
        _field("plan_doc_id", pa.string(), "The plan (documents.doc_id).", nullable=False),
        _field("template_doc_id", pa.string(), "The template (documents.doc_id).", nullable=False),
        _field("seq", pa.int32(), "0-based row position within the pair.", nullable=False),
        _field(
            "status",
            pa.string(),
            "same, renamed, reassigned, renamed_and_reassigned, dropped or added.",
            nullable=False,
        ),
        _field("template_domain", pa.string(), "The domain in the template."),
        _field("template_unit", pa.string(), "Its unit in the template."),
        _field("plan_domain", pa.string(), "The domain in the plan."),
        _field("plan_unit", pa.string(), "Its unit in the plan."),
        _field("similarity", pa.float64(), "Similarity of the two domain names (0–1).", nullable=False),
    ],
)

MISSING_TEMPLATES = _schema(
    "missing_templates",
    "Documents a plan says it implements that are not in the corpus.",
    ["plan_doc_id", "seq"],
    [
        _field("plan_doc_id", pa.string(), "The plan (documents.doc_id).", nullable=False),
        _field("seq", pa.int32(), "0-based position among the plan's missing templates.", nullable=False),
        _field("cited_doc_number", pa.string(), "The cited 发文字号."),
        _field("cited_title", pa.string(), "The cited title."),
    ],
)

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "citations": CITATIONS,
    "tasks": TASKS,
    "task_units": TASK_UNITS,
    "milestones": MILESTONES,
    "members": MEMBERS,
    "domains": DOMAINS,
    "targets": TARGETS,
    "quarantine": QUARANTINE,
}

#: Tables derived from the others (not written per document): the cross-check's.
DERIVED_TABLES: dict[str, pa.Schema] = {
    "plan_alignment": PLAN_ALIGNMENT,
    "plan_domains": PLAN_DOMAINS,
    "missing_templates": MISSING_TEMPLATES,
}


def schema_for(table: str) -> pa.Schema:
    known = {**TABLES, **DERIVED_TABLES}
    try:
        return known[table]
    except KeyError:
        raise SchemaError(f"unknown table {table!r}; known: {', '.join(sorted(known))}") from None


def primary_key(schema: pa.Schema) -> tuple[str, ...]:
    """Columns that identify a row of ``schema``."""
    raw = (schema.metadata or {}).get(b"primary_key", b"").decode()
    return tuple(c for c in raw.split(",") if c)


def description(item: pa.Schema | pa.Field) -> str | None:
    raw = (item.metadata or {}).get(b"description")
    return raw.decode() if raw is not None else None


def _table_name(schema: pa.Schema) -> str:
    return (schema.metadata or {}).get(b"name", b"?").decode()


# --- strict row validation -------------------------------------------------------------------


class _Mismatch(Exception):
    """A value of the wrong type; ``SchemaError`` adds where it was (built only on failure)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path  # "[i]" for an item of a list column

    def error(self, where: str) -> SchemaError:
        return SchemaError(f"{where}{self.path}: {self.message}")


_Checker = Callable[[Any], None]


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown[:57] + "..." if len(shown) > 60 else shown


def _plain_checker(accepted: type | tuple[type, ...], expected: str, refused: type | None = None) -> _Checker:
    def check(value: Any) -> None:
        if not isinstance(value, accepted) or (refused is not None and isinstance(value, refused)):
            raise _Mismatch(f"expected {expected}, got {type(value).__name__} {_shown(value)}")

    return check


def _timestamp_checker(type_: pa.TimestampType) -> _Checker:
    def check(value: Any) -> None:
        if not isinstance(value, dt.datetime):
            raise _Mismatch(f"expected datetime.datetime, got {type(value).__name__} {_shown(value)}")
        if type_.tz is not None and value.tzinfo is None:
            raise _Mismatch(f"expected a timezone-aware datetime, got {value!r}")

    return check


def _list_checker(item_check: _Checker) -> _Checker:
    def check(value: Any) -> None:
        if not isinstance(value, list | tuple):
            raise _Mismatch(f"expected list, got {type(value).__name__} {_shown(value)}")
        for i, item in enumerate(value):
            if item is None:
                raise _Mismatch("null item in a list", f"[{i}]")
            try:
                item_check(item)
            except _Mismatch as err:
                raise _Mismatch(err.message, f"[{i}]{err.path}") from None

    return check


def _checker(type_: pa.DataType) -> _Checker:
    """The check for values of ``type_``: exactly the Python type it stores.

    Stricter than pyarrow on purpose: pyarrow would turn a ``datetime`` into a ``date32`` and
    silently drop the time, or accept a numeric string for an int in some paths. Built once per
    column (``_column_checks``), not per value: conversion checks every value of every row.
    """
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return _plain_checker(str, "str")
    if pa.types.is_integer(type_):
        return _plain_checker(int, "int", refused=bool)
    if pa.types.is_boolean(type_):
        return _plain_checker(bool, "bool")
    if pa.types.is_floating(type_):
        return _plain_checker((float, int), "float", refused=bool)
    if pa.types.is_date(type_):
        return _plain_checker(dt.date, "datetime.date", refused=dt.datetime)
    if pa.types.is_timestamp(type_):
        return _timestamp_checker(type_)
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return _list_checker(_checker(type_.value_type))
    raise SchemaError(f"no validator for Arrow type {type_}")  # pragma: no cover - a new type in a schema


@functools.lru_cache(maxsize=64)
def _column_checks(schema: pa.Schema) -> tuple[tuple[str, bool, _Checker], ...]:
    """``(name, nullable, check)`` per column of ``schema``."""
    return tuple((f.name, f.nullable, _checker(f.type)) for f in schema)


def validate_rows(schema: pa.Schema, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check every row against ``schema``: exact column set, Python types, non-null fields.

    Returns the rows as plain dicts (lists for list columns). Raises ``SchemaError`` naming the
    table, row and column of the first problem.
    """
    name = _table_name(schema)
    columns = _column_checks(schema)
    expected = set(schema.names)
    out: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        if row.keys() != expected:
            keys = set(row)
            missing = sorted(expected - keys)
            extra = sorted(keys - expected)
            raise SchemaError(
                f"{name} row {i}: columns do not match the schema"
                + (f"; missing {missing}" if missing else "")
                + (f"; unexpected {extra}" if extra else "")
            )
        clean: dict[str, Any] = {}
        for column, nullable, check in columns:
            value = row[column]
            if value is None:
                if not nullable:
                    raise SchemaError(f"{name}.{column} (row {i}): null in a non-nullable column")
            else:
                try:
                    check(value)
                except _Mismatch as err:
                    raise err.error(f"{name}.{column} (row {i})") from None
                if isinstance(value, tuple):
                    value = list(value)
            clean[column] = value
        out.append(clean)
    return out


def to_table(table: str | pa.Schema, rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """Rows → ``pa.Table`` with exactly the declared schema (raises ``SchemaError``)."""
    schema = schema_for(table) if isinstance(table, str) else table
    clean = validate_rows(schema, rows)
    try:
        return pa.Table.from_pylist(clean, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as err:
        raise SchemaError(f"{_table_name(schema)}: {err}") from err


def empty_table(table: str | pa.Schema) -> pa.Table:
    schema = schema_for(table) if isinstance(table, str) else table
    return schema.empty_table()


def conform(table: pa.Table, schema: pa.Schema, *, what: str = "table") -> pa.Table:
    """Check that a table read back (a Parquet fragment) has the declared schema.

    Column names, order, types and nullability must match; the schema-level metadata of the
    declared schema is put back (Parquet round-trips it, but older files may lack it). Raises
    ``SchemaError`` with a hint when a fragment was written by an older schema.
    """
    got = table.schema
    if not got.remove_metadata().equals(schema.remove_metadata(), check_metadata=False):
        problems: list[str] = []
        if got.names != schema.names:
            problems.append(f"columns {got.names} != {schema.names}")
        else:
            for g, s in zip(got, schema, strict=True):
                if g.type != s.type or g.nullable != s.nullable:
                    problems.append(
                        f"{s.name}: {g.type}{'' if g.nullable else ' not null'} != "
                        f"{s.type}{'' if s.nullable else ' not null'}"
                    )
        raise SchemaError(
            f"{what} does not match the {_table_name(schema)} schema ({'; '.join(problems)}); "
            "it was probably written by an older version: rematerialize it"
        )
    for f in schema:
        if not f.nullable and table.column(f.name).null_count:
            raise SchemaError(f"{what}: nulls in non-nullable column {f.name}")
    return pa.Table.from_arrays(table.columns, schema=schema)
