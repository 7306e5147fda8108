"""GLUE: the TSVs of the official download (`glue_data/<Task>/{train,dev,test}.tsv`).

The task is the folder name, lowercased (`glue_data/MRPC/dev.tsv` -> mrpc). Text columns are found
by name in each file's header, so every task and split works the same way, in the file's column
order: CoLA/SST-2 `sentence`; MRPC `#1 String`, `#2 String`; QQP `question1`, `question2`; STS-B,
MNLI, RTE, WNLI and the diagnostic set `sentence1`, `sentence2`; QNLI `question`, `sentence`;
the full diagnostic file `Premise`, `Hypothesis`. CoLA's train and dev files have no header
(source, label, original label, sentence); its test file has one. Labels are not text.

GLUE's TSVs are unquoted (the reference loaders read them with quotechar=None): quotes are text.
`original/` folders (the raw sources some tasks ship next to the TSVs) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from jobs.benchmarks.base import Loader, RawItem
from jobs.benchmarks.files import BenchmarkFormatError, file_stem, folder_names, text_lines

TEXT_COLUMNS = (
    "sentence",
    "sentence1",
    "sentence2",
    "#1 String",
    "#2 String",
    "question",
    "question1",
    "question2",
    "Premise",
    "Hypothesis",
)
COLA_COLUMNS = ("source", "label", "original_label", "sentence")
TASKS = ("cola", "sst-2", "mrpc", "qqp", "sts-b", "mnli", "qnli", "rte", "wnli", "diagnostic", "ax")


def glue_task(path: str) -> str:
    folders = [f.lower() for f in folder_names(path)]
    for folder in folders:
        if folder in TASKS:
            return folder
    return folders[0] if folders else file_stem(path).lower()


def read_glue(path: str) -> Iterator[RawItem]:
    task = glue_task(path)
    split = file_stem(path)
    lines = text_lines(path)
    first = next(lines, None)
    if first is None:
        return
    header = first[1].split("\t")
    if any(column in TEXT_COLUMNS for column in header):
        columns, rows = header, lines
    elif task == "cola":
        columns, rows = list(COLA_COLUMNS), chain([first], lines)
    else:
        raise BenchmarkFormatError(
            path, f"line {first[0]}", f"no header with a text column (one of {list(TEXT_COLUMNS)})"
        )
    text_columns = [(i, column) for i, column in enumerate(columns) if column in TEXT_COLUMNS]
    for index, (number, line) in enumerate(rows):
        where = f"line {number}"
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise BenchmarkFormatError(
                path, where, f"expected {len(columns)} tab-separated columns, found {len(cells)}"
            )
        yield RawItem(
            key=f"{task}/{split}/{index}",
            task=task,
            values={column: cells[i] for i, column in text_columns},
            answer=None,
            where=where,
        )


GLUE = Loader(
    name="glue",
    parse=read_glue,
    fields=TEXT_COLUMNS,
    default_fields=TEXT_COLUMNS,  # each file has only its task's text columns
    file_patterns=("*.tsv",),
    skip_folders=("original",),
)
