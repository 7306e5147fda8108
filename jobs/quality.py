"""quality: a learned quality score on every document, and a keep rule on it.

Each Arrow batch is scored by fastText classifiers (jobs.text.quality_text), each loaded once per
Python worker; a document is scored by the first model in the recipe whose kinds and languages
match it, and keeps a null score when none does. The keep rule then runs in Spark on the scored,
persisted documents: a threshold, the top fraction of each source (one percentile_approx per
source), or GPT-3's Pareto sampling with a draw hashed from the id (no randomness, so reruns and
repartitioning keep the same documents).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from jobs.contract import StageContext, StageOutput, with_document_columns
from jobs.readers.units import apply_storage_environment, storage_environment
from jobs.text.langid import load_model
from jobs.text.model_probe import ModelUnusable, model_sha256, probe_model
from jobs.text.quality_text import model_lines, positive_probability
from schemas.quality import DEFAULT_MODEL, REJECT_REASONS, QualityModel, QualitySettings

ADDED_COLUMNS = ("quality_score", "quality_model")
SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "quality_models" / "default" / "model.ftz"


def model_location(path: str) -> str:
    """'default' is the model shipped in quality_models/default/; paths and URLs stay as given."""
    return str(SHIPPED_MODEL) if path == DEFAULT_MODEL else path


def check_model(path: str, positive_label: str, fix: str) -> None:
    """The model at `path` (as the recipe writes it) loads in a child process and has
    `positive_label`; else ModelUnusable naming the file, its labels and `fix`."""
    found = probe_model(model_location(path))
    if positive_label not in found["labels"]:
        raise ModelUnusable(
            f"{path}: the model has no label {positive_label!r} "
            f"(its labels: {', '.join(found['labels'][:10])}); {fix}"
        )


def preflight(settings: QualitySettings) -> None:
    """Every model loads in a child process and knows its positive label, before any data moves."""
    for model in settings.models:
        check_model(model.path, model.positive_label, "set positive_label for this model")


def external_inputs(settings: QualitySettings) -> dict[str, str]:
    """The models' contents (sha256 by path as written in the recipe): a retrained model at the same
    path is another output."""
    return {model.path: model_sha256(model_location(model.path)) for model in settings.models}


def route(kind: str | None, lang: str | None, models: list[QualityModel]) -> int | None:
    """Index of the first model that scores a document of this kind and language, or None."""
    for index, model in enumerate(models):
        if (kind or "text") in model.kinds and (not model.languages or lang in model.languages):
            return index
    return None


def _scorer(settings: QualitySettings, storage_env: dict[str, str]):
    models = list(settings.models)

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        for batch in batches:
            kinds = batch.column("kind").to_pylist()
            langs = batch.column("lang").to_pylist()
            texts = batch.column("text").to_pylist()
            chosen: dict[int, list[int]] = {}
            for row, (kind, lang) in enumerate(zip(kinds, langs, strict=True)):
                index = route(kind, lang, models)
                if index is not None:
                    chosen.setdefault(index, []).append(row)
            scores: list[float | None] = [None] * batch.num_rows
            names: list[str | None] = [None] * batch.num_rows
            for index, rows in chosen.items():
                spec = models[index]
                fasttext = load_model(model_location(spec.path))
                lines = model_lines([texts[r] for r in rows], settings.max_chars)
                for row, value in zip(
                    rows, positive_probability(fasttext, lines, spec.positive_label), strict=True
                ):
                    scores[row], names[row] = value, spec.path
            columns = {name: batch.column(name) for name in batch.schema.names}
            columns.update(
                quality_score=pa.array(scores, pa.float64()), quality_model=pa.array(names, pa.string())
            )
            yield pa.RecordBatch.from_pydict(columns)

    return score


def pareto_draw(seed: int, alpha: float) -> Column:
    """GPT-3's np.random.pareto(alpha) (Lomax: (1 - u)^(-1/alpha) - 1), with u from a hash of the id
    and seed instead of a random generator."""
    bits = F.xxhash64(F.col("id"), F.lit(seed)).bitwiseAND(F.lit((1 << 53) - 1))
    uniform = bits.cast(DoubleType()) / F.lit(float(1 << 53))
    return F.pow(F.lit(1.0) - uniform, F.lit(-1.0 / alpha)) - F.lit(1.0)


def _source_cutoffs(scored: DataFrame, settings: QualitySettings) -> dict[str, float]:
    rows = (
        scored.filter(F.col("quality_score").isNotNull())
        .groupBy(F.coalesce(F.col("source"), F.lit("")).alias("source"))
        .agg(
            F.percentile_approx(
                "quality_score", 1.0 - settings.top_fraction, settings.quantile_accuracy
            ).alias("cutoff")
        )
        .collect()
    )
    return {r["source"]: float(r["cutoff"]) for r in rows}


def rejected_when(scored: DataFrame, settings: QualitySettings, stats: dict) -> Column:
    """The keep rule as a condition on scored documents (unscored ones are always kept)."""
    score = F.col("quality_score")
    if settings.keep == "threshold":
        return score < F.lit(settings.threshold)
    if settings.keep == "top_fraction":
        cutoffs = _source_cutoffs(scored, settings)
        stats["source_cutoffs"] = dict(sorted(cutoffs.items()))
        if not cutoffs:
            return F.lit(False)
        cutoff = F.create_map(*[F.lit(x) for pair in cutoffs.items() for x in pair])[
            F.coalesce(F.col("source"), F.lit(""))
        ]
        return score < cutoff
    if settings.keep == "pareto":
        return pareto_draw(settings.seed, settings.pareto_alpha) <= F.lit(1.0) - score
    return F.lit(False)


def _score_stats(scored: DataFrame) -> dict:
    by_model = (
        scored.groupBy("quality_model")
        .agg(F.count("*").alias("documents"), F.avg("quality_score").alias("mean"))
        .collect()
    )
    deciles = (
        scored.filter(F.col("quality_score").isNotNull())
        .groupBy(F.least(F.floor(F.col("quality_score") * 10), F.lit(9)).cast("int").alias("bin"))
        .count()
        .collect()
    )
    return {
        "models": {
            r["quality_model"]: {"documents": int(r["documents"]), "mean_score": round(r["mean"], 4)}
            for r in by_model
            if r["quality_model"] is not None
        },
        "unscored": sum(int(r["documents"]) for r in by_model if r["quality_model"] is None),
        "score_histogram": {f"{b / 10:.1f}-{(b + 1) / 10:.1f}": 0 for b in range(10)}
        | {f"{r['bin'] / 10:.1f}-{(r['bin'] + 1) / 10:.1f}": int(r["count"]) for r in deciles},
    }


def run(spark: SparkSession, docs: DataFrame, settings: QualitySettings, ctx: StageContext) -> StageOutput:
    docs = with_document_columns(docs)
    if "lang" not in docs.columns:  # a plain id + text input: only models for every language apply
        docs = docs.withColumn("lang", F.lit(None).cast(StringType()))
    docs = docs.drop(*[c for c in ADDED_COLUMNS if c in docs.columns])
    schema = StructType(
        list(docs.schema.fields)
        + [StructField("quality_score", DoubleType(), True), StructField("quality_model", StringType(), True)]
    )
    # Persisted: statistics, the cut-offs and both outputs come from one scoring pass.
    scored = docs.mapInArrow(_scorer(settings, storage_environment()), schema).persist()
    stats = {"keep": settings.keep, **_score_stats(scored)}
    dropped = F.coalesce(rejected_when(scored, settings, stats), F.lit(False))
    columns = [f.name for f in schema.fields]
    kept = scored.filter(~dropped).select(*columns)
    rejected = scored.filter(dropped).select(
        *columns,
        F.lit("quality").alias("reject_stage"),
        F.lit(REJECT_REASONS.get(settings.keep, "quality:kept")).alias("reject_reason"),
    )
    return StageOutput(kept=kept, rejected=rejected, stats=stats)
