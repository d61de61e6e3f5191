"""The plan report as a browser renders it: headless Chromium loads the 万源 (003) vs 川办函〔2021〕57号
(000) report from the real sample files, runs its script, and we check the rendered DOM and keep
desktop and phone screenshots under tests/artifacts/ (git-ignored) for a person to look at.

Needs /usr/bin/chromium (scripts/install-browser.sh, run by `make test`); skipped only without it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from crosscheck.check import cross_check
from crosscheck.model import CrossCheck
from crosscheck.report import write_overview, write_plan_report
from parsers import parse_file

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "raw" / "003_b54ff24471a88dd0.docx"
TEMPLATE = ROOT / "raw" / "000_3fcaf470a0c023ac.docx"
OTHER_PLAN = ROOT / "raw" / "001_3066dfd361fc75f9.docx"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("GONGWEN_CHROMIUM", "/usr/bin/chromium"))

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)),
    reason=f"{CHROMIUM} not installed: run scripts/install-browser.sh (make test does)",
)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def check() -> CrossCheck:
    return cross_check(
        parse_file(PLAN), parse_file(TEMPLATE), linked_by="doc_number", as_of=dt.date(2022, 1, 1)
    )


@pytest.fixture(scope="module")
def report(check: CrossCheck, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plan_report(check, tmp_path_factory.mktemp("reports"))


@pytest.fixture(scope="module")
def dom(report: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    profile = tmp_path_factory.mktemp("chromium-profile")
    return chromium(profile, "--dump-dom", report.as_uri()).stdout


def test_script_ran_under_the_content_security_policy(dom: str) -> None:
    # the script marks <html class="js"> and reveals the filter controls: the CSP hash admits it
    assert re.search(r'<html[^>]*class="js"', dom)
    assert re.search(r'<div class="filters" data-js-only="" role="group"', dom)


def test_rendered_summary_figures(dom: str) -> None:
    assert re.search(r'data-figure="requirements">27<', dom)
    assert re.search(r'data-figure="tasks">25<', dom)
    figures = dict(re.findall(r'data-figure="(\w+)">(?:<span[^>]*>[^<]*</span>)?<b>(\d+)</b>', dom))
    assert figures["verbatim"] == "9" and figures["modified"] == "17" and figures["partial"] == "1"
    assert figures["missing"] == "0" and figures["matched"] == "22" and figures["added"] == "3"
    assert figures["past_deadline"] == "4"  # 1.3, 2.1, 3.3 and 5.2 ended on 2021-12-31


def test_rendered_additions_merge_and_redline(dom: str) -> None:
    additions = dom.split('id="additions"')[1].split('id="missing"')[0]
    assert "进学校、进企业" in additions
    assert "任务 3.7" in additions and "任务 4.5" in additions and "任务 4.6" in additions
    # task 1.2 carries (一).2 and (一).3: shown on both requirements and in the merge list
    assert "同时承接 (一).3" in dom and "同时承接 (一).2" in dom
    assert re.search(r"任务 1\.2</span> ← \(一\)\.2、\(一\)\.3", dom)
    assert dom.count("<del ") > 10 and dom.count("<ins ") > 10
    row = dom.split('<span class="num">(一).3</span>')[1].split("<article")[0]
    assert (
        "<ins " in row and "通过政府网站、政务新媒体等平台及时有效地向社会发布" in row
    )  # the plan's insertion


def test_rendered_domains_and_overdue(dom: str) -> None:
    domains = dom.split('id="domains"')[1]
    assert domains.count('data-domain-status="reassigned"') == 4
    assert "征储中心" in domains
    gaps = dom.split('id="gaps"')[1].split('id="domains"')[0]
    assert "是 · 长期坚持" in gaps


def test_screenshots_desktop_and_phone(report: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "report_003_vs_000_desktop.png": "1280,4000",
        "report_003_vs_000_phone.png": "390,4000",
    }
    for name, size in shots.items():
        out = ARTIFACTS / name
        out.unlink(missing_ok=True)
        profile = tmp_path_factory.mktemp("chromium-profile")
        chromium(profile, f"--screenshot={out}", f"--window-size={size}", report.as_uri())
        print(f"screenshot: {out}")
        assert out.is_file(), f"chromium wrote no screenshot to {out}"
        assert png_size(out) == tuple(int(n) for n in size.split(","))
        assert out.stat().st_size > 100_000, f"{out} is suspiciously small: a blank page?"
    shutil.copy(report, ARTIFACTS / "report_003_vs_000.html")


def test_phone_layout_stacks_the_columns(report: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    pil = pytest.importorskip("PIL.Image")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "report_003_vs_000_phone.png"
    if not out.is_file():
        chromium(
            tmp_path_factory.mktemp("chromium-profile"),
            f"--screenshot={out}",
            "--window-size=390,4000",
            report.as_uri(),
        )
    image = pil.open(out).convert("RGB")
    # nothing is wider than the phone: the rightmost column of pixels is page background, not text
    right = [image.getpixel((image.width - 3, y)) for y in range(200, image.height, 5)]
    assert len(set(right)) <= 3, "content overflows the phone's width"
    assert len(image.resize((39, 400)).getcolors(maxcolors=1 << 16) or ()) > 50  # not blank


def test_overview_renders(check: CrossCheck, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = cross_check(
        parse_file(OTHER_PLAN), parse_file(TEMPLATE), linked_by="doc_number", as_of=dt.date(2022, 1, 1)
    )
    folder = tmp_path_factory.mktemp("overview")
    for c in (check, other):
        write_plan_report(c, folder)
    overview = write_overview([other, check], folder)
    profile = tmp_path_factory.mktemp("chromium-profile")
    dom = chromium(profile, "--dump-dom", overview.as_uri()).stdout
    assert dom.count('class="cell s-') == 2 * 27
    assert "泸县" in dom and "万源市" in dom
    for c in (check, other):
        assert (folder / re.search(rf'href="(report_{c.plan.doc_id}_[^"]+)"', dom).group(1)).is_file()  # type: ignore[union-attr]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "overview_000_desktop.png"
    chromium(
        tmp_path_factory.mktemp("chromium-profile"),
        f"--screenshot={out}",
        "--window-size=1280,2400",
        overview.as_uri(),
    )
    print(f"screenshot: {out}")
    assert out.stat().st_size > 50_000
