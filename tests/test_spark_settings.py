"""Spark session settings that need no JVM: master precedence, sizing."""

from jobs.spark import MASTER_ENV, local_cores, resolve_master, shuffle_partitions_for


def test_master_precedence_cli_then_environment_then_recipe(monkeypatch):
    monkeypatch.delenv(MASTER_ENV, raising=False)
    assert resolve_master() == "local[*]"
    assert resolve_master(None, "spark://r:7077") == "spark://r:7077"
    monkeypatch.setenv(MASTER_ENV, "sc://env:15002")
    assert resolve_master(None, "spark://r:7077") == "sc://env:15002"
    assert resolve_master("k8s://https://api:6443", "spark://r:7077") == "k8s://https://api:6443"


def test_shuffle_partitions_follow_input_size():
    assert shuffle_partitions_for(0, cores=2) == 4
    assert shuffle_partitions_for(10 * 1024**3, cores=2) == 160  # 10 GiB / 64 MiB
    assert shuffle_partitions_for(10**15, cores=2) == 4000
    assert local_cores("local[3]") == 3
