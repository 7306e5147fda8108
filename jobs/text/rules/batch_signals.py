"""Prose signals of a whole Arrow batch at once: the per-document engine
(`jobs.text.rules.signals.prose_signals`, still the reference and the path for C4's line
removal) vectorised with pyarrow.compute and numpy; the filter stage's default.

`prose_signal_columns(texts, langs, measure)` returns {signal name: float array (NaN = null)} for
every name in `signals.PROSE_SIGNALS`, for a batch of documents, computed column-wise:

- lines: `str.splitlines`' breaks (a plain "\\n" split for the texts that have no other break, the
  regex split for the rest); whitespace chunks of every line
  (`utf8_split_whitespace`: the same whitespace as `str.split`), dictionary-encoded per batch
  (C++ hash table), so each distinct chunk is split into words once per batch;
- words: the chunks of the common shape (a word-character core, at most one bracket/quote before
  and one punctuation mark after, no special case: `words._SIMPLE`'s fast path) are split with one
  RE2 rewrite for the whole batch; the others (`hard` chunks) go through the per-document
  tokenizer's cache `words.CHUNKS` (exact, Python: `tokenizer="exact"`) or through an RE2
  approximation of spaCy's prefix/suffix/infix rules (`tokenizer="fast"`, the default): stages
  of rewrites, each repeated while it matches (a few passes: every pass compiles the patterns
  again), on the rows that match only. Fast mode hands to the exact tokenizer what RE2 gets
  wrong: special cases (also behind a stripped first/last mark: 'Inc.,', '(e.g.', 'id,'), URLs,
  symbols (one word each in spaCy), punctuation-only special cases inside ('):' not at the end,
  "''", emoticons), abbreviations of single letters, the rows still matching after the last
  pass, and every hard chunk of a small input (fewer than `_FAST_MIN`). On corpus-20k its words
  differ from the exact tokenizer's for about 1 chunk in 8,000 (code: '+1', '__id__');
  the words of every distinct uncommon chunk are kept over batches (`_HardWords` in fast mode,
  `words.CHUNKS` in exact mode), as Spark's reused Python workers serve many batches;
- per-word properties (length, all-punctuation, has a letter, per-character script, sentence end)
  by regexes over the batch's distinct words; per-document sums by cumulative sums;
- duplicate lines/paragraphs and top/duplicate n-grams: integer keys (document in the high bits)
  sorted once per n over the whole batch; n >= 3 only over positions whose (n-1)-gram repeats in
  its document; datatrove's greedy duplicate scan (n = 5..10) runs in Python only for documents
  where a match can skip a repeated position, and visits only the scan's stops (`_greedy`);
- C4: per-line masks (word counts, long words, citations, javascript, policy, lorem ipsum, curly
  brackets), spaCy Sentencizer's sentence starts as "a word whose previous non-punctuation word
  in the line is a sentence end", FineWeb on C4's kept lines.

With `tokenizer="exact"` every column equals the per-document engine's (tests check it), up to
64-bit hash collisions of n-gram keys and Unicode-table differences between RE2 and Python.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import repeat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jobs.text.ragged import ragged_positions
from jobs.text.rules import c4 as c4_rules
from jobs.text.rules import fineweb as fineweb_rules
from jobs.text.rules import gopher
from jobs.text.rules import words as W
from jobs.text.rules.signals import PROSE_SIGNALS, Measure, stop_words_for
from jobs.text.rules.spacy_en_exceptions import EXCEPTIONS

# -- RE2 character classes ---------------------------------------------------------------------------


def _re2_chars(chars) -> str:
    """An RE2 class body listing the characters (as ranges)."""
    codes = sorted({ord(c) for c in chars})
    out, i = [], 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(f"\\x{{{codes[i]:x}}}" + (f"-\\x{{{codes[j]:x}}}" if j > i else ""))
        i = j + 1
    return "".join(out)


def _re2_from_python_class(body: str) -> str:
    """A Python class body of literal characters and ranges (no escapes) in RE2 syntax."""
    out = []
    for c in body:
        out.append("-" if c == "-" else f"\\x{{{ord(c):x}}}")
    return "".join(out)


@lru_cache(maxsize=1)
def _classes() -> dict[str, str]:
    bmp = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]

    def uncased(c):
        return c.isalpha() and not c.isupper() and not c.islower()

    base = W.HAS_PER_CHAR.pattern[1:-1]  # "[...]"
    marks = W.PER_CHAR.pattern[len(W.HAS_PER_CHAR.pattern) + 1 : -2]  # "[base][marks]*"
    return {
        "lower": _re2_chars(c for c in bmp if c.islower() or uncased(c)),
        "upper": _re2_chars(c for c in bmp if c.isupper() or uncased(c)),
        "per_char": _re2_from_python_class(base),
        "marks": _re2_from_python_class(marks),
        "punct_set": _re2_chars(W.PUNCTUATION_SET),
        "terminal": _re2_chars(W.TERMINAL_PUNCTUATION),
    }


# Python's str.splitlines breaks, and the whitespace of str.split / str.strip.
_BREAKS = "\\r\\n|[\\n\\r\\x0b\\x0c\\x1c\\x1d\\x1e\\x{85}\\x{2028}\\x{2029}]"
_ENDS_WITH_BREAK = "[\\n\\r\\x0b\\x0c\\x1c\\x1d\\x1e\\x{85}\\x{2028}\\x{2029}]$"
_OTHER_BREAKS = "[\\r\\x0b\\x0c\\x1c\\x1d\\x1e\\x{85}\\x{2028}\\x{2029}]"
# words._SIMPLE in RE2 (no look-arounds): a core of word characters and single inner dots,
# starting and ending with a letter/digit.
_SIMPLE = '^([(\\["\\x{201c}]?)([\\pL\\pN](?:(?:\\.?[\\pL\\pN_])*\\.?[\\pL\\pN])?)([.,;:!?)\\]"\\x{201d}]?)$'
_CITATION = "\\[\\p{Nd}*\\]|\\[edit\\]|\\[citation needed\\]"

_EXCEPTIONS = None


def _exceptions() -> pa.Array:
    global _EXCEPTIONS
    if _EXCEPTIONS is None:
        _EXCEPTIONS = pa.array(sorted(EXCEPTIONS), pa.string())
    return _EXCEPTIONS


def _np_bool(a) -> np.ndarray:
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    return np.asarray(a.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _np_int(a) -> np.ndarray:
    if isinstance(a, pa.ChunkedArray):
        a = a.combine_chunks()
    return np.asarray(a.to_numpy(zero_copy_only=False), dtype=np.int64)


def _segment_sums(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Sums of values[offsets[i]:offsets[i+1]] (offsets non-decreasing)."""
    cs = np.zeros(len(values) + 1, np.float64 if values.dtype.kind == "f" else np.int64)
    np.cumsum(values, out=cs[1:])
    return cs[offsets[1:]] - cs[offsets[:-1]]


def _split_ws(arr: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """utf8_split_whitespace without the empty strings it gives at the ends: (pieces, row of each
    piece, pieces per row)."""
    lists = pc.utf8_split_whitespace(arr)
    values = lists.flatten()
    parents = _np_int(pc.list_parent_indices(lists))
    nonempty = _np_int(pc.utf8_length(values)) > 0
    if not nonempty.all():
        rows = np.flatnonzero(nonempty)
        values = values.take(pa.array(rows))
        parents = parents[rows]
    return values, parents, np.bincount(parents, minlength=len(arr)).astype(np.int64)


# -- words -------------------------------------------------------------------------------------------


def _slice(arr: pa.Array, start: int, stop: int | None) -> pa.Array:
    return (
        pc.utf8_slice_codeunits(arr, start=start, stop=stop)
        if stop is not None
        else pc.utf8_slice_codeunits(arr, start=start)
    )


def _take(arr: pa.Array, rows: np.ndarray) -> pa.Array:
    return arr.take(pa.array(rows, pa.int64()))


def _in_row_order(parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """Arrays computed for disjoint subsets of rows (`(rows, values)`, together every row once),
    put back in row order."""
    if len(parts) == 1:
        return parts[0][1]
    rows = np.concatenate([r for r, _ in parts])
    pick = np.empty(len(rows), np.int64)
    pick[rows] = np.arange(len(rows))
    return pa.concat_arrays([values for _, values in parts]).take(pa.array(pick))


def _simple_mask(chunks: pa.Array) -> tuple[np.ndarray, tuple[pa.Array, np.ndarray] | None]:
    """(chunks on words._SIMPLE's fast path, (their words in order, words per chunk))."""
    cls = _classes()
    simple = _np_bool(pc.match_substring_regex(chunks, _SIMPLE))
    if not simple.any():
        return simple, None
    idx = np.flatnonzero(simple)
    cand = _take(chunks, idx)
    pre = _np_bool(pc.match_substring_regex(cand, '^[(\\["\\x{201c}]'))
    suf = _np_bool(pc.match_substring_regex(cand, '[.,;:!?)\\]"\\x{201d}]$'))
    # core, prefix+core, core+suffix by slicing each (prefix?, suffix?) class
    m = len(cand)
    order_parts, core_parts, pc_parts, cs_parts = [], [], [], []
    for p_ in (False, True):
        for s_ in (False, True):
            rows = np.flatnonzero((pre == p_) & (suf == s_))
            if not len(rows):
                continue
            sub = _take(cand, rows)
            order_parts.append(rows)
            core_parts.append(_slice(sub, int(p_), -1 if s_ else None))
            pc_parts.append(_slice(sub, 0, -1 if s_ else None))
            cs_parts.append(_slice(sub, int(p_), None))
    inverse = np.empty(m, np.int64)
    inverse[np.concatenate(order_parts)] = np.arange(m)
    inv = pa.array(inverse)
    core = pa.concat_arrays(core_parts).take(inv)
    exc = _exceptions()
    bad = _np_bool(pc.match_substring_regex(cand, f"[{cls['per_char']}]"))
    bad |= _np_bool(pc.is_in(cand, value_set=exc))
    bad |= _np_bool(pc.is_in(core, value_set=exc))
    bad |= pre & _np_bool(pc.is_in(pa.concat_arrays(pc_parts).take(inv), value_set=exc))
    bad |= suf & _np_bool(pc.is_in(pa.concat_arrays(cs_parts).take(inv), value_set=exc))
    # a final "." splits off only after a digit, a lower-case letter, "²" or two upper-case letters
    dot_end = _np_bool(pc.ends_with(cand, "."))
    if dot_end.any():
        ok = _np_bool(
            pc.match_substring_regex(
                core, f"(?:[0-9{cls['lower']}\\x{{b2}}]|[{cls['upper']}][{cls['upper']}])$"
            )
        )
        bad |= dot_end & ~ok
    bad |= _np_bool(pc.match_substring_regex(core, "[0-9][^0-9.]+$"))  # a unit after digits (10km)
    bad |= _np_bool(pc.match_substring_regex(core, f"[{cls['lower']}]\\.[{cls['upper']}]"))  # infix dot
    simple[idx[bad]] = False
    keep = np.flatnonzero(~bad)
    pre, suf = pre[keep], suf[keep]
    counts = 1 + pre.astype(np.int64) + suf
    start = np.cumsum(counts) - counts
    kc = _take(cand, keep)
    pre_rows, suf_rows = np.flatnonzero(pre), np.flatnonzero(suf)
    values = pa.concat_arrays(
        [_slice(_take(kc, pre_rows), 0, 1), _take(core, keep), _slice(_take(kc, suf_rows), -1, None)]
    )
    target = np.concatenate([start[pre_rows], start + pre, start[suf_rows] + pre[suf_rows] + 1])
    inverse = np.empty(len(target), np.int64)
    inverse[target] = np.arange(len(target))
    return simple, (values.take(pa.array(inverse)), counts)


def _hard_tokens_exact(chunks: list[str]) -> list[list[str]]:
    tokens = W.TOKENS
    get = W.CHUNKS.__getitem__
    return [[tokens[i] for i in get(c)] for c in chunks]


# --- the fast approximation of spaCy's rules for the remaining chunks
_PRE1 = "[§%=\\x{2014}\\x{2013}…,:;!?¿؟¡()\\[\\]{}<>_#*&。？！，、；：～·।،۔؛٪'\"”“`‘´’‚„»«「」『』（）〔〕【】《》〈〉⟦⟧$£€¥฿₽﷼₴\\x{20a0}-\\x{20bf}]"
_SUF1 = "[…,:;!?¿؟¡()\\[\\]{}<>_#*&。？！，、；：～·।،۔؛٪'\"”“`‘´’‚„»«「」『』（）〔〕【】《》〈〉⟦⟧\\x{2014}\\x{2013}]"


@lru_cache(maxsize=1)
def _fast_stages() -> list[list[tuple[str, str]]]:
    """Stages of (pattern, rewrite); each stage is applied until none of its patterns matches
    (spaCy strips prefixes and suffixes one at a time, as long as one matches)."""
    cls = _classes()
    alpha = "\\pL"
    lower, upper = cls["lower"], cls["upper"]
    return [
        # per-character scripts: one word per character (with its marks)
        [(f"([{cls['per_char']}][{cls['marks']}]*)", " \\1 ")],
        # prefixes
        [
            (f"(^|\\s)({_PRE1}|\\+)(\\S)", "\\1\\2 \\3"),
            ("(^|\\s)(\\.\\.+)([^\\s.])", "\\1\\2 \\3"),
        ],
        # suffixes: 's, punctuation, a dot after a lower-case letter/digit/punctuation (a run of
        # dots is one suffix: never split after a dot)
        [
            ("(\\S)('s|'S|’s|’S)($|\\s)", "\\1 \\2\\3"),
            # a run of punctuation at the end comes off one mark at a time: up to three a pass
            # (empty groups leave extra spaces, harmless)
            (f"(\\S)({_SUF1}?)({_SUF1}?)({_SUF1})($|\\s)", "\\1 \\2 \\3 \\4\\5"),
            ("([^\\s.])(\\.\\.+)($|\\s)", "\\1 \\2\\3"),
            (f"([0-9{lower}%\\x{{b2}}\\-+…|{_SUF1[1:-22]}]|[{upper}][{upper}])(\\.)($|\\s)", "\\1 \\2\\3"),
        ],
        [(f"([0-9])({W._UNITS}|{W._CURRENCY})($|\\s)", "\\1 \\2\\3")],
        # infixes (repeated: a character can be the context of two)
        [
            (f"([{alpha}0-9])(-|–|—|--|~|[:<>=/])([{alpha}])", "\\1 \\2 \\3"),
            (f"([{alpha}]),([{alpha}])", "\\1 , \\2"),
            (f"([{lower}])\\.([{upper}])", "\\1 . \\2"),
            ("([0-9])([+\\-*^])([0-9-])", "\\1 \\2 \\3"),
            ("(\\S)(\\.\\.+|…)(\\S)", "\\1 \\2 \\3"),
        ],
        # spaCy's special cases '):' (the end of a Python def, ...) and 'a.'-'z.', 'ä.', 'ö.', 'ü.'
        # ('t.Fatal', 'correos-e.'): the words split apart are one word again (other places of
        # '):' and abbreviations of several letters, 'e.g.', go to the exact tokenizer)
        [("\\) +:$", "):"), ("(^|\\s)([a-z\\x{e4}\\x{f6}\\x{fc}]) +\\.(\\s|$)", "\\1\\2.\\3")],
    ]


# spaCy's URL_PATTERN, roughly: host labels and a letter TLD (these go to the exact tokenizer); no
# counted repetition ({2,63}): RE2's DFA gives up on it and the match is ten times slower
_URLISH = "^(?:[\\w+\\-.]{2,}://)?(?:\\S+@)?(?:[\\pL\\pN][\\pL\\pN_\\-]*\\.)+\\pL\\pL+(?::[0-9]{2,5})?(?:[/?#]\\S*)?$"


@lru_cache(maxsize=1)
def _to_exact() -> str:
    """Chunks the RE2 rules get wrong, left to the exact tokenizer: symbols (each its own word in
    spaCy), and chunks holding one of spaCy's punctuation-only special cases (emoticons, '')."""
    specials = sorted((k for k in EXCEPTIONS if len(k) > 1 and not any(c.isalnum() for c in k)), key=len)
    alts = "|".join(re.escape(k).replace("\\-", "-") for k in specials if k != "):")
    alts += "|\\):.|[:;=\\-'’>^_*]\\):$"  # '):' not at the end, or where it may join a longer one
    # abbreviations of single letters and dots ('e.g.', 'U.S.', 'a.m.'): spaCy's special cases
    # (\W is ASCII in RE2: more chunks than needed go to the exact tokenizer)
    return f"[\\p{{So}}\\x{{1f000}}-\\x{{1faff}}]|(?:^|\\W)\\pL\\.\\pL{{1,2}}\\.|{alts}"


def _exact_rows(chunks: pa.Array) -> np.ndarray:
    """Rows for the exact tokenizer: special cases (also once a first/last character is stripped:
    'Inc.,', '(e.g.', 'id,'), URLs, symbols and punctuation-only special cases inside."""
    exc = _exceptions()
    mask = _np_bool(pc.is_in(chunks, value_set=exc))
    mask |= _np_bool(pc.match_substring_regex(chunks, _URLISH))
    mask |= _np_bool(pc.match_substring_regex(chunks, _to_exact()))
    for start, stop in ((0, -1), (1, None), (1, -1), (0, -2)):
        mask |= _np_bool(pc.is_in(_slice(chunks, start, stop), value_set=exc))
    return np.flatnonzero(mask)


def _rewrite(arr: pa.Array, stage: list[tuple[str, str]], max_passes: int = 3) -> tuple[pa.Array, np.ndarray]:
    """Apply the stage's rewrites, as long as one matches, to the rows that match only (matching
    without submatches is RE2's DFA: much cheaper than rewriting; one match of all the patterns
    at once picks the rows of a pass). Every pass compiles the patterns again (milliseconds for
    the large Unicode classes): after `max_passes` the rows still matching are given up,
    (rewritten array, rows given up)."""
    any_pattern = "|".join(f"(?:{pattern})" for pattern, _ in stage)
    rows = np.arange(len(arr))
    sub = arr
    for passes in range(max_passes + 1):
        todo = np.flatnonzero(_np_bool(pc.match_substring_regex(sub, any_pattern)))
        if len(todo) < len(sub):
            if len(rows) < len(arr):  # write back the rows that are done
                done = np.setdiff1d(np.arange(len(sub)), todo, assume_unique=True)
                arr = _scatter(arr, rows[done], _take(sub, done))
            rows, sub = rows[todo], _take(sub, todo)
        if not len(rows) or passes == max_passes:
            break
        for pattern, rewrite in stage:
            hit = _np_bool(pc.match_substring_regex(sub, pattern))
            if hit.any():
                fixed = pc.replace_substring_regex(_take(sub, np.flatnonzero(hit)), pattern, rewrite)
                sub = pc.replace_with_mask(sub, pa.array(hit), fixed)
        if len(rows) == len(arr):
            arr = sub
    if len(rows) < len(arr):
        arr = _scatter(arr, rows, sub)
    return arr, rows


def _scatter(arr: pa.Array, rows: np.ndarray, values: pa.Array) -> pa.Array:
    if not len(rows):
        return arr
    mask = np.zeros(len(arr), bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")
    return pc.replace_with_mask(arr, pa.array(mask), _take(values, order))


def _hard_tokens_fast(chunks: pa.Array) -> tuple[pa.Array, np.ndarray, list[int]]:
    """(words of every chunk, words per chunk, indices of chunks left to the exact tokenizer)."""
    exact_rows = [_exact_rows(chunks)]
    out = chunks
    per_char, prefixes, suffixes, units, infixes, merge = _fast_stages()
    out, _ = _rewrite(out, per_char, max_passes=1)  # one pass (the pattern still matches afterwards)
    for stage, passes in ((prefixes, 3), (suffixes, 3), (units, 1), (infixes, 1)):
        # infixes rarely need a second pass: rows still matching after the last pass go to the
        # exact tokenizer (every pass compiles the large Unicode classes again)
        out, given_up = _rewrite(out, stage, max_passes=passes)
        exact_rows.append(given_up)
    out, _ = _rewrite(out, merge, max_passes=2)
    values, _, counts = _split_ws(out)
    return values, counts, np.unique(np.concatenate(exact_rows)).tolist()


class _Words:
    """The words of a batch of lines: batch-local word ids and per-id properties."""

    __slots__ = ("tok", "line_counts", "chunk_counts", "chunk_line", "n_chunks_line", "dictionary",
                 "length", "symbol", "alpha", "measured", "sent", "chunk_len")  # fmt: skip


# Fewer hard chunks than this go to the exact tokenizer in fast mode too: compiling the RE2 rules
# costs more than splitting them in Python (the lines C4 changes, small batches).
_FAST_MIN = 1000


def _word_lists(values: pa.Array, counts: np.ndarray) -> pa.ListArray:
    offsets = np.zeros(len(counts) + 1, np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), values.cast(pa.string()))


def _hard_words(hard: pa.Array, fast: bool = False) -> pa.ListArray:
    """The words of each hard chunk: the exact tokenizer, or (`fast`, and enough chunks to pay
    for compiling the rules) the RE2 rewrites with the chunks they get wrong left to the exact
    tokenizer."""
    if not fast or len(hard) < _FAST_MIN:
        lists = _hard_tokens_exact(hard.to_pylist())
        return pa.array(lists, pa.list_(pa.string())) if lists else pa.array([], pa.list_(pa.string()))
    values, counts, exact_rows = _hard_tokens_fast(hard)
    lists = _word_lists(values, counts)
    if exact_rows:
        fixed = pa.array(
            _hard_tokens_exact(hard.take(pa.array(exact_rows)).to_pylist()), pa.list_(pa.string())
        )
        pick = np.arange(len(hard), dtype=np.int64)
        pick[exact_rows] = len(hard) + np.arange(len(exact_rows))
        lists = pa.concat_arrays([lists, fixed]).take(pa.array(pick))
    return lists


def _chunk_words(uniq: pa.Array, fast: bool) -> pa.ListArray:
    """The words of each distinct whitespace chunk, in order: the common shape by one RE2 rewrite
    (`_simple_mask`), the others by `_hard_words`."""
    if not len(uniq):
        return pa.array([], pa.list_(pa.string()))
    simple, simple_toks = _simple_mask(uniq)
    simple_idx, hard_idx = np.flatnonzero(simple), np.flatnonzero(~simple)
    parts = []
    if len(simple_idx):
        values, counts = simple_toks
        parts.append((simple_idx, _word_lists(values, counts)))
    if len(hard_idx):
        hard = uniq.take(pa.array(hard_idx))
        parts.append((hard_idx, _HARD_WORDS.words(hard) if fast else _hard_words(hard)))
    return _in_row_order(parts)


class _HardWords:
    """Fast-mode words of uncommon ("hard") chunks, kept over batches: a Python worker serves
    many batches of one corpus, whose uncommon chunks recur (on corpus-20k a third of a batch's
    were in earlier batches), and the RE2 rewrites cost ~10 µs a chunk (common chunks, ~1 µs,
    are cheaper to split again than to look up). A dict from chunk to its row among the word
    lists of earlier batches (Arrow list arrays, one per batch, never copied); emptied with the
    word caches (`words.reset_caches`) and when full. (`pc.index_in` against an Arrow array of known chunks
    hashes the whole array again on every call: slower than splitting.)"""

    MAX_CHUNKS = 500_000

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.row: dict[str, int] = {}
        self.lists: list[pa.ListArray] = []
        self.generation = W.generation

    def words(self, chunks: pa.Array) -> pa.ListArray:
        if self.generation != W.generation or len(self.row) > self.MAX_CHUNKS:
            self.clear()
        names = chunks.to_pylist()
        found = np.fromiter(map(self.row.get, names, repeat(-1)), np.int64, len(names))
        miss = np.flatnonzero(found < 0)
        if len(miss) == len(names):
            lists = _hard_words(chunks, fast=True)
            self._add(names, lists)
            return lists
        known = pa.chunked_array(self.lists, pa.list_(pa.string())).take(pa.array(found[found >= 0]))
        known = known.combine_chunks() if known.num_chunks != 1 else known.chunk(0)
        if not len(miss):
            return known
        new_lists = _hard_words(chunks.take(pa.array(miss)), fast=True)
        self._add([names[i] for i in miss.tolist()], new_lists)
        return _in_row_order([(np.flatnonzero(found >= 0), known), (miss, new_lists)])

    def _add(self, names: list[str], lists: pa.ListArray) -> None:
        start = len(self.row)
        self.row.update(zip(names, range(start, start + len(names)), strict=True))
        self.lists.append(lists)


_HARD_WORDS = _HardWords()


def _tokenize(lines: pa.Array, tokenizer: str) -> _Words:
    out = _Words()
    chunks, chunk_line, out.n_chunks_line = _split_ws(lines)
    n_chunks = len(chunks)
    if n_chunks:
        enc = pc.dictionary_encode(chunks)
        idx = _np_int(enc.indices)
        uniq = enc.dictionary
    else:
        idx = np.zeros(0, np.int64)
        uniq = pa.array([], pa.string())
    lists = _chunk_words(uniq, fast=tokenizer == "fast")
    ucount = _np_int(pc.list_value_length(lists))
    ustart = np.cumsum(ucount) - ucount
    flat = lists.flatten().cast(pa.string())
    if len(flat):
        tenc = pc.dictionary_encode(flat)
        flat_ids = _np_int(tenc.indices)
        dictionary = tenc.dictionary
    else:
        flat_ids = np.zeros(0, np.int64)
        dictionary = pa.array([], pa.string())
    counts = ucount[idx] if n_chunks else np.zeros(0, np.int64)
    out.tok = flat_ids[ragged_positions(ustart[idx], counts)] if n_chunks else np.zeros(0, np.int64)
    out.chunk_counts = counts
    out.chunk_len = _np_int(pc.utf8_length(uniq))[idx] if n_chunks else np.zeros(0, np.int64)
    out.chunk_line = chunk_line
    out.line_counts = np.bincount(out.chunk_line, weights=counts, minlength=len(lines)).astype(np.int64)
    out.dictionary = dictionary
    cls = _classes()
    if len(dictionary):
        out.length = _np_int(pc.utf8_length(dictionary))
        out.symbol = _np_bool(pc.match_substring_regex(dictionary, f"^[{cls['punct_set']}]+$"))
        out.alpha = _np_bool(pc.match_substring_regex(dictionary, "\\pL"))
        per_char = _np_bool(pc.match_substring_regex(dictionary, f"^[{cls['per_char']}][{cls['marks']}]*$"))
        out.measured = ~out.symbol & ~per_char
        sent = np.where(_np_bool(pc.match_substring_regex(dictionary, "^\\pP+$")), 2, 0)
        ends = _np_bool(pc.is_in(dictionary, value_set=pa.array(sorted(W.SENTENCE_PUNCT))))
        out.sent = np.where(ends, 1, sent).astype(np.int8)
    else:
        out.length = np.zeros(0, np.int64)
        out.symbol = out.alpha = out.measured = np.zeros(0, bool)
        out.sent = np.zeros(0, np.int8)
    return out


# -- duplicates of parts (lines, paragraphs) -----------------------------------------------------------


def _duplicates(
    values: pa.Array, parents: np.ndarray, n_docs: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per document: (parts, repeated parts, their characters), first occurrences excluded."""
    parts = np.bincount(parents, minlength=n_docs)
    if len(values) == 0:
        z = np.zeros(n_docs, np.int64)
        return parts, z, z
    enc = pc.dictionary_encode(values)
    ids = _np_int(enc.indices)
    lengths = _np_int(pc.utf8_length(enc.dictionary))
    total = np.bincount(parents, weights=lengths[ids], minlength=n_docs)
    keys = parents * len(enc.dictionary) + ids
    uniq = np.unique(keys)
    u_doc = uniq // len(enc.dictionary)
    u_id = uniq % len(enc.dictionary)
    n_unique = np.bincount(u_doc, minlength=n_docs)
    unique_chars = np.bincount(u_doc, weights=lengths[u_id], minlength=n_docs)
    return parts, parts - n_unique, (total - unique_chars).astype(np.int64)


# -- n-grams -----------------------------------------------------------------------------------------------

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)


def _ngram_columns(tok: np.ndarray, length: np.ndarray, doc_off: np.ndarray, size: np.ndarray) -> dict:
    n_docs = len(doc_off) - 1
    n_words = np.diff(doc_off)
    total = len(tok)
    out = {}
    cs = np.zeros(total + 1, np.int64)
    np.cumsum(length, out=cs[1:])
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), n_words)
    doc_end = doc_off[1:][doc_of] if total else np.zeros(0, np.int64)
    doc_bits = max(1, int(n_docs).bit_length())
    hbits = 63 - doc_bits
    hmask = np.uint64((1 << hbits) - 1)
    sym = tok.astype(np.uint64) + np.uint64(1)
    starts = doc_off[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        size_f = size.astype(np.float64)
        for n in gopher.TOP_NGRAMS:  # defaults: the first n-gram once, when the document has n words
            first = cs[np.minimum(starts + n, total)] - cs[starts] + n - 1
            out[f"sig_gopher_top_{n}gram_char_frac"] = np.where(n_words >= n, first / size_f, np.nan)
        for n in gopher.DUP_NGRAMS:
            out[f"sig_gopher_dup_{n}gram_char_frac"] = np.zeros(n_docs)
    if total < 2:
        return out
    positions = np.flatnonzero(np.arange(total) + 2 <= doc_end)
    hashes = sym[positions]
    for n in range(2, 11):
        if n > 2:
            keep = positions + n <= doc_end[positions]
            positions, hashes = positions[keep], hashes[keep]
        if not len(positions):
            break
        with np.errstate(over="ignore"):
            hashes = hashes * _M1 + sym[positions + (n - 1)]
            mixed = hashes ^ (hashes >> np.uint64(31))
            mixed = mixed * _M2
            mixed ^= mixed >> np.uint64(29)
        keys = (doc_of[positions].astype(np.uint64) << np.uint64(hbits)) | (mixed & hmask)
        order = np.argsort(keys)  # not stable: a group's first occurrence is its smallest index
        sk = keys[order]
        new = np.empty(len(sk), bool)
        new[0] = True
        np.not_equal(sk[1:], sk[:-1], out=new[1:])
        gstart = np.flatnonzero(new)
        gcount = np.diff(np.append(gstart, len(sk)))
        group_of_sorted = np.cumsum(new) - 1
        repeated_sorted = gcount[group_of_sorted] >= 2
        gmin = np.minimum.reduceat(order, gstart)  # index of each group's first occurrence
        if n in gopher.TOP_NGRAMS:
            gfirst = positions[gmin]
            gdoc = (sk[gstart] >> np.uint64(hbits)).astype(np.int64)
            rep = gcount >= 2
            if rep.any():
                score = gcount[rep].astype(np.int64) * (1 << 32) + ((1 << 32) - 1 - gfirst[rep])
                rdoc = gdoc[rep]
                seg = np.flatnonzero(np.r_[True, rdoc[1:] != rdoc[:-1]])
                best = np.maximum.reduceat(score, seg)
                docs = rdoc[seg]
                top = best >> 32
                first = (1 << 32) - 1 - (best & ((1 << 32) - 1))
                chars = cs[first + n] - cs[first] + n - 1
                col = out[f"sig_gopher_top_{n}gram_char_frac"]
                col[docs] = top * chars / size_f[docs]
        rep_pos = np.sort(order[repeated_sorted])  # indices into positions, in text order
        if n in gopher.DUP_NGRAMS and len(rep_pos):
            p = positions[rep_pos]
            chars = cs[p + n] - cs[p]
            d = doc_of[p]
            # Without skips, every later occurrence matches. Skips (the scan resumes n words after
            # a match) matter only where a repeated position follows a match within n words:
            # those documents get datatrove's sequential scan, the others a sum.
            first_flag = np.zeros(len(positions), bool)
            first_flag[gmin] = True
            later = ~first_flag[rep_pos]
            conflict = np.zeros(len(p), bool)
            conflict[:-1] = later[:-1] & (p[1:] < p[:-1] + n)
            slow_doc = np.zeros(n_docs, bool)
            slow_doc[d[conflict]] = True
            easy = later & ~slow_doc[d]
            dup = np.bincount(d[easy], weights=chars[easy], minlength=n_docs).astype(np.float64)
            slow = np.flatnonzero(slow_doc[d])
            if len(slow):
                group_of_pos = np.empty(len(order), np.int64)
                group_of_pos[order] = group_of_sorted
                hit = slow[_greedy(p[slow], group_of_pos[rep_pos][slow], ~later[slow], n)]
                dup[slow_doc] = 0.0
                dup += np.bincount(d[hit], weights=chars[hit], minlength=n_docs)
            out[f"sig_gopher_dup_{n}gram_char_frac"] = dup / np.where(size_f > 0, size_f, 1)
        positions, hashes = positions[rep_pos], hashes[rep_pos]
    return out


def _greedy(pos: np.ndarray, group: np.ndarray, first: np.ndarray, n: int) -> np.ndarray:
    """datatrove's find_all_duplicate over the repeated positions of whole documents (positions
    global and increasing, so documents never meet; `group`: the n-gram's id, unique across
    documents; `first`: its first occurrence in the document): the indices of the matches.

    Only the scan's stops are visited: a match goes straight to the position n words on (found
    for all positions at once with searchsorted), and a run of first occurrences, never a match,
    is added to the seen set at once. memoryviews hand the loop Python ints without converting
    whole arrays to lists. (A numpy formulation, following the chain of stops by pointer doubling
    and correcting guessed matches until they reproduce themselves, needed up to a dozen rounds
    on corpus-20k's repetitive documents and was slower.)"""
    size = len(pos)
    if size == 0:
        return np.zeros(0, np.int64)
    # where the scan resumes after a match at each position: n positions on inside a run of
    # consecutive positions (most), else found by binary search
    ahead = np.minimum(np.arange(n, size + n), size - 1)
    resume_at = np.where(pos[ahead] == pos + n, ahead, -1)
    far = np.flatnonzero(resume_at < 0)
    resume_at[far] = np.searchsorted(pos, pos[far] + n)
    resume = memoryview(resume_at)
    # where the run of first occurrences starting at each position ends: the next later occurrence
    later = ~first
    later_at = np.append(np.flatnonzero(later), size)
    first_run_end = memoryview(later_at[np.cumsum(later) - later])
    key = memoryview(np.ascontiguousarray(group, np.int64))
    is_first = memoryview(np.ascontiguousarray(first, bool))
    seen: set[int] = set()
    update, add = seen.update, seen.add
    matches: list[int] = []
    append = matches.append
    i = 0
    while i < size:
        if is_first[i]:
            end = first_run_end[i]
            update(key[i:end])
            i = end
        elif key[i] in seen:
            append(i)
            i = resume[i]
        else:
            add(key[i])
            i += 1
    return np.asarray(matches, np.int64)


# -- the batch ---------------------------------------------------------------------------------------------


def _as_array(texts) -> pa.Array:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    if not isinstance(texts, pa.Array):
        texts = pa.array(texts, pa.string())
    if texts.type != pa.string():
        texts = texts.cast(pa.string())
    return texts.fill_null("") if texts.null_count else texts


def prose_signal_columns(
    texts, langs: list[str | None] | None = None, measure: Measure | None = None, tokenizer: str = "fast"
) -> dict[str, np.ndarray]:
    """{signal: float64 array, NaN for null} for every name in `signals.PROSE_SIGNALS` (families
    that are off: all NaN). `langs`: each document's language for its stop words (None: the
    measure's default language). `tokenizer`: "exact" (the per-document tokenizer for uncommon
    chunks) or "fast" (an RE2 approximation of it)."""
    measure = measure or Measure()
    texts = _as_array(texts)
    n = len(texts)
    cols = {name: np.full(n, np.nan) for name in PROSE_SIGNALS}
    if n == 0:
        return cols
    size = _np_int(pc.utf8_length(texts))
    # lines as str.splitlines: split at every break, then drop the empty piece after a final break
    split = _split_lines(texts)
    pieces = split.flatten()
    piece_off = _np_int(split.offsets)
    last = piece_off[1:] - 1
    ends_break = _np_bool(pc.match_substring_regex(texts, _ENDS_WITH_BREAK)) | (size == 0)
    keep_piece = np.ones(len(pieces), bool)
    keep_piece[last[ends_break]] = False
    real = np.flatnonzero(keep_piece)
    lines = pieces.take(pa.array(real))
    line_doc = np.repeat(np.arange(n, dtype=np.int64), np.diff(piece_off))[real]
    n_lines = np.bincount(line_doc, minlength=n)
    line_off = np.zeros(n + 1, np.int64)
    np.cumsum(n_lines, out=line_off[1:])

    need_words = measure.gopher_quality or measure.gopher_repetition or measure.fineweb or measure.c4
    words = _tokenize(lines, tokenizer) if need_words else None
    if words is not None:
        doc_words = np.bincount(line_doc, weights=words.line_counts, minlength=n).astype(np.int64)
        doc_off = np.zeros(n + 1, np.int64)
        np.cumsum(doc_words, out=doc_off[1:])

    with np.errstate(divide="ignore", invalid="ignore"):
        if measure.gopher_quality:
            _gopher_quality(cols, texts, lines, line_doc, n_lines, words, doc_words, doc_off, langs, measure)
        if measure.gopher_repetition:
            _gopher_repetition(cols, texts, size, words, doc_off)
        kept = None
        if measure.c4:
            kept = _c4(cols, texts, lines, line_doc, n_lines, words, measure, tokenizer)
        if measure.fineweb:
            if kept is not None and measure.fineweb_on_c4_text:
                _fineweb_on_kept(cols, kept, n, measure)
            else:
                _fineweb_on_text(cols, texts, size, doc_words, measure)
    return cols


def _split_lines(texts: pa.Array) -> pa.ListArray:
    """The pieces between str.splitlines' breaks. Most texts break lines with "\\n" only: a plain
    split for those (several times cheaper than the regex split), the regex for the others."""
    other = _np_bool(pc.match_substring_regex(texts, _OTHER_BREAKS))
    if not other.any():
        return pc.split_pattern(texts, "\n")
    if other.all():
        return pc.split_pattern_regex(texts, _BREAKS)
    plain_rows, other_rows = np.flatnonzero(~other), np.flatnonzero(other)
    return _in_row_order(
        [
            (plain_rows, pc.split_pattern(_take(texts, plain_rows), "\n")),
            (other_rows, pc.split_pattern_regex(_take(texts, other_rows), _BREAKS)),
        ]
    )


def _gopher_quality(cols, texts, lines, line_doc, n_lines, words, doc_words, doc_off, langs, measure):
    n = len(texts)
    tok = words.tok
    symbols = _segment_sums(words.symbol[tok].astype(np.int64), doc_off)
    alpha = _segment_sums(words.alpha[tok].astype(np.int64), doc_off)
    measured_mask = words.measured[tok]
    measured = _segment_sums(measured_mask.astype(np.int64), doc_off)
    measured_len = _segment_sums(np.where(measured_mask, words.length[tok], 0), doc_off)
    nw = doc_words.astype(np.float64)
    has = doc_words > 0
    cols["sig_gopher_word_count"] = (doc_words - symbols).astype(np.float64)
    cols["sig_gopher_mean_word_length"] = np.where(has & (measured > 0), measured_len / measured, np.nan)
    hashes = _np_int(pc.count_substring(texts, "#"))
    ellipses = _np_int(pc.count_substring(texts, "...")) + _np_int(pc.count_substring(texts, "…"))
    cols["sig_gopher_hash_ratio"] = np.where(has, hashes / nw, np.nan)
    cols["sig_gopher_ellipsis_ratio"] = np.where(has, ellipses / nw, np.nan)
    stripped = pc.utf8_trim_whitespace(lines)
    bullets = _np_bool(pc.starts_with(stripped, "•")) | _np_bool(pc.starts_with(stripped, "-"))
    ellipsis_lines = _np_bool(pc.ends_with(stripped, "...")) | _np_bool(pc.ends_with(stripped, "…"))
    nl = n_lines.astype(np.float64)
    b = np.bincount(line_doc, weights=bullets, minlength=n)
    e = np.bincount(line_doc, weights=ellipsis_lines, minlength=n)
    cols["sig_gopher_bullet_lines_frac"] = np.where(has & (n_lines > 0), b / nl, np.nan)
    cols["sig_gopher_ellipsis_lines_frac"] = np.where(has & (n_lines > 0), e / nl, np.nan)
    cols["sig_gopher_alpha_words_frac"] = np.where(has, alpha / nw, np.nan)
    # stop words: distinct stop words present, per language list
    lists = [stop_words_for(lang, measure) for lang in langs] if langs is not None else None
    if lists is None:
        groups = {stop_words_for(None, measure): np.ones(n, bool)}
    else:
        groups = {}
        for i, sw in enumerate(lists):
            groups.setdefault(sw, np.zeros(n, bool))[i] = True
    stop = np.full(n, np.nan)
    doc_of = np.repeat(np.arange(n, dtype=np.int64), doc_words)
    for sw, members in groups.items():
        if sw is None:
            continue
        # distinct stop words per document: a (document x stop word) presence table, no sort
        listed = list(dict.fromkeys(sw))
        slot = pc.index_in(words.dictionary, value_set=pa.array(listed, pa.string()))
        slot_of_tok = np.asarray(slot.fill_null(-1).to_numpy(zero_copy_only=False), np.int64)[tok]
        mask = (slot_of_tok >= 0) & members[doc_of]
        present = np.zeros((n, len(listed)), bool)
        present[doc_of[mask], slot_of_tok[mask]] = True
        counts = present.sum(axis=1).astype(np.float64)
        stop[members & has] = counts[members & has]
    cols["sig_gopher_stop_words"] = stop


def _gopher_repetition(cols, texts, size, words, doc_off):
    n = len(texts)
    has = size > 0
    sz = np.where(has, size, 1).astype(np.float64)
    paragraphs = pc.split_pattern_regex(pc.utf8_trim_whitespace(texts), "\\n{2,}")
    parts, dup, dup_chars = _duplicates(paragraphs.flatten(), _np_int(pc.list_parent_indices(paragraphs)), n)
    cols["sig_gopher_dup_para_frac"] = np.where(has, dup / np.maximum(parts, 1), np.nan)
    cols["sig_gopher_dup_para_char_frac"] = np.where(has, dup_chars / sz, np.nan)
    line_runs = pc.split_pattern_regex(texts, "\\n+")
    parts, dup, dup_chars = _duplicates(line_runs.flatten(), _np_int(pc.list_parent_indices(line_runs)), n)
    cols["sig_gopher_dup_line_frac"] = np.where(has, dup / np.maximum(parts, 1), np.nan)
    cols["sig_gopher_dup_line_char_frac"] = np.where(has, dup_chars / sz, np.nan)
    ngrams = _ngram_columns(words.tok, words.length[words.tok], doc_off, size)
    for name, values in ngrams.items():
        cols[name] = np.where(has, values, np.nan)


class _Kept:
    __slots__ = ("lines", "line_doc", "words", "n_kept", "fallback", "texts_fallback")


def _c4(cols, texts, lines, line_doc, n_lines, words, measure, tokenizer) -> _Kept:
    n = len(texts)
    rules = measure.c4_lines
    stripped = pc.utf8_trim_whitespace(lines)
    n_line = len(lines)
    ends = _np_bool(pc.match_substring_regex(stripped, "[.?!\"']$")) & ~_np_bool(
        pc.ends_with(stripped, "...")
    )
    terminal = np.bincount(line_doc, weights=ends, minlength=n)
    n_words_line = words.n_chunks_line
    keep = np.ones(n_line, bool)
    if rules.max_word_length != -1 and len(words.chunk_line):
        # a whitespace chunk longer than the limit (the chunk lengths of the line's chunks)
        long_lines = words.chunk_len > rules.max_word_length
        if long_lines.any():
            bad = np.bincount(words.chunk_line[long_lines], minlength=n_line) > 0
            keep &= ~bad
    text_now = stripped
    changed = np.zeros(n_line, bool)
    if rules.remove_citations:
        has_bracket = _np_bool(pc.match_substring(stripped, "["))
        if has_bracket.any():
            text_now = pc.replace_substring_regex(stripped, _CITATION, "")
            changed = has_bracket & _np_bool(pc.not_equal(text_now, stripped))
            if rules.filter_no_terminal_punct and changed.any():
                ends = _np_bool(pc.match_substring_regex(text_now, "[.?!\"']$")) & ~_np_bool(
                    pc.ends_with(text_now, "...")
                )
    if rules.filter_no_terminal_punct:
        keep &= ends
    few = keep & (n_words_line < rules.min_words_per_line)
    if few.any():  # a line of Chinese or Japanese has few spaces but many words (c4.c4_signals)
        cls = _classes()
        rows = np.flatnonzero(few)
        per_char = _np_int(
            pc.count_substring_regex(text_now.take(pa.array(rows)), f"[{cls['per_char']}][{cls['marks']}]*")
        )
        few[rows[n_words_line[rows] + per_char >= rules.min_words_per_line]] = False
        keep &= ~few
    lowered_text = pc.utf8_lower(texts)
    doc_lorem = _np_bool(pc.match_substring(lowered_text, "lorem ipsum"))
    doc_js = (
        _np_bool(pc.match_substring(lowered_text, "javascript"))
        if rules.filter_javascript
        else np.zeros(n, bool)
    )
    doc_policy = (
        _np_bool(pc.match_substring_regex(lowered_text, "|".join(map(re.escape, c4_rules.POLICY_SUBSTRINGS))))
        if rules.filter_policy
        else np.zeros(n, bool)
    )
    doc_curly = _np_bool(pc.match_substring(texts, "{"))
    lorem = np.zeros(n_line, bool)
    js = np.zeros(n_line, bool)
    policy = np.zeros(n_line, bool)
    curly = np.zeros(n_line, bool)
    stage = np.flatnonzero(keep)  # lines reaching the keyword checks
    if len(stage):
        sd = line_doc[stage]
        need = doc_lorem[sd] | doc_js[sd] | doc_policy[sd] | doc_curly[sd]
        stage = stage[need]
    if len(stage):
        sd = line_doc[stage]
        cand = text_now.take(pa.array(stage))
        low = pc.utf8_lower(cand)
        lo = _np_bool(pc.match_substring(low, "lorem ipsum")) & doc_lorem[sd]
        j = _np_bool(pc.match_substring(low, "javascript")) & doc_js[sd]
        cu = _np_bool(pc.match_substring(cand, "{")) & doc_curly[sd] & ~j
        po = (
            _np_bool(pc.match_substring_regex(low, "|".join(map(re.escape, c4_rules.POLICY_SUBSTRINGS))))
            & doc_policy[sd]
            & ~j
        )
        lorem[stage], js[stage], curly[stage], policy[stage] = lo, j, cu, po
        keep[stage[j | po]] = False
    cols["sig_c4_lorem_ipsum"] = (np.bincount(line_doc, weights=lorem, minlength=n) > 0).astype(np.float64)
    cols["sig_c4_curly_bracket"] = (np.bincount(line_doc, weights=curly, minlength=n) > 0).astype(np.float64)
    cols["sig_c4_javascript_lines"] = np.bincount(line_doc, weights=js, minlength=n)
    cols["sig_c4_policy_lines"] = np.bincount(line_doc, weights=policy, minlength=n)
    n_kept = np.bincount(line_doc, weights=keep, minlength=n).astype(np.int64)
    cols["sig_c4_removed_lines"] = (n_lines - n_kept).astype(np.float64)
    cols["sig_c4_terminal_punct_lines_frac"] = np.where(
        n_lines > 0, terminal / np.maximum(n_lines, 1), np.nan
    )

    # words of the kept lines (lines changed by citation removal: split again)
    kept_idx = np.flatnonzero(keep)
    kept_lines = text_now.take(pa.array(kept_idx))
    kept_changed = changed[kept_idx]
    line_tok_off = np.zeros(n_line + 1, np.int64)
    np.cumsum(words.line_counts, out=line_tok_off[1:])
    kinds_parts, line_parts = [], []
    line_words = words.line_counts[kept_idx].copy()
    unchanged = kept_idx[~kept_changed]
    if len(unchanged):
        pos = ragged_positions(line_tok_off[unchanged], words.line_counts[unchanged])
        kinds_parts.append(words.sent[words.tok[pos]])
        line_parts.append(np.repeat(unchanged, words.line_counts[unchanged]))
    if kept_changed.any():
        ch_rows = np.flatnonzero(kept_changed)
        again = _tokenize(kept_lines.take(pa.array(ch_rows)), tokenizer)
        line_words[ch_rows] = again.line_counts
        kinds_parts.append(again.sent[again.tok])
        line_parts.append(np.repeat(kept_idx[ch_rows], again.line_counts))
    if kinds_parts:
        kinds = np.concatenate(kinds_parts)
        tline = np.concatenate(line_parts)
        order = np.argsort(tline, kind="stable")
        kinds, tline = kinds[order], tline[order]
        sel = kinds != 2
        kinds, tline = kinds[sel], tline[sel]
        starts = np.zeros(len(kinds), bool)
        if len(kinds) > 1:
            starts[1:] = (kinds[1:] == 0) & (kinds[:-1] == 1) & (tline[1:] == tline[:-1])
        inside = np.bincount(line_doc[tline[starts]], minlength=n)
    else:
        inside = np.zeros(n, np.int64)
    cols["sig_c4_sentences"] = (n_kept + inside).astype(np.float64)
    kept = _Kept()
    kept.lines = kept_lines
    kept.line_doc = line_doc[kept_idx]
    kept.n_kept = n_kept
    kept.words = np.bincount(kept.line_doc, weights=line_words, minlength=n).astype(np.int64) - n_kept
    # documents whose remaining text is not simply their kept lines joined: a kept line changed by
    # citation removal (it keeps surrounding spaces) or blank
    blank = (
        _np_bool(pc.equal(pc.utf8_trim_whitespace(kept_lines), "")) if len(kept_lines) else np.zeros(0, bool)
    )
    odd = kept_changed | blank
    kept.fallback = np.unique(kept.line_doc[odd])
    return kept


def _fineweb_values(lines, parents, n, short_len, newlines, chars, n_words, present):
    """FineWeb signals from a document's non-blank lines."""
    cls = _classes()
    n_l = np.bincount(parents, minlength=n)
    punct = np.bincount(
        parents, weights=_np_bool(pc.match_substring_regex(lines, f"[{cls['terminal']}]$")), minlength=n
    )
    short = np.bincount(parents, weights=_np_int(pc.utf8_length(lines)) <= short_len, minlength=n)
    _, _, dup_chars = _duplicates(lines, parents, n)
    ok = present & (n_l > 0)
    nl = np.maximum(n_l, 1)
    return {
        "sig_fineweb_line_punct_ratio": np.where(ok, punct / nl, np.nan),
        "sig_fineweb_short_line_ratio": np.where(ok, short / nl, np.nan),
        "sig_fineweb_char_dup_ratio": np.where(
            ok, np.where(chars > 0, dup_chars / np.maximum(chars, 1), 0.0), np.nan
        ),
        "sig_fineweb_new_line_ratio": np.where(
            ok & (n_words != 0), newlines / np.where(n_words != 0, n_words, 1), np.nan
        ),
    }


def _fineweb_on_kept(cols, kept: _Kept, n: int, measure: Measure) -> None:
    lengths = _np_int(pc.utf8_length(kept.lines)) if len(kept.lines) else np.zeros(0, np.int64)
    chars = np.bincount(kept.line_doc, weights=lengths, minlength=n)
    newlines = np.maximum(kept.n_kept - 1, 0)
    present = np.ones(n, bool)
    cols.update(
        _fineweb_values(
            kept.lines,
            kept.line_doc,
            n,
            measure.fineweb_short_line_length,
            newlines,
            chars,
            kept.words,
            present,
        )  # fmt: skip
    )
    if len(kept.fallback):
        lines_py = kept.lines.to_pylist()
        for d in kept.fallback.tolist():
            rows = np.flatnonzero(kept.line_doc == d)
            text = c4_rules.remaining_text([lines_py[r] for r in rows])
            values = fineweb_rules.fineweb_signals(
                text, int(kept.words[d]), measure.fineweb_short_line_length
            )
            for name, v in values.items():
                cols[name][d] = np.nan if v is None else v


def _fineweb_on_text(cols, texts, size, doc_words, measure: Measure) -> None:
    n = len(texts)
    split = pc.split_pattern(texts, "\n")
    raw = split.flatten()
    parents = _np_int(pc.list_parent_indices(split))
    nonblank = ~_np_bool(pc.equal(pc.utf8_trim_whitespace(raw), ""))
    rows = np.flatnonzero(nonblank)
    lines = raw.take(pa.array(rows))
    newlines = _np_int(pc.count_substring(texts, "\n"))
    chars = size - newlines
    cols.update(
        _fineweb_values(
            lines,
            parents[rows],
            n,
            measure.fineweb_short_line_length,
            newlines,
            chars,
            doc_words,
            np.ones(n, bool),
        )  # fmt: skip
    )
