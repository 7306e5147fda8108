"""Spark jobs: one module per stage, each runnable alone. No Prefect here."""
