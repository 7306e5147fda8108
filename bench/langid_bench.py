"""langid on the labelled corpus: accuracy per language, and throughput next to bare fastText.

    .venv/bin/python -m bench.langid_bench --corpus ../shared/bench/corpus-20k [--runs 3] [--spark]

Accuracy: documents with quality == 'good' and not is_code whose label maps to a label of the model
(lid.176 writes ISO 639-1 where one exists, else 639-3 or Wikipedia codes; see `lid_label`).
Throughput, in-process, CPU seconds (time.process_time) on the same texts, runs interleaved:
- ours: jobs.text.langid.predict_languages (cut to max_chars, '\\n' -> ' ', one predict call per batch
  of 10,000 texts as Spark's Arrow batches hold, '__label__' stripped, scores clipped);
- bare: fastText `model.predict(texts, k=1)` on the whole texts with '\\n' replaced (it rejects '\\n');
- datatrove: its FT176LID.predict per document (k=-1, as its LanguageFilter calls it).
--spark: the whole stage (curate's runner: read, label, write, GX suites) on the crawl, local[2], wall s.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.assets import asset_path
from jobs.text.langid import LABEL_PREFIX, load_model, predict_languages

BATCH = 10_000  # spark.sql.execution.arrow.maxRecordsPerBatch's default
# Corpus label -> lid.176 label where the two differ (besides dropping a script suffix: sr-latn -> sr).
LABEL_TO_LID = {
    "nb": "no",  # lid.176 has one Norwegian Bokmål label, 'no'
    "als": "sq",  # the corpus's `als` is ISO 639-3 Tosk Albanian; lid.176's `als` is Alemannic
    "gsw": "als",  # Swiss German (ISO gsw) is lid.176's Wikipedia code `als` (Alemannic)
    "zlm": "ms",  # Malay (individual) -> the macrolanguage label
}


def lid_label(label: str) -> str:
    """The lid.176 label for a corpus language label (zh covers both scripts in both)."""
    return LABEL_TO_LID.get(label) or LABEL_TO_LID.get(label.split("-")[0]) or label.split("-")[0]


def load_corpus(corpus: str, model_labels: set[str]):
    crawl = pa.concat_tables([pq.read_table(f) for f in sorted(glob.glob(f"{corpus}/crawl/*.parquet"))])
    labels = pq.read_table(f"{corpus}/labels.parquet").to_pandas()
    docs = crawl.to_pandas().merge(labels[["id", "lang", "quality", "is_code"]], on="id")
    prose = docs[(docs.quality == "good") & (~docs.is_code)].copy()
    prose["lid"] = prose.lang.map(lid_label)
    known = prose[prose.lid.isin(model_labels)].sort_values("id")
    return docs, prose, known


def ours(model, texts, max_chars):
    labels = []
    for start in range(0, len(texts), BATCH):
        labels += predict_languages(model, texts[start : start + BATCH], max_chars)[0]
    return labels


def bare(model, texts):
    labels, _ = model.predict([t.replace("\n", " ") for t in texts], k=1)
    return [lab[0][len(LABEL_PREFIX) :] for lab in labels]


def datatrove_side(model_path):
    from datatrove.data import Document
    from datatrove.utils.lid import FT176LID
    from fasttext.FastText import _FastText

    lid = FT176LID()
    lid._model = _FastText(model_path)  # its own download is not reachable offline

    def predict(texts):
        return [lid.predict(Document(text=t, id=""))[0][0] for t in texts]

    return predict


def cpu(fn, *args):
    start = time.process_time()
    out = fn(*args)
    return time.process_time() - start, out


def accuracy_table(known, predicted) -> tuple[float, list[tuple]]:
    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for label, lid, guess in zip(known.lang, known.lid, predicted, strict=True):
        by_lang[label][0] += 1
        by_lang[label][1] += guess == lid
    overall = sum(c for _, c in by_lang.values()) / len(known)
    rows = sorted(((k, n, c, c / n) for k, (n, c) in by_lang.items()), key=lambda r: (-r[1], r[0]))
    return overall, rows


def spark_stage(corpus: str, runs: int) -> list[dict]:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    import fsspec

    from jobs.pipeline import folder_input, run_stage_on_folder
    from jobs.runner import StageSpec
    from jobs.spark import spark_session
    from schemas.langid import LangidSettings

    spark = spark_session("local[2]", app_name="langid-bench", ui=False)
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="langid-bench-") as out:
            start = time.time()
            manifest = run_stage_on_folder(
                lambda: spark,
                StageSpec.load("langid", LangidSettings()),
                folder_input(fsspec.filesystem("file"), os.path.abspath(f"{corpus}/crawl")),
                out,
            )
            results.append({"wall_s": time.time() - start, "counters": manifest["counters"]})
    spark.stop()
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--spark", action="store_true", help="also time the whole stage through Spark")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    model_path = str(asset_path("lid.176.ftz"))
    model = load_model(model_path)
    model_labels = {lab[len(LABEL_PREFIX) :] for lab in model.get_labels()}
    docs, prose, known = load_corpus(args.corpus, model_labels)
    texts = list(known.text)
    print(
        f"good prose docs: {len(prose)}; in languages lid.176 knows: {len(known)} "
        f"({known.lang.nunique()} labels); left out: {len(prose) - len(known)} "
        f"({prose[~prose.lid.isin(model_labels)].lang.nunique()} labels)"
    )

    figures: dict = {"docs": len(known), "left_out": len(prose) - len(known), "accuracy": {}}
    for max_chars in (None, 10_000, 2_000, 1_000, 500):
        overall, rows = accuracy_table(known, ours(model, texts, max_chars))
        figures["accuracy"][str(max_chars)] = overall
        print(f"accuracy max_chars={max_chars}: {overall:.4f}")
    overall, rows = accuracy_table(known, ours(model, texts, 10_000))
    figures["per_language"] = rows
    print("\n| label | lid.176 | docs | correct | accuracy |\n|---|---|---:|---:|---:|")
    for label, n, correct, acc in rows:
        print(f"| {label} | {lid_label(label)} | {n} | {correct} | {acc:.4f} |")
    errors = Counter(
        (lab, guess)
        for lab, lid, guess in zip(known.lang, known.lid, ours(model, texts, 10_000), strict=True)
        if guess != lid
    )
    figures["top_errors"] = errors.most_common(15)
    print("\nmost frequent errors (label, predicted):", errors.most_common(15))

    # throughput: runs interleaved, the order rotated per run
    dt_predict = datatrove_side(model_path)
    sides = {
        "ours": lambda: ours(model, texts, 10_000),
        "bare": lambda: bare(model, texts),
        "datatrove": lambda: dt_predict(texts),
    }
    times: dict[str, list[float]] = {k: [] for k in sides}
    names = list(sides)
    for run in range(args.runs):
        for name in names[run % len(names) :] + names[: run % len(names)]:
            seconds, _ = cpu(sides[name])
            times[name].append(seconds)
    ratio_bare = statistics.median(o / b for o, b in zip(times["ours"], times["bare"], strict=True))
    ratio_dt = statistics.median(d / o for o, d in zip(times["ours"], times["datatrove"], strict=True))
    chars = sum(len(t) for t in texts)
    print(f"\nthroughput on {len(texts)} docs, {chars / 1e6:.1f} M chars, CPU s per run:")
    for name, values in times.items():
        med = statistics.median(values)
        print(
            f"  {name}: {[round(v, 2) for v in values]} median {med:.2f} s = {len(texts) / med:,.0f} docs/CPU-s"
        )
    print(f"  ours / bare (median of per-run ratios): {ratio_bare:.2f}x the CPU time")
    print(f"  datatrove / ours: {ratio_dt:.2f}x the CPU time")
    figures["throughput"] = {"cpu_s": times, "ours_over_bare": ratio_bare, "datatrove_over_ours": ratio_dt}

    if args.spark:
        results = spark_stage(args.corpus, args.runs)
        walls = [r["wall_s"] for r in results]
        print(f"\nstage through Spark on {len(docs)} docs (local[2]): wall s {[round(w, 1) for w in walls]}")
        print("counters:", json.dumps(results[-1]["counters"]))
        figures["spark"] = results
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
