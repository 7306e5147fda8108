"""decontam on the labelled corpus: contaminated documents found (per planting mode), clean ones flagged.

    .venv/bin/python -m bench.decontam_bench --corpus ../shared/bench/corpus-20k [--policy drop|cut] [--runs 1]

The stage runs through curate's runner (local[2]) on the raw crawl with the corpus's own
benchmarks.parquet (generic format) and default settings. A document counts as flagged when it
is rejected or has text cut. Ground truth: labels.parquet `contaminated` (planted item) and
`contam_mode` (verbatim, light_edit, qa_dump, code_solution); every other document is clean.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import pandas as pd
import pyarrow.parquet as pq


def run_stage(corpus: str, out: str, policy: str) -> dict:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import fsspec

    from jobs.pipeline import folder_input, run_stage_on_folder
    from jobs.runner import StageSpec
    from jobs.spark import spark_session
    from schemas.decontam import DecontamSettings

    spark = spark_session("local[2]", app_name="decontam-bench", ui=False)
    settings = DecontamSettings(
        benchmarks=[{"format": "generic", "paths": [os.path.abspath(f"{corpus}/benchmarks.parquet")]}],
        policy=policy,
    )
    started = time.time()
    manifest = run_stage_on_folder(
        lambda: spark,
        StageSpec.load("decontam", settings),
        folder_input(fsspec.filesystem("file"), os.path.abspath(f"{corpus}/crawl")),
        out,
    )
    manifest["wall_s"] = time.time() - started
    return manifest


def _frame(out: str, manifest: dict, output: str, columns: list[str]) -> pd.DataFrame:
    files = [f"{out}/{f['file']}" for f in manifest["files"] if f["output"] == output]
    return (
        pd.concat([pq.read_table(f, columns=columns).to_pandas() for f in files]) if files else pd.DataFrame()
    )


def score(corpus: str, out: str, manifest: dict) -> dict:
    rejected = _frame(out, manifest, "rejected", ["id"])
    kept = _frame(out, manifest, "kept", ["id", "decontam_cut_chars"])
    flagged = set(rejected.id) | set(kept[kept.decontam_cut_chars > 0].id)
    labels = pq.read_table(
        f"{corpus}/labels.parquet", columns=["id", "contaminated", "contam_mode", "recipe"]
    )
    labels = labels.to_pandas()
    labels["flagged"] = labels.id.isin(flagged)
    dirty, clean = labels[labels.contaminated.notna()], labels[labels.contaminated.isna()]
    return {
        "contaminated": len(dirty),
        "found": float(dirty.flagged.mean()),
        "found_by_mode": {
            mode: {"docs": len(rows), "found": float(rows.flagged.mean())}
            for mode, rows in dirty.groupby("contam_mode")
        },
        "clean": len(clean),
        "clean_flagged": int(clean.flagged.sum()),
        "clean_flagged_share": float(clean.flagged.mean()),
        "clean_flagged_by_recipe": clean[clean.flagged].recipe.value_counts().to_dict(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--policy", default="drop", choices=["drop", "cut"])
    ap.add_argument("--runs", type=int, default=1, help="stage runs (wall time: the median)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    walls, figures = [], {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="decontam-bench-") as out:
            manifest = run_stage(args.corpus, out, args.policy)
            walls.append(manifest["wall_s"])
            figures = score(args.corpus, out, manifest)
            figures["stats"] = {k: v for k, v in manifest["stats"].items() if k != "shuffle_partitions"}
            figures["counters"] = manifest["counters"]
    figures["wall_s"] = walls
    figures["docs_per_wall_s"] = figures["counters"]["docs_in"] / statistics.median(walls)
    print(json.dumps(figures, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
