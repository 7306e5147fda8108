"""Labelled documents for a quality classifier, read from Parquet or JSONL on any fsspec store.

Three ways to say what is good and what is not, combinable in one run:
  positives: every row of these files is a positive;
  negatives: every row of these files is a negative;
  labelled:  a label column decides (listed positive values -> positive; the listed negative values,
             or when none are listed every other non-null value -> negative; the rest is skipped).
A table joined on the id column (e.g. a bench corpus' labels.parquet) can add the label, group and
filter columns that the document files lack. Every problem is a ValueError that names the path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

import fsspec
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
COMPRESSION_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")  # JSONL only; Parquet compresses inside
GLOB_CHARS = "*?["
POSITIVES, NEGATIVES, LABELLED = "positives", "negatives", "labelled"


@dataclass(frozen=True)
class InputSpec:
    """What to read and how to label it (the data flags of `curate train-quality`)."""

    positives: list[str] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    labelled: list[str] = field(default_factory=list)
    label_column: str | None = None
    positive_values: list[str] = field(default_factory=list)
    negative_values: list[str] = field(default_factory=list)
    text_column: str = "text"
    id_column: str = "id"
    group_column: str | None = None
    where: list[tuple[str, str]] = field(default_factory=list)
    join: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)

    def check(self) -> None:
        if not (self.positives or self.negatives or self.labelled):
            raise ValueError("no input: give --positives/--negatives files and/or --labelled files")
        if self.labelled and not self.label_column:
            raise ValueError("--labelled needs --label-column (the column that holds the label)")
        if self.labelled and not self.positive_values:
            raise ValueError("--labelled needs --positive-values (the label values of good documents)")
        overlap = set(self.positive_values) & set(self.negative_values)
        if overlap:
            raise ValueError(f"label values both positive and negative: {sorted(overlap)}")


@dataclass
class SourceSummary:
    """One input argument as the model card reports it."""

    path: str
    mode: str
    files: int = 0
    rows: int = 0
    positives: int = 0
    negatives: int = 0
    skipped: int = 0  # filtered out by --where, unlabelled, not joined, or without text

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class LabelledDocuments:
    texts: list[str] = field(default_factory=list)
    positive: list[bool] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    extra: dict[str, list] = field(default_factory=dict)
    sources: list[SourceSummary] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def n_positive(self) -> int:
        return sum(self.positive)

    @property
    def n_negative(self) -> int:
        return len(self.positive) - self.n_positive


def parse_where(items: Iterable[str]) -> list[tuple[str, str]]:
    """`COL=VALUE` strings as (column, value) pairs."""
    pairs = []
    for item in items:
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise ValueError(f"--where {item!r}: expected COLUMN=VALUE, e.g. is_code=false")
        pairs.append((column.strip(), value.strip()))
    return pairs


def cell_matches(cell: object, wanted: str) -> bool:
    """Whether a column value equals a value typed on the command line ('false' matches False,
    'null' matches a missing value, '1' matches 1 and 1.0)."""
    if cell is None:
        return wanted.lower() in ("null", "none", "")
    if isinstance(cell, bool):
        return wanted.lower() in (("true", "1") if cell else ("false", "0"))
    if isinstance(cell, int | float):
        try:
            return float(wanted) == float(cell)
        except ValueError:
            return False
    return str(cell) == wanted


def _format_of(path: str) -> str | None:
    name = path.lower()
    for compression in COMPRESSION_SUFFIXES:
        if name.endswith(compression):
            return "jsonl" if name.removesuffix(compression).endswith(JSONL_SUFFIXES) else None
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return "jsonl" if name.endswith(JSONL_SUFFIXES) else None


def _is_hidden(path: str, root: str) -> bool:
    # Spark and Hadoop leave _SUCCESS, .crc files and _temporary folders next to the parts
    below = path[len(root) :] if path.startswith(root) else path.rsplit("/", 1)[-1]
    return any(part.startswith((".", "_")) for part in below.split("/") if part)


def expand_paths(path: str) -> list[str]:
    """The data files that `path` names: a file, a folder (searched recursively), or a glob; local
    or any fsspec URL. Sorted, so a run reads documents in the same order every time."""
    fs, root = fsspec.core.url_to_fs(path)
    if any(c in root for c in GLOB_CHARS):
        found = [p for p in fs.glob(root) if not fs.isdir(p)]
    elif fs.isdir(root):
        found = fs.find(root)
    elif fs.exists(root):
        if _format_of(root) is None:
            raise ValueError(f"{path}: unknown file type; expected .parquet or .jsonl (.gz/.zst/...)")
        found = [root]
    else:
        raise ValueError(f"{path}: no such file or folder")
    base = root if fs.isdir(root) else root.rsplit("/", 1)[0]
    files = sorted(p for p in found if _format_of(p) is not None and not _is_hidden(p, base))
    if not files:
        raise ValueError(f"{path}: no Parquet or JSONL files there")
    if not isinstance(fs, LocalFileSystem):
        files = [fs.unstrip_protocol(p) for p in files]
    return files


Columns = dict[str, list | None]  # column -> values, None when the file lacks the column


def _read_parquet(url: str, columns: list[str], display: str) -> tuple[Columns, int]:
    fs, path = fsspec.core.url_to_fs(url)
    try:
        schema_names = pq.read_schema(path, filesystem=fs).names
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise ValueError(f"{display}: not a readable Parquet file ({err})") from None
    table = pq.read_table(path, columns=[c for c in columns if c in schema_names], filesystem=fs)
    data = table.to_pydict()
    return {c: data.get(c) for c in columns}, table.num_rows


def _read_jsonl(url: str, columns: list[str], display: str) -> tuple[Columns, int]:
    data: dict[str, list] = {c: [] for c in columns}
    seen: set[str] = set()
    rows = 0
    with fsspec.open(url, "rt", encoding="utf-8", compression="infer") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{display}: line {number} is not JSON ({err.msg})") from None
            if not isinstance(record, dict):
                raise ValueError(f"{display}: line {number} is not a JSON object")
            seen.update(record)
            for column in columns:
                data[column].append(record.get(column))
            rows += 1
    return {c: (data[c] if c in seen else None) for c in columns}, rows


def read_columns(url: str, columns: list[str], display: str) -> tuple[Columns, int]:
    """The named columns of one file (None for a column the file lacks) and its row count."""
    try:
        if _format_of(url) == "parquet":
            return _read_parquet(url, columns, display)
        return _read_jsonl(url, columns, display)
    except FileNotFoundError:
        raise ValueError(f"{display}: no such file") from None
    except UnicodeDecodeError as err:
        raise ValueError(f"{display}: not UTF-8 text ({err.reason} at byte {err.start})") from None


@dataclass
class JoinTable:
    """Columns of the --join tables by key (e.g. a bench corpus' labels.parquet by id)."""

    keys: set = field(default_factory=set)
    columns: dict[str, dict[object, object]] = field(default_factory=dict)


def load_join_tables(paths: list[str], key: str, columns: list[str]) -> JoinTable:
    table = JoinTable()
    for path in paths:
        for url in expand_paths(path):
            data, _ = read_columns(url, [key, *columns], path)
            if data[key] is None:
                raise ValueError(f"{path}: no column {key!r} to join on")
            table.keys.update(data[key])
            for column in columns:
                if data[column] is not None:
                    table.columns.setdefault(column, {}).update(zip(data[key], data[column], strict=True))
    return table


def _needed_columns(spec: InputSpec) -> list[str]:
    columns = [spec.text_column, spec.id_column]
    for column in [spec.label_column, spec.group_column, *[c for c, _ in spec.where], *spec.extra_columns]:
        if column and column not in columns:
            columns.append(column)
    return columns


def _label_of(cell: object, spec: InputSpec) -> bool | None:
    """True/False for a positive/negative label value, None when the row is not used."""
    if any(cell_matches(cell, v) for v in spec.positive_values):
        return True
    if spec.negative_values:
        return False if any(cell_matches(cell, v) for v in spec.negative_values) else None
    return None if cell is None else False


def _group_key(group: object, doc_id: object, where: str) -> str:
    # prefixed so a group value can never collide with an id or a row position
    if group is not None:
        return f"g:{group}"
    if doc_id is not None:
        return f"id:{doc_id}"
    return f"row:{where}"


def _add_file(
    docs: LabelledDocuments, summary: SourceSummary, url: str, spec: InputSpec, joined: JoinTable
) -> None:
    columns = _needed_columns(spec)
    where = summary.path if url == summary.path else f"{summary.path} ({url})"
    data, n_rows = read_columns(url, columns, where)
    ids = data[spec.id_column]
    for column in columns:
        if data[column] is not None:
            continue
        if column in joined.columns and ids is not None:
            data[column] = [joined.columns[column].get(i) for i in ids]
        elif column == spec.id_column:
            data[column] = [None] * n_rows  # optional: the split then groups by row
        else:
            hint = " (nor in the --join tables)" if spec.join else ""
            raise ValueError(f"{where}: no column {column!r}{hint}")
    if spec.join and ids is None:
        raise ValueError(f"{where}: no column {spec.id_column!r} to join the --join tables on")
    summary.files += 1
    summary.rows += n_rows
    for row in range(n_rows):
        text = data[spec.text_column][row]
        usable = (
            (not spec.join or ids[row] in joined.keys)
            and isinstance(text, str)
            and bool(text.strip())
            and all(cell_matches(data[c][row], v) for c, v in spec.where)
        )
        if summary.mode == LABELLED:
            label = _label_of(data[spec.label_column][row], spec) if usable else None
        else:
            label = summary.mode == POSITIVES if usable else None
        if label is None:
            summary.skipped += 1
            continue
        group = data[spec.group_column][row] if spec.group_column else None
        docs.texts.append(text)
        docs.positive.append(label)
        docs.groups.append(_group_key(group, data[spec.id_column][row], f"{url}#{row}"))
        for column in spec.extra_columns:
            docs.extra[column].append(data[column][row])
        if label:
            summary.positives += 1
        else:
            summary.negatives += 1


def load_documents(spec: InputSpec, require_both: bool = True) -> LabelledDocuments:
    """Every usable document of the inputs, in a fixed order (inputs as given, files sorted)."""
    spec.check()
    join_columns = [c for c in _needed_columns(spec) if c not in (spec.id_column, spec.text_column)]
    joined = load_join_tables(spec.join, spec.id_column, join_columns) if spec.join else JoinTable()
    docs = LabelledDocuments(extra={c: [] for c in spec.extra_columns})
    for mode, paths in ((POSITIVES, spec.positives), (NEGATIVES, spec.negatives), (LABELLED, spec.labelled)):
        for path in paths:
            summary = SourceSummary(path=path, mode=mode)
            for url in expand_paths(path):
                _add_file(docs, summary, url, spec, joined)
            docs.sources.append(summary)
    if require_both:
        _require_both_classes(docs, spec)
    return docs


def _require_both_classes(docs: LabelledDocuments, spec: InputSpec) -> None:
    described = ", ".join(f"{s.path} ({s.mode}: {s.positives}+/{s.negatives}-)" for s in docs.sources)
    filters = f" after --where {' '.join(f'{c}={v}' for c, v in spec.where)}" if spec.where else ""
    if docs.n_positive == 0:
        raise ValueError(f"no positive documents{filters} in {described}")
    if docs.n_negative == 0:
        raise ValueError(f"no negative documents{filters} in {described}")
