"""The installed ``gongwen`` command (``gongwen.cli.console``): it skips the interpreter's
teardown, so check what that must not lose — the exit code and every byte written to a pipe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipelines.corpus import sample_files

GONGWEN = Path(sys.executable).with_name("gongwen")

pytestmark = pytest.mark.skipif(not GONGWEN.exists(), reason="the gongwen command is not installed")


def test_output_to_a_pipe_is_complete() -> None:
    path = next(p for p in sample_files() if p.name.startswith("000_") and p.suffix == ".docx")
    out = subprocess.run([str(GONGWEN), "parse", str(path), "--json"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)  # all of it arrived: a cut would not parse
    assert len(out.stdout) > 10_000 and record["tasks"]


def test_exit_code_and_error_line_survive(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(GONGWEN), "run", "--raw", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "wh")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1].startswith("gongwen: error: raw directory")


def test_run_reaches_the_readers_before_loading_dagster() -> None:
    """What ``gongwen run`` uses before its readers start (folders, raw files, state markers,
    the reader pool) loads no Dagster: the readers' start-up overlaps Dagster's ~2 s import."""
    modules = "gongwen.warehouse_cli, pipelines.paths, pipelines.raw_files, pipelines.reading"
    code = f"import sys, {modules}; print('dagster' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
