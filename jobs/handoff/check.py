"""`curate handoff-check`: a version's handoff.json read back by the loader and a few steps of a
tiny transformer on the device, the proof that what tokenize wrote is what a training job can use."""

from __future__ import annotations

import json
import posixpath
import tempfile
from pathlib import Path

from jobs.handoff.device_check import device_check
from jobs.handoff.loader import from_handoff
from jobs.objects import is_local

HANDOFF = "handoff.json"
CHECK_SEQ_LENGTH = 256  # a tiny model on a CPU: the handoff's 2048 would only make the check slow


def _local_copy(fs, version_dir: str, handoff: dict, into: Path) -> Path:
    """Token files on an object store are memory-mapped from a local copy (same relative layout)."""
    root = into / "version"
    for group in handoff["groups"]:
        for prefix in group["prefixes"]:
            for ext in ("bin", "idx"):
                target = root / f"{prefix}.{ext}"
                target.parent.mkdir(parents=True, exist_ok=True)
                fs.get_file(posixpath.normpath(f"{version_dir}/{prefix}.{ext}"), str(target))
    return root


def check_handoff(
    fs,
    version_dir: str,
    device: str = "auto",
    steps: int = 30,
    batch_size: int = 8,
    seq_length: int | None = None,
) -> dict:
    with fs.open(f"{version_dir}/{HANDOFF}", "r") as f:
        handoff = json.load(f)
    seq_length = seq_length or min(int(handoff["seq_length"]), CHECK_SEQ_LENGTH)
    with tempfile.TemporaryDirectory(prefix="curate-handoff-") as tmp:
        root = Path(version_dir) if is_local(fs) else _local_copy(fs, version_dir, handoff, Path(tmp))
        loader = from_handoff(
            handoff,
            root,
            global_batch_size=batch_size,
            total_samples=batch_size * steps,
            seq_length=seq_length,
        )
        report = device_check(loader, device, steps)
    report.update(
        {
            "seq_length": seq_length,
            "batch_size": batch_size,
            "handoff_tokens": handoff["tokens"],
            "groups": {g["name"]: g["weight"] for g in handoff["groups"]},
            "tokenizer_sha256": handoff["tokenizer"]["sha256"],
        }
    )
    return report
