"""Index arithmetic on ragged arrays (flat values + per-row offsets), shared by the batch engines."""

from __future__ import annotations

import numpy as np


def ragged_positions(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """concat(range(s, s + c) for s, c in zip(starts, counts)), without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    return np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - counts), counts)
