"""instructions: task datasets -> a Flan-style instruction-tuning collection (see stage.py).

A package because the template registry (templates/*.yaml) lives beside its code."""

from jobs.instructions.stage import external_inputs, preflight, run

__all__ = ["external_inputs", "preflight", "run"]
