"""Byte-level BPE tokenizers for the tokenize stage: load (GPT-2 or a tokenizer.json), train, encode.

Everything here returns or takes a plain `tokenizers.Tokenizer`, whose `to_str()` JSON is the one form a
tokenizer travels in (to Spark workers, into the handoff); its sha256 identifies it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import fsspec
import numpy as np
from tokenizers import (
    ByteLevelBPETokenizer,
    Tokenizer,
    decoders,
    models,
    pre_tokenizers,
    processors,
    trainers,
)

EOS_TOKEN = "<|endoftext|>"
GPT2_EOS_ID = 50256


class TokenizerError(ValueError):
    """A tokenizer file that is missing, unreadable or not a tokenizer, or a tokenizer without EOS."""


def load_tokenizer(spec: str) -> Tokenizer:
    """The GPT-2 BPE from the setup assets for spec "gpt2"; otherwise a tokenizer.json at a path or fsspec URL."""
    if spec == "gpt2":
        return _gpt2_tokenizer()
    try:
        with fsspec.open(spec, "rt", encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenizerError(f"tokenizer file {spec} cannot be read: {exc}") from exc
    return tokenizer_from_json(text, source=spec)


def tokenizer_from_json(text: str, source: str = "<json>") -> Tokenizer:
    try:
        return Tokenizer.from_str(text)
    # tokenizers raises a bare Exception for every parse or schema error.
    except Exception as exc:  # noqa: BLE001
        raise TokenizerError(f"tokenizer file {source} is not a valid tokenizer.json: {exc}") from exc


def _gpt2_tokenizer() -> Tokenizer:
    # Imported here, not at the top: jobs/text imports nothing else of the project, and only the
    # "gpt2" spec needs the setup assets.
    from jobs.assets import asset_path

    vocab, merges = asset_path("gpt2/encoder.json"), asset_path("gpt2/vocab.bpe")
    try:
        wrapper = ByteLevelBPETokenizer(str(vocab), str(merges))
    except Exception as exc:  # noqa: BLE001 - see tokenizer_from_json
        raise TokenizerError(f"GPT-2 BPE files {vocab}, {merges} are not valid: {exc}") from exc
    wrapper.add_special_tokens([EOS_TOKEN])  # already in encoder.json: this marks it special, same id
    tok = wrapper._tokenizer  # the plain Tokenizer; the wrapper adds nothing we keep
    if tok.token_to_id(EOS_TOKEN) != GPT2_EOS_ID:
        raise TokenizerError(f"{vocab} gives {EOS_TOKEN} id {tok.token_to_id(EOS_TOKEN)}, not {GPT2_EOS_ID}")
    return tok


def train_byte_level_bpe(
    texts: Iterable[str], vocab_size: int, min_frequency: int = 2, eos_token: str = EOS_TOKEN
) -> Tokenizer:
    """A GPT-2-style byte-level BPE: every byte is in the alphabet, so no text is ever unknown.

    The trainer's result does not depend on its thread count or on the process (tests/test_bpe.py
    trains in two processes with different RAYON_NUM_THREADS and compares the JSON byte for byte).
    """
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[eos_token],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def tokenizer_json(tok: Tokenizer) -> str:
    """The canonical serialised form (compact; the same tokenizer always gives the same string)."""
    return tok.to_str()


def tokenizer_sha256(json_text: str) -> str:
    return hashlib.sha256(json_text.encode("utf-8")).hexdigest()


def vocab_size(tok: Tokenizer) -> int:
    return tok.get_vocab_size(with_added_tokens=True)


def eos_id(tok: Tokenizer, eos_token: str = EOS_TOKEN) -> int:
    token_id = tok.token_to_id(eos_token)
    if token_id is None:
        raise TokenizerError(f"the tokenizer has no {eos_token!r} token to end documents with")
    return token_id


def token_dtype(vocab_size: int) -> np.dtype:
    """The .bin token dtype, by Megatron-LM's rule (`DType.optimal_dtype` in
    megatron/core/datasets/indexed_dataset.py): uint16 when the cardinality is < 65500, else int32.
    Followed exactly (not uint16 up to 65536) so our files match what Megatron's own preprocessing writes."""
    return np.dtype(np.uint16) if vocab_size < 65500 else np.dtype(np.int32)


_CACHE: dict[str, Tokenizer] = {}


def cached_tokenizer(json_text: str) -> Tokenizer:
    """One Tokenizer per distinct JSON per process, so a Spark Python worker parses it once, not per batch."""
    key = tokenizer_sha256(json_text)
    tok = _CACHE.get(key)
    if tok is None:
        tok = _CACHE[key] = tokenizer_from_json(json_text)
    return tok


def encode_documents(
    tok: Tokenizer, texts: list[str | None], eos: int, dtype: np.dtype | type
) -> tuple[np.ndarray, np.ndarray]:
    """Tokens of all documents back to back, each followed by `eos`; and each document's length with its EOS.

    None or "" gives length 0 and no tokens at all (not a lone EOS), so the caller can tell an empty
    document apart and reject it. Only EOS is added (no BOS from a tokenizer.json's post-processor
    template). Special-token strings inside a text (a literal "<|endoftext|>") are encoded as the plain
    text they are, so a document cannot end itself early: the tokenizer's encode_special_tokens flag is
    set for the call and restored after it, so do not share one Tokenizer between Python threads that
    call this.
    """
    dtype = np.dtype(dtype)
    present = [i for i, t in enumerate(texts) if t]
    lengths = np.zeros(len(texts), dtype=np.int64)
    if not present:
        return np.empty(0, dtype=dtype), lengths
    was = tok.encode_special_tokens
    tok.encode_special_tokens = True
    try:
        # encode_batch_fast skips the offsets that encode_batch computes: ids are all we keep.
        encodings = tok.encode_batch_fast([texts[i] for i in present], add_special_tokens=False)
    finally:
        tok.encode_special_tokens = was
    try:
        eos_array = np.array([eos], dtype=dtype)
        pieces = []
        for enc in encodings:
            pieces.append(np.array(enc.ids, dtype=dtype))
            pieces.append(eos_array)
    except OverflowError as exc:  # numpy refuses an id that does not fit rather than wrapping it
        raise TokenizerError(f"token ids of this tokenizer do not fit {dtype}: {exc}") from exc
    lengths[present] = [len(p) + 1 for p in pieces[::2]]
    return np.concatenate(pieces), lengths
