"""Web-junk signals the published rule sets miss: broken encodings, symbol noise, keyword
stuffing, markup left over from HTML extraction, and site chrome (menus, footers, banners).

Gopher, C4 and FineWeb catch most of these only indirectly (Gopher's alpha-word share, C4's
sentence count), and those proxies also drop a lot of good documentation-style prose. These
signals measure the junk itself, on characters and lines, so they work the same for every
language and script:

- `sig_web_mojibake_per_1k`: ftfy's badness (sequences typical of UTF-8 decoded as Latin-1 or
  Windows-1252) per 1000 characters;
- `sig_web_symbol_noise_frac`: share of characters in runs of three or more of the same symbol
  (not '.', so ellipses do not count) or in pictographs, arrows, dingbats and box drawing;
- `sig_web_placeholder_frac`: share of words from the lorem-ipsum generators' vocabulary
  (distinctive words only: Latin function words such as 'et', 'in', 'est' are left out, so real
  Latin stays far below); C4's rule only sees the phrase "lorem ipsum";
- `sig_web_top_word_frac`: share of words (runs of letters/digits, lower-cased) that are the
  most frequent one that is not a stop word of the document's language ('the' is 6-12% of
  short English pages); null under `MIN_WORDS_FOR_TOP` words, and for scripts written without
  spaces (there a run of letters is a phrase, not a word);
- `sig_web_top_stop_word_frac`: the same for the most frequent stop word (stuffing with a function
  word or a phrase of them: "the of the of"); in ordinary prose even the commonest ('the', 'de')
  stays under a fifth of the words; null as above and for languages without a stop-word list;
- `sig_web_markup_frac`: share of characters in HTML tags (known element names, so `<filename>`
  placeholders and `<user@example.org>` addresses in documentation do not count), comments,
  PHP blocks, character entities and script/style residue (`[object Object]`, `!important`,
  `javascript:void(0)`, empty inline handlers `function(){...}`, a line that is only `undefined`
  or `NaN`);
- `sig_web_chrome_frac`: share of the characters of non-blank lines that are in short lines
  (under three words; characters of scripts written without spaces count as words), navigation
  bars (three or more '|') or legal/cookie notices;
- `sig_web_line_end_punct_frac`: share of non-blank lines that end in punctuation closing a
  sentence or a clause: terminal marks of any script (FineWeb's set) and ':', ';', ',', closing
  brackets and quotes and their full-width forms. FineWeb's line_punct_ratio counts terminal marks
  only, so documentation whose lines end in ':' ("the options are:") or ')' reads as junk to it;
  word salad and gibberish end almost no line in punctuation of either kind.
"""

from __future__ import annotations

import re
from collections import Counter

from ftfy.badness import badness

from jobs.text.rules.words import PER_CHAR, TERMINAL_PUNCTUATION

SIGNALS = (
    "sig_web_mojibake_per_1k",
    "sig_web_symbol_noise_frac",
    "sig_web_placeholder_frac",
    "sig_web_top_word_frac",
    "sig_web_top_stop_word_frac",
    "sig_web_markup_frac",
    "sig_web_chrome_frac",
    "sig_web_line_end_punct_frac",
)
MIN_WORDS_FOR_TOP = 20

_WORD = re.compile(r"\w+")
# The classic passage and lipsum.com's generator vocabulary.
PLACEHOLDER_WORDS = frozenset(
    """lorem ipsum dolor sit amet consectetur adipiscing elit eiusmod tempor incididunt labore
    dolore magna aliqua enim minim veniam nostrud exercitation ullamco laboris nisi aliquip commodo
    consequat duis aute irure reprehenderit voluptate velit esse cillum fugiat nulla pariatur
    excepteur sint occaecat cupidatat proident sunt culpa officia deserunt mollit anim laborum
    adipiscing aenean aliquam arcu bibendum blandit condimentum congue consectetuer convallis cras
    curabitur cursus dapibus diam dictum dictumst dignissim donec egestas eleifend elementum eros
    euismod facilisi facilisis fames faucibus felis fermentum feugiat fringilla fusce gravida
    habitant habitasse hendrerit iaculis imperdiet integer interdum justo lacinia lacus laoreet
    lectus leo libero ligula lobortis luctus maecenas malesuada mattis mauris metus mi morbi
    nibh nisl nullam nunc odio orci ornare pellentesque pharetra phasellus placerat platea
    porta porttitor posuere praesent pretium proin pulvinar purus quam quisque rhoncus risus
    rutrum sagittis sapien scelerisque semper senectus sodales sollicitudin suscipit suspendisse
    tellus tincidunt tortor tristique turpis ultrices ultricies urna varius vehicula vel
    venenatis vestibulum vitae vivamus viverra volutpat vulputate""".split()
)
LINE_END_PUNCTUATION = TERMINAL_PUNCTUATION | frozenset(
    ":;,)]}\"'\u00bb\u201d\u2019\u203a\u300d\u300f\u3011\u3009\u300b\uff09\uff3d\uff5d\uff1a\uff1b\uff0c\u3001\u2026"
)
_SYMBOL_RUN = re.compile(r"([^\w\s.])\1{2,}")
_PICTOGRAPH = re.compile(r"[\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|body|br|button|center|code|dd|div|dl|dt|em|font|footer|form|h[1-6]|head|header"
    "|hr|html|i|iframe|img|input|label|li|link|main|meta|nav|noscript|ol|option|p|pre|script|section"
    "|select|small|span|strong|style|sub|sup|table|tbody|td|textarea|tfoot|th|thead|title|tr|u|ul"
)
_MARKUP = re.compile(
    rf"</?(?:{_HTML_ELEMENTS})\b[^<>\n]{{0,200}}>|<!--[^\n]{{0,200}}?-->|<\?php[^\n]{{0,200}}?\?>"
    r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});",
    re.IGNORECASE,
)
# What a page's scripts and styles leave in extracted text: serialised objects, CSS priorities,
# inline handlers, a lone `undefined`/`NaN` where a script wrote a missing value.
_SCRIPT_RESIDUE = re.compile(
    r"\[object Object\]|!important\b;?|javascript:void\(0\);?|function\s*\(\)\s*\{[^{}\n]{0,100}\}"
    r"|^[ \t]*(?:undefined|NaN)[ \t]*$",
    re.MULTILINE,
)
_SCRIPT_CUES = ("[object", "!important", "javascript:", "function", "undefined", "NaN")
_NOTICE = re.compile(
    r"terms of (?:use|service)|privacy policy|cookie policy|uses cookies|use of cookies|use cookies"
    r"|enable javascript|javascript is disabled|all rights reserved|©"
)


def _chrome_chars(lines: list[str]) -> int:
    chrome = 0
    for line in lines:
        words = len(line.split())
        if words < 3:
            words += len(PER_CHAR.findall(line))
        if words < 3 or line.count("|") >= 3 or _NOTICE.search(line.lower()):
            chrome += len(line)
    return chrome


def web_signals(
    text: str, stop_words: frozenset[str] | tuple[str, ...] = (), spaced_words: bool = True
) -> dict[str, float | None]:
    """The web-junk signals of one document (all null for an empty text). `stop_words`: the
    document language's (left out of the top word); `spaced_words`: False for languages written
    without spaces (no top word)."""
    size = len(text)
    if not size:
        return dict.fromkeys(SIGNALS)
    # Pure ASCII cannot hold mojibake, and most documents are: skip ftfy's regex for them.
    mojibake = 0 if text.isascii() else badness(text)
    noise = sum(m.end() - m.start() for m in _SYMBOL_RUN.finditer(text)) + len(_PICTOGRAPH.findall(text))
    words = _WORD.findall(text.lower())
    placeholder = sum(map(PLACEHOLDER_WORDS.__contains__, words)) / len(words) if words else None
    top = top_stop = None
    if spaced_words and len(words) >= MIN_WORDS_FOR_TOP:
        counts = Counter(words)
        stop_counts = [counts.pop(word, 0) for word in {w.lower() for w in stop_words}]
        top = max(counts.values(), default=0) / len(words)
        top_stop = max(stop_counts) / len(words) if stop_counts else None
    markup = sum(m.end() - m.start() for m in _MARKUP.finditer(text)) if "<" in text or "&" in text else 0
    if any(cue in text for cue in _SCRIPT_CUES):
        markup += sum(m.end() - m.start() for m in _SCRIPT_RESIDUE.finditer(text))
    lines = [s for s in (line.strip() for line in text.split("\n")) if s]
    line_chars = sum(map(len, lines))
    return {
        "sig_web_mojibake_per_1k": 1000 * mojibake / size,
        "sig_web_symbol_noise_frac": noise / size,
        "sig_web_placeholder_frac": placeholder,
        "sig_web_top_word_frac": top,
        "sig_web_top_stop_word_frac": top_stop,
        "sig_web_markup_frac": markup / size,
        "sig_web_chrome_frac": _chrome_chars(lines) / line_chars if line_chars else None,
        "sig_web_line_end_punct_frac": (
            sum(line[-1] in LINE_END_PUNCTUATION for line in lines) / len(lines) if lines else None
        ),
    }
