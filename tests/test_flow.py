"""The Prefect flow `curate` end to end on the real (ephemeral, test-harness) Prefect API and local Spark."""

from __future__ import annotations

import json
import time

import pyarrow.parquet as pq
import pytest

import flows.curate as curate_flow
from jobs.store import Store
from jobs.validate import ValidationFailed
from tests.conftest import SAMPLE_DATA, SAMPLE_RECIPE, write_recipe
from tests.probe_stage import ProbeSettings, probe_spec

pytestmark = pytest.mark.usefixtures("prefect_api", "spark")


def _kept_rows(store: Store, manifest: dict) -> list[dict]:
    files = [store.path(f["file"]) for f in manifest["files"] if f["output"] == "kept"]
    return pq.read_table(files).to_pylist()


def test_sample_recipe_builds_and_publishes_a_version(tmp_path, expected_sample):
    store_dir = tmp_path / "store"
    started = time.time()
    version = curate_flow.curate(str(SAMPLE_RECIPE), [f"store={store_dir}"])
    first_seconds = time.time() - started
    store = Store(str(store_dir), "sample")
    assert store.latest() == version
    info = store.version_info(version)
    assert info["status"] == "published" and info["stages"]["ingest"]["status"] == "committed"
    manifest = store.stage_manifest(version, "ingest")
    assert (
        manifest["counters"]["docs_in"] == manifest["counters"]["docs_out"] + manifest["counters"]["rejected"]
    )
    assert len(manifest["quarantine"]) == sum(e["quarantine"] for e in expected_sample.values())
    assert (store_dir / "sample" / "manifests" / f"{version}.parquet").exists()
    assert info["chain"][-2:] == ["tokenize", "instructions"]
    handoff = json.loads((store_dir / "sample" / "versions" / version / "handoff.json").read_text())
    tokenize = store.stage_manifest(version, "tokenize")
    assert (
        handoff["tokens"]
        == tokenize["stats"]["tokens"]
        == sum(r["n_tokens"] for r in _kept_rows(store, tokenize))
    )
    assert {g["name"] for g in handoff["groups"]} <= {"web-en", "code", "other"}
    collection = store.stage_manifest(version, "instructions")
    reasons = collection["counters"]["rejected_by_reason"]
    assert reasons["decontam:sample-qa"] == 1 and reasons["instructions:duplicate"] == 3
    assert len(collection["stats"]["diversity"]["task_types"]) == 9
    export = json.loads(
        (
            store_dir / "sample" / "versions" / version / "exports" / "instructions" / "_export.json"
        ).read_text()
    )
    assert export["rows"] == collection["counters"]["docs_out"]

    # The stage table artifact is in the Prefect API.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["curate-stages"]))
        )
    assert artifacts and any("ingest" in json.dumps(a.data) for a in artifacts)
    with get_client(sync_client=True) as client:
        diversity = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["instructions-diversity"]))
        )
    assert diversity and "task type" in diversity[0].data

    # An unchanged rerun reuses the committed output: a new version, no stage re-run.
    started = time.time()
    second = curate_flow.curate(str(SAMPLE_RECIPE), [f"store={store_dir}"])
    rerun_seconds = time.time() - started
    assert second != version and store.latest() == second
    reused = store.stage_manifest(second, "ingest")
    assert reused["reused_from"] == version and reused["files"] == manifest["files"]
    assert store.version_info(second)["stages"]["ingest"]["status"] == "reused"
    assert rerun_seconds < first_seconds
    # the rerun's handoff points at the first version's token files, which it reuses
    moved = json.loads((store_dir / "sample" / "versions" / second / "handoff.json").read_text())
    prefix = moved["groups"][0]["prefixes"][0]
    assert prefix.startswith(f"../{version}/tokenize/tokens/")
    assert (store_dir / "sample" / "versions" / second / f"{prefix}.bin").exists()

    # The analyst query of docs/analysts.md reads exactly the files the (reused) version names.
    import duckdb

    root = f"{store_dir}/sample"
    reasons = dict(
        duckdb.sql(
            f"SELECT reject_reason, count(*) FROM read_parquet('{root}/versions/*/ingest/rejected/*.parquet', "
            f"filename = true) AS d JOIN '{root}/manifests/{second}.parquet' AS m ON d.filename = '{root}/' || m.file "
            "GROUP BY 1"
        ).fetchall()
    )
    assert reasons == manifest["counters"]["rejected_by_reason"]

    # A changed setting forks a new output.
    third = curate_flow.curate(str(SAMPLE_RECIPE), [f"store={store_dir}", "ingest.max_bytes=200000"])
    changed = store.stage_manifest(third, "ingest")
    assert changed["reused_from"] is None and changed["fingerprint"] != manifest["fingerprint"]
    assert "ingest:too_large" not in changed["counters"]["rejected_by_reason"]


@pytest.fixture
def small_recipe(tmp_path):
    return write_recipe(
        tmp_path / "r.yaml",
        tmp_path / "store",
        [{"name": "web", "kind": "text", "paths": [str(SAMPLE_DATA / "web" / "pages-001.jsonl.gz")]}],
    )


def _with_probe(monkeypatch, settings: ProbeSettings):
    original = curate_flow.stage_spec
    monkeypatch.setattr(curate_flow, "CHAIN", ("ingest", "probe"))
    monkeypatch.setattr(
        curate_flow,
        "stage_spec",
        lambda stage, recipe: probe_spec(settings) if stage == "probe" else original(stage, recipe),
    )


def test_crashed_run_resumes_at_first_unfinished_stage(tmp_path, small_recipe, monkeypatch):
    marker = tmp_path / "crash-now"
    marker.write_text("x")
    _with_probe(monkeypatch, ProbeSettings(crash_marker=str(marker)))
    store = Store(str(tmp_path / "store"), "t")

    with pytest.raises(RuntimeError, match="simulated crash"):
        curate_flow.curate(str(small_recipe))
    (crashed,) = [v["version"] for v in store.versions()]
    assert store.version_info(crashed)["status"] == "failed"
    assert store.version_info(crashed)["stages"]["probe"]["status"] == "failed"
    assert store.latest() is None
    ingest_manifest = store.stage_manifest(crashed, "ingest")
    assert ingest_manifest is not None and store.stage_manifest(crashed, "probe") is None

    # What a killed process leaves behind: part files with no manifest naming them.
    stray_dir = tmp_path / "store" / "t" / "versions" / crashed / "probe" / "kept"
    stray_dir.mkdir(parents=True)
    pq.write_table(
        pq.read_table(store.path(ingest_manifest["files"][0]["file"])), stray_dir / "part-dead-0.parquet"
    )
    extra = tmp_path / "store" / "t" / "versions" / crashed / "ingest" / "kept" / "part-dead-00000.parquet"
    pq.write_table(pq.read_table(store.path(ingest_manifest["files"][0]["file"])), extra)

    marker.unlink()
    version = curate_flow.curate(str(small_recipe))
    info = store.version_info(version)
    assert info["status"] == "published" and store.latest() == version
    assert (
        info["stages"]["ingest"]["status"] == "reused" and info["stages"]["ingest"]["reused_from"] == crashed
    )
    assert info["stages"]["probe"]["status"] == "committed"
    probe = store.stage_manifest(version, "probe")
    # The probe read exactly the committed ingest output, never the stray copy.
    assert probe["counters"]["docs_in"] == ingest_manifest["counters"]["docs_out"]
    kept_ids = [d["id"] for d in _kept_rows(store, probe)]
    assert len(kept_ids) == len(set(kept_ids))


def test_transient_failure_is_retried_by_prefect(tmp_path, small_recipe, monkeypatch):
    marker = tmp_path / "fail-once"
    marker.write_text("x")
    _with_probe(monkeypatch, ProbeSettings(fail_once_marker=str(marker)))
    version = curate_flow.curate(str(small_recipe))
    store = Store(str(tmp_path / "store"), "t")
    assert store.latest() == version and not marker.exists()
    assert store.version_info(version)["stages"]["probe"]["status"] == "committed"


def test_failed_expectations_stop_the_version(tmp_path, small_recipe, monkeypatch):
    store = Store(str(tmp_path / "store"), "t")
    good = curate_flow.curate(str(small_recipe))
    _with_probe(monkeypatch, ProbeSettings(corrupt_kind=True))

    with pytest.raises(ValidationFailed) as err:
        curate_flow.curate(str(small_recipe))
    assert "expect_column_values_to_be_in_set" in str(err.value) and "kind" in str(err.value)
    failed = [v for v in store.versions() if v["version"] != good][0]
    assert failed["status"] == "failed" and "expect_column_values_to_be_in_set" in failed["error"]
    assert store.latest() == good
    assert store.stage_manifest(failed["version"], "probe") is None
    report = json.loads(
        (tmp_path / "store" / "t" / "versions" / failed["version"] / "probe" / "_validation.json").read_text()
    )
    assert report["probe.kept"]["success"] is False
    assert not list(
        (tmp_path / "store" / "t" / "versions" / failed["version"] / "probe").glob("kept/*.parquet")
    )
