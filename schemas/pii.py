"""Settings, output columns and expectation suites of the `pii` stage.

pii rewrites `text` and adds three counts; it never drops a document, so its rejected output is
always empty (the suite checks that too).
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator
from pyspark.sql.types import IntegerType, StructField

# The defaults live with the scrubbing code (stdlib only), next to their reasons.
from jobs.text.pii import (
    DEFAULT_ALLOWED_EMAIL_DOMAINS,
    DEFAULT_ALLOWED_IPS,
    DEFAULT_EMAIL_PLACEHOLDERS,
    DEFAULT_IP_PLACEHOLDERS,
    DEFAULT_IPV6_PLACEHOLDERS,
    DEFAULT_PHONE_PLACEHOLDERS,
)
from schemas.documents import INGEST_COLUMNS, document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

PiiKind = Literal["emails", "ips", "phones"]
COUNT_COLUMNS = ("pii_emails", "pii_ips", "pii_phones")
PII_COLUMNS = [StructField(name, IntegerType(), False) for name in COUNT_COLUMNS]


class PiiSettings(StageSettings):
    """E-mail addresses, IP addresses and phone numbers replaced with placeholders."""

    kinds: list[PiiKind] = Field(
        ["emails", "ips", "phones"],
        description="What is replaced in text and task documents (and in documents without a kind).",
    )
    code_kinds: list[PiiKind] = Field(
        ["emails", "ips"],
        description="What is replaced in code documents. Phone numbers are off by default: digit groups "
        "in code (constants, test data, tables) look like phone numbers far more often than they are "
        "(BigCode's StarCoder pipeline scrubbed e-mails, IPs and keys in code, no phone numbers).",
    )
    ipv6: bool = Field(True, description="Also replace global IPv6 addresses (counted in pii_ips).")
    only_public_ips: bool = Field(
        True,
        description="Replace only globally routable addresses (datatrove's rule): private, loopback, "
        "link-local, multicast and documentation ranges stay.",
    )
    skip_version_numbers: bool = Field(
        True,
        description="Leave version and section numbers that look like IPv4 alone: after a cue "
        "('version 1.2.3.4', 'v2.0.0.1', 'Section 38.17.6.1'), a numbered heading ('6.1.8.68. Title') or "
        "four parts all below 32 ('6.3.9.2').",
    )
    email_placeholders: list[str] = Field(
        list(DEFAULT_EMAIL_PLACEHOLDERS),
        min_length=1,
        description="Replacements for e-mail addresses; one is picked by a stable hash of the address.",
    )
    ip_placeholders: list[str] = Field(
        list(DEFAULT_IP_PLACEHOLDERS),
        min_length=1,
        description="Replacements for IPv4 addresses (default: RFC 5737 documentation addresses).",
    )
    ipv6_placeholders: list[str] = Field(
        list(DEFAULT_IPV6_PLACEHOLDERS),
        min_length=1,
        description="Replacements for IPv6 addresses (default: RFC 3849 documentation addresses).",
    )
    phone_placeholders: list[str] = Field(
        list(DEFAULT_PHONE_PLACEHOLDERS),
        min_length=1,
        description="Replacements for phone numbers (default: NANP fictional 555-01xx numbers).",
    )
    allowed_email_domains: list[str] = Field(
        list(DEFAULT_ALLOWED_EMAIL_DOMAINS),
        description="E-mail addresses at these domains or their subdomains stay (default: the RFC 2606/6761 "
        "reserved names, which are nobody's address).",
    )
    allowed_ips: list[str] = Field(
        list(DEFAULT_ALLOWED_IPS),
        description="IP addresses or CIDR networks that stay (default: well-known public DNS resolvers).",
    )

    @field_validator("allowed_ips")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # raises ValueError naming the entry
        return value


def kept_expectations(settings: PiiSettings) -> list[dict]:
    base = document_expectations()
    columns = [
        {"type": "expect_column_to_exist", "kwargs": {"column": name}}
        for name in INGEST_COLUMNS.fieldNames() + list(COUNT_COLUMNS)
    ]
    counts = []
    for name in COUNT_COLUMNS:
        counts += [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": name}},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": name, "min_value": 0}},
        ]
    return base + columns + counts


def rejected_expectations(settings: PiiSettings) -> list[dict]:
    # pii never drops a document.
    return rejected_base("pii") + [{"type": "expect_table_row_count_to_equal", "kwargs": {"value": 0}}]
