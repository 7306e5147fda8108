"""One example rendered as an instruction: template, format and exemplars chosen by hashes.

Every choice is a uniform number drawn from (seed, the instance's key, what is being chosen), so
the same recipe renders the same collection whatever the partitioning, and changing one rate
changes only the choices that depend on it.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import xxhash

from jobs.text.instruct.fields import BadRecord
from jobs.text.instruct.registry import Template, TypeTemplates

LETTERS = string.ascii_uppercase
# Optional fields that carry the task's input: when an example has one, only templates that show it
# will do (an NLI pair rendered without its hypothesis is a different, wrong task).
KEEP_WHEN_PRESENT = ("text2", "context", "system")
EXEMPLAR_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class FormatRates:
    few_shot: float = 0.3
    options: float = 0.5
    cot: float = 0.5
    inversion: float = 0.1
    max_exemplars: int = 3
    exemplar_chars: int = 2000


@dataclass
class Rendered:
    messages: list[dict]
    template_id: str
    format: str  # zero_shot | few_shot
    options: bool
    cot: bool
    inverted: bool
    n_exemplars: int
    prompt: str  # the instruction itself, without exemplars (what the report's verbs come from)
    answer: str


def unit(seed: int, key: str, purpose: str) -> float:
    """A uniform number in [0, 1) fixed by (seed, key, purpose)."""
    return xxhash.xxh64_intdigest(f"{purpose}\x1f{key}", seed=seed) / 2.0**64


def _options_block(options: list[str], letters: bool) -> str:
    if letters:
        if len(options) > len(LETTERS):
            raise BadRecord("too_many_options")
        return "\n".join(f"({LETTERS[i]}) {o}" for i, o in enumerate(options))
    return "\n".join(f"- {o}" for o in options)


def _fill(template: Template, example: dict) -> tuple[str, str]:
    values = {k: v for k, v in example.items() if not isinstance(v, list)}
    options = example.get("options") or []
    values["options"] = _options_block(options, template.letters)
    if template.letters:
        if example.get("answer") not in options:
            raise BadRecord("answer_not_in_options")
        values["answer_letter"] = LETTERS[options.index(example["answer"])]
    try:
        return template.prompt.format_map(values).strip(), template.answer.format_map(values).strip()
    except (KeyError, IndexError):
        raise BadRecord("template_field_missing") from None


def _with_cot(prompt: str, answer: str, example: dict, templates: TypeTemplates) -> tuple[str, str]:
    cot_answer = templates.cot_answer.format_map({**example, "answer": answer}).strip()
    return f"{prompt}\n\n{templates.cot_suffix}".strip(), cot_answer


def _showing_inputs(candidates: list[Template], example: dict) -> list[Template]:
    usable = [t for t in candidates if t.usable_for(example)]
    present = {name for name in KEEP_WHEN_PRESENT if example.get(name)}
    return [t for t in usable if present <= set(t.needs)] or usable


def _pick(candidates: list[Template], seed: int, key: str) -> Template:
    return candidates[int(unit(seed, key, "template") * len(candidates))]


def choose_template(
    example: dict, templates: TypeTemplates, rates: FormatRates, seed: int, key: str
) -> tuple[Template, bool]:
    """The template, and whether the example is inverted (its answer becomes the input)."""
    inverted = _showing_inputs(templates.inverted, example)
    if inverted and unit(seed, key, "inversion") < rates.inversion:
        return _pick(inverted, seed, key), True
    usable = _showing_inputs(templates.templates, example)
    has_options = bool(example.get("options"))
    with_options = has_options and unit(seed, key, "options") < rates.options
    wanted = [t for t in usable if t.options == with_options]
    chosen = wanted or [t for t in usable if not t.options or has_options]
    if not chosen:
        raise BadRecord("no_template")
    return _pick(chosen, seed, key), False


def _exemplar_blocks(
    example: dict,
    example_key: str,
    template: Template,
    templates: TypeTemplates,
    pool: list[tuple[str, dict]],
    cot: bool,
    rates: FormatRates,
    seed: int,
) -> list[str]:
    """Exemplars from the task's pool, in an order fixed by the instance's key, while they fit the
    character budget; never the example itself, and only ones the template can render."""
    order = sorted(pool, key=lambda entry: unit(seed, f"{example_key}\x1f{entry[0]}", "exemplar"))
    blocks, used = [], 0
    for exemplar_key, exemplar in order:
        if len(blocks) >= rates.max_exemplars:
            break
        if exemplar_key == example_key or exemplar == example or not template.usable_for(exemplar):
            continue
        if cot and not exemplar.get("rationale"):
            continue
        try:
            prompt, answer = _fill(template, exemplar)
        except BadRecord:
            continue
        if cot:
            prompt, answer = _with_cot(prompt, answer, exemplar, templates)
        block = f"{prompt}\n{answer}"
        if used + len(block) > rates.exemplar_chars:
            continue
        blocks.append(block)
        used += len(block) + len(EXEMPLAR_SEPARATOR)
    return blocks


def render_example(
    example: dict,
    templates: TypeTemplates,
    rates: FormatRates,
    seed: int,
    key: str,
    pool: list[tuple[str, dict]] = (),
) -> Rendered:
    """The chat messages of one example. `key` is the example's stable key (also its key in the
    pool, so it is never its own exemplar)."""
    if templates.task_type == "dialogue":
        return _render_dialogue(example, templates, seed, key)
    template, inverted = choose_template(example, templates, rates, seed, key)
    prompt, answer = _fill(template, example)
    cot = not inverted and bool(example.get("rationale")) and unit(seed, key, "cot") < rates.cot
    if cot:
        prompt, answer = _with_cot(prompt, answer, example, templates)
    blocks: list[str] = []
    if not inverted and pool and unit(seed, key, "few_shot") < rates.few_shot:
        blocks = _exemplar_blocks(example, key, template, templates, list(pool), cot, rates, seed)
    user = EXEMPLAR_SEPARATOR.join([*blocks, prompt])
    return Rendered(
        messages=[{"role": "user", "content": user}, {"role": "assistant", "content": answer}],
        template_id=template.id,
        format="few_shot" if blocks else "zero_shot",
        options=template.options,
        cot=cot,
        inverted=inverted,
        n_exemplars=len(blocks),
        prompt=prompt,
        answer=answer,
    )


def _render_dialogue(example: dict, templates: TypeTemplates, seed: int, key: str) -> Rendered:
    given = [t["content"] for t in example["turns"] if t["role"] == "system"]
    if given and not example.get("system"):
        example = {**example, "system": given[0]}
    usable = _showing_inputs(templates.templates, example)  # the dataset's own system message stays
    if not usable:
        raise BadRecord("no_template")
    template = _pick(usable, seed, key)
    system = template.prompt.format_map({"system": example.get("system", "")}).strip()
    turns = [t for t in example["turns"] if t["role"] != "system"]
    messages = ([{"role": "system", "content": system}] if system else []) + turns
    first_user = next(t["content"] for t in turns if t["role"] == "user")
    return Rendered(
        messages=messages,
        template_id=template.id,
        format="zero_shot",
        options=False,
        cot=False,
        inverted=False,
        n_exemplars=0,
        prompt=first_user,
        answer=turns[-1]["content"],
    )
