"""The record every reader yields, and the checks every record passes through."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from jobs.text.normalize import UndecodableText, is_blank, normalize_text


@dataclass(frozen=True)
class ReadOptions:
    """The subset of ingest settings that readers need (plain data, picklable to Spark workers)."""

    max_bytes: int = 1_000_000
    unicode_form: str | None = "NFC"
    vendored_dirs: tuple[str, ...] = ()
    minified_mean_line_length: int = 300
    extra_code_extensions: dict = field(default_factory=dict)
    html_favor_precision: bool = True
    text_field: str = "text"
    id_field: str | None = "id"
    url_field: str | None = "url"


@dataclass
class Record:
    key: str  # the record's identity inside its source: its own id, or its place in the file
    text: str
    url: str | None = None
    path: str | None = None
    code_lang: str | None = None
    meta: str | None = None
    reject: str | None = None


def checked_record(text: str, options: ReadOptions, **fields) -> Record:
    """Normalise the text and reject it when empty, over the size limit or not encodable."""
    try:
        text = normalize_text(text, None if options.unicode_form == "none" else options.unicode_form)
    except UndecodableText:
        return Record(
            text=text.encode("utf-8", "replace").decode("utf-8"), reject="ingest:undecodable", **fields
        )
    if is_blank(text):
        return Record(text=text, reject="ingest:empty", **fields)
    if len(text) > options.max_bytes or len(text.encode("utf-8")) > options.max_bytes:
        return Record(text=text, reject="ingest:too_large", **fields)
    return Record(text=text, **fields)


def meta_json(record: dict, skip: set[str]) -> str | None:
    """The source record's other fields, kept as JSON so nothing of the input is dropped."""
    rest = {k: v for k, v in record.items() if k not in skip}
    if not rest:
        return None
    return json.dumps(rest, ensure_ascii=False, sort_keys=True, default=str)
