"""Spark-free helpers: normalisation, stable ids, code languages."""

import pytest

from jobs.text.code_langs import language_from_path
from jobs.text.ids import stable_id
from jobs.text.normalize import UndecodableText, decode_utf8, normalize_text


def test_normalize_newlines_nul_bom_and_nfc():
    assert normalize_text("\ufeffa\r\nb\rc\x00d") == "a\nb\ncd"
    assert normalize_text("e\u0301") == "\u00e9"  # NFD -> NFC
    assert normalize_text("e\u0301", None) == "e\u0301"


def test_lone_surrogates_and_bad_bytes_are_undecodable():
    with pytest.raises(UndecodableText):
        normalize_text("a\ud800b")
    with pytest.raises(UndecodableText, match="byte 1"):
        decode_utf8(b"a\xff")


def test_stable_ids_depend_on_source_and_key_only():
    assert stable_id("web", "id:42") == stable_id("web", "id:42")
    assert stable_id("web", "id:42") != stable_id("news", "id:42")
    assert len(stable_id("web", "x")) == 24
    # separators keep ("ab", "c") and ("a", "bc") apart
    assert stable_id("ab", "c") != stable_id("a", "bc")


@pytest.mark.parametrize(
    "path,first_line,lang",
    [
        ("src/a.py", "", "python"),
        ("Makefile", "", "makefile"),
        ("x/run", "#!/usr/bin/env python3", "python"),
        ("x/run", "#!/bin/bash", "shell"),
        ("lib/a.h", "", "c"),
        ("a.unknown", "", None),
        ("README", "", None),
    ],
)
def test_language_from_path(path, first_line, lang):
    assert language_from_path(path, first_line) == lang
