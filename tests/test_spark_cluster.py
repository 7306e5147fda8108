"""`curate run --spark-master spark://...` on a real standalone cluster gives the local result."""

from __future__ import annotations

from tests.conftest import SAMPLE_RECIPE
from tests.servers import curate_cli, kept_ids_by_stage


def test_sample_on_a_standalone_cluster_keeps_the_ids_of_local_mode(spark_cluster, local_sample, tmp_path):
    store = tmp_path / "store"
    proc = curate_cli(
        "run", "--recipe", str(SAMPLE_RECIPE), "--set", f"store={store}", "--spark-master", spark_cluster.url
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    version = proc.stdout.strip().splitlines()[-1]

    assert kept_ids_by_stage(str(store), "sample", version) == local_sample["ids"]
    # The work really ran on the cluster's executors, not in a local driver.
    apps = spark_cluster.applications()
    finished = [a for a in apps["completedapps"] if a["name"] == "curate-sample"]
    assert finished and finished[-1]["state"] == "FINISHED", apps
