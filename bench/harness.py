"""Time one stage of ours on a corpus folder, optionally next to a datatrove pipeline on the same data.

    python -m bench.harness --stage ingest --corpus ../shared/bench/corpus-20k \\
        [--runs 3] [--datatrove ingest] [--set key=value ...] [--limit N] [--json bench/results/x.json]

Each side is one command, run in a subprocess and measured as a whole process tree
(bench/proctree.py): ours is ``curate stage STAGE --input IN --output OUT [--set ...]``, datatrove's
is ``python -m bench.datatrove_pipelines NAME --input IN --output OUT`` (LocalPipelineExecutor,
tasks=4, workers=2). Both read the same Parquet files. Runs alternate the order of the sides
(ours first in even runs, datatrove first in odd ones), and every figure is a median over the runs;
a ratio ours/datatrove is the median of the per-run ratios of runs taken side by side. See
bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pyarrow.parquet as pq

from bench import stats
from bench.proctree import measure_command

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SHARDS = 4


# ----------------------------------------------------------------------------------------- input


@dataclass
class PreparedInput:
    corpus: str  # what was asked for
    source_dir: str  # the folder of Parquet files it resolved to
    input_dir: str  # what both sides read (source_dir itself, or a resharded copy)
    files: list[str]
    docs: int
    bytes: int
    limit: int | None
    shards: int
    copied: bool


def parquet_files(folder: str | os.PathLike) -> list[Path]:
    """The Parquet data files of a folder (not recursive; Spark's _SUCCESS/.crc and hidden files skipped)."""
    return sorted(
        p
        for p in Path(folder).iterdir()
        if p.is_file() and p.suffix == ".parquet" and not p.name.startswith((".", "_"))
    )


def count_rows(folder: str | os.PathLike, recursive: bool = False) -> int:
    """Rows of all Parquet files of a folder, from the footers (no data read)."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    files = sorted(folder.rglob("*.parquet")) if recursive else parquet_files(folder)
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files if not f.name.startswith((".", "_")))


def resolve_corpus(corpus: str) -> Path:
    """A corpus folder (with crawl/ inside, like ../shared/bench/corpus-*) or a folder of Parquet files."""
    p = Path(corpus).expanduser().resolve()
    if (p / "crawl").is_dir():
        p = p / "crawl"
    if not p.is_dir() or not parquet_files(p):
        raise SystemExit(f"no Parquet files in {p}")
    return p


def prepare_input(corpus: str, workdir: Path, limit: int | None, shards: int) -> PreparedInput:
    """The input both sides read.

    With ``--limit N``, or when the corpus is not already in ``shards`` files, the first N documents
    (all without a limit) are copied to ``workdir/input`` in ``shards`` Parquet files of (nearly)
    equal size, keeping the source's schema, column types and compression. Sharding matters: datatrove
    parallelises by file (one file = one task), Spark by file and row group.
    """
    src = resolve_corpus(corpus)
    files = parquet_files(src)
    if limit is None and (shards <= 0 or len(files) == shards):
        total = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        return PreparedInput(
            corpus,
            str(src),
            str(src),
            [str(f) for f in files],
            total,
            sum(f.stat().st_size for f in files),
            None,
            len(files),
            False,
        )

    import pyarrow as pa

    batches, n, schema, compression = [], 0, None, "snappy"
    for f in files:
        pf = pq.ParquetFile(f)
        schema = schema or pf.schema_arrow
        if pf.metadata.num_row_groups and pf.metadata.row_group(0).num_columns:
            compression = pf.metadata.row_group(0).column(0).compression.lower()
        for batch in pf.iter_batches(batch_size=8192):
            if limit is not None and n + batch.num_rows > limit:
                batch = batch.slice(0, limit - n)
            batches.append(batch)
            n += batch.num_rows
            if limit is not None and n >= limit:
                break
        if limit is not None and n >= limit:
            break
    table = pa.Table.from_batches(batches, schema=schema)
    shards = max(1, shards) if shards > 0 else max(1, len(files))
    out = workdir / "input"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(shards):
        lo, hi = (n * i) // shards, (n * (i + 1)) // shards
        path = out / f"part-{i:05d}.parquet"
        pq.write_table(
            table.slice(lo, hi - lo), path, compression=None if compression == "uncompressed" else compression
        )
        written.append(path)
    return PreparedInput(
        corpus,
        str(src),
        str(out),
        [str(p) for p in written],
        n,
        sum(p.stat().st_size for p in written),
        limit,
        shards,
        True,
    )


# ---------------------------------------------------------------------------------------- machine


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _repo_head() -> str | None:
    """The checked-out commit, read from .git's files (no git command)."""
    head = _read(str(REPO / ".git" / "HEAD"))
    if not head:
        return None
    head = head.strip()
    if head.startswith("ref: "):
        ref = head[5:]
        sha = _read(str(REPO / ".git" / ref))
        if sha:
            return sha.strip()
        packed = _read(str(REPO / ".git" / "packed-refs")) or ""
        for line in packed.splitlines():
            if line.endswith(" " + ref):
                return line.split()[0]
        return None
    return head


def machine_info() -> dict:
    import psutil

    cpuinfo = _read("/proc/cpuinfo") or ""
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor() or None,
    )
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    cpu_max = (
        _read("/sys/fs/cgroup/cpu.max") or ""
    ).strip() or None  # cgroup v2 CPU quota, "max 100000" = none
    java = None
    try:
        r = subprocess.run(["java", "-version"], check=False, capture_output=True, text=True, timeout=20)
        java = (r.stderr or r.stdout).splitlines()[0] if (r.stderr or r.stdout) else None
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "hostname": platform.node(),
        "nproc": os.cpu_count(),
        "cpus_usable": affinity,
        "cgroup_cpu_max": cpu_max,
        "cpu_model": model,
        "mem_total_bytes": psutil.virtual_memory().total,
        "loadavg_start": list(os.getloadavg()),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "java": java,
        "versions": {
            d: _version(d) for d in ("curate", "pyspark", "datatrove", "pyarrow", "psutil", "spacy")
        },
        "repo_head": _repo_head(),
    }


# ------------------------------------------------------------------------------------------ sides


@dataclass
class Side:
    key: str  # "ours" / "datatrove"
    label: str
    argv_for: callable  # (input_dir, out_dir, scratch_dir) -> argv
    outcome: callable  # (out_dir) -> dict with docs_in/docs_out/rejected/error
    runs: list[dict] = field(default_factory=list)


def find_curate(explicit: str | None) -> str:
    if explicit:
        return explicit
    here = Path(sys.executable).parent / "curate"
    if here.exists():
        return str(here)
    found = shutil.which("curate")
    if found:
        return found
    raise SystemExit(
        "no `curate` console script next to this Python or on PATH: install the project "
        "(pip install -e .) or pass --curate PATH"
    )


def ours_side(stage: str, curate: str, sets: list[str], recipe: str | None) -> Side:
    def argv_for(input_dir: str, out_dir: str, scratch: str) -> list[str]:
        argv = [curate, "stage", stage, "--input", input_dir, "--output", out_dir]
        if recipe:
            argv += ["--recipe", recipe]
        for kv in sets:
            argv += ["--set", kv]
        return argv

    def outcome(out_dir: str) -> dict:
        manifest = Path(out_dir) / "_manifest.json"
        res = {
            "docs_out": count_rows(Path(out_dir) / "kept"),
            "rejected": count_rows(Path(out_dir) / "rejected"),
        }
        if not manifest.exists():
            res["error"] = "no _manifest.json in the output: the stage did not commit"
            return res
        try:
            doc = json.loads(manifest.read_text())
        except (OSError, ValueError) as e:
            res["error"] = f"unreadable _manifest.json: {e}"
            return res
        counters = doc.get("counters") or {}
        res["counters"] = {k: counters.get(k) for k in ("docs_in", "docs_out", "rejected", "seconds")}
        res["docs_in"] = counters.get("docs_in")
        # readers trust the manifest, not a directory listing
        for k in ("docs_out", "rejected"):
            if isinstance(counters.get(k), int):
                res[k] = counters[k]
        if doc.get("reused_from"):
            res["error"] = (
                f"the stage reused a committed output ({doc['reused_from']}) instead of running: nothing measured"
            )
        return res

    return Side("ours", f"ours ({stage})", argv_for, outcome)


def datatrove_side(name: str, tasks: int, workers: int, write_rejected: bool) -> Side:
    def argv_for(input_dir: str, out_dir: str, scratch: str) -> list[str]:
        argv = [
            sys.executable,
            "-m",
            "bench.datatrove_pipelines",
            name,
            "--input",
            input_dir,
            "--output",
            out_dir,
            "--workdir",
            scratch,
            "--tasks",
            str(tasks),
            "--workers",
            str(workers),
        ]
        return argv + (["--write-rejected"] if write_rejected else [])

    def outcome(out_dir: str) -> dict:
        res = {"docs_out": count_rows(Path(out_dir) / "kept", recursive=True)}
        if write_rejected:
            res["rejected"] = count_rows(Path(out_dir) / "rejected", recursive=True)
        summary = Path(out_dir) / "_datatrove.json"
        if summary.exists():
            res["steps"] = json.loads(summary.read_text()).get("steps")
        else:
            res["error"] = "no _datatrove.json: the pipeline did not finish"
        return res

    return Side("datatrove", f"datatrove ({name})", argv_for, outcome)


def child_env() -> dict:
    env = dict(os.environ)
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    env.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    env.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env["HF_HUB_OFFLINE"] = "1"
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_once(
    side: Side,
    run: int,
    position: int,
    inp: PreparedInput,
    workdir: Path,
    logdir: Path,
    timeout: float | None,
    keep: bool,
    warmup: bool = False,
) -> dict:
    tag = f"{'warmup' if warmup else 'run'}{run}-{side.key}"
    out_dir, scratch = workdir / tag / "out", workdir / tag / "scratch"
    shutil.rmtree(workdir / tag, ignore_errors=True)
    scratch.mkdir(parents=True)
    argv = side.argv_for(inp.input_dir, str(out_dir), str(scratch))
    log = logdir / f"{tag}.log"
    load_before = list(os.getloadavg())
    with open(log, "wb") as fh:
        fh.write((" ".join(argv) + "\n\n").encode())
        fh.flush()
        try:
            m = measure_command(
                argv, cwd=str(REPO), env=child_env(), stdout=fh, stderr=subprocess.STDOUT, timeout=timeout
            )
        except FileNotFoundError as e:
            return {
                "side": side.key,
                "run": run,
                "position": position,
                "ok": False,
                "error": str(e),
                "log": str(log),
                "loadavg_before": load_before,
                "argv": argv,
            }
    rec = {
        "side": side.key,
        "run": run,
        "position": position,
        "argv": argv,
        "log": str(log),
        "loadavg_before": load_before,
        "docs": inp.docs,
        "returncode": m.returncode,
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "cpu_s_wait4": m.cpu_s_wait4,
        "cpu_s_sampled": m.cpu_s_sampled,
        "cores": m.cpu_s / m.wall_s if m.wall_s > 0 else None,
        "peak_rss_tree": m.peak_rss_tree,
        "peak_rss_proc": m.peak_rss_proc,
        "peak_pss_tree": m.peak_pss_tree,
        "docs_per_s": inp.docs / m.wall_s if m.wall_s > 0 else None,
        "docs_per_cpu_s": inp.docs / m.cpu_s if m.cpu_s > 0 else None,
        "measurement": m.to_dict(),
    }
    rec.update(side.outcome(str(out_dir)))
    errors = []
    if m.timed_out:
        errors.append(f"timed out after {timeout:.0f}s")
    if m.returncode != 0:
        errors.append(f"exit code {m.returncode}")
    if rec.get("error"):
        errors.append(rec["error"])
    if rec.get("docs_in") is not None and rec["docs_in"] != inp.docs:
        rec.setdefault("warnings", []).append(
            f"manifest docs_in={rec['docs_in']} but the input has {inp.docs}"
        )
    rec["ok"] = not errors
    if errors:
        rec["error"] = "; ".join(errors)
        rec["log_tail"] = _tail(log)
        for k in ("docs_per_s", "docs_per_cpu_s", "cores"):
            rec[k] = None  # a failed run carries no throughput figure
    if not keep:
        shutil.rmtree(workdir / tag, ignore_errors=True)
    return rec


def _tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


# ------------------------------------------------------------------------------------------ report

METRICS = (
    "wall_s",
    "docs_per_s",
    "cpu_s",
    "docs_per_cpu_s",
    "cores",
    "peak_rss_tree",
    "peak_rss_proc",
    "peak_pss_tree",
)


def summarize_side(runs: list[dict]) -> dict:
    ok = [r for r in runs if r.get("ok")]
    summary = {m: stats.summarize(r.get(m) for r in ok) for m in METRICS}
    summary["runs_ok"] = len(ok)
    summary["runs"] = len(runs)
    for k in ("docs_out", "rejected"):
        vals = {r.get(k) for r in ok if r.get(k) is not None}
        summary[k] = vals.pop() if len(vals) == 1 else sorted(vals) or None
    return summary


def _fmt_num(x: float | None, digits: int = 3) -> str:
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _fmt_bytes(x: float | None) -> str:
    if x is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(x) < 1024 or unit == "GiB":
            return (
                f"{x:.0f} {unit}"
                if unit in ("B", "KiB")
                else f"{x:.2f} {unit}"
                if x < 10
                else f"{x:.0f} {unit}"
            )
        x /= 1024
    return "-"


def _cell(s: dict, fmt=_fmt_num, spread: bool = True) -> str:
    if not s or s.get("median") is None:
        return "-"
    if spread and s["n"] > 1:
        return f"{fmt(s['median'])} [{fmt(s['min'])}-{fmt(s['max'])}]"
    return fmt(s["median"])


def format_report(report: dict) -> str:
    inp, mach = report["input"], report["machine"]
    lines = []
    what = report["stage"] or "-"
    lines.append(
        f"bench: stage {what} on {Path(inp['corpus']).name}: {inp['docs']:,} docs "
        f"({len(inp['files'])} Parquet files, {_fmt_bytes(inp['bytes'])}{', first N of the corpus' if inp['limit'] else ''}),"
        f" {report['runs']} run(s); medians [min-max]"
    )
    v = mach["versions"]
    lines.append(
        f"machine: {mach['cpus_usable'] or mach['nproc']} CPUs ({mach['cpu_model']}), "
        f"{_fmt_bytes(mach['mem_total_bytes'])} RAM, load {' '.join(f'{x:.2f}' for x in mach['loadavg_start'])} "
        f"at start; pyspark {v.get('pyspark')}, datatrove {v.get('datatrove')}"
    )
    lines.append("")
    header = [
        "side",
        "ok",
        "wall s",
        "docs/s",
        "CPU s",
        "docs/CPU-s",
        "cores",
        "peak RSS tree",
        "peak RSS 1 proc",
        "peak PSS tree",
        "docs out",
    ]
    rows = [header]
    for side in report["sides"].values():
        s = side["summary"]
        out = s.get("docs_out")
        rows.append(
            [
                side["label"],
                f"{s['runs_ok']}/{s['runs']}",
                _cell(s["wall_s"]),
                _cell(s["docs_per_s"]),
                _cell(s["cpu_s"]),
                _cell(s["docs_per_cpu_s"]),
                _cell(s["cores"], spread=False),
                _cell(s["peak_rss_tree"], _fmt_bytes, spread=False),
                _cell(s["peak_rss_proc"], _fmt_bytes, spread=False),
                _cell(s["peak_pss_tree"], _fmt_bytes, spread=False),
                f"{out:,}" if isinstance(out, int) else str(out or "-"),
            ]
        )
    if report.get("ratios"):
        r = report["ratios"]
        rows.append(
            [
                "ours / datatrove",
                f"{r['docs_per_s']['n']} pairs",
                "",
                _cell(r["docs_per_s"]),
                "",
                _cell(r["docs_per_cpu_s"]),
                "",
                _cell(r["peak_rss_tree"], spread=False),
                "",
                _cell(r["peak_pss_tree"], spread=False),
                "",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        lines.append(
            "  ".join(c.ljust(widths[j]) if j == 0 else c.rjust(widths[j]) for j, c in enumerate(row))
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if report.get("ratios"):
        lines.append("")
        lines.append(
            "ratios > 1: ours is faster (docs/s), cheaper (docs/CPU-s) - or, for RSS, bigger; "
            "median of per-run ratios of side-by-side runs"
        )
    for side in report["sides"].values():
        for run in side["runs"]:
            if not run.get("ok"):
                lines.append(
                    f"! {side['label']} run {run['run']} failed: {run.get('error')} (log: {run.get('log')})"
                )
            for w in run.get("warnings", []):
                lines.append(f"! {side['label']} run {run['run']}: {w}")
            for note in (run.get("measurement") or {}).get("notes", []):
                lines.append(f"  note: {side['label']} run {run['run']}: {note}")
    return "\n".join(lines)


# -------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.harness", description=__doc__.split("\n\n")[0])
    ap.add_argument("--stage", help="our stage to time: runs `curate stage STAGE --input IN --output OUT`")
    ap.add_argument(
        "--corpus",
        required=True,
        help="corpus folder (with crawl/ inside, e.g. ../shared/bench/corpus-20k) or a folder of Parquet",
    )
    ap.add_argument(
        "--runs", type=int, default=3, help="measured runs per side (default 3); figures are medians"
    )
    ap.add_argument("--warmup", type=int, default=0, help="unmeasured runs per side first (default 0)")
    ap.add_argument(
        "--datatrove",
        metavar="PIPELINE",
        help="also run this datatrove pipeline (bench/datatrove_pipelines.py) on the same input",
    )
    ap.add_argument("--skip-ours", action="store_true", help="run only the datatrove side")
    ap.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="passed to `curate stage` as --set KEY=VALUE (repeatable)",
    )
    ap.add_argument("--recipe", help="passed to `curate stage` as --recipe FILE")
    ap.add_argument("--limit", type=int, help="use only the first N documents of the corpus")
    ap.add_argument(
        "--shards",
        type=int,
        default=DEFAULT_SHARDS,
        help=f"Parquet files the input is split into (default {DEFAULT_SHARDS}; 0 = as the corpus is)",
    )
    ap.add_argument(
        "--json", help="write the report here (default bench/results/<time>-<stage>-<corpus>.json)"
    )
    ap.add_argument("--curate", help="the curate executable (default: next to this Python, else on PATH)")
    ap.add_argument("--dt-tasks", type=int, default=4, help="datatrove tasks (default 4)")
    ap.add_argument("--dt-workers", type=int, default=2, help="datatrove workers (default 2)")
    ap.add_argument(
        "--dt-write-rejected",
        action="store_true",
        help="datatrove filters also write what they drop (like our rejected/)",
    )
    ap.add_argument(
        "--timeout", type=float, default=3600, help="seconds before one run is killed (default 3600)"
    )
    ap.add_argument(
        "--workdir", help="scratch folder for the input copy and outputs (default: a new temp folder)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (input copy, outputs)")
    args = ap.parse_args(argv)
    if not args.skip_ours and not args.stage:
        ap.error("--stage is required unless --skip-ours")
    if args.skip_ours and not args.datatrove:
        ap.error("--skip-ours needs --datatrove PIPELINE")
    if args.runs < 1:
        ap.error("--runs must be >= 1")
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be >= 1")
    if args.datatrove:
        from bench.datatrove_pipelines import PIPELINES

        if args.datatrove not in PIPELINES:
            ap.error(f"unknown datatrove pipeline {args.datatrove!r}; known: {', '.join(sorted(PIPELINES))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = _dt.datetime.now(_dt.UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    json_path = (
        Path(args.json)
        if args.json
        else RESULTS
        / (f"{stamp}-{args.stage or 'dt-' + args.datatrove}-{Path(args.corpus.rstrip('/')).name}.json")
    )
    logdir = json_path.parent / "logs" / json_path.stem
    logdir.mkdir(parents=True, exist_ok=True)

    machine = machine_info()
    workdir = Path(args.workdir).resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="curate-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    sides: list[Side] = []
    if not args.skip_ours:
        sides.append(ours_side(args.stage, find_curate(args.curate), args.sets, args.recipe))
    if args.datatrove:
        sides.append(datatrove_side(args.datatrove, args.dt_tasks, args.dt_workers, args.dt_write_rejected))

    try:
        t0 = time.perf_counter()
        inp = prepare_input(args.corpus, workdir, args.limit, args.shards)
        print(
            f"input: {inp.docs:,} docs in {len(inp.files)} file(s) at {inp.input_dir} "
            f"(prepared in {time.perf_counter() - t0:.1f}s)",
            flush=True,
        )
        for w in range(args.warmup):
            for side in sides:
                print(f"warmup {w + 1}/{args.warmup}: {side.label} ...", flush=True)
                run_once(side, w, 0, inp, workdir, logdir, args.timeout, args.keep, warmup=True)
        for i in range(args.runs):
            order = sides if i % 2 == 0 else list(reversed(sides))
            for pos, side in enumerate(order):
                print(f"run {i + 1}/{args.runs}: {side.label} ...", end=" ", flush=True)
                rec = run_once(side, i, pos, inp, workdir, logdir, args.timeout, args.keep)
                side.runs.append(rec)
                if rec.get("ok"):
                    print(
                        f"{rec['wall_s']:.1f}s wall, {rec['cpu_s']:.1f} CPU-s, "
                        f"{rec['docs_per_s']:.0f} docs/s, peak RSS {_fmt_bytes(rec['peak_rss_tree'])}",
                        flush=True,
                    )
                else:
                    print(f"FAILED: {rec.get('error')} (log: {rec.get('log')})", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    report = {
        "schema": "curate-bench/1",
        "started_at": started.isoformat(),
        "finished_at": _dt.datetime.now(_dt.UTC).isoformat(),
        "argv": sys.argv if argv is None else ["python", "-m", "bench.harness", *argv],
        "stage": args.stage if not args.skip_ours else None,
        "datatrove_pipeline": args.datatrove,
        "runs": args.runs,
        "warmup": args.warmup,
        "machine": machine,
        "input": vars(
            inp
        ),  # input_dir/files of a copy (copied=True) name a scratch folder, removed unless --keep
        "sides": {
            s.key: {"label": s.label, "summary": summarize_side(s.runs), "runs": s.runs} for s in sides
        },
    }
    if len(sides) == 2:
        ours, dt = sides[0].runs, sides[1].runs

        def figures(runs: list[dict], key: str) -> list[float | None]:
            return [r.get(key) if r.get("ok") else None for r in runs]

        report["ratios"] = {
            k: stats.compare(figures(ours, k), figures(dt, k))
            for k in ("docs_per_s", "docs_per_cpu_s", "wall_s", "cpu_s", "peak_rss_tree", "peak_pss_tree")
        }
    text = format_report(report)
    report["table"] = text
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(report, indent=2, default=str))
    print()
    print(text)
    print(f"\nreport: {json_path}\nlogs:   {logdir}")
    all_ok = all(r.get("ok") for s in sides for r in s.runs)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
