"""Settings, output columns and expectation suite of the `ingest` stage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.documents import INGEST_COLUMNS, document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

DEFAULT_VENDORED_DIRS = (
    "node_modules",
    "bower_components",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "thirdparty",
    "site-packages",
    "dist-packages",
    ".git",
    "__pycache__",
)

REJECT_REASONS = (
    "ingest:invalid_json",
    "ingest:missing_text",
    "ingest:empty",
    "ingest:too_large",
    "ingest:undecodable",
    "ingest:binary",
    "ingest:vendored",
    "ingest:minified",
    "ingest:unknown_extension",
    "ingest:not_html",
    "ingest:duplicate_id",
)


class IngestSettings(StageSettings):
    """Reading raw sources into documents: size limit, normalisation, code-tree rules."""

    max_bytes: int = Field(
        1_000_000,
        gt=0,
        description="A record whose text is longer (UTF-8 bytes) is rejected: ingest:too_large.",
    )
    unicode_form: Literal["NFC", "NFKC", "none"] = Field(
        "NFC",
        description="Unicode normalisation applied after decoding ('none' keeps code points as they are).",
    )
    vendored_dirs: list[str] = Field(
        list(DEFAULT_VENDORED_DIRS),
        description="A code file under a folder of one of these names is rejected: ingest:vendored.",
    )
    minified_mean_line_length: int = Field(
        300, gt=0, description="A code file with a longer mean line is rejected: ingest:minified."
    )
    extra_code_extensions: dict[str, str] = Field(
        default_factory=dict,
        description="Extra file extension -> language entries for code trees, e.g. {'.pyx': 'cython'}.",
    )
    html_favor_precision: bool = Field(
        True, description="trafilatura's favor_precision for WARC HTML: less boilerplate, maybe less text."
    )
    split_bytes: int = Field(
        128 * 1024 * 1024,
        ge=0,
        description="Plain JSONL files larger than this are read as byte ranges of this size by "
        "several tasks (0: never split; compressed files are never split).",
    )
    units_per_task: int = Field(
        4, gt=0, description="Input files (or archive/WARC units) handled by one Spark task."
    )


def kept_expectations(settings: IngestSettings) -> list[dict]:
    return document_expectations() + [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "source"}},
        {
            "type": "expect_table_columns_to_match_set",
            "kwargs": {"column_set": INGEST_COLUMNS.fieldNames(), "exact_match": True},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "id", "regex": "^[0-9a-f]{24}$"},
        },
        {
            "type": "expect_column_value_lengths_to_be_between",
            "kwargs": {"column": "text", "min_value": 1, "max_value": settings.max_bytes},
        },
    ]


def rejected_expectations(settings: IngestSettings) -> list[dict]:
    return rejected_base("ingest") + [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_reason", "value_set": list(REJECT_REASONS)},
        }
    ]
