"""curate's web-junk rules and per-language thresholds: each rule passes clean prose and fails
its junk, language thresholds apply by the document's `lang`, and the stored signals re-decide
the same way per document and per batch."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from pydantic import ValidationError

from jobs.filter import REASON, filter_batch, measure_of
from jobs.text.langid import line_shares, reads_as_code
from jobs.text.rules import decide
from jobs.text.rules.web import web_signals
from schemas.filter import LANGUAGE_DEFAULTS, SIGNAL_COLUMNS, FilterSettings, kept_expectations

GERMAN = (
    "Die Stadtbibliothek öffnet ab März auch am Samstag. Der Gemeinderat hat das am Dienstag "
    "beschlossen, nachdem viele Bürgerinnen und Bürger längere Öffnungszeiten gewünscht hatten.\n"
    "Für die zusätzlichen Stunden werden zwei neue Stellen geschaffen. Die Kosten trägt die Stadt, "
    "ein Teil wird aus Spenden des Fördervereins bezahlt, der sich seit Jahren für die Bücherei einsetzt.\n"
    "Außerdem soll der Lesesaal renoviert werden. Die Arbeiten beginnen im Sommer und dauern etwa "
    "drei Monate, in dieser Zeit bleibt der Saal geschlossen, die Ausleihe ist aber weiter möglich."
)
ENGLISH = (
    "The committee met on Tuesday to discuss the new budget and the plans for the coming year. "
    "Members agreed that the library should be open longer, and that the park needs new benches. "
    "They also talked about the school, which has to deal with more pupils than it was built for.\n"
    "A second meeting will be held next month, when the mayor will present a detailed proposal. "
    "Everyone who lives in the town is welcome to attend and to share their views with the council.\n"
    "Minutes of the meeting are available at the town hall and will be sent to anyone who asks for them."
)
LATIN = (
    "Gallia est omnis divisa in partes tres, quarum unam incolunt Belgae, aliam Aquitani, tertiam qui "
    "ipsorum lingua Celtae, nostra Galli appellantur. Hi omnes lingua, institutis, legibus inter se "
    "differunt. Gallos ab Aquitanis Garumna flumen, a Belgis Matrona et Sequana dividit."
)

LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
    "et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
    "aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse "
    "cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in "
    "culpa qui officia deserunt mollit anim id est laborum."
)


def run(texts: list[str], langs: list[str | None] | None = None, **overrides) -> list[str | None]:
    settings = FilterSettings(**overrides)
    n = len(texts)
    batch = pa.RecordBatch.from_pydict(
        {"id": [str(i) for i in range(n)], "text": texts, "kind": ["text"] * n, "lang": langs or ["en"] * n}
    )
    out = filter_batch(batch, settings, measure_of(settings))
    return out.column(out.schema.names.index(REASON)).to_pylist()


def stuffed(text: str, word: str, every: int) -> str:
    words = text.split(" ")
    return " ".join(w + (f" {word}" if i % every == every - 1 else "") for i, w in enumerate(words))


def test_clean_prose_passes_every_web_rule():
    assert run([ENGLISH, GERMAN], ["en", "de"]) == [None, None]
    signals = web_signals(GERMAN)
    assert signals["sig_web_mojibake_per_1k"] == 0 and signals["sig_web_placeholder_frac"] == 0
    assert 0.05 < web_signals(ENGLISH, ("the", "of", "and"))["sig_web_top_stop_word_frac"] < 0.2
    assert web_signals(ENGLISH)["sig_web_top_stop_word_frac"] is None  # no stop-word list
    prose_about_scripts = "A lookup returns undefined for a missing key, and NaN is not equal to itself."
    assert web_signals(prose_about_scripts)["sig_web_markup_frac"] == 0


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (GERMAN.encode("utf-8").decode("latin-1"), "de", "web:mojibake"),
        (ENGLISH.replace(". ", " ★★★★★ @@@@ ", 4), "en", "web:symbol_noise"),
        (LOREM + "\n" + ENGLISH.split("\n")[0], "en", "web:placeholder"),
        (stuffed(ENGLISH, "cheap", 4), "en", "web:keyword_stuffing"),
        (stuffed(stuffed(ENGLISH, "the", 3), "of", 3), "en", "web:stop_word_stuffing"),
        (ENGLISH.replace(". ", '. <div class="post-body"><span>&nbsp;</span></div> ', 6), "en", "web:markup"),
        (
            ENGLISH + "\n[object Object]\nundefined\nfunction(){return false;}\n!important;",
            "en",
            "web:markup",
        ),
        (
            "Home | News | Sport | Weather | Contact | About us\nMenu\nSearch\nLog in\nShare this\n"
            + ENGLISH
            + "\n© 2024 Example Ltd. All rights reserved.\nPrivacy policy\nCookie settings\nBack to top",
            "en",
            "web:chrome",
        ),
    ],
)
def test_web_rule_fails(text, lang, expected):
    assert run([text], [lang]) == [expected]


def test_real_latin_is_not_placeholder_text():
    assert web_signals(LATIN)["sig_web_placeholder_frac"] < 0.1


def test_web_family_can_be_switched_off():
    text = stuffed(ENGLISH, "cheap", 4)
    assert run([text], web=False) == [None]
    assert run([text], web_max_top_word_frac=None) == [None]


# -- per-language thresholds -------------------------------------------------------------------------

JAPANESE = (
    "現在の単語を大文字にします。負の引き数を指定すると、前の単語を大文字にします。\n"
    "ポイントの位置は変わりません。このコマンドはデフォルトではキーに割り当てられていません。\n"
    "上書きモードをトグルさせます。正の引き数を指定すると上書きモードに切り替えます。\n"
    "負の引き数を指定すると挿入モードに切り替えます。このコマンドは emacs モードでのみ有効です。\n"
    "ポイントから行頭までをキルします。キルされたテキストはキルリングに入ります。"
)


def test_per_character_scripts_get_their_own_ngram_limits():
    # Per-character 5-grams of ordinary Japanese repeat far more than word 5-grams.
    assert run([JAPANESE], ["ja"], gopher_min_doc_words=10) == [None]
    failed = run([JAPANESE], ["ja"], gopher_min_doc_words=10, builtin_language_thresholds=False)
    assert failed == ["gopher:dup_5gram"]


def test_language_thresholds_override_and_fall_back_from_script_variants():
    german = {"de": {"gopher_min_doc_words": 1000}}
    assert run([GERMAN], ["de"], language_thresholds=german) == ["gopher:too_few_words"]
    assert run([GERMAN], ["fr"], language_thresholds=german, gopher_min_stop_words=None) == [None]
    serbian = {"sr": {"gopher_min_doc_words": 1000}}
    assert run([ENGLISH], ["sr-latn"], language_thresholds=serbian, gopher_min_stop_words=None) == [
        "gopher:too_few_words"
    ]


def test_recipe_language_thresholds_merge_over_the_built_in_ones():
    settings = FilterSettings(language_thresholds={"ja": {"gopher_min_doc_words": 20}})
    ja = settings.effective_language_thresholds()["ja"]
    assert ja["gopher_min_doc_words"] == 20
    assert ja["gopher_dup_5gram_char_frac"] == LANGUAGE_DEFAULTS["ja"]["gopher_dup_5gram_char_frac"]
    assert FilterSettings(builtin_language_thresholds=False).effective_language_thresholds() == {}


def test_unknown_language_threshold_key_is_refused():
    with pytest.raises(ValidationError, match="gopher_min_words"):
        FilterSettings(language_thresholds={"de": {"gopher_min_words": 3}})


def test_batch_decisions_equal_per_document_decisions_with_languages():
    texts = [ENGLISH, GERMAN, JAPANESE, stuffed(ENGLISH, "cheap", 4), LATIN]
    langs = ["en", "de", "ja", "en", "la"]
    settings = FilterSettings(
        gopher_min_doc_words=10, language_thresholds={"la": {"gopher_min_doc_words": 5}}
    )
    batch = pa.RecordBatch.from_pydict(
        {"id": list("abcde"), "text": texts, "kind": ["text"] * 5, "lang": langs}
    )
    out = filter_batch(batch, settings, measure_of(settings)).to_pylist()
    for row, lang in zip(out, langs, strict=True):
        signals = {name: row[name] for name in SIGNAL_COLUMNS}
        assert decide.decide(signals, settings, lang=lang) == row[REASON], lang
    columns = {name: np.array([r[name] for r in out], dtype=float) for name in SIGNAL_COLUMNS}
    again = decide.decide_columns(columns, settings, np.zeros(5, bool), None, np.array(langs, dtype=object))
    assert list(again) == [r[REASON] for r in out]


def test_kept_expectations_use_the_loosest_bound_over_languages():
    settings = FilterSettings()
    bounds = {
        e["kwargs"]["column"]: e["kwargs"]
        for e in kept_expectations(settings)
        if e["type"] == "expect_column_values_to_be_between"
    }
    assert (
        bounds["sig_gopher_dup_5gram_char_frac"]["max_value"]
        == LANGUAGE_DEFAULTS["ja"]["gopher_dup_5gram_char_frac"]
    )
    assert "sig_gopher_mean_word_length" not in bounds  # off for per-character scripts
    assert bounds["sig_web_top_word_frac"]["max_value"] == settings.web_max_top_word_frac


# -- code in a text source ---------------------------------------------------------------------------


def test_line_shares_tell_source_files_from_prose_and_from_junk_with_scripts():
    python = (
        "import os\n\n\ndef main(argv):\n    # Read the config file named on the command line, if it exists.\n"
        "    path = argv[1]\n    return os.path.exists(path)\n"
    )
    c = '#include <stdio.h>\n\nint main(void) {\n    printf("hi\\n");\n    return 0;\n}\n'
    assert reads_as_code(python, 0.15) and reads_as_code(c, 0.15)
    assert line_shares(ENGLISH) == (0.0, 1.0)
    assert not reads_as_code(GERMAN, 0.15)
    junk = "\n".join(
        f"{line}\nfunction(){{return false;}}\n<br/>" for line in ENGLISH.replace(". ", ".\n").split("\n")
    )
    code_share, sentence_share = line_shares(junk)
    assert code_share >= 0.15 and sentence_share >= 0.1
    assert not reads_as_code(junk, 0.15)
