"""The filter stage through Spark: kept/rejected, sig_* columns, conservation, code rules for code."""

from __future__ import annotations

import json
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from schemas.filter import REASON_REGEX, SIGNAL_COLUMNS, FilterRescue, FilterSettings

FIXTURE = Path(__file__).parent / "fixtures" / "filter_docs.parquet"
PROSE_SIGNALS = [c for c in SIGNAL_COLUMNS if not c.startswith("sig_code_")]
CODE_SIGNALS = [c for c in SIGNAL_COLUMNS if c.startswith("sig_code_")]


def _outputs(out: Path) -> tuple[dict, list[dict], list[dict]]:
    manifest = json.loads((out / "_manifest.json").read_text())
    rows = {"kept": [], "rejected": []}
    for f in manifest["files"]:
        rows[f["output"]] += pq.read_table(out / f["file"]).to_pylist()
    return manifest, rows["kept"], rows["rejected"]


def _input(tmp_path: Path, with_kind: bool = True) -> tuple[Path, list[dict]]:
    docs = pq.read_table(FIXTURE).to_pylist()[::3]  # 35 docs: en, de, zh prose, junk, code
    rows = [
        {
            "id": d["id"],
            "text": d["text"],
            "source": "fixture",
            **({"kind": "code" if d["is_code"] else "text"} if with_kind else {}),
            **({"lang": None if d["is_code"] else d["lang"]} if with_kind else {}),
        }
        for d in docs
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")
    return folder, docs


def test_filter_stage_splits_documents_and_keeps_signals(spark, tmp_path):
    folder, docs = _input(tmp_path)
    manifest, kept, rejected = _outputs(_run(spark, FilterSettings(), folder, tmp_path / "out"))
    counters = manifest["counters"]
    assert counters["docs_in"] == len(docs) == len(kept) + len(rejected)
    assert kept and rejected
    assert {r["id"] for r in kept} | {r["id"] for r in rejected} == {d["id"] for d in docs}
    by_id = {d["id"]: d for d in docs}
    for row in kept + rejected:
        assert set(SIGNAL_COLUMNS) <= set(row)
        if by_id[row["id"]]["is_code"]:  # code documents: code rules only
            assert all(row[c] is None for c in PROSE_SIGNALS)
            assert all(row[c] is not None for c in CODE_SIGNALS)
        else:
            assert all(row[c] is None for c in CODE_SIGNALS)
            assert row["sig_gopher_word_count"] is not None and row["sig_c4_sentences"] is not None
    import re

    assert all(re.match(REASON_REGEX, r["reject_reason"]) and r["reject_stage"] == "filter" for r in rejected)
    assert all(not r["reject_reason"].startswith("code:") for r in rejected if not by_id[r["id"]]["is_code"])
    # junk is dropped, German and Chinese prose are judged with their own stop words
    bad = [d["id"] for d in docs if d["quality"] == "bad"]
    assert sum(1 for r in rejected if r["id"] in bad) >= len(bad) - 1
    kept_langs = {by_id[r["id"]]["lang"] for r in kept}
    assert {"de", "zh"} <= kept_langs
    assert counters["rejected_by_reason"] and all(":" in k for k in counters["rejected_by_reason"])


def test_filter_stage_alone_on_id_text_source_with_c4_line_removal(spark, tmp_path):
    folder, docs = _input(tmp_path, with_kind=False)  # no kind: everything is prose
    settings = FilterSettings(c4_remove_lines=True, code=False)
    manifest, kept, rejected = _outputs(_run(spark, settings, folder, tmp_path / "out"))
    assert len(kept) + len(rejected) == len(docs)
    original = {d["id"]: d["text"] for d in docs}
    assert all(r["sig_code_max_line_length"] is None for r in kept + rejected)
    assert all(r["text"] == original[r["id"]] for r in rejected)  # rejected rows keep their text
    changed = [r for r in kept if r["text"] != original[r["id"]]]
    assert changed and all(r["sig_c4_removed_lines"] > 0 for r in changed)
    assert all(len(r["text"].splitlines()) <= len(original[r["id"]].splitlines()) for r in kept)


def test_filter_stage_rescue_keeps_soft_rejections_the_model_vouches_for(spark, tmp_path):
    folder, docs = _input(tmp_path)
    plain_manifest, plain_kept, plain_rejected = _outputs(
        _run(spark, FilterSettings(), folder, tmp_path / "plain")
    )
    soft = ["gopher:alpha_words", "gopher:too_few_words", "c4:too_few_sentences", "gopher:dup_5gram"]
    settings = FilterSettings(rescue=FilterRescue(rules=soft, min_score=0.5))
    manifest, kept, rejected = _outputs(_run(spark, settings, folder, tmp_path / "out"))  # GX suites passed
    assert len(kept) + len(rejected) == len(docs)
    rescued = [r for r in kept if r["filter_rescued_rule"] is not None]
    assert rescued and all(
        r["filter_rescued_rule"] in soft and r["filter_rescue_score"] >= 0.5 for r in rescued
    )
    assert {r["id"] for r in kept} == {r["id"] for r in plain_kept} | {r["id"] for r in rescued}
    was = {r["id"]: r["reject_reason"] for r in plain_rejected}
    assert all(was[r["id"]] == r["filter_rescued_rule"] for r in rescued)
    stats = manifest["stats"]["rescue"]
    assert stats["rescued"] == len(rescued) == sum(stats["rescued_by_rule"].values())
    assert stats["scored"] >= stats["rescued"]
    assert all(r["filter_rescue_score"] is None for r in plain_kept + plain_rejected)
    assert "rescue" not in plain_manifest["stats"]


def _run(spark, settings: FilterSettings, folder: Path, out: Path) -> Path:
    run_stage_on_folder(
        lambda: spark,
        StageSpec.load("filter", settings),
        folder_input(fsspec.filesystem("file"), str(folder)),
        str(out),
    )
    return out
