"""The sample recipe, its sources and its store on S3 (moto's server on 127.0.0.1) gives the
result of local disk; credentials come from the environment and appear nowhere."""

from __future__ import annotations

from jobs.store import Store
from tests.conftest import S3_KEY_ID, S3_SECRET, SAMPLE_DATA, SAMPLE_RECIPE
from tests.servers import curate_cli, kept_ids_by_stage


def test_sample_with_recipe_sources_and_store_on_s3_matches_local_disk(s3_bucket, local_sample):
    import s3fs

    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    fs.put(str(SAMPLE_DATA), f"{s3_bucket}/raw/sample_data", recursive=True)
    # decontam's benchmark items, read from S3 by the Spark workers
    fs.put(
        str(SAMPLE_DATA.parent / "sample_benchmarks"), f"{s3_bucket}/raw/sample_benchmarks", recursive=True
    )
    # the instruction collection's task files
    fs.put(str(SAMPLE_DATA.parent / "sample_tasks"), f"{s3_bucket}/raw/sample_tasks", recursive=True)
    fs.put_file(str(SAMPLE_RECIPE), f"{s3_bucket}/raw/sample.yaml")  # its paths are relative to it
    store_url = f"s3://{s3_bucket}/store"

    proc = curate_cli(
        "run",
        "--recipe",
        f"s3://{s3_bucket}/raw/sample.yaml",
        "--set",
        f"store={store_url}",
        "--spark-master",
        "local[2]",
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    version = proc.stdout.strip().splitlines()[-1]
    sources = Store(store_url, "sample").version_info(version)["recipe"]["sources"]
    assert all(p.startswith(f"s3://{s3_bucket}/raw/sample_data/") for s in sources for p in s["paths"])

    assert kept_ids_by_stage(store_url, "sample", version) == local_sample["ids"]
    s3_store, local_store = Store(store_url, "sample"), Store(str(local_sample["store"]), "sample")
    assert s3_store.latest() == version
    for stage in local_sample["ids"]:
        on_s3 = s3_store.stage_manifest(version, stage)
        on_disk = local_store.stage_manifest(local_sample["version"], stage)
        assert on_s3["counters"]["rejected_by_reason"] == on_disk["counters"]["rejected_by_reason"]
        # ingest quarantines the sample's 2 unreadable files; later stages read Parquet only
        assert len(on_s3["quarantine"]) == len(on_disk["quarantine"]) == (2 if stage == "ingest" else 0)
        assert all(f["file"].startswith(f"versions/{version}/{stage}/") for f in on_s3["files"])

    # the token files were written to S3 by the Spark workers, and hold what local disk holds
    import json

    handoff = json.loads(fs.cat_file(f"{s3_bucket}/store/sample/versions/{version}/handoff.json"))
    local_handoff = json.loads(
        (local_sample["store"] / "sample" / "versions" / local_sample["version"] / "handoff.json").read_text()
    )
    assert handoff["tokens"] == local_handoff["tokens"] > 0
    assert {g["name"]: g["tokens"] for g in handoff["groups"]} == {
        g["name"]: g["tokens"] for g in local_handoff["groups"]
    }
    for prefix in (p for g in handoff["groups"] for p in g["prefixes"]):
        assert fs.exists(f"{s3_bucket}/store/sample/versions/{version}/{prefix}.bin")
    assert fs.exists(f"{s3_bucket}/store/sample/versions/{version}/exports/instructions/_export.json")

    # Credentials reach neither the output nor anything stored, and no part of a failed attempt is left.
    assert S3_SECRET not in proc.stdout + proc.stderr and S3_KEY_ID not in proc.stdout + proc.stderr
    stored = fs.find(f"{s3_bucket}/store")
    for key in stored:
        data = fs.cat_file(key)
        assert S3_SECRET.encode() not in data and S3_KEY_ID.encode() not in data, key
    named = {
        f"{s3_bucket}/store/sample/{f['file']}"
        for stage in local_sample["ids"]
        for f in s3_store.stage_manifest(version, stage)["files"]
    }
    assert {k for k in stored if k.endswith(".parquet") and "/versions/" in k} == {
        n for n in named if n.endswith(".parquet")
    }
    # the token files too: every one a manifest names, none left by another attempt
    assert {k for k in stored if "/tokenize/tokens/" in k} == {n for n in named if "/tokenize/tokens/" in n}
