"""Recipe validation: a wrong recipe fails before Spark starts, naming the file and the field."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from schemas.recipe import RecipeError, load_recipe, parse_override, recipe_from_dict
from tests.conftest import ROOT, SAMPLE_RECIPE


def test_sample_recipe_is_valid_and_paths_resolve_next_to_it():
    recipe = load_recipe(SAMPLE_RECIPE)
    assert recipe.corpus == "sample"
    assert {s.kind for s in recipe.sources} == {"text", "code"}
    assert all(p.startswith(str(ROOT / "recipes" / "sample_data")) for s in recipe.sources for p in s.paths)
    assert recipe.stages.ingest.max_bytes == 100_000


def test_overrides_reach_any_setting():
    recipe = load_recipe(
        SAMPLE_RECIPE,
        [
            "ingest.max_bytes=5000",
            "store=/tmp/elsewhere",
            "spark.conf.spark.sql.shuffle.partitions=3",
            "ingest.vendored_dirs=[deps]",
        ],
    )
    assert recipe.stages.ingest.max_bytes == 5000
    assert recipe.store == "/tmp/elsewhere"
    assert recipe.spark.conf == {"spark.sql.shuffle.partitions": "3"}
    assert recipe.stages.ingest.vendored_dirs == ["deps"]


def test_parse_override_types():
    assert parse_override("ingest.max_bytes=10") == (["stages", "ingest", "max_bytes"], 10)
    assert parse_override("ingest.unicode_form=none") == (["stages", "ingest", "unicode_form"], "none")
    with pytest.raises(RecipeError, match="section.key=value"):
        parse_override("no_equals_sign")


@pytest.mark.parametrize(
    "body,field,message",
    [
        ("corpus: x\nsources: []\n", "sources", "at least 1"),
        ("corpus: x\nsources:\n  - {name: a, kind: prose, paths: [x]}\n", "sources.0.kind", "'text', 'code'"),
        (
            "corpus: x\nsources:\n  - {name: a, kind: text, paths: [x]}\nstages:\n  ingest: {max_bytes: big}\n",
            "stages.ingest.max_bytes",
            "valid integer",
        ),
        (
            "corpus: x\nsources:\n  - {name: a, kind: text, paths: [x]}\nstages:\n  ingest: {max_byte: 5}\n",
            "stages.ingest.max_byte",
            "Extra inputs",
        ),
        (
            "corpus: x\nsources:\n  - {name: a, kind: text, paths: [x]}\n  - {name: a, kind: code, paths: [y]}\n",
            "sources",
            "unique",
        ),
        ("sources:\n  - {name: a, kind: text, paths: [x]}\n", "corpus", "required"),
    ],
)
def test_wrong_recipes_name_file_and_field(tmp_path, body, field, message):
    path = tmp_path / "bad.yaml"
    path.write_text(body)
    with pytest.raises(RecipeError) as err:
        load_recipe(path)
    text = str(err.value)
    assert str(path) in text and f"  {field}:" in text and message in text


def test_unparseable_yaml_and_missing_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("corpus: [unclosed\n")
    with pytest.raises(RecipeError, match="not valid YAML"):
        load_recipe(path)
    with pytest.raises(RecipeError, match="cannot read recipe"):
        load_recipe(tmp_path / "absent.yaml")


def test_bad_override_names_the_override():
    with pytest.raises(RecipeError, match=r"(?s)--set ingest.max_bytes=-1.*stages.ingest.max_bytes"):
        load_recipe(SAMPLE_RECIPE, ["ingest.max_bytes=-1"])


def test_cli_rejects_a_wrong_recipe_before_spark_starts(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "corpus: x\nsources:\n  - {name: a, kind: text, paths: [x]}\nstages:\n  ingest: {max_bytes: 0}\n"
    )
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--recipe", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "stages.ingest.max_bytes" in proc.stderr and str(path) in proc.stderr
    assert "Spark" not in proc.stderr and "log4j" not in proc.stderr  # no JVM was started
    assert time.time() - started < 60


@pytest.mark.parametrize(
    "patch",
    [
        {"store": "s3://AKIAKEY:hunter2secret@bucket/store"},
        {"sources": [{"name": "w", "kind": "text", "paths": ["s3://AKIAKEY:hunter2secret@bucket/raw"]}]},
        {"spark": {"conf": {"spark.hadoop.fs.s3a.secret.key": "hunter2secret"}}},
    ],
)
def test_credentials_in_a_recipe_are_refused_without_echoing_them(patch):
    data = {"corpus": "c", "sources": [{"name": "w", "kind": "text", "paths": ["x"]}], **patch}
    with pytest.raises(RecipeError) as err:
        recipe_from_dict(data)
    assert "credentials never go in recipes" in str(err.value)
    assert "hunter2secret" not in str(err.value)


def test_the_nightly_recipe_is_valid_and_reads_s3():
    recipe = load_recipe(ROOT / "recipes" / "full.yaml")
    assert recipe.store.startswith("s3://")
    assert {s.kind for s in recipe.sources} == {"text", "code", "task"}
    assert all(p.startswith("s3://") for s in recipe.sources for p in s.paths)
