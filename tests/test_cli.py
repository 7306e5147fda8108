"""The `curate` command line as users type it (subprocesses: real ephemeral Prefect API, real Spark)."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from tests.conftest import SAMPLE_DATA, SAMPLE_RECIPE
from tests.servers import curate_cli


def _curate(*args: str, env_extra: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return curate_cli(*args, env={**os.environ, **(env_extra or {})}, timeout=timeout)


def test_stage_alone_writes_kept_rejected_and_manifest(tmp_path):
    out = tmp_path / "out"
    proc = _curate(
        "stage",
        "ingest",
        "--input",
        str(SAMPLE_DATA / "web"),
        "--output",
        str(out),
        "--set",
        "ingest.max_bytes=100000",
        "--spark-master",
        "local[2]",
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    manifest = json.loads((out / "_manifest.json").read_text())
    assert list(out.glob("kept/part-*.parquet")) and list(out.glob("rejected/part-*.parquet"))
    assert not (out / "_attempts").exists()
    counters = manifest["counters"]
    assert counters["docs_in"] == counters["docs_out"] + counters["rejected"]
    assert counters["rejected_by_reason"]["ingest:too_large"] == 1
    assert json.loads(proc.stdout)["counters"] == counters


def test_stage_alone_rejects_unknown_stage_and_bad_setting(tmp_path):
    proc = _curate("stage", "nosuch", "--input", str(SAMPLE_DATA), "--output", str(tmp_path))
    assert proc.returncode == 2 and "unknown stage 'nosuch'" in proc.stderr
    proc = _curate(
        "stage",
        "ingest",
        "--input",
        str(SAMPLE_DATA),
        "--output",
        str(tmp_path),
        "--set",
        "ingest.max_bytes=lots",
    )
    assert proc.returncode == 2 and "max_bytes" in proc.stderr


@pytest.mark.slow
def test_run_versions_and_show(tmp_path):
    env = {"PREFECT_HOME": str(tmp_path / "prefect")}
    store = tmp_path / "store"
    started = time.time()
    proc = _curate("run", "--recipe", str(SAMPLE_RECIPE), "--set", f"store={store}", env_extra=env)
    first = time.time() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    version = proc.stdout.strip().splitlines()[-1]

    started = time.time()
    again = _curate("run", "--recipe", str(SAMPLE_RECIPE), "--set", f"store={store}", env_extra=env)
    rerun = time.time() - started
    assert again.returncode == 0, again.stderr[-3000:]
    second = again.stdout.strip().splitlines()[-1]
    assert second != version and rerun < first

    listing = _curate("versions", "--store", str(store))
    assert listing.returncode == 0
    lines = [line.split() for line in listing.stdout.splitlines()[1:]]
    assert [(row[1], row[2]) for row in lines] == [(version, "published"), (second, "published")]
    assert lines[1][3] == "*"  # LATEST

    shown = _curate("show", second, "--store", str(store))
    info = json.loads(shown.stdout)
    assert info["status"] == "published" and info["latest"] is True
    assert info["stages"]["ingest"]["reused_from"] == version
    assert _curate("show", "no-such-version", "--store", str(store)).returncode == 2
    rolled = _curate("rollback", version, "--store", str(store))
    assert rolled.returncode == 0 and f"LATEST: {second} -> {version}" in rolled.stdout
    assert (store / "sample" / "LATEST").read_text().strip() == version
    assert _curate("rollback", "no-such-version", "--store", str(store)).returncode == 2
