"""filter: heuristic quality rules; every measured value kept as a sig_* column.

Prose (kind text/task): curate's web-junk rules, Gopher quality and repetition, C4 and
FineWeb rules (jobs/text/rules), with per-language thresholds; the Gopher/C4/FineWeb signals
of a whole Arrow batch are computed at once with pyarrow.compute and numpy (batch_signals.py). Code (kind code): The Stack / StarCoder rules. Signals are computed per
document on Spark's Python workers (mapInArrow); the thresholds are then applied to the whole
batch's columns at once (`decide_columns`), the same function that can re-apply new thresholds
to stored sig_* columns later.

Rescue (optional, `rescue`): a prose document whose failed rules are all soft ones (rescue.rules)
gets a second opinion from a fastText quality model, loaded once per Python worker; a score of at
least rescue.min_score keeps it, with the score and the first rule it failed in
filter_rescue_score / filter_rescued_rule. Only those documents are scored (a few percent).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from jobs.contract import StageContext, StageOutput
from jobs.quality import check_model, model_location
from jobs.readers.units import apply_storage_environment, storage_environment
from jobs.text.langid import load_model
from jobs.text.model_probe import model_sha256
from jobs.text.quality_text import model_lines, positive_probability
from jobs.text.rules import c4 as c4_rules
from jobs.text.rules.batch_signals import prose_signal_columns
from jobs.text.rules.decide import decide_columns
from jobs.text.rules.gopher import STOP_WORDS
from jobs.text.rules.signals import Measure, code_signals, prose_signals, web_signals
from schemas.filter import RESCUE_COLUMNS, SIGNAL_COLUMNS, FilterSettings

REASON = "_reject_reason"


def preflight(settings: FilterSettings) -> None:
    """The rescue model loads and knows its positive label, before any data moves."""
    if settings.rescue is not None:
        check_model(settings.rescue.model, settings.rescue.positive_label, "set rescue.positive_label")


def external_inputs(settings: FilterSettings) -> dict[str, str]:
    """The rescue model's contents: a retrained model at the same path gives another output."""
    if settings.rescue is None:
        return {}
    return {settings.rescue.model: model_sha256(model_location(settings.rescue.model))}


def measure_of(settings: FilterSettings) -> Measure:
    """The computation-side settings (what to measure, how C4 removes lines)."""
    return Measure(
        gopher_quality=settings.gopher_quality,
        gopher_repetition=settings.gopher_repetition,
        c4=settings.c4,
        fineweb=settings.fineweb,
        web=settings.web,
        c4_lines=c4_rules.LineRules(
            filter_no_terminal_punct=settings.c4_filter_no_terminal_punct,
            min_words_per_line=settings.c4_min_words_per_line,
            max_word_length=settings.c4_max_word_length,
            remove_citations=settings.c4_remove_citations,
            filter_javascript=settings.c4_filter_javascript,
            filter_policy=settings.c4_filter_policy,
        ),
        fineweb_on_c4_text=settings.fineweb_on_c4_text,
        fineweb_short_line_length=settings.fineweb_short_line_length,
        stop_words={**STOP_WORDS, **{k: tuple(v) for k, v in settings.stop_words.items()}},
        default_lang=settings.default_lang,
    )


def _put(columns: dict[str, np.ndarray], row: int, signals: dict[str, float | None]) -> None:
    for name, value in signals.items():
        if value is not None:
            columns[name][row] = value


def rescue(
    reasons: np.ndarray,
    columns: dict[str, np.ndarray],
    settings: FilterSettings,
    is_code: np.ndarray,
    langs: np.ndarray,
    text_column: pa.Array,
) -> tuple[np.ndarray, np.ndarray]:
    """(score, waived rule) per row, NaN/None where no rescue was tried or it failed; `reasons` is
    updated in place: a rescued row's reason becomes None."""
    n = len(reasons)
    scores = np.full(n, np.nan)
    waived = np.full(n, None, dtype=object)
    soft = frozenset(settings.rescue.rules)
    rows = np.flatnonzero(~is_code & np.isin(reasons, list(soft)))
    if not len(rows):
        return scores, waived
    subset = {name: values[rows] for name, values in columns.items()}
    hard = decide_columns(subset, settings, is_code[rows], None, langs[rows], skip=soft)
    rows = rows[hard == None]  # noqa: E711 (elementwise)
    if not len(rows):
        return scores, waived
    model = load_model(model_location(settings.rescue.model))
    texts = text_column.take(pa.array(rows)).to_pylist()
    lines = model_lines(texts, settings.rescue.max_chars)
    scores[rows] = positive_probability(model, lines, settings.rescue.positive_label)
    keep = rows[scores[rows] >= settings.rescue.min_score]
    waived[keep] = reasons[keep]
    reasons[keep] = None
    return scores, waived


def filter_batch(batch: pa.RecordBatch, settings: FilterSettings, measure: Measure) -> pa.RecordBatch:
    """One Arrow batch in, the same rows out with sig_* columns, the rescue columns and the reject
    reason (null: kept).

    Prose signals of the whole batch at once (`batch_signals`, vectorised); with `c4_remove_lines`,
    per document (`signals.prose_signals`, which also returns C4's remaining lines: kept documents
    get them as their text)."""
    names = batch.schema.names
    n = batch.num_rows
    kinds = batch.column(names.index("kind")).to_pylist() if "kind" in names else ["text"] * n
    langs = batch.column(names.index("lang")).to_pylist() if "lang" in names else [None] * n
    code_langs = batch.column(names.index("code_lang")).to_pylist() if "code_lang" in names else [None] * n
    is_code = np.array([kind == "code" for kind in kinds], bool)
    text_column = batch.column(names.index("text"))
    # Python strings only where per-document code needs them (web and code rules, C4's line removal)
    per_document = settings.c4_remove_lines or measure.web or (settings.code and is_code.any())
    texts = text_column.to_pylist() if per_document else None
    columns = {name: np.full(n, np.nan) for name in SIGNAL_COLUMNS}
    remaining: list[str | None] = [None] * n
    prose = np.flatnonzero(~is_code)
    if settings.c4_remove_lines:  # C4's remaining text per document: the per-document engine
        for i in prose:
            signals, remaining[i] = prose_signals(texts[i] or "", langs[i], measure)
            _put(columns, i, signals)
    elif len(prose):
        prose_texts = text_column if len(prose) == n else text_column.take(pa.array(prose))
        for name, values in prose_signal_columns(prose_texts, [langs[i] for i in prose], measure).items():
            columns[name][prose] = values
        if measure.web:
            for i in prose:
                _put(columns, i, web_signals(texts[i] or "", langs[i], measure))
    if settings.code:
        for i in np.flatnonzero(is_code):
            _put(columns, i, code_signals(texts[i] or ""))
    reasons = decide_columns(
        columns, settings, is_code, np.array(code_langs, dtype=object), np.array(langs, dtype=object)
    )
    if settings.rescue:
        scores, waived = rescue(
            reasons, columns, settings, is_code, np.array(langs, dtype=object), text_column
        )
    else:
        scores, waived = np.full(n, np.nan), np.full(n, None, dtype=object)
    if settings.c4_remove_lines and settings.c4:
        for i in range(n):
            if reasons[i] is None and not is_code[i]:
                if remaining[i]:
                    texts[i] = remaining[i]
                else:
                    reasons[i] = "c4:no_lines_left"
    arrays = list(batch.columns)
    if settings.c4_remove_lines:
        arrays[names.index("text")] = pa.array(texts, pa.string())
    for name in SIGNAL_COLUMNS:
        values = columns[name]
        arrays.append(pa.array(values, pa.float64(), mask=np.isnan(values)))
    arrays.append(pa.array(scores, pa.float64(), mask=np.isnan(scores)))
    arrays.append(pa.array(waived.tolist(), pa.string()))
    arrays.append(pa.array(reasons.tolist(), pa.string()))
    return pa.RecordBatch.from_arrays(
        arrays, names=names + list(SIGNAL_COLUMNS) + list(RESCUE_COLUMNS) + [REASON]
    )


def _filter_batches(settings: FilterSettings, storage_env: dict[str, str]):
    measure = measure_of(settings)

    def run_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        apply_storage_environment(storage_env)  # the rescue model may be on S3
        for batch in batches:
            yield filter_batch(batch, settings, measure)

    return run_batches


def run(spark: SparkSession, docs: DataFrame, settings: FilterSettings, ctx: StageContext) -> StageOutput:
    if "kind" not in docs.columns:  # a plain Parquet with id and text: prose
        docs = docs.withColumn("kind", F.lit("text"))
    docs = docs.drop(*[c for c in (*SIGNAL_COLUMNS, *RESCUE_COLUMNS) if c in docs.columns])  # filtered again
    columns = docs.columns
    out_schema = StructType(
        list(docs.schema.fields)
        + [StructField(name, DoubleType(), True) for name in SIGNAL_COLUMNS]
        + [
            StructField(RESCUE_COLUMNS[0], DoubleType(), True),
            StructField(RESCUE_COLUMNS[1], StringType(), True),
        ]
        + [StructField(REASON, StringType(), True)]
    )
    to_arrow_schema(out_schema)  # fails early on a column type Arrow cannot carry
    scored = docs.mapInArrow(_filter_batches(settings, storage_environment()), out_schema).persist()
    output_columns = columns + list(SIGNAL_COLUMNS) + list(RESCUE_COLUMNS)
    kept = scored.filter(F.col(REASON).isNull()).select(*output_columns)
    rejected = scored.filter(F.col(REASON).isNotNull()).select(
        *output_columns, F.lit("filter").alias("reject_stage"), F.col(REASON).alias("reject_reason")
    )
    stats = _rescue_stats(scored) if settings.rescue else {}
    return StageOutput(kept=kept, rejected=rejected, stats=stats)


def _rescue_stats(scored: DataFrame) -> dict:
    """Documents scored for a rescue, and the rescued ones by the rule they failed."""
    rows = scored.filter(F.col(RESCUE_COLUMNS[0]).isNotNull()).groupBy(RESCUE_COLUMNS[1]).count().collect()
    rescued = {r[RESCUE_COLUMNS[1]]: int(r["count"]) for r in rows if r[RESCUE_COLUMNS[1]] is not None}
    return {
        "rescue": {
            "scored": sum(int(r["count"]) for r in rows),
            "rescued": sum(rescued.values()),
            "rescued_by_rule": dict(sorted(rescued.items())),
        }
    }
