"""Fixes: edits computed from the libcst tree, applied to the exact source text.

A fix replaces the text of CST nodes (a keyword, a callee, a string) or inserts lines; every
other byte of the file is kept, so formatting and comments survive. Safe fixes keep the
meaning of the code (renames of removed spellings); unsafe fixes change what the code does
(adding a seed, changing an activation) and need ``--unsafe-fixes``.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import libcst as cst

from keraslint.diagnostics import Edit, Fix, Location
from keraslint.lines import LINE_BREAK, line_starts, text_lines
from keraslint.printable import printable


def replace(ctx: object, node: cst.CSTNode, content: str) -> Edit:
    """Replace ``node``'s text with ``content``."""
    start, end = ctx.span(node)  # type: ignore[attr-defined]
    return Edit(content, start, end)


def insert_line(row: int, content: str) -> Edit:
    """Insert ``content`` (one or more whole lines) before line ``row``."""
    return Edit(content if content.endswith("\n") else content + "\n", Location(row, 1), Location(row, 1))


def fix(message: str, edits: Sequence[Edit], *, safe: bool) -> Fix:
    return Fix(message=message, applicability="safe" if safe else "unsafe", edits=tuple(edits))


def _offsets(source: str) -> list[int]:
    """Offsets where each line starts (keraslint.lines: form feeds and U+2028 end no line)."""
    return line_starts(source)


def _offset(starts: list[int], location: Location, size: int) -> int:
    if location.row > len(starts):
        return size  # past the last line (a file that ends without a newline): its end
    return min(starts[location.row - 1] + location.column - 1, size)


def newline_of(source: str) -> str:
    """The file's own line ending (its first one), so inserted lines match it."""
    match = LINE_BREAK.search(source)
    return match.group() if match else "\n"


@dataclass(frozen=True)
class Applied:
    text: str
    applied: int
    #: fixes left out because the text they produce does not compile, with the reason
    refused: tuple[tuple[Fix, str], ...] = ()
    #: the fixes applied (as many as ``applied``)
    fixes: tuple[Fix, ...] = ()


_Span = tuple[int, int, str]


def _spans(source: str, starts: list[int], newline: str, candidate: Fix) -> list[_Span]:
    spans = []
    for edit in candidate.edits:
        start, end = _offset(starts, edit.location, len(source)), _offset(starts, edit.end_location, len(source))
        content = edit.content.replace("\r\n", "\n").replace("\n", newline) if "\n" in edit.content else edit.content
        if start == end == len(source) and source and not source.endswith(("\n", "\r")) and content.endswith(newline):
            content = newline + content[:-len(newline)]  # a line added at the end keeps the file's last-line style
        spans.append((start, end, content))
    return spans


def _overlap(a: int, b: int, x: int, y: int) -> bool:
    if a == b or x == y:  # an insertion: inside or at either end of the other edit
        return x <= a <= y if a == b else a <= x <= b
    return a < y and x < b


def _conflicts(spans: list[_Span], taken: set[_Span]) -> bool:
    """Overlapping a chosen edit, or touching it with an insertion (whose order would be a
    guess); the very same edit is shared: renames of one imported name all carry the edit of
    its import."""
    return any(_overlap(a, b, x, y) and (a, b, c) != (x, y, z) for a, b, c in spans for x, y, z in taken)


def _build(source: str, spans: set[_Span]) -> str:
    text = source
    for start, end, content in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text


def compile_error(text: str) -> str | None:
    """Why CPython refuses ``text`` (None when it compiles); its warnings are not ours to print."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, "<fixed>", "exec", dont_inherit=True)
        except SyntaxError as error:
            return f"{type(error).__name__}: {error.msg} (line {error.lineno})"
        except (ValueError, RecursionError, MemoryError) as error:
            return f"{type(error).__name__}: {error}"
    return None


def apply_fixes(source: str, fixes: Sequence[Fix], *, check: bool = True) -> Applied:
    """Apply as many fixes as do not overlap an earlier one, keeping only those whose result
    still compiles: a fix never turns a working file into a broken one. ``check=False`` applies
    them without compiling (a notebook cell with IPython syntax, whose fixes were checked on
    the Python it stands for)."""
    starts, newline = _offsets(source), newline_of(source)
    chosen: list[tuple[Fix, list[_Span]]] = []
    taken: set[_Span] = set()
    for candidate in fixes:
        spans = _spans(source, starts, newline, candidate)
        if _conflicts(spans, taken):
            continue  # overlaps a fix already chosen: the next run will pick it up
        chosen.append((candidate, spans))
        taken.update(spans)
    if not chosen:
        return Applied(source, 0)
    text = _build(source, taken)
    if not check or compile_error(text) is None:
        return Applied(text, len(chosen), fixes=tuple(f for f, _ in chosen))
    if (before := compile_error(source)) is not None:
        return Applied(source, 0, tuple((f, f"the file does not compile before fixing ({before})") for f, _ in chosen))
    # Some fix breaks the file: keep the others, one at a time (only on this rare path).
    kept: set[_Span] = set()
    applied, refused, kept_fixes = 0, [], []
    for candidate, spans in chosen:
        error = compile_error(_build(source, kept | set(spans)))
        if error is None:
            kept.update(spans)
            applied += 1
            kept_fixes.append(candidate)
        else:
            refused.append((candidate, error))
    return Applied(_build(source, kept), applied, tuple(refused), tuple(kept_fixes))


def apply(source: str, fixes: Sequence[Fix]) -> tuple[str, int]:
    """``apply_fixes`` as (new source, fixes applied)."""
    result = apply_fixes(source, fixes)
    return result.text, result.applied


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(text_lines(before, keepends=True), text_lines(after, keepends=True),
                                        fromfile=f"a/{printable(path)}", tofile=f"b/{printable(path)}"))


def keras_alias(globals_: dict[str, object], module: cst.Module | None = None,
                before: int | None = None) -> tuple[str | None, str]:
    """How the file itself spells the Keras package (``keras``, ``tf.keras`` ...), and the
    import line to add when it has none. With ``module`` and ``before`` (a statement index, as
    ``after_imports`` gives), only names imported by the statements before it count: a seed
    inserted there must not use a name the file imports later."""
    from keraslint.source.values import Ref

    allowed = None if module is None or before is None else _imported_names(module.body[:before])
    for name, value in globals_.items():
        if allowed is not None and name not in allowed:
            continue
        if isinstance(value, Ref) and value.name == "keras" and not value.spelled.startswith("tf_keras"):
            return name, ""
    for name, value in globals_.items():
        if allowed is not None and name not in allowed:
            continue
        if isinstance(value, Ref) and value.name == "tensorflow":
            return f"{name}.keras", ""
    return "keras", "import keras\n"


def _imported_names(statements: Sequence[cst.BaseStatement]) -> set[str]:
    names: set[str] = set()
    for statement in statements:
        for node in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    while isinstance(bound, cst.Attribute):  # `import tensorflow.keras` binds `tensorflow`
                        bound = bound.value
                    if isinstance(bound, cst.Name):
                        names.add(bound.value)
    return names


def after_imports(module: cst.Module) -> int:
    """Index of the first top-level statement after the leading docstring and imports."""
    index = 0
    body = module.body
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) \
            and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)):
        index = 1
    last_import = None
    for position in range(index, len(body)):
        statement = body[position]
        if isinstance(statement, cst.SimpleStatementLine) and all(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            last_import = position
        elif isinstance(statement, (cst.If, cst.Try)) and last_import is not None and position == last_import + 1:
            continue  # `try: import x except ImportError: ...` belongs to the imports
        elif _is_string_statement(statement):
            continue  # section headings as bare strings (keras.io's `"""## Setup"""` before the imports)
        else:
            break
    return (last_import + 1) if last_import is not None else index


def _is_string_statement(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
        and isinstance(statement.body[0], cst.Expr) \
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))


class Names:
    """Where each bare name is used and where it is imported, for renames that must keep the
    code importable (one walk of the module)."""

    def __init__(self, module: cst.Module) -> None:
        self.references: dict[str, list[cst.Name]] = {}
        self.imports: dict[str, list[cst.ImportAlias]] = {}
        #: every alias of a `from ... import` list, by id: the list it is in
        self.siblings: dict[int, tuple[cst.ImportAlias, ...]] = {}
        self.star = False
        every: list[cst.Name] = []
        not_uses: set[int] = set()
        names = self

        class Walk(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                every.append(node)

            def visit_Attribute(self, node: cst.Attribute) -> None:
                not_uses.add(id(node.attr))

            def visit_Arg(self, node: cst.Arg) -> None:
                if node.keyword is not None:
                    not_uses.add(id(node.keyword))

            def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
                if isinstance(node.names, cst.ImportStar):
                    names.star = True
                    return
                for alias in node.names:
                    local = alias.asname.name if alias.asname is not None else alias.name
                    names.siblings[id(alias)] = tuple(node.names)
                    if isinstance(local, cst.Name):
                        names.imports.setdefault(local.value, []).append(alias)

            def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
                return False  # the names an import binds are not uses

        module.visit(Walk())
        for name in every:
            if id(name) not in not_uses:
                self.references.setdefault(name.value, []).append(name)


def class_rename_edits(ctx: object, names: Names, callee: cst.Name, old: str, new: str, *,
                       renamed: Collection[int], old_exists: bool) -> list[Edit] | None:
    """Rename a class used by its bare name and keep it importable: the import that binds it is
    renamed when every use of the name is renamed too (``renamed``: their ids), else ``new`` is
    imported next to it. None when neither keeps the file working."""
    from keraslint.source.values import Ref

    local = callee.value
    aliases = names.imports.get(local, [])
    every_use = all(id(use) in renamed for use in names.references.get(local, []))
    if any(alias.asname is not None for alias in aliases):
        # `from keras.layers import Convolution2D as C`: the calls keep `C`, the import changes.
        plain_aliases = all(isinstance(a.name, cst.Name) and a.name.value == old for a in aliases)
        return [replace(ctx, alias.name, new) for alias in aliases] if every_use and plain_aliases else None
    edits = [replace(ctx, callee, new)]
    if not aliases:
        return edits if names.star else None  # a star import brings `new` as well
    bound = ctx.facts.globals.get(new)  # type: ignore[attr-defined]
    if bound is not None:
        if not (isinstance(bound, Ref) and bound.name.rsplit(".", 1)[-1] == new):
            return None  # the script has its own `new`
        if every_use:  # `new` is imported already: the old name goes from its imports
            removals = [_without(ctx, names, alias) for alias in aliases]
            return None if None in removals else edits + removals  # type: ignore[operator]
        return edits if old_exists else None  # the old import stays; Keras 3 must still define it
    if every_use:
        return edits + [replace(ctx, alias.name, new) for alias in aliases]
    if not old_exists:
        return None
    return edits + [Edit(f", {new}", end, end) for end in (ctx.span(alias.name)[1] for alias in aliases)]  # type: ignore[attr-defined]


def _without(ctx: object, names: Names, alias: cst.ImportAlias) -> Edit | None:
    """An edit deleting ``alias`` (and one comma) from its ``from ... import`` list."""
    siblings = names.siblings.get(id(alias), ())
    if len(siblings) < 2:
        return None  # the only name: the statement would have to go
    span = ctx.span  # type: ignore[attr-defined]
    index = next(i for i, other in enumerate(siblings) if other is alias)
    if index + 1 < len(siblings):
        return Edit("", span(alias)[0], span(siblings[index + 1])[0])
    return Edit("", span(siblings[index - 1])[1], span(alias)[1])
