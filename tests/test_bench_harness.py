"""Tests of the bench harness: its statistics, its input preparation and the process-tree measurement
(on small real subprocesses; bounds are generous, the machines are shared)."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import stats
from bench.harness import count_rows, format_report, prepare_input, summarize_side
from bench.proctree import measure_command

MiB = 1024 * 1024
PY = sys.executable

# Allocates and touches 200 MiB, then burns 1 s of CPU.
ALLOC_AND_BURN = (
    "import time\n"
    "b = bytearray(200 * 1024 * 1024)\n"
    "for i in range(0, len(b), 4096): b[i] = 1\n"
    "t = time.process_time()\n"
    "while time.process_time() - t < 1.0: pass\n"
)


# ------------------------------------------------------------------------------------ statistics


def test_median_and_summary_ignore_failed_runs():
    assert stats.median([3.0, 1.0, 2.0]) == 2.0
    assert stats.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert stats.median([None, 5.0, float("nan"), 1.0]) == 3.0
    assert stats.median([None]) is None
    assert stats.summarize([2.0, None, 6.0, 4.0]) == {"median": 4.0, "min": 2.0, "max": 6.0, "n": 3}
    assert stats.summarize([]) == {"median": None, "min": None, "max": None, "n": 0}


def test_ratios_are_paired_by_run():
    assert stats.ratio(6.0, 3.0) == 2.0
    assert stats.ratio(1.0, 0.0) is None and stats.ratio(None, 1.0) is None
    ours, theirs = [10.0, 30.0, 12.0], [5.0, 10.0, 8.0]  # run 2 was on a fast machine moment for both
    cmp = stats.compare(ours, theirs)
    assert cmp["per_run"] == [2.0, 3.0, 1.5]
    assert cmp["median"] == 2.0 and cmp["min"] == 1.5 and cmp["max"] == 3.0 and cmp["n"] == 3
    assert cmp["of_medians"] == pytest.approx(12.0 / 8.0)
    # a failed run on either side drops that pair only
    assert stats.compare([10.0, None, 9.0], [5.0, 4.0, 3.0])["per_run"] == [2.0, None, 3.0]
    assert stats.compare([10.0, None, 9.0], [5.0, 4.0, 3.0])["median"] == 2.5
    with pytest.raises(ValueError):
        stats.paired_ratios([1.0], [1.0, 2.0])


# ---------------------------------------------------------------------------------- measurement


def test_measures_cpu_and_memory_of_a_real_process():
    m = measure_command([PY, "-c", ALLOC_AND_BURN], timeout=60)
    assert m.returncode == 0 and not m.timed_out
    assert 180 * MiB < m.peak_rss_proc < 600 * MiB
    assert 180 * MiB < m.peak_rss_tree < 600 * MiB
    assert 0.9 < m.cpu_s < 10
    assert m.cpu_s == max(m.cpu_s_wait4, m.cpu_s_sampled)
    assert m.cpu_s_wait4 >= 0.9  # the kernel's figure for a waited child is exact
    assert 0.9 < m.wall_s < 30
    assert m.samples >= 3


def test_sums_memory_over_the_tree_and_counts_orphans():
    # The child starts two workers holding 100 MiB each at the same time, waits for them, then starts
    # a grandchild that it does not wait for: that one burns 0.5 s of CPU after the child has exited.
    code = (
        "import subprocess, sys\n"
        "hold = 'import time\\nb = bytearray(100*1024*1024)\\n"
        "for i in range(0, len(b), 4096): b[i] = 1\\ntime.sleep(1.0)'\n"
        "ws = [subprocess.Popen([sys.executable, '-c', hold]) for _ in range(2)]\n"
        "[w.wait() for w in ws]\n"
        "subprocess.Popen([sys.executable, '-c', 'import time\\nt = time.process_time()\\n"
        "while time.process_time() - t < 0.5: pass'])\n"
    )
    m = measure_command([PY, "-c", code], timeout=60)
    assert m.returncode == 0
    assert m.peak_rss_tree > 190 * MiB  # both workers counted together
    assert m.peak_rss_proc < 190 * MiB  # but no single process held that much
    assert m.peak_pss_tree > 150 * MiB
    assert m.procs_seen >= 3
    assert m.cpu_s >= 0.45  # the orphan's CPU time is counted (adopted and reaped, or sampled)
    assert m.linger_s >= 0.2  # it outlived the child
    assert m.leftovers_killed == 0


def test_waits_for_an_orphan_whose_main_thread_exited_first():
    # The java launcher's main thread exits before the JVM does: /proc then shows the process as a
    # zombie while its other threads still run. The harness must wait until it can reap it.
    leader_exits = (
        "import ctypes, os, threading, time\n"
        "def burn():\n"
        "    time.sleep(0.3)\n"
        "    t = time.process_time()\n"
        "    while time.process_time() - t < 0.6: pass\n"
        "    os._exit(0)\n"
        "threading.Thread(target=burn).start()\n"
        "ctypes.CDLL(None).pthread_exit(None)\n"
    )
    code = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {leader_exits!r}])"
    m = measure_command([PY, "-c", code], timeout=60)
    assert m.returncode == 0
    assert m.orphans_reaped == 1
    assert m.cpu_s_wait4 >= 0.55  # its CPU time came back through wait4, not only from sampling
    assert m.linger_s >= 0.5


def test_sampling_covers_children_whose_times_the_kernel_discards():
    # A parent with SIGCHLD = SIG_IGN (as pyspark's worker daemon) never accounts its children's
    # CPU time: wait4 cannot see it, the sampled figure must.
    code = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 0.6: pass'])\n"
        "child.wait()\n"  # blocks until the child is gone (then ECHILD: its times are discarded)
    )
    m = measure_command([PY, "-c", code], timeout=60)
    assert m.returncode == 0
    assert m.cpu_s_wait4 < 0.4
    assert m.cpu_s_sampled >= 0.45 and m.cpu_s == m.cpu_s_sampled


def test_exit_code_and_timeout_are_reported():
    m = measure_command([PY, "-c", "import sys; sys.exit(3)"], timeout=60)
    assert m.returncode == 3 and not m.timed_out
    m = measure_command([PY, "-c", "import time; time.sleep(30)"], timeout=1.0)
    assert m.timed_out and m.returncode != 0
    assert m.wall_s < 15


# ---------------------------------------------------------------------------------------- input


def _corpus(tmp_path: Path, n: int, files: int = 1) -> Path:
    crawl = tmp_path / "corpus" / "crawl"
    crawl.mkdir(parents=True)
    per = n // files
    for f in range(files):
        ids = [f"{f:02d}{i:014x}" for i in range(per)]
        table = pa.table(
            {
                "id": ids,
                "url": [f"https://x.example/{i}" for i in ids],
                "text": pa.array([f"document {i}" for i in ids], pa.large_string()),
                "source": ["snap"] * per,
            }
        )
        pq.write_table(table, crawl / f"part-{f:05d}.parquet", compression="zstd")
    return tmp_path / "corpus"


def test_prepare_input_takes_the_first_n_docs_in_shards(tmp_path):
    corpus = _corpus(tmp_path, 1000, files=2)
    inp = prepare_input(str(corpus), tmp_path / "work", limit=701, shards=4)
    assert inp.copied and inp.docs == 701 and inp.shards == 4 and len(inp.files) == 4
    assert count_rows(inp.input_dir) == 701
    sizes = [pq.ParquetFile(f).metadata.num_rows for f in inp.files]
    assert max(sizes) - min(sizes) <= 1
    first = pq.read_table(inp.files[0])
    assert first.schema.field("text").type == pa.large_string()  # the source's types are kept
    assert first.column("id")[0].as_py() == "00" + "0" * 14  # in corpus order
    assert pq.ParquetFile(inp.files[0]).metadata.row_group(0).column(0).compression == "ZSTD"
    # already in the wanted number of files and no limit: read in place
    inp2 = prepare_input(str(corpus), tmp_path / "work2", limit=None, shards=2)
    assert not inp2.copied and inp2.docs == 1000 and inp2.input_dir == str(corpus / "crawl")


def test_report_table_shows_medians_and_ratios():
    def run(wall, cpu, ok=True):
        return {
            "ok": ok,
            "wall_s": wall,
            "cpu_s": cpu,
            "docs_per_s": 1000 / wall,
            "docs_per_cpu_s": 1000 / cpu,
            "cores": cpu / wall,
            "peak_rss_tree": 2 * MiB,
            "peak_rss_proc": MiB,
            "peak_pss_tree": MiB,
            "docs_out": 990,
            "run": 0,
        }

    ours = [run(10, 15), run(11, 16), run(50, 60, ok=False)]
    ours[2]["error"] = "exit code 1"
    dt = [run(20, 30), run(22, 33), run(21, 31)]
    report = {
        "stage": "ingest",
        "runs": 3,
        "input": {
            "corpus": "/x/corpus-20k",
            "docs": 1000,
            "files": ["a"] * 4,
            "bytes": 4 * MiB,
            "limit": 1000,
        },
        "machine": {
            "cpus_usable": 2,
            "nproc": 2,
            "cpu_model": "cpu",
            "mem_total_bytes": 8 << 30,
            "loadavg_start": [0.1, 0.2, 0.3],
            "versions": {"pyspark": "4.3.0", "datatrove": "0.10.1"},
        },
        "sides": {
            "ours": {"label": "ours (ingest)", "summary": summarize_side(ours), "runs": ours},
            "datatrove": {"label": "datatrove (ingest)", "summary": summarize_side(dt), "runs": dt},
        },
    }
    report["ratios"] = {
        k: stats.compare([r[k] if r["ok"] else None for r in ours], [r[k] for r in dt])
        for k in ("docs_per_s", "docs_per_cpu_s", "peak_rss_tree", "peak_pss_tree")
    }
    assert report["sides"]["ours"]["summary"]["runs_ok"] == 2
    assert report["ratios"]["docs_per_s"]["median"] == pytest.approx(2.0)
    text = format_report(report)
    assert "ours / datatrove" in text and "2/3" in text and "failed: exit code 1" in text
