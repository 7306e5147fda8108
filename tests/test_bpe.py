"""Tokenizers of the tokenize stage: GPT-2 ids, loading, deterministic training, document encoding."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import fsspec
import numpy as np
import pytest

from jobs.text.bpe import (
    TokenizerError,
    cached_tokenizer,
    encode_documents,
    eos_id,
    load_tokenizer,
    token_dtype,
    tokenizer_json,
    tokenizer_sha256,
    train_byte_level_bpe,
    vocab_size,
)
from tests.conftest import ROOT

WORDS = "the of data corpus token straße naïve 数据 данные código λόγος 🙂 def return {} () ; \n\t".split(" ")


def synthetic_texts(n=400, seed=0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))) for _ in range(n)]


def tie_heavy_texts(seed=0) -> list[str]:
    """Short random words from ten letters, each text three times: many pairs have equal counts, where a
    trainer that breaks ties by hash-map order would differ between processes."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 6))) for _ in range(600)]
    return [" ".join(words[i : i + 10]) for i in range(0, len(words), 10)] * 3 + synthetic_texts(100)


@pytest.fixture(scope="module")
def gpt2():
    return load_tokenizer("gpt2")


def test_gpt2_gives_the_published_ids(gpt2):
    # Ids as the original GPT-2 encoder gives them.
    assert gpt2.encode("Hello world").ids == [15496, 995]
    assert gpt2.encode("The quick brown fox").ids == [464, 2068, 7586, 21831]
    assert gpt2.encode(" the\n").ids == [262, 198]
    assert eos_id(gpt2) == 50256
    assert vocab_size(gpt2) == 50257
    assert gpt2.decode(gpt2.encode("héllo 日本 🙂").ids) == "héllo 日本 🙂"
    special = [t for t in gpt2.get_added_tokens_decoder().values() if t.content == "<|endoftext|>"]
    assert len(special) == 1 and special[0].special


def test_encode_documents_appends_eos_and_keeps_empty_documents_empty(gpt2):
    texts = ["Hello world", None, "", "The quick brown fox", "a<|endoftext|>b"]
    flat, lengths = encode_documents(gpt2, texts, 50256, np.uint16)
    assert flat.dtype == np.uint16 and lengths.dtype == np.int64
    assert lengths.tolist() == [3, 0, 0, 5, 10]
    assert flat[:3].tolist() == [15496, 995, 50256]
    assert flat[3:8].tolist() == [464, 2068, 7586, 21831, 50256]
    # A literal "<|endoftext|>" in a document is text, not an end of document.
    assert flat[8:].tolist() == [64, 27, 91, 437, 1659, 5239, 91, 29, 65, 50256]
    assert gpt2.encode("a<|endoftext|>b").ids == [64, 50256, 65]  # the tokenizer itself is left as it was
    empty_flat, empty_lengths = encode_documents(gpt2, [None, ""], 50256, np.uint16)
    assert empty_flat.size == 0 and empty_lengths.tolist() == [0, 0]


def test_encode_documents_matches_one_by_one_encoding(gpt2):
    texts = synthetic_texts(50)
    flat, lengths = encode_documents(gpt2, texts, 50256, np.int32)
    expected = [gpt2.encode(t).ids + [50256] for t in texts]
    assert lengths.tolist() == [len(e) for e in expected]
    assert flat.tolist() == [i for e in expected for i in e]


def test_encode_documents_refuses_ids_that_do_not_fit(gpt2):
    with pytest.raises(TokenizerError, match="do not fit uint8"):
        encode_documents(gpt2, ["Hello world"], 50256, np.uint8)


def test_token_dtype_follows_megatron():
    assert token_dtype(50257) == np.uint16
    assert token_dtype(65499) == np.uint16
    assert token_dtype(65500) == np.int32  # Megatron: uint16 only below 65500
    assert token_dtype(128256) == np.int32
    try:
        from megatron.core.datasets.indexed_dataset import DType
    except ImportError:
        return  # megatron-core is optional; the rule above is its published one
    for cardinality in (255, 50257, 65499, 65500, 65536, 200000):
        assert token_dtype(cardinality) == np.dtype(DType.optimal_dtype(cardinality))


def test_load_from_json_path_and_object_store(tmp_path, gpt2, s3_bucket):
    text = tokenizer_json(gpt2)
    (tmp_path / "tokenizer.json").write_text(text)
    local = load_tokenizer(str(tmp_path / "tokenizer.json"))
    assert tokenizer_json(local) == text
    url = f"s3://{s3_bucket}/tok/tokenizer.json"
    with fsspec.open(url, "wt") as f:
        f.write(text)
    assert load_tokenizer(url).encode("Hello world").ids == [15496, 995]


def test_missing_or_corrupt_tokenizer_files_are_named(tmp_path):
    with pytest.raises(TokenizerError, match=r"nope\.json cannot be read"):
        load_tokenizer(str(tmp_path / "nope.json"))
    (tmp_path / "bad.json").write_text('{"model": 12')
    with pytest.raises(TokenizerError, match=r"bad\.json is not a valid tokenizer\.json"):
        load_tokenizer(str(tmp_path / "bad.json"))
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(TokenizerError, match=r"binary\.json"):
        load_tokenizer(str(tmp_path / "binary.json"))


def test_trained_tokenizer_is_byte_level_with_eos():
    tok = train_byte_level_bpe(synthetic_texts(), vocab_size=400)
    assert 257 < vocab_size(tok) <= 400  # all 256 bytes, EOS, then merges until the pairs run out
    assert eos_id(tok) == 0  # special tokens come first
    unseen = "Zürich ℵ 🚀 \x00 tab\tend"
    assert tok.decode(tok.encode(unseen).ids) == unseen  # every byte is in the alphabet: nothing is unknown
    with pytest.raises(TokenizerError, match="no '<eos>' token"):
        eos_id(tok, "<eos>")


TRAIN_SCRIPT = """
import sys
from tests.test_bpe import tie_heavy_texts
from jobs.text.bpe import tokenizer_json, train_byte_level_bpe
sys.stdout.write(tokenizer_json(train_byte_level_bpe(tie_heavy_texts(), vocab_size=600, min_frequency=1)))
"""


def test_training_is_deterministic_in_one_process_and_across_processes_and_thread_counts():
    once = tokenizer_json(train_byte_level_bpe(tie_heavy_texts(), vocab_size=600, min_frequency=1))
    twice = tokenizer_json(train_byte_level_bpe(tie_heavy_texts(), vocab_size=600, min_frequency=1))
    assert once == twice
    assert vocab_size(train_byte_level_bpe(tie_heavy_texts(), vocab_size=600, min_frequency=1)) == 600
    for threads in ("1", "2"):
        env = {**os.environ, "RAYON_NUM_THREADS": threads, "PYTHONHASHSEED": threads}
        out = subprocess.run(
            [sys.executable, "-c", TRAIN_SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert tokenizer_sha256(out) == tokenizer_sha256(once)


def test_cached_tokenizer_parses_each_json_once(gpt2):
    text = tokenizer_json(gpt2)
    first = cached_tokenizer(text)
    assert cached_tokenizer(text) is first
    assert tokenizer_sha256(text) == tokenizer_sha256(tokenizer_json(first))
    assert len(tokenizer_sha256(text)) == 64
