"""URL normalisation for URL deduplication: one page crawled under several spellings of its URL
gets one normalised URL.

`normalize_url` (one URL) and `normalize_urls` (an Arrow batch, each distinct URL normalised once):

- ``http`` and ``https`` are the same page (both written ``https``); other schemes are kept;
  a URL without a scheme is taken as ``http`` when it starts with ``//`` or with a host name
  (``example.com/a``), otherwise (``mailto:``, ``javascript:``, plain words) it is not a URL: None;
- host lower-cased, a trailing dot and a leading ``www.`` dropped, non-ASCII hosts in IDNA
  (punycode) form; user name and password dropped; the scheme's default port dropped;
- path: dot segments resolved, percent-escapes upper-cased and unreserved characters
  (letters, digits, ``-._~``) decoded; a trailing slash dropped except for the root ``/``
  (an empty path is ``/``); the path's case is kept (paths are case-sensitive);
- query: tracking parameters dropped (``utm_*``, ``fbclid``, ``gclid``, ... `TRACKING_PARAMETERS`,
  case-insensitive), the rest sorted by name and value and re-encoded; the fragment is dropped.

The result is a key for grouping, not a URL to fetch. None for None, empty or unparsable input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pyarrow as pa
import pyarrow.compute as pc

TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "srsltid",
    }
)
DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}

# "example.com/a", "example.com:8080": a host name (with a dot) first, so http:// may be assumed
_HOST_FIRST = re.compile(r"^[^\s/:?#@]+\.[^\s/:?#@.]+(?::\d+)?(?:[/?#]|$)")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _unescape_unreserved(match: re.Match) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986's "." and ".." resolution for an absolute path."""
    out: list[str] = []
    segments = path.split("/")[1:]
    for segment in segments:
        if segment == ".":
            continue
        if segment == "..":
            if out:
                out.pop()
            continue
        out.append(segment)
    return "/" + "/".join(out)


def _host(hostname: str) -> str | None:
    host = hostname.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if not host or any(c.isspace() or c in '<>"{}|\\^`' for c in host):
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return f"[{host}]" if ":" in host else host  # IPv6 literals keep their brackets


def _query(query: str) -> str:
    pairs = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if name.lower() not in TRACKING_PARAMETERS and not name.lower().startswith(TRACKING_PREFIXES)
    ]
    return "?" + urlencode(sorted(pairs), quote_via=quote) if pairs else ""


def normalize_url(url: str | None) -> str | None:
    """The normalised form of one URL (module docstring), or None."""
    if url is None:
        return None
    url = url.strip()
    if not url:
        return None
    if url.startswith("//"):
        url = "http:" + url
    elif "://" not in url:
        if not _HOST_FIRST.match(url):
            return None
        url = "http://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a bad port, an unbalanced IPv6 bracket
        return None
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        return None
    host = _host(parts.hostname)
    if host is None:
        return None
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if scheme == "http":
        scheme = "https"
    path = _remove_dot_segments(_ESCAPE.sub(_unescape_unreserved, parts.path or "/"))
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return f"{scheme}://{netloc}{path}{_query(parts.query)}"


def normalize_urls(urls: pa.Array | pa.ChunkedArray | Sequence[str | None]) -> pa.Array:
    """`normalize_url` of every URL of a batch (a string array; null where the URL is unusable)."""
    if isinstance(urls, pa.ChunkedArray):
        urls = urls.combine_chunks()
    elif not isinstance(urls, pa.Array):
        urls = pa.array(list(urls), pa.string())
    encoded = pc.dictionary_encode(urls)  # re-crawls repeat URLs: normalise each distinct one once
    normalized = pa.array([normalize_url(u) for u in encoded.dictionary.to_pylist()], pa.string())
    return normalized.take(encoded.indices)  # a null index (a null URL) takes a null
