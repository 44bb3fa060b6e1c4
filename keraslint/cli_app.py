"""The ``keraslint`` command line (typer), following ruff's conventions.

Exit codes: 0 nothing found, 1 findings, 2 usage/config error or an internal error (KL009).
User errors are one line on stderr, never a traceback. The entry point is keraslint.cli, which
runs a plain ``keraslint check`` without loading this module (keraslint.check_args).
"""

from __future__ import annotations

import json
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from keraslint import __version__
from keraslint import typer_params as _typer_params
from keraslint.cli import EXIT_ERROR, EXIT_OK, check_command

app = typer.Typer(
    name="keraslint",
    help="Find bugs in Keras training scripts and saved models without running them.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # ruff's habit: -h as well as --help, on every command
    context_settings={"help_option_names": ["-h", "--help"]},
)

def _hide_argument_types() -> None:
    """Typer prints an argument's Python type after its name (``PATH... <list[Path]>``); an
    argument with a metavar is shown by it alone (``PATH...``), as ruff shows ``[FILES]...``."""
    from typer.core import TyperArgument

    original = getattr(TyperArgument, "display_type_rich", None)
    name = getattr(TyperArgument, "_rich_display_name", None)
    if original is None or name is None or getattr(original, "_keraslint", False):
        return  # another typer: its own help text, unchanged

    def display_type_rich(self, ctx):  # type: ignore[no-untyped-def]
        return None if self.metavar else original(self, ctx)

    def rich_display_name(self):  # type: ignore[no-untyped-def]
        return f"{self.metavar}..." if self.metavar and self.nargs != 1 else name(self)

    display_type_rich._keraslint = True  # type: ignore[attr-defined]
    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign]
    TyperArgument._rich_display_name = rich_display_name  # type: ignore[method-assign]


_hide_argument_types()
_typer_params.install()  # no pydantic for plain option values (keraslint.typer_params)


class OutputFormat(str, Enum):
    full = "full"
    concise = "concise"
    json = "json"
    json_lines = "json-lines"
    github = "github"
    sarif = "sarif"


class RuleFormat(str, Enum):
    text = "text"
    json = "json"


def fail(message: str) -> typer.Exit:
    """Print one error line on stderr; the caller raises the returned Exit (code 2)."""
    sys.stderr.write(f"keraslint: error: {message}\n")
    return typer.Exit(EXIT_ERROR)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"keraslint {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Find bugs in Keras training scripts and saved models without running them."""


@app.command()
def check(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="PATH", help="Files or folders to check, or - to read from stdin [default: .]", show_default=False)] = None,
    output_format: Annotated[OutputFormat, typer.Option("--output-format", metavar="FORMAT", help="How to print findings: full, concise, json, json-lines, github or sarif.")] = OutputFormat.full,
    select: Annotated[Optional[list[str]], typer.Option(metavar="CODES", help="Rule codes, prefixes (KL3) or ALL to enable; replaces the configured selection.")] = None,
    extend_select: Annotated[Optional[list[str]], typer.Option(metavar="CODES", help="Rules to enable on top of the selection.")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option(metavar="CODES", help="Rule codes or prefixes to disable.")] = None,
    per_file_ignores: Annotated[Optional[list[str]], typer.Option("--per-file-ignores", metavar="GLOB:CODES", help="Disable rules for the files a glob matches, e.g. 'tests/**:KL101,KL102' (repeatable; added to the configured per-file-ignores).")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit with 0 even when there are findings.")] = False,
    statistics: Annotated[bool, typer.Option("--statistics", help="Show counts per rule instead of each finding.")] = False,
    show_coverage: Annotated[bool, typer.Option("--show-coverage", help="After the report, show per file the models found, how many keraslint fully shaped, and why the others are not (on stderr with machine-readable formats).")] = False,
    show_files: Annotated[bool, typer.Option("--show-files", help="Print the files that would be checked, one per line, and exit.")] = False,
    show_settings: Annotated[bool, typer.Option("--show-settings", help="Print the settings keraslint uses for the first file (config file, rules, excludes, options) and exit.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", metavar="PATH", help="Use this pyproject.toml instead of discovering one.")] = None,
    force_exclude: Annotated[bool, typer.Option("--force-exclude", help="Apply exclude patterns to files named on the command line too.")] = False,
    output_file: Annotated[Optional[Path], typer.Option("--output-file", "-o", metavar="PATH", help="Write the report to this file instead of stdout.")] = None,
    stdin_filename: Annotated[Optional[str], typer.Option("--stdin-filename", metavar="NAME", help="The name of the file read from stdin (with `-`), for messages, config lookup and per-file ignores.")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes to the files (with `-`: print the fixed source).")] = False,
    unsafe_fixes: Annotated[bool, typer.Option("--unsafe-fixes", help="With --fix or --diff, apply unsafe fixes too.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the fixes as a diff; change nothing.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Check every file afresh; neither read nor write .keraslint_cache.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print the findings and nothing else (no summary, notes or warnings).")] = False,
    silent: Annotated[bool, typer.Option("--silent", "-s", help="Print nothing but fatal errors; the exit code still says whether there were findings.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say on stderr which config files and files are used, which results came from the cache, and how long the run took.")] = False,
    input_shape: Annotated[Optional[str], typer.Option("--input-shape", metavar="SHAPE", help="For saved models: the shape of the data they will be fed, batch axis first, e.g. 32,50,8 (use None for unknown).")] = None,
    data: Annotated[Optional[Path], typer.Option("--data", metavar="PATH", help="For saved models: a .npy file they will be fed (only its header is read).")] = None,
) -> None:
    """Check Python files (and folders of them) for Keras bugs."""
    # keraslint.check_args reads the plain command lines without typer: a test holds its table of
    # options to this signature
    raise typer.Exit(check_command(
        paths=paths, output_format=output_format.value, select=select, extend_select=extend_select, ignore=ignore,
        per_file_ignores=per_file_ignores, exit_zero=exit_zero, statistics=statistics, show_coverage=show_coverage,
        show_files=show_files, show_settings=show_settings, config=config, force_exclude=force_exclude,
        output_file=output_file, stdin_filename=stdin_filename, fix=fix, unsafe_fixes=unsafe_fixes, diff=diff,
        no_cache=no_cache, quiet=quiet, silent=silent, verbose=verbose, input_shape=input_shape, data=data))


@app.command()
def rule(
    code: Annotated[Optional[str], typer.Argument(help="A rule code (KL301) or name (stride-drops-samples).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Explain every rule.")] = False,
    output_format: Annotated[RuleFormat, typer.Option("--output-format", help="text or json.")] = RuleFormat.text,
) -> None:
    """Print a rule's explain page: what it finds, why it matters, a bad and a good example."""
    from keraslint.explain import find_rule, rule_json, rule_text

    from keraslint.registry import all_rules

    if all_ == (code is not None):
        raise fail("give a rule code (keraslint rule KL101) or --all")
    if all_:
        rules = list(all_rules())
    else:
        found = find_rule(code or "")
        if isinstance(found, str):
            raise fail(found)
        rules = [found]
    if output_format is RuleFormat.json:
        payload = [rule_json(r) for r in rules]
        typer.echo(json.dumps(payload if all_ else payload[0], indent=2))
    else:
        typer.echo("\n\n".join(rule_text(r) for r in rules))


# `explain` is what flake8-style tools and ruff's old `--explain` taught users to type
app.command("explain", hidden=True, help="The same as `keraslint rule`.")(rule)


class ShapesFormat(str, Enum):
    table = "table"
    json = "json"
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    png = "png"


@app.command()
def shapes(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Scripts, notebooks or saved models (.keras, .h5).")],
    output_format: Annotated[ShapesFormat, typer.Option(
        "--output-format", "--format",
        help="table (model.summary()), json, or a diagram of each model's layers: mermaid (flowchart for "
             "READMEs), dot (Graphviz), svg or png (drawn by Graphviz's `dot` program, which must be on PATH).",
    )] = ShapesFormat.table,
    output_file: Annotated[Optional[Path], typer.Option("--output-file", "-o", help="Write the output to this file instead of stdout.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Use this pyproject.toml.")] = None,
) -> None:
    """Each model's layers, source line, output shape and parameter count: model.summary()
    without TensorFlow and without running the script; or each model drawn as a graph of its
    layers (keras.utils.plot_model without TensorFlow), findings marked on the layers they point at."""
    from keraslint.shapes_command import run_shapes

    raise typer.Exit(run_shapes(paths, output_format.value, config, stdout=sys.stdout, stderr=sys.stderr,
                                output_file=output_file))


@app.command()
def server() -> None:
    """Run the Language Server over stdio (for editors: diagnostics as you type, quick fixes)."""
    try:
        from keraslint.server import serve
    except ImportError as exc:
        raise fail(f"the language server needs pygls: pip install '.[lsp]' in the keraslint checkout ({exc})") from None
    raise typer.Exit(serve())


def usage_error_line(exc: Exception) -> str:
    """A usage error (bad option value, unknown option, missing argument) as keraslint's one
    error line: click's wording with the validation library's prefix ("Value error, ") and
    capital letters of its own dropped, plus where to find help."""
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    message = re.sub(r"\b(Value|Type|Assertion) error, ", "", message)
    message = (message[:1].lower() + message[1:]).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command = f"keraslint {ctx.info_name}" if ctx is not None and ctx.parent is not None else "keraslint"
    return f"keraslint: error: {message} (see '{command} --help')"


def typer_main() -> None:
    """Run the command line through typer (keraslint.cli.main decides when)."""
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UsageError as exc:
        from keraslint.printable import printable

        sys.stderr.write(printable(usage_error_line(exc)) + "\n")
        sys.exit(EXIT_ERROR)
    except ClickException as exc:
        sys.stderr.write(f"keraslint: error: {exc.format_message()}\n")
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        sys.stderr.write("keraslint: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, exit 2, no traceback
        sys.stderr.write(f"keraslint: internal error: {type(exc).__name__}: {exc} (please report this)\n")
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
