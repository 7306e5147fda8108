"""Benchmarks of curate's stages: throughput, CPU cost and memory, side by side with datatrove.

Entry point: ``python -m bench.harness`` (see bench/README.md).
"""
