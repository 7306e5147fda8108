"""MinHash signatures of a whole batch of documents, LSH band keys and LSH parameters.

Signatures are bit-for-bit datasketch 2.0.0's `MinHash` in its default ``affine32`` scheme: the
32-bit input hash of a shingle is pre-mixed with MurmurHash3's 32-bit finalizer (datasketch's
``_fmix``), then each permutation k maps it to ``a_k * h + b_k`` in uint32 (wrapping around), and a
document's value for k is the minimum over its shingles; a document without shingles keeps
datasketch's empty value (2^32 - 1 everywhere). The permutations are datasketch's
(`permutations` reproduces its ``RandomState`` code; the tests compare). The 32-bit input of a
shingle is the low 32 bits of its 64-bit hash (`shingles.shingle_hash`), so the datasketch sketch
of a document is ``MinHash(num_perm, seed, hashfunc=lambda s: shingle_hash(s) & 0xFFFFFFFF)``
updated with its shingle strings.

Computed for a whole batch: the (permutations x shingles) products in blocks of at most `max_cells`
values (a block may cut a document: its pieces' minima are combined), minima per document by
``np.minimum.reduceat`` over each permutation's contiguous row.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from jobs.text.dedup.shingles import ShingleBatch, fold_start, fold_step, mix64

EMPTY_VALUE = np.uint32(0xFFFFFFFF)  # datasketch's value of a permutation that saw no shingle
DEFAULT_MAX_CELLS = 1 << 20  # 4 MiB of uint32 per block: stays in a core's cache, bounds memory

_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


@lru_cache(maxsize=16)
def permutations(num_perm: int = 128, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a odd, b) for (num_perm, seed), uint32 each."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer of a uint32 array (datasketch's ``_fmix(h, 32)``)."""
    s1, m1, s2, m2, s3 = _FMIX32
    h = h ^ (h >> s1)
    h = h * m1
    h = h ^ (h >> s2)
    h = h * m2
    return h ^ (h >> s3)


def hash32(shingle_hashes: np.ndarray) -> np.ndarray:
    """The 32-bit MinHash input of 64-bit shingle hashes: their low 32 bits."""
    return np.asarray(shingle_hashes, np.uint64).astype(np.uint32)


def minhash_signatures(
    shingles: ShingleBatch, num_perm: int = 128, seed: int = 1, max_cells: int = DEFAULT_MAX_CELLS
) -> np.ndarray:
    """uint32 (n_docs, num_perm): row i equals datasketch's ``hashvalues`` of document i."""
    a, b = (p[:, None] for p in permutations(num_perm, seed))
    offsets = np.asarray(shingles.offsets, np.int64)
    # (permutations x documents): each permutation's products of a block are one contiguous row, so
    # reduceat takes the minimum of contiguous runs (several times faster than the transpose)
    signatures = np.full((num_perm, len(offsets) - 1), EMPTY_VALUE, np.uint32)
    h = fmix32(hash32(shingles.hashes))
    if len(h):
        # only documents with shingles take part: reduceat gives an empty segment a value, not the identity
        docs = np.flatnonzero(offsets[1:] > offsets[:-1])
        starts, ends = offsets[docs], offsets[docs + 1]
        width = max(1, max_cells // num_perm)
        block = np.empty((num_perm, min(width, len(h))), np.uint32)
        for lo in range(0, len(h), width):
            hi = min(lo + width, len(h))
            first = np.searchsorted(ends, lo, side="right")  # documents ending after lo ...
            last = np.searchsorted(starts, hi, side="left")  # ... and starting before hi
            products = block[:, : hi - lo]
            np.multiply(a, h[lo:hi], out=products)
            np.add(products, b, out=products)
            minima = np.minimum.reduceat(products, np.maximum(starts[first:last], lo) - lo, axis=1)
            in_block = docs[first:last]
            signatures[:, in_block] = np.minimum(signatures[:, in_block], minima)
    return np.ascontiguousarray(signatures.T)


@lru_cache(maxsize=256)
def lsh_params(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimising datasketch's weighted false positive + false negative areas for a
    Jaccard threshold: datasketch's own ``_optimal_param`` (a numerical integration over every
    (b, r): slow, so cached), as ``MinHashLSH(threshold, num_perm, weights)`` chooses them."""
    from datasketch.lsh import _optimal_param

    bands, rows = _optimal_param(threshold, num_perm, false_positive_weight, false_negative_weight)
    return int(bands), int(rows)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """uint64 (n_docs, bands): one key per band, a 64-bit hash of the band's `rows` signature values
    (columns ``band * rows`` to ``band * rows + rows - 1``, as datasketch's LSH bands them) started
    from the band index, so the same values in two bands never give the same key. Two documents
    share a band's key when the band's values are equal (or, at odds of about 2^-64 per pair, by a
    hash collision, which the Jaccard check catches)."""
    signatures = np.asarray(signatures)
    n_docs, num_perm = signatures.shape
    if bands < 1 or rows < 1 or bands * rows > num_perm:
        raise ValueError(f"{bands} bands x {rows} rows do not fit {num_perm} permutations")
    values = signatures[:, : bands * rows].astype(np.uint64).reshape(n_docs, bands, rows)
    # distinct starts per band: a fold is injective in its start for equal values (C^rows is odd), and
    # mix64 is a bijection, so equal values in two bands can never give equal keys
    keys = np.broadcast_to(fold_start(bands) + np.arange(bands, dtype=np.uint64), (n_docs, bands))
    for j in range(rows):
        keys = fold_step(keys, values[:, :, j])
    keys = mix64(keys)
    return np.ascontiguousarray(keys)
