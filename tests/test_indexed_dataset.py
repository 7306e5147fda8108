"""Megatron's .bin/.idx format: our writer's bytes against the published layout, the reader, the checks."""

from __future__ import annotations

import importlib.util
import struct

import fsspec
import numpy as np
import pytest

from jobs.text.indexed_dataset import (
    IndexedDatasetError,
    IndexedDatasetReader,
    IndexedDatasetWriter,
    read_index_bytes,
)

DOCS = [[5, 6, 7, 0], [1, 0], [65000, 3, 2, 1, 0], [0]]


def write(prefix, docs=DOCS, dtype=np.uint16):
    with IndexedDatasetWriter(f"{prefix}.bin", f"{prefix}.idx", dtype) as writer:
        writer.add_document(docs[0])
        flat = np.concatenate([np.asarray(d) for d in docs[1:]])
        writer.add_documents(flat, [len(d) for d in docs[1:]])
    return writer


def test_header_and_arrays_follow_megatron_layout_field_by_field(tmp_path):
    write(tmp_path / "d")
    data = (tmp_path / "d.idx").read_bytes()
    lengths = [len(d) for d in DOCS]
    n = len(DOCS)
    assert data[0:9] == b"MMIDIDX\x00\x00"  # _INDEX_HEADER
    assert struct.unpack("<Q", data[9:17]) == (1,)  # version
    assert struct.unpack("<B", data[17:18]) == (8,)  # DType.uint16
    assert struct.unpack("<Q", data[18:26]) == (n,)  # sequence count
    assert struct.unpack("<Q", data[26:34]) == (n + 1,)  # document count = len(document_indices)
    at = 34
    assert list(struct.unpack(f"<{n}i", data[at : at + 4 * n])) == lengths
    at += 4 * n
    assert list(struct.unpack(f"<{n}q", data[at : at + 8 * n])) == [0, 8, 12, 22]  # bytes: uint16 offsets
    at += 8 * n
    assert list(struct.unpack(f"<{n + 1}q", data[at : at + 8 * (n + 1)])) == list(range(n + 1))
    assert len(data) == at + 8 * (n + 1)
    tokens = (tmp_path / "d.bin").read_bytes()
    assert tokens == np.concatenate([np.asarray(d, dtype="<u2") for d in DOCS]).tobytes()


@pytest.mark.parametrize(("dtype", "code"), [(np.uint16, 8), (np.int32, 4), (np.uint8, 1), (np.int64, 5)])
def test_dtype_codes_are_megatrons(tmp_path, dtype, code):
    docs = [[1, 2, 0], [3, 0]]
    write(tmp_path / "d", docs, dtype)
    assert (tmp_path / "d.idx").read_bytes()[17] == code
    reader = IndexedDatasetReader(tmp_path / "d")
    assert reader.dtype == np.dtype(dtype)
    assert [reader[i].tolist() for i in range(len(reader))] == docs


def test_round_trip_with_offsets_and_lengths(tmp_path):
    writer = write(tmp_path / "d")
    assert (writer.documents, writer.tokens) == (4, 12)
    reader = IndexedDatasetReader(tmp_path / "d")
    assert len(reader) == 4
    assert reader.sizes.tolist() == [4, 2, 5, 1]
    assert reader.pointers.tolist() == [0, 8, 12, 22]
    assert reader.document_indices.tolist() == [0, 1, 2, 3, 4]
    assert [reader[i].tolist() for i in range(4)] == DOCS
    assert reader[-2].tolist() == DOCS[2]
    assert reader.get(2, offset=1, length=3).tolist() == [3, 2, 1]
    assert reader.get(2, offset=3).tolist() == [1, 0]
    with pytest.raises(IndexError):
        reader.get(2, offset=3, length=5)
    with pytest.raises(IndexError):
        reader[4]


def test_writer_on_open_file_objects_and_an_empty_dataset(tmp_path):
    with open(tmp_path / "d.bin", "wb") as bin_file:
        writer = IndexedDatasetWriter(bin_file, lambda: open(tmp_path / "d.idx", "wb"), np.uint16)
        writer.add_documents(np.array([9, 0], np.uint16), [2])
        writer.finalize()
        with pytest.raises(IndexedDatasetError, match="already finalized"):
            writer.add_document([1])
    assert IndexedDatasetReader(tmp_path / "d")[0].tolist() == [9, 0]

    IndexedDatasetWriter(tmp_path / "new" / "e.bin", tmp_path / "new" / "e.idx", np.uint16).finalize()
    empty = IndexedDatasetReader(tmp_path / "new" / "e")  # a missing local folder is made
    assert len(empty) == 0 and empty.document_indices.tolist() == [0]


def test_writer_refuses_bad_input_and_commits_nothing_on_error(tmp_path):
    writer = IndexedDatasetWriter(tmp_path / "d.bin", tmp_path / "d.idx", np.uint16)
    with pytest.raises(IndexedDatasetError, match="outside the range of uint16"):
        writer.add_document(np.array([70000]))
    with pytest.raises(IndexedDatasetError, match="lengths add up to 3 but 2"):
        writer.add_documents(np.array([1, 2], np.uint16), [1, 2])
    with pytest.raises(IndexedDatasetError, match="no Megatron DType code"):
        IndexedDatasetWriter(tmp_path / "x.bin", tmp_path / "x.idx", np.uint32)
    with (
        pytest.raises(RuntimeError),
        IndexedDatasetWriter(tmp_path / "f.bin", tmp_path / "f.idx", np.uint16) as w,
    ):
        w.add_document([1, 0])
        raise RuntimeError("the stage failed")
    assert not (tmp_path / "f.idx").exists()  # the .idx is the commit: none after a failure


def test_reader_errors_name_the_file(tmp_path):
    write(tmp_path / "d")
    good = (tmp_path / "d.idx").read_bytes()
    with pytest.raises(IndexedDatasetError, match=r"nope\.idx: no such file"):
        IndexedDatasetReader(tmp_path / "nope")

    (tmp_path / "d.idx").write_bytes(good[:-8])
    with pytest.raises(IndexedDatasetError, match=r"d\.idx: .* bytes, but 4 sequences"):
        IndexedDatasetReader(tmp_path / "d")
    (tmp_path / "d.idx").write_bytes(b"NOTANIDX\x00" + good[9:])
    with pytest.raises(IndexedDatasetError, match=r"d\.idx: not a Megatron index"):
        IndexedDatasetReader(tmp_path / "d")
    (tmp_path / "d.idx").write_bytes(good[:9] + struct.pack("<Q", 2) + good[17:])
    with pytest.raises(IndexedDatasetError, match="version 2"):
        IndexedDatasetReader(tmp_path / "d")
    (tmp_path / "d.idx").write_bytes(good)
    (tmp_path / "d.bin").write_bytes((tmp_path / "d.bin").read_bytes()[:-2])
    with pytest.raises(IndexedDatasetError, match=r"d\.bin: 22 bytes, but .*d\.idx describes 24"):
        IndexedDatasetReader(tmp_path / "d")
    with pytest.raises(IndexedDatasetError, match="header"):
        read_index_bytes(b"MMID", source="s3://b/x.idx")


def test_written_to_and_read_from_an_object_store(s3_bucket):
    prefix = f"s3://{s3_bucket}/tokens/web-00000"
    write(prefix)
    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    with fs.open(f"{prefix}.idx", "rb") as f:
        index = read_index_bytes(f.read(), source=f"{prefix}.idx")
    assert index.sequence_lengths.tolist() == [4, 2, 5, 1]
    assert fs.size(f"{prefix}.bin") == index.bin_size == 24


MEGATRON = "megatron.core.datasets.indexed_dataset"


def test_megatron_core_reads_our_files(tmp_path):
    """Megatron-LM's own reader on our files, where megatron-core (and torch) can be imported."""
    try:
        found = importlib.util.find_spec(MEGATRON) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        pytest.skip("megatron-core is not installed (not a project dependency: it is not pure Python)")
    module = pytest.importorskip(MEGATRON, reason="megatron-core is installed but cannot be imported here")
    write(tmp_path / "d", DOCS, np.uint16)
    dataset = module.IndexedDataset(str(tmp_path / "d"), mmap=True)
    assert len(dataset) == len(DOCS)
    assert dataset.index.dtype is np.uint16
    assert dataset.sequence_lengths.tolist() == [4, 2, 5, 1]
    assert dataset.document_indices.tolist() == [0, 1, 2, 3, 4]
    assert [dataset[i].tolist() for i in range(len(DOCS))] == DOCS
    assert dataset.get(2, offset=1, length=2).tolist() == [3, 2]
