"""Word splitting for the prose rules: fast, cached, and close to what datatrove measures.

datatrove's Gopher and FineWeb filters count words with spaCy's blank English tokenizer
(whitespace chunks, then prefix/suffix/infix punctuation rules and special cases). This module
splits the same way with a few regexes (`_chunk_tokens`), applied once per distinct whitespace
chunk: chunks repeat a lot (Zipf), so a document is mostly dictionary look-ups
(`token_ids`). Tokens get integer ids and per-id properties (length, all-punctuation, has a
letter, ...) in lists, so per-document sums are `sum(map(...))` at C speed.

Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan) are split one
character per token (a base character with its combining marks), so CJK text is not one giant
word; spaCy's English tokenizer (and so datatrove's default) keeps such runs whole.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import chain

from jobs.text.rules.spacy_en_exceptions import EXCEPTIONS

# datatrove.utils.text.PUNCTUATION and TERMINAL_PUNCTUATION (0.10.1), copied so that the rules
# need no datatrove import; tests/test_filter_rules.py checks that they are still equal.
PUNCTUATION = (
    "!/\u2014\u201d:\uff05\uff11\u3008&(\u3001\u2501\u005c\u3010#%\u300c\u300d\uff0c\u3011\uff1b+^]~\u201c"
    "\u300a\u201e';\u2019{|\u2236\u00b4[=-`*\uff0e\uff08\u2013\uff1f\uff01\uff1a$\uff5e\u00ab\u3009,><"
    "\u300b)?\uff09\u3002\u2026@_.\u0022}\u25ba\u00bb"
    + "".join(map(chr, (x for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))))
)
TERMINAL_PUNCTUATION = frozenset(
    "!.?\u0589\u061d\u061e\u061f\u06d4\u0700\u0701\u0702\u07f9\u0837\u0839\u083d\u083e\u0964"
    "\u0965\u104a\u104b\u1362\u1367\u1368\u166e\u1735\u1736\u17d4\u17d5\u17d6\u17d9\u17da\u1803"
    "\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f\u1b7d\u1b7e\u1c3b\u1c3c"
    "\u1c7e\u1c7f\u203c\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u2e53\u2e54\u3002\ua4ff\ua60e\ua60f"
    "\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb"
    "\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61\U00010a56\U00010a57\U00010f55\U00010f56"
    "\U00010f57\U00010f58\U00010f59\U00010f86\U00010f87\U00010f88\U00010f89\U00011047\U00011048"
    "\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142\U00011143\U000111c5\U000111c6"
    "\U000111cd\U000111de\U000111df\U00011238\U00011239\U0001123b\U0001123c\U000112a9\U0001144b"
    "\U0001144c\U000115c2\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce"
    "\U000115cf\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7"
    "\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011944\U00011946\U00011a42\U00011a43"
    "\U00011a9b\U00011a9c\U00011c41\U00011c42\U00011ef7\U00011ef8\U00011f43\U00011f44\U00016a6e"
    "\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U00016e98\U0001bc9f\U0001da88"
)
PUNCTUATION_SET = frozenset(PUNCTUATION) | TERMINAL_PUNCTUATION

# spaCy's Sentencizer.default_punct_chars: a token equal to one of these ends a sentence.
SENTENCE_PUNCT = frozenset(
    "!.?\u0589\u061f\u06d4\u0700\u0701\u0702\u07f9\u0964\u0965\u104a\u104b\u1362\u1367\u1368"
    "\u166e\u1735\u1736\u1803\u1809\u1944\u1945\u1aa8\u1aa9\u1aaa\u1aab\u1b5a\u1b5b\u1b5e\u1b5f"
    "\u1c3b\u1c3c\u1c7e\u1c7f\u203c\u203d\u2047\u2048\u2049\u2e2e\u2e3c\u3002\ua4ff\ua60e\ua60f"
    "\ua6f3\ua6f7\ua876\ua877\ua8ce\ua8cf\ua92f\ua9c8\ua9c9\uaa5d\uaa5e\uaa5f\uaaf0\uaaf1\uabeb"
    "\ufe52\ufe56\ufe57\uff01\uff0e\uff1f\uff61\U00010a56\U00010a57\U00011047\U00011048"
    "\U000110be\U000110bf\U000110c0\U000110c1\U00011141\U00011142\U00011143\U000111c5\U000111c6"
    "\U000111cd\U000111de\U000111df\U00011238\U00011239\U0001123b\U0001123c\U000112a9\U0001144b"
    "\U0001144c\U000115c2\U000115c3\U000115c9\U000115ca\U000115cb\U000115cc\U000115cd\U000115ce"
    "\U000115cf\U000115d0\U000115d1\U000115d2\U000115d3\U000115d4\U000115d5\U000115d6\U000115d7"
    "\U00011641\U00011642\U0001173c\U0001173d\U0001173e\U00011a42\U00011a43\U00011a9b\U00011a9c"
    "\U00011c41\U00011c42\U00016a6e\U00016a6f\U00016af5\U00016b37\U00016b38\U00016b44\U0001bc9f"
    "\U0001da88"
)

# Scripts written without spaces: one token per character (plus its combining marks).
_PER_CHAR_BASE = (
    "\u0e00-\u0e30\u0e32\u0e33\u0e3f-\u0e46\u0e4f-\u0e7f"  # Thai
    "\u0e80-\u0eb0\u0eb2\u0eb3\u0ebd-\u0ec7\u0ece-\u0eff"  # Lao
    "\u0f00-\u0f17\u0f1a-\u0f34\u0f36\u0f38\u0f3a-\u0f3d\u0f40-\u0f70\u0f85\u0f88-\u0f8c\u0fbe-\u0fc5"
    "\u0fc7-\u0fff"  # Tibetan
    "\u1000-\u102a\u103f-\u1055\u105a-\u105d\u1061\u1065\u1066\u106e-\u1070\u1075-\u1081\u108e"
    "\u1090-\u1099\u109e\u109f"  # Myanmar
    "\u1780-\u17b3\u17d4-\u17dc\u17e0-\u17ff"  # Khmer
    "\u2e80-\u2fdf\u3005\u3006\u3007\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3040-\u30ff\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"  # Han and kana
    "\U00020000-\U0003134f"
)
_PER_CHAR_MARKS = (
    "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u0eb1\u0eb4-\u0ebc\u0ec8-\u0ecd\u0f18\u0f19\u0f35\u0f37\u0f39"
    "\u0f3e\u0f3f\u0f71-\u0f84\u0f86\u0f87\u0f8d-\u0fbc\u0fc6\u102b-\u103e\u1056-\u1059\u105e-\u1060"
    "\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d\u108f\u109a-\u109d\u17b4-\u17d3\u17dd"
    "\u3099\u309a"
)
PER_CHAR = re.compile(f"[{_PER_CHAR_BASE}][{_PER_CHAR_MARKS}]*")
HAS_PER_CHAR = re.compile(f"[{_PER_CHAR_BASE}]")


def _char_class(predicate, limit: int = 0x10000) -> str:
    """A regex character class body (ranges) of the BMP characters for which predicate holds."""
    out, start, prev = [], None, None
    for code in range(limit):
        if predicate(chr(code)):
            if start is None:
                start = code
            prev = code
        elif start is not None:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
            start = None
    if start is not None:
        out.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
    return "".join(out)


def _uncased(c: str) -> bool:
    return c.isalpha() and not c.isupper() and not c.islower()


# spaCy's ALPHA_LOWER / ALPHA_UPPER include the scripts without case in both.
_LOWER = _char_class(lambda c: c.islower() or _uncased(c))
_UPPER = _char_class(lambda c: c.isupper() or _uncased(c))
_ALPHA = _char_class(str.isalpha)
_SYMBOLS = _char_class(lambda c: unicodedata.category(c) == "So") + "\U0001f000-\U0001faff"

_PUNCT = r",:;!?¿؟¡()\[\]{}<>_#*&。？！，、；：～·।،۔؛٪"
_QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉⟦⟧"
_CURRENCY = r"\$|£|€|¥|฿|US\$|C\$|A\$|₽|﷼|₴|[₠-₿]"
_UNITS = (
    "km|km²|km³|m|m²|m³|dm|dm²|dm³|cm|cm²|cm³|mm|mm²|mm³|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb|oz|m/s|"
    "km/h|kmh|mph|hPa|Pa|mbar|mb|MB|kb|KB|gb|GB|tb|TB|T|G|M|K|%"
)
_PREFIX = re.compile(rf"(?:[§%=—–]|\+(?![0-9])|…|[{_PUNCT}]|\.\.+|[{_QUOTES}]|{_CURRENCY}|[{_SYMBOLS}])")
_SUFFIX = re.compile(
    rf"(?:…|[{_PUNCT}]|\.\.+|[{_QUOTES}]|[{_SYMBOLS}]|'s|'S|’s|’S|—|–|(?<=[0-9])\+|(?<=°[FfCcKk])\."
    rf"|(?<=[0-9])(?:{_CURRENCY})|(?<=[0-9])(?:{_UNITS})"
    rf"|(?<=[0-9{_LOWER}%²\-+…{_PUNCT}|?:{_QUOTES}])\.|(?<=[{_UPPER}][{_UPPER}])\.)$"
)
_INFIX = re.compile(
    rf"\.\.+|…|[{_SYMBOLS}]|(?<=[0-9])[+\-*^](?=[0-9-])|(?<=[{_LOWER}{_QUOTES}])\.(?=[{_UPPER}{_QUOTES}])"
    rf"|(?<=[{_ALPHA}]),(?=[{_ALPHA}])|(?<=[{_ALPHA}0-9])(?:-|–|—|--|---|——|~)(?=[{_ALPHA}])"
    rf"|(?<=[{_ALPHA}0-9])[:<>=/](?=[{_ALPHA}])"
)
# spaCy's URL_PATTERN (a URL stays one token).
_URL = re.compile(
    r"^(?:(?:[\w\+\-\.]{2,})://)?(?:\S+(?::\S*)?@)?(?:"
    r"(?!(?:10|127)(?:\.\d{1,3}){3})(?!(?:169\.254|192\.168)(?:\.\d{1,3}){2})"
    r"(?!172\.(?:1[6-9]|2\d|3[0-1])(?:\.\d{1,3}){2})(?:[1-9]\d?|1\d\d|2[01]\d|22[0-3])"
    r"(?:\.(?:1?\d{1,2}|2[0-4]\d|25[0-5])){2}(?:\.(?:[1-9]\d?|1\d\d|2[0-4]\d|25[0-4]))"
    r"|(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+"
    rf"(?:[{_LOWER}]{{2,63}}))(?::\d{{2,5}})?(?:[/?#]\S*)?$"
)


def _suffix_length(s: str) -> int:
    """Length of spaCy's suffix match at the end of s (searched in the last characters only:
    every suffix is short, except a run of dots)."""
    tail = s[-10:]
    m = _SUFFIX.search(tail)
    if m and m.start() == 0 and len(s) > len(tail):
        m = _SUFFIX.search(s)
    return m.end() - m.start() if m else 0


def _split_affixes(chunk: str) -> list[str]:
    """One whitespace-free chunk split as spaCy's tokenizer does (prefixes, suffixes, special
    cases, URLs, infixes)."""
    special = EXCEPTIONS.get(chunk)
    if special is not None:
        return list(special)
    prefixes: list[str] = []
    suffixes: list[str] = []
    s = chunk
    last = -1
    while s and len(s) != last:
        if s in EXCEPTIONS:
            break
        last = len(s)
        m = _PREFIX.match(s)
        pre_len = m.end() if m else 0
        prefix = s[:pre_len]
        minus_pre = s[pre_len:]
        if pre_len and minus_pre and minus_pre in EXCEPTIONS:
            s = minus_pre
            prefixes.append(prefix)
            break
        suf_len = _suffix_length(s[pre_len:])
        suffix = s[len(s) - suf_len :] if suf_len else ""
        minus_suf = s[: len(s) - suf_len]
        if suf_len and minus_suf and minus_suf in EXCEPTIONS:
            s = minus_suf
            suffixes.append(suffix)
            break
        if pre_len and suf_len and pre_len + suf_len <= len(s):
            s = s[pre_len : len(s) - suf_len]
            prefixes.append(prefix)
            suffixes.append(suffix)
        elif pre_len:
            s = minus_pre
            prefixes.append(prefix)
        elif suf_len:
            s = minus_suf
            suffixes.append(suffix)
        if s and s in EXCEPTIONS:
            break
    tokens = prefixes
    if s:
        special = EXCEPTIONS.get(s)
        if special is not None:
            tokens.extend(special)
        elif s.isalnum():
            tokens.append(s)  # no infix rule applies to letters and digits only
        elif _URL.match(s):
            tokens.append(s)
        else:
            start = 0
            for m in _INFIX.finditer(s):
                a, b = m.start(), m.end()
                if a == 0:
                    continue
                if a != start:
                    tokens.append(s[start:a])
                if a != b:
                    tokens.append(s[a:b])
                start = b
            if s[start:]:
                tokens.append(s[start:])
    tokens.extend(reversed(suffixes))
    return tokens


# A chunk of at most one bracket/quote, a core of word characters (and single dots between them),
# and at most one punctuation mark: the common shapes of prose and of identifiers in code.
_SIMPLE = re.compile(r'([(\["\u201c]?)([^\W_](?:\w|\.(?=\w))*(?<!_))([.,;:!?)\]"\u201d]?)$')
# Cores the fast path must leave to the full rules: a unit suffix after digits ("10km"), a dot
# followed by an upper-case letter after a lower-case one (an infix), an exception inside.
_UNIT_END = re.compile(r"[0-9][^\W0-9_]+$")
_DOT_INFIX = re.compile(rf"(?<=[{_LOWER}])\.(?=[{_UPPER}])")
_DOT_SUFFIX_OK = re.compile(rf"[0-9{_LOWER}²]$|[{_UPPER}][{_UPPER}]$")


def _merge_specials(tokens: list[str]) -> list[str]:
    """spaCy's special-case matcher: adjacent tokens that together spell a special case (an
    emoticon like '):', an abbreviation like 'i.') become that special case's tokens. Longest
    matches first, then leftmost, without overlaps."""
    n = len(tokens)
    found = []
    for i in range(n):
        joined = tokens[i]
        for j in range(i + 1, min(n, i + 6)):
            joined += tokens[j]
            if joined in EXCEPTIONS:
                found.append((j + 1 - i, i, j + 1))
    if not found:
        return tokens
    taken = [False] * n
    chosen = []
    for _, i, j in sorted(found, key=lambda f: (-f[0], f[1])):
        if not any(taken[i:j]):
            taken[i:j] = [True] * (j - i)
            chosen.append((i, j))
    out, pos = [], 0
    for i, j in sorted(chosen):
        out.extend(tokens[pos:i])
        out.extend(EXCEPTIONS["".join(tokens[i:j])])
        pos = j
    out.extend(tokens[pos:])
    return out


def _chunk_tokens(chunk: str) -> list[str]:
    """Tokens of one whitespace-free chunk; per-character scripts split one character per token."""
    simple = _SIMPLE.match(chunk)
    if simple and chunk not in EXCEPTIONS and (chunk.isascii() or not HAS_PER_CHAR.search(chunk)):
        # At most one bracket/quote before and one punctuation mark after a word-character core
        # to which no suffix, infix or special case applies: spaCy's rules reduce to splitting
        # those marks off (tests check that this agrees with the full rules).
        prefix, core, suffix = simple.groups()
        if (
            core not in EXCEPTIONS
            and (not prefix or prefix + core not in EXCEPTIONS)
            and (not suffix or core + suffix not in EXCEPTIONS)
            and (suffix != "." or _DOT_SUFFIX_OK.search(core))
            and (core.isalpha() or not _UNIT_END.search(core))
            and ("." not in core or not _DOT_INFIX.search(core))
        ):
            return [t for t in (prefix, core, suffix) if t]
    if not HAS_PER_CHAR.search(chunk):
        tokens = _split_affixes(chunk)
        # two tokens: the only span of two is the whole chunk, which is not a special case
        return _merge_specials(tokens) if len(tokens) > 2 else tokens
    tokens: list[str] = []
    start = 0
    for m in PER_CHAR.finditer(chunk):
        if m.start() > start:
            tokens.extend(_split_affixes(chunk[start : m.start()]))
        tokens.append(m.group())
        start = m.end()
    if start < len(chunk):
        tokens.extend(_split_affixes(chunk[start:]))
    return tokens


def split_words(text: str) -> list[str]:
    """The words of a text, as datatrove's split_into_words (spaCy English) would give them for
    space-separated scripts; one character per word for CJK, Thai and the like."""
    return [TOKENS[i] for i in token_ids(text)]


# -- token ids and their properties ------------------------------------------------------------------

MAX_CACHE = 2_000_000  # distinct chunks kept per worker before the caches start again

# Per token id (Python lists: sum(map(LIST.__getitem__, ids)) runs at C speed, faster than numpy
# on documents of a few hundred words).
TOKENS: list[str] = []
LENGTH: list[int] = []  # characters
SYMBOL: list[int] = []  # 1: every character in datatrove's PUNCTUATION_SET
ALPHA: list[int] = []  # 1: at least one letter (str.isalpha)
MEASURED: list[int] = []  # 1: counts for the mean word length (not a symbol, not a per-character script)
MEASURED_LENGTH: list[int] = []  # LENGTH where MEASURED, else 0
SENT_TYPE: list[int] = []  # for sentence splitting: 0 word, 1 sentence end, 2 other punctuation
# SYMBOL, ALPHA, MEASURED and MEASURED_LENGTH packed in one int, so one sum() gives all four.
FIELD = (1 << 40) - 1
ALPHA_SHIFT, MEASURED_SHIFT, MEASURED_LENGTH_SHIFT = 40, 80, 120
PACKED: list[int] = []
_VOCAB: dict[str, int] = {}
_DROP_PUNCT = {ord(c): None for c in PUNCTUATION_SET}


def _is_punct(token: str) -> bool:
    """spaCy's is_punct: every character of Unicode category P*."""
    return all(unicodedata.category(c)[0] == "P" for c in token)


def token_id(token: str) -> int:
    """The id of a token (a new id and its properties on first sight)."""
    found = _VOCAB.get(token)
    if found is not None:
        return found
    i = len(TOKENS)
    TOKENS.append(token)
    _VOCAB[token] = i
    LENGTH.append(len(token))
    symbol = not token.translate(_DROP_PUNCT)
    SYMBOL.append(int(symbol))
    ALPHA.append(int(token.isalpha() or any(map(str.isalpha, token))))
    measured = not symbol and PER_CHAR.fullmatch(token) is None
    MEASURED.append(int(measured))
    MEASURED_LENGTH.append(len(token) if measured else 0)
    PACKED.append(
        SYMBOL[i]
        + (ALPHA[i] << ALPHA_SHIFT)
        + (MEASURED[i] << MEASURED_SHIFT)
        + (MEASURED_LENGTH[i] << MEASURED_LENGTH_SHIFT)
    )
    if token in SENTENCE_PUNCT:
        SENT_TYPE.append(1)
    elif not token[0].isalnum() and _is_punct(token):
        SENT_TYPE.append(2)
    else:
        SENT_TYPE.append(0)
    return i


class _ChunkCache(dict):
    """chunk -> tuple of token ids, filled on first sight."""

    def __missing__(self, chunk: str) -> tuple[int, ...]:
        tokens = _chunk_tokens(chunk)
        ids = tuple(map(_VOCAB.get, tokens))  # known tokens: dictionary look-ups at C speed
        if None in ids:
            ids = tuple(map(token_id, tokens))
        self[chunk] = ids
        return ids


CHUNKS: _ChunkCache = _ChunkCache()
CHUNKS[" "] = ()  # the line marker of jobs.text.rules.c4, never a real chunk
generation = 0  # bumped when the caches are cleared (ids change meaning)


def reset_caches() -> None:
    """Forget every chunk and token (ids change meaning: `generation` is bumped)."""
    global generation
    CHUNKS.clear()
    CHUNKS[" "] = ()
    _VOCAB.clear()
    for table in (TOKENS, LENGTH, SYMBOL, ALPHA, MEASURED, MEASURED_LENGTH, SENT_TYPE, PACKED):
        table.clear()
    generation += 1


def _maybe_reset() -> None:
    if len(CHUNKS) > MAX_CACHE or len(TOKENS) > MAX_CACHE:
        reset_caches()


def chunk_ids(chunks: list[str]) -> list[int]:
    """Token ids of whitespace-separated chunks, in order."""
    return list(chain.from_iterable(map(CHUNKS.__getitem__, chunks)))


def token_ids(text: str) -> list[int]:
    """Token ids of a text, in order (call at document boundaries: the caches may be reset)."""
    _maybe_reset()
    return chunk_ids(text.split())
