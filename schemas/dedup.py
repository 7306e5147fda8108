"""Settings, output columns and expectation suites of the `dedup` stage.

Every document leaves with `dup_cluster`: the id of the document kept for its duplicate cluster
(its own id when it is kept). Removed copies go to rejected/ with `dedup:exact`, `dedup:url` or
`dedup:near`.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pyspark.sql.types import StringType, StructField

from schemas.documents import INGEST_COLUMNS, document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

REASONS = ("dedup:exact", "dedup:url", "dedup:near")
DEDUP_COLUMNS = [StructField("dup_cluster", StringType(), False)]


class DedupSettings(StageSettings):
    """Exact, URL and near-duplicate (MinHash LSH) removal; the best document of a cluster stays."""

    exact: bool = Field(
        True,
        description="Remove copies whose text is the same after Unicode NFKC and whitespace "
        "normalisation (byte-identical copies and copies that differ only in spacing or line ends).",
    )
    url: bool = Field(
        False,
        description="Remove documents whose normalised URL (scheme, host case, www., default port, "
        "fragment, tracking parameters and parameter order ignored) another document has.",
    )
    near: bool = Field(True, description="Remove near copies found by MinHash LSH.")
    threshold: float = Field(
        0.8,
        gt=0,
        lt=1,
        description="Word 5-gram Jaccard similarity from which two documents are near copies.",
    )
    shingle_size: int = Field(5, ge=1, le=32, description="Tokens per shingle (CJK characters are tokens).")
    num_perm: int = Field(128, ge=8, le=1024, description="MinHash permutations.")
    bands: int | None = Field(
        None,
        ge=1,
        description="LSH bands; with `rows`, overrides datasketch's optimal choice for `threshold`.",
    )
    rows: int | None = Field(None, ge=1, description="LSH rows per band (with `bands`).")
    candidate_threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Jaccard similarity the LSH bands are tuned for (datasketch's optimal bands x rows). "
        "Default: `threshold` - 0.1 with `verify` (recall first: verification removes the false positives; "
        "128 permutations give 18 bands of 7 rows, which propose 98.6% of pairs at Jaccard 0.8), "
        "`threshold` without.",
    )
    false_positive_weight: float | None = Field(
        None,
        ge=0,
        le=1,
        description="datasketch's weight of false positives (default: 0.2 with verify, else 0.5).",
    )
    false_negative_weight: float | None = Field(
        None,
        ge=0,
        le=1,
        description="datasketch's weight of false negatives (default: 0.8 with verify, else 0.5).",
    )
    seed: int = Field(1, description="MinHash permutation seed (datasketch's).")
    all_pairs_bucket_size: int = Field(
        32,
        ge=2,
        description="An LSH bucket of at most this many documents proposes every pair in it; a larger one "
        "joins each member to its smallest id (star edges, linear in the bucket). With verification, star "
        "edges alone lose copies whose buckets are centred on a sibling that is similar to only one of them "
        "(measured in bench/dedup.md: recall 0.965 -> 0.997 on corpus-20k).",
    )
    verify: bool = Field(
        True,
        description="Keep only candidate pairs whose true shingle Jaccard reaches `threshold` "
        "(LSH only estimates it; this removes its false positives).",
    )

    incremental: bool = Field(
        True,
        description="In a store, deduplicate against every earlier version: each version keeps the keys "
        "(exact, URL, LSH bands; the text of kept documents) of the documents it saw first in "
        "dedup/keys/, and lists the earlier versions' keys files in its manifest. A document seen before "
        "with the same text keeps its decision (never rehashed, never re-admitted); a new one that copies "
        "an earlier survivor is removed in its favour. `curate stage dedup` on a folder has no history.",
    )

    @model_validator(mode="after")
    def _bands_and_rows(self) -> DedupSettings:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("set both bands and rows, or neither")
        if self.bands is not None and self.bands * self.rows > self.num_perm:
            raise ValueError(f"bands x rows ({self.bands} x {self.rows}) exceeds num_perm ({self.num_perm})")
        return self


def kept_expectations(settings: DedupSettings) -> list[dict]:
    return (
        document_expectations()
        + [
            {"type": "expect_column_to_exist", "kwargs": {"column": name}}
            for name in INGEST_COLUMNS.fieldNames() + ["dup_cluster"]
        ]
        + [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "dup_cluster"}},
            # a kept document is its cluster's survivor
            {
                "type": "expect_column_pair_values_to_be_equal",
                "kwargs": {"column_A": "id", "column_B": "dup_cluster"},
            },
        ]
    )


def rejected_expectations(settings: DedupSettings) -> list[dict]:
    return rejected_base("dedup") + [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_reason", "value_set": list(REASONS)},
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "dup_cluster"}},
    ]


def extra_expectations(settings: DedupSettings) -> dict[str, list[dict]]:
    """dedup/keys: one row per document this version saw first."""
    return {
        "keys": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "exact_key"}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "dup_cluster"}},
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "reject_reason", "value_set": list(REASONS)},
            },
        ]
    }
