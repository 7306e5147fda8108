"""The `decontam` stage on a real local Spark session, and its n-gram helpers."""

from __future__ import annotations

import json

import fsspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from jobs.text.decontam import cut_spans, document_hits, item_ngrams, matched_spans, merge_spans
from jobs.text.dedup.shingles import reference_tokens, shingle_hash
from schemas.decontam import DecontamSettings
from tests.conftest import ROOT

LONG_ITEM = (
    "A farmer has three fields of wheat and each field yields forty bushels in a dry summer; "
    "how many bushels does the farmer harvest when one field is lost to a flood?"
)
SHORT_ITEM = "Name the largest moon orbiting the planet Saturn"  # 8 tokens
TINY_ITEM = "Capital of Peru?"
TEMPLATE = "Read the passage below carefully and then choose the single best answer from the options given"
FILLER = (
    "The town council met on Tuesday to discuss the new library, the bus timetable and the repairs to "
    "the old bridge, which has been closed since the storms of last winter. "
)


def _items(tmp_path) -> str:
    rows = [
        {"bench_id": "Toy QA/long", "benchmark": "Toy QA", "text": LONG_ITEM, "answer": "eighty bushels"},
        {"bench_id": "Toy QA/short", "benchmark": "Toy QA", "text": SHORT_ITEM, "answer": None},
        {"bench_id": "Toy QA/tiny", "benchmark": "Toy QA", "text": TINY_ITEM, "answer": "Lima"},
    ]
    # twelve items that share one instruction: its grams are template text, not evidence
    rows += [
        {
            "bench_id": f"reading/{i}",
            "benchmark": "reading",
            "text": f"{TEMPLATE}. Passage {i}: x{i}",
            "answer": None,
        }
        for i in range(12)
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _documents() -> list[dict]:
    edited = LONG_ITEM.upper().replace("; how", ".\n\nHow").replace("dry", "hot")  # case, reflow, one word
    return [
        {"id": "verbatim", "text": FILLER + LONG_ITEM + " " + FILLER},
        {"id": "edited", "text": FILLER * 3 + edited + "\n" + FILLER * 3},
        {"id": "short", "text": f"Quiz night! {SHORT_ITEM}? Answers next week."},
        {"id": "tiny", "text": f"{TINY_ITEM} Lima, of course."},
        {"id": "template", "text": f"{FILLER}{TEMPLATE}. {FILLER}"},
        {"id": "clean", "text": FILLER * 4},
        {"id": "many", "text": "\n".join(f"{FILLER} {LONG_ITEM}" for _ in range(12))},
    ]


def _run(spark, tmp_path, name: str, **settings):
    data = tmp_path / "docs"
    if not data.exists():
        data.mkdir()
        pq.write_table(pa.Table.from_pylist(_documents()), data / "part-0.parquet")
    out = tmp_path / name
    spec = StageSpec.load("decontam", DecontamSettings(**settings))
    run_stage_on_folder(lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(out))
    manifest = json.loads((out / "_manifest.json").read_text())
    rows: dict[str, dict] = {"kept": {}, "rejected": {}, "matches": {}}
    for f in manifest["files"]:
        for r in pq.read_table(out / f["file"]).to_pylist():
            key = (r["id"], r["bench_id"]) if f["output"] == "matches" else r["id"]
            rows[f["output"]][key] = r
    return rows, manifest


def test_drop_policy_finds_verbatim_edited_and_short_items_but_not_templates(spark, tmp_path):
    rows, manifest = _run(
        spark, tmp_path, "drop", benchmarks=[{"format": "generic", "paths": [_items(tmp_path)]}]
    )
    rejected = rows["rejected"]
    assert set(rejected) == {"verbatim", "edited", "short", "many"}
    assert {r["reject_reason"] for r in rejected.values()} == {"decontam:toy_qa"}
    assert rejected["short"]["decontam_items"] == ["Toy QA/short"]
    assert rejected["verbatim"]["decontam_items"] == ["Toy QA/long"]
    assert set(rows["kept"]) == {"tiny", "template", "clean"}  # too short to tell; template text; clean
    assert all(r["decontam_items"] is None for r in rows["kept"].values())
    assert rows["matches"][("edited", "Toy QA/long")]["grams"] >= 1
    stats = manifest["stats"]
    assert stats["benchmarks"]["Toy QA"] == {"items": 3, "too_short": 1, "items_found": 2, "documents": 4}
    assert stats["benchmarks"]["reading"]["items_found"] == 0
    assert stats["gram_lengths"] == [8, 13]
    assert manifest["counters"]["docs_in"] == 7


def test_cut_policy_removes_the_spans_and_drops_documents_cut_too_often(spark, tmp_path):
    items = _items(tmp_path)
    rows, _ = _run(
        spark,
        tmp_path,
        "cut",
        benchmarks=[{"format": "generic", "paths": [items]}],
        policy="cut",
        margin_chars=10,
    )
    kept, rejected = rows["kept"], rows["rejected"]
    assert set(rejected) == {"many"} and rejected["many"]["reject_reason"] == "decontam:toy_qa"
    assert "farmer" not in kept["verbatim"]["text"].lower() and "farmer" not in kept["edited"]["text"].lower()
    assert (
        kept["verbatim"]["text"].startswith("The town council")
        and kept["verbatim"]["decontam_cut_chars"] > 150
    )
    assert kept["verbatim"]["decontam_items"] == ["Toy QA/long"] and kept["clean"]["decontam_cut_chars"] == 0
    # what was kept holds no item any more
    again_dir = tmp_path / "again"
    again_dir.mkdir()
    pq.write_table(
        pa.Table.from_pylist([{"id": k, "text": r["text"]} for k, r in kept.items()]), again_dir / "p.parquet"
    )
    spec = StageSpec.load("decontam", DecontamSettings(benchmarks=[{"format": "generic", "paths": [items]}]))
    manifest = run_stage_on_folder(
        lambda: spark,
        spec,
        folder_input(fsspec.filesystem("file"), str(again_dir)),
        str(tmp_path / "again-out"),
    )
    assert manifest["counters"]["rejected"] == 0


def test_published_formats_feed_the_stage_mmlu(spark, tmp_path):
    question = "In the cyclic group of order 10, how many generators are there?"
    rows, manifest = _run(
        spark,
        tmp_path,
        "mmlu",
        benchmarks=[{"format": "mmlu", "paths": [str(ROOT / "tests" / "fixtures" / "benchmarks" / "mmlu")]}],
        min_tokens=6,
    )
    assert manifest["stats"]["benchmarks"]["mmlu"]["items"] >= 3
    assert not rows["rejected"]  # none of these documents quotes an MMLU item
    data = tmp_path / "mmlu-docs"
    data.mkdir()
    text = f"Homework help: {question} (a) 2 (b) 4 (c) 5 (d) 10. The answer is (b)."  # labels added
    pq.write_table(pa.Table.from_pylist([{"id": "q", "text": text}]), data / "p.parquet")
    spec = StageSpec.load(
        "decontam",
        DecontamSettings(
            benchmarks=[
                {"format": "mmlu", "paths": [str(ROOT / "tests" / "fixtures" / "benchmarks" / "mmlu")]}
            ],
            min_tokens=6,
        ),
    )
    manifest = run_stage_on_folder(
        lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(tmp_path / "mmlu-out")
    )
    assert manifest["counters"]["rejected_by_reason"] == {"decontam:mmlu": 1}


def test_without_benchmarks_every_document_passes_unchanged(spark, tmp_path):
    rows, manifest = _run(spark, tmp_path, "none")
    assert len(rows["kept"]) == 7 and not rows["rejected"] and not rows["matches"]
    assert {r["text"] for r in rows["kept"].values()} == {d["text"] for d in _documents()}


# -- helpers ---------------------------------------------------------------------------------------------


def _reference_grams(text: str, n: int) -> set[int]:
    tokens = reference_tokens(text)
    return {shingle_hash(" ".join(tokens[i : i + n])) for i in range(len(tokens) - n + 1)}


def test_item_grams_are_the_shingle_definition_with_short_items_and_lines_as_one_gram():
    question = "In the cyclic group of order ten, how many generators are there?"  # 12 tokens
    long, short, tiny, multiple_choice = item_ngrams(
        [LONG_ITEM, SHORT_ITEM, TINY_ITEM, f"{question}\n2\n4\n5\n10"], 13, 8
    )
    assert long.tokens == len(reference_tokens(LONG_ITEM))
    assert set(long.hashes.tolist()) == _reference_grams(LONG_ITEM, 13) and set(long.lengths.tolist()) == {13}
    assert short.hashes.tolist() == [shingle_hash(" ".join(reference_tokens(SHORT_ITEM)))]
    assert short.lengths.tolist() == [8] and len(tiny.hashes) == 0
    # the whole item's 13- to 16-grams and the question alone (a 12-gram)
    assert shingle_hash(" ".join(reference_tokens(question))) in multiple_choice.hashes.tolist()
    assert sorted(set(multiple_choice.lengths.tolist())) == [12, 13] and len(multiple_choice.hashes) == 5


def test_document_hits_equal_a_brute_force_search():
    items = item_ngrams([LONG_ITEM, SHORT_ITEM], 13, 8)
    table = np.unique(np.concatenate([g.hashes for g in items]))
    lengths = sorted({int(n) for g in items for n in g.lengths})
    docs = [d["text"] for d in _documents()] + ["", None]
    found = document_hits(docs, lengths, table)
    wanted = set(table.tolist())
    assert any(len(h) for h in found)
    for text, hits in zip(docs, found, strict=True):
        brute = (_reference_grams(text or "", 13) | _reference_grams(text or "", 8)) & wanted
        assert set(hits.tolist()) == brute


def test_spans_merge_with_margins_and_cuts_count_pieces():
    assert merge_spans([(10, 20), (25, 30), (50, 60)], 3, 58) == [(7, 33), (47, 58)]
    assert cut_spans("aaa XXX bbb YYY ccc", [(4, 7), (12, 15)]) == ("aaa\n\nbbb\n\nccc", 3, 6)
    text = FILLER + LONG_ITEM + " " + FILLER
    (grams,) = item_ngrams([LONG_ITEM], 13, 8)
    spans = matched_spans(text, set(grams.hashes.tolist()), [13])
    assert spans == [(len(FILLER), len(FILLER) + len(LONG_ITEM) - 1)]  # the item up to its last token


@pytest.mark.parametrize("bad", [{"format": "nosuch", "paths": ["x"]}, {"format": "mmlu", "paths": []}])
def test_bad_benchmark_settings_are_refused(bad):
    with pytest.raises(ValueError):
        DecontamSettings(benchmarks=[bad])
