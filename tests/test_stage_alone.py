"""`curate stage` inputs: a stage output (its manifest is trusted) or any Parquet dataset with id and text."""

from __future__ import annotations

import json

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.pipeline import folder_input, run_stage_on_folder
from tests.probe_stage import ProbeSettings, probe_spec


def _kept(output) -> list[dict]:
    manifest = json.loads((output / "_manifest.json").read_text())
    return [
        r
        for f in manifest["files"]
        if f["output"] == "kept"
        for r in pq.read_table(output / f["file"]).to_pylist()
    ]


def test_plain_parquet_folder_with_id_and_text(spark, tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    pq.write_table(
        pa.table(
            {
                "id": ["a", "b", "c"],
                "text": ["x" * 300, "short", "y" * 250],
                "source": ["s"] * 3,
                "kind": ["text"] * 3,
            }
        ),
        data / "part-0.parquet",
    )
    manifest = run_stage_on_folder(
        lambda: spark,
        probe_spec(ProbeSettings(min_chars=200)),
        folder_input(fsspec.filesystem("file"), str(data)),
        str(tmp_path / "out"),
    )
    assert manifest["counters"]["docs_in"] == 3 and manifest["counters"]["rejected_by_reason"] == {
        "probe:too_short": 1
    }
    assert sorted(r["id"] for r in _kept(tmp_path / "out")) == ["a", "c"]


def test_stage_output_as_input_reads_only_manifest_files(spark, tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    pq.write_table(
        pa.table(
            {"id": ["a", "b"], "text": ["x" * 300, "z" * 300], "source": ["s"] * 2, "kind": ["text"] * 2}
        ),
        data / "part-0.parquet",
    )
    first = tmp_path / "first"
    run_stage_on_folder(
        lambda: spark,
        probe_spec(ProbeSettings(min_chars=10)),
        folder_input(fsspec.filesystem("file"), str(data)),
        str(first),
    )
    # a crashed attempt's leftover next to the committed parts: never read
    pq.write_table(
        pa.table({"id": ["ghost"], "text": ["g" * 300], "source": ["s"], "kind": ["text"]}),
        first / "kept" / "part-dead-00000.parquet",
    )
    manifest = run_stage_on_folder(
        lambda: spark,
        probe_spec(ProbeSettings(min_chars=10)),
        folder_input(fsspec.filesystem("file"), str(first)),
        str(tmp_path / "second"),
    )
    assert manifest["counters"]["docs_in"] == 2
    assert sorted(r["id"] for r in _kept(tmp_path / "second")) == ["a", "b"]


def test_parquet_without_text_column_is_refused(tmp_path):
    data = tmp_path / "in"
    data.mkdir()
    pq.write_table(pa.table({"id": ["a"], "body": ["no text column"]}), data / "p.parquet")
    with pytest.raises(ValueError, match="lacks column"):
        folder_input(fsspec.filesystem("file"), str(data))
