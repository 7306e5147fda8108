"""A small real stage used by the tests to exercise chains of stages (resume, gates).

It drops documents shorter than `min_chars` (reason probe:too_short). A marker file makes it crash,
and `corrupt_kind` makes its output break the document suite, as a buggy stage would.
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import functions as F

from jobs.contract import StageOutput
from jobs.runner import StageSpec
from schemas.documents import document_expectations, rejected_expectations
from schemas.stage import StageSettings


class ProbeSettings(StageSettings):
    min_chars: int = 200
    crash_marker: str | None = None
    corrupt_kind: bool = False
    fail_once_marker: str | None = None


def run(spark, docs, settings: ProbeSettings, ctx) -> StageOutput:
    if settings.crash_marker and os.path.exists(settings.crash_marker):
        raise RuntimeError("probe: simulated crash")
    if settings.fail_once_marker and os.path.exists(settings.fail_once_marker):
        os.remove(settings.fail_once_marker)
        raise ConnectionError("probe: transient failure (e.g. a lost executor)")
    short = F.length("text") < settings.min_chars
    kept = docs.filter(~short)
    if settings.corrupt_kind:
        kept = kept.withColumn("kind", F.lit("blob"))
    rejected = docs.filter(short).select(
        *docs.columns, F.lit("probe").alias("reject_stage"), F.lit("probe:too_short").alias("reject_reason")
    )
    return StageOutput(kept=kept, rejected=rejected)


def probe_spec(settings: ProbeSettings) -> StageSpec:
    return StageSpec(
        "probe", sys.modules[__name__], settings, document_expectations(), rejected_expectations("probe")
    )
