"""``gongwen run`` killed with SIGKILL mid-way: the warehouse stays readable, a rerun repairs it.

Two warehouses over the same raw files, two pairs of runs side by side:

* ``fresh``: killed during its first run (only some fragments written), checked, rerun to the end:
  it must equal the reference content-wise (same rows, no duplicates; ``quarantine.recorded_at``,
  the time of the latest failure, left out) and byte for byte for the other tables;
* ``rerun``: one complete run (the reference), then a second run killed mid-way: its tables must
  still be the complete ones of the first run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas.tables import TABLES, conform, schema_for
from tests.robustness.corpus import BAD_DIR, ROOT

GONGWEN = Path(sys.executable).with_name("gongwen")
RAW_FILES = sorted((ROOT / "raw").glob("002_*"))  # one real notice in its 3 formats
BAD_FILES = ["pdf_truncated.pdf", "docx_bomb.docx", "html_zero_bytes.html"]


def _cmd(raw: Path, warehouse: Path) -> list[str]:
    base = [str(GONGWEN)] if GONGWEN.exists() else [sys.executable, "-m", "gongwen.cli"]
    return [*base, "run", "--raw", str(raw), "--warehouse", str(warehouse)]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "DAGSTER_HOME": str(home), "GONGWEN_RAW_DIR": "", "GONGWEN_WAREHOUSE_DIR": ""}


def _start(raw: Path, warehouse: Path, home: Path) -> subprocess.Popen[str]:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        _cmd(raw, warehouse),
        env=_env(home),
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )


def _kill_after_first_document(proc: subprocess.Popen[str]) -> list[str]:
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.startswith("[1/"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    return seen


def _finish(proc: subprocess.Popen[str]) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err


def _tables(warehouse: Path) -> dict[str, pa.Table]:
    """Every table that exists, read and checked against its schema (``*.tmp`` never matches)."""
    out = {}
    for name in TABLES:
        path = warehouse / f"{name}.parquet"
        if path.exists():
            table = conform(pq.read_table(path), schema_for(name), what=str(path))
            out[name] = table.drop_columns(["recorded_at"]) if name == "quarantine" else table
    return out


def _check_readable(warehouse: Path) -> None:
    """Every visible Parquet file (tables and fragments) reads and fits its table's schema."""
    for path in warehouse.rglob("*.parquet"):
        if path.name.startswith("."):
            continue
        table = path.stem if path.parent == warehouse else path.parent.name
        conform(pq.read_table(path), schema_for(table), what=str(path))


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("killraw")
    for path in RAW_FILES:
        shutil.copy2(path, raw / path.name)
    for name in BAD_FILES:
        shutil.copy2(BAD_DIR / name, raw / name)
    return raw


def test_killed_runs_leave_a_consistent_warehouse(raw: Path, tmp_path: Path) -> None:
    fresh, rerun = tmp_path / "fresh", tmp_path / "rerun"
    reference_run = _start(raw, rerun / "warehouse", rerun / "home")
    killed_fresh = _start(raw, fresh / "warehouse", fresh / "home")
    _kill_after_first_document(killed_fresh)
    _check_readable(fresh / "warehouse")
    assert _tables(fresh / "warehouse") == {}  # no table was built: none is half there
    _finish(reference_run)
    reference = _tables(rerun / "warehouse")
    assert set(reference) == set(TABLES)
    assert reference["documents"].num_rows >= len(RAW_FILES)
    assert reference["quarantine"].num_rows == len(BAD_FILES)

    repair_fresh = _start(raw, fresh / "warehouse", fresh / "home")
    killed_rerun = _start(raw, rerun / "warehouse", rerun / "home")
    _kill_after_first_document(killed_rerun)
    _check_readable(rerun / "warehouse")
    assert _tables(rerun / "warehouse") == reference  # still the complete tables of the first run
    _finish(repair_fresh)

    _check_readable(fresh / "warehouse")
    got = _tables(fresh / "warehouse")
    assert got.keys() == reference.keys()
    for name, table in reference.items():
        assert got[name].equals(table), f"{name} differs from a clean run"
    for name in TABLES:  # without a wall-clock column, even the bytes are the same
        if name != "quarantine":
            a, b = (w / "warehouse" / f"{name}.parquet" for w in (fresh, rerun))
            assert a.read_bytes() == b.read_bytes(), name
