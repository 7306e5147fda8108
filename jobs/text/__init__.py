"""Spark-free, project-free helpers that the jobs share (plain functions, easy to unit-test)."""
