"""quality on the labelled corpus: ROC-AUC after the heuristic filters, and throughput next to bare fastText.

    .venv/bin/python -m bench.quality_bench --corpus ../shared/bench/corpus-20k [--runs 3] [--model default]

1. The chain up to the quality stage, as the sample recipe runs it (langid with undetermined text
   kept, filter with the recipe's thresholds, pii), each stage through curate's runner on local[2];
   then `quality` with keep=all. ROC-AUC of quality_score for good vs bad documents among those the
   heuristics kept (non-code), share of each corruption and of good documents under the threshold,
   and what the heuristics and the classifier together remove at that threshold.
2. Scoring throughput, in-process, CPU seconds (time.process_time), runs interleaved, on the texts
   the quality stage saw:
   - ours: jobs.text.quality_text.model_lines + positive_probability per batch of 10,000 texts (as
     Spark's Arrow batches hold): cut to max_chars, spaces collapsed, line breaks as a token;
   - bare: fastText `model.predict(texts, k=2)` on the same texts cut to max_chars, '\\n' -> ' '.
   The stage's own wall time through Spark (read, score, write, GX suites) is reported beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.quality import model_location
from jobs.text.langid import load_model
from jobs.text.quality_text import model_lines, positive_probability
from quality_models.metrics import roc_auc

BATCH = 10_000


def _spark():
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from jobs.spark import spark_session

    return spark_session("local[2]", app_name="quality-bench", ui=False)


def run_chain(spark, corpus: str, work: str, model: str, recipe: str) -> tuple[dict, str]:
    """langid -> filter -> pii -> quality (keep=all) with the recipe's settings; the quality output folder."""
    import fsspec

    from jobs.pipeline import folder_input, run_stage_on_folder
    from jobs.runner import StageSpec
    from schemas.recipe import load_recipe

    stages = load_recipe(recipe, [f"quality.models=[{{path: {model}}}]", "quality.keep=all"]).stages
    fs = fsspec.filesystem("file")
    source, manifests = os.path.abspath(f"{corpus}/crawl"), {}
    for stage in ("langid", "filter", "pii", "quality"):
        out = os.path.join(work, stage)
        started = time.time()
        manifests[stage] = run_stage_on_folder(
            lambda: spark, StageSpec.load(stage, getattr(stages, stage)), folder_input(fs, source), out
        )
        manifests[stage]["wall_s"] = time.time() - started
        source = out
    return manifests, source


def _read(folder: str, output: str, columns: list[str]) -> pa.Table:
    manifest = json.load(open(f"{folder}/_manifest.json"))
    files = [f"{folder}/{f['file']}" for f in manifest["files"] if f["output"] == output]
    return pa.concat_tables([pq.read_table(f, columns=columns) for f in files])


def separation(quality_out: str, corpus: str, threshold: float) -> dict:
    labels = pq.read_table(f"{corpus}/labels.parquet", columns=["id", "quality", "corruption", "is_code"])
    labels = labels.to_pandas().set_index("id")
    scored = _read(quality_out, "kept", ["id", "kind", "quality_score"]).to_pandas().join(labels, on="id")
    prose = scored[(scored.kind != "code") & (~scored.is_code) & scored.quality_score.notna()]
    good, bad = prose[prose.quality == "good"], prose[prose.quality == "bad"]
    corpus_good = labels[(labels.quality == "good") & (~labels.is_code)]
    corpus_bad = labels[(labels.quality == "bad") & (~labels.is_code)]
    return {
        "after_heuristics": {"good": len(good), "bad": len(bad)},
        "roc_auc": roc_auc(list(prose.quality == "good"), list(prose.quality_score)),
        "good_under_threshold": float((good.quality_score < threshold).mean()),
        "bad_under_threshold_by_corruption": {
            kind: {"docs": len(rows), "share": float((rows.quality_score < threshold).mean())}
            for kind, rows in bad.groupby("corruption")
        },
        # the heuristics and the classifier together, on the whole labelled corpus (non-code)
        "good_dropped_total": 1.0 - float((good.quality_score >= threshold).sum()) / len(corpus_good),
        "bad_dropped_total": 1.0 - float((bad.quality_score >= threshold).sum()) / len(corpus_bad),
    }


def ours(model, texts: list[str], max_chars: int) -> list[float]:
    scores = []
    for start in range(0, len(texts), BATCH):
        scores += positive_probability(model, model_lines(texts[start : start + BATCH], max_chars))
    return scores


def bare(model, texts: list[str], max_chars: int):
    return model.predict([t[:max_chars].replace("\n", " ") for t in texts], k=2)


def throughput(quality_out: str, model_path: str, runs: int, max_chars: int) -> dict:
    texts = _read(quality_out, "kept", ["text"]).column("text").to_pylist()
    model = load_model(model_path)
    sides = {"ours": lambda: ours(model, texts, max_chars), "bare": lambda: bare(model, texts, max_chars)}
    times: dict[str, list[float]] = {k: [] for k in sides}
    names = list(sides)
    for run in range(runs):
        for name in names[run % 2 :] + names[: run % 2]:
            start = time.process_time()
            sides[name]()
            times[name].append(time.process_time() - start)
    return {
        "docs": len(texts),
        "cpu_s": times,
        "docs_per_cpu_s": {k: len(texts) / statistics.median(v) for k, v in times.items()},
        "ours_over_bare": statistics.median(o / b for o, b in zip(times["ours"], times["bare"], strict=True)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--model", default="default")
    ap.add_argument("--recipe", default="recipes/sample.yaml", help="stage settings up to quality")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--max-chars", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", help="keep the stage outputs here (default: a temporary folder)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="quality-bench-")
    spark = _spark()
    manifests, quality_out = run_chain(spark, args.corpus, work, args.model, args.recipe)
    spark.stop()
    figures = {
        "stages": {s: {"wall_s": m["wall_s"], **m["counters"]} for s, m in manifests.items()},
        "separation": separation(quality_out, args.corpus, args.threshold),
        "throughput": throughput(quality_out, model_location(args.model), args.runs, args.max_chars),
    }
    stage = figures["stages"]["quality"]
    figures["throughput"]["stage_docs_per_wall_s"] = stage["docs_in"] / stage["wall_s"]
    print(json.dumps(figures, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
