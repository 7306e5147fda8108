"""The batch engine (jobs.text.rules.batch_signals) against the per-document engine
(signals.prose_signals + decide.decide): with the exact tokenizer every signal and decision is
the same; with the fast (RE2-approximated) tokenizer the decisions on prose mostly agree."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from jobs.text.rules import decide as D
from jobs.text.rules.batch_signals import prose_signal_columns
from jobs.text.rules.signals import PROSE_SIGNALS, Measure, prose_signals
from schemas.filter import SIGNAL_COLUMNS, FilterSettings

FIXTURE = Path(__file__).parent / "fixtures" / "filter_docs.parquet"
SETTINGS = FilterSettings(web=False)

PROSE = (
    "The cat sat on the mat. It was a sunny day, and the children played in the park with their dog.\n"
    "Later that evening, they went home and had dinner with the rest of the family. Everyone was happy.\n"
    "The next morning the weather changed and it rained for the whole day, so they stayed at home.\n"
)
HAND_MADE = [
    "",
    "   \n\n  ",
    "one",
    PROSE,
    PROSE * 4,  # repetition: duplicate lines, paragraphs, n-grams
    (PROSE + "\n\n") * 3,
    "# title\n# another\n## more ### hashes ...\n" + PROSE,  # hash and ellipsis ratios
    "- item one\n- item two\n• item three\nand so on...\nwell…\n" + PROSE,  # bullets, ellipsis lines
    PROSE + "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n",  # c4: lorem ipsum
    PROSE + "function f() { return 1; } is code here\n",  # c4: curly bracket
    PROSE + "Please enable JavaScript to view the comments here.\nRead our privacy policy for more info.\n",
    "Short line.\nAnother one!\nWhat?\n" * 5,  # c4: few words per line; fineweb short lines
    PROSE + "See the reference [1] and the note [edit] and [citation needed] here.\n",  # citations
    "[1] The citation starts this line of text.\n" + PROSE,
    "Dr. Smith didn't go to the U.S. on 3.14 Jan. He said: \"I can't!\" (really) -- well, maybe... OK.\n" * 3,
    "Visit https://example.com/path?q=1 or mail me@example.org, e.g. at 10km/h or 5kg and 20%.\n" + PROSE,
    "这是一个中文句子，没有空格。我们在这里测试每个字符是一个词。\n日本語の文章もここにあります。\n" + PROSE,
    "Ceci n'est pas une pipe. Der Hund läuft schnell über die Straße. ¿Qué pasa? Ça va!\n" + PROSE,
    "line one\r\nline two\rline three\x0bfour\x0cfive\u2028six\u2029seven\x85eight\n",
    "a" * 1200 + " long word line here\n" + PROSE,  # c4: a word over 1000 characters
    PROSE.upper(),
]


def _reference(texts, langs, measure):
    rows = []
    for text, lang in zip(texts, langs, strict=True):
        signals, _ = prose_signals(text or "", lang, measure)
        rows.append(signals)
    return rows


def _columns(cols: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    out = dict(cols)
    for name in SIGNAL_COLUMNS:
        out.setdefault(name, np.full(n, np.nan))
    return out


def _assert_same_signals(texts, langs=None, measure=None):
    measure = measure or Measure()
    langs = langs or [None] * len(texts)
    cols = prose_signal_columns(texts, langs, measure, tokenizer="exact")
    ref = _reference(texts, langs, measure)
    for i, row in enumerate(ref):
        for name in PROSE_SIGNALS:
            want = row.get(name)
            got = cols[name][i]
            if want is None:
                assert math.isnan(got), (i, name, got)
            else:
                assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (i, name, texts[i][:80])
    reasons = D.decide_columns(_columns(cols, len(texts)), SETTINGS, np.zeros(len(texts), bool))
    for i, row in enumerate(ref):
        assert reasons[i] == D.decide(row, SETTINGS), (i, texts[i][:80])


def test_hand_made_texts_exact():
    _assert_same_signals(HAND_MADE)


def test_fixture_exact():
    table = pq.read_table(FIXTURE)
    _assert_same_signals(table.column("text").to_pylist())


def test_languages_pick_stop_words():
    texts = [
        "Der Hund und die Katze sind in dem Haus, das ist nicht schön, sagt er mit sich.\n" * 3,
        PROSE,
        PROSE,
    ]
    _assert_same_signals(texts, langs=["de", "en", "xx"])
    cols = prose_signal_columns(texts, ["de", "en", "xx"], Measure(), tokenizer="exact")
    assert cols["sig_gopher_stop_words"][0] > 3
    assert math.isnan(cols["sig_gopher_stop_words"][2])  # no list for the language: rule off


def test_families_off_and_fineweb_on_text():
    m = Measure(gopher_quality=False, c4=False)
    _assert_same_signals(HAND_MADE, measure=m)
    cols = prose_signal_columns(HAND_MADE, None, m)
    assert np.isnan(cols["sig_gopher_word_count"]).all() and np.isnan(cols["sig_c4_sentences"]).all()
    _assert_same_signals(HAND_MADE, measure=Measure(fineweb_on_c4_text=False))


def test_arrow_input_and_nulls():
    import pyarrow as pa

    cols = prose_signal_columns(pa.array([PROSE, None, ""]), None, Measure(), tokenizer="exact")
    assert cols["sig_gopher_word_count"][1] == 0 and cols["sig_gopher_word_count"][2] == 0
    assert not math.isnan(cols["sig_gopher_word_count"][0])


def test_fast_tokenizer_decisions_mostly_agree():
    table = pq.read_table(FIXTURE)
    texts = table.column("text").to_pylist()
    prose = [t for t, c in zip(texts, table.column("is_code").to_pylist(), strict=True) if not c] + HAND_MADE
    cols = prose_signal_columns(prose, None, Measure(), tokenizer="fast")
    reasons = D.decide_columns(_columns(cols, len(prose)), SETTINGS, np.zeros(len(prose), bool))
    ref = [D.decide(r, SETTINGS) for r in _reference(prose, [None] * len(prose), Measure())]
    same = sum((a is None) == (b is None) for a, b in zip(reasons, ref, strict=True))
    assert same / len(prose) >= 0.95
    # tokenizer-independent families are exact in fast mode too
    exact = prose_signal_columns(prose, None, Measure(), tokenizer="exact")
    for name in ("sig_gopher_dup_line_frac", "sig_gopher_dup_para_char_frac", "sig_c4_removed_lines"):
        np.testing.assert_array_equal(cols[name], exact[name])


TRICKY_CHUNKS = [
    "...", "typename...", "...)", "========", "#####################", "★★★★☆", "🔥🔥", "e):", "**kwargs):",
    "Inc.,", "(e.g.", "(i.e.,", "id,", "8),", "''", "n.Op()", "t.Fatal(err)", '"printing")))]', "null}.",
    "`false`.", "<variable>.", "10km", "at1t;", "5GB,", "don't.", '"Can\'t', "(;;)", "°C", "©2020", "x--y",
    "well-known", "a,b", "end.Start", "1+2", "wait...what", "U.S.", "—and", "$100", "(really)", "“quoted”.",
]  # fmt: skip


def test_fast_tokenizer_words_on_tricky_chunks(monkeypatch):
    """Chunks the RE2 rules once split differently from spaCy (symbol runs, emoticons inside,
    special cases behind a punctuation mark, dot runs, unit suffixes): the fast tokenizer gives
    the per-document tokenizer's words (rewritten or handed to it)."""
    import pyarrow as pa

    from jobs.text.rules import batch_signals as B
    from jobs.text.rules import words as W

    monkeypatch.setattr(B, "_FAST_MIN", 0)  # the RE2 rules even for a handful of chunks

    lines = pa.array([" ".join(TRICKY_CHUNKS[i : i + 5]) for i in range(0, len(TRICKY_CHUNKS), 5)])
    for tokenizer in ("fast", "exact"):
        got = B._tokenize(lines, tokenizer)
        words = got.dictionary.to_pylist()
        off = np.concatenate([[0], np.cumsum(got.line_counts)])
        for k, line in enumerate(lines.to_pylist()):
            assert [words[t] for t in got.tok[off[k] : off[k + 1]]] == W.split_words(line), (tokenizer, line)


def test_duplicate_ngrams_equal_datatrove_scan_on_repetitive_texts():
    """The batch's duplicate n-gram scan (stops only, runs of first occurrences at once) gives
    datatrove's find_all_duplicate on texts of a tiny vocabulary, where matches skip first
    occurrences and documents of every shape share one batch."""
    from datatrove.pipeline.filters.gopher_repetition_filter import find_all_duplicate

    rng = np.random.default_rng(7)
    vocab = ["ab", "cd", "efg", "h", "ijkl", "mn"]
    texts = []
    for _ in range(300):
        size = int(rng.integers(1, 120))
        used = vocab[: int(rng.integers(1, len(vocab) + 1))]
        words = [used[k] for k in rng.integers(0, len(used), size)]
        if rng.random() < 0.3:  # a copied passage
            words = words + words[: int(rng.integers(1, size + 1))]
        texts.append(" ".join(words))
    cols = prose_signal_columns(texts, None, Measure(), tokenizer="fast")
    for n in range(5, 11):
        got = cols[f"sig_gopher_dup_{n}gram_char_frac"]
        for i, text in enumerate(texts):
            want = find_all_duplicate(text.split(), n) / len(text)
            assert got[i] == pytest.approx(want, abs=1e-12), (n, i, text[:60])


def test_fast_words_kept_over_batches_give_the_same_signals(monkeypatch):
    """Hard chunks' fast-mode words come from the cross-batch cache once seen: a second batch of
    the same texts in another order gets the same signals; `words.reset_caches` empties it."""
    from jobs.text.rules import batch_signals as B
    from jobs.text.rules import words as W

    monkeypatch.setattr(B, "_FAST_MIN", 0)
    table = pq.read_table(FIXTURE)
    prose = [
        t
        for t, c in zip(table.column("text").to_pylist(), table.column("is_code").to_pylist(), strict=True)
        if not c
    ]
    W.reset_caches()
    cold = prose_signal_columns(prose, None, Measure(), tokenizer="fast")
    cached = len(B._HARD_WORDS.row)
    assert cached > 100
    warm = prose_signal_columns(prose[::-1], None, Measure(), tokenizer="fast")
    assert len(B._HARD_WORDS.row) == cached  # nothing new to split
    for name in PROSE_SIGNALS:
        np.testing.assert_array_equal(warm[name][::-1], cold[name], err_msg=name)
    W.reset_caches()
    prose_signal_columns(prose[:2], None, Measure(), tokenizer="fast")
    assert len(B._HARD_WORDS.row) < cached
