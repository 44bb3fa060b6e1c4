"""keraslint.source.positions gives every node the range libcst's PositionProvider gives it, and
keraslint.source.tree.child_nodes the nodes ``node.children`` holds (both exist for speed: a
difference would move a finding or lose one)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from keraslint.source.positions import Positions, positions
from keraslint.source.tree import child_nodes

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "fixtures").rglob("*.py"))

#: texts where line counting is easy to get wrong: each line ending, a form feed in an
#: indentation, tabs, a BOM-less empty file, no trailing newline, strings spanning lines
ODD = [
    "",
    "\n",
    "x = 1",
    "x = 1\r\ny = 2\r\n",
    "x = 1\ry = (2,\r     3)\r",
    "x = 1\n\r\ny = 2\r",
    "def f():\n\tif x:\n\t\treturn '''a\r\nb\rc\n'''\n",
    "class A:\n    \x0c\n    def f(self):  # c\n        yield 1\n",
    "if a:\n  pass\nelse:\n        b = [1,\n  2]\n# end",
    "@d\nasync def f(a, /, b=1, *c, d, **e) -> int:\n    return await g(f'{a!r:>{b}}' 'x')\n",
    "x = (  # comment\n    1 +\\\n    2\n)\nlambda: (yield)\n",
]


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
    except cst.ParserSyntaxError:
        return False  # the syntax-error fixtures: no tree, no positions to compare
    return True


def _sources() -> list[tuple[str, str]]:
    found = [(f"odd{i}", text) for i, text in enumerate(ODD)] + \
        [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in FILES]
    return [(name, text) for name, text in found if _parses(text)]


@pytest.mark.parametrize(("name", "text"), _sources(), ids=lambda v: v if "/" in v or v.startswith("odd") else "")
def test_positions_and_children_are_libcsts(name: str, text: str) -> None:
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    mine = positions(module)
    assert isinstance(mine, Positions)  # not the fallback
    nodes = _all_nodes(module)
    assert len(mine) == len(expected) == len(nodes)
    assert [mine.get(node) for node in nodes] == [expected[node] for node in nodes]
    assert all(node in mine for node in nodes)
    for node in nodes:
        assert sorted(map(id, child_nodes(node))) == sorted(map(id, node.children)), type(node).__name__


def test_a_node_of_another_tree_has_no_position() -> None:
    mine = positions(cst.parse_module("x = 1\n"))
    stranger = cst.Name("x")
    assert stranger not in mine and mine.get(stranger) is None
    with pytest.raises(KeyError):
        mine[stranger]


def test_is_node_agrees_with_issubclass_on_every_libcst_type() -> None:
    """keraslint.source.tree reads the MRO instead of the (slow, ABC) issubclass."""
    from keraslint.source.tree import _IS_NODE, _is_node

    kinds = [v for v in vars(cst).values() if isinstance(v, type)] + [str, int, list, tuple, type(None)]
    _IS_NODE.clear()
    assert [k for k in kinds if _is_node(k) != issubclass(k, cst.CSTNode)] == []
    assert sum(map(_is_node, kinds)) > 100
