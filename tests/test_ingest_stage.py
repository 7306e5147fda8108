"""The ingest stage on a real local Spark session: every format, bad records, ids, conservation."""

from __future__ import annotations

import json
from collections import Counter

import pyarrow.parquet as pq
import pytest

from jobs.pipeline import ingest_input, run_stage_on_folder
from jobs.runner import StageSpec
from schemas.recipe import SourceSpec, load_recipe
from tests.conftest import SAMPLE_RECIPE


def _read(output, name):
    manifest = json.loads((output / "_manifest.json").read_text())
    files = [output / f["file"] for f in manifest["files"] if f["output"] == name]
    return pq.read_table(files).to_pylist() if files else []


def _ingest(spark, sources, output, settings=None):
    settings = settings or load_recipe(SAMPLE_RECIPE).stages.ingest
    spec = StageSpec.load("ingest", settings)
    return run_stage_on_folder(lambda: spark, spec, ingest_input(sources, settings), str(output))


@pytest.fixture(scope="module")
def sample_run(spark, tmp_path_factory):
    recipe = load_recipe(SAMPLE_RECIPE)
    output = tmp_path_factory.mktemp("ingest")
    manifest = _ingest(spark, recipe.sources, output, recipe.stages.ingest)
    return manifest, output


def test_nothing_is_lost(sample_run):
    manifest, output = sample_run
    counters = manifest["counters"]
    kept, rejected = _read(output, "kept"), _read(output, "rejected")
    assert counters["docs_in"] == len(kept) + len(rejected) == counters["docs_out"] + counters["rejected"]
    assert counters["docs_out"] == len(kept) > 200


def test_rejects_match_what_the_sample_planted(sample_run, expected_sample):
    manifest, output = sample_run
    planted = Counter()
    for entry in expected_sample.values():
        planted.update(entry["rejected"])
    assert manifest["counters"]["rejected_by_reason"] == dict(planted)
    assert Counter(r["reject_reason"] for r in _read(output, "rejected")) == planted
    assert all(r["reject_stage"] == "ingest" for r in _read(output, "rejected"))


def test_unreadable_files_are_quarantined_and_the_run_goes_on(sample_run, expected_sample):
    manifest, _ = sample_run
    quarantined = {
        q["path"].split("/", 1)[-1] if "/" in q["path"] else q["path"] for q in manifest["quarantine"]
    }
    planted = {p.split("/")[-1] for p, e in expected_sample.items() if e["quarantine"]}
    assert {q.split("/")[-1] for q in quarantined} == planted
    assert all(q["error"] for q in manifest["quarantine"])
    gz = [q for q in manifest["quarantine"] if q["path"].endswith(".gz")]
    assert gz and gz[0]["records_read"] > 0  # records before the truncation were kept, and counted


def test_kept_documents_follow_the_schema(sample_run):
    _, output = sample_run
    kept = _read(output, "kept")
    assert len({d["id"] for d in kept}) == len(kept)
    for doc in kept:
        assert doc["text"].strip() and "\x00" not in doc["text"] and "\r" not in doc["text"]
        assert doc["kind"] in ("text", "code")
        assert (doc["code_lang"] is not None) == (doc["kind"] == "code")
    assert {d["source"] for d in kept} == {"web", "docs-parquet", "crawl", "code", "docs"}
    assert any(d["url"] and d["url"].startswith("http") for d in kept if d["source"] == "crawl")


def test_ids_are_stable_across_runs(spark, sample_run, tmp_path):
    manifest, output = sample_run
    recipe = load_recipe(SAMPLE_RECIPE)
    again = _ingest(spark, recipe.sources, tmp_path / "again", recipe.stages.ingest)
    first = sorted((d["id"], d["text"]) for d in _read(output, "kept"))
    second = sorted((d["id"], d["text"]) for d in _read(tmp_path / "again", "kept"))
    assert first == second
    assert again["fingerprint"] == manifest["fingerprint"]


def test_same_record_id_in_two_files_keeps_the_first(spark, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.jsonl").write_text('{"id": "r1", "text": "first copy"}\n{"id": "r2", "text": "other"}\n')
    (data / "b.jsonl").write_text('{"id": "r1", "text": "second copy"}\n')
    _ingest(spark, [SourceSpec(name="web", kind="text", paths=[str(data)])], tmp_path / "out")
    kept = {d["text"] for d in _read(tmp_path / "out", "kept")}
    rejected = _read(tmp_path / "out", "rejected")
    assert kept == {"first copy", "other"}
    assert [(r["text"], r["reject_reason"]) for r in rejected] == [("second copy", "ingest:duplicate_id")]


def test_split_large_jsonl_gives_the_same_documents(spark, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "big.jsonl").write_text(
        "".join(json.dumps({"text": f"document {i} " + "lorem " * (i % 40)}) + "\n" for i in range(400))
        + "{broken json\n"
    )
    source = [SourceSpec(name="web", kind="text", paths=[str(data)])]
    settings = load_recipe(SAMPLE_RECIPE).stages.ingest
    whole = _ingest(spark, source, tmp_path / "whole", settings.model_copy(update={"split_bytes": 0}))
    split = _ingest(spark, source, tmp_path / "split", settings.model_copy(update={"split_bytes": 2048}))
    assert split["stats"]["units"] > 5 and whole["stats"]["units"] == 1
    for name in ("kept", "rejected"):
        assert sorted((d["id"], d["text"]) for d in _read(tmp_path / "whole", name)) == sorted(
            (d["id"], d["text"]) for d in _read(tmp_path / "split", name)
        )
    assert split["counters"]["docs_in"] == 401 and split["counters"]["rejected_by_reason"] == {
        "ingest:invalid_json": 1
    }
