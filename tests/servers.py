"""Real servers on 127.0.0.1 for the deployment tests: a Spark standalone cluster, a Prefect server.

Each process is started in its own process group and stopped (then killed if it lingers) in the
order the caller gives; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pyspark

from tests.conftest import ROOT, SAMPLE_RECIPE

SPARK_HOME = Path(pyspark.__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode())


def wait_for(
    check, what: str, timeout: float, process: subprocess.Popen | None = None, log: Path | None = None
):
    deadline = time.time() + timeout
    last_error = None
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            tail = log.read_text()[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"{what}: process exited with {process.returncode}\n{tail}")
        try:
            result = check()
            if result:
                return result
        except Exception as err:  # noqa: BLE001 - not up yet
            last_error = err
        time.sleep(0.5)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise TimeoutError(f"{what}: not ready after {timeout:.0f} s ({last_error})\n{tail}")


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path

    def stop(self, timeout: float = 60) -> int:
        """SIGINT (a clean shutdown for Prefect and Spark daemons), SIGKILL if it lingers."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        return self.process.returncode

    def group_alive(self) -> bool:
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True


def start_service(name: str, cmd: list[str], logs: Path, env: dict[str, str], cwd: Path = ROOT) -> Service:
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(name, process, log)


@dataclass
class SparkCluster:
    url: str
    ui: str
    services: list[Service] = field(default_factory=list)

    def applications(self) -> dict:
        return http_json(f"{self.ui}/json/")

    def stop(self) -> None:
        for service in reversed(self.services):  # the worker before the master
            service.stop()


def start_spark_cluster(workdir: Path, cores: int = 2, memory: str = "3g") -> SparkCluster:
    """A standalone master and one worker, from the pyspark installation (bin/spark-class)."""
    port, ui_port, worker_ui = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(SPARK_HOME),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WORKER_DIR": str(workdir / "work"),
        "PYSPARK_PYTHON": sys.executable,
    }
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    logs = workdir / "logs"
    master = start_service(
        "spark-master",
        [
            spark_class,
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(ui_port),
        ],
        logs,
        env,
    )
    cluster = SparkCluster(
        url=f"spark://127.0.0.1:{port}", ui=f"http://127.0.0.1:{ui_port}", services=[master]
    )
    try:
        wait_for(lambda: http_json(f"{cluster.ui}/json/"), "spark master", 120, master.process, master.log)
        worker = start_service(
            "spark-worker",
            [
                spark_class,
                "org.apache.spark.deploy.worker.Worker",
                cluster.url,
                "--host",
                "127.0.0.1",
                "--cores",
                str(cores),
                "--memory",
                memory,
                "--webui-port",
                str(worker_ui),
                "--work-dir",
                str(workdir / "work"),
            ],
            logs,
            env,
        )
        cluster.services.append(worker)
        wait_for(
            lambda: any(w["state"] == "ALIVE" for w in cluster.applications()["workers"]),
            "spark worker registered with the master",
            120,
            worker.process,
            worker.log,
        )
    except BaseException:
        cluster.stop()
        raise
    return cluster


@dataclass
class PrefectServer:
    api_url: str
    env: dict[str, str]
    service: Service


def prefect_env(home: Path, api_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "INFO",  # what a deployment's users see in the UI
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home}/prefect.db",
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def start_prefect_server(home: Path) -> PrefectServer:
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    service = start_service(
        "prefect-server",
        [str(VENV_BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        home / "logs",
        prefect_env(home),
    )
    try:
        wait_for(
            lambda: http_json(f"{api_url}/health") is True,
            "prefect server",
            180,
            service.process,
            service.log,
        )
    except BaseException:
        service.stop()
        raise
    return PrefectServer(api_url, prefect_env(home, api_url), service)


def curate_cli(*args: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or dict(os.environ),
        timeout=timeout,
        check=False,
    )


def kept_ids_by_stage(store_url: str, corpus: str, version: str) -> dict[str, list[str]]:
    """The kept document ids of every stage of a version, read through its manifests."""
    import pyarrow.parquet as pq

    from jobs.store import Store

    store = Store(store_url, corpus)
    ids = {}
    for stage in store.version_info(version)["chain"]:
        manifest = store.stage_manifest(version, stage)
        ids[stage] = sorted(
            i
            for f in manifest["files"]
            if f["output"] == "kept"
            for i in pq.read_table(store.fs.open(store.path(f["file"]), "rb"), columns=["id"])
            .column("id")
            .to_pylist()
        )
    return ids


def run_sample_locally(store: Path) -> tuple[str, dict[str, list[str]]]:
    proc = curate_cli(
        "run", "--recipe", str(SAMPLE_RECIPE), "--set", f"store={store}", "--spark-master", "local[2]"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    version = proc.stdout.strip().splitlines()[-1]
    return version, kept_ids_by_stage(str(store), "sample", version)
