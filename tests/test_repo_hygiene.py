"""Docs that are generated stay generated, and the code stays lint-clean."""

import subprocess
import sys

from schemas.reference import reference
from tests.conftest import ROOT


def test_recipe_reference_is_up_to_date():
    assert (ROOT / "docs" / "recipes.md").read_text() == reference(), (
        "run: python -m schemas.reference > docs/recipes.md"
    )


def test_ruff_lint_passes():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "flows", "jobs", "schemas", "bench", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
