"""The stage contract: run(spark, docs, settings, ctx) -> StageOutput."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from schemas.documents import INGEST_COLUMNS


@dataclass(frozen=True)
class StageHistory:
    """The same stage's committed output in the corpus's last published version (store runs of
    stages that keep state across versions, e.g. dedup's keys). File paths in the manifest are
    relative to `root`, which is also the root the stage writes under."""

    fs: Any
    root: str
    manifest: dict

    def paths(self, output: str) -> list[str]:
        return [f"{self.root}/{f['file']}" for f in self.manifest["files"] if f["output"] == output]

    def entries(self, output: str) -> list[dict]:
        return [f for f in self.manifest["files"] if f["output"] == output]


@dataclass(frozen=True)
class ArtifactTarget:
    """Where a stage writes files that are not Parquet (tokenize's .bin/.idx): a folder of its own
    for this attempt. `url` is absolute on `fs`, `rel` relative to the root manifest paths start at;
    the stage lists what it wrote in StageOutput.artifacts and the manifest commits them."""

    fs: Any
    output: str  # the manifest's `output` of these files, and the folder's name
    url: str
    rel: str


@dataclass(frozen=True)
class StageContext:
    stage: str
    version: str | None = None
    units: tuple = ()  # ingest only: the input units the sources expand to (jobs.readers.Unit)
    read_options: dict = field(default_factory=dict)  # ingest only: source name -> ReadOptions
    history: StageHistory | None = None  # see jobs.pipeline.with_history
    artifacts: ArtifactTarget | None = None  # stages whose module names ARTIFACTS


@dataclass
class StageOutput:
    """What a stage hands back; the runner writes, validates and commits it.

    docs_in: documents the stage consumed. The runner checks docs_in == kept + rejected after
    writing, so a stage cannot lose documents silently.
    extra: further outputs that are not documents (e.g. dedup's `keys`), written and committed
    with kept and rejected, checked by the schema module's `extra_expectations`.
    carried: manifest file entries of earlier versions that this output still relies on (listed
    in its manifest, so they are kept and checked like its own files, never copied).
    artifacts: the non-Parquet files the stage wrote under ctx.artifacts, as manifest entries.
    """

    kept: DataFrame
    rejected: DataFrame
    docs_in: int | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    quarantine: list[dict] = field(default_factory=list)
    extra: dict[str, DataFrame] = field(default_factory=dict)
    carried: list[dict] = field(default_factory=list)
    artifacts: list[dict] = field(default_factory=list)  # manifest file entries under ctx.artifacts


def with_document_columns(docs: DataFrame) -> DataFrame:
    """A Parquet with only id and text (a stage run alone): missing kind is 'text', other missing
    document columns are null. Present columns are kept as they are, extra ones too."""
    present = set(docs.columns)
    for column in INGEST_COLUMNS.fields:
        if column.name not in present:
            value = F.lit("text") if column.name == "kind" else F.lit(None)
            docs = docs.withColumn(column.name, value.cast(column.dataType))
    return docs.withColumn("kind", F.coalesce(F.col("kind"), F.lit("text")))
