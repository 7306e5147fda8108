"""C4 rules (Raffel et al. 2020, and the TFDS c4_utils code), as datatrove's C4QualityFilter.

C4 works line by line: lines with a word over `max_word_length` characters, without terminal
punctuation (optional), with fewer than `min_words_per_line` words (characters of scripts
written without spaces count as words, so Chinese and Japanese lines are not all removed), mentioning javascript or a
cookie/terms policy are removed; a page is dropped when a remaining line says "lorem ipsum" or
holds a curly bracket, or when fewer than `min_num_sentences` sentences remain. `c4_signals`
measures all of it once and returns the remaining lines, so removing lines (`C4 line removal`,
a separate optional modifier) is a join of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jobs.text.rules import words as W

CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
ELLIPSIS = "..."
POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)

SIGNALS = (
    "sig_c4_lorem_ipsum",
    "sig_c4_curly_bracket",
    "sig_c4_sentences",
    "sig_c4_terminal_punct_lines_frac",
    "sig_c4_javascript_lines",
    "sig_c4_policy_lines",
    "sig_c4_removed_lines",
)


@dataclass(frozen=True)
class LineRules:
    """How C4 removes lines (these change which lines count, so they are not re-appliable)."""

    filter_no_terminal_punct: bool = False
    min_words_per_line: int = 3
    max_word_length: int = 1000
    remove_citations: bool = True
    filter_javascript: bool = True
    filter_policy: bool = True


_LINE_BREAK = " "  # never a whitespace-split chunk: marks the end of a line among the chunks


class _SentenceClass(dict):
    """chunk -> one letter describing what spaCy's Sentencizer does over the chunk's tokens.

    Token kinds: word (W), sentence end (S, e.g. '.'), other punctuation (P). A sentence starts
    at a word that follows an S (P tokens between do not matter). Letters:
    'd' no W and no S (changes nothing); 'c' no W, an S (a sentence end is pending after it);
    with a W: 'a'/'b' no S before the first W and nothing / an S pending at the end,
    'e'/'f' an S before the first W (the chunk itself starts a sentence) and nothing / an S
    pending at the end; upper case when sentences also start inside the chunk (`_INSIDE`)."""

    def __missing__(self, chunk: str) -> str:
        kinds = [W.SENT_TYPE[i] for i in W.CHUNKS[chunk]]
        if 0 not in kinds:
            letter = "c" if 1 in kinds else "d"
        else:
            first = kinds.index(0)
            s_before = 1 in kinds[:first]
            pending, inside = 0, 0
            for kind in kinds[first + 1 :]:
                if pending and kind == 0:
                    inside += 1
                    pending = 0
                elif kind == 1:
                    pending = 1
            letter = ("ef" if s_before else "ab")[pending]
            inside += int(s_before)
            if inside:
                _INSIDE[chunk] = inside
                letter = letter.upper()
        self[chunk] = letter
        return letter


_CLASSES = _SentenceClass({_LINE_BREAK: "|"})
_INSIDE: dict[str, int] = {}
# A chunk that leaves a sentence end pending, then only chunks that change nothing, then a chunk
# whose first word starts a new sentence.
_BOUNDARY = re.compile(r"[bBfFc]d*(?=[aAbB])")
_UPPER = re.compile("[ABEF]")
_generation = -1


def count_sentences(chunks: list[str]) -> int:
    """Sentences spaCy's Sentencizer finds in lines given as their whitespace chunks, each line
    followed by `_LINE_BREAK` (one sentence per non-empty line at least)."""
    classes = "".join(map(_CLASSES.__getitem__, chunks))
    count = classes.count("|") + len(_BOUNDARY.findall(classes))
    if not classes.islower():
        count += sum(_INSIDE[chunks[m.start()]] for m in _UPPER.finditer(classes))
    return count


_POLICY = re.compile("|".join(map(re.escape, POLICY_SUBSTRINGS)))


def c4_signals(text: str, rules: LineRules = LineRules()) -> tuple[dict[str, float | None], list[str], int]:
    """(signals, the lines C4 keeps, their word count)."""
    global _generation
    if _generation != W.generation:
        _CLASSES.clear()
        _CLASSES[_LINE_BREAK] = "|"
        _INSIDE.clear()
        _generation = W.generation
    lines = text.splitlines()
    # Document-wide look-ups first: most documents need none of the per-line keyword checks.
    lowered_text = text.lower()
    check_lorem = "lorem ipsum" in lowered_text
    check_js = rules.filter_javascript and "javascript" in lowered_text
    check_policy = rules.filter_policy and _POLICY.search(lowered_text) is not None
    check_keywords = check_lorem or check_js or check_policy
    check_curly = "{" in text
    check_citations = rules.remove_citations and "[" in text
    max_word = rules.max_word_length
    min_words = rules.min_words_per_line
    no_terminal = rules.filter_no_terminal_punct
    lorem = curly = terminal = javascript = policy = 0
    kept: list[str] = []
    chunks: list[str] = []
    for line in lines:
        line = line.strip()
        ends = line.endswith(END_PUNCTUATION) and not line.endswith(ELLIPSIS)
        terminal += ends
        words = line.split()
        if max_word != -1 and len(line) > max_word and any(len(w) > max_word for w in words):
            continue
        if check_citations and "[" in line:
            line = CITATION.sub("", line)
            ends = line.endswith(END_PUNCTUATION) and not line.endswith(ELLIPSIS)
        if no_terminal and not ends:
            continue
        if len(words) < min_words and not (
            W.HAS_PER_CHAR.search(line) and len(words) + len(W.PER_CHAR.findall(line)) >= min_words
        ):  # a line of Chinese or Japanese has few spaces but many words
            continue
        if check_keywords:
            lowered = line.lower()
            if check_lorem and "lorem ipsum" in lowered:
                lorem = 1
            if check_js and "javascript" in lowered:
                javascript += 1
                continue
            if check_curly and "{" in line:
                curly = 1
            if check_policy and _POLICY.search(lowered):
                policy += 1
                continue
        elif check_curly and "{" in line:
            curly = 1
        kept.append(line)
        chunks += line.split() if check_citations else words
        chunks.append(_LINE_BREAK)
    sentences = count_sentences(chunks) if kept else 0
    kept_words = sum(map(len, map(W.CHUNKS.__getitem__, chunks))) - len(kept)
    signals = {
        "sig_c4_lorem_ipsum": float(lorem),
        "sig_c4_curly_bracket": float(curly),
        "sig_c4_sentences": float(sentences),
        "sig_c4_terminal_punct_lines_frac": terminal / len(lines) if lines else None,
        "sig_c4_javascript_lines": float(javascript),
        "sig_c4_policy_lines": float(policy),
        "sig_c4_removed_lines": float(len(lines) - len(kept)),
    }
    return signals, kept, kept_words


def remaining_text(kept_lines: list[str]) -> str:
    """The text C4's line removal leaves (datatrove's C4QualityFilter rewrites doc.text to this)."""
    return "\n".join(kept_lines).strip()
