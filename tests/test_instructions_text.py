"""The Spark-free parts of instruction collections: fields, the template registry, rendering, mixing."""

from __future__ import annotations

import collections

import pytest

from jobs.instructions.stage import TEMPLATES_DIR
from jobs.text.instruct.fields import BadRecord, content_text, example_from_record, missing_fields
from jobs.text.instruct.mixing import plan_mixture
from jobs.text.instruct.registry import TemplateError, load_registry
from jobs.text.instruct.render import FormatRates, render_example

REGISTRY = load_registry([str(TEMPLATES_DIR)])
NONE = FormatRates(few_shot=0, options=0, cot=0, inversion=0)


def _mc(i: int) -> dict:
    return {
        "question": f"Which planet is number {i}?",
        "options": ["Mercury", "Venus", "Earth", "Mars"],
        "answer": "Earth",
        "rationale": "Earth is the third planet from the Sun.",
    }


def test_records_map_onto_canonical_fields_with_an_answer_index_and_constants():
    record = {"q": {"text": " What is 2+2? "}, "choices": ["3", "4"], "label": 1}
    example = example_from_record(
        record, "multiple_choice", {"question": "q.text", "options": "choices", "answer_index": "label"}, {}
    )
    assert example == {"question": "What is 2+2?", "options": ["3", "4"], "answer": "4"}
    review = example_from_record(
        {"s": "Great film", "y": 0},
        "classification",
        {"text": "s", "answer_index": "y"},
        {"options": ["pos", "neg"]},
    )
    assert review["answer"] == "pos" and review["options"] == ["pos", "neg"]
    with pytest.raises(BadRecord, match="bad_answer_index"):
        example_from_record(
            {"q": "x", "choices": ["a"], "label": 5},
            "multiple_choice",
            {"question": "q", "options": "choices", "answer_index": "label"},
            {},
        )
    assert missing_fields({"question": "Why?"}, "open_qa") == ["answer"]
    chat = example_from_record(
        {"c": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]},
        "dialogue",
        {"turns": "c"},
        {},
    )
    assert chat["turns"][1] == {"role": "assistant", "content": "hello"} and not missing_fields(
        chat, "dialogue"
    )
    assert missing_fields({"turns": [{"role": "user", "content": "hi"}]}, "dialogue") == ["turns"]


def test_content_ignores_template_words_case_spacing_and_the_tasks_constants():
    a = content_text(
        {"text": "Great  FILM", "answer": "pos", "options": ["pos", "neg"]}, "classification", {"options"}
    )
    b = content_text(
        {"text": "great film", "answer": "pos", "options": ["pos", "neg"]}, "classification", {"options"}
    )
    assert a == b == "great film\npos".replace("\n", " ")


def test_every_task_type_renders_and_choices_are_deterministic_and_spread():
    examples = {
        "open_qa": {"question": "What is the capital of Peru?", "answer": "Lima"},
        "multiple_choice": _mc(3),
        "classification": {"text": "I loved it", "answer": "positive", "options": ["positive", "negative"]},
        "extraction": {
            "context": "Ada was born in 1815.",
            "question": "When was Ada born?",
            "answer": "1815",
        },
        "summarization": {"text": "A long paragraph. " * 5, "answer": "A paragraph."},
        "translation": {
            "text": "Hello",
            "source_lang": "English",
            "target_lang": "French",
            "answer": "Bonjour",
        },
        "code": {"question": "Add two numbers.", "answer": "def add(a, b):\n    return a + b"},
        "math": {"question": "What is 3 + 4?", "answer": "7", "rationale": "3 + 4 = 7."},
        "dialogue": {
            "turns": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
        },
    }
    for task_type, example in examples.items():
        templates = REGISTRY.of(task_type)
        used = collections.Counter(
            render_example(example, templates, FormatRates(), 0, f"k{i}").template_id for i in range(200)
        )
        assert len(used) >= 3, (task_type, used)
        first = render_example(example, templates, FormatRates(), 7, "key")
        assert first == render_example(example, templates, FormatRates(), 7, "key")
        assert first.messages[-1]["role"] == "assistant" and first.messages[-1]["content"]


def test_options_cot_and_inversion_follow_their_rates():
    templates = REGISTRY.of("multiple_choice")
    rates = FormatRates(few_shot=0, options=0.5, cot=0.3, inversion=0)
    rendered = [render_example(_mc(i), templates, rates, 0, f"id{i}") for i in range(1000)]
    assert 400 < sum(r.options for r in rendered) < 600
    assert 220 < sum(r.cot for r in rendered) < 380
    cot = next(r for r in rendered if r.cot)
    assert "Earth is the third planet" in cot.answer and templates.cot_suffix in cot.messages[0]["content"]
    plain = next(r for r in rendered if r.options and not r.cot)
    assert "Venus" in plain.messages[0]["content"]
    qa = REGISTRY.of("open_qa")
    inverted = [
        render_example({"question": "Q?", "answer": "Lima"}, qa, FormatRates(inversion=1.0), 0, f"{i}")
        for i in range(20)
    ]
    assert all(r.inverted and r.answer == "Q?" for r in inverted)


def test_few_shot_uses_other_examples_of_the_pool_within_the_budget():
    templates = REGISTRY.of("open_qa")
    pool = [(f"p{i}", {"question": f"Capital number {i}?", "answer": f"City {i}"}) for i in range(10)]
    example = {"question": "Capital of Chile?", "answer": "Santiago"}
    rates = FormatRates(few_shot=1.0, options=0, cot=0, inversion=0, max_exemplars=3, exemplar_chars=10_000)
    rendered = render_example(example, templates, rates, 0, "p3", pool)
    assert rendered.format == "few_shot" and rendered.n_exemplars == 3
    user = rendered.messages[0]["content"]
    assert user.endswith(rendered.prompt) and "City 3" not in user  # never its own exemplar
    tight = render_example(
        example, templates, FormatRates(few_shot=1.0, inversion=0, exemplar_chars=10), 0, "x", pool
    )
    assert tight.format == "zero_shot" and tight.n_exemplars == 0


def test_a_bad_template_file_is_refused_with_its_name(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "task_type: open_qa\ntemplates:\n  - {id: x/y, prompt: '{questoin}', answer: '{answer}'}\n"
    )
    with pytest.raises(TemplateError, match="bad.yaml.*questoin"):
        load_registry([str(bad)])
    clash = tmp_path / "clash.yaml"
    first_id = REGISTRY.of("open_qa").templates[0].id
    clash.write_text(
        f"task_type: open_qa\ntemplates:\n  - {{id: {first_id}, prompt: '{{question}}', answer: '{{answer}}'}}\n"
    )
    with pytest.raises(TemplateError, match="already defined"):
        load_registry([str(TEMPLATES_DIR), str(clash)])
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "task_type: open_qa\ntemplates:\n  - {id: open_qa/mine, prompt: 'Q: {question}', answer: '{answer}'}\n"
    )
    grown = load_registry([str(TEMPLATES_DIR), str(extra)])
    assert "open_qa/mine" in grown.template_ids() and grown.digest != REGISTRY.digest


def test_mixing_caps_tasks_and_holds_family_rates_exactly():
    plan = plan_mixture({"a": 100, "b": 5000, "c": 40}, {"a": "x", "b": "x", "c": "y"}, 1000, {"c": 30}, {})
    assert plan.targets == {"a": 100, "b": 1000, "c": 30}
    rated = plan_mixture(
        {"a": 100, "b": 5000, "c": 40}, {"a": "x", "b": "x", "c": "y"}, 1000, {}, {"x": 0.8, "y": 0.2}
    )
    assert rated.limited_by == "y" and rated.total == 200  # y's 40 examples are 20% of 200
    assert rated.targets["c"] == 40 and rated.targets["a"] + rated.targets["b"] == 160
    assert rated.targets["a"] == round(160 * 100 / 1100)  # examples-proportional inside the family
    budget = plan_mixture({"a": 100, "b": 300}, {"a": "x", "b": "x"}, None, {}, {}, total=40)
    assert budget.targets == {"a": 10, "b": 30}
    with pytest.raises(ValueError, match="without a rate: y"):
        plan_mixture({"a": 1, "c": 1}, {"a": "x", "c": "y"}, None, {}, {"x": 1.0})


def test_an_example_is_never_rendered_without_its_second_text_or_context():
    nli = {
        "text": "A man plays a guitar.",
        "text2": "A person makes music.",
        "answer": "entailment",
        "options": ["entailment", "neutral", "contradiction"],
    }
    for i in range(100):
        rendered = render_example(nli, REGISTRY.of("classification"), FormatRates(), 0, f"n{i}")
        assert "A person makes music." in rendered.messages[0]["content"], rendered.template_id
    qa = {"question": "Who wrote it?", "context": "The letter was written by Ada.", "answer": "Ada"}
    for i in range(100):
        rendered = render_example(qa, REGISTRY.of("open_qa"), FormatRates(), 0, f"q{i}")
        assert "written by Ada" in rendered.messages[0]["content"] or rendered.inverted
