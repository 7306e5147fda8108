"""Task records read on Spark's Python workers (one task per file) and mapped onto canonical
examples; records that cannot be used keep their raw text and a reason."""

from __future__ import annotations

import json
from collections.abc import Iterator

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import StringType, StructField, StructType

from jobs.readers.units import (
    Unit,
    apply_storage_environment,
    data_format,
    expand_source,
    open_decompressed,
    storage_environment,
)
from jobs.text.instruct.fields import BadRecord, example_from_record, missing_fields
from jobs.text.normalize import UndecodableText, decode_utf8
from schemas.instructions import InstructionsSettings, TaskSpec

RECORD_SCHEMA = StructType(
    [
        StructField("task", StringType(), True),
        StructField("record_id", StringType(), True),
        StructField("split", StringType(), True),
        StructField("example", StringType(), True),  # canonical fields as JSON; null when unusable
        StructField("problem", StringType(), True),  # why it is unusable: empty, bad_record
        StructField("raw", StringType(), True),  # the record as read, kept for the rejected output
    ]
)
RECORD_ARROW = to_arrow_schema(RECORD_SCHEMA)


def task_units(settings: InstructionsSettings) -> list[tuple[str, Unit]]:
    """Every file of every task (a path that matches nothing is an error naming the task)."""
    return [
        (task.name, unit)
        for task in settings.tasks
        for unit in expand_source(task.name, "task", "auto", task.paths)
    ]


def _records(unit_url: str, relpath: str) -> Iterator[tuple[str, object, str]]:
    """(position, record or None when unreadable, raw text) of one JSONL or Parquet file."""
    if (data_format(relpath) or "jsonl") == "parquet":
        with fsspec.open(unit_url, "rb") as f:
            for index, record in enumerate(pq.read_table(f).to_pylist()):
                yield f"{relpath}:{index}", record, json.dumps(record, ensure_ascii=False, default=str)
        return
    with open_decompressed(unit_url) as stream:
        for index, raw_line in enumerate(stream):
            if not raw_line.strip():
                continue
            try:
                line = decode_utf8(raw_line)
                record = json.loads(line)
            except (UndecodableText, ValueError):
                yield f"{relpath}:{index}", None, raw_line.decode("utf-8", "replace").rstrip("\r\n")
                continue
            yield f"{relpath}:{index}", record, line.rstrip("\r\n")


def _row(task: TaskSpec, position: str, record: object, raw: str) -> tuple:
    if not isinstance(record, dict):
        return (task.name, position, None, None, "bad_record", raw)
    own_id = record.get(task.id_field) if task.id_field else None
    record_id = str(own_id) if own_id not in (None, "") else position
    split = record.get(task.split_field) if task.split_field else None
    split = str(split) if split is not None else None
    try:
        example = example_from_record(record, task.type, task.fields, task.constants)
    except BadRecord:
        return (task.name, record_id, split, None, "bad_record", raw)
    if missing_fields(example, task.type):
        return (task.name, record_id, split, None, "empty", raw)
    return (task.name, record_id, split, json.dumps(example, ensure_ascii=False), None, None)


def _reader(tasks: dict[str, TaskSpec], storage_env: dict[str, str]):
    def read(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)
        for batch in batches:
            for name, url, relpath in zip(
                *(batch.column(c).to_pylist() for c in ("task", "url", "relpath")), strict=True
            ):
                rows = [_row(tasks[name], *entry) for entry in _records(url, relpath)]
                columns = list(zip(*rows, strict=True)) if rows else [[] for _ in RECORD_SCHEMA]
                yield pa.RecordBatch.from_arrays(
                    [pa.array(list(c), pa.string()) for c in columns], schema=RECORD_ARROW
                )

    return read


def read_records(spark: SparkSession, settings: InstructionsSettings) -> DataFrame:
    listing = [(task, unit.url, unit.relpath) for task, unit in task_units(settings)]
    frame = spark.createDataFrame(listing, "task string, url string, relpath string")
    frame = frame.repartition(max(1, min(len(listing), spark.sparkContext.defaultParallelism * 4)))
    tasks = {t.name: t for t in settings.tasks}
    return frame.mapInArrow(_reader(tasks, storage_environment()), RECORD_SCHEMA)
