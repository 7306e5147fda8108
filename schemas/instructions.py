"""Settings, output columns and expectation suites of the `instructions` stage (Flan-style
instruction-tuning collections built from task datasets)."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    IntegerType,
    StringType,
    StructField,
    StructType,
)

from schemas.decontam import DecontamSettings
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

NAME = r"^[a-z0-9_.-]+$"
REASONS = (
    "instructions:bad_record",
    "instructions:empty",
    "instructions:too_long",
    "instructions:duplicate",
    "instructions:near_duplicate",
    "instructions:over_task_cap",
    "instructions:family_rate",
)
FORMATS = ("zero_shot", "few_shot")

MESSAGE = StructType([StructField("role", StringType(), False), StructField("content", StringType(), False)])
OUTPUT_COLUMNS = StructType(
    [
        StructField("id", StringType(), False),
        StructField("text", StringType(), False),  # every message's content, for counters and decontam
        StructField("kind", StringType(), False),
        StructField("source", StringType(), False),  # the task's name
        StructField("messages", ArrayType(MESSAGE, False), True),
        StructField("task", StringType(), False),
        StructField("task_type", StringType(), False),
        StructField("task_family", StringType(), False),
        StructField("template_id", StringType(), True),
        StructField("format", StringType(), True),
        StructField("with_options", BooleanType(), True),
        StructField("chain_of_thought", BooleanType(), True),
        StructField("inverted", BooleanType(), True),
        StructField("n_exemplars", IntegerType(), True),
        StructField("leading_verb", StringType(), True),
        StructField("prompt_chars", IntegerType(), True),
        StructField("answer_chars", IntegerType(), True),
        StructField("record_id", StringType(), False),  # the record's own id, or its file and line
        StructField("split", StringType(), True),
    ]
)


class TaskSpec(StageSettings):
    """One task dataset and how its records map onto the canonical fields of its type."""

    name: str = Field(pattern=NAME, description="Task name, kept in `task` and `source`.")
    type: str = Field(
        description="open_qa, multiple_choice, classification, extraction, summarization, translation, "
        "code, math or dialogue; decides the required fields and the templates."
    )
    family: str = Field(
        "default", pattern=NAME, description="Mixing family (the Flan Collection's Flan/T0/NIv2/CoT/dialog)."
    )
    paths: list[str] = Field(
        min_length=1, description="JSONL (.gz, .zst) or Parquet files, folders or globs."
    )
    fields: dict[str, str] = Field(
        description="Canonical field -> the record's field (dotted for nested: `meta.title`). "
        "`answer_index` maps an integer field that indexes `options`."
    )
    constants: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="Canonical fields that are the same for every record: a label set as `options`, "
        "`source_lang`/`target_lang` names.",
    )
    id_field: str | None = Field("id", description="The record's own id (else file and line make one).")
    split_field: str | None = Field("split", description="Field naming the record's split, if any.")
    splits: list[str] | None = Field(
        None, description="Splits rendered into the collection (null: every record)."
    )
    exemplar_splits: list[str] = Field(
        default_factory=lambda: ["train"],
        description="Splits few-shot exemplars come from (records without a split field count as train).",
    )
    max_examples: int | None = Field(None, ge=0, description="This task's cap (default: mixing.task_cap).")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        from jobs.text.instruct.fields import TASK_TYPES

        if value not in TASK_TYPES:
            raise ValueError(f"unknown task type {value!r}; known: {', '.join(TASK_TYPES)}")
        return value

    @model_validator(mode="after")
    def _fields_of_type(self) -> TaskSpec:
        from jobs.text.instruct.fields import ANSWER_INDEX, TASK_FIELDS

        required, optional = TASK_FIELDS[self.type]
        known = set(required) | set(optional)
        unknown = sorted((set(self.fields) - {ANSWER_INDEX} - known) | (set(self.constants) - known))
        if unknown:
            raise ValueError(f"task {self.name}: {', '.join(unknown)} not fields of {self.type}")
        given = set(self.fields) | set(self.constants)
        if ANSWER_INDEX in self.fields:
            given.add("answer")
        missing = sorted(set(required) - given)
        if missing:
            raise ValueError(f"task {self.name}: required field(s) {', '.join(missing)} not mapped")
        return self


class Formats(StageSettings):
    """How examples are rendered (each choice a hash of the seed and the example's id)."""

    few_shot: float = Field(0.3, ge=0, le=1, description="Share of examples rendered few-shot.")
    options: float = Field(
        0.5, ge=0, le=1, description="Share of examples with options rendered listing them (else without)."
    )
    cot: float = Field(
        0.5, ge=0, le=1, description="Share of examples with a rationale rendered as chain-of-thought."
    )
    inversion: float = Field(
        0.1, ge=0, le=1, description="Share rendered inverted where the type has inverted templates."
    )
    max_exemplars: int = Field(3, ge=1, description="Most exemplars in a few-shot prompt.")
    exemplar_chars: int = Field(2000, ge=1, description="Character budget of a prompt's exemplars.")
    pool_size: int = Field(64, ge=1, description="Exemplar candidates kept per task (drawn by hash).")


class Limits(StageSettings):
    max_chars: int = Field(
        16_000, ge=1, description="Longer examples (all messages) are rejected (instructions:too_long)."
    )


class Mixing(StageSettings):
    task_cap: int | None = Field(
        30_000, ge=1, description="Most examples of one task (examples-proportional mixing's cap)."
    )
    family_rates: dict[str, float] = Field(
        default_factory=dict,
        description="Family -> mixing rate (normalised); empty: every task up to its cap.",
    )
    total: int | None = Field(None, ge=1, description="Size of the collection (null: as large as possible).")


class InstructionDedup(StageSettings):
    near: bool = Field(True, description="Also near duplicates (MinHash LSH, datasketch) besides exact ones.")
    threshold: float = Field(0.8, gt=0, le=1, description="Word 5-gram Jaccard of a near duplicate.")
    num_perm: int = Field(128, ge=16, description="MinHash permutations.")


class InstructionsSettings(StageSettings):
    """Task datasets -> an instruction-tuning collection (templates, formats, clean-up, mixing)."""

    tasks: list[TaskSpec] = Field(min_length=1, description="The task datasets (see below).")
    templates: list[str] = Field(
        default_factory=list,
        description="Extra template files or folders (YAML), added to the built-in registry "
        "(jobs/instructions/templates).",
    )
    seed: int = Field(0, description="Seed of every choice (template, format, exemplars, sampling).")
    formats: Formats = Field(Formats(), description="Rendering rates (see below).")
    limits: Limits = Field(Limits(), description="Length limits.")
    mixing: Mixing = Field(Mixing(), description="Caps and family rates.")
    dedup: InstructionDedup = Field(InstructionDedup(), description="Duplicate removal.")
    decontam: DecontamSettings | None = Field(
        None,
        description="Benchmarks to keep out (policy drop); null: the recipe's stages.decontam benchmarks.",
    )
    export_chat: bool = Field(True, description="Also write the collection as chat JSONL (`messages`).")

    @model_validator(mode="after")
    def _consistent(self) -> InstructionsSettings:
        names = [t.name for t in self.tasks]
        if len(set(names)) != len(names):
            raise ValueError(f"tasks: names must be unique, got {names}")
        if self.mixing.family_rates:
            missing = sorted({t.family for t in self.tasks} - set(self.mixing.family_rates))
            if missing:
                raise ValueError(f"mixing.family_rates: no rate for family {', '.join(missing)}")
        if self.decontam is not None and self.decontam.policy != "drop":
            raise ValueError("decontam.policy: instructions are dropped, never cut ('drop')")
        return self


def kept_expectations(settings: InstructionsSettings) -> list[dict]:
    not_null = ("id", "text", "messages", "task", "task_type", "template_id", "format")
    return [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}} for c in not_null] + [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "format", "value_set": list(FORMATS)},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "task", "value_set": [t.name for t in settings.tasks]},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "prompt_chars", "min_value": 1},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "answer_chars", "min_value": 1},
        },
    ]


def rejected_expectations(settings: InstructionsSettings) -> list[dict]:
    base = [e for e in rejected_base("instructions") if e["type"] != "expect_column_values_to_match_regex"]
    return base + [
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "reject_reason", "regex": r"^(instructions|decontam):[a-z0-9_.-]+$"},
        }
    ]


def extra_expectations(settings: InstructionsSettings) -> dict[str, list[dict]]:
    return {
        "matches": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}}
            for c in ("id", "bench_id", "benchmark")
        ]
    }
