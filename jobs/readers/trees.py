"""Text trees and code trees (folders, .tar[.gz], .zip): one document per file."""

from __future__ import annotations

import posixpath
import tarfile
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from jobs.readers.records import ReadOptions, Record, checked_record
from jobs.text.code_langs import language_from_path
from jobs.text.normalize import UndecodableText, decode_utf8

BINARY_SNIFF_BYTES = 8192
MINIFIED_NAME_MARKERS = (".min.", "-min.")
PROSE_LANGS = {"markdown", "restructuredtext", "tex"}  # one paragraph per line is normal there


def looks_binary(raw: bytes) -> bool:
    return b"\x00" in raw[:BINARY_SNIFF_BYTES]


def vendored_dir(relpath: str, vendored_dirs: tuple[str, ...]) -> str | None:
    for part in relpath.split("/")[:-1]:
        if part in vendored_dirs:
            return part
    return None


def looks_minified(name: str, text: str, mean_line_limit: int) -> bool:
    if any(marker in name for marker in MINIFIED_NAME_MARKERS):
        return True
    lines = text.count("\n") + 1
    return len(text) / lines > mean_line_limit


def code_record(relpath: str, raw: bytes, options: ReadOptions) -> Record:
    fields = {"key": relpath, "path": relpath}
    if looks_binary(raw):
        return Record(text="", reject="ingest:binary", **fields)
    try:
        text = decode_utf8(raw)
    except UndecodableText:
        return Record(text="", reject="ingest:binary", **fields)
    if vendored_dir(relpath, tuple(options.vendored_dirs)):
        return Record(text=text, reject="ingest:vendored", **fields)
    first_line = text.split("\n", 1)[0]
    lang = language_from_path(relpath, first_line, options.extra_code_extensions)
    if lang is None:
        return Record(text=text, reject="ingest:unknown_extension", **fields)
    if lang not in PROSE_LANGS and looks_minified(
        posixpath.basename(relpath).lower(), text, options.minified_mean_line_length
    ):
        return Record(text=text, code_lang=lang, reject="ingest:minified", **fields)
    return checked_record(text, options, code_lang=lang, **fields)


def text_record(relpath: str, raw: bytes, options: ReadOptions) -> Record:
    try:
        text = decode_utf8(raw)
    except UndecodableText:
        return Record(
            key=relpath, path=relpath, text=raw.decode("utf-8", "replace"), reject="ingest:undecodable"
        )
    return checked_record(text, options, key=relpath, path=relpath)


def read_tree_file(stream: BinaryIO, relpath: str, options: ReadOptions, code: bool) -> Iterator[Record]:
    raw = stream.read(options.max_bytes * 4 + 1)
    if len(raw) > options.max_bytes * 4:  # far over the limit: don't hold the whole file in memory
        yield Record(key=relpath, path=relpath, text="", reject="ingest:too_large")
        return
    yield (code_record if code else text_record)(relpath, raw, options)


def _archive_members(stream: BinaryIO, relpath: str) -> Iterator[tuple[str, BinaryIO]]:
    if relpath.lower().endswith(".zip"):
        with zipfile.ZipFile(stream) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                if not info.is_dir():
                    with archive.open(info) as member:
                        yield info.filename, member
        return
    with tarfile.open(fileobj=stream, mode="r:*") as archive:
        for info in archive:  # streaming: members in archive order
            if info.isfile():
                member = archive.extractfile(info)
                if member is not None:
                    yield info.name, member


def read_archive(stream: BinaryIO, relpath: str, options: ReadOptions, code: bool) -> Iterator[Record]:
    for member_name, member in _archive_members(stream, relpath):
        inner = f"{relpath}!/{member_name.lstrip('./')}"
        yield from read_tree_file(member, inner, options, code)
