"""deploy/prefect.yaml on a real Prefect server: deploy, start a worker, `prefect deployment run
curate/sample --watch`, the version is published; then everything is stopped, workers first.

The run writes its store to S3 (moto's server on 127.0.0.1) with credentials that only a Prefect
Secret block holds: the worker's environment has none.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from jobs.store import Store
from tests.conftest import ROOT, S3_KEY_ID, S3_SECRET
from tests.servers import VENV_BIN, kept_ids_by_stage, start_prefect_server, start_service

SECRET_BLOCK = "curate-s3"


def _prefect(server, *args: str, timeout: int = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(VENV_BIN / "prefect"), *args],
        cwd=ROOT,
        env=env or server.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"prefect {' '.join(args)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _save_storage_secret(server, endpoint: str) -> None:
    value = {
        "AWS_ACCESS_KEY_ID": S3_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": S3_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
    }
    code = (
        "import json, os; from prefect.blocks.system import Secret; "
        f"Secret(value=json.loads(os.environ['SECRET_VALUE'])).save({SECRET_BLOCK!r}, overwrite=True)"
    )
    env = {**server.env, "SECRET_VALUE": json.dumps(value)}
    subprocess.run([str(VENV_BIN / "python"), "-c", code], env=env, check=True, timeout=120, cwd=ROOT)


def _without_storage_credentials(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if not k.startswith("AWS_")}


@pytest.fixture
def prefect_server(tmp_path):
    server = start_prefect_server(tmp_path / "prefect-home")
    yield server
    server.service.stop()


def test_deployment_run_sample_on_a_real_server(
    prefect_server, s3_endpoint, s3_bucket, local_sample, tmp_path
):
    server = prefect_server
    for pool in ("curate-process", "curate-gpu"):
        _prefect(server, "work-pool", "create", pool, "--type", "process", "--overwrite")
    _prefect(server, "--no-prompt", "deploy", "--prefect-file", "deploy/prefect.yaml", "--all")

    full = json.loads(_prefect(server, "deployment", "inspect", "curate/full", "-o", "json").stdout)
    assert full["work_pool_name"] == "curate-process"
    assert full["parameters"]["recipe_path"] == "recipes/full.yaml"
    assert [s["schedule"]["cron"] for s in full["schedules"]] == ["0 2 * * *"]
    for schedule in full["schedules"]:  # the nightly build must not start during the test
        _prefect(server, "deployment", "schedule", "pause", "curate/full", schedule["id"])
    _save_storage_secret(server, s3_endpoint)

    worker_env = _without_storage_credentials(server.env)
    worker = start_service(
        "worker",
        [str(VENV_BIN / "prefect"), "worker", "start", "--pool", "curate-process", "--name", "test-worker"],
        tmp_path / "logs",
        worker_env,
    )
    try:
        store_url = f"s3://{s3_bucket}/store"
        params = {
            "overrides": [f"store={store_url}", "spark.master=local[2]"],
            "storage_secret": SECRET_BLOCK,
        }
        run = _prefect(
            server,
            "deployment",
            "run",
            "curate/sample",
            "--params",
            json.dumps(params),
            "--watch",
            "--watch-timeout",
            "900",
            timeout=1000,
            env=worker_env,
        )
        assert "Completed" in run.stdout, run.stdout[-3000:]

        store = Store(store_url, "sample")
        version = store.latest()
        assert version and store.version_info(version)["status"] == "published"
        assert kept_ids_by_stage(store_url, "sample", version) == local_sample["ids"]
        run_id = re.search(r"UUID: ([0-9a-f-]{36})", run.stdout).group(1)
        flow_run_logs = _prefect(server, "flow-run", "logs", run_id).stdout
    finally:
        worker_code = worker.stop()
    server_code = server.service.stop()

    assert not worker.group_alive() and not server.service.group_alive()
    assert worker_code in (0, 130, -2), worker.log.read_text()[-3000:]
    assert server_code in (0, 130, -2), server.service.log.read_text()[-3000:]
    logs = worker.log.read_text() + run.stdout + run.stderr + flow_run_logs
    assert "from Secret block 'curate-s3'" in flow_run_logs
    assert S3_SECRET not in logs and S3_KEY_ID not in logs
