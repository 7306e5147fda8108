"""The `instructions` stage on a real local Spark session: reading, rendering, clean-up with reasons,
decontamination against the benchmark registry, caps and family rates, determinism."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.instructions.export import export_chat_jsonl
from jobs.pipeline import instructions_input, run_stage_on_folder
from jobs.runner import StageSpec
from schemas.decontam import DecontamSettings
from schemas.instructions import InstructionsSettings

LEAKED = "Which module of the standard library spawns new processes and connects to their pipes?"
CAPITALS = [
    ("France", "Paris"),
    ("Peru", "Lima"),
    ("Japan", "Tokyo"),
    ("Kenya", "Nairobi"),
    ("Chile", "Santiago"),
    ("Egypt", "Cairo"),
    ("Norway", "Oslo"),
    ("Canada", "Ottawa"),
    ("India", "New Delhi"),
    ("Spain", "Madrid"),
    ("Ghana", "Accra"),
    ("Cuba", "Havana"),
    ("Iran", "Tehran"),
    ("Nepal", "Kathmandu"),
    ("Poland", "Warsaw"),
]
LONG_CONTEXT = (
    "The committee met on Tuesday to review the river survey, which recorded water levels at nine stations "
    "along the valley over the spring months. "
)


def _task_files(tmp_path) -> dict:
    qa = [
        {
            "id": f"cap-{c.lower()}",
            "q": f"What is the capital city of {c}?",
            "a": a,
            "split": "train" if i % 3 == 0 else "test",
        }
        for i, (c, a) in enumerate(CAPITALS)
    ]
    qa.append({"id": "dup-of-peru", "q": "what is the capital city of  Peru?", "a": "Lima", "split": "test"})
    qa.append(
        {
            "id": "near-of-japan",
            "q": "What is the capital city of Japan? Answer with the name of the city, "
            "as written in English, and nothing else at all please.",
            "a": "Tokyo",
            "split": "test",
        }
    )
    qa.append(
        {
            "id": "near-of-japan-2",
            "q": "What is the capital city of Japan? Answer with the name of the "
            "city, as written in English, and nothing else at all thanks.",
            "a": "Tokyo",
            "split": "test",
        }
    )
    qa.append({"id": "no-answer", "q": "What is the capital of Atlantis?", "a": "", "split": "test"})
    qa.append(
        {"id": "too-long", "q": LONG_CONTEXT * 200 + "Which river?", "a": "the valley's", "split": "test"}
    )
    qa.append({"id": "leaked", "q": LEAKED, "a": "subprocess", "split": "test"})
    lines = [json.dumps(r) for r in qa] + ["{not json"]
    (tmp_path / "qa.jsonl").write_text("\n".join(lines) + "\n")
    mc = [
        {
            "id": f"mc{i}",
            "question": f"How many legs does animal number {i} in the zoo guide have, counting all?",
            "choices": ["two", "four", "six", "eight"],
            "label": i % 4,
            "why": f"Animal {i} is listed with them.",
        }
        for i in range(40)
    ]
    pq.write_table(pa.Table.from_pylist(mc), tmp_path / "mc.parquet")
    bench = {"bench_id": "b/1", "benchmark": "toy-bench", "text": LEAKED, "answer": "subprocess"}
    (tmp_path / "bench.jsonl").write_text(json.dumps(bench) + "\n")
    return {
        "tasks": [
            {
                "name": "capitals",
                "type": "open_qa",
                "family": "qa",
                "paths": [str(tmp_path / "qa.jsonl")],
                "fields": {"question": "q", "answer": "a"},
            },
            {
                "name": "zoo",
                "type": "multiple_choice",
                "family": "mc",
                "paths": [str(tmp_path / "mc.parquet")],
                "fields": {
                    "question": "question",
                    "options": "choices",
                    "answer_index": "label",
                    "rationale": "why",
                },
                "split_field": None,
                "max_examples": 25,
            },
        ],
        "decontam": DecontamSettings(
            benchmarks=[{"format": "generic", "paths": [str(tmp_path / "bench.jsonl")]}]
        ),
        "formats": {"few_shot": 0.5},
        "seed": 3,
    }


def _run(spark, tmp_path, name: str, **settings):
    out = tmp_path / name
    spec = StageSpec.load("instructions", InstructionsSettings(**settings))
    spec.preflight()
    run_stage_on_folder(lambda: spark, spec, instructions_input(), str(out))
    manifest = json.loads((out / "_manifest.json").read_text())
    rows = {"kept": {}, "rejected": {}, "matches": []}
    for f in manifest["files"]:
        table = pq.read_table(out / f["file"]).to_pylist()
        if f["output"] == "matches":
            rows["matches"] += table
        else:
            rows[f["output"]].update({r["record_id"]: r for r in table})
    return rows, manifest, out


@pytest.fixture(scope="module")
def built(spark, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("instructions")
    settings = _task_files(tmp_path)
    return (*_run(spark, tmp_path, "first", **settings), settings, tmp_path)


def test_every_record_is_kept_or_rejected_with_its_reason(built):
    rows, manifest, _, _, _ = built
    kept, rejected = rows["kept"], rows["rejected"]
    assert manifest["counters"]["docs_in"] == 22 + 40 == len(kept) + len(rejected)
    reasons = {rid: r["reject_reason"] for rid, r in rejected.items()}
    # one of each pair survives (the smaller id), the other is rejected with the reason
    peru = {reasons.get("dup-of-peru"), reasons.get("cap-peru")}
    assert peru == {None, "instructions:duplicate"}
    japan = {reasons.get("near-of-japan"), reasons.get("near-of-japan-2")}
    assert japan == {None, "instructions:near_duplicate"}
    assert reasons["no-answer"] == "instructions:empty"
    assert reasons["too-long"] == "instructions:too_long"
    assert reasons["leaked"] == "decontam:toy-bench"
    assert (
        reasons["qa.jsonl:21"] == "instructions:bad_record" and rejected["qa.jsonl:21"]["text"] == "{not json"
    )
    assert sorted(r for r in reasons.values() if r.endswith("cap")) == ["instructions:over_task_cap"] * 15
    assert {m["bench_id"] for m in rows["matches"]} == {"toy-bench/b/1"}


def test_kept_examples_carry_messages_and_their_rendering(built):
    rows, manifest, _, _, _ = built
    kept = rows["kept"]
    zoo = [r for r in kept.values() if r["task"] == "zoo"]
    assert len(zoo) == 25  # the task's own cap
    for r in kept.values():
        assert r["messages"][-1]["role"] == "assistant" and r["messages"][0]["role"] == "user"
        assert (
            r["kind"] == "task" and r["source"] == r["task"] and r["template_id"].startswith(r["task_type"])
        )
    mc = zoo[0]
    assert (
        mc["messages"][-1]["content"].endswith(
            ("two", "four", "six", "eight", "two.", "four.", "six.", "eight.")
        )
        or mc["chain_of_thought"]
        or mc["with_options"]
    )
    few = [r for r in kept.values() if r["format"] == "few_shot"]
    assert few and all(r["n_exemplars"] >= 1 for r in few)
    diversity = manifest["stats"]["diversity"]
    assert diversity["examples"] == len(kept) and diversity["task_types"] == {
        "multiple_choice": 25,
        "open_qa": len(kept) - 25,
    }
    assert diversity["formats"]["few_shot"] == len(few) and diversity["templates"]["used"] >= 5
    assert sum(diversity["leading_verbs"]["top"].values()) <= len(kept)
    assert manifest["stats"]["mixture"]["tasks"]["zoo"] == {"available": 40, "after_cap": 25, "kept": 25}


def test_the_same_settings_build_the_same_collection_and_a_seed_changes_it(built, spark):
    rows, _, _, settings, tmp_path = built
    again, _, _ = _run(spark, tmp_path, "again", **settings)
    assert again["kept"] == rows["kept"]
    other, _, _ = _run(spark, tmp_path, "other-seed", **{**settings, "seed": 4})
    assert set(other["kept"]) != set(rows["kept"]) or any(
        other["kept"][k]["messages"] != rows["kept"][k]["messages"] for k in rows["kept"]
    )


def test_family_rates_hold_and_chat_export_has_one_line_per_example(built, spark, tmp_path):
    _, _, _, settings, data = built
    rated, manifest, out = _run(
        spark, data, "rated", **{**settings, "mixing": {"family_rates": {"qa": 0.5, "mc": 0.5}}}
    )
    by_task = {t: sum(1 for r in rated["kept"].values() if r["task"] == t) for t in ("capitals", "zoo")}
    assert by_task["capitals"] == by_task["zoo"] == manifest["stats"]["mixture"]["total"] // 2
    assert "instructions:family_rate" in {r["reject_reason"] for r in rated["rejected"].values()}
    import fsspec

    summary = export_chat_jsonl(fsspec.filesystem("file"), str(out), manifest, str(tmp_path / "chat"))
    lines = [
        json.loads(line)
        for f in sorted((tmp_path / "chat").glob("chat-*.jsonl"))
        for line in f.read_text().splitlines()
    ]
    assert summary["rows"] == len(lines) == len(rated["kept"])
    assert all(set(line) == {"messages"} and line["messages"][-1]["role"] == "assistant" for line in lines)
