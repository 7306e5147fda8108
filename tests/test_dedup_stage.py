"""The dedup stage through Spark: exact, whitespace and near copies removed, chains merged, CJK,
the best document kept, dup_cluster everywhere, the same result for any partitioning."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from jobs.text.dedup.minhash import band_keys, minhash_signatures
from jobs.text.dedup.shingles import reference_shingles, shingle_batch
from schemas.dedup import DedupSettings

FIXTURE = Path(__file__).parent / "fixtures" / "filter_docs.parquet"


def _jaccard(a: str, b: str) -> float:
    x, y = reference_shingles(a), reference_shingles(b)
    return len(x & y) / len(x | y)


def _edit_words(text: str, every: int, start: int = 0) -> str:
    """Replace every `every`-th word (from `start`) by a new one: a near copy."""
    words = text.split(" ")
    for i in range(start, len(words), every):
        words[i] = f"edit{i}"
    return " ".join(words)


def _bases() -> list[dict]:
    docs = pq.read_table(FIXTURE).to_pylist()
    prose = [d for d in docs if not d["is_code"] and d["lang"] == "en" and len(d["text"].split()) > 150]
    zh = [d for d in docs if d["lang"] == "zh" and len(d["text"]) > 200]
    return prose[:12] + zh[:1]


def _corpus() -> tuple[list[dict], dict[str, str]]:
    """Rows, and for each planted cluster member that must go the id of its cluster's survivor
    (the longest text, then the smallest id)."""
    bases = _bases()
    rows = [{"id": f"base{i:02d}", "text": d["text"]} for i, d in enumerate(bases)]
    a, b, c, d, e, f, g = (rows[i]["text"] for i in range(7))
    zh_id, zh_text = rows[-1]["id"], rows[-1]["text"]
    near = _edit_words(c, 80)
    link1 = _edit_words(d, 60, 0)  # a chain: each link a near copy of the previous one
    link2 = _edit_words(link1, 60, 30)
    longer = e + " One more sentence at the end makes this copy the longest of its cluster."
    zh_copy = zh_text[:40] + "变" + zh_text[41:]  # one character changed: CJK characters are tokens
    above, below = _edit_words(f, 55), _edit_words(g, 33)  # just over and just under the threshold
    assert 0.8 <= _jaccard(f, above) < 0.86 and 0.7 < _jaccard(g, below) < 0.8
    assert _jaccard(c, near) > 0.85 and _jaccard(e, longer) > 0.9 and _jaccard(zh_text, zh_copy) > 0.9
    assert _jaccard(d, link1) > 0.8 and _jaccard(link1, link2) > 0.8
    copies = {
        "exact_of_00": a,
        "space_of_01": b.replace(" ", "  ").replace("\n", "\r\n") + "\u00a0",  # same after normalisation
        "near_of_02": near,
        "chain1_of_03": link1,
        "chain2_of_03": link2,
        "longer_of_04": longer,
        "zh_copy": zh_copy,
        "unrelated": _edit_words(c, 2),  # half the words changed: not a copy
        "above_of_05": above,
        "below_of_06": below,
    }
    rows += [{"id": k, "text": v} for k, v in copies.items()]
    text = {r["id"]: r["text"] for r in rows}
    clusters = [
        ["base00", "exact_of_00"],
        ["base01", "space_of_01"],
        ["base02", "near_of_02"],
        ["base03", "chain1_of_03", "chain2_of_03"],
        ["base04", "longer_of_04"],
        [zh_id, "zh_copy"],
        ["base05", "above_of_05"],
    ]
    expect = {}
    for members in clusters:
        survivor = min(members, key=lambda m: (-len(text[m]), m))
        expect.update({m: survivor for m in members if m != survivor})
    assert expect["base04"] == "longer_of_04" and expect["exact_of_00"] == "base00"
    return rows, expect


def _write_input(folder: Path, rows: list[dict], parts: int = 1) -> Path:
    folder.mkdir(parents=True)
    for k in range(parts):
        pq.write_table(pa.Table.from_pylist(rows[k::parts]), folder / f"part-{k}.parquet")
    return folder


def _outputs(root: Path, manifest: dict) -> dict:
    found = {}
    for f in manifest["files"]:
        if f["output"] in ("kept", "rejected"):
            for row in pq.read_table(root / f["file"]).to_pylist():
                found[row["id"]] = (f["output"], row["dup_cluster"], row.get("reject_reason"))
    return found


def _run(
    spark, tmp_path: Path, rows: list[dict], settings: DedupSettings, parts: int = 1
) -> tuple[dict, dict]:
    folder = _write_input(tmp_path / f"in{parts}", rows, parts)
    out = tmp_path / f"out{parts}"
    run_stage_on_folder(
        lambda: spark,
        StageSpec.load("dedup", settings),
        folder_input(fsspec.filesystem("file"), str(folder)),
        str(out),
    )
    manifest = json.loads((out / "_manifest.json").read_text())
    return manifest, _outputs(out, manifest)


@pytest.fixture(scope="module")
def default_runs(spark, tmp_path_factory):
    """The planted corpus with default settings: in one file, and reversed in three (shared by the
    tests below: a stage run costs tens of seconds)."""
    rows, expect = _corpus()
    manifest, one = _run(spark, tmp_path_factory.mktemp("one"), rows, DedupSettings(), parts=1)
    _, three = _run(spark, tmp_path_factory.mktemp("three"), list(reversed(rows)), DedupSettings(), parts=3)
    return rows, expect, manifest, one, three


def test_copies_removed_and_best_kept(default_runs):
    rows, expect, manifest, found, _ = default_runs
    assert set(found) == {r["id"] for r in rows}
    for doc, survivor in expect.items():
        output, cluster, reason = found[doc]
        assert (output, cluster) == ("rejected", survivor), doc
        assert found[survivor][:2] == ("kept", survivor)
    reasons = {doc: found[doc][2] for doc in expect}
    assert reasons["exact_of_00"] == reasons["base01"] == "dedup:exact"  # byte and whitespace copies
    assert {reasons[d] for d in expect if d not in ("exact_of_00", "base01")} == {"dedup:near"}
    assert found["unrelated"][:2] == ("kept", "unrelated")
    assert found["below_of_06"][:2] == ("kept", "below_of_06")  # Jaccard 0.7-0.8: not a copy
    kept_ids = {d for d, (output, _, _) in found.items() if output == "kept"}
    assert all(found[d][1] == d for d in kept_ids)
    assert manifest["counters"]["rejected"] == len(expect)
    assert not [f for f in manifest["files"] if f["output"] == "keys"]  # no store, no history to keep


def test_same_result_for_any_partitioning(default_runs):
    _, _, _, one, three = default_runs
    assert one == three


def test_quality_score_decides_the_survivor(spark, tmp_path):
    rows, _ = _corpus()
    for row in rows:
        row["quality_score"] = 0.5
    for row in rows:
        if row["id"] == "near_of_02":
            row["quality_score"] = 0.9
    _, found = _run(spark, tmp_path, rows, DedupSettings())
    assert found["near_of_02"][:2] == ("kept", "near_of_02")
    assert found["base02"][:3] == ("rejected", "near_of_02", "dedup:near")


def test_steps_can_be_turned_off(spark, tmp_path):
    rows, _ = _corpus()
    _, found = _run(spark, tmp_path, rows, DedupSettings(near=False))
    assert found["near_of_02"][0] == "kept"
    assert found["exact_of_00"][2] == "dedup:exact"
    second = tmp_path / "second"
    second.mkdir()
    _, found = _run(spark, second, rows, DedupSettings(exact=False, verify=False))
    assert found["exact_of_00"][2] == "dedup:near"  # an exact copy is also a near copy


def test_url_step(spark, tmp_path):
    rows = [
        {"id": "a", "text": "first page text here", "url": "https://www.example.org/page?utm_source=x"},
        {"id": "b", "text": "a different text entirely", "url": "http://example.org/page/"},
        {"id": "c", "text": "unrelated page", "url": "https://example.org/other"},
    ]
    _, found = _run(spark, tmp_path, rows, DedupSettings(url=True, near=False))
    assert found["a"][:3] == ("rejected", "b", "dedup:url")  # b's text is longer
    assert found["b"][0] == found["c"][0] == "kept"


def test_settings_check_bands_and_rows():
    with pytest.raises(ValueError):
        DedupSettings(bands=10)
    with pytest.raises(ValueError):
        DedupSettings(bands=20, rows=10, num_perm=128)
    assert DedupSettings(bands=16, rows=8).bands == 16


def test_copies_sharing_buckets_only_with_a_dissimilar_smaller_id_are_found(spark, tmp_path):
    """C < A < B by id, J(A, B) >= 0.8, C below the threshold with both, all three in one LSH bucket:
    star edges from the bucket's smallest id (C) would verify neither, yet A and B are copies."""
    base = _bases()[7]["text"]
    a, b, c = _edit_words(base, 100, 0), _edit_words(base, 100, 50), _edit_words(base, 20, 10)
    assert _jaccard(a, b) >= 0.8 and _jaccard(c, a) < 0.8 and _jaccard(c, b) < 0.8
    texts = pa.array([c, a, b])
    seed = next(  # a permutation seed under which the three share the one band's key
        s
        for s in range(1, 200)
        if len(set(band_keys(minhash_signatures(shingle_batch(texts), 8, s), 1, 8)[:, 0])) == 1
    )
    rows = [{"id": "c_unlike", "text": c}, {"id": "x_a", "text": a}, {"id": "x_b", "text": b}]
    settings = DedupSettings(num_perm=8, bands=1, rows=8, seed=seed)
    _, found = _run(spark, tmp_path, rows, settings)
    assert found["c_unlike"][:2] == ("kept", "c_unlike")
    survivor = found["x_a"][1]
    assert survivor in ("x_a", "x_b") and found["x_b"][1] == survivor
    star_only = tmp_path / "star"
    star_only.mkdir()
    _, found = _run(spark, star_only, rows, settings.model_copy(update={"all_pairs_bucket_size": 2}))
    assert found["x_a"][0] == found["x_b"][0] == "kept"  # what star edges alone miss
