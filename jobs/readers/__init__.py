"""Readers of raw input formats. Spark-free: each turns one input unit into a stream of Records.

A reader raises for a file it cannot read at all (it goes to the manifest's quarantine);
a bad record becomes a Record with a reject reason, so nothing is lost silently.
"""

from jobs.readers.records import ReadOptions, Record  # noqa: F401
from jobs.readers.units import Unit, expand_source, read_unit  # noqa: F401
