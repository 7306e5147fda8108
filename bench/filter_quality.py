"""langid + filter on the labelled corpus: share of good and bad documents dropped, per kind.

    .venv/bin/python -m bench.filter_quality --corpus ../shared/bench/corpus-20k \
        [--recipe recipes/sample.yaml] [--lang langid|labels] [--json bench/results/filter-quality-20k.json]

Every document goes through the stages' own batch functions, in chain order: langid's labeller
(`jobs.langid._labeller`: lid.176, code found by content becomes kind=code) then the filter
(`jobs.filter.filter_batch`). `--lang labels` skips langid and takes `lang` and kind from the
labels instead (the filter alone). Three filter configurations side by side:
- published: Gopher/C4/FineWeb at their published thresholds only (no web rules, no per-language
  thresholds);
- defaults: curate's defaults (published thresholds + web rules + built-in language thresholds);
- recipe, no rescue: the recipe's `stages.langid` and `stages.filter` sections (the sample's
  documentation profile by default) without its `rescue`;
- recipe: the same with the rescue (the soft rules' rejections scored by the quality model).
Groups: label quality good (prose / code by the label's is_code) or the bad document's corruption.
A document counts as dropped when langid or the filter rejects it.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa

from bench.filter_bench import load_corpus, shares
from jobs.assets import asset_path
from jobs.filter import REASON, filter_batch, measure_of
from jobs.langid import _labeller
from schemas.filter import FilterSettings
from schemas.langid import LangidSettings
from schemas.recipe import load_recipe

BATCH = 1000


def group_of(label: dict) -> str:
    if label["quality"] == "good":
        return "good code" if label["is_code"] else "good prose"
    return f"bad: {label['corruption']}"


def with_stage_columns(crawl: pa.Table, labels: dict, lang_from: str, langid: LangidSettings) -> pa.Table:
    """The crawl with the columns the filter reads (kind, lang, code_lang) and langid's rejections."""
    ids = crawl.column("id").to_pylist()
    n = len(ids)
    if lang_from == "labels":
        rows = [labels[i] for i in ids]
        return (
            crawl.select(["id", "text"])
            .append_column("kind", pa.array(["code" if r["is_code"] else "text" for r in rows]))
            .append_column(
                "lang", pa.array([None if r["is_code"] or r["lang"] == "zxx" else r["lang"] for r in rows])
            )
            .append_column("code_lang", pa.array([r["code_lang"] for r in rows]))
            .append_column("reject_reason", pa.nulls(n, pa.string()))
        )
    base = crawl.select(["id", "text"])
    base = (
        base.append_column("kind", pa.array(["text"] * n))
        .append_column("code_lang", pa.nulls(n, pa.string()))
        .append_column("path", pa.nulls(n, pa.string()))
    )
    model = langid.model if "/" in langid.model else str(asset_path(langid.model))
    label = _labeller(langid, model, {})
    return pa.Table.from_batches(list(label(iter(base.to_batches(max_chunksize=BATCH)))))


def dropped_by(table: pa.Table, settings: FilterSettings) -> tuple[list[str | None], list[str | None]]:
    """(reason per document, langid's or the filter's, None when kept; the rule a rescue waived)."""
    measure = measure_of(settings)
    reasons: list[str | None] = []
    rescued: list[str | None] = []
    for batch in table.to_batches(max_chunksize=BATCH):
        upstream = batch.column(batch.schema.names.index("reject_reason")).to_pylist()
        out = filter_batch(batch.drop_columns(["reject_reason"]), settings, measure)
        ours = out.column(out.schema.names.index(REASON)).to_pylist()
        reasons.extend(u or o for u, o in zip(upstream, ours, strict=True))
        rescued.extend(out.column(out.schema.names.index("filter_rescued_rule")).to_pylist())
    return reasons, rescued


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="../shared/bench/corpus-20k")
    ap.add_argument("--recipe", default="recipes/sample.yaml")
    ap.add_argument("--lang", choices=("langid", "labels"), default="langid")
    ap.add_argument("--json")
    args = ap.parse_args(argv)

    recipe = load_recipe(args.recipe)
    crawl, labels = load_corpus(args.corpus, None)
    groups = [group_of(labels[i]) for i in crawl.column("id").to_pylist()]
    configurations = {
        "published": FilterSettings(web=False, builtin_language_thresholds=False),
        "defaults": FilterSettings(),
        "recipe, no rescue": recipe.stages.filter.model_copy(update={"rescue": None}),
        "recipe": recipe.stages.filter,
    }
    langid_of = {
        "published": LangidSettings(),
        "defaults": LangidSettings(),
        "recipe, no rescue": recipe.stages.langid,
        "recipe": recipe.stages.langid,
    }
    prepared: dict[str, pa.Table] = {}
    result: dict = {
        "corpus": args.corpus,
        "recipe": args.recipe,
        "lang_from": args.lang,
        "configurations": {},
    }
    for name, settings in configurations.items():
        key = langid_of[name].model_dump_json()
        if key not in prepared:
            prepared[key] = with_stage_columns(crawl, labels, args.lang, langid_of[name])
        reasons, rescued = dropped_by(prepared[key], settings)
        result["configurations"][name] = {"shares": shares([r is not None for r in reasons], groups)}
        for group in ("good prose", "good code"):
            found = Counter(r for r, g in zip(reasons, groups, strict=True) if r and g == group)
            result["configurations"][name][f"reasons on {group}"] = dict(found.most_common(15))
        if settings.rescue:
            by_group = Counter(g for r, g in zip(rescued, groups, strict=True) if r)
            result["configurations"][name]["rescued by group"] = dict(sorted(by_group.items()))
    names = list(configurations)
    print(f"{'group':<22}" + "".join(f"{n:>19}" for n in names) + f"{'docs':>8}")
    for group in sorted(set(groups)):
        cells = [result["configurations"][n]["shares"][group]["share"] for n in names]
        docs = result["configurations"][names[0]]["shares"][group]["docs"]
        print(f"{group:<22}" + "".join(f"{100 * c:>18.1f}%" for c in cells) + f"{docs:>8}")
    for name in names:
        for group in ("good prose", "good code"):
            print(f"{name}: reasons on {group} {result['configurations'][name][f'reasons on {group}']}")
        if "rescued by group" in result["configurations"][name]:
            print(f"{name}: rescued {result['configurations'][name]['rescued by group']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
