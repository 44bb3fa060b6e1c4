"""The language server cannot be wedged: documents that hang, crash or blow up the parser are a
KL009 for that document, while every other request is still answered, a newer version cancels
the running check, and shutdown and exit always work (exit without shutdown: code 1).

Driven over stdio through the client of tests/test_server.py; every wait has a deadline and
the process is killed in a ``finally``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsp_client import Client, initialize, open_document  # noqa: E402

BUDGET = 2  # seconds per check in these servers; the kill comes GRACE_SECONDS later
FINE = textwrap.dedent("""\
    import keras
    model = keras.Sequential([keras.layers.Dense(1)])
    model.fit(x, y, nb_epoch=3)
""")
#: libcst's parser takes tens of seconds on these 40 subscript chains, each as long as the
#: pre-check lets through (keraslint/source/parsing.py), and the budget's signal cannot interrupt it
SLOW_PARSE = "import keras\n" + "".join(f"x{i} = f" + "[0]" * 1000 + "\n" for i in range(40))


def start(tmp_path: Path, budget: float) -> Client:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    env["KERASLINT_FILE_BUDGET"] = str(budget)
    proc = subprocess.Popen([sys.executable, "-m", "keraslint", "server"], cwd=tmp_path, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return Client(proc)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[Client]]:
    started: list[Client] = []
    try:
        yield started
    finally:
        for client in started:
            if client.proc.poll() is None:
                client.proc.kill()
            client.proc.wait(timeout=10)
            for stream in (client.proc.stdin, client.proc.stdout, client.proc.stderr):
                if stream is not None:
                    stream.close()


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux /proc); empty where /proc cannot tell."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(p) for p in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            return True  # dead, waiting for a parent that is itself gone
        time.sleep(0.05)
    return False


def codes(published: dict[str, Any]) -> list[str]:
    return [d["code"] for d in published["diagnostics"]]


def code_actions(client: Client, uri: str) -> Any:
    request = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 1, "character": 10}, "end": {"line": 1, "character": 10}},
        "context": {"diagnostics": []}})
    return client.response(request)


@pytest.mark.slow
def test_a_document_the_parser_cannot_finish_is_a_kl009_and_the_server_keeps_answering(
        servers: list[Client], tmp_path: Path) -> None:
    client = start(tmp_path, BUDGET)
    servers.append(client)
    initialize(client, tmp_path)
    slow, fine = (tmp_path / "slow.py").as_uri(), (tmp_path / "fine.py").as_uri()
    started = time.monotonic()
    open_document(client, slow, SLOW_PARSE)
    open_document(client, fine, FINE)
    published = client.diagnostics(slow, version=1)
    (kl009,) = published["diagnostics"]
    assert kl009["code"] == "KL009" and kl009["severity"] == 1
    assert f"after the {BUDGET} s per-file budget" in kl009["message"], kl009
    assert time.monotonic() - started < BUDGET + 10  # the kill came after budget + grace, not minutes
    # the other document is checked by the replacement child, and its fixes are offered
    assert "KL101" in codes(client.diagnostics(fine, version=1))
    titles = [a["title"] for a in code_actions(client, fine)]
    assert "keraslint (KL101): Seed Python, NumPy and TensorFlow right after the imports (unsafe)" in titles
    request = client.request("shutdown", None)
    assert client.response(request) is None
    client.notify("exit", None)
    assert client.proc.wait(timeout=15) == 0


@pytest.mark.slow
def test_a_check_whose_process_dies_is_a_kl009_and_the_next_check_works(
        servers: list[Client], tmp_path: Path) -> None:
    """The child dies mid-check (as libcst's native parser did on inputs the pre-check now
    refuses): that document gets a KL009 and a replacement child checks the next version."""
    client = start(tmp_path, 600)
    servers.append(client)
    initialize(client, tmp_path)
    uri = (tmp_path / "chain.py").as_uri()
    open_document(client, uri, SLOW_PARSE)
    time.sleep(2.0)  # the child is parsing by now
    for pid in children(client.proc.pid):
        os.kill(pid, signal.SIGKILL)
    (kl009,) = client.diagnostics(uri, version=1)["diagnostics"]
    assert kl009["code"] == "KL009" and "the check crashed" in kl009["message"], kl009
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": FINE}]})
    assert "KL101" in codes(client.diagnostics(uri, version=2))
    request = client.request("shutdown", None)
    client.response(request)
    client.notify("exit", None)
    assert client.proc.wait(timeout=15) == 0


@pytest.mark.slow
def test_a_newer_version_cancels_the_running_check(servers: list[Client], tmp_path: Path) -> None:
    client = start(tmp_path, 600)  # the slow parse would run for minutes: only the cancel ends it
    servers.append(client)
    initialize(client, tmp_path)
    uri = (tmp_path / "train.py").as_uri()
    open_document(client, uri, SLOW_PARSE)
    time.sleep(2.0)  # the child is parsing version 1 by now
    child = children(client.proc.pid)
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"text": FINE}]})
    asked = time.monotonic()
    published = client.diagnostics(uri)
    assert published["version"] == 2, published  # version 1 never published
    assert "KL101" in codes(published)
    assert time.monotonic() - asked < 15
    assert all(gone(pid) for pid in child), child  # the child stuck on version 1 was killed
    request = client.request("shutdown", None)
    client.response(request)
    client.notify("exit", None)
    assert client.proc.wait(timeout=15) == 0


@pytest.mark.slow
def test_shutdown_and_exit_work_while_a_check_is_stuck(servers: list[Client], tmp_path: Path) -> None:
    client = start(tmp_path, 600)
    servers.append(client)
    initialize(client, tmp_path)
    open_document(client, (tmp_path / "slow.py").as_uri(), SLOW_PARSE)
    time.sleep(2.0)
    child = children(client.proc.pid)
    assert child, "the server checks in a child process"
    asked = time.monotonic()
    request = client.request("shutdown", None)
    assert client.response(request) is None
    assert time.monotonic() - asked < 10
    client.notify("exit", None)
    assert client.proc.wait(timeout=15) == 0
    assert all(gone(pid) for pid in child), child


@pytest.mark.parametrize("stuck", [False, True])
def test_exit_without_shutdown_exits_with_1(servers: list[Client], tmp_path: Path, stuck: bool) -> None:
    client = start(tmp_path, 600)
    servers.append(client)
    initialize(client, tmp_path)
    if stuck:
        open_document(client, (tmp_path / "slow.py").as_uri(), SLOW_PARSE)
        time.sleep(2.0)
    client.notify("exit", None)
    assert client.proc.wait(timeout=15) == 1


def test_the_client_closing_the_pipe_ends_the_server(servers: list[Client], tmp_path: Path) -> None:
    client = start(tmp_path, 600)
    servers.append(client)
    initialize(client, tmp_path)
    open_document(client, (tmp_path / "slow.py").as_uri(), SLOW_PARSE)
    time.sleep(2.0)
    child = children(client.proc.pid)
    assert client.proc.stdin is not None
    client.proc.stdin.close()
    assert client.proc.wait(timeout=15) == 1  # gone without shutdown
    assert all(gone(pid) for pid in child), child


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_server_leaves_no_child_behind(servers: list[Client], tmp_path: Path) -> None:
    """An editor killed with SIGKILL: the child stuck in the parser never reads its closed pipe."""
    client = start(tmp_path, 600)
    servers.append(client)
    initialize(client, tmp_path)
    open_document(client, (tmp_path / "slow.py").as_uri(), SLOW_PARSE)
    time.sleep(2.0)
    child = children(client.proc.pid)
    assert child
    client.proc.kill()
    client.proc.wait(timeout=10)
    assert all(gone(pid) for pid in child), child


def test_an_exception_in_the_child_is_a_worker_error_and_the_child_goes_on(tmp_path: Path) -> None:
    from keraslint.server_worker import Cancelled, CheckWorker, Target, WorkerError

    worker = CheckWorker(budget=20)
    try:
        target = Target(tmp_path / "t.py", tmp_path, "t.py", on_disk=False)
        with pytest.raises(WorkerError, match="AttributeError: 'list' object has no attribute 'items'"):
            worker.check(("t", 1), target, FINE, ["a list, not the buffers' dict"])  # type: ignore[arg-type]
        pid = worker.pid
        outcome = worker.check(("t", 2), target, FINE, {})
        assert [d.code for d in outcome.diagnostics] == ["KL101"]
        assert outcome.diagnostics[0].fix is not None  # the whole Diagnostic travels back
        assert worker.pid == pid  # an exception costs no restart
        assert not worker.want("t", 3)  # nothing running to stop
        with pytest.raises(Cancelled):
            worker.check(("t", 2), target, FINE, {})  # version 3 was asked for since: 2 is stale
    finally:
        worker.close()
    assert gone(pid)


@pytest.mark.slow
def test_fix_all_that_cannot_finish_keeps_the_quick_fixes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In process (the child is real for the check; the fix-all run is made to fail)."""
    import asyncio

    from lsprotocol import types as lsp
    from pygls.workspace import Workspace

    import keraslint.server as server_module

    (tmp_path / "pyproject.toml").write_text('[tool.keraslint]\nextend-select = ["KL403"]\n')
    ls = server_module.create_server()
    ls.protocol._workspace = Workspace(tmp_path.as_uri(), sync_kind=lsp.TextDocumentSyncKind.Full)
    ls.protocol.client_capabilities = lsp.ClientCapabilities()  # as `initialize` would set them
    logged: list[lsp.LogMessageParams] = []
    monkeypatch.setattr(ls, "text_document_publish_diagnostics", lambda params: None)
    monkeypatch.setattr(ls, "window_log_message", logged.append)
    uri = (tmp_path / "fit.py").as_uri()
    ls.workspace.put_text_document(lsp.TextDocumentItem(uri=uri, language_id="python", version=1, text=FINE))

    def stopped(*args: object) -> str:
        raise server_module.WorkerError("applying the fixes: analysis stopped after the 2 s per-file budget")

    monkeypatch.setattr(ls.worker, "fix", stopped)
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=lsp.Position(line=2, character=17), end=lsp.Position(line=2, character=17)),
        context=lsp.CodeActionContext(diagnostics=[]))
    try:
        actions = asyncio.run(ls.code_actions(params))
    finally:
        ls.stop_checks()
    assert [a.title for a in actions] == ["keraslint (KL403): Rename `nb_epoch` to `epochs`"]
    assert logged and "applying all fixes" in logged[-1].message and "per-file budget" in logged[-1].message
