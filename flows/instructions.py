"""The Prefect sub-flow `instructions`: task datasets -> an instruction-tuning collection.

Run by `curate` when the recipe has an `instructions` section (inside that version), or alone
(`curate instructions --recipe R`: a version holding only the collection)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.env import runtime_environment
from flows.storage_secret import apply_storage_secret
from jobs.instructions.export import export_chat_jsonl
from jobs.pipeline import instructions_input, run_stage_in_version
from jobs.runner import StageSpec
from jobs.spark import resolve_master, spark_session
from jobs.store import Store
from schemas.recipe import Recipe, instructions_settings, load_recipe

STAGE = "instructions"


def instructions_spec(recipe: Recipe) -> StageSpec:
    return StageSpec.load(STAGE, instructions_settings(recipe))


@task(name="instructions-stage", cache_policy=NO_CACHE, retries=0)
def build_collection(recipe: Recipe, store: Store, version: str, spark_master: str | None) -> dict:
    spec = instructions_spec(recipe)
    return run_stage_in_version(
        store,
        version,
        spec,
        instructions_input(),
        lambda: spark_session(
            resolve_master(spark_master, recipe.spark.master),
            app_name=f"curate-{recipe.corpus}-instructions",
            driver_memory=recipe.spark.driver_memory,
            conf=dict(recipe.spark.conf),
        ),
    )


@task(name="instructions-export", cache_policy=NO_CACHE)
def export_collection(store: Store, version: str, manifest: dict) -> dict:
    return export_chat_jsonl(
        store.fs, store.root, manifest, store.path("versions", version, "exports", STAGE)
    )


def report_markdown(version: str, manifest: dict) -> str:
    diversity = manifest["stats"]["diversity"]
    counters = manifest["counters"]
    lines = [
        f"# Instruction collection, version {version}",
        "",
        f"{diversity['examples']} examples from {len(diversity['tasks'])} tasks of "
        f"{len(diversity['task_types'])} task types; {diversity['templates']['used']} of "
        f"{diversity['templates']['available']} templates used; "
        f"{diversity['leading_verbs']['distinct']} distinct leading words.",
        "",
        "| measure | value |",
        "|---|---|",
    ]
    lines += [f"| task type {k} | {v} |" for k, v in diversity["task_types"].items()]
    lines += [f"| format {k} | {v} |" for k, v in diversity["formats"].items()]
    lines += [f"| rejected {k} | {v} |" for k, v in counters["rejected_by_reason"].items()]
    top = ", ".join(f"{k} ({v})" for k, v in list(diversity["leading_verbs"]["top"].items())[:10])
    lengths = diversity["lengths"]
    lines += [
        "",
        f"Leading words: {top}.",
        "",
        f"Prompt chars p10/p50/p90: {lengths['prompt_chars']['p10']}/{lengths['prompt_chars']['p50']}/"
        f"{lengths['prompt_chars']['p90']}; answer chars: {lengths['answer_chars']['p10']}/"
        f"{lengths['answer_chars']['p50']}/{lengths['answer_chars']['p90']}.",
    ]
    return "\n".join(lines)


@flow(name="instructions", log_prints=True)
def instructions(
    recipe_path: str,
    overrides: list[str] | None = None,
    spark_master: str | None = None,
    storage_secret: str | None = None,
    version: str | None = None,
) -> str:
    """Build the recipe's instruction collection. With `version` (the curate flow's), the stage is
    part of that version, which the caller publishes; without, a new version holds it alone."""
    runtime_environment()
    recipe = load_recipe(recipe_path, overrides or [])
    if recipe.instructions is None:
        raise ValueError(f"{recipe_path}: the recipe has no `instructions` section")
    if storage_secret:
        apply_storage_secret(storage_secret)
    store = Store(recipe.store, recipe.corpus)
    alone = version is None
    if alone:
        instructions_spec(recipe).preflight()
        version = store.new_version_id()
        store.begin_version(version, {"recipe": recipe.model_dump(mode="json"), "chain": [STAGE]})
    try:
        manifest = build_collection(recipe, store, version, spark_master)
        if recipe.instructions.export_chat:
            exported = export_collection(store, version, manifest)
            get_run_logger().info("chat JSONL: %s rows in %s files", exported["rows"], len(exported["files"]))
        create_markdown_artifact(
            key="instructions-diversity",
            markdown=report_markdown(version, manifest),
            description=f"{recipe.corpus} {version}: instruction collection",
        )
    except Exception as err:
        if alone:
            store.finish_version(version, [STAGE], error=f"{type(err).__name__}: {err}")
        raise
    if alone:
        info = store.finish_version(version, [STAGE])
        print(f"{recipe.corpus} {version} {info['status']}")
    return version
