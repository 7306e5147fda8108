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

    # the training handoff: tokens loaded back and a tiny transformer trained a few steps on the CPU
    checked = _curate("handoff-check", second, "--store", str(store), "--device", "cpu", "--steps", "8")
    assert checked.returncode == 0, checked.stderr[-3000:]
    report = json.loads(checked.stdout)
    assert (
        report["device"] == "cpu" and report["loss_fell"] and report["tokens"] == 8 * 8 * report["seq_length"]
    )
    no_gpu = _curate("handoff-check", second, "--store", str(store), "--device", "cuda")
    assert no_gpu.returncode == 2 and "cuda" in no_gpu.stderr.lower()
    # the instruction collection as chat JSONL
    exported = _curate("export-chat", second, "--store", str(store), "--output", str(tmp_path / "chat"))
    assert exported.returncode == 0, exported.stderr[-3000:]
    lines = [
        json.loads(x)
        for f in sorted((tmp_path / "chat").glob("chat-*.jsonl"))
        for x in f.read_text().splitlines()
    ]
    kept = json.loads(_curate("show", second, "--store", str(store)).stdout)["stages"]["instructions"][
        "counters"
    ]
    assert json.loads(exported.stdout)["rows"] == len(lines) == kept["docs_out"] > 0

    shown = _curate("show", second, "--store", str(store))
    info = json.loads(shown.stdout)
    assert info["status"] == "published" and info["latest"] is True
    assert info["stages"]["ingest"]["reused_from"] == version
    assert _curate("show", "no-such-version", "--store", str(store)).returncode == 2
    rolled = _curate("rollback", version, "--store", str(store))
    assert rolled.returncode == 0 and f"LATEST: {second} -> {version}" in rolled.stdout
    assert (store / "sample" / "LATEST").read_text().strip() == version
    assert _curate("rollback", "no-such-version", "--store", str(store)).returncode == 2


def test_a_broken_quality_model_stops_run_and_stage_before_any_data_moves(tmp_path):
    broken = tmp_path / "model.bin"
    broken.write_bytes(os.urandom(100))
    setting = f"quality.models=[{{path: {broken}}}]"
    store = tmp_path / "store"
    env = {"PREFECT_HOME": str(tmp_path / "prefect")}
    proc = _curate(
        "run", "--recipe", str(SAMPLE_RECIPE), "--set", f"store={store}", "--set", setting, env_extra=env
    )
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert f"{broken}: not a usable fastText model" in proc.stderr
    assert not (store / "sample" / "versions").exists() or not any((store / "sample" / "versions").iterdir())

    missing = f"quality.models=[{{path: {tmp_path / 'nosuch.ftz'}}}]"
    out = tmp_path / "out"
    proc = _curate(
        "stage", "quality", "--input", str(SAMPLE_DATA / "parquet"), "--output", str(out), "--set", missing
    )
    assert proc.returncode == 2 and "nosuch.ftz: model file not found" in proc.stderr
    assert not (out / "_manifest.json").exists()


def test_train_quality_then_score_with_that_model_in_the_stage(tmp_path):
    import random

    from tests.test_quality_stage import _junk, _prose

    rng = random.Random(1)
    prose = _prose()
    for name, texts in (("good", prose), ("bad", [_junk(p, rng) for p in prose])):
        with open(tmp_path / f"{name}.jsonl", "w") as f:
            f.writelines(json.dumps({"id": f"{name}{i}", "text": t}) + "\n" for i, t in enumerate(texts))
    model_dir = tmp_path / "model"
    proc = _curate(
        "train-quality",
        "--positives",
        str(tmp_path / "good.jsonl"),
        "--negatives",
        str(tmp_path / "bad.jsonl"),
        "--output",
        str(model_dir),
        "--epoch",
        "20",
        "--lr",
        "0.5",
        "--dim",
        "16",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((model_dir / "metrics.json").read_text())
    assert metrics["roc_auc"] > 0.9 and (model_dir / "MODEL_CARD.md").exists()
    model = model_dir / metrics["model"]["file"]

    docs = tmp_path / "docs"
    docs.mkdir()
    rows = [{"id": f"g{i}", "text": t} for i, t in enumerate(prose[:20])]
    rows += [{"id": f"b{i}", "text": _junk(t, rng)} for i, t in enumerate(prose[:20])]
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), docs / "part-0.parquet")
    out = tmp_path / "out"
    proc = _curate(
        "stage",
        "quality",
        "--input",
        str(docs),
        "--output",
        str(out),
        "--set",
        f"quality.models=[{{path: {model}}}]",
        "--set",
        "quality.keep=threshold",
        "--spark-master",
        "local[2]",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    counters = json.loads(proc.stdout)["counters"]
    assert counters["docs_in"] == 40 and counters["rejected_by_reason"]["quality:below_threshold"] >= 15
    assert counters["docs_out"] >= 15
