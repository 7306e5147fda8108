"""Spark-free dedup helpers: exact keys, URL normalisation, shingles, MinHash, LSH bands, Jaccard."""

from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datasketch import MinHash, MinHashLSH

from jobs.text.dedup.exact import KEY_TYPE, exact_key, exact_keys
from jobs.text.dedup.jaccard import distinct_shingles, pair_jaccard
from jobs.text.dedup.minhash import (
    EMPTY_VALUE,
    band_keys,
    lsh_params,
    minhash_signatures,
    permutations,
)
from jobs.text.dedup.shingles import (
    ShingleBatch,
    reference_shingles,
    reference_tokens,
    shingle_batch,
    shingle_hash,
    token_hash,
    tokenize_batch,
)
from jobs.text.dedup.small import near_duplicate_clusters
from jobs.text.dedup.urls import normalize_url, normalize_urls

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench"
CORPUS_FILE = BENCH / "corpus-20k" / "crawl" / "part-00000.parquet"

# The Universal Declaration of Human Rights (preamble, articles 1 and 2): ~420 words of real prose.
UDHR = """Whereas recognition of the inherent dignity and of the equal and inalienable rights of all
members of the human family is the foundation of freedom, justice and peace in the world,
Whereas disregard and contempt for human rights have resulted in barbarous acts which have outraged
the conscience of mankind, and the advent of a world in which human beings shall enjoy freedom of
speech and belief and freedom from fear and want has been proclaimed as the highest aspiration of
the common people,
Whereas it is essential, if man is not to be compelled to have recourse, as a last resort, to
rebellion against tyranny and oppression, that human rights should be protected by the rule of law,
Whereas it is essential to promote the development of friendly relations between nations,
Whereas the peoples of the United Nations have in the Charter reaffirmed their faith in fundamental
human rights, in the dignity and worth of the human person and in the equal rights of men and women
and have determined to promote social progress and better standards of life in larger freedom,
Whereas Member States have pledged themselves to achieve, in co-operation with the United Nations,
the promotion of universal respect for and observance of human rights and fundamental freedoms,
Whereas a common understanding of these rights and freedoms is of the greatest importance for the
full realization of this pledge,
Now, therefore, The General Assembly proclaims this Universal Declaration of Human Rights as a
common standard of achievement for all peoples and all nations, to the end that every individual and
every organ of society, keeping this Declaration constantly in mind, shall strive by teaching and
education to promote respect for these rights and freedoms and by progressive measures, national and
international, to secure their universal and effective recognition and observance, both among the
peoples of Member States themselves and among the peoples of territories under their jurisdiction.
Article 1. All human beings are born free and equal in dignity and rights. They are endowed with
reason and conscience and should act towards one another in a spirit of brotherhood.
Article 2. Everyone is entitled to all the rights and freedoms set forth in this Declaration,
without distinction of any kind, such as race, colour, sex, language, religion, political or other
opinion, national or social origin, property, birth or other status."""

# One text per behaviour of the tokeniser (each line says which).
TEXTS = [
    UDHR,
    "Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und "
    "Gewissen begabt und sollen einander im Geist der Brüderlichkeit begegnen. Straße, Maß, Öl.",
    "人人生而自由，在尊严和权利上一律平等。他们赋有理性和良心，并应以兄弟关系的精神相对待。",  # Chinese
    "すべての人間は、生れながらにして自由であり、かつ、尊厳と権利とについて平等である。ｶﾀｶﾅ",  # kana
    "มนุษย์ทั้งหลายเกิดมามีอิสระและเสมอภาคกันในเกียรติศักดิ์และสิทธิ",  # Thai: marks are tokens too
    "Unicode 15 and 東京 2024: the café in Zürich (ΟΔΟΣ ΣΑΣ) costs 12,50 € — İstanbul ③ x² snake_case.",
    "!!! ... --- ??? (((*)))",  # punctuation only: no token
    "Hello, world!",  # 2 tokens: one shingle
    "one two three four",  # 4 tokens: one shingle
    "one two three four five",  # exactly 5 tokens
    "",
    None,
    "   \n\t  ",
    "e\u0301te\u0301 NFD versus \u00e9t\u00e9 NFC, ﬁ ligature, ＦＵＬＬ width, ℌ𝔢𝔩𝔩𝔬 math",
    "Всеобщая декларация прав человека: все люди рождаются свободными и равными.",
    "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता प्राप्त है।",  # Devanagari marks split
    "كل الناس يولدون أحرارًا متساوين في الكرامة والحقوق.",
    "ཚང་མ་དབང་ཆ་འདྲ་མཉམ་",  # Tibetan
    "မြန်မာ ភាសាខ្មែរ ພາສາລາວ ㄅㄆㄇ ⺀⺁ 々〆",  # Myanmar, Khmer, Lao, Bopomofo, CJK radicals, iteration marks
]


def _textnorm():
    """The bench corpus' own definition, when the shared bench folder is there."""
    path = BENCH / "textnorm.py"
    if not path.exists():
        pytest.skip(f"{path} not found")
    spec = importlib.util.spec_from_file_location("bench_textnorm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus_sample(rows: int = 600) -> list[str]:
    """Real crawl texts, the non-ASCII ones first (they exercise the Unicode tables)."""
    if not CORPUS_FILE.exists():
        pytest.skip(f"{CORPUS_FILE} not found")
    texts = pq.ParquetFile(CORPUS_FILE).read_row_group(0, columns=["text"]).column("text").to_pylist()
    non_ascii = [t for t in texts if t and not t.isascii()]
    return (non_ascii + [t for t in texts if t is None or t.isascii()])[:rows]


def _datasketch_signature(text: str | None, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """datasketch's own MinHash of a text's reference shingles, hashed like ours (low 32 bits)."""
    sketch = MinHash(num_perm=num_perm, seed=seed, hashfunc=lambda b: shingle_hash(b.decode()) & 0xFFFFFFFF)
    sketch.update_batch([s.encode("utf-8") for s in sorted(reference_shingles(text))])
    return sketch.hashvalues


def _edit_words(text: str, every: int) -> str:
    """A near copy: every `every`-th word replaced by a word found nowhere else."""
    words = text.split()
    return " ".join(f"zq{i}x" if i % every == every - 1 else w for i, w in enumerate(words))


# -- exact keys -----------------------------------------------------------------------------------------


def test_exact_keys_equal_for_whitespace_line_ending_and_unicode_copies():
    base = "Der Caf\u00e9 am Fluss.\nZweite Zeile   mit Text."
    copies = [
        base,
        base.replace("\n", "\r\n"),  # CRLF
        base.replace(" ", "\u00a0"),  # no-break spaces
        unicodedata.normalize("NFD", base),
        "  " + base.replace(" ", " \t ") + "\n\n",  # extra spaces, tabs, trailing newlines
        base.replace("\n", "\u2028"),  # Unicode line separator
    ]
    keys = exact_keys(copies)
    assert keys.type == KEY_TYPE
    assert len(set(keys.to_pylist())) == 1
    assert keys.to_pylist() == [exact_key(t) for t in copies]


def test_exact_keys_differ_for_one_word_and_for_case():
    base = "Der Café am Fluss. Zweite Zeile mit Text."
    keys = exact_keys([base, base.replace("Fluss", "Meer"), base.upper()]).to_pylist()
    assert len(set(keys)) == 3


def test_exact_keys_of_null_empty_and_blank_text_are_one_key():
    keys = exact_keys(pa.array([None, "", " \n\t"], pa.string())).to_pylist()
    assert keys[0] == keys[1] == keys[2] == exact_key(None)
    assert keys[0] != exact_key("x")


# -- URLs -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,expected",
    [
        ("HTTP://WWW.Example.COM/Path/", "https://example.com/Path"),
        ("https://example.com:443/a?b=2&a=1#section", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80", "https://example.com/"),
        ("http://example.com:8080/", "https://example.com:8080/"),
        ("https://example.com/?utm_source=x&UTM_Medium=y&fbclid=1&gclid=2&id=7", "https://example.com/?id=7"),
        ("example.com/a/./b/../c/", "https://example.com/a/c"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("http://user:pw@example.com/%7eme/%2f", "https://example.com/~me/%2F"),
        ("http://bücher.example/", "https://xn--bcher-kva.example/"),
        ("ftp://ftp.example.org:21/file", "ftp://ftp.example.org/file"),
        ("http://[2001:db8::1]:8080/x", "https://[2001:db8::1]:8080/x"),
        (None, None),
        ("", None),
        ("   ", None),
        ("mailto:someone@example.com", None),
        ("javascript:void(0)", None),
        ("http://example.com:99999/", None),
        ("http:///no-host", None),
        ("not a url", None),
    ],
)
def test_normalize_url(url, expected):
    assert normalize_url(url) == expected


def test_normalize_urls_batch_equals_one_by_one_and_keeps_nulls():
    urls = ["http://a.example/x/", None, "https://www.a.example/x", "nonsense", "http://a.example/x/"]
    assert normalize_urls(pa.array(urls)).to_pylist() == [normalize_url(u) for u in urls]
    assert normalize_urls(pa.chunked_array([urls[:2], urls[2:]])).to_pylist() == [
        normalize_url(u) for u in urls
    ]


# -- shingles -------------------------------------------------------------------------------------------


def test_reference_tokens_follow_the_definition():
    assert reference_tokens("Hello, WORLD_x 3.14!") == ["hello", "world", "x", "3", "14"]
    assert reference_tokens("東京は2024年") == ["東", "京", "は", "2024", "年"]
    assert reference_tokens("ﬁne ＡＢＣ") == ["fine", "abc"]  # NFKC
    assert reference_tokens("ΟΔΟΣ") == ["οδος"]  # Python's final sigma
    assert reference_tokens("!!! ...") == [] and reference_tokens(None) == []
    assert reference_shingles("one two three") == {"one two three"}
    assert reference_shingles("a b c d e f") == {"a b c d e", "b c d e f"}
    assert reference_shingles("") == set()


def test_reference_definition_equals_the_bench_corpus_textnorm():
    textnorm = _textnorm()
    for text in TEXTS + _corpus_sample(300):
        if text is None:  # textnorm takes str only
            continue
        assert reference_tokens(text) == textnorm.tokens(text)
        assert reference_shingles(text) == textnorm.shingles(text)


def test_batch_tokens_equal_the_reference_tokens():
    batch = tokenize_batch(TEXTS)
    for i, text in enumerate(TEXTS):
        assert batch.tokens[batch.offsets[i] : batch.offsets[i + 1]].to_pylist() == reference_tokens(text), (
            text
        )


def test_batch_tokens_equal_the_reference_on_real_crawl_text():
    texts = _corpus_sample()
    batch = tokenize_batch(texts)
    tokens = batch.tokens.to_pylist()
    for i, text in enumerate(texts):
        assert tokens[batch.offsets[i] : batch.offsets[i + 1]] == reference_tokens(text)


def test_batch_shingle_hashes_are_the_hashes_of_the_reference_shingles():
    batch = shingle_batch(TEXTS)
    assert len(batch) == len(TEXTS) and batch.hashes.dtype == np.uint64
    for i, text in enumerate(TEXTS):
        assert set(batch.of(i).tolist()) == {shingle_hash(s) for s in reference_shingles(text)}, text
    assert batch.counts()[TEXTS.index("Hello, world!")] == 1
    assert batch.counts()[TEXTS.index("")] == 0 and batch.counts()[TEXTS.index(None)] == 0


def test_shingle_hashes_are_pinned_across_processes_and_machines():
    # fixed values: a change of the token hash or of the fold changes every stored signature
    assert token_hash("hello") == 10760762337991515389
    assert shingle_hash("the quick brown fox jumps") == 5886799437770394067
    assert shingle_batch(["The quick, brown fox jumps!"]).hashes.tolist() == [5886799437770394067]
    assert shingle_hash("a b c") != shingle_hash("c b a")  # order matters


def test_shingles_do_not_depend_on_the_batch():
    whole = shingle_batch(TEXTS)
    for split in (1, 7, len(TEXTS) - 1):
        parts = [shingle_batch(TEXTS[:split]), shingle_batch(TEXTS[split:])]
        for i in range(len(TEXTS)):
            part, j = (parts[0], i) if i < split else (parts[1], i - split)
            assert np.array_equal(part.of(j), whole.of(i))
    chunked = shingle_batch(pa.chunked_array([TEXTS[:5], TEXTS[5:]], pa.string()))
    assert np.array_equal(chunked.hashes, whole.hashes) and np.array_equal(chunked.offsets, whole.offsets)


# -- MinHash --------------------------------------------------------------------------------------------


def _minhash_documents() -> list[str | None]:
    words = UDHR.split()
    docs: list[str | None] = list(TEXTS)
    docs += [" ".join(words[i : i + 1 + i % 9]) for i in range(0, 200, 7)]  # 1 to 9 words
    docs += [_edit_words(UDHR, k) for k in (3, 10, 40)]
    return docs


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (112, 1), (64, 42)])
def test_permutations_are_datasketchs(num_perm, seed):
    a, b = permutations(num_perm, seed)
    theirs = MinHash(num_perm=num_perm, seed=seed).permutations
    assert a.dtype == b.dtype == np.uint32
    assert np.array_equal(a, theirs[0]) and np.array_equal(b, theirs[1])


@pytest.mark.parametrize("num_perm,seed", [(128, 1), (112, 1), (64, 42)])
def test_batch_signatures_equal_datasketch_minhash_per_document(num_perm, seed):
    docs = _minhash_documents()
    assert len(docs) >= 50
    signatures = minhash_signatures(shingle_batch(docs), num_perm, seed)
    assert signatures.shape == (len(docs), num_perm) and signatures.dtype == np.uint32
    for i, text in enumerate(docs):
        assert np.array_equal(signatures[i], _datasketch_signature(text, num_perm, seed)), text


def test_signatures_of_documents_without_shingles_are_datasketchs_empty_ones():
    signatures = minhash_signatures(shingle_batch(["", None, "...", "word"]))
    assert (signatures[:3] == EMPTY_VALUE).all()
    assert np.array_equal(signatures[0], MinHash(num_perm=128).hashvalues)
    assert not (signatures[3] == EMPTY_VALUE).all()


def test_signatures_do_not_depend_on_blocks_or_batches():
    docs = _minhash_documents()
    whole = minhash_signatures(shingle_batch(docs))
    assert np.array_equal(whole, minhash_signatures(shingle_batch(docs)))  # same input twice
    # blocks smaller than a document: its pieces' minima are combined
    assert np.array_equal(whole, minhash_signatures(shingle_batch(docs), max_cells=128 * 5))
    for split in (3, 30):
        parts = [
            minhash_signatures(shingle_batch(docs[:split])),
            minhash_signatures(shingle_batch(docs[split:])),
        ]
        assert np.array_equal(whole, np.vstack(parts))


def test_datasketch_estimate_from_our_signatures_tracks_the_true_jaccard_of_near_copies():
    copies = [_edit_words(UDHR, k) for k in (2, 3, 4, 6, 10, 20, 50)]
    batch = shingle_batch([UDHR, *copies])
    signatures = minhash_signatures(batch)
    original = MinHash(num_perm=128, hashvalues=signatures[0], scheme="affine32")
    errors = []
    for i, copy in enumerate(copies, start=1):
        true = len(reference_shingles(UDHR) & reference_shingles(copy)) / len(
            reference_shingles(UDHR) | reference_shingles(copy)
        )
        estimate = original.jaccard(MinHash(num_perm=128, hashvalues=signatures[i], scheme="affine32"))
        errors.append(abs(estimate - true))
    # the estimator's standard error at 128 permutations is at most 0.044
    assert max(errors) < 0.12 and np.mean(errors) < 0.05, errors


# -- LSH ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("threshold,num_perm,weights", [(0.8, 128, (0.5, 0.5)), (0.7, 112, (0.3, 0.7))])
def test_lsh_params_are_datasketchs(threshold, num_perm, weights):
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    assert lsh_params(threshold, num_perm, *weights) == (lsh.b, lsh.r)
    assert lsh.b * lsh.r <= num_perm


def test_band_keys_equal_for_equal_bands_and_different_across_bands():
    rng = np.random.default_rng(0)
    signatures = rng.integers(0, 2**32, size=(4, 128), dtype=np.uint32)
    signatures[1, :8] = signatures[0, :8]  # docs 0 and 1 share band 0 (rows 8)
    signatures[2, :] = np.tile(signatures[2, :8], 16)  # doc 2: the same values in every band
    keys = band_keys(signatures, bands=16, rows=8)
    assert keys.shape == (4, 16) and keys.dtype == np.uint64
    assert keys[0, 0] == keys[1, 0]
    assert (keys[0, 1:] != keys[1, 1:]).all()
    assert len(set(keys[2].tolist())) == 16  # equal values, different bands: different keys
    assert np.array_equal(keys, band_keys(signatures.copy(), 16, 8))
    assert np.array_equal(band_keys(signatures[1:3], 16, 8), keys[1:3])  # per document
    # columns beyond bands * rows are not used, as in datasketch's LSH
    changed = signatures.copy()
    changed[:, 120:] = 0
    assert np.array_equal(band_keys(changed, 15, 8), keys[:, :15])
    with pytest.raises(ValueError):
        band_keys(signatures, 17, 8)


def test_lsh_bands_of_copies_match_and_unrelated_texts_do_not():
    words = UDHR.split()
    one_word_changed = " ".join(words[:200] + ["zqx"] + words[201:])  # J = 0.976
    docs = [UDHR, UDHR.replace("\n", "\r\n  "), one_word_changed, TEXTS[1], TEXTS[14]]
    bands, rows = lsh_params(0.8, 128)
    keys = band_keys(minhash_signatures(shingle_batch(docs)), bands, rows)
    assert (keys[0] == keys[1]).all()
    assert (keys[0] == keys[2]).any()
    assert not (keys[0] == keys[3]).any() and not (keys[0] == keys[4]).any()


# -- Jaccard --------------------------------------------------------------------------------------------


def test_pair_jaccard_equals_the_jaccard_of_the_shingle_strings():
    docs = [
        UDHR,
        *(_edit_words(UDHR, k) for k in (2, 5, 30)),
        TEXTS[1],
        "",
        None,
        "Hello, world!",
        "hello WORLD",
    ]
    batch = shingle_batch(docs)
    left = np.array([0, 0, 0, 0, 1, 5, 5, 7, 0, 3])
    right = np.array([1, 2, 3, 4, 2, 6, 7, 8, 0, 3])
    expected = []
    for i, j in zip(left, right, strict=True):
        a, b = reference_shingles(docs[i]), reference_shingles(docs[j])
        expected.append(1.0 if not a and not b else len(a & b) / len(a | b))
    got = pair_jaccard(batch, left, right)
    assert np.allclose(got, expected, rtol=0, atol=1e-12)
    assert got[5] == 1.0 and got[6] == 0.0 and got[7] == 1.0  # both empty; one empty; case-insensitive
    # chunks of a few pairs, and sets given directly, change nothing
    assert np.array_equal(got, pair_jaccard(batch, left, right, max_elements=50))
    assert np.array_equal(got, pair_jaccard(distinct_shingles(batch), left, right, distinct=True))


def test_distinct_shingles_removes_repeats_per_document():
    batch = ShingleBatch(np.array([5, 3, 5, 3, 9, 1, 1], np.uint64), np.array([0, 4, 4, 7]))
    sets = distinct_shingles(batch)
    assert sets.hashes.tolist() == [3, 5, 1, 9] and sets.offsets.tolist() == [0, 2, 2, 4]


# -- small collections: datasketch's LSH --------------------------------------------------------------


def _brute_force_clusters(texts: list[str], threshold: float) -> list[int]:
    """Components of every pair at Jaccard >= threshold (all pairs, no LSH), first member as label."""
    sets = [reference_shingles(t) for t in texts]
    label = list(range(len(texts)))
    for i in range(len(texts)):
        for j in range(i):
            if len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= threshold:
                old, new = max(label[i], label[j]), min(label[i], label[j])
                label = [new if x == old else x for x in label]
    return label


def test_small_collection_clusters_match_all_pairs():
    fixture = Path(__file__).parent / "fixtures" / "filter_docs.parquet"
    docs = pq.read_table(fixture).to_pylist()
    bases = [d["text"] for d in docs if not d["is_code"] and len(d["text"].split()) > 120][:30]
    texts = bases + [_edit_words(t, 60) for t in bases[:10]] + [bases[3], _edit_words(bases[5], 3)]
    clusters = near_duplicate_clusters(texts, 0.8)
    assert clusters.tolist() == _brute_force_clusters(texts, 0.8)
    assert clusters[30] == 0 and clusters[len(texts) - 2] == 3  # a near and an exact copy found
    assert clusters[len(texts) - 1] == len(texts) - 1  # a third of the words changed: not a copy
