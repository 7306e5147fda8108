"""The `tokenize` stage on a real local Spark session: Megatron .bin/.idx per mix group that hold
exactly the kept documents' tokens, counts that add up, the handoff, determinism, a trained BPE."""

from __future__ import annotations

import hashlib
import json
import random

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from jobs.text.bpe import encode_documents, load_tokenizer
from jobs.text.indexed_dataset import IndexedDatasetReader
from schemas.tokenize import TokenizeSettings

WORDS = "river stone light winter garden letter market engine window harbor music paper forest".split()


def _documents() -> list[dict]:
    rng = random.Random(5)
    docs = []
    for i in range(240):
        group = ("web", "web", "code", "books")[i % 4]
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 120)))
        if group == "code":
            text = f"def f{i}(x):\n    return x * {i}  # {text[:40]}\n"
        docs.append({"id": f"d{i:04d}", "text": text, "kind": "text", "mix_group": group})
    docs.append({"id": "empty", "text": "", "kind": "text", "mix_group": "web"})
    return docs


def _run(spark, tmp_path, name: str, docs: list[dict], parts: int = 1, **settings):
    data = tmp_path / f"{name}-in"
    data.mkdir()
    for part in range(parts):
        pq.write_table(pa.Table.from_pylist(docs[part::parts]), data / f"part-{part}.parquet")
    out = tmp_path / name
    spec = StageSpec.load("tokenize", TokenizeSettings(**settings))
    spec.preflight()
    run_stage_on_folder(lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(out))
    manifest = json.loads((out / "_manifest.json").read_text())
    rows = {"kept": {}, "rejected": {}}
    for f in manifest["files"]:
        if f["output"] in rows:
            rows[f["output"]].update({r["id"]: r for r in pq.read_table(out / f["file"]).to_pylist()})
    handoff_file = next(out / f["file"] for f in manifest["files"] if f["file"].endswith("handoff.json"))
    return rows, manifest, json.loads(handoff_file.read_text()), handoff_file.parent


BLEND = {"main": {"web": 0.5, "code": 0.3, "books": 0.2}, "late": {"web": 0.2, "code": 0.8}}


@pytest.fixture(scope="module")
def tokenized(spark, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("tokenize")
    return (*_run(spark, tmp_path, "gpt2", _documents(), parts=2, shard_tokens=1500, blend=BLEND), tmp_path)


def test_shards_hold_exactly_the_kept_documents_tokens_in_order(tokenized):
    rows, manifest, handoff, folder, _ = tokenized
    kept, rejected = rows["kept"], rows["rejected"]
    assert rejected["empty"]["reject_reason"] == "tokenize:empty" and len(kept) == 240
    tokenizer = load_tokenizer("gpt2")
    by_shard: dict[str, list[dict]] = {}
    for doc in kept.values():
        by_shard.setdefault(doc["token_shard"], []).append(doc)
    assert len([s for s in by_shard if s.startswith("web-")]) > 1  # split by shard_tokens
    for shard, docs in by_shard.items():
        docs.sort(key=lambda d: d["token_index"])
        assert [d["token_index"] for d in docs] == list(range(len(docs)))
        assert [d["id"] for d in docs] == sorted(d["id"] for d in docs)  # id order inside a shard
        reader = IndexedDatasetReader(folder / shard)
        assert reader.dtype == np.uint16 and len(reader) == len(docs)
        flat, lengths = encode_documents(tokenizer, [d["text"] for d in docs], 50256, np.uint16)
        assert np.array_equal(np.asarray(reader.tokens), flat)
        assert reader.sizes.tolist() == lengths.tolist() == [d["n_tokens"] for d in docs]
        assert all(reader[i][-1] == 50256 for i in range(len(docs)))


def test_counts_add_up_and_the_handoff_describes_the_files(tokenized):
    rows, manifest, handoff, folder, _ = tokenized
    kept = rows["kept"].values()
    assert handoff["tokens"] == sum(d["n_tokens"] for d in kept) == manifest["stats"]["tokens"]
    assert handoff["tokenizer"]["vocab_size"] == 50257 and handoff["tokenizer"]["eos_id"] == 50256
    assert handoff["dtype"] == "uint16"
    tokenizer_bytes = (folder / handoff["tokenizer"]["path"]).read_bytes()
    assert hashlib.sha256(tokenizer_bytes).hexdigest() == handoff["tokenizer"]["sha256"]
    for group in handoff["groups"]:
        docs = [d for d in kept if d["mix_group"] == group["name"]]
        assert group["documents"] == len(docs) and group["tokens"] == sum(d["n_tokens"] for d in docs)
        assert group["tokens"] == sum(
            int(IndexedDatasetReader(folder / p).sizes.sum()) for p in group["prefixes"]
        )
    assert {g["name"]: g["weight"] for g in handoff["groups"]} == pytest.approx(BLEND["main"])
    late = next(p for p in handoff["phases"] if p["name"] == "late")
    parts = late["data_path"].split()
    weights = dict(zip(parts[1::2], map(float, parts[::2]), strict=True))
    assert sum(weights.values()) == pytest.approx(1.0) and not any(p.startswith("books") for p in weights)
    listed = {f["file"].rsplit("/", 1)[-1] for f in manifest["files"] if f["output"] == "tokens"}
    assert {f"{p}.{ext}" for g in handoff["groups"] for p in g["prefixes"] for ext in ("bin", "idx")} < listed


def test_token_files_do_not_depend_on_partitioning(tokenized, spark):
    _, _, handoff, folder, tmp_path = tokenized
    _, _, again, again_folder = _run(
        spark, tmp_path, "gpt2-5-parts", _documents(), parts=5, shard_tokens=1500, blend=BLEND
    )
    for group in handoff["groups"]:
        for prefix in group["prefixes"]:
            for ext in ("bin", "idx"):
                assert (folder / f"{prefix}.{ext}").read_bytes() == (
                    again_folder / f"{prefix}.{ext}"
                ).read_bytes()


def test_a_trained_byte_level_bpe_is_deterministic_and_saved_with_its_hash(spark, tmp_path):
    docs = _documents()
    _, manifest, first, folder = _run(
        spark, tmp_path, "train-a", docs, tokenizer="train", vocab_size=400, min_frequency=1
    )
    _, _, second, _ = _run(
        spark, tmp_path, "train-b", docs, parts=3, tokenizer="train", vocab_size=400, min_frequency=1
    )
    assert first["tokenizer"]["sha256"] == second["tokenizer"]["sha256"]
    assert first["tokenizer"]["vocab_size"] <= 400 and first["dtype"] == "uint16"
    assert first["tokens"] == second["tokens"] > 0


def test_the_tokenizer_is_parsed_once_per_worker_not_per_batch(spark):
    import os

    import jobs.text.bpe as bpe
    from jobs.tokenize import ENCODED_SCHEMA, _encoder

    # a vocabulary no other test parsed in these workers: its JSON is not in their cache yet
    fresh = bpe.tokenizer_json(bpe.train_byte_level_bpe(["once per worker " * 50, "not per batch"], 300, 1))
    encode = _encoder(fresh, bpe.eos_id(bpe.tokenizer_from_json(fresh)), np.dtype(np.uint16))

    def with_parses(batches):
        before = len(bpe._CACHE)  # the worker's cache, as the stage's encoder leaves it
        for number, out in enumerate(encode(batches)):
            yield pa.RecordBatch.from_pydict(
                {
                    "batch": [number] * out.num_rows,
                    "pid": [os.getpid()] * out.num_rows,
                    "cached": [id(bpe.cached_tokenizer(fresh))] * out.num_rows,
                    "new_entries": [len(bpe._CACHE) - before] * out.num_rows,
                }
            )

    rows = [
        {"id": f"d{i}", "text": f"document {i} once per worker", "token_shard": "all-00000"}
        for i in range(64)
    ]
    docs = spark.createDataFrame(rows, "id string, text string, token_shard string").coalesce(1)
    previous = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "8")
    try:
        seen = docs.mapInArrow(with_parses, "batch long, pid long, cached long, new_entries long").collect()
    finally:
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", previous)
    assert ENCODED_SCHEMA.fieldNames()[0] == "id"
    assert len({r.batch for r in seen}) == 8 and len({r.pid for r in seen}) == 1
    assert len({r.cached for r in seen}) == 1 and {r.new_entries for r in seen} <= {0, 1}
