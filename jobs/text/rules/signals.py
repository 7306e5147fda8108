"""All signals of one document, the text split once: the per-document work of the filter stage."""

from __future__ import annotations

from dataclasses import dataclass, field

from jobs.text.rules import c4 as c4_rules
from jobs.text.rules import code, fineweb, gopher, web
from jobs.text.rules import words as W
from jobs.text.rules.decide import language_key
from schemas.filter import PER_CHARACTER_LANGUAGES

PROSE_SIGNALS = gopher.QUALITY_SIGNALS + gopher.REPETITION_SIGNALS + c4_rules.SIGNALS + fineweb.SIGNALS
ALL_SIGNALS = web.SIGNALS + PROSE_SIGNALS + code.SIGNALS


@dataclass(frozen=True)
class Measure:
    """What to measure (and how): the computation-side settings of the filter stage."""

    gopher_quality: bool = True
    gopher_repetition: bool = True
    c4: bool = True
    fineweb: bool = True
    web: bool = True
    c4_lines: c4_rules.LineRules = field(default_factory=c4_rules.LineRules)
    fineweb_on_c4_text: bool = True
    fineweb_short_line_length: int = 30
    stop_words: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(gopher.STOP_WORDS))
    default_lang: str | None = "en"
    per_character_languages: frozenset[str] = frozenset(PER_CHARACTER_LANGUAGES)  # written without spaces


def stop_words_for(lang: str | None, measure: Measure) -> tuple[str, ...] | None:
    key = language_key(lang or measure.default_lang, measure.stop_words)
    return measure.stop_words[key] if key else None


def prose_signals(
    text: str, lang: str | None, measure: Measure
) -> tuple[dict[str, float | None], str | None]:
    """(signals of every prose family that is on, C4's remaining text or None when C4 is off)."""
    out: dict[str, float | None] = {}
    ids = (
        W.token_ids(text) if (measure.gopher_quality or measure.gopher_repetition or measure.fineweb) else []
    )
    if measure.gopher_quality:
        out.update(gopher.quality_signals(text, ids, stop_words_for(lang, measure)))
    if measure.gopher_repetition:
        out.update(gopher.repetition_signals(text, ids))
    remaining = None
    if measure.c4:
        c4_out, kept, kept_words = c4_rules.c4_signals(text, measure.c4_lines)
        out.update(c4_out)
        remaining = c4_rules.remaining_text(kept)
    if measure.fineweb:
        if remaining is not None and measure.fineweb_on_c4_text:
            out.update(fineweb.fineweb_signals(remaining, kept_words, measure.fineweb_short_line_length))
        else:
            out.update(fineweb.fineweb_signals(text, len(ids), measure.fineweb_short_line_length))
    if measure.web:
        out.update(web_signals(text, lang, measure))
    return out, remaining


def web_signals(text: str, lang: str | None, measure: Measure) -> dict[str, float | None]:
    """The web-junk signals, with the document language's stop words and word spacing."""
    lang = lang or measure.default_lang
    return web.web_signals(
        text,
        stop_words_for(lang, measure) or (),
        spaced_words=(lang or "").split("-")[0] not in measure.per_character_languages,
    )


def code_signals(text: str) -> dict[str, float | None]:
    return code.code_signals(text)
