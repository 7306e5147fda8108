"""Runs one stage: reuse a committed output, or run the job, write, check, validate and commit.

Used by the Prefect flow (stage outputs inside a store version) and by `curate stage` (plain
folders). Outputs are written under an attempt id and named in the manifest, which is written
last; nothing else in the folder is ever read.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import fsspec
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from jobs.contract import StageContext, StageOutput
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

    @classmethod
    def load(cls, name: str, settings: StageSettings) -> StageSpec:
        """By convention: jobs/<name>.py holds run(), schemas/<name>.py the expectation suites."""
        schema_module = importlib.import_module(f"schemas.{name}")
        return cls(
            name=name,
            job=importlib.import_module(f"jobs.{name}"),
            settings=settings,
            kept_expectations=schema_module.kept_expectations(settings),
            rejected_expectations=schema_module.rejected_expectations(settings),
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
    _hash_paths(digest, (f"jobs/{stage}.py", f"schemas/{stage}.py", *SHARED_CODE))
    return digest.hexdigest()[:16]


def stage_fingerprint(stage: str, settings: StageSettings, input_fingerprint: str) -> str:
    payload = {
        "stage": stage,
        "code": code_version(stage),
        "settings": settings.model_dump(mode="json"),
        "input": input_fingerprint,
    }
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


def _local_paths(fs, paths: list[str], cache: str) -> list[str]:
    """Spark here reads local files only (no s3a): other stores are copied to a local cache first."""
    if isinstance(fs, LocalFileSystem):
        return paths
    os.makedirs(cache, exist_ok=True)
    local = []
    for i, path in enumerate(paths):
        target = os.path.join(cache, f"{i:06d}-{os.path.basename(path)}")
        fs.get_file(path, target)
        local.append(target)
    return local


def read_documents(spark: SparkSession, stage_input: StageInput, cache: str) -> DataFrame:
    """The kept documents an upstream manifest names (and only those files)."""
    manifest = stage_input.manifest
    schema = StructType.fromJson(json.loads(manifest["schemas"]["kept"]))
    files = [f"{stage_input.root}/{f['file']}" for f in manifest["files"] if f["output"] == "kept"]
    if not files:
        return spark.createDataFrame([], schema)
    return spark.read.schema(schema).parquet(*_local_paths(stage_input.fs, files, cache))


def _staging_dir(target: Target, attempt: str) -> str:
    """Local attempt folder Spark writes into: inside the stage folder on local stores (a move
    commits a part), a temporary folder otherwise (an upload commits it)."""
    if isinstance(target.fs, LocalFileSystem):
        path = target.abs("_attempts", attempt)
        os.makedirs(path, exist_ok=True)
        return path
    return tempfile.mkdtemp(prefix=f"curate-{attempt}-")


def _write_staged(df: DataFrame, staging: str, output: str) -> list[str]:
    folder = os.path.join(staging, output)
    df.write.mode("overwrite").parquet(folder)
    return [os.path.join(folder, p) for p in sorted(os.listdir(folder)) if p.endswith(".parquet")]


def _publish_parts(staged: dict[str, list[str]], target: Target, attempt: str) -> list[dict]:
    """Give the checked parts their committed names (part-<attempt>-NNNNN.parquet)."""
    files = []
    for output, paths in staged.items():
        target.fs.makedirs(target.abs(output), exist_ok=True)
        for index, local_path in enumerate(paths):
            rel = target.rel(output, f"part-{attempt}-{index:05d}.parquet")
            rows, size = pq.read_metadata(local_path).num_rows, os.path.getsize(local_path)
            if isinstance(target.fs, LocalFileSystem):
                os.replace(local_path, f"{target.root}/{rel}")
            else:
                target.fs.put_file(local_path, f"{target.root}/{rel}")
            files.append({"output": output, "file": rel, "rows": rows, "bytes": size})
    return files


def _text_chars(docs: DataFrame | None) -> int | None:
    if docs is None:
        return None
    return int(docs.agg(F.sum(F.length("text"))).first()[0] or 0)


def _counters(spark: SparkSession, staged: dict[str, list[str]], docs_in: int) -> dict:
    kept_rows = rejected_rows = chars_out = chars_rejected = 0
    by_reason: dict[str, int] = {}
    if staged["kept"]:
        row = spark.read.parquet(*staged["kept"]).agg(F.count("*"), F.sum(F.length("text"))).first()
        kept_rows, chars_out = int(row[0]), int(row[1] or 0)
    if staged["rejected"]:
        rejected = spark.read.parquet(*staged["rejected"])
        for r in rejected.groupBy("reject_reason").agg(F.count("*"), F.sum(F.length("text"))).collect():
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


def _validate_staged(spark, spec: StageSpec, output: StageOutput, staged: dict[str, list[str]]) -> dict:
    reports = []
    for out, expectations, schema in (
        ("kept", spec.kept_expectations, output.kept.schema),
        ("rejected", spec.rejected_expectations, output.rejected.schema),
    ):
        paths = staged[out]
        frame = spark.read.schema(schema).parquet(*paths) if paths else spark.createDataFrame([], schema)
        reports.append(validate_dataframe(frame, expectations, f"{spec.name}.{out}"))
    if not all(r.success for r in reports):
        raise ValidationFailed(spec.name, reports)
    return {r.suite: r.as_dict() for r in reports}


def execute_stage(
    spark: SparkSession, spec: StageSpec, stage_input: StageInput, target: Target, version: str | None
) -> dict:
    """Run the job, write its output to a local attempt folder, check conservation and the suites
    on those files, and only then give them their committed names. Returns the manifest; the
    caller commits it."""
    started = time.time()
    # Importing Great Expectations takes seconds; do it while Spark works on the stage.
    threading.Thread(target=importlib.import_module, args=("great_expectations",), daemon=True).start()
    attempt = uuid.uuid4().hex[:8]
    staging = _staging_dir(target, attempt)
    try:
        upstream_files = [f for f in (stage_input.manifest or {}).get("files", []) if f["output"] == "kept"]
        input_bytes = sum(u.size for u in stage_input.units) + sum(
            f.get("bytes") or 0 for f in upstream_files
        )
        shuffle_partitions = size_shuffles(spark, input_bytes)
        docs = None
        if stage_input.manifest is not None:
            docs = read_documents(spark, stage_input, os.path.join(staging, "_input"))
        ctx = StageContext(
            stage=spec.name, version=version, units=stage_input.units, read_options=stage_input.read_options
        )
        output: StageOutput = spec.job.run(spark, docs, spec.settings, ctx)
        if output.docs_in is None:
            output.docs_in = sum(f["rows"] for f in upstream_files)
        staged = {
            out: _write_staged(frame, staging, out)
            for out, frame in (("kept", output.kept), ("rejected", output.rejected))
        }
        spark.catalog.clearCache()

        counters = _counters(spark, staged, output.docs_in)
        counters["chars_in"] = _text_chars(docs)
        if counters["docs_out"] + counters["rejected"] != output.docs_in:
            raise StageError(
                f"{spec.name}: {output.docs_in} documents in but {counters['docs_out']} kept + "
                f"{counters['rejected']} rejected were written"
            )
        try:
            validation = _validate_staged(spark, spec, output, staged)
        except ValidationFailed as failed:
            report = {r.suite: r.as_dict() for r in failed.reports}
            write_json(target.fs, target.abs("_validation.json"), report)
            raise

        files = _publish_parts(staged, target, attempt)
        schemas = {"kept": output.kept.schema.json(), "rejected": output.rejected.schema.json()}
        counters["seconds"] = round(time.time() - started, 3)
        return {
            "stage": spec.name,
            "version": version,
            "fingerprint": stage_fingerprint(spec.name, spec.settings, stage_input.fingerprint),
            "input_fingerprint": stage_input.fingerprint,
            "code_version": code_version(spec.name),
            "settings": spec.settings.model_dump(mode="json"),
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
        shutil.rmtree(staging, ignore_errors=True)


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
    remove_unlisted(target.fs, target.root, target.abs(), {f["file"] for f in manifest["files"]})
    write_json(target.fs, target.abs(MANIFEST), manifest)
