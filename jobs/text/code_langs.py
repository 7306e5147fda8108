"""Programming language of a file from its name (extension, well-known file names, shebang)."""

from __future__ import annotations

import posixpath

EXTENSION_LANGS = {
    ".py": "python",
    ".pyi": "python",
    ".pyx": "cython",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".tsx": "typescript",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".scala": "scala",
    ".groovy": "groovy",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".php": "php",
    ".pl": "perl",
    ".pm": "perl",
    ".t": "perl",
    ".sh": "shell",
    ".bash": "shell",
    ".zsh": "shell",
    ".ksh": "shell",
    ".cs": "csharp",
    ".fs": "fsharp",
    ".swift": "swift",
    ".m": "objective-c",
    ".mm": "objective-c",
    ".lua": "lua",
    ".r": "r",
    ".jl": "julia",
    ".hs": "haskell",
    ".ml": "ocaml",
    ".mli": "ocaml",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".clj": "clojure",
    ".dart": "dart",
    ".sql": "sql",
    ".f90": "fortran",
    ".f": "fortran",
    ".for": "fortran",
    ".zig": "zig",
    ".nim": "nim",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".scss": "scss",
    ".vue": "vue",
    ".md": "markdown",
    ".rst": "restructuredtext",
    ".tex": "tex",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".xml": "xml",
    ".cmake": "cmake",
    ".mk": "makefile",
    ".dockerfile": "dockerfile",
    ".proto": "protobuf",
    ".ps1": "powershell",
    ".bat": "batchfile",
    ".vim": "vim",
    ".el": "emacs-lisp",
    ".lisp": "common-lisp",
}

FILENAME_LANGS = {
    "makefile": "makefile",
    "gnumakefile": "makefile",
    "dockerfile": "dockerfile",
    "cmakelists.txt": "cmake",
    "rakefile": "ruby",
    "gemfile": "ruby",
    "jenkinsfile": "groovy",
}

SHEBANG_LANGS = {
    "python": "python",
    "python3": "python",
    "bash": "shell",
    "sh": "shell",
    "zsh": "shell",
    "node": "javascript",
    "perl": "perl",
    "ruby": "ruby",
    "php": "php",
}


def language_from_shebang(first_line: str) -> str | None:
    if not first_line.startswith("#!"):
        return None
    words = first_line[2:].strip().split()
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program == "env" and len(words) > 1:
        program = words[1]
    return SHEBANG_LANGS.get(program.rstrip("0123456789.") or program) or SHEBANG_LANGS.get(program)


def language_from_path(path: str, first_line: str = "", extra: dict[str, str] | None = None) -> str | None:
    name = posixpath.basename(path).lower()
    if name in FILENAME_LANGS:
        return FILENAME_LANGS[name]
    _, ext = posixpath.splitext(name)
    if extra and ext in extra:
        return extra[ext]
    if ext in EXTENSION_LANGS:
        return EXTENSION_LANGS[ext]
    if not ext:
        return language_from_shebang(first_line)
    return None
