"""A small JSON-RPC client for ``keraslint server`` over stdio (Content-Length framing), shared
by tests/test_server.py and benchmarks/server_latency.py so the benchmark measures what the
tests drive. Nothing here depends on pygls's own client; every read has a deadline."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIMEOUT = 30.0  # per awaited message; a check of a small script takes well under a second


class Client:
    """Writes requests/notifications; a reader thread queues every message the server sends."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.next_id = 0
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.seen: list[dict[str, Any]] = []  # everything read so far, for failure messages
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        try:
            while True:
                headers: dict[str, str] = {}
                while True:
                    line = stream.readline()
                    if not line:
                        self.inbox.put(None)  # EOF
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = stream.read(int(headers["content-length"]))
                self.inbox.put(json.loads(body.decode("utf-8")))
        except Exception:  # noqa: BLE001 - surfaces as EOF / timeout in the test
            self.inbox.put(None)

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.next_id

    def wait_for(self, accept: Callable[[dict[str, Any]], bool], what: str,
                 timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message ``accept`` takes; others are recorded (and server requests answered)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; got {self.seen!r}")
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise AssertionError(f"server closed its output while waiting for {what}; got {self.seen!r}")
            self.seen.append(message)
            if accept(message):
                return message
            if "id" in message and "method" in message:  # a request from the server: answer it
                self.send({"id": message["id"], "result": None})

    def response(self, request_id: int) -> Any:
        message = self.wait_for(lambda m: m.get("id") == request_id and "method" not in m,
                                f"the response to request {request_id}")
        assert "error" not in message, message
        return message["result"]

    def diagnostics(self, uri: str, version: int | None = None) -> dict[str, Any]:
        def accept(m: dict[str, Any]) -> bool:
            return (m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                    and (version is None or m["params"].get("version") == version))
        return self.wait_for(accept, f"diagnostics for {uri} (version {version})")["params"]

    def no_message(self, accept: Callable[[dict[str, Any]], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                return
            assert message is not None, "server closed its output"
            self.seen.append(message)
            assert not accept(message), message


def initialize(client: Client, root: Path, *, versioned_edits: bool = True,
               watch_files: bool = False) -> dict[str, Any]:
    request = client.request("initialize", {
        "processId": os.getpid(),
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"workspaceEdit": {"documentChanges": versioned_edits},
                          "didChangeWatchedFiles": {"dynamicRegistration": watch_files}},
            "textDocument": {
                "synchronization": {"didSave": True},
                "publishDiagnostics": {"versionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
                    "valueSet": ["quickfix", "source", "source.fixAll"]}}},
            },
        },
    })
    result = client.response(request)
    client.notify("initialized", {})
    return result


def open_document(client: Client, uri: str, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": version, "text": text}})
