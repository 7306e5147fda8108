"""JSON Lines (plain, .gz, .zst, .bz2, .xz): one object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from jobs.readers.records import ReadOptions, Record, checked_record, meta_json
from jobs.text.normalize import UndecodableText, decode_utf8


def record_from_object(obj: object, key: str, options: ReadOptions, raw: str = "", **fields) -> Record:
    """Shared by JSONL and Parquet: a mapping with a text field (and maybe an id and a URL)."""
    if not isinstance(obj, dict):
        return Record(key=key, text=raw, reject="ingest:invalid_json", **fields)
    own_id = obj.get(options.id_field) if options.id_field else None
    if own_id is not None and str(own_id) != "":
        key = f"id:{own_id}"
    url = obj.get(options.url_field) if options.url_field else None
    url = str(url) if url is not None else None
    text = obj.get(options.text_field)
    meta = meta_json(obj, {options.text_field, options.id_field, options.url_field})
    if text is None:
        return Record(key=key, text=raw, url=url, meta=meta, reject="ingest:missing_text", **fields)
    if not isinstance(text, str):
        return Record(key=key, text=raw, url=url, meta=meta, reject="ingest:invalid_json", **fields)
    return checked_record(text, options, key=key, url=url, meta=meta, **fields)


def read_jsonl(
    stream: BinaryIO, relpath: str, options: ReadOptions, start: int = 0, end: int | None = None
) -> Iterator[Record]:
    """Records of the lines that start in [start, end) (the whole stream by default).

    Splits follow Hadoop's rule: a split that does not begin the file skips the line in progress at
    its start, which belongs to the split before; it reads every line that starts before its end.
    A record's key is its byte offset, the same whether the file is read whole or in splits.
    """
    offset = start
    if start > 0:
        stream.seek(start - 1)
        offset = start - 1 + len(stream.readline())
    for raw_line in stream:
        if end is not None and offset >= end:
            break
        line_start, offset = offset, offset + len(raw_line)
        if not raw_line.strip():
            continue  # blank lines are separators, not records
        key = f"{relpath}@{line_start}"
        try:
            line = decode_utf8(raw_line)
        except UndecodableText:
            yield Record(
                key=key, text=raw_line.decode("utf-8", "replace"), path=relpath, reject="ingest:undecodable"
            )
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            yield Record(key=key, text=line, path=relpath, reject="ingest:invalid_json")
            continue
        yield record_from_object(obj, key, options, raw=line, path=relpath)
