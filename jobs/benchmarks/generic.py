"""Generic benchmark files: Parquet or JSON Lines rows {bench_id, benchmark, text, answer?, task?}.

This is the layout of the project's labelled corpus (`benchmarks.parquet`) and the way to bring any
evaluation set without a loader of its own. Ids are kept as given (prefixed with the benchmark
name when they lack it). Both `text` and `answer` count by default: the row's author already chose
what the text holds, and a distinctive answer (a code solution, a worked rationale) is what a
leaked copy carries too; pass fields=["text"] to leave answers out.
"""

from __future__ import annotations

from collections.abc import Iterator

import fsspec
import pyarrow.parquet as pq

from jobs.benchmarks.base import Loader, RawItem, text_field
from jobs.benchmarks.files import BenchmarkFormatError, file_name_without_compression, json_lines

REQUIRED = ("bench_id", "benchmark", "text")
OPTIONAL = ("task", "answer")
BATCH_ROWS = 4096


def parquet_rows(path: str) -> Iterator[tuple[str, dict]]:
    with fsspec.open(path, "rb") as stream:
        parquet = pq.ParquetFile(stream)
        names = set(parquet.schema_arrow.names)
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise BenchmarkFormatError(path, "", f"missing column(s) {missing}; needs {list(REQUIRED)}")
        columns = [c for c in REQUIRED + OPTIONAL if c in names]
        row = 0
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
            for record in batch.to_pylist():
                row += 1
                yield f"row {row}", record


def read_generic(path: str) -> Iterator[RawItem]:
    is_parquet = file_name_without_compression(path).lower().endswith(".parquet")
    rows = parquet_rows(path) if is_parquet else ((f"line {n}", obj) for n, obj in json_lines(path))
    for where, row in rows:
        yield RawItem(
            key=text_field(row, "bench_id", path, where),
            task=text_field(row, "task", path, where, required=False),
            values={
                "text": text_field(row, "text", path, where),
                "answer": text_field(row, "answer", path, where, required=False),
            },
            answer=text_field(row, "answer", path, where, required=False),
            where=where,
            benchmark=text_field(row, "benchmark", path, where),
        )


GENERIC = Loader(
    name="generic",
    parse=read_generic,
    fields=("text", "answer"),
    default_fields=("text", "answer"),
    file_patterns=("*.parquet", "*.jsonl", "*.ndjson"),
)
