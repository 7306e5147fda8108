"""The `instructions` sub-flow run alone (a version holding only the collection), and what that
version must not break: dedup's history is taken from the last version that has a dedup."""

from __future__ import annotations

import json

import pytest
import yaml

from flows.instructions import instructions
from jobs.pipeline import last_published_output
from jobs.store import Store
from tests.conftest import ROOT


def _commit(store: Store, version: str, stage: str) -> None:
    store.begin_version(version, {"chain": [stage]})
    store.commit_stage(
        version,
        stage,
        {
            "stage": stage,
            "version": version,
            "fingerprint": f"{stage}-{version}",
            "created_at": "2026-01-01T00:00:00+00:00",
            "schema_hashes": {},
            "files": [],
        },
    )
    store.finish_version(version, [stage])


def test_dedup_history_skips_a_later_version_without_dedup(tmp_path):
    store = Store(str(tmp_path / "store"), "c")
    _commit(store, "20260101T000000Z-aaaa", "dedup")
    _commit(store, "20260102T000000Z-bbbb", "instructions")
    assert store.latest() == "20260102T000000Z-bbbb"
    assert last_published_output(store, "dedup")["version"] == "20260101T000000Z-aaaa"
    assert last_published_output(store, "instructions")["version"] == "20260102T000000Z-bbbb"
    assert last_published_output(store, "mix") is None


@pytest.mark.usefixtures("prefect_api", "spark")
def test_instructions_flow_alone_publishes_a_collection_version(tmp_path):
    recipe = yaml.safe_load((ROOT / "recipes" / "sample.yaml").read_text())
    tasks = [t for t in recipe["instructions"]["tasks"] if t["name"] in ("capitals_qa", "help_desk_chats")]
    for task in tasks:
        task["paths"] = [str(ROOT / "recipes" / p) for p in task["paths"]]
    small = {
        "corpus": "tasks",
        "store": str(tmp_path / "store"),
        "sources": recipe["sources"][:1],
        "instructions": {
            "tasks": tasks,
            "mixing": {"task_cap": 30},
            "decontam": {
                "benchmarks": [
                    {
                        "format": "generic",
                        "paths": [str(ROOT / "recipes" / "sample_benchmarks" / "sample-qa.jsonl")],
                    }
                ]
            },
        },
    }
    path = tmp_path / "tasks.yaml"
    path.write_text(yaml.safe_dump(small))
    version = instructions(str(path))
    store = Store(str(tmp_path / "store"), "tasks")
    info = store.version_info(version)
    assert info["status"] == "published" and info["chain"] == ["instructions"] and store.latest() == version
    manifest = store.stage_manifest(version, "instructions")
    assert (
        manifest["counters"]["docs_out"] == 60
        and manifest["counters"]["rejected_by_reason"]["decontam:sample-qa"] == 1
    )
    export = json.loads(
        (
            tmp_path / "store" / "tasks" / "versions" / version / "exports" / "instructions" / "_export.json"
        ).read_text()
    )
    assert export["rows"] == 60
    again = instructions(str(path))
    assert store.stage_manifest(again, "instructions")["reused_from"] == version  # unchanged: reused
