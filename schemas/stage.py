"""Base of every stage's settings model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StageSettings(BaseModel):
    """Settings of one stage. Unknown keys are errors, so a typo in a recipe never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)
