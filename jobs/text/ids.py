"""Stable document ids: derived from where a record comes from, never from run order."""

from __future__ import annotations

import hashlib

ID_HEX_CHARS = 24  # 96 bits: collision odds stay negligible at billions of documents


def stable_id(source: str, location: str, record_key: str = "") -> str:
    """Same source name + location in the source + record key -> same id, in every version.

    ``location`` is the path relative to the source root (so moving the source root keeps ids),
    ``record_key`` the record's own id field when it has one, else its position in the file.
    """
    digest = hashlib.blake2b(digest_size=ID_HEX_CHARS // 2)
    for part in (source, location, record_key):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()
