"""The model card (MODEL_CARD.md) of a trained quality classifier, written from its metrics.json.

Everything on the card comes from the metrics dict (and an optional evaluation on other data), so
the card and metrics.json can never disagree.
"""

from __future__ import annotations

import shlex

GENERIC_USE = (
    "Scores documents by the probability that they resemble the positive training documents rather "
    "than the negative ones (P({positive})), for the `quality` stage of curate: keep or rank documents "
    "by it. Train it on documents like those it will score."
)
LIMITATIONS = [
    "It learns whatever separates the positives from the negatives in its training data, including "
    "topic, language, source or length when those differ between the classes; it knows nothing about "
    "kinds of junk that its negatives did not show.",
    "Only the first {max_chars} characters of a document are seen (line breaks as a token), in "
    "training and in the stage alike.",
    "The score is a fastText softmax probability: it ranks documents well when the ROC-AUC is high, but "
    "it is not calibrated, and thresholds do not carry over from one model to another.",
    "Reproducible (same data, seed and parameters give the same model bytes) only single-threaded; "
    "this model was trained with {threads} thread(s).",
]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _table(header: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def _labelling(data: dict) -> str:
    parts = []
    if data.get("label_column"):
        negatives = ", ".join(data["negative_values"]) or "any other non-null value"
        parts.append(
            f"label column `{data['label_column']}`: positive = {', '.join(data['positive_values'])}; "
            f"negative = {negatives}"
        )
    if data.get("join"):
        parts.append(f"joined on `{data['id_column']}` with {', '.join(f'`{p}`' for p in data['join'])}")
    if data.get("where"):
        parts.append("only rows where " + " and ".join(f"`{w}`" for w in data["where"]))
    parts.append(f"text column `{data['text_column']}`")
    return "; ".join(parts)


def _data_section(metrics: dict) -> list[str]:
    data, counts = metrics["data"], metrics["counts"]
    group = data["group_column"] or f"{data['id_column']} (when present, else each row)"
    lines = ["## Data", ""]
    lines += _table(
        ["source", "kind", "files", "rows", "positives", "negatives", "skipped"],
        [
            [f"`{s['path']}`", s["mode"], s["files"], s["rows"], s["positives"], s["negatives"], s["skipped"]]
            for s in data["sources"]
        ],
    )
    lines += [
        "",
        f"Labelling: {_labelling(data)}. Skipped rows: filtered out, unlabelled, not in the joined table, "
        "or without text.",
        "",
        f"Split: {_pct(data['held_out'])} of the groups held out (groups: `{group}`, hashed with the seed), "
        "so copies of one document never straddle training and evaluation.",
        "",
    ]
    lines += _table(
        ["", "positives", "negatives", "groups"],
        [[side.replace("_", "-"), c["positives"], c["negatives"], c["groups"]] for side, c in counts.items()],
    )
    return lines


def _params_section(metrics: dict) -> list[str]:
    rows = [[f"`{k}`", v] for k, v in metrics["params"].items()]
    rows.append(["`seed`", metrics["seed"]])
    if metrics.get("quantize"):
        rows += [[f"quantize `{k}`", v] for k, v in metrics["quantize"].items()]
    model = metrics["model"]
    lines = ["## Parameters", ""]
    lines += _table(["parameter", "value"], rows)
    lines += [
        "",
        f"fastText supervised ({metrics['fasttext']}), labels {', '.join(f'`{x}`' for x in metrics['labels'])}; "
        f"the score is P(`{metrics['positive_label']}`).",
        "",
        f"Model file: `{model['file']}`, {model['bytes']:,} bytes, sha256 `{model['sha256']}`.",
    ]
    return lines


def _metrics_section(metrics: dict) -> list[str]:
    rows = []
    for label, m in (("this model", metrics["held_out"]), ("unquantised", metrics.get("unquantized"))):
        if m:
            rows.append(
                [
                    label,
                    f"{m['roc_auc']:.4f}",
                    f"{m['precision']:.4f}",
                    f"{m['recall']:.4f}",
                    f"{m['f1']:.4f}",
                ]
            )
    lines = ["## Metrics (held-out split)", ""]
    lines += _table(["model", "ROC-AUC", "precision", "recall", "F1"], rows)
    held = metrics["held_out"]
    lines += [
        "",
        f"Precision, recall and F1 of the positive class at threshold {metrics['threshold']} "
        f"(score >= threshold is predicted good): tp {held['tp']}, fp {held['fp']}, fn {held['fn']}, "
        f"tn {held['tn']}.",
    ]
    return lines


def _evaluation_section(evaluation: dict) -> list[str]:
    lines = [
        "## Evaluation on other data",
        "",
        f"{evaluation['description']}" if evaluation.get("description") else "",
        "",
        f"ROC-AUC {evaluation['roc_auc']:.4f} on {evaluation['good']} good and {evaluation['bad']} bad "
        f"documents; at threshold {evaluation['threshold']}: precision {evaluation['precision']:.4f}, "
        f"recall {evaluation['recall']:.4f}; good documents scored below it: "
        f"{_pct(evaluation['good_below_threshold'])}.",
        "",
    ]
    rows = [
        [f"`{name}`", c["n"], _pct(c["below_threshold"]), f"{c['median_score']:.3f}"]
        for name, c in evaluation.get("by_corruption", {}).items()
    ]
    if rows:
        lines += _table(["bad documents by corruption", "n", "scored below threshold", "median score"], rows)
    return lines


def render(
    metrics: dict,
    evaluation: dict | None = None,
    limitations: list[str] | None = None,
    rebuild: str | None = None,
) -> str:
    """The card; `limitations` adds model-specific ones, `rebuild` the command that rebuilds this model
    when it is not a bare train-quality call."""
    params = metrics["params"]
    use = metrics.get("description") or ""
    lines = [
        f"# {metrics['name']}",
        "",
        f"Trained {metrics['date']} by `curate train-quality` (quality_models/train.py).",
        "",
        "## Intended use",
        "",
        *([use, ""] if use else []),
        GENERIC_USE.format(positive=metrics["positive_label"]),
        "",
        *_data_section(metrics),
        "",
        *_params_section(metrics),
        "",
        *_metrics_section(metrics),
        "",
    ]
    if evaluation:
        lines += [*_evaluation_section(evaluation), ""]
    lines += ["## Limitations", ""]
    lines += ["- " + item for item in limitations or []]
    lines += [
        "- " + item.format(max_chars=params["max_chars"], threads=params["threads"]) for item in LIMITATIONS
    ]
    lines += ["", "## Reproduce", "", "```", rebuild or shlex.join(metrics["command"]), "```", ""]
    return "\n".join(lines)


def write_card(
    path: str,
    metrics: dict,
    evaluation: dict | None = None,
    limitations: list[str] | None = None,
    rebuild: str | None = None,
) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(metrics, evaluation, limitations, rebuild))
