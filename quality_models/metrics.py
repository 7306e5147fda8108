"""Scores of a binary classifier: ROC-AUC and precision / recall / F1 at a threshold.

Plain numpy (no scikit-learn in the stack). Labels are truthy for positives; a score at or above
the threshold is a positive prediction (as the quality stage keeps quality_score >= threshold).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _arrays(labels: Sequence, scores: Sequence) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError(f"labels and scores differ in shape: {y.shape} vs {s.shape}")
    if np.isnan(s).any():
        raise ValueError("scores contain NaN")
    return y, s


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the mean of the ranks they span."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # each run of equal values gets the mean of its first and last 1-based position
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    run_ranks = (starts + 1 + ends) / 2.0
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(run_ranks, ends - starts)
    return ranks


def roc_auc(labels: Sequence, scores: Sequence) -> float:
    """Area under the ROC curve: the probability that a random positive scores above a random
    negative, ties counting one half (the Mann-Whitney U statistic over n_pos * n_neg)."""
    y, s = _arrays(labels, scores)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"ROC-AUC needs positives and negatives (got {n_pos} and {n_neg})")
    rank_sum = average_ranks(s)[y].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def at_threshold(labels: Sequence, scores: Sequence, threshold: float) -> dict:
    """Confusion counts and precision, recall, F1, accuracy when score >= threshold is positive.
    An undefined ratio (nothing predicted positive, no positives) is 0.0."""
    y, s = _arrays(labels, scores)
    predicted = s >= threshold
    tp = int((predicted & y).sum())
    fp = int((predicted & ~y).sum())
    fn = int((~predicted & y).sum())
    tn = int((~predicted & ~y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "threshold": threshold,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / len(y) if len(y) else 0.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
    }


def share_below(scores: Sequence, threshold: float) -> float:
    """Share of the scores under the threshold (what a threshold filter would drop)."""
    s = np.asarray(scores, dtype=np.float64)
    return float((s < threshold).mean()) if len(s) else 0.0
