"""The held-out split: by group, decided by a hash of the group key and the seed.

A hash rather than a shuffle, so a document's side does not depend on which other documents were
read; by group, so the copies of one document (a duplicate family) are all on one side and the
held-out score is not inflated by near copies of training documents.
"""

from __future__ import annotations

import hashlib

_SCALE = float(1 << 64)


def held_out_share(group: str, seed: int) -> float:
    """A uniform number in [0, 1) fixed by the group key and the seed (stable across processes and
    Python versions, unlike hash())."""
    digest = hashlib.sha256(f"{seed}\x00{group}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def held_out_mask(groups: list[str], fraction: float, seed: int) -> list[bool]:
    """True for the documents whose group falls in the held-out `fraction`."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"--held-out {fraction}: must be between 0 and 1 (exclusive)")
    decided: dict[str, bool] = {}
    mask = []
    for group in groups:
        side = decided.get(group)
        if side is None:
            side = decided[group] = held_out_share(group, seed) < fraction
        mask.append(side)
    return mask
