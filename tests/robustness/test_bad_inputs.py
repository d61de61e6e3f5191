"""Every file of the bad-input corpus through ``gongwen parse``, ``parse_guarded`` and a Dagster run.

A bad file gives one clear line (the file, what is wrong, what to do) and a non-zero exit, or one
quarantine row with its kind; a hostile but readable file (``ok`` in the manifest) lands as rows;
the good files next to them always land.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, materialize

from parsers.errors import ParseError
from parsers.guard import parse_guarded
from pipelines import storage
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import warehouse_tables
from pipelines.checks import CHECKS
from pipelines.partitions import sync_document_partitions
from pipelines.resources import RawStore, Warehouse
from scripts.make_bad_corpus import write_corpus
from tests.robustness.corpus import BAD_DIR, GOOD_FILES, KNOWN_WRONG, ROOT, BadFile, copy_corpus, manifest

FILES = manifest()
GONGWEN = Path(sys.executable).with_name("gongwen")


def _param(item: BadFile) -> object:
    marks = []
    if item.name in KNOWN_WRONG:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[item.name][1]))
    return pytest.param(item, id=item.name.encode("unicode_escape").decode(), marks=marks)


def test_corpus_is_reproducible_and_small(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    kept = sorted(p.relative_to(BAD_DIR) for p in BAD_DIR.rglob("*") if p.is_file())
    assert made == kept, "tests/fixtures/bad is stale: run scripts/make_bad_corpus.py"
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (BAD_DIR / rel).read_bytes(), rel
    assert sum((BAD_DIR / rel).stat().st_size for rel in kept) < 3 * 1024 * 1024
    assert {f.name for f in FILES} == {str(r) for r in kept} - {"MANIFEST.tsv"}


# --- gongwen parse ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def cli_results() -> dict[str, CliResult]:
    """``gongwen parse FILE`` on every corpus file, four at a time."""

    def run(item: BadFile) -> tuple[str, CliResult]:
        cmd = [str(GONGWEN) if GONGWEN.exists() else sys.executable, "parse", str(item.path)]
        if not GONGWEN.exists():
            cmd[1:1] = ["-m", "gongwen.cli"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
        return item.name, CliResult(proc.returncode, proc.stdout, proc.stderr)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(run, FILES))


@pytest.mark.parametrize("item", FILES, ids=lambda f: f.name.encode("unicode_escape").decode())
def test_gongwen_parse(item: BadFile, cli_results: dict[str, CliResult]) -> None:
    res = cli_results[item.name]
    assert "Traceback" not in res.stderr + res.stdout
    if item.expected == "ok":
        assert res.code == 0, res.stderr
        assert res.stderr == "" and "title" in res.stdout
        return
    assert res.code == 1
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    shown = str(item.path).encode("unicode_escape").decode() if "\n" in item.name else str(item.path)
    assert lines[0].startswith(f"gongwen: error: {shown}: "), lines[0]
    message = lines[0].removeprefix(f"gongwen: error: {shown}: ")
    assert len(message) >= 20 and res.stdout == ""


# --- parse_guarded ------------------------------------------------------------------------------


@pytest.mark.parametrize("item", [_param(f) for f in FILES])
def test_parse_guarded_kind(item: BadFile) -> None:
    if item.expected == "ok":
        record = parse_guarded(item.path)
        assert record.doc_id
        return
    with pytest.raises(ParseError) as err:
        parse_guarded(item.path)
    assert err.value.kind == item.expected, err.value.message
    assert err.value.path == str(item.path)
    assert "\n" not in err.value.message


# --- a Dagster run: good files next to the whole corpus -----------------------------------------

ASSETS = [parsed_documents, warehouse_tables, *CHECKS]


@dataclass
class Run:
    raw: Path
    warehouse: Path
    success: bool
    metadata: dict[str, object]
    checks: dict[str, bool]


@pytest.fixture(scope="module")
def dagster_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("badrun")
    raw = copy_corpus(root / "raw")
    warehouse = root / "warehouse"
    with DagsterInstance.ephemeral() as instance:
        keys = sync_document_partitions(instance, raw, warehouse).keys
        result = materialize(
            ASSETS,
            instance=instance,
            resources={
                "raw_store": RawStore(root=str(raw), parse_timeout_s=60),
                "warehouse": Warehouse(root=str(warehouse)),
            },
            tags={
                "dagster/asset_partition_range_start": keys[0],
                "dagster/asset_partition_range_end": keys[-1],
            },
            raise_on_error=False,
        )
        mats = [
            e.materialization
            for e in result.get_asset_materialization_events()
            if e.materialization.asset_key == parsed_documents.key
        ]
        run_meta = next(m.metadata for m in mats if "run_quarantined" in m.metadata)
        checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
        yield Run(raw, warehouse, result.success, {k: v.value for k, v in run_meta.items()}, checks)


def test_run_succeeds_and_reports_the_count(dagster_run: Run) -> None:
    bad = [f for f in FILES if f.expected != "ok"]
    assert dagster_run.success
    assert dagster_run.metadata["run_quarantined"] == len(bad)
    assert dagster_run.metadata["run_parsed"] == len(FILES) - len(bad) + len(GOOD_FILES)
    assert dagster_run.checks["quarantine_has_no_internal_errors"], "a bad file hit a reader bug"


def test_every_good_file_lands(dagster_run: Run) -> None:
    docs = pq.read_table(storage.table_path(dagster_run.warehouse, "documents")).to_pylist()
    paths = {d["path"] for d in docs if d["parent_id"] is None}
    expected = {p.name for p in GOOD_FILES} | {f.name for f in FILES if f.expected == "ok"}
    assert paths == expected
    quarantined = pq.read_table(storage.table_path(dagster_run.warehouse, "quarantine")).column("path")
    assert not expected & set(quarantined.to_pylist())


def test_every_bad_file_is_one_quarantine_row(dagster_run: Run) -> None:
    rows = pq.read_table(storage.table_path(dagster_run.warehouse, "quarantine")).to_pylist()
    by_path = {r["path"]: r for r in rows}
    assert len(by_path) == len(rows)
    bad = {f.name: f for f in FILES if f.expected != "ok"}
    assert set(by_path) == set(bad)
    for name, row in by_path.items():
        assert row["stage"] == "parse"
        assert row["error_kind"] == bad[name].actual, (name, row["message"])
        assert row["message"] and "\n" not in row["message"] and "Traceback" not in row["message"]
        assert row["recorded_at"] is not None


def test_no_temporary_files_left(dagster_run: Run) -> None:
    leftovers = [p for p in dagster_run.warehouse.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []
    assert not any(p.name.startswith(".") for p in dagster_run.warehouse.rglob("*.parquet"))
    assert os.listdir(dagster_run.warehouse)
