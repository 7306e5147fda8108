"""The Flan Collection's mixing: examples-proportional within a family with a per-task cap, and
fixed rates between families. Plain arithmetic over counts; the stage draws the examples."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MixPlan:
    targets: dict[str, int]  # task -> examples kept
    capped: dict[str, int]  # task -> examples left after its cap
    family_targets: dict[str, int]
    total: int
    limited_by: str | None  # the family (or "total") whose size decided the total, with rates


def _largest_remainder(weights: dict[str, float], total: int, limits: dict[str, int]) -> dict[str, int]:
    """Integers in proportion to `weights` adding up to `total` (each at most its limit); the
    remainders go to the largest fractions, ties broken by name, so the result is deterministic."""
    weight_sum = sum(weights.values())
    if total <= 0 or weight_sum <= 0:
        return {name: 0 for name in weights}
    exact = {name: total * w / weight_sum for name, w in weights.items()}
    counts = {name: min(math.floor(v + 1e-9), limits[name]) for name, v in exact.items()}
    left = total - sum(counts.values())
    for name in sorted(exact, key=lambda n: (-(exact[n] - math.floor(exact[n] + 1e-9)), n)):
        if left <= 0:
            break
        if counts[name] < limits[name]:
            counts[name] += 1
            left -= 1
    return counts


def plan_mixture(
    available: dict[str, int],
    families: dict[str, str],
    task_cap: int | None,
    task_caps: dict[str, int | None],
    family_rates: dict[str, float],
    total: int | None = None,
) -> MixPlan:
    """How many examples of each task the collection keeps.

    Without family rates: every task up to its cap (then scaled down to `total` if given). With
    rates: each family gets rate / sum(rates) of the total, its tasks share that in proportion to
    their capped sizes; the total is the largest every family can fill (or `total` if smaller),
    so no family is repeated and the rates hold exactly.
    """
    capped = {}
    for task, n in available.items():
        cap = task_caps.get(task) if task_caps.get(task) is not None else task_cap
        capped[task] = min(n, cap) if cap is not None else n
    family_sizes: dict[str, int] = {}
    for task, n in capped.items():
        family_sizes[families[task]] = family_sizes.get(families[task], 0) + n
    limited_by = None
    if not family_rates:
        grand = sum(capped.values())
        wanted = grand if total is None else min(total, grand)
        targets = _largest_remainder({t: float(n) for t, n in capped.items()}, wanted, capped)
        family_targets: dict[str, int] = {}
        for task, n in targets.items():
            family_targets[families[task]] = family_targets.get(families[task], 0) + n
        return MixPlan(targets, capped, family_targets, sum(targets.values()), "total" if total else None)
    missing = sorted(set(family_sizes) - set(family_rates))
    if missing:
        raise ValueError(f"families without a rate: {', '.join(missing)}")
    rates = {f: family_rates[f] for f in family_sizes if family_rates[f] > 0}
    rate_sum = sum(rates.values())
    limits = {f: family_sizes[f] / (rates[f] / rate_sum) for f in rates}
    limited_by = min(limits, key=lambda f: (limits[f], f)) if limits else None
    grand = math.floor(min(limits.values()) + 1e-9) if limits else 0
    if total is not None and total < grand:
        grand, limited_by = total, "total"
    family_targets = _largest_remainder(rates, grand, {f: family_sizes[f] for f in rates})
    targets = {task: 0 for task in capped}
    for family, target in family_targets.items():
        members = {t: float(n) for t, n in capped.items() if families[t] == family}
        targets.update(_largest_remainder(members, target, {t: capped[t] for t in members}))
    return MixPlan(targets, capped, family_targets, sum(targets.values()), limited_by)
