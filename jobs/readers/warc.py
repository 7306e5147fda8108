"""WARC (HTML responses, text extracted with trafilatura) and WET (conversion records, plain text)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from jobs.readers.records import ReadOptions, Record, checked_record
from jobs.text.normalize import UndecodableText, decode_utf8

HTML_TYPES = ("text/html", "application/xhtml+xml")


def extract_html_text(html: bytes, favor_precision: bool) -> str:
    """Main text of a page, without navigation and footer (trafilatura, as datatrove's extractor)."""
    import trafilatura  # heavy (lxml, justext, dateparser): only workers that meet HTML pay for it

    text = trafilatura.extract(
        html,
        favor_precision=favor_precision,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
        no_fallback=False,
    )
    return text or ""


def _response_record(record, fields: dict, options: ReadOptions) -> Record:
    content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
    body = record.content_stream().read()
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime == "text/plain":
        try:
            return checked_record(decode_utf8(body), options, **fields)
        except UndecodableText:
            return Record(text="", reject="ingest:undecodable", **fields)
    if mime not in HTML_TYPES:
        return Record(text="", meta=json.dumps({"content_type": mime}), reject="ingest:not_html", **fields)
    return checked_record(extract_html_text(body, options.html_favor_precision), options, **fields)


def read_warc(stream: BinaryIO, relpath: str, options: ReadOptions) -> Iterator[Record]:
    for position, record in enumerate(ArchiveIterator(stream), start=1):
        if record.rec_type not in ("response", "conversion"):
            continue  # warcinfo, request, metadata: not documents
        record_id = record.rec_headers.get_header("WARC-Record-ID") or f"{relpath}:{position}"
        fields = {
            "key": f"warc:{record_id}",
            "url": record.rec_headers.get_header("WARC-Target-URI"),
            "path": relpath,
        }
        if record.rec_type == "conversion":
            raw = record.content_stream().read()
            try:
                yield checked_record(decode_utf8(raw), options, **fields)
            except UndecodableText:
                yield Record(text=raw.decode("utf-8", "replace"), reject="ingest:undecodable", **fields)
        else:
            yield _response_record(record, fields, options)
