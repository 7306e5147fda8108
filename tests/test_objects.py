"""Parquet through Spark's Python workers on a non-local fsspec store, and the storage secret format."""

from __future__ import annotations

import fsspec
import pyarrow.parquet as pq
import pytest
from pyspark.sql import functions as F

from flows.storage_secret import StorageSecretError, storage_env_from_secret_value
from jobs.objects import read_parquet, write_parquet_parts


def test_parts_written_and_read_back_on_an_object_store(spark, s3_bucket):
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    frame = spark.range(0, 1000, numPartitions=3).select(
        F.col("id").cast("string").alias("id"), F.concat(F.lit("doc "), F.col("id")).alias("text")
    )
    empty_partition = frame.filter(F.col("id") == "7").repartition(2)  # one of its partitions is empty

    parts = write_parquet_parts(frame, fs, f"{s3_bucket}/out/kept", "part-a1")
    assert [p["file"] for p in parts] == [f"{s3_bucket}/out/kept/part-a1-0000{i}.parquet" for i in range(3)]
    assert sum(p["rows"] for p in parts) == 1000
    assert all(p["bytes"] == fs.size(p["file"]) for p in parts)
    assert pq.read_table(fs.open(parts[0]["file"], "rb")).schema.names == ["id", "text"]

    back = read_parquet(spark, fs, [p["file"] for p in parts], frame.schema)
    assert sorted(r.id for r in back.collect()) == sorted(r.id for r in frame.collect())
    assert len(write_parquet_parts(empty_partition, fs, f"{s3_bucket}/out/one", "part-b2")) == 1
    assert len(fs.ls(f"{s3_bucket}/out/one")) == 1


def test_storage_secret_holds_object_store_variables_only():
    env = storage_env_from_secret_value("s", '{"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "v"}')
    assert env == {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "v"}
    assert storage_env_from_secret_value("s", {"AWS_ENDPOINT_URL": "http://x"}) == {
        "AWS_ENDPOINT_URL": "http://x"
    }
    with pytest.raises(StorageSecretError, match="JSON object"):
        storage_env_from_secret_value("s", "just-a-password")
    with pytest.raises(StorageSecretError, match="PATH are not object-store variables"):
        storage_env_from_secret_value("s", {"PATH": "/tmp"})
