"""datatrove counterparts of curate's stages, for side-by-side benchmarks (bench.harness).

Run as one command, which the harness measures as a whole (driver, multiprocess manager, forkserver,
pool workers)::

    python -m bench.datatrove_pipelines NAME --input DIR --output DIR [--workdir DIR]
                                             [--tasks 4] [--workers 2] [--write-rejected]
    python -m bench.datatrove_pipelines --list

``--input`` is a folder of Parquet files with ``id`` and ``text`` columns (other columns go into
datatrove's metadata); kept documents are written to ``OUTPUT/kept/*.parquet`` (and, with
``--write-rejected``, dropped ones to ``OUTPUT/rejected/<step>/*.parquet``, like our stages'
``rejected/``). A summary (steps, seconds per step) goes to ``OUTPUT/_datatrove.json``.

Add a pipeline: write a function ``(ctx: Context) -> list[Step]`` and decorate it with
``@register("name", "one-line description")``; multi-stage pipelines (MinHash) return one Step
per executor, run one after another.

``LocalPipelineExecutor`` with workers > 1 starts a process pool (forkserver), which needs the
``if __name__ == "__main__"`` guard at the bottom of this file, or it hangs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Nothing here may go to the network: HF Hub calls fail at once instead of hanging on a timeout.
# datatrove is imported lazily (inside the builders), so this is set before it loads. The steps used
# below need no download: spaCy's English tokenizer is built from the installed package;
# C4BadWordsFilter, LanguageFilter and DocumentTokenizer, which do download, are not used.
for _k in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
    os.environ[_k] = "1"
os.environ.setdefault("DO_NOT_TRACK", "1")

DEFAULT_TASKS = 4
DEFAULT_WORKERS = 2


@dataclass
class Step:
    """One datatrove executor run: a pipeline list and how to parallelise it."""

    name: str
    pipeline: list
    tasks: int
    workers: int


@dataclass
class Context:
    """What a pipeline builder gets: the folders and the parallelism chosen on the command line."""

    input_dir: str
    output_dir: str
    work_dir: str
    tasks: int = DEFAULT_TASKS
    workers: int = DEFAULT_WORKERS
    write_rejected: bool = False

    def reader(self):
        from datatrove.pipeline.readers import ParquetReader

        return ParquetReader(
            self.input_dir, text_key="text", id_key="id", glob_pattern="*.parquet", recursive=False
        )

    def writer(self, kind: str = "kept", sub: str = ""):
        from datatrove.pipeline.writers import ParquetWriter

        return ParquetWriter(os.path.join(self.output_dir, kind, sub), output_filename="${rank}.parquet")

    def rejected(self, sub: str):
        """An exclusion writer for a filter when --write-rejected was given, else None."""
        return self.writer("rejected", sub) if self.write_rejected else None

    def work(self, *parts: str) -> str:
        return os.path.join(self.work_dir, *parts)

    def step(self, name: str, pipeline: list, tasks: int | None = None, workers: int | None = None) -> Step:
        tasks = tasks or self.tasks
        return Step(name, pipeline, tasks, max(1, min(workers or self.workers, tasks)))


@dataclass
class Registered:
    build: Callable[[Context], list[Step]]
    description: str
    extra: dict = field(default_factory=dict)


PIPELINES: dict[str, Registered] = {}


def register(name: str, description: str):
    def deco(fn: Callable[[Context], list[Step]]):
        if name in PIPELINES:
            raise ValueError(f"datatrove pipeline {name!r} registered twice")
        PIPELINES[name] = Registered(fn, description)
        return fn

    return deco


@register(
    "ingest", "ParquetReader(text_key='text', id_key='id') -> ParquetWriter: read and rewrite the documents"
)
def ingest(ctx: Context) -> list[Step]:
    return [ctx.step("ingest", [ctx.reader(), ctx.writer()])]


@register(
    "filter",
    "ParquetReader -> GopherRepetitionFilter, GopherQualityFilter, "
    "C4QualityFilter(filter_no_terminal_punct=False), FineWebQualityFilter -> ParquetWriter",
)
def filter_chain(ctx: Context) -> list[Step]:
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    return [
        ctx.step(
            "filter",
            [
                ctx.reader(),
                GopherRepetitionFilter(exclusion_writer=ctx.rejected("gopher_repetition")),
                GopherQualityFilter(exclusion_writer=ctx.rejected("gopher_quality")),
                C4QualityFilter(filter_no_terminal_punct=False, exclusion_writer=ctx.rejected("c4_quality")),
                FineWebQualityFilter(exclusion_writer=ctx.rejected("fineweb_quality")),
                ctx.writer(),
            ],
        )
    ]


@register(
    "minhash",
    "4-stage MinHash dedup, default MinhashConfig (5-grams, 14 buckets x 8 hashes): "
    "signatures -> buckets -> cluster -> filter -> ParquetWriter",
)
def minhash(ctx: Context) -> list[Step]:
    from datatrove.pipeline.dedup import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )

    cfg = MinhashConfig()
    sigs, buckets, remove = (
        ctx.work("minhash", "signatures"),
        ctx.work("minhash", "buckets"),
        ctx.work("minhash", "remove_ids"),
    )
    return [
        ctx.step("signatures", [ctx.reader(), MinhashDedupSignature(output_folder=sigs, config=cfg)]),
        ctx.step(
            "buckets",
            [MinhashDedupBuckets(input_folder=sigs, output_folder=buckets, config=cfg)],
            tasks=cfg.num_buckets,
        ),
        ctx.step(
            "cluster", [MinhashDedupCluster(input_folder=buckets, output_folder=remove, config=cfg)], tasks=1
        ),
        ctx.step(
            "filter",
            [
                ctx.reader(),
                MinhashDedupFilter(input_folder=remove, exclusion_writer=ctx.rejected("minhash")),
                ctx.writer(),
            ],
        ),
    ]


def run(name: str, ctx: Context) -> dict:
    """Build pipeline ``name`` and run its steps one after another; return a summary."""
    from datatrove.executor import LocalPipelineExecutor

    if name not in PIPELINES:
        raise SystemExit(f"unknown datatrove pipeline {name!r}; known: {', '.join(sorted(PIPELINES))}")
    steps = PIPELINES[name].build(ctx)
    summary = {"pipeline": name, "description": PIPELINES[name].description, "steps": []}
    for i, step in enumerate(steps):
        t0 = time.perf_counter()
        executor = LocalPipelineExecutor(
            pipeline=step.pipeline,
            tasks=step.tasks,
            workers=step.workers,
            logging_dir=ctx.work("logs", f"{i:02d}-{step.name}"),
            skip_completed=False,  # every bench run does the work again
        )
        executor.run()
        summary["steps"].append(
            {
                "name": step.name,
                "tasks": step.tasks,
                "workers": step.workers,
                "seconds": time.perf_counter() - t0,
            }
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.datatrove_pipelines", description=__doc__.split("\n")[0]
    )
    ap.add_argument("name", nargs="?", help="pipeline name (see --list)")
    ap.add_argument("--input", help="folder of Parquet files (id, text, ...)")
    ap.add_argument("--output", help="output folder: kept/, rejected/, _datatrove.json")
    ap.add_argument(
        "--workdir", help="scratch folder for logs and intermediate files (default: OUTPUT/_work)"
    )
    ap.add_argument("--tasks", type=int, default=DEFAULT_TASKS)
    ap.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    ap.add_argument("--write-rejected", action="store_true", help="give every filter an exclusion writer")
    ap.add_argument("--list", action="store_true", help="list the registered pipelines and exit")
    args = ap.parse_args(argv)
    if args.list or not args.name:
        for name, reg in PIPELINES.items():
            print(f"{name:10s} {reg.description}")
        return 0
    if not args.input or not args.output:
        ap.error("--input and --output are required")
    ctx = Context(
        input_dir=os.path.abspath(args.input),
        output_dir=os.path.abspath(args.output),
        work_dir=os.path.abspath(args.workdir or os.path.join(args.output, "_work")),
        tasks=args.tasks,
        workers=args.workers,
        write_rejected=args.write_rejected,
    )
    summary = run(args.name, ctx)
    os.makedirs(ctx.output_dir, exist_ok=True)
    with open(os.path.join(ctx.output_dir, "_datatrove.json"), "w") as f:
        json.dump(summary, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
