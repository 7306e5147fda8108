"""`curate` command line: run the flow, run one stage alone, list and show versions, train a quality model."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from flows.env import prepare_environment

EXIT_BAD_INPUT = 2


def _fail(message: str, code: int = 1) -> int:
    print(f"curate: {message}", file=sys.stderr)
    return code


def cmd_run(args: argparse.Namespace) -> int:
    from schemas.recipe import RecipeError, load_recipe

    try:
        load_recipe(args.recipe, args.set)  # a wrong recipe fails here, before Prefect or Spark start
    except RecipeError as err:
        return _fail(str(err), EXIT_BAD_INPUT)
    from flows.curate import curate
    from jobs.text.model_probe import ModelUnusable

    started = time.time()
    try:
        version = curate(
            recipe_path=str(args.recipe),
            overrides=args.set,
            spark_master=args.spark_master,
            storage_secret=args.storage_secret,
        )
    except ModelUnusable as err:  # the flow's preflight: nothing was run, the recipe names a bad model
        return _fail(str(err), EXIT_BAD_INPUT)
    except Exception as err:  # noqa: BLE001 - the flow already recorded it in the store
        return _fail(f"run failed: {type(err).__name__}: {err}")
    print(f"# {time.time() - started:.1f}s", file=sys.stderr)
    print(version)
    return 0


def cmd_stage(args: argparse.Namespace) -> int:
    from flows.stage_alone import run_stage_alone
    from schemas.recipe import RecipeError

    try:
        manifest = run_stage_alone(
            args.name,
            args.input,
            args.output,
            args.recipe,
            args.set,
            args.spark_master,
            args.kind,
            args.source_name,
        )
    except RecipeError as err:
        return _fail(str(err), EXIT_BAD_INPUT)
    except (FileNotFoundError, KeyError, ValueError) as err:
        return _fail(f"{type(err).__name__}: {err}", EXIT_BAD_INPUT)
    print(json.dumps({"output": args.output, "counters": manifest["counters"]}, indent=1))
    return 0


def cmd_instructions(args: argparse.Namespace) -> int:
    from schemas.recipe import RecipeError, load_recipe

    try:
        recipe = load_recipe(args.recipe, args.set)
    except RecipeError as err:
        return _fail(str(err), EXIT_BAD_INPUT)
    if recipe.instructions is None:
        return _fail(f"{args.recipe}: the recipe has no `instructions` section", EXIT_BAD_INPUT)
    from flows.instructions import instructions
    from jobs.text.instruct.registry import TemplateError

    started = time.time()
    try:
        version = instructions(
            recipe_path=str(args.recipe),
            overrides=args.set,
            spark_master=args.spark_master,
            storage_secret=args.storage_secret,
        )
    except (TemplateError, FileNotFoundError) as err:  # preflight: nothing was run
        return _fail(str(err), EXIT_BAD_INPUT)
    except Exception as err:  # noqa: BLE001 - the flow already recorded it in the store
        return _fail(f"run failed: {type(err).__name__}: {err}")
    print(f"# {time.time() - started:.1f}s", file=sys.stderr)
    print(version)
    return 0


def cmd_export_chat(args: argparse.Namespace) -> int:
    import fsspec

    from jobs.instructions.export import export_chat_jsonl

    for store in _stores(args):
        manifest = store.stage_manifest(args.version, "instructions")
        if manifest is None:
            continue
        fs, folder = fsspec.core.url_to_fs(args.output)
        summary = export_chat_jsonl(store.fs, store.root, manifest, folder.rstrip("/"))
        print(json.dumps({"output": args.output, "rows": summary["rows"], "files": len(summary["files"])}))
        return 0
    return _fail(f"no instruction collection in version {args.version}", EXIT_BAD_INPUT)


def cmd_handoff_check(args: argparse.Namespace) -> int:
    from jobs.handoff.check import check_handoff

    for store in _stores(args):
        if store.version_info(args.version) is None:
            continue
        if not store.fs.exists(store.path("versions", args.version, "handoff.json")):
            return _fail(f"version {args.version} has no handoff.json (no tokenize stage)", EXIT_BAD_INPUT)
        try:
            report = check_handoff(
                store.fs,
                store.path("versions", args.version),
                args.device,
                args.steps,
                args.batch_size,
                args.seq_length,
            )
        except (ImportError, RuntimeError, ValueError) as err:  # no torch, no GPU for --device cuda
            return _fail(str(err), EXIT_BAD_INPUT)
        print(
            json.dumps(
                report if args.losses else {k: v for k, v in report.items() if k != "losses"}, indent=1
            )
        )
        return 0 if report["loss_fell"] else _fail(f"the loss did not fall: {report['losses']}")
    return _fail(f"no version {args.version} in {args.store or './store'}", EXIT_BAD_INPUT)


def cmd_train_quality(args: argparse.Namespace) -> int:
    from quality_models.train import main as train

    return train(args.passthrough)


def _stores(args: argparse.Namespace):
    from jobs.store import Store
    from schemas.recipe import load_recipe

    url, corpus = args.store, args.corpus
    if args.recipe:
        recipe = load_recipe(args.recipe)
        url, corpus = url or recipe.store, corpus or recipe.corpus
    url = url or "./store"
    if corpus:
        return [Store(url, corpus)]
    probe = Store(url, "_")
    base = probe.root.rsplit("/", 1)[0]
    if not probe.fs.exists(base):
        return []
    return [
        Store(url, os.path.basename(p.rstrip("/")))
        for p in sorted(probe.fs.ls(base, detail=False))
        if probe.fs.exists(f"{p.rstrip('/')}/versions")
    ]


def cmd_versions(args: argparse.Namespace) -> int:
    rows = []
    for store in _stores(args):
        latest = store.latest()
        for info in store.versions():
            stages = info.get("stages", {})
            kept = [s.get("counters", {}).get("docs_out") for s in stages.values()]
            rows.append(
                (
                    store.corpus,
                    info["version"],
                    info.get("status", "?"),
                    "*" if info["version"] == latest else "",
                    info.get("started_at", ""),
                    str(kept[-1] if kept else ""),
                )
            )
    if not rows:
        print("no versions")
        return 0
    print(f"{'corpus':<14} {'version':<24} {'status':<10} {'latest':<6} {'started_at':<30} docs")
    for row in rows:
        print(f"{row[0]:<14} {row[1]:<24} {row[2]:<10} {row[3]:<6} {row[4]:<30} {row[5]}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    for store in _stores(args):
        info = store.version_info(args.version)
        if info is None:
            continue
        info = {k: v for k, v in info.items() if k != "recipe" or args.recipe_too}
        info["latest"] = store.latest() == args.version
        info["corpus"] = store.corpus
        print(json.dumps(info, indent=1, sort_keys=True))
        return 0
    return _fail(f"no version {args.version} in {args.store or './store'}", EXIT_BAD_INPUT)


def cmd_rollback(args: argparse.Namespace) -> int:
    stores = [s for s in _stores(args) if s.version_info(args.version) is not None]
    if not stores:
        return _fail(f"no version {args.version} in {args.store or './store'}", EXIT_BAD_INPUT)
    try:
        previous = stores[0].set_latest(args.version)
    except ValueError as err:
        return _fail(str(err), EXIT_BAD_INPUT)
    print(f"{stores[0].corpus} LATEST: {previous} -> {args.version}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="build a new corpus version from a recipe (the Prefect flow `curate`)")
    run.add_argument("--recipe", required=True)
    run.add_argument("--set", action="append", default=[], metavar="STAGE.KEY=VALUE")
    run.add_argument("--spark-master", default=None, help="spark://, k8s://, yarn, sc:// or local[N]")
    run.add_argument(
        "--storage-secret",
        default=None,
        metavar="BLOCK",
        help="Prefect Secret block holding object-store environment variables (JSON object)",
    )
    run.set_defaults(func=cmd_run)

    stage = sub.add_parser("stage", help="run one stage alone on a Parquet dataset (ingest: on raw files)")
    stage.add_argument("name")
    stage.add_argument("--input", required=True)
    stage.add_argument("--output", required=True)
    stage.add_argument("--recipe", default=None)
    stage.add_argument("--set", action="append", default=[], metavar="STAGE.KEY=VALUE")
    stage.add_argument("--spark-master", default=None)
    stage.add_argument(
        "--kind", default="text", choices=["text", "code", "task"], help="ingest: input's kind"
    )
    stage.add_argument("--source-name", default=None, help="ingest: source name (default: input folder name)")
    stage.set_defaults(func=cmd_stage)

    collection = sub.add_parser(
        "instructions", help="build only the recipe's instruction collection, in a version of its own"
    )
    collection.add_argument("--recipe", required=True)
    collection.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    collection.add_argument("--spark-master", default=None)
    collection.add_argument("--storage-secret", default=None, metavar="BLOCK")
    collection.set_defaults(func=cmd_instructions)

    train = sub.add_parser(
        "train-quality",
        add_help=False,  # its own options and --help are quality_models.train's
        help="train a fastText quality classifier (see `curate train-quality --help`)",
    )
    train.set_defaults(func=cmd_train_quality)

    for name, func, help_text in (
        ("versions", cmd_versions, "list versions in a store"),
        ("show", cmd_show, "show one version: stages, counters, status"),
        ("rollback", cmd_rollback, "point LATEST at an earlier published version"),
        ("export-chat", cmd_export_chat, "write a version's instruction collection as chat JSONL"),
        ("handoff-check", cmd_handoff_check, "load a version's tokens onto a device and train a few steps"),
    ):
        p = sub.add_parser(name, help=help_text)
        if name in ("show", "rollback", "export-chat", "handoff-check"):
            p.add_argument("version")
        if name == "handoff-check":
            p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
            p.add_argument("--steps", type=int, default=30)
            p.add_argument("--batch-size", type=int, default=8)
            p.add_argument("--seq-length", type=int, default=None, help="default: min(handoff's, 256)")
            p.add_argument("--losses", action="store_true", help="print every step's loss")
        if name == "export-chat":
            p.add_argument("--output", required=True, help="folder (local or fsspec URL) for chat-*.jsonl")
        if name == "show":
            p.add_argument(
                "--recipe-too", action="store_true", help="include the recipe the version was built from"
            )
        p.add_argument("--store", default=None)
        p.add_argument("--corpus", default=None)
        p.add_argument("--recipe", default=None, help="take the store and corpus from a recipe")
        p.set_defaults(func=func)
    return parser


def main(argv: list[str] | None = None) -> int:
    prepare_environment()
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command == "train-quality":
        args.passthrough = rest
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return args.func(args)
    finally:
        if "pyspark" in sys.modules:  # only commands that started Spark pay for stopping it
            from jobs.spark import stop_session

            stop_session()


if __name__ == "__main__":
    sys.exit(main())
