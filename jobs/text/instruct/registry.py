"""The template registry: YAML files, one per task type, several templates each.

A file (jobs/instructions/templates/<type>.yaml, or any file a recipe adds):

    task_type: open_qa
    templates:   [{id, prompt, answer, needs: [optional fields], options: bool, letters: bool}]
    inverted:    [...]          # input inversion: the answer becomes the input
    cot_suffix:  "Let's think step by step."
    cot_answer:  "{rationale}\nSo the answer is {answer}."

Placeholders are str.format fields: the type's canonical fields, `{options}` and, with
`letters: true`, `{answer_letter}`. Files loaded later add templates to a type; an id seen twice
is an error, so a recipe cannot silently replace a built-in template.
"""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass, field

import fsspec
import yaml

from jobs.text.instruct.fields import TASK_FIELDS

# Words an instruction often starts with that are not its verb ("Here is a passage. Summarize it.").
NOT_VERBS = frozenset(
    "the a an this that these those here there below following given is are be please "
    "i you we my your our it its now then next and or".split()
)
DEFAULT_COT_SUFFIX = "Let's think step by step."
DEFAULT_COT_ANSWER = "{rationale}\nSo the answer is {answer}."


class TemplateError(ValueError):
    """A template file that cannot be used; the message names the file and the template."""


@dataclass(frozen=True)
class Template:
    id: str
    task_type: str
    prompt: str
    answer: str
    needs: tuple[str, ...] = ()
    options: bool = False
    letters: bool = False
    inverted: bool = False

    @property
    def leading_word(self) -> str | None:
        return leading_word(self.prompt)

    def usable_for(self, example: dict) -> bool:
        return all(example.get(name) not in (None, "", []) for name in self.needs)


@dataclass
class TypeTemplates:
    task_type: str
    templates: list[Template] = field(default_factory=list)
    inverted: list[Template] = field(default_factory=list)
    cot_suffix: str = DEFAULT_COT_SUFFIX
    cot_answer: str = DEFAULT_COT_ANSWER


@dataclass
class TemplateRegistry:
    types: dict[str, TypeTemplates]
    files: list[str]
    digest: str  # sha256 over the files' bytes: part of the stage's fingerprint

    def of(self, task_type: str) -> TypeTemplates:
        if task_type not in self.types or not self.types[task_type].templates:
            raise TemplateError(f"no templates for task type {task_type!r} in {', '.join(self.files)}")
        return self.types[task_type]

    @property
    def leading_words(self) -> dict[str, str | None]:
        return {t.id: t.leading_word for tt in self.types.values() for t in tt.templates + tt.inverted}

    def template_ids(self) -> list[str]:
        return sorted(t.id for tt in self.types.values() for t in tt.templates + tt.inverted)


def leading_word(prompt_template: str) -> str | None:
    """The instruction's leading word, from the template's own words (not the example's): the
    first that is neither a label ("Question:") nor in NOT_VERBS; None for a template that is only
    the input (a bare question)."""
    literal = " ".join(text for text, _, _, _ in string.Formatter().parse(prompt_template))
    for match in re.finditer(r"([A-Za-z]+)(:?)", literal):
        word = match.group(1).lower()
        if match.group(2) or word in NOT_VERBS or len(word) < 2:
            continue
        return word
    return None


def _placeholders(text: str, where: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as err:
        raise TemplateError(f"{where}: {err} (write literal braces as {{{{ and }}}})") from None


def _template(raw: dict, task_type: str, inverted: bool, where: str) -> Template:
    if not isinstance(raw, dict) or not raw.get("id") or "prompt" not in raw or "answer" not in raw:
        raise TemplateError(f"{where}: a template needs id, prompt and answer")
    unknown_keys = set(raw) - {"id", "prompt", "answer", "needs", "options", "letters"}
    if unknown_keys:
        raise TemplateError(f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
    template = Template(
        id=str(raw["id"]),
        task_type=task_type,
        prompt=str(raw["prompt"]),
        answer=str(raw["answer"]),
        needs=tuple(raw.get("needs") or ()),
        options=bool(raw.get("options", False)),
        letters=bool(raw.get("letters", False)),
        inverted=inverted,
    )
    required, optional = TASK_FIELDS[task_type]
    allowed = (set(required) | set(optional) | {"options"}) - {"turns"}
    if template.letters:
        allowed.add("answer_letter")
    used = _placeholders(template.prompt, where) | _placeholders(template.answer, where)
    if used - allowed:
        raise TemplateError(
            f"{where}: placeholder(s) {', '.join(sorted(used - allowed))} not fields of {task_type} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )
    if set(template.needs) - set(optional):
        raise TemplateError(f"{where}: needs {template.needs} must be optional fields of {task_type}")
    if "options" in used and not template.options and "options" not in required:
        raise TemplateError(f"{where}: uses {{options}}, so it must say options: true")
    return template


def _files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in paths:
        fs, local = fsspec.core.url_to_fs(path)
        protocol = path.split("://", 1)[0] + "://" if "://" in path else ""
        if fs.isdir(local):
            found = sorted(p for p in fs.find(local) if p.endswith((".yaml", ".yml")))
        elif fs.exists(local):
            found = [local]
        else:
            raise TemplateError(f"template path {path} does not exist")
        files.extend(protocol + p if protocol else p for p in found)
    return files


def load_registry(paths: list[str]) -> TemplateRegistry:
    """The templates in `paths` (files or folders of .yaml, local or fsspec), in that order."""
    files = _files(list(paths))
    types: dict[str, TypeTemplates] = {}
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in files:
        with fsspec.open(path, "rb") as f:
            data = f.read()
        digest.update(path.rsplit("/", 1)[-1].encode() + b"\0" + data)
        try:
            doc = yaml.safe_load(data)
        except yaml.YAMLError as err:
            raise TemplateError(f"{path}: not valid YAML: {err}") from None
        task_type = doc.get("task_type") if isinstance(doc, dict) else None
        if task_type not in TASK_FIELDS:
            raise TemplateError(
                f"{path}: task_type must be one of {', '.join(TASK_FIELDS)} (got {task_type!r})"
            )
        entry = types.setdefault(task_type, TypeTemplates(task_type))
        entry.cot_suffix = doc.get("cot_suffix", entry.cot_suffix)
        entry.cot_answer = doc.get("cot_answer", entry.cot_answer)
        _placeholders(entry.cot_answer, f"{path}: cot_answer")
        for key, inverted in (("templates", False), ("inverted", True)):
            for index, raw in enumerate(doc.get(key) or []):
                template = _template(raw, task_type, inverted, f"{path}: {key}[{index}]")
                if template.id in seen:
                    raise TemplateError(
                        f"{path}: template id {template.id} is already defined in {seen[template.id]}"
                    )
                seen[template.id] = path
                (entry.inverted if inverted else entry.templates).append(template)
    return TemplateRegistry(types=types, files=files, digest=digest.hexdigest())
