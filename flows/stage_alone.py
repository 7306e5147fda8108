"""`curate stage NAME`: one stage on a folder, with plain Spark (no Prefect, no store)."""

from __future__ import annotations

import os

import fsspec
from pydantic import ValidationError

from jobs.pipeline import folder_input, raw_input, run_stage_on_folder
from jobs.runner import StageSpec
from jobs.spark import resolve_master, spark_session
from schemas.recipe import RecipeError, SparkSpec, StagesSpec, apply_overrides, load_recipe
from schemas.recipe import stage_settings as recipe_stage_settings


def stage_settings(name: str, recipe_path: str | None, overrides: list[str]):
    if name not in StagesSpec.model_fields:
        raise RecipeError(f"unknown stage {name!r}; stages: {', '.join(StagesSpec.model_fields)}")
    if recipe_path:
        recipe = load_recipe(recipe_path, overrides)
        return recipe_stage_settings(recipe, name), recipe.spark
    data = apply_overrides({"stages": {}, "spark": {}}, overrides)
    try:
        stages = StagesSpec.model_validate(data["stages"])
        spark = SparkSpec.model_validate(data["spark"])
    except ValidationError as err:  # pydantic's message names the field
        raise RecipeError(f"--set {' '.join(overrides)}: {err}") from None
    return getattr(stages, name), spark


def run_stage_alone(
    name, input_path, output, recipe_path, overrides, spark_master, kind, source_name
) -> dict:
    settings, spark_spec = stage_settings(name, recipe_path, overrides)
    spec = StageSpec.load(name, settings)
    spec.preflight()  # a model that does not load fails here, before the input is even listed
    if name == "ingest":
        stage_input = raw_input(
            input_path, source_name or os.path.basename(input_path.rstrip("/")), kind, settings
        )
    else:
        fs, path = fsspec.core.url_to_fs(input_path)
        stage_input = folder_input(fs, os.path.abspath(path) if "://" not in input_path else path)
    master = resolve_master(spark_master, spark_spec.master)
    return run_stage_on_folder(
        lambda: spark_session(
            master,
            app_name=f"curate-stage-{name}",
            driver_memory=spark_spec.driver_memory,
            conf=dict(spark_spec.conf),
        ),
        spec,
        stage_input,
        output,
    )
