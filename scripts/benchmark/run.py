"""``python -m scripts.benchmark [--n 2000] [--sizes 250,500,1000,2000] [--out docs/benchmark.md]``.

For each corpus size N (the sizes, plus ``--n``):

1. the corpus (``scripts.benchmark.corpus``; generated once, cached, not timed);
2. the floor: ``python -m scripts.benchmark.floor CORPUS --jobs J`` in a fresh process (J = the
   number of CPUs, as many reader processes as the pipeline may use);
3. the pipeline: ``gongwen run --raw CORPUS --warehouse TMP`` in a fresh process with a fresh
   ``DAGSTER_HOME``. Wall time: ``time.perf_counter`` around the child. CPU time and peak memory:
   ``os.wait4`` on the child (the child and every process it waited for; ``ru_maxrss`` is the
   largest single process). The summed RSS of the whole process tree is also sampled from
   ``/proc`` every 0.2 s (the peak of that sum, for runs with several worker processes).
   Stage shares come from the run's own records in the Dagster instance (step start/end times)
   and the counters ``parsed_documents`` puts in its metadata (when present).

Every measured process starts after ``os.sync()`` (not timed), so that no run pays for the disk
writes of the one before it: right after a first run's ~400 MB, a 1 %-changed rerun took ~2.5 s
more, most of it system time, on this machine.

The pipeline reads a copy of the corpus made of hard links (``run-<N>/raw``, not timed), so that
the reruns can change files in it and leave the cached corpus as it was.

With ``--incremental`` (the default for the largest N), more runs on the same warehouse and
instance: nothing changed; 1 % of the files replaced by edited versions in that folder (the other
99 % untouched: the case of a nightly scrape); those files changed back (a second 1 % sample);
the same 1 % edited in a new hard-link copy of the folder (every file's status changes with the
link, so every file is hashed to tell: the harder case of a folder copied or restored whole);
then nothing changed but the day (``--as-of`` the next day: what a nightly rerun meets). Every run
of a size judges deadlines as of the same day (``--as-of``, today in Shanghai when the benchmark
starts) but the last.

Results go to stdout and into ``--out`` between the ``<!-- bench:results -->`` markers (the
rest of the page is kept); the raw figures go to ``tmp/benchmark/results-<N>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from scripts.benchmark import corpus

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "tmp" / "benchmark"
START, END = "<!-- bench:results -->", "<!-- /bench:results -->"


# --- measuring one child process --------------------------------------------------------------


def _tree_rss_kb(root_pid: int) -> int:
    """Summed VmRSS (kB) of ``root_pid`` and all its descendants, from /proc."""
    total, todo, seen = 0, [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Measured:
    wall_s: float
    cpu_s: float
    max_rss_mb: float  # largest single process (wait4 ru_maxrss)
    tree_rss_mb: float  # peak of the sampled sum over the process tree
    returncode: int
    stdout: str = ""


def measure(cmd: list[str], env: dict[str, str], log_path: Path | None = None) -> Measured:
    out = open(log_path, "w") if log_path else subprocess.DEVNULL  # noqa: SIM115
    os.sync()  # the previous run's writes reach the disk before this one is timed
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=out, text=True)
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.2):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout = proc.stdout.read() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log_path:
            out.close()  # type: ignore[union-attr]
    return Measured(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        tree_rss_mb=peak[0] / 1024,
        returncode=proc.returncode,
        stdout=stdout,
    )


# --- the pipeline's own records ---------------------------------------------------------------


def run_stages(dagster_home: Path) -> dict[str, Any]:
    """Step durations of the latest run and ``parsed_documents``' run metadata, from the instance."""
    code = r"""
import json, sys
from dagster import DagsterInstance, DagsterEventType, EventRecordsFilter, AssetKey
inst = DagsterInstance.from_config(sys.argv[1])
run = inst.get_runs(limit=1)[0]
stats = inst.get_run_stats(run.run_id)
steps = {s.step_key: (s.start_time, s.end_time) for s in inst.get_run_step_stats(run.run_id)}
meta = {}
recs = inst.fetch_materializations(AssetKey("parsed_documents"), limit=1).records
if recs and recs[0].run_id == run.run_id:
    for k, v in recs[0].asset_materialization.metadata.items():
        val = getattr(v, "value", None)
        if isinstance(val, (int, float, str)):
            meta[k] = val
print(json.dumps({"start": stats.start_time, "end": stats.end_time, "steps": steps, "meta": meta}))
"""
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(dagster_home)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout)


def stage_shares(info: dict[str, Any], t_start: float, t_end: float) -> dict[str, float]:
    """Seconds per stage: start-up (process start → run start), parse, tables, cross-check,
    checks, Dagster between steps, finish (run end → process exit)."""
    if "steps" not in info:
        return {}
    steps = {k: (v[1] or 0) - (v[0] or 0) for k, v in info["steps"].items() if v[0] and v[1]}
    parse = steps.pop("parsed_documents", 0.0)
    cross = steps.pop("plan_alignment", 0.0)
    checks = sum(v for k, v in steps.items() if "check" in k or ":" in k)
    tables = sum(v for k, v in steps.items() if not ("check" in k or ":" in k))
    run_s = (info["end"] or t_end) - (info["start"] or t_start)
    out = {
        "start-up + registration": max(0.0, info["start"] - t_start),
        "parse (parsed_documents)": parse,
        "tables": tables,
        "cross-check": cross,
        "checks": checks,
        "Dagster between steps": max(0.0, run_s - parse - cross - checks - tables),
        "finish": max(0.0, t_end - info["end"]),
    }
    return out


# --- one size ---------------------------------------------------------------------------------


@dataclass
class SizeResult:
    n: int
    files: dict[str, int]
    pages: int
    bytes: int
    floor: dict[str, Any]
    pipeline: dict[str, Any]
    stages: dict[str, float]
    meta: dict[str, Any]
    incremental: dict[str, Any] = field(default_factory=dict)


def _gongwen() -> str:
    exe = Path(sys.executable).with_name("gongwen")
    return str(exe) if exe.exists() else "gongwen"


#: The day the pipeline runs judge deadlines on (``gongwen run --as-of``), fixed for a whole
#: benchmark so that a run crossing midnight does not make a rerun a new day.
DAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def pipeline_run(raw: Path, work: Path, log_name: str, day: dt.date = DAY) -> tuple[Measured, float, float]:
    env = {**os.environ, "DAGSTER_HOME": str(work / "dagster"), "PYTHONHASHSEED": "0"}
    (work / "dagster").mkdir(parents=True, exist_ok=True)
    t_start = time.time()
    m = measure(
        [
            _gongwen(),
            "run",
            "--raw",
            str(raw),
            "--warehouse",
            str(work / "warehouse"),
            "--as-of",
            day.isoformat(),
        ],
        env,
        work / log_name,
    )
    return m, t_start, time.time()


def bench_size(n: int, rng_seed: int, jobs: int, incremental: bool, keep: Path | None, log) -> SizeResult:
    raw = corpus.generate(n, rng_seed, CACHE, log=log)
    sizes = [p.stat().st_size for p in raw.iterdir()]
    work = (keep or CACHE) / f"run-{n}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    log(f"[N={n}] floor (bare pdfplumber / python-docx / lxml, {jobs} processes) …")
    fm = measure(
        [sys.executable, "-m", "scripts.benchmark.floor", str(raw), "--jobs", str(jobs)],
        {**os.environ, "PYTHONPATH": str(ROOT)},
        work / "floor.log",
    )
    floor = json.loads(fm.stdout)
    floor.update(
        measured_wall_s=fm.wall_s, cpu_s=fm.cpu_s, max_rss_mb=fm.max_rss_mb, tree_rss_mb=fm.tree_rss_mb
    )

    log(f"[N={n}] pipeline (gongwen run) …")
    run_raw = corpus.link_copy(raw, work / "raw")  # the reruns change files here, not in the cache
    pm, t0, t1 = pipeline_run(run_raw, work, "run.log")
    if pm.returncode != 0:
        raise RuntimeError(f"gongwen run failed (exit {pm.returncode}); see {work / 'run.log'}")
    info = run_stages(work / "dagster")
    result = SizeResult(
        n=n,
        files={fmt: int(v["files"]) for fmt, v in floor["formats"].items()},
        pages=int(sum(v["pages"] for v in floor["formats"].values())),
        bytes=sum(sizes),
        floor=floor,
        pipeline=asdict(pm) | {"stdout": ""},
        stages=stage_shares(info, t0, t1),
        meta=info.get("meta", {}),
    )
    if incremental:

        def rerun(name: str, raw_dir: Path, day: dt.date = DAY, stages: bool = True, **extra: Any) -> None:
            """One rerun on the same warehouse and instance, recorded under ``name``."""
            measured, *_ = pipeline_run(raw_dir, work, rerun_log(name), day)
            meta = run_stages(work / "dagster").get("meta", {}) if stages else {}
            meta["files_read_in_log"] = count_read(work / rerun_log(name))
            result.incremental[name] = asdict(measured) | {"stdout": "", "meta": meta, **extra}

        log(f"[N={n}] rerun, nothing changed …")
        rerun("unchanged", run_raw)
        edited = edit_files(run_raw, rng_seed)
        log(f"[N={n}] rerun, {len(edited)} files changed …")
        rerun("changed", run_raw, files=len(edited))
        # a second 1 % sample: the same files changed back (the machine's speed varies by ±10 %)
        restore_files(raw, edited)
        log(f"[N={n}] rerun, the {len(edited)} files changed back …")
        rerun("changed_back", run_raw, files=len(edited))
        touched = work / "raw-touched"
        edited = link_copy_edit(run_raw, touched, rng_seed)
        log(f"[N={n}] rerun, {len(edited)} files changed in a copy of the folder (every file touched) …")
        rerun("changed_touched", touched, files=len(edited))
        log(f"[N={n}] rerun, nothing changed but the day …")
        rerun("new_day", touched, DAY + dt.timedelta(days=1), stages=False)
    if keep is None:
        for folder in ("warehouse", "raw", "raw-touched"):
            shutil.rmtree(work / folder, ignore_errors=True)
    return result


def _edited(folder: Path) -> list[Path]:
    """The files a 1 % rerun changes: every 100th, shifted so that the seeds (and formats) take
    turns: [0, 101, 202, …]."""
    files = sorted(folder.iterdir())
    return [files[i * 100 + i % 5] for i in range(len(files) // 100)]


def edit_files(folder: Path, rng_seed: int) -> list[Path]:
    """Replace 1 % of the files of ``folder`` by edited versions (``corpus.edit_file`` replaces the
    name: other hard links keep the old bytes); the other files are not touched."""
    edited = _edited(folder)
    for path in edited:
        corpus.edit_file(path, rng_seed)
    return edited


def restore_files(original: Path, edited: list[Path]) -> None:
    """Put the original of each edited file back (a hard link to it in ``original``, moved over
    the edited file's name)."""
    for path in edited:
        tmp = path.with_name(f".{path.name}.restore")
        tmp.unlink(missing_ok=True)
        os.link(original / path.name, tmp)
        os.replace(tmp, path)


def link_copy_edit(raw: Path, dst: Path, rng_seed: int) -> list[Path]:
    """A hard-link copy of ``raw`` at ``dst`` with 1 % of its files edited (``edit_files``)."""
    shutil.rmtree(dst, ignore_errors=True)
    corpus.link_copy(raw, dst)
    return edit_files(dst, rng_seed)


# --- report -----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(next(ln for ln in f if ln.startswith("MemTotal")).split()[1])
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def files_read(meta: dict[str, Any]) -> object:
    """Files the run actually read (``run_files_read``; older runs: every parsed file)."""
    return meta.get("files_read_in_log", meta.get("run_files_read", meta.get("run_parsed", "?")))


def count_read(log: Path) -> int:
    """Files read in a ``gongwen run``, from its progress lines (``[i/n] parsed …`` or
    ``quarantined``; ``unchanged`` lines are files not read). A rerun may be several Dagster
    runs, so the instance's latest materialization does not tell."""
    pattern = re.compile(r"^\[\d+/\d+\] (parsed|quarantined) ")
    with open(log, encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if pattern.match(line))


#: Each rerun's row in the report, in the order they run (``bench_size``).
_RERUN_LABELS = {
    "unchanged": "nothing changed",
    "changed": "{files} ({share:.0f} %) changed",
    "changed_back": "the same {files} changed back",
    "changed_touched": "{files} changed in a hard-link copy of the folder (every file touched, all hashed)",
    "new_day": "nothing changed, the next day (`--as-of`)",
}


def rerun_log(name: str) -> str:
    """The log file of the rerun ``name`` (a key of ``_RERUN_LABELS``), in the size's work folder."""
    return f"rerun-{name.replace('_', '-')}.log"


def _files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def render(results: list[SizeResult], jobs: int, started: str, load: bool = True) -> str:
    m = machine()
    at_end = f"; load average at the end {m['load']}" if load else ""
    lines = [
        f"Run {started} on {m['cpus']} CPUs ({m['cpu']}), {m['ram']} RAM, Python {m['python']}, "
        f"{m['os']}{at_end}. Floor with {jobs} reader processes.",
        "",
        "| N | pdf/docx/html | PDF pages | MB | floor wall s | floor CPU s | pipeline wall s "
        "| pipeline CPU s | docs/s | pages/s | wall ÷ floor | CPU ÷ floor | peak RSS largest MB "
        "| peak RSS sum MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        f, p = r.floor, r.pipeline
        lines.append(
            f"| {r.n} | {r.files.get('pdf', 0)}/{r.files.get('docx', 0)}/{r.files.get('html', 0)} "
            f"| {r.pages} | {r.bytes / 1e6:.0f} | {f['measured_wall_s']:.1f} | {f['cpu_s']:.1f} "
            f"| {p['wall_s']:.1f} | {p['cpu_s']:.1f} | {r.n / p['wall_s']:.1f} | {r.pages / p['wall_s']:.1f} "
            f"| {p['wall_s'] / f['measured_wall_s']:.2f} | {p['cpu_s'] / f['cpu_s']:.2f} "
            f"| {p['max_rss_mb']:.0f} | {p['tree_rss_mb']:.0f} |"
        )
    lines += ["", "Time per document as N grows (linear: the last column stays near 1.00):", ""]
    lines += ["| N | pipeline s/doc | floor s/doc | pipeline s/doc ÷ at smallest N |", "|---|---|---|---|"]
    base = results[0].pipeline["wall_s"] / results[0].n
    for r in results:
        per = r.pipeline["wall_s"] / r.n
        lines.append(f"| {r.n} | {per:.3f} | {r.floor['measured_wall_s'] / r.n:.3f} | {per / base:.2f} |")
    names = list(results[0].stages)
    if names:
        lines += ["", "Where the pipeline's wall time goes (seconds, share of the run):", ""]
        lines += ["| N | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for r in results:
            total = r.pipeline["wall_s"]
            cells = [f"{r.stages.get(k, 0):.1f} ({100 * r.stages.get(k, 0) / total:.0f} %)" for k in names]
            lines.append(f"| {r.n} | " + " | ".join(cells) + " |")
    timed = [r for r in results if any(k.startswith("time_") for k in r.meta)]
    if timed:
        keys = sorted({k for r in timed for k in r.meta if k.startswith("time_")})
        lines += ["", "Inside `parsed_documents` (seconds, summed over worker processes for parsing):", ""]
        lines += ["| N | " + " | ".join(k.removeprefix("time_") for k in keys) + " |"]
        lines += ["|---" * (len(keys) + 1) + "|"]
        for r in timed:
            lines.append(f"| {r.n} | " + " | ".join(f"{float(r.meta.get(k, 0)):.1f}" for k in keys) + " |")
    for r in results:
        if r.incremental:
            full = r.pipeline["wall_s"]
            lines += [
                "",
                f"Incremental reruns at N = {r.n} (same warehouse and Dagster instance):",
                "",
                "| run | wall s | share of the full run | files parsed |",
                "|---|---|---|---|",
                f"| full | {full:.1f} | 100 % | {files_read(r.meta)} |",
            ]
            for name, run in r.incremental.items():
                files = run.get("files", 0)
                label = _RERUN_LABELS[name].format(files=_files(files), share=100 * files / r.n)
                lines.append(
                    f"| {label} | {run['wall_s']:.1f} | {100 * run['wall_s'] / full:.1f} % "
                    f"| {files_read(run['meta'])} |"
                )
    return "\n".join(lines)


def write_doc(out: Path, block: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else f"# Benchmark\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    text = pattern.sub(lambda _: f"{START}\n{block}\n{END}", text)
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.benchmark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--n", type=int, default=2000, help="largest corpus size (default 2000)")
    parser.add_argument("--sizes", default="250,500,1000,2000", help="corpus sizes, comma-separated")
    parser.add_argument("--seed", type=int, default=1, help="variation seed of the corpus")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="floor reader processes")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    parser.add_argument("--keep", type=Path, help="keep warehouses, instances and logs under DIR")
    parser.add_argument("--no-incremental", action="store_true", help="skip the reruns")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="measure nothing: rewrite --out from the last runs' figures (tmp/benchmark/results-<N>.json)",
    )
    args = parser.parse_args(argv)
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()} | {args.n})
    sizes = [s for s in sizes if s <= args.n]
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.report_only:
        return report_only(sizes, args)
    results = []
    for n in sizes:
        r = bench_size(n, args.seed, args.jobs, not args.no_incremental and n == sizes[-1], args.keep, log)
        results.append(r)
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / f"results-{n}.json").write_text(json.dumps(asdict(r), indent=1, default=str))
        log(f"[N={n}] pipeline {r.pipeline['wall_s']:.1f} s, floor {r.floor['measured_wall_s']:.1f} s")
    block = render(results, args.jobs, started)
    print(block)
    write_doc(args.out, block)
    print(f"\nwritten to {args.out}", file=sys.stderr)
    return 0


def report_only(sizes: list[int], args: argparse.Namespace) -> int:
    results = []
    for n in sizes:
        path = CACHE / f"results-{n}.json"
        if not path.is_file():
            continue
        data = json.loads(path.read_text())
        r = SizeResult(**data)
        work = (args.keep or CACHE) / f"run-{n}"
        for name, run in (r.incremental or {}).items():
            if (work / rerun_log(name)).is_file():
                run["meta"]["files_read_in_log"] = count_read(work / rerun_log(name))
        results.append(r)
    if not results:
        print("no results to report; run the benchmark first", file=sys.stderr)
        return 1
    mtime = max((CACHE / f"results-{r.n}.json").stat().st_mtime for r in results)
    started = (
        dt.datetime.fromtimestamp(mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC") + " (figures of that run)"
    )
    block = render(results, args.jobs, started, load=False)
    print(block)
    write_doc(args.out, block)
    return 0
