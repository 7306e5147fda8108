"""The Prefect flow `handoff-check`: a published version's tokens loaded onto the device and a few
training steps run, on the GPU work pool (deploy/prefect.yaml: handoff-check/gpu)."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.env import runtime_environment
from flows.storage_secret import apply_storage_secret
from jobs.handoff.check import check_handoff
from jobs.store import Store
from schemas.recipe import load_recipe


@task(name="device-check", cache_policy=NO_CACHE)
def run_device_check(store: Store, version: str, device: str, steps: int) -> dict:
    return check_handoff(store.fs, store.path("versions", version), device, steps)


@flow(name="handoff-check", log_prints=True)
def handoff_check(
    recipe_path: str,
    version: str | None = None,
    device: str = "auto",
    steps: int = 30,
    storage_secret: str | None = None,
) -> dict:
    """Check a version's handoff (default: LATEST) on this worker's device; fails when the loss
    does not fall."""
    runtime_environment()
    if storage_secret:
        apply_storage_secret(storage_secret)
    recipe = load_recipe(recipe_path)
    store = Store(recipe.store, recipe.corpus)
    version = version or store.latest()
    if not version:
        raise ValueError(f"{recipe.corpus}: no published version to check")
    report = run_device_check(store, version, device, steps)
    create_table_artifact(
        key="handoff-check",
        table=[{k: v for k, v in report.items() if k not in ("losses", "groups")}],
        description=f"{recipe.corpus} {version}: device check",
    )
    get_run_logger().info("%s", {k: v for k, v in report.items() if k != "losses"})
    if not report["loss_fell"]:
        raise RuntimeError(f"{version}: the loss did not fall on {report['device']}: {report['losses']}")
    return report
