"""Language identification with a fastText LID model, and a content-based guess of a code file's language.

Pure functions (no Spark): the stage calls them once per Arrow batch. A model is loaded once per
process and path (`load_model`), so Spark's Python workers pay the load once, not per batch.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from collections import Counter

from jobs.text.code_langs import language_from_path, language_from_shebang

LABEL_PREFIX = "__label__"

_models: dict[str, object] = {}
_loads: Counter[str] = Counter()  # how many times each path was loaded in this process (tests check 1)
_lock = threading.Lock()


def _local_copy(url: str) -> str:
    """fastText reads models from disk only: a remote model (s3://, any fsspec URL) is copied to a
    local temporary file once per process and URL."""
    import fsspec

    name = hashlib.sha256(url.encode()).hexdigest()[:16] + "-" + os.path.basename(url.rstrip("/"))
    local = os.path.join(tempfile.gettempdir(), f"curate-lid-{os.getpid()}-{name}")
    if not os.path.exists(local):
        partial = local + ".part"
        with fsspec.open(url, "rb") as src, open(partial, "wb") as dst:
            for block in iter(lambda: src.read(1 << 20), b""):
                dst.write(block)
        os.replace(partial, local)
    return local


def load_model(path: str):
    """The fastText model at `path` (local path or fsspec URL), loaded once per process."""
    model = _models.get(path)
    if model is not None:
        return model
    with _lock:
        if path not in _models:
            from fasttext.FastText import _FastText  # load_model() only adds a deprecation warning

            local = path if "://" not in path or path.startswith("file://") else _local_copy(path)
            _models[path] = _FastText(model_path=local.removeprefix("file://"))
            _loads[path] += 1
        return _models[path]


def load_count(path: str) -> int:
    """Times the model at `path` was loaded by this process (1 once used: the cache works)."""
    return _loads[path]


def model_input(text: str, max_chars: int | None) -> str:
    """What the model sees: the first `max_chars` characters, on one line (fastText rejects '\\n')."""
    if max_chars is not None and len(text) > max_chars:
        text = text[:max_chars]
    return text.replace("\n", " ")


def predict_languages(model, texts: list[str], max_chars: int | None = None) -> tuple[list[str], list[float]]:
    """Top label (without `__label__`) and its probability for each text, in one predict call."""
    if not texts:
        return [], []
    labels, probs = model.predict([model_input(t, max_chars) for t in texts], k=1)
    cut = len(LABEL_PREFIX)
    # fastText's softmax can return 1.0000x; scores are probabilities, so clip to [0, 1].
    return [lab[0][cut:] if lab else "und" for lab in labels], [
        min(1.0, float(p[0])) if len(p) else 0.0 for p in probs
    ]


# -- programming language of a code document from its content ---------------------------------------

_M = re.MULTILINE
# (language, weight, pattern): a language's score is the sum of the weights of its patterns found.
_CODE_PATTERNS = [
    ("php", 10, r"<\?php\b"),
    ("php", 2, r"\$this->|\bfunction \w+\(\$|\becho \$|\$_(GET|POST|SERVER)\b"),
    ("python", 3, r"^[ \t]*def \w+\(.*\)\s*(->\s*[\w\[\], .]+)?:\s*(#.*)?$"),
    ("python", 3, r"^[ \t]*from [\w.]+ import [\w*(]"),
    ("python", 2, r"^import [\w.]+( as \w+)?(, [\w.]+)*[ \t]*$"),
    ("python", 2, r"^[ \t]*class \w+(\(.*\))?:[ \t]*$"),
    (
        "python",
        2,
        r"\bself\.\w+|__name__ == .__main__.|^[ \t]*elif .*:[ \t]*$|^[ \t]*except( \w+.*)?:[ \t]*$",
    ),
    ("python", 1, r'^[ \t]*"""|\bNone\b|\bTrue\b|\bFalse\b'),
    ("go", 5, r"^package \w+[ \t]*$"),
    ("go", 4, r"^func (\(\w+ \*?\w+\) )?\w+\(.*\{[ \t]*$"),
    ("go", 2, r"\w+ := |\bfmt\.\w+\(|^import \([ \t]*$|\berr != nil\b"),
    ("rust", 4, r"^[ \t]*(pub(\(crate\))? )?fn \w+(<.*>)?\(.*"),
    (
        "rust",
        3,
        r"\blet mut \w+|^[ \t]*use \w+(::\w+)+|^[ \t]*impl(<.*>)? \w+|#\[derive\(|\w+!\(|&self\b|&mut \w+",
    ),
    ("rust", 2, r"::new\(|\bSome\(|\bOk\(|\bmatch \w+ \{|-> (Self|Result<|Option<)"),
    ("java", 5, r"^package [\w.]+;[ \t]*$"),
    ("java", 4, r"^import (static )?[\w.]+(\.\*)?;[ \t]*$"),
    ("java", 3, r"\bpublic (static |final |abstract )*(class|interface|enum) \w+|\bSystem\.out\.print"),
    ("java", 2, r"@Override\b|\bpublic static void main\(String|\bprivate (static |final )*\w+(<.*>)? \w+;"),
    ("c", 4, r"^[ \t]*#\s*include\s*[<\"][\w/]+\.h[>\"]"),
    ("c", 2, r"^[ \t]*#\s*(define|ifndef|ifdef|endif|pragma)\b"),
    ("c", 2, r"\b(printf|fprintf|malloc|free|memcpy|strlen|sizeof)\s*\(|\bNULL\b"),
    (
        "c",
        2,
        r"^(static )?(unsigned |const )*(int|void|char|long|struct \w+|\w+_t) \**\w+\(.*\)\s*\{?[ \t]*$",
    ),
    ("cpp", 5, r"^[ \t]*#\s*include\s*<\w+>"),
    (
        "cpp",
        4,
        r"\bstd::|\bnamespace \w+|\btemplate\s*<|\bnullptr\b|^[ \t]*(public|private|protected):[ \t]*$",
    ),
    ("cpp", 2, r"\w+::\w+\(|\bcout\b|\bvirtual\b|#\s*include\s*[<\"][\w/]+\.(hpp|hh|hxx)[>\"]"),
    (
        "javascript",
        3,
        r"\bfunction\s*\w*\s*\([^)]*\)\s*\{|\bmodule\.exports\b|\brequire\(['\"][^'\"]+['\"]\)",
    ),
    ("javascript", 2, r"\b(const|let|var) \w+ = |=>|\bconsole\.log\(|\bdocument\.\w+|\bexport default\b"),
    (
        "typescript",
        4,
        r"^[ \t]*(export )?(interface|type) \w+(<.*>)? (=|\{)|\w\??: (string|number|boolean|void|any)(\[\])?[;,)=]",
    ),
    (
        "typescript",
        3,
        r"\b(private|public|protected|readonly) \w+\s*:|\bimplements \w+|\bas (string|number|any)\b",
    ),
    ("ruby", 3, r"^[ \t]*def (self\.)?\w+[?!]?(\(.*\))?[ \t]*$"),
    (
        "ruby",
        3,
        r"^[ \t]*require(_relative)? ['\"][\w/.-]+['\"][ \t]*$|\battr_(accessor|reader|writer)\b|\bdo \|\w+",
    ),
    ("ruby", 2, r"^[ \t]*end[ \t]*$|\belsif\b|\bputs\b|^[ \t]*module \w+[ \t]*$|\.each\b"),
    ("perl", 5, r"^use (strict|warnings);|\bmy [\$@%]\w+"),
    ("perl", 3, r"^[ \t]*sub \w+\s*\{|\$_\b|@ARGV\b|=~ [sm]?/|\bforeach my\b"),
    ("shell", 3, r"^[ \t]*(if|elif|while) \[\[? |\bfi[ \t]*$|\besac\b|; then[ \t]*$|; do[ \t]*$"),
    ("shell", 2, r"^[ \t]*(echo|export|local|source) |\$\{\w+|\$\(\w+|^[ \t]*done[ \t]*$|^\w+=\S"),
]
_COMPILED = [(lang, weight, re.compile(pattern, _M)) for lang, weight, pattern in _CODE_PATTERNS]
# A language extends another: its own markers must be present, else the base language is the guess.
_EXTENDS = {"cpp": "c", "typescript": "javascript"}
_EXTENSION_MIN = 4  # a weak hint (one `::`, `virtual`) does not turn a C file into C++
MIN_CODE_SCORE = 5
LAYOUT_CODE_SCORE = 3  # enough keyword evidence for a document already laid out like code


def code_language_scores(text: str, max_chars: int = 4_000) -> dict[str, int]:
    """Evidence per programming language (sum of the weights of the markers found)."""
    head = text[:max_chars]
    scores: Counter[str] = Counter()
    for lang, weight, pattern in _COMPILED:
        if pattern.search(head):
            scores[lang] += weight
    for lang, base in _EXTENDS.items():  # cpp reads as c, typescript as javascript, plus their own
        if scores[lang] >= _EXTENSION_MIN:
            scores[lang] += scores[base]
        else:
            scores.pop(lang, None)
    return dict(scores)


# A line that reads as code in most languages: ends with ; { } or ):, is a bare `end`, or starts
# with an include, import/use/require, definition, return, control statement, comment marker,
# closing bracket or declaration.
_CODE_LINE = re.compile(
    r"(?:[;{}]|\)\s*:)[ \t]*$|^[ \t]*end[ \t]*$|^[ \t]*(?:#\s*include\b|(?:import|use|require|package) [\w'\":]"
    r"|from [\w.]+ import\b|def \w+|class \w+[(:{ <]|module \w+|sub \w+|function\b|return\b"
    r"|(?:if|for|while) ?\(|//|/\*|\*/|[}\]]|(?:var|let|const|my|local) [\w$@%]+ ?=)"
)
# A sentence on a line of its own (6+ words, starts with a letter, ends with . ! ? or 。), not a comment.
_SENTENCE_LINE = re.compile(r"^[ \t]*[^\W\d_][^\n]*[.!?。][ \t]*$")
_COMMENT_START = ("#", "//", "*", "/*", "--", ";", "%")
MAX_SENTENCE_LINES = 0.1  # source files stay under 0.06 (97th percentile); extraction junk with code is prose


def line_shares(text: str, max_lines: int = 200) -> tuple[float, float]:
    """(share of lines that read as code, share of lines that are sentences) among the first
    non-blank lines: prose ~(0, 0.3+), source files ~(0.5, 0), text with pasted code in between."""
    lines = [line for line in text.split("\n", max_lines)[:max_lines] if line.strip()]
    if not lines:
        return 0.0, 0.0
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    sentences = sum(
        1
        for line in lines
        if _SENTENCE_LINE.match(line)
        and len(line.split()) >= 6
        and not line.lstrip().startswith(_COMMENT_START)
    )
    return code / len(lines), sentences / len(lines)


def reads_as_code(text: str, min_code_lines: float) -> bool:
    """Laid out like a source file: enough code lines and hardly any sentence lines."""
    code, sentences = line_shares(text)
    return code >= min_code_lines and sentences < MAX_SENTENCE_LINES


def guess_code_language(text: str, path: str | None = None, min_score: int = MIN_CODE_SCORE) -> str | None:
    """A code file's language: from its path (extension, file name, shebang), else its content
    (shebang, distinctive keywords); None when the evidence is too weak."""
    first_line = text.split("\n", 1)[0]
    if path:
        lang = language_from_path(path, first_line)
        if lang:
            return lang
    lang = language_from_shebang(first_line)
    if lang:
        return lang
    scores = code_language_scores(text)
    if not scores:
        return None
    best = max(sorted(scores), key=scores.__getitem__)
    return best if scores[best] >= min_score else None


def code_in_text(
    text: str, path: str | None, known: str | None, low_score: bool, min_code_lines: float
) -> str | None:
    """The code language of a `text` document that is really a source file, else None. Looked for
    when its language score is low, or when it is laid out like code (then weaker keyword evidence
    is enough: the layout already says code)."""
    laid_out = reads_as_code(text, min_code_lines)
    if not (low_score or laid_out):
        return None
    return known or guess_code_language(text, path, LAYOUT_CODE_SCORE if laid_out else MIN_CODE_SCORE)


# -- decisions ---------------------------------------------------------------------------------------

UNDETERMINED = "und"


def language_decisions(
    labels: list[str],
    scores: list[float],
    threshold: float,
    thresholds: dict[str, float] | None = None,
    keep_languages: list[str] | tuple[str, ...] = (),
    low_score_action: str = "reject",
) -> tuple[list[str], list[str | None]]:
    """Final label and rejection rule (None: kept; 'low_score'; 'language_not_kept') per document.

    A score under the label's threshold (`thresholds`, else `threshold`) is low: the document is
    rejected, or with low_score_action='keep_as_undetermined' kept as 'und' (the keep list does not
    apply to undetermined text). Otherwise a label outside a non-empty keep list is rejected.
    """
    thresholds = thresholds or {}
    keep = set(keep_languages)
    out_labels: list[str] = []
    rules: list[str | None] = []
    for label, score in zip(labels, scores, strict=True):
        rule = None
        if score < thresholds.get(label, threshold):
            if low_score_action == "keep_as_undetermined":
                label = UNDETERMINED
            else:
                rule = "low_score"
        elif keep and label not in keep:
            rule = "language_not_kept"
        out_labels.append(label)
        rules.append(rule)
    return out_labels, rules
