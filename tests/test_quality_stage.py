"""The `quality` stage on a real local Spark session with real fastText classifiers.

The classifiers are trained here, in a second, on the Python standard library's docstrings (prose
that every machine has) against junk made from the same words: what matters in these tests is the stage's plumbing (routing,
keep rules, suites, preflight, fingerprints), not the model's quality.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time

import fasttext
import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec, stage_fingerprint
from jobs.text.model_probe import ModelUnusable
from jobs.text.quality_text import NEGATIVE_LABEL, POSITIVE_LABEL, model_line, training_line
from quality_models import fit
from quality_models.fit import FastTextParams
from schemas.quality import QualityModel, QualitySettings

SPAM = "best cheap online deals buy now discount free shipping casino bonus click here win".split()


STDLIB = ("argparse", "asyncio", "collections", "email", "http.client", "json", "logging", "os", "pathlib")
STDLIB += (
    "re",
    "shutil",
    "subprocess",
    "tarfile",
    "threading",
    "typing",
    "unittest",
    "urllib.request",
    "zipfile",
)


def _prose() -> list[str]:
    import importlib
    import inspect

    seen, paragraphs = set(), []
    for name in STDLIB:
        module = importlib.import_module(name)
        for obj in [module, *vars(module).values()]:
            doc = inspect.getdoc(obj) if callable(obj) or inspect.ismodule(obj) else None
            for paragraph in (doc or "").split("\n\n"):
                paragraph = re.sub(r"\s+", " ", paragraph).strip()
                if len(paragraph.split()) >= 25 and paragraph not in seen and paragraph[0].isupper():
                    seen.add(paragraph)
                    paragraphs.append(paragraph)
    return paragraphs


def _junk(paragraph: str, rng: random.Random) -> str:
    words = paragraph.split()
    style = rng.randrange(3)
    if style == 0:  # symbol and number soup
        return " ".join(f"{rng.randrange(10**6)}{rng.choice('#$%&*@')}" for _ in words)
    if style == 1:  # keyword spam
        return " ".join(rng.choice(SPAM) for _ in range(len(words)))
    return "\n".join(["Home | About | Contact | Login"] * 4 + words[:5])  # navigation chrome


@pytest.fixture(scope="module")
def corpus() -> dict[str, list[str]]:
    rng = random.Random(7)
    prose = _prose()
    assert len(prose) >= 60, "the repo's docs are the test's training text"
    junk = [_junk(p, rng) for p in prose]
    return {
        "train_good": prose[1::2],
        "train_bad": junk[1::2],
        "good": prose[::2][:30],
        "bad": junk[::2][:30],
    }


def _train(corpus: dict, path, flipped: bool = False) -> str:
    lines = [training_line(t, not flipped) for t in corpus["train_good"]]
    lines += [training_line(t, flipped) for t in corpus["train_bad"]]
    random.Random(0).shuffle(lines)
    data = path.with_suffix(".txt")
    data.write_text("\n".join(lines) + "\n")
    params = FastTextParams(
        epoch=30, lr=0.5, word_ngrams=2, dim=16, min_count=1, bucket=100_000, loss="softmax"
    )
    fit.train(str(data), params, seed=0).save_model(str(path))  # the recipe's training: reproducible
    return str(path)


@pytest.fixture(scope="module")
def model_path(corpus, tmp_path_factory) -> str:
    return _train(corpus, tmp_path_factory.mktemp("models") / "quality.bin")


def _documents(corpus: dict) -> list[dict]:
    docs = []
    for label in ("good", "bad"):
        for i, text in enumerate(corpus[label]):
            source = "web-a" if i % 2 else "web-b"
            docs.append(
                {"id": f"{label}{i:02d}", "text": text, "source": source, "kind": "text", "lang": "en"}
            )
    return docs


def _write(folder, rows: list[dict]):
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")
    return folder


def _run(spark, data, out, **settings):
    spec = StageSpec.load("quality", QualitySettings(**settings))
    run_stage_on_folder(lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(out))
    manifest = json.loads((out / "_manifest.json").read_text())
    rows = {"kept": {}, "rejected": {}}
    for f in manifest["files"]:
        for r in pq.read_table(out / f["file"]).to_pylist():
            rows[f["output"]][r["id"]] = r
    return rows["kept"], rows["rejected"], manifest


def test_scores_rank_prose_over_junk_and_threshold_rejects_with_reason(spark, tmp_path, corpus, model_path):
    data = _write(tmp_path / "in", _documents(corpus))
    kept, rejected, manifest = _run(
        spark, data, tmp_path / "out", models=[{"path": model_path}], keep="threshold", threshold=0.5
    )
    every = {**kept, **rejected}
    assert len(every) == 60 and manifest["counters"]["docs_in"] == 60
    good = [every[i]["quality_score"] for i in every if i.startswith("good")]
    bad = [every[i]["quality_score"] for i in every if i.startswith("bad")]
    assert all(0.0 <= s <= 1.0 for s in good + bad)
    assert sum(s >= 0.5 for s in good) >= 27 and sum(s < 0.5 for s in bad) >= 27
    assert all(r["quality_score"] >= 0.5 for r in kept.values())
    assert {r["reject_reason"] for r in rejected.values()} == {"quality:below_threshold"}
    assert {r["quality_model"] for r in every.values()} == {model_path}
    stats = manifest["stats"]
    assert stats["models"][model_path]["documents"] == 60 and stats["unscored"] == 0
    assert sum(stats["score_histogram"].values()) == 60
    assert manifest["external_inputs"] == {model_path: _sha256(model_path)}
    assert manifest["validation"]["quality.kept"]["success"]


def _sha256(path: str) -> str:
    import hashlib

    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_scores_equal_bare_fasttext_on_the_same_line(spark, tmp_path, corpus, model_path):
    data = _write(tmp_path / "in", _documents(corpus))
    kept, _, _ = _run(spark, data, tmp_path / "out", models=[{"path": model_path}], max_chars=300)
    bare = fasttext.load_model(model_path)
    for row in list(kept.values())[:20]:
        labels, probs = bare.predict(model_line(row["text"], 300), k=2)
        expected = dict(zip(labels, probs, strict=True)).get(POSITIVE_LABEL, 0.0)
        assert row["quality_score"] == pytest.approx(min(1.0, expected), abs=1e-6)


def test_keep_all_scores_every_document_and_rejects_none(spark, tmp_path, corpus, model_path):
    data = _write(tmp_path / "in", _documents(corpus))
    kept, rejected, manifest = _run(spark, data, tmp_path / "out", models=[{"path": model_path}])
    assert len(kept) == 60 and not rejected
    assert all(r["quality_score"] is not None for r in kept.values())


def test_top_fraction_keeps_the_best_share_of_each_source(spark, tmp_path, corpus, model_path):
    data = _write(tmp_path / "in", _documents(corpus))
    kept, rejected, manifest = _run(
        spark, data, tmp_path / "out", models=[{"path": model_path}], keep="top_fraction", top_fraction=0.25
    )
    cutoffs = manifest["stats"]["source_cutoffs"]
    assert set(cutoffs) == {"web-a", "web-b"}
    every = {**kept, **rejected}
    for source, cutoff in cutoffs.items():
        scores = sorted((r["quality_score"] for r in every.values() if r["source"] == source), reverse=True)
        kept_here = [r for r in kept.values() if r["source"] == source]
        assert all(r["quality_score"] >= cutoff for r in kept_here)
        assert 7 <= len(kept_here) <= 9  # 25% of 30, give or take a tie at the cut-off
        assert {r["id"] for r in kept_here} >= {
            i for i, r in every.items() if r["source"] == source and r["quality_score"] > scores[8]
        }
    assert {r["reject_reason"] for r in rejected.values()} == {"quality:below_top_fraction"}


def test_pareto_sampling_is_deterministic_and_follows_the_lomax_tail(spark, tmp_path, corpus, model_path):
    from pyspark.sql import functions as F

    from jobs.quality import pareto_draw

    ids = spark.range(200_000).select(F.col("id").cast("string").alias("id"))
    draws = ids.select(pareto_draw(seed=3, alpha=9.0).alias("x"))
    for score in (0.1, 0.5, 0.9):
        share = draws.filter(F.col("x") > 1.0 - score).count() / 200_000
        assert share == pytest.approx((2.0 - score) ** -9.0, abs=0.005)  # P(X > 1 - s) for Lomax(9)

    docs = _documents(corpus)
    data = _write(tmp_path / "in", docs)
    first, rejected, _ = _run(
        spark, data, tmp_path / "a", models=[{"path": model_path}], keep="pareto", seed=1
    )
    reshuffled = tmp_path / "in-parts"  # the same documents in another order and in three files
    random.Random(5).shuffle(docs)
    for part in range(3):
        reshuffled.mkdir(exist_ok=True)
        pq.write_table(pa.Table.from_pylist(docs[part::3]), reshuffled / f"part-{part}.parquet")
    again, _, _ = _run(
        spark, reshuffled, tmp_path / "b", models=[{"path": model_path}], keep="pareto", seed=1
    )
    other_seed, _, _ = _run(spark, data, tmp_path / "c", models=[{"path": model_path}], keep="pareto", seed=2)
    assert set(first) == set(again) and set(first) != set(other_seed)
    assert {r["reject_reason"] for r in rejected.values()} == {"quality:not_sampled"}
    assert sum(i.startswith("good") for i in first) > sum(i.startswith("bad") for i in first)


def test_models_are_routed_by_kind_and_language(spark, tmp_path, corpus, model_path):
    code_model = _train(corpus, tmp_path / "flipped.bin", flipped=True)
    docs = _documents(corpus)[:4]
    docs += [
        {"id": "de", "text": corpus["good"][0], "source": "web-a", "kind": "text", "lang": "de"},
        {"id": "code", "text": "def f(x):\n    return x\n", "source": "git", "kind": "code", "lang": None},
        {"id": "task", "text": corpus["good"][1], "source": "t", "kind": "task", "lang": "en"},
    ]
    data = _write(tmp_path / "in", docs)
    models = [
        {"path": model_path, "kinds": ["text"], "languages": ["en"]},
        {"path": code_model, "kinds": ["code", "task"]},
    ]
    kept, rejected, manifest = _run(spark, data, tmp_path / "out", models=models, keep="threshold")
    every = {**kept, **rejected}
    assert every["good00"]["quality_model"] == model_path
    assert every["code"]["quality_model"] == code_model and every["task"]["quality_model"] == code_model
    # a German text document: no model scores it, it is kept with a null score
    assert "de" in kept and kept["de"]["quality_score"] is None and kept["de"]["quality_model"] is None
    assert manifest["stats"]["unscored"] == 1
    # the same paragraph, scored by opposite models
    assert every["good01"]["quality_score"] > 0.5 > every["task"]["quality_score"]


def test_plain_id_and_text_input_is_scored_by_models_for_every_language(spark, tmp_path, corpus, model_path):
    data = _write(tmp_path / "in", [{"id": str(i), "text": t} for i, t in enumerate(corpus["good"][:5])])
    kept, rejected, _ = _run(spark, data, tmp_path / "out", models=[{"path": model_path}])
    assert len(kept) == 5 and all(r["quality_model"] == model_path for r in kept.values())


def test_model_loaded_once_per_worker_not_per_batch(spark, tmp_path, corpus, model_path):
    import jobs.quality as stage
    from jobs.text import langid as lid

    own_copy = str(tmp_path / "own.bin")  # a path no other test loaded: its counter starts at 0
    shutil.copy(model_path, own_copy)
    rows = _documents(corpus)
    docs = spark.createDataFrame(rows).coalesce(1)
    scorer = stage._scorer(QualitySettings(models=[{"path": own_copy}]), {})

    def with_loads(batches):
        for number, out in enumerate(scorer(batches)):
            yield pa.RecordBatch.from_pydict(
                {
                    "batch": [number] * out.num_rows,
                    "pid": [os.getpid()] * out.num_rows,
                    "loads": [lid.load_count(own_copy)] * out.num_rows,
                }
            )

    previous = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "8")
    try:
        seen = docs.mapInArrow(with_loads, "batch long, pid long, loads long").collect()
    finally:
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", previous)
    assert len(seen) == 60 and len({r.batch for r in seen}) == 8 and len({r.pid for r in seen}) == 1
    assert {r.loads for r in seen} == {1}


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "model file not found"),
        (b"", "empty"),
        (b"\x00" * 10, "not a usable fastText model"),
        (os.urandom(100), "not a usable fastText model"),
        (b"__label__hq this is a training file, not a model\n" * 50, "not a usable fastText model"),
    ],
)
def test_missing_or_corrupt_model_fails_before_the_stage_starts(tmp_path, content, message):
    path = tmp_path / "model.bin"
    if content is not None:
        path.write_bytes(content)
    spec = StageSpec.load("quality", QualitySettings(models=[{"path": str(path)}]))
    started = time.time()
    with pytest.raises(ModelUnusable, match=message):
        spec.preflight()
    assert time.time() - started < 120


def test_a_model_without_the_positive_label_is_refused(tmp_path, corpus, model_path):
    spec = StageSpec.load(
        "quality", QualitySettings(models=[{"path": model_path, "positive_label": "__label__good"}])
    )
    with pytest.raises(ModelUnusable, match=f"no label '__label__good'.*{NEGATIVE_LABEL}|{POSITIVE_LABEL}"):
        spec.preflight()


def test_a_retrained_model_at_the_same_path_forks_the_fingerprint(tmp_path, corpus):
    path = tmp_path / "m.bin"
    _train(corpus, path)
    settings = QualitySettings(models=[QualityModel(path=str(path))])
    before = stage_fingerprint(
        "quality", settings, "input", StageSpec.load("quality", settings).external_inputs
    )
    _train(corpus, path, flipped=True)
    after = stage_fingerprint(
        "quality", settings, "input", StageSpec.load("quality", settings).external_inputs
    )
    assert before != after


def test_the_shipped_default_model_loads_and_knows_the_positive_label():
    spec = StageSpec.load("quality", QualitySettings())
    spec.preflight()
    assert len(spec.external_inputs["default"]) == 64


def test_a_model_on_s3_is_checked_fingerprinted_and_scores_in_the_stage(
    spark, tmp_path, corpus, model_path, s3_bucket
):
    fs = fsspec.filesystem("s3")
    fs.put_file(model_path, f"{s3_bucket}/models/quality.bin")
    url = f"s3://{s3_bucket}/models/quality.bin"
    spec = StageSpec.load("quality", QualitySettings(models=[{"path": url}]))
    spec.preflight()
    assert spec.external_inputs == {url: _sha256(model_path)}
    data = _write(tmp_path / "in", _documents(corpus)[:6])
    kept, _, _ = _run(spark, data, tmp_path / "out", models=[{"path": url}])
    local, _, _ = _run(spark, data, tmp_path / "local", models=[{"path": model_path}])
    assert {k: r["quality_score"] for k, r in kept.items()} == {
        k: r["quality_score"] for k, r in local.items()
    }
    with pytest.raises(ModelUnusable, match="model file not found"):
        StageSpec.load(
            "quality", QualitySettings(models=[{"path": f"s3://{s3_bucket}/models/nosuch.bin"}])
        ).preflight()
