"""The handoff loader on real .bin/.idx files: exact resume, skips, ramp-up, ranks, token accounting, blend."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest

from jobs.handoff import HandoffLoader, LoaderState, Rampup, from_handoff
from jobs.handoff.blend import blend_indices
from jobs.handoff.schedule import BatchSchedule
from jobs.text.indexed_dataset import IndexedDatasetWriter
from tests.conftest import ROOT

EOS = 0


def token(group: int, doc: int, pos: int) -> int:
    """Every token of the test data says where it comes from, so any mix-up shows."""
    return group * 1_000_000 + doc * 1_000 + pos + 1


def where(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = tokens - 1
    return t // 1_000_000, t // 1_000 % 1_000, t % 1_000


def write_group(folder, group: int, shards: int = 2, docs_per_shard: int = 40, seed: int = 0) -> list[str]:
    """Shards of documents of random lengths (3..60 tokens); doc d's tokens run token(g, d, 0..n-1)."""
    rng = np.random.default_rng([seed, group])
    prefixes, doc = [], 0
    for s in range(shards):
        prefix = str(folder / f"g{group}-{s:05d}")
        with IndexedDatasetWriter(f"{prefix}.bin", f"{prefix}.idx", np.int32) as writer:
            for _ in range(docs_per_shard):
                n = int(rng.integers(3, 60))
                writer.add_document([token(group, doc, p) for p in range(n)])
                doc += 1
        prefixes.append(prefix)
    return prefixes


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tokens")
    return [write_group(folder, g, shards=1 + g % 2, docs_per_shard=30 + 10 * g) for g in range(3)]


WEIGHTS = [0.5, 0.3, 0.2]


def make(data, **kw) -> HandoffLoader:
    settings = dict(seq_length=32, seed=7, global_batch_size=8, total_samples=400) | kw
    return HandoffLoader(data, WEIGHTS, **settings)


def same(a: list[dict], b: list[dict]) -> bool:
    return [x["batch"] for x in a] == [y["batch"] for y in b] and all(
        np.array_equal(x["tokens"], y["tokens"]) and np.array_equal(x["labels"], y["labels"])
        for x, y in zip(a, b, strict=True)
    )


def test_batches_are_int64_shifted_by_one_and_deterministic(data):
    batches = list(make(data))
    assert len(batches) == 50 == make(data).num_batches
    first = batches[0]
    assert first["tokens"].shape == first["labels"].shape == (8, 32)
    assert first["tokens"].dtype == first["labels"].dtype == np.int64
    assert all(np.array_equal(b["tokens"][:, 1:], b["labels"][:, :-1]) for b in batches)
    assert same(batches, list(make(data)))
    assert not same(batches, list(make(data, seed=8)))


DIGEST_SCRIPT = """
import hashlib, json, sys
from jobs.handoff import HandoffLoader
data, weights = json.loads(sys.argv[1])
digest = hashlib.sha256()
for batch in HandoffLoader(data, weights, seq_length=32, seed=7, global_batch_size=8, total_samples=400):
    digest.update(batch["tokens"].tobytes())
print(digest.hexdigest())
"""


def test_same_batches_in_another_process(data):
    digest = hashlib.sha256()
    for batch in make(data):
        digest.update(batch["tokens"].tobytes())
    out = subprocess.run(
        [sys.executable, "-c", DIGEST_SCRIPT, json.dumps([data, WEIGHTS])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == digest.hexdigest()


def test_samples_are_documents_concatenated_across_boundaries(data):
    for batch in make(data, total_samples=80):
        for row, group in zip(batch["tokens"], batch["groups"], strict=True):
            g, doc, pos = where(row)
            assert (g == group).all()
            # Within a document positions count up by one; a new document starts at position 0.
            same_doc = doc[1:] == doc[:-1]
            assert (pos[1:][same_doc] == pos[:-1][same_doc] + 1).all()
            assert (pos[1:][~same_doc] == 0).all()


def test_resume_from_a_saved_state_gives_the_same_following_batches(data):
    rampup = (2, 2, 40)
    uninterrupted = list(make(data, rampup=rampup))
    for stop in (0, 1, 3, 6, 17, 40, len(uninterrupted)):
        loader = make(data, rampup=rampup)
        it = iter(loader)
        head = [next(it) for _ in range(stop)]
        saved = loader.state.to_json()
        resumed = make(data, rampup=rampup, state=LoaderState.from_json(saved))
        assert same(head + list(resumed), uninterrupted), stop
        assert json.loads(saved)["batches_done"] == stop


def test_resume_with_a_larger_total_serves_the_same_batches(data):
    # Extending a run: the first batches do not depend on the total the indices were built for.
    assert same(list(make(data, total_samples=400)), list(make(data, total_samples=4000))[:50])


def test_skipped_batches_are_never_served_and_stay_skipped_after_resume(data):
    uninterrupted = list(make(data))
    loader = make(data)
    it = iter(loader)
    served = [next(it) for _ in range(3)]
    loader.skip_batches(5, 9)
    loader.skip_batches(8, 12)  # overlapping ranges merge
    loader.skip_batches(20, 21)
    served += [next(it) for _ in range(4)]
    resumed = make(data, state=LoaderState.from_json(loader.state.to_json()))
    assert resumed.state.skip_ranges == [(5, 12), (20, 21)]
    served += list(resumed)
    skipped = set(range(5, 12)) | {20}
    assert same(served, [b for b in uninterrupted if b["batch"] not in skipped])
    with pytest.raises(ValueError, match="already behind"):
        resumed.skip_batches(2, 4)


def test_rampup_follows_megatrons_schedule(data):
    sizes = [b["tokens"].shape[0] for b in make(data, global_batch_size=16, rampup=(4, 4, 48))]
    assert sizes[:11] == [4, 4, 4, 4, 8, 8, 12, 12, 16, 16, 16]
    assert set(sizes[8:]) == {16}
    try:
        from megatron.core.num_microbatches_calculator import RampupBatchsizeNumMicroBatchesCalculator
    except ImportError:
        return
    megatron = RampupBatchsizeNumMicroBatchesCalculator(16, 1, 1, False, 0, 4, 4, 48)
    schedule, consumed = BatchSchedule(16, Rampup(4, 4, 48)), 0
    for _ in range(30):
        megatron.update(consumed, consistency_check=False)
        assert schedule.size_at(consumed) == megatron.get_current_global_batch_size()
        consumed += megatron.get_current_global_batch_size()


def test_ranks_split_each_global_batch_into_disjoint_parts(data):
    whole = list(make(data, rampup=(4, 4, 40)))
    parts = [list(make(data, rampup=(4, 4, 40), rank=r, world_size=4)) for r in range(4)]
    for b, batch in enumerate(whole):
        positions = [p[b]["positions"] for p in parts]
        assert len(set(np.concatenate(positions))) == sum(len(x) for x in positions)  # disjoint
        assert np.array_equal(np.concatenate(positions), batch["positions"])  # union, in order
        assert np.array_equal(np.concatenate([p[b]["tokens"] for p in parts]), batch["tokens"])
    with pytest.raises(ValueError, match=r"global batch sizes \[2, 6\] are not divisible by world_size 4"):
        make(data, global_batch_size=8, rampup=(2, 2, 40), world_size=4)
    with pytest.raises(ValueError, match="rank 4 is outside"):
        make(data, rank=4, world_size=4)


def test_one_epoch_serves_every_token_once(data):
    """A single group, exactly the samples that start in epoch 0: every token of the group is served once,
    plus the start of epoch 1 that the last sample runs into."""
    group = data[1]
    probe = HandoffLoader([group], [1.0], seq_length=32, seed=3, global_batch_size=1, total_samples=1)
    tokens_per_epoch = probe.groups[0].tokens_per_epoch
    n = probe.groups[0].first_sample_of_epoch(1)
    loader = HandoffLoader([group], [1.0], seq_length=32, seed=3, global_batch_size=1, total_samples=n)
    served = np.concatenate([b["tokens"].ravel() for b in loader])
    assert len(served) == n * 32 >= tokens_per_epoch
    counts = np.unique(served, return_counts=True)[1]
    all_tokens = np.concatenate([r.tokens for r in loader.groups[0].readers])
    assert set(np.unique(served)) == set(all_tokens.tolist())
    assert counts.sum() - len(counts) == n * 32 - tokens_per_epoch  # repeats: only the run into epoch 1


def test_blend_holds_the_weights_at_every_prefix(data):
    loader = make(data, total_samples=4000, global_batch_size=40)
    groups = np.concatenate([b["groups"] for b in loader])
    taken = np.cumsum(np.eye(3, dtype=np.int64)[groups], axis=0)
    expected = np.arange(1, len(groups) + 1)[:, None] * np.array(WEIGHTS)
    assert np.abs(taken - expected).max() < 2  # Megatron's greedy: never two samples off
    for batch in loader.batch(0), loader.batch(99):
        share = np.bincount(batch["groups"], minlength=3) / 40
        assert np.abs(share - WEIGHTS).max() <= 2 / 40


def test_blend_equals_megatrons_helpers():
    try:
        from megatron.core.datasets import helpers_cpp
    except ImportError:
        pytest.skip(
            "megatron-core (with its compiled helpers) is not installed; it is not a project dependency"
        )
    rng = np.random.default_rng(0)
    for _ in range(10):
        n = int(rng.integers(2, 8))
        weights = rng.random(n)
        weights = (weights / weights.sum()).tolist()
        size = int(rng.integers(1, 50_000))
        dataset_index, sample_index = np.zeros(size, np.int16), np.zeros(size, np.int64)
        helpers_cpp.build_blending_indices(dataset_index, sample_index, np.array(weights), n, size, False)
        ours = blend_indices(weights, size)
        assert np.array_equal(ours[0], dataset_index) and np.array_equal(ours[1], sample_index)


def test_state_from_other_data_or_schedule_is_refused(data):
    state = make(data).state
    with pytest.raises(ValueError, match="other data or settings"):
        make(data, seed=99, state=state)
    moved = LoaderState(consumed_samples=17, batches_done=2, fingerprint=state.fingerprint)
    with pytest.raises(ValueError, match="2 batches done means 16 consumed samples"):
        make(data, state=moved)


def test_from_handoff_reads_the_handoff_structure(tmp_path):
    (tmp_path / "tokens").mkdir()
    prefixes = {name: write_group(tmp_path / "tokens", g) for g, name in enumerate(["web", "code"])}
    handoff = {
        "format": "curate-handoff/1",
        "tokenizer": {"path": "tokenizer.json", "sha256": "0" * 64, "vocab_size": 70000, "eos_id": 0},
        "dtype": "int32",
        "seq_length": 16,
        "seed": 5,
        "groups": [
            {"name": n, "weight": w, "prefixes": [f"tokens/{p.rsplit('/', 1)[1]}" for p in prefixes[n]]}
            for n, w in (("web", 0.7), ("code", 0.3))
        ]
        + [{"name": "unused", "weight": 0.0, "prefixes": ["tokens/missing"]}],
    }
    loader = from_handoff(handoff, tmp_path, global_batch_size=4, total_samples=40)
    assert (loader.names, loader.seq_length, loader.seed, loader.vocab_size) == (
        ["web", "code"],
        16,
        5,
        70000,
    )
    direct = HandoffLoader(
        [prefixes["web"], prefixes["code"]],
        [0.7, 0.3],
        seq_length=16,
        seed=5,
        global_batch_size=4,
        total_samples=40,
    )
    assert same(list(loader), list(direct))
    assert from_handoff(handoff, tmp_path, global_batch_size=4, total_samples=4, seq_length=8).seq_length == 8
    with pytest.raises(ValueError, match="holds int32 tokens, expected uint16"):
        from_handoff(handoff | {"dtype": "uint16"}, tmp_path, global_batch_size=4, total_samples=40)
    with pytest.raises(ValueError, match="handoff format"):
        from_handoff(handoff | {"format": "other/2"}, tmp_path, global_batch_size=4, total_samples=40)
