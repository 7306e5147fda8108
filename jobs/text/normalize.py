"""Text normalisation applied to every ingested document."""

from __future__ import annotations

import unicodedata

_BOM = "\ufeff"


class UndecodableText(ValueError):
    """The input is not valid UTF-8 (or holds lone surrogates that cannot be encoded)."""


def decode_utf8(raw: bytes) -> str:
    """Strict UTF-8 decoding; raises UndecodableText with the byte offset of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UndecodableText(f"invalid UTF-8 at byte {err.start}") from err


def ensure_encodable(text: str) -> None:
    """JSON can carry lone surrogates ("\\ud800") that no UTF-8 writer accepts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise UndecodableText(f"lone surrogate at character {err.start}") from err


def normalize_text(text: str, unicode_form: str | None = "NFC") -> str:
    """Valid UTF-8, NUL-free, "\\n" newlines, no BOM; optionally Unicode-normalised.

    Raises UndecodableText for strings that cannot be written as UTF-8.
    """
    ensure_encodable(text)
    if text.startswith(_BOM):
        text = text[1:]
    if "\x00" in text:
        text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if unicode_form:
        text = unicodedata.normalize(unicode_form, text)
    return text


def is_blank(text: str) -> bool:
    return not text or text.isspace()
