"""Benchmark registry: every published layout expands, reads, honours `fields=` and names its errors.

Fixtures under tests/fixtures/benchmarks/<format>/ are invented items in each release's layout.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

import fsspec
import pytest

from jobs.benchmarks import (
    FORMATS,
    BenchmarkFormatError,
    BenchmarkItem,
    expand_benchmark,
    read_benchmark_file,
)

FIXTURES = Path(__file__).parent / "fixtures" / "benchmarks"
SHARED_REFERENCE = Path(__file__).parents[2] / "shared" / "bench" / "corpus-20k" / "benchmarks.parquet"


def relative(paths: list[str]) -> list[str]:
    return [Path(p).relative_to(FIXTURES).as_posix() for p in paths]


def read_all(fmt: str, files: list[str], **kwargs) -> list[BenchmarkItem]:
    return [item for path in files for item in read_benchmark_file(fmt, path, **kwargs)]


def by_id(items: list[BenchmarkItem]) -> dict[str, BenchmarkItem]:
    return {item.bench_id: item for item in items}


@dataclass(frozen=True)
class Case:
    format: str
    files: list[str]  # what expanding FIXTURES/<format> finds, relative to FIXTURES
    ids: list[str]  # every item of those files, in order
    item: BenchmarkItem  # one item in full (default fields)
    override: tuple[str, list[str], str, str]  # a file, fields=, an id in it, its text then
    malformed: tuple[str, bytes, str]  # file name (in its layout), content, place named in the error


CASES = [
    Case(
        "mmlu",
        ["mmlu/data/dev/astronomy_dev.csv", "mmlu/data/test/abstract_algebra_test.csv"],
        [
            "mmlu/astronomy/dev/0",
            "mmlu/astronomy/dev/1",
            "mmlu/abstract_algebra/test/0",
            "mmlu/abstract_algebra/test/1",
            "mmlu/abstract_algebra/test/2",
        ],
        BenchmarkItem(
            "mmlu/abstract_algebra/test/2",
            "mmlu",
            "abstract_algebra",
            'A "toy" quotient ring: what is the\norder of Z/15Z?\n3\n5\n15\n30',
            "15",
        ),
        (
            "mmlu/data/dev/astronomy_dev.csv",
            ["question", "answer"],
            "mmlu/astronomy/dev/1",
            "What colour does the imaginary star Velor shine?\nViolet",
        ),
        ("data/test/broken_test.csv", b"Q one?,a,b,c,d,A\nQ two?,a,b,c,d,E\n", "row 2"),
    ),
    Case(
        "bigbench",
        [
            "bigbench/benchmark_tasks/paint_mixing/task.json",
            "bigbench/benchmark_tasks/story_endings/task.json",
            "bigbench/benchmark_tasks/story_endings/two_choices/task.json",
            "bigbench/benchmark_tasks/word_flipping/task.json",
        ],
        [
            "bigbench/paint_mixing/0",
            "bigbench/paint_mixing/1",
            "bigbench/story_endings:two_choices/0",
            "bigbench/word_flipping/0",
            "bigbench/word_flipping/1",
        ],
        BenchmarkItem(
            "bigbench/paint_mixing/1",
            "bigbench",
            "paint_mixing",
            "Mixing the fixture paints snow and coal gives which colour?\nbright pink\nslate grey",
            "slate grey",
        ),
        (
            "bigbench/benchmark_tasks/word_flipping/task.json",
            ["input"],
            "bigbench/word_flipping/1",
            "Flip the letters of the word pebble.",
        ),
        (
            "benchmark_tasks/broken/task.json",
            b'{"examples": [{"input": "a", "target": "b"}, {"input": "c"}]}',
            "examples[1]",
        ),
    ),
    Case(
        "bbh",
        ["bbh/bbh/boolean_puzzles.json", "bbh/bbh/calendar_math.json"],
        ["bbh/boolean_puzzles/0", "bbh/boolean_puzzles/1", "bbh/calendar_math/0"],
        BenchmarkItem(
            "bbh/boolean_puzzles/1",
            "bbh",
            "boolean_puzzles",
            "( False or not True ) and True is\nFalse",
            "False",
        ),
        (
            "bbh/bbh/boolean_puzzles.json",
            ["input"],
            "bbh/boolean_puzzles/0",
            "not ( True and False ) or False is",
        ),
        ("bbh/broken.json", b'{"examples": [{"input": "x", "target": "y"}, {"input": "z"}]}', "examples[1]"),
    ),
    Case(
        "gsm8k",
        ["gsm8k/grade_school_math/data/test.jsonl", "gsm8k/grade_school_math/data/train.jsonl"],
        ["gsm8k/test/0", "gsm8k/test/1", "gsm8k/train/0"],
        BenchmarkItem(
            "gsm8k/test/1",
            "gsm8k",
            None,
            "A ferry carries 12 bikes per trip. How many trips carry 60 bikes?\n60/12=<<60/12=5>>5 trips.\n#### 5",
            "5",
        ),
        (
            "gsm8k/grade_school_math/data/test.jsonl",
            ["question"],
            "gsm8k/test/1",
            "A ferry carries 12 bikes per trip. How many trips carry 60 bikes?",
        ),
        (
            "data/test.jsonl",
            b'{"question": "q", "answer": "a\\n#### 1"}\n{"question": "q2", "answ\n',
            "line 2",
        ),
    ),
    Case(
        "mgsm",
        ["mgsm/mgsm_de.tsv", "mgsm/mgsm_fr.tsv"],
        ["mgsm/de/0", "mgsm/de/1", "mgsm/fr/0"],
        BenchmarkItem(
            "mgsm/fr/0",
            "mgsm",
            "fr",
            "Paul plante 4 rangées de 9 tulipes. Combien de tulipes a-t-il plantées ?",
            "36",
        ),
        (
            "mgsm/mgsm_de.tsv",
            ["question", "answer"],
            "mgsm/de/1",
            "Ein Zug hat 7 Wagen mit je 20 Plätzen. Wie viele Plätze hat der Zug?\n140",
        ),
        ("mgsm_xx.tsv", b"Frage eins?\t3\nFrage zwei ohne Antwort\n", "line 2"),
    ),
    Case(
        "tydiqa",
        ["tydiqa/tydiqa-goldp-v1.1-dev.json"],
        [
            "tydiqa/english--1111111111111111111-0",
            "tydiqa/english-2222222222222222222-0",
            "tydiqa/finnish-3333333333333333333-0",
        ],
        BenchmarkItem(
            "tydiqa/finnish-3333333333333333333-0",
            "tydiqa",
            "finnish",
            "Kuusilampi on pieni järvi, jonka rannalla kasvaa vanha kuusimetsä.\nMitä Kuusilammen rannalla kasvaa?",
            "vanha kuusimetsä",
        ),
        (
            "tydiqa/tydiqa-goldp-v1.1-dev.json",
            ["question", "answers"],
            "tydiqa/english-2222222222222222222-0",
            "When was the Velor lighthouse painted green?\n1931",
        ),
        (
            "tydiqa-goldp-v1.1-train.json",
            b'{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "english-1-0", "answers": []}]}]}]}',
            "data[0].paragraphs[0].qas[0]",
        ),
    ),
    Case(
        "xcopa",
        ["xcopa/data/et/test.et.jsonl", "xcopa/data/it/val.it.jsonl"],
        ["xcopa/et/test/1", "xcopa/et/test/2", "xcopa/it/val/1"],
        BenchmarkItem(
            "xcopa/it/val/1",
            "xcopa",
            "it",
            "La torta era bruciata.\nIl forno era spento.\nIl forno era troppo caldo.",
            "Il forno era troppo caldo.",
        ),
        (
            "xcopa/data/et/test.et.jsonl",
            ["premise", "question"],
            "xcopa/et/test/2",
            "Koer haukus öösel kõvasti.\neffect",
        ),
        (
            "test.xx.jsonl",
            b'{"premise": "p", "choice1": "a", "question": "cause", "label": 0, "idx": 1}\n',
            "line 1",
        ),
    ),
    Case(
        "xlwic",
        [
            "xlwic/xlwic_datasets/wic_english/train_en.txt",
            "xlwic/xlwic_datasets/xlwic_wikt/german_de/de_test_data.txt",
            "xlwic/xlwic_datasets/xlwic_wikt/german_de/de_valid.txt",
        ],
        ["xlwic/train_en/0", "xlwic/de_test_data/0", "xlwic/de_valid/0", "xlwic/de_valid/1"],
        BenchmarkItem(
            "xlwic/de_valid/1",
            "xlwic",
            "de",
            "Wir laufen jeden Morgen.\nDie Verhandlungen laufen noch.",
            None,
        ),
        (
            "xlwic/xlwic_datasets/xlwic_wikt/german_de/de_valid.txt",
            ["target_word", "example1"],
            "xlwic/de_valid/1",
            "laufen\nWir laufen jeden Morgen.",
        ),
        ("fr_valid.txt", b"mot\tN\t0\t3\t0\t3\tun mot.\tdeux mots.\t1\nmot\tN\tun mot.\n", "line 2"),
    ),
    Case(
        "lambada",
        [
            "lambada/lambada-dataset/lambada_development_plain_text.txt",
            "lambada/lambada-dataset/lambada_test_plain_text.txt",
            "lambada/openai/lambada_test.jsonl",
        ],
        [
            "lambada/lambada_development_plain_text/0",
            "lambada/lambada_test_plain_text/0",
            "lambada/lambada_test_plain_text/1",
            "lambada/lambada_test/0",
            "lambada/lambada_test/1",
        ],
        BenchmarkItem(
            "lambada/lambada_test/0",
            "lambada",
            None,
            "He set the kettle on the stove and waited for the water to\nboil",
            "boil",
        ),
        (
            "lambada/openai/lambada_test.jsonl",
            ["context"],
            "lambada/lambada_test/1",
            "After three long winters the village finally rebuilt its",
        ),
        ("lambada_test_plain_text.txt", b"a passage with a last word\nalone\n", "line 2"),
    ),
    Case(
        "race",
        ["race/RACE/dev/middle/7.txt", "race/RACE/test/high/1.txt"],
        ["race/dev/middle7/0", "race/test/high1/0", "race/test/high1/1"],
        BenchmarkItem(
            "race/test/high1/1",
            "race",
            "high",
            "Ansel kept the light on the rocky point for forty years. Every night he climbed the stairs, and the "
            "beam warned the boats of fog and storms alike.\nWhat did the lighthouse warn about?\nthe fog\n"
            "the storm\nthe boats\nall of the above",
            "all of the above",
        ),
        (
            "race/RACE/dev/middle/7.txt",
            ["question", "options"],
            "race/dev/middle7/0",
            "Why did Lucy stay indoors on Sunday?\nbecause it rained\nbecause it snowed\nbecause she was ill\n"
            "because of a holiday",
        ),
        (
            "RACE/test/high/9.txt",
            b'{"article": "a", "questions": ["q"], "options": [["x", "y"]], "answers": ["F"], "id": "high9.txt"}',
            "questions[0]",
        ),
    ),
    Case(
        "hellaswag",
        ["hellaswag/hellaswag_test.jsonl", "hellaswag/hellaswag_val.jsonl"],
        ["hellaswag/test/3", "hellaswag/val/14", "hellaswag/val/15"],
        BenchmarkItem(
            "hellaswag/val/15",
            "hellaswag",
            None,
            "Two children run across a windy field. the kite\nsinks into the ground.\n"
            "climbs into the sky and dances in the wind.\nturns into a bicycle.\nreads a book.",
            "climbs into the sky and dances in the wind.",
        ),
        (
            "hellaswag/hellaswag_test.jsonl",
            ["activity_label", "ctx"],
            "hellaswag/test/3",
            "Raking leaves\nA woman holds a rake in a yard full of leaves. she",
        ),
        ("hellaswag_val.jsonl", b'{"ind": 1, "ctx": "c", "endings": "not a list", "label": 0}\n', "line 1"),
    ),
    Case(
        "arc",
        [
            "arc/ARC-V1-Feb2018-2/ARC-Challenge/ARC-Challenge-Test.jsonl",
            "arc/ARC-V1-Feb2018-2/ARC-Easy/ARC-Easy-Dev.jsonl",
        ],
        ["arc/Fixture_1001", "arc/Fixture_1002", "arc/Fixture_2001"],
        BenchmarkItem(
            "arc/Fixture_2001",
            "arc",
            "ARC-Easy",
            "What does a fixture thermometer measure?\nmass\ntemperature\nlength\nspeed",
            "temperature",
        ),
        (
            "arc/ARC-V1-Feb2018-2/ARC-Challenge/ARC-Challenge-Test.jsonl",
            ["question"],
            "arc/Fixture_1002",
            "A seed in a dark cupboard sprouts pale. What is it missing?",
        ),
        ("ARC-Easy-Test.jsonl", b'{"id": "x", "question": "a plain string", "answerKey": "A"}\n', "line 1"),
    ),
    Case(
        "humaneval",
        ["humaneval/data/HumanEval.jsonl.gz"],
        ["humaneval/0", "humaneval/1"],
        BenchmarkItem(
            "humaneval/0",
            "humaneval",
            None,
            'def add_fixture(a: int, b: int) -> int:\n    """ Add two numbers for the fixture.\n'
            '    >>> add_fixture(2, 3)\n    5\n    """\n\n    return a + b\n',
            "    return a + b\n",
        ),
        (
            "humaneval/data/HumanEval.jsonl.gz",
            ["test"],
            "humaneval/1",
            "def check(candidate):\n    assert candidate('hi') == 'HI!'\n",
        ),
        (
            "HumanEval.jsonl.gz",
            gzip.compress(
                b'{"task_id": "HumanEval/0", "prompt": "def f():\\n", "test": "", "entry_point": "f"}\n'
            ),
            "line 1",
        ),
    ),
    Case(
        "glue",
        [
            "glue/glue_data/CoLA/dev.tsv",
            "glue/glue_data/CoLA/test.tsv",
            "glue/glue_data/MNLI/dev_matched.tsv",
            "glue/glue_data/MRPC/dev.tsv",
            "glue/glue_data/QNLI/dev.tsv",
            "glue/glue_data/QQP/dev.tsv",
            "glue/glue_data/RTE/dev.tsv",
            "glue/glue_data/SST-2/dev.tsv",
            "glue/glue_data/STS-B/dev.tsv",
            "glue/glue_data/WNLI/dev.tsv",
        ],
        [
            "glue/cola/dev/0",
            "glue/cola/dev/1",
            "glue/cola/test/0",
            "glue/mnli/dev_matched/0",
            "glue/mrpc/dev/0",
            "glue/qnli/dev/0",
            "glue/qqp/dev/0",
            "glue/rte/dev/0",
            "glue/sst-2/dev/0",
            "glue/sts-b/dev/0",
            "glue/wnli/dev/0",
        ],
        BenchmarkItem(
            "glue/mrpc/dev/0",
            "glue",
            "mrpc",
            "The council approved the new bridge on Monday .\nOn Monday the council approved the new bridge .",
            None,
        ),
        (
            "glue/glue_data/RTE/dev.tsv",
            ["sentence1"],
            "glue/rte/dev/0",
            "The ferry left at dawn with forty passengers.",
        ),
        (
            "glue_data/RTE/dev.tsv",
            b"index\tsentence1\tsentence2\tlabel\n0\tone sentence\tentailment\n",
            "line 2",
        ),
    ),
    Case(
        "superglue",
        [
            "superglue/AX-b/AX-b.jsonl",
            "superglue/AX-g/AX-g.jsonl",
            "superglue/BoolQ/val.jsonl",
            "superglue/CB/val.jsonl",
            "superglue/COPA/val.jsonl",
            "superglue/MultiRC/val.jsonl",
            "superglue/RTE/val.jsonl",
            "superglue/ReCoRD/val.jsonl",
            "superglue/WSC/val.jsonl",
            "superglue/WiC/val.jsonl",
        ],
        [
            "superglue/ax-b/test/0",
            "superglue/ax-g/test/0",
            "superglue/boolq/val/0",
            "superglue/cb/val/0",
            "superglue/copa/val/0",
            "superglue/multirc/val/0/0",
            "superglue/multirc/val/0/1",
            "superglue/rte/val/0",
            "superglue/record/val/0/0",
            "superglue/wsc/val/0",
            "superglue/wic/val/0",
        ],
        BenchmarkItem(
            "superglue/multirc/val/0/1",
            "superglue",
            "multirc",
            "Ansel kept the lighthouse for forty years. He painted it green in 1931.\n"
            "How long did Ansel keep the lighthouse?\nForty years\nTwo weeks",
            "Forty years",
        ),
        ("superglue/WiC/val.jsonl", ["word"], "superglue/wic/val/0", "light"),
        ("MultiRC/val.jsonl", b'{"idx": 0, "passage": "a bare string"}\n', "line 1"),
    ),
    Case(
        "clue",
        [
            "clue/afqmc_public/dev.json",
            "clue/c3_public/d-dev.json",
            "clue/chid_public/dev.json",
            "clue/cluewsc2020_public/dev.json",
            "clue/cmnli_public/dev.json",
            "clue/cmrc2018_public/dev.json",
            "clue/csl_public/dev.json",
            "clue/iflytek_public/dev.json",
            "clue/ocnli_public/dev.json",
            "clue/tnews_public/dev.json",
        ],
        [
            "clue/afqmc/dev/0",
            "clue/afqmc/dev/1",
            "clue/c3/d-dev/d1-1/0",
            "clue/chid/dev/0/0",
            "clue/chid/dev/0/1",
            "clue/cluewsc2020/dev/5",
            "clue/cmnli/dev/0",
            "clue/cmrc2018/DEV_0_QUERY_0",
            "clue/csl/dev/3",
            "clue/iflytek/dev/0",
            "clue/ocnli/dev/11",
            "clue/tnews/dev/0",
        ],
        BenchmarkItem(
            "clue/c3/d-dev/d1-1/0",
            "clue",
            "c3",
            "男：今天港口开了吗？\n女：开了，船都回来了。\n港口怎么样了？\n开了\n关了\n坏了",
            "开了",
        ),
        ("clue/tnews_public/dev.json", ["keywords"], "clue/tnews/dev/0", "灯塔,音乐节"),
        (
            "afqmc_public/dev.json",
            '{"sentence1": "一", "sentence2": "二"}\n{"sentence1": "三"}\n'.encode(),
            "line 2",
        ),
    ),
    Case(
        "generic",
        ["generic/items.jsonl", "generic/items.parquet"],
        ["toyqa/colors/0", "toyqa/colors/1", "toycode/7"] * 2,
        BenchmarkItem(
            "toycode/7", "toycode", None, "def fixture_double(x):\n\n    return 2 * x\n", "    return 2 * x\n"
        ),
        ("generic/items.parquet", ["text"], "toycode/7", "def fixture_double(x):\n"),
        (
            "items.jsonl",
            b'{"bench_id": "a/1", "benchmark": "a", "text": "t"}\n{"bench_id": "a/2", "benchmark": "a"}\n',
            "line 2",
        ),
    ),
]
CASE_IDS = [case.format for case in CASES]


def test_every_format_has_a_case():
    assert sorted(CASE_IDS) == sorted(FORMATS)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_folder_expands_to_the_release_files(case: Case):
    assert relative(expand_benchmark(case.format, [str(FIXTURES / case.format)])) == case.files


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_items_carry_ids_task_default_text_and_answer(case: Case):
    items = read_all(case.format, [str(FIXTURES / f) for f in case.files])
    assert [item.bench_id for item in items] == case.ids
    assert by_id(items)[case.item.bench_id] == case.item
    assert all(item.text.strip() and item.bench_id.startswith(f"{item.benchmark}/") for item in items)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_fields_override_the_defaults(case: Case):
    path, fields, bench_id, text = case.override
    items = by_id(list(read_benchmark_file(case.format, str(FIXTURES / path), fields=fields)))
    assert items[bench_id].text == text


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_malformed_file_names_file_and_place(case: Case, tmp_path):
    name, content, place = case.malformed
    path = tmp_path / case.format / name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(ValueError) as raised:
        list(read_benchmark_file(case.format, str(path)))
    assert str(path) in str(raised.value) and place in str(raised.value)


def test_generic_parquet_without_required_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"bench_id": ["x/1"], "text": ["t"]}), path)
    with pytest.raises(BenchmarkFormatError, match="benchmark"):
        list(read_benchmark_file("generic", str(path)))


def test_name_overrides_the_benchmark_name():
    items = list(
        read_benchmark_file("mmlu", str(FIXTURES / "mmlu/data/dev/astronomy_dev.csv"), name="mmlu_v2")
    )
    assert [i.bench_id for i in items] == ["mmlu_v2/astronomy/dev/0", "mmlu_v2/astronomy/dev/1"]
    assert {i.benchmark for i in items} == {"mmlu_v2"}
    generic = list(read_benchmark_file("generic", str(FIXTURES / "generic/items.jsonl"), name="toyqa"))
    assert [i.bench_id for i in generic] == ["toyqa/colors/0", "toyqa/colors/1", "toyqa/toycode/7"]


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(ValueError, match="known formats: .*'mmlu'"):
        expand_benchmark("mmlu-pro", [str(FIXTURES)])
    with pytest.raises(ValueError, match="unknown benchmark format"):
        read_benchmark_file("squad", "x.json")


def test_unknown_field_lists_the_loaders_fields_at_the_call():
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['stem'\].*'question', 'choices'"):
        read_benchmark_file("arc", "never-opened.jsonl", fields=["stem"])
    with pytest.raises(ValueError, match="non-empty"):
        read_benchmark_file("arc", "never-opened.jsonl", fields=[])


def test_fields_that_select_nothing_in_a_task_are_an_error():
    with pytest.raises(ValueError, match="select nothing in task 'cola'"):
        list(read_benchmark_file("glue", str(FIXTURES / "glue/glue_data/CoLA/dev.tsv"), fields=["sentence1"]))


def test_suite_file_outside_a_task_folder(tmp_path):
    path = tmp_path / "somewhere" / "val.jsonl"
    path.parent.mkdir()
    path.write_text('{"premise": "p", "hypothesis": "h", "idx": 0}\n')
    with pytest.raises(ValueError, match="known tasks"):
        list(read_benchmark_file("superglue", str(path)))


def test_duplicate_ids_in_a_file_are_an_error(tmp_path):
    path = tmp_path / "test.et.jsonl"
    row = {"premise": "p", "choice1": "a", "choice2": "b", "question": "cause", "label": 0, "idx": 4}
    path.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n")
    with pytest.raises(ValueError, match="line 2: duplicate id 'xcopa/et/test/4'"):
        list(read_benchmark_file("xcopa", str(path)))


def test_undecodable_file_is_named(tmp_path):
    path = tmp_path / "mgsm_xx.tsv"
    path.write_bytes(b"Frage \xff?\t3\n")
    with pytest.raises(ValueError, match="mgsm_xx.tsv: not UTF-8"):
        list(read_benchmark_file("mgsm", str(path)))


def test_expansion_errors_name_the_path(tmp_path):
    missing = str(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="nowhere does not exist"):
        expand_benchmark("mmlu", [missing])
    (tmp_path / "notes.md").write_text("not a CSV")
    with pytest.raises(ValueError, match=f"{tmp_path} holds no files"):
        expand_benchmark("mmlu", [str(tmp_path)])
    with pytest.raises(ValueError, match="no files"):
        expand_benchmark("mmlu", [str(tmp_path / "*.csv")])


def test_globs_filter_and_named_files_are_always_kept():
    found = expand_benchmark("mmlu", [str(FIXTURES / "mmlu/data/*/*.csv")])
    assert relative(found) == ["mmlu/data/dev/astronomy_dev.csv", "mmlu/data/test/abstract_algebra_test.csv"]
    named = str(FIXTURES / "mmlu/data/auxiliary_train/borrowed.csv")
    assert expand_benchmark("mmlu", [named, named]) == [named]


def test_only_folders_below_the_expanded_path_are_judged(tmp_path):
    """A release's `original/` folder is skipped; a user's folder of that name is not."""
    user_folder = tmp_path / "original" / "RTE"
    user_folder.mkdir(parents=True)
    (user_folder / "dev.tsv").write_bytes((FIXTURES / "glue/glue_data/RTE/dev.tsv").read_bytes())
    assert expand_benchmark("glue", [str(tmp_path / "original")]) == [str(user_folder / "dev.tsv")]


def test_text_follows_the_loaders_order_not_the_callers():
    path = str(FIXTURES / "arc/ARC-V1-Feb2018-2/ARC-Easy/ARC-Easy-Dev.jsonl")
    (default,) = read_benchmark_file("arc", path)
    (reordered,) = read_benchmark_file("arc", path, fields=["choices", "question"])
    assert reordered == default


def test_object_store_urls_expand_and_stream(tmp_path):
    """s3:// and every fsspec URL take the same path; the in-memory filesystem stands in for S3 here."""
    fs = fsspec.filesystem("memory")
    root = f"/bench-{tmp_path.name}"
    try:
        for local in [*(FIXTURES / "mmlu").rglob("*.csv"), FIXTURES / "humaneval/data/HumanEval.jsonl.gz"]:
            fs.pipe(f"{root}/{local.relative_to(FIXTURES).as_posix()}", local.read_bytes())
        mmlu = expand_benchmark("mmlu", [f"memory://{root}/mmlu"])
        assert mmlu == [
            f"memory://{root}/mmlu/data/dev/astronomy_dev.csv",
            f"memory://{root}/mmlu/data/test/abstract_algebra_test.csv",
        ]
        assert [i.bench_id for i in read_all("mmlu", mmlu)][:2] == [
            "mmlu/astronomy/dev/0",
            "mmlu/astronomy/dev/1",
        ]
        (humaneval,) = expand_benchmark("humaneval", [f"memory://{root}/humaneval/*/*.gz"])
        local = list(read_benchmark_file("humaneval", str(FIXTURES / "humaneval/data/HumanEval.jsonl.gz")))
        assert list(read_benchmark_file("humaneval", humaneval)) == local
    finally:
        fs.rm(root, recursive=True)


@pytest.mark.skipif(
    not SHARED_REFERENCE.exists(), reason="the shared labelled corpus is not in this checkout"
)
def test_reads_the_shared_reference_set():
    import pyarrow.parquet as pq

    table = pq.read_table(SHARED_REFERENCE, columns=["bench_id", "text"])
    items = list(read_benchmark_file("generic", str(SHARED_REFERENCE), fields=["text"]))
    assert [i.bench_id for i in items] == table.column("bench_id").to_pylist()
    assert [i.text for i in items] == table.column("text").to_pylist()
    assert {i.benchmark for i in items} <= {i.bench_id.split("/", 1)[0] for i in items}
