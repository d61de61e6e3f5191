"""The warehouse on object storage: the whole asset graph against a real S3-compatible server.

``moto`` runs in server mode as a separate process on a free loopback port (a real HTTP S3
endpoint, not a mock inside this process); the run is configured the way a deployment is, through
the standard AWS environment variables (``AWS_ENDPOINT_URL`` …), which the guarded reader
processes inherit. The corpus is the one of ``test_incremental``: the template (000) and two
county plans (001, 003) as DOCX, plus an empty PDF that is quarantined.

Asserted: the tables and the internal files (fragments written by the reader processes, state
markers, build records, cross-check cache, reports) are objects in the bucket; the tables read
back through s3fs hold the same rows as a run on a local warehouse over the same files, and the
asset checks say the same; a second run reads no file and rebuilds no table; ``gongwen run`` and
``gongwen query`` work on the ``s3://`` warehouse.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # with moto[server], in the dev extra
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import s3fs
from dagster import AssetKey, DagsterInstance, ExecuteInProcessResult, materialize

from gongwen import warehouse_cli
from pipelines import storage
from pipelines.assets.crosscheck import CrossCheckSettings, plan_alignment
from pipelines.assets.ingest import parsed_documents
from pipelines.assets.warehouse import TABLE_SPECS, warehouse_tables
from pipelines.checks import CHECKS
from pipelines.partitions import sync_document_partitions
from pipelines.paths import PROJECT_ROOT, WAREHOUSE_DIR_ENV
from pipelines.reading import close_reader_pools
from pipelines.resources import RawStore, Warehouse
from schemas.rows import record_tables
from tests.pipelines.corpus import SAMPLE_DIR
from tests.seeds import seed

FILES = ("000_3fcaf470a0c023ac.docx", "001_3066dfd361fc75f9.docx", "003_b54ff24471a88dd0.docx")
BAD = "empty.pdf"
BUCKET = "gongwen-test"
PREFIX = "wh"
URL = f"s3://{BUCKET}/{PREFIX}"
ASSETS = [parsed_documents, warehouse_tables, plan_alignment]
COMPARED = ("documents", "citations", "tasks", "quarantine", "plan_alignment", "plan_domains")
#: Columns that hold the time of a run rather than anything read from the files.
RUN_TIME_COLUMNS = ("recorded_at",)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def s3_server(log: Path) -> Iterator[str]:
    """A moto S3 server in its own process on a free loopback port; yields its endpoint URL and
    kills it on the way out."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the S3 server exited ({proc.returncode}): {log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"the S3 server did not answer within 30 s: {log.read_text(errors='replace')}"
                    )
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An empty bucket on a fresh server, the AWS variables pointing at it; yields an s3fs file
    system on it. Reader processes are started anew on both sides, so that they carry (and then
    no longer carry) this environment."""
    with s3_server(tmp_path / "moto.log") as endpoint:
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        close_reader_pools()
        s3fs.S3FileSystem.clear_instance_cache()
        try:
            boto3.client("s3").create_bucket(Bucket=BUCKET)
            yield s3fs.S3FileSystem()
        finally:
            close_reader_pools()
            s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in FILES:
        shutil.copy2(SAMPLE_DIR / name, folder / name)
    (folder / BAD).write_bytes(b"")
    return folder


def run(raw: Path, warehouse: Warehouse, instance: DagsterInstance) -> ExecuteInProcessResult:
    keys = sync_document_partitions(instance, raw, warehouse.path).keys
    result = materialize(
        [*ASSETS, *CHECKS],
        instance=instance,
        resources={
            "raw_store": RawStore(root=str(raw), parse_workers=2),
            "warehouse": warehouse,
            "crosscheck_settings": CrossCheckSettings(as_of="2022-01-01"),
        },
        tags={
            "dagster/asset_partition_range_start": keys[0],
            "dagster/asset_partition_range_end": keys[-1],
        },
    )
    assert result.success
    return result


def meta(result: ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    events = [
        e.materialization for e in result.get_asset_materialization_events() if e.asset_key == AssetKey(asset)
    ]
    assert events, asset
    return {k: getattr(v, "value", v) for k, v in events[-1].metadata.items()}


def checks(result: ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.drop_columns([c for c in RUN_TIME_COLUMNS if c in table.column_names]).to_pylist()


def test_asset_graph_on_s3_matches_a_local_warehouse(
    s3: Any, raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_wh = tmp_path / "local-warehouse"
    with DagsterInstance.ephemeral() as instance:
        local = run(raw, Warehouse(root=str(local_wh)), instance)
    with DagsterInstance.ephemeral() as instance:
        first = run(raw, Warehouse(root=URL), instance)
        assert not (PROJECT_ROOT / "s3:").exists()  # the URL never became a local folder

        # every file is an object in the bucket, the fragments written by the reader processes
        first_meta = meta(first, "parsed_documents")
        assert first_meta["run_files_read"] == 4 and first_meta["run_reader_processes"] == 2
        keys = set(s3.find(f"{BUCKET}/{PREFIX}"))
        names = {k.removeprefix(f"{BUCKET}/{PREFIX}/") for k in keys}
        for table in COMPARED:
            assert f"{table}.parquet" in names
        for name in FILES:
            assert f"_parts/documents/{name}.arrow" in names and f"_parts/_state/{name}.json" in names
        assert f"_parts/quarantine/{BAD}.arrow" in names
        assert {f"_parts/_built/{t}.json" for t in ("documents", "tasks", "plan_alignment")} <= names
        assert sum(n.startswith("_cache/crosscheck/") for n in names) == 2  # 泸县 and 万源 × the template
        reports = sorted(n for n in names if n.startswith("reports/"))
        assert reports == sorted(f"reports/{p.name}" for p in (local_wh / "reports").iterdir())
        assert not any(".tmp" in n for n in names)  # one PUT per file: no temporary objects

        # the tables read back through s3fs hold the rows of the local run, checks agree
        for table in COMPARED:
            remote = pq.read_table(f"{BUCKET}/{PREFIX}/{table}.parquet", filesystem=s3)
            assert rows(remote) == rows(pq.read_table(local_wh / f"{table}.parquet")), table
        quarantine = pq.read_table(f"{BUCKET}/{PREFIX}/quarantine.parquet", filesystem=s3).to_pylist()
        assert [(q["path"], q["error_kind"]) for q in quarantine] == [(BAD, "empty")]
        assert checks(first) == checks(local) and checks(first)["doc_id_is_unique"]
        assert meta(first, "tasks")["dagster/row_count"] == meta(local, "tasks")["dagster/row_count"] > 0

        # a second run, the warehouse named by the environment this time: nothing read, nothing rebuilt
        monkeypatch.setenv(WAREHOUSE_DIR_ENV, URL)
        before = {k: s3.info(k)["ETag"] for k in keys}
        second = run(raw, Warehouse(), instance)
        second_meta = meta(second, "parsed_documents")
        assert (second_meta["run_files_read"], second_meta["run_files_unchanged"]) == (0, 4)
        for table in TABLE_SPECS:
            assert meta(second, table)["rebuilt"] is False, table
            assert meta(second, table)["fragments_read"] == 0, table
        assert meta(second, "plan_alignment")["recomputed"] is False
        s3.invalidate_cache()
        assert set(s3.find(f"{BUCKET}/{PREFIX}")) == keys
        assert {k: s3.info(k)["ETag"] for k in before} == before
        assert checks(second) == checks(local)

    # the command line on the same warehouse: `gongwen run` (nothing changed) and `gongwen query`
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        assert warehouse_cli.run(raw, URL) == 0, err.getvalue()
    local_docs = pq.read_table(local_wh / "documents.parquet").num_rows
    local_tasks = pq.read_table(local_wh / "tasks.parquet").num_rows
    assert f"done: {local_docs} documents" in err.getvalue()
    assert f"{local_tasks} tasks, 1 quarantined" in err.getvalue()
    assert f"warehouse {URL}" in err.getvalue()
    out = io.StringIO()
    sql = "SELECT count(*) AS n, count(DISTINCT doc_id) AS docs FROM tasks"
    assert warehouse_cli.query(sql, URL, output_format="csv", out=out) == 0
    doc_ids = pq.read_table(local_wh / "tasks.parquet")["doc_id"].to_pylist()
    assert out.getvalue().splitlines() == ["n,docs", f"{len(doc_ids)},{len(set(doc_ids))}"]
    assert warehouse_cli.query("SELECT 1", f"s3://{BUCKET}/nothing-here") == 2


def test_storage_helpers_on_s3(s3: Any) -> None:
    """The few operations that differ on object storage: one PUT per write, ETag tokens, one
    listing per folder, batch deletes, missing files."""
    wh = storage.location(URL)
    assert not storage.is_local(wh) and storage.is_local(storage.location("/tmp/x"))
    assert storage.location("file:///tmp/x") == Path("/tmp/x")
    table = pa.table({"a": [1, 2, 3]})
    path = storage.atomic_write_arrow(table, wh / "t" / "k.arrow")
    assert storage.read_arrow(path).equals(table)
    token = storage.file_token(path)
    assert token is not None and token.startswith(f"{s3.info(path.path)['size']}:")
    storage.atomic_write_arrow(pa.table({"a": [4]}), path)
    assert storage.file_token(path) != token
    assert storage.file_token(wh / "t" / "missing.arrow") is None
    assert storage.file_names(wh / "t", ".arrow") == ["k.arrow"]
    assert storage.file_names(wh / "nothing", ".arrow") == []
    storage.atomic_write_text("x", wh / "t" / "j.json")
    assert storage.read_files([wh / "t" / "j.json", wh / "t" / "no.json"]) == [b"x", None]
    assert storage.holds(wh / "t" / "j.json", b"x") and not storage.holds(wh / "t" / "no.json", b"x")
    storage.unlink_all([wh / "t" / "k.arrow", wh / "t" / "j.json", wh / "t" / "no.json"])
    assert storage.file_names(wh / "t", "") == []
    storage.unlink(wh / "t" / "gone.json")  # a missing file is not an error


def test_incremental_build_and_prune_on_s3(s3: Any) -> None:
    """``build_table`` reads only the fragments whose ETag changed and gives what a full build
    gives; ``prune_fragments`` drops an unregistered partition's objects from one listing."""
    wh = storage.location(URL)
    stems = [name.removesuffix(".docx") for name in FILES]
    notices = {key: seed(stem, "docx") for key, stem in zip("abc", stems, strict=True)}
    for key, record in notices.items():
        storage.write_fragments(wh, key, record_tables(record, f"{key}.docx"), state={"sha256": key})
    first = storage.build_table(wh, "tasks", list("abc"))
    assert first.rebuilt and first.fragments == 3 and not first.incremental
    assert not storage.build_table(wh, "tasks", list("abc")).rebuilt
    storage.write_fragments(wh, "b", record_tables(notices["a"], "b.docx"))  # b now holds a's notice
    again = storage.build_table(wh, "tasks", list("abc"))
    assert again.rebuilt and again.incremental and again.fragments == 1
    assert again.table.equals(storage.combine_fragments(wh, "tasks", list("abc")).table)
    assert storage.read_table(wh, "tasks").equals(again.table)
    assert storage.prune_fragments(wh, keep=["a", "b"]) == ["c"]
    assert storage.fragment_keys(wh, "tasks") == {"a", "b"}
    assert storage.read_states(wh, list("abc")) == {"a": storage.read_state(wh, "a"), "b": None, "c": None}
