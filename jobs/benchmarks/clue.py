"""CLUE: the CLUEbenchmark releases, `<task>_public/{train,dev,test}.json` (the task is the folder name
without `_public`, e.g. `afqmc_public/dev.json` -> afqmc).

Per task, the fields and those that count by default:

  afqmc, cmnli, ocnli   JSON lines {sentence1, sentence2}                         all
  tnews                 JSON lines {sentence, keywords}                           sentence
  iflytek               JSON lines {sentence}                                     all
  cluewsc2020           JSON lines {text, target {span1_text, span2_text}}        text
  csl                   JSON lines {abst, keyword [..]}                           abst
  chid                  JSON lines {candidates, content [paragraphs with #idiomN#]}: one item per
                        paragraph, content + candidates (the original ChID layout, content a string
                        with `groundTruth`, is read too)
  cmrc2018, drcd        SQuAD-style JSON (data -> paragraphs -> context, qas)      context, question
  c3                    JSON [[documents], [{question, choice, answer}], id]       all

Keywords are metadata drawn from the text, not the text; SQuAD answers are spans of the context.
Ids are the dataset's own (`id`, `idx`, question ids) where it has them, else the line number.
Label lists (`labels.json`), ChID's answer files and idiom dictionary are not items and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from jobs.benchmarks.base import FieldValue, Loader, RawItem, dict_field, text_field, text_list
from jobs.benchmarks.files import (
    BenchmarkFormatError,
    file_stem,
    json_document,
    json_lines,
    suite_task,
)
from jobs.benchmarks.json_documents import squad_questions

TASK_FIELDS: dict[str, tuple[str, ...]] = {
    "afqmc": ("sentence1", "sentence2"),
    "cmnli": ("sentence1", "sentence2"),
    "ocnli": ("sentence1", "sentence2"),
    "tnews": ("sentence", "keywords"),
    "iflytek": ("sentence",),
    "cluewsc2020": ("text", "target"),
    "csl": ("abst", "keyword"),
    "chid": ("content", "candidates"),
    "cmrc2018": ("context", "question", "answers"),
    "drcd": ("context", "question", "answers"),
    "c3": ("documents", "question", "choice"),
}
TASK_DEFAULTS: dict[str, tuple[str, ...]] = {
    "tnews": ("sentence",),
    "cluewsc2020": ("text",),
    "csl": ("abst",),
    "cmrc2018": ("context", "question"),
    "drcd": ("context", "question"),
}


def read_clue(path: str) -> Iterator[RawItem]:
    task = suite_task(path, TASK_FIELDS, "CLUE", strip="_public")
    split = file_stem(path)
    if task in ("cmrc2018", "drcd"):
        for q in squad_questions(path):
            yield RawItem(
                key=f"{task}/{q.qid}",
                task=task,
                values={"context": q.context, "question": q.question, "answers": q.answers},
                answer=q.answers[0] if q.answers else None,
                where=q.where,
            )
    elif task == "c3":
        yield from read_c3(path, split)
    elif task == "chid":
        yield from read_chid(path, split)
    else:
        for index, (number, obj) in enumerate(json_lines(path)):
            where = f"line {number}"
            own_id = obj["id"] if "id" in obj else obj.get("idx", index)
            yield RawItem(
                key=f"{task}/{split}/{own_id}",
                task=task,
                values=line_values(task, obj, path, where),
                answer=None,
                where=where,
            )


def line_values(task: str, obj: dict, path: str, where: str) -> dict[str, FieldValue]:
    if task == "cluewsc2020":
        target = dict_field(obj, "target", path, where)
        spans = [text_field(target, key, path, where) for key in ("span1_text", "span2_text")]
        return {"text": text_field(obj, "text", path, where), "target": spans}
    if task == "csl":
        return {
            "abst": text_field(obj, "abst", path, where),
            "keyword": text_list(obj, "keyword", path, where),
        }
    if task == "tnews":
        return {
            "sentence": text_field(obj, "sentence", path, where),
            "keywords": text_field(obj, "keywords", path, where, required=False),
        }
    return {key: text_field(obj, key, path, where) for key in TASK_FIELDS[task]}


def read_c3(path: str, split: str) -> Iterator[RawItem]:
    document = json_document(path)
    if not isinstance(document, list):
        raise BenchmarkFormatError(path, "", "expected a JSON list of [documents, questions, id] entries")
    for e, entry in enumerate(document):
        where = f"[{e}]"
        if not isinstance(entry, list) or len(entry) < 2 or not isinstance(entry[1], list):
            raise BenchmarkFormatError(path, where, "expected [documents, questions, id]")
        documents = text_list({"documents": entry[0]}, "documents", path, where)
        entry_id = entry[2] if len(entry) > 2 else e
        for q, qa in enumerate(entry[1]):
            qa_where = f"{where}[1][{q}]"
            if not isinstance(qa, dict):
                raise BenchmarkFormatError(path, qa_where, "expected {question, choice, answer}")
            yield RawItem(
                key=f"c3/{split}/{entry_id}/{q}",
                task="c3",
                values={
                    "documents": documents,
                    "question": text_field(qa, "question", path, qa_where),
                    "choice": text_list(qa, "choice", path, qa_where),
                },
                answer=text_field(qa, "answer", path, qa_where, required=False),
                where=qa_where,
            )


def read_chid(path: str, split: str) -> Iterator[RawItem]:
    for index, (number, obj) in enumerate(json_lines(path)):
        where = f"line {number}"
        content = obj.get("content")
        paragraphs = [content] if isinstance(content, str) else content
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise BenchmarkFormatError(path, where, "'content' should be a paragraph or a list of them")
        candidates = obj.get("candidates")
        if isinstance(candidates, list) and all(isinstance(c, list) for c in candidates):
            candidates = [idiom for per_blank in candidates for idiom in per_blank]  # original ChID
        candidates = text_list({"candidates": candidates}, "candidates", path, where)
        truth = text_list(obj, "groundTruth", path, where, required=False)
        for p, paragraph in enumerate(paragraphs):
            yield RawItem(
                key=f"chid/{split}/{index}/{p}",
                task="chid",
                values={"content": paragraph, "candidates": candidates},
                answer="\n".join(truth) or None,
                where=where,
            )


CLUE = Loader(
    name="clue",
    parse=read_clue,
    fields=tuple(dict.fromkeys(f for fields in TASK_FIELDS.values() for f in fields)),
    default_fields=tuple(dict.fromkeys(f for fields in TASK_FIELDS.values() for f in fields)),
    task_default_fields=TASK_DEFAULTS,
    file_patterns=("*.json", "*.jsonl"),
    skip_files=("*_answer.json", "labels.json", "idiomdict.json"),
)
