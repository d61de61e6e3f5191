"""Run a snippet in a fresh interpreter: for what a process loads at start, which the test
session itself has long loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_fresh(code: str) -> list[str]:
    """The lines ``code`` prints, run with this interpreter from the project root; the child's
    error output is the assertion message when it fails."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()
