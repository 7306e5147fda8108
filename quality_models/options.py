"""The command line of `curate train-quality`: its flags, their help, and their checks."""

from __future__ import annotations

import argparse

from jobs.text.quality_text import DEFAULT_MAX_CHARS, POSITIVE_LABEL
from quality_models.data import InputSpec, parse_where

PROG = "curate train-quality"

EPILOG = f"""\
examples:
  # every row of good.parquet is a positive, every row of the JSONL files a negative
  {PROG} --positives good.parquet --negatives 'junk/*.jsonl.gz' --output models/q1

  # a label column; rows whose label is neither value are skipped; only prose
  {PROG} --labelled s3://bucket/labelled/ --label-column quality --positive-values good \\
      --negative-values bad --where is_code=false --output models/q2 --quantize

  # a bench corpus: texts in crawl/, labels and duplicate families in labels.parquet
  {PROG} --labelled corpus/crawl --join corpus/labels.parquet --label-column quality \\
      --positive-values good --negative-values bad --where is_code=false \\
      --group-column dup_cluster --output models/q3 --quantize

The model scores P({POSITIVE_LABEL}) of model_line(text) (jobs/text/quality_text.py), the text the
`quality` stage scores. Training is reproducible: one thread, --seed, a seeded line order.
With --quantize the output holds model.ftz only (model.bin too with --keep-bin).
"""


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train a fastText quality classifier (good vs bad documents) from Parquet or JSONL "
        "files, local or on any fsspec store (s3://...), and write the model, its held-out metrics "
        "and a model card.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data = parser.add_argument_group("documents (files, folders, globs or fsspec URLs)")
    data.add_argument(
        "--positives",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="files whose every row is a good document",
    )
    data.add_argument(
        "--negatives",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="files whose every row is a bad document",
    )
    data.add_argument(
        "--labelled",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="files with a label column (needs --label-column and --positive-values)",
    )
    data.add_argument("--label-column", metavar="COL", help="the label column of --labelled files")
    data.add_argument(
        "--positive-values", type=_values, default=[], metavar="V1,V2", help="label values of good documents"
    )
    data.add_argument(
        "--negative-values",
        type=_values,
        default=[],
        metavar="V1,V2",
        help="label values of bad documents; rows with other values are skipped "
        "(default: every other non-null value is bad)",
    )
    data.add_argument("--text-column", default="text", metavar="COL", help="(default: %(default)s)")
    data.add_argument(
        "--id-column",
        default="id",
        metavar="COL",
        help="document key, for --join and the default split groups (default: %(default)s)",
    )
    data.add_argument(
        "--join",
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="tables joined on --id-column that supply the label, group or --where columns "
        "the document files lack (e.g. a bench corpus' labels.parquet); unmatched rows "
        "are skipped",
    )
    data.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COL=VALUE",
        help="keep only rows where COL equals VALUE (repeatable; e.g. is_code=false)",
    )
    data.add_argument(
        "--group-column",
        metavar="COL",
        help="documents sharing a value (e.g. a duplicate family) stay on one side of the "
        "split; a null value falls back to the id (default: the id column if present, "
        "else each row alone)",
    )

    split = parser.add_argument_group("split and evaluation")
    split.add_argument(
        "--held-out",
        type=float,
        default=0.1,
        metavar="FRACTION",
        help="share of groups held out for the metrics (default: %(default)s)",
    )
    split.add_argument(
        "--seed",
        metavar="N",
        type=int,
        default=0,
        help="seeds the split, the line order and fastText (default: %(default)s)",
    )
    split.add_argument(
        "--threshold",
        metavar="SCORE",
        type=float,
        default=0.5,
        help="score at or above which a document counts as good in precision/recall (default: %(default)s)",
    )

    model = parser.add_argument_group(
        "fastText (defaults: those of the shipped default model, chosen in quality_models/README.md)"
    )
    model.add_argument("--epoch", metavar="N", type=int, default=5, help="(default: %(default)s)")
    model.add_argument(
        "--lr", metavar="RATE", type=float, default=0.1, help="learning rate (default: %(default)s)"
    )
    model.add_argument(
        "--word-ngrams",
        metavar="N",
        type=int,
        default=2,
        help="word n-gram length; 2 = bigrams, like DCLM's classifier (default: %(default)s)",
    )
    model.add_argument("--dim", metavar="N", type=int, default=16, help="vector size (default: %(default)s)")
    model.add_argument(
        "--min-count",
        metavar="N",
        type=int,
        default=5,
        help="minimum word count to get a vector of its own; rarer words are seen through their "
        "character n-grams (default: %(default)s)",
    )
    model.add_argument(
        "--bucket",
        metavar="N",
        type=int,
        default=200_000,
        help="hash buckets shared by word and character n-grams; model.bin size ~ (words + bucket) x "
        "dim x 4 bytes (default: %(default)s)",
    )
    model.add_argument(
        "--minn",
        metavar="N",
        type=int,
        default=1,
        help="shortest character n-gram; 0 turns them off (DCLM's classifier has none); single "
        "characters see mojibake and symbol junk in any script (default: %(default)s)",
    )
    model.add_argument(
        "--maxn", metavar="N", type=int, default=3, help="longest character n-gram (default: %(default)s)"
    )
    model.add_argument(
        "--loss", default="softmax", choices=["softmax", "ns", "hs", "ova"], help="(default: %(default)s)"
    )
    model.add_argument(
        "--max-chars",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_CHARS,
        help="only the first N characters of a document are used, as in the quality "
        "stage (default: %(default)s)",
    )
    model.add_argument(
        "--threads",
        metavar="N",
        type=int,
        default=1,
        help="fastText threads; only 1 is reproducible (default: %(default)s)",
    )

    quant = parser.add_argument_group("quantisation")
    quant.add_argument(
        "--quantize",
        action="store_true",
        help="write a quantised model.ftz (much smaller) instead of model.bin; both "
        "held-out AUCs go into metrics.json",
    )
    quant.add_argument(
        "--cutoff",
        metavar="N",
        type=int,
        default=100_000,
        help="keep only the N input rows (words + n-gram buckets) with the largest norms; 0 keeps "
        "all (default: %(default)s)",
    )
    quant.add_argument(
        "--no-retrain",
        dest="retrain",
        action="store_false",
        help="with --cutoff: do not retrain the kept rows (retraining is the default)",
    )
    quant.add_argument("--qnorm", action="store_true", help="quantise vector norms separately")
    quant.add_argument(
        "--dsub",
        metavar="N",
        type=int,
        default=2,
        help="sub-vector size of the product quantiser (default: %(default)s)",
    )
    quant.add_argument("--keep-bin", action="store_true", help="also keep the unquantised model.bin")

    out = parser.add_argument_group("output")
    out.add_argument(
        "--output",
        required=True,
        metavar="DIR",
        help="folder for the model, metrics.json and MODEL_CARD.md (local or fsspec URL)",
    )
    out.add_argument("--name", default="quality-classifier", help="model name for the card")
    out.add_argument(
        "--description", metavar="TEXT", default="", help="what the model is for, for the card (intended use)"
    )
    return parser


def input_spec(args: argparse.Namespace) -> InputSpec:
    return InputSpec(
        positives=args.positives,
        negatives=args.negatives,
        labelled=args.labelled,
        label_column=args.label_column,
        positive_values=args.positive_values,
        negative_values=args.negative_values,
        text_column=args.text_column,
        id_column=args.id_column,
        group_column=args.group_column,
        where=parse_where(args.where),
        join=args.join,
    )


def check_args(args: argparse.Namespace) -> None:
    """Flag values argparse cannot check alone; a ValueError names the flag."""
    if args.threshold < 0 or args.threshold > 1:
        raise ValueError(f"--threshold {args.threshold}: must be between 0 and 1")
    for flag in ("epoch", "dim", "bucket", "threads", "word_ngrams", "max_chars"):
        if getattr(args, flag) < 1:
            raise ValueError(f"--{flag.replace('_', '-')} must be at least 1")
    if args.lr <= 0:
        raise ValueError("--lr must be positive")
    if args.quantize and args.dim % args.dsub:
        raise ValueError(f"--dsub {args.dsub} must divide --dim {args.dim}")
