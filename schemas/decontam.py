"""Settings, output columns and expectation suites of the `decontam` stage."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from schemas.documents import document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings


def reason_name(benchmark: str) -> str:
    """A benchmark's name as it appears in `decontam:<benchmark>` (lower case, [a-z0-9_.-])."""
    return re.sub(r"[^a-z0-9_.-]+", "_", benchmark.lower()).strip("_") or "benchmark"


class BenchmarkSource(StageSettings):
    """Evaluation items to keep out of the corpus: files the user provides, in a published format."""

    format: str = Field(
        description="The loader: mmlu, bigbench, bbh, gsm8k, mgsm, tydiqa, xcopa, xlwic, lambada, race, "
        "hellaswag, arc, humaneval, glue, superglue, clue, or generic (Parquet/JSONL with bench_id, "
        "benchmark, text and an optional answer).",
    )
    paths: list[str] = Field(min_length=1, description="Files, folders or globs; local or any fsspec URL.")
    name: str | None = Field(
        None,
        description="The benchmark's name in reasons and reports (default: the format's; generic: its column).",
    )
    fields: list[str] | None = Field(
        None, description="The item fields whose text counts (default: the loader's, see jobs/benchmarks)."
    )

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        from jobs.benchmarks import FORMATS

        if value not in FORMATS:
            raise ValueError(f"unknown benchmark format {value!r}; known: {', '.join(sorted(FORMATS))}")
        return value


class DecontamSettings(StageSettings):
    """Documents that hold benchmark items (n-gram overlap) are dropped or have the items cut out."""

    benchmarks: list[BenchmarkSource] = Field(
        default_factory=list, description="The evaluation sets (none: every document passes unchanged)."
    )
    ngram: int = Field(13, ge=3, description="Gram length in normalised tokens (GPT-3 and Llama 2 used 13).")
    min_tokens: int = Field(
        8,
        ge=1,
        description="Items shorter than `ngram` tokens but at least this long are matched as one gram of "
        "all their tokens (GPT-3 lowered n to 8 for benchmarks of short items); shorter items are not matched.",
    )
    answers: bool = Field(True, description="The answer text counts too (a page with questions and answers).")
    max_items_per_gram: int = Field(
        10,
        ge=1,
        description="A gram found in more benchmark items than this is template text (an instruction every "
        "item of a task repeats), not evidence of one item, and is ignored.",
    )
    min_grams: int = Field(
        1, ge=1, description="Distinct grams of one item a document must hold to count as contaminated by it."
    )
    policy: Literal["drop", "cut"] = Field(
        "drop",
        description="'drop': contaminated documents are rejected (decontam:<benchmark>); 'cut': the matched "
        "spans are removed with `margin_chars` around them, and the document is rejected only when that "
        "leaves more than `max_pieces` pieces or nothing (GPT-3's rule).",
    )
    margin_chars: int = Field(
        200, ge=0, description="policy=cut: characters removed on each side of a match."
    )
    max_pieces: int = Field(
        10, ge=1, description="policy=cut: more pieces than this and the document is dropped."
    )
    max_table_grams: int = Field(
        50_000_000,
        ge=1,
        description="The benchmark grams are shipped to every worker (8 bytes each); a larger set is an error "
        "naming its size, not an out-of-memory failure.",
    )


def kept_expectations(settings: DecontamSettings) -> list[dict]:
    expectations = document_expectations() + [
        {"type": "expect_column_to_exist", "kwargs": {"column": "decontam_items"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "decontam_cut_chars"}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "decontam_cut_chars", "min_value": 0},
        },
    ]
    if settings.policy == "drop":  # nothing is cut, and no kept document holds an item
        expectations += [
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": "decontam_items"}},
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "decontam_cut_chars", "max_value": 0},
            },
        ]
    return expectations


def rejected_expectations(settings: DecontamSettings) -> list[dict]:
    return rejected_base("decontam") + [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "decontam_items"}},
    ]


def extra_expectations(settings: DecontamSettings) -> dict[str, list[dict]]:
    return {
        "matches": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": column}}
            for column in ("id", "bench_id", "benchmark", "grams")
        ]
        + [
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "grams", "min_value": settings.min_grams},
            }
        ]
    }
