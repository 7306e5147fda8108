"""FineWeb's own quality rules (Penedo et al. 2024), as datatrove's FineWebQualityFilter.

In FineWeb's pipeline they run after C4QualityFilter has rewritten the text (lines removed),
so the stage measures them on C4's remaining lines by default (`fineweb_on_c4_text`).
"""

from __future__ import annotations

from jobs.text.rules.words import TERMINAL_PUNCTUATION

SIGNALS = (
    "sig_fineweb_line_punct_ratio",
    "sig_fineweb_short_line_ratio",
    "sig_fineweb_char_dup_ratio",
    "sig_fineweb_new_line_ratio",
)


def fineweb_signals(
    text: str, n_words: int, short_line_length: int = 30, stop_chars: frozenset[str] = TERMINAL_PUNCTUATION
) -> dict[str, float | None]:
    """Signals of `text` (`n_words`: its word count). All null when it has no non-blank line."""
    lines = [line for line in text.split("\n") if line.strip() != ""]
    if not lines:
        return dict.fromkeys(SIGNALS)
    n_lines = len(lines)
    punct = sum(1 for line in lines if line[-1] in stop_chars)
    short = sum(1 for line in lines if len(line) <= short_line_length)
    unique = set(lines)
    dup_chars = sum(map(len, lines)) - sum(map(len, unique))
    newlines = text.count("\n")
    chars = len(text) - newlines
    return {
        "sig_fineweb_line_punct_ratio": punct / n_lines,
        "sig_fineweb_short_line_ratio": short / n_lines,
        "sig_fineweb_char_dup_ratio": dup_chars / chars if chars else 0.0,
        "sig_fineweb_new_line_ratio": newlines / n_words if n_words else None,
    }
