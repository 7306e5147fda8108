"""langid: the real lid.176 model on real sentences, through the stage contract and through Spark."""

from __future__ import annotations

import json
import os
import shutil

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.assets import asset_path
from jobs.pipeline import folder_input, run_stage_on_folder
from jobs.runner import StageSpec
from jobs.text.langid import (
    guess_code_language,
    language_decisions,
    load_count,
    load_model,
    model_input,
    predict_languages,
)
from schemas.langid import LangidSettings

SENTENCES = {
    "en": "The committee met on Tuesday to discuss the new budget. Most members agreed that the "
    "library should stay open longer during the winter months.",
    "de": "Der Ausschuss hat sich am Dienstag getroffen, um den neuen Haushalt zu besprechen. Die meisten "
    "Mitglieder waren der Meinung, dass die Bibliothek im Winter länger geöffnet bleiben sollte.",
    "fr": "Le comité s'est réuni mardi pour discuter du nouveau budget. La plupart des membres ont estimé "
    "que la bibliothèque devrait rester ouverte plus longtemps pendant les mois d'hiver.",
    "es": "El comité se reunió el martes para hablar del nuevo presupuesto. La mayoría de los miembros "
    "pensó que la biblioteca debería abrir más horas durante los meses de invierno.",
    "ru": "Комитет собрался во вторник, чтобы обсудить новый бюджет. Большинство членов согласились, что "
    "библиотека должна работать дольше в зимние месяцы.",
    "zh": "委员会星期二开会讨论了新的预算。大多数成员认为，图书馆在冬季应该延长开放时间。",
    "ja": "委員会は火曜日に新しい予算について話し合いました。ほとんどの委員は、冬の間は図書館の開館時間を"
    "延ばすべきだと考えています。",
    "ar": "اجتمعت اللجنة يوم الثلاثاء لمناقشة الميزانية الجديدة. ووافق معظم الأعضاء على أن المكتبة يجب أن "
    "تبقى مفتوحة لفترة أطول خلال أشهر الشتاء.",
}
PYTHON_FILE = (
    "#!/usr/bin/env python3\nimport sys\n\n\ndef main():\n    print(sys.argv[1:])\n\n\n"
    'if __name__ == "__main__":\n    main()\n'
)
GO_FILE = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tname := "x"\n\tfmt.Println(name)\n}\n'
# Neither language scores high: lid.176 splits its probability between several labels.
MIXED = "ok 123 456 ### --- ok ok"


@pytest.fixture(scope="module")
def model_path() -> str:
    return str(asset_path("lid.176.ftz"))


# -- pure functions ----------------------------------------------------------------------------------


def test_real_sentences_get_their_language_in_one_batch(model_path):
    langs = list(SENTENCES)
    labels, scores = predict_languages(load_model(model_path), [SENTENCES[k] for k in langs])
    assert labels == langs
    assert all(0.65 <= s <= 1.0 for s in scores), scores


def test_newlines_are_fed_as_spaces_and_long_text_is_cut(model_path):
    assert model_input("a\nb\nc", None) == "a b c"
    assert model_input("abc\ndef", 5) == "abc d"
    text = SENTENCES["de"].replace(". ", ".\n") * 200  # ~40k chars over many lines
    labels, scores = predict_languages(load_model(model_path), [text], max_chars=1000)
    assert labels == ["de"] and scores[0] > 0.9
    assert predict_languages(load_model(model_path), []) == ([], [])


def test_same_labels_and_scores_as_datatrove_language_filter(model_path):
    from datatrove.data import Document
    from datatrove.pipeline.filters.language_filter import LanguageFilter
    from fasttext.FastText import _FastText

    texts = [*SENTENCES.values(), MIXED, "Ein kurzer Satz.\nAnd a short English one."]
    reference = LanguageFilter(languages=None)  # threshold 0.65, as FineWeb runs it
    reference.model._model = _FastText(model_path)  # its own download is not reachable offline
    ours, our_scores = predict_languages(load_model(model_path), texts)
    _, decisions = language_decisions(ours, our_scores, threshold=0.65)
    for text, label, score, rule in zip(texts, ours, our_scores, decisions, strict=True):
        doc = Document(text=text, id="x")
        kept = reference.filter(doc)
        assert doc.metadata["language"] == label
        # the same probability; ours clipped to 1 (fastText's softmax can return 1.00001)
        assert min(1.0, doc.metadata["language_score"]) == pytest.approx(score, abs=1e-6)
        assert kept == (rule is None)
    assert decisions.count("low_score") >= 1  # the suite above really compared a rejection


def test_decisions_per_language_thresholds_keep_list_and_undetermined():
    labels, scores = ["en", "sr", "de", "fr"], [0.7, 0.5, 0.95, 0.99]
    assert language_decisions(labels, scores, 0.65) == (labels, [None, "low_score", None, None])
    assert language_decisions(labels, scores, 0.65, {"sr": 0.4, "en": 0.8}) == (
        labels,
        ["low_score", None, None, None],
    )
    assert language_decisions(labels, scores, 0.65, keep_languages=["en", "sr", "de"])[1] == [
        None,
        "low_score",
        None,
        "language_not_kept",
    ]
    assert language_decisions(labels, scores, 0.65, {"en": 0.8}, ["de"], "keep_as_undetermined") == (
        ["und", "und", "de", "fr"],
        [None, None, None, "language_not_kept"],
    )


def test_code_language_from_path_shebang_and_content():
    assert guess_code_language("x = 1\n", "pkg/tool.py") == "python"
    assert guess_code_language(PYTHON_FILE) == "python"  # shebang
    assert guess_code_language(GO_FILE) == "go"
    assert guess_code_language('#include <stdio.h>\n\nint main(void) {\n  printf("hi");\n}\n') == "c"
    cpp = "#include <vector>\n\nnamespace x {\nstd::vector<int> v;\n}\n"
    assert guess_code_language(cpp) == "cpp"
    perl = "use strict;\nuse warnings;\nmy $n = shift;\nprint $n;\n"
    assert guess_code_language(perl) == "perl"
    assert guess_code_language(SENTENCES["en"]) is None


def test_model_from_s3_url_is_copied_and_loaded_once(s3_endpoint, model_path):
    fs = fsspec.filesystem("s3", client_kwargs={"endpoint_url": s3_endpoint})
    fs.mkdir("models")
    fs.put_file(model_path, "models/lid.176.ftz")
    url = "s3://models/lid.176.ftz"
    first = load_model(url)
    assert load_model(url) is first and load_count(url) == 1
    assert predict_languages(first, [SENTENCES["fr"]])[0] == ["fr"]


# -- the stage through Spark -------------------------------------------------------------------------


def _write(folder, rows: list[dict]):
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-0.parquet")
    return folder


def _outputs(out) -> tuple[dict, dict, dict]:
    manifest = json.loads((out / "_manifest.json").read_text())
    rows = {"kept": {}, "rejected": {}}
    for f in manifest["files"]:
        for r in pq.read_table(out / f["file"]).to_pylist():
            rows[f["output"]][r["id"]] = r
    return rows["kept"], rows["rejected"], manifest


def _run(spark, data, out, **settings):
    spec = StageSpec.load("langid", LangidSettings(**settings))
    run_stage_on_folder(lambda: spark, spec, folder_input(fsspec.filesystem("file"), str(data)), str(out))
    return _outputs(out)


def _documents() -> list[dict]:
    docs = [
        {"id": lang, "text": text, "source": "web", "kind": "text", "path": None, "code_lang": None}
        for lang, text in SENTENCES.items()
    ]
    docs += [
        {"id": "mixed", "text": MIXED, "source": "web", "kind": "text", "path": None, "code_lang": None},
        {
            "id": "task",
            "text": SENTENCES["fr"],
            "source": "t",
            "kind": "task",
            "path": None,
            "code_lang": None,
        },
        # code: kept whatever its natural language; code_lang kept from ingest or guessed
        {"id": "go", "text": GO_FILE, "source": "src", "kind": "code", "path": "main", "code_lang": None},
        {
            "id": "py",
            "text": PYTHON_FILE,
            "source": "src",
            "kind": "code",
            "path": "a/b",
            "code_lang": "python",
        },
        {"id": "rs", "text": "// x\n", "source": "src", "kind": "code", "path": "x.rs", "code_lang": None},
        # a Go file in a web crawl: scores low as prose, reads as code
        {"id": "crawled", "text": GO_FILE, "source": "web", "kind": "text", "path": None, "code_lang": None},
    ]
    return docs


def test_stage_keeps_languages_rejects_low_scores_and_never_drops_code(spark, tmp_path):
    data = _write(tmp_path / "in", _documents())
    kept, rejected, manifest = _run(spark, data, tmp_path / "out", keep_languages=["en", "de", "fr", "ja"])
    assert sorted(kept) == ["crawled", "de", "en", "fr", "go", "ja", "py", "rs", "task"]
    assert {k: r["reject_reason"] for k, r in rejected.items()} == {
        "mixed": "langid:low_score",
        "es": "langid:language_not_kept",
        "ru": "langid:language_not_kept",
        "zh": "langid:language_not_kept",
        "ar": "langid:language_not_kept",
    }
    assert rejected["ru"]["lang"] == "ru" and rejected["ru"]["reject_stage"] == "langid"
    assert {k: kept[k]["lang"] for k in ("en", "de", "fr", "ja", "task")} == {
        "en": "en",
        "de": "de",
        "fr": "fr",
        "ja": "ja",
        "task": "fr",
    }
    assert all(0.65 <= kept[k]["lang_score"] <= 1 for k in ("en", "de", "fr", "ja"))
    assert {
        k: (kept[k]["lang"], kept[k]["lang_score"], kept[k]["code_lang"]) for k in ("go", "py", "rs")
    } == {
        "go": (None, None, "go"),  # from content
        "py": (None, None, "python"),  # kept from ingest
        "rs": (None, None, "rust"),  # from the path
    }
    assert (kept["crawled"]["kind"], kept["crawled"]["code_lang"], kept["crawled"]["lang"]) == (
        "code",
        "go",
        None,
    )
    assert manifest["counters"]["rejected_by_reason"] == {
        "langid:language_not_kept": 4,
        "langid:low_score": 1,
    }
    assert manifest["stats"]["languages"]["(code)"] == 4
    assert manifest["validation"]["langid.kept"]["success"]


def test_per_language_threshold_and_keep_as_undetermined(spark, tmp_path):
    data = _write(tmp_path / "in", _documents())
    labels, scores = predict_languages(load_model(str(asset_path("lid.176.ftz"))), [SENTENCES["es"]])
    kept, rejected, _ = _run(
        spark,
        data,
        tmp_path / "out",
        thresholds={"es": min(1.0, scores[0] + 0.001)},  # just above what the Spanish text scores
        low_score_action="keep_as_undetermined",
        code_from_content=False,
    )
    assert labels == ["es"] and not rejected
    assert kept["es"]["lang"] == "und" and kept["es"]["lang_score"] == pytest.approx(scores[0])
    assert kept["mixed"]["lang"] == "und"
    assert (kept["crawled"]["kind"], kept["crawled"]["lang"]) == ("text", "und")  # not taken for code
    assert kept["de"]["lang"] == "de" and kept["go"]["code_lang"] == "go"


def test_stage_alone_on_parquet_with_only_id_and_text(spark, tmp_path):
    rows = [{"id": k, "text": v} for k, v in SENTENCES.items()]
    data = _write(tmp_path / "in", rows + [{"id": "m", "text": MIXED}, {"id": "script", "text": PYTHON_FILE}])
    kept, rejected, manifest = _run(spark, data, tmp_path / "out")
    assert {k: r["lang"] for k, r in kept.items()} == {**{k: k for k in SENTENCES}, "script": None}
    assert (kept["script"]["kind"], kept["script"]["code_lang"]) == ("code", "python")
    assert list(rejected) == ["m"] and rejected["m"]["reject_reason"] == "langid:low_score"
    assert kept["en"]["kind"] == "text" and kept["en"]["source"] is None
    assert manifest["counters"]["docs_in"] == 10


def test_model_loaded_once_per_worker_not_per_batch(spark, tmp_path, model_path):
    """One partition, many Arrow batches: the worker process loads the model once."""
    import jobs.langid as stage
    from jobs.text import langid as lid

    own_copy = str(tmp_path / "lid-copy.ftz")  # a path no other test loaded: the counter starts at 0
    shutil.copy(model_path, own_copy)
    rows = [{"id": str(i), "text": SENTENCES[k], "kind": "text"} for i, k in enumerate(list(SENTENCES) * 3)]
    docs = stage.conform(spark.createDataFrame(rows).coalesce(1))
    labeller = stage._labeller(LangidSettings(model=own_copy), own_copy, {})

    def with_loads(batches):
        for number, out in enumerate(labeller(batches)):
            yield pa.RecordBatch.from_pydict(
                {
                    "batch": [number] * out.num_rows,
                    "pid": [os.getpid()] * out.num_rows,
                    "loads": [lid.load_count(own_copy)] * out.num_rows,
                }
            )

    previous = spark.conf.get("spark.sql.execution.arrow.maxRecordsPerBatch")
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "4")
    try:
        seen = docs.mapInArrow(with_loads, "batch long, pid long, loads long").collect()
    finally:
        spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", previous)
    assert len(seen) == 24 and len({r.batch for r in seen}) == 6 and len({r.pid for r in seen}) == 1
    assert {r.loads for r in seen} == {1}
