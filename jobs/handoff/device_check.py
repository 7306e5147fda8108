"""A few optimisation steps of a tiny causal transformer on the loader's batches, on CPU or GPU.

It shows that the handoff trains end to end on the target device: tokens arrive as valid ids in
range of the vocabulary, the loss falls, and how many tokens per second the device takes in. It says
nothing about model quality.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable

from jobs.handoff.torch_data import require_torch, torch_batches

LOSS_WINDOW = 3  # steps averaged at each end, so one noisy step does not decide loss_fell


def resolve_device(device: str) -> str:
    torch = require_torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        build = "a CPU-only build" if torch.version.cuda is None else f"built for CUDA {torch.version.cuda}"
        raise RuntimeError(
            f"device 'cuda' was asked for, but torch {torch.__version__} ({build}) sees no CUDA GPU; "
            "use --device cpu or auto"
        )
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be auto, cpu or cuda, not {device!r}")
    return device


def tiny_causal_lm(vocab_size: int, seq_length: int, d_model: int, n_layers: int, n_heads: int):
    torch = require_torch()
    nn = torch.nn

    class TinyCausalLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab_size, d_model)
            self.position = nn.Embedding(seq_length, d_model)
            # GPT-2's init: with the tied head, N(0, 1) embeddings would start at logits of std ~sqrt(d_model).
            nn.init.normal_(self.embed.weight, std=0.02)
            nn.init.normal_(self.position.weight, std=0.02)
            layer = nn.TransformerEncoderLayer(
                d_model, n_heads, 4 * d_model, dropout=0.0, batch_first=True, norm_first=True
            )
            self.blocks = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d_model)
            mask = nn.Transformer.generate_square_subsequent_mask(seq_length)
            self.register_buffer("causal_mask", mask, persistent=False)

        def forward(self, tokens):
            n = tokens.shape[1]
            positions = torch.arange(n, device=tokens.device)
            x = self.embed(tokens) + self.position(positions)
            x = self.blocks(x, mask=self.causal_mask[:n, :n], is_causal=True)
            return self.norm(x) @ self.embed.weight.T  # tied input/output embedding

    return TinyCausalLM()


def device_check(
    loader: Iterable[dict],
    device: str = "auto",
    steps: int = 30,
    *,
    vocab_size: int | None = None,
    seq_length: int | None = None,
    d_model: int = 64,
    n_layers: int = 2,
    n_heads: int = 4,
    lr: float = 3e-3,
    seed: int = 0,
) -> dict:
    """Trains `steps` steps on the loader's next batches (it consumes them) and reports what happened.

    vocab_size and seq_length default to the loader's (a HandoffLoader from a handoff carries both).
    """
    torch = require_torch()
    if steps < 2 * LOSS_WINDOW:
        raise ValueError(f"steps must be at least {2 * LOSS_WINDOW} to compare first and last losses")
    vocab_size = vocab_size or getattr(loader, "vocab_size", None)
    seq_length = seq_length or getattr(loader, "seq_length", None)
    if not vocab_size or not seq_length:
        raise ValueError("vocab_size and seq_length are needed: pass them or use a loader from a handoff")
    target = resolve_device(device)
    torch.manual_seed(seed)
    model = tiny_causal_lm(vocab_size, seq_length, d_model, n_layers, n_heads).to(target)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    losses, tokens, started = [], 0, time.perf_counter()
    for batch in itertools.islice(torch_batches(loader, target), steps):
        inputs, labels = batch["tokens"], batch["labels"]
        if int(labels.max()) >= vocab_size or int(inputs.min()) < 0:
            raise ValueError(f"batch {batch['batch']} holds token ids outside the vocabulary of {vocab_size}")
        logits = model(inputs)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab_size), labels.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))  # the host sync also makes the timing honest on a GPU
        tokens += inputs.numel()
    seconds = time.perf_counter() - started
    if len(losses) < steps:
        raise ValueError(
            f"the loader ran out after {len(losses)} of {steps} steps: give it more total_samples"
        )
    first = sum(losses[:LOSS_WINDOW]) / LOSS_WINDOW
    last = sum(losses[-LOSS_WINDOW:]) / LOSS_WINDOW
    return {
        "device": target,
        "device_name": torch.cuda.get_device_name(0) if target == "cuda" else "cpu",
        "torch": torch.__version__,
        "steps": steps,
        "parameters": sum(p.numel() for p in model.parameters()),
        "tokens": tokens,
        "seconds": round(seconds, 3),
        "tokens_per_s": round(tokens / seconds, 1),
        "loss_first": round(first, 4),
        "loss_last": round(last, 4),
        "loss_fell": last < first,
        "losses": [round(x, 4) for x in losses],
    }
