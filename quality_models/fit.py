"""fastText supervised training and quantisation, made reproducible and with clear failures.

fastText is deterministic only single-threaded (with more threads, each thread's share of the
updates depends on timing), with a fixed seed, over a training file whose lines are in a fixed
order, and over an input matrix that starts the same way every time (see _zero_filled_allocations); the
caller supplies the line order, this module the rest.
"""

from __future__ import annotations

import contextlib
import ctypes
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from jobs.text.quality_text import training_line


@dataclass(frozen=True)
class FastTextParams:
    """The fastText supervised parameters this recipe exposes (names as in fastText's Python API)."""

    epoch: int
    lr: float
    word_ngrams: int
    dim: int
    min_count: int
    bucket: int
    loss: str
    minn: int = 0
    maxn: int = 0
    threads: int = 1

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class QuantizeParams:
    """fastText quantize(): product quantisation of the matrices, optionally after keeping only the
    `cutoff` most important input rows (words + n-gram buckets) and retraining on them."""

    cutoff: int
    retrain: bool
    qnorm: bool
    dsub: int

    def as_dict(self) -> dict:
        return asdict(self)


# glibc mallopt(M_PERTURB, byte): every allocation is filled with (byte ^ 0xff), so 0xff gives zeros
_M_PERTURB = -6
_ZERO_FILL = 0xFF


@contextlib.contextmanager
def _zero_filled_allocations() -> Iterator[None]:
    """Memory fastText allocates while this is active starts as zeros.

    fastText (0.9.2, and master as of 2024) fills only `thread`/10 of its input matrix with random
    values (DenseMatrix::uniformThread fills blocks 0..thread-1 of ten) and leaves the rest of the rows
    as malloc returned them: zeros in a fresh process, stale floats of earlier allocations otherwise.
    Single-threaded training then depends on what the process did before, gives another model on
    every run, and can diverge ("Encountered NaN"). Zero-filled allocations make those rows zero every
    time, as in a fresh process. glibc only (elsewhere a no-op).
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        yield
        return
    mallopt(_M_PERTURB, _ZERO_FILL)
    try:
        yield
    finally:
        mallopt(_M_PERTURB, 0)


class TrainingFailed(ValueError):
    """fastText could not train on these data with these parameters."""


def write_training_file(
    path: str, texts: list[str], positive: list[bool], max_chars: int | None, seed: int
) -> int:
    """One labelled line per document, in an order shuffled by the seed (fastText reads the file
    front to back; classes in blocks would make the last block win). Returns the line count."""
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    # errors="replace": a lone surrogate (broken UTF-16 in the source) cannot be written as UTF-8
    with open(path, "w", encoding="utf-8", errors="replace", newline="\n") as out:
        for i in order:
            out.write(training_line(texts[i], positive[i], max_chars))
            out.write("\n")
    return len(order)


def _explain(err: RuntimeError, what: str) -> TrainingFailed:
    message = str(err)
    if "NaN" in message:
        return TrainingFailed(
            f"fastText {what} diverged (Encountered NaN): too little data for these settings; "
            "give more documents or lower --lr (and --epoch)"
        )
    return TrainingFailed(f"fastText {what} failed: {message}")


def train(train_file: str, params: FastTextParams, seed: int):
    """A fastText supervised model trained on `train_file`."""
    import fasttext

    try:
        with _zero_filled_allocations():
            return fasttext.train_supervised(
                input=train_file,
                epoch=params.epoch,
                lr=params.lr,
                wordNgrams=params.word_ngrams,
                dim=params.dim,
                minCount=params.min_count,
                bucket=params.bucket,
                loss=params.loss,
                minn=params.minn,
                maxn=params.maxn,
                thread=params.threads,
                seed=seed,
                verbose=0,
            )
    except RuntimeError as err:
        raise _explain(err, "training") from None


def quantize(model, train_file: str, params: QuantizeParams, threads: int) -> None:
    """Quantise `model` in place (retraining, when asked, reads the same training file)."""
    try:
        with _zero_filled_allocations():
            model.quantize(
                input=train_file,
                cutoff=params.cutoff,
                retrain=params.retrain,
                qnorm=params.qnorm,
                dsub=params.dsub,
                thread=threads,
                verbose=0,
            )
    except RuntimeError as err:
        raise _explain(err, "quantisation") from None


def fasttext_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    for distribution in ("fasttext-numpy2-wheel", "fasttext-wheel", "fasttext"):
        try:
            return f"{distribution}=={version(distribution)}"
        except PackageNotFoundError:
            continue
    return "unknown"
