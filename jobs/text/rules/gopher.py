"""Gopher quality and repetition signals (Rae et al. 2021, table A1), as datatrove measures them.

`quality_signals` and `repetition_signals` compute every value once; `jobs.text.rules.decide`
applies thresholds. Both take the document's word ids (`words.token_ids`) so the text is split
once for all rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from itertools import accumulate, compress, islice, repeat
from operator import add, itemgetter, mul

import numpy as np

from jobs.text.rules import words as W

GOPHER_STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")

# Very common function words per language (case-sensitive, like datatrove's check): a document
# in that language without at least `gopher_min_stop_words` of them is rarely running prose.
# Languages without a list skip the rule (signal null). zh/ja are split per character.
STOP_WORDS: dict[str, tuple[str, ...]] = {
    "en": GOPHER_STOP_WORDS,
    "de": ("der", "die", "und", "in", "den", "von", "zu", "das", "mit", "sich", "des", "ist", "nicht"),
    "fr": ("de", "la", "le", "et", "les", "des", "en", "un", "du", "une", "que", "est", "pour"),
    "es": ("de", "la", "que", "el", "en", "y", "los", "del", "se", "las", "por", "un", "para"),
    "it": ("di", "e", "il", "la", "che", "per", "un", "in", "del", "è", "della", "non", "una"),
    "pt": ("de", "a", "o", "que", "e", "do", "da", "em", "um", "para", "é", "com", "não", "os"),
    "nl": ("de", "en", "van", "het", "een", "in", "is", "dat", "op", "te", "voor", "met", "niet"),
    "sv": ("och", "i", "att", "det", "som", "en", "på", "är", "av", "för", "med", "till", "den"),
    "da": ("og", "i", "at", "det", "er", "en", "til", "på", "som", "de", "med", "af", "for"),
    "nb": ("og", "i", "det", "er", "på", "som", "en", "til", "å", "av", "for", "med", "at"),
    "no": ("og", "i", "det", "er", "på", "som", "en", "til", "å", "av", "for", "med", "at"),
    "nn": ("og", "i", "det", "er", "på", "som", "ein", "til", "å", "av", "for", "med", "at"),
    "pl": ("i", "w", "na", "z", "się", "nie", "do", "to", "że", "jest", "o", "jak", "a"),
    "cs": ("a", "v", "se", "na", "je", "že", "s", "z", "do", "to", "i", "k", "o", "pro"),
    "sk": ("a", "v", "sa", "na", "je", "že", "s", "z", "do", "to", "aj", "k", "o", "pre"),
    "ru": ("и", "в", "не", "на", "что", "с", "по", "как", "это", "для", "к", "из", "а"),
    "uk": ("і", "в", "не", "на", "що", "з", "та", "до", "у", "й", "як", "це", "для"),
    "bg": ("и", "в", "на", "да", "се", "не", "за", "от", "е", "с", "че", "по", "са"),
    "sr": ("и", "у", "је", "да", "се", "на", "за", "не", "од", "са", "i", "u", "je", "da", "se", "na"),
    "tr": ("bir", "ve", "bu", "da", "de", "için", "ile", "olarak", "çok", "daha", "gibi", "olan"),
    "vi": ("và", "của", "có", "là", "các", "được", "trong", "cho", "không", "một", "những", "với"),
    "id": ("yang", "dan", "di", "ini", "dengan", "untuk", "dari", "dalam", "itu", "tidak", "ke"),
    "ms": ("yang", "dan", "di", "ini", "dengan", "untuk", "dari", "dalam", "itu", "tidak", "ke"),
    "fi": ("ja", "on", "ei", "se", "että", "oli", "kun", "mutta", "tai", "ovat", "myös", "jos"),
    "hu": ("a", "az", "és", "hogy", "nem", "is", "egy", "meg", "van", "ez", "de", "csak"),
    "ro": ("și", "de", "în", "la", "a", "cu", "că", "pe", "nu", "din", "este", "o", "un"),
    "el": ("και", "το", "να", "του", "η", "της", "σε", "για", "με", "τα", "την", "που", "ο"),
    "ca": ("de", "la", "i", "el", "que", "a", "en", "els", "les", "per", "amb", "és", "del"),
    "hr": ("i", "je", "u", "se", "na", "da", "za", "su", "od", "s", "a", "ne", "koji"),
    "sl": ("in", "je", "v", "se", "na", "za", "da", "so", "pa", "z", "ki", "ne", "tudi"),
    "ar": ("في", "من", "على", "أن", "إلى", "و", "التي", "الذي", "عن", "هذا", "مع", "ما"),
    "fa": ("و", "در", "به", "از", "که", "این", "را", "با", "است", "برای", "آن", "یک"),
    "he": ("של", "את", "על", "לא", "הוא", "זה", "עם", "כי", "גם", "אם", "או", "יש"),
    "zh": ("的", "是", "在", "了", "和", "有", "不", "这", "一", "中", "我", "为", "人"),
    "ja": ("の", "に", "は", "を", "た", "が", "で", "て", "と", "し", "な", "る", "い"),
    "ko": ("수", "및", "이", "그", "등", "있는", "있다", "하는", "것", "더", "또는", "할"),
}

_PARAGRAPHS = re.compile(r"\n{2,}")
_LINE_RUNS = re.compile(r"\n+")
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_BULLET_LINES = re.compile(r"^[^\S\n]*[•-]", re.M)
_ELLIPSIS_LINES = re.compile(r"(?:\.\.\.|…)[^\S\n]*$", re.M)

TOP_NGRAMS = (2, 3, 4)
DUP_NGRAMS = (5, 6, 7, 8, 9, 10)
_PAIR = 1 << 32  # word ids stay below (words.MAX_CACHE)

QUALITY_SIGNALS = (
    "sig_gopher_word_count",
    "sig_gopher_mean_word_length",
    "sig_gopher_hash_ratio",
    "sig_gopher_ellipsis_ratio",
    "sig_gopher_bullet_lines_frac",
    "sig_gopher_ellipsis_lines_frac",
    "sig_gopher_alpha_words_frac",
    "sig_gopher_stop_words",
)
REPETITION_SIGNALS = (
    "sig_gopher_dup_para_frac",
    "sig_gopher_dup_para_char_frac",
    "sig_gopher_dup_line_frac",
    "sig_gopher_dup_line_char_frac",
    *(f"sig_gopher_top_{n}gram_char_frac" for n in TOP_NGRAMS),
    *(f"sig_gopher_dup_{n}gram_char_frac" for n in DUP_NGRAMS),
)

_stop_ids: dict[tuple[int, tuple[str, ...]], frozenset[int]] = {}


def stop_word_ids(words: tuple[str, ...]) -> frozenset[int]:
    key = (W.generation, words)
    found = _stop_ids.get(key)
    if found is None:
        found = _stop_ids[key] = frozenset(W.token_id(w) for w in words)
    return found


def _line_counts(text: str) -> tuple[int, int, int]:
    """(lines, lines starting with a bullet, lines ending with an ellipsis) as str.splitlines sees them."""
    if _OTHER_BREAKS.search(text):
        lines = text.splitlines()
        bullets = sum(1 for s in lines if s.lstrip().startswith(("•", "-")))
        ellipses = sum(1 for s in lines if s.rstrip().endswith(("...", "…")))
        return len(lines), bullets, ellipses
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1) if text else 0
    return n_lines, len(_BULLET_LINES.findall(text)), len(_ELLIPSIS_LINES.findall(text))


def quality_signals(text: str, ids: list[int], stop_words: tuple[str, ...] | None) -> dict[str, float | None]:
    """Gopher quality signals. `ids`: the text's word ids; `stop_words`: the document language's
    list (None: the stop-word rule does not apply)."""
    n = len(ids)
    out: dict[str, float | None] = dict.fromkeys(QUALITY_SIGNALS)
    if n == 0:
        out["sig_gopher_word_count"] = 0.0
        return out
    packed = sum(map(W.PACKED.__getitem__, ids))  # four per-word counts in one pass
    symbols, alpha, measured, measured_length = (
        packed & W.FIELD,
        (packed >> W.ALPHA_SHIFT) & W.FIELD,
        (packed >> W.MEASURED_SHIFT) & W.FIELD,
        packed >> W.MEASURED_LENGTH_SHIFT,
    )
    out["sig_gopher_word_count"] = float(n - symbols)
    # Characters of one-character-per-word scripts are left out of the mean word length.
    if measured:
        out["sig_gopher_mean_word_length"] = measured_length / measured
    out["sig_gopher_hash_ratio"] = text.count("#") / n
    out["sig_gopher_ellipsis_ratio"] = (text.count("...") + text.count("…")) / n
    n_lines, bullets, ellipses = _line_counts(text)
    if n_lines:
        out["sig_gopher_bullet_lines_frac"] = bullets / n_lines
        out["sig_gopher_ellipsis_lines_frac"] = ellipses / n_lines
    out["sig_gopher_alpha_words_frac"] = alpha / n
    if stop_words is not None:
        out["sig_gopher_stop_words"] = float(len(stop_word_ids(stop_words).intersection(ids)))
    return out


def _duplicates(parts: list[str]) -> tuple[int, int]:
    """datatrove's find_duplicates: (repeated elements, their characters), first occurrences excluded."""
    unique = set(parts)
    return len(parts) - len(unique), sum(map(len, parts)) - sum(map(len, unique))


def repetition_signals(text: str, ids: list[int]) -> dict[str, float | None]:
    """Gopher repetition signals: duplicate paragraphs/lines and n-gram character fractions."""
    out: dict[str, float | None] = dict.fromkeys(REPETITION_SIGNALS)
    size = len(text)
    if not size:
        return out
    paragraphs = _PARAGRAPHS.split(text.strip())
    dup, dup_chars = _duplicates(paragraphs)
    out["sig_gopher_dup_para_frac"] = dup / len(paragraphs)
    out["sig_gopher_dup_para_char_frac"] = dup_chars / size
    lines = _LINE_RUNS.split(text)
    dup, dup_chars = _duplicates(lines)
    out["sig_gopher_dup_line_frac"] = dup / len(lines)
    out["sig_gopher_dup_line_char_frac"] = dup_chars / size
    out.update(ngram_signals(ids, size))
    return out


def _greedy_duplicate_chars(positions: list[int], keys: list, offsets: list[int], n: int) -> int:
    """datatrove's find_all_duplicate over the positions whose n-gram repeats (in order): an
    n-gram seen before counts its characters and the scan jumps past it; positions whose n-gram
    occurs once never match, so leaving them out changes nothing."""
    seen: set = set()
    total = resume = 0
    for p, k in zip(positions, keys, strict=True):
        if p < resume:
            continue
        if k in seen:
            total += offsets[p + n] - offsets[p]
            resume = p + n
        else:
            seen.add(k)
            resume = p + 1
    return total


def ngram_signals(ids: list[int], size: int) -> dict[str, float | None]:
    """Top n-gram (n=2..4) and duplicate n-gram (n=5..10) character fractions over `size` chars.

    n-grams are keys of word ids (the same words <=> the same joined string, as words hold no
    whitespace). An n-gram can repeat only where its (n-1)-gram repeats, so each n looks at the
    positions whose (n-1)-gram repeats, and datatrove's greedy find_all_duplicate scan visits
    repeated n-grams only (the others never match anything). Every per-position step is a chain
    of map/compress/zip (C speed); only the greedy scan over repeated positions is a Python loop.
    """
    n_words = len(ids)
    if n_words > NUMPY_FROM_WORDS:
        return _ngram_signals_numpy(ids, size)
    out: dict[str, float | None] = {}
    if n_words < 2:
        out.update({f"sig_gopher_top_{n}gram_char_frac": None for n in TOP_NGRAMS})
        out.update({f"sig_gopher_dup_{n}gram_char_frac": 0.0 for n in DUP_NGRAMS})
        return out
    offsets = [0, *accumulate(map(W.LENGTH.__getitem__, ids))]
    # Keys are ints: id pairs for n=2, then hash((key of the (n-1)-gram, next id)) (64-bit; a
    # collision between two different n-grams of one document is vanishingly rare).
    keys: list[int] = list(map(add, map(mul, ids, repeat(_PAIR)), islice(ids, 1, None)))
    positions: list[int] | range = range(len(keys))
    for n in range(2, 11):
        if n > 2:
            last = n_words - n  # the last position an n-gram starts at
            if positions[-1] > last:
                cut = bisect_right(positions, last)
                positions, keys = positions[:cut], keys[:cut]
                if not positions:
                    break
            keys = list(
                map(hash, zip(keys, map(ids.__getitem__, map(add, positions, repeat(n - 1))), strict=True))
            )
        counts = Counter(keys)
        unique = len(counts) == len(keys)
        if n in TOP_NGRAMS:
            if unique:
                first, top = 0, 1
            else:
                top_key, top = max(counts.items(), key=itemgetter(1))  # the first of the most frequent
                first = positions[keys.index(top_key)]
            out[f"sig_gopher_top_{n}gram_char_frac"] = (
                top * (offsets[first + n] - offsets[first] + n - 1) / size
            )
        if unique:
            break
        repeated = list(map((1).__lt__, map(counts.__getitem__, keys)))
        positions = list(compress(positions, repeated))
        keys = list(compress(keys, repeated))
        if n in DUP_NGRAMS:
            out[f"sig_gopher_dup_{n}gram_char_frac"] = (
                _greedy_duplicate_chars(positions, keys, offsets, n) / size
            )
    for m in range(2, 11):  # after the first n without repeats: top n-grams occur once, no duplicates
        if m in TOP_NGRAMS:
            name = f"sig_gopher_top_{m}gram_char_frac"
            if name not in out:
                out[name] = (offsets[m] + m - 1) / size if n_words >= m else None
        else:
            out.setdefault(f"sig_gopher_dup_{m}gram_char_frac", 0.0)
    return out


NUMPY_FROM_WORDS = 3000  # longer documents: the same computation with numpy (sorts beat Counter)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _ngram_signals_numpy(ids: list[int], size: int) -> dict[str, float | None]:
    """`ngram_signals` for long documents: 64-bit rolling hashes of word ids, grouped by sorting."""
    out: dict[str, float | None] = {}
    n_words = len(ids)
    a = np.array(ids, dtype=np.int64)
    cum = np.zeros(n_words + 1, np.int64)
    np.cumsum(np.array(W.LENGTH, dtype=np.int64)[a], out=cum[1:])
    symbols = a.astype(np.uint64) + np.uint64(1)
    positions = np.arange(n_words)
    hashes = symbols.copy()
    offsets: list[int] | None = None
    for n in range(2, 11):
        keep = positions < n_words - n + 1
        positions, hashes = positions[keep], hashes[keep]
        with np.errstate(over="ignore"):
            hashes = hashes * _MIX + symbols[positions + (n - 1)]
        if len(positions) > 1:
            order = np.argsort(hashes, kind="stable")
            ordered = hashes[order]
            new_group = np.empty(len(ordered), bool)
            new_group[0] = True
            np.not_equal(ordered[1:], ordered[:-1], out=new_group[1:])
            group = np.cumsum(new_group) - 1
            counts = np.bincount(group)
            repeated = np.sort(order[counts[group] >= 2])
            top = int(counts.max())
        else:
            repeated = positions[:0]
            top = 1
        if n in TOP_NGRAMS:
            first = int(positions[order[new_group]][counts == top].min()) if top > 1 else 0
            chars = int(cum[first + n] - cum[first]) + n - 1
            out[f"sig_gopher_top_{n}gram_char_frac"] = top * chars / size
        else:
            total = 0
            if len(repeated):
                offsets = offsets or cum.tolist()
                total = _greedy_duplicate_chars(
                    positions[repeated].tolist(), hashes[repeated].tolist(), offsets, n
                )
            out[f"sig_gopher_dup_{n}gram_char_frac"] = total / size
        positions, hashes = positions[repeated], hashes[repeated]
    return out
