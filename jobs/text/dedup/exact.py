"""Exact-duplicate keys: a 128-bit hash of the normalised text of every document of a batch.

Normalisation: NFKC (so NFC and NFD spellings, a no-break space and a space, full-width and
ASCII forms are equal), every run of whitespace (Python's ``str.isspace`` set: ASCII whitespace,
U+001C-U+001F, U+0085 and the Unicode space separators Zs/Zl/Zp) to one space, the ends stripped;
case and everything else kept. So byte-identical copies and copies that differ only in
whitespace, line endings (CRLF, CR) or Unicode normalisation get the same key; a one-word change
does not. The hash is xxh3_128 of the normalised text's UTF-8 bytes.

A null text is keyed like an empty one (and like whitespace only): all mean "no text", so they
form one cluster; the filter stage normally drops them before dedup.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc
from xxhash import xxh3_128_digest

from jobs.text.dedup.shingles import as_string_array

KEY_TYPE = pa.binary(16)

# Python's str.isspace characters, in RE2 (whose \s is ASCII-only); \p{Z} = Zs, Zl, Zp
_WHITESPACE_RE2 = "[\\t-\\r\\x1c-\\x20\\x{85}\\p{Z}]+"
_WHITESPACE_PY = re.compile(r"\s+")  # Python's \s on str: exactly str.isspace


def normalize_for_exact(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    """The text every exact key hashes: NFKC, whitespace runs as one space, stripped."""
    texts = as_string_array(texts)
    nfkc = pc.utf8_normalize(texts, form="NFKC")
    return pc.utf8_trim(pc.replace_substring_regex(nfkc, _WHITESPACE_RE2, " "), " ")


def exact_keys(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    """fixed_size_binary(16) key of every text of a batch (nulls keyed like empty text)."""
    normalized = normalize_for_exact(texts).cast(pa.binary())
    return pa.array([xxh3_128_digest(t) for t in normalized.to_pylist()], KEY_TYPE)


def exact_key(text: str | None) -> bytes:
    """The key of one text, in plain Python (the definition `exact_keys` vectorises; the two agree
    except on characters that Python's Unicode 14 does not know and Arrow's utf8proc normalises)."""
    normalized = _WHITESPACE_PY.sub(" ", unicodedata.normalize("NFKC", text or "")).strip(" ")
    return xxh3_128_digest(normalized.encode("utf-8"))
