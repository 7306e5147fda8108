"""Settings, output columns and expectation suites of the `mix` stage."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from schemas.documents import document_expectations
from schemas.documents import rejected_expectations as rejected_base
from schemas.stage import StageSettings

NO_GROUP = "mix:no_group"
LOW_QUALITY = "mix:low_quality"
NOT_SAMPLED = "mix:not_sampled"
REJECT_REASONS = (NO_GROUP, LOW_QUALITY, NOT_SAMPLED)
SHARE_TOLERANCE = 1e-6


class MixGroup(StageSettings):
    """Documents of one kind of data; a document belongs to the first group it matches."""

    name: str = Field(pattern=r"^[a-z0-9_.-]+$", description="Group name, kept in `mix_group`.")
    kinds: list[Literal["text", "code", "task"]] = Field(
        default_factory=list, description="Kinds; empty: any."
    )
    languages: list[str] = Field(
        default_factory=list, description="`lang` values (langid's labels); empty: any."
    )
    code_languages: list[str] = Field(default_factory=list, description="`code_lang` values; empty: any.")
    sources: list[str] = Field(default_factory=list, description="Source names; empty: any.")
    share: float = Field(gt=0.0, le=1.0, description="Target share of the mix's tokens (shares add up to 1).")
    max_repeats: float = Field(
        1.0,
        ge=1.0,
        description="Most times the group's data may be seen in a phase (1: no upsampling; 4: up to four "
        "epochs of a small high-value group, the limit Muennighoff et al. found nearly free).",
    )
    chars_per_token: float | None = Field(
        None,
        gt=0.0,
        description="This group's characters per token for the estimate (default: the mix's); the "
        "tokenize stage reports the measured value per group (stats.groups.<name>.chars_per_token).",
    )
    min_quality: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Documents whose quality_score is below this are left out (mix:low_quality); "
        "documents without a score are kept.",
    )


class MixPhase(StageSettings):
    """One stretch of training with its own proportions (e.g. a later phase with more code)."""

    name: str = Field(pattern=r"^[a-z0-9_.-]+$", description="Phase name, in the report.")
    tokens: int | None = Field(
        None,
        gt=0,
        description="Token budget of the phase (estimated tokens); null: as many as the shares and the "
        "repeat caps allow.",
    )
    shares: dict[str, float] = Field(
        default_factory=dict, description="Group shares for this phase, overriding the groups' `share`."
    )


class MixSettings(StageSettings):
    """Groups of documents sampled to target token shares, per phase, deterministically."""

    groups: list[MixGroup] = Field(
        default_factory=list, description="The groups (none: every document in one group 'all', unsampled)."
    )
    phases: list[MixPhase] = Field(
        default_factory=lambda: [MixPhase(name="main")],
        min_length=1,
        description="Training phases, in order.",
    )
    chars_per_token: float = Field(
        4.0,
        gt=0.0,
        description="Token estimate before tokenization: characters / chars_per_token (about 4 for English "
        "with a GPT-2-style BPE; lower for code and most other scripts). The tokenize stage counts exactly.",
    )
    seed: int = Field(
        0,
        description="Seed of the per-document draws (a hash of id, phase, seed). A group sampled at rate r "
        "gives each document floor(r) copies, and one more to the documents whose draw is under a cut set "
        "so that the extra copies add up to (r - floor(r)) x the group's tokens.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> MixSettings:
        names = [g.name for g in self.groups]
        if len(set(names)) != len(names):
            raise ValueError(f"groups: names must be unique, got {names}")
        phases = [p.name for p in self.phases]
        if len(set(phases)) != len(phases):
            raise ValueError(f"phases: names must be unique, got {phases}")
        for phase in self.phases:
            unknown = sorted(set(phase.shares) - set(names))
            if unknown:
                raise ValueError(f"phases.{phase.name}.shares: no group named {', '.join(unknown)}")
            if self.groups:
                total = sum(self.share_of(phase, g.name) for g in self.groups)
                if abs(total - 1.0) > SHARE_TOLERANCE:
                    raise ValueError(f"phase {phase.name}: group shares add up to {total:.6f}, not 1")
        return self

    def share_of(self, phase: MixPhase, group: str) -> float:
        if group in phase.shares:
            return phase.shares[group]
        return next(g.share for g in self.groups if g.name == group)


def kept_expectations(settings: MixSettings) -> list[dict]:
    groups = [g.name for g in settings.groups] or ["all"]
    return document_expectations() + [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "mix_group", "value_set": groups}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "est_tokens"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "est_tokens", "min_value": 0}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "mix_copies"}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "mix_copies_total", "min_value": 1},
        },
    ]


def rejected_expectations(settings: MixSettings) -> list[dict]:
    return rejected_base("mix") + [
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "reject_reason", "value_set": list(REJECT_REASONS)},
        }
    ]
