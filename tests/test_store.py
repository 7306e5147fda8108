"""The versioned store without Spark: commit, reuse lookup, leftovers, LATEST, analyst manifests."""

from __future__ import annotations

import duckdb
import pytest

from jobs.store import Store


@pytest.fixture(params=["local", "memory", "s3"])
def store_url(request, tmp_path):
    """The store works on any fsspec filesystem: local disk, memory, and a real S3 server (moto)."""
    if request.param == "local":
        return str(tmp_path)
    if request.param == "memory":
        return f"memory://{tmp_path.name}"
    bucket = request.getfixturevalue("s3_bucket")
    return f"s3://{bucket}/corpora"


def _manifest(store: Store, version: str, stage: str, fingerprint: str, rows: int = 3) -> dict:
    rel = f"versions/{version}/{stage}/kept/part-abc-00000.parquet"
    store.fs.makedirs(store.path(f"versions/{version}/{stage}/kept"), exist_ok=True)
    store.fs.pipe_file(store.path(rel), b"data")
    return {
        "stage": stage,
        "version": version,
        "fingerprint": fingerprint,
        "created_at": "2026-01-01T00:00:00+00:00",
        "reused_from": None,
        "files": [{"output": "kept", "file": rel, "rows": rows, "bytes": 4}],
        "schema_hashes": {"kept": "h1", "rejected": "h2"},
        "counters": {"docs_in": rows, "docs_out": rows, "rejected": 0},
    }


def test_commit_then_reuse_by_fingerprint(store_url):
    store = Store(store_url, "c")
    store.begin_version("v1", {})
    store.commit_stage("v1", "ingest", _manifest(store, "v1", "ingest", "fp1"))
    assert store.find_reusable("ingest", "fp1")["version"] == "v1"
    assert store.find_reusable("ingest", "other") is None


def test_reuse_refused_when_committed_files_are_gone(store_url):
    store = Store(store_url, "c")
    manifest = _manifest(store, "v1", "ingest", "fp1")
    store.commit_stage("v1", "ingest", manifest)
    store.fs.rm_file(store.path(manifest["files"][0]["file"]))
    assert store.find_reusable("ingest", "fp1") is None


def test_commit_removes_leftovers_of_crashed_attempts(store_url):
    store = Store(store_url, "c")
    stray = store.path("versions/v1/ingest/kept/part-crashed-00000.parquet")
    store.fs.makedirs(store.path("versions/v1/ingest/_attempts/dead/kept"), exist_ok=True)
    store.fs.pipe_file(store.path("versions/v1/ingest/_attempts/dead/kept/part-0.parquet"), b"x")
    manifest = _manifest(store, "v1", "ingest", "fp1")
    store.fs.pipe_file(stray, b"left by a crash")
    store.commit_stage("v1", "ingest", manifest)
    assert not store.fs.exists(stray)
    assert not store.fs.exists(store.path("versions/v1/ingest/_attempts"))
    assert store.fs.exists(store.path(manifest["files"][0]["file"]))


def test_latest_moves_only_when_every_stage_committed(store_url, tmp_path):
    store = Store(store_url, "c")
    store.begin_version("v1", {})
    store.commit_stage("v1", "ingest", _manifest(store, "v1", "ingest", "fp1"))
    assert store.finish_version("v1", ["ingest"])["status"] == "published"
    assert store.latest() == "v1"

    store.begin_version("v2", {})
    store.commit_stage("v2", "ingest", _manifest(store, "v2", "ingest", "fp2"))
    info = store.finish_version("v2", ["ingest", "filter"])  # filter never committed
    assert info["status"] == "failed" and store.latest() == "v1"

    store.begin_version("v3", {})
    store.commit_stage("v3", "ingest", _manifest(store, "v3", "ingest", "fp3"))
    assert store.finish_version("v3", ["ingest"], error="boom")["status"] == "failed"
    assert store.latest() == "v1"
    assert [v["status"] for v in store.versions()] == ["published", "failed", "failed"]
    assert not list(tmp_path.glob("c/LATEST.tmp-*"))  # the atomic replace left no temp file


def test_manifest_table_is_queryable_with_duckdb(tmp_path):
    store = Store(str(tmp_path), "c")
    store.begin_version("v1", {})
    store.commit_stage("v1", "ingest", _manifest(store, "v1", "ingest", "fp1", rows=7))
    store.finish_version("v1", ["ingest", "langid"])
    rows = duckdb.sql(
        f"SELECT version, stage, stage_status, rows, fingerprint FROM '{tmp_path}/c/manifests/*.parquet' ORDER BY stage"
    ).fetchall()
    assert rows == [("v1", "ingest", "committed", 7, "fp1"), ("v1", "langid", "not_run", None, None)]


def test_rollback_points_latest_at_an_earlier_published_version(store_url):
    store = Store(store_url, "c")
    for version in ("v1", "v2"):
        store.begin_version(version, {"chain": ["ingest"]})
        store.commit_stage(version, "ingest", _manifest(store, version, "ingest", f"fp-{version}"))
        store.finish_version(version, ["ingest"])
    store.begin_version("v3", {"chain": ["ingest"]})
    store.finish_version("v3", ["ingest"], error="boom")
    assert store.latest() == "v2"

    assert store.set_latest("v1") == "v2" and store.latest() == "v1"
    with pytest.raises(ValueError, match="'failed', not published"):
        store.set_latest("v3")
    with pytest.raises(FileNotFoundError):
        store.set_latest("v9")
    store.fs.rm_file(store.path(store.stage_manifest("v2", "ingest")["files"][0]["file"]))
    with pytest.raises(ValueError, match="stage ingest lacks files"):
        store.set_latest("v2")
    assert store.latest() == "v1"
