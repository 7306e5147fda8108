"""Benchmarks released as delimited text: MMLU (CSV), MGSM and XL-WiC (TSV). GLUE is in glue.py.

- MMLU: Hendrycks et al.'s release `data/{dev,val,test}/<subject>_<split>.csv`, no header, columns
  question, A, B, C, D, answer letter (standard CSV quoting). `data/auxiliary_train/` is training
  data borrowed from other sets, not MMLU, so folder expansion skips it.
- MGSM: google-research/url-nlp `mgsm/mgsm_<lang>.tsv`, no header, question <tab> answer number.
- XL-WiC: the released `xlwic_datasets/` txt files, tab-separated target word, PoS, start1, end1,
  start2, end2, example1, example2 and (train/valid only) a label; test labels are in separate
  `*_test_gold.txt` files, which are skipped (labels are not text).

The TSVs have no quoting: a field never holds a tab, and quote characters are text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from jobs.benchmarks.base import Loader, RawItem
from jobs.benchmarks.files import BenchmarkFormatError, file_stem, folder_names, open_text, text_lines

MMLU_SPLITS = ("dev", "val", "test", "train")
LETTERS = "ABCD"


def mmlu_subject_and_split(path: str) -> tuple[str, str]:
    """`abstract_algebra_test.csv` -> (abstract_algebra, test); else (stem, folder name)."""
    stem = file_stem(path)
    for split in MMLU_SPLITS:
        if stem.endswith(f"_{split}") and len(stem) > len(split) + 1:
            return stem[: -len(split) - 1], split
    folders = folder_names(path)
    return stem, folders[0] if folders else "data"


def read_mmlu(path: str) -> Iterator[RawItem]:
    subject, split = mmlu_subject_and_split(path)
    with open_text(path, newline="") as stream:
        rows = (row for row in csv.reader(stream) if row)
        try:
            for index, row in enumerate(rows):
                where = f"row {index + 1}"
                if len(row) != 6:
                    raise BenchmarkFormatError(
                        path, where, f"expected 6 columns (question, A, B, C, D, answer), found {len(row)}"
                    )
                question, *choices, letter = row
                letter = letter.strip().upper()
                if len(letter) != 1 or letter not in LETTERS:
                    raise BenchmarkFormatError(path, where, f"answer {row[5]!r} is not one of A, B, C, D")
                gold = choices[LETTERS.index(letter)]
                yield RawItem(
                    key=f"{subject}/{split}/{index}",
                    task=subject,
                    values={"question": question, "choices": choices, "answer": gold},
                    answer=gold,
                    where=where,
                )
        except csv.Error as error:
            raise BenchmarkFormatError(path, "", f"bad CSV ({error})") from error


def read_mgsm(path: str) -> Iterator[RawItem]:
    language = file_stem(path).removeprefix("mgsm_")
    for index, (number, line) in enumerate(text_lines(path)):
        columns = line.split("\t")
        if len(columns) != 2:
            raise BenchmarkFormatError(
                path,
                f"line {number}",
                f"expected 2 tab-separated columns (question, answer), found {len(columns)}",
            )
        question, answer = columns
        yield RawItem(
            key=f"{language}/{index}",
            task=language,
            values={"question": question, "answer": answer},
            answer=answer.strip(),
            where=f"line {number}",
        )


XLWIC_SPLIT_WORDS = {"train", "valid", "dev", "test", "data", "gold", "iv", "oov"}


def xlwic_language(path: str) -> str | None:
    """`de_valid` -> de, `train_en` -> en, `de_test_data` -> de; None when the name has no code."""
    for token in file_stem(path).replace(".", "_").split("_"):
        if token.lower() not in XLWIC_SPLIT_WORDS and 2 <= len(token) <= 3 and token.isalpha():
            return token.lower()
    for folder in folder_names(path)[:1]:  # `german_de/IV.test.txt`
        code = folder.rsplit("_", 1)[-1]
        if folder != code and 2 <= len(code) <= 3:
            return code.lower()
    return None


def read_xlwic(path: str) -> Iterator[RawItem]:
    stem = file_stem(path)
    language = xlwic_language(path)
    for index, (number, line) in enumerate(text_lines(path)):
        where = f"line {number}"
        columns = line.split("\t")
        if len(columns) not in (8, 9):
            raise BenchmarkFormatError(
                path,
                where,
                f"expected 8 or 9 tab-separated columns (word, PoS, 4 offsets, 2 examples, [label]), "
                f"found {len(columns)}",
            )
        if not all(c.strip().lstrip("-").isdigit() for c in columns[2:6]):
            raise BenchmarkFormatError(path, where, "columns 3-6 should be character offsets")
        word, _pos, _s1, _e1, _s2, _e2, example1, example2 = columns[:8]
        yield RawItem(
            key=f"{stem}/{index}",
            task=language,
            values={"target_word": word, "example1": example1, "example2": example2},
            answer=None,
            where=where,
        )


MMLU = Loader(
    name="mmlu",
    parse=read_mmlu,
    fields=("question", "choices", "answer"),
    default_fields=("question", "choices"),  # the gold answer is one of the choices
    file_patterns=("*.csv",),
    skip_folders=("auxiliary_train",),
)
MGSM = Loader(
    name="mgsm",
    parse=read_mgsm,
    fields=("question", "answer"),
    default_fields=("question",),  # the answer is a bare number: it matches everywhere
    file_patterns=("*.tsv",),
    skip_files=("*exemplars*",),
)
XLWIC = Loader(
    name="xlwic",
    parse=read_xlwic,
    fields=("target_word", "example1", "example2"),
    default_fields=("example1", "example2"),
    file_patterns=("*.txt",),
    skip_files=("*gold*",),
)
