"""Settings, output columns and expectation suites of the `langid` stage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.documents import document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

UNDETERMINED = "und"  # ISO 639-2/3 code for "undetermined"
LOW_SCORE = "langid:low_score"
LANGUAGE_NOT_KEPT = "langid:language_not_kept"
REJECT_REASONS = (LOW_SCORE, LANGUAGE_NOT_KEPT)


class LangidSettings(StageSettings):
    """fastText language identification: model, languages kept, score thresholds."""

    model: str = Field(
        "lid.176.ftz",
        description="fastText LID model: the name of an asset fetched at setup (lid.176.ftz), a local path "
        "or an fsspec URL (s3://...; copied to a local file once per worker), e.g. lid.176.bin or GlotLID.",
    )
    keep_languages: list[str] = Field(
        default_factory=list,
        description="Labels kept (as the model writes them without __label__, e.g. 'en', 'de'); empty: all. "
        "Other text/task documents are rejected: langid:language_not_kept.",
    )
    threshold: float = Field(
        0.65,
        ge=0.0,
        le=1.0,
        description="Minimum probability of the top label (default: datatrove's LanguageFilter "
        "language_threshold, used by FineWeb); below it the low_score_action applies.",
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="Per-label minimum probability overriding `threshold`, e.g. {'en': 0.8, 'sr': 0.4}.",
    )
    low_score_action: Literal["reject", "keep_as_undetermined"] = Field(
        "reject",
        description="Text/task documents whose top score is under their threshold (mixed or unclear text): "
        "'reject' (langid:low_score) or 'keep_as_undetermined' (kept with lang='und' and the top score; "
        "the keep list does not apply to them).",
    )
    code_from_content: bool = Field(
        True,
        description="A `text` document whose top score is under its threshold, or whose lines read as code "
        "(`code_line_share`), and whose content reads as source code (shebang, distinctive keywords) "
        "becomes kind='code' with that code_lang and is kept, lang null: code files in a crawl are not "
        "rejected or judged as prose for their natural language (comments, docstrings).",
    )
    code_line_share: float = Field(
        0.15,
        ge=0.0,
        le=1.0,
        description="Share of the first 200 non-blank lines that read as code (ending in ; { } or ):, "
        "starting with import/def/return/...) from which a well-identified text document with hardly "
        "any sentence lines (under 10%) is also checked for code (prose stays near 0, source files "
        "near 0.5; HTML-extraction junk with pasted scripts has sentence lines and stays prose).",
    )
    max_chars: int | None = Field(
        10_000,
        gt=0,
        description="Only the first max_chars characters are given to the model (null: the whole text); "
        "measured in bench/langid.md not to change accuracy on the benchmark corpus.",
    )

    def threshold_for(self, label: str) -> float:
        return self.thresholds.get(label, self.threshold)


def _when(condition: str) -> dict:
    return {"row_condition": condition, "condition_parser": "spark"}


def kept_expectations(settings: LangidSettings) -> list[dict]:
    expectations = document_expectations() + [
        {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": "lang", "type_": "StringType"}},
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "lang_score", "type_": "DoubleType"},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "lang_score", "min_value": 0.0, "max_value": 1.0},
        },
        # text and task documents have a language and a score; code documents neither
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "lang", **_when('kind != "code"')},
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "lang_score", **_when('kind != "code"')},
        },
        {"type": "expect_column_values_to_be_null", "kwargs": {"column": "lang", **_when('kind = "code"')}},
    ]
    if settings.keep_languages:
        allowed = list(settings.keep_languages)
        if settings.low_score_action == "keep_as_undetermined":
            allowed.append(UNDETERMINED)
        expectations.append(
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "lang", "value_set": allowed}}
        )
    if settings.low_score_action == "reject":
        lowest = min([settings.threshold, *settings.thresholds.values()])
        expectations.append(
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "lang_score", "min_value": lowest, "max_value": 1.0},
            }
        )
    return expectations


def rejected_expectations(settings: LangidSettings) -> list[dict]:
    return rejected_base("langid") + [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_reason", "value_set": list(REJECT_REASONS)},
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "lang", **_when('kind != "code"')},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "lang_score", "min_value": 0.0, "max_value": 1.0},
        },
    ]
