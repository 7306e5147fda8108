"""Check that a fastText model file loads, before a stage relies on it.

fastText does not validate what it reads: a truncated or foreign file can load as a model, crash
the process, or make it allocate without end. A stage that met such a file on its Spark workers
would fail late and obscurely, so the file is first loaded in a child process with a memory cap
and a timeout, and its labels are read back.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys

PROBE_TIMEOUT_S = 300
# The model's size times this, at least MIN_MEMORY: fastText holds the whole model in memory, and a
# file that claims far more rows than it holds is how garbage asks for unbounded memory.
MEMORY_PER_MODEL_BYTE = 8
MIN_MEMORY = 2 << 30

_CHILD = """
import json, sys
from fasttext.FastText import _FastText
model = _FastText(model_path=sys.argv[1])
labels = model.get_labels()
model.predict("probe", k=1)
print(json.dumps({"labels": labels[:1000], "n_labels": len(labels), "dim": model.get_dimension()}))
"""


class ModelUnusable(ValueError):
    """The model file is missing, unreadable, or not a fastText model that answers a prediction."""


def local_model_file(path: str) -> str:
    """A local file for `path` (a local path, file:// or any fsspec URL, copied once per process)."""
    from jobs.text.langid import _local_copy

    if "://" in path and not path.startswith("file://"):
        try:
            return _local_copy(path)
        except FileNotFoundError:
            raise ModelUnusable(f"{path}: model file not found") from None
        except OSError as err:
            raise ModelUnusable(f"{path}: cannot read the model: {err}") from None
    local = path.removeprefix("file://")
    if not os.path.isfile(local):
        raise ModelUnusable(f"{path}: model file not found")
    return local


# Files already probed in this process, by (local path, size, mtime): the flow checks every stage
# before a version begins and each stage again when it runs; one child process per file is enough.
_probed: dict[tuple[str, int, int], dict] = {}


def probe_model(path: str, timeout_s: float = PROBE_TIMEOUT_S) -> dict:
    """Load the model at `path` in a child process; its labels and dimension, or ModelUnusable."""
    local = local_model_file(path)
    stat = os.stat(local)
    key = (local, stat.st_size, stat.st_mtime_ns)
    if key in _probed:
        return _probed[key]
    _probed[key] = found = _probe(path, local, stat.st_size, timeout_s)
    return found


def _probe(path: str, local: str, size: int, timeout_s: float) -> dict:
    if size == 0:
        raise ModelUnusable(f"{path}: the model file is empty")
    limit = max(MIN_MEMORY, size * MEMORY_PER_MODEL_BYTE)

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, local],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            preexec_fn=cap_memory,
            # numpy's BLAS reserves address space per thread; one thread keeps the cap about the model
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        )
    except subprocess.TimeoutExpired:
        raise ModelUnusable(
            f"{path}: loading it as a fastText model did not finish in {timeout_s:.0f} s (not a fastText model?)"
        ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ModelUnusable(f"{path}: not a usable fastText model ({last})")
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise ModelUnusable(f"{path}: not a usable fastText model (no answer from the probe)") from None


def model_sha256(path: str) -> str:
    """sha256 of the model's bytes (what a fingerprint records: the same path may get a new model)."""
    digest = hashlib.sha256()
    with open(local_model_file(path), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
