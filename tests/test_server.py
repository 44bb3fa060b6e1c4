"""``keraslint server`` end to end: a real subprocess driven over stdio the way an editor does.

The small JSON-RPC client (Content-Length framing) is tests/lsp_client.py, shared with
benchmarks/server_latency.py; nothing there depends on pygls's own client. Every read has a
deadline and the process is killed in a ``finally``, so a broken server fails, never hangs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsp_client import TIMEOUT, Client, initialize, open_document  # noqa: E402


BUGGY = textwrap.dedent("""\
    import tensorflow as tf
    from tensorflow import keras

    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss="mse")
    model.fit(x, y)
""")
FIXED = textwrap.dedent("""\
    import tensorflow as tf
    from tensorflow import keras

    keras.utils.set_random_seed(42)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
    model.fit(x, y)
""")
URL = "https://github.com/keraslint/keraslint/blob/main/docs/rules.md#"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Client]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    proc = subprocess.Popen([sys.executable, "-m", "keraslint", "server"], cwd=tmp_path, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        yield Client(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def by_code(diagnostics: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["code"]: d for d in diagnostics}


def edits_of(action: dict[str, Any], uri: str, version: int) -> list[dict[str, Any]]:
    (change,) = action["edit"]["documentChanges"]
    assert change["textDocument"] == {"uri": uri, "version": version}
    return change["edits"]


def test_diagnostics_fixes_and_shutdown(server: Client, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nextend-select = ["KL403"]\n')
    script = tmp_path / "train.py"
    script.write_text(BUGGY)
    uri = script.as_uri()
    started = time.monotonic()

    result = initialize(server, tmp_path)
    capabilities = result["capabilities"]
    assert result["serverInfo"]["name"] == "keraslint"
    assert capabilities["textDocumentSync"]["openClose"] is True
    assert capabilities["textDocumentSync"]["change"] == 1  # full
    assert capabilities["textDocumentSync"]["save"]
    assert set(capabilities["codeActionProvider"]["codeActionKinds"]) == {"quickfix", "source.fixAll.keraslint"}

    # didOpen -> diagnostics, with the settings of the pyproject next to the file (KL403 is info,
    # selected only there) and the 1-based exclusive keraslint spans as 0-based LSP ranges.
    open_document(server, uri, BUGGY, version=1)
    published = server.diagnostics(uri)
    opened = time.monotonic()
    assert published["version"] == 1
    found = by_code(published["diagnostics"])
    assert set(found) == {"KL101", "KL403"}, published
    kl101, kl403 = found["KL101"], found["KL403"]
    # `tf.keras.Sequential` on line 4, columns 9..28 (1-based, exclusive end)
    assert kl101["range"] == {"start": {"line": 3, "character": 8}, "end": {"line": 3, "character": 27}}
    assert kl101["severity"] == 2  # Warning
    assert kl101["source"] == "keraslint"
    assert kl101["codeDescription"]["href"] == URL + "kl101-unseeded-training"
    assert "no global seed" in kl101["message"]
    # `lr` in `Adam(lr=0.1)` on line 5, columns 47..49
    assert kl403["range"] == {"start": {"line": 4, "character": 46}, "end": {"line": 4, "character": 48}}
    assert kl403["severity"] == 3  # Information
    assert kl403["codeDescription"]["href"] == URL + "kl403-legacy-keras-api"
    assert "learning_rate" in kl403["message"]

    # Quick fixes at the `lr` keyword: the safe rename, as a versioned edit of that range.
    request = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 4, "character": 47}, "end": {"line": 4, "character": 47}},
        "context": {"diagnostics": [kl403], "only": ["quickfix"]},
    })
    actions = server.response(request)
    (rename,) = actions
    assert rename["kind"] == "quickfix"
    assert rename["title"] == "keraslint (KL403): Rename `lr` to `learning_rate`"
    assert rename["isPreferred"] is True
    assert rename["diagnostics"][0]["code"] == "KL403"
    assert edits_of(rename, uri, 1) == [
        {"range": kl403["range"], "newText": "learning_rate"}]

    # At the model: the seed insertion, which changes behaviour, is marked unsafe.
    request = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": kl101["range"], "context": {"diagnostics": [kl101]}})
    actions = server.response(request)
    titles = {a["title"]: a for a in actions}
    seed = titles["keraslint (KL101): Seed Python, NumPy and TensorFlow right after the imports (unsafe)"]
    assert seed["isPreferred"] is False
    assert edits_of(seed, uri, 1) == [{
        "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
        "newText": "keras.utils.set_random_seed(42)\n"}]
    # No filter: the fix-all action comes along, applying only the safe fixes.
    (fix_all,) = [a for a in actions if a["kind"] == "source.fixAll.keraslint"]
    (edit,) = edits_of(fix_all, uri, 1)
    lines = BUGGY.splitlines(keepends=True)
    start, end = edit["range"]["start"], edit["range"]["end"]
    after = "".join(lines[:start["line"]]) + lines[start["line"]][:start["character"]] + edit["newText"] \
        + lines[end["line"]][end["character"]:] + "".join(lines[end["line"] + 1:])
    assert after == BUGGY.replace("lr=", "learning_rate=")

    # source.fixAll only (what editor.codeActionsOnSave asks for): just that action.
    request = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert [a["kind"] for a in server.response(request)] == ["source.fixAll.keraslint"]

    # didChange to the fixed text -> after the debounce, the findings are gone.
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": FIXED}]})
    changed_at = time.monotonic()
    cleared = server.diagnostics(uri, version=2)
    debounce = time.monotonic() - changed_at
    assert cleared["diagnostics"] == []
    assert debounce >= 0.25, debounce  # waited for the typing to stop
    request = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": kl403["range"], "context": {"diagnostics": []}})
    assert server.response(request) == []

    # didClose -> the editor is told to drop the document's diagnostics.
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert server.diagnostics(uri)["diagnostics"] == []

    # shutdown + exit -> the process ends by itself, successfully.
    request = server.request("shutdown", None)
    assert server.response(request) is None
    server.notify("exit", None)
    assert server.proc.wait(timeout=TIMEOUT) == 0
    print(f"\nopen->diagnostics {opened - started:.2f} s (incl. start-up), change->diagnostics {debounce:.2f} s")


def test_rapid_changes_are_debounced_and_bad_documents_are_findings(server: Client, tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    uri = script.as_uri()
    initialize(server, tmp_path, versioned_edits=False)
    open_document(server, uri, "import tensorflow as tf\n", version=1)
    assert server.diagnostics(uri, version=1)["diagnostics"] == []

    # A burst of typing: only the last version is checked (and published).
    for version in range(2, 7):
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": f"x = (\n{version}\n"}]})
    published = server.diagnostics(uri)
    assert published["version"] == 6, published
    (syntax,) = published["diagnostics"]
    assert syntax["code"] == "KL001" and syntax["severity"] == 1  # Error
    assert syntax["codeDescription"]["href"] == URL + "kl001-invalid-syntax"
    server.no_message(lambda m: m.get("method") == "textDocument/publishDiagnostics", 0.6)

    # didSave checks at once (no debounce); non-ASCII text before a finding counts in UTF-16 units.
    text = 'import keras\n"😀"; model = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y, nb_epoch=3)\n'
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 7},
                                             "contentChanges": [{"text": text}]})
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    found = by_code(server.diagnostics(uri, version=7)["diagnostics"])
    assert found["KL101"]["range"]["start"] == {"line": 1, "character": 14}  # code point 13; 😀 is 2 UTF-16 units
    assert "KL403" not in found  # info rules are not selected without a configuration

    # A document that is not Python is not checked.
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": (tmp_path / "notes.md").as_uri(), "languageId": "markdown", "version": 1, "text": "# x\n"}})
    server.no_message(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"].endswith("notes.md"), 0.5)

    request = server.request("shutdown", None)
    server.response(request)
    server.notify("exit", None)
    assert server.proc.wait(timeout=TIMEOUT) == 0


def test_quick_fix_as_plain_changes(server: Client, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nextend-select = ["KL403"]\n')
    uri = (tmp_path / "fit.py").as_uri()
    initialize(server, tmp_path, versioned_edits=False)
    text = 'import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y, nb_epoch=3)\n'
    open_document(server, uri, text)
    kl403 = by_code(server.diagnostics(uri)["diagnostics"])["KL403"]
    request = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": kl403["range"], "context": {"diagnostics": [kl403]}})
    (rename,) = [a for a in server.response(request) if a["kind"] == "quickfix"]
    assert rename["edit"] == {"changes": {uri: [{"range": kl403["range"], "newText": "epochs"}]}}


def test_bad_configuration_falls_back_to_defaults_and_excluded_files_are_skipped(server: Client,
                                                                                  tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nselect = ["KL999"]\n')
    uri = (tmp_path / "train.py").as_uri()
    initialize(server, tmp_path, watch_files=True)
    # The client said it can watch files: the server asks it to report pyproject.toml changes.
    registration = server.wait_for(lambda m: m.get("method") == "client/registerCapability", "the file watcher")
    (watcher,) = registration["params"]["registrations"]
    assert watcher["method"] == "workspace/didChangeWatchedFiles"
    assert watcher["registerOptions"]["watchers"] == [{"globPattern": "**/pyproject.toml"}, {"globPattern": "**/*.py"}]

    open_document(server, uri, BUGGY)
    shown = server.wait_for(lambda m: m.get("method") == "window/showMessage", "the configuration warning")
    assert shown["params"]["type"] == 2 and "KL999" in shown["params"]["message"], shown
    assert set(by_code(server.diagnostics(uri)["diagnostics"])) == {"KL101"}  # the default selection

    # The configuration is repaired: the open document is checked again with it.
    (tmp_path / "pyproject.toml").write_text(
        '[tool.keraslint]\nextend-select = ["KL403"]\nextend-exclude = ["generated/"]\n')
    server.notify("workspace/didChangeWatchedFiles", {"changes": [
        {"uri": (tmp_path / "pyproject.toml").as_uri(), "type": 2}]})
    assert set(by_code(server.diagnostics(uri)["diagnostics"])) == {"KL101", "KL403"}

    (tmp_path / "generated").mkdir()
    (tmp_path / "generated" / "train.py").write_text(BUGGY)
    excluded = (tmp_path / "generated" / "train.py").as_uri()
    open_document(server, excluded, BUGGY)
    assert server.diagnostics(excluded)["diagnostics"] == []


def test_a_failing_check_is_logged_and_keeps_the_previous_diagnostics(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """In process (the child is real): the check itself raising (not a rule: those become
    KL009) must not publish."""
    import asyncio

    from lsprotocol import types as lsp
    from pygls.workspace import Workspace

    import keraslint.server as server_module

    ls = server_module.create_server()
    ls.protocol._workspace = Workspace(tmp_path.as_uri(), sync_kind=lsp.TextDocumentSyncKind.Full)
    published: list[lsp.PublishDiagnosticsParams] = []
    logged: list[lsp.LogMessageParams] = []
    monkeypatch.setattr(ls, "text_document_publish_diagnostics", published.append)
    monkeypatch.setattr(ls, "window_log_message", logged.append)
    uri = (tmp_path / "train.py").as_uri()
    ls.workspace.put_text_document(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=BUGGY))

    asyncio.run(ls.check_now(ls.workspace.get_text_document(uri)))
    assert [d.code for d in published[-1].diagnostics] == ["KL101"]

    def explode(*args: object, **kwargs: object) -> None:
        raise server_module.WorkerError("RuntimeError: boom")

    monkeypatch.setattr(ls.worker, "check", explode)
    ls.workspace.update_text_document(lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                                      lsp.TextDocumentContentChangeWholeDocument(text=FIXED))
    asyncio.run(ls.check_now(ls.workspace.get_text_document(uri)))
    assert len(published) == 1  # nothing new published: the editor keeps showing the KL101
    assert [d.code for d in ls.checked[uri].lsp_diagnostics] == ["KL101"]
    assert logged and logged[-1].type == lsp.MessageType.Error and "RuntimeError: boom" in logged[-1].message
    ls.stop_checks()


def _apply_lsp_edit(text: str, edit: Any) -> str:
    """Apply one TextEdit the way a UTF-16 client does (lines end at \\r\\n, \\r or \\n)."""
    import re

    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def offset(position: Any) -> int:
        line_start = starts[position.line]
        units = 0
        index = line_start
        while units < position.character:
            units += 2 if ord(text[index]) > 0xFFFF else 1
            index += 1
        return index

    return text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]


@pytest.mark.parametrize(("old", "new"), [
    ("a = f(lr=1)\n", "a = f(learning_rate=1)\n"),
    ("x\r\ny\r\n", "x\r\nz\r\ny\r\n"),  # inserting a CRLF line: never split \r from \n
    ("x\r\ny\r\n", "x\r\n"),
    ("x\r\n", "x\r\r\n"),  # the common prefix and suffix both end inside a \r\n
    ("s = '😀'; f(lr=1)\nnext\n", "s = '😀'; f(learning_rate=1)\nnext\n"),
    ("same\n", "same\n"),
    ("", "import keras\n"),
    ("a\nb", "a\nc"),  # no final newline
])
def test_fix_all_replacement_edit_round_trips(old: str, new: str, tmp_path: Path) -> None:
    from lsprotocol import types as lsp
    from pygls.workspace import Workspace

    from keraslint.server import create_server

    ls = create_server()
    ls.protocol._workspace = Workspace(tmp_path.as_uri(), sync_kind=lsp.TextDocumentSyncKind.Full)
    edit = ls.replacement(old, new)
    # (a position between \r and \n cannot be expressed in LSP: the round trip would fail)
    assert _apply_lsp_edit(old, edit) == new
    ls.stop_checks()


def test_positions_convert_to_lsp_units() -> None:
    from pygls.workspace import PositionCodec

    from keraslint.diagnostics import Location
    from keraslint.server import split_lines, to_position

    lines = split_lines("a\x0cb = '\u2028'\r\né = 1\n")  # \f and \u2028 do not end a line for LSP
    assert len(lines) == 3
    utf16, utf8 = PositionCodec("utf-16"), PositionCodec("utf-8")
    assert (to_position(lines, Location(2, 3), utf16).line, to_position(lines, Location(2, 3), utf16).character) \
        == (1, 2)
    assert to_position(lines, Location(2, 3), utf8).character == 3  # é is two UTF-8 bytes
    end = to_position(lines, Location(9, 1), utf16)  # past the end: clamped to the document's end
    assert (end.line, end.character) == (2, 0)
    assert to_position(lines, Location(1, 99), utf16).character == 9  # past a line's end: its end


MODEL = textwrap.dedent("""\
    import keras

    def build(width):
        return keras.Sequential([keras.Input(shape=(width,)), keras.layers.Dense(1)])
""")
TRAIN = textwrap.dedent("""\
    import numpy as np
    import keras
    from model import build

    keras.utils.set_random_seed(0)
    model = build(5)
    model.compile(loss="mse")
    model.fit(np.zeros((8, 7)), np.zeros((8, 1)))
""")


def test_editing_an_imported_module_rechecks_the_documents_that_use_it(server: Client, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "train.py").write_text(TRAIN)
    model_uri, train_uri = (tmp_path / "model.py").as_uri(), (tmp_path / "train.py").as_uri()
    initialize(server, tmp_path)
    open_document(server, train_uri, TRAIN)
    assert [d["code"] for d in server.diagnostics(train_uri, 1)["diagnostics"]] == ["KL201"]
    open_document(server, model_uri, MODEL)
    assert server.diagnostics(model_uri, 1)["diagnostics"] == []
    # an unsaved edit of model.py that fixes the width: train.py is checked again against it
    fixed = MODEL.replace("shape=(width,)", "shape=(7,)")
    server.notify("textDocument/didChange", {"textDocument": {"uri": model_uri, "version": 2},
                                             "contentChanges": [{"text": fixed}]})
    assert server.diagnostics(train_uri, 1)["diagnostics"] == []
    # a layer problem that only the call in train.py makes certain (`build(5)`: length 5, so the
    # stride drops a step) shows in model.py's document; model.py alone cannot know the length
    strided = textwrap.dedent("""\
        import keras

        def build(length):
            inputs = keras.Input(shape=(length, 2))
            return keras.Model(inputs, keras.layers.Conv1D(4, 2, strides=2)(inputs))
    """)
    server.notify("textDocument/didChange", {"textDocument": {"uri": model_uri, "version": 3},
                                             "contentChanges": [{"text": strided}]})
    published = server.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == model_uri
                                and any(d["code"] == "KL301" for d in m["params"]["diagnostics"]),
                                "KL301 in model.py")
    (stride,) = [d for d in published["params"]["diagnostics"] if d["code"] == "KL301"]
    assert stride["range"]["start"]["line"] == 4


def test_findings_after_line_shifting_edits_are_where_a_full_check_puts_them(server: Client, tmp_path: Path) -> None:
    """The server re-parses only the statements an edit changed (keraslint.source.incremental):
    the findings below an edit that adds or removes lines must move with it, a syntax error
    typed mid-edit is a KL001 where a full check puts it, and fixing it brings the findings back."""
    from keraslint.checker import check_source
    from keraslint.registry import all_rules

    filler = "".join(f"step_{i} = {i}\n\n" for i in range(12))
    text = BUGGY.replace("model = tf.keras", filler + "model = tf.keras")
    script = tmp_path / "train.py"
    script.write_text(text)
    uri = script.as_uri()
    initialize(server, tmp_path)
    open_document(server, uri, text, version=1)
    server.diagnostics(uri, version=1)
    every = {rule.code for rule in all_rules()}
    versions = [
        text.replace("step_3 = 3\n", "step_3 = 3\n\n\n# three more lines\n"),
        text.replace("step_3 = 3\n\n", ""),
        text.replace("step_3 = 3\n", "step_3 = (3\n"),          # a syntax error while typing
        text.replace("step_3 = 3\n", "step_3 = (3,\n    4)\n"),  # fixed, one line longer
        text.replace("step_10 = 10\n", "def helper():\n    return 10\n"),
    ]
    for version, edited in enumerate(versions, start=2):
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": edited}]})
        server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        published = server.diagnostics(uri, version=version)["diagnostics"]
        got = sorted((d["code"], d["range"]["start"]["line"], d["range"]["start"]["character"]) for d in published)
        report = check_source(edited, "train.py", selected=every, script_dir=tmp_path, path=script)
        shown = {code for code, _, _ in got}
        expected = sorted((d.code, d.location.row - 1, d.location.column - 1) for d in report.diagnostics
                          if d.code in shown)
        assert got == expected, (version, published)
        assert shown & {"KL001", "KL101"}, published
