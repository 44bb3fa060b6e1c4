"""keraslint.source.incremental: a re-parse that keeps unchanged top-level statements gives the
tree, the node positions and the findings a full parse gives, after any edit, and reports a
syntax error exactly as a full parse does (and recovers from it).

Every comparison is against ``parsing.parse`` without reuse. ``Documents.last`` says which path
ran, so a test that expects statements to be kept fails if the incremental path stopped being
taken (a full parse every time would pass every equality silently)."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.source import parsing
from keraslint.source.incremental import Documents
from keraslint.source.parsing import NotParsed
from keraslint.source.positions import positions

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from run import generated_script  # noqa: E402

#: a script with every kind of statement an edit can split: decorators, classes, multi-line
#: strings and brackets, comments inside and after blocks, a backslash continuation, try/else
BASE = '''"""Module docstring."""
import numpy as np  # trailing comment
import tensorflow as tf


@tf.function
def step(x, y=2):
    """Docstring
    over lines."""
    # a comment in the body
    return x + y
    # an indented comment after the body


class Model(tf.keras.Model):
    units = 8

    def call(self, inputs):
        return inputs


# a comment between statements
text = """a string
  with lines
"""
values = [1,
          2,  # inside brackets
          3]
total = 1 + \\
    2
if total:
    pass
else:
    total = 3
try:
    import h5py
except ImportError:
    h5py = None
for i in range(3):
    model = tf.keras.Sequential([tf.keras.layers.Dense(i + 1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((4, 3)), np.zeros((4, 1)), epochs=1)
# a comment at the end
'''

#: pieces an edit inserts: each can join, split or unbalance statements
PIECES = ["\n", "\n\n", "    ", "\t", "#", "# note\n", "    # indented note\n", '"""', "'", "(", ")", "[", "]",
          "\\\n", "x = 1\n", "if total:\n", "    pass\n", "@tf.function\n", "def g():\n    return 1\n",
          "class C:\n  z = 1\n", "else:\n", "  ", "model.fit(x, y)\n", "1", "epochs=2", ",", ":", "\r\n"]


@pytest.fixture
def documents(monkeypatch: pytest.MonkeyPatch) -> Iterator[Documents]:
    fresh = Documents()
    monkeypatch.setattr(parsing, "_documents", fresh)
    with parsing.reuse_statements():
        yield fresh
    fresh.clear()


def _nodes(module: cst.CSTNode) -> list[cst.CSTNode]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def _full(text: str) -> cst.Module | NotParsed:
    """What a plain parse gives (outside reuse_statements: the counter is saved and restored)."""
    saved, parsing._reusing = parsing._reusing, 0
    try:
        return parsing.parse(text, "edited.py")
    except NotParsed as exc:
        return exc
    finally:
        parsing._reusing = saved


def assert_same_as_full(text: str) -> cst.Module | None:
    """Parse ``text`` through the reuse path and compare everything with a full parse."""
    expected = _full(text)
    try:
        module = parsing.parse(text, "edited.py")
        assert parsing._documents is not None and parsing._documents.unforeseen is None
    except NotParsed as exc:
        assert parsing._documents is not None and parsing._documents.unforeseen is None
        assert isinstance(expected, NotParsed), f"the full parse succeeds, the re-parse says {exc}"
        assert (exc.message, exc.row, exc.column, exc.valid) == \
            (expected.message, expected.row, expected.column, expected.valid)
        return None
    assert not isinstance(expected, NotParsed), f"the re-parse succeeds, the full parse says {expected}"
    # (libcst itself drops a backslash-continued empty first line: the full parse's code is the reference)
    assert module.code == expected.code
    assert module.deep_equals(expected)
    mine, theirs = positions(module), positions(expected)
    ours, full = _nodes(module), _nodes(expected)
    assert len(ours) == len(full)
    for node, twin in zip(ours, full):
        assert type(node) is type(twin)
        assert mine[node] == theirs[twin], f"{type(node).__name__} at {theirs[twin]} is put at {mine[node]}"
    assert len(mine) == len(theirs)
    return module


def _edit(text: str, where: int, cut: int, piece: str) -> str:
    where = min(where, len(text))
    return text[:where] + piece + text[where + cut:]


def _line_start(text: str, fragment: str) -> int:
    return text.index(fragment)


# --------------------------------------------------------------------------- chosen edits


@pytest.mark.parametrize(("fragment", "cut", "piece"), [
    ('"""Module docstring."""', 0, "# header comment\n"),   # the header
    ("import numpy", 0, "import os\n"),                       # the first statements
    ("return x + y", 0, "z = 1\n    "),                       # inside a function: lines shift
    ("    # an indented comment after", 0, "    # another\n"),  # a block's trailing comments
    ("@tf.function", 0, "@staticmethod\n"),                   # a decorator
    ("  with lines", 2, "    "),                              # inside a multi-line string
    ("# a comment between", 0, "\n\n\n"),                     # blank lines between statements
    ("2,  # inside brackets", 0, "0, "),                      # inside brackets
    ("    2\nif total", 0, "    + 3 \\\n"),                  # a continuation line
    ("else:\n    total = 3", 0, "elif total > 9:\n    pass\n"),  # a clause added to an if
    ("epochs=1", 8, "epochs=2"),                              # a literal late in the file
    ("# a comment at the end", 0, "extra = 1\n"),             # the end
    ("# a comment at the end\n", 23, ""),                     # the module's footer removed
    ("model.compile", 0, "def late():\n  return 2\n"),       # another indentation, after the first
])
def test_chosen_edits_equal_a_full_parse(documents: Documents, fragment: str, cut: int, piece: str) -> None:
    assert_same_as_full(BASE)
    assert documents.last == "full"
    edited = _edit(BASE, _line_start(BASE, fragment), cut, piece)
    assert_same_as_full(edited)
    assert documents.last in ("reused", "full")


def test_an_edit_in_the_middle_keeps_the_other_statements(documents: Documents) -> None:
    first = assert_same_as_full(BASE)
    edited = BASE.replace("units = 8", "units = 8\n\n    extra = 2")
    second = assert_same_as_full(edited)
    assert documents.last == "reused"
    assert first is not None and second is not None
    kept = {id(s) for s in first.body} & {id(s) for s in second.body}
    # Only the edited class and the statements either side of it were parsed again.
    assert len(kept) == len(first.body) - 3


def test_positions_below_an_edit_move_with_it(documents: Documents) -> None:
    assert_same_as_full(BASE)
    edited = BASE.replace("    units = 8\n", "    units = 8\n\n\n\n")
    module = assert_same_as_full(edited)
    assert documents.last == "reused"
    assert module is not None
    fit = module.body[-1]
    assert positions(module)[fit].start.line == edited.count("\n", 0, edited.index("model.fit")) + 1


def test_the_same_text_is_the_same_tree(documents: Documents) -> None:
    first = parsing.parse(BASE, "edited.py")
    assert parsing.parse(BASE, "edited.py") is first
    assert documents.last == "same"


def test_a_syntax_error_mid_edit_is_reported_as_a_full_parse_does_and_recovers(documents: Documents) -> None:
    assert_same_as_full(BASE)
    broken = BASE.replace("return x + y", "return x + (y")
    with pytest.raises(NotParsed) as error:
        parsing.parse(broken, "edited.py")
    expected = _full(broken)
    assert isinstance(expected, NotParsed)
    assert (error.value.row, error.value.column, error.value.message) == \
        (expected.row, expected.column, expected.message)
    # Typing on: the text is compared with the last version that parsed.
    assert_same_as_full(BASE.replace("return x + y", "return x + (y)"))
    assert documents.last == "reused"


@pytest.mark.parametrize("broken", [
    'text = """a string\n',            # opens a string that swallows the rest
    "values = [1,\n",                  # opens a bracket the rest closes
    "    indented = 1\n",              # an indented statement after a simple one
    "total = 1 + \\\n",               # a continuation into the next statement
])
def test_an_edit_that_reaches_past_its_statements_is_never_misparsed(documents: Documents, broken: str) -> None:
    assert_same_as_full(BASE)
    at = BASE.index("try:")
    assert_same_as_full(BASE[:at] + broken + BASE[at:])
    assert_same_as_full(BASE[:at] + broken + "\n" + BASE[at:])


def test_the_first_indentation_changing_falls_back(documents: Documents) -> None:
    assert_same_as_full(BASE)
    # step() holds the first indented block: two spaces there change the module's default.
    edited = BASE.replace('    """Docstring\n    over lines."""\n    # a comment in the body\n    return x + y\n',
                          '  """Docstring\n  over lines."""\n  # a comment in the body\n  return x + y\n')
    assert_same_as_full(edited)


def test_a_text_libcst_does_not_round_trip_is_parsed_whole(documents: Documents) -> None:
    """libcst drops a first line that is only a backslash continuation: the kept line counts
    would no longer match the text, so the next edit is a full parse too."""
    text = "\\\n" + BASE
    assert_same_as_full(text)
    assert_same_as_full(text.replace("epochs=1", "epochs=5"))
    assert documents.last == "full"


def test_line_breaks_other_than_newline(documents: Documents) -> None:
    crlf = BASE.replace("\n", "\r\n")
    assert_same_as_full(crlf)
    assert_same_as_full(crlf.replace("epochs=1", "epochs=3"))
    assert documents.last == "reused"
    assert_same_as_full(crlf.replace("epochs=1", "epochs=3\r\n\r\n"))
    assert_same_as_full(crlf.replace("units = 8\r\n", "units = 8\n"))  # one bare \n among \r\n
    assert_same_as_full(crlf.replace("units = 8\r\n", "units = 8\r"))  # a bare \r: a full parse


def test_no_trailing_newline(documents: Documents) -> None:
    text = BASE.rstrip("\n")
    assert_same_as_full(text)
    assert_same_as_full(text + "\nlast = 1")
    assert_same_as_full(text.replace("epochs=1", "epochs=4"))
    assert documents.last == "reused"


def test_the_node_budget_counts_the_kept_statements(documents: Documents, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_as_full(BASE)
    full = parsing.cpython_parse(BASE, "x")
    count = parsing._measure(full)
    monkeypatch.setattr(parsing, "MAX_NODES", count + 5)
    # More nodes than the budget: the full parse refuses it, and so must the re-parse.
    edited = BASE.replace("epochs=1", "epochs=1, verbose=0, batch_size=[1, 2, 3, 4]")
    with pytest.raises(NotParsed) as error:
        parsing.parse(edited, "edited.py")
    assert "syntax nodes" in error.value.message


# --------------------------------------------------------------------------- random edits

_EDIT = st.tuples(st.integers(0, 10**6), st.integers(0, 12), st.sampled_from(PIECES))
#: other shapes of file for the long run: a real training script, the benchmark's generated kind
_BASES = [BASE, (ROOT / "examples" / "train_conv1d.py").read_text(encoding="utf-8"),
          generated_script(120, random.Random(3))]


def _random_edits(base: str, edits: list[tuple[int, int, str]]) -> None:
    documents = Documents()
    saved = parsing._documents
    parsing._documents = documents
    try:
        with parsing.reuse_statements():
            text = base
            assert_same_as_full(text)
            for where, cut, piece in edits:
                text = _edit(text, where % (len(text) + 1), cut, piece)
                assert_same_as_full(text)
    finally:
        parsing._documents = saved
        documents.clear()


@settings(max_examples=50, deadline=None)
@given(edits=st.lists(_EDIT, min_size=1, max_size=6))
def test_random_edits_equal_a_full_parse(edits: list[tuple[int, int, str]]) -> None:
    _random_edits(BASE, edits)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(base=st.sampled_from(_BASES), edits=st.lists(_EDIT, min_size=1, max_size=10))
def test_many_random_edits_of_several_files_equal_a_full_parse(base: str, edits: list[tuple[int, int, str]]) -> None:
    _random_edits(base, edits)


def test_random_edits_take_the_reuse_path() -> None:
    """The property above would hold if every parse were a full one: most of its edits are
    re-parses of a few statements."""
    rng = random.Random(13)
    documents = Documents()
    saved = parsing._documents
    parsing._documents = documents
    paths = []
    try:
        with parsing.reuse_statements():
            text = BASE
            parsing.parse(text, "edited.py")
            for _ in range(60):
                candidate = _edit(text, rng.randrange(len(text)), rng.randrange(3), rng.choice(PIECES))
                if assert_same_as_full(candidate) is not None:
                    paths.append(documents.last)
                    text = candidate
    finally:
        parsing._documents = saved
        documents.clear()
    assert paths.count("reused") >= len(paths) // 2, paths


# --------------------------------------------------------------------------- findings

_SELECTED = {rule.code for rule in all_rules()}
_FIXTURES = ["fixtures/data_contract/bad_label_values.py", "fixtures/graph/bad_set_weights.py",
             "fixtures/corpus/bugs/37_stacked_lstm.py", "fixtures/data_contract/bad_preprocessing_mismatch.py",
             "fixtures/corpus/good/g24_keras2_style_cifar.py", "fixtures/corpus/bugs/94_window_flat_map_features.py"]


def _findings(text: str, path: Path) -> list[tuple[object, ...]]:
    report = check_source(text, path.name, selected=_SELECTED, script_dir=path.parent, path=path)
    return sorted((d.code, d.location, d.end_location, d.message, d.filename) for d in report.diagnostics)


@pytest.mark.parametrize("name", _FIXTURES)
def test_findings_after_edits_equal_a_full_check(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / name
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    middle = len(lines) // 2
    edits = [
        text,
        "\n\n# moved down\n" + text,                                        # everything shifts
        "".join(lines[:middle] + ["\n", "# a note\n", "\n"] + lines[middle:]),  # the second half shifts
        "".join(lines[:middle] + lines[middle + 1:]),                         # a statement line deleted
        text + "\nprint('done')\n",                                           # the end
        text.replace("\n", "\n\n", 3),
    ]
    documents = Documents()
    monkeypatch.setattr(parsing, "_documents", documents)
    expected = [_findings(edited, path) for edited in edits]
    assert any(expected), "the fixtures are chosen for their findings"
    paths = []
    for edited, want in zip(edits, expected):
        with parsing.reuse_statements():
            got = _findings(edited, path)
        paths.append(documents.last)
        assert got == want
    assert "reused" in paths
    documents.clear()


def test_findings_of_a_generated_script_after_many_edits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The benchmark's kind of file, edited at random places, with a finding planted below each edit."""
    rng = random.Random(7)
    text = generated_script(300, rng).replace("tf.keras.utils.set_random_seed(0)\n", "")  # KL101 on each fit
    path = tmp_path / "train.py"
    documents = Documents()
    monkeypatch.setattr(parsing, "_documents", documents)
    for _ in range(12):
        lines = text.splitlines(keepends=True)
        at = rng.randrange(len(lines))
        lines.insert(at, rng.choice(["\n", "# note\n", "unused = 1\n"]))
        text = "".join(lines)
        want = _findings(text, path)
        with parsing.reuse_statements():
            assert _findings(text, path) == want
    assert want
    documents.clear()


def test_functions_are_remembered_across_checks_only_while_reusing(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    """Whether a function is a generator is kept for the process only in the language server
    (its re-parse keeps the nodes); a batch run keeps no node of a finished file."""
    from keraslint.source import interpreter

    monkeypatch.setattr(interpreter, "_GENERATORS", {})
    monkeypatch.setattr(parsing, "_documents", Documents())
    text = generated_script(60, random.Random(1))
    path = tmp_path / "train.py"
    plain = _findings(text, path)
    assert not interpreter._GENERATORS
    with parsing.reuse_statements():
        assert _findings(text, path) == plain
    assert interpreter._GENERATORS
    assert all(isinstance(node, cst.FunctionDef) for node, _ in interpreter._GENERATORS.values())
