"""pii: each kind replaced (and look-alikes kept), equivalence with datatrove's PIIFormatter on
e-mails and IPv4, and the Spark stage on small Parquet inputs."""

from __future__ import annotations

import json

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.pipeline.formatters import PIIFormatter

from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from jobs.text.pii import PiiConfig, scrub, scrub_batch
from schemas.pii import PiiSettings

EMAIL, IP, PHONE = "<EMAIL>", "<IP>", "<PHONE>"
MARKERS = PiiConfig(
    email_placeholders=(EMAIL,), ip_placeholders=(IP,), ipv6_placeholders=(IP,), phone_placeholders=(PHONE,)
)


def marked(text: str, config: PiiConfig = MARKERS) -> str:
    return scrub(text, config)[0]


# -- e-mails -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Write to jane.doe+news@mail.univ-lyon.fr today.", f"Write to {EMAIL} today."),
        ("Maintainer: Jörg Müller <jmueller@debian.org>", f"Maintainer: Jörg Müller <{EMAIL}>"),
        ("mailto:ops_team@corp.co.uk?subject=hi", f"mailto:{EMAIL}?subject=hi"),
    ],
)
def test_email_is_replaced(text, expected):
    assert scrub(text, MARKERS) == (expected, 1, 0, 0)


@pytest.mark.parametrize(
    "text",
    [
        "Send it to user@example.com or admin@mail.example.org (documentation domains).",
        "ssh git@localhost, root@server.test and bob@host.invalid are reserved names.",
        "Decorators like @property and handles like @jane are not addresses; neither is a@b.",
        "pip install pkg==1.2 @ file:///tmp/pkg",
    ],
)
def test_email_lookalikes_and_reserved_domains_stay(text):
    assert scrub(text, MARKERS) == (text, 0, 0, 0)


# -- IP addresses ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected, n",
    [
        ("Our server 93.184.216.34 answers.", f"Our server {IP} answers.", 1),
        ("curl http://151.101.1.69:8080/path", f"curl http://{IP}:8080/path", 1),
        ("from 45.33.32.156 to 104.16.0.1.", f"from {IP} to {IP}.", 2),
        ("AAAA record: 2a00:1450:4001:82b::200e", f"AAAA record: {IP}", 1),
    ],
)
def test_public_ip_is_replaced(text, expected, n):
    assert scrub(text, MARKERS) == (expected, 0, n, 0)


@pytest.mark.parametrize(
    "text",
    [
        "Private 192.168.1.10, 10.0.0.1, 172.16.5.4, loopback 127.0.0.1, docs 203.0.113.7, ::1, fe80::1",
        "Upgrade to version 1.2.3.4 (v2.0.0.1); Release: 4.4.0.21 and libfoo-1.2.3.4.tar.gz",
        "Debian package 2.30.2.1-1ubuntu3, OID 1.3.6.1.4.1.311, 256.1.1.1 and 1.2.3.4.5",
        "Resolvers 8.8.8.8 and 1.1.1.1 are in every how-to; multicast 224.0.0.251 is nobody's.",
        "6.1.8.68. NoBrand\n  38.17.6.1) Security, see Section 38.17.6.2 and chapter 43.6.8.1",
        "C++: std::vector<int> a; a::b::c; time 12:30:45; MAC 00:1a:2b:3c:4d:5e; hex 0xdeadbeef",
    ],
)
def test_non_personal_or_version_like_dotted_numbers_stay(text):
    assert scrub(text, MARKERS) == (text, 0, 0, 0)


def test_allow_lists_are_settings():
    config = PiiConfig(ip_placeholders=(IP,), allowed_ips=("93.184.216.0/24",), allowed_email_domains=())
    text, emails, ips, _ = scrub("a@example.com at 93.184.216.34, 208.67.222.222", config)
    assert (emails, ips) == (1, 1) and text.endswith(f"93.184.216.34, {IP}")


# -- phone numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Call +44 20 7946 0958 now.", f"Call {PHONE} now."),
        ("Office: +1 (415) 234-5678.", f"Office: {PHONE}."),
        ("Berlin +49 (0)30 1234567", f"Berlin {PHONE}"),
        ("Ring (415) 234-5678 or", f"Ring {PHONE} or"),
        ("US 415-234-5678 and", f"US {PHONE} and"),
        ("dots 415.234.5678;", f"dots {PHONE};"),
        ("Tel.: 030 12345678", f"Tel.: {PHONE}"),
        ("Telefon (Büro): 089/123 456 78", f"Telefon (Büro): {PHONE}"),
        ("Fax 01 23 45 67 89.", f"Fax {PHONE}."),
        ("(phone 0612345678)", f"(phone {PHONE})"),
    ],
)
def test_phone_number_is_replaced(text, expected):
    assert scrub(text, MARKERS) == (expected, 0, 0, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Dates 2021-12-25, 12.05.2021, 25/12/2021, in 1999 and 2024.",
        "Price $1,234,567.89 or 1.234.567,00 EUR; 3.14159265",
        "ISBN 978-3-16-148410-0, ISBN: 0-306-40615-2, ISBN 415-234-5678, doi:10.1000/182",
        "Order id 12345678901234, serial 4152345678, hash 0x1f2e3d4c5b6a7988",
        "Tel: 12.05.2021 (a date after a cue)",
        "Fictional numbers 555-0100 and +1-202-555-0142 are reserved for films.",
        "x = [1, 2, 3] + 1 2 3 4 5 6 7 8; y = a+12345678; C++11; UTC+1 2019",
        "area code 123-456-7890 is not a valid NANP number",
        "coll 262,128 z +6073641856.9 (a figure)",
    ],
)
def test_phone_lookalikes_stay(text):
    assert scrub(text, MARKERS) == (text, 0, 0, 0)


def test_default_placeholders_are_reserved_values_so_scrubbing_twice_changes_nothing():
    text = "Mail a.b@gmail.com, host 93.184.216.34, 2a00:1450:4001:82b::200e, +44 20 7946 0958"
    once = scrub(text)
    assert once[1:] == (1, 2, 1)
    assert scrub(once[0]) == (once[0], 0, 0, 0)


def test_placeholder_is_a_stable_choice_of_the_value():
    config = PiiConfig(email_placeholders=("A@example.com", "B@example.com", "C@example.com"))
    texts = [f"x{i}@gmail.com and x{i}@gmail.com" for i in range(30)]
    out = scrub_batch(texts, config)[0]
    assert all(t.split(" and ")[0] == t.split(" and ")[1] for t in out)
    assert len({t.split(" and ")[0] for t in out}) == 3
    assert scrub_batch(list(reversed(texts)), config)[0] == list(reversed(out))


def test_kinds_can_be_switched_off_and_batch_counts():
    config = PiiConfig(emails=False, phones=False, ip_placeholders=(IP,))
    texts, emails, ips, phones = scrub_batch(["a@gmail.com 93.184.216.34 +44 20 7946 0958", None], config)
    assert texts == [f"a@gmail.com {IP} +44 20 7946 0958", None]
    assert (emails, ips, phones) == ([0, 0], [1, 0], [0, 0])


def test_settings_refuse_bad_networks_and_empty_placeholders():
    with pytest.raises(ValueError):
        PiiSettings(allowed_ips=["not-an-ip"])
    with pytest.raises(ValueError):
        PiiSettings(phone_placeholders=[])


# -- equivalence with datatrove ----------------------------------------------------------------------

# Ours with datatrove's scope (e-mails and IPv4 only, no allow-lists) and one marker per kind.
DATATROVE_SCOPE = PiiConfig(
    phones=False,
    ipv6=False,
    email_placeholders=(EMAIL,),
    ip_placeholders=(IP,),
    allowed_email_domains=(),
    allowed_ips=(),
)

SAME_AS_DATATROVE = [
    "Contact john.smith@gmail.com or j_doe-99@sub.mail.co.uk for details.",
    "odd but valid: !#$%&'*+/=?^_`{|}~-@x.io and first.last@[192.168.0.1] and x@[IPv6:ab:]",
    "user@localhost has no dot in the domain; @handle; a @ b.c; trailing dot john@gmail.com.",
    "info@example.com and admin@test.example.org (datatrove replaces reserved domains too)",
    "Public 93.184.216.34, 151.101.1.69:443 and http://104.16.0.1/x; private 10.1.2.3, 192.168.0.1",
    "Loopback 127.0.0.1, 0.0.0.0, 255.255.255.255, 169.254.1.1, docs 198.51.100.7, 100.64.0.1 but 45.33.32.156",
    "Leading zeros 01.02.03.04 and 093.184.216.034 are not addresses for ipaddress; 45.33.32.156 is.",
    "Addresses 82.50.72.202 and 213.244.11.247.",
    "no pii here at all, just words and numbers 1.5, 2.25 and 3.0.1",
    "multi\nline\n\t45.33.32.156\n  user.name@domain-with-dash.com\n",
]

# Where ours differs on purpose: (text, what datatrove writes, what we write, why).
DIFFERENCES = [
    ("version 1.2.3.4", f"version {IP}", "version 1.2.3.4", "a version cue precedes the quad"),
    ("v2.0.0.1", f"v{IP}", "v2.0.0.1", "glued to a word: a version"),
    ("libfoo-1.2.3.4.tar.gz", f"libfoo-{IP}.tar.gz", "libfoo-1.2.3.4.tar.gz", "glued to a name by '-'"),
    ("OID 1.3.6.1.4.1.311", f"OID {IP}.4.1.311", "OID 1.3.6.1.4.1.311", "part of a longer dotted run"),
    ("256.1.1.1", f"2{IP}", "256.1.1.1", "datatrove matches inside a longer number"),
    ("2.30.2.1-1ubuntu3", f"{IP}-1ubuntu3", "2.30.2.1-1ubuntu3", "a Debian package version"),
    ("see 6.3.9.2 and 12.4.2.2", f"see {IP} and {IP}", "see 6.3.9.2 and 12.4.2.2", "all parts below 32"),
    ("\n38.17.6.1. Security", f"\n{IP}. Security", "\n38.17.6.1. Security", "a numbered heading"),
    ("in Section 55.2.2.1", f"in Section {IP}", "in Section 55.2.2.1", "a section cue"),
    ("/* 224.0.0.1 */", f"/* {IP} */", "/* 224.0.0.1 */", "a multicast group"),
]


def datatrove_formatter() -> PIIFormatter:
    return PIIFormatter(email_replacement=EMAIL, ip_replacement=IP)


@pytest.mark.parametrize("text", SAME_AS_DATATROVE)
def test_same_replacements_as_datatrove_on_emails_and_ipv4(text):
    theirs = datatrove_formatter().format(text)
    ours = marked(text, DATATROVE_SCOPE)
    assert ours == theirs
    assert EMAIL in ours or IP in ours or text.startswith("no pii")  # the test has teeth


@pytest.mark.parametrize("text, theirs, ours, why", DIFFERENCES)
def test_listed_differences_from_datatrove(text, theirs, ours, why):
    assert datatrove_formatter().format(text) == theirs, why
    assert marked(text, DATATROVE_SCOPE) == ours, why


def test_default_allow_lists_are_the_only_other_difference():
    text = "info@example.com, j@gmail.com, 8.8.8.8 and 93.184.216.34"
    assert datatrove_formatter().format(text) == f"{EMAIL}, {EMAIL}, {IP} and {IP}"
    assert marked(text, PiiConfig(email_placeholders=(EMAIL,), ip_placeholders=(IP,), phones=False)) == (
        f"info@example.com, {EMAIL}, 8.8.8.8 and {IP}"
    )


# -- the Spark stage ---------------------------------------------------------------------------------


def _rows(output, which: str) -> list[dict]:
    manifest = json.loads((output / "_manifest.json").read_text())
    return [
        r
        for f in manifest["files"]
        if f["output"] == which
        for r in pq.read_table(output / f["file"]).to_pylist()
    ]


def test_stage_scrubs_counts_and_keeps_every_document(spark, tmp_path):
    docs = [
        ("t1", "Mail jane@gmail.com or call +44 20 7946 0958; server 93.184.216.34.", "text"),
        ("t2", "Nothing personal: version 1.2.3.4, 2021-12-25, ISBN 978-3-16-148410-0.", "text"),
        ("c1", "# Author: Bob <bob@corp.io>, tel 030 12345678\nHOST = '45.33.32.156'\n", "code"),
        ("k1", "Q: phone 415-234-5678? A: (415) 234-5678", "task"),
    ]
    data = tmp_path / "in"
    data.mkdir()
    pq.write_table(
        pa.table(
            {
                "id": [d[0] for d in docs],
                "text": [d[1] for d in docs],
                "source": ["s"] * len(docs),
                "kind": [d[2] for d in docs],
                "extra": [1, 2, 3, 4],
            }
        ),
        data / "part-0.parquet",
    )
    spec = StageSpec.load("pii", PiiSettings(phone_placeholders=[PHONE], email_placeholders=[EMAIL]))
    manifest = run_stage_on_folder(
        lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(tmp_path / "out")
    )
    kept = {r["id"]: r for r in _rows(tmp_path / "out", "kept")}
    assert manifest["counters"]["docs_in"] == 4 and sorted(kept) == ["c1", "k1", "t1", "t2"]
    assert manifest["counters"]["rejected"] == 0 and _rows(tmp_path / "out", "rejected") == []
    counts = {i: (r["pii_emails"], r["pii_ips"], r["pii_phones"]) for i, r in kept.items()}
    # code: e-mails and IPs only (phones are off in code by default)
    assert counts == {"t1": (1, 1, 1), "t2": (0, 0, 0), "c1": (1, 1, 0), "k1": (0, 0, 2)}
    assert kept["t2"]["text"] == docs[1][1]
    assert kept["c1"]["text"].startswith(f"# Author: Bob <{EMAIL}>, tel 030 12345678\nHOST = '")
    assert "93.184.216.34" not in kept["t1"]["text"] and PHONE in kept["t1"]["text"]
    assert kept["k1"]["extra"] == 4 and kept["k1"]["source"] == "s"
    assert manifest["stats"]["pii_emails"] == 2 and manifest["stats"]["pii_ips"] == 2
    assert manifest["stats"]["pii_phones"] == 3 and manifest["stats"]["docs_with_pii"] == 3
    assert manifest["validation"]["pii.kept"]["success"]


def test_stage_alone_on_parquet_with_only_id_and_text(spark, tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    pq.write_table(
        pa.table({"id": ["a", "b"], "text": ["ping admin@corp.io", "no pii"]}), data / "part-0.parquet"
    )
    spec = StageSpec.load("pii", PiiSettings())
    manifest = run_stage_on_folder(
        lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(tmp_path / "out")
    )
    kept = {r["id"]: r for r in _rows(tmp_path / "out", "kept")}
    assert manifest["counters"]["docs_in"] == 2 and len(kept) == 2
    assert kept["a"]["text"] in ("ping email@example.com", "ping firstname.lastname@example.org")
    assert kept["a"]["kind"] == "text" and kept["a"]["source"] is None and kept["a"]["pii_emails"] == 1
    assert kept["b"]["text"] == "no pii" and kept["b"]["pii_emails"] == 0
