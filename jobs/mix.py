"""mix: documents in groups sampled to target token shares, per training phase, deterministically.

1. each document goes to the first group it matches (kind, language, code language, source) and
   gets `est_tokens` (characters / chars_per_token: an estimate; the tokenize stage counts exactly);
   documents in no group, or under their group's min_quality, are rejected;
2. per phase, on the driver, from each group's available tokens (one small aggregate):
   `plan_phase` finds the largest total the shares and the repeat caps allow (or the phase's
   budget, when it is smaller) and each group's sampling rate = its target / what it has;
3. a document's copies in a phase = floor(rate), plus 1 when a uniform draw hashed from (id, phase,
   seed) is under its group's cut: no random generator, so reruns and repartitioning agree. The cut
   is set on a histogram of the draws weighted by tokens (`draw_cuts`, one small aggregate), so
   the extra copies add up to (rate - floor(rate)) x the group's tokens within a bin's worth,
   whatever the documents' sizes: a plain Bernoulli(rate - floor(rate)) per document would let a
   few huge files swing a group's share by several points;
4. `mix_copies` (one count per phase, in recipe order) and `mix_copies_total` on kept documents;
   documents with no copy in any phase are rejected `mix:not_sampled`.

The report (stats `phases`): per phase and group the target and achieved share of estimated tokens,
the available and sampled tokens, the rate (repeats above 1) and the documents used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DoubleType, IntegerType, LongType, StringType

from jobs.contract import StageContext, StageOutput, with_document_columns
from schemas.mix import LOW_QUALITY, NO_GROUP, NOT_SAMPLED, MixGroup, MixSettings

ADDED_COLUMNS = ("mix_group", "est_tokens", "mix_copies", "mix_copies_total")
ALL = MixGroup(name="all", share=1.0)


@dataclass(frozen=True)
class GroupPlan:
    share: float
    available: int  # estimated tokens of the group's eligible documents
    target: float  # tokens the phase wants from the group
    rate: float  # target / available: the expected copies of each document


def plan_phase(
    shares: dict[str, float], available: dict[str, int], max_repeats: dict[str, float], budget: int | None
) -> tuple[float, dict[str, GroupPlan]]:
    """The phase's total tokens and each group's plan. The total is the largest T with
    share_g * T <= max_repeats_g * available_g for every group (a group with no data and a share
    makes it 0), capped by the budget."""
    limits = [max_repeats[g] * available.get(g, 0) / s for g, s in shares.items() if s > 0]
    total = min(limits) if limits else 0.0
    if budget is not None:
        total = min(total, float(budget))
    plans = {}
    for group, share in shares.items():
        have = available.get(group, 0)
        target = share * total
        plans[group] = GroupPlan(share, have, target, target / have if have else 0.0)
    return total, plans


def draw_cuts(histograms: dict[str, list[int]], extra: dict[str, float]) -> dict[str, float]:
    """For each group, the draw below which its documents get the extra copy: the point where the
    tokens of documents with smaller draws reach `extra` (linear inside the bin it falls in).
    histograms[group][b]: tokens of the group's documents whose draw is in [b/B, (b+1)/B)."""
    cuts = {}
    for group, wanted in extra.items():
        bins = histograms.get(group) or []
        if wanted <= 0 or not bins:
            cuts[group] = 0.0
            continue
        total = 0.0
        cuts[group] = 1.0
        for index, tokens in enumerate(bins):
            if tokens and total + tokens >= wanted:
                cuts[group] = (index + (wanted - total) / tokens) / len(bins)
                break
            total += tokens
    return cuts


def _matches(group: MixGroup) -> Column:
    conditions = [F.lit(True)]
    for column, values in (
        ("kind", group.kinds),
        ("lang", group.languages),
        ("code_lang", group.code_languages),
        ("source", group.sources),
    ):
        if values:
            conditions.append(F.col(column).isin(values))
    return reduce(lambda a, b: a & b, conditions)


def assign_groups(docs: DataFrame, groups: list[MixGroup]) -> DataFrame:
    """`mix_group`: the first group a document matches (null: none)."""
    group = F.lit(None).cast(StringType())
    for candidate in reversed(groups):
        group = F.when(F.coalesce(_matches(candidate), F.lit(False)), F.lit(candidate.name)).otherwise(group)
    return docs.withColumn("mix_group", group)


def _uniform(phase_index: int, seed: int) -> Column:
    bits = F.xxhash64(F.col("id"), F.lit(phase_index), F.lit(seed)).bitwiseAND(F.lit((1 << 53) - 1))
    return bits.cast(DoubleType()) / F.lit(float(1 << 53))


HISTOGRAM_BINS = 4096


def _lookup(values: dict[str, float]) -> Column:
    if not values:
        return F.lit(None).cast(DoubleType())
    return F.create_map(*[F.lit(x) for pair in values.items() for x in pair])[F.col("mix_group")]


def copies(rates: dict[str, float], cuts: dict[str, float], phase_index: int, seed: int) -> Column:
    """Copies of each document in one phase: floor(rate), plus one when its draw is under the cut."""
    whole = F.floor(_lookup(rates))
    extra = (_uniform(phase_index, seed) < _lookup(cuts)).cast(IntegerType())
    return F.coalesce((whole + extra).cast(IntegerType()), F.lit(0))


def _histograms(eligible: DataFrame, phase_index: int, seed: int) -> dict[str, list[int]]:
    binned = F.least(F.floor(_uniform(phase_index, seed) * HISTOGRAM_BINS), F.lit(HISTOGRAM_BINS - 1))
    rows = (
        eligible.groupBy("mix_group", binned.cast("int").alias("bin"))
        .agg(F.sum("est_tokens").alias("t"))
        .collect()
    )
    histograms: dict[str, list[int]] = {}
    for r in rows:
        histograms.setdefault(r["mix_group"], [0] * HISTOGRAM_BINS)[r["bin"]] = int(r["t"])
    return histograms


def _report(
    sampled: DataFrame, settings: MixSettings, plans: list[tuple[float, dict[str, GroupPlan]]]
) -> dict:
    sums = [F.sum(F.col("est_tokens") * F.col("mix_copies")[i]).alias(f"t{i}") for i in range(len(plans))]
    docs = [F.sum((F.col("mix_copies")[i] > 0).cast("long")).alias(f"d{i}") for i in range(len(plans))]
    rows = {r["mix_group"]: r for r in sampled.groupBy("mix_group").agg(*sums, *docs).collect()}
    report = {}
    for i, (phase, (total, plan)) in enumerate(zip(settings.phases, plans, strict=True)):
        achieved = {g: int(rows[g][f"t{i}"] or 0) if g in rows else 0 for g in plan}
        overall = sum(achieved.values())
        report[phase.name] = {
            "budget": phase.tokens,
            "target_tokens": round(total),
            "achieved_tokens": overall,
            "groups": {
                g: {
                    "target_share": p.share,
                    "achieved_share": round(achieved[g] / overall, 6) if overall else 0.0,
                    "available_tokens": p.available,
                    "target_tokens": round(p.target),
                    "tokens": achieved[g],
                    "rate": round(p.rate, 6),
                    "documents": int(rows[g][f"d{i}"] or 0) if g in rows else 0,
                }
                for g, p in plan.items()
            },
        }
    return report


def run(spark: SparkSession, docs: DataFrame, settings: MixSettings, ctx: StageContext) -> StageOutput:
    docs = with_document_columns(docs)
    for column, kind in (("lang", StringType()), ("quality_score", DoubleType())):
        if column not in docs.columns:
            docs = docs.withColumn(column, F.lit(None).cast(kind))
    columns = [c for c in docs.columns if c not in ADDED_COLUMNS]
    groups = settings.groups or [ALL]
    ratio = F.create_map(
        *[x for g in groups for x in (F.lit(g.name), F.lit(g.chars_per_token or settings.chars_per_token))]
    )[F.col("mix_group")]
    marked = assign_groups(docs.select(*columns), groups).withColumn(
        "est_tokens",
        F.ceil(F.length("text") / F.coalesce(ratio, F.lit(settings.chars_per_token))).cast(LongType()),
    )
    floor = F.create_map(
        *[x for g in groups for x in (F.lit(g.name), F.lit(g.min_quality).cast(DoubleType()))]
    )[F.col("mix_group")]
    marked = marked.withColumn(
        "reason",
        F.when(F.col("mix_group").isNull(), F.lit(NO_GROUP))
        .when(F.col("quality_score") < floor, F.lit(LOW_QUALITY))
        .otherwise(F.lit(None).cast(StringType())),
    ).persist()
    available = {
        r["mix_group"]: int(r["tokens"] or 0)
        for r in marked.filter(F.col("reason").isNull())
        .groupBy("mix_group")
        .agg(F.sum("est_tokens").alias("tokens"))
        .collect()
    }
    caps = {g.name: g.max_repeats for g in groups}
    plans = []
    for phase in settings.phases:
        shares = {g.name: settings.share_of(phase, g.name) if settings.groups else 1.0 for g in groups}
        plans.append(plan_phase(shares, available, caps, phase.tokens))
    eligible = marked.filter(F.col("reason").isNull())
    per_phase = []
    for index, (_, plan) in enumerate(plans):
        extra = {g: (p.rate - math.floor(p.rate)) * p.available for g, p in plan.items()}
        cuts = draw_cuts(_histograms(eligible, index, settings.seed), extra)
        per_phase.append(copies({g: p.rate for g, p in plan.items()}, cuts, index, settings.seed))
    sampled = marked.withColumn(
        "mix_copies",
        F.when(F.col("reason").isNull(), F.array(*per_phase))
        .otherwise(F.array(*[F.lit(0) for _ in plans]))
        .cast(ArrayType(IntegerType())),
    )
    sampled = sampled.withColumn("mix_copies_total", F.aggregate("mix_copies", F.lit(0), lambda a, b: a + b))
    sampled = sampled.withColumn(
        "reason",
        F.when(F.col("reason").isNull() & (F.col("mix_copies_total") == 0), F.lit(NOT_SAMPLED)).otherwise(
            F.col("reason")
        ),
    ).persist()
    out = [*columns, "mix_group", "est_tokens", "mix_copies", "mix_copies_total"]
    kept = sampled.filter(F.col("reason").isNull()).select(*out).sortWithinPartitions("mix_group", "id")
    rejected = sampled.filter(F.col("reason").isNotNull()).select(
        *out, F.lit("mix").alias("reject_stage"), F.col("reason").alias("reject_reason")
    )
    stats = {
        "phases": _report(sampled.filter(F.col("reason").isNull()), settings, plans),
        "phase_order": [p.name for p in settings.phases],
        "chars_per_token": settings.chars_per_token,
        "token_counts": "estimated (characters / chars_per_token); exact counts come from the tokenize stage",
    }
    return StageOutput(kept=kept, rejected=rejected, stats=stats)
