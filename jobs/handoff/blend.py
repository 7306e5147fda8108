"""Megatron-LM's deterministic blend of datasets by weight.

`build_blending_indices` in megatron/core/datasets/helpers.cpp (NVIDIA/Megatron-LM): at position i the
dataset whose count lags its share the most, weight * max(i, 1) - taken, gets the sample (ties go to
the lower index). Every prefix of the blend then holds each dataset's share to within about one
sample, and the blend of n samples is a prefix of the blend of any larger n. Reproduced operation for
operation in double precision, so the result equals Megatron's bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def normalized_weights(weights: Sequence[float]) -> list[float]:
    """As Megatron's `normalize`: divided by their sum, in float64."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or len(w) == 0 or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError(f"blend weights must be positive finite numbers, got {list(weights)}")
    return (w / w.sum()).tolist()


def blend_indices(weights: Sequence[float], size: int) -> tuple[np.ndarray, np.ndarray]:
    """(dataset of each blended sample: int16[size], that sample's index within its dataset: int64[size])."""
    w = normalized_weights(weights)
    if len(w) == 1:
        return np.zeros(size, dtype=np.int16), np.arange(size, dtype=np.int64)
    dataset_index = np.frombuffer(_greedy_choices(w, size), dtype=np.uint8).astype(np.int16)
    return dataset_index, _ranks_within(dataset_index, len(w))


def _greedy_choices(w: list[float], size: int) -> bytearray:
    # The one sequential loop of the loader (each choice depends on all earlier ones); Python floats are
    # IEEE doubles, so each comparison is the one the C++ makes. About 0.3 s per million samples for three
    # datasets here.
    if len(w) > 255:
        raise ValueError(f"at most 255 datasets can be blended, got {len(w)}")
    taken = [0] * len(w)
    rest = list(enumerate(w))[1:]
    w0 = w[0]
    out = bytearray(size)
    for i in range(size):
        x = float(i) if i > 1 else 1.0
        best, best_error = 0, w0 * x - taken[0]
        for d, wd in rest:
            error = wd * x - taken[d]
            if error > best_error:
                best, best_error = d, error
        out[i] = best
        taken[best] += 1
    return out


def _ranks_within(dataset_index: np.ndarray, n: int) -> np.ndarray:
    """For each position, how many earlier positions chose the same dataset."""
    ranks = np.empty(len(dataset_index), dtype=np.int64)
    for d in range(n):
        where = np.flatnonzero(dataset_index == d)
        ranks[where] = np.arange(len(where), dtype=np.int64)
    return ranks
