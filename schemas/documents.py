"""Columns every document stage relies on (DESIGN.md, "Document schema")."""

from __future__ import annotations

from pyspark.sql.types import StringType, StructField, StructType

KINDS = ("text", "code", "task")

INGEST_COLUMNS = StructType(
    [
        StructField("id", StringType(), False),
        StructField("text", StringType(), False),
        StructField("source", StringType(), False),
        StructField("kind", StringType(), False),
        StructField("url", StringType(), True),
        StructField("path", StringType(), True),
        StructField("code_lang", StringType(), True),
        StructField("meta", StringType(), True),  # the source record's other fields, as JSON
    ]
)


def document_expectations() -> list[dict]:
    """Expectations that hold for the kept output of every document stage, also when it runs
    alone on a plain id + text Parquet (`curate stage NAME --input`): no `source` there, so
    ingest checks that one itself."""
    return [
        {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": "id", "type_": "StringType"}},
        {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": "text", "type_": "StringType"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "text"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "kind", "value_set": list(KINDS)}},
    ]


def rejected_expectations(stage: str) -> list[dict]:
    """Every rejected row names the stage and a `stage:rule` reason."""
    return [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_stage", "value_set": [stage]},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "reject_reason", "regex": f"^{stage}:[a-z0-9_.-]+$"},
        },
    ]
