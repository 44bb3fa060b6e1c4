"""keraslint.typer_params computes what typer's pydantic-based coercion computes, for every
parameter of every command, or leaves the value to typer (keraslint.typer_params)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keraslint.cli import app
from keraslint.typer_params import _TYPERS, TESTED_TYPERS, active, plain_value

if not active():
    pytest.skip(f"the stand-in is not installed on this typer (it is on {TESTED_TYPERS}): nothing to compare",
                allow_module_level=True)

typer_coercion = pytest.importorskip("typer._coercion")
typer_main = pytest.importorskip("typer.main")
from typer._click import Context  # noqa: E402
from typer._click.exceptions import BadParameter  # noqa: E402

SAMPLES = [None, "", "x", " spaced ", "KL1", "full", "concise", "FULL", "json", "sarif", "nonsense", "-",
           ".", "a/", "~/x", "//x", "train.py", "pyproject.toml", "missing/file.py", "32,50,8", "\0",
           ("KL1", "KL2"), ["a.py", "b.py"], (), ("tests/**:KL101",), 3, b"bytes"]


def _parameters() -> list[tuple[str, object, object]]:
    group = typer_main.get_command(app)
    found = []
    for name, command in group.commands.items():
        for param in command.params:
            if hasattr(param, "type_descriptor"):
                found.append((f"{name} {param.name}", command, param))
    return found


@pytest.mark.parametrize(("label", "command", "param"), _parameters(), ids=lambda v: v if isinstance(v, str) else "")
def test_plain_values_are_typers(label: str, command: object, param: object, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "train.py").write_text("")
    (tmp_path / "pyproject.toml").write_text("")
    monkeypatch.chdir(tmp_path)
    ctx = Context(command)
    typers = typer_coercion.build_runtime_param(param.type_descriptor)
    decided = 0
    for value in [*SAMPLES, str(tmp_path)]:
        mine = plain_value(param, value, ctx)
        if mine is _TYPERS:
            continue
        decided += 1
        try:
            theirs = typers.coerce(value, param=param, ctx=ctx)
        except BadParameter as exc:  # typer refuses what the stand-in accepted
            pytest.fail(f"{label} {value!r}: typer says {exc}, the stand-in {mine!r}")
        assert (type(mine), mine) == (type(theirs), theirs), f"{label} {value!r}"
    assert decided, f"{label}: no sample decided here (a typer whose internals changed?)"
