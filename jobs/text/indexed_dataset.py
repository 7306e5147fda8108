"""Megatron-LM's indexed dataset (.bin tokens + .idx index, "MMIDIDX" version 1), written and read without torch.

Layout, as `_IndexWriter.write` / `_IndexReader` in megatron/core/datasets/indexed_dataset.py of
NVIDIA/Megatron-LM (read at commit 00caa53af30912914981c86f39db123961678bbd) write and read it,
all little-endian:

    .idx  9 bytes   magic b"MMIDIDX\\x00\\x00"
          <Q        version, 1
          <B        dtype code of the tokens (DType: uint8=1 int8=2 int16=3 int32=4 int64=5
                    float64=6 float32=7 uint16=8)
          <Q        sequence count N
          <Q        document count M = len(document_indices), N + 1 here: [0, 1, ..., N]
          int32[N]  sequence lengths (tokens)
          int64[N]  sequence pointers (byte offset of each sequence in the .bin)
          int64[M]  document indices (sequence index where each document starts; the last is N)
    .bin  the sequences' tokens back to back, in the dtype

We write one sequence per document, as Megatron's tools/preprocess_data.py does without sentence
splitting (IndexedDatasetBuilder.add_document(ids, [len(ids)])). The multimodal variant (a trailing
int8 mode per sequence) is neither written nor read.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import fsspec
import numpy as np
from fsspec.implementations.local import LocalFileSystem

INDEX_MAGIC = b"MMIDIDX\x00\x00"
INDEX_VERSION = 1
HEADER_SIZE = len(INDEX_MAGIC) + 8 + 1 + 8 + 8  # 34, as Megatron's _IndexReader computes it
DTYPE_CODES: dict[np.dtype, int] = {
    np.dtype(np.uint8): 1,
    np.dtype(np.int8): 2,
    np.dtype(np.int16): 3,
    np.dtype(np.int32): 4,
    np.dtype(np.int64): 5,
    np.dtype(np.float64): 6,
    np.dtype(np.float32): 7,
    np.dtype(np.uint16): 8,
}
CODE_DTYPES = {code: dtype for dtype, code in DTYPE_CODES.items()}
_MAX_SEQUENCE = np.iinfo(np.int32).max  # lengths are stored as int32


class IndexedDatasetError(ValueError):
    """An .idx/.bin pair that is missing, truncated or not Megatron's format; the message names the file."""


def bin_path(prefix: str | Path) -> str:
    return f"{prefix}.bin"


def idx_path(prefix: str | Path) -> str:
    return f"{prefix}.idx"


class IndexedDatasetWriter:
    """Writes documents to a .bin as they come, and the .idx at `finalize()`, so the .idx is the commit.

    `bin_file` and `idx_file` are each a path or fsspec URL, or (bin) an open binary file / (idx) a
    callable that opens one; files given open are flushed, not closed: their owner closes them.
    """

    def __init__(
        self,
        bin_file: str | Path | BinaryIO,
        idx_file: str | Path | Callable[[], BinaryIO],
        dtype: np.dtype | type,
    ):
        self.dtype = np.dtype(dtype)
        if self.dtype not in DTYPE_CODES:
            raise IndexedDatasetError(f"dtype {self.dtype} has no Megatron DType code")
        if isinstance(bin_file, (str, Path)):
            self._bin = _open_for_writing(str(bin_file))
            self._owns_bin = True
            self.bin_name = str(bin_file)
        else:
            self._bin, self._owns_bin = bin_file, False
            self.bin_name = str(getattr(bin_file, "name", "<bin file>"))
        if isinstance(idx_file, (str, Path)):
            name = str(idx_file)
            self._open_idx = lambda: _open_for_writing(name)
            self._owns_idx = True
        else:
            self._open_idx, self._owns_idx = idx_file, False
        self._lengths: list[np.ndarray] = []
        self.documents = 0
        self.tokens = 0
        self.finalized = False

    def add_document(self, ids) -> None:
        self.add_documents(ids, [np.size(ids)])

    def add_documents(self, flat, lengths) -> None:
        """Several documents at once: `flat` holds their tokens back to back, `lengths` says where they split."""
        self._check_open()
        tokens = self._as_tokens(flat)
        lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
        if len(lengths) and (lengths.min() < 0 or lengths.max() > _MAX_SEQUENCE):
            raise IndexedDatasetError(f"{self.bin_name}: a document length is outside 0..{_MAX_SEQUENCE}")
        if int(lengths.sum()) != tokens.size:
            raise IndexedDatasetError(
                f"{self.bin_name}: lengths add up to {int(lengths.sum())} but {tokens.size} tokens were given"
            )
        self._bin.write(memoryview(np.ascontiguousarray(tokens)).cast("B"))
        self._lengths.append(lengths.astype(np.int32))
        self.documents += len(lengths)
        self.tokens += tokens.size

    def finalize(self) -> None:
        self._check_open()
        self.finalized = True
        if self._owns_bin:
            self._bin.close()
        else:
            self._bin.flush()
        index = index_bytes(
            np.concatenate(self._lengths) if self._lengths else np.empty(0, np.int32), self.dtype
        )
        idx = self._open_idx()
        try:
            idx.write(index)
            idx.flush()
        finally:
            if self._owns_idx:
                idx.close()

    def __enter__(self) -> IndexedDatasetWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        # On an error no .idx is written: a half-written dataset is never committed.
        if exc_type is None and not self.finalized:
            self.finalize()
        elif exc_type is not None and self._owns_bin:
            self._bin.close()

    def _check_open(self) -> None:
        if self.finalized:
            raise IndexedDatasetError(f"{self.bin_name}: the writer is already finalized")

    def _as_tokens(self, ids) -> np.ndarray:
        array = np.asarray(ids).reshape(-1)
        if array.dtype == self.dtype:
            return array
        if array.size and np.issubdtype(self.dtype, np.integer):
            info = np.iinfo(self.dtype)
            if array.min() < info.min or array.max() > info.max:
                raise IndexedDatasetError(f"{self.bin_name}: token ids outside the range of {self.dtype}")
        return array.astype(self.dtype)


def _open_for_writing(url: str) -> BinaryIO:
    fs, path = fsspec.core.url_to_fs(url)
    if isinstance(fs, LocalFileSystem):  # object stores have no folders to make
        fs.makedirs(fs._parent(path), exist_ok=True)
    return fs.open(path, "wb")


def index_bytes(sequence_lengths: np.ndarray, dtype: np.dtype) -> bytes:
    """The whole .idx for one sequence per document (see the module docstring for the layout)."""
    lengths = np.asarray(sequence_lengths, dtype=np.int32)
    n = len(lengths)
    pointers = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], dtype=np.int64, out=pointers[1:])
    pointers *= np.dtype(dtype).itemsize
    document_indices = np.arange(n + 1, dtype=np.int64)
    header = INDEX_MAGIC + struct.pack("<Q", INDEX_VERSION) + struct.pack("<B", DTYPE_CODES[np.dtype(dtype)])
    header += struct.pack("<Q", n) + struct.pack("<Q", len(document_indices))
    return b"".join(
        [
            header,
            lengths.astype("<i4").tobytes(),
            pointers.astype("<i8").tobytes(),
            document_indices.astype("<i8").tobytes(),
        ]
    )


@dataclass(frozen=True)
class IndexData:
    dtype: np.dtype
    sequence_lengths: np.ndarray  # int32[N]
    sequence_pointers: np.ndarray  # int64[N], bytes
    document_indices: np.ndarray  # int64[M]

    @property
    def tokens(self) -> int:
        return int(self.sequence_lengths.sum(dtype=np.int64))

    @property
    def bin_size(self) -> int:
        """The .bin size in bytes that this index describes."""
        return self.tokens * self.dtype.itemsize


def read_index_bytes(data: bytes | memoryview | np.ndarray, source: str = "<idx>") -> IndexData:
    """Parses and checks a whole .idx held in memory (e.g. fetched from an object store)."""
    buffer = memoryview(data).cast("B") if not isinstance(data, np.ndarray) else data
    if len(buffer) < HEADER_SIZE:
        raise IndexedDatasetError(
            f"{source}: {len(buffer)} bytes, shorter than the {HEADER_SIZE}-byte header"
        )
    header = bytes(buffer[:HEADER_SIZE])
    if header[:9] != INDEX_MAGIC:
        raise IndexedDatasetError(
            f"{source}: not a Megatron index (magic {header[:9]!r}, want {INDEX_MAGIC!r})"
        )
    version, code, n, m = struct.unpack("<QBQQ", header[9:])
    if version != INDEX_VERSION:
        raise IndexedDatasetError(f"{source}: index version {version}, only {INDEX_VERSION} is known")
    if code not in CODE_DTYPES:
        raise IndexedDatasetError(f"{source}: unknown dtype code {code}")
    expected = HEADER_SIZE + 4 * n + 8 * n + 8 * m
    if len(buffer) != expected:
        raise IndexedDatasetError(
            f"{source}: {len(buffer)} bytes, but {n} sequences and {m} document indices need {expected}"
        )
    lengths = np.frombuffer(buffer, dtype="<i4", count=n, offset=HEADER_SIZE)
    pointers = np.frombuffer(buffer, dtype="<i8", count=n, offset=HEADER_SIZE + 4 * n)
    documents = np.frombuffer(buffer, dtype="<i8", count=m, offset=HEADER_SIZE + 12 * n)
    index = IndexData(CODE_DTYPES[code], lengths, pointers, documents)
    _check_index(index, source)
    return index


def _check_index(index: IndexData, source: str) -> None:
    lengths, pointers, documents = index.sequence_lengths, index.sequence_pointers, index.document_indices
    n = len(lengths)
    if n and lengths.min() < 0:
        raise IndexedDatasetError(f"{source}: negative sequence length")
    # Sequences lie back to back in the .bin: every pointer is the sum of the lengths before it.
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], dtype=np.int64, out=starts[1:])
    if not np.array_equal(pointers, starts * index.dtype.itemsize):
        raise IndexedDatasetError(f"{source}: sequence pointers do not follow the sequence lengths")
    if len(documents) == 0 or documents[0] != 0 or documents[-1] != n or np.any(np.diff(documents) < 0):
        raise IndexedDatasetError(f"{source}: document indices must rise from 0 to the sequence count {n}")


class IndexedDatasetReader:
    """A local .bin/.idx pair, memory-mapped; `get` returns views into the .bin, not copies."""

    def __init__(self, prefix: str | Path):
        self.prefix = str(prefix)
        self.idx_file, self.bin_file = idx_path(prefix), bin_path(prefix)
        for path in (self.idx_file, self.bin_file):
            if not Path(path).is_file():
                raise IndexedDatasetError(f"{path}: no such file (indexed dataset prefix {self.prefix})")
        self._idx_map = _memmap(self.idx_file)
        self.index = read_index_bytes(self._idx_map, source=self.idx_file)
        size = Path(self.bin_file).stat().st_size
        if size != self.index.bin_size:
            raise IndexedDatasetError(
                f"{self.bin_file}: {size} bytes, but {self.idx_file} describes {self.index.bin_size}"
            )
        self._bin = _memmap(self.bin_file).view(self.index.dtype)

    @property
    def dtype(self) -> np.dtype:
        return self.index.dtype

    @property
    def sizes(self) -> np.ndarray:
        """Tokens per sequence (Megatron's `sequence_lengths`, the older `sizes`)."""
        return self.index.sequence_lengths

    sequence_lengths = sizes

    @property
    def pointers(self) -> np.ndarray:
        return self.index.sequence_pointers

    @property
    def document_indices(self) -> np.ndarray:
        return self.index.document_indices

    @property
    def tokens(self) -> np.ndarray:
        """All tokens of the .bin, in order (a memory map)."""
        return self._bin

    def __len__(self) -> int:
        return len(self.index.sequence_lengths)

    def get(self, i: int, offset: int = 0, length: int | None = None) -> np.ndarray:
        """Tokens [offset, offset + length) of sequence i (to its end when length is None), as Megatron's get."""
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"sequence {i} out of range for {n} sequences in {self.prefix}")
        i %= n
        size = int(self.index.sequence_lengths[i])
        if length is None:
            length = size - offset
        if offset < 0 or length < 0 or offset + length > size:
            raise IndexError(f"tokens [{offset}, {offset + length}) outside sequence {i} of length {size}")
        start = int(self.index.sequence_pointers[i]) // self.dtype.itemsize + offset
        return self._bin[start : start + length]

    def __getitem__(self, i: int) -> np.ndarray:
        return self.get(i)


def _memmap(path: str) -> np.ndarray:
    # np.memmap refuses an empty file; an empty .bin (a dataset of empty documents) is still valid.
    if Path(path).stat().st_size == 0:
        return np.empty(0, dtype=np.uint8)
    return np.memmap(path, dtype=np.uint8, mode="r")
