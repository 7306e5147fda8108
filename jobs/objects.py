"""Parquet in and out of any fsspec store, from Spark jobs, without Hadoop connectors.

Spark here has no s3a (no Hadoop AWS jars, no downloads at run time). Local paths use Spark's own
Parquet reader and writer; every other store (s3://, gs://, memory://, ...) is read and written by
Spark's Python workers through pyarrow and fsspec, one file per task. The same code works on
local[*], a standalone cluster or Kubernetes: each executor opens the objects itself, with the
driver's object-store settings handed to it (never logged, never stored).
"""

from __future__ import annotations

from collections.abc import Iterator

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import LongType, StringType, StructField, StructType

from jobs.readers.units import apply_storage_environment, storage_environment

READ_BATCH_ROWS = 2000
WRITTEN_COLUMNS = StructType(
    [
        StructField("file", StringType(), False),
        StructField("rows", LongType(), False),
        StructField("bytes", LongType(), False),
    ]
)


def is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return isinstance(fs, LocalFileSystem)


def _url_frame(spark: SparkSession, urls: list[str]) -> DataFrame:
    """One row per file, spread round-robin so that each file is its own task."""
    return spark.createDataFrame([(u,) for u in urls], "url string").repartition(len(urls))


def _file_reader(schema: StructType, storage_env: dict[str, str]):
    arrow_schema = to_arrow_schema(schema)

    def read_files(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        for batch in batches:
            for url in batch.column("url").to_pylist():
                with fsspec.open(url, "rb") as f:
                    parquet = pq.ParquetFile(f)
                    for part in parquet.iter_batches(READ_BATCH_ROWS, columns=arrow_schema.names):
                        if part.num_rows:
                            yield part.select(arrow_schema.names).cast(arrow_schema)

    return read_files


def read_parquet(
    spark: SparkSession, fs: fsspec.AbstractFileSystem, paths: list[str], schema: StructType
) -> DataFrame:
    """These Parquet files (and no others) as a DataFrame with this schema."""
    if not paths:
        return spark.createDataFrame([], schema)
    if is_local(fs):
        return spark.read.schema(schema).parquet(*paths)
    urls = [fs.unstrip_protocol(p) for p in paths]
    return _url_frame(spark, urls).mapInArrow(_file_reader(schema, storage_environment()), schema)


def _part_writer(folder_url: str, prefix: str, storage_env: dict[str, str]):
    def write_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        from pyspark import TaskContext

        apply_storage_environment(storage_env)
        url = f"{folder_url}/{prefix}-{TaskContext.get().partitionId():05d}.parquet"
        out = writer = None
        rows = 0
        try:
            for batch in batches:
                if writer is None:  # opened at the first row: an empty partition leaves no file
                    out = fsspec.open(url, "wb").open()
                    writer = pq.ParquetWriter(out, batch.schema, compression="zstd")
                writer.write_batch(batch)
                rows += batch.num_rows
        except BaseException:
            if out is not None and hasattr(out, "discard"):
                out.discard()  # an object store must not commit half a part
            raise
        if writer is None:
            return
        writer.close()  # writes the footer; the file itself stays open
        size = out.tell()
        out.close()
        yield pa.RecordBatch.from_pylist(
            [{"file": url, "rows": rows, "bytes": size}], schema=to_arrow_schema(WRITTEN_COLUMNS)
        )

    return write_partition


def write_parquet_parts(df: DataFrame, fs: fsspec.AbstractFileSystem, folder: str, prefix: str) -> list[dict]:
    """Write each partition of `df` as <folder>/<prefix>-NNNNN.parquet on a non-local store.

    Returns [{file (path on fs), rows, bytes}] sorted by file. A retried task rewrites its own
    part under the same name, so a part is never counted twice.
    """
    folder_url = fs.unstrip_protocol(folder.rstrip("/"))
    written = df.mapInArrow(_part_writer(folder_url, prefix, storage_environment()), WRITTEN_COLUMNS)
    parts = [
        {"file": fs._strip_protocol(r.file), "rows": int(r.rows), "bytes": int(r.bytes)}
        for r in written.collect()
    ]
    return sorted(parts, key=lambda p: p["file"])
