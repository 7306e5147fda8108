#!/usr/bin/env python3
"""Generate the small sample data set bundled with the repo (recipes/sample_data/).

The files are committed, so this script only needs re-running by developers who
want to change the sample. It is deterministic: one ``random.Random(1234)`` drives
every choice, compressed containers carry fixed timestamps, and WARC record ids and
dates are derived from the content, so re-running produces byte-identical files
(with the same Python / zlib / pyarrow / zstandard versions).

Real text comes from the labelled bench corpus (``shared/bench/corpus-20k``:
Debian / PyPI / npm package documentation and source code). Only documents that
the labels mark ``quality == 'good'`` (and that are not duplicates or benchmark-
contaminated) are used as clean records; ten ``quality == 'bad'`` documents, one
per corruption kind, are mixed into ``web/pages-000.jsonl`` as valid records that
later (quality) stages are expected to drop.

Besides the data the script writes:
  EXPECTED.json  what the ingest stage should report per file, computed from what
                 was planted here (never by running ingest code);
  SOURCES.json   provenance: corpus id, origin package, origin path and licence of
                 every corpus document used;
  README.md      human description of the files and planted bad records.

Usage:
  .venv/bin/python recipes/sample_data/make_sample.py [--corpus DIR]

The corpus is only read; ``--corpus`` (or $CURATE_BENCH_CORPUS) overrides the
default ``<repo>/../shared/bench/corpus-20k``.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import html
import io
import json
import os
import random
import re
import shutil
import struct
import sys
import tarfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SEED = 1234
OUT = Path(__file__).resolve().parent
DEFAULT_CORPUS = OUT.parents[2] / "shared" / "bench" / "corpus-20k"

MAX_CHARS = 3000  # every corpus text is cut to at most this many characters
MIN_CHARS = 300  # ... and must keep at least this many (prose and code)
MAX_BYTES = 100_000  # the sample recipe's ingest size limit (ingest:too_large)
TOO_LARGE_CHARS = 150_000
EN_SHARE = 0.5  # share of English among prose documents
OTHER_LANGS = [
    "de",
    "fr",
    "es",
    "ru",
    "zh",
    "ja",
    "ar",
    "it",
    "pt",
    "nl",
    "pl",
    "sv",
    "ko",
    "uk",
    "cs",
    "tr",
    "vi",
    "el",
    "da",
    "fi",
]

# Fixed timestamps so containers are reproducible.
FIXED_EPOCH = 1704067200  # 2024-01-01T00:00:00Z (tar mtime)
FIXED_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
WARC_BASE_DATE = datetime(2024, 3, 4, 12, 0, 0, tzinfo=UTC)

# Sub-directories the script owns (wiped and rebuilt on every run).
DATA_DIRS = ["web", "parquet", "crawl", "code", "docs"]

# Code layout: language -> (folder in the sample repo, accepted extensions, extension
# to use when the origin file has none / an unusual one).
CODE_LAYOUT = {
    "python": ("src/app", {".py"}, ".py"),
    "c": ("lib", {".c", ".h"}, ".c"),
    "cpp": ("lib/cpp", {".hpp", ".cpp", ".cc"}, ".hpp"),
    "go": ("cmd/tool", {".go"}, ".go"),
    "javascript": ("web", {".js"}, ".js"),
    "typescript": ("web/src", {".ts"}, ".ts"),
    "rust": ("crates/core/src", {".rs"}, ".rs"),
    "java": ("java/src/main/java/org/example", {".java"}, ".java"),
    "shell": ("scripts", {".sh", ".bash"}, ".sh"),
    "ruby": ("ruby/lib", {".rb"}, ".rb"),
    "perl": ("perl/lib", {".pm", ".pl"}, ".pm"),
}
# Path segments that an ingest stage treats as vendored/generated; real files whose
# origin path contains one are not used as "clean" code (they would be rejected).
VENDOR_SEGMENTS = {"vendor", "node_modules", "third_party", "dist", "build", "min"}

REPO_LANGS = (
    ["python"] * 4
    + ["c"] * 3
    + ["go"] * 3
    + ["javascript"] * 3
    + ["typescript"] * 2
    + ["rust"] * 3
    + ["java"] * 2
    + ["shell"] * 2
    + ["ruby", "cpp", "perl"]
)  # 25
TAR_LANGS = ["python", "python", "go", "javascript", "rust", "ruby", "c", "shell"]  # 8
ZIP_LANGS = ["python", "java", "java", "typescript", "perl", "cpp", "c", "go"]  # 8

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\r\ufeff]")


# --------------------------------------------------------------------------- corpus


@dataclass
class Doc:
    id: str
    url: str
    crawl: str  # crawl snapshot from the corpus' `source` column, e.g. snap-2024-10
    text: str  # already truncated to <= MAX_CHARS at a line boundary
    lang: str
    is_code: bool
    code_lang: str | None
    quality: str
    corruption: str | None
    origin: str
    origin_path: str
    license: str


def truncate_at_line(text: str, limit: int = MAX_CHARS) -> str:
    """Cut to <= limit chars at the last line break; '' if that leaves nothing."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit + 1)
    return text[:cut].rstrip() if cut > 0 else ""


class Corpus:
    """Loads the labelled corpus once and hands out each document at most once."""

    def __init__(self, root: Path, rng: random.Random):
        crawl_path = root / "crawl" / "part-00000.parquet"
        labels_path = root / "labels.parquet"
        missing = [str(p) for p in (crawl_path, labels_path) if not p.is_file()]
        if missing:
            sys.exit(
                "make_sample: bench corpus not found: "
                + ", ".join(missing)
                + "\n  pass --corpus DIR or set $CURATE_BENCH_CORPUS"
            )
        self.rng = rng
        texts = {
            r["id"]: r for r in pq.read_table(crawl_path, columns=["id", "url", "text", "source"]).to_pylist()
        }
        labels = pq.read_table(
            labels_path,
            columns=[
                "id",
                "lang",
                "is_code",
                "code_lang",
                "quality",
                "corruption",
                "recipe",
                "dup_role",
                "contaminated",
                "origin",
                "origin_path",
                "license",
            ],
        ).to_pylist()
        labels.sort(key=lambda r: r["id"])  # independent of the file's row order

        self.prose: dict[str, list[Doc]] = collections.defaultdict(list)
        self.code: dict[str, list[Doc]] = collections.defaultdict(list)
        self.bad: dict[str, list[Doc]] = collections.defaultdict(list)
        for lab in labels:
            raw = texts.get(lab["id"])
            if raw is None or raw["text"] is None:
                continue
            # Duplicates and benchmark-contaminated docs would confuse later stages'
            # tests (dedup, decontamination), so the sample avoids them altogether.
            if lab["dup_role"] not in (None, "original") or lab["contaminated"]:
                continue
            # Clean records must not need normalising: the planted ones do that.
            if CONTROL_RE.search(raw["text"]):
                continue
            text = truncate_at_line(raw["text"])
            doc = Doc(
                lab["id"],
                raw["url"],
                raw["source"],
                text,
                lab["lang"],
                bool(lab["is_code"]),
                lab["code_lang"],
                lab["quality"],
                lab["corruption"],
                lab["origin"],
                lab["origin_path"] or "",
                lab["license"] or "unknown",
            )
            if lab["quality"] == "bad" and (lab["recipe"] or "").startswith("bad:"):
                # (a bad doc with no line break in its first 3,000 chars has text == "")
                if text:
                    self.bad[lab["corruption"]].append(doc)
                continue
            if lab["quality"] != "good" or len(text) < MIN_CHARS:
                continue
            elif lab["recipe"] == "prose" and not doc.is_code and doc.lang != "zxx":
                self.prose[doc.lang].append(doc)
            elif (
                lab["recipe"] == "code"
                and doc.is_code
                and doc.code_lang in CODE_LAYOUT
                and self._code_ok(doc)
            ):
                self.code[doc.code_lang].append(doc)
        # Shuffle each pool once; pick() then pops from the end.
        for pools in (self.prose, self.code, self.bad):
            for key in sorted(pools):
                rng.shuffle(pools[key])
        self.used: list[tuple[str, str, Doc]] = []  # (sample file, record key, doc)

    @staticmethod
    def _code_ok(doc: Doc) -> bool:
        parts = doc.origin_path.lower().split("/")
        if VENDOR_SEGMENTS & set(parts) or ".min." in parts[-1] or parts[-1].startswith("."):
            return False
        # Long lines would trip the minified-file heuristic; keep clean code clean.
        lines = doc.text.split("\n")
        return max(len(x) for x in lines) <= 160

    def pick_prose(self, lang: str | None = None) -> Doc:
        if lang is None:
            lang = "en" if self.rng.random() < EN_SHARE else self.rng.choice(OTHER_LANGS)
        pool = self.prose.get(lang) or self.prose["en"]
        return pool.pop()

    def pick_code(self, code_lang: str) -> Doc:
        return self.code[code_lang].pop()

    def pick_bad(self, corruption: str) -> Doc:
        return self.bad[corruption].pop()

    def record_use(self, file: str, key: str, doc: Doc) -> None:
        self.used.append((file, key, doc))


# --------------------------------------------------------------------------- helpers


class Expected:
    """Collects the EXPECTED.json entries while files are written."""

    def __init__(self):
        self.entries: dict[str, dict] = {}
        self.notes: dict[str, list[str]] = collections.defaultdict(list)  # for README

    def add(
        self, rel: str, records: int | None, rejected: collections.Counter | dict, quarantine: bool = False
    ) -> None:
        self.entries[rel] = {
            "records": records,
            "rejected": {k: rejected[k] for k in sorted(rejected)},
            "quarantine": quarantine,
        }


def write_file(rel: str, data: bytes) -> None:
    path = OUT / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def gzip_bytes(data: bytes) -> bytes:
    # mtime=0 and no embedded file name keep the output reproducible.
    return gzip.compress(data, compresslevel=9, mtime=0)


def jsonl_line(rec: dict, ascii_only: bool = False) -> bytes:
    return (json.dumps(rec, ensure_ascii=ascii_only) + "\n").encode("utf-8")


def web_record(doc: Doc, text=None) -> dict:
    return {"id": doc.id, "url": doc.url, "text": doc.text if text is None else text, "crawl": doc.crawl}


def make_png(size: int = 16) -> bytes:
    """A real (tiny, gradient) PNG: its IHDR length field alone holds NUL bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(size) for v in (x * 255 // (size - 1), y * 255 // (size - 1), 128))
        for y in range(size)
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def make_blob(rng: random.Random, n: int = 1024) -> bytes:
    """Opaque binary data (a made-up header plus random bytes, NULs guaranteed)."""
    return b"BLOB\x00\x01\x00\x00" + rng.randbytes(n - 8)


def make_minified_js(rng: random.Random, target: int = 3000) -> bytes:
    """A one-line bundle in the style of a minifier's output (~3,000 chars)."""
    names = "abcdefghijklmnopqrstuvwxyz"
    parts = ['/*! app v1.4.2 | (c) sample | MIT */!function(){"use strict";var e={};']
    i = 0
    while sum(map(len, parts)) < target - 60:
        f, a, b = rng.choice(names), rng.choice(names), rng.choice(names)
        body = rng.choice(
            [
                f"function {f}{i}({a},{b}){{return {a}&&{a}.{b}?{a}.{b}:{b}}}",
                f"e.{f}{i}=function({a}){{for(var {b}=0;{b}<{a}.length;{b}++)if(!{a}[{b}])return!1;return!0}};",
                f'var {f}{i}=Object.assign({{}},e,{{n:{rng.randint(0, 999)},s:"{f}{a}{b}"}});',
                f"e.on{i}=function({a}){{return document.querySelectorAll({a}).forEach(function({b}){{{b}.hidden=!{b}.hidden}})}};",
            ]
        )
        parts.append(body)
        i += 1
    parts.append("window.App=e}();")
    return ("".join(parts) + "\n").encode("ascii")


def code_path(doc: Doc, top: str | None = None) -> str:
    """A sensible relative path: language folder + the file's real base name."""
    folder, exts, default_ext = CODE_LAYOUT[doc.code_lang]
    name = doc.origin_path.rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = "." + ext if ext else ""
    if ext not in exts:
        stem, ext = (stem or name), default_ext
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", stem)
    return f"{top or folder}/{stem}{ext}"


def unique(path: str, taken: set[str]) -> str:
    base, n = path, 1
    while path in taken:
        stem, dot, ext = base.rpartition(".")
        path = f"{stem}_{n}.{ext}" if dot else f"{base}_{n}"
        n += 1
    taken.add(path)
    return path


# --------------------------------------------------------------------------- web JSONL


def write_pages_000(corpus: Corpus, exp: Expected, rng: random.Random) -> None:
    """Plain JSONL with every malformed-record kind planted among good records.

    Written in binary mode because one line must carry raw non-UTF-8 bytes."""
    rel = "web/pages-000.jsonl"
    lines: list[tuple[bytes, str | None, str]] = []  # (line, reject reason or None, README note)
    add = lines.append

    def real(lang: str | None = None, key: str | None = None) -> Doc:
        d = corpus.pick_prose(lang)
        corpus.record_use(rel, key or d.id, d)
        return d

    def planted(kind: str, **fields) -> dict:
        return {"id": f"planted-{kind}", "url": f"https://sample.example/planted/{kind}", **fields}

    for _ in range(37):
        add((jsonl_line(web_record(real())), None, ""))
    # Low-quality docs: valid for ingest, dropped by later quality stages.
    for kind in sorted(corpus.bad):
        d = corpus.pick_bad(kind)
        corpus.record_use(rel, d.id, d)
        add((jsonl_line(web_record(d)), None, f"quality=bad ({kind}) - kept by ingest"))

    # Valid records whose text needs normalising (kept).
    d = real("en")
    nul_text = "\x00" + "\n".join(p + "\x00" * (i % 3 == 0) for i, p in enumerate(d.text.split("\n")))
    add((jsonl_line(web_record(d, nul_text)), None, "text contains NUL characters (\\u0000) - kept"))
    d = real("en")
    add((jsonl_line(web_record(d, d.text.replace("\n", "\r\n"))), None, "Windows \\r\\n newlines - kept"))
    d = real()
    add((jsonl_line(web_record(d, d.text.replace("\n", "\r"))), None, "old-Mac \\r newlines - kept"))
    d = real()
    add((jsonl_line(web_record(d, "\ufeff" + d.text)), None, "text starts with a BOM (U+FEFF, raw) - kept"))

    # Records the ingest stage must reject.
    d = real("en")
    mid = len(d.text) // 2
    # ensure_ascii=True writes the lone surrogate as the escape \ud800: the line is
    # valid JSON and valid UTF-8, but the decoded text cannot be encoded to UTF-8.
    surrogate = jsonl_line(web_record(d, d.text[:mid] + "\ud800" + d.text[mid:]), ascii_only=True)
    add((surrogate, "ingest:undecodable", "lone surrogate escape \\ud800 in the text"))
    truncated = (
        b'{"id": "planted-invalid-json", "url": "https://sample.example/planted/invalid-json", '
        b'"text": "This record was cut off mid-write and never closes\n'
    )
    add((truncated, "ingest:invalid_json", "not valid JSON (unterminated string/object)"))
    array = ["planted-array", "https://sample.example/planted/array", "A JSON array, not an object"]
    add((jsonl_line(array), "ingest:invalid_json", "JSON array instead of an object"))
    crawl = {"crawl": "snap-2024-10"}
    add((jsonl_line(planted("missing-text", **crawl)), "ingest:missing_text", 'no "text" field'))
    add((jsonl_line(planted("null-text", text=None, **crawl)), "ingest:missing_text", '"text": null'))
    add((jsonl_line(planted("empty-text", text="", **crawl)), "ingest:empty", '"text": ""'))
    add(
        (
            jsonl_line(planted("whitespace-text", text="  \n\t ", **crawl)),
            "ingest:empty",
            'whitespace-only text "  \\n\\t "',
        )
    )
    base = real("en", "planted-too-large")
    while not base.text.isascii():  # ASCII so that characters == bytes
        corpus.used.pop()
        base = real("en", "planted-too-large")
    big = ("\n\n".join([base.text] * (TOO_LARGE_CHARS // len(base.text) + 1)))[:TOO_LARGE_CHARS]
    note = f"text of {TOO_LARGE_CHARS:,} ASCII characters (> {MAX_BYTES:,} bytes)"
    add((jsonl_line(planted("too-large", text=big, **crawl)), "ingest:too_large", note))
    # Build valid JSON around a placeholder, then swap in raw non-UTF-8 bytes.
    head = real("fr", "planted-invalid-utf8").text.split("\n")[0][:200]
    raw = jsonl_line(planted("invalid-utf8", text=head + " caf@@RAW@@", **crawl))
    raw = raw.replace(b"@@RAW@@", b"\xe9 \xff\xfe")
    add((raw, "ingest:undecodable", "raw bytes \\xe9 \\xff\\xfe (not UTF-8) inside the JSON string"))
    try:
        raw.decode("utf-8")
        raise AssertionError("invalid-UTF-8 line decodes")
    except UnicodeDecodeError:
        pass

    rng.shuffle(lines)
    # The blank line is not a record: insert it between two records mid-file.
    lines.insert(len(lines) // 2, (b"\n", "blank", "blank line (not a record)"))

    rejected = collections.Counter()
    for i, (_, reason, note) in enumerate(lines, start=1):
        if reason and reason != "blank":
            rejected[reason] += 1
        if note:
            exp.notes[rel].append(
                f"line {i}: {note}" + (f" -> `{reason}`" if reason not in (None, "blank") else "")
            )
    write_file(rel, b"".join(line for line, _, _ in lines))
    exp.add(rel, sum(1 for _, r, _ in lines if r != "blank"), rejected)


def good_jsonl(corpus: Corpus, rel: str, n: int) -> bytes:
    out = []
    for _ in range(n):
        d = corpus.pick_prose()
        corpus.record_use(rel, d.id, d)
        out.append(jsonl_line(web_record(d)))
    return b"".join(out)


def write_pages_compressed(corpus: Corpus, exp: Expected) -> None:
    rel = "web/pages-001.jsonl.gz"
    write_file(rel, gzip_bytes(good_jsonl(corpus, rel, 40)))
    exp.add(rel, 40, {})
    rel = "web/pages-002.jsonl.zst"
    # Single frame with the content size in the header, no threads: reproducible.
    write_file(rel, zstandard.ZstdCompressor(level=10).compress(good_jsonl(corpus, rel, 40)))
    exp.add(rel, 40, {})


def write_broken_gzip(corpus: Corpus, exp: Expected) -> None:
    """A gzip member cut at ~60 % of its compressed size: the reader must quarantine it."""
    rel = "web/broken-003.jsonl.gz"
    raw = good_jsonl(corpus, rel, 20)
    comp = gzip_bytes(raw)
    cut = comp[: int(len(comp) * 0.6)]
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    partial = d.decompress(cut)
    assert not d.eof, "truncated gzip unexpectedly complete"
    whole = partial.count(b"\n")
    exp.notes[rel].append(
        f"20 records, compressed {len(comp):,} bytes cut to {len(cut):,}; "
        f"{whole} complete lines decode before the cut"
    )
    write_file(rel, cut)
    exp.add(rel, None, {}, quarantine=True)


# --------------------------------------------------------------------------- parquet


def write_parquet(corpus: Corpus, exp: Expected, rng: random.Random) -> None:
    rel = "parquet/docs-000.parquet"
    rows = []
    for _ in range(38):
        d = corpus.pick_prose()
        corpus.record_use(rel, d.id, d)
        rows.append({"id": d.id, "url": d.url, "text": d.text})
    rows.insert(
        rng.randrange(len(rows) + 1),
        {"id": "planted-null-text", "url": "https://sample.example/planted/pq-null", "text": None},
    )
    rows.insert(
        rng.randrange(len(rows) + 1),
        {"id": "planted-empty-text", "url": "https://sample.example/planted/pq-empty", "text": ""},
    )
    for i, r in enumerate(rows):
        if r["id"].startswith("planted-"):
            reason = "ingest:missing_text" if r["text"] is None else "ingest:empty"
            exp.notes[rel].append(f"row {i}: text {'null' if r['text'] is None else 'empty'} -> `{reason}`")
    schema = pa.schema([("id", pa.string()), ("url", pa.string()), ("text", pa.string())])
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), buf, compression="zstd")
    write_file(rel, buf.getvalue())
    exp.add(rel, len(rows), {"ingest:missing_text": 1, "ingest:empty": 1})

    rel = "parquet/corrupt-001.parquet"
    # Random bytes that neither start nor end with the Parquet magic "PAR1".
    junk = b"<html><body>502 Bad Gateway</body></html>\n" + rng.randbytes(2048)
    assert not junk.startswith(b"PAR1") and not junk.endswith(b"PAR1")
    write_file(rel, junk)
    exp.notes[rel].append("an HTML error page followed by 2,048 random bytes: not Parquet")
    exp.add(rel, None, {}, quarantine=True)


# --------------------------------------------------------------------------- WARC / WET


def warc_id(*parts: str) -> str:
    # Content-derived ids instead of random uuid4s keep the WARC reproducible.
    return f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'curate-sample:' + ':'.join(parts))}>"


def warc_date(i: int) -> datetime:
    return WARC_BASE_DATE + timedelta(seconds=37 * i)


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(dt: datetime) -> str:
    return dt.strftime("%a, %d %b %Y %H:%M:%S GMT")


def warcinfo(writer: WARCWriter, filename: str, description: str) -> None:
    info = (
        f"software: curate recipes/sample_data/make_sample.py\r\n"
        f"format: WARC File Format 1.0\r\nisPartOf: curate-sample\r\n"
        f"description: {description}\r\nrobots: classic\r\n"
    ).encode()
    writer.write_record(
        writer.create_warc_record(
            "",
            "warcinfo",
            payload=io.BytesIO(info),
            length=len(info),
            warc_headers_dict={
                "WARC-Record-ID": warc_id("warcinfo", filename),
                "WARC-Date": iso(WARC_BASE_DATE),
                "WARC-Filename": filename,
            },
        )
    )


def html_page(doc: Doc) -> str:
    """A simple but realistic page: nav menu and footer around the real text."""
    host = doc.url.split("/")[2]
    first = doc.text.split("\n", 1)[0].strip()
    title = first if len(first) <= 70 else first[:70].rsplit(" ", 1)[0] + "…"
    paras = [p.strip() for p in re.split(r"\n\s*\n", doc.text) if p.strip()]
    if len(paras) > 1 and paras[0] == first:  # a heading line: shown as <h1> only
        paras = paras[1:]
    body = "\n".join("<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>" for p in paras)
    nav = "".join(
        f'<li><a href="{href}">{label}</a></li>'
        for href, label in [
            ("/", "Home"),
            ("/docs/", "Docs"),
            ("/blog/", "Blog"),
            ("/forum/", "Forum"),
            ("/about/", "About"),
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{doc.lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)} | {host}</title>\n"
        f'<link rel="stylesheet" href="/static/site.css">\n</head>\n<body>\n'
        f'<header><a class="logo" href="/">{host}</a>\n<nav><ul>{nav}</ul></nav></header>\n'
        f"<main>\n<article>\n<h1>{html.escape(title)}</h1>\n{body}\n</article>\n</main>\n"
        f'<footer><p>&copy; 2024 {host} &middot; <a href="/privacy/">Privacy</a> &middot; '
        f'<a href="/contact/">Contact</a></p></footer>\n</body>\n</html>\n'
    )


def write_exchange(writer: WARCWriter, i: int, url: str, body: bytes, content_type: str) -> None:
    """One response record plus its matching request record."""
    dt = warc_date(i)
    path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
    resp_headers = StatusAndHeaders(
        "200 OK",
        [
            ("Date", http_date(dt)),
            ("Server", "nginx/1.24.0"),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ],
        protocol="HTTP/1.1",
    )
    resp = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=resp_headers,
        warc_headers_dict={"WARC-Record-ID": warc_id("response", url), "WARC-Date": iso(dt)},
    )
    req_headers = StatusAndHeaders(
        f"GET {path} HTTP/1.1",
        [
            ("Host", url.split("/")[2]),
            ("User-Agent", "curate-sample-crawler/1.0"),
            ("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
            ("Connection", "close"),
        ],
        is_http_request=True,
    )
    req = writer.create_warc_record(
        url,
        "request",
        http_headers=req_headers,
        warc_headers_dict={"WARC-Record-ID": warc_id("request", url), "WARC-Date": iso(dt)},
    )
    writer.write_request_response_pair(req, resp)


def write_warc(corpus: Corpus, exp: Expected) -> None:
    rel = "crawl/sample-000.warc.gz"
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    warcinfo(writer, "sample-000.warc.gz", "curate sample crawl: HTML responses with request records")
    specials = {9: "png", 17: "empty"}  # positions of the two planted responses
    n = 0
    for i in range(27):
        if specials.get(i) == "png":
            write_exchange(writer, i, "https://static.sample.example/img/logo.png", make_png(), "image/png")
            exp.notes[rel].append(f"response #{i + 1}: image/png payload -> `ingest:not_html`")
            continue
        if specials.get(i) == "empty":
            page = (
                '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title></title></head>\n'
                "<body></body>\n</html>\n"
            )
            write_exchange(
                writer, i, "https://sample.example/blank/", page.encode(), "text/html; charset=utf-8"
            )
            exp.notes[rel].append(f"response #{i + 1}: HTML with an empty body -> `ingest:empty`")
            continue
        d = corpus.pick_prose()
        corpus.record_use(rel, d.url, d)
        write_exchange(writer, i, d.url, html_page(d).encode("utf-8"), "text/html; charset=utf-8")
        n += 1
    write_file(rel, buf.getvalue())
    exp.add(rel, n + 2, {"ingest:not_html": 1, "ingest:empty": 1})

    rel = "crawl/sample-001.warc.wet.gz"
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    warcinfo(writer, "sample-001.warc.wet.gz", "curate sample WET: plain-text conversions")
    for i in range(15):
        d = corpus.pick_prose()
        corpus.record_use(rel, d.url, d)
        text = d.text.encode("utf-8")
        writer.write_record(
            writer.create_warc_record(
                d.url,
                "conversion",
                payload=io.BytesIO(text),
                length=len(text),
                warc_content_type="text/plain",
                warc_headers_dict={
                    "WARC-Record-ID": warc_id("conversion", d.url),
                    "WARC-Date": iso(warc_date(i)),
                    "WARC-Refers-To": warc_id("response", d.url),
                },
            )
        )
    write_file(rel, buf.getvalue())
    exp.add(rel, 15, {})


# --------------------------------------------------------------------------- code trees / archives


def pick_code_files(corpus: Corpus, rel: str, langs: list[str], top_prefix: str = "") -> dict[str, bytes]:
    files, taken = {}, set()
    for lang in langs:
        d = corpus.pick_code(lang)
        path = unique(top_prefix + code_path(d), taken)
        corpus.record_use(rel, path, d)
        files[path] = (d.text + "\n").encode("utf-8")
    return files


def write_code_repo(corpus: Corpus, exp: Expected, rng: random.Random) -> None:
    rel = "code/repo"
    files = pick_code_files(corpus, rel, REPO_LANGS)
    planted: dict[str, tuple[bytes, str | None]] = {}
    d = corpus.pick_code("javascript")
    corpus.record_use(rel, "node_modules/leftpad/index.js", d)
    planted["node_modules/leftpad/index.js"] = ((d.text + "\n").encode(), "ingest:vendored")
    d = corpus.pick_code("go")
    corpus.record_use(rel, "vendor/github.com/x/y.go", d)
    planted["vendor/github.com/x/y.go"] = ((d.text + "\n").encode(), "ingest:vendored")
    planted["dist/app.min.js"] = (make_minified_js(rng), "ingest:minified")
    planted["assets/logo.png"] = (make_png(), "ingest:binary")
    planted["data/blob.bin"] = (make_blob(rng), "ingest:binary")
    planted["notes/TODO.unknownext"] = (
        (
            b"TODO\n- move the parser helpers out of lib/ into their own module\n"
            b"- add tests for the Go tool's flag handling\n- document the build script options\n"
        ),
        "ingest:unknown_extension",
    )
    readme = [
        "# sample repo",
        "",
        "A small multi-language tree bundled with curate's sample recipe. The source files",
        "are real files from Debian / npm packages (see recipes/sample_data/SOURCES.json);",
        "this README is kept as a code document with `code_lang = markdown`.",
        "",
        "## Layout",
        "",
    ]
    readme += [f"- `{p}`" for p in sorted(files)] + [""]
    planted["README.md"] = ("\n".join(readme).encode(), None)

    rejected = collections.Counter()
    for path, (data, reason) in sorted(planted.items()):
        if reason:
            rejected[reason] += 1
        exp.notes[rel].append(f"`{path}`" + (f" -> `{reason}`" if reason else " -> kept (markdown)"))
        files[path] = data
    assert b"\x00" in planted["assets/logo.png"][0] and b"\x00" in planted["data/blob.bin"][0]
    assert planted["dist/app.min.js"][0].count(b"\n") == 1
    for path, data in sorted(files.items()):
        write_file(f"{rel}/{path}", data)
    exp.add(rel, len(files), rejected)


def snippet_files(
    corpus: Corpus, rel: str, langs: list[str], vendored: tuple[str, str], binary: tuple[str, bytes]
) -> dict[str, bytes]:
    files = pick_code_files(corpus, rel, langs, top_prefix="snippets/")
    vpath, vlang = vendored
    d = corpus.pick_code(vlang)
    corpus.record_use(rel, vpath, d)
    files[vpath] = (d.text + "\n").encode()
    files[binary[0]] = binary[1]
    return dict(sorted(files.items()))


def write_snippet_archives(corpus: Corpus, exp: Expected, rng: random.Random) -> None:
    rel = "code/snippets.tar.gz"
    files = snippet_files(
        corpus,
        rel,
        TAR_LANGS,
        ("snippets/vendor/github.com/acme/strutil/strutil.go", "go"),
        ("snippets/assets/icon.png", make_png(24)),
    )
    tbuf = io.BytesIO()
    # Plain tar in memory (fixed mtime/uid/gid/uname, no directory entries), then
    # gzip with mtime=0: tarfile's own "w:gz" would stamp the current time.
    with tarfile.open(fileobj=tbuf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = len(data), FIXED_EPOCH, 0o644
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = "curate"
            tf.addfile(ti, io.BytesIO(data))
    write_file(rel, gzip_bytes(tbuf.getvalue()))
    exp.notes[rel] += [
        "`snippets/vendor/github.com/acme/strutil/strutil.go` -> `ingest:vendored`",
        "`snippets/assets/icon.png` -> `ingest:binary`",
    ]
    exp.add(rel, len(files), {"ingest:vendored": 1, "ingest:binary": 1})

    rel = "code/snippets.zip"
    files = snippet_files(
        corpus,
        rel,
        ZIP_LANGS,
        ("snippets/node_modules/left-pad/index.js", "javascript"),
        ("snippets/data/weights.bin", make_blob(rng, 2048)),
    )
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zi = zipfile.ZipInfo(name, date_time=FIXED_ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3  # unix, regardless of the host OS
            zi.external_attr = 0o100644 << 16
            zf.writestr(zi, data)
    write_file(rel, zbuf.getvalue())
    exp.notes[rel] += [
        "`snippets/node_modules/left-pad/index.js` -> `ingest:vendored`",
        "`snippets/data/weights.bin` -> `ingest:binary`",
    ]
    exp.add(rel, len(files), {"ingest:vendored": 1, "ingest:binary": 1})


# --------------------------------------------------------------------------- docs tree

DOC_LANGS = ["en", "en", "en", "en", "en", "de", "fr", "es", "ru", "zh", "ja", "ar", "it", "pt", "uk"]


def write_docs_tree(corpus: Corpus, exp: Expected) -> None:
    rel = "docs"
    files: dict[str, bytes] = {}
    taken: set[str] = set()
    for i, lang in enumerate(DOC_LANGS):
        d = corpus.pick_prose(lang)
        name = d.origin_path.rsplit("/", 1)[-1] or d.id
        name = re.sub(r"\.(gz|html?|xhp|txt|xml)$", "", name)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip("._") or d.id
        md = i % 3 == 2  # every third file is Markdown with a heading
        text = d.text
        if md:
            heading = text.split("\n", 1)[0][:80].strip()
            text = f"# {heading}\n\n{text}"
        path = unique(f"{d.lang}/{d.origin}/{name}.{'md' if md else 'txt'}", taken)
        corpus.record_use(rel, path, d)
        files[path] = (text + "\n").encode("utf-8")

    # A legacy Latin-1 file: valid text, but not UTF-8.
    d = corpus.pick_prose("fr")
    latin = (
        "Menu du café : crème brûlée, thé glacé, gâteau à la façon de grand-mère.\n\n" + d.text + "\n"
    ).encode("latin-1", errors="replace")
    try:
        latin.decode("utf-8")
        raise AssertionError("Latin-1 file decodes as UTF-8")
    except UnicodeDecodeError:
        pass
    corpus.record_use(rel, "fr/legacy/notes-latin1.txt", d)
    files["fr/legacy/notes-latin1.txt"] = latin
    files["empty.txt"] = b""
    exp.notes[rel] += [
        "`fr/legacy/notes-latin1.txt`: Latin-1 encoded (café, crème ...) -> `ingest:undecodable`",
        "`empty.txt`: 0 bytes -> `ingest:empty`",
    ]
    for path, data in sorted(files.items()):
        write_file(f"{rel}/{path}", data)
    exp.add(rel, len(files), {"ingest:undecodable": 1, "ingest:empty": 1})


# --------------------------------------------------------------------------- metadata


def data_files() -> list[Path]:
    return sorted(p for d in DATA_DIRS for p in (OUT / d).rglob("*") if p.is_file())


def write_sources(corpus: Corpus) -> dict[str, int]:
    """Provenance file: licences once per origin package, then one document per line."""
    licenses = collections.Counter(d.license for _, _, d in corpus.used)
    origins = {d.origin: d.license for _, _, d in sorted(corpus.used, key=lambda u: u[2].origin)}
    docs = [
        json.dumps(
            {
                "file": f,
                "record": key,
                "corpus_id": d.id,
                "quality": d.quality,
                "corruption": d.corruption,
                "lang": d.lang,
                "code_lang": d.code_lang,
                "origin": d.origin,
                "origin_path": d.origin_path,
            },
            ensure_ascii=False,
        )
        for f, key, d in corpus.used
    ]
    head = {
        "corpus": "shared/bench/corpus-20k (crawl/part-00000.parquet + labels.parquet)",
        "seed": SEED,
        "license_by_origin": origins,
    }
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    text += ',\n "documents": [\n  ' + ",\n  ".join(docs) + "\n ]\n}\n"
    json.loads(text)  # the hand-joined layout must still be valid JSON
    (OUT / "SOURCES.json").write_text(text, encoding="utf-8")
    return licenses


def write_expected(exp: Expected) -> None:
    (OUT / "EXPECTED.json").write_text(
        json.dumps(dict(sorted(exp.entries.items())), indent=2) + "\n", encoding="utf-8"
    )


DESCRIPTIONS = {
    "web/pages-000.jsonl": "JSONL {id,url,text,crawl}: good prose in many languages, 10 low-quality docs "
    "(one per corruption kind) and every malformed-record kind",
    "web/pages-001.jsonl.gz": "gzip JSONL, good prose records",
    "web/pages-002.jsonl.zst": "zstandard JSONL, good prose records",
    "web/broken-003.jsonl.gz": "gzip JSONL truncated at 60 % of its compressed bytes (quarantine)",
    "parquet/docs-000.parquet": "Parquet (id, url, text), zstd-compressed; one null and one empty text",
    "parquet/corrupt-001.parquet": "not Parquet at all (quarantine)",
    "crawl/sample-000.warc.gz": "WARC: warcinfo + request/response pairs; HTML pages with nav/footer around "
    "the real text, one image/png and one empty-bodied page",
    "crawl/sample-001.warc.wet.gz": "WET: warcinfo + text/plain `conversion` records with WARC-Refers-To",
    "code/repo": "source tree: real code in 11 languages plus planted vendored/minified/binary/unknown files",
    "code/snippets.tar.gz": "tar.gz of code snippets in sub-folders + one vendored and one binary file",
    "code/snippets.zip": "zip of code snippets in sub-folders + one vendored and one binary file",
    "docs": "prose tree (.txt/.md) in several languages + one Latin-1 file and one empty file",
}


def write_readme(exp: Expected, licenses: dict[str, int], corpus: Corpus) -> None:
    langs = collections.Counter(d.lang for _, _, d in corpus.used if not d.is_code)
    code_langs = collections.Counter(d.code_lang for _, _, d in corpus.used if d.is_code)
    out = [
        "# Sample data set",
        "",
        "Small, committed input set for `recipes/sample.yaml` and the ingest-stage tests.",
        f"Everything here is written by `make_sample.py` (deterministic, seed {SEED}); do not edit",
        "the files by hand, change the script and re-run:",
        "",
        "    .venv/bin/python recipes/sample_data/make_sample.py [--corpus ../shared/bench/corpus-20k]",
        "",
        "- `EXPECTED.json`: per file (trees and archives keyed by their root) the number of document",
        "  records, the expected ingest rejects by reason, and whether the whole file is quarantined",
        "  (`records: null` = unreadable). Derived from what the script planted, not from ingest code.",
        "  Records: non-blank JSON lines, Parquet rows, WARC `response`/`conversion` records, one per",
        "  file in trees/archives. Reject reasons use the ingest vocabulary (`ingest:invalid_json`,",
        "  `ingest:missing_text`, `ingest:empty`, `ingest:too_large` (> 100,000 UTF-8 bytes),",
        "  `ingest:undecodable`, `ingest:binary`, `ingest:vendored`, `ingest:minified`,",
        "  `ingest:unknown_extension`, `ingest:not_html`).",
        "- `SOURCES.json`: provenance of every corpus document used (file, record id or path, corpus id,",
        "  origin package and path, language, licence).",
        "",
        "## Files",
        "",
        "| path | records | ingest rejects | quarantine | contents |",
        "|---|---|---|---|---|",
    ]
    for rel, e in sorted(exp.entries.items()):
        rej = ", ".join(f"{k.split(':')[1]} {v}" for k, v in e["rejected"].items()) or "-"
        out.append(
            f"| `{rel}` | {e['records'] if e['records'] is not None else 'null'} | {rej} | "
            f"{'yes' if e['quarantine'] else 'no'} | {DESCRIPTIONS[rel]} |"
        )
    out += ["", "## Planted records", ""]
    for rel in sorted(exp.notes):
        out.append(f"### `{rel}`")
        out.append("")
        out += [f"- {n}" for n in exp.notes[rel]]
        out.append("")
    out += [
        "Line numbers are physical, 1-based, and include the blank line.",
        "",
        "## Provenance and licences",
        "",
        "Texts and code are from the labelled bench corpus `shared/bench/corpus-20k`, itself built from",
        "Debian package documentation and sources plus npm packages. `see Debian package copyright` means",
        "the licence is in the package's /usr/share/doc/<package>/copyright. Only `quality == good` documents that are neither duplicates nor benchmark-contaminated",
        "are used as clean records; the ten low-quality records in `web/pages-000.jsonl` are `quality ==",
        "bad` corpus documents (some synthetic, licensed CC0 by the corpus generator). Each text is cut to",
        f"at most {MAX_CHARS:,} characters at a line boundary. Planted artefacts (PNG, binary blobs, the",
        "minified bundle, TODO note, repo README, empty/whitespace/array records) are generated by the",
        "script.",
        "",
        f"Prose languages: {', '.join(f'{k} {v}' for k, v in sorted(langs.items(), key=lambda x: (-x[1], x[0])))}.",
        f"Code languages: {', '.join(f'{k} {v}' for k, v in sorted(code_langs.items(), key=lambda x: (-x[1], x[0])))}.",
        "",
        "Licences of the documents used (as given in `labels.parquet`; count of documents):",
        "",
    ]
    for lic, n in sorted(licenses.items(), key=lambda x: (-x[1], x[0])):
        short = lic if len(lic) <= 160 else lic[:157] + "..."
        out.append(f"- {n} x {short}")
    out.append("")
    (OUT / "README.md").write_text("\n".join(out), encoding="utf-8")


# --------------------------------------------------------------------------- self-check


def verify(exp: Expected) -> None:
    """Re-read every output with the libraries ingest uses; fail loudly on surprises."""
    import trafilatura
    from warcio.archiveiterator import ArchiveIterator

    def jsonl_count(data: bytes) -> int:
        return sum(1 for line in data.split(b"\n") if line.strip())

    e = exp.entries
    assert jsonl_count((OUT / "web/pages-000.jsonl").read_bytes()) == e["web/pages-000.jsonl"]["records"]
    assert jsonl_count(gzip.decompress((OUT / "web/pages-001.jsonl.gz").read_bytes())) == 40
    assert (
        jsonl_count(zstandard.ZstdDecompressor().decompress((OUT / "web/pages-002.jsonl.zst").read_bytes()))
        == 40
    )
    try:
        gzip.decompress((OUT / "web/broken-003.jsonl.gz").read_bytes())
        raise AssertionError("broken gzip decompresses")
    except EOFError:
        pass
    t = pq.read_table(OUT / "parquet/docs-000.parquet")
    assert t.num_rows == e["parquet/docs-000.parquet"]["records"] and t.column("text").null_count == 1
    try:
        pq.read_table(OUT / "parquet/corrupt-001.parquet")
        raise AssertionError("corrupt parquet reads")
    except pa.ArrowInvalid:
        pass

    with open(OUT / "crawl/sample-000.warc.gz", "rb") as fh:
        kinds, extracted = collections.Counter(), collections.Counter()
        for rec in ArchiveIterator(fh):
            kinds[rec.rec_type] += 1
            if rec.rec_type == "response":
                ctype = rec.http_headers.get_header("Content-Type")
                body = rec.content_stream().read()
                if ctype.startswith("text/html"):
                    ok = trafilatura.extract(body.decode("utf-8")) is not None
                    extracted["text" if ok else "none"] += 1
    assert kinds == {"warcinfo": 1, "request": 27, "response": 27}, kinds
    assert extracted == {"text": 25, "none": 1}, extracted
    with open(OUT / "crawl/sample-001.warc.wet.gz", "rb") as fh:
        kinds = collections.Counter(rec.rec_type for rec in ArchiveIterator(fh))
    assert kinds == {"warcinfo": 1, "conversion": 15}, kinds

    with tarfile.open(OUT / "code/snippets.tar.gz") as tf:
        assert len(tf.getmembers()) == e["code/snippets.tar.gz"]["records"]
    with zipfile.ZipFile(OUT / "code/snippets.zip") as zf:
        assert zf.testzip() is None and len(zf.namelist()) == e["code/snippets.zip"]["records"]
    for tree in ("code/repo", "docs"):
        assert sum(1 for p in (OUT / tree).rglob("*") if p.is_file()) == e[tree]["records"]
    total = sum(p.stat().st_size for p in data_files())
    assert total < 1_500_000, f"sample too large: {total:,} bytes"


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--corpus",
        type=Path,
        default=Path(os.environ.get("CURATE_BENCH_CORPUS", DEFAULT_CORPUS)),
        help="bench corpus directory (read only; default: %(default)s)",
    )
    args = ap.parse_args()

    rng = random.Random(SEED)
    corpus = Corpus(args.corpus, rng)  # fails before anything is deleted
    for d in DATA_DIRS:  # stale files from older runs would not be in EXPECTED
        shutil.rmtree(OUT / d, ignore_errors=True)

    exp = Expected()
    write_pages_000(corpus, exp, rng)
    write_pages_compressed(corpus, exp)
    write_broken_gzip(corpus, exp)
    write_parquet(corpus, exp, rng)
    write_warc(corpus, exp)
    write_code_repo(corpus, exp, rng)
    write_snippet_archives(corpus, exp, rng)
    write_docs_tree(corpus, exp)

    ids = [d.id for _, _, d in corpus.used]
    assert len(ids) == len(set(ids)), "a corpus document was used twice"
    write_expected(exp)
    licenses = write_sources(corpus)
    write_readme(exp, licenses, corpus)
    verify(exp)

    total = 0
    for p in data_files():
        total += p.stat().st_size
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in data_files())).hexdigest()[:16]
    print(f"wrote {len(data_files())} data files, {total:,} bytes (content sha256 {digest}) to {OUT}")


if __name__ == "__main__":
    main()
