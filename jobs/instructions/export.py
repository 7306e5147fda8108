"""The collection as chat JSONL: one {"messages": [{"role", "content"}, ...]} per line, the format
OpenAI's fine-tuning API, TRL's SFTTrainer and axolotl's chat_template datasets read."""

from __future__ import annotations

import json

import fsspec
import pyarrow.parquet as pq

from jobs.store import write_atomic, write_json

EXPORT_INDEX = "_export.json"


def kept_files(root: str, manifest: dict) -> list[str]:
    return [f"{root}/{f['file']}" for f in manifest["files"] if f["output"] == "kept"]


def chat_lines(fs: fsspec.AbstractFileSystem, path: str) -> list[str]:
    with fs.open(path, "rb") as f:
        table = pq.read_table(f, columns=["id", "messages"])
    # the file's order is the stage's (sorted by id below): the same collection, the same bytes
    rows = sorted(zip(table.column("id").to_pylist(), table.column("messages").to_pylist(), strict=True))
    return [json.dumps({"messages": messages}, ensure_ascii=False) + "\n" for _, messages in rows]


def export_chat_jsonl(fs: fsspec.AbstractFileSystem, root: str, manifest: dict, folder: str) -> dict:
    """chat-NNNNN.jsonl (one per kept part) and _export.json (files, rows) under `folder`, on any
    fsspec filesystem; each file is written whole, the index last."""
    files = []
    for index, path in enumerate(sorted(kept_files(root, manifest))):
        lines = chat_lines(fs, path)
        name = f"chat-{index:05d}.jsonl"
        write_atomic(fs, f"{folder}/{name}", "".join(lines).encode("utf-8"))
        files.append({"file": name, "rows": len(lines)})
    summary = {"format": "chat-jsonl", "fingerprint": manifest["fingerprint"], "files": files}
    summary["rows"] = sum(f["rows"] for f in files)
    write_json(fs, f"{folder}/{EXPORT_INDEX}", summary)
    return summary
