"""Tokenize in process: our encode_documents vs bare `tokenizers` on the same texts; and the handoff loader.

    .venv/bin/python -m bench.tokenize_bench --corpus ../shared/bench/corpus-20k [--limit 5000] [--runs 5]

Encoding sides (GPT-2 BPE, alternating order, medians of --runs; wall seconds by time.perf_counter,
as tokenizers encodes a batch on all cores, and CPU seconds of all threads by time.process_time,
which a busy shared machine disturbs less):
- bare encode_batch: tok.encode_batch(texts), then each encoding's .ids (ids only);
- bare encode_batch_fast: the same without offsets;
- ours: encode_documents(tok, texts, eos, uint16): ids, EOS after each document, one flat uint16
  array and the int64 lengths, as the tokenize stage writes them.
Loader: the encoded documents written as .bin/.idx (two groups, 0.7/0.3), then HandoffLoader samples/s
at --seq-length and --batch, and the time to build the indices for --index-samples samples.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.pii_bench import load_texts
from jobs.handoff import HandoffLoader
from jobs.text.bpe import encode_documents, eos_id, load_tokenizer
from jobs.text.indexed_dataset import IndexedDatasetWriter

BARE = "bare encode_batch (ids only)"
BARE_FAST = "bare encode_batch_fast (ids only)"
OURS = "ours: encode_documents (EOS, uint16, flat)"
SIDES = (BARE, BARE_FAST, OURS)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def timed_wall_and_cpu(fn) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of all this process's threads (steadier on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def encoding_sides(tok, texts: list[str], runs: int) -> dict:
    eos = eos_id(tok)
    sides = {
        BARE: lambda: [e.ids for e in tok.encode_batch(texts)],
        BARE_FAST: lambda: [e.ids for e in tok.encode_batch_fast(texts)],
        OURS: lambda: encode_documents(tok, texts, eos, np.uint16),
    }
    encode_documents(tok, texts[:200], eos, np.uint16)  # thread pool and caches warm outside the timing
    wall: dict[str, list[float]] = {name: [] for name in sides}
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for run in range(runs):
        for name in list(sides) if run % 2 == 0 else list(reversed(sides)):
            w, c = timed_wall_and_cpu(sides[name])
            wall[name].append(w)
            cpu[name].append(c)
    _, lengths = encode_documents(tok, texts, eos, np.uint16)
    tokens = int(lengths.sum()) - len(texts)  # the text's tokens, without our EOS, for both sides
    report: dict = {"documents": len(texts), "tokens": tokens}
    for name in sides:
        median_wall, median_cpu = statistics.median(wall[name]), statistics.median(cpu[name])
        report[name] = {
            "wall_s": [round(s, 3) for s in wall[name]],
            "cpu_s": [round(s, 3) for s in cpu[name]],
            "median_wall_s": round(median_wall, 3),
            "median_cpu_s": round(median_cpu, 3),
            "docs_per_s": round(len(texts) / median_wall, 1),
            "tokens_per_s": round(tokens / median_wall),
            "docs_per_cpu_s": round(len(texts) / median_cpu, 1),
        }
    return report


def write_groups(tok, texts: list[str], folder: Path) -> list[list[str]]:
    """Documents alternately into two groups of two shards each."""
    eos = eos_id(tok)
    groups = []
    for g in range(2):
        prefixes = []
        for s in range(2):
            prefix = str(folder / f"g{g}-{s:05d}")
            flat, lengths = encode_documents(tok, texts[g + 2 * s :: 4], eos, np.uint16)
            with IndexedDatasetWriter(f"{prefix}.bin", f"{prefix}.idx", np.uint16) as writer:
                writer.add_documents(flat, lengths)
            prefixes.append(prefix)
        groups.append(prefixes)
    return groups


def loader_figures(groups, seq_length: int, batch: int, batches: int, index_samples: int, runs: int) -> dict:
    def build(total: int) -> HandoffLoader:
        return HandoffLoader(
            groups, [0.7, 0.3], seq_length=seq_length, seed=1, global_batch_size=batch, total_samples=total
        )

    loader = build(batch * batches)
    read_s = []
    for run in range(runs):
        loader.load_state(type(loader.state)(fingerprint=loader.fingerprint))
        # a fresh start each run; the memory maps stay warm, as in training after the first pass
        read_s.append(timed(lambda: sum(1 for _ in loader)))
        assert loader.state.batches_done == batches, run
    build_s = [timed(lambda: build(index_samples)) for _ in range(max(1, runs // 2))]
    return {
        "seq_length": seq_length,
        "batch": batch,
        "batches": batches,
        "read_seconds": [round(s, 3) for s in read_s],
        "samples_per_s": round(batch * batches / statistics.median(read_s), 1),
        "tokens_per_s": round(batch * batches * seq_length / statistics.median(read_s)),
        "index_samples": index_samples,
        "index_build_seconds": [round(s, 2) for s in build_s],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default="../shared/bench/corpus-20k")
    parser.add_argument("--limit", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seq-length", type=int, default=2048)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--index-samples", type=int, default=10_000_000)
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args(argv)

    texts = load_texts(args.corpus, args.limit)
    tok = load_tokenizer("gpt2")
    report = {"corpus": args.corpus, "encoding": encoding_sides(tok, texts, args.runs)}
    with tempfile.TemporaryDirectory() as folder:
        groups = write_groups(tok, texts, Path(folder))
        report["loader"] = loader_figures(
            groups, args.seq_length, args.batch, args.batches, args.index_samples, args.runs
        )
    enc = report["encoding"]
    bare = enc[BARE]
    print(f"{enc['documents']} documents, {enc['tokens']:,} tokens (GPT-2), medians of {args.runs} runs")
    print("| side | wall s | docs/s | tokens/s | vs bare (wall) | CPU s | docs/CPU-s | vs bare (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in SIDES:
        side = enc[name]
        print(
            f"| {name} | {side['median_wall_s']} | {side['docs_per_s']:,} | {side['tokens_per_s']:,} "
            f"| {bare['median_wall_s'] / side['median_wall_s']:.2f}x | {side['median_cpu_s']} "
            f"| {side['docs_per_cpu_s']:,} | {bare['median_cpu_s'] / side['median_cpu_s']:.2f}x |"
        )
    print(json.dumps(report["loader"]))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
