"""Settings, output columns and expectation suites of the `quality` stage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from schemas.documents import document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

DEFAULT_MODEL = "default"  # quality_models/default/model.ftz, shipped in the repo
BELOW_THRESHOLD = "quality:below_threshold"
BELOW_TOP_FRACTION = "quality:below_top_fraction"
NOT_SAMPLED = "quality:not_sampled"
REJECT_REASONS = {"threshold": BELOW_THRESHOLD, "top_fraction": BELOW_TOP_FRACTION, "pareto": NOT_SAMPLED}


class QualityModel(StageSettings):
    """One fastText classifier and the documents it scores."""

    path: str = Field(
        DEFAULT_MODEL,
        description="'default' (quality_models/default/model.ftz, trained on the labelled bench corpus; "
        "see its MODEL_CARD.md), a local path or an fsspec URL (s3://...; copied to local disk once "
        "per worker). Trained by `curate train-quality`, or any fastText classifier with the label below.",
    )
    kinds: list[Literal["text", "code", "task"]] = Field(
        ["text", "task"], min_length=1, description="Document kinds this model scores."
    )
    languages: list[str] = Field(
        default_factory=list,
        description="`lang` values this model scores (as langid writes them, e.g. 'en'); empty: every "
        "language. Code documents have no `lang`: a model for code leaves this empty.",
    )
    positive_label: str = Field(
        "__label__hq",
        pattern=r"^\S+$",
        description="The model's label for good documents; quality_score is its probability "
        "(DCLM's OH-2.5+ELI5 classifier uses __label__hq too).",
    )


class QualitySettings(StageSettings):
    """A learned quality score on every document, and which documents are kept by it."""

    models: list[QualityModel] = Field(
        default_factory=lambda: [QualityModel()],
        min_length=1,
        description="Classifiers, tried in order: a document is scored by the first whose kinds and "
        "languages match it. Documents no model matches keep a null quality_score and are kept.",
    )
    keep: Literal["all", "threshold", "top_fraction", "pareto"] = Field(
        "all",
        description="'all': score only (dedup then prefers the best-scored copy; mix can set a minimum); "
        "'threshold': keep quality_score >= threshold; 'top_fraction': keep the best `top_fraction` of "
        "each source (DCLM kept ~10%); 'pareto': GPT-3's rule, keep when a Pareto(alpha) draw exceeds "
        "1 - quality_score, the draw a hash of id and seed (deterministic).",
    )
    threshold: float = Field(0.5, ge=0.0, le=1.0, description="keep=threshold: lowest score kept.")
    top_fraction: float = Field(
        0.1,
        gt=0.0,
        le=1.0,
        description="keep=top_fraction: share of each source's scored documents kept (a cut-off per "
        "source at the 1 - top_fraction quantile of its scores, Spark's percentile_approx).",
    )
    quantile_accuracy: int = Field(
        10_000,
        ge=100,
        description="keep=top_fraction: percentile_approx accuracy (relative error 1/accuracy).",
    )
    pareto_alpha: float = Field(9.0, gt=0.0, description="keep=pareto: the shape (GPT-3 used 9).")
    seed: int = Field(0, description="keep=pareto: seed of the per-document draw.")
    max_chars: int | None = Field(
        10_000,
        gt=0,
        description="Only the first max_chars characters are scored (as in training; null: all).",
    )

    @model_validator(mode="after")
    def _distinct_models(self) -> QualitySettings:
        seen = [(m.path, tuple(m.kinds), tuple(m.languages)) for m in self.models]
        if len(set(seen)) != len(seen):
            raise ValueError("models: the same model is listed twice for the same documents")
        return self


def _when(condition: str) -> dict:
    return {"row_condition": condition, "condition_parser": "spark"}


def kept_expectations(settings: QualitySettings) -> list[dict]:
    expectations = document_expectations() + [
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "quality_score", "type_": "DoubleType"},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "quality_score", "min_value": 0.0, "max_value": 1.0},
        },
        # a score names the model that gave it, and only scored documents name one
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "quality_model", **_when("quality_score IS NOT NULL")},
        },
        {
            "type": "expect_column_values_to_be_null",
            "kwargs": {"column": "quality_model", **_when("quality_score IS NULL")},
        },
    ]
    if settings.keep == "threshold":
        expectations.append(
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "quality_score", "min_value": settings.threshold, "max_value": 1.0},
            }
        )
    return expectations


def rejected_expectations(settings: QualitySettings) -> list[dict]:
    reasons = [REJECT_REASONS[settings.keep]] if settings.keep in REJECT_REASONS else []
    expectations = rejected_base("quality") + [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_reason", "value_set": reasons},
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "quality_score"}},
    ]
    if settings.keep == "threshold":
        expectations.append(
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "quality_score", "min_value": 0.0, "max_value": settings.threshold},
            }
        )
    if settings.keep == "all":
        expectations.append({"type": "expect_table_row_count_to_equal", "kwargs": {"value": 0}})
    return expectations
