"""Process environment the flow and CLI need before Prefect or Spark are imported."""

import os


def prepare_environment() -> None:
    # Prefect's ephemeral API writes to SQLite; analytics on it gives "database is locked" (STACK.md).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The ephemeral API runs its database migrations at start; Prefect's 20 s limit was seen to
    # run out on a busy 2-core machine (a fresh PREFECT_HOME), failing the run before any stage.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may download models at run time
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
