"""The filter's rescue (soft rules get a second opinion from the shipped quality model) and the
line-end punctuation rule that counts ':' and ')' as ends of documentation lines."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest
from pydantic import ValidationError

from jobs.filter import REASON, external_inputs, filter_batch, measure_of, preflight
from jobs.text.model_probe import ModelUnusable
from jobs.text.rules import decide
from jobs.text.rules.web import web_signals
from schemas.filter import RESCUE_COLUMNS, SIGNAL_OF_REASON, FilterRescue, FilterSettings, kept_expectations
from tests.test_filter_web_rules import ENGLISH, stuffed

CHROME = (
    "Home | News | Sport | Weather | Contact | About us\nMenu\nSearch\nLog in\nShare this\n"
    + ENGLISH
    + "\n© 2024 Example Ltd. All rights reserved.\nPrivacy policy\nCookie settings\nBack to top"
)
DOCUMENTATION = (
    "Printing a document\n"
    "To print the current document, choose one of the following:\n"
    "File - Print (opens the Print dialog)\n"
    "The Print icon on the Standard bar (prints with the current settings)\n"
    "The dialog has these tabs:\n"
    "General (printer, range and copies)\n"
    "Options (paper tray, brochure printing and notes)\n"
    "Each tab remembers the values you chose last time (until you close the program)"
)


def salad(text: str, seed: int = 1) -> str:
    words = [w.strip(".,") for w in text.split()]
    random.Random(seed).shuffle(words)
    return "\n".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))


def run(texts: list[str], settings: FilterSettings) -> pa.RecordBatch:
    n = len(texts)
    batch = pa.RecordBatch.from_pydict(
        {"id": [str(i) for i in range(n)], "text": texts, "kind": ["text"] * n, "lang": ["en"] * n}
    )
    return filter_batch(batch, settings, measure_of(settings))


def column(out: pa.RecordBatch, name: str) -> list:
    return out.column(out.schema.names.index(name)).to_pylist()


# -- line-end punctuation ------------------------------------------------------------------------


def test_documentation_lines_ending_in_colons_and_brackets_count_as_punctuated():
    signals = web_signals(DOCUMENTATION)
    assert signals["sig_web_line_end_punct_frac"] == pytest.approx(7 / 8)  # all but the heading
    settings = dict(
        web_min_line_end_punct_frac=0.1,
        gopher_min_doc_words=20,
        gopher_min_alpha_words_ratio=0.6,
        c4_min_num_sentences=0,
    )
    # FineWeb's rule counts terminal marks only: the same page fails it
    assert column(run([DOCUMENTATION], FilterSettings(**settings)), REASON) == ["fineweb:line_punct_ratio"]
    out = run([DOCUMENTATION], FilterSettings(**settings, fineweb_line_punct_thr=None))
    assert column(out, REASON) == [None]


def test_word_salad_fails_the_line_end_rule_and_the_rule_is_off_by_default():
    text = salad(ENGLISH * 2)
    assert web_signals(text)["sig_web_line_end_punct_frac"] < 0.1
    strict = FilterSettings(web_min_line_end_punct_frac=0.1, fineweb_line_punct_thr=None)
    assert column(run([text], strict), REASON) == ["web:unpunctuated_lines"]
    assert column(run([ENGLISH], strict), REASON) == [None]
    assert FilterSettings().web_min_line_end_punct_frac is None
    assert column(run([text], FilterSettings(fineweb_line_punct_thr=None)), REASON) != [
        "web:unpunctuated_lines"
    ]


def test_cjk_full_stops_and_brackets_end_lines():
    text = "现在的单词变为大写。\n参见选项（默认）\n示例：\n"
    assert web_signals(text, spaced_words=False)["sig_web_line_end_punct_frac"] == 1.0


# -- rescue --------------------------------------------------------------------------------------


def test_soft_rejection_with_a_high_score_is_kept_and_says_why():
    # ENGLISH (~150 words) fails a minimum of 200 words; the model scores it ~0.97
    settings = FilterSettings(gopher_min_doc_words=200, rescue=FilterRescue(rules=["gopher:too_few_words"]))
    out = run([ENGLISH], settings)
    assert column(out, REASON) == [None]
    assert column(out, "filter_rescued_rule") == ["gopher:too_few_words"]
    assert column(out, "filter_rescue_score")[0] >= 0.8
    # without the rescue the same document is rejected, and both columns are null
    plain = run([ENGLISH], FilterSettings(gopher_min_doc_words=200))
    assert column(plain, REASON) == ["gopher:too_few_words"]
    assert column(plain, "filter_rescue_score") == [None] and column(plain, "filter_rescued_rule") == [None]


def test_soft_rejection_with_a_low_score_stays_rejected_with_its_score():
    out = run([CHROME], FilterSettings(rescue=FilterRescue()))  # web:chrome is soft by default
    assert column(out, REASON) == ["web:chrome"]
    assert column(out, "filter_rescued_rule") == [None]
    assert column(out, "filter_rescue_score")[0] < 0.8


def test_a_hard_rule_failure_is_never_scored_or_rescued():
    stuffed_chrome = CHROME.replace(ENGLISH, stuffed(ENGLISH, "cheap", 4))  # chrome (soft), stuffing (hard)
    settings = FilterSettings(rescue=FilterRescue(min_score=0.0))
    out = run([stuffed_chrome], settings)
    assert column(out, REASON) == ["web:keyword_stuffing"]
    assert column(out, "filter_rescue_score") == [None]
    # the first failed rule may be soft: the rejection still names it
    soft_first = FilterSettings(
        web_max_chrome_frac=0.0,
        gopher_min_doc_words=200,
        rescue=FilterRescue(rules=["web:chrome"], min_score=0.0),
    )
    out = run([ENGLISH + "\nMenu"], soft_first)
    assert column(out, REASON) == ["web:chrome"]
    assert column(out, "filter_rescue_score") == [None]


def test_rescue_threshold_decides():
    strict = FilterSettings(
        gopher_min_doc_words=200, rescue=FilterRescue(rules=["gopher:too_few_words"], min_score=0.999)
    )
    out = run([ENGLISH], strict)
    assert column(out, REASON) == ["gopher:too_few_words"]
    assert 0.8 < column(out, "filter_rescue_score")[0] < 0.999


def test_code_documents_are_never_rescued():
    settings = FilterSettings(code_max_line_length=10, rescue=FilterRescue(min_score=0.0))
    batch = pa.RecordBatch.from_pydict(
        {"id": ["c"], "text": ["x = 1  # a line longer than ten"], "kind": ["code"], "lang": [None]}
    )
    out = filter_batch(batch, settings, measure_of(settings))
    assert column(out, REASON) == ["code:max_line_length"]
    assert column(out, "filter_rescue_score") == [None]


def test_decide_columns_skips_the_named_rules():
    columns = {name: np.array([np.nan]) for name in SIGNAL_OF_REASON.values()}
    columns["sig_web_chrome_frac"] = np.array([0.9])
    columns["sig_gopher_word_count"] = np.array([5.0])
    settings = FilterSettings()
    prose = np.array([False])
    assert decide.decide_columns(columns, settings, prose)[0] == "web:chrome"
    assert (
        decide.decide_columns(columns, settings, prose, skip=frozenset({"web:chrome"}))[0]
        == "gopher:too_few_words"
    )


def test_rescue_settings_are_checked():
    with pytest.raises(ValidationError, match="code:alnum_frac"):
        FilterRescue(rules=["code:alnum_frac"])
    with pytest.raises(ValidationError, match="no_such_rule"):
        FilterRescue(rules=["gopher:no_such_rule"])
    with pytest.raises(ValidationError):
        FilterRescue(min_score=1.5)
    assert set(SIGNAL_OF_REASON) == {r.reason for r in decide.PROSE_RULES}
    assert all(SIGNAL_OF_REASON[r.reason] == r.signal for r in decide.PROSE_RULES)


def test_kept_expectations_leave_rescued_signals_unbounded():
    plain = kept_expectations(FilterSettings())
    rescued = kept_expectations(FilterSettings(rescue=FilterRescue(rules=["web:chrome"], min_score=0.7)))

    def bounded(expectations):
        return {
            e["kwargs"]["column"] for e in expectations if e["type"] == "expect_column_values_to_be_between"
        }

    assert "sig_web_chrome_frac" in bounded(plain) and "sig_web_chrome_frac" not in bounded(rescued)
    score = [e for e in rescued if e["kwargs"].get("column") == "filter_rescue_score"]
    assert score and score[0]["kwargs"]["min_value"] == 0.7
    columns = next(e for e in plain if e["type"] == "expect_table_columns_to_match_set")["kwargs"][
        "column_set"
    ]
    assert set(RESCUE_COLUMNS) <= set(columns)


def test_preflight_and_fingerprint_name_the_rescue_model(tmp_path):
    assert external_inputs(FilterSettings()) == {}
    inputs = external_inputs(FilterSettings(rescue=FilterRescue()))
    assert list(inputs) == ["default"] and len(inputs["default"]) == 64
    preflight(FilterSettings(rescue=FilterRescue()))
    with pytest.raises(ModelUnusable, match="no label '__label__nope'"):
        preflight(FilterSettings(rescue=FilterRescue(positive_label="__label__nope")))
    broken = tmp_path / "broken.ftz"
    broken.write_bytes(b"not a model")
    with pytest.raises(ModelUnusable):
        preflight(FilterSettings(rescue=FilterRescue(model=str(broken))))
