"""Pure statistics helpers for the bench harness (no I/O, no clocks): medians and paired ratios.

Machines here are shared and noisy, so the harness never reports a single run: every figure is the
median over ``--runs`` runs, and a comparison with another engine is the median of the ratios of
runs taken side by side (run i of ours next to run i of theirs, in alternating order), which cancels
most of the slow drift of a shared machine's load.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence


def _clean(values: Iterable[float | None]) -> list[float]:
    """Finite numbers only: a failed run (None) or a division by zero (inf/nan) carries no figure."""
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def median(values: Iterable[float | None]) -> float | None:
    """Median of the usable values; None when there is none."""
    vals = _clean(values)
    return statistics.median(vals) if vals else None


def summarize(values: Iterable[float | None]) -> dict:
    """``{"median", "min", "max", "n"}`` of the usable values (None figures when there is none)."""
    vals = _clean(values)
    if not vals:
        return {"median": None, "min": None, "max": None, "n": 0}
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing or b is zero."""
    if a is None or b is None or not math.isfinite(a) or not math.isfinite(b) or b == 0:
        return None
    return a / b


def paired_ratios(ours: Sequence[float | None], theirs: Sequence[float | None]) -> list[float | None]:
    """Per-run ratios ours[i] / theirs[i] of runs measured side by side (None where either run failed)."""
    if len(ours) != len(theirs):
        raise ValueError(f"paired runs differ in number: {len(ours)} vs {len(theirs)}")
    return [ratio(a, b) for a, b in zip(ours, theirs, strict=True)]


def compare(ours: Sequence[float | None], theirs: Sequence[float | None]) -> dict:
    """Compare one figure (say docs/s) of two sides measured in the same bench run.

    ``median``: median of the paired per-run ratios, the headline figure (noise between runs cancels
    within each pair); ``of_medians``: median(ours) / median(theirs), a cross-check that agrees with
    ``median`` when the machine was steady; ``per_run``: the paired ratios; ``min``/``max``: their spread.
    """
    per_run = paired_ratios(ours, theirs)
    s = summarize(per_run)
    return {
        "median": s["median"],
        "min": s["min"],
        "max": s["max"],
        "n": s["n"],
        "of_medians": ratio(median(ours), median(theirs)),
        "per_run": per_run,
    }
