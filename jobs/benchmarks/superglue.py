"""SuperGLUE: the official JSONL release, `<Task>/{train,val,test}.jsonl` and `AX-b/AX-b.jsonl`, `AX-g/AX-g.jsonl`.

The task is the folder name, lowercased (BoolQ -> boolq). Per task, the fields and those that count
by default:

  boolq    question, passage                       all
  cb, rte  premise, hypothesis                     all
  copa     premise, choice1, choice2, question     premise, choices ("question" is cause/effect)
  multirc  passage, question, answers              all (one item per question; answers are choices)
  record   passage, query, answers                 passage, query (answers are spans of the passage)
  wic      word, sentence1, sentence2              sentences
  wsc      text, target (the two span texts)       text
  ax-b     sentence1, sentence2                    all
  ax-g     premise, hypothesis                     all

MultiRC passages mark sentences with `<b>Sent N: </b>` and `<br>`, ReCoRD passages mark highlights
with `@highlight`: release markup that no copy of the text on the web has, so it is removed (it
would break every n-gram across a sentence boundary).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from jobs.benchmarks.base import FieldValue, Loader, RawItem, dict_field, list_of_objects, text_field
from jobs.benchmarks.files import file_stem, json_lines, suite_task

TASK_FIELDS: dict[str, tuple[str, ...]] = {
    "boolq": ("question", "passage"),
    "cb": ("premise", "hypothesis"),
    "copa": ("premise", "choice1", "choice2", "question"),
    "multirc": ("passage", "question", "answers"),
    "record": ("passage", "query", "answers"),
    "rte": ("premise", "hypothesis"),
    "wic": ("word", "sentence1", "sentence2"),
    "wsc": ("text", "target"),
    "ax-b": ("sentence1", "sentence2"),
    "ax-g": ("premise", "hypothesis"),
}
TASK_DEFAULTS: dict[str, tuple[str, ...]] = {
    "copa": ("premise", "choice1", "choice2"),
    "record": ("passage", "query"),
    "wic": ("sentence1", "sentence2"),
    "wsc": ("text",),
}
MULTIRC_SENTENCE_MARK = re.compile(r"<b>\s*Sent\s+\d+:\s*</b>")
MULTIRC_BREAK = re.compile(r"\s*<br\s*/?>\s*")
RECORD_HIGHLIGHT = re.compile(r"\n?@highlight[ \t]*\n")


def read_superglue(path: str) -> Iterator[RawItem]:
    task = suite_task(path, TASK_FIELDS, "SuperGLUE")
    split = file_stem(path).lower()
    split = "test" if split == task else split  # AX-b/AX-b.jsonl: the diagnostics are test sets
    for index, (number, obj) in enumerate(json_lines(path)):
        where = f"line {number}"
        own_id = obj.get("idx", index)
        for sub_key, values, answer in task_items(task, obj, path, where):
            yield RawItem(
                key="/".join(str(part) for part in (task, split, own_id, *sub_key)),
                task=task,
                values=values,
                answer=answer,
                where=where,
            )


def task_items(
    task: str, obj: dict, path: str, where: str
) -> Iterator[tuple[tuple, dict[str, FieldValue], str | None]]:
    """(sub-key, values, answer) of one line: one item, or one per question for MultiRC and ReCoRD."""
    if task == "multirc":
        passage = dict_field(obj, "passage", path, where)
        text = MULTIRC_SENTENCE_MARK.sub("", text_field(passage, "text", path, where))
        text = MULTIRC_BREAK.sub(" ", text).strip()
        for q, question in enumerate(list_of_objects(passage, "questions", path, where)):
            answers = list_of_objects(question, "answers", path, where)
            texts = [text_field(a, "text", path, where) for a in answers]
            correct = [t for a, t in zip(answers, texts, strict=True) if a.get("label") in (1, True)]
            values = {
                "passage": text,
                "question": text_field(question, "question", path, where),
                "answers": texts,
            }
            yield (question.get("idx", q),), values, "\n".join(correct) or None
    elif task == "record":
        passage = dict_field(obj, "passage", path, where)
        text = RECORD_HIGHLIGHT.sub("\n", text_field(passage, "text", path, where))
        for q, qa in enumerate(list_of_objects(obj, "qas", path, where)):
            answers = [
                text_field(a, "text", path, where) for a in list_of_objects(qa, "answers", path, where)
            ]
            values = {"passage": text, "query": text_field(qa, "query", path, where), "answers": answers}
            yield (qa.get("idx", q),), values, answers[0] if answers else None
    elif task == "wsc":
        target = dict_field(obj, "target", path, where)
        spans = [text_field(target, key, path, where) for key in ("span1_text", "span2_text")]
        yield (), {"text": text_field(obj, "text", path, where), "target": spans}, None
    else:
        values = {key: text_field(obj, key, path, where) for key in TASK_FIELDS[task]}
        answer = None
        if task == "copa" and obj.get("label") in (0, 1):
            answer = values[f"choice{obj['label'] + 1}"]
        yield (), values, answer


SUPERGLUE = Loader(
    name="superglue",
    parse=read_superglue,
    fields=tuple(dict.fromkeys(f for fields in TASK_FIELDS.values() for f in fields)),
    default_fields=tuple(dict.fromkeys(f for fields in TASK_FIELDS.values() for f in fields)),
    task_default_fields=TASK_DEFAULTS,
    file_patterns=("*.jsonl",),
)
