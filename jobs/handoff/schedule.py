"""The global batch schedule: which global samples batch b holds, with Megatron's batch-size ramp-up.

The schedule is a fixed function of the batch index: batch b always holds the same samples, whether
earlier batches were served, skipped or served before a restart. Skipping and resuming only choose
which batches of it are served.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rampup:
    """Megatron's --rampup-batch-size <start> <increment> <ramp_samples>."""

    start: int
    increment: int
    samples: int


class BatchSchedule:
    def __init__(self, global_batch_size: int, rampup: Rampup | None = None, world_size: int = 1):
        if global_batch_size < 1:
            raise ValueError(f"global batch size must be positive, got {global_batch_size}")
        self.global_batch_size, self.rampup = global_batch_size, rampup
        self._ramp_starts, self._ramp_sizes = self._ramp_table()
        self._check_divisible(world_size)

    def size_at(self, consumed_samples: int) -> int:
        """The global batch size once `consumed_samples` samples are behind, by Megatron's
        RampupBatchsizeNumMicroBatchesCalculator.update (megatron/core/num_microbatches_calculator.py)."""
        r = self.rampup
        if r is None or r.start == self.global_batch_size or consumed_samples > r.samples:
            return self.global_batch_size
        per_increment = r.samples / ((self.global_batch_size - r.start) // r.increment)
        return r.start + int(consumed_samples / per_increment) * r.increment

    def batch(self, b: int) -> tuple[int, int]:
        """(first global sample, size) of batch b."""
        ramp = len(self._ramp_sizes)
        if b < ramp:
            return int(self._ramp_starts[b]), int(self._ramp_sizes[b])
        after_ramp = int(self._ramp_starts[-1] + self._ramp_sizes[-1]) if ramp else 0
        return after_ramp + (b - ramp) * self.global_batch_size, self.global_batch_size

    def batch_sizes(self) -> set[int]:
        return {int(s) for s in self._ramp_sizes} | {self.global_batch_size}

    def _ramp_table(self) -> tuple[np.ndarray, np.ndarray]:
        r = self.rampup
        if r is None:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        if r.start < 1 or r.increment < 1 or r.samples < 0:
            raise ValueError(f"ramp-up {r}: start and increment must be positive, samples not negative")
        if r.start > self.global_batch_size or (self.global_batch_size - r.start) % r.increment:
            raise ValueError(
                f"ramp-up from {r.start} by {r.increment} does not reach the global batch size "
                f"{self.global_batch_size} (Megatron requires (global - start) % increment == 0)"
            )
        starts, sizes, consumed = [], [], 0
        while (size := self.size_at(consumed)) < self.global_batch_size:
            starts.append(consumed)
            sizes.append(size)
            consumed += size
        return np.array(starts, dtype=np.int64), np.array(sizes, dtype=np.int64)

    def _check_divisible(self, world_size: int) -> None:
        if world_size < 1:
            raise ValueError(f"world_size must be positive, got {world_size}")
        bad = sorted(s for s in self.batch_sizes() if s % world_size)
        if bad:
            raise ValueError(
                f"global batch sizes {bad} are not divisible by world_size {world_size}: every rank must "
                "get an equal share of each global batch"
            )
