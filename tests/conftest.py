"""Shared fixtures: a real local Spark session, the real Prefect API (test harness), sample data."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA = ROOT / "recipes" / "sample_data"
SAMPLE_RECIPE = ROOT / "recipes" / "sample.yaml"
# Distinctive values, so a test can show they never reach logs, manifests or the store.
S3_KEY_ID = "AKIACURATETESTKEY0001"
S3_SECRET = "curate-test-secret-3f9a1c"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


@pytest.fixture(scope="session")
def spark():
    from jobs.spark import spark_session

    session = spark_session(
        "local[2]", app_name="curate-tests", ui=False, conf={"spark.sql.shuffle.partitions": "4"}
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def prefect_api():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def expected_sample() -> dict:
    return json.loads((SAMPLE_DATA / "EXPECTED.json").read_text())


def write_recipe(
    path: Path, store: Path, sources: list[dict], stages: dict | None = None, corpus="t"
) -> Path:
    import yaml

    path.write_text(
        yaml.safe_dump({"corpus": corpus, "store": str(store), "sources": sources, "stages": stages or {}})
    )
    return path


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible server (moto's server mode) on 127.0.0.1, credentials from the environment."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {
        k: os.environ.get(k)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL")
    }
    os.environ.update(
        AWS_ACCESS_KEY_ID=S3_KEY_ID,
        AWS_SECRET_ACCESS_KEY=S3_SECRET,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
    )
    yield endpoint
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def s3_bucket(s3_endpoint, request):
    import s3fs

    fs = s3fs.S3FileSystem(skip_instance_cache=True)
    name = "b" + str(abs(hash(request.node.nodeid)) % 10**10)
    fs.mkdir(name)
    return name


@pytest.fixture(scope="session")
def local_sample(tmp_path_factory) -> dict:
    """The sample recipe built once with local[2]: what the cluster, S3 and deployment paths must match."""
    from tests.servers import run_sample_locally

    store = tmp_path_factory.mktemp("local-sample") / "store"
    version, ids = run_sample_locally(store)
    return {"store": store, "version": version, "ids": ids}


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A Spark standalone master and worker on 127.0.0.1, started from the pyspark installation."""
    from tests.servers import start_spark_cluster

    cluster = start_spark_cluster(tmp_path_factory.mktemp("spark-cluster"))
    yield cluster
    cluster.stop()
