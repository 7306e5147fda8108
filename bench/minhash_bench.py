"""MinHash signatures: ours (whole Arrow batches) vs datasketch and datatrove (per document), CPU time.

    .venv/bin/python -m bench.minhash_bench --corpus ../shared/bench/corpus-20k [--limit N] [--runs 1]
        [--perms 112,128] [--json FILE]

CPU seconds (time.process_time, this one process) per 1000 documents, split into shingling and
signatures, for the same texts (the crawl's `text` column, nulls as empty text):

- ours: `jobs.text.dedup.shingles.shingle_batch` then `jobs.text.dedup.minhash.minhash_signatures`
  on Arrow batches of 2000 rows (what the Spark stage's mapInArrow gets); the shingles of a batch
  are computed once and signed for every permutation count.
- datasketch 2.0.0: per document, the same shingles in plain Python
  (`shingles.reference_shingles`: NFKC, lower, regex tokens, 5-grams), encoded to UTF-8, then
  ``MinHash(num_perm, permutations=shared, scheme="affine32").update_batch(shingles)`` with its
  default hash (SHA1, 32 bits); the permutations are made once and shared, as datasketch's docs
  advise for speed (a fresh MinHash per document would draw them again every time).
- datatrove 0.10.1: the per-document work of `MinhashDedupSignature.run` without its file writes:
  ``get_shingles(text)`` (simplify_text with MinhashConfig's default TextNormConfig, its English
  word tokenizer (spaCy), xxhash64 of each joined 5-gram) and ``get_signature(shingles)`` when a
  document has shingles (64-bit hashes, ``(a*h + b) mod 2^61-1``); 112 permutations are its
  default MinhashConfig (14 buckets x 8 hashes), 128 are 16 buckets x 8.

Warm-ups (our Unicode tables, spaCy's tokenizer) run before the clock. With --runs > 1 the sides
alternate order and every figure is a median. Before timing, our signatures are checked bit for bit
against datasketch's (with our shingle hash as its hashfunc) on the first documents.
Writes nothing unless --json is given.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jobs.text.dedup.minhash import minhash_signatures, permutations
from jobs.text.dedup.shingles import reference_shingles, shingle_batch, shingle_hash

BATCH = 2000  # spark.sql.execution.arrow.maxRecordsPerBatch in jobs/spark.py
CHECK_DOCS = 200

for _k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ[_k] = "1"  # nothing here may go to the network


def load_texts(corpus: str, limit: int | None) -> pa.Array:
    root = Path(corpus)
    crawl = root / "crawl" if (root / "crawl").is_dir() else root
    column = pa.concat_arrays(
        [
            pq.read_table(f, columns=["text"]).column("text").combine_chunks()
            for f in sorted(crawl.glob("*.parquet"))
        ]
    )
    if limit:
        column = column.slice(0, limit)
    return column.fill_null("")


def check_bit_for_bit(texts: pa.Array, perms: list[int]) -> None:
    """Our batch signatures equal datasketch's MinHash of the same shingles (our hash as hashfunc)."""
    from datasketch import MinHash

    sample = texts.slice(0, CHECK_DOCS)
    batch = shingle_batch(sample)
    for num_perm in perms:
        ours = minhash_signatures(batch, num_perm)
        for i, text in enumerate(sample.to_pylist()):
            theirs = MinHash(num_perm=num_perm, hashfunc=lambda b: shingle_hash(b.decode()) & 0xFFFFFFFF)
            theirs.update_batch([s.encode() for s in reference_shingles(text)])
            if not np.array_equal(ours[i], theirs.hashvalues):
                raise SystemExit(
                    f"signature of document {i} differs from datasketch's ({num_perm} permutations)"
                )


def run_ours(texts: pa.Array, perms: list[int]) -> dict[str, float]:
    minhash_signatures(shingle_batch(texts.slice(0, 50)), perms[0])  # Unicode tables, outside the clock
    times = {"shingles": 0.0, **{f"sig{p}": 0.0 for p in perms}}
    for start in range(0, len(texts), BATCH):
        batch = texts.slice(start, BATCH)
        t0 = time.process_time()
        shingles = shingle_batch(batch)
        times["shingles"] += time.process_time() - t0
        for p in perms:
            t0 = time.process_time()
            minhash_signatures(shingles, p)
            times[f"sig{p}"] += time.process_time() - t0
    return times


def run_datasketch(texts: list[str], perms: list[int]) -> dict[str, float]:
    from datasketch import MinHash

    shared = {p: np.array(permutations(p, 1)) for p in perms}
    times = {"shingles": 0.0, **{f"sig{p}": 0.0 for p in perms}}
    clock = time.process_time
    for text in texts:
        t0 = clock()
        encoded = [s.encode("utf-8") for s in reference_shingles(text)]
        t1 = clock()
        times["shingles"] += t1 - t0
        for p in perms:
            sketch = MinHash(num_perm=p, permutations=shared[p], scheme="affine32")
            sketch.update_batch(encoded)
            t2 = clock()
            times[f"sig{p}"] += t2 - t1
            t1 = t2
    return times


def run_datatrove(texts: list[str], perms: list[int]) -> dict[str, float]:
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature

    with tempfile.TemporaryDirectory() as tmp:  # the steps open no file before run()
        steps = {
            p: MinhashDedupSignature(
                output_folder=tmp, config=MinhashConfig(num_buckets=p // 8, hashes_per_bucket=8)
            )
            for p in perms
        }
        shingler = steps[perms[0]]
        for step in steps.values():
            step.get_signature(shingler.get_shingles("warm up the tokenizer and the parameters, five words"))
        times = {"shingles": 0.0, **{f"sig{p}": 0.0 for p in perms}}
        clock = time.process_time
        for text in texts:
            t0 = clock()
            shingles = shingler.get_shingles(text)
            t1 = clock()
            times["shingles"] += t1 - t0
            if shingles.size == 0:
                continue  # run() writes no signature for such a document
            for p in perms:
                steps[p].get_signature(shingles)
                t2 = clock()
                times[f"sig{p}"] += t2 - t1
                t1 = t2
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--perms", default="112,128")
    parser.add_argument("--sides", default="ours,datasketch,datatrove")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    perms = [int(p) for p in args.perms.split(",")]
    for p in perms:
        if p % 8:
            raise SystemExit("permutation counts must be multiples of 8 (datatrove's 8 hashes per bucket)")
    sides = args.sides.split(",")

    texts = load_texts(args.corpus, args.limit)
    texts_py = texts.to_pylist()
    n_docs = len(texts)
    check_bit_for_bit(texts, perms)
    runners = {
        "ours": lambda: run_ours(texts, perms),
        "datasketch": lambda: run_datasketch(texts_py, perms),
        "datatrove": lambda: run_datatrove(texts_py, perms),
    }
    results: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    for run in range(args.runs):
        for side in sides if run % 2 == 0 else sides[::-1]:
            results[side].append(runners[side]())

    per_k = 1000 / n_docs

    def median(side: str, key: str) -> float:
        return statistics.median(r[key] for r in results[side]) * per_k

    chars = sum(len(t) for t in texts_py)
    print(
        f"\nMinHash signatures, {n_docs} documents ({chars / 1e6:.1f} M characters), {args.runs} run(s), "
        f"CPU seconds per 1000 documents (time.process_time)\n"
    )
    header = f"{'perms':>5}  {'side':<11} {'shingles':>9} {'signature':>10} {'total':>8}   {'vs ours':>8}"
    print(header)
    print("-" * len(header))
    figures = {}
    for p in perms:
        ours_total = median("ours", "shingles") + median("ours", f"sig{p}") if "ours" in sides else None
        for side in sides:
            sh, sig = median(side, "shingles"), median(side, f"sig{p}")
            total = sh + sig
            ratio = f"{total / ours_total:7.1f}x" if ours_total else ""
            print(f"{p:>5}  {side:<11} {sh:>9.3f} {sig:>10.3f} {total:>8.3f}   {ratio:>8}")
            figures[f"{side}/{p}"] = {"shingles": sh, "signature": sig, "total": total}
        print()
    print(f"bit-for-bit check against datasketch on the first {min(CHECK_DOCS, n_docs)} documents: OK")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"docs": n_docs, "chars": chars, "runs": args.runs, "per_1000_docs": figures}, indent=2
            )
        )


if __name__ == "__main__":
    main()
