"""``gongwen run`` / ``query`` / ``ui`` as functions: exit codes, progress, one-line errors."""

from __future__ import annotations

import contextlib
import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gongwen import warehouse_cli
from tests.pipelines.corpus import BAD_FILES, make_corpus, sample_files


@dataclass
class Ran:
    raw: Path
    warehouse: Path
    home: Path
    code: int
    stderr: str
    files: list[Path]


def _pick_files() -> list[Path]:
    """One seed per format, including the forwarding notice (004), to keep the run short."""
    wanted = ("000_", ".pdf"), ("001_", ".docx"), ("004_", ".html")
    return [
        p
        for p in sample_files()
        for prefix, suffix in wanted
        if p.name.startswith(prefix) and p.suffix == suffix
    ]


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ran]:
    root = tmp_path_factory.mktemp("cli")
    files = _pick_files()
    raw = make_corpus(root / "raw", files)
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(err):
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        code = warehouse_cli.run(raw, root / "warehouse")
    yield Ran(raw, root / "warehouse", root / "dagster_home", code, err.getvalue(), files)


def _query(sql: str, warehouse: Path, fmt: str = "table") -> tuple[int, str]:
    out = io.StringIO()
    code = warehouse_cli.query(sql, warehouse, output_format=fmt, out=out)
    return code, out.getvalue()


def test_run_succeeds_with_quarantined_files(ran: Ran) -> None:
    assert ran.code == 0, ran.stderr
    lines = ran.stderr.splitlines()
    total = len(ran.files) + len(BAD_FILES)
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == total
    assert progress[0].startswith(f"[1/{total}] parsed ")
    assert any(
        line.startswith(f"[4/{total}] quarantined ") and "raw/bad.pdf: the file is empty" in line
        for line in progress
    ), progress
    assert lines[-1].startswith(f"done: {len(ran.files) + 1} documents (1 forwarded), ")
    assert f"{len(BAD_FILES)} quarantined" in lines[-1]


def test_run_uses_a_persistent_instance_without_telemetry(ran: Ran) -> None:
    from dagster import DagsterInstance

    config = (ran.home / "dagster.yaml").read_text()
    assert "telemetry:\n  enabled: false" in config
    with DagsterInstance.from_config(str(ran.home)) as instance:
        assert instance.root_directory == str(ran.home)
        assert type(instance.event_log_storage).__name__ == "PooledSqliteEventLogStorage"
        assert (ran.home / "history" / "runs" / "index.db").is_file()  # Dagster's usual place
        assert type(instance.run_storage).__name__ == "NormalSyncSqliteRunStorage"
        assert (ran.home / "history" / "runs.db").is_file()
        runs = instance.get_runs()
        assert len(runs) == 1 and runs[0].job_name == "ingest"
        assert runs[0].tags["dagster/asset_partition_range_start"] == "000_3fcaf470a0c023ac.pdf"


def test_query_counts(ran: Ran) -> None:
    code, out = _query("SELECT count(*) AS n FROM documents WHERE parent_id IS NULL", ran.warehouse, "csv")
    assert code == 0 and out == f"n\n{len(ran.files)}\n"
    code, out = _query("SELECT path, error_kind FROM quarantine ORDER BY path", ran.warehouse, "json")
    assert code == 0
    assert {r["path"]: r["error_kind"] for r in json.loads(out)} == BAD_FILES
    code, out = _query("SELECT count(*) FROM citations c JOIN documents d USING (doc_id)", ran.warehouse)
    assert code == 0 and out.splitlines()[-1] == "(1 row)"


def test_command_line_paths_are_relative_to_the_working_directory(
    ran: Ran, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ran.raw)
    relative = Path("..") / ran.warehouse.name  # from the project root this names nothing
    code, out = _query("SELECT count(*) AS n FROM documents", relative, "csv")
    assert code == 0 and int(out.splitlines()[1]) >= 1


def test_query_table_output_aligns_cjk(ran: Ran) -> None:
    code, out = _query(
        "SELECT doc_number, signing_date, recipients FROM documents WHERE doc_number = '川办函〔2021〕57号'",
        ran.warehouse,
    )
    assert code == 0
    header, rule, row, footer = out.splitlines()
    assert header.split() == ["doc_number", "signing_date", "recipients"]
    assert row.startswith("川办函〔2021〕57号  2021-08-12  ")
    # columns start at the same display offset in every line (CJK counted as two columns)
    assert warehouse_cli._width(row[: row.index("2021-08-12")]) == header.index("signing_date")
    assert footer == "(1 row)"
    # the rule under a column is as wide as its widest value, CJK counted double
    assert rule.split()[0] == "-" * warehouse_cli._width("川办函〔2021〕57号")


def test_query_errors_are_one_line_and_exit_2(
    ran: Ran, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert warehouse_cli.query("SELEC nonsense", ran.warehouse) == 2
    err = capsys.readouterr().err
    assert err.startswith("gongwen: error: query failed: ") and err.count("\n") == 1
    assert warehouse_cli.query("SELECT * FROM tasks_nope", ran.warehouse) == 2
    assert "tasks_nope" in capsys.readouterr().err
    assert warehouse_cli.query("SELECT 1", tmp_path / "nowhere") == 2
    err = capsys.readouterr().err
    assert "no warehouse tables" in err and err.count("\n") == 1
    assert warehouse_cli.query("SELECT 1", ran.warehouse, output_format="xml") == 2


def test_run_on_a_missing_raw_dir_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert warehouse_cli.run(tmp_path / "missing", tmp_path / "wh") == 2
    err = capsys.readouterr().err
    assert err.startswith("gongwen: error: raw directory") and err.count("\n") == 1
    assert not (tmp_path / "wh").exists()


def test_ui_refuses_a_busy_port(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert warehouse_cli.ui(port=port) == 2
    assert "in use" in capsys.readouterr().err
    assert warehouse_cli.ui(port=70000) == 2


def test_format_table_right_aligns_numbers_and_counts_cjk_double() -> None:
    text = warehouse_cli.format_table(["name", "n"], [["泸县", 5], ["万源市", 12]])
    assert text.splitlines() == [
        "name    n",
        "------  --",
        "泸县     5",
        "万源市  12",
        "(2 rows)",
    ]
    cut = warehouse_cli.format_table(["t"], [["长" * 100]]).splitlines()[2]
    assert cut.endswith("…") and warehouse_cli._width(cut) <= warehouse_cli.TABLE_CELL_WIDTH


def test_few_files_to_read_start_few_spawned_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    import parsers.guard

    monkeypatch.setattr(warehouse_cli.os, "cpu_count", lambda: 4)
    per = warehouse_cli.FILES_PER_READER
    sizes = (0, 1, 2, per, per + 1, 10 * per)
    monkeypatch.setattr(parsers.guard, "can_fork_workers", lambda: False)
    assert [warehouse_cli.reader_count(n) for n in sizes] == [1, 1, 1, 1, 2, 4]
    monkeypatch.setattr(parsers.guard, "can_fork_workers", lambda: True)  # copies of the first: cheap
    assert [warehouse_cli.reader_count(n) for n in sizes] == [1, 1, 2, 4, 4, 4]


def test_run_plan_by_where_the_changes_are() -> None:
    from pipelines.assets.ingest import CHANGED_ONLY_TAG

    keys = [f"k{i:02d}" for i in range(40)]
    start, end = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"
    nothing = warehouse_cli.run_plan(keys, [], "parse", ["table"])
    assert [(p.tags, p.selection) for p in nothing] == [({}, ["table"])]
    first = warehouse_cli.run_plan(keys, keys, "parse", ["table"])
    assert [(p.tags, p.selection) for p in first] == [({start: "k00", end: "k39"}, None)]
    added = warehouse_cli.run_plan(keys, keys[30:], "parse", ["table"])
    assert [(p.tags, p.selection) for p in added] == [({start: "k30", end: "k39"}, None)]
    scattered = warehouse_cli.run_plan(keys, ["k03", "k20", "k21"], "parse", ["table"])
    assert [(p.tags, p.selection) for p in scattered] == [
        ({start: "k03", end: "k21", CHANGED_ONLY_TAG: "true"}, ["parse"]),
        ({}, ["table"]),
    ]


def _docx_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefixes: tuple[str, ...]) -> Path:
    """The sample DOCX notices of ``prefixes`` in a raw folder; a Dagster home of the test's own."""
    files = [p for p in sample_files() if p.suffix == ".docx" and p.name[:3] in prefixes]
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return make_corpus(tmp_path / "raw", files, bad=False)


def _run_logged(raw: Path, warehouse: Path, **options: Any) -> str:
    """``warehouse_cli.run`` that succeeds, and what it printed on stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert warehouse_cli.run(raw, warehouse, **options) == 0
    return err.getvalue()


def test_scattered_changes_are_one_parse_run_of_the_changed_files_then_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import AssetKey, DagsterInstance

    from pipelines.assets.ingest import CHANGED_ONLY_TAG, parsed_documents

    raw = _docx_corpus(tmp_path, monkeypatch, ("000", "001", "002", "003"))
    assert warehouse_cli.run(raw, tmp_path / "wh") == 0
    template, luxian, other, wanyuan = sorted(raw.iterdir())
    luxian.write_bytes(other.read_bytes())  # two changes with an unchanged file between them
    wanyuan.write_bytes(template.read_bytes())
    log = _run_logged(raw, tmp_path / "wh")
    assert log.count("] parsed ") == 2 and "unchanged" not in log
    with DagsterInstance.get() as instance:
        parse_run, tables_run = instance.get_runs(limit=2)[::-1]
        assert parse_run.asset_selection == {parsed_documents.key}
        assert parse_run.tags[CHANGED_ONLY_TAG] == "true"
        assert parse_run.tags["dagster/asset_partition_range_start"] == luxian.name
        assert parse_run.tags["dagster/asset_partition_range_end"] == wanyuan.name
        materialized = instance.fetch_materializations(parsed_documents.key, limit=10).records
        assert sorted(r.partition_key for r in materialized if r.run_id == parse_run.run_id) == [
            luxian.name,
            wanyuan.name,
        ]  # the unchanged file between them keeps its first materialization
        assert parsed_documents.key not in (tables_run.asset_selection or set())
        built = instance.fetch_materializations(AssetKey("tasks"), limit=1).records[0]
        assert built.run_id == tables_run.run_id
    sql = "SELECT count(*) AS n FROM documents WHERE title LIKE '%万源%'"
    code, out = _query(sql, tmp_path / "wh", "csv")
    assert code == 0 and out.splitlines()[1] == "0"  # its rows replaced by the copy's (deduplicated)


def test_a_rerun_as_of_another_day_rejudges_deadlines_and_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from dagster import AssetKey, DagsterInstance

    raw = _docx_corpus(tmp_path, monkeypatch, ("000", "003"))
    assert warehouse_cli.run(raw, tmp_path / "wh", as_of=dt.date(2021, 1, 1)) == 0
    assert "] parsed " not in _run_logged(raw, tmp_path / "wh", as_of=dt.date(2030, 1, 1))
    (report,) = (tmp_path / "wh" / "reports").glob("report_*.html")
    page = report.read_text(encoding="utf-8")
    assert "2030-01-01" in page and "2021-01-01" not in page
    with DagsterInstance.get() as instance:
        record = instance.fetch_materializations(AssetKey("plan_alignment"), limit=1).records[0]
        meta = record.asset_materialization.metadata
        assert (meta["pairs_computed"].value, meta["pairs_rejudged"].value) == (0, 1)


def test_as_of_must_be_a_day(capsys: pytest.CaptureFixture[str]) -> None:
    from gongwen.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["run", "--as-of", "2021-13-01"])
    assert exit_.value.code == 2
    assert "'2021-13-01' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_files_touched_but_unchanged_are_not_read_and_the_reader_started_ahead_is_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parsers.guard import Limits
    from pipelines import reading

    raw = _docx_corpus(tmp_path, monkeypatch, ("000", "003"))
    assert warehouse_cli.run(raw, tmp_path / "wh") == 0
    reading.close_reader_pools()
    started: list[int] = []
    real_pool = reading.reader_pool

    def watched_pool(workers: int, limits: Limits) -> reading.ReaderPool:
        pool = real_pool(workers, limits)
        started.append(id(pool))
        return pool

    monkeypatch.setattr(reading, "reader_pool", watched_pool)
    for path in raw.iterdir():
        path.touch()  # a new status, the same bytes
    log = _run_logged(raw, tmp_path / "wh")
    assert started  # a reader was started first, before anything was hashed …
    assert "] parsed " not in log  # … none had, nothing was read
    assert reading._pools == {}  # and the reader was let go
