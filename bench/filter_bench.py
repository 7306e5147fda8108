"""filter: our rules vs datatrove's Gopher+C4+FineWeb chain, in one process, on the same texts.

    .venv/bin/python -m bench.filter_bench --corpus ../shared/bench/corpus-20k [--runs 3] [--limit N]
        [--json bench/results/filter-inprocess.json]

Speed: CPU seconds (time.process_time) of
- datatrove: GopherQualityFilter, GopherRepetitionFilter, C4QualityFilter(filter_no_terminal_punct=
  False), FineWebQualityFilter, `filter()` called per Document in that order, stopping at the first
  failure (what a datatrove pipeline does; C4 rewrites doc.text, FineWeb sees the rewrite);
- ours: jobs.filter.filter_batch (every signal of every family for every document, then the
  thresholds applied to the batch's columns), batches of 2000 Arrow rows, as the Spark stage
  runs it, with our word caches emptied before each run (cold, as a fresh Python worker).
The two sides are interleaved batch by batch (which goes first alternates), so both see the same
state of a shared, noisy machine; figures are medians over the runs.

Agreement: keep/drop of our settings configured like the datatrove chain (web rules off; no
`lang`, so English stop words for every document, as datatrove's default) vs datatrove's, per document; the
disagreements are listed by (datatrove's first failing step, our reason).

Labels: our stage's real configuration (language-aware stop words from the corpus's `lang` label
standing in for the langid stage, code rules for `is_code` documents standing in for ingest's
kind) and datatrove's chain: share of bad documents dropped per corruption kind, share of good
documents dropped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.filter import filter_batch, measure_of
from jobs.text.rules import words
from schemas.filter import FilterSettings

BATCH = 2000  # spark.sql.execution.arrow.maxRecordsPerBatch in jobs/spark.py: what the stage gets


def load_corpus(corpus: str, limit: int | None):
    root = Path(corpus)
    crawl_dir = root / "crawl" if (root / "crawl").is_dir() else root
    table = pa.concat_tables([pq.read_table(f) for f in sorted(crawl_dir.glob("*.parquet"))])
    if limit:
        table = table.slice(0, limit)
    labels = None
    if (root / "labels.parquet").exists():
        labels = {r["id"]: r for r in pq.read_table(root / "labels.parquet").to_pylist()}
    return table.select(["id", "text"]), labels


def datatrove_chain():
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    return [
        ("gopher_quality", GopherQualityFilter()),
        ("gopher_repetition", GopherRepetitionFilter()),
        ("c4", C4QualityFilter(filter_no_terminal_punct=False)),
        ("fineweb", FineWebQualityFilter()),
    ]


def datatrove_decisions(chain, texts: list[str], first_id: int = 0) -> list[str | None]:
    """First failing step:reason (None when kept) per document, as a datatrove pipeline runs it."""
    from datatrove.data import Document

    decisions: list[str | None] = []
    for i, text in enumerate(texts):
        doc = Document(text=text, id=str(first_id + i))
        decision = None
        for name, step in chain:
            result = step.filter(doc)
            if result is not True:
                decision = f"{name}:{result[1] if isinstance(result, tuple) else 'dropped'}"
                break
        decisions.append(decision)
    return decisions


def warm_datatrove_chain():
    from datatrove.data import Document

    chain = datatrove_chain()
    chain[0][1].filter(Document(text="warm up the tokenizer", id="w"))  # spaCy loads outside the clock
    return chain


def run_interleaved(table: pa.Table, settings: FilterSettings) -> tuple[list, list, float, float]:
    """Both sides over the corpus, batch by batch (each batch: ours then datatrove, or the other
    way round on every other batch), so both see the same state of a shared, noisy machine:
    (our reasons, datatrove's decisions, our CPU seconds, datatrove's CPU seconds). Our caches
    start empty (a fresh Python worker)."""
    words.reset_caches()
    measure = measure_of(settings)
    chain = warm_datatrove_chain()
    ours: list[str | None] = []
    theirs: list[str | None] = []
    ours_s = theirs_s = 0.0
    for k, batch in enumerate(table.to_batches(max_chunksize=BATCH)):
        texts = batch.column(batch.schema.names.index("text")).to_pylist()
        for side in ("ours", "dt") if k % 2 == 0 else ("dt", "ours"):
            start = time.process_time()
            if side == "ours":
                out = filter_batch(batch, settings, measure)
                ours_s += time.process_time() - start
                ours.extend(out.column(out.schema.names.index("_reject_reason")).to_pylist())
            else:
                decided = datatrove_decisions(chain, texts, len(theirs))
                theirs_s += time.process_time() - start
                theirs.extend(decided)
    return ours, theirs, ours_s, theirs_s


def run_ours(table: pa.Table, settings: FilterSettings, extra: dict | None = None) -> tuple[list, float]:
    """(reason or None per document, CPU seconds), cold caches."""
    words.reset_caches()
    measure = measure_of(settings)
    reasons: list[str | None] = []
    start = time.process_time()
    for batch in table.to_batches(max_chunksize=BATCH):
        if extra:
            batch = pa.RecordBatch.from_arrays(
                list(batch.columns)
                + [pa.array(extra[k][len(reasons) : len(reasons) + batch.num_rows]) for k in extra],
                names=batch.schema.names + list(extra),
            )
        out = filter_batch(batch, settings, measure)
        reasons.extend(out.column(out.schema.names.index("_reject_reason")).to_pylist())
    return reasons, time.process_time() - start


def shares(dropped: list[bool], groups: list[str]) -> dict[str, dict]:
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d, g in zip(dropped, groups, strict=True):
        table[g][0] += int(d)
        table[g][1] += 1
    return {g: {"dropped": a, "docs": b, "share": round(a / b, 4)} for g, (a, b) in sorted(table.items())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    table, labels = load_corpus(args.corpus, args.limit)
    texts = table.column("text").to_pylist()
    ids = table.column("id").to_pylist()
    n = len(texts)
    # The rules both implement: Gopher, C4 and FineWeb (curate's web rules off); no lang column, so
    # English stop words for all, as datatrove's default.
    compat = FilterSettings(web=False)

    ours_s, dt_s, dt_decisions, our_reasons = [], [], None, None
    for run in range(args.runs):
        our_reasons, dt_decisions, ours_seconds, dt_seconds = run_interleaved(table, compat)
        ours_s.append(ours_seconds)
        dt_s.append(dt_seconds)
        print(
            f"run {run}: ours {n / ours_s[-1]:.0f} docs/CPU-s, datatrove {n / dt_s[-1]:.0f} docs/CPU-s, "
            f"ratio {dt_s[-1] / ours_s[-1]:.2f}",
            flush=True,
        )
    ratios = [d / o for o, d in zip(ours_s, dt_s, strict=True)]
    speed = {
        "docs": n,
        "ours_cpu_s": ours_s,
        "datatrove_cpu_s": dt_s,
        "ours_docs_per_cpu_s": round(n / statistics.median(ours_s), 1),
        "datatrove_docs_per_cpu_s": round(n / statistics.median(dt_s), 1),
        "ratio_median_of_runs": round(statistics.median(ratios), 2),
    }

    # agreement, overall and on English prose
    agree = [(d is None) == (o is None) for d, o in zip(dt_decisions, our_reasons, strict=True)]
    kinds = Counter((d, o) for d, o, a in zip(dt_decisions, our_reasons, agree, strict=True) if not a)
    examples = defaultdict(list)
    for i, d, o, a in zip(ids, dt_decisions, our_reasons, agree, strict=True):
        if not a and len(examples[(d, o)]) < 3:
            examples[(d, o)].append(i)
    result = {
        "speed": speed,
        "agreement_all": round(sum(agree) / n, 4),
        "disagreements": [
            {"datatrove": d, "ours": o, "docs": c, "examples": examples[(d, o)]}
            for (d, o), c in kinds.most_common()
        ],
    }
    if labels:
        lab = [labels[i] for i in ids]
        en = [k for k, r in enumerate(lab) if r["lang"] == "en" and not r["is_code"]]
        result["agreement_en_prose"] = {
            "docs": len(en),
            "agreement": round(sum(agree[k] for k in en) / len(en), 4),
        }
        groups = [
            ("code:" if r["is_code"] else "prose:")
            + (r["quality"] if r["quality"] == "good" else r["corruption"])
            for r in lab
        ]
        staged, _ = run_ours(
            table,
            FilterSettings(),
            extra={
                "kind": ["code" if r["is_code"] else "text" for r in lab],
                "lang": [None if r["is_code"] or r["lang"] == "zxx" else r["lang"] for r in lab],
                "code_lang": [r["code_lang"] for r in lab],
            },
        )
        result["labels_ours_stage"] = shares([r is not None for r in staged], groups)
        result["labels_datatrove"] = shares([d is not None for d in dt_decisions], groups)
        result["ours_stage_reasons_on_good"] = dict(
            Counter(r for r, g in zip(staged, groups, strict=True) if r and g.endswith(":good")).most_common(
                12
            )
        )
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
