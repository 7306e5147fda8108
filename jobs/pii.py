"""pii: e-mail addresses, IP addresses and phone numbers in `text` replaced with placeholders.

Every document is kept (pii drops nothing; rejected is an empty frame of the right schema). The
scrubbing runs per Arrow batch on Spark's Python workers (jobs/text/pii.py); counts per document go
to `pii_emails`, `pii_ips`, `pii_phones`, totals per kind to the manifest's stats.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StringType, StructField, StructType

from jobs.contract import StageContext, StageOutput, with_document_columns
from jobs.text.pii import PiiConfig, scrubber
from schemas.pii import COUNT_COLUMNS, PII_COLUMNS, PiiSettings


def scrub_config(settings: PiiSettings, code: bool = False) -> PiiConfig:
    """The pure scrubber's config for text/task documents, or for code documents."""
    kinds = set(settings.code_kinds if code else settings.kinds)
    return PiiConfig(
        emails="emails" in kinds,
        ips="ips" in kinds,
        ipv6=settings.ipv6,
        phones="phones" in kinds,
        only_public_ips=settings.only_public_ips,
        skip_version_numbers=settings.skip_version_numbers,
        email_placeholders=tuple(settings.email_placeholders),
        ip_placeholders=tuple(settings.ip_placeholders),
        ipv6_placeholders=tuple(settings.ipv6_placeholders),
        phone_placeholders=tuple(settings.phone_placeholders),
        allowed_email_domains=tuple(settings.allowed_email_domains),
        allowed_ips=tuple(settings.allowed_ips),
    )


def scrub_record_batch(
    batch: pa.RecordBatch, text_config: PiiConfig, code_config: PiiConfig, schema: pa.Schema | None = None
) -> pa.RecordBatch:
    """One Arrow batch: `text` rewritten, the three count columns appended. Code documents get
    `code_config`, all others `text_config`."""
    texts = batch.column("text").to_pylist()
    kinds = batch.column("kind").to_pylist()
    for_text, for_code = scrubber(text_config).scrub, scrubber(code_config).scrub
    new_texts: list[str | None] = []
    counts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for text, kind in zip(texts, kinds, strict=True):
        if text is None:
            new_texts.append(None)
            result = (0, 0, 0)
        else:
            new, *result = (for_code if kind == "code" else for_text)(text)
            new_texts.append(new)
        for column, value in zip(counts, result, strict=True):
            column.append(value)
    columns = [
        pa.array(new_texts, pa.string()) if name == "text" else batch.column(name)
        for name in batch.schema.names
    ]
    columns += [pa.array(c, pa.int32()) for c in counts]
    if schema is not None:
        return pa.RecordBatch.from_arrays(columns, schema=schema)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names + list(COUNT_COLUMNS))


def _scrub_batches(text_config: PiiConfig, code_config: PiiConfig, arrow_schema: pa.Schema):
    def scrub_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield scrub_record_batch(batch, text_config, code_config, arrow_schema)

    return scrub_batches


def run(spark: SparkSession, docs: DataFrame, settings: PiiSettings, ctx: StageContext) -> StageOutput:
    docs = with_document_columns(docs)
    # Input columns that an earlier pii run added are recomputed, not duplicated.
    docs = docs.drop(*[c for c in COUNT_COLUMNS if c in docs.columns])
    out_schema = StructType(list(docs.schema.fields) + PII_COLUMNS)
    scrub = _scrub_batches(
        scrub_config(settings), scrub_config(settings, code=True), to_arrow_schema(out_schema)
    )
    # Persisted: the totals below and the runner's write read it once each (the runner clears the cache).
    kept = docs.mapInArrow(scrub, out_schema).persist(StorageLevel.MEMORY_AND_DISK)
    totals = kept.agg(
        *[F.sum(c).alias(c) for c in COUNT_COLUMNS],
        F.sum(F.when(sum(F.col(c) for c in COUNT_COLUMNS) > 0, 1).otherwise(0)).alias("docs_with_pii"),
    ).first()
    reject_schema = StructType(
        list(out_schema.fields)
        + [
            StructField("reject_stage", StringType(), False),
            StructField("reject_reason", StringType(), False),
        ]
    )
    rejected = spark.createDataFrame([], reject_schema)
    stats = {name: int(totals[name] or 0) for name in (*COUNT_COLUMNS, "docs_with_pii")}
    return StageOutput(kept=kept, rejected=rejected, stats=stats)
