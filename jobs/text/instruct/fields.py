"""Task types and the canonical fields of their examples.

An example is a dict of canonical fields: strings, except `options` (a list of strings) and `turns`
(a list of {role, content}). A recipe maps a dataset's own field names onto these.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

# type -> (required fields, optional fields)
TASK_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "open_qa": (("question", "answer"), ("context",)),
    "multiple_choice": (("question", "options", "answer"), ("context", "rationale")),
    "classification": (("text", "answer"), ("options", "text2", "rationale")),
    "extraction": (("context", "question", "answer"), ()),
    "summarization": (("text", "answer"), ("title",)),
    "translation": (("text", "source_lang", "target_lang", "answer"), ()),
    "code": (("question", "answer"), ("code_lang",)),
    "math": (("question", "answer"), ("rationale",)),
    "dialogue": (("turns",), ("system",)),
}
TASK_TYPES = tuple(TASK_FIELDS)
LIST_FIELDS = frozenset({"options", "turns"})
CANONICAL_FIELDS = frozenset(f for required, optional in TASK_FIELDS.values() for f in required + optional)
# Not a field of its own: an index into `options` that becomes `answer` (datasets that store labels as ints).
ANSWER_INDEX = "answer_index"
TURN_ROLES = ("system", "user", "assistant")


class BadRecord(ValueError):
    """A record that cannot become an example; str(err) is the short reason (a reject reason suffix)."""


def field_value(record: dict, path: str) -> Any:
    """record["a"]["b"] for "a.b"; None when any step is missing."""
    value: Any = record
    for step in path.split("."):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _turns(value: Any) -> list[dict]:
    if not isinstance(value, list):
        raise BadRecord("bad_turns")
    turns = []
    for index, turn in enumerate(value):
        if isinstance(turn, dict):
            role = str(turn.get("role") or turn.get("from") or "").lower()
            content = _as_text(turn.get("content", turn.get("value")))
        elif isinstance(turn, str):  # a bare list of strings alternates user, assistant
            role, content = ("user", "assistant")[index % 2], turn.strip()
        else:
            raise BadRecord("bad_turns")
        role = {"human": "user", "gpt": "assistant", "bot": "assistant"}.get(role, role)
        if role not in TURN_ROLES or content is None:
            raise BadRecord("bad_turns")
        turns.append({"role": role, "content": content})
    return turns


def example_from_record(record: dict, task_type: str, mapping: dict[str, str], constants: dict) -> dict:
    """The canonical example of one dataset record. Empty values are left out, so a missing or
    blank required field is found by `missing_fields`."""
    example: dict[str, Any] = {}
    for name, value in constants.items():
        example[name] = list(value) if isinstance(value, list) else value
    for name, path in mapping.items():
        value = field_value(record, path)
        if value is None:
            continue
        if name == "options":
            if not isinstance(value, list):
                raise BadRecord("bad_options")
            example[name] = [t for t in (_as_text(v) for v in value) if t]
        elif name == "turns":
            example[name] = _turns(value)
        elif name != ANSWER_INDEX:
            example[name] = _as_text(value)
    if ANSWER_INDEX in mapping and example.get("answer") in (None, ""):
        index = field_value(record, mapping[ANSWER_INDEX])
        options = example.get("options") or []
        try:
            example["answer"] = options[int(index)]
        except (TypeError, ValueError, IndexError):
            raise BadRecord("bad_answer_index") from None
    required, optional = TASK_FIELDS[task_type]
    return {k: v for k, v in example.items() if k in required + optional and v not in (None, "", [])}


def missing_fields(example: dict, task_type: str) -> list[str]:
    required, _ = TASK_FIELDS[task_type]
    missing = [name for name in required if example.get(name) in (None, "", [])]
    if task_type == "dialogue" and not missing:
        turns = example["turns"]
        if turns[-1]["role"] != "assistant" or not any(t["role"] == "user" for t in turns):
            missing.append("turns")
    return missing


def content_text(example: dict, task_type: str, constants=()) -> str:
    """The example's own content (its fields, not template words nor the task's constants such
    as a label set), normalised: the text duplicates are found by, so one question rendered with
    two templates is still one, and two short reviews are not alike for sharing their labels."""
    required, optional = TASK_FIELDS[task_type]
    parts = []
    for name in required + optional:
        value = None if name in constants else example.get(name)
        if name == "turns" and value:
            parts.extend(t["content"] for t in value)
        elif isinstance(value, list):
            parts.extend(value)
        elif value:
            parts.append(value)
    text = unicodedata.normalize("NFKC", "\n".join(parts)).lower()
    return " ".join(text.split())
