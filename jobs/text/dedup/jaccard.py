"""The true Jaccard similarity of candidate pairs, from their shingle hashes: what verifies the pairs
that LSH proposes (LSH only estimates; its false positives are dropped here).

A document is the set of its 64-bit shingle hashes (`shingles.ShingleBatch`, which lists every
shingle position: repeats are removed first). J(A, B) = |A & B| / |A | B|, and 1.0 when both are
empty (the bench corpus' definition). Equal to the Jaccard of the shingle strings up to 64-bit hash
collisions.

Vectorised over all pairs at once: the batch's distinct hashes are ranked once; for a chunk of pairs
every member of a pair's two sets becomes the integer ``pair * n_distinct + rank``, and the
intersection sizes are counts of the left keys found among the right keys (``np.isin``, one sort).
Chunks hold at most `max_elements` set members, so memory stays bounded for any number of pairs.
"""

from __future__ import annotations

import numpy as np

from jobs.text.dedup.shingles import ShingleBatch
from jobs.text.ragged import ragged_positions

DEFAULT_MAX_ELEMENTS = 1 << 22


def distinct_shingles(batch: ShingleBatch) -> ShingleBatch:
    """Each document's shingle hashes sorted and without repeats."""
    counts = batch.counts()
    doc = np.repeat(np.arange(len(batch), dtype=np.int64), counts)
    order = np.lexsort((batch.hashes, doc))
    hashes, doc = batch.hashes[order], doc[order]
    first = np.ones(len(hashes), bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])
    offsets = np.zeros(len(batch) + 1, np.int64)
    np.cumsum(np.bincount(doc[first], minlength=len(batch)), out=offsets[1:])
    return ShingleBatch(hashes[first], offsets)


def pair_jaccard(
    batch: ShingleBatch,
    left: np.ndarray,
    right: np.ndarray,
    *,
    distinct: bool = False,
    max_elements: int = DEFAULT_MAX_ELEMENTS,
) -> np.ndarray:
    """float64 Jaccard of documents left[i] and right[i] of the batch, for every i.

    ``distinct=True`` says the batch already holds sets (`distinct_shingles`), saving a sort."""
    left = np.asarray(left, np.int64)
    right = np.asarray(right, np.int64)
    if left.shape != right.shape:
        raise ValueError("left and right must have the same length")
    sets = batch if distinct else distinct_shingles(batch)
    sizes = sets.counts()
    _, rank = np.unique(sets.hashes, return_inverse=True)
    n_distinct = np.int64(max(int(rank.max(initial=-1)) + 1, 1))
    inter = np.zeros(len(left), np.int64)
    pair_sizes = sizes[left] + sizes[right]
    ends = np.cumsum(pair_sizes)
    start = 0
    while start < len(left):  # chunks of pairs holding at most max_elements members (one pair at least)
        budget = ends[start] - pair_sizes[start] + max_elements
        stop = max(int(np.searchsorted(ends, budget, side="right")), start + 1)
        inter[start:stop] = _intersections(sets, rank, n_distinct, left[start:stop], right[start:stop])
        start = stop
    union = sizes[left] + sizes[right] - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)


def _intersections(sets: ShingleBatch, rank: np.ndarray, n_distinct: np.int64, left, right) -> np.ndarray:
    pairs = np.arange(len(left), dtype=np.int64)

    def keys(docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = sets.offsets[docs + 1] - sets.offsets[docs]
        pair = np.repeat(pairs, counts)
        return pair, pair * n_distinct + rank[ragged_positions(sets.offsets[docs], counts)]

    left_pair, left_keys = keys(left)
    _, right_keys = keys(right)
    found = np.isin(left_keys, right_keys, assume_unique=True)
    return np.bincount(left_pair[found], minlength=len(left))
