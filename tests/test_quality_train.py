"""`curate train-quality` (quality_models/): real fastText training on small data.

Positives are English prose found on any machine with the project's venv (the long descriptions
and licences of the installed packages); negatives are corruptions of that prose made here (repeated
lines, keyword spam, symbol soup, menu boilerplate), so nothing depends on ../shared/bench.
"""

from __future__ import annotations

import importlib.metadata
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.text.quality_text import model_line, positive_probability
from quality_models import evaluate, train
from quality_models.data import InputSpec, cell_matches, expand_paths, load_documents
from quality_models.metrics import at_threshold, average_ranks, roc_auc, share_below
from quality_models.split import held_out_mask

# Small and fast: a few hundred documents, a tiny model (each training here takes well under a second).
# Character n-grams (on by default) blur the signal on so little data: held-out AUCs are 0.84-0.95.
FAST = ["--epoch", "5", "--dim", "16", "--bucket", "20000", "--min-count", "1", "--held-out", "0.25"]
N_DOCS = 300


def _prose_paragraphs() -> list[str]:
    """Paragraphs of English prose from the installed packages' descriptions and licence files."""
    paragraphs: list[str] = []
    for dist in sorted(importlib.metadata.distributions(), key=lambda d: d.metadata["Name"] or ""):
        texts = [dist.metadata.get_payload() or ""]
        for file in dist.files or []:
            if re.search(r"(LICEN[CS]E|COPYING|NOTICE)[^/]*$", file.name, re.I):
                try:
                    texts.append(Path(file.locate()).read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError):
                    continue
        for text in texts:
            for block in re.split(r"\n\s*\n", text):
                para = " ".join(block.split())
                letters = sum(c.isalpha() or c == " " for c in para) / max(len(para), 1)
                if len(para.split()) >= 15 and letters > 0.85 and re.search(r"[a-z][.,;] [A-Za-z]", para):
                    paragraphs.append(para)
    return list(dict.fromkeys(paragraphs))  # licences repeat across packages


def _repeated_lines(text: str, rng: random.Random) -> str:
    line = " ".join(text.split()[: rng.randint(4, 9)])
    return "\n".join([line] * rng.randint(6, 12))


def _keyword_spam(text: str, rng: random.Random) -> str:
    spam = rng.choice(["best cheap deals", "buy now online", "free download crack", "casino bonus win"])
    words = text.split()
    return " ".join(w if i % 3 else f"{spam} {w}" for i, w in enumerate(words))


def _symbol_soup(text: str, rng: random.Random) -> str:
    words = text.split()
    return " ".join(
        w if rng.random() < 0.6 else rng.choice(["***", "###", ">>>", "$$$", "@@", "~~~", "|"]) for w in words
    )


def _boilerplate(text: str, rng: random.Random) -> str:
    menu = ["Home", "Products", "About us", "Contact", "Login", "Cart", "Privacy", "Terms", "Sitemap", "FAQ"]
    lines = [" | ".join(rng.sample(menu, 5)) for _ in range(rng.randint(4, 8))]
    lines.insert(rng.randrange(len(lines)), " ".join(text.split()[:8]))
    return "\n".join(lines + ["Copyright 2024. All rights reserved. Accept cookies?"])


CORRUPTIONS = {
    f.__name__.lstrip("_"): f for f in (_repeated_lines, _keyword_spam, _symbol_soup, _boilerplate)
}


@dataclass
class Corpus:
    folder: Path
    rows: list[dict]

    def path(self, name: str) -> str:
        return str(self.folder / name)


def _write_parquet(path: Path, rows: list[dict]) -> None:
    pq.write_table(pa.Table.from_pylist(rows), path)


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Corpus:
    paragraphs = _prose_paragraphs()
    assert len(paragraphs) >= N_DOCS, f"only {len(paragraphs)} prose paragraphs in the installed packages"
    rng = random.Random(7)
    rows = []
    for i in range(N_DOCS):
        text = paragraphs[i] + "\n\n" + paragraphs[(i + N_DOCS) % len(paragraphs)]
        kind = list(CORRUPTIONS)[i % len(CORRUPTIONS)]
        # a document and its corruption share a family, so the split keeps them together
        rows.append({"id": f"p{i}", "text": text, "quality": "good", "family": f"f{i}", "kind": None})
        rows.append(
            {
                "id": f"n{i}",
                "text": CORRUPTIONS[kind](text, rng),
                "quality": "bad",
                "family": f"f{i}",
                "kind": kind,
            }
        )
    folder = tmp_path_factory.mktemp("quality_corpus")
    good = [{"id": r["id"], "text": r["text"]} for r in rows if r["quality"] == "good"]
    bad = [{"id": r["id"], "text": r["text"]} for r in rows if r["quality"] == "bad"]
    _write_parquet(folder / "good.parquet", good)
    _write_jsonl(folder / "bad.jsonl", bad)
    # labelled: a third label value and a draft flag, to show skipping and --where
    labelled = [dict(r, draft=False) for r in rows]
    labelled += [
        {
            "id": f"u{i}",
            "text": "unsure " * 20,
            "quality": "unsure",
            "family": None,
            "kind": None,
            "draft": False,
        }
        for i in range(5)
    ]
    labelled += [
        {"id": f"d{i}", "text": "draft " * 20, "quality": "good", "family": None, "kind": None, "draft": True}
        for i in range(7)
    ]
    _write_jsonl(folder / "labelled.jsonl", labelled)
    (folder / "parts").mkdir()
    _write_parquet(
        folder / "parts" / "part-00000.parquet", [{"id": r["id"], "text": r["text"]} for r in rows[:200]]
    )
    _write_parquet(
        folder / "parts" / "part-00001.parquet", [{"id": r["id"], "text": r["text"]} for r in rows[200:]]
    )
    (folder / "parts" / "_SUCCESS").write_text("")  # what Spark leaves next to its parts: never read
    (folder / "parts" / "_temporary").mkdir()
    _write_parquet(
        folder / "parts" / "_temporary" / "part-00009.parquet", [{"id": "x", "text": "half written"}]
    )
    _write_parquet(
        folder / "labels.parquet", [{k: r[k] for k in ("id", "quality", "family", "kind")} for r in rows]
    )
    return Corpus(folder, rows)


def _train(tmp_path: Path, name: str, *args: str) -> tuple[int, dict | None]:
    out = tmp_path / name
    rc = train.main([*args, *FAST, "--output", str(out)])
    metrics_file = out / "metrics.json"
    return rc, json.loads(metrics_file.read_text()) if rc == 0 else None


# --- metrics -----------------------------------------------------------------------------------------


def test_roc_auc_by_ranks_with_ties_matches_hand_computed():
    # pairs (pos, neg): (.8,.8) tie = 1/2, (.8,.1) = 1, (.3,.8) = 0, (.3,.1) = 1 -> 2.5 / 4
    assert roc_auc([1, 0, 1, 0], [0.8, 0.8, 0.3, 0.1]) == pytest.approx(0.625)
    assert roc_auc([1, 1, 0, 0], [0.9, 0.7, 0.2, 0.1]) == 1.0
    assert roc_auc([0, 0, 1, 1], [0.9, 0.7, 0.2, 0.1]) == 0.0
    assert roc_auc([1, 0, 1, 0, 1], [0.5] * 5) == 0.5
    # 3 positives x 2 negatives: (.9 > .4, .6) = 2, (.4 tie .4, > .2) = 1.5, (.2 < .4, tie .2) = .5 -> 4 / 6
    assert roc_auc([True, True, True, False, False], [0.9, 0.4, 0.2, 0.4, 0.2]) == pytest.approx(4 / 6)
    assert list(average_ranks(__import__("numpy").array([3.0, 1.0, 3.0, 2.0]))) == [3.5, 1.0, 3.5, 2.0]


def test_roc_auc_needs_both_classes():
    with pytest.raises(ValueError, match="positives and negatives"):
        roc_auc([1, 1], [0.2, 0.3])


def test_precision_recall_f1_at_threshold():
    labels = [1, 1, 1, 0, 0, 0, 0]
    scores = [0.9, 0.5, 0.2, 0.6, 0.1, 0.49, 0.0]
    m = at_threshold(labels, scores, 0.5)  # predicted good: .9 .5 (tp) and .6 (fp); .2 missed
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (2, 1, 1, 3)
    assert m["precision"] == pytest.approx(2 / 3)
    assert m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["accuracy"] == pytest.approx(5 / 7)
    assert at_threshold([1, 0], [0.1, 0.2], 0.9)["precision"] == 0.0  # nothing predicted good
    assert share_below(scores, 0.5) == pytest.approx(4 / 7)


# --- split ---------------------------------------------------------------------------------------


def test_split_keeps_each_group_on_one_side_and_is_deterministic():
    groups = [f"g{i % 300}" for i in range(3000)]  # 10 documents per group
    mask = held_out_mask(groups, 0.2, seed=3)
    sides: dict[str, set[bool]] = {}
    for group, out in zip(groups, mask, strict=True):
        sides.setdefault(group, set()).add(out)
    assert all(len(s) == 1 for s in sides.values())
    held_groups = sum(1 for s in sides.values() if True in s)
    assert 30 <= held_groups <= 90  # ~60 of 300
    assert held_out_mask(groups, 0.2, seed=3) == mask
    assert held_out_mask(groups, 0.2, seed=4) != mask
    # a group's side does not depend on the other documents read with it
    assert held_out_mask(groups[:10], 0.2, seed=3) == mask[:10]
    with pytest.raises(ValueError, match="held-out"):
        held_out_mask(groups, 1.0, seed=0)


# --- data ----------------------------------------------------------------------------------------


def test_cell_matches_command_line_values():
    assert cell_matches(False, "false") and cell_matches(True, "True") and not cell_matches(False, "true")
    assert cell_matches(None, "null") and not cell_matches(None, "x")
    assert cell_matches(1, "1") and cell_matches(1.0, "1") and not cell_matches(2, "x")
    assert cell_matches("good", "good") and not cell_matches("good", "Good")


def test_folders_and_globs_list_data_files_only(corpus):
    parts = expand_paths(corpus.path("parts"))
    assert [Path(p).name for p in parts] == ["part-00000.parquet", "part-00001.parquet"]
    assert expand_paths(corpus.path("parts/*.parquet")) == parts
    with pytest.raises(ValueError, match="no such file"):
        expand_paths(corpus.path("nothing-here"))


def test_join_supplies_labels_and_groups(corpus):
    spec = InputSpec(
        labelled=[corpus.path("parts")],
        join=[corpus.path("labels.parquet")],
        label_column="quality",
        positive_values=["good"],
        group_column="family",
        extra_columns=["kind"],
    )
    docs = load_documents(spec)
    assert (docs.n_positive, docs.n_negative) == (N_DOCS, N_DOCS)
    assert docs.groups[:2] == ["g:f0", "g:f0"]
    assert docs.extra["kind"][:2] == [None, "repeated_lines"]


# --- training --------------------------------------------------------------------------------------


def test_training_writes_model_metrics_and_card(corpus, tmp_path):
    rc, metrics = _train(
        tmp_path, "m", "--positives", corpus.path("good.parquet"), "--negatives", corpus.path("bad.jsonl"),
        "--name", "test-model", "--description", "A test model.",
    )  # fmt: skip
    assert rc == 0
    out = tmp_path / "m"
    assert sorted(p.name for p in out.iterdir()) == ["MODEL_CARD.md", "metrics.json", "model.bin"]
    assert metrics["roc_auc"] > 0.8, metrics["held_out"]
    for key in ("threshold", "precision", "recall", "f1", "seed", "fasttext", "date", "params"):
        assert key in metrics
    assert metrics["params"]["word_ngrams"] == 2 and metrics["params"]["threads"] == 1
    counts = metrics["counts"]
    assert counts["train"]["positives"] + counts["held_out"]["positives"] == N_DOCS
    assert counts["train"]["negatives"] + counts["held_out"]["negatives"] == N_DOCS
    assert counts["held_out"]["positives"] > 5 and counts["held_out"]["negatives"] > 5
    assert (
        metrics["model"]["file"] == "model.bin"
        and metrics["model"]["bytes"] == (out / "model.bin").stat().st_size
    )
    assert metrics["labels"] == ["__label__hq", "__label__lq"]
    assert metrics["unquantized"] is None

    card = (out / "MODEL_CARD.md").read_text()
    for fragment in ("# test-model", "A test model.", corpus.path("good.parquet"), corpus.path("bad.jsonl"),
                     f"{metrics['roc_auc']:.4f}", "## Limitations", "curate train-quality --positives"):  # fmt: skip
        assert fragment in card

    from fasttext.FastText import _FastText

    model = _FastText(model_path=str(out / "model.bin"))
    prose, salad = corpus.rows[0]["text"], corpus.rows[1]["text"]
    scores = positive_probability(model, [model_line(prose), model_line(salad)])
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_training_twice_gives_the_same_model(corpus, tmp_path):
    args = ["--labelled", corpus.path("labelled.jsonl"), "--label-column", "quality", "--positive-values", "good",
            "--negative-values", "bad", "--group-column", "family", "--seed", "5"]  # fmt: skip
    _, first = _train(tmp_path, "a", *args)
    _, second = _train(tmp_path, "b", *args)
    assert first["model"]["sha256"] == second["model"]["sha256"]
    volatile = {"command", "date"}
    assert {k: v for k, v in first.items() if k not in volatile} == {
        k: v for k, v in second.items() if k not in volatile
    }


def test_label_column_with_where_and_negative_values(corpus, tmp_path):
    rc, metrics = _train(
        tmp_path, "m", "--labelled", corpus.path("labelled.jsonl"), "--label-column", "quality",
        "--positive-values", "good", "--negative-values", "bad", "--where", "draft=false",
        "--group-column", "family",
    )  # fmt: skip
    assert rc == 0
    (source,) = metrics["data"]["sources"]
    # the 5 'unsure' rows are neither value; the 7 drafts are filtered out
    assert (source["positives"], source["negatives"], source["skipped"]) == (N_DOCS, N_DOCS, 12)
    held = metrics["counts"]["held_out"]
    assert held["groups"] == held["positives"] == held["negatives"]  # each family is one pair, kept together
    assert metrics["roc_auc"] > 0.8


def test_label_column_without_negative_values_counts_every_other_value_as_bad(corpus, tmp_path):
    rc, metrics = _train(
        tmp_path, "m", "--labelled", corpus.path("labelled.jsonl"), "--label-column", "quality",
        "--positive-values", "good",
    )  # fmt: skip
    assert rc == 0
    (source,) = metrics["data"]["sources"]
    assert (source["positives"], source["negatives"], source["skipped"]) == (N_DOCS + 7, N_DOCS + 5, 0)


def test_quantize_writes_a_small_ftz_and_both_aucs(corpus, tmp_path):
    args = ["--positives", corpus.path("good.parquet"), "--negatives", corpus.path("bad.jsonl"), "--quantize"]
    rc, metrics = _train(tmp_path, "q", *args)
    assert rc == 0
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == [
        "MODEL_CARD.md",
        "metrics.json",
        "model.ftz",
    ]
    assert metrics["model"]["file"] == "model.ftz"
    assert metrics["unquantized"]["model"]["file"] == "model.bin"
    assert metrics["model"]["bytes"] < metrics["unquantized"]["model"]["bytes"] / 4
    assert abs(metrics["roc_auc"] - metrics["unquantized"]["roc_auc"]) < 0.05
    rc, _ = _train(tmp_path, "k", *args, "--keep-bin")
    assert {p.name for p in (tmp_path / "k").iterdir()} >= {"model.bin", "model.ftz"}


def test_inputs_and_output_on_an_fsspec_store(corpus):
    import fsspec

    fs = fsspec.filesystem("memory")
    for name in ("good.parquet", "bad.jsonl"):
        fs.pipe(f"/quality-test/in/{name}", Path(corpus.path(name)).read_bytes())
    try:
        rc = train.main(["--positives", "memory://quality-test/in/good.parquet", "--negatives",
                         "memory://quality-test/in/bad.jsonl", *FAST, "--output", "memory://quality-test/out"])  # fmt: skip
        assert rc == 0
        assert sorted(p.rsplit("/", 1)[-1] for p in fs.ls("/quality-test/out", detail=False)) == [
            "MODEL_CARD.md", "metrics.json", "model.bin"
        ]  # fmt: skip
        metrics = json.loads(fs.cat("/quality-test/out/metrics.json"))
        assert metrics["data"]["sources"][0]["path"] == "memory://quality-test/in/good.parquet"
        assert metrics["counts"]["train"]["positives"] + metrics["counts"]["held_out"]["positives"] == N_DOCS
    finally:
        fs.rm("/quality-test", recursive=True)


def test_evaluate_breaks_down_bad_documents_by_corruption(corpus, tmp_path):
    rc, _ = _train(
        tmp_path, "m", "--positives", corpus.path("good.parquet"), "--negatives", corpus.path("bad.jsonl")
    )
    assert rc == 0
    out = tmp_path / "evaluation.json"
    argv = ["--model", str(tmp_path / "m" / "model.bin"), "--docs", corpus.path("parts"),
            "--labels", corpus.path("labels.parquet"), "--breakdown-column", "kind", "--output", str(out)]  # fmt: skip
    assert evaluate.main(argv) == 0
    result = json.loads(out.read_text())
    assert (result["good"], result["bad"]) == (N_DOCS, N_DOCS)
    assert set(result["by_kind"]) == set(CORRUPTIONS)
    assert sum(k["n"] for k in result["by_kind"].values()) == N_DOCS
    assert 0.5 < result["roc_auc"] <= 1.0 and 0.0 <= result["good_below_threshold"] <= 1.0


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--positives", "MISSING.parquet", "--negatives", "{bad}"], "MISSING.parquet: no such file"),
        (["--positives", "{good}", "--negatives", "{bad}", "--text-column", "body"], "no column 'body'"),
        (["--positives", "{good}"], "no negative documents"),
        (
            ["--labelled", "{labelled}", "--label-column", "quality", "--positive-values", "nothing"],
            "no positive documents",
        ),  # fmt: skip
        (["--labelled", "{labelled}", "--positive-values", "good"], "needs --label-column"),
        (
            ["--labelled", "{labelled}", "--label-column", "grade", "--positive-values", "good"],
            "no column 'grade'",
        ),
        (["--positives", "{good}", "--negatives", "{bad}", "--where", "is_code"], "COLUMN=VALUE"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_exit_2(corpus, tmp_path, capsys, args, message):
    paths = {
        "good": corpus.path("good.parquet"),
        "bad": corpus.path("bad.jsonl"),
        "labelled": corpus.path("labelled.jsonl"),
    }
    rc, _ = _train(tmp_path, "m", *[a.format(**paths) for a in args])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err and err.startswith("curate train-quality: error:") and err.count("\n") == 1
    assert not (tmp_path / "m" / "model.bin").exists()


def test_diverging_training_is_a_clear_error(corpus, tmp_path, capsys):
    rc = train.main(["--positives", corpus.path("good.parquet"), "--negatives", corpus.path("bad.jsonl"),
                     "--lr", "1e9", "--epoch", "2", "--dim", "8", "--bucket", "1000", "--output", str(tmp_path / "m")])  # fmt: skip
    assert rc == 2
    assert "lower --lr" in capsys.readouterr().err


def test_help_describes_the_inputs(capsys):
    with pytest.raises(SystemExit) as exit_info:
        train.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in (
        "--positives",
        "--labelled",
        "--label-column",
        "--group-column",
        "--held-out",
        "--quantize",
        "--output",
    ):
        assert flag in text


# --- the shipped default model -------------------------------------------------------------------------


DEFAULT_DIR = Path(__file__).resolve().parent.parent / "quality_models" / "default"


def test_default_model_is_shipped_small_with_its_metrics_and_card():
    import hashlib

    metrics = json.loads((DEFAULT_DIR / "metrics.json").read_text())
    model = DEFAULT_DIR / metrics["model"]["file"]
    assert model.name == "model.ftz" and model.stat().st_size < 5_000_000
    assert hashlib.sha256(model.read_bytes()).hexdigest() == metrics["model"]["sha256"]
    assert metrics["labels"] == ["__label__hq", "__label__lq"] and metrics["reproducible"]
    assert abs(metrics["roc_auc"] - metrics["unquantized"]["roc_auc"]) < 0.005
    evaluation = json.loads((DEFAULT_DIR / "evaluation.json").read_text())
    assert evaluation["roc_auc"] > 0.9 and set(evaluation["by_corruption"]) >= {"boilerplate", "mojibake"}
    card = (DEFAULT_DIR / "MODEL_CARD.md").read_text()
    assert metrics["model"]["sha256"] in card and "## Limitations" in card and "## Intended use" in card


def test_default_model_recipe_uses_valid_flags():
    from quality_models.build_default import training_argv
    from quality_models.options import build_parser

    args = build_parser().parse_args(training_argv("corpus", "out"))
    assert args.labelled == ["corpus/crawl"] and args.join == ["corpus/labels.parquet"]
    assert args.where == ["is_code=false"] and args.group_column == "dup_cluster" and args.quantize


def test_default_model_separates_prose_from_junk_it_was_not_trained_on(corpus):
    # other source text (package descriptions and licences) and junk made differently from the bench's
    result = evaluate.evaluate(
        str(DEFAULT_DIR / "model.ftz"),
        [corpus.path("parts")],
        [corpus.path("labels.parquet")],
        breakdown_column="kind",
    )
    assert result["roc_auc"] > 0.85
    assert result["by_kind"]["boilerplate"]["below_threshold"] > 0.9
    assert result["by_kind"]["symbol_soup"]["below_threshold"] > 0.9
