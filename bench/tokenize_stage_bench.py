"""The tokenize stage against bare `tokenizers` batch encoding of the same texts, in one run.

    .venv/bin/python -m bench.tokenize_stage_bench --corpus ../shared/bench/corpus-20k --runs 3

Side by side, alternating, each run timed on its own:
- bare: GPT-2's tokenizer (the same Tokenizer object the stage loads), `encode_batch` and
  `encode_batch_fast` (no offsets, what the stage calls) over the corpus texts in batches of 1,000
  in this process (tokenizers' own Rust threads use both cores);
- ours: the tokenize stage through curate's runner on local[2] (Spark's Python workers encode and
  write the .bin/.idx per group), timed as the manifest's `run_and_write` phase (the stage's work:
  read the Parquet, tokenize, write tokens and the kept Parquet) and as the whole stage (plus the
  counting and the Great Expectations suites).
Reported: medians of docs/s and tokens/s and the ratio ours / bare.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import fsspec
    import pyarrow.parquet as pq

    from jobs.pipeline import folder_input, run_stage_on_folder
    from jobs.runner import StageSpec
    from jobs.spark import spark_session
    from jobs.text.bpe import load_tokenizer
    from schemas.tokenize import TokenizeSettings

    source = os.path.abspath(f"{args.corpus}/crawl")
    texts = [
        t
        for f in sorted(glob.glob(f"{source}/*.parquet"))
        for t in pq.read_table(f, columns=["text"]).column("text").to_pylist()
    ]
    tokenizer = load_tokenizer("gpt2")
    spark = spark_session("local[2]", app_name="tokenize-bench", ui=False)
    fs = fsspec.filesystem("file")
    runs: dict[str, list] = {"bare_s": [], "bare_fast_s": [], "stage_work_s": [], "stage_total_s": []}
    tokens = 0
    for _ in range(args.runs):
        started = time.perf_counter()
        bare_tokens = 0
        for i in range(0, len(texts), 1000):
            bare_tokens += sum(
                len(e.ids) for e in tokenizer.encode_batch(texts[i : i + 1000], add_special_tokens=False)
            )
        runs["bare_s"].append(time.perf_counter() - started)
        started = time.perf_counter()  # encode_batch_fast: no offsets, what the stage calls
        for i in range(0, len(texts), 1000):
            tokenizer.encode_batch_fast(texts[i : i + 1000], add_special_tokens=False)
        runs["bare_fast_s"].append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory(prefix="tokenize-bench-") as work:
            manifest = run_stage_on_folder(
                lambda: spark,
                StageSpec.load("tokenize", TokenizeSettings()),
                folder_input(fs, source),
                f"{work}/out",
            )
        runs["stage_work_s"].append(manifest["counters"]["phase_seconds"]["run_and_write"])
        runs["stage_total_s"].append(manifest["counters"]["seconds"])
        tokens = manifest["stats"]["tokens"]
        assert tokens == bare_tokens + manifest["counters"]["docs_out"], (
            tokens,
            bare_tokens,
        )  # + one EOS each
    spark.stop()
    docs = len(texts)
    medians = {k: statistics.median(v) for k, v in runs.items()}
    figures = {
        "documents": docs,
        "tokens_with_eos": tokens,
        "runs": runs,
        "bare_docs_per_s": docs / medians["bare_s"],
        "stage_work_docs_per_s": docs / medians["stage_work_s"],
        "stage_total_docs_per_s": docs / medians["stage_total_s"],
        "bare_tokens_per_s": (tokens - docs) / medians["bare_s"],
        "stage_work_tokens_per_s": tokens / medians["stage_work_s"],
        "bare_fast_docs_per_s": docs / medians["bare_fast_s"],
        "ratio_work": medians["bare_s"] / medians["stage_work_s"],
        "ratio_total": medians["bare_s"] / medians["stage_total_s"],
        "ratio_work_vs_fast": medians["bare_fast_s"] / medians["stage_work_s"],
        "ratio_total_vs_fast": medians["bare_fast_s"] / medians["stage_total_s"],
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
