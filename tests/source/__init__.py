"""Tests of the source pass's array and data-pipeline values; helpers shared by them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import libcst as cst

from keraslint.source.interpreter import Interpreter
from keraslint.source.values import Array


def run(code: str, script_dir: Path | None = None) -> dict[str, Any]:
    """The module-level variables after the interpreter ran ``code``."""
    interp = Interpreter(cst.parse_module(textwrap.dedent(code)), [])
    if script_dir is not None:
        interp.script_dir = script_dir  # type: ignore[attr-defined]
    interp.run()
    return interp.frame.vars


def array(code: str, name: str = "x", **kwargs: Any) -> Array:
    value = run(code, **kwargs)[name]
    assert isinstance(value, Array), f"{name} = {value!r}"
    return value


def shape(code: str, name: str = "x") -> tuple | None:
    return array(code, name).shape


def source_of(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
