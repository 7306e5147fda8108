"""The document chain inside one store version: inputs, reuse by fingerprint, commit.

Plain functions the Prefect flow calls one stage at a time; no Prefect here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable

import fsspec
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem
from pyspark.sql import SparkSession
from pyspark.sql.pandas.types import from_arrow_schema

from jobs.contract import StageHistory
from jobs.ingest import read_options
from jobs.readers import expand_source
from jobs.runner import (
    StageInput,
    StageSpec,
    Target,
    commit_folder,
    execute_stage,
    folder_fingerprint,
    reused_manifest,
    stage_fingerprint,
    units_fingerprint,
)
from jobs.store import MANIFEST, Store, utc_now
from schemas.ingest import IngestSettings
from schemas.recipe import SourceSpec


def ingest_input(sources: list[SourceSpec], settings: IngestSettings) -> StageInput:
    """Expand the sources into units (a listing, no reading); their sizes and versions fingerprint them."""
    units = tuple(
        u for s in sources for u in expand_source(s.name, s.kind, s.format, s.paths, settings.split_bytes)
    )
    options = {s.name: read_options(settings, s) for s in sources}
    return StageInput(fingerprint=units_fingerprint(units, options), units=units, read_options=options)


def downstream_input(store: Store, manifest: dict) -> StageInput:
    return StageInput(fingerprint=manifest["fingerprint"], root=store.root, manifest=manifest, fs=store.fs)


def with_history(store: Store, spec: StageSpec, stage_input: StageInput) -> StageInput:
    """A stage that keeps state across versions (dedup's keys) reads its own committed output in
    the last published version. That output becomes part of the input fingerprint: the same
    documents against another history are another output."""
    if not spec.uses_history:
        return stage_input
    manifest = last_published_output(store, spec.name)
    if not manifest:
        return stage_input
    documents = stage_input.fingerprint
    if manifest.get("documents_fingerprint") == documents:
        # LATEST's output was made from these very documents: checked against it they keep every
        # decision, so that output is this one (reused when code and settings are the same too)
        return dataclasses.replace(
            stage_input, fingerprint=manifest["input_fingerprint"], documents_fingerprint=documents
        )
    digest = hashlib.sha256(f"{documents}|history:{manifest['fingerprint']}".encode())
    return dataclasses.replace(
        stage_input,
        fingerprint=digest.hexdigest()[:32],
        documents_fingerprint=documents,
        history=StageHistory(fs=store.fs, root=store.root, manifest=manifest),
    )


def last_published_output(store: Store, stage: str) -> dict | None:
    """The stage's manifest in LATEST, or else in the newest published version that has it (a
    version built by the instructions flow alone has no dedup, and must not cut dedup's history)."""
    latest = store.latest()
    manifest = store.stage_manifest(latest, stage) if latest else None
    if manifest or not latest:
        return manifest
    for info in sorted(store.versions(), key=lambda i: i["version"], reverse=True):
        if info["version"] <= latest and info.get("status") == "published":
            found = store.stage_manifest(info["version"], stage)
            if found:
                return found
    return None


def instructions_input() -> StageInput:
    """The instructions stage reads its task files itself; they and the templates are its
    external inputs (jobs.instructions.external_inputs), so the input itself is a constant."""
    return StageInput(fingerprint=hashlib.sha256(b"instructions:task-files").hexdigest()[:32])


def stage_summary(manifest: dict, status: str) -> dict:
    return {
        "status": status,
        "fingerprint": manifest["fingerprint"],
        "reused_from": manifest.get("reused_from"),
        "counters": manifest["counters"],
        "quarantined": len(manifest.get("quarantine") or []),
        "finished_at": utc_now(),
    }


def run_stage_in_version(
    store: Store,
    version: str,
    spec: StageSpec,
    stage_input: StageInput,
    spark_factory: Callable[[], SparkSession],
) -> dict:
    """Reuse the committed output with the same fingerprint, or run the stage and commit it.

    Spark starts only when a stage really runs: an unchanged rerun needs no Spark at all.
    """
    spec.preflight()
    stage_input = with_history(store, spec, stage_input)
    fingerprint = stage_fingerprint(spec.name, spec.settings, stage_input.fingerprint, spec.external_inputs)
    store.record_stage(
        version, spec.name, {"status": "running", "fingerprint": fingerprint, "started_at": utc_now()}
    )
    try:
        found = store.find_reusable(spec.name, fingerprint)
        if found:
            manifest = reused_manifest(found, version)
            status = "reused"
        else:
            target = Target(store.fs, store.root, f"versions/{version}/{spec.name}")
            manifest = execute_stage(spark_factory(), spec, stage_input, target, version)
            status = "committed"
        store.commit_stage(version, spec.name, manifest)
    except Exception as err:
        store.record_stage(
            version,
            spec.name,
            {
                "status": "failed",
                "fingerprint": fingerprint,
                "error": f"{type(err).__name__}: {err}",
                "finished_at": utc_now(),
            },
        )
        raise
    store.record_stage(version, spec.name, stage_summary(manifest, status))
    return manifest


def folder_input(fs, input_path: str) -> StageInput:
    """Any Parquet dataset with `id` and `text`: a `curate stage` output (its manifest) or plain files."""
    input_path = input_path.rstrip("/")
    manifest_path = f"{input_path}/{MANIFEST}"
    if fs.exists(manifest_path):
        with fs.open(manifest_path, "r") as f:
            manifest = json.load(f)
        return StageInput(fingerprint=manifest["fingerprint"], root=input_path, manifest=manifest, fs=fs)
    paths = sorted(p for p in fs.find(input_path) if p.endswith(".parquet"))
    if not paths:
        raise FileNotFoundError(f"{input_path}: no Parquet files")
    files, schema = [], None
    for path in paths:
        with fs.open(path, "rb") as f:
            metadata = pq.read_metadata(f)
        files.append(
            {
                "output": "kept",
                "file": path[len(input_path) + 1 :],
                "rows": metadata.num_rows,
                "bytes": fs.size(path),
            }
        )
        schema = schema or metadata.schema.to_arrow_schema()
    missing = {"id", "text"} - set(schema.names)
    if missing:
        raise ValueError(f"{input_path}: Parquet input lacks column(s) {', '.join(sorted(missing))}")
    manifest = {"files": files, "schemas": {"kept": from_arrow_schema(schema).json()}}
    return StageInput(fingerprint=folder_fingerprint(fs, paths), root=input_path, manifest=manifest, fs=fs)


def raw_input(input_path: str, source_name: str, kind: str, settings: IngestSettings) -> StageInput:
    """`curate stage ingest --input PATH`: the path is one source, its format taken from extensions."""
    source = SourceSpec(name=source_name, kind=kind, paths=[input_path])
    return ingest_input([source], settings)


def run_stage_on_folder(
    spark_factory: Callable[[], SparkSession], spec: StageSpec, stage_input: StageInput, output: str
) -> dict:
    """One stage, no store and no version: OUT/kept/, OUT/rejected/, OUT/_manifest.json (written last)."""
    fs, root = fsspec.core.url_to_fs(output)
    if isinstance(fs, LocalFileSystem):
        root = os.path.abspath(root)
    fs.makedirs(root, exist_ok=True)
    target = Target(fs, root.rstrip("/"), "")
    manifest = execute_stage(spark_factory(), spec, stage_input, target, None)
    commit_folder(target, manifest)
    return manifest
