"""Rebuild quality_models/default/, the model the `quality` stage uses when a recipe names none.

    python -m quality_models.build_default [--corpus ../shared/bench/corpus-100k]
                                           [--evaluate ../shared/bench/corpus-20k]

Trains with `curate train-quality` (the same code, the same flags a user would give) on the bench
corpus: good prose documents against bad ones (code is left out: the default model scores text and
task documents), duplicate families kept on one side of the held-out split. Then scores the other
bench corpus (all its good vs bad non-code documents), writes evaluation.json and adds the figures
to the model card. Deterministic: a rebuild gives the same model bytes and the same metrics.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from quality_models import card, evaluate, train

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "quality_models" / "default"
BENCH = ROOT.parent / "shared" / "bench"
NAME = "curate-default-quality"
DESCRIPTION = (
    "curate's default quality classifier: tells well-formed natural-language text (documentation, "
    "manuals, help pages, declarations in ~200 languages) from web junk made of it (site boilerplate, "
    "keyword spam, repeated lines, lorem ipsum, too-short pages, gibberish, word salad, mojibake, "
    "symbol excess, markup residue). Scores prose and task documents of any language in the `quality` "
    "stage; not meant for source code. A starting point: train one on your own data for production."
)
# Chosen on the held-out split, on corpus-20k, and on a split by source package (train on half the
# packages, score the other half's documents) so that they hold for text and junk the model has not
# seen; see quality_models/README.md. These are also train-quality's defaults; spelled out here so
# that the default model does not change when those do.
TRAINING_FLAGS = [
    "--epoch", "5",
    "--lr", "0.1",
    "--word-ngrams", "2",
    "--minn", "1",
    "--maxn", "3",
    "--dim", "16",
    "--min-count", "5",
    "--bucket", "200000",
    "--loss", "softmax",
    "--seed", "0",
    "--held-out", "0.1",
    "--threshold", "0.5",
    "--quantize",
    "--cutoff", "100000",
    "--dsub", "2",
]  # fmt: skip
EVALUATION_FILE = "evaluation.json"
LIMITATIONS = [
    "fastText averages its input tokens, so it barely sees repetition: pages of repeated lines and "
    "pages stuffed with one of their own words every few words score like the text they were made from "
    "(most pass the 0.5 threshold, see the table above). The filter stage's repetition rules catch "
    "those; this model complements the rules, it does not replace them.",
    "Trained on one synthetic bench corpus: documentation-heavy text from Debian, PyPI and npm packages "
    "and ten generated kinds of junk. Good text from other kinds of sources scores lower, and junk "
    "unlike those ten kinds may pass (quality_models/README.md measures both).",
    "Source code was left out of training: do not score code with it.",
]
REBUILD = "python -m quality_models.build_default   # from the repository root, with ../shared/bench"


def _shown(path: Path | str) -> str:
    """A path as the card records it: relative to the working directory when below it or its parent
    (../shared/bench/... from the repo root), else absolute."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("../..") else str(Path(path).resolve())


def training_argv(corpus: str, output: str) -> list[str]:
    return [
        "--labelled", f"{corpus}/crawl",
        "--join", f"{corpus}/labels.parquet",
        "--label-column", "quality",
        "--positive-values", "good",
        "--negative-values", "bad",
        "--where", "is_code=false",
        "--group-column", "dup_cluster",
        *TRAINING_FLAGS,
        "--name", NAME,
        "--description", DESCRIPTION,
        "--output", output,
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quality_models.build_default", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--corpus", default=_shown(BENCH / "corpus-100k"), help="training corpus (default: %(default)s)"
    )
    parser.add_argument("--evaluate", default=_shown(BENCH / "corpus-20k"),
                        help="corpus scored after training (default: %(default)s)")  # fmt: skip
    parser.add_argument("--output", default=_shown(DEFAULT_OUTPUT), help="(default: %(default)s)")
    args = parser.parse_args(argv)

    rc = train.main(training_argv(args.corpus, args.output))
    if rc:
        return rc
    metrics = json.loads((Path(args.output) / train.METRICS_FILE).read_text())
    model = f"{args.output}/{metrics['model']['file']}"
    try:
        evaluation = evaluate.evaluate(
            model,
            [f"{args.evaluate}/crawl"],
            [f"{args.evaluate}/labels.parquet"],
            where=["is_code=false"],
            threshold=metrics["threshold"],
            max_chars=metrics["params"]["max_chars"],
        )
    except ValueError as err:
        print(f"build_default: error: {err}", file=sys.stderr)
        return 2
    evaluation["description"] = (
        f"`{args.evaluate}`: every good vs every bad non-code document (a corpus made the same way from the "
        "same source packages as the training corpus, other documents and draws; some texts occur in both)."
    )
    (Path(args.output) / EVALUATION_FILE).write_text(json.dumps(evaluation, indent=2) + "\n")
    card.write_card(str(Path(args.output) / train.CARD_FILE), metrics, evaluation, LIMITATIONS, REBUILD)
    print(
        f"{args.evaluate}: ROC-AUC {evaluation['roc_auc']:.4f}, good below {evaluation['threshold']}: "
        f"{evaluation['good_below_threshold']:.2%}, bad below: {evaluation['bad_below_threshold']:.2%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
