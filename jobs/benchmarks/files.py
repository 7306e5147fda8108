"""Benchmark files on any fsspec filesystem: expanding paths, opening (compressed too), lines and JSON."""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

import fsspec

COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst")  # what fsspec's compression="infer" opens
GLOB_CHARS = "*?["


class BenchmarkFormatError(ValueError):
    """A file that is not in the format its loader reads; names the file and the place in it."""

    def __init__(self, path: str, where: str, problem: str):
        super().__init__(f"{path}: {where}: {problem}" if where else f"{path}: {problem}")
        self.path = path
        self.where = where


def file_name_without_compression(name: str) -> str:
    for suffix in COMPRESSIONS:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def file_stem(path: str) -> str:
    """`.../HumanEval.jsonl.gz` -> `HumanEval`, `.../test.et.jsonl` -> `test.et`."""
    name = file_name_without_compression(posixpath.basename(path))
    return name.rsplit(".", 1)[0] if "." in name[1:] else name


def folder_names(path: str) -> list[str]:
    """The folders above a file, nearest first (`s3://b/glue_data/MRPC/dev.tsv` -> MRPC, glue_data, b)."""
    bare = path.split("://", 1)[-1]
    return [part for part in reversed(bare.split("/")[:-1]) if part]


def suite_task(path: str, known: Collection[str], suite: str, strip: str = "") -> str:
    """The task a file belongs to: the nearest folder (or the file stem) that names a known task."""
    for name in [*folder_names(path), file_stem(path)]:
        name = name.lower().removesuffix(strip)
        if name in known:
            return name
    raise BenchmarkFormatError(path, "", f"no {suite} task in the path; known tasks: {sorted(known)}")


@contextmanager
def open_text(path: str, newline: str | None = None) -> Iterator[TextIO]:
    """UTF-8 text (a BOM is dropped), decompressed by extension (.gz, .bz2, .xz, .zst)."""
    with fsspec.open(path, "rt", compression="infer", encoding="utf-8-sig", newline=newline) as stream:
        yield stream


def text_lines(path: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its line end) for every non-blank line."""
    with open_text(path) as stream:
        for number, line in enumerate(stream, start=1):
            line = line.rstrip("\r\n")
            if line.strip():
                yield number, line


def json_lines(path: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-blank line of a JSON Lines file."""
    for number, line in text_lines(path):
        try:
            obj = json.loads(line)
        except ValueError as error:
            raise BenchmarkFormatError(path, f"line {number}", f"invalid JSON ({error})") from error
        if not isinstance(obj, dict):
            raise BenchmarkFormatError(path, f"line {number}", "expected a JSON object")
        yield number, obj


def json_document(path: str) -> object:
    """A whole JSON file (benchmarks released as one document: BIG-bench tasks, SQuAD-style sets)."""
    with open_text(path) as stream:
        try:
            return json.load(stream)
        except json.JSONDecodeError as error:
            raise BenchmarkFormatError(path, f"line {error.lineno}", f"invalid JSON ({error.msg})") from error


def expand_paths(paths: Sequence[str], accepts: Callable[[str], bool], what: str) -> list[str]:
    """Files under local paths, folders, globs or fsspec URLs that `accepts` takes, sorted and unique.

    A file named on its own is always taken (its name may not follow the release's layout); files
    found in a folder or glob are filtered. A path that yields nothing is an error: a benchmark set
    that silently loads zero items decontaminates nothing.
    """
    if isinstance(paths, str) or not paths:
        raise ValueError(f"{what}: paths must be a non-empty list")
    found: set[str] = set()
    for path in paths:
        fs, fs_path = fsspec.core.url_to_fs(path)
        keep_protocol = "://" in path
        if any(c in fs_path for c in GLOB_CHARS):
            static = fs_path[: min(fs_path.find(c) for c in GLOB_CHARS if c in fs_path)]
            root = static.rsplit("/", 1)[0] if "/" in static else ""
            listed = fs.glob(fs_path, detail=True)
            candidates = [p for p, info in listed.items() if info.get("type") != "directory"]
        elif fs.isdir(fs_path):
            root = fs_path.rstrip("/")
            candidates = list(fs.find(fs_path))
        elif fs.exists(fs_path):
            found.add(fs.unstrip_protocol(fs_path) if keep_protocol else fs_path)
            continue
        else:
            raise ValueError(f"{what}: {path} does not exist")
        matched = [p for p in candidates if accepts(relative_to(p, root))]
        if not matched:
            raise ValueError(f"{what}: {path} holds no files this format reads")
        found.update(fs.unstrip_protocol(p) if keep_protocol else p for p in matched)
    return sorted(found)


def relative_to(path: str, root: str) -> str:
    prefix = root.rstrip("/") + "/"
    return path[len(prefix) :] if root and path.startswith(prefix) else path.lstrip("/")
