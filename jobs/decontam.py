"""decontam: documents that hold benchmark items, found by n-gram overlap, dropped or cut.

Steps, in Spark:

1. the benchmark files are listed on the driver and read on the Python workers (jobs.benchmarks),
   so a large evaluation set never sits on the driver as items;
2. each item's grams (jobs.text.decontam: 13-grams of normalised tokens, one gram of all tokens
   for short items); grams found in more than `max_items_per_gram` items are template text and
   are dropped;
3. the distinct gram hashes, a sorted array of 8 bytes each, are broadcast to the workers, and
   each Arrow batch of documents is tokenised once and looked up (numpy searchsorted) at every
   gram length in use; only documents with hits leave the workers;
4. hits are joined back to the items (a Spark join: which items, which benchmarks); a document
   holding at least `min_grams` grams of an item is contaminated by it;
5. policy drop: rejected `decontam:<benchmark>` (the benchmark with most grams in it); policy cut:
   the matched spans plus a margin are removed, and the document is rejected when that leaves
   more than `max_pieces` pieces or nothing (GPT-3).

Outputs: kept and rejected documents with `decontam_items` (the bench_ids found; null when none)
and `decontam_cut_chars`, and `matches/`: one row per (document, item) with the grams matched,
the report analysts query. Stats: per benchmark the items read, too short, found, and documents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import fsspec
import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import ArrayType, IntegerType, LongType, StringType, StructField, StructType

from jobs.benchmarks import expand_benchmark, read_benchmark_file
from jobs.contract import StageContext, StageOutput, with_document_columns
from jobs.readers.units import apply_storage_environment, storage_environment
from jobs.text.decontam import cut_spans, document_hits, item_ngrams, matched_spans, merge_spans
from schemas.decontam import DecontamSettings

ADDED_COLUMNS = ("decontam_items", "decontam_cut_chars")
ITEM_SCHEMA = StructType(
    [
        StructField("bench_id", StringType(), False),
        StructField("benchmark", StringType(), False),
        StructField("task", StringType(), True),
        StructField("text", StringType(), False),
    ]
)
GRAM_SCHEMA = StructType(
    [
        StructField("bench_id", StringType(), False),
        StructField("benchmark", StringType(), False),
        StructField("task", StringType(), True),
        StructField("tokens", IntegerType(), False),
        StructField("gram", LongType(), True),  # null: the item is too short to match
        StructField("length", IntegerType(), True),  # the gram's length in tokens
    ]
)
HIT_SCHEMA = StructType(
    [StructField("id", StringType(), False), StructField("grams", ArrayType(LongType()), False)]
)
CUT_SCHEMA = StructType(
    [
        StructField("id", StringType(), False),
        StructField("cut_text", StringType(), True),
        StructField("pieces", IntegerType(), False),
        StructField("cut_chars", IntegerType(), False),
    ]
)
MATCH_SCHEMA = StructType(
    [
        StructField("id", StringType(), False),
        StructField("bench_id", StringType(), False),
        StructField("benchmark", StringType(), False),
        StructField("task", StringType(), True),
        StructField("grams", LongType(), False),
    ]
)
# what the Python workers build batches with: the same schemas, derived, so the two never drift
ITEM_ARROW, HIT_ARROW, CUT_ARROW = (
    to_arrow_schema(schema) for schema in (ITEM_SCHEMA, HIT_SCHEMA, CUT_SCHEMA)
)


def _as_signed(values: np.ndarray) -> np.ndarray:
    return values.astype(np.uint64).view(np.int64)  # Spark has no unsigned 64-bit type


def _item_reader(settings: DecontamSettings, storage_env: dict[str, str]):
    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        for batch in batches:
            for fmt, path, name, fields in zip(
                *(batch.column(c).to_pylist() for c in batch.schema.names), strict=True
            ):
                rows = {"bench_id": [], "benchmark": [], "task": [], "text": []}
                for item in read_benchmark_file(fmt, path, name, json.loads(fields) if fields else None):
                    text = f"{item.text}\n{item.answer}" if settings.answers and item.answer else item.text
                    for column, value in zip(
                        rows, (item.bench_id, item.benchmark, item.task, text), strict=True
                    ):
                        rows[column].append(value)
                yield pa.RecordBatch.from_pydict(rows, schema=ITEM_ARROW)

    return read


def _item_grams(settings: DecontamSettings):
    def grams(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            per_item = item_ngrams(batch.column("text").to_pylist(), settings.ngram, settings.min_tokens)
            sizes = np.array([max(len(g.hashes), 1) for g in per_item])  # a row for an item without grams too
            rows = pa.array(np.repeat(np.arange(batch.num_rows), sizes))
            hashes = [_as_signed(g.hashes).tolist() if len(g.hashes) else [None] for g in per_item]
            lengths = [g.lengths.tolist() if len(g.hashes) else [None] for g in per_item]
            yield pa.RecordBatch.from_pydict(
                {
                    "bench_id": batch.column("bench_id").take(rows),
                    "benchmark": batch.column("benchmark").take(rows),
                    "task": batch.column("task").take(rows),
                    "tokens": pa.array(np.repeat(np.array([g.tokens for g in per_item], np.int32), sizes)),
                    "gram": pa.array([v for vs in hashes for v in vs], pa.int64()),
                    "length": pa.array([v for vs in lengths for v in vs], pa.int32()),
                }
            )

    return grams


def _document_hits(lengths: list[int], table):
    def hits(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        grams = table.value
        for batch in batches:
            found = document_hits(batch.column("text"), lengths, grams)
            rows = [i for i, h in enumerate(found) if len(h)]
            yield pa.RecordBatch.from_pydict(
                {
                    "id": batch.column("id").take(pa.array(rows, pa.int64())),
                    "grams": pa.array([_as_signed(found[i]).tolist() for i in rows], pa.list_(pa.int64())),
                },
                schema=HIT_ARROW,
            )

    return hits


def _cutter(settings: DecontamSettings, lengths: list[int]):
    def cut(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            out = {"id": [], "cut_text": [], "pieces": [], "cut_chars": []}
            for doc_id, text, grams in zip(
                *(batch.column(c).to_pylist() for c in ("id", "text", "grams")), strict=True
            ):
                hits = set(np.array(grams, np.int64).view(np.uint64).tolist())
                spans = merge_spans(matched_spans(text, hits, lengths), settings.margin_chars, len(text))
                left, pieces, chars = cut_spans(text, spans) if spans else (None, 0, 0)
                for column, value in zip(out, (doc_id, left, pieces, chars), strict=True):
                    out[column].append(value)
            yield pa.RecordBatch.from_pydict(out, schema=CUT_ARROW)

    return cut


def preflight(settings: DecontamSettings) -> None:
    """Every benchmark source lists at least one file its loader reads (a wrong path fails here)."""
    for source in settings.benchmarks:
        expand_benchmark(source.format, source.paths)


def external_inputs(settings: DecontamSettings) -> dict[str, str]:
    """The benchmark files as listed (path, size, modification time or ETag), one digest per source:
    new or changed evaluation files are another output."""
    digests = {}
    for index, source in enumerate(settings.benchmarks):
        digest = hashlib.sha256()
        for path in expand_benchmark(source.format, source.paths):
            fs, local = fsspec.core.url_to_fs(path)
            info = fs.info(local)
            digest.update(f"{path}|{info.get('size')}|{info.get('mtime') or info.get('ETag')}".encode())
        digests[f"benchmarks[{index}]:{source.format}"] = digest.hexdigest()
    return digests


def read_items(spark: SparkSession, settings: DecontamSettings) -> DataFrame:
    """The benchmark items, read on the workers: one task per file."""
    files = [
        (source.format, path, source.name, json.dumps(source.fields) if source.fields else None)
        for source in settings.benchmarks
        for path in expand_benchmark(source.format, source.paths)
    ]
    listing = spark.createDataFrame(files, "format string, path string, name string, fields string")
    listing = listing.repartition(max(1, min(len(files), spark.sparkContext.defaultParallelism * 4)))
    return listing.mapInArrow(_item_reader(settings, storage_environment()), ITEM_SCHEMA)


def _benchmark_stats(grams: DataFrame, matches: DataFrame, settings: DecontamSettings) -> dict:
    items = (
        grams.groupBy("benchmark", "bench_id")
        .agg(F.max(F.col("gram").isNull().cast("int")).alias("short"))
        .groupBy("benchmark")
        .agg(F.count("*").alias("items"), F.sum("short").alias("too_short"))
        .collect()
    )
    found = {
        r["benchmark"]: r
        for r in matches.groupBy("benchmark")
        .agg(F.countDistinct("bench_id").alias("found"), F.countDistinct("id").alias("documents"))
        .collect()
    }
    return {
        r["benchmark"]: {
            "items": int(r["items"]),
            "too_short": int(r["too_short"]),
            "items_found": int(found[r["benchmark"]]["found"]) if r["benchmark"] in found else 0,
            "documents": int(found[r["benchmark"]]["documents"]) if r["benchmark"] in found else 0,
        }
        for r in sorted(items, key=lambda r: r["benchmark"])
    }


def _reason(benchmark):
    """schemas.decontam.reason_name as a Spark expression: decontam:<benchmark in [a-z0-9_.-]>."""
    name = F.regexp_replace(F.regexp_replace(F.lower(benchmark), "[^a-z0-9_.-]+", "_"), "^_+|_+$", "")
    return F.concat(F.lit("decontam:"), F.when(name == "", F.lit("benchmark")).otherwise(name))


def _unchanged(docs: DataFrame) -> StageOutput:
    columns = [c for c in docs.columns if c not in ADDED_COLUMNS]
    kept = docs.select(
        *columns,
        F.lit(None).cast(ArrayType(StringType())).alias("decontam_items"),
        F.lit(0).alias("decontam_cut_chars"),
    )
    rejected = kept.limit(0).select(
        "*", F.lit("decontam").alias("reject_stage"), F.lit("").alias("reject_reason")
    )
    spark = docs.sparkSession
    return StageOutput(
        kept=kept,
        rejected=rejected,
        stats={"benchmarks": {}},
        extra={"matches": spark.createDataFrame([], MATCH_SCHEMA)},
    )


def run(spark: SparkSession, docs: DataFrame, settings: DecontamSettings, ctx: StageContext) -> StageOutput:
    docs = with_document_columns(docs)
    docs = docs.drop(*[c for c in ADDED_COLUMNS if c in docs.columns])
    if not settings.benchmarks:
        return _unchanged(docs)

    grams = read_items(spark, settings).mapInArrow(_item_grams(settings), GRAM_SCHEMA).persist()
    per_gram = Window.partitionBy("gram")
    usable = (
        grams.filter(F.col("gram").isNotNull())
        .withColumn("items_with_gram", F.size(F.collect_set("bench_id").over(per_gram)))
        .filter(F.col("items_with_gram") <= settings.max_items_per_gram)
        .drop("items_with_gram")
        .persist()
    )
    table_size = usable.select("gram").distinct().count()
    if table_size > settings.max_table_grams:
        raise ValueError(
            f"decontam: the benchmarks have {table_size:,} distinct grams, over max_table_grams "
            f"({settings.max_table_grams:,}); raise it if the workers have {8 * table_size / 2**30:.1f} GiB to spare"
        )
    table = np.sort(
        np.asarray(usable.select("gram").distinct().toArrow().column("gram").to_numpy(), np.int64).view(
            np.uint64
        )
    )
    lengths = sorted(r["length"] for r in usable.select("length").distinct().collect())
    shipped = spark.sparkContext.broadcast(table)

    hits = docs.select("id", "text").mapInArrow(_document_hits(lengths, shipped), HIT_SCHEMA).persist()
    per_item = (
        hits.select("id", F.explode("grams").alias("gram"))
        .join(usable.select("gram", "bench_id", "benchmark", "task"), "gram")
        .groupBy("id", "bench_id", "benchmark", "task")
        .agg(F.count("*").alias("grams"))
        .filter(F.col("grams") >= settings.min_grams)
        .persist()
    )
    by_benchmark = Window.partitionBy("id").orderBy(F.desc("benchmark_grams"), "benchmark")
    contaminated = (
        per_item.groupBy("id", "benchmark")
        .agg(F.sum("grams").alias("benchmark_grams"), F.collect_list("bench_id").alias("items"))
        .withColumn("rank", F.row_number().over(by_benchmark))
        .groupBy("id")
        .agg(
            F.array_sort(F.flatten(F.collect_list("items"))).alias("decontam_items"),
            F.min_by("benchmark", "rank").alias("top_benchmark"),
        )
    )
    contaminated = contaminated.withColumn("reason", _reason(F.col("top_benchmark"))).drop("top_benchmark")

    columns = docs.columns
    marked = docs.join(contaminated, "id", "left")
    clean = marked.filter(F.col("reason").isNull()).select(
        *columns, F.col("decontam_items"), F.lit(0).alias("decontam_cut_chars")
    )
    dirty = marked.filter(F.col("reason").isNotNull())
    stats: dict = {"gram_lengths": lengths, "table_grams": table_size}
    if settings.policy == "drop":
        kept = clean
        rejected = dirty.select(
            *columns,
            "decontam_items",
            F.lit(0).alias("decontam_cut_chars"),
            F.lit("decontam").alias("reject_stage"),
            F.col("reason").alias("reject_reason"),
        )
    else:
        cuts = dirty.select("id", "text").join(hits, "id").mapInArrow(_cutter(settings, lengths), CUT_SCHEMA)
        judged = dirty.join(cuts, "id").withColumn(
            "too_cut", (F.col("pieces") == 0) | (F.col("pieces") > settings.max_pieces)
        )
        cut_kept = judged.filter(~F.col("too_cut")).select(
            *[F.col("cut_text").alias("text") if c == "text" else F.col(c) for c in columns],
            "decontam_items",
            F.col("cut_chars").alias("decontam_cut_chars"),
        )
        kept = clean.unionByName(cut_kept)
        rejected = judged.filter(F.col("too_cut")).select(
            *columns,
            "decontam_items",
            F.col("cut_chars").alias("decontam_cut_chars"),
            F.lit("decontam").alias("reject_stage"),
            F.col("reason").alias("reject_reason"),
        )
    stats["benchmarks"] = _benchmark_stats(grams, per_item, settings)
    stats["documents_contaminated"] = contaminated.count()
    return StageOutput(
        kept=kept,
        rejected=rejected,
        stats=stats,
        extra={"matches": per_item.select(*MATCH_SCHEMA.fieldNames())},
    )
