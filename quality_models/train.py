"""`curate train-quality`: train a fastText quality classifier from labelled documents.

Reads the documents (quality_models.data), holds out a share of them by group (split), trains a
supervised fastText model on the rest with word bigrams like DCLM's classifier (fit), scores the
held-out documents exactly as the `quality` stage will (model_line + positive_probability), and
writes the model, metrics.json and MODEL_CARD.md into --output.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime

from jobs.text.quality_text import NEGATIVE_LABEL, POSITIVE_LABEL, model_line
from jobs.text.quality_text import positive_probability as score_lines
from quality_models import card, fit
from quality_models.data import LabelledDocuments, load_documents
from quality_models.metrics import at_threshold, roc_auc
from quality_models.options import PROG, build_parser, check_args, input_spec
from quality_models.split import held_out_mask

MODEL_BIN, MODEL_FTZ = "model.bin", "model.ftz"
METRICS_FILE, CARD_FILE = "metrics.json", "MODEL_CARD.md"
TRAIN_FILE = "train.txt"


def _split_counts(docs: LabelledDocuments, held_out: list[bool]) -> dict:
    counts = {side: {"positives": 0, "negatives": 0, "groups": 0} for side in ("train", "held_out")}
    groups: dict[str, set[str]] = {"train": set(), "held_out": set()}
    for positive, group, out in zip(docs.positive, docs.groups, held_out, strict=True):
        side = "held_out" if out else "train"
        counts[side]["positives" if positive else "negatives"] += 1
        groups[side].add(group)
    for side in counts:
        counts[side]["groups"] = len(groups[side])
        if not counts[side]["positives"] or not counts[side]["negatives"]:
            raise ValueError(
                f"the {side.replace('_', '-')} split has {counts[side]['positives']} positives and "
                f"{counts[side]['negatives']} negatives: give more documents (or groups) or change --held-out"
            )
    return counts


def _score(model, texts: list[str], max_chars: int) -> list[float]:
    return score_lines(model, [model_line(t, max_chars) for t in texts])


def _held_out_metrics(model, texts: list[str], labels: list[bool], args: argparse.Namespace) -> dict:
    scores = _score(model, texts, args.max_chars)
    return {"roc_auc": roc_auc(labels, scores), **at_threshold(labels, scores, args.threshold)}


def _file_facts(path: str) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return {"file": os.path.basename(path), "sha256": digest.hexdigest(), "bytes": os.path.getsize(path)}


def _today() -> str:
    # SOURCE_DATE_EPOCH (reproducible-builds convention) pins the date of a rebuilt artefact
    stamp = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(stamp), UTC) if stamp else datetime.now(UTC)
    return moment.date().isoformat()


def _publish(local_dir: str, output: str) -> None:
    """Copy the finished files to a remote --output (a local --output is written in place)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(output)
    fs.makedirs(root, exist_ok=True)
    for name in sorted(os.listdir(local_dir)):
        fs.put_file(os.path.join(local_dir, name), f"{root.rstrip('/')}/{name}")


def _params(args: argparse.Namespace) -> tuple[fit.FastTextParams, fit.QuantizeParams | None]:
    params = fit.FastTextParams(
        epoch=args.epoch,
        lr=args.lr,
        word_ngrams=args.word_ngrams,
        dim=args.dim,
        min_count=args.min_count,
        bucket=args.bucket,
        loss=args.loss,
        minn=args.minn,
        maxn=args.maxn,
        threads=args.threads,
    )
    if not args.quantize:
        return params, None
    return params, fit.QuantizeParams(
        cutoff=args.cutoff, retrain=args.retrain, qnorm=args.qnorm, dsub=args.dsub
    )


def _fit_and_score(
    docs: LabelledDocuments, held_out: list[bool], args: argparse.Namespace, folder: str
) -> dict:
    """Train on the documents not held out, score the held-out ones, save the model(s) in `folder`."""
    params, quant = _params(args)
    test_texts = [t for t, out in zip(docs.texts, held_out, strict=True) if out]
    test_labels = [p for p, out in zip(docs.positive, held_out, strict=True) if out]
    with tempfile.TemporaryDirectory(prefix="curate-train-quality-") as work:
        train_file = os.path.join(work, TRAIN_FILE)
        fit.write_training_file(
            train_file,
            [t for t, out in zip(docs.texts, held_out, strict=True) if not out],
            [p for p, out in zip(docs.positive, held_out, strict=True) if not out],
            args.max_chars,
            args.seed,
        )
        docs.texts = []  # the training file holds them now; fastText needs the memory
        model = fit.train(train_file, params, args.seed)
        full = _held_out_metrics(model, test_texts, test_labels, args)
        bin_path = os.path.join(folder, MODEL_BIN)
        model.save_model(bin_path)
        result = {
            "params": params,
            "quant": quant,
            "final": full,
            "unquantized": None,
            "model": _file_facts(bin_path),
        }
        if quant is not None:
            fit.quantize(model, train_file, quant, args.threads)
            ftz_path = os.path.join(folder, MODEL_FTZ)
            model.save_model(ftz_path)
            result |= {
                "final": _held_out_metrics(model, test_texts, test_labels, args),
                "unquantized": {"model": result["model"], **full},
                "model": _file_facts(ftz_path),
            }
            if not args.keep_bin:
                os.remove(bin_path)
        result["labels"] = sorted(model.get_labels())
    return result


def _metrics(
    args: argparse.Namespace, argv: list[str], docs: LabelledDocuments, counts: dict, fitted: dict
) -> dict:
    final = fitted["final"]
    return {
        "name": args.name,
        "description": args.description,
        "date": _today(),
        "model": fitted["model"],
        "roc_auc": final["roc_auc"],
        "threshold": args.threshold,
        "precision": final["precision"],
        "recall": final["recall"],
        "f1": final["f1"],
        "held_out": final,
        "unquantized": fitted["unquantized"],
        "counts": counts,
        "data": {
            "sources": [s.as_dict() for s in docs.sources],
            "text_column": args.text_column,
            "id_column": args.id_column,
            "label_column": args.label_column,
            "positive_values": args.positive_values,
            "negative_values": args.negative_values,
            "where": args.where,
            "join": args.join,
            "group_column": args.group_column,
            "held_out": args.held_out,
        },
        "params": {**fitted["params"].as_dict(), "max_chars": args.max_chars},
        "quantize": fitted["quant"].as_dict() if fitted["quant"] is not None else None,
        "seed": args.seed,
        "labels": fitted["labels"],
        "positive_label": POSITIVE_LABEL,
        "negative_label": NEGATIVE_LABEL,
        "reproducible": args.threads == 1,
        "fasttext": fit.fasttext_version(),
        "command": [*PROG.split(), *argv],
    }


def _local_output(output: str) -> str:
    folder = output.removeprefix("file://")
    os.makedirs(folder, exist_ok=True)
    for stale in (MODEL_BIN, MODEL_FTZ, METRICS_FILE, CARD_FILE):  # never a mix of two runs
        if os.path.exists(os.path.join(folder, stale)):
            os.remove(os.path.join(folder, stale))
    return folder


def train(args: argparse.Namespace, argv: list[str]) -> dict:
    """Train, evaluate and write the model, metrics.json and the card; returns the metrics."""
    check_args(args)
    docs = load_documents(input_spec(args))
    held_out = held_out_mask(docs.groups, args.held_out, args.seed)
    counts = _split_counts(docs, held_out)
    remote = "://" in args.output and not args.output.startswith("file://")
    folder = tempfile.mkdtemp(prefix="curate-train-quality-out-") if remote else _local_output(args.output)
    try:
        metrics = _metrics(args, argv, docs, counts, _fit_and_score(docs, held_out, args, folder))
        with open(os.path.join(folder, METRICS_FILE), "w", encoding="utf-8") as f:
            f.write(json.dumps(metrics, indent=2) + "\n")
        card.write_card(os.path.join(folder, CARD_FILE), metrics)
        if remote:
            _publish(folder, args.output)
    finally:
        if remote:
            shutil.rmtree(folder, ignore_errors=True)
    return metrics


def summary(metrics: dict, output: str) -> str:
    model = metrics["model"]
    held = metrics["counts"]["held_out"]
    trained = metrics["counts"]["train"]
    lines = [
        f"wrote {output.rstrip('/')}/{model['file']} ({model['bytes'] / 1e6:.2f} MB, sha256 {model['sha256'][:12]}), "
        f"{METRICS_FILE}, {CARD_FILE}",
        f"train: {trained['positives']} positives, {trained['negatives']} negatives; held out: "
        f"{held['positives']} positives, {held['negatives']} negatives",
        f"held-out ROC-AUC {metrics['roc_auc']:.4f}"
        + (f" (unquantised {metrics['unquantized']['roc_auc']:.4f})" if metrics["unquantized"] else ""),
        f"at threshold {metrics['threshold']}: precision {metrics['precision']:.4f}, "
        f"recall {metrics['recall']:.4f}, F1 {metrics['f1']:.4f}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        metrics = train(args, argv)
    except ValueError as err:  # bad input or untrainable data: one line, no traceback
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    print(summary(metrics, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
