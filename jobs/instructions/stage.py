"""instructions: task datasets -> a Flan-style instruction-tuning collection.

Steps, in Spark:

1. read: every task file on the workers; records mapped onto the canonical fields of the task's
   type (jobs.text.instruct.fields). Unreadable records or ones without a required field are
   rejected (instructions:bad_record, instructions:empty) with their raw text;
2. exemplar pools: per task, `formats.pool_size` records of its exemplar splits, drawn by hash;
3. render (mapInArrow): template, with or without options, chain-of-thought, inversion, few-shot
   exemplars under a character budget, each chosen by a hash of (seed, example, choice)
   (jobs.text.instruct.render); too long -> instructions:too_long;
4. duplicates, on the examples' own content (not the template words): exact (a hash; the
   smallest id survives), then near (datasketch MinHash LSH on the driver, verified by the true
   Jaccard) -> instructions:duplicate / instructions:near_duplicate;
5. decontamination against the benchmark registry with the decontam stage's own matching
   (jobs.decontam.run, policy drop) -> decontam:<benchmark>, and its `matches` output;
6. mixing: examples-proportional with a per-task cap and family rates (jobs.text.instruct.mixing);
   which examples are kept is a hash rank within the task -> instructions:over_task_cap /
   instructions:family_rate.

Stats: the mixture plan and the diversity report (jobs.instructions.report).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import xxhash
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import LongType, StringType, StructField, StructType

import jobs.decontam
from jobs.contract import StageContext, StageOutput
from jobs.instructions.read import read_records, task_units
from jobs.instructions.report import diversity_report
from jobs.text.dedup.small import near_duplicate_clusters
from jobs.text.ids import stable_id
from jobs.text.instruct.fields import BadRecord, content_text
from jobs.text.instruct.mixing import plan_mixture
from jobs.text.instruct.registry import TemplateRegistry, load_registry
from jobs.text.instruct.render import FormatRates, render_example
from schemas.decontam import DecontamSettings
from schemas.instructions import OUTPUT_COLUMNS, InstructionsSettings

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
RENDERED_SCHEMA = StructType(
    list(OUTPUT_COLUMNS.fields)
    + [
        StructField("content", StringType(), True),
        StructField("content_hash", LongType(), True),
        StructField("problem", StringType(), True),
    ]
)
RENDERED_ARROW = to_arrow_schema(RENDERED_SCHEMA)
MATCH_COLUMNS = ("id", "bench_id", "benchmark", "task", "grams")


def registry(settings: InstructionsSettings) -> TemplateRegistry:
    return load_registry([str(TEMPLATES_DIR), *settings.templates])


def preflight(settings: InstructionsSettings) -> None:
    """Templates that load and cover every task type in use, task files that exist, benchmarks."""
    templates = registry(settings)
    for task in settings.tasks:
        templates.of(task.type)
    task_units(settings)
    if settings.decontam is not None:
        jobs.decontam.preflight(settings.decontam)


def external_inputs(settings: InstructionsSettings) -> dict[str, str]:
    """The task files as listed, the template files' bytes and the benchmarks: a changed file is
    another collection."""
    listing = hashlib.sha256()
    for task, unit in task_units(settings):
        listing.update(f"{task}|{unit.url}|{unit.size}|{unit.version}".encode())
    inputs = {"tasks": listing.hexdigest(), "templates": registry(settings).digest}
    if settings.decontam is not None:
        inputs.update(jobs.decontam.external_inputs(settings.decontam))
    return inputs


def _uniform_rank(seed: int, purpose: str):
    """A per-example draw as a Spark column (xxhash64 of seed, purpose and id): the same examples
    are picked whatever the partitioning."""
    return F.xxhash64(F.lit(seed), F.lit(purpose), F.col("id"))


def _exemplar_pools(records: DataFrame, settings: InstructionsSettings) -> dict[str, list[tuple[str, dict]]]:
    splits = {t.name: t.exemplar_splits for t in settings.tasks}
    in_pool = F.lit(False)
    for task, names in splits.items():
        in_pool = in_pool | ((F.col("task") == task) & (F.col("split").isNull() | F.col("split").isin(names)))
    ranked = (
        records.filter(F.col("example").isNotNull() & in_pool)
        .withColumn("id", F.concat_ws("\x1f", "task", "record_id"))
        .withColumn("draw", _uniform_rank(settings.seed, "pool"))
        .withColumn("rank", F.row_number().over(Window.partitionBy("task").orderBy("draw", "id")))
        .filter(F.col("rank") <= settings.formats.pool_size)
    )
    pools: dict[str, list[tuple[str, dict]]] = {t.name: [] for t in settings.tasks}
    for row in ranked.select("task", "record_id", "example").orderBy("task", "record_id").collect():
        pools[row["task"]].append((stable_id(row["task"], row["record_id"]), json.loads(row["example"])))
    return pools


def _text(messages: list[dict]) -> str:
    return "\n\n".join(m["content"] for m in messages)


def _renderer(settings: InstructionsSettings, templates: TemplateRegistry, pools: dict):
    tasks = {t.name: t for t in settings.tasks}
    rates = FormatRates(**settings.formats.model_dump(exclude={"pool_size"}))
    names = RENDERED_SCHEMA.fieldNames()

    def render_one(row: dict) -> dict:
        task = tasks[row["task"]]
        key = stable_id(task.name, row["record_id"])
        out = dict.fromkeys(names)
        out.update(
            id=key,
            kind="task",
            source=task.name,
            task=task.name,
            task_type=task.type,
            task_family=task.family,
            record_id=row["record_id"],
            split=row["split"],
        )
        if row["example"] is None:
            return {**out, "text": row["raw"] or "", "problem": row["problem"]}
        example = json.loads(row["example"])
        try:
            rendered = render_example(
                example, templates.of(task.type), rates, settings.seed, key, pools[task.name]
            )
        except BadRecord:
            return {**out, "text": row["example"], "problem": "bad_record"}
        text = _text(rendered.messages)
        content = content_text(example, task.type, set(task.constants))
        out.update(
            text=text,
            messages=rendered.messages,
            template_id=rendered.template_id,
            format=rendered.format,
            with_options=rendered.options,
            chain_of_thought=rendered.cot,
            inverted=rendered.inverted,
            n_exemplars=rendered.n_exemplars,
            leading_verb=templates.leading_words.get(rendered.template_id),
            prompt_chars=len(rendered.prompt),
            answer_chars=len(rendered.answer),
            content=content,
            content_hash=xxhash.xxh64_intdigest(content) - (1 << 63),
            problem="too_long" if len(text) > settings.limits.max_chars else None,
        )
        if not rendered.answer or not rendered.prompt:
            out["problem"] = "empty"
        return out

    def render(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = [render_one(row) for row in batch.to_pylist()]
            yield pa.RecordBatch.from_pylist(rows, schema=RENDERED_ARROW)

    return render


def _rejected(frame: DataFrame, reason) -> DataFrame:
    return frame.select(
        *OUTPUT_COLUMNS.fieldNames(),
        F.lit("instructions").alias("reject_stage"),
        reason.alias("reject_reason"),
    )


def _near_duplicates(spark: SparkSession, unique: DataFrame, settings: InstructionsSettings) -> DataFrame:
    """Ids of near duplicates (all but the smallest id of each cluster), found on the driver."""
    table = unique.select("id", "content").orderBy("id").toArrow()
    ids = np.array(table.column("id").to_pylist(), dtype=object)
    if len(ids) < 2:
        return spark.createDataFrame([], "id string")
    clusters = near_duplicate_clusters(
        table.column("content").to_pylist(), settings.dedup.threshold, num_perm=settings.dedup.num_perm
    )
    duplicates = ids[clusters != np.arange(len(ids))].tolist()
    return spark.createDataFrame([(i,) for i in duplicates], "id string")


def _decontaminate(spark, clean: DataFrame, settings: DecontamSettings, ctx: StageContext):
    """The decontam stage's matching on the examples' text: (contaminated ids with their reason, matches)."""
    found = jobs.decontam.run(spark, clean.select("id", "text"), replace_policy(settings), ctx)
    reasons = found.rejected.select("id", F.col("reject_reason").alias("decontam_reason"))
    return reasons, found.extra["matches"].select(*MATCH_COLUMNS)


def replace_policy(settings: DecontamSettings) -> DecontamSettings:
    return settings if settings.policy == "drop" else settings.model_copy(update={"policy": "drop"})


def _mixture(clean: DataFrame, settings: InstructionsSettings) -> tuple[DataFrame, dict]:
    available = {r["task"]: int(r["count"]) for r in clean.groupBy("task").count().collect()}
    available.update({t.name: available.get(t.name, 0) for t in settings.tasks})
    plan = plan_mixture(
        available,
        {t.name: t.family for t in settings.tasks},
        settings.mixing.task_cap,
        {t.name: t.max_examples for t in settings.tasks},
        settings.mixing.family_rates,
        settings.mixing.total,
    )
    spark = clean.sparkSession
    limits = spark.createDataFrame(
        [(t, plan.capped[t], plan.targets[t]) for t in sorted(available)],
        "task string, capped int, target int",
    )
    ranked = (
        clean.withColumn("draw", _uniform_rank(settings.seed, "mix"))
        .withColumn("rank", F.row_number().over(Window.partitionBy("task").orderBy("draw", "id")))
        .join(F.broadcast(limits), "task")
    )
    report = {
        "total": plan.total,
        "limited_by": plan.limited_by,
        "families": plan.family_targets,
        "tasks": {
            t: {"available": available[t], "after_cap": plan.capped[t], "kept": plan.targets[t]}
            for t in sorted(available)
        },
    }
    return ranked, report


def run(spark: SparkSession, docs, settings: InstructionsSettings, ctx: StageContext) -> StageOutput:
    templates = registry(settings)
    records = read_records(spark, settings).persist()
    render_splits = F.lit(False)
    for task in settings.tasks:
        wanted = F.lit(True) if task.splits is None else F.col("split").isin(task.splits)
        render_splits = render_splits | ((F.col("task") == task.name) & wanted)
    chosen = records.filter(render_splits)
    docs_in = chosen.count()
    pools = _exemplar_pools(records, settings)
    rendered = chosen.mapInArrow(_renderer(settings, templates, pools), RENDERED_SCHEMA).persist()

    rejected = [
        _rejected(
            rendered.filter(F.col("problem").isNotNull()), F.concat(F.lit("instructions:"), F.col("problem"))
        )
    ]
    valid = rendered.filter(F.col("problem").isNull())
    first_copy = Window.partitionBy("content_hash", "content").orderBy("id")
    valid = valid.withColumn("copy", F.row_number().over(first_copy))
    rejected.append(_rejected(valid.filter(F.col("copy") > 1), F.lit("instructions:duplicate")))
    unique = valid.filter(F.col("copy") == 1).drop("copy").persist()

    if settings.dedup.near:
        near = _near_duplicates(spark, unique, settings)
        rejected.append(_rejected(unique.join(near, "id", "left_semi"), F.lit("instructions:near_duplicate")))
        unique = unique.join(near, "id", "left_anti")

    matches = spark.createDataFrame([], jobs.decontam.MATCH_SCHEMA).select(*MATCH_COLUMNS)
    clean = unique
    if settings.decontam is not None and settings.decontam.benchmarks:
        reasons, matches = _decontaminate(spark, unique, settings.decontam, ctx)
        reasons = reasons.persist()
        marked = unique.join(reasons, "id", "left")
        rejected.append(
            _rejected(marked.filter(F.col("decontam_reason").isNotNull()), F.col("decontam_reason"))
        )
        clean = marked.filter(F.col("decontam_reason").isNull()).drop("decontam_reason")
    clean = clean.persist()

    ranked, mixture = _mixture(clean, settings)
    kept = ranked.filter(F.col("rank") <= F.col("target")).select(*OUTPUT_COLUMNS.fieldNames()).persist()
    over = ranked.filter(F.col("rank") > F.col("target"))
    reason = F.when(F.col("rank") > F.col("capped"), "instructions:over_task_cap").otherwise(
        "instructions:family_rate"
    )
    rejected.append(_rejected(over, reason))

    all_rejected = rejected[0]
    for frame in rejected[1:]:
        all_rejected = all_rejected.unionByName(frame)
    stats = {
        "records_read": records.count(),
        "records_rendered": docs_in,
        "templates": {"files": len(templates.files), "available": len(templates.template_ids())},
        "mixture": mixture,
        "diversity": diversity_report(kept, templates),
    }
    return StageOutput(
        kept=kept, rejected=all_rejected, docs_in=docs_in, stats=stats, extra={"matches": matches}
    )
