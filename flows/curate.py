"""The Prefect flow `curate`: one task per stage of the document chain, then publish the version."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.env import runtime_environment
from flows.instructions import instructions, instructions_spec
from flows.storage_secret import apply_storage_secret
from jobs.pipeline import downstream_input, ingest_input, run_stage_in_version
from jobs.runner import StageError, StageSpec
from jobs.spark import resolve_master, spark_session
from jobs.store import Store
from jobs.tokenize import publish_handoff
from jobs.validate import ValidationFailed
from schemas.recipe import Recipe, load_recipe, stage_settings

# The document chain, in order. Adding a stage: jobs/<name>.py, schemas/<name>.py, one line here.
CHAIN = ("ingest", "langid", "filter", "pii", "quality", "dedup", "decontam", "mix", "tokenize")

NOT_RETRIED = (ValidationFailed, StageError, FileNotFoundError)


def _retry_unless_contract_broken(task, task_run, state) -> bool:
    """A failed suite or a broken contract fails the same way twice: retry only other errors."""
    try:
        state.result()
    except NOT_RETRIED:
        return False
    except Exception:  # noqa: BLE001
        return True
    return True


def _spark_factory(recipe: Recipe, spark_master: str | None):
    return lambda: spark_session(
        resolve_master(spark_master, recipe.spark.master),
        app_name=f"curate-{recipe.corpus}",
        driver_memory=recipe.spark.driver_memory,
        conf=dict(recipe.spark.conf),
    )


def stage_spec(stage: str, recipe: Recipe) -> StageSpec:
    return StageSpec.load(stage, stage_settings(recipe, stage))


def preflight(recipe: Recipe) -> None:
    """Every stage's own checks (model files that load, ...) before a version is begun: a broken
    model fails the run in seconds, not after hours of ingest."""
    for stage in CHAIN:
        stage_spec(stage, recipe).preflight()
    if recipe.instructions is not None:
        instructions_spec(recipe).preflight()


def version_chain(recipe: Recipe) -> list[str]:
    """Every stage the version must commit before it is published."""
    return list(CHAIN) + (["instructions"] if recipe.instructions is not None else [])


@task(
    name="stage",
    retries=1,
    retry_delay_seconds=5,
    retry_condition_fn=_retry_unless_contract_broken,
    cache_policy=NO_CACHE,
    task_run_name="{stage}",
)
def run_stage(
    stage: str, recipe: Recipe, store: Store, version: str, upstream: dict | None, spark_master: str | None
) -> dict:
    spec = stage_spec(stage, recipe)
    stage_input = (
        ingest_input(recipe.sources, spec.settings) if upstream is None else downstream_input(store, upstream)
    )
    manifest = run_stage_in_version(store, version, spec, stage_input, _spark_factory(recipe, spark_master))
    get_run_logger().info("%s: %s", stage, manifest["counters"])
    return manifest


def stage_table(version: str, manifests: dict[str, dict]) -> list[dict]:
    return [
        {
            "stage": stage,
            "status": "reused" if m.get("reused_from") else "committed",
            "reused_from": m.get("reused_from") or "",
            "docs_in": m["counters"]["docs_in"],
            "kept": m["counters"]["docs_out"],
            "rejected": m["counters"]["rejected"],
            "quarantined_files": len(m.get("quarantine") or []),
            "seconds": m["counters"].get("seconds"),
            "fingerprint": m["fingerprint"][:12],
        }
        for stage, m in manifests.items()
    ]


@flow(name="curate", log_prints=True)
def curate(
    recipe_path: str,
    overrides: list[str] | None = None,
    spark_master: str | None = None,
    storage_secret: str | None = None,
    device_check: str | None = None,
) -> str:
    """Build a new version of the corpus a recipe describes; returns the version id.

    device_check: a deployment of the `handoff-check` flow (e.g. handoff-check/gpu, on the GPU work
    pool) started for the new version once it is published; the build does not wait for it.

    storage_secret: name of a Prefect Secret block with object-store environment variables (see
    flows/storage_secret.py); without it, credentials come from the worker's environment.
    """
    runtime_environment()  # flow runs a worker starts never pass through the CLI
    recipe = load_recipe(recipe_path, overrides or [])
    if storage_secret:
        names = apply_storage_secret(storage_secret)
        get_run_logger().info("object-store settings from Secret block %r: %s", storage_secret, names)
    preflight(recipe)
    store = Store(recipe.store, recipe.corpus)
    version = store.new_version_id()
    chain = version_chain(recipe)
    store.begin_version(version, {"recipe": recipe.model_dump(mode="json"), "chain": chain})
    manifests: dict[str, dict] = {}
    upstream = None
    try:
        for stage in CHAIN:
            upstream = manifests[stage] = run_stage(stage, recipe, store, version, upstream, spark_master)
        if "tokenize" in manifests:
            publish_handoff(store.fs, store.root, store.path("versions", version), manifests["tokenize"])
        if recipe.instructions is not None:
            instructions(recipe_path, overrides, spark_master, None, version=version)
            manifests["instructions"] = store.stage_manifest(version, "instructions")
    except Exception as err:
        store.finish_version(version, chain, error=f"{type(err).__name__}: {err}")
        raise
    finally:
        if manifests:
            create_table_artifact(
                key="curate-stages",
                table=stage_table(version, manifests),
                description=f"{recipe.corpus} version {version}",
            )
    info = store.finish_version(version, chain)
    print(f"{recipe.corpus} {version} {info['status']}")
    if device_check:
        from prefect.deployments import run_deployment

        started = run_deployment(
            device_check,
            parameters={"recipe_path": recipe_path, "version": version, "storage_secret": storage_secret},
            timeout=0,  # the GPU check runs on its own pool; the build is done
        )
        get_run_logger().info("device check %s: flow run %s", device_check, started.id)
    return version
