"""The device check trains a tiny causal LM on the loader's batches: on the CPU here, on a GPU where one is."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from jobs.handoff import HandoffLoader
from jobs.text.indexed_dataset import IndexedDatasetWriter

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="torch is not installed: pip install 'curate[train]'"
)

VOCAB = 97


@pytest.fixture(autouse=True)
def one_cpu_thread():
    """A model this small gains nothing from intra-op threads, and on a shared 2-core machine two OpenMP
    threads that wait for each other made these tests 10x slower (30 s instead of 3 s)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    """Documents that count up from a random start (mod VOCAB - 1), ending with EOS: learnable in a few steps."""
    prefix = str(tmp_path_factory.mktemp("tokens") / "count-00000")
    rng = np.random.default_rng(0)
    with IndexedDatasetWriter(f"{prefix}.bin", f"{prefix}.idx", np.uint16) as writer:
        for _ in range(300):
            start, n = int(rng.integers(1, VOCAB)), int(rng.integers(10, 80))
            writer.add_document(np.append((start + np.arange(n)) % (VOCAB - 1) + 1, 0))
    return prefix


def loader(prefix, batches=30) -> HandoffLoader:
    return HandoffLoader(
        [[prefix]],
        [1.0],
        seq_length=64,
        seed=1,
        global_batch_size=8,
        total_samples=8 * batches,
        vocab_size=VOCAB,
    )


def test_cpu_run_trains_and_the_loss_falls(prefix):
    report = device_check(loader(prefix), device="cpu", steps=24)
    assert report["device"] == report["device_name"] == "cpu"
    assert report["steps"] == len(report["losses"]) == 24
    assert report["tokens"] == 24 * 8 * 64
    assert report["tokens_per_s"] > 0 and report["parameters"] > 0
    assert report["loss_first"] > report["loss_last"] and report["loss_fell"]
    assert report["loss_first"] == pytest.approx(np.log(VOCAB), abs=1.0)  # starts near a uniform guess


def test_cpu_run_is_deterministic(prefix):
    first = device_check(loader(prefix), device="cpu", steps=6)
    again = device_check(loader(prefix), device="cpu", steps=6)
    assert first["losses"] == again["losses"]


def test_auto_picks_cuda_only_when_present_and_cuda_without_gpu_is_a_clear_error(prefix):
    import torch

    from jobs.handoff.device_check import resolve_device

    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        report = device_check(loader(prefix), device="cuda", steps=6)
        assert report["device"] == "cuda" and report["device_name"] != "cpu"
    else:
        with pytest.raises(RuntimeError, match="device 'cuda' was asked for, but torch .* sees no CUDA GPU"):
            device_check(loader(prefix), device="cuda", steps=6)


def test_ids_outside_the_vocabulary_and_short_loaders_are_refused(prefix):
    with pytest.raises(ValueError, match="outside the vocabulary of 50"):
        device_check(loader(prefix), device="cpu", steps=6, vocab_size=50)
    with pytest.raises(ValueError, match="ran out after 6 of 8 steps"):
        device_check(loader(prefix, batches=6), device="cpu", steps=8)


def device_check(*args, **kwargs):
    from jobs.handoff.device_check import device_check as run

    return run(*args, **kwargs)
