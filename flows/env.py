"""Process environment the flow and CLI need before Prefect or Spark are imported."""

import os


def runtime_environment() -> None:
    """What every flow run needs, however it was started (CLI, or a worker's flow-run process)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing may download models at run time


def prepare_environment() -> None:
    """The `curate` command: quiet, and the ephemeral API given time to start."""
    # Prefect's ephemeral API writes to SQLite; analytics on it gives "database is locked" (STACK.md).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The ephemeral API runs its database migrations at start; Prefect's 20 s limit was seen to
    # run out on a busy 2-core machine (a fresh PREFECT_HOME), failing the run before any stage.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    runtime_environment()
