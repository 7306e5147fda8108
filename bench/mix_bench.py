"""mix on the labelled corpus: achieved token shares against the targets, per phase and group,
in estimated tokens (the mix stage's plan) and in exact tokens (the tokenize stage after it).

    .venv/bin/python -m bench.mix_bench --corpus ../shared/bench/corpus-20k [--recipe recipes/sample.yaml]

langid (for `lang` and code found in text), mix with the recipe's mix section and tokenize, each through
curate's runner on local[2]. Shares are of estimated tokens (characters / chars_per_token), the
figure the stage plans with; the mixture report is the stage's own (manifest stats).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--recipe", default="recipes/sample.yaml", help="whose langid and mix settings to use")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import fsspec

    from jobs.pipeline import folder_input, run_stage_on_folder
    from jobs.runner import StageSpec
    from jobs.spark import spark_session
    from schemas.recipe import load_recipe, stage_settings

    recipe = load_recipe(args.recipe)
    spark = spark_session("local[2]", app_name="mix-bench", ui=False)
    fs = fsspec.filesystem("file")
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="mix-bench-") as work:
        source = os.path.abspath(f"{args.corpus}/crawl")
        for stage in ("langid", "mix", "tokenize"):
            started = time.time()
            manifest = run_stage_on_folder(
                lambda: spark,
                StageSpec.load(stage, stage_settings(recipe, stage)),
                folder_input(fs, source),
                f"{work}/{stage}",
            )
            figures[f"{stage}_wall_s"] = time.time() - started
            source = f"{work}/{stage}"
            figures[stage] = manifest
        figures["counters"] = figures["mix"]["counters"]
        figures["phases"] = figures["mix"]["stats"]["phases"]
        figures["exact"] = manifest["stats"]["mixture_exact"]
    spark.stop()
    for phase, report in figures["phases"].items():
        print(
            f"\nphase {phase}: target {report['target_tokens']:,} tokens, achieved {report['achieved_tokens']:,}"
        )
        print("| group | target share | achieved share | available | sampled | rate | documents |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for group, g in report["groups"].items():
            print(
                f"| {group} | {g['target_share']:.3f} | {g['achieved_share']:.4f} | {g['available_tokens']:,} | "
                f"{g['tokens']:,} | {g['rate']:.3f} | {g['documents']:,} |"
            )
    for phase, report in figures["exact"].items():
        print(f"\nphase {phase} in exact tokens (GPT-2 BPE + EOS, tokens x copies): {report['tokens']:,}")
        print("| group | target share | achieved share | tokens |")
        print("|---|---:|---:|---:|")
        for group, g in report["groups"].items():
            print(f"| {group} | {g['target_share']:.3f} | {g['achieved_share']:.4f} | {g['tokens']:,} |")
    measured = {g: v["chars_per_token"] for g, v in figures["tokenize"]["stats"]["groups"].items()}
    print("\nmeasured characters per token (EOS excluded):", json.dumps(measured))
    print("\ncounters:", json.dumps(figures["counters"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
