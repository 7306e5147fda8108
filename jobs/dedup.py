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

Incremental (store runs, `incremental: true`): the stage also writes `keys/`, one row per document
this version saw first (exact key, URL key, band keys, decision; the text of the kept ones), and its
manifest lists the keys files of every earlier version (carried, not copied). The next version reads
them (jobs.pipeline.with_history): a document seen before with the same id and text keeps its
decision without being signed again; the survivors of earlier versions join the steps above ranked
before every new document, so a new copy of an earlier survivor is removed in its favour and what a
published version kept is never taken back. Only LSH buckets that hold a new document are expanded,
so old documents are never compared with each other again.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from jobs.components import find_components
from jobs.contract import StageContext, StageHistory, StageOutput, with_document_columns
from jobs.objects import read_parquet
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
EXACT_SCHEMA = StructType(
    [StructField("id", StringType(), False), StructField("exact_key", BinaryType(), False)]
)
KEY_COLUMNS = ["id", "exact_key", "url_key", "bands", "quality_score", "length"]
# dedup/keys: one row per document, written by the version that saw it first
KEY_ROWS = StructType(
    [
        *KEYS_SCHEMA.fields,
        StructField("quality_score", DoubleType(), True),
        StructField("length", IntegerType(), True),
        StructField("dup_cluster", StringType(), True),
        StructField("reject_reason", StringType(), True),
        StructField("text", StringType(), True),
        StructField("version", StringType(), True),
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


def exact_key_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """mapInArrow function: id, text batches in, id, exact_key batches out (incremental runs key
    every document, then sign only those the keys of earlier versions do not know)."""
    for batch in batches:
        yield pa.RecordBatch.from_arrays(
            [batch.column(0), exact_keys(batch.column(1)).cast(pa.binary())], names=["id", "exact_key"]
        )


def same_keys(earlier: dict, settings: DedupSettings) -> bool:
    """Whether keys written under `earlier` settings (a manifest's) compare with this run's."""
    try:
        before = DedupSettings.model_validate(earlier)
    except ValueError:  # settings of another code version: nothing says its keys compare
        return False
    return (before.shingle_size, before.num_perm, before.seed, band_plan(before)) == (
        settings.shingle_size,
        settings.num_perm,
        settings.seed,
        band_plan(settings),
    )


def uses_history(settings: DedupSettings) -> bool:
    """Store runs read the keys of the last published version (jobs.pipeline.with_history)."""
    return settings.incremental


def _rank(fresh, quality, length) -> Column:
    """A struct whose minimum is the document to keep: one from an earlier version first (its
    decision is published), then the highest quality_score (nulls last), the longest text, the
    smallest id. A total order, so nothing depends on partitioning or batch boundaries."""
    return F.struct(
        fresh.alias("fresh"),
        quality.isNull().alias("no_quality"),
        (-F.coalesce(quality, F.lit(0.0))).alias("neg_quality"),
        (-length).alias("neg_length"),
        F.col("id").alias("id"),
    ).alias("rank")


def best_of_groups(members: DataFrame, group: str) -> DataFrame:
    """member id, survivor id: per `group`, the member of smallest rank. A member from an earlier
    version stays its own survivor: what a published version kept is never taken back."""
    best = members.groupBy(group).agg(F.min("rank").alias("best"))
    survivor = F.when(F.col("rank.fresh"), F.col("best.id")).otherwise(F.col("id"))
    return members.join(best, group).select("id", survivor.alias("survivor"))


def _candidate_edges(alive: DataFrame, with_history: bool, all_pairs_up_to: int) -> DataFrame:
    """src < dst: the candidate pairs of the LSH buckets (band, key). A bucket of at most
    `all_pairs_up_to` documents proposes every pair in it; a larger one joins each member to its
    smallest id (star edges: linear in the bucket). Star edges alone lose pairs that verification
    then needs: two copies that share buckets only with a third document similar to just one of
    them. With history, only buckets that hold a new document, and no pair of two old documents."""
    exploded = alive.select(
        "id", F.col("rank.fresh").alias("fresh"), F.posexplode("bands").alias("band", "key")
    )
    if with_history:
        fresh_buckets = exploded.where("fresh").select("band", "key").distinct()
        exploded = exploded.join(fresh_buckets, ["band", "key"], "left_semi")
    bucket = Window.partitionBy("band", "key")
    shared = (
        exploded.withColumn("size", F.count("*").over(bucket))
        .where(F.col("size") > 1)
        .withColumn("center", F.min(F.struct("id", "fresh")).over(bucket))
    )
    small = shared.where(F.col("size") <= all_pairs_up_to).select("band", "key", "id", "fresh")
    left, right = small.alias("a"), small.alias("b")
    within = (
        left.join(right, ["band", "key"])
        .where((F.col("a.id") < F.col("b.id")) & (F.col("a.fresh") | F.col("b.fresh")))
        .select(F.col("a.id").alias("src"), F.col("b.id").alias("dst"))
    )
    star = shared.where(
        (F.col("size") > all_pairs_up_to)
        & (F.col("id") != F.col("center.id"))
        & (F.col("fresh") | F.col("center.fresh"))
    ).select(F.col("center.id").alias("src"), F.col("id").alias("dst"))
    return within.unionByName(star).distinct()


BROADCAST_NODES_UP_TO = 2_000_000  # ids of the documents in candidate pairs (tens of MB)


def _verified(edges: DataFrame, texts: DataFrame, settings: DedupSettings, pairs: int) -> DataFrame:
    """The candidate pairs whose true shingle Jaccard reaches the threshold. Only the texts of
    documents in a pair travel to the pairs (a broadcast semi-join while their ids are few), not
    the whole corpus twice."""
    nodes = edges.select(F.col("src").alias("id")).union(edges.select(F.col("dst").alias("id"))).distinct()
    needed = texts.join(
        F.broadcast(nodes) if 2 * pairs <= BROADCAST_NODES_UP_TO else nodes, "id", "left_semi"
    )
    needed = needed.persist(StorageLevel.MEMORY_AND_DISK)
    joined = edges.join(needed.toDF("src", "src_text"), "src").join(needed.toDF("dst", "dst_text"), "dst")
    scored = joined.select("src", "dst", "src_text", "dst_text").mapInArrow(
        pair_similarity(settings.shingle_size), PAIRS_SCHEMA
    )
    return scored.where(F.col("jaccard") >= settings.threshold).select("src", "dst")


def read_history_keys(spark: SparkSession, history: StageHistory) -> DataFrame:
    """The keys of every document earlier versions saw, the latest entry per id."""
    keys = read_parquet(spark, history.fs, history.paths("keys"), KEY_ROWS)
    latest = Window.partitionBy("id").orderBy(F.col("version").desc_nulls_last())
    return keys.withColumn("_n", F.row_number().over(latest)).where("_n = 1").drop("_n")


def _near_clusters(
    alive: DataFrame,
    texts: DataFrame,
    keys: DataFrame,
    settings: DedupSettings,
    stats: dict,
    with_history: bool,
) -> DataFrame:
    """id, survivor over the near-duplicate clusters of the documents still alive."""
    edges = _candidate_edges(alive, with_history, settings.all_pairs_bucket_size)
    edges = edges.persist(StorageLevel.MEMORY_AND_DISK)
    stats["candidate_pairs"] = edges.count()
    if settings.verify:
        edges = _verified(edges, texts, settings, stats["candidate_pairs"])
        edges = edges.persist(StorageLevel.MEMORY_AND_DISK)
        stats["verified_pairs"] = edges.count()
    found = find_components(edges)
    stats["components_rounds"] = found.iterations
    members = found.components.select(F.col("node").alias("id"), "component").join(
        keys.select("id", "rank"), "id"
    )
    return best_of_groups(members, "component")


def run(spark: SparkSession, docs: DataFrame, settings: DedupSettings, ctx: StageContext) -> StageOutput:
    bands, rows = band_plan(settings)
    docs = with_document_columns(docs)
    columns = docs.columns
    source = docs.select(*columns).persist(StorageLevel.MEMORY_AND_DISK)
    history = ctx.history if settings.incremental else None
    stats: dict = {"bands": bands, "rows": rows}
    if history is not None and not same_keys(history.manifest["settings"], settings):
        # earlier keys from other shingles, permutations or bands cannot be compared with these
        stats["history_ignored"] = "the last version's keys were made with other shingle/MinHash/LSH settings"
        history = None
    quality = F.col("quality_score") if "quality_score" in columns else F.lit(None).cast(DoubleType())

    if history is not None:
        # a document an earlier version saw with this text keeps its decision, unhashed
        past = read_history_keys(spark, history).persist(StorageLevel.MEMORY_AND_DISK)
        now = source.select("id", "text").mapInArrow(exact_key_batches, EXACT_SCHEMA)
        seen = now.join(past, ["id", "exact_key"]).select("id", "dup_cluster", "reject_reason")
        seen = seen.persist(StorageLevel.MEMORY_AND_DISK)
        fresh_source = source.join(seen.select("id"), "id", "left_anti")
        # earlier survivors take part, except where this version brings the id with a new text
        old = past.where(F.col("reject_reason").isNull()).join(fresh_source.select("id"), "id", "left_anti")
        stats["history_documents"] = past.count()
        stats["seen_documents"] = seen.count()
    else:
        fresh_source, seen, old = source, None, None

    key_input = ["id", "text"] + (["url"] if settings.url and "url" in columns else [])
    fresh = (
        fresh_source.select(*key_input)
        .mapInArrow(document_keys(settings, bands, rows), KEYS_SCHEMA)
        .join(
            fresh_source.select("id", quality.alias("quality_score"), F.length("text").alias("length")), "id"
        )
    )
    fresh = fresh.withColumn("rank", _rank(F.lit(True), F.col("quality_score"), F.col("length")))
    keys = fresh
    texts = fresh_source.select("id", "text")
    if old is not None:
        keys = fresh.unionByName(
            old.select(*KEY_COLUMNS).withColumn(
                "rank", _rank(F.lit(False), F.col("quality_score"), F.col("length"))
            )
        )
        texts = texts.unionByName(old.select("id", F.coalesce("text", F.lit("")).alias("text")))
    keys = keys.persist(StorageLevel.MEMORY_AND_DISK)

    # which document each one gives way to, step by step (the survivor of each step goes on)
    exact = (
        best_of_groups(keys, "exact_key")
        if settings.exact
        else keys.select("id", F.col("id").alias("survivor"))
    )
    exact = exact.persist(StorageLevel.MEMORY_AND_DISK)
    alive = keys.join(exact.where(F.col("id") == F.col("survivor")).select("id"), "id")
    if settings.url:
        url = best_of_groups(alive.where(F.col("url_key").isNotNull()), "url_key")
        url = url.persist(StorageLevel.MEMORY_AND_DISK)
        alive = alive.join(url.where(F.col("id") != F.col("survivor")).select("id"), "id", "left_anti")
    else:
        url = None
    near = None
    if settings.near:
        near = _near_clusters(alive, texts, keys, settings, stats, old is not None)
        near = near.persist(StorageLevel.MEMORY_AND_DISK)

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
    out = fresh_source.join(resolved, "id")
    if seen is not None:
        out = out.unionByName(source.join(seen, "id"))
    out = out.persist(StorageLevel.MEMORY_AND_DISK)
    kept = out.where(F.col("reject_reason").isNull()).select(*columns, "dup_cluster")
    rejected = out.where(F.col("reject_reason").isNotNull()).select(
        *columns, "dup_cluster", F.lit("dedup").alias("reject_stage"), "reject_reason"
    )
    output = StageOutput(kept=kept, rejected=rejected, stats=stats)
    if settings.incremental and ctx.version is not None:
        output.extra["keys"] = _new_keys(fresh, out, ctx.version)
        output.carried = history.entries("keys") if history is not None else []
    return output


def _new_keys(fresh: DataFrame, out: DataFrame, version: str) -> DataFrame:
    """KEY_ROWS of the documents this version saw first; a kept one's text goes along, so later
    versions verify their candidates against it without reading this version's documents."""
    decided = out.select(
        "id",
        "dup_cluster",
        "reject_reason",
        F.when(F.col("reject_reason").isNull(), F.col("text")).alias("text"),
    )
    return (
        fresh.drop("rank")
        .join(decided, "id")
        .select(
            *[F.col(f.name) for f in KEY_ROWS.fields if f.name != "version"], F.lit(version).alias("version")
        )
    )
