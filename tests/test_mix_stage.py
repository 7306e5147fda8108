"""The `mix` stage: the mixing arithmetic (plain functions) and the stage on a real local Spark session."""

from __future__ import annotations

import json
import random

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.mix import plan_phase
from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from schemas.mix import MixSettings


def test_the_total_is_the_largest_the_shares_and_repeat_caps_allow():
    total, plans = plan_phase(
        {"web": 0.5, "books": 0.3, "code": 0.2},
        {"web": 1000, "books": 100, "code": 1000},
        {"web": 1, "books": 4, "code": 1},
        None,
    )
    assert total == pytest.approx(4 * 100 / 0.3)  # books, upsampled 4 times, are the limit
    assert plans["books"].rate == pytest.approx(4.0)
    assert plans["web"].rate == pytest.approx(0.5 * total / 1000) and plans["code"].target == pytest.approx(
        0.2 * total
    )
    assert sum(p.target for p in plans.values()) == pytest.approx(total)


def test_a_budget_caps_the_total_and_a_group_without_data_empties_the_phase():
    total, plans = plan_phase(
        {"web": 0.5, "code": 0.5}, {"web": 1000, "code": 1000}, {"web": 1, "code": 1}, 300
    )
    assert total == 300 and plans["web"].rate == pytest.approx(0.15)
    total, plans = plan_phase({"web": 0.5, "code": 0.5}, {"web": 1000}, {"web": 1, "code": 1}, None)
    assert total == 0 and plans["web"].rate == 0 and plans["code"].rate == 0


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"groups": [{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}]}, "add up to 0.9"),
        (
            {"groups": [{"name": "a", "share": 1.0}], "phases": [{"name": "p", "shares": {"b": 1.0}}]},
            "no group named b",
        ),
        ({"groups": [{"name": "a", "share": 0.5}, {"name": "a", "share": 0.5}]}, "unique"),
        ({"groups": [{"name": "a", "share": 1.0, "max_repeats": 0.5}]}, "greater than or equal to 1"),
    ],
)
def test_inconsistent_mixes_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        MixSettings(**bad)


def _documents() -> list[dict]:
    rng = random.Random(3)
    docs = []
    for i in range(300):  # 100 estimated tokens each (400 characters / 4)
        docs.append(
            {"id": f"en{i:03d}", "kind": "text", "lang": "en", "quality_score": rng.random(), "source": "web"}
        )
    for i in range(60):
        docs.append(
            {"id": f"code{i:03d}", "kind": "code", "lang": None, "quality_score": None, "source": "git"}
        )
    for i in range(200):
        docs.append({"id": f"de{i:03d}", "kind": "text", "lang": "de", "quality_score": 0.9, "source": "web"})
    docs.append({"id": "task0", "kind": "task", "lang": "en", "quality_score": 0.9, "source": "t"})
    for d in docs:
        d["text"] = ("x" * 399) + "\n"
    return docs


SETTINGS = {
    "groups": [
        {
            "name": "web-en",
            "kinds": ["text"],
            "languages": ["en"],
            "share": 0.6,
            "min_quality": 0.3,
            "max_repeats": 2,
        },
        {"name": "code", "kinds": ["code"], "share": 0.3, "max_repeats": 3},
        {"name": "web-other", "kinds": ["text"], "share": 0.1},
    ],
    "phases": [
        {"name": "main"},
        {"name": "more-code", "tokens": 20_000, "shares": {"web-en": 0.4, "code": 0.5, "web-other": 0.1}},
    ],
    "seed": 7,
}


def _run(spark, tmp_path, name: str, docs: list[dict], parts: int = 1, **settings):
    data = tmp_path / f"{name}-in"
    data.mkdir()
    for part in range(parts):
        pq.write_table(pa.Table.from_pylist(docs[part::parts]), data / f"part-{part}.parquet")
    out = tmp_path / name
    spec = StageSpec.load("mix", MixSettings(**settings))
    run_stage_on_folder(lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(out))
    manifest = json.loads((out / "_manifest.json").read_text())
    rows = {"kept": {}, "rejected": {}}
    for f in manifest["files"]:
        for r in pq.read_table(out / f["file"]).to_pylist():
            rows[f["output"]][r["id"]] = r
    return rows["kept"], rows["rejected"], manifest


def test_mix_hits_its_shares_within_sampling_noise_and_respects_caps(spark, tmp_path):
    docs = _documents()
    kept, rejected, manifest = _run(spark, tmp_path, "mix", docs, **SETTINGS)
    assert len(kept) + len(rejected) == len(docs) == manifest["counters"]["docs_in"]
    assert rejected["task0"]["reject_reason"] == "mix:no_group"
    low = [d["id"] for d in docs if d["lang"] == "en" and d["quality_score"] < 0.3]
    assert all(rejected[i]["reject_reason"] == "mix:low_quality" for i in low)
    assert {r["reject_reason"] for r in rejected.values()} <= {
        "mix:no_group",
        "mix:low_quality",
        "mix:not_sampled",
    }
    report = manifest["stats"]["phases"]
    main = report["main"]
    # code (6,000 tokens, up to 3 repeats) limits the main phase: 18,000 / 0.3 = 60,000 tokens
    assert main["target_tokens"] == 60_000
    assert main["groups"]["code"]["rate"] == pytest.approx(3.0)
    assert main["groups"]["code"]["tokens"] == 18_000  # whole repeats: no sampling noise
    for phase in ("main", "more-code"):
        for group, figures in report[phase]["groups"].items():
            # extra copies are cut on a token-weighted histogram of the draws: within a document or two
            assert abs(figures["tokens"] - figures["target_tokens"]) <= 200, (phase, group, figures)
    assert report["more-code"]["target_tokens"] == 20_000
    assert abs(report["more-code"]["achieved_tokens"] - 20_000) <= 600
    for row in kept.values():
        assert len(row["mix_copies"]) == 2 and row["mix_copies_total"] == sum(row["mix_copies"]) >= 1
        assert row["est_tokens"] == 100
        assert (
            row["mix_group"]
            == {"text": "web-en" if row["lang"] == "en" else "web-other", "code": "code"}[row["kind"]]
        )
    assert all(kept[f"code{i:03d}"]["mix_copies"][0] == 3 for i in range(60))


def test_sampling_is_deterministic_across_partitioning_and_changes_with_the_seed(spark, tmp_path):
    docs = _documents()
    first, _, _ = _run(spark, tmp_path, "a", docs, **SETTINGS)
    shuffled = docs[:]
    random.Random(1).shuffle(shuffled)
    again, _, _ = _run(spark, tmp_path, "b", shuffled, parts=3, **SETTINGS)
    other, _, _ = _run(spark, tmp_path, "c", docs, **{**SETTINGS, "seed": 8})
    assert {k: r["mix_copies"] for k, r in first.items()} == {k: r["mix_copies"] for k, r in again.items()}
    assert {k: r["mix_copies"] for k, r in first.items()} != {k: r["mix_copies"] for k, r in other.items()}


def test_without_groups_every_document_is_kept_once(spark, tmp_path):
    docs = _documents()
    kept, rejected, manifest = _run(spark, tmp_path, "none", docs)
    assert len(kept) == len(docs) and not rejected
    assert {r["mix_group"] for r in kept.values()} == {"all"} and {
        tuple(r["mix_copies"]) for r in kept.values()
    } == {(1,)}
    assert manifest["stats"]["phases"]["main"]["achieved_tokens"] == 100 * len(docs)


def test_draw_cuts_reach_the_wanted_tokens_inside_the_bin():
    from jobs.mix import draw_cuts

    histograms = {"web": [100, 0, 300, 600], "code": [0, 0, 0, 0]}
    cuts = draw_cuts(histograms, {"web": 250.0, "code": 10.0, "none": 5.0})
    assert cuts["web"] == pytest.approx((2 + 150 / 300) / 4)  # 100 before bin 2, half of its 300
    assert cuts["code"] == 1.0 and cuts["none"] == 0.0  # a group whose documents cannot give more
    assert draw_cuts({"web": [10, 10]}, {"web": 0.0}) == {"web": 0.0}
