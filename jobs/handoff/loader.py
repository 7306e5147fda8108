"""A deterministic, resumable loader of the tokenize stage's Megatron .bin/.idx groups (numpy only).

Global sample i of a run is fixed by the seed alone: the blend (Megatron's greedy, blend.py) says which
group it comes from and which of that group's samples it is, and each group serves its GPT-style
samples in a seeded order (samples.py). Global batch b is a fixed slice of that sequence (schedule.py,
with Megatron's batch-size ramp-up), and each data-parallel rank reads its own contiguous part of it.
The state is therefore two counters and the skipped ranges: a resumed loader serves exactly the
batches that an uninterrupted one would have served next.

The blend is not shuffled again after blending: each group's samples are already in random order, and
left in blend order every prefix of the run, so every global batch, holds the groups' weights to within
about one sample (the property Megatron's blend is built for), where a global shuffle would make each
batch's mix a random draw.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from jobs.handoff.blend import blend_indices, normalized_weights
from jobs.handoff.samples import GroupSamples
from jobs.handoff.schedule import BatchSchedule, Rampup
from jobs.text.indexed_dataset import IndexedDatasetReader

HANDOFF_FORMAT = "curate-handoff/1"


@dataclass
class LoaderState:
    """Where a run stands: saved with each checkpoint, given back to resume.

    consumed_samples: global samples behind (served or skipped), Megatron's consumed_samples;
    batches_done: global batches behind (served or skipped): the next batch considered is this one;
    skip_ranges: [start, end) global batch ranges never served, kept so a resume keeps skipping them;
    fingerprint: the data and settings the counters refer to (a resume on other data is refused).
    """

    consumed_samples: int = 0
    batches_done: int = 0
    skip_ranges: list[tuple[int, int]] = field(default_factory=list)
    fingerprint: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LoaderState:
        data = json.loads(text)
        return cls(
            consumed_samples=int(data["consumed_samples"]),
            batches_done=int(data["batches_done"]),
            skip_ranges=[(int(a), int(b)) for a, b in data.get("skip_ranges", [])],
            fingerprint=str(data.get("fingerprint", "")),
        )


class HandoffLoader:
    """Batches of `tokens` and `labels` (int64 [b, seq_length]) for one data-parallel rank.

    datasets: one list of .bin/.idx prefixes per blend group; weights: the groups' blend weights;
    total_samples: global samples the run will use (the indices are built for that many);
    dtype: when given, every shard must hold tokens of this dtype.
    """

    def __init__(
        self,
        datasets: Sequence[Sequence[str | Path]],
        weights: Sequence[float],
        *,
        seq_length: int,
        seed: int,
        global_batch_size: int,
        total_samples: int,
        rampup: Rampup | tuple[int, int, int] | None = None,
        rank: int = 0,
        world_size: int = 1,
        state: LoaderState | None = None,
        names: Sequence[str] | None = None,
        vocab_size: int | None = None,
        dtype: str | None = None,
    ):
        if len(datasets) != len(weights) or not datasets:
            raise ValueError(
                f"{len(datasets)} datasets but {len(weights)} weights: give one weight per dataset"
            )
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside 0..{world_size - 1}")
        if total_samples < 1:
            raise ValueError(f"total_samples must be positive, got {total_samples}")
        self.weights = normalized_weights(weights)
        self.names = list(names) if names is not None else [f"group{i}" for i in range(len(datasets))]
        self.seq_length, self.seed, self.total_samples = seq_length, seed, total_samples
        self.rank, self.world_size, self.vocab_size = rank, world_size, vocab_size
        if isinstance(rampup, tuple):
            rampup = Rampup(*rampup)
        self.schedule = BatchSchedule(global_batch_size, rampup, world_size)
        self.groups = [
            GroupSamples([_open(p, dtype) for p in prefixes], seq_length, seed, g)
            for g, prefixes in enumerate(datasets)
        ]
        self.fingerprint = self._fingerprint()
        self.dataset_index, self.dataset_sample_index = blend_indices(self.weights, total_samples)
        counts = np.bincount(self.dataset_index, minlength=len(self.groups))
        self._orders = [group.served_order(int(n)) for group, n in zip(self.groups, counts, strict=True)]
        self.state = LoaderState(fingerprint=self.fingerprint)
        if state is not None:
            self.load_state(state)

    # -- state ------------------------------------------------------------------------------------

    def load_state(self, state: LoaderState) -> None:
        if state.fingerprint and state.fingerprint != self.fingerprint:
            raise ValueError(
                "the saved loader state belongs to other data or settings "
                f"(fingerprint {state.fingerprint[:12]}, this loader {self.fingerprint[:12]})"
            )
        expected = self.schedule.batch(state.batches_done)[0]
        if state.consumed_samples != expected:
            raise ValueError(
                f"saved state: {state.batches_done} batches done means {expected} consumed samples under this "
                f"batch schedule, not {state.consumed_samples}: was the global batch size or ramp-up changed?"
            )
        self.state = LoaderState(
            state.consumed_samples, state.batches_done, _merged(state.skip_ranges), self.fingerprint
        )

    def skip_batches(self, start_batch: int, end_batch: int) -> None:
        """Never serve global batches [start_batch, end_batch) (PaLM's recovery from a loss spike)."""
        if not 0 <= start_batch < end_batch:
            raise ValueError(f"skip range [{start_batch}, {end_batch}) is empty or negative")
        if start_batch < self.state.batches_done:
            raise ValueError(
                f"cannot skip batch {start_batch}: {self.state.batches_done} batches are already behind"
            )
        self.state.skip_ranges = _merged([*self.state.skip_ranges, (start_batch, end_batch)])

    # -- batches ----------------------------------------------------------------------------------

    @property
    def num_batches(self) -> int:
        """Global batches of the schedule that fit in total_samples (served or skipped)."""
        b = 0
        while True:  # the ramp-up part batch by batch, the rest in one step
            start, size = self.schedule.batch(b)
            if start + size > self.total_samples:
                return b
            if size == self.schedule.global_batch_size:
                return b + (self.total_samples - start) // size
            b += 1

    def __iter__(self) -> Iterator[dict]:
        """Serves batches from the state on; the state moves past each batch as it is handed out."""
        while True:
            b = self._next_served(self.state.batches_done)
            start, size = self.schedule.batch(b)
            if start + size > self.total_samples:
                return
            batch = self._read(b, start, size)
            self.state.batches_done = b + 1
            self.state.consumed_samples = self.schedule.batch(b + 1)[0]
            yield batch

    def batch(self, b: int) -> dict:
        """This rank's part of global batch b, whatever the state (skipped or not)."""
        start, size = self.schedule.batch(b)
        if start + size > self.total_samples:
            raise IndexError(f"batch {b} ends past total_samples {self.total_samples}")
        return self._read(b, start, size)

    def _next_served(self, b: int) -> int:
        for skip_start, skip_end in self.state.skip_ranges:
            if skip_start <= b < skip_end:
                b = skip_end
        return b

    def _read(self, b: int, start: int, size: int) -> dict:
        per_rank = size // self.world_size
        positions = start + self.rank * per_rank + np.arange(per_rank, dtype=np.int64)
        groups = self.dataset_index[positions]
        within = self.dataset_sample_index[positions]
        samples = np.stack(
            [self.groups[g].read(int(self._orders[g][k])) for g, k in zip(groups, within, strict=True)]
        )
        return {
            "batch": b,
            "tokens": np.ascontiguousarray(samples[:, :-1]),
            "labels": np.ascontiguousarray(samples[:, 1:]),
            "groups": groups,
            "positions": positions,
        }

    def _fingerprint(self) -> str:
        shards = [[(len(r), int(r.index.tokens), str(r.dtype)) for r in g.readers] for g in self.groups]
        ramp = self.schedule.rampup
        settings = {
            "seed": self.seed,
            "seq_length": self.seq_length,
            "weights": self.weights,
            "shards": shards,
            "global_batch_size": self.schedule.global_batch_size,
            "rampup": None if ramp is None else [ramp.start, ramp.increment, ramp.samples],
        }
        return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _open(prefix: str | Path, dtype: str | None) -> IndexedDatasetReader:
    reader = IndexedDatasetReader(prefix)
    if dtype is not None and reader.dtype != np.dtype(dtype):
        raise ValueError(f"{reader.idx_file} holds {reader.dtype} tokens, expected {dtype}")
    return reader


def _merged(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted((int(a), int(b)) for a, b in ranges):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def from_handoff(
    handoff: dict,
    root: str | Path,
    *,
    global_batch_size: int,
    total_samples: int,
    rampup: Rampup | tuple[int, int, int] | None = None,
    rank: int = 0,
    world_size: int = 1,
    state: LoaderState | None = None,
    seq_length: int | None = None,
) -> HandoffLoader:
    """A loader over a handoff.json's groups; `root` is the folder of the handoff.json (prefixes are relative
    to it). Groups of weight 0 are left out. seq_length defaults to the handoff's."""
    if handoff.get("format") != HANDOFF_FORMAT:
        raise ValueError(f"handoff format {handoff.get('format')!r}, expected {HANDOFF_FORMAT!r}")
    groups = [g for g in handoff.get("groups", []) if float(g["weight"]) > 0]
    if not groups:
        raise ValueError("the handoff has no group with a positive weight")
    root = Path(root)
    return HandoffLoader(
        [[root / p for p in g["prefixes"]] for g in groups],
        [float(g["weight"]) for g in groups],
        seq_length=int(seq_length or handoff["seq_length"]),
        seed=int(handoff["seed"]),
        global_batch_size=global_batch_size,
        total_samples=total_samples,
        rampup=rampup,
        rank=rank,
        world_size=world_size,
        state=state,
        names=[g["name"] for g in groups],
        vocab_size=int(handoff["tokenizer"]["vocab_size"]),
        dtype=handoff["dtype"],
    )
