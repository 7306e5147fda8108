"""The instruction template registry (jobs/instructions/templates/*.yaml) and the sample task
datasets (recipes/sample_tasks/*.jsonl): checked as data, with PyYAML and string.Formatter only."""

from __future__ import annotations

import json
import re
import string
import unicodedata
from pathlib import Path

import pytest
import yaml

from jobs.text.instruct.fields import TASK_FIELDS
from tests.conftest import ROOT

TEMPLATES = ROOT / "jobs" / "instructions" / "templates"
TASKS = ROOT / "recipes" / "sample_tasks"
BENCHMARK = ROOT / "recipes" / "sample_benchmarks" / "sample-qa.jsonl"

# type -> (required fields, optional fields): the canonical fields of an example, the engine's own.
FIELDS = TASK_FIELDS
WITH_OPTIONS = ("multiple_choice", "classification")  # need templates with and without {options}
INVERTIBLE = ("open_qa", "extraction", "summarization", "translation", "code")
TEMPLATE_KEYS = {"id", "prompt", "answer", "needs", "options", "letters"}
FILE_KEYS = {"task_type", "templates", "inverted", "cot_suffix", "cot_answer"}
# Optional fields that need no template of their own (chain-of-thought uses cot_answer; the
# classification label set is what `options: true` templates list).
NO_TEMPLATE_NEEDED = {"rationale", "options"}

SYNTHETIC = {
    "open_qa": {
        "question": "What is the capital of Peru?",
        "answer": "Lima",
        "context": "Peru is in South America.",
    },
    "multiple_choice": {
        "question": "Which planet is largest?",
        "options": ["Mars", "Jupiter", "Venus"],
        "answer": "Jupiter",
        "context": "The solar system has eight planets.",
        "rationale": "Jupiter is about eleven times as wide as Earth.",
    },
    "classification": {
        "text": "A man is sleeping.",
        "text2": "A person is resting.",
        "options": ["entailment", "neutral", "contradiction"],
        "answer": "entailment",
        "rationale": "Sleeping is a way of resting.",
    },
    "extraction": {
        "context": "Bees make honey from nectar.",
        "question": "What is honey made from?",
        "answer": "nectar",
    },
    "summarization": {
        "text": "A long text. It says things.",
        "answer": "A text says things.",
        "title": "Things",
    },
    "translation": {
        "text": "Good morning.",
        "source_lang": "English",
        "target_lang": "French",
        "answer": "Bonjour.",
    },
    "code": {
        "question": "Add two numbers.",
        "answer": "def add(a, b):\n    return a + b",
        "code_lang": "Python",
    },
    "math": {"question": "What is 2 + 3?", "answer": "5", "rationale": "2 + 3 = 5."},
    "dialogue": {
        "turns": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}],
        "system": "You are a pirate.",
    },
}


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _files() -> list[Path]:
    return sorted(TEMPLATES.glob("*.yaml"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _all_templates(doc: dict) -> list[tuple[dict, bool]]:
    return [(t, False) for t in doc.get("templates") or []] + [(t, True) for t in doc.get("inverted") or []]


def _render(template: dict, example: dict) -> tuple[str, str]:
    values = {k: v for k, v in example.items() if not isinstance(v, list)}
    options = example.get("options") or []
    if template.get("letters"):
        values["options"] = "\n".join(f"({string.ascii_uppercase[i]}) {o}" for i, o in enumerate(options))
        values["answer_letter"] = string.ascii_uppercase[options.index(example["answer"])]
    else:
        values["options"] = "\n".join(f"- {o}" for o in options)
    return template["prompt"].format_map(values), template["answer"].format_map(values)


# --------------------------------------------------------------------------------------------
# The template registry
# --------------------------------------------------------------------------------------------


def test_one_file_per_task_type():
    assert sorted(p.stem for p in _files()) == sorted(FIELDS)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.stem)
def test_template_file(path):
    doc = _load(path)
    task_type = path.stem
    assert isinstance(doc, dict) and doc["task_type"] == task_type
    assert set(doc) <= FILE_KEYS, set(doc) - FILE_KEYS
    assert path.read_text(encoding="utf-8").startswith(f"# {task_type}:"), "a comment saying what the type is"
    required, optional = FIELDS[task_type]
    canonical = set(required) | set(optional)
    templates = doc["templates"]
    min_templates = 4 if task_type == "dialogue" else 6
    assert len(templates) >= min_templates
    assert sum(1 for t in templates if not t.get("needs")) >= 3, (
        "at least 3 templates usable by every example"
    )
    if doc.get("inverted"):
        assert task_type in INVERTIBLE

    for template, inverted in _all_templates(doc):
        where = template.get("id")
        assert set(template) <= TEMPLATE_KEYS and {"id", "prompt", "answer"} <= set(template), where
        assert re.fullmatch(rf"{task_type}/[a-z0-9]+(-[a-z0-9]+)*", template["id"]), where
        needs = template.get("needs") or []
        assert isinstance(needs, list) and set(needs) <= set(optional), where
        options, letters = bool(template.get("options")), bool(template.get("letters"))
        assert not letters or options, f"{where}: letters: true needs options: true"
        prompt_fields, answer_fields = _placeholders(template["prompt"]), _placeholders(template["answer"])
        used = prompt_fields | answer_fields
        allowed = (canonical - {"options", "turns"}) | ({"options"} if options else set())
        allowed |= {"answer_letter"} if letters else set()
        assert used <= allowed, f"{where}: {used - allowed}"
        # A template uses exactly the optional fields it needs (else an example without them fails).
        assert used & (set(optional) - {"options"}) == set(needs), where
        assert ("options" in prompt_fields) == options, (
            f"{where}: options: true <=> {{options}} in the prompt"
        )
        if letters:
            assert "answer_letter" in answer_fields, where
        if task_type == "dialogue":
            assert template["answer"] == "" and prompt_fields <= {"system"} and not inverted, where
            continue
        assert template["prompt"].strip() and template["answer"].strip(), where
        inputs = set(required) - {"answer", "options", "source_lang", "target_lang"}
        if inverted:
            assert "answer" in prompt_fields and answer_fields & inputs, (
                f"{where}: the answer becomes the input"
            )
        else:
            assert prompt_fields & inputs, f"{where}: the prompt shows the input"
            assert answer_fields & {"answer", "answer_letter"}, where
            assert "answer" not in prompt_fields and "answer_letter" not in prompt_fields, (
                f"{where}: leaks the answer"
            )
        prompt, answer = _render(template, SYNTHETIC[task_type])
        assert prompt.strip() and answer.strip(), where

    prompts = [t["prompt"] for t in templates]
    assert len(set(prompts)) == len(prompts), "prompts differ"
    if task_type != "dialogue":
        verbs = {re.match(r"\W*(\w+)", p.replace("{", " ")).group(1).lower() for p in prompts}
        assert len(verbs) >= 4, f"varied openings: {verbs}"

    # Examples with and without each optional field have templates.
    for name in set(optional) - NO_TEMPLATE_NEEDED:
        assert any(name in (t.get("needs") or []) for t in templates), f"no template uses {name}"
    if "rationale" in optional:
        assert "{rationale}" in doc["cot_answer"] and "{answer}" in doc["cot_answer"]
    for key in ("cot_suffix", "cot_answer"):
        if key in doc:
            assert _placeholders(doc[key]) <= canonical - {"options", "turns"}, key
            assert "rationale" in optional, f"{key} without a rationale field"
    if task_type in WITH_OPTIONS:
        assert any(t.get("options") for t in templates) and any(not t.get("options") for t in templates)
        assert any(t.get("letters") for t in templates)
    if task_type == "dialogue":
        assert any(t["prompt"] == "{system}" and t.get("needs") == ["system"] for t in templates)
        assert sum(1 for t in templates if not t.get("needs") and t["prompt"]) >= 3, "system message variants"
    if task_type == "math":
        assert doc["cot_answer"] == "{rationale}\nThe answer is {answer}."


def test_template_ids_unique_across_registry():
    ids = [t["id"] for path in _files() for t, _ in _all_templates(_load(path))]
    assert len(ids) == len(set(ids))


def test_literal_braces_render():
    code = _load(TEMPLATES / "code.yaml")
    braced = [t for t in code["templates"] if "{{" in t["prompt"]]
    assert braced, "a code prompt with literal braces"
    prompt, _ = _render(braced[0], SYNTHETIC["code"])
    assert "{TODO}" in prompt


# --------------------------------------------------------------------------------------------
# The sample task datasets
# --------------------------------------------------------------------------------------------

# task -> (type, canonical field -> the record's field, constants): what a recipe would map.
SPECS = {
    "capitals_qa": ("open_qa", {"question": "q", "answer": "a", "context": "ctx"}, {}),
    "science_mc": (
        "multiple_choice",
        {"question": "stem", "options": "choices", "answer_index": "label", "rationale": "explanation"},
        {},
    ),
    "review_sentiment": (
        "classification",
        {"text": "sentence", "answer": "label"},
        {"options": ["positive", "negative", "neutral"]},
    ),
    "nli_pairs": (
        "classification",
        {"text": "premise", "text2": "hypothesis", "answer": "gold"},
        {"options": ["entailment", "neutral", "contradiction"]},
    ),
    "passage_spans": ("extraction", {"context": "passage", "question": "query", "answer": "span"}, {}),
    "short_summaries": ("summarization", {"text": "paragraph", "answer": "summary", "title": "headline"}, {}),
    "en_fr_phrases": (
        "translation",
        {"text": "en", "answer": "fr"},
        {"source_lang": "English", "target_lang": "French"},
    ),
    "python_funcs": ("code", {"question": "docstring", "answer": "solution", "code_lang": "language"}, {}),
    "arithmetic_words": ("math", {"question": "problem", "answer": "result", "rationale": "steps"}, {}),
    "help_desk_chats": ("dialogue", {"turns": "conversation", "system": "system_prompt"}, {}),
}
# The records planted for the clean-up (README.md lists them too).
DUPLICATES = {
    "capitals_qa-061": "capitals_qa-002",
    "capitals_qa-062": "capitals_qa-012",
    "capitals_qa-063": "capitals_qa-046",
}
NEAR_DUPLICATES = {"passage_spans-044": "passage_spans-042", "passage_spans-045": "passage_spans-043"}
EMPTY_ANSWER = "en_fr_phrases-061"
MISSING_QUESTION = "arithmetic_words-050"
OVER_LONG = "passage_spans-046"
CONTAMINATED = ("capitals_qa-064", "sample-qa/2")
BAD = {EMPTY_ANSWER, MISSING_QUESTION}


def _records(task: str) -> list[dict]:
    return [json.loads(line) for line in (TASKS / f"{task}.jsonl").read_text(encoding="utf-8").splitlines()]


def _all_records() -> dict[str, dict]:
    return {r["id"]: r for task in SPECS for r in _records(task)}


def _example(record: dict, task: str) -> dict:
    task_type, mapping, constants = SPECS[task]
    example = dict(constants)
    for name, field in mapping.items():
        if record.get(field) not in (None, "", []):
            example[name] = record[field]
    if "answer_index" in example:
        example["answer"] = example["options"][example.pop("answer_index")]
    return example


def _content(record: dict) -> str:
    parts = []
    for key, value in record.items():
        if key in ("id", "split", "tests", "language", "label"):
            continue
        parts.extend(
            t["content"] if isinstance(t, dict) else t
            for t in (value if isinstance(value, list) else [value])
        )
    text = unicodedata.normalize("NFKC", "\n".join(parts)).lower()
    return " ".join(text.split())


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_one_file_per_task_and_readme():
    assert sorted(p.stem for p in TASKS.glob("*.jsonl")) == sorted(SPECS)
    readme = (TASKS / "README.md").read_text(encoding="utf-8")
    for name in [
        *SPECS,
        *DUPLICATES,
        *NEAR_DUPLICATES,
        EMPTY_ANSWER,
        MISSING_QUESTION,
        OVER_LONG,
        CONTAMINATED[0],
    ]:
        assert name in readme, name


@pytest.mark.parametrize("task", sorted(SPECS))
def test_task_file(task):
    records = _records(task)
    task_type, mapping, _ = SPECS[task]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) and all(i.startswith(f"{task}-") for i in ids)
    assert 40 <= len(records) <= 80
    assert {r["split"] for r in records} == {"train", "test"}
    train = sum(r["split"] == "train" for r in records) / len(records)
    assert 0.2 <= train <= 0.4, train
    required, optional = FIELDS[task_type]
    templates = _load(TEMPLATES / f"{task_type}.yaml")["templates"]
    for record in records:
        assert set(record) - {"id", "split", "tests"} <= set(mapping.values()), record["id"]
        example = _example(record, task)
        if record["id"] in BAD:
            assert set(required) - set(example), f"{record['id']} is planted as a bad record"
            continue
        assert set(required) <= set(example), record["id"]
        assert all(isinstance(example[f], list if f in ("options", "turns") else str) for f in example)
        for template in templates:  # every template the example can use renders it
            if set(template.get("needs") or []) <= set(example) and (
                not template.get("options") or example.get("options")
            ):
                _render(template, example)


def test_task_contents():
    for record in _records("science_mc"):
        assert len(record["choices"]) == len(set(record["choices"])) == 4 and record["label"] in range(4)
    explained = sum("explanation" in r for r in _records("science_mc"))
    assert 0.4 <= explained / len(_records("science_mc")) <= 0.6
    for task, labels in (("review_sentiment", "label"), ("nli_pairs", "gold")):
        records = _records(task)
        assert {r[labels] for r in records} == set(SPECS[task][2]["options"])
        assert {r[labels] for r in records if r["split"] == "train"} == set(SPECS[task][2]["options"])
    for record in _records("passage_spans"):
        assert record["span"] in record["passage"], record["id"]
    for record in _records("short_summaries"):
        sentences = len(re.findall(r"[.!?](?:\s|$)", record["paragraph"]))
        assert 4 <= sentences <= 8 and len(re.findall(r"[.!?](?:\s|$)", record["summary"])) == 1, record["id"]
    for record in _records("python_funcs"):
        namespace: dict = {}
        exec(record["solution"], namespace)  # the solutions are this project's own code
        for test in record["tests"]:
            exec(test, namespace)
        assert record["solution"].startswith(record["docstring"])
    for record in _records("arithmetic_words"):
        if record["id"] != MISSING_QUESTION:
            assert record["result"] in record["steps"].splitlines()[-1], record["id"]
    for record in _records("help_desk_chats"):
        turns = record["conversation"]
        assert 2 <= len(turns) <= 6 and len(turns) % 2 == 0
        assert [t["role"] for t in turns] == ["user", "assistant"] * (len(turns) // 2)
        assert all(t["content"].strip() for t in turns)
    assert sum("system_prompt" in r for r in _records("help_desk_chats")) >= 5


def test_planted_duplicates():
    records = _all_records()
    for copy, original in {**DUPLICATES, **NEAR_DUPLICATES}.items():
        a, b = records[copy], records[original]
        assert a["split"] == b["split"] == "test"
    for copy, original in DUPLICATES.items():
        strip = lambda r: {k: v for k, v in r.items() if k != "id"}  # noqa: E731
        assert strip(records[copy]) == strip(records[original])
    for copy, original in NEAR_DUPLICATES.items():
        a, b = records[copy], records[original]
        assert a["query"] == b["query"] and a["span"] == b["span"] and a["passage"] != b["passage"]
        changed = set(a["passage"].split()) ^ set(b["passage"].split())
        assert 1 <= len(changed) // 2 <= 2, changed
        assert len(a["passage"].split()) >= 100
        assert _jaccard(_content(a), _content(b)) >= 0.85


def test_no_unplanted_duplicates():
    """Within each task, the only exact or near (word 5-gram Jaccard >= 0.7) duplicates are the planted ones."""
    planted = {frozenset(p) for p in [*DUPLICATES.items(), *NEAR_DUPLICATES.items()]}
    for task in SPECS:
        records = [r for r in _records(task) if r["id"] != OVER_LONG]
        contents = [(r["id"], _content(r)) for r in records]
        for i, (id_a, a) in enumerate(contents):
            for id_b, b in contents[i + 1 :]:
                if frozenset((id_a, id_b)) not in planted:
                    assert a != b and _jaccard(a, b) < 0.7, (id_a, id_b)


def test_planted_bad_and_long_records():
    records = _all_records()
    assert records[EMPTY_ANSWER]["fr"] == "" and records[EMPTY_ANSWER]["en"]
    assert "problem" not in records[MISSING_QUESTION] and records[MISSING_QUESTION]["result"]
    long = records[OVER_LONG]
    assert 30_000 <= len(long["passage"]) < 32_000 and long["span"] in long["passage"]
    assert max(len(json.dumps(r, ensure_ascii=False)) for i, r in records.items() if i != OVER_LONG) < 5_000


def test_planted_benchmark_quote():
    record_id, bench_id = CONTAMINATED
    item = next(json.loads(line) for line in BENCHMARK.read_text().splitlines() if bench_id in line)
    record = _all_records()[record_id]
    passage, question = (part.split(": ", 1)[1] for part in item["text"].split("\n"))
    assert passage in record["q"] and question in record["q"] and record["a"] == item["answer"]
    # No other record quotes any benchmark item (so decontamination rejects exactly the planted one).
    items = [json.loads(line) for line in BENCHMARK.read_text().splitlines()]
    quotes = [_content({"t": p.split(": ", 1)[1]}) for i in items for p in i["text"].split("\n")]
    for rid, r in _all_records().items():
        if rid != record_id:
            assert not any(len(q.split()) >= 8 and q in _content(r) for q in quotes), rid
