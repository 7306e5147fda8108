"""Score a quality model on labelled documents: ROC-AUC, precision/recall at a threshold, and which
kinds of bad documents it lets through.

    python -m quality_models.evaluate --model quality_models/default/model.ftz \\
        --docs ../shared/bench/corpus-20k/crawl --labels ../shared/bench/corpus-20k/labels.parquet \\
        --where is_code=false [--threshold 0.5] [--output evaluation.json]

Documents (Parquet or JSONL with id and text; files, folders or globs, local or fsspec URLs) are
joined on id to a labels table with a good/bad column and, for bad documents, the kind of
corruption (the bench corpora's labels.parquet). Scored as the `quality` stage scores them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

import numpy as np

from jobs.text.quality_text import DEFAULT_MAX_CHARS, model_line, positive_probability
from quality_models.data import InputSpec, load_documents, parse_where
from quality_models.metrics import at_threshold, roc_auc, share_below


def load_model(path: str):
    from fasttext.FastText import _FastText  # load_model() only adds a deprecation warning

    from jobs.text.model_probe import local_model_file

    return _FastText(model_path=local_model_file(path))


def _breakdown(scores: np.ndarray, kinds: list, threshold: float) -> dict:
    by_kind: dict[str, list[float]] = defaultdict(list)
    for score, kind in zip(scores, kinds, strict=True):
        by_kind[str(kind)].append(float(score))
    return {
        kind: {
            "n": len(values),
            "below_threshold": share_below(values, threshold),
            "median_score": float(np.median(values)),
        }
        for kind, values in sorted(by_kind.items())
    }


def evaluate(
    model_path: str,
    docs: list[str],
    labels: list[str],
    where: list[str] | None = None,
    threshold: float = 0.5,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    label_column: str = "quality",
    good: str = "good",
    bad: str = "bad",
    breakdown_column: str = "corruption",
) -> dict:
    """The model's figures on `docs` joined with `labels`; bad documents broken down by
    `breakdown_column`."""
    spec = InputSpec(
        labelled=docs,
        join=labels,
        label_column=label_column,
        positive_values=[good],
        negative_values=[bad],
        where=parse_where(where or []),
        extra_columns=[breakdown_column],
    )
    documents = load_documents(spec)
    model = load_model(model_path)
    scores = np.asarray(positive_probability(model, [model_line(t, max_chars) for t in documents.texts]))
    positive = np.asarray(documents.positive, dtype=bool)
    kinds = [k for k, p in zip(documents.extra[breakdown_column], positive, strict=True) if not p]
    return {
        "model": model_path,
        "docs": docs,
        "labels": labels,
        "where": where or [],
        "max_chars": max_chars,
        "good": int(positive.sum()),
        "bad": int((~positive).sum()),
        "roc_auc": roc_auc(positive, scores),
        **at_threshold(positive, scores, threshold),
        "good_below_threshold": share_below(scores[positive], threshold),
        "bad_below_threshold": share_below(scores[~positive], threshold),
        f"by_{breakdown_column}": _breakdown(scores[~positive], kinds, threshold),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m quality_models.evaluate",
        description="ROC-AUC and precision/recall at a threshold of a fastText quality model on labelled "
        "documents, with the share of each kind of bad document scored below the threshold.",
    )
    parser.add_argument("--model", required=True, help="model.bin / model.ftz (local or fsspec URL)")
    parser.add_argument(
        "--docs",
        nargs="+",
        required=True,
        metavar="PATH",
        help="documents with id and text: files, folders of parts, globs",
    )
    parser.add_argument(
        "--labels",
        nargs="+",
        required=True,
        metavar="PATH",
        help="labels joined on id (e.g. a bench corpus' labels.parquet)",
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="only rows where COL equals VALUE (repeatable; e.g. is_code=false)",
    )
    parser.add_argument("--threshold", type=float, default=0.5, help="(default: %(default)s)")
    parser.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        help="characters scored per document, as in training (default: %(default)s)",
    )
    parser.add_argument("--label-column", default="quality", help="(default: %(default)s)")
    parser.add_argument("--good", default="good", help="label value of good documents (default: %(default)s)")
    parser.add_argument("--bad", default="bad", help="label value of bad documents (default: %(default)s)")
    parser.add_argument(
        "--breakdown-column",
        default="corruption",
        help="bad documents are broken down by this column (default: %(default)s)",
    )
    parser.add_argument("--output", metavar="FILE", help="write the JSON here instead of stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = evaluate(
            args.model,
            args.docs,
            args.labels,
            where=args.where,
            threshold=args.threshold,
            max_chars=args.max_chars,
            label_column=args.label_column,
            good=args.good,
            bad=args.bad,
            breakdown_column=args.breakdown_column,
        )
    except ValueError as err:
        print(f"evaluate: error: {err}", file=sys.stderr)
        return 2
    text = json.dumps(result, indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
