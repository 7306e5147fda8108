"""Prefect only: the `curate` flow, its tasks and the CLI. No data logic here."""
