"""Word n-gram shingles of a whole Arrow batch, hashed to 64 bits: the input of MinHash and of the
true Jaccard check of candidate pairs.

Definition (the bench corpus' "5-gram Jaccard", ../shared/bench/textnorm.py; `reference_shingles`
is the same definition per document in plain Python, and the tests hold the two together):

1. text -> NFKC -> ``str.lower()``;
2. tokens: every character of a script written without spaces (`NOSPACE_RANGES`: Thai, Lao,
   Tibetan, Myanmar, Khmer, CJK, kana, Bopomofo) is one token; any other maximal run of
   letters/digits (Python's ``[^\\W_]``, which is exactly ``str.isalnum``) is one token;
   punctuation, symbols, combining marks outside those scripts, whitespace and "_" separate tokens;
3. shingles: every n consecutive tokens (n = 5 by default); a text with fewer than n tokens has one
   shingle (all its tokens), an empty (or null) text none.

Hashes: a token's hash is xxh3_64 of its UTF-8 bytes; a shingle's hash is `mix64` of a polynomial
fold of its tokens' hashes in order (`fold_step`), so it depends on the token sequence only and
`shingle_hash("w1 w2 w3 w4 w5")` gives it in plain Python. 64-bit, the same in every process and on
every machine.

Vectorised (`shingle_batch`): NFKC and lower-casing by Arrow (utf8proc); two RE2 rewrites (every
run of separators to a space, spaces around every no-space-script character) and
``ascii_split_whitespace`` cut the tokens; they are dictionary-encoded, each distinct token of the
batch is hashed once, and the n-token folds run in numpy over all shingles of the batch at once.
(Cutting at whitespace first and tokenising each distinct chunk once measured no faster: RE2's
per-string cost eats the saving.)

Unicode tables: RE2's ``\\w``/``\\W`` are ASCII-only, so the token classes are RE2 ranges built
from Python's own ``str.isalnum`` at first use (about a second, once per process). RE2's
``[\\pL\\pN]`` would differ from Python's ``[^\\W_]`` only on characters unassigned in Python
3.11's Unicode 14 (5,010 of them: Kawi, CJK extension H, ... which RE2's newer tables know).
Arrow's NFKC and lower-casing (utf8proc, also newer) differ from Python's for: "İ" (U+0130), which
Python lower-cases to "i̇" (two characters: "i" and a combining dot, a token break) and utf8proc to
"i"; a final "Σ", which Python lower-cases by context to "ς", utf8proc always to "σ"; and 167 (NFKC)
and 75 (lower) characters unassigned in Unicode 14. Rows holding such a character (after NFKC for
the lower-casing check; any character unassigned in Unicode 14 counts) are normalised by Python
instead (`_python_rows`), so the tokens equal Python's exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from xxhash import xxh3_64_intdigest

from jobs.text.ragged import ragged_positions

SHINGLE_N = 5

# Scripts written without spaces between words: one token per character (textnorm.py's _NOSPACE).
NOSPACE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0E7F),  # Thai
    (0x0E80, 0x0EFF),  # Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3006),  # ideographic iteration marks
    (0x3040, 0x30FF),  # Hiragana + Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31FF),  # Bopomofo extended, CJK strokes, Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
)

# -- the definition, per document (plain Python) -------------------------------------------------------

_NOSPACE_PY = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in NOSPACE_RANGES)
_TOKEN_RE = re.compile(f"[{_NOSPACE_PY}]|[^\\W_{_NOSPACE_PY}]+")


def reference_tokens(text: str | None) -> list[str]:
    """The tokens of one text, by the definition (NFKC, ``str.lower``, Python's ``re``)."""
    if not text:
        return []
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())


def reference_shingles(text: str | None, n: int = SHINGLE_N) -> set[str]:
    """The set of shingles of one text, each its tokens joined by a space."""
    tokens = reference_tokens(text)
    if not tokens:
        return set()
    if len(tokens) < n:
        return {" ".join(tokens)}
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


# -- hashing --------------------------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1
_FOLD_SEED = 0x243F6A8885A308D3  # digits of pi: any fixed constant
_FOLD_MUL = 0x9E3779B97F4A7C15  # 2^64 / golden ratio, odd
_FMIX1, _FMIX2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53  # MurmurHash3's 64-bit finalizer


def mix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer (an avalanching bijection) of a uint64 array; wraps around."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(_FMIX1)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(_FMIX2)
    return h ^ (h >> np.uint64(33))


def fold_start(shape: int | tuple[int, ...]) -> np.ndarray:
    """The start of folds of sequences of 64-bit values (see `fold_step`)."""
    return np.full(shape, _FOLD_SEED, np.uint64)


def fold_step(h: np.ndarray, value: np.ndarray) -> np.ndarray:
    """h * C + value (mod 2^64): a polynomial in the values, so a fold of one sequence equals a fold
    of another of the same length only if sum((v_j - w_j) * C^(n-1-j)) = 0 (mod 2^64), which C odd
    rules out for sequences differing in one place and leaves at 2^-64 for random 64-bit values.
    `mix64` ends the fold, so every output bit depends on every input bit."""
    return h * np.uint64(_FOLD_MUL) + value


def _mix64_py(h: int) -> int:
    h ^= h >> 33
    h = (h * _FMIX1) & _MASK64
    h ^= h >> 33
    h = (h * _FMIX2) & _MASK64
    return h ^ (h >> 33)


def token_hash(token: str) -> int:
    return xxh3_64_intdigest(token.encode("utf-8"))


def shingle_hash(shingle: str) -> int:
    """The 64-bit hash `shingle_batch` gives a shingle: mix64 of the fold of its tokens' hashes (the
    tokens are the shingle split on " ")."""
    h = _FOLD_SEED
    for token in shingle.split(" "):
        h = (h * _FOLD_MUL + token_hash(token)) & _MASK64
    return _mix64_py(h)


# -- Unicode classes for RE2, from Python's tables ------------------------------------------------------


def _code_points() -> np.ndarray:
    # planes 4-13 and the rest of plane 14 are unassigned (taken as a block in `nfkc_suspect`),
    # planes 15-16 private use (no letters, no mappings in any Unicode version): not scanned
    return np.concatenate(
        [np.arange(0, 0xD800), np.arange(0xE000, 0x40000), np.arange(0xE0000, 0xE1000)]
    ).astype(np.int64)


def _re2_class(code_points: np.ndarray) -> str:
    """An RE2 character-class body (ranges of ``\\x{...}``) holding exactly these code points."""
    cps = np.unique(code_points)
    if not len(cps):
        return ""
    breaks = np.flatnonzero(np.diff(cps) != 1)
    firsts = cps[np.concatenate([[0], breaks + 1])]
    lasts = cps[np.concatenate([breaks, [len(cps) - 1]])]
    return "".join(
        f"\\x{{{lo:x}}}" if lo == hi else f"\\x{{{lo:x}}}-\\x{{{hi:x}}}"
        for lo, hi in zip(firsts.tolist(), lasts.tolist(), strict=True)
    )


def _differs(arrow_result: pa.Array, python_result: list[str]) -> np.ndarray:
    same = pc.equal(arrow_result, pa.array(python_result, pa.string()))
    return ~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)


@dataclass(frozen=True)
class _Classes:
    separators: str  # RE2 pattern: a run of characters that are no token (Python's tables)
    nospace: str  # RE2 pattern: one character of a no-space script
    nfkc_suspect: str  # RE2 class: characters whose NFKC may differ between utf8proc and Python
    lower_suspect: str  # RE2 class: characters whose lower-casing differs between utf8proc and Python


@lru_cache(maxsize=1)
def _classes() -> _Classes:
    cps = _code_points()
    chars = [chr(c) for c in cps.tolist()]
    arr = pa.array(chars, pa.string())
    nospace = np.zeros(len(cps), bool)
    for lo, hi in NOSPACE_RANGES:
        nospace |= (cps >= lo) & (cps <= hi)
    alnum = np.fromiter((c.isalnum() for c in chars), bool, count=len(chars))
    run = alnum & ~nospace
    token_chars = _re2_class(cps[run | nospace])
    nfkc_diff = _differs(
        pc.utf8_normalize(arr, form="NFKC"), [unicodedata.normalize("NFKC", c) for c in chars]
    )
    # unassigned in Python's tables: utf8proc (a newer Unicode) may decompose, compose or reorder them
    unassigned = np.fromiter((unicodedata.category(c) == "Cn" for c in chars), bool, count=len(chars))
    lower_diff = _differs(pc.utf8_lower(arr), [c.lower() for c in chars])
    lower_diff[cps == 0x03A3] = True  # "Σ": Python lower-cases it by context (final sigma "ς")
    nfkc_suspect = _re2_class(cps[nfkc_diff | unassigned]) + "\\x{40000}-\\x{dffff}\\x{e1000}-\\x{effff}"
    return _Classes(
        separators=f"[^{token_chars}]+",
        nospace=f"[{_re2_class(cps[nospace])}]",
        nfkc_suspect=nfkc_suspect,
        lower_suspect=_re2_class(cps[lower_diff]),
    )


# -- the batch engine -----------------------------------------------------------------------------------


def as_string_array(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    """One Arrow string array, nulls as empty strings."""
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks != 1 else texts.chunk(0)
    elif not isinstance(texts, pa.Array):
        texts = pa.array(list(texts), pa.string())
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.string())
    return texts.fill_null("") if texts.null_count else texts


def _np_bool(a: pa.Array) -> np.ndarray:
    return np.asarray(a.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _python_rows(texts: pa.Array, nfkc: pa.Array, classes: _Classes) -> np.ndarray:
    """Rows whose Arrow NFKC + lower-casing may differ from Python's."""
    rows = _np_bool(pc.match_substring_regex(texts, f"[{classes.nfkc_suspect}]"))
    rows |= _np_bool(pc.match_substring_regex(nfkc, f"[{classes.lower_suspect}]"))
    return np.flatnonzero(rows)


def normalize_batch(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    """NFKC + ``str.lower()`` of every text (Arrow, with Python for the rows where they differ)."""
    texts = as_string_array(texts)
    classes = _classes()
    nfkc = pc.utf8_normalize(texts, form="NFKC")
    lowered = pc.utf8_lower(nfkc)
    rows = _python_rows(texts, nfkc, classes)
    if len(rows):
        fixed = [unicodedata.normalize("NFKC", t).lower() for t in texts.take(pa.array(rows)).to_pylist()]
        pick = np.arange(len(texts), dtype=np.int64)
        pick[rows] = len(texts) + np.arange(len(rows))
        both = pa.concat_arrays([lowered, pa.array(fixed, lowered.type)])
        lowered = both.take(pa.array(pick))
    return lowered


@dataclass(frozen=True)
class _TokenIds:
    vocabulary: pa.Array  # the batch's distinct tokens (and maybe "", which no id points to)
    ids: np.ndarray  # int64: the vocabulary index of every token of every document, in order
    offsets: np.ndarray  # int64 (n_docs + 1): document i's tokens are ids[offsets[i]:offsets[i + 1]]


def _token_ids(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> _TokenIds:
    """Tokens as indices into the batch's vocabulary (its distinct tokens)."""
    lowered = normalize_batch(texts)
    classes = _classes()
    # separators -> " ", and " c " around every no-space-script character c; \0 is the whole match
    # (a capture group would keep RE2 off its DFA: 7 times slower); then ASCII spaces cut the tokens
    spaced = pc.replace_substring_regex(lowered, classes.separators, " ")
    spaced = pc.replace_substring_regex(spaced, classes.nospace, " \\0 ")
    lists = pc.ascii_split_whitespace(spaced)
    doc = np.asarray(pc.list_parent_indices(lists).to_numpy(), np.int64)
    encoded = pc.dictionary_encode(lists.flatten())
    ids = np.asarray(encoded.indices.to_numpy(), np.int64)
    # "" where a text starts or ends with a space, and for an empty text: dropped by its id (cheaper
    # than filtering the strings)
    empty = pc.index(encoded.dictionary, "").as_py()
    if empty >= 0:
        keep = ids != empty
        ids, doc = ids[keep], doc[keep]
    offsets = np.zeros(len(lowered) + 1, np.int64)
    np.cumsum(np.bincount(doc, minlength=len(lowered)), out=offsets[1:])
    return _TokenIds(encoded.dictionary, ids, offsets)


@dataclass(frozen=True)
class TokenBatch:
    tokens: pa.Array  # every token of every document, documents in order
    offsets: np.ndarray  # int64 (n_docs + 1): document i's tokens are tokens[offsets[i]:offsets[i + 1]]


def tokenize_batch(texts: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> TokenBatch:
    """The tokens of every text of a batch (`reference_tokens`, vectorised)."""
    tokens = _token_ids(texts)
    return TokenBatch(tokens.vocabulary.take(pa.array(tokens.ids)), tokens.offsets)


def hash_tokens(tokens: pa.Array) -> np.ndarray:
    """xxh3_64 of the UTF-8 bytes of every token (uint64)."""
    values = tokens.cast(pa.binary()).to_pylist()
    return np.fromiter(map(xxh3_64_intdigest, values), np.uint64, count=len(values))


@dataclass(frozen=True)
class ShingleBatch:
    """64-bit shingle hashes of a batch of documents: one per shingle position, in document order
    (a shingle repeated in a document appears as often as it occurs; `jaccard` takes sets)."""

    hashes: np.ndarray  # uint64
    offsets: np.ndarray  # int64 (n_docs + 1): document i's hashes are hashes[offsets[i]:offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def of(self, doc: int) -> np.ndarray:
        return self.hashes[self.offsets[doc] : self.offsets[doc + 1]]

    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)


def shingles_of_tokens(
    token_hash_values: np.ndarray, offsets: np.ndarray, n: int = SHINGLE_N
) -> ShingleBatch:
    """Fold every n consecutive token hashes of each document (all of them below n tokens)."""
    k = np.diff(offsets)
    per_doc = np.where(k >= n, k - n + 1, np.minimum(k, 1))
    out_offsets = np.zeros(len(k) + 1, np.int64)
    np.cumsum(per_doc, out=out_offsets[1:])
    out = np.empty(int(out_offsets[-1]), np.uint64)
    full = np.flatnonzero(k >= n)
    if len(full):
        count = per_doc[full]
        starts = ragged_positions(offsets[full], count)
        h = fold_start(len(starts))
        for j in range(n):
            h = fold_step(h, token_hash_values[starts + j])
        out[ragged_positions(out_offsets[full], count)] = mix64(h)
    short = np.flatnonzero((k > 0) & (k < n))
    if len(short):
        h = fold_start(len(short))
        for j in range(int(k[short].max())):
            m = k[short] > j
            h[m] = fold_step(h[m], token_hash_values[offsets[short[m]] + j])
        out[out_offsets[short]] = mix64(h)
    return ShingleBatch(out, out_offsets)


def shingle_batch(
    texts: pa.Array | pa.ChunkedArray | Sequence[str | None], n: int = SHINGLE_N
) -> ShingleBatch:
    """The hashed shingles of every text of a batch: {shingle_hash(s) for s in reference_shingles(t)}
    is the set of ``result.of(i)`` for text i."""
    tokens = _token_ids(texts)
    return shingles_of_tokens(hash_tokens(tokens.vocabulary)[tokens.ids], tokens.offsets, n)
