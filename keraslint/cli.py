"""The ``keraslint`` entry point, following ruff's conventions.

Exit codes: 0 nothing found, 1 findings, 2 usage/config error or an internal error (KL009).
User errors are one line on stderr, never a traceback.

The command line is typer's (keraslint.cli_app), but typer and its click cost ~50 ms of every
cold start, a third of what a pre-commit hook pays for a small file. A ``keraslint check``
command line made only of the plain options (keraslint.check_args: the ones the hook and
editors pass, each spelled in full) is read here instead and run by the same ``check_command``;
any other command line (``--help``, an unknown or abbreviated option, a bad value, another
command) goes to typer, so its messages and behaviour are typer's.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Failed(Exception):
    """A usage error found while the check's options are read: one line, exit 2."""


def _split(values: Sequence[str] | None) -> list[str] | None:
    """``--select KL1,KL2 --select KL3`` -> [KL1, KL2, KL3]; None when the option was not given."""
    if values is None:
        return None
    from keraslint.selection import normalize_selector

    parts = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return [normalize_selector(part) for part in parts]


def _per_file_ignores(values: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``--per-file-ignores 'tests/**:KL101,KL102'`` -> [("tests/**", ["KL101", "KL102"])]; the
    glob ends at the last colon, so a Windows path's drive letter stays in it."""
    pairs = []
    for value in values:
        pattern, sep, codes = value.rpartition(":")
        selectors = _split([codes]) or []
        if not sep or not pattern.strip() or not selectors:
            raise _Failed(f"--per-file-ignores {value!r}: expected GLOB:CODES, e.g. 'tests/**:KL101,KL102'")
        pairs.append((pattern.strip(), selectors))
    return pairs


def _parse_shape(text: str | None) -> tuple[int | None, ...] | None:
    if text is None:
        return None
    dims: list[int | None] = []
    for part in text.replace("(", "").replace(")", "").split(","):
        part = part.strip()
        if part.lower() in ("none", "?", "-1", ""):
            dims.append(None)
        elif part.isdigit() and int(part) > 0:
            dims.append(int(part))
        else:
            raise _Failed(f"--input-shape {text!r}: expected positive integers or None separated by commas, e.g. 32,50,8 or None,50,8")
    return tuple(dims)


def _load_checker() -> None:
    """Import the check's modules (libcst, the analysis, every rule) with the cyclic garbage
    collector paused, then freeze what they made: imports allocate many objects that never die
    (classes, functions, libcst's node types), and the collections they trigger only walk them.
    Frozen, the later collections of the check skip them too. Only the call that does the
    imports does this: a host program that calls check again (or loaded keraslint already)
    keeps its own objects collectable."""
    import gc

    if "keraslint.run" in sys.modules or not gc.isenabled():
        return  # loaded already, or a host program that manages the collector itself
    gc.disable()
    try:
        import keraslint.run  # noqa: F401 - loaded here, used by the caller
        from keraslint.registry import all_rules

        all_rules()
    finally:
        gc.freeze()
        gc.enable()


def check_command(*, paths: Sequence[Path] | None = None, output_format: str = "full",
                  select: Sequence[str] | None = None, extend_select: Sequence[str] | None = None,
                  ignore: Sequence[str] | None = None, per_file_ignores: Sequence[str] | None = None,
                  exit_zero: bool = False, statistics: bool = False, show_coverage: bool = False,
                  show_files: bool = False, show_settings: bool = False, config: Path | None = None,
                  force_exclude: bool = False, output_file: Path | None = None, stdin_filename: str | None = None,
                  fix: bool = False, unsafe_fixes: bool = False, diff: bool = False, no_cache: bool = False,
                  quiet: bool = False, silent: bool = False, verbose: bool = False, input_shape: str | None = None,
                  data: Path | None = None) -> int:
    """``keraslint check`` with its options as the command line gave them: the exit code. Both
    typer's ``check`` and the fast path run this, so the two cannot differ past parsing."""
    _load_checker()
    from keraslint.run import CheckOptions, run_check
    from keraslint.selection import empty_selection_message

    try:
        chosen = _split(select)
        if chosen is not None and not chosen and not _split(extend_select):
            raise _Failed(empty_selection_message(f"--select {' '.join(repr(v) for v in select or [])}"))
        if sum((quiet, silent, verbose)) > 1:
            raise _Failed("--quiet, --silent and --verbose exclude each other; give one")
        options = CheckOptions(
            paths=list(paths or [Path(".")]),
            output_format=output_format,
            select=chosen,
            extend_select=_split(extend_select) or [],
            ignore=_split(ignore) or [],
            per_file_ignores=_per_file_ignores(per_file_ignores or []),
            exit_zero=exit_zero,
            statistics=statistics,
            show_coverage=show_coverage,
            show_files=show_files,
            show_settings=show_settings,
            config=config,
            force_exclude=force_exclude,
            output_file=output_file,
            stdin_filename=stdin_filename,
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            diff=diff,
            no_cache=no_cache,
            verbosity=-2 if silent else -1 if quiet else 1 if verbose else 0,
            input_shape=_parse_shape(input_shape),
            data=data,
        )
    except _Failed as exc:
        sys.stderr.write(f"keraslint: error: {exc}\n")
        return EXIT_ERROR
    return run_check(options, stdout=sys.stdout, stderr=sys.stderr)


def _never_fail_to_encode() -> None:
    """What the stream's encoding cannot hold (an undecodable byte of a file name, kept as a
    lone surrogate; any non-ASCII text under PYTHONIOENCODING=ascii) is written as a ``\\u``
    escape: a report must never die half-written with UnicodeEncodeError."""
    from keraslint.printable import ENCODE_ERRORS

    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=ENCODE_ERRORS)
            except (ValueError, OSError):  # a detached or closed stream
                pass


def _fast_check(arguments: dict[str, Any]) -> int:
    """``check_command`` as typer's command runner would run it (typer/core.py ``_main``): Ctrl-C
    is exit 130, a closed stdout (``keraslint check | head``) is exit 1 without a traceback."""
    try:
        return check_command(**arguments)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Python's own advice (signal docs, "Note on SIGPIPE"): point stdout at devnull so the
        # flush at exit does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1


def main() -> None:
    """Console-script entry point."""
    from keraslint.check_args import fast_check_arguments

    _never_fail_to_encode()
    arguments = fast_check_arguments(sys.argv[1:])
    if arguments is not None:
        try:
            code = _fast_check(arguments)
        except KeyboardInterrupt:  # between the check and its exit, as typer_main says it
            sys.stderr.write("keraslint: interrupted\n")
            code = 130
        except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 2, no traceback
            sys.stderr.write(f"keraslint: internal error: {type(exc).__name__}: {exc} (please report this)\n")
            code = EXIT_ERROR
        sys.exit(code)
    from keraslint.cli_app import typer_main

    typer_main()


def __getattr__(name: str) -> Any:
    """``keraslint.cli.app`` and the other typer objects, loaded when asked for (PEP 562)."""
    if name in ("app", "fail", "usage_error_line", "OutputFormat", "RuleFormat", "ShapesFormat"):
        from keraslint import cli_app

        return getattr(cli_app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
