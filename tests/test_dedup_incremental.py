"""Incremental dedup in a store: each version is deduplicated against the keys earlier versions
kept; what was seen keeps its decision, what was removed is never re-admitted, and an earlier
survivor wins over a new copy of it."""

from __future__ import annotations

from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest

from jobs.pipeline import folder_input, run_stage_in_version
from jobs.runner import StageSpec
from jobs.store import Store
from schemas.dedup import DedupSettings
from tests.test_dedup_stage import _bases, _edit_words, _outputs, _write_input


def _build(spark, store: Store, version: str, rows: list[dict], tmp: Path) -> tuple[dict, dict]:
    folder = _write_input(tmp / f"input-{version}", rows)
    store.begin_version(version, {})
    manifest = run_stage_in_version(
        store,
        version,
        StageSpec.load("dedup", DedupSettings()),
        folder_input(fsspec.filesystem("file"), str(folder)),
        lambda: spark,
    )
    assert store.finish_version(version, ["dedup"])["status"] == "published"
    return manifest, _outputs(Path(store.root), manifest)


def _key_ids(store: Store, manifest: dict, carried: bool) -> set[str]:
    files = [f for f in manifest["files"] if f["output"] == "keys" and bool(f.get("carried")) == carried]
    return {
        i for f in files for i in pq.read_table(f"{store.root}/{f['file']}", columns=["id"])["id"].to_pylist()
    }


@pytest.fixture(scope="module")
def versions(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("incremental")
    store = Store(str(tmp / "store"), "web")
    texts = [d["text"] for d in _bases()]
    a, b, c, d, e = texts[:5]
    v1_rows = [
        {"id": "v1_a", "text": a},
        {"id": "v1_a_copy", "text": a},
        {"id": "v1_b", "text": b},
        {"id": "v1_b_near", "text": _edit_words(b, 80)},
        {"id": "v1_c", "text": c},
        {"id": "v1_d", "text": d},
    ]
    v1 = _build(spark, store, "v1", v1_rows, tmp)
    found1 = v1[1]
    b_kept = next(i for i in ("v1_b", "v1_b_near") if found1[i][0] == "kept")
    b_removed = ({"v1_b", "v1_b_near"} - {b_kept}).pop()
    text1 = {r["id"]: r["text"] for r in v1_rows}
    c_changed = _edit_words(c, 40)
    v2_rows = [
        {"id": "v1_a", "text": a},  # seen, kept
        {"id": "v1_a_copy", "text": a},  # seen, removed: stays removed
        {"id": b_removed, "text": text1[b_removed]},  # its survivor is not in this input: still removed
        {"id": "v1_c", "text": c_changed},  # same id, new text: a new document
        {"id": "v2_copy_of_d", "text": d},  # an earlier survivor's exact copy under a new id
        # a near copy of an earlier survivor, longer than it: the earlier one still wins
        {"id": "v2_near_of_b", "text": _edit_words(text1[b_kept], 90) + " And a longer ending sentence."},
        {"id": "v2_new", "text": e},
    ]
    v2 = _build(spark, store, "v2", v2_rows, tmp)
    v3_rows = [
        {"id": "v3_copy_of_a", "text": a},  # v1's survivor, through v2's carried keys
        {"id": "v3_copy_of_c2", "text": c_changed},  # v2's new text of v1_c
    ]
    v3 = _build(spark, store, "v3", v3_rows, tmp)
    return store, v1, v2, v3, b_kept, b_removed


def test_seen_documents_keep_their_decision(versions):
    store, (m1, found1), (m2, found2), _, b_kept, b_removed = versions
    assert found2["v1_a"] == found1["v1_a"] == ("kept", "v1_a", None)
    assert found2["v1_a_copy"] == found1["v1_a_copy"] == ("rejected", "v1_a", "dedup:exact")
    assert found2[b_removed] == found1[b_removed] == ("rejected", b_kept, "dedup:near")
    assert m2["stats"]["seen_documents"] == 3
    assert m2["stats"]["history_documents"] == len(found1)


def test_new_copies_of_earlier_survivors_are_removed(versions):
    store, _, (m2, found2), _, b_kept, _ = versions
    assert found2["v2_copy_of_d"] == ("rejected", "v1_d", "dedup:exact")
    assert found2["v2_near_of_b"] == ("rejected", b_kept, "dedup:near")
    assert found2["v2_new"] == ("kept", "v2_new", None)
    # the id's earlier text does not count against its new one
    assert found2["v1_c"] == ("kept", "v1_c", None)


def test_keys_are_written_once_and_carried(versions):
    store, (m1, found1), (m2, _), (m3, found3), _, _ = versions
    assert _key_ids(store, m1, carried=False) == set(found1)
    assert _key_ids(store, m1, carried=True) == set()
    fresh2 = {"v1_c", "v2_copy_of_d", "v2_near_of_b", "v2_new"}
    assert _key_ids(store, m2, carried=False) == fresh2  # seen documents are not keyed again
    assert _key_ids(store, m2, carried=True) == set(found1)
    assert _key_ids(store, m3, carried=True) == set(found1) | fresh2
    assert found3["v3_copy_of_a"] == ("rejected", "v1_a", "dedup:exact")
    assert found3["v3_copy_of_c2"] == ("rejected", "v1_c", "dedup:exact")
    assert not store.missing_files(m3)
    assert m2["input_fingerprint"] != m3["input_fingerprint"]


def test_incremental_off_ignores_history(versions, spark, tmp_path):
    store = versions[0]
    folder = _write_input(tmp_path / "again", [{"id": "x", "text": _bases()[0]["text"]}])
    store.begin_version("v4", {})
    manifest = run_stage_in_version(
        store,
        "v4",
        StageSpec.load("dedup", DedupSettings(incremental=False)),
        folder_input(fsspec.filesystem("file"), str(folder)),
        lambda: spark,
    )
    assert _outputs(Path(store.root), manifest)["x"] == ("kept", "x", None)
    assert not [f for f in manifest["files"] if f["output"] == "keys"]


def test_same_documents_again_reuse_the_last_output(versions, spark):
    store, _, _, (m3, _), _, _ = versions
    folder = Path(store.root).parent.parent / "input-v3"  # the very input of v3
    store.begin_version("v5", {})
    manifest = run_stage_in_version(
        store,
        "v5",
        StageSpec.load("dedup", DedupSettings()),
        folder_input(fsspec.filesystem("file"), str(folder)),
        lambda: spark,
    )
    assert manifest["reused_from"] == "v3" and manifest["files"] == m3["files"]


def test_history_with_other_keys_is_not_used(versions, spark, tmp_path):
    store = versions[0]
    folder = _write_input(tmp_path / "other", [{"id": "y", "text": _bases()[0]["text"]}])  # v1_a's text
    store.begin_version("v6", {})
    manifest = run_stage_in_version(
        store,
        "v6",
        StageSpec.load("dedup", DedupSettings(num_perm=64)),
        folder_input(fsspec.filesystem("file"), str(folder)),
        lambda: spark,
    )
    assert "history_ignored" in manifest["stats"]
    assert _outputs(Path(store.root), manifest)["y"] == ("kept", "y", None)
