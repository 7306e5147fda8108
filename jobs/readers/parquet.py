"""Parquet files: one row per record, read batch by batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import pyarrow.parquet as pq

from jobs.readers.jsonl import record_from_object
from jobs.readers.records import ReadOptions, Record

BATCH_ROWS = 2048


def read_parquet(stream: BinaryIO, relpath: str, options: ReadOptions) -> Iterator[Record]:
    parquet = pq.ParquetFile(stream)  # raises for a file that is not Parquet -> quarantine
    row_no = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        for row in batch.to_pylist():
            row_no += 1
            yield record_from_object(row, f"{relpath}:{row_no}", options, path=relpath)
