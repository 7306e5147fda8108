"""What every benchmark loader shares: the item, the loader's description, field selection, errors."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from jobs.benchmarks.files import BenchmarkFormatError, file_name_without_compression

FieldValue = str | Sequence[str] | None


@dataclass(frozen=True)
class BenchmarkItem:
    bench_id: str  # "<benchmark>/...": stable across runs, unique within the benchmark
    benchmark: str
    task: str | None
    text: str  # the fields that count, joined with "\n" in the loader's fixed order
    answer: str | None


@dataclass(frozen=True)
class RawItem:
    """One item as a parser sees it, before the fields that count are chosen."""

    key: str  # unique within the benchmark; the benchmark's name is prefixed later
    task: str | None
    values: Mapping[str, FieldValue]  # every field of the item's task, in the task's fixed order
    answer: str | None
    where: str  # "line 3", "row 2", "examples[4]": for errors found after parsing
    benchmark: str | None = None  # only generic files, which name the benchmark on every row


# Names that sit next to benchmark data in most releases and are never items.
ALWAYS_SKIPPED = ("readme*", "license*", "copying*", ".*")


@dataclass(frozen=True, eq=False)
class Loader:
    name: str
    parse: Callable[[str], Iterator[RawItem]]
    fields: tuple[str, ...]  # every field name an item of this format may carry
    default_fields: tuple[str, ...]
    file_patterns: tuple[str, ...]  # file names (lowercase, compression suffix removed) read in folders
    skip_files: tuple[str, ...] = ()  # file-name patterns that are not items (gold labels, label lists)
    skip_folders: tuple[str, ...] = ()  # folders of a release that hold no benchmark items
    task_default_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def reads(self, relpath: str) -> bool:
        """Whether a file found in a folder or glob (path relative to it) is one this loader reads.

        Only the part below the expanded path is judged: the user's own folders may be named anything.
        """
        *folders, name = relpath.lower().split("/")
        file_name = file_name_without_compression(name)
        if any(fnmatch.fnmatch(file_name, pattern) for pattern in ALWAYS_SKIPPED + self.skip_files):
            return False
        if any(folder in self.skip_folders for folder in folders):
            return False
        return any(fnmatch.fnmatch(file_name, pattern) for pattern in self.file_patterns)

    def defaults_for(self, task: str | None) -> tuple[str, ...]:
        if task is not None and task in self.task_default_fields:
            return self.task_default_fields[task]
        return self.default_fields

    def checked_fields(self, fields: Sequence[str] | None) -> frozenset[str] | None:
        """The fields a caller asked for, or None for the defaults; unknown names are errors."""
        if fields is None:
            return None
        if isinstance(fields, str) or not fields:
            raise ValueError(
                f"{self.name}: fields must be a non-empty list of names from {list(self.fields)}"
            )
        unknown = [f for f in fields if f not in self.fields]
        if unknown:
            raise ValueError(f"{self.name}: unknown field(s) {unknown}; its fields are {list(self.fields)}")
        return frozenset(fields)


def rendered(value: FieldValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value if value.strip() else ""
    return "\n".join(v for v in value if v.strip())


def items_of_file(
    loader: Loader, path: str, name: str | None = None, fields: Sequence[str] | None = None
) -> Iterator[BenchmarkItem]:
    chosen = loader.checked_fields(fields)
    seen_ids: set[str] = set()
    tasks_checked: set[str | None] = set()
    try:
        for raw in loader.parse(path):
            wanted = chosen if chosen is not None else loader.defaults_for(raw.task)
            if chosen is not None and raw.task not in tasks_checked:
                # One suite folder mixes tasks with different fields; a choice that matches nothing
                # in a task would silently empty every item of it.
                tasks_checked.add(raw.task)
                if not chosen & set(raw.values):
                    raise ValueError(
                        f"{path}: fields {sorted(chosen)} select nothing in task {raw.task!r}; "
                        f"its fields are {list(raw.values)}"
                    )
            text = "\n".join(part for f, v in raw.values.items() if f in wanted and (part := rendered(v)))
            if not text:
                continue  # nothing to match against documents (e.g. an unlabelled split's answer field)
            benchmark, bench_id = identity(loader, raw, name)
            if bench_id in seen_ids:
                raise BenchmarkFormatError(path, raw.where, f"duplicate id {bench_id!r}")
            seen_ids.add(bench_id)
            yield BenchmarkItem(
                bench_id=bench_id, benchmark=benchmark, task=raw.task, text=text, answer=raw.answer
            )
    except UnicodeDecodeError as error:
        raise BenchmarkFormatError(path, "", f"not UTF-8 text ({error.reason})") from error


def identity(loader: Loader, raw: RawItem, name: str | None) -> tuple[str, str]:
    if raw.benchmark is None:
        benchmark = name or loader.name
        return benchmark, f"{benchmark}/{raw.key}"
    # Generic rows carry their own ids, usually prefixed already ("bigbench/date_understanding/0");
    # a renamed benchmark keeps each full id whole under its own prefix, so ids stay unique.
    own = f"{raw.benchmark}/"
    full_id = raw.key if raw.key.startswith(own) else own + raw.key
    benchmark = name or raw.benchmark
    prefix = f"{benchmark}/"
    return benchmark, full_id if full_id.startswith(prefix) else prefix + full_id


def text_field(obj: Mapping, key: str, path: str, where: str, required: bool = True) -> str | None:
    """obj[key] as text: a string (numbers are written out); a missing required key is an error."""
    value = obj.get(key)
    if value is None:
        if required:
            raise BenchmarkFormatError(path, where, f"missing {key!r}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BenchmarkFormatError(path, where, f"{key!r} should be text, found {type(value).__name__}")
    return value if isinstance(value, str) else str(value)


def text_list(obj: Mapping, key: str, path: str, where: str, required: bool = True) -> list[str]:
    """obj[key] as a list of texts (choices, endings, answers)."""
    value = obj.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise BenchmarkFormatError(path, where, f"{key!r} should be a list of texts")
    return [v if isinstance(v, str) else str(v) for v in value]


def dict_field(obj: dict, key: str, path: str, where: str) -> dict:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise BenchmarkFormatError(path, where, f"{key!r} should be an object")
    return value


def list_of_objects(obj: dict, key: str, path: str, where: str) -> list[dict]:
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise BenchmarkFormatError(path, where, f"{key!r} should be a list of objects")
    return value
