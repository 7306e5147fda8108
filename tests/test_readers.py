"""Readers of every input format, on the bundled sample (EXPECTED.json lists what was planted)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from jobs.readers import ReadOptions, expand_source, read_unit
from tests.conftest import SAMPLE_DATA

OPTIONS = ReadOptions(max_bytes=100_000, vendored_dirs=("node_modules", "vendor"))


def _read_path(relpath: str, kind: str = "text", fmt: str = "auto"):
    records, errors = [], []
    for unit in expand_source("s", kind, fmt, [str(SAMPLE_DATA / relpath)]):
        try:
            records.extend(read_unit(unit, OPTIONS))
        except Exception as err:  # noqa: BLE001
            errors.append(err)
    return records, errors


@pytest.mark.parametrize("relpath", sorted(json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())))
def test_sample_file_reads_as_planted(relpath, expected_sample):
    expected = expected_sample[relpath]
    kind = "code" if relpath.startswith("code/") else "text"
    fmt = "text" if relpath == "docs" else "auto"
    records, errors = _read_path(relpath, kind, fmt)
    if expected["quarantine"]:
        assert errors, f"{relpath} should be unreadable"
        return
    assert not errors
    assert len(records) == expected["records"]
    assert Counter(r.reject for r in records if r.reject) == Counter(expected["rejected"])


def test_kept_text_is_normalised():
    records, _ = _read_path("web/pages-000.jsonl")
    for record in records:
        if record.reject is None:
            assert "\x00" not in record.text and "\r" not in record.text
            assert not record.text.startswith("\ufeff")
            record.text.encode("utf-8")  # valid UTF-8


def test_record_ids_come_from_the_record_id_field():
    records, _ = _read_path("web/pages-001.jsonl.gz")
    assert all(r.key.startswith("id:") for r in records)


def _jsonl_unit(tmp_path, name: str, payload: bytes):
    path = tmp_path / name
    path.write_bytes(payload)
    (unit,) = expand_source("s", "text", "auto", [str(path)])
    return unit


def test_jsonl_record_level_rejects(tmp_path):
    lines = [
        b'{"text": "good one", "url": "http://a.example/1", "lang_hint": "en"}',
        b"{not json",
        b'["an", "array"]',
        b'{"body": "no text field"}',
        b'{"text": 42}',
        b'{"text": "   "}',
        b"",
        b'{"text": "caf\xe9 latin-1 bytes"}',
        b'{"text": "' + b"x" * 200 + b'"}',
    ]
    unit = _jsonl_unit(tmp_path, "a.jsonl", b"\n".join(lines) + b"\n")
    options = ReadOptions(max_bytes=100)
    records = list(read_unit(unit, options))
    assert [r.reject for r in records] == [
        None,
        "ingest:invalid_json",
        "ingest:invalid_json",
        "ingest:missing_text",
        "ingest:invalid_json",
        "ingest:empty",
        "ingest:undecodable",
        "ingest:too_large",
    ]
    assert records[0].url == "http://a.example/1"
    assert json.loads(records[0].meta) == {"lang_hint": "en"}
    assert records[0].key == "a.jsonl@0"  # no id field: the byte offset of its line


def test_jsonl_compressions_read_the_same(tmp_path):
    payload = b'{"id": "r1", "text": "one"}\n{"id": "r2", "text": "two"}\n'
    plain = list(read_unit(_jsonl_unit(tmp_path, "p.jsonl", payload), OPTIONS))
    gz = list(read_unit(_jsonl_unit(tmp_path, "p.jsonl.gz", gzip.compress(payload)), OPTIONS))
    zst = list(
        read_unit(_jsonl_unit(tmp_path, "p.jsonl.zst", zstandard.ZstdCompressor().compress(payload)), OPTIONS)
    )
    assert [(r.key, r.text) for r in plain] == [(r.key, r.text) for r in gz] == [(r.key, r.text) for r in zst]


def test_truncated_gzip_raises_after_the_records_it_could_read(tmp_path):
    payload = gzip.compress(b"".join(b'{"text": "record %d with some words"}\n' % i for i in range(2000)))
    unit = _jsonl_unit(tmp_path, "t.jsonl.gz", payload[: len(payload) // 2])
    seen = []
    with pytest.raises(EOFError):
        for record in read_unit(unit, OPTIONS):
            seen.append(record)
    assert 0 < len(seen) < 2000


def test_file_that_is_not_the_format_it_claims_raises(tmp_path):
    unit = _jsonl_unit(tmp_path, "fake.parquet", b"this is not parquet at all")
    with pytest.raises(pa.ArrowInvalid):
        list(read_unit(unit, OPTIONS))
    unit = _jsonl_unit(tmp_path, "fake.jsonl.gz", b"plain bytes, not gzip\n")
    with pytest.raises(OSError):
        list(read_unit(unit, OPTIONS))


def test_parquet_rows_and_missing_text(tmp_path):
    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": ["hello", None, ""], "extra": [1, 2, 3]}), path)
    (unit,) = expand_source("s", "text", "auto", [str(path)])
    records = list(read_unit(unit, OPTIONS))
    assert [r.reject for r in records] == [None, "ingest:missing_text", "ingest:empty"]
    assert records[0].key == "id:a" and json.loads(records[0].meta) == {"extra": 1}


def _warc(tmp_path) -> str:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    html = (
        b"<html><head><title>T</title></head><body><nav>Home | About</nav><article><p>"
        + (b"The committee met on Tuesday to discuss the new library building and its opening hours. " * 5)
        + b"</p></article><footer>(c) 2024</footer></body></html>"
    )
    for uri, ctype, body in (
        ("http://a.example/page", "text/html; charset=utf-8", html),
        ("http://a.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
    ):
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers)
        )
    path = tmp_path / "x.warc.gz"
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_warc_html_is_extracted_and_non_html_rejected(tmp_path):
    (unit,) = expand_source("s", "text", "auto", [_warc(tmp_path)])
    assert unit.format == "warc"
    page, logo = list(read_unit(unit, OPTIONS))
    assert page.reject is None and "library building" in page.text and "Home | About" not in page.text
    assert page.url == "http://a.example/page" and page.key.startswith("warc:<urn:uuid:")
    assert logo.reject == "ingest:not_html"


def test_code_archives_skip_binaries_vendored_and_minified(tmp_path):
    files = {
        "proj/src/app.py": b"def main():\n    return 1\n",
        "proj/node_modules/x/index.js": b"module.exports = 1;\n",
        "proj/static/app.min.js": b"var a=1;" * 50,
        "proj/img/logo.png": b"\x89PNG\x00\x00\x00binary",
        "proj/tools/run": b"#!/usr/bin/env bash\necho hi\n",
        "proj/notes.xyz": b"some notes\n",
    }
    tar_path, zip_path = tmp_path / "p.tar.gz", tmp_path / "p.zip"
    with tarfile.open(tar_path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    options = ReadOptions(vendored_dirs=("node_modules",))
    for path in (tar_path, zip_path):
        (unit,) = expand_source("c", "code", "auto", [str(path)])
        assert unit.format == "code_archive"
        by_name = {r.path.split("!/", 1)[1]: r for r in read_unit(unit, options)}
        assert by_name["proj/src/app.py"].reject is None and by_name["proj/src/app.py"].code_lang == "python"
        assert by_name["proj/node_modules/x/index.js"].reject == "ingest:vendored"
        assert by_name["proj/static/app.min.js"].reject == "ingest:minified"
        assert by_name["proj/img/logo.png"].reject == "ingest:binary"
        assert by_name["proj/tools/run"].code_lang == "shell"  # from the shebang
        assert by_name["proj/notes.xyz"].reject == "ingest:unknown_extension"


def test_missing_source_path_is_an_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        expand_source("s", "text", "auto", [str(tmp_path / "nope")])
    with pytest.raises(FileNotFoundError, match="matches no files"):
        expand_source("s", "text", "auto", [str(tmp_path / "*.jsonl")])


@pytest.mark.parametrize("split_bytes", [1, 97, 4096, 10**9])
def test_large_plain_jsonl_splits_into_byte_ranges_that_read_each_record_once(tmp_path, split_bytes):
    lines = []
    for i in range(500):
        lines.append(json.dumps({"text": f"record {i} " + "word " * (i % 37)}))
        if i % 50 == 0:
            lines.append("")  # blank separator lines across split boundaries
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n")
    whole = list(read_unit(expand_source("s", "text", "auto", [str(tmp_path / "big.jsonl")])[0], OPTIONS))
    units = expand_source("s", "text", "auto", [str(tmp_path / "big.jsonl")], split_bytes=split_bytes)
    if split_bytes < (tmp_path / "big.jsonl").stat().st_size:
        assert len(units) > 1 and units[-1].end == -1
    split = [record for unit in units for record in read_unit(unit, OPTIONS)]
    assert [(r.key, r.text) for r in split] == [(r.key, r.text) for r in whole]
    assert len(whole) == 500


def test_compressed_jsonl_is_never_split(tmp_path):
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n' * 1000))
    assert len(expand_source("s", "text", "auto", [str(tmp_path / "c.jsonl.gz")], split_bytes=10)) == 1
