"""The loader's batches as torch tensors on a device; torch is imported only when this is used."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

TORCH_MISSING = "torch is not installed: pip install 'curate[train]' (or ./setup.sh --test)"


def require_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise ImportError(TORCH_MISSING) from exc
    return torch


def torch_batches(loader: Iterable[dict], device: str = "cpu") -> Iterator[dict]:
    """Each batch with `tokens` and `labels` as int64 tensors on `device`; the other keys as they were.

    Host memory is pinned for a CUDA device so the copy can overlap the previous step's compute.
    """
    torch = require_torch()
    target = torch.device(device)
    pin = target.type == "cuda"
    for batch in loader:
        moved = dict(batch)
        for key in ("tokens", "labels"):
            tensor = torch.from_numpy(batch[key])
            if pin:
                tensor = tensor.pin_memory()
            moved[key] = tensor.to(target, non_blocking=pin)
        yield moved
