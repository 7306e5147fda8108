"""langid: fastText language identification of text and task documents; code_lang for code documents.

Each Arrow batch is labelled by one fastText predict call (jobs.text.langid); the model is loaded once
per Python worker. Code documents are never rejected for their natural language: their lang and
lang_score stay null and code_lang is kept from ingest, else guessed from path and content. A text
document that scores low and reads as source code (a code file in a web crawl) becomes a code
document (settings.code_from_content).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from jobs.assets import ASSETS, asset_path
from jobs.contract import StageContext, StageOutput
from jobs.readers.units import apply_storage_environment, storage_environment
from jobs.text.langid import (
    code_in_text,
    guess_code_language,
    language_decisions,
    load_model,
    predict_languages,
)
from jobs.text.model_probe import model_sha256, probe_model
from schemas.documents import INGEST_COLUMNS
from schemas.langid import LangidSettings

ADDED_COLUMNS = ("lang", "lang_score")


def model_location(model: str) -> str:
    """An asset name (lid.176.ftz) resolves to the file fetched at setup; paths and URLs stay as given."""
    return str(asset_path(model)) if model in ASSETS else model


def preflight(settings: LangidSettings) -> None:
    """The LID model loads (in a child process, with a memory cap) before any data moves."""
    probe_model(model_location(settings.model))


def external_inputs(settings: LangidSettings) -> dict[str, str]:
    """The model's contents: another model under the same name or path is another output."""
    return {settings.model: model_sha256(model_location(settings.model))}


def conform(docs: DataFrame) -> DataFrame:
    """Input with every document column: a missing `kind` reads as 'text', other missing columns as
    null (a Parquet with only id and text is valid input); earlier lang columns are recomputed."""
    present = set(docs.columns)
    for field in INGEST_COLUMNS.fields:
        if field.name not in present:
            value = F.lit("text") if field.name == "kind" else F.lit(None).cast(field.dataType)
            docs = docs.withColumn(field.name, value)
    return docs.drop(*[c for c in ADDED_COLUMNS if c in present])


def _labeller(settings: LangidSettings, model: str, storage_env: dict[str, str]):
    def label(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        for batch in batches:
            kinds = batch.column("kind").to_pylist()
            texts = [t or "" for t in batch.column("text").to_pylist()]
            prose = [i for i, kind in enumerate(kinds) if kind != "code"]
            lang: list[str | None] = [None] * batch.num_rows
            score: list[float | None] = [None] * batch.num_rows
            reason: list[str | None] = [None] * batch.num_rows
            code_lang = batch.column("code_lang").to_pylist()
            paths = batch.column("path").to_pylist()
            if prose:
                labels, scores = predict_languages(
                    load_model(model), [texts[i] for i in prose], settings.max_chars
                )
                predicted = labels  # the model's top labels; `labels` below may say 'und'
                labels, rules = language_decisions(
                    predicted,
                    scores,
                    settings.threshold,
                    settings.thresholds,
                    settings.keep_languages,
                    settings.low_score_action,
                )
                for i, top, label, value, rule in zip(prose, predicted, labels, scores, rules, strict=True):
                    lang[i], score[i], reason[i] = label, value, rule and f"langid:{rule}"
                    if settings.code_from_content and kinds[i] == "text":
                        found = code_in_text(
                            texts[i],
                            paths[i],
                            code_lang[i],
                            value < settings.threshold_for(top),
                            settings.code_line_share,
                        )
                        if found:  # source code in a text source: kept as code, not judged as prose
                            kinds[i], code_lang[i], lang[i], score[i], reason[i] = (
                                "code",
                                found,
                                None,
                                None,
                                None,
                            )
            for i, kind in enumerate(kinds):
                if kind == "code" and not code_lang[i]:
                    code_lang[i] = guess_code_language(texts[i], paths[i])
            columns = {name: batch.column(name) for name in batch.schema.names}
            columns["kind"] = pa.array(kinds, pa.string())
            columns["code_lang"] = pa.array(code_lang, pa.string())
            columns.update(
                lang=pa.array(lang, pa.string()),
                lang_score=pa.array(score, pa.float64()),
                reject_reason=pa.array(reason, pa.string()),
            )
            yield pa.RecordBatch.from_pydict(columns)

    return label


def run(spark: SparkSession, docs: DataFrame, settings: LangidSettings, ctx: StageContext) -> StageOutput:
    docs = conform(docs)
    schema = StructType(
        list(docs.schema.fields)
        + [
            StructField("lang", StringType(), True),
            StructField("lang_score", DoubleType(), True),
            StructField("reject_reason", StringType(), True),
        ]
    )
    to_arrow_schema(schema)  # fails early on a column type Arrow cannot carry
    # Persisted: kept and rejected are written from one labelling pass, not two.
    labelled = docs.mapInArrow(
        _labeller(settings, model_location(settings.model), storage_environment()), schema
    ).persist()
    columns = [f.name for f in schema.fields if f.name != "reject_reason"]
    languages = {
        r["lang"] or "(code)": int(r["count"])
        for r in labelled.groupBy("lang").count().orderBy(F.desc("count"), "lang").collect()
    }
    kept = labelled.filter(F.col("reject_reason").isNull()).select(*columns)
    rejected = labelled.filter(F.col("reject_reason").isNotNull()).select(
        *columns, F.lit("langid").alias("reject_stage"), "reject_reason"
    )
    return StageOutput(kept=kept, rejected=rejected, stats={"languages": languages})
