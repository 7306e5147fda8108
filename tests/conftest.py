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
