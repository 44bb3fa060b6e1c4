"""The one way source text becomes a libcst tree: CPython's parser measures it first.

libcst's native parser cannot be interrupted (SIGALRM waits for it) and some inputs crash it
or cost it minutes and gigabytes: a flat ``a and a and ...`` of 10,000 terms overflows its
stack (the process dies with SIGSEGV), ``f[0][0]...`` x2,000 takes 20 s, ``not not ... a``
x3,000 half a gigabyte, 40,000 ordinary lines 2 GB. CPython's own parser takes all of them in
milliseconds, so it runs first and its tree is measured (nesting as libcst builds it, and the
node count) before libcst is given the text. Measured on a 2-core machine; see
docs/robustness.md.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from keraslint.source.reading import MAX_BRACKET_DEPTH, bracket_depth

if TYPE_CHECKING:
    from keraslint.source.incremental import Documents

#: nesting as libcst builds it (a flat ``and`` chain of n terms is n levels there). The deepest
#: real file in the standard library and 21,885 site-packages files is 569 (generated sympy);
#: libcst crashes near 8,000 (CPython itself refuses most constructs past 3,000)
MAX_NESTING = 4_000
#: one chain of subscripts, calls and attributes (``f[0][0]...``): libcst's time grows with
#: the cube of its length (1,000: 2.7 s, 2,000: 21 s); real chains are a few dozen long
MAX_TRAILERS = 1_000
_TRAILERS = (ast.Attribute, ast.Subscript, ast.Call)
#: syntax nodes (CPython's count) in one file: a whole check peaks near 3 KB of memory per node
#: (248,000 nodes: 720 MB, 7 s of CPU), so this bounds it near 0.75 GB; the largest corpus script has
#: 3,500 nodes, the largest file of numpy's or TensorFlow's own 110,000
MAX_NODES = 250_000
#: when CPython rejects the text, libcst still gets a chance (it knows newer syntax than an old
#: interpreter), but only for statements short enough that it cannot crash on them
_MAX_STATEMENT_TOKENS = 5_000


@dataclass(frozen=True)
class NotParsed(Exception):
    """Why the text has no tree. ``valid`` tells a syntax error (False: KL001) from valid Python
    keraslint refuses or libcst cannot parse (True: not a syntax error, the file is not checked);
    ``unsupported`` marks the latter kind (libcst's grammar, not a budget: nothing to report)."""

    message: str
    valid: bool
    row: int = 1
    column: int = 1
    unsupported: bool = False

    def __str__(self) -> str:
        return self.message


#: the last good parse of recent documents while reuse_statements() is on (the language server)
_documents: Documents | None = None
_reusing = 0


@contextmanager
def reuse_statements() -> Iterator[None]:
    """While on, ``parse`` re-parses only the top-level statements that changed since the last
    text parsed under the same file name (keraslint.source.incremental); the parses are kept
    for the next time it is on. For a long-lived process that re-checks edited documents."""
    global _documents, _reusing
    if _documents is None:
        from keraslint.source.incremental import Documents  # only the server loads it

        _documents = Documents()
    _reusing += 1
    try:
        yield
    finally:
        _reusing -= 1


def reusing() -> bool:
    """Whether reuse_statements() is on: parses of unchanged statements are kept across checks."""
    return _reusing > 0


def parse(text: str, filename: str = "<unknown>") -> cst.Module:
    """The libcst module for ``text``, or NotParsed with the reason (never a crash of the process)."""
    if _reusing and _documents is not None:
        return _documents.parse(text, filename, lambda whole: _parse(whole, filename), _check_span, MAX_NODES)
    return _parse(text, filename)[0]


def _check_span(text: str) -> int:
    """The CPython node count of a span the incremental parser re-parses; raises for one that
    does not parse or is over a budget (the whole text is then parsed, and judged, as usual)."""
    return _measure(cpython_parse(text, "<span>"))


def _parse(text: str, filename: str) -> tuple[cst.Module, int]:
    """The module and CPython's count of its syntax nodes (-1 when CPython refused the text and
    libcst parsed it: such a module is kept for no re-parse, see Documents)."""
    try:
        tree = cpython_parse(text, filename)
    except SyntaxError as error:
        syntax = NotParsed(f"Syntax error: {error.msg}", False, error.lineno or 1, max(error.offset or 1, 1))
        if not _libcst_may_try(text):
            raise syntax from None
        try:
            return cst.parse_module(text), -1
        except (cst.ParserSyntaxError, RecursionError):
            raise syntax from None
    except (RecursionError, MemoryError) as error:
        # CPython itself cannot compile it, so Python could never run it: a syntax error.
        raise NotParsed(f"Syntax error: too deeply nested for Python to compile ({type(error).__name__})",
                        False) from None
    except ValueError as error:  # "source code string cannot contain null bytes"
        raise NotParsed(f"Syntax error: {error}", False) from None
    nodes = _measure(tree)
    try:
        return cst.parse_module(text), nodes
    except cst.ParserSyntaxError as exc:
        # Valid Python (CPython parsed it) that libcst's grammar does not take, e.g. an
        # annotated parenthesised name or thousands of implicitly concatenated strings.
        raise NotParsed(f"valid Python that keraslint's parser (libcst) cannot parse at line {exc.raw_line}; "
                        f"the file was not checked", True, exc.raw_line, exc.raw_column + 1, True) from None
    except RecursionError:
        raise NotParsed("valid Python nested too deeply for keraslint's parser (libcst); the file was not checked",
                        True) from None


def cpython_parse(text: str, filename: str) -> ast.Module:
    """CPython's own parser; its SyntaxWarnings are not ours to print."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)


def _measure(tree: ast.AST) -> int:
    """Refuse a tree deeper (as libcst nests it) or larger than the budgets; iterative, and it
    stops at the first excess, so a normal file costs one walk of its nodes. Returns the count."""
    count = 0
    stack: list[tuple[ast.AST, int, int]] = [(tree, 1, 0)]
    while stack:
        node, depth, chain = stack.pop()
        count += 1
        if depth > MAX_NESTING or chain > MAX_TRAILERS:
            what = (f"nested more than {MAX_NESTING:,} levels deep (as keraslint's parser builds it)"
                    if depth > MAX_NESTING else f"with a chain of more than {MAX_TRAILERS:,} subscripts, calls "
                                                f"and attributes")
            raise NotParsed(f"valid Python {what}, beyond which keraslint's parser may crash or take minutes; "
                            f"the file was not checked", True, getattr(node, "lineno", 1))
        if count > MAX_NODES:
            raise NotParsed(f"the file has over {MAX_NODES:,} syntax nodes, the most keraslint analyses in one "
                            f"file (its analysis needs about 3 KB of memory per node); the file was not checked", True)
        # libcst makes one BooleanOperation per operator: ``a and b and c`` nests two deep
        step = len(node.values) - 1 if isinstance(node, ast.BoolOp) else 1
        link = node.func if isinstance(node, ast.Call) else node.value if isinstance(node, _TRAILERS) else None
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + step, chain + 1 if child is link and isinstance(child, _TRAILERS) else
                          int(isinstance(child, _TRAILERS))))
    return count


def _libcst_may_try(text: str) -> bool:
    """Whether text CPython rejected is safe to hand to libcst: no deep brackets and no long
    logical line (a chain libcst would recurse on). Only runs for files that do not compile."""
    if bracket_depth(text)[0] > MAX_BRACKET_DEPTH:
        return False
    tokens = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            tokens = 0 if token.type == tokenize.NEWLINE else tokens + 1
            if tokens > _MAX_STATEMENT_TOKENS:
                return False
    except (tokenize.TokenError, SyntaxError):
        pass  # the tokens up to the error were short enough
    return True
