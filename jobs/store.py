"""The versioned Parquet store (DESIGN.md, "Store"): local path or any fsspec URL.

<store>/<corpus>/
  versions/<version>/_version.json                 status of the version: running, published, failed
  versions/<version>/<stage>/kept|rejected/part-<attempt>-*.parquet
  versions/<version>/<stage>/_manifest.json        written last: its presence is the commit
  versions/<version>/<stage>/_validation.json      a failed suite's report (the stage is not committed)
  index/<stage>/<fingerprint>.json                 which version committed a stage output
  manifests/<version>.parquet                      one row per (version, stage, file), for analysts
  LATEST                                           the last published version, replaced atomically

Readers trust manifests, never listings: a file no manifest names is a crashed attempt's leftover.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from datetime import UTC, datetime

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

MANIFEST = "_manifest.json"
VERSION_FILE = "_version.json"

MANIFEST_TABLE_SCHEMA = pa.schema(
    [
        ("version", pa.string()),
        ("version_status", pa.string()),
        ("stage", pa.string()),
        ("stage_status", pa.string()),
        ("output", pa.string()),  # kept | rejected
        ("file", pa.string()),  # relative to <store>/<corpus>
        ("rows", pa.int64()),
        ("bytes", pa.int64()),
        ("schema_hash", pa.string()),
        ("fingerprint", pa.string()),
        ("reused_from", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def schema_hash(schema_json: str) -> str:
    return hashlib.sha256(schema_json.encode()).hexdigest()[:16]


def write_atomic(fs, target: str, data: bytes) -> None:
    """Readers see the old content or the new one, never a partial file."""
    fs.makedirs(os.path.dirname(target), exist_ok=True)
    if isinstance(fs, LocalFileSystem):
        tmp = f"{target}.tmp-{uuid.uuid4().hex}"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    else:
        fs.pipe_file(target, data)  # one PUT: object stores make it visible whole or not at all


def write_json(fs, target: str, obj: dict) -> None:
    write_atomic(fs, target, json.dumps(obj, indent=1, sort_keys=True, default=str).encode())


def remove_unlisted(fs, root: str, stage_dir: str, keep: set[str], outputs=()) -> list[str]:
    """Delete files under a stage folder's kept/, rejected/, _attempts/ and other `outputs` that
    `keep` (paths relative to root) does not name: what crashed or failed attempts left behind."""
    removed = []
    for sub in ("kept", "rejected", "_attempts", *sorted(set(outputs) - {"kept", "rejected"})):
        folder = f"{stage_dir}/{sub}"
        if not fs.exists(folder):
            continue
        for file_path in fs.find(folder):
            rel = file_path[len(root) + 1 :] if file_path.startswith(root) else file_path
            if rel not in keep:
                fs.rm_file(file_path)
                removed.append(rel)
    if fs.exists(f"{stage_dir}/_attempts"):
        fs.rm(f"{stage_dir}/_attempts", recursive=True)
    return removed


class Store:
    def __init__(self, url: str, corpus: str):
        self.corpus = corpus
        self.fs, base = fsspec.core.url_to_fs(url)
        if isinstance(self.fs, LocalFileSystem):
            base = os.path.abspath(base)
        self.root = f"{base.rstrip('/')}/{corpus}"

    # -- paths and small files ----------------------------------------------------------------
    def path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def stage_path(self, version: str, stage: str, *parts: str) -> str:
        return self.path("versions", version, stage, *parts)

    def read_json(self, *parts: str) -> dict | None:
        try:
            with self.fs.open(self.path(*parts), "r", encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def write_atomic(self, relparts: tuple[str, ...], data: bytes) -> None:
        write_atomic(self.fs, self.path(*relparts), data)

    def write_json(self, relparts: tuple[str, ...], obj: dict) -> None:
        write_json(self.fs, self.path(*relparts), obj)

    # -- versions -----------------------------------------------------------------------------
    @staticmethod
    def new_version_id() -> str:
        """Sortable by time; the random tail keeps two runs in the same second apart."""
        return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)

    def begin_version(self, version: str, info: dict) -> None:
        record = {"version": version, "status": "running", "started_at": utc_now(), "stages": {}, **info}
        self.write_json(("versions", version, VERSION_FILE), record)

    def version_info(self, version: str) -> dict | None:
        return self.read_json("versions", version, VERSION_FILE)

    def record_stage(self, version: str, stage: str, summary: dict) -> None:
        info = self.version_info(version) or {"version": version, "stages": {}}
        info.setdefault("stages", {})[stage] = summary
        self.write_json(("versions", version, VERSION_FILE), info)

    def finish_version(self, version: str, chain: list[str], error: str | None = None) -> dict:
        """Publish the version (LATEST moves) only when every stage of the chain is committed."""
        info = self.version_info(version) or {"version": version, "stages": {}}
        manifests = {stage: self.stage_manifest(version, stage) for stage in chain}
        complete = error is None and all(m is not None for m in manifests.values())
        info["status"] = "published" if complete else "failed"
        info["finished_at"] = utc_now()
        if error:
            info["error"] = error
        self.write_json(("versions", version, VERSION_FILE), info)
        self.write_manifest_table(version, info, manifests)
        if complete:
            self.write_atomic(("LATEST",), (version + "\n").encode())
        return info

    def set_latest(self, version: str) -> str | None:
        """Point LATEST at an earlier (or later) published version: a rollback. Returns the old one.

        Only a published version whose committed files are all still there can become LATEST.
        """
        info = self.version_info(version)
        if info is None:
            raise FileNotFoundError(f"{self.root}: no version {version}")
        if info.get("status") != "published":
            raise ValueError(f"version {version} is {info.get('status')!r}, not published")
        for stage in info.get("chain") or info.get("stages", {}):
            manifest = self.stage_manifest(version, stage)
            missing = self.missing_files(manifest) if manifest else []
            if manifest is None or missing:
                raise ValueError(
                    f"version {version}: stage {stage} lacks files ({', '.join(missing[:3]) or 'manifest'})"
                )
        previous = self.latest()
        self.write_atomic(("LATEST",), (version + "\n").encode())
        return previous

    def latest(self) -> str | None:
        try:
            return self.fs.cat_file(self.path("LATEST")).decode().strip() or None
        except FileNotFoundError:
            return None

    def versions(self) -> list[dict]:
        try:
            names = sorted(
                os.path.basename(p.rstrip("/")) for p in self.fs.ls(self.path("versions"), detail=False)
            )
        except FileNotFoundError:
            return []
        return [info for name in names if (info := self.version_info(name))]

    # -- stage outputs ------------------------------------------------------------------------
    def stage_manifest(self, version: str, stage: str) -> dict | None:
        return self.read_json("versions", version, stage, MANIFEST)

    def find_reusable(self, stage: str, fingerprint: str) -> dict | None:
        """A committed output with this fingerprint whose files are all still there."""
        pointer = self.read_json("index", stage, f"{fingerprint}.json")
        if not pointer:
            return None
        manifest = self.stage_manifest(pointer["version"], stage)
        if not manifest or manifest.get("fingerprint") != fingerprint:
            return None
        if self.missing_files(manifest):
            return None
        return manifest

    def missing_files(self, manifest: dict) -> list[str]:
        """Files a committed manifest names that are no longer in the store."""
        return [f["file"] for f in manifest["files"] if not self.fs.exists(self.path(f["file"]))]

    def commit_stage(self, version: str, stage: str, manifest: dict) -> None:
        """The manifest is written last: from then on the stage output exists, and not before."""
        self.write_json(("versions", version, stage, MANIFEST), manifest)
        origin = manifest.get("reused_from") or version
        self.write_json(
            ("index", stage, f"{manifest['fingerprint']}.json"), {"version": origin, "stage": stage}
        )
        self.remove_uncommitted(
            version, stage, {f["file"] for f in manifest["files"]}, {f["output"] for f in manifest["files"]}
        )

    def remove_uncommitted(self, version: str, stage: str, keep: set[str], outputs=()) -> list[str]:
        """Delete files a crashed or failed attempt left in the stage folder (no manifest names them)."""
        return remove_unlisted(self.fs, self.root, self.stage_path(version, stage), keep, outputs)

    def write_manifest_table(self, version: str, info: dict, manifests: dict[str, dict | None]) -> None:
        rows = []
        for stage, manifest in manifests.items():
            stage_info = info.get("stages", {}).get(stage, {})
            status = "committed" if manifest else stage_info.get("status", "not_run")
            if not manifest:
                rows.append(
                    {
                        "version": version,
                        "version_status": info["status"],
                        "stage": stage,
                        "stage_status": status,
                        "output": None,
                        "file": None,
                        "rows": None,
                        "bytes": None,
                        "schema_hash": None,
                        "fingerprint": stage_info.get("fingerprint"),
                        "reused_from": None,
                        "created_at": None,
                    }
                )
                continue
            created = datetime.fromisoformat(manifest["created_at"])
            for f in manifest["files"]:
                rows.append(
                    {
                        "version": version,
                        "version_status": info["status"],
                        "stage": stage,
                        "stage_status": status,
                        "output": f["output"],
                        "file": f["file"],
                        "rows": f["rows"],
                        "bytes": f["bytes"],
                        "schema_hash": manifest["schema_hashes"].get(
                            f["output"]
                        ),  # None: not Parquet (token files)
                        "fingerprint": manifest["fingerprint"],
                        "reused_from": manifest.get("reused_from"),
                        "created_at": created,
                    }
                )
        table = pa.Table.from_pylist(rows, schema=MANIFEST_TABLE_SCHEMA)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        self.write_atomic(("manifests", f"{version}.parquet"), sink.getvalue().to_pybytes())
