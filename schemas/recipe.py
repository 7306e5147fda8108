"""Recipe models: what a corpus build reads, where it writes, and each stage's settings.

A recipe is YAML validated here before anything starts; `--set section.key=value` overrides any field.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import fsspec
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schemas.decontam import DecontamSettings
from schemas.dedup import DedupSettings
from schemas.filter import FilterSettings
from schemas.ingest import IngestSettings
from schemas.instructions import InstructionsSettings
from schemas.langid import LangidSettings
from schemas.mix import MixSettings
from schemas.pii import PiiSettings
from schemas.quality import QualitySettings
from schemas.tokenize import TokenizeSettings

SOURCE_FORMATS = ("auto", "jsonl", "parquet", "warc", "text", "code")
NO_CREDENTIALS = (
    "credentials never go in recipes (they are kept with every version): "
    "set them in the environment or a Prefect Secret block"
)
SECRET_CONF_KEY = re.compile(r"secret|password|passwd|token|credential|access[._-]?key", re.IGNORECASE)


def _without_credentials(url: str) -> str:
    """s3://KEY:SECRET@bucket/... would store the secret with every version: refuse it."""
    if "://" in url:
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise ValueError(NO_CREDENTIALS)
    return url


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Source name, kept in the `source` column.")
    kind: Literal["text", "code", "task"] = Field(
        description="Kept in the `kind` column; code sources get `code_lang`."
    )
    format: Literal["auto", "jsonl", "parquet", "warc", "text", "code"] = Field(
        "auto",
        description="auto: from the extension (.jsonl[.gz|.zst], .parquet, .warc[.gz], .wet[.gz]); "
        "a folder or .tar.gz/.zip is a code tree for kind=code and a text tree otherwise.",
    )
    paths: list[str] = Field(min_length=1, description="Files, folders or globs; local or any fsspec URL.")
    text_field: str = Field("text", description="JSONL/Parquet field holding the document text.")
    id_field: str | None = Field("id", description="The record's own id, if it has one: ids stay stable.")
    url_field: str | None = Field("url", description="JSONL/Parquet field holding the document URL.")

    @field_validator("paths")
    @classmethod
    def _no_credentials_in_paths(cls, paths: list[str]) -> list[str]:
        return [_without_credentials(p) for p in paths]


class SparkSpec(_Strict):
    master: str | None = Field(None, description="local[*] when unset; spark://, k8s://, yarn or sc:// URLs.")
    driver_memory: str | None = Field(None, description="spark.driver.memory (default 4g in local mode).")
    conf: dict[str, str] = Field(default_factory=dict, description="Extra Spark configuration.")

    @field_validator("conf", mode="before")
    @classmethod
    def _values_as_strings(cls, conf: object) -> object:
        """YAML reads `4` and `true` as numbers and booleans; Spark wants every value as a string."""
        if isinstance(conf, dict):
            return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in conf.items()}
        return conf

    @field_validator("conf")
    @classmethod
    def _no_credentials_in_conf(cls, conf: dict[str, str]) -> dict[str, str]:
        secret_keys = sorted(k for k in conf if SECRET_CONF_KEY.search(k))
        if secret_keys:
            raise ValueError(f"{', '.join(secret_keys)}: {NO_CREDENTIALS}")
        return conf


class StagesSpec(_Strict):
    """One field per stage, in chain order. Adding a stage adds one line here."""

    ingest: IngestSettings = IngestSettings()
    langid: LangidSettings = LangidSettings()
    filter: FilterSettings = FilterSettings()
    pii: PiiSettings = PiiSettings()
    quality: QualitySettings = QualitySettings()
    dedup: DedupSettings = DedupSettings()
    decontam: DecontamSettings = DecontamSettings()
    mix: MixSettings = MixSettings()
    tokenize: TokenizeSettings = TokenizeSettings()


class Recipe(_Strict):
    corpus: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Corpus name: <store>/<corpus>/...")
    store: str = Field("./store", description="Local path or fsspec URL of the versioned store.")
    description: str = Field("", description="Free text, kept with every version.")
    spark: SparkSpec = Field(SparkSpec(), description="Where and how Spark runs (see below).")
    sources: list[SourceSpec] = Field(
        min_length=1, description="Raw inputs (see below); names must be unique."
    )
    stages: StagesSpec = Field(StagesSpec(), description="Settings of each stage, by stage name (see below).")
    instructions: InstructionsSettings | None = Field(
        None,
        description="An instruction-tuning collection built from task datasets in the same version "
        "(the `instructions` sub-flow; see below); null: none.",
    )

    @field_validator("sources")
    @classmethod
    def _unique_source_names(cls, sources: list[SourceSpec]) -> list[SourceSpec]:
        names = [s.name for s in sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique, repeated: {', '.join(duplicates)}")
        return sources

    @field_validator("store")
    @classmethod
    def _no_credentials_in_store(cls, store: str) -> str:
        return _without_credentials(store)


def stage_settings(recipe: Recipe, stage: str):
    """A stage's settings as it runs in this recipe: tokenize's blend defaults to the mix's shares."""
    settings = getattr(recipe.stages, stage)
    if stage == "tokenize" and not settings.blend:
        mix = recipe.stages.mix
        blend = (
            {
                phase.name: {group.name: mix.share_of(phase, group.name) for group in mix.groups}
                for phase in mix.phases
            }
            if mix.groups
            else {"main": {"all": 1.0}}
        )
        settings = settings.model_copy(update={"blend": blend})
    return settings


def instructions_settings(recipe: Recipe) -> InstructionsSettings | None:
    """The recipe's instructions section, decontaminated against the corpus's benchmarks unless it
    names its own."""
    settings = recipe.instructions
    if settings is None or settings.decontam is not None:
        return settings
    corpus_benchmarks = recipe.stages.decontam.model_copy(update={"policy": "drop"})
    return settings.model_copy(update={"decontam": corpus_benchmarks})


def parse_override(item: str) -> tuple[list[str], Any]:
    """`ingest.max_bytes=5000` -> (['stages', 'ingest', 'max_bytes'], 5000); values are YAML scalars."""
    if "=" not in item:
        raise RecipeError(f"--set {item!r}: expected section.key=value")
    dotted, raw_value = item.split("=", 1)
    keys = [k for k in dotted.strip().split(".") if k]
    if len(keys) < 2 and keys[:1] not in (["corpus"], ["store"], ["description"]):
        raise RecipeError(f"--set {item!r}: expected section.key=value")
    if keys[0] in StagesSpec.model_fields:
        keys = ["stages", *keys]
    if keys[0] == "spark" and len(keys) > 2 and keys[1] == "conf":
        keys = ["spark", "conf", ".".join(keys[2:])]  # Spark keys contain dots themselves
    try:
        value = yaml.safe_load(raw_value) if raw_value.strip() else ""
    except yaml.YAMLError:
        value = raw_value
    return keys, value


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    for item in overrides:
        keys, value = parse_override(item)
        node = data
        for key in keys[:-1]:
            child = node.get(key)
            if child is None:
                child = node[key] = {}
            if not isinstance(child, dict):
                raise RecipeError(f"--set {item!r}: {key} is not a section")
            node = child
        node[keys[-1]] = value
    return data


def _describe(errors: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid recipe ({errors.error_count()} error(s))"]
    for err in errors.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(top level)"
        shows_input = err["type"] != "missing" and "input" in err and NO_CREDENTIALS not in err["msg"]
        got = f" (got {err['input']!r})" if shows_input else ""
        lines.append(f"  {field}: {err['msg']}{got}")
    return "\n".join(lines)


def _resolve(path, base: str):
    return path if (not isinstance(path, str) or "://" in path or os.path.isabs(path)) else _join(base, path)


def _resolve_relative_paths(data: dict, base: str) -> None:
    """Source, benchmark and model paths are relative to the recipe's folder, so a recipe and its
    data move together."""
    stages = data.get("stages") if isinstance(data.get("stages"), dict) else {}
    decontam = stages.get("decontam") if isinstance(stages.get("decontam"), dict) else {}
    for entry in (data.get("sources") or []) + (decontam.get("benchmarks") or []):
        if isinstance(entry, dict) and isinstance(entry.get("paths"), list):
            entry["paths"] = [_resolve(p, base) for p in entry["paths"]]
    instructions = data.get("instructions") if isinstance(data.get("instructions"), dict) else {}
    instruction_decontam = (
        instructions.get("decontam") if isinstance(instructions.get("decontam"), dict) else {}
    )
    for entry in (instructions.get("tasks") or []) + (instruction_decontam.get("benchmarks") or []):
        if isinstance(entry, dict) and isinstance(entry.get("paths"), list):
            entry["paths"] = [_resolve(p, base) for p in entry["paths"]]
    if isinstance(instructions.get("templates"), list):
        instructions["templates"] = [_resolve(p, base) for p in instructions["templates"]]
    quality = stages.get("quality") if isinstance(stages.get("quality"), dict) else {}
    for model in quality.get("models") or []:
        if isinstance(model, dict) and model.get("path", "default") != "default":
            model["path"] = _resolve(model["path"], base)


def _join(base: str, relative: str) -> str:
    if "://" in base:
        protocol, path = base.split("://", 1)
        return f"{protocol}://{posixpath.normpath(f'{path}/{relative}')}"
    return str((Path(base) / relative).resolve())


def recipe_from_dict(data: dict, origin: str = "<recipe>", overrides: list[str] = ()) -> Recipe:
    data = apply_overrides(dict(data), list(overrides))
    try:
        return Recipe.model_validate(data)
    except ValidationError as errors:
        suffix = f" with --set {' '.join(overrides)}" if overrides else ""
        raise RecipeError(_describe(errors, origin + suffix)) from None


def load_recipe(path: str | os.PathLike, overrides: list[str] = ()) -> Recipe:
    """A recipe file on local disk or at any fsspec URL (s3://bucket/recipes/full.yaml)."""
    path = str(path)
    remote = "://" in path
    try:
        with fsspec.open(path, "r", encoding="utf-8") as f:
            text = f.read()
    except (OSError, ValueError) as err:
        raise RecipeError(f"{path}: cannot read recipe: {getattr(err, 'strerror', None) or err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise RecipeError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(data, dict):
        raise RecipeError(f"{path}: a recipe is a YAML mapping (corpus, store, sources, stages)")
    base = path.rsplit("/", 1)[0] if remote else str(Path(path).resolve().parent)
    _resolve_relative_paths(data, base)
    return recipe_from_dict(data, path, overrides)
