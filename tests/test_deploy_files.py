"""The deploy/ files agree with each other and with the project (no Docker or Kubernetes here:
the real paths are tested in test_prefect_deployment.py and test_spark_cluster.py)."""

from __future__ import annotations

import yaml

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def _prefect_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "prefect.yaml").read_text())


def test_deployments_name_real_entrypoints_recipes_and_pools():
    config = _prefect_yaml()
    pools = {p["name"] for p in config["definitions"]["work_pools"].values()}
    assert pools == {"curate-process", "curate-gpu"}
    by_name = {d["name"]: d for d in config["deployments"]}
    assert set(by_name) == {"full", "sample", "gpu"}
    for deployment in by_name.values():
        module, function = deployment["entrypoint"].split(":")
        assert f"def {function}(" in (ROOT / module).read_text()
        assert (ROOT / deployment["parameters"]["recipe_path"]).exists()
        expected_pool = "curate-gpu" if deployment["name"] == "gpu" else "curate-process"
        assert deployment["work_pool"]["name"] == expected_pool
    assert by_name["full"]["schedules"][0]["cron"] == "0 2 * * *"
    # the nightly build starts the GPU check by its full name: <flow name>/<deployment name>
    gpu_flow = (ROOT / by_name["gpu"]["entrypoint"].split(":")[0]).read_text()
    flow_name = by_name["full"]["parameters"]["device_check"].split("/")[0]
    assert f'@flow(name="{flow_name}"' in gpu_flow and by_name["full"]["parameters"]["device_check"].endswith(
        "/gpu"
    )


def test_compose_and_kubernetes_workers_poll_the_declared_pools():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert {"prefect-server", "spark-master", "spark-worker", "worker"} <= set(compose["services"])
    assert "--pool curate-process" in " ".join(compose["services"]["worker"]["command"])
    commands = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind") == "Deployment":
                commands += [c.get("command", []) for c in doc["spec"]["template"]["spec"]["containers"]]
    polled = {cmd[cmd.index("--pool") + 1] for cmd in commands if "--pool" in cmd}
    assert polled == {"curate-process", "curate-gpu"}
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    assert all((DEPLOY / "k8s" / r).exists() for r in kustomization["resources"])
