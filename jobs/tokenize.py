"""tokenize: documents -> BPE tokens in Megatron indexed datasets (.bin/.idx) per mix group, and
the handoff (handoff.json) the training job reads.

Steps, in Spark:

1. the tokenizer: GPT-2's BPE, a tokenizer.json, or a byte-level BPE trained on the documents with
   the smallest id hashes (deterministic); its JSON and sha256 go into the output;
2. each document gets a shard, `<group>-<nnnnn>`: groups larger than `shard_tokens` (estimated)
   are split by a hash of the id, so the files do not depend on Spark's partitioning;
3. one repartition by shard, sorted by id inside: each Python worker encodes its Arrow batches
   (the tokenizer parsed once per worker, jobs.text.bpe), appends EOS, and streams the tokens of
   each shard into its .bin, writing the .idx when the shard ends (jobs.text.indexed_dataset);
4. kept documents get `n_tokens` (EOS included), `token_shard` and `token_index` (the document's
   position in its shard); empty texts are rejected (tokenize:empty);
5. handoff.json: tokenizer, dtype, per group its files, documents, tokens and blend weight, the
   Megatron `--data-path` string per phase, sequence length, seed.

The files are written under <stage>/tokens/<attempt>/ and committed by the stage's manifest.
"""

from __future__ import annotations

import json
import math
import posixpath
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import BinaryType, LongType, StringType, StructField, StructType

from jobs.contract import ArtifactTarget, StageContext, StageOutput, with_document_columns
from jobs.objects import is_local
from jobs.readers.units import apply_storage_environment, storage_environment
from jobs.store import write_json
from jobs.text.bpe import (
    cached_tokenizer,
    encode_documents,
    eos_id,
    load_tokenizer,
    token_dtype,
    tokenizer_json,
    tokenizer_sha256,
    train_byte_level_bpe,
    vocab_size,
)
from jobs.text.indexed_dataset import IndexedDatasetWriter
from schemas.tokenize import EMPTY, TokenizeSettings

ARTIFACTS = "tokens"
HANDOFF = "handoff.json"
TOKENIZER = "tokenizer.json"
HANDOFF_FORMAT = "curate-handoff/1"
ADDED_COLUMNS = ("n_tokens", "token_shard", "token_index")
ENCODED_SCHEMA = StructType(
    [
        StructField("id", StringType(), False),
        StructField("token_shard", StringType(), False),
        StructField("n_tokens", LongType(), False),
        StructField("token_bytes", BinaryType(), False),
    ]
)
POSITION_SCHEMA = StructType(
    [
        StructField("id", StringType(), False),
        StructField("n_tokens", LongType(), False),
        StructField("token_index", LongType(), False),
    ]
)
ENCODED_ARROW, POSITION_ARROW = (to_arrow_schema(s) for s in (ENCODED_SCHEMA, POSITION_SCHEMA))


def preflight(settings: TokenizeSettings) -> None:
    """A tokenizer that loads and has the EOS token (a trained one is checked when it is trained)."""
    if settings.tokenizer != "train":
        eos_id(load_tokenizer(settings.tokenizer), settings.eos_token)


def external_inputs(settings: TokenizeSettings) -> dict[str, str]:
    if settings.tokenizer == "train":
        return {}
    return {"tokenizer": tokenizer_sha256(tokenizer_json(load_tokenizer(settings.tokenizer)))}


def _group_column(docs: DataFrame):
    return F.coalesce(F.col("mix_group"), F.lit("all")) if "mix_group" in docs.columns else F.lit("all")


def _tokenizer(docs: DataFrame, settings: TokenizeSettings):
    if settings.tokenizer != "train":
        return load_tokenizer(settings.tokenizer)
    sample = (
        docs.select("id", "text")
        .withColumn("draw", F.xxhash64(F.lit(settings.seed), F.col("id")))
        .orderBy("draw", "id")
        .limit(settings.train_docs)
        .select("text")
        .toArrow()
        .column("text")
        .to_pylist()
    )
    return train_byte_level_bpe(sample, settings.vocab_size, settings.min_frequency, settings.eos_token)


def _shard_counts(docs: DataFrame, settings: TokenizeSettings) -> dict[str, int]:
    chars = docs.groupBy("token_group").agg(F.sum(F.length("text")).alias("chars")).collect()
    per_shard = settings.shard_tokens * settings.chars_per_token
    return {r["token_group"]: max(1, math.ceil((r["chars"] or 0) / per_shard)) for r in chars}


def _with_shards(docs: DataFrame, shards: dict[str, int], seed: int) -> DataFrame:
    count = F.lit(1)
    for group, n in shards.items():
        count = F.when(F.col("token_group") == group, F.lit(n)).otherwise(count)
    shard = F.pmod(F.xxhash64(F.lit(seed), F.lit("shard"), F.col("id")), count)
    return docs.withColumn(
        "token_shard", F.concat(F.col("token_group"), F.lit("-"), F.lpad(shard.cast("string"), 5, "0"))
    )


def _encoder(json_text: str, eos: int, dtype: np.dtype):
    """Each document's tokens (EOS appended) as bytes in the token dtype, and their count: run on the
    input's partitions, so tokenizing is as parallel as the input whatever the number of shards."""

    def encode(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        tokenizer = cached_tokenizer(json_text)
        for batch in batches:
            flat, lengths = encode_documents(tokenizer, batch.column("text").to_pylist(), eos, dtype)
            offsets = np.concatenate([[0], np.cumsum(lengths)]) * dtype.itemsize
            data = pa.py_buffer(flat.tobytes())
            token_bytes = pa.BinaryArray.from_buffers(
                pa.binary(), batch.num_rows, [None, pa.py_buffer(offsets.astype(np.int32)), data]
            )
            yield pa.RecordBatch.from_arrays(
                [batch.column("id"), batch.column("token_shard"), pa.array(lengths, pa.int64()), token_bytes],
                schema=ENCODED_ARROW,
            )

    return encode


def _writer(dtype: np.dtype, folder: str, storage_env: dict[str, str]):
    """Streams each shard's tokens (consecutive: the partition is sorted by shard, then id) into its
    .bin, and writes its .idx when the shard ends; returns each document's position in its shard."""

    def write(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        writer, current, position = None, None, 0
        try:
            for batch in batches:
                shards = batch.column("token_shard").to_pylist()
                lengths = batch.column("n_tokens").to_numpy()
                flat = np.frombuffer(b"".join(batch.column("token_bytes").to_pylist()), dtype=dtype)
                ends = np.cumsum(lengths)
                token_index = np.empty(batch.num_rows, np.int64)
                run_start = 0
                for i in range(1, batch.num_rows + 1):
                    if i < batch.num_rows and shards[i] == shards[run_start]:
                        continue
                    if shards[run_start] != current:
                        if writer is not None:
                            writer.finalize()
                        current, position = shards[run_start], 0
                        writer = IndexedDatasetWriter(
                            f"{folder}/{current}.bin", f"{folder}/{current}.idx", dtype
                        )
                    first = ends[run_start] - lengths[run_start]
                    writer.add_documents(flat[first : ends[i - 1]], lengths[run_start:i])
                    token_index[run_start:i] = position + np.arange(i - run_start)
                    position += i - run_start
                    run_start = i
                yield pa.RecordBatch.from_arrays(
                    [batch.column("id"), batch.column("n_tokens"), pa.array(token_index, pa.int64())],
                    schema=POSITION_ARROW,
                )
            if writer is not None:
                writer.finalize()
        except BaseException as err:
            if writer is not None and not writer.finalized:
                writer.__exit__(type(err), err, err.__traceback__)  # closes the .bin, writes no .idx
            raise

    return write


def _entries(artifacts: ArtifactTarget, shard_rows: list, names: list[str]) -> list[dict]:
    entries = []
    for name in names:
        rows = next((int(r["documents"]) for r in shard_rows if f"{r['token_shard']}." in name), None)
        entries.append(
            {
                "output": artifacts.output,
                "file": f"{artifacts.rel}/{name}",
                "rows": rows,
                "bytes": int(artifacts.fs.size(f"{artifacts.url}/{name}")),
            }
        )
    return entries


def blend_string(groups: list[dict], weights: dict[str, float], prefix_of) -> str:
    """Megatron's --data-path: weight prefix pairs; a group's weight is shared by its shards in
    proportion to their tokens, so the blend samples the group's documents evenly."""
    parts = []
    for group in groups:
        weight = weights.get(group["name"], 0.0)
        if weight <= 0 or group["tokens"] == 0:
            continue
        for shard in group["shards"]:
            parts.append(f"{weight * shard['tokens'] / group['tokens']:.10g} {prefix_of(shard['prefix'])}")
    return " ".join(parts)


def handoff_document(settings: TokenizeSettings, tokenizer: dict, dtype: np.dtype, shard_rows: list) -> dict:
    groups: dict[str, dict] = {}
    for row in sorted(shard_rows, key=lambda r: r["token_shard"]):
        group = groups.setdefault(
            row["token_group"], {"name": row["token_group"], "documents": 0, "tokens": 0, "shards": []}
        )
        group["documents"] += int(row["documents"])
        group["tokens"] += int(row["tokens"])
        group["shards"].append(
            {"prefix": row["token_shard"], "documents": int(row["documents"]), "tokens": int(row["tokens"])}
        )
    blend = settings.blend or {"main": {name: 1.0 for name in groups}}
    phases = []
    for phase, weights in blend.items():
        used = {g: w for g, w in weights.items() if w > 0 and groups.get(g, {}).get("tokens")}
        total = sum(used.values()) or 1.0
        phases.append(
            {
                "name": phase,
                "weights": {g: w / total for g, w in used.items()},
                "data_path": blend_string(
                    list(groups.values()), {g: w / total for g, w in used.items()}, lambda p: p
                ),
            }
        )
    first = phases[0]["weights"]
    return {
        "format": HANDOFF_FORMAT,
        "tokenizer": tokenizer,
        "dtype": dtype.name,
        "seq_length": settings.seq_length,
        "seed": settings.seed,
        "groups": [
            {**g, "weight": first.get(g["name"], 0.0), "prefixes": [s["prefix"] for s in g["shards"]]}
            for g in groups.values()
        ],
        "phases": phases,
        "blend": phases[0]["data_path"],
        "documents": sum(g["documents"] for g in groups.values()),
        "tokens": sum(g["tokens"] for g in groups.values()),
    }


def stage_handoff(fs, root: str, manifest: dict) -> tuple[str, dict]:
    """(path, content) of the handoff.json a committed tokenize output holds."""
    entry = next(
        f for f in manifest["files"] if f["output"] == ARTIFACTS and f["file"].endswith(f"/{HANDOFF}")
    )
    path = f"{root}/{entry['file']}"
    with fs.open(path, "r") as f:
        return path, json.load(f)


def publish_handoff(fs, root: str, version_dir: str, manifest: dict) -> dict:
    """<version>/handoff.json: the stage's handoff with its paths relative to the version folder
    (the token files may sit in an earlier version whose output this one reuses)."""
    path, handoff = stage_handoff(fs, root, manifest)
    files_dir = posixpath.dirname(path)
    relative = posixpath.relpath(files_dir, version_dir)

    def moved(prefix: str) -> str:
        return posixpath.normpath(f"{relative}/{prefix}")

    handoff["tokenizer"] = {**handoff["tokenizer"], "path": moved(handoff["tokenizer"]["path"])}
    handoff["groups"] = [{**g, "prefixes": [moved(p) for p in g["prefixes"]]} for g in handoff["groups"]]
    for phase in handoff["phases"]:
        phase["data_path"] = _moved_blend(phase["data_path"], moved)
    handoff["blend"] = handoff["phases"][0]["data_path"]
    handoff["tokenize_fingerprint"] = manifest["fingerprint"]
    write_json(fs, f"{version_dir}/{HANDOFF}", handoff)
    return handoff


def _moved_blend(data_path: str, moved) -> str:
    parts = data_path.split()
    return " ".join(p if i % 2 == 0 else moved(p) for i, p in enumerate(parts))


def exact_mixture(written: DataFrame, settings: TokenizeSettings) -> dict:
    """The mix stage's phases in exact tokens: each group's tokens times its documents' copies in
    the phase, against the phase's target shares (the mix planned on estimated tokens)."""
    if "mix_copies" not in written.columns or not settings.blend:
        return {}
    phases = list(settings.blend)
    sums = [
        F.sum(F.col("n_tokens") * F.coalesce(F.col("mix_copies")[i], F.lit(0))).alias(f"p{i}")
        for i in range(len(phases))
    ]
    rows = written.groupBy("token_group").agg(*sums).collect()
    report = {}
    for i, phase in enumerate(phases):
        tokens = {r["token_group"]: int(r[f"p{i}"] or 0) for r in rows}
        total = sum(tokens.values())
        targets = settings.blend[phase]
        target_sum = sum(targets.values()) or 1.0
        report[phase] = {
            "tokens": total,
            "groups": {
                group: {
                    "tokens": tokens.get(group, 0),
                    "target_share": round(targets.get(group, 0.0) / target_sum, 6),
                    "achieved_share": round(tokens.get(group, 0) / total, 6) if total else 0.0,
                }
                for group in sorted(set(tokens) | set(targets))
            },
        }
    return report


def run(spark: SparkSession, docs: DataFrame, settings: TokenizeSettings, ctx: StageContext) -> StageOutput:
    if ctx.artifacts is None:
        raise ValueError("tokenize writes token files: it needs an artifact folder from the runner")
    docs = with_document_columns(docs)
    docs = docs.drop(*[c for c in ADDED_COLUMNS if c in docs.columns])
    columns = docs.columns
    empty = F.coalesce(F.length("text"), F.lit(0)) == 0
    rejected = docs.filter(empty).select(
        *columns,
        F.lit(None).cast(LongType()).alias("n_tokens"),
        F.lit(None).cast(StringType()).alias("token_shard"),
        F.lit(None).cast(LongType()).alias("token_index"),
        F.lit("tokenize").alias("reject_stage"),
        F.lit(EMPTY).alias("reject_reason"),
    )
    grouped = docs.filter(~empty).withColumn("token_group", _group_column(docs))

    tokenizer = _tokenizer(grouped, settings)
    json_text = tokenizer_json(tokenizer)
    eos, vocab = eos_id(tokenizer, settings.eos_token), vocab_size(tokenizer)
    dtype = token_dtype(vocab)
    folder, fs = ctx.artifacts.url, ctx.artifacts.fs
    fs.makedirs(folder, exist_ok=True)
    with fs.open(f"{folder}/{TOKENIZER}", "wb") as f:
        f.write(json_text.encode("utf-8"))

    # Spark's Python workers open the files by URL (the store's fs paths carry no protocol)
    worker_folder = folder if is_local(fs) else fs.unstrip_protocol(folder)
    shards = _shard_counts(grouped, settings)
    placed = _with_shards(grouped, shards, settings.seed)
    positions = (
        placed.select("id", "text", "token_shard")
        .mapInArrow(_encoder(json_text, eos, dtype), ENCODED_SCHEMA)
        .repartition(max(1, sum(shards.values())), "token_shard")
        .sortWithinPartitions("token_shard", "id")
        .mapInArrow(_writer(dtype, worker_folder, storage_environment()), POSITION_SCHEMA)
    )
    written = placed.join(positions, "id").persist(StorageLevel.MEMORY_AND_DISK)
    shard_rows = (
        written.groupBy("token_group", "token_shard")
        .agg(
            F.count("*").alias("documents"),
            F.sum("n_tokens").alias("tokens"),
            F.sum(F.length("text")).alias("chars"),
        )
        .collect()
    )
    chars = {}
    for row in shard_rows:
        chars[row["token_group"]] = chars.get(row["token_group"], 0) + int(row["chars"] or 0)
    tokenizer_info = {
        "path": TOKENIZER,
        "sha256": tokenizer_sha256(json_text),
        "vocab_size": vocab,
        "eos_id": eos,
        "source": settings.tokenizer,
    }
    handoff = handoff_document(settings, tokenizer_info, dtype, [r.asDict() for r in shard_rows])
    write_json(fs, f"{folder}/{HANDOFF}", handoff)
    names = [TOKENIZER, HANDOFF] + [
        f"{r['token_shard']}.{ext}"
        for r in sorted(shard_rows, key=lambda r: r["token_shard"])
        for ext in ("bin", "idx")
    ]
    kept = written.select(*columns, "n_tokens", "token_shard", "token_index")
    return StageOutput(
        kept=kept,
        rejected=rejected,
        stats={
            "tokenizer": tokenizer_info,
            "dtype": dtype.name,
            "documents": handoff["documents"],
            "tokens": handoff["tokens"],
            "groups": {
                g["name"]: {
                    "documents": g["documents"],
                    "tokens": g["tokens"],
                    "shards": len(g["shards"]),
                    # EOS excluded: the figure the mix's estimate (characters / chars_per_token) wants
                    "chars_per_token": round(chars[g["name"]] / max(1, g["tokens"] - g["documents"]), 3),
                }
                for g in handoff["groups"]
            },
            "phases": {p["name"]: p["weights"] for p in handoff["phases"]},
            "mixture_exact": exact_mixture(written, settings),
        },
        artifacts=_entries(ctx.artifacts, [r.asDict() for r in shard_rows], names),
    )
