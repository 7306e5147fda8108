"""The diversity report of an instruction collection: what matters for instruction tuning is the
number and variety of tasks, task types, templates and formats, not examples of one task."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from jobs.text.instruct.registry import TemplateRegistry

TOP_VERBS = 25
QUANTILES = (0.1, 0.5, 0.9)


def _counts(frame: DataFrame, column: str) -> dict[str, int]:
    rows = frame.groupBy(column).count().collect()
    return {
        str(r[column]): int(r["count"]) for r in sorted(rows, key=lambda r: (-r["count"], str(r[column])))
    }


def _lengths(frame: DataFrame, columns: tuple[str, ...]) -> dict[str, dict]:
    aggregates = []
    for column in columns:
        aggregates += [
            F.min(column).alias(f"{column}.min"),
            F.percentile_approx(column, list(QUANTILES), 10_000).alias(f"{column}.q"),
            F.max(column).alias(f"{column}.max"),
            F.avg(column).alias(f"{column}.mean"),
        ]
    row = frame.agg(*aggregates).first()
    report = {}
    for column in columns:
        quantiles = row[f"{column}.q"] or [None] * len(QUANTILES)
        report[column] = {
            "min": row[f"{column}.min"],
            **{f"p{int(q * 100)}": v for q, v in zip(QUANTILES, quantiles, strict=True)},
            "max": row[f"{column}.max"],
            "mean": round(row[f"{column}.mean"], 1) if row[f"{column}.mean"] is not None else None,
        }
    return report


def diversity_report(kept: DataFrame, templates: TemplateRegistry) -> dict:
    sized = kept.withColumn("messages_n", F.size("messages"))
    flags = sized.agg(
        F.count("*").alias("examples"),
        F.sum((F.col("format") == "few_shot").cast("int")).alias("few_shot"),
        F.sum(F.col("with_options").cast("int")).alias("with_options"),
        F.sum(F.col("chain_of_thought").cast("int")).alias("chain_of_thought"),
        F.sum(F.col("inverted").cast("int")).alias("inverted"),
        F.countDistinct("template_id").alias("templates_used"),
        F.countDistinct("leading_verb").alias("distinct_leading_verbs"),
    ).first()
    examples = int(flags["examples"])
    used_per_type = {
        r["task_type"]: int(r["n"])
        for r in sized.groupBy("task_type").agg(F.countDistinct("template_id").alias("n")).collect()
    }
    verbs = _counts(sized.filter(F.col("leading_verb").isNotNull()), "leading_verb")
    return {
        "examples": examples,
        "task_types": _counts(sized, "task_type"),
        "tasks": _counts(sized, "task"),
        "families": _counts(sized, "task_family"),
        "templates": {
            "used": int(flags["templates_used"]),
            "available": len(templates.template_ids()),
            "used_per_type": dict(sorted(used_per_type.items())),
            "counts": _counts(sized, "template_id"),
        },
        "formats": {
            "zero_shot": examples - int(flags["few_shot"] or 0),
            "few_shot": int(flags["few_shot"] or 0),
            "with_options": int(flags["with_options"] or 0),
            "chain_of_thought": int(flags["chain_of_thought"] or 0),
            "inverted": int(flags["inverted"] or 0),
        },
        "leading_verbs": {
            "distinct": int(flags["distinct_leading_verbs"]),
            "top": dict(list(verbs.items())[:TOP_VERBS]),
        },
        "lengths": _lengths(sized, ("prompt_chars", "answer_chars", "messages_n")),
    }
