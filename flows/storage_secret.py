"""Object-store credentials from a Prefect Secret block, for deployments whose workers have none.

The block holds a JSON object of environment variables, e.g.
  {"AWS_ACCESS_KEY_ID": "...", "AWS_SECRET_ACCESS_KEY": "...", "AWS_ENDPOINT_URL": "https://..."}
They are set in the flow-run process (one process per run on a process worker) and handed from
there to Spark's Python workers; their values are never logged or written to the store.
"""

from __future__ import annotations

import json

from jobs.readers.units import STORAGE_ENV_PREFIXES, apply_storage_environment


class StorageSecretError(ValueError):
    """The Secret block is missing or does not hold object-store environment variables."""


ALLOWED = ", ".join(p + "*" for p in STORAGE_ENV_PREFIXES)


def storage_env_from_secret_value(name: str, value: object) -> dict[str, str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, dict) or not value:
        raise StorageSecretError(
            f"Secret block {name!r} must hold a JSON object of environment variables ({ALLOWED})"
        )
    unknown = sorted(k for k in value if not str(k).startswith(STORAGE_ENV_PREFIXES))
    if unknown:
        raise StorageSecretError(
            f"Secret block {name!r}: {', '.join(unknown)} are not object-store variables ({ALLOWED})"
        )
    return {str(k): str(v) for k, v in value.items()}


def apply_storage_secret(name: str) -> list[str]:
    """Load the block and set its variables in this process; returns the variable names only."""
    from prefect.blocks.system import Secret

    try:
        value = Secret.load(name).get()
    except ValueError as err:
        raise StorageSecretError(f"Secret block {name!r} not found: {err}") from None
    env = storage_env_from_secret_value(name, value)
    apply_storage_environment(env)
    return sorted(env)
