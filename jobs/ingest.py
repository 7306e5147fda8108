"""ingest: raw sources -> documents with stable ids; bad records rejected with a reason.

Units (files, archives) are read on Spark's Python workers with mapInArrow; a unit that cannot
be read at all is listed in the quarantine with its error, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import BooleanType, LongType, StringType, StructField, StructType

from jobs.contract import StageContext, StageOutput
from jobs.readers import ReadOptions, Unit, read_unit
from jobs.readers.units import apply_storage_environment, storage_environment
from jobs.text.ids import stable_id
from schemas.documents import INGEST_COLUMNS
from schemas.ingest import IngestSettings

ROWS_PER_BATCH = 1000

UNIT_COLUMNS = StructType(
    [
        StructField("source", StringType(), False),
        StructField("kind", StringType(), False),
        StructField("format", StringType(), False),
        StructField("url", StringType(), False),
        StructField("relpath", StringType(), False),
        StructField("size", LongType(), False),
        StructField("version", StringType(), False),
        StructField("start", LongType(), False),
        StructField("end", LongType(), False),
    ]
)

# One row per record, plus one summary row per unit (records seen, error) marked by _unit_summary.
PARSED_COLUMNS = StructType(
    list(INGEST_COLUMNS.fields)
    + [
        StructField("reject_reason", StringType(), True),
        StructField("_unit", StringType(), False),
        StructField("_position", LongType(), False),
        StructField("_unit_summary", BooleanType(), False),
        StructField("_records", LongType(), True),
        StructField("_error", StringType(), True),
    ]
)
_ARROW_SCHEMA = to_arrow_schema(PARSED_COLUMNS)


def read_options(settings: IngestSettings, source) -> ReadOptions:
    """Reader options for one source (from its recipe entry and the stage settings)."""
    return ReadOptions(
        max_bytes=settings.max_bytes,
        unicode_form=settings.unicode_form,
        vendored_dirs=tuple(settings.vendored_dirs),
        minified_mean_line_length=settings.minified_mean_line_length,
        extra_code_extensions=dict(settings.extra_code_extensions),
        html_favor_precision=settings.html_favor_precision,
        text_field=source.text_field,
        id_field=source.id_field,
        url_field=source.url_field,
    )


def parse_units(unit_rows: Iterator[dict], options_by_source: dict[str, ReadOptions]) -> Iterator[dict]:
    """Rows for every record of every unit, then the unit's summary row. Pure Python, no Spark."""
    for row in unit_rows:
        unit = Unit(**row)
        position, error = 0, None
        try:
            for record in read_unit(unit, options_by_source[unit.source]):
                position += 1
                yield {
                    "id": stable_id(unit.source, record.key),
                    "text": record.text,
                    "source": unit.source,
                    "kind": unit.kind,
                    "url": record.url,
                    "path": record.path,
                    "code_lang": record.code_lang,
                    "meta": record.meta,
                    "reject_reason": record.reject,
                    "_unit": unit.name,
                    "_position": position,
                    "_unit_summary": False,
                    "_records": None,
                    "_error": None,
                }
        except Exception as err:  # noqa: BLE001 - any failure to read a unit quarantines it
            error = f"{type(err).__name__}: {err}"
        yield {
            "id": "",
            "text": "",
            "source": unit.source,
            "kind": unit.kind,
            "url": unit.url,
            "path": unit.name,
            "code_lang": None,
            "meta": None,
            "reject_reason": None,
            "_unit": unit.name,
            "_position": 0,
            "_unit_summary": True,
            "_records": position,
            "_error": error,
        }


def _arrow_batches(options_by_source: dict[str, ReadOptions], storage_env: dict[str, str]):
    def read_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        rows: list[dict] = []
        unit_rows = (row for batch in batches for row in batch.to_pylist())
        for row in parse_units(unit_rows, options_by_source):
            rows.append(row)
            if len(rows) >= ROWS_PER_BATCH:
                yield pa.RecordBatch.from_pylist(rows, schema=_ARROW_SCHEMA)
                rows = []
        if rows:
            yield pa.RecordBatch.from_pylist(rows, schema=_ARROW_SCHEMA)

    return read_batches


def run(
    spark: SparkSession, docs: DataFrame | None, settings: IngestSettings, ctx: StageContext
) -> StageOutput:
    units = [u.as_row() for u in ctx.units]
    if not units:
        raise ValueError("ingest: no input units (the recipe's sources matched no files)")
    tasks = max(1, -(-len(units) // settings.units_per_task))
    unit_frame = spark.createDataFrame(units, UNIT_COLUMNS).repartition(tasks, "url")
    parsed = unit_frame.mapInArrow(
        _arrow_batches(dict(ctx.read_options), storage_environment()), PARSED_COLUMNS
    ).persist()

    summaries = parsed.filter(F.col("_unit_summary"))
    totals = summaries.agg(F.sum("_records").alias("records"), F.count("*").alias("units")).first()
    quarantine = [
        {"source": r.source, "url": r.url, "path": r.path, "records_read": r._records, "error": r._error}
        for r in summaries.filter(F.col("_error").isNotNull()).orderBy("url").collect()
    ]

    records = parsed.filter(~F.col("_unit_summary"))
    # An id seen twice (the same record id in two files) keeps its first good occurrence.
    first_good = Window.partitionBy("id").orderBy(
        F.col("reject_reason").isNotNull(), F.col("source"), F.col("_unit"), F.col("_position")
    )
    records = records.withColumn(
        "reject_reason",
        F.when(
            F.col("reject_reason").isNull() & (F.row_number().over(first_good) > 1),
            F.lit("ingest:duplicate_id"),
        ).otherwise(F.col("reject_reason")),
    )
    columns = [f.name for f in INGEST_COLUMNS.fields]
    kept = records.filter(F.col("reject_reason").isNull()).select(*columns)
    rejected = records.filter(F.col("reject_reason").isNotNull()).select(
        *columns, F.lit("ingest").alias("reject_stage"), "reject_reason"
    )
    return StageOutput(
        kept=kept,
        rejected=rejected,
        docs_in=int(totals.records or 0),
        stats={"units": int(totals.units or 0), "units_quarantined": len(quarantine)},
        quarantine=quarantine,
    )
