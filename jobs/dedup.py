"""dedup: exact, URL and near-duplicate (MinHash LSH) removal, the best document of each cluster kept.

Steps, all in Spark (nothing per document reaches the driver):

1. keys, per Arrow batch on the Python workers (jobs/text/dedup): the 128-bit key of the
   normalised text, the normalised URL, the MinHash signature's LSH band keys;
2. exact: documents sharing a text key form a cluster; URL: the exact survivors sharing a URL;
3. near: the remaining survivors sharing a band key are candidates, joined to the bucket's
   smallest id (star edges: linear in the bucket size, never all pairs); with `verify`, the pairs'
   true shingle Jaccard is computed from both texts and pairs under the threshold are dropped;
   clusters are the connected components of the edges (jobs/components.py, large-star/small-star);
4. the survivor of a cluster is the best document: highest `quality_score` when the column is
   there, then the longest text, then the smallest id; a total order on the documents, so the
   result never depends on partitioning or batch boundaries.

Every document gets `dup_cluster`: the id of the document kept for its cluster (its own when it is
kept). An exact copy of a document that is itself removed as a near copy points to the final
survivor. Removed documents go to rejected/ with `dedup:exact`, `dedup:url` or `dedup:near`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from jobs.components import find_components
from jobs.contract import StageContext, StageOutput, with_document_columns
from jobs.text.dedup.exact import exact_keys
from jobs.text.dedup.jaccard import pair_jaccard
from jobs.text.dedup.minhash import band_keys, lsh_params, minhash_signatures
from jobs.text.dedup.shingles import shingle_batch
from jobs.text.dedup.urls import normalize_urls
from schemas.dedup import DedupSettings

KEYS_SCHEMA = StructType(
    [
        StructField("id", StringType(), False),
        StructField("exact_key", BinaryType(), False),
        StructField("url_key", StringType(), True),
        StructField("bands", ArrayType(LongType(), False), True),
    ]
)
PAIRS_SCHEMA = StructType(
    [
        StructField("src", StringType(), False),
        StructField("dst", StringType(), False),
        StructField("jaccard", DoubleType(), False),
    ]
)


def band_plan(settings: DedupSettings) -> tuple[int, int]:
    """(bands, rows): the recipe's, or datasketch's optimum for the candidate threshold. With
    verification the plan favours recall, since verification removes the false positives."""
    if settings.bands is not None:
        return settings.bands, settings.rows
    recall_first = settings.verify
    candidate = settings.candidate_threshold or (
        max(settings.threshold - 0.1, 0.05) if recall_first else settings.threshold
    )
    fp = (
        settings.false_positive_weight
        if settings.false_positive_weight is not None
        else (0.2 if recall_first else 0.5)
    )
    fn = (
        settings.false_negative_weight
        if settings.false_negative_weight is not None
        else (0.8 if recall_first else 0.5)
    )
    return lsh_params(candidate, settings.num_perm, fp, fn)


def document_keys(settings: DedupSettings, bands: int, rows: int):
    """mapInArrow function: id, text[, url] batches in, KEYS_SCHEMA batches out."""

    def run_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            names = batch.schema.names
            texts = batch.column(names.index("text"))
            n = batch.num_rows
            urls = (
                normalize_urls(batch.column(names.index("url")))
                if settings.url and "url" in names
                else pa.nulls(n, pa.string())
            )
            if settings.near:
                signatures = minhash_signatures(
                    shingle_batch(texts, settings.shingle_size), settings.num_perm, settings.seed
                )
                keys = band_keys(signatures, bands, rows).view(np.int64)  # Spark has no unsigned longs
                offsets = pa.array(np.arange(0, (n + 1) * bands, bands, dtype=np.int32))
                band_column = pa.ListArray.from_arrays(offsets, pa.array(keys.reshape(-1)))
            else:
                band_column = pa.nulls(n, pa.list_(pa.int64()))
            yield pa.RecordBatch.from_arrays(
                [batch.column(names.index("id")), exact_keys(texts).cast(pa.binary()), urls, band_column],
                schema=pa.schema(
                    [
                        pa.field("id", pa.string(), False),
                        pa.field("exact_key", pa.binary(), False),
                        pa.field("url_key", pa.string()),
                        pa.field("bands", pa.list_(pa.field("element", pa.int64(), False))),
                    ]
                ),
            )

    return run_batches


def pair_similarity(shingle_size: int):
    """mapInArrow function: src, dst, src_text, dst_text batches in, PAIRS_SCHEMA batches out."""

    def run_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            n = batch.num_rows
            texts = pa.concat_arrays(
                [batch.column(2).cast(pa.string()), batch.column(3).cast(pa.string())]
            )  # src texts, then dst texts
            shingles = shingle_batch(texts, shingle_size)
            similarity = pair_jaccard(shingles, np.arange(n), np.arange(n, 2 * n))
            yield pa.RecordBatch.from_arrays(
                [batch.column(0), batch.column(1), pa.array(similarity, pa.float64())],
                names=["src", "dst", "jaccard"],
            )

    return run_batches


def survivor_rank(docs: DataFrame) -> DataFrame:
    """id, rank: a struct whose minimum is the best document (highest quality_score, nulls last;
    longest text; smallest id)."""
    quality = F.col("quality_score") if "quality_score" in docs.columns else F.lit(None).cast(DoubleType())
    return docs.select(
        "id",
        F.struct(
            quality.isNull().alias("no_quality"),
            (-F.coalesce(quality, F.lit(0.0))).alias("neg_quality"),
            (-F.length("text")).alias("neg_length"),
            F.col("id").alias("id"),
        ).alias("rank"),
    )


def best_of_groups(members: DataFrame, group: str) -> DataFrame:
    """member id, survivor id: per `group`, the member of smallest rank."""
    best = members.groupBy(group).agg(F.min("rank").alias("best"))
    return members.join(best, group).select("id", F.col("best.id").alias("survivor"))


def _candidate_edges(survivors: DataFrame) -> DataFrame:
    """src, dst: every document of an LSH bucket (band, key) joined to the bucket's smallest id."""
    exploded = survivors.select("id", F.posexplode("bands").alias("band", "key"))
    bucket = Window.partitionBy("band", "key")
    return (
        exploded.withColumn("center", F.min("id").over(bucket))
        .where(F.col("id") != F.col("center"))
        .select(F.col("center").alias("src"), F.col("id").alias("dst"))
        .distinct()
    )


def _verified(spark: SparkSession, edges: DataFrame, docs: DataFrame, settings: DedupSettings) -> DataFrame:
    texts = docs.select("id", "text")
    pairs = edges.join(texts.toDF("src", "src_text"), "src").join(texts.toDF("dst", "dst_text"), "dst")
    scored = pairs.select("src", "dst", "src_text", "dst_text").mapInArrow(
        pair_similarity(settings.shingle_size), PAIRS_SCHEMA
    )
    return scored.where(F.col("jaccard") >= settings.threshold).select("src", "dst")


def run(spark: SparkSession, docs: DataFrame, settings: DedupSettings, ctx: StageContext) -> StageOutput:
    bands, rows = band_plan(settings)
    docs = with_document_columns(docs)
    columns = docs.columns
    source = docs.select(*columns).persist(StorageLevel.MEMORY_AND_DISK)
    key_input = ["id", "text"] + (["url"] if settings.url and "url" in columns else [])
    keys = (
        source.select(*key_input)
        .mapInArrow(document_keys(settings, bands, rows), KEYS_SCHEMA)
        .join(survivor_rank(source), "id")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    stats: dict = {"bands": bands, "rows": rows}

    # which document each one gives way to, step by step (the survivor of each step goes on)
    exact = (
        best_of_groups(keys, "exact_key")
        if settings.exact
        else keys.select("id", F.col("id").alias("survivor"))
    )
    exact = exact.persist(StorageLevel.MEMORY_AND_DISK)
    alive = keys.join(exact.where(F.col("id") == F.col("survivor")).select("id"), "id")
    if settings.url:
        with_url = alive.where(F.col("url_key").isNotNull())
        url = best_of_groups(with_url, "url_key").persist(StorageLevel.MEMORY_AND_DISK)
        alive = alive.join(url.where(F.col("id") != F.col("survivor")).select("id"), "id", "left_anti")
    else:
        url = None
    near = None
    if settings.near:
        edges = _candidate_edges(alive)
        stats["candidate_pairs"] = edges.count()
        if settings.verify:
            edges = _verified(spark, edges, source, settings).persist(StorageLevel.MEMORY_AND_DISK)
            stats["verified_pairs"] = edges.count()
        found = find_components(edges)
        stats["components_rounds"] = found.iterations
        members = found.components.select(F.col("node").alias("id"), "component").join(
            keys.select("id", "rank"), "id"
        )
        near = best_of_groups(members, "component").persist(StorageLevel.MEMORY_AND_DISK)

    # final survivor per document: exact survivor -> its URL survivor -> that one's near survivor
    resolved = exact.select("id", F.col("survivor").alias("step1"))
    reason = F.when(F.col("id") != F.col("step1"), F.lit("dedup:exact"))
    final = F.col("step1")
    if url is not None:
        resolved = resolved.join(url.toDF("step1", "step2"), "step1", "left")
        final = F.coalesce(F.col("step2"), final)
        reason = reason.when(
            F.col("step2").isNotNull() & (F.col("step1") != F.col("step2")), F.lit("dedup:url")
        )
    if near is not None:
        resolved = resolved.withColumn("after_url", final).join(
            near.toDF("after_url", "step3"), "after_url", "left"
        )
        final = F.coalesce(F.col("step3"), F.col("after_url"))
        reason = reason.when(
            F.col("step3").isNotNull() & (F.col("after_url") != F.col("step3")), F.lit("dedup:near")
        )
    resolved = resolved.select("id", final.alias("dup_cluster"), reason.alias("reject_reason"))
    out = source.join(resolved, "id").persist(StorageLevel.MEMORY_AND_DISK)
    kept = out.where(F.col("reject_reason").isNull()).select(*columns, "dup_cluster")
    rejected = out.where(F.col("reject_reason").isNotNull()).select(
        *columns, "dup_cluster", F.lit("dedup").alias("reject_stage"), "reject_reason"
    )
    return StageOutput(kept=kept, rejected=rejected, stats=stats)
