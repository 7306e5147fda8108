"""LAMBADA: the original plain-text release and OpenAI's JSONL copy.

- Plain text (Paperno et al. 2016, `lambada_{development,test}_plain_text.txt`): one tokenised
  passage per line; the last word is the target. Folder expansion reads only the development and
  test files: the same archive holds the training novels, a vocabulary and a control set, which
  are not the benchmark (name such a file on its own to read it anyway).
- OpenAI's `lambada_test.jsonl` (the detokenised test set GPT-2/3 report): {"text": passage}.

Fields: `context` (the passage without its last word) and `target` (the last word); both count.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from jobs.benchmarks.base import Loader, RawItem, text_field
from jobs.benchmarks.files import (
    BenchmarkFormatError,
    file_name_without_compression,
    file_stem,
    json_lines,
    text_lines,
)


def passages(path: str) -> Iterator[tuple[int, str]]:
    if file_name_without_compression(posixpath.basename(path)).lower().endswith(".jsonl"):
        for number, obj in json_lines(path):
            yield number, text_field(obj, "text", path, f"line {number}")
    else:
        yield from text_lines(path)


def read_lambada(path: str) -> Iterator[RawItem]:
    split = file_stem(path)
    for index, (number, passage) in enumerate(passages(path)):
        words = passage.strip().rsplit(maxsplit=1)
        if len(words) != 2:
            raise BenchmarkFormatError(path, f"line {number}", "a passage needs a context and a last word")
        context, target = words
        yield RawItem(
            key=f"{split}/{index}",
            task=None,
            values={"context": context, "target": target},
            answer=target,
            where=f"line {number}",
        )


LAMBADA = Loader(
    name="lambada",
    parse=read_lambada,
    fields=("context", "target"),
    default_fields=("context", "target"),
    file_patterns=("lambada_development_plain_text.txt", "lambada_test_plain_text.txt", "*.jsonl"),
)
