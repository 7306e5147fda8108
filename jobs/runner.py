"""Runs one stage: reuse a committed output, or run the job, write, check, validate and commit.

Used by the Prefect flow (stage outputs inside a store version) and by `curate stage` (plain
folders). Outputs are written under an attempt id and named in the manifest, which is written
last; nothing else in the folder is ever read.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import fsspec
import pyarrow.parquet as pq
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from jobs.contract import ArtifactTarget, StageContext, StageHistory, StageOutput
from jobs.objects import is_local, read_parquet, write_parquet_parts
from jobs.spark import size_shuffles
from jobs.store import MANIFEST, remove_unlisted, schema_hash, utc_now, write_json
from jobs.validate import ValidationFailed, validate_dataframe
from schemas.stage import StageSettings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_CODE = ("jobs/text", "jobs/readers", "jobs/contract.py", "schemas/documents.py", "schemas/stage.py")


class StageError(RuntimeError):
    """A stage broke its contract (e.g. documents lost between input and output)."""


@dataclass
class StageSpec:
    """A stage as the runner sees it: the job module, its typed settings and its suites."""

    name: str
    job: ModuleType
    settings: StageSettings
    kept_expectations: list[dict]
    rejected_expectations: list[dict]
    extra_expectations: dict[str, list[dict]] = field(default_factory=dict)
    checked: bool = field(default=False, init=False, repr=False)

    @property
    def uses_history(self) -> bool:
        """The stage reads its own output of the last published version (jobs/<name>.uses_history)."""
        decides = getattr(self.job, "uses_history", None)
        return bool(decides and decides(self.settings))

    def preflight(self) -> None:
        """Checks that can fail before any data moves (jobs/<name>.preflight: e.g. a model file that
        does not load); raises with a message naming the problem."""
        check = getattr(self.job, "preflight", None)
        if check and not self.checked:
            check(self.settings)
        self.checked = True

    @functools.cached_property
    def external_inputs(self) -> dict[str, str]:
        """Files outside the documents that decide the output (jobs/<name>.external_inputs: e.g. a
        model's sha256 by path): part of the fingerprint, so a retrained model forks new outputs."""
        describe = getattr(self.job, "external_inputs", None)
        return dict(describe(self.settings)) if describe else {}

    @classmethod
    def load(cls, name: str, settings: StageSettings) -> StageSpec:
        """By convention: jobs/<name>.py holds run(), schemas/<name>.py the expectation suites."""
        schema_module = importlib.import_module(f"schemas.{name}")
        extra = getattr(schema_module, "extra_expectations", None)
        return cls(
            name=name,
            job=importlib.import_module(f"jobs.{name}"),
            settings=settings,
            kept_expectations=schema_module.kept_expectations(settings),
            rejected_expectations=schema_module.rejected_expectations(settings),
            extra_expectations=extra(settings) if extra else {},
        )


@dataclass
class StageInput:
    """Documents from an upstream manifest, or (ingest) the units the sources expand to."""

    fingerprint: str
    root: str | None = None  # where the manifest's relative file paths start
    manifest: dict | None = None
    units: tuple = ()
    read_options: dict = field(default_factory=dict)
    fs: fsspec.AbstractFileSystem | None = None
    history: StageHistory | None = None  # part of `fingerprint` (see jobs.pipeline.with_history)
    documents_fingerprint: str | None = None  # the documents' alone, when `fingerprint` has more


@dataclass
class Target:
    """Where a stage writes: <root>/<stage_dir>/{kept,rejected}/ and <root>/<stage_dir>/_manifest.json."""

    fs: fsspec.AbstractFileSystem
    root: str
    stage_dir: str  # relative to root ("" for a plain output folder)

    def rel(self, *parts: str) -> str:
        return "/".join(p for p in (self.stage_dir, *parts) if p)

    def abs(self, *parts: str) -> str:
        return "/".join([self.root, self.rel(*parts)]) if self.rel(*parts) else self.root


def _hash_paths(digest, relpaths: tuple[str, ...]) -> None:
    for rel in relpaths:
        path = PROJECT_ROOT / rel
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            if f.exists():
                digest.update(f.relative_to(PROJECT_ROOT).as_posix().encode())
                digest.update(f.read_bytes())


def code_version(stage: str) -> str:
    """Hash of the code that decides a stage's output: a code change forks new outputs."""
    digest = hashlib.sha256()
    _hash_paths(digest, (f"jobs/{stage}.py", f"jobs/{stage}", f"schemas/{stage}.py", *SHARED_CODE))
    return digest.hexdigest()[:16]


def stage_fingerprint(
    stage: str, settings: StageSettings, input_fingerprint: str, external_inputs: dict | None = None
) -> str:
    payload = {
        "stage": stage,
        "code": code_version(stage),
        "settings": settings.model_dump(mode="json"),
        "input": input_fingerprint,
    }
    if external_inputs:
        payload["external"] = external_inputs
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def units_fingerprint(units, read_options: dict) -> str:
    digest = hashlib.sha256()
    for unit in units:
        digest.update(json.dumps(unit.as_row(), sort_keys=True).encode())
    for name in sorted(read_options):
        digest.update(repr((name, read_options[name])).encode())
    return digest.hexdigest()[:32]


def folder_fingerprint(fs, paths: list[str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        info = fs.info(path)
        digest.update(f"{path}|{info.get('size')}|{info.get('mtime') or info.get('ETag')}".encode())
    return digest.hexdigest()[:32]


# -- reading and writing Parquet --------------------------------------------------------------------


def read_documents(spark: SparkSession, stage_input: StageInput) -> DataFrame:
    """The kept documents an upstream manifest names (and only those files)."""
    manifest = stage_input.manifest
    schema = StructType.fromJson(json.loads(manifest["schemas"]["kept"]))
    files = [f"{stage_input.root}/{f['file']}" for f in manifest["files"] if f["output"] == "kept"]
    return read_parquet(spark, stage_input.fs, files, schema)


@dataclass
class StagedPart:
    path: str  # on the target's filesystem: the attempt folder (local) or its committed name (others)
    rows: int
    bytes: int


def _write_part_files(df: DataFrame, target: Target, output: str, attempt: str) -> list[StagedPart]:
    """Local stores: Spark's writer into the attempt folder (a move commits a part). Other stores:
    Python workers write each part under its committed name; only the manifest makes it visible."""
    if is_local(target.fs):
        folder = target.abs("_attempts", attempt, output)
        df.write.mode("overwrite").parquet(folder)
        paths = [os.path.join(folder, p) for p in sorted(os.listdir(folder)) if p.endswith(".parquet")]
        return [StagedPart(p, pq.read_metadata(p).num_rows, os.path.getsize(p)) for p in paths]
    parts = write_parquet_parts(df, target.fs, target.abs(output), f"part-{attempt}")
    return [StagedPart(p["file"], p["rows"], p["bytes"]) for p in parts]


def _publish_parts(staged: dict[str, list[StagedPart]], target: Target, attempt: str) -> list[dict]:
    """Give the checked parts their committed names (part-<attempt>-NNNNN.parquet)."""
    files = []
    for output, parts in staged.items():
        for index, part in enumerate(parts):
            if is_local(target.fs):
                rel = target.rel(output, f"part-{attempt}-{index:05d}.parquet")
                os.makedirs(target.abs(output), exist_ok=True)
                os.replace(part.path, f"{target.root}/{rel}")
            else:
                rel = part.path[len(target.root) + 1 :]
            files.append({"output": output, "file": rel, "rows": part.rows, "bytes": part.bytes})
    return files


def _discard_parts(target: Target, attempt: str, outputs) -> None:
    """A failed attempt's parts on an object store (also those of tasks that finished before the
    job failed): nothing names them, so they go now."""
    for output in outputs:
        for path in target.fs.glob(target.abs(output, f"part-{attempt}-*.parquet")):
            target.fs.rm_file(path)


def _text_chars(docs: DataFrame | None) -> int | None:
    if docs is None:
        return None
    return int(docs.agg(F.sum(F.length("text"))).first()[0] or 0)


def _counters(frames: dict[str, DataFrame | None], docs_in: int) -> dict:
    kept_rows = rejected_rows = chars_out = chars_rejected = 0
    by_reason: dict[str, int] = {}
    if frames["kept"] is not None:
        row = frames["kept"].agg(F.count("*"), F.sum(F.length("text"))).first()
        kept_rows, chars_out = int(row[0]), int(row[1] or 0)
    if frames["rejected"] is not None:
        grouped = frames["rejected"].groupBy("reject_reason").agg(F.count("*"), F.sum(F.length("text")))
        for r in grouped.collect():
            by_reason[r[0]] = int(r[1])
            rejected_rows += int(r[1])
            chars_rejected += int(r[2] or 0)
    return {
        "docs_in": docs_in,
        "docs_out": kept_rows,
        "rejected": rejected_rows,
        "chars_out": chars_out,
        "chars_rejected": chars_rejected,
        "rejected_by_reason": dict(sorted(by_reason.items())),
    }


def _output_frames(output: StageOutput) -> dict[str, DataFrame]:
    return {"kept": output.kept, "rejected": output.rejected, **output.extra}


def _staged_frames(spark, target: Target, output: StageOutput, staged: dict[str, list[StagedPart]]) -> dict:
    """The written parts read back (what will be committed is what gets counted and validated)."""
    frames = {}
    for out, frame in _output_frames(output).items():
        schema = frame.schema
        paths = [p.path for p in staged[out]]
        frame = read_parquet(spark, target.fs, paths, schema) if paths else None
        # Object-store parts are read through Python workers: once, for the counters and the suites.
        frames[out] = frame.persist() if frame is not None and not is_local(target.fs) else frame
    return frames


def _validate_staged(spark, spec: StageSpec, output: StageOutput, frames: dict) -> dict:
    reports = []
    suites = {"kept": spec.kept_expectations, "rejected": spec.rejected_expectations}
    for out, frame in _output_frames(output).items():
        expectations, schema = suites.get(out) or spec.extra_expectations.get(out, []), frame.schema
        frame = frames[out] if frames[out] is not None else spark.createDataFrame([], schema)
        reports.append(validate_dataframe(frame, expectations, f"{spec.name}.{out}"))
    if not all(r.success for r in reports):
        raise ValidationFailed(spec.name, reports)
    return {r.suite: r.as_dict() for r in reports}


def _artifact_target(spec: StageSpec, target: Target, attempt: str) -> ArtifactTarget | None:
    """<stage>/<ARTIFACTS>/<attempt>/ for a stage that writes other files (jobs/<name>.ARTIFACTS)."""
    name = getattr(spec.job, "ARTIFACTS", None)
    if not name:
        return None
    return ArtifactTarget(
        fs=target.fs, output=name, url=target.abs(name, attempt), rel=target.rel(name, attempt)
    )


def execute_stage(
    spark: SparkSession, spec: StageSpec, stage_input: StageInput, target: Target, version: str | None
) -> dict:
    """Run the job, write its parts, check conservation and the suites on those files, and only
    then give them their committed names. Returns the manifest; the caller commits it."""
    started = time.time()
    # Importing Great Expectations takes seconds; do it while Spark works on the stage.
    threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()
    spec.preflight()
    attempt = uuid.uuid4().hex[:8]
    staged: dict[str, list[StagedPart]] = {"kept": [], "rejected": []}
    outputs = ["kept", "rejected"]
    published = False
    artifacts: ArtifactTarget | None = None
    try:
        upstream_files = [f for f in (stage_input.manifest or {}).get("files", []) if f["output"] == "kept"]
        input_bytes = sum(u.size for u in stage_input.units) + sum(
            f.get("bytes") or 0 for f in upstream_files
        )
        shuffle_partitions = size_shuffles(spark, input_bytes)
        docs = read_documents(spark, stage_input) if stage_input.manifest is not None else None
        artifacts = _artifact_target(spec, target, attempt)
        ctx = StageContext(
            stage=spec.name,
            version=version,
            units=stage_input.units,
            read_options=stage_input.read_options,
            history=stage_input.history,
            artifacts=artifacts,
        )
        output: StageOutput = spec.job.run(spark, docs, spec.settings, ctx)
        if output.docs_in is None:
            output.docs_in = sum(f["rows"] for f in upstream_files)
        outputs = list(_output_frames(output))
        for out, frame in _output_frames(output).items():
            staged[out] = _write_part_files(frame, target, out, attempt)
        spark.catalog.clearCache()
        phases = {"run_and_write": time.time() - started}

        frames = _staged_frames(spark, target, output, staged)
        counters = _counters(frames, output.docs_in)
        counters["chars_in"] = _text_chars(docs)
        phases["count"] = time.time() - started - sum(phases.values())
        if counters["docs_out"] + counters["rejected"] != output.docs_in:
            raise StageError(
                f"{spec.name}: {output.docs_in} documents in but {counters['docs_out']} kept + "
                f"{counters['rejected']} rejected were written"
            )
        try:
            validation = _validate_staged(spark, spec, output, frames)
        except ValidationFailed as failed:
            report = {r.suite: r.as_dict() for r in failed.reports}
            write_json(target.fs, target.abs("_validation.json"), report)
            raise
        spark.catalog.clearCache()
        phases["validate"] = time.time() - started - sum(phases.values())

        files = _publish_parts(staged, target, attempt)
        files += [{**entry, "carried": True} for entry in output.carried]
        files += output.artifacts
        published = True
        schemas = {out: frame.schema.json() for out, frame in _output_frames(output).items()}
        counters["seconds"] = round(time.time() - started, 3)
        counters["phase_seconds"] = {k: round(v, 3) for k, v in phases.items()}
        return {
            "stage": spec.name,
            "version": version,
            "fingerprint": stage_fingerprint(
                spec.name, spec.settings, stage_input.fingerprint, spec.external_inputs
            ),
            "input_fingerprint": stage_input.fingerprint,
            "documents_fingerprint": stage_input.documents_fingerprint or stage_input.fingerprint,
            "code_version": code_version(spec.name),
            "settings": spec.settings.model_dump(mode="json"),
            "external_inputs": spec.external_inputs,
            "created_at": utc_now(),
            "reused_from": None,
            "files": files,
            "schemas": schemas,
            "schema_hashes": {k: schema_hash(v) for k, v in schemas.items()},
            "counters": counters,
            "stats": {**output.stats, "input_bytes": input_bytes, "shuffle_partitions": shuffle_partitions},
            "quarantine": output.quarantine,
            "validation": validation,
        }
    finally:
        if is_local(target.fs):
            shutil.rmtree(target.abs("_attempts", attempt), ignore_errors=True)
        elif not published:
            _discard_parts(target, attempt, outputs)
        if not published and artifacts is not None and target.fs.exists(artifacts.url):
            target.fs.rm(artifacts.url, recursive=True)


def reused_manifest(found: dict, version: str) -> dict:
    """A new version's manifest that points at an earlier version's committed files (no copy)."""
    return {
        **found,
        "version": version,
        "reused_from": found.get("reused_from") or found["version"],
        "created_at": utc_now(),
    }


def commit_folder(target: Target, manifest: dict) -> None:
    """`curate stage` output: the manifest written last, leftovers of other attempts removed."""
    remove_unlisted(
        target.fs,
        target.root,
        target.abs(),
        {f["file"] for f in manifest["files"]},
        {f["output"] for f in manifest["files"]},
    )
    write_json(target.fs, target.abs(MANIFEST), manifest)
