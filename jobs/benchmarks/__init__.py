"""Benchmark registry: the evaluation sets that decontamination compares documents against.

Loaders read the files users provide (local paths, folders, globs, s3:// or any fsspec URL; never
a download), each in its published layout. The API is per file: a driver expands the user's specs
into files (`expand_benchmark`), and Spark's Python workers stream each file (`read_benchmark_file`),
so a large benchmark set never sits on the driver. Plain functions, no Spark, picklable arguments.

An item's `text` is the join ("\\n") of the fields that count, in the loader's fixed order; the
defaults follow GPT-3/Llama-2 decontamination practice (question and context text, the choices of
multiple-choice items, and the gold answer where it is distinctive: solutions, rationales), and
`fields=` replaces them. `bench_id` is `<benchmark>/...`, stable and unique within the benchmark:
the dataset's own id where it has one, else the item's place (task, split, row).
"""

from __future__ import annotations

from collections.abc import Iterator

from jobs.benchmarks.base import BenchmarkItem, Loader, items_of_file
from jobs.benchmarks.clue import CLUE
from jobs.benchmarks.delimited import MGSM, MMLU, XLWIC
from jobs.benchmarks.files import BenchmarkFormatError, expand_paths
from jobs.benchmarks.generic import GENERIC
from jobs.benchmarks.glue import GLUE
from jobs.benchmarks.json_documents import BBH, BIGBENCH, RACE, TYDIQA
from jobs.benchmarks.json_lines import ARC, GSM8K, HELLASWAG, HUMANEVAL, XCOPA
from jobs.benchmarks.lambada import LAMBADA
from jobs.benchmarks.superglue import SUPERGLUE

__all__ = [
    "FORMATS",
    "BenchmarkFormatError",
    "BenchmarkItem",
    "Loader",
    "expand_benchmark",
    "loader_for",
    "read_benchmark_file",
]

FORMATS: dict[str, Loader] = {
    loader.name: loader
    for loader in (
        MMLU,
        BIGBENCH,
        BBH,
        GSM8K,
        MGSM,
        TYDIQA,
        XCOPA,
        XLWIC,
        LAMBADA,
        RACE,
        HELLASWAG,
        ARC,
        HUMANEVAL,
        GLUE,
        SUPERGLUE,
        CLUE,
        GENERIC,
    )
}


def loader_for(format: str) -> Loader:
    try:
        return FORMATS[format]
    except (KeyError, TypeError):
        raise ValueError(f"unknown benchmark format {format!r}; known formats: {sorted(FORMATS)}") from None


def expand_benchmark(format: str, paths: list[str]) -> list[str]:
    """The files the format's loader would read under `paths`, sorted.

    Folders and globs keep the files the release layout names (e.g. MMLU's CSVs without
    auxiliary_train, XL-WiC without its gold-label files); a file named on its own is always kept.
    Raises ValueError naming a path that does not exist or holds nothing to read.
    """
    loader = loader_for(format)
    return expand_paths(paths, loader.reads, f"benchmark format {format!r}")


def read_benchmark_file(
    format: str, path: str, name: str | None = None, fields: list[str] | None = None
) -> Iterator[BenchmarkItem]:
    """Stream the items of one file (compressed by extension too).

    `name` replaces the benchmark name (default: the format's; generic files name their own);
    `fields` replaces the fields that count (joined in the loader's order, not the list's).
    Unknown formats or fields, and malformed files
    (naming the file and the line, row or place), raise ValueError.
    """
    loader = loader_for(format)
    loader.checked_fields(fields)  # before the first item is asked for: a typo fails at the call
    return items_of_file(loader, path, name=name, fields=fields)
