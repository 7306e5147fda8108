"""Input units: the files (or archives) a source expands to, and the reader for each.

Expansion runs on the driver (a listing); reading runs on Spark's Python workers, one unit at a time.
"""

from __future__ import annotations

import io
import os
import posixpath
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import BinaryIO

import fsspec

from jobs.readers.jsonl import read_jsonl
from jobs.readers.parquet import read_parquet
from jobs.readers.records import ReadOptions, Record
from jobs.readers.trees import read_archive, read_tree_file
from jobs.readers.warc import read_warc

COMPRESSIONS = (".gz", ".zst", ".bz2", ".xz")
ARCHIVES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz", ".zip")
GLOB_CHARS = "*?["


@dataclass(frozen=True)
class Unit:
    source: str
    kind: str
    format: str  # jsonl | parquet | warc | text_file | code_file | text_archive | code_archive
    url: str  # what fsspec opens
    relpath: str  # path inside the source root: part of stable ids
    size: int
    version: str  # mtime or ETag: part of the input fingerprint
    start: int = 0  # a byte range of a large plain JSONL file: [start, end); end -1 = to the end
    end: int = -1

    @property
    def is_split(self) -> bool:
        return self.start > 0 or self.end >= 0

    @property
    def name(self) -> str:
        """The unit in messages and tie-breaks: the path, plus the byte range of a split."""
        return f"{self.relpath}@{self.start:015d}" if self.is_split else self.relpath

    def as_row(self) -> dict:
        return asdict(self)


def data_format(name: str) -> str | None:
    """jsonl / parquet / warc from a file name, or None when it is not a data file."""
    name = name.lower()
    for suffix in COMPRESSIONS:
        if name.endswith(suffix) and not name.endswith((".warc.gz", ".wet.gz")):
            name = name[: -len(suffix)]
            break
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".warc", ".warc.gz", ".wet", ".wet.gz")):
        return "warc"
    return None


def unit_format(name: str, kind: str, declared: str) -> str:
    is_archive = name.lower().endswith(ARCHIVES)
    if declared == "code" or (declared == "auto" and kind == "code"):
        return "code_archive" if is_archive else "code_file"
    if declared == "text":
        return "text_archive" if is_archive else "text_file"
    if declared != "auto":
        return declared
    return data_format(name) or ("text_archive" if is_archive else "text_file")


def _version_of(info: dict) -> str:
    for key in ("ETag", "etag", "mtime", "LastModified", "last_modified", "created"):
        if info.get(key) is not None:
            return str(info[key])
    return ""


def split_ranges(size: int, split_bytes: int) -> list[tuple[int, int]]:
    """Byte ranges of about split_bytes each; [(0, -1)] when the file is not to be split."""
    if split_bytes <= 0 or size <= split_bytes:
        return [(0, -1)]
    bounds = list(range(0, size, split_bytes))
    return [(b, min(b + split_bytes, size)) for b in bounds[:-1]] + [(bounds[-1], -1)]


def expand_source(
    name: str, kind: str, declared_format: str, paths: list[str], split_bytes: int = 0
) -> list[Unit]:
    """Every input unit of a source, sorted, with sizes and versions for the input fingerprint.

    Plain (uncompressed) JSONL files larger than split_bytes become several units, one byte range
    each, so one big file is read by many tasks.

    Raises FileNotFoundError for a path or glob that matches nothing: a source that silently
    reads zero files is how nightly builds lose data.
    """
    units: list[Unit] = []
    for path in paths:
        fs, fs_path = fsspec.core.url_to_fs(path)
        protocol = path.split("://", 1)[0] + "://" if "://" in path else ""
        if any(c in fs_path for c in GLOB_CHARS):
            static = fs_path[: min(fs_path.find(c) for c in GLOB_CHARS if c in fs_path)]
            root = static.rsplit("/", 1)[0] if "/" in static else ""
            matches = {p: fs.info(p) for p in fs.glob(fs_path)}
        elif fs.isdir(fs_path):
            root = posixpath.dirname(fs_path.rstrip("/"))  # keep the tree's own name in relpaths
            matches = dict(fs.find(fs_path, detail=True))
        elif fs.exists(fs_path):
            root = posixpath.dirname(fs_path.rstrip("/"))
            matches = {fs_path: fs.info(fs_path)}
        else:
            raise FileNotFoundError(f"source {name}: {path} does not exist")
        files = {p: info for p, info in matches.items() if info.get("type") != "directory"}
        if not files:
            raise FileNotFoundError(f"source {name}: {path} matches no files")
        for file_path, info in sorted(files.items()):
            relpath = posixpath.relpath(file_path, root) if root else file_path
            fmt = unit_format(posixpath.basename(file_path), kind, declared_format)
            size = int(info.get("size") or 0)
            splittable = fmt == "jsonl" and not file_path.lower().endswith(COMPRESSIONS)
            for start, end in split_ranges(size, split_bytes if splittable else 0):
                units.append(
                    Unit(
                        source=name,
                        kind=kind,
                        format=fmt,
                        url=protocol + file_path if protocol else file_path,
                        relpath=relpath,
                        size=size,
                        version=_version_of(info),
                        start=start,
                        end=end,
                    )
                )
    return units


STORAGE_ENV_PREFIXES = ("AWS_", "FSSPEC_", "GOOGLE_", "GCS_", "AZURE_")


def storage_environment() -> dict[str, str]:
    """Object-store settings and credentials of this process, to hand to Spark's Python workers.

    Workers (and executors on other machines) do not see variables the driver set after the JVM
    started; the readers need them to open s3:// and other fsspec URLs. Never logged or stored.
    """
    return {k: v for k, v in os.environ.items() if k.startswith(STORAGE_ENV_PREFIXES)}


def apply_storage_environment(env: dict[str, str]) -> None:
    changed = {k: v for k, v in env.items() if os.environ.get(k) != v}
    if changed:
        os.environ.update(changed)  # filesystems cached with the old settings must not be reused:
        for cls in list(fsspec.registry.values()):
            if hasattr(cls, "clear_instance_cache"):
                cls.clear_instance_cache()


@contextmanager
def open_decompressed(url: str) -> Iterator[BinaryIO]:
    """A line-iterable stream of the decompressed bytes (.gz, .bz2, .xz via fsspec; .zst streamed)."""
    if url.lower().endswith(".zst"):
        import zstandard

        with fsspec.open(url, "rb") as raw:
            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            with io.BufferedReader(reader) as stream:
                yield stream
        return
    with fsspec.open(url, "rb", compression="infer") as stream:
        yield stream


def read_unit(unit: Unit, options: ReadOptions) -> Iterator[Record]:
    """Records of one unit. Raises (-> quarantine) when the unit cannot be read as its format."""
    if unit.format == "jsonl" and unit.is_split:
        with fsspec.open(unit.url, "rb") as stream:
            yield from read_jsonl(
                stream, unit.relpath, options, unit.start, unit.end if unit.end >= 0 else None
            )
    elif unit.format == "jsonl":
        with open_decompressed(unit.url) as stream:
            yield from read_jsonl(stream, unit.relpath, options)
    elif unit.format == "parquet":
        with fsspec.open(unit.url, "rb") as stream:
            yield from read_parquet(stream, unit.relpath, options)
    elif unit.format == "warc":
        with fsspec.open(unit.url, "rb") as stream:
            yield from read_warc(stream, unit.relpath, options)
    elif unit.format in ("text_file", "code_file"):
        with fsspec.open(unit.url, "rb") as stream:
            yield from read_tree_file(stream, unit.relpath, options, code=unit.format == "code_file")
    elif unit.format in ("text_archive", "code_archive"):
        with fsspec.open(unit.url, "rb") as stream:
            yield from read_archive(stream, unit.relpath, options, code=unit.format == "code_archive")
    else:
        raise ValueError(f"unknown input format {unit.format!r} for {unit.url}")
