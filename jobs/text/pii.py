"""PII scrubbing: e-mail addresses, IP addresses and phone numbers replaced with placeholders.

Pure Python (stdlib `re` and `ipaddress`), no project imports. The e-mail and IPv4 patterns are
datatrove's (`PIIFormatter`, as FineWeb ran it); what we do differently, and why:

- IPv4 must stand alone: not inside a longer dotted or digit run (`1.3.6.1.4.1` OIDs,
  `256.1.1.1`, `1.2.3.4.5`), not glued to a word (`v1.2.3.4`, `libfoo-1.2.3.4`, `1.2.3.4-1ubuntu`),
  and not a version or section number: after a cue (`version 1.2.3.4`, `Section 38.17.6.1`), a
  numbered heading (`6.1.8.68. Title`) or four parts all below 32 (`6.3.9.2`). datatrove replaces
  all of these whenever `ipaddress` calls the quad global; on the bench corpus (Debian manuals)
  nearly all of its IP replacements are such numbers. Multicast groups (224.0.0.1) stay too.
- e-mails at reserved domains (example.com/org/net, .example, .test, .invalid, .localhost;
  RFC 2606/6761) and IPs in an allow-list (public DNS resolvers by default, as BigCode kept them)
  are not personal data and stay. Both lists are settings.
- IPv6 (global unicast, validated by `ipaddress`) is also replaced; datatrove has no IPv6 rule.
- Phone numbers (datatrove has none; dolma's pattern takes any 10 digits after a space): `+CC`
  international numbers with 8-15 digits (E.164), North American numbers with valid area and
  exchange codes in `(555) 234-5678`, `555-234-5678` or `555.234.5678` form, and national numbers
  of any format only right after a phone cue (`Tel.:`, `phone`, `fax`, `Telefon`, ...). Dates,
  years, prices, ISBN/DOI contexts and long digit ids are left alone.
- A placeholder is chosen by a stable hash of the replaced value (same value -> same placeholder;
  datatrove rotates through its list across documents, so its output depends on document order).
  The default placeholders are themselves reserved values (RFC 2606 domains, RFC 5737/3849
  documentation addresses, NANP 555-01xx fictional numbers) that the scrubber never replaces, so
  scrubbing twice changes nothing.
"""

from __future__ import annotations

import ipaddress
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_EMAIL_PLACEHOLDERS = ("email@example.com", "firstname.lastname@example.org")
DEFAULT_IP_PLACEHOLDERS = ("192.0.2.1", "198.51.100.2", "203.0.113.3")  # RFC 5737 documentation ranges
DEFAULT_IPV6_PLACEHOLDERS = ("2001:db8::1", "2001:db8::2")  # RFC 3849 documentation prefix
DEFAULT_PHONE_PLACEHOLDERS = ("+1-202-555-0100", "+1-202-555-0142")  # NANP fictional 555-01xx
# RFC 2606 / RFC 6761: reserved for documentation and tests; a suffix matches its subdomains.
DEFAULT_ALLOWED_EMAIL_DOMAINS = (
    "example.com",
    "example.org",
    "example.net",
    "example",
    "test",
    "invalid",
    "localhost",
)
# Public DNS resolvers: in every network how-to, personal to nobody (BigCode kept them too).
DEFAULT_ALLOWED_IPS = (
    "8.8.8.8",
    "8.8.4.4",
    "1.1.1.1",
    "1.0.0.1",
    "9.9.9.9",
    "149.112.112.112",
    "208.67.222.222",
    "208.67.220.220",
    "2001:4860:4860::8888",
    "2001:4860:4860::8844",
    "2606:4700:4700::1111",
    "2606:4700:4700::1001",
)

# datatrove 0.10.1 PIIFormatter's e-mail pattern, unchanged.
EMAIL_PATTERN = (
    r"\b[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?:[A-Za-z0-9](?:["
    r"A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|["
    r"01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[A-Za-z0-9-]*[A-Za-z0-9]:)])"
)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
# datatrove's dotted quad, plus: no word/dot/dash glued before; no word, `.digit` or `-word` after.
IPV4_PATTERN = rf"(?<![\w.\-]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w+~]|\.\d|-\w)"
IPV6_PATTERN = r"(?<![\w:.])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{3,39}(?![\w:]|\.\d)"
# What may stand right before a version or section number (checked on the 32 characters before).
_VERSION_CUE = re.compile(
    r"(?i)(?:\bv|version_*|\bver|\brelease|\brel|\bbuild|\brevision|\brev|\bfirmware|\bkernel|\bpatch"
    r"|\bsection|\bsect|\bchapter|\bchap|§|\bappendix|\btable|\bfig|\bfigure|\bclause|\bstep)"
    r"\.?\s*[:=]?\s*[\"'(]?\s*$"
)
_NO_PHONE_CONTEXT = re.compile(r"(?i)(?:isbn|doi|issn|arxiv)[\s:\-]*$")

_PHONE_CUES = (
    r"(?:tel(?:ephone|efon|éfono|efone|éphone|efoon)?|phone|ph|fax|telefax|mobile|mob|cell|handy|tél"
    r"|telf|puhelin|телефон|тел|電話|电话)\b|☎|📞"
)
# A run of digits whose single separators (space, dot, dash, slash, parentheses) each precede a
# digit or '(', ending on a digit: bounded, so backtracking stays linear. Every phone number is
# such a run; what kind it is (and whether it is one) is decided on the run, so the text is scanned
# once by a pattern that starts with a character class (the regex engine's fast path).
_NUMBER_BODY = r"(?:[\d()]|[ \t.\-/](?=[\d(]))"
PHONE_CANDIDATE = rf"(?<![\w+/=.#\-])\+?\(?\d{_NUMBER_BODY}{{5,24}}(?<=\d)(?![\w\-]|[.,]\d)"
# +CC international: 8-15 digits (E.164).
_INTERNATIONAL = re.compile(r"\+[1-9]")
# North American: area and exchange codes start with 2-9; searched inside a longer run too.
_NANP = re.compile(
    r"(?<![\w.+/#\-])(?:1[ .\-])?(?:\([2-9]\d\d\)[ \t]?[2-9]\d\d[ .\-]\d{4}"
    r"|[2-9]\d\d-[2-9]\d\d-\d{4}|[2-9]\d\d\.[2-9]\d\d\.\d{4})(?![\w\-]|[.,]\d)"
)
# Any national format, right after a phone cue: `Tel.: `, `Telefon (Büro): `, `☎ `.
_PHONE_CUE = re.compile(rf"(?i)(?<!\w)(?:{_PHONE_CUES})\.?[ \t]*(?:\([^()\n]{{1,20}}\)[ \t]*)?[:：]?[ \t]*$")
_DATE_LIKE = re.compile(r"^\(?\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}\)?$")
_DECIMAL = re.compile(r"^\+?\d+\.\d+$")  # +6073641856.9 in a table of figures
_FICTIONAL_PHONE = re.compile(r"55501\d\d$")


def _pick(placeholders: Sequence[str], value: str) -> str:
    """A placeholder chosen by a stable hash of the value (the same in every process)."""
    if len(placeholders) == 1:
        return placeholders[0]
    return placeholders[zlib.crc32(value.encode("utf-8", "surrogatepass")) % len(placeholders)]


@dataclass(frozen=True)
class PiiConfig:
    """What to replace and with what. Hashable, so scrubbers are cached per config."""

    emails: bool = True
    ips: bool = True
    ipv6: bool = True
    phones: bool = True
    only_public_ips: bool = True
    skip_version_numbers: bool = True
    email_placeholders: tuple[str, ...] = DEFAULT_EMAIL_PLACEHOLDERS
    ip_placeholders: tuple[str, ...] = DEFAULT_IP_PLACEHOLDERS
    ipv6_placeholders: tuple[str, ...] = DEFAULT_IPV6_PLACEHOLDERS
    phone_placeholders: tuple[str, ...] = DEFAULT_PHONE_PLACEHOLDERS
    allowed_email_domains: tuple[str, ...] = DEFAULT_ALLOWED_EMAIL_DOMAINS
    allowed_ips: tuple[str, ...] = DEFAULT_ALLOWED_IPS  # addresses or networks (CIDR)


class Scrubber:
    """Precompiled patterns and allow-lists for one PiiConfig; `scrub` is the per-document call."""

    _email = re.compile(EMAIL_PATTERN)
    _ipv4 = re.compile(IPV4_PATTERN)
    _ipv6 = re.compile(IPV6_PATTERN)
    _phone = re.compile(PHONE_CANDIDATE)
    # Necessary conditions of a match, found by patterns that start with a character class.
    _email_hint = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]@[A-Za-z0-9\[]")
    _ipv4_hint = re.compile(r"\d\.\d{1,3}\.\d{1,3}\.\d")
    _ipv6_hint = re.compile(r"[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:")

    def __init__(self, config: PiiConfig = PiiConfig()):
        self.config = config
        for name in ("email", "ip", "ipv6", "phone"):
            if not getattr(config, f"{name}_placeholders"):
                raise ValueError(f"{name}_placeholders: at least one placeholder is needed")
        self._domains = tuple(d.lower().strip(".") for d in config.allowed_email_domains)
        self._allowed_networks = tuple(ipaddress.ip_network(a, strict=False) for a in config.allowed_ips)
        self._ip_ok = lru_cache(maxsize=65536)(self._is_replaceable_ip)
        self._count = 0

    # -- validators -------------------------------------------------------------------------------

    def _is_allowed_domain(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[1].lower().rstrip("]")
        return any(domain == d or domain.endswith("." + d) for d in self._domains)

    def _is_replaceable_ip(self, value: str) -> bool:
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return False
        if address.version == 6 and address not in _GLOBAL_UNICAST_V6:
            return False
        if self.config.only_public_ips and (not address.is_global or address.is_multicast):
            return False
        return not any(address in network for network in self._allowed_networks)

    @staticmethod
    def _is_phone(number: str, intl: bool) -> bool:
        digits = re.sub(r"\D", "", number)
        if not (8 if intl else 7) <= len(digits) <= 15 or _FICTIONAL_PHONE.search(digits):
            return False
        if _DATE_LIKE.match(number.strip()) or _DECIMAL.match(number):
            return False
        groups = re.findall(r"\d+", number)
        # `1 2 3 4 5 6 7 8` is a list of numbers, not a phone number.
        return len(groups) <= 7 and sum(len(g) == 1 for g in groups[1:]) <= 1

    # -- replacement -----------------------------------------------------------------------------

    def _sub_email(self, match: re.Match) -> str:
        value = match.group(0)
        if self._is_allowed_domain(value):
            return value
        self._count += 1
        return _pick(self.config.email_placeholders, value)

    @staticmethod
    def _looks_like_version(match: re.Match) -> bool:
        """Section and version numbers: `version 1.2.3.4`, a numbered heading `38.17.6.1. Title`,
        or four parts all below 32 (`6.3.9.2`; a random public address has that shape 1 time in 4,000)."""
        text, start, end = match.string, match.start(), match.end()
        if all(int(part) < 32 for part in match.group(0).split(".")):
            return True
        line_start = text.rfind("\n", 0, start) + 1
        if not text[line_start:start].strip() and text[end : end + 1] in (".", ")"):
            return True
        return bool(_VERSION_CUE.search(text, max(0, start - 32), start))

    def _sub_ipv4(self, match: re.Match) -> str:
        value = match.group(0)
        if not self._ip_ok(value) or (self.config.skip_version_numbers and self._looks_like_version(match)):
            return value
        self._count += 1
        return _pick(self.config.ip_placeholders, value)

    def _sub_ipv6(self, match: re.Match) -> str:
        value = match.group(0)
        if not self._ip_ok(value):
            return value
        self._count += 1
        return _pick(self.config.ipv6_placeholders, value)

    def _sub_phone(self, match: re.Match) -> str:
        number, text, start = match.group(0), match.string, match.start()
        if _NO_PHONE_CONTEXT.search(text, max(0, start - 12), start):
            return number
        if _INTERNATIONAL.match(number) or _PHONE_CUE.search(text, max(0, start - 40), start):
            if self._is_phone(number, intl=number.startswith("+")):
                self._count += 1
                return _pick(self.config.phone_placeholders, number)
            return number
        return _NANP.sub(self._sub_nanp, number)

    def _sub_nanp(self, match: re.Match) -> str:
        number = match.group(0)
        if not self._is_phone(number, intl=False):
            return number
        self._count += 1
        return _pick(self.config.phone_placeholders, number)

    def _apply(self, pattern: re.Pattern, replace, text: str) -> tuple[str, int]:
        self._count = 0
        text = pattern.sub(replace, text)
        return text, self._count

    def scrub(self, text: str) -> tuple[str, int, int, int]:
        """(new text, e-mails replaced, IP addresses replaced, phone numbers replaced)."""
        config = self.config
        emails = ips = phones = 0
        # Cheap guards first: most documents have no address-like '@', dotted quad or colon pair.
        if config.emails and "@" in text and self._email_hint.search(text):
            text, emails = self._apply(self._email, self._sub_email, text)
        if config.ips and self._ipv4_hint.search(text):
            text, ips = self._apply(self._ipv4, self._sub_ipv4, text)
        if config.ipv6 and config.ips and self._ipv6_hint.search(text):
            text, n = self._apply(self._ipv6, self._sub_ipv6, text)
            ips += n
        if config.phones:
            text, phones = self._apply(self._phone, self._sub_phone, text)
        return text, emails, ips, phones


_GLOBAL_UNICAST_V6 = ipaddress.ip_network("2000::/3")


@lru_cache(maxsize=32)
def scrubber(config: PiiConfig = PiiConfig()) -> Scrubber:
    """One Scrubber per config and process (patterns compile once)."""
    return Scrubber(config)


def scrub(text: str, config: PiiConfig = PiiConfig()) -> tuple[str, int, int, int]:
    """Replace e-mails, IPs and phone numbers: (new text, n_emails, n_ips, n_phones)."""
    return scrubber(config).scrub(text)


def scrub_batch(
    texts: Iterable[str | None], config: PiiConfig = PiiConfig()
) -> tuple[list[str | None], list[int], list[int], list[int]]:
    """scrub() over many texts: (texts, e-mail counts, IP counts, phone counts); None stays None."""
    scrub_one = scrubber(config).scrub
    out: list[str | None] = []
    emails: list[int] = []
    ips: list[int] = []
    phones: list[int] = []
    for text in texts:
        if text is None:
            out.append(None)
            emails.append(0), ips.append(0), phones.append(0)
            continue
        new, e, i, p = scrub_one(text)
        out.append(new)
        emails.append(e), ips.append(i), phones.append(p)
    return out, emails, ips, phones
