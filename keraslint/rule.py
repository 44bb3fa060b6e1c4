"""What a rule is: one class in one module of ``keraslint.rules``.

A rule declares its code, kebab-case name, severity and pass; its class docstring is its
explain page (``keraslint rule CODE``); VALID and INVALID examples are run as tests by one
generic harness (tests/test_rule_examples.py). A rule never parses or walks the tree itself:
it reads the facts the shared source and graph passes computed (``Context.facts``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from keraslint.diagnostics import Fix, Location, Pass, Severity

if TYPE_CHECKING:
    from keraslint.context import Context


@dataclass(frozen=True)
class Option:
    """A per-rule setting read from ``[tool.keraslint]`` (kebab-case key)."""

    name: str
    type: type
    default: Any
    help: str


@dataclass(frozen=True)
class Invalid:
    """An example the rule must report: on ``line`` when given, with ``message`` in its text."""

    code: str | bytes
    line: int | None = None
    message: str | None = None
    count: int = 1
    filename: str = "example.py"


@dataclass(frozen=True)
class Valid:
    code: str | bytes
    filename: str = "example.py"


@dataclass
class Finding:
    """What a rule yields: where (a node or an explicit span) and what."""

    message: str
    node: cst.CSTNode | None = None
    start: Location | None = None
    end: Location | None = None
    fix: Fix | None = None
    #: overrides the rule's severity for this finding (a rule whose cases differ in certainty)
    severity: Severity | None = None


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    #: for a rule whose findings may carry another severity (Finding.severity): when they do
    severity_note: ClassVar[str] = ""
    pass_: ClassVar[Pass] = Pass.SOURCE
    summary: ClassVar[str]
    options: ClassVar[tuple[Option, ...]] = ()
    VALID: ClassVar[tuple[Valid | str, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    def check(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    @classmethod
    def explain(cls) -> str:
        """The explain page: the class docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def option_values(cls, options: Mapping[str, Any]) -> dict[str, Any]:
        return {o.name: options.get(o.name, o.default) for o in cls.options}
