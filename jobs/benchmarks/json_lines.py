"""Benchmarks released as JSON Lines, one item per line: GSM8K, XCOPA, HellaSwag, ARC, HumanEval.

- GSM8K: openai/grade-school-math `data/{train,test}.jsonl` {question, answer}; the answer is the
  worked solution ending in `#### <number>`: the solution counts (it is the distinctive part), the
  item's answer is the final number.
- XCOPA: cambridgeltl/xcopa `data/<lang>/{val,test}.<lang>.jsonl` {premise, choice1, choice2,
  question ("cause"/"effect"), label, idx}.
- HellaSwag: rowanz/hellaswag `hellaswag_{train,val,test}.jsonl` {ind, activity_label, ctx_a,
  ctx_b, ctx, endings, label, split, split_type, source_id}; the test split has no label.
- ARC: AI2's `ARC-V1-Feb2018/ARC-{Challenge,Easy}/ARC-*-{Train,Dev,Test}.jsonl` {id, question:
  {stem, choices: [{text, label}]}, answerKey}; the release's CSV copies are not read.
- HumanEval: openai/human-eval `HumanEval.jsonl.gz` {task_id, prompt, canonical_solution, test,
  entry_point}.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jobs.benchmarks.base import Loader, RawItem, text_field, text_list
from jobs.benchmarks.files import BenchmarkFormatError, file_stem, folder_names, json_lines


def read_gsm8k(path: str) -> Iterator[RawItem]:
    split = file_stem(path)
    for index, (number, obj) in enumerate(json_lines(path)):
        where = f"line {number}"
        question = text_field(obj, "question", path, where)
        solution = text_field(obj, "answer", path, where)
        final = solution.rsplit("####", 1)[1].strip() if "####" in solution else None
        yield RawItem(
            key=f"{split}/{index}",
            task=None,
            values={"question": question, "answer": solution},
            answer=final,
            where=where,
        )


def xcopa_language_and_split(path: str) -> tuple[str, str]:
    """`test.et.jsonl` -> (et, test); otherwise (folder name, file stem)."""
    parts = file_stem(path).split(".")
    if len(parts) == 2:
        return parts[1], parts[0]
    folders = folder_names(path)
    return (folders[0] if folders else "xcopa"), file_stem(path)


def chosen(options: list[str], label: object, path: str, where: str) -> str | None:
    """The option a 0-based label points at; None for unlabelled splits."""
    if label is None or label == "" or label == -1:
        return None
    try:
        return options[int(label)]
    except (ValueError, TypeError, IndexError) as error:
        raise BenchmarkFormatError(
            path, where, f"label {label!r} does not name one of the options"
        ) from error


def read_xcopa(path: str) -> Iterator[RawItem]:
    language, split = xcopa_language_and_split(path)
    for index, (number, obj) in enumerate(json_lines(path)):
        where = f"line {number}"
        values = {
            key: text_field(obj, key, path, where) for key in ("premise", "choice1", "choice2", "question")
        }
        own_id = obj.get("idx", index)
        yield RawItem(
            key=f"{language}/{split}/{own_id}",
            task=language,
            values=values,
            answer=chosen([values["choice1"], values["choice2"]], obj.get("label"), path, where),
            where=where,
        )


def read_hellaswag(path: str) -> Iterator[RawItem]:
    for index, (number, obj) in enumerate(json_lines(path)):
        where = f"line {number}"
        context = text_field(obj, "ctx", path, where, required=False)
        if context is None:  # some copies keep only the two halves
            parts = [text_field(obj, key, path, where, required=False) for key in ("ctx_a", "ctx_b")]
            context = " ".join(p for p in parts if p) or text_field(obj, "ctx", path, where)
        endings = text_list(obj, "endings", path, where)
        split = obj.get("split") or file_stem(path)
        yield RawItem(
            key=f"{split}/{obj.get('ind', index)}",
            task=None,
            values={
                "activity_label": text_field(obj, "activity_label", path, where, required=False),
                "ctx": context,
                "endings": endings,
            },
            answer=chosen(endings, obj.get("label"), path, where),
            where=where,
        )


ARC_SET = re.compile(r"^(ARC-(?:Challenge|Easy))", re.IGNORECASE)


def read_arc(path: str) -> Iterator[RawItem]:
    found = ARC_SET.match(file_stem(path))
    task = found.group(1) if found else None
    for number, obj in json_lines(path):
        where = f"line {number}"
        own_id = text_field(obj, "id", path, where)
        question = obj.get("question")
        if not isinstance(question, dict) or not isinstance(question.get("choices"), list):
            raise BenchmarkFormatError(path, where, "'question' should be {stem, choices: [{text, label}]}")
        stem = text_field(question, "stem", path, where)
        choices: list[str] = []
        gold = None
        for choice in question["choices"]:
            if not isinstance(choice, dict):
                raise BenchmarkFormatError(path, where, "each choice should be {text, label}")
            text = text_field(choice, "text", path, where)
            choices.append(text)
            if str(choice.get("label")) == str(obj.get("answerKey")):
                gold = text
        yield RawItem(
            key=own_id, task=task, values={"question": stem, "choices": choices}, answer=gold, where=where
        )


def read_humaneval(path: str) -> Iterator[RawItem]:
    for number, obj in json_lines(path):
        where = f"line {number}"
        task_id = text_field(obj, "task_id", path, where)
        solution = text_field(obj, "canonical_solution", path, where)
        yield RawItem(
            key=task_id.removeprefix("HumanEval/"),  # humaneval/0, as the project's reference set has it
            task=None,
            values={
                "prompt": text_field(obj, "prompt", path, where),
                "canonical_solution": solution,
                "test": text_field(obj, "test", path, where, required=False),
            },
            answer=solution,
            where=where,
        )


GSM8K = Loader(
    name="gsm8k",
    parse=read_gsm8k,
    fields=("question", "answer"),
    default_fields=("question", "answer"),
    file_patterns=("*.jsonl",),
)
XCOPA = Loader(
    name="xcopa",
    parse=read_xcopa,
    fields=("premise", "choice1", "choice2", "question"),
    default_fields=("premise", "choice1", "choice2"),  # "question" is only "cause" or "effect"
    file_patterns=("*.jsonl",),
)
HELLASWAG = Loader(
    name="hellaswag",
    parse=read_hellaswag,
    fields=("activity_label", "ctx", "endings"),
    default_fields=("ctx", "endings"),
    file_patterns=("*.jsonl",),
)
ARC = Loader(
    name="arc",
    parse=read_arc,
    fields=("question", "choices"),
    default_fields=("question", "choices"),
    file_patterns=("*.jsonl",),
)
HUMANEVAL = Loader(
    name="humaneval",
    parse=read_humaneval,
    fields=("prompt", "canonical_solution", "test"),
    default_fields=("prompt", "canonical_solution"),  # unit tests are boilerplate asserts
    file_patterns=("*.jsonl",),
)
