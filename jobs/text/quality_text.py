"""What a fastText quality classifier sees, in training and in the `quality` stage alike.

One definition of the model's input line, so a model trained by quality_models/ scores documents
in the stage on exactly the text it was trained on. Pure functions, no Spark.
"""

from __future__ import annotations

import re

LABEL_PREFIX = "__label__"
POSITIVE_LABEL = "__label__hq"
NEGATIVE_LABEL = "__label__lq"
DEFAULT_MAX_CHARS = 10_000
# fastText splits on whitespace and drops newlines; line structure is evidence of quality (menus,
# repeated lines, one-word lines), so each line break becomes a token of its own.
NEWLINE_TOKEN = "\u23ce"  # ⏎
_SPACES = re.compile(r"[ \t\f\v\r\u00a0]+")
_BREAKS = re.compile(r"\n+")


def model_line(text: str | None, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """The document as one fastText input line: the first `max_chars` characters, runs of spaces
    collapsed, line breaks as the ⏎ token. Case is kept (all-caps spam and shouting are signals)."""
    text = text or ""
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    text = _SPACES.sub(" ", text).strip()
    return _BREAKS.sub(f" {NEWLINE_TOKEN} ", text)


def model_lines(texts: list[str | None], max_chars: int | None = DEFAULT_MAX_CHARS) -> list[str]:
    return [model_line(t, max_chars) for t in texts]


def training_line(text: str | None, positive: bool, max_chars: int | None = DEFAULT_MAX_CHARS) -> str:
    """A line of a fastText supervised training file."""
    return f"{POSITIVE_LABEL if positive else NEGATIVE_LABEL} {model_line(text, max_chars)}"


def positive_probability(model, lines: list[str], positive_label: str = POSITIVE_LABEL) -> list[float]:
    """P(positive) for each input line, in one predict call. The model may know more than two
    labels; the score is the probability it gives the positive label (0 when not in its top 10)."""
    if not lines:
        return []
    k = min(len(model.get_labels()), 10)
    labels, probs = model.predict(lines, k=k)
    scores = []
    for names, values in zip(labels, probs, strict=True):
        score = 0.0
        for name, value in zip(names, values, strict=True):
            if name == positive_label:
                score = min(1.0, max(0.0, float(value)))  # softmax can overshoot 1 by an ulp
                break
        scores.append(score)
    return scores
