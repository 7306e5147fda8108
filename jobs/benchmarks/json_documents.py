"""Benchmarks released as whole JSON documents: BIG-bench, BBH, RACE, and SQuAD-style sets (TyDiQA).

- BIG-bench: google/BIG-bench `bigbench/benchmark_tasks/<task>/task.json` {examples: [{input,
  target (text or list) and/or target_scores {choice: score}}], ...}. Subtasks live in
  `<task>/<subtask>/task.json` (task `<task>:<subtask>`); a parent task.json that only lists
  subtasks has no items of its own. Programmatic tasks (task.py) have no JSON and are not read.
  Prompt templates (`task_prefix`, `example_input_prefix`, ...) are shared by every example of a
  task and are not item text.
- BBH: suzgunmirac/BIG-Bench-Hard `bbh/<task>.json` {examples: [{input, target}]}; inputs carry
  their options already.
- RACE: `RACE/{train,dev,test}/{high,middle}/<n>.txt`, JSON despite the name: {article,
  questions, options, answers (letters), id}; one item per question.
- TyDiQA: the GoldP task's `tydiqa-goldp-v1.1-{train,dev}.json` (SQuAD 1.1 layout: data ->
  paragraphs -> context, qas [{id, question, answers [{text, answer_start}]}]); the language is the
  prefix of the question id. The primary task's JSONL (whole Wikipedia articles per question) is
  not read: its documents are Wikipedia itself, not benchmark text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from jobs.benchmarks.base import Loader, RawItem, text_field, text_list
from jobs.benchmarks.files import BenchmarkFormatError, file_stem, folder_names, json_document


def examples_of(path: str, document: object) -> list | None:
    if not isinstance(document, dict):
        raise BenchmarkFormatError(path, "", "expected a JSON object with an 'examples' list")
    examples = document.get("examples")
    if examples is None and "subtasks" in document:
        return None  # the subtasks' own task.json files hold the examples
    if not isinstance(examples, list):
        raise BenchmarkFormatError(path, "", "expected a JSON object with an 'examples' list")
    return examples


def bigbench_task(path: str) -> str:
    folders = folder_names(path)  # nearest first
    if "benchmark_tasks" in folders:
        below = folders[: folders.index("benchmark_tasks")]
        if below:
            return ":".join(reversed(below))
    return folders[0] if folders else file_stem(path)


def targets_of(example: dict, path: str, where: str) -> list[str]:
    target = example.get("target")
    if target is None:
        return []
    if isinstance(target, list):
        return text_list(example, "target", path, where)
    return [text_field(example, "target", path, where)]


def read_bigbench(path: str) -> Iterator[RawItem]:
    task = bigbench_task(path)
    examples = examples_of(path, json_document(path))
    for index, example in enumerate(examples or []):
        where = f"examples[{index}]"
        if not isinstance(example, dict):
            raise BenchmarkFormatError(path, where, "expected an object")
        scores = example.get("target_scores")
        if scores is not None and not isinstance(scores, dict):
            raise BenchmarkFormatError(path, where, "'target_scores' should map choices to scores")
        targets = targets_of(example, path, where)
        if not targets and not scores:
            raise BenchmarkFormatError(path, where, "needs 'target' or 'target_scores'")
        choices = list(scores or {})
        if targets:
            answer = targets[0]
        else:
            try:
                answer = max(choices, key=lambda choice: float(scores[choice]))
            except (TypeError, ValueError) as error:
                raise BenchmarkFormatError(path, where, "'target_scores' should be numbers") from error
        yield RawItem(
            key=f"{task}/{index}",
            task=task,
            values={
                "input": text_field(example, "input", path, where),
                "choices": choices,
                "target": targets,
            },
            answer=answer,
            where=where,
        )


def read_bbh(path: str) -> Iterator[RawItem]:
    task = file_stem(path)
    for index, example in enumerate(examples_of(path, json_document(path)) or []):
        where = f"examples[{index}]"
        if not isinstance(example, dict):
            raise BenchmarkFormatError(path, where, "expected an object")
        target = text_field(example, "target", path, where)
        yield RawItem(
            key=f"{task}/{index}",
            task=task,
            values={"input": text_field(example, "input", path, where), "target": target},
            answer=target,
            where=where,
        )


RACE_SPLITS = ("train", "dev", "test")
RACE_LEVELS = ("high", "middle")


def read_race(path: str) -> Iterator[RawItem]:
    document = json_document(path)
    if not isinstance(document, dict):
        raise BenchmarkFormatError(
            path, "", "expected a JSON object {article, questions, options, answers, id}"
        )
    folders = folder_names(path)
    split = next((f for f in folders if f in RACE_SPLITS), None)
    level = next((f for f in folders if f in RACE_LEVELS), None)
    own_id = str(document.get("id") or file_stem(path)).removesuffix(".txt")
    if level and not own_id.startswith(level):
        own_id = level + own_id  # ids restart per level; the released ones carry it ("high123")
    article = text_field(document, "article", path, "")
    questions = text_list(document, "questions", path, "")
    options = document.get("options")
    answers = text_list(document, "answers", path, "")
    if not isinstance(options, list) or not len(questions) == len(options) == len(answers):
        raise BenchmarkFormatError(path, "", "questions, options and answers should be lists of one length")
    for index, (question, letter) in enumerate(zip(questions, answers, strict=True)):
        where = f"questions[{index}]"
        choices = text_list({"options": options[index]}, "options", path, where)
        position = "ABCDEFGH".find(letter.strip().upper()) if len(letter.strip()) == 1 else -1
        if not 0 <= position < len(choices):
            raise BenchmarkFormatError(path, where, f"answer {letter!r} does not name one of the options")
        yield RawItem(
            key="/".join(part for part in (split, own_id, str(index)) if part),
            task=level,
            values={"article": article, "question": question, "options": choices},
            answer=choices[position],
            where=where,
        )


@dataclass(frozen=True)
class SquadQuestion:
    qid: str
    context: str
    question: str
    answers: list[str]
    where: str


def squad_questions(path: str) -> Iterator[SquadQuestion]:
    """Every question of a SQuAD 1.1-layout file (TyDiQA GoldP, CMRC 2018, DRCD)."""
    document = json_document(path)
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise BenchmarkFormatError(path, "", "expected a SQuAD-style object with a 'data' list")
    for a, article in enumerate(data):
        paragraphs = article.get("paragraphs") if isinstance(article, dict) else None
        if not isinstance(paragraphs, list):
            raise BenchmarkFormatError(path, f"data[{a}]", "missing 'paragraphs'")
        for p, paragraph in enumerate(paragraphs):
            where = f"data[{a}].paragraphs[{p}]"
            if not isinstance(paragraph, dict) or not isinstance(paragraph.get("qas"), list):
                raise BenchmarkFormatError(path, where, "expected {context, qas}")
            context = text_field(paragraph, "context", path, where)
            for q, qa in enumerate(paragraph["qas"]):
                qa_where = f"{where}.qas[{q}]"
                if not isinstance(qa, dict):
                    raise BenchmarkFormatError(path, qa_where, "expected {id, question, answers}")
                answers = qa.get("answers") or []
                if not isinstance(answers, list) or not all(isinstance(x, dict) for x in answers):
                    raise BenchmarkFormatError(path, qa_where, "'answers' should be [{text, answer_start}]")
                yield SquadQuestion(
                    qid=text_field(qa, "id", path, qa_where),
                    context=context,
                    question=text_field(qa, "question", path, qa_where),
                    answers=[text_field(x, "text", path, qa_where) for x in answers],
                    where=qa_where,
                )


def read_tydiqa(path: str) -> Iterator[RawItem]:
    for q in squad_questions(path):
        language = q.qid.split("-", 1)[0]
        yield RawItem(
            key=q.qid,
            task=language if language.isalpha() else None,
            values={"context": q.context, "question": q.question, "answers": q.answers},
            answer=q.answers[0] if q.answers else None,
            where=q.where,
        )


BIGBENCH = Loader(
    name="bigbench",
    parse=read_bigbench,
    fields=("input", "choices", "target"),
    default_fields=("input", "choices", "target"),
    file_patterns=("task.json",),
)
BBH = Loader(
    name="bbh",
    parse=read_bbh,
    fields=("input", "target"),
    default_fields=("input", "target"),
    file_patterns=("*.json",),
)
RACE = Loader(
    name="race",
    parse=read_race,
    fields=("article", "question", "options"),
    default_fields=("article", "question", "options"),
    file_patterns=("*.txt",),
)
TYDIQA = Loader(
    name="tydiqa",
    parse=read_tydiqa,
    fields=("context", "question", "answers"),
    default_fields=("context", "question"),  # answers are spans of the context
    file_patterns=("*.json",),
)
