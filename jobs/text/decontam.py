"""Benchmark n-grams and their occurrences in documents, per Arrow batch; spans cut around them.

Tokens and hashes are dedup's shingle definition (jobs.text.dedup.shingles: NFKC, lower case, runs
of letters and digits, one token per CJK/Thai/... character), so "13-grams of normalised tokens"
ignore case, punctuation, line breaks and option-letter styling, and light edits break only the
n-grams that cross them.

An item with at least `n` tokens contributes its n-grams; a shorter item with at least `min_tokens`
tokens contributes one gram of all its tokens (GPT-3 lowered n for benchmarks of short items; one
gram per short item is that rule taken per item), and so does each short line of an item (a
question copied without its options); documents are also scanned with those shorter lengths.
Shorter items are too short to tell contamination from coincidence and are not matched.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from jobs.text.dedup.shingles import (
    _TOKEN_RE,
    _token_ids,
    fold_start,
    fold_step,
    hash_tokens,
    mix64,
    shingles_of_tokens,
    token_hash,
)


def _tokens(texts):
    """Token hashes of a batch (the shingle definition) and per-text offsets."""
    tokens = _token_ids(texts)
    return hash_tokens(tokens.vocabulary)[tokens.ids], tokens.offsets


def _short_grams(token_hashes: np.ndarray, offsets: np.ndarray, n: int, min_tokens: int):
    """For each text: one gram of all its tokens when it has min_tokens..n-1 of them."""
    counts = np.diff(offsets)
    grams = shingles_of_tokens(token_hashes, offsets, n)
    short = (counts >= min_tokens) & (counts < n)
    return [(grams.of(i), int(counts[i])) if short[i] else None for i in range(len(counts))], grams, counts


@dataclass(frozen=True)
class ItemGrams:
    hashes: np.ndarray  # uint64, distinct
    lengths: np.ndarray  # int32: each hash's gram length in tokens (n, or a short item's or line's)
    tokens: int  # the item's token count


def item_ngrams(texts: Sequence[str | None], n: int, min_tokens: int) -> list[ItemGrams]:
    """Each item's grams: its n-grams, or one gram of all its tokens when it is short (at least
    `min_tokens`); and one gram for each of its lines (fields are joined by line breaks) that is
    short, so a question copied without its options, or with option labels added between short
    options, is still found. Items under `min_tokens` tokens get no grams."""
    texts = ["" if t is None else t for t in texts]
    token_hashes, offsets = _tokens(texts)
    whole, grams, counts = _short_grams(token_hashes, offsets, n, min_tokens)
    lines = [line for text in texts for line in text.split("\n")]
    parent = np.repeat(np.arange(len(texts)), [text.count("\n") + 1 for text in texts])
    line_grams = _short_grams(*_tokens(lines), n, min_tokens)[0] if len(lines) > len(texts) else []
    out = []
    for i, count in enumerate(counts.tolist()):
        hashes = [grams.of(i)] if count >= n else [whole[i][0]] if whole[i] else []
        lengths = [np.full(len(hashes[0]), min(count, n), np.int32)] if hashes else []
        for j in np.flatnonzero(parent == i).tolist() if len(line_grams) else []:
            if line_grams[j] and line_grams[j][1] < count:
                hashes.append(line_grams[j][0])
                lengths.append(np.full(1, line_grams[j][1], np.int32))
        if not hashes:
            out.append(ItemGrams(np.empty(0, np.uint64), np.empty(0, np.int32), count))
            continue
        values, first = np.unique(np.concatenate(hashes), return_index=True)
        out.append(ItemGrams(values, np.concatenate(lengths)[first], count))
    return out


def document_hits(
    texts: pa.Array | Sequence[str | None], lengths: Sequence[int], table: np.ndarray
) -> list[np.ndarray]:
    """For each document, the distinct hashes among its grams of every length in `lengths` that are
    in `table` (a sorted uint64 array of benchmark gram hashes). One tokenisation per batch."""
    token_hashes, offsets = _tokens(texts)
    n_docs = len(offsets) - 1
    found: list[list[np.ndarray]] = [[] for _ in range(n_docs)]
    if not len(table):
        return [np.empty(0, np.uint64) for _ in range(n_docs)]
    counts = np.diff(offsets)
    for length in lengths:
        grams = shingles_of_tokens(token_hashes, offsets, length)
        # a document shorter than `length` yields one gram of all its tokens: a gram of that
        # shorter length, which only counts when that length is scanned for itself
        usable = np.repeat(counts >= length, grams.counts())
        position = np.searchsorted(table, grams.hashes)
        hit = usable & (position < len(table))
        hit[hit] = table[position[hit]] == grams.hashes[hit]
        for doc in np.unique(np.repeat(np.arange(n_docs), grams.counts())[hit]).tolist():
            found[doc].append(grams.of(doc)[hit[grams.offsets[doc] : grams.offsets[doc + 1]]])
    return [np.unique(np.concatenate(parts)) if parts else np.empty(0, np.uint64) for parts in found]


def _tokens_with_spans(text: str) -> tuple[list[int], list[tuple[int, int]]]:
    """Token hashes with their character spans in the original text, normalised token by token (a
    token that NFKC splits in two keeps the span of the whole match for both halves; the rare
    characters NFKC turns from separators into letters, like "™", are missed here, and a document
    whose hits cannot be placed is dropped rather than cut)."""
    hashes, spans = [], []
    for match in _TOKEN_RE.finditer(text):
        for token in _TOKEN_RE.findall(unicodedata.normalize("NFKC", match.group()).lower()):
            hashes.append(token_hash(token))
            spans.append(match.span())
    return hashes, spans


def matched_spans(text: str, hits: set[int], lengths: Sequence[int]) -> list[tuple[int, int]]:
    """Character spans of the grams of `text` whose hashes are in `hits`, merged where they overlap."""
    hashes, spans = _tokens_with_spans(text)
    values = np.array(hashes, np.uint64)
    covered: list[tuple[int, int]] = []
    for length in lengths:
        if len(values) < length:
            continue
        windows = len(values) - length + 1
        h = fold_start(windows)
        for j in range(length):
            h = fold_step(h, values[j : j + windows])
        for start in np.flatnonzero(np.isin(mix64(h), np.fromiter(hits, np.uint64, len(hits)))).tolist():
            covered.append((spans[start][0], spans[start + length - 1][1]))
    return merge_spans(covered, 0)


def merge_spans(spans: list[tuple[int, int]], margin: int, limit: int | None = None) -> list[tuple[int, int]]:
    """Spans widened by `margin` characters on each side (within 0..limit), overlapping ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start - margin), end + margin if limit is None else min(limit, end + margin)
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def cut_spans(text: str, spans: list[tuple[int, int]]) -> tuple[str, int, int]:
    """The text without the spans: (what is left, how many pieces it falls into, characters cut).
    Pieces are joined by a blank line, so the cut never glues two sentences together."""
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    kept = [p.strip() for p in pieces if p.strip()]
    return "\n\n".join(kept), len(kept), sum(end - start for start, end in spans)
