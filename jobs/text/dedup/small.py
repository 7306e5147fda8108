"""Near-duplicate clusters of a small collection held in memory (instruction collections, benchmark
sets): datasketch's MinHashLSH does the banding and bucket lookups, fed with this package's
vectorised signatures (bit-for-bit datasketch's own), and candidate pairs are checked by their true
shingle Jaccard. For corpora use the Spark stage (jobs/dedup.py); this is for what fits one process.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from jobs.text.dedup.jaccard import distinct_shingles, pair_jaccard
from jobs.text.dedup.minhash import lsh_params, minhash_signatures
from jobs.text.dedup.shingles import SHINGLE_N, shingle_batch


def near_duplicate_clusters(
    texts: Sequence[str | None],
    threshold: float = 0.8,
    *,
    num_perm: int = 128,
    seed: int = 1,
    shingle_size: int = SHINGLE_N,
    verify: bool = True,
) -> np.ndarray:
    """int64 cluster of every text: the index of the cluster's first member (a text that is its own
    cluster gets its own index). Two texts are linked when datasketch's LSH (tuned for `threshold`, or
    for recall at `threshold` - 0.1 with `verify`) proposes them and, with `verify`, their shingle Jaccard reaches `threshold`; clusters are the
    connected components of the links."""
    n = len(texts)
    shingles = distinct_shingles(shingle_batch(list(texts), shingle_size))
    signatures = minhash_signatures(shingles, num_perm, seed)
    # with verification the bands favour recall, as in the Spark stage (jobs.dedup.band_plan)
    params = lsh_params(max(threshold - 0.1, 0.05), num_perm, 0.2, 0.8) if verify else None
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=params)
    sketches = [LeanMinHash(seed=seed, hashvalues=signatures[i], scheme="affine32") for i in range(n)]
    left, right = [], []
    for i, sketch in enumerate(sketches):
        for j in lsh.query(sketch):  # earlier texts only: each pair once
            left.append(j)
            right.append(i)
        lsh.insert(i, sketch, check_duplication=False)
    left_arr, right_arr = np.array(left, np.int64), np.array(right, np.int64)
    if verify and len(left_arr):
        keep = pair_jaccard(shingles, left_arr, right_arr, distinct=True) >= threshold
        left_arr, right_arr = left_arr[keep], right_arr[keep]
    return _components(n, left_arr, right_arr)


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Union-find over the links; every root is its component's smallest index."""
    parent = np.arange(n, dtype=np.int64)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return int(x)

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([root(i) for i in range(n)], np.int64)
