"""GPT-style training samples of one mix group (one or more .bin/.idx shards), as Megatron's GPTDataset cuts them.

A group's documents (each already ends with EOS) are concatenated in an order shuffled per epoch, and
the endless token stream of epoch 0, 1, 2, ... is cut into samples: sample j is the seq_length + 1
tokens from position j * seq_length, so consecutive samples share one token (the last label of one
is the first input of the next) and samples run across document and epoch boundaries, as with
Megatron's `add_extra_token_to_sequence`.

Samples are served in an order shuffled within each epoch's block (the samples that start in that
epoch), where Megatron shuffles all epochs' samples together. The order of the first n samples then
does not depend on how many samples are asked for, so a run that is extended, or resumed with a
different total, serves the same samples in the same order.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from jobs.text.indexed_dataset import IndexedDatasetReader

_DOCUMENT_STREAM, _SAMPLE_STREAM = 0, 1
_EPOCHS_CACHED = 2  # reads stay in one epoch but for samples that run into the next


def epoch_rng(seed: int, group: int, epoch: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, group, epoch, stream])))


class GroupSamples:
    """The samples of one group; `group` (its position in the blend) keeps groups' shuffles independent."""

    def __init__(self, readers: Sequence[IndexedDatasetReader], seq_length: int, seed: int, group: int):
        if seq_length < 1:
            raise ValueError(f"seq_length must be positive, got {seq_length}")
        self.readers = list(readers)
        self.seq_length, self.seed, self.group = seq_length, seed, group
        sizes = [r.sizes.astype(np.int64) for r in self.readers]
        self.document_lengths = np.concatenate(sizes) if sizes else np.empty(0, np.int64)
        self.tokens_per_epoch = int(self.document_lengths.sum())
        if self.tokens_per_epoch == 0:
            names = ", ".join(r.prefix for r in self.readers) or "no shards"
            raise ValueError(f"group {group} has no tokens ({names})")
        counts = [len(s) for s in sizes]
        self._shard_of = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
        self._local = np.concatenate([np.arange(c, dtype=np.int64) for c in counts])
        self._epochs: OrderedDict[int, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def first_sample_of_epoch(self, epoch: int) -> int:
        """The first sample that starts in `epoch` (the smallest j with j * seq_length >= epoch * T)."""
        return -(-epoch * self.tokens_per_epoch // self.seq_length)

    def served_order(self, n: int) -> np.ndarray:
        """Sample ids of the first n samples served: each epoch's block of samples shuffled by the seed."""
        if n <= 0:
            return np.empty(0, dtype=np.int64)
        epochs = (n - 1) * self.seq_length // self.tokens_per_epoch + 1
        blocks = []
        for epoch in range(epochs):
            first, end = self.first_sample_of_epoch(epoch), self.first_sample_of_epoch(epoch + 1)
            permutation = epoch_rng(self.seed, self.group, epoch, _SAMPLE_STREAM).permutation(end - first)
            blocks.append(first + permutation)
        return np.concatenate(blocks)[:n]

    def read(self, sample: int) -> np.ndarray:
        """The seq_length + 1 tokens of sample `sample`, as int64."""
        out = np.empty(self.seq_length + 1, dtype=np.int64)
        position, filled = sample * self.seq_length, 0
        while filled < len(out):
            epoch, within = divmod(position, self.tokens_per_epoch)
            order, ends = self._epoch(epoch)
            k = int(np.searchsorted(ends, within, side="right"))
            # Walk documents in this epoch's order until the sample is full or the epoch ends.
            while filled < len(out) and k < len(order):
                document = order[k]
                start = within - (int(ends[k]) - int(self.document_lengths[document]))
                take = min(int(ends[k]) - within, len(out) - filled)
                if take > 0:
                    shard = self.readers[self._shard_of[document]]
                    out[filled : filled + take] = shard.get(int(self._local[document]), start, take)
                    filled += take
                    within += take
                    position += take
                k += 1
        return out

    def _epoch(self, epoch: int) -> tuple[np.ndarray, np.ndarray]:
        """This epoch's document order and the cumulative token count at the end of each document in it."""
        cached = self._epochs.get(epoch)
        if cached is None:
            order = epoch_rng(self.seed, self.group, epoch, _DOCUMENT_STREAM).permutation(
                len(self.document_lengths)
            )
            cached = (order, np.cumsum(self.document_lengths[order]))
            self._epochs[epoch] = cached
            if len(self._epochs) > _EPOCHS_CACHED:
                self._epochs.popitem(last=False)
        else:
            self._epochs.move_to_end(epoch)
        return cached
