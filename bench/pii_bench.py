"""pii in process: our scrubber vs datatrove's PIIFormatter on the same texts, docs per CPU-second.

    .venv/bin/python -m bench.pii_bench --corpus ../shared/bench/corpus-20k [--runs 3] [--limit N]

Sides (alternating order, medians of --runs; CPU seconds by time.process_time):
- datatrove: PIIFormatter().format(text) per document (e-mails + IPv4, its defaults);
- ours (datatrove scope): scrub_batch with e-mails + IPv4 only, like for like;
- ours (defaults): scrub_batch with the stage's defaults (e-mails, IPv4 + IPv6, phones).
Also: replacement counts per kind on the corpus, and the documents where our e-mail/IPv4
replacements differ from datatrove's (with no allow-lists), by reason.
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import time
from collections import Counter
from dataclasses import replace

import pyarrow.parquet as pq
from datatrove.pipeline.formatters import PIIFormatter

from jobs.text.pii import PiiConfig, scrub, scrub_batch

DATATROVE_SCOPE = PiiConfig(phones=False, ipv6=False, allowed_email_domains=(), allowed_ips=())
MARKED_SCOPE = PiiConfig(
    phones=False,
    ipv6=False,
    allowed_email_domains=(),
    allowed_ips=(),
    email_placeholders=("<EMAIL>",),
    ip_placeholders=("<IP>",),
)


def load_texts(corpus: str, limit: int | None) -> list[str]:
    files = sorted(glob.glob(f"{corpus}/crawl/*.parquet")) or sorted(glob.glob(f"{corpus}/*.parquet"))
    texts: list[str] = []
    for path in files:
        texts += pq.read_table(path, columns=["text"]).column("text").to_pylist()
    return texts[:limit] if limit else texts


def cpu_seconds(fn) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def timed_sides(texts: list[str], runs: int) -> dict[str, list[float]]:
    formatter = PIIFormatter()
    sides = {
        "datatrove PIIFormatter": lambda: [formatter.format(t) for t in texts],
        "ours, datatrove scope": lambda: scrub_batch(texts, DATATROVE_SCOPE),
        "ours, defaults": lambda: scrub_batch(texts, PiiConfig()),
    }
    scrub_batch(texts[:200], PiiConfig())  # compile and warm caches outside the timing
    times: dict[str, list[float]] = {name: [] for name in sides}
    for run in range(runs):
        order = list(sides) if run % 2 == 0 else list(reversed(sides))
        for name in order:
            times[name].append(cpu_seconds(sides[name]))
    return times


def _difference_reason(text: str, ours: str, theirs: str) -> str:
    if ours.count("<EMAIL>") != theirs.count("<EMAIL>"):
        return "emails"
    if scrub(text, replace(MARKED_SCOPE, skip_version_numbers=False))[0] == theirs:
        return "ipv4: version/section number rule (skip_version_numbers)"
    return "ipv4: boundaries (datatrove matches inside a longer dotted run, a name or a number)"


def compare_with_datatrove(texts: list[str], examples: int = 8) -> dict:
    formatter = PIIFormatter(email_replacement="<EMAIL>", ip_replacement="<IP>")
    reasons: Counter = Counter()
    samples = []
    for text in texts:
        theirs = formatter.format(text)
        ours = scrub(text, MARKED_SCOPE)[0]
        if ours != theirs:
            reasons[_difference_reason(text, ours, theirs)] += 1
            if len(samples) < examples:
                # the first differing stretch, for the report
                i = next(k for k, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b)
                samples.append(
                    {"ours": ours[max(0, i - 30) : i + 30], "datatrove": theirs[max(0, i - 30) : i + 30]}
                )
    return {"docs_differing": sum(reasons.values()), "by_kind": dict(reasons), "examples": samples}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", default="../shared/bench/corpus-20k")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", help="also write the report here")
    parser.add_argument("--examples", type=int, default=8, help="differing documents shown")
    args = parser.parse_args(argv)

    texts = load_texts(args.corpus, args.limit)
    times = timed_sides(texts, args.runs)
    report: dict = {"docs": len(texts), "chars": sum(map(len, texts)), "runs": args.runs, "sides": {}}
    base = statistics.median(times["datatrove PIIFormatter"])
    print(f"{len(texts)} documents, {report['chars']:,} characters, {args.runs} runs (median CPU s)")
    for name, values in times.items():
        med = statistics.median(values)
        report["sides"][name] = {
            "cpu_s": [round(v, 3) for v in values],
            "median_cpu_s": round(med, 3),
            "docs_per_cpu_s": round(len(texts) / med),
            "speedup_vs_datatrove": round(base / med, 2),
        }
        print(f"  {name:26s} {med:8.3f} s  {len(texts) / med:10.0f} docs/CPU-s  x{base / med:.2f}")

    _, emails, ips, phones = scrub_batch(texts, PiiConfig())
    report["replacements_defaults"] = {
        "emails": sum(emails),
        "ips": sum(ips),
        "phones": sum(phones),
        "docs_with_emails": sum(e > 0 for e in emails),
        "docs_with_ips": sum(i > 0 for i in ips),
        "docs_with_phones": sum(p > 0 for p in phones),
    }
    _, emails, ips, _ = scrub_batch(texts, DATATROVE_SCOPE)
    report["replacements_datatrove_scope"] = {"emails": sum(emails), "ips": sum(ips)}
    report["vs_datatrove"] = compare_with_datatrove(texts, args.examples)
    print(json.dumps({k: v for k, v in report.items() if k != "sides"}, indent=1, ensure_ascii=False))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
