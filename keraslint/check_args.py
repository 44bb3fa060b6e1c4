"""A plain ``keraslint check`` command line read without typer (keraslint.cli explains why).

Only what typer would read the same way with no room for doubt is taken here: the option
names spelled in full, as separate words or ``--name=value``, a value that does not start with
``-``, an output format that is one of the choices, each single-valued option at most once;
``--`` ends the options as in click. Anything else (``-h``, ``-qv``, an abbreviation, an
unknown option, a missing value) returns None and typer reads the command line, with its own
messages. tests/test_check_args.py holds this table to typer's declaration of ``check`` and
compares the values with what typer passes for the same command lines.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: flags: their spellings and the check_command parameter each sets to True
FLAGS = {
    "--exit-zero": "exit_zero", "--statistics": "statistics", "--show-coverage": "show_coverage",
    "--show-files": "show_files", "--show-settings": "show_settings", "--force-exclude": "force_exclude",
    "--fix": "fix", "--unsafe-fixes": "unsafe_fixes", "--diff": "diff", "--no-cache": "no_cache",
    "--quiet": "quiet", "-q": "quiet", "--silent": "silent", "-s": "silent", "--verbose": "verbose", "-v": "verbose",
}
#: options with a value: their spellings -> (parameter, how the value is kept)
#: "many": repeatable, a list of strings; "path" / "text": once, a Path / a str
VALUES = {
    "--output-format": ("output_format", "format"), "--select": ("select", "many"),
    "--extend-select": ("extend_select", "many"), "--ignore": ("ignore", "many"),
    "--per-file-ignores": ("per_file_ignores", "many"), "--config": ("config", "path"),
    "--output-file": ("output_file", "path"), "-o": ("output_file", "path"),
    "--stdin-filename": ("stdin_filename", "text"), "--input-shape": ("input_shape", "text"),
    "--data": ("data", "path"),
}
OUTPUT_FORMATS = ("full", "concise", "json", "json-lines", "github", "sarif")


def fast_check_arguments(argv: Sequence[str]) -> dict[str, Any] | None:
    """The keyword arguments of ``keraslint.cli.check_command`` for ``argv`` (the words after the
    program name), or None when typer must read it."""
    if not argv or argv[0] != "check" or any(name.endswith("_COMPLETE") for name in os.environ):
        return None  # another command, or a shell-completion request (typer answers those)
    found: dict[str, Any] = {}
    paths: list[Path] = []
    words = list(argv[1:])
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--":
            rest = words[index:]
            if any(not w for w in rest):
                return None
            paths.extend(Path(w) for w in rest)
            break
        if word == "-" or not word.startswith("-"):
            if not word:
                return None  # an empty path: typer's to judge
            paths.append(Path(word))
            continue
        name, equals, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in FLAGS and not equals:
            found[FLAGS[name]] = True
            continue
        if name not in VALUES:
            return None
        if not equals:
            if index >= len(words):
                return None
            value = words[index]
            index += 1
        if not value or value.startswith("-"):
            return None  # click's reading of a value like "-x" or "" is left to click
        parameter, kind = VALUES[name]
        if kind == "many":
            found.setdefault(parameter, []).append(value)
            continue
        if parameter in found:
            return None  # given twice: click keeps the last one; typer decides
        if kind == "format":
            if value not in OUTPUT_FORMATS:
                return None
            found[parameter] = value
        else:
            found[parameter] = Path(value) if kind == "path" else value
    if paths:
        found["paths"] = paths
    return found
