"""A cache nobody can poison: entries this user's keraslint did not write are misses that get
rewritten, and the cache folder is never followed through a symlink or into someone else's."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from keraslint.cache import Cache, key_path, load_key
from tests.hostile.cli import run_cli

BUGGY = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y)\n"
CHECK = ["check", "--output-format", "json", "t.py"]


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "t.py").write_text(BUGGY)
    env = {"KERASLINT_CACHE_DIR": str(root / ".keraslint_cache"), "KERASLINT_KEY_DIR": str(tmp_path / "key")}
    return root, env


def _entries(root: Path) -> list[Path]:
    return sorted((root / ".keraslint_cache").rglob("*.json"))


def _codes(stdout: str) -> list[str]:
    return [d["code"] for d in json.loads(stdout)]


def _first_run(root: Path, env: dict[str, str]) -> str:
    first = run_cli(CHECK, root, env=env)
    assert first.returncode == 1 and _codes(first.stdout) == ["KL101"], first.stderr
    assert len(_entries(root)) == 1
    return first.stdout


FAKE = {"diagnostics": [{"code": "KL301", "name": "stride-drops-samples", "message": "\x1b]0;owned\x07\x1b[2J fake",
                         "severity": "error", "pass": "graph", "filename": "t.py", "cell": None,
                         "location": {"row": 1, "column": 1}, "end_location": {"row": 1, "column": 2},
                         "noqa_row": None, "url": "", "fix": None}],
        "dependencies": {}, "coverage": None, "notes": []}


@pytest.mark.parametrize("content", [
    pytest.param(b"[]", id="empty-list"),
    pytest.param(b'{"a":1}', id="object"),
    pytest.param(json.dumps({"diagnostics": [], "dependencies": {}, "coverage": None, "notes": []}).encode(),
                 id="old-format-no-findings"),
    pytest.param(json.dumps(FAKE).encode(), id="fake-findings-with-escapes"),
    pytest.param(b"0" * 64 + b"\n" + json.dumps(FAKE).encode(), id="forged-mac"),
])
def test_an_entry_keraslint_did_not_sign_is_a_miss_and_is_rewritten(tmp_path: Path, content: bytes) -> None:
    root, env = _project(tmp_path)
    honest = _first_run(root, env)
    (entry,) = _entries(root)
    entry.write_bytes(content)
    again = run_cli(CHECK, root, env=env)
    assert (again.returncode, again.stdout) == (1, honest), again.stderr
    assert "\x1b" not in again.stdout and "Traceback" not in again.stderr
    assert entry.read_bytes() != content  # rewritten with the real result
    secret = load_key(Path(env["KERASLINT_KEY_DIR"]) / "key")
    assert Cache(root / ".keraslint_cache", secret=secret).get(entry.stem, "t.py") is not None


def test_an_entry_signed_with_another_users_key_is_a_miss(tmp_path: Path) -> None:
    root, env = _project(tmp_path)
    honest = _first_run(root, env)
    (entry,) = _entries(root)
    Cache(root / ".keraslint_cache", secret=b"someone else's key").put(entry.stem, [])
    assert run_cli(CHECK, root, env=env).stdout == honest


def _sign(entry: Path, payload: object, secret: bytes) -> None:
    """An entry as Cache.put frames it, with any payload: what a bug or an older version could
    leave behind under this user's own key."""
    data = json.dumps(payload).encode()
    mac = Cache(entry.parent.parent, secret=secret)._mac(secret, entry.stem, data)
    entry.write_bytes(mac.hex().encode() + b"\n" + data)


def _with(**change: object) -> dict:
    diagnostic = {**FAKE["diagnostics"][0], "message": "plausible", **change}
    return {**FAKE, "diagnostics": [diagnostic]}


SCHEMA_BREAKS = [
    pytest.param({"a": 1}, id="object"),
    pytest.param([], id="list"),
    pytest.param(_with(code="KL999", name="made-up"), id="unknown-code"),
    pytest.param(_with(name="not-its-name"), id="code-and-name-disagree"),
    pytest.param(_with(filename="elsewhere.py"), id="another-files-name"),
    pytest.param(_with(location={"row": "1", "column": 1}), id="row-is-a-string"),
    pytest.param(_with(location={"row": 1, "column": 1, "x": 2}), id="extra-key"),
    pytest.param(_with(severity="fatal"), id="unknown-severity"),
    pytest.param(_with(fix={"message": "m", "applicability": "always", "edits": []}), id="unknown-applicability"),
    pytest.param({**FAKE, "dependencies": {"m.py": 1}}, id="dependency-hash-not-text"),
    pytest.param({**FAKE, "coverage": {"a": 1}}, id="coverage-not-a-coverage"),
    pytest.param({**FAKE, "notes": [{"a": 1}]}, id="note-not-text"),
]


@pytest.fixture(scope="module")
def signed_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path, bytes, str]:
    tmp_path = tmp_path_factory.mktemp("signed")
    root, env = _project(tmp_path)
    honest = _first_run(root, env)
    (entry,) = _entries(root)
    secret = load_key(Path(env["KERASLINT_KEY_DIR"]) / "key")
    assert secret is not None
    return root, env, entry, secret, honest


@pytest.mark.parametrize("payload", SCHEMA_BREAKS)
def test_a_signed_entry_that_breaks_the_schema_is_a_miss(signed_project, payload: object) -> None:
    root, _, entry, secret, _ = signed_project
    cache = Cache(root / ".keraslint_cache", secret=secret)
    _sign(entry, _with(message="plausible"), secret)
    assert cache.get(entry.stem, "t.py") is not None  # the same entry, well-formed, is a hit
    _sign(entry, payload, secret)
    assert cache.get(entry.stem, "t.py") is None


@pytest.mark.slow
def test_a_signed_entry_that_breaks_the_schema_never_breaks_a_run(signed_project) -> None:
    root, env, entry, secret, honest = signed_project
    for payload in ({"a": 1}, {**FAKE, "coverage": {"a": 1}}):
        for command in (CHECK, ["check", "--show-coverage", "--output-format", "json", "t.py"]):
            _sign(entry, payload, secret)
            again = run_cli(command, root, env=env)
            assert (again.returncode, again.stdout) == (1, honest), again.stderr


def test_a_valid_signed_entry_is_a_hit(signed_project) -> None:
    """The other tests' misses are misses because of what was wrong, not because nothing hits."""
    root, env, entry, secret, _ = signed_project
    _sign(entry, _with(message="from the cache"), secret)
    hit = run_cli(CHECK, root, env=env)
    assert [d["message"] for d in json.loads(hit.stdout)] == ["from the cache"]


def test_a_symlinked_cache_folder_is_never_written_through(tmp_path: Path) -> None:
    root, env = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".keraslint_cache").symlink_to(elsewhere, target_is_directory=True)
    for _ in range(2):
        result = run_cli(CHECK, root, env=env)
        assert result.returncode == 1 and _codes(result.stdout) == ["KL101"], result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_subfolder_or_gitignore_is_never_written_through(tmp_path: Path) -> None:
    root, env = _project(tmp_path)
    _first_run(root, env)
    (entry,) = _entries(root)
    subfolder = entry.parent
    for item in subfolder.iterdir():
        item.unlink()
    subfolder.rmdir()
    (root / ".keraslint_cache" / ".gitignore").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    subfolder.symlink_to(elsewhere, target_is_directory=True)
    (root / ".keraslint_cache" / ".gitignore").symlink_to(elsewhere / "gitignore")
    result = run_cli(CHECK, root, env=env)
    assert result.returncode == 1 and _codes(result.stdout) == ["KL101"], result.stderr
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root")
def test_a_cache_folder_owned_by_someone_else_is_not_used(tmp_path: Path) -> None:
    root, env = _project(tmp_path)
    cache = root / ".keraslint_cache"
    cache.mkdir()
    os.chown(cache, 12345, 12345)
    result = run_cli(CHECK, root, env=env)
    assert result.returncode == 1 and _codes(result.stdout) == ["KL101"], result.stderr
    assert list(cache.iterdir()) == []


def test_the_key_is_created_private_in_the_users_cache_folder(tmp_path: Path) -> None:
    root, env = _project(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {**env, "HOME": str(home), "KERASLINT_KEY_DIR": "", "XDG_CACHE_HOME": ""}
    _first_run(root, env)
    key = home / ".cache" / "keraslint" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and not stat.S_IMODE(key.parent.stat().st_mode) & 0o077
    assert len(key.read_text()) == 64
    xdg = tmp_path / "xdg"
    run_cli(CHECK, root, env={**env, "XDG_CACHE_HOME": str(xdg)})
    assert (xdg / "keraslint" / "key").is_file()


def test_key_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KERASLINT_KEY_DIR", str(tmp_path / "k"))
    assert key_path() == tmp_path / "k" / "key"
    monkeypatch.delenv("KERASLINT_KEY_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert key_path() == tmp_path / "home" / ".cache" / "keraslint" / "key"


def test_a_key_others_can_read_disables_the_cache(tmp_path: Path) -> None:
    root, env = _project(tmp_path)
    key = Path(env["KERASLINT_KEY_DIR"]) / "key"
    key.parent.mkdir(mode=0o700)
    key.write_text("ab" * 32)
    key.chmod(0o644)
    result = run_cli(CHECK, root, env=env)
    assert result.returncode == 1 and _codes(result.stdout) == ["KL101"], result.stderr
    assert _entries(root) == [] and key.read_text() == "ab" * 32


def _one_run(root: str, queue: multiprocessing.Queue) -> None:
    import io

    from keraslint.run import CheckOptions, run_check

    os.chdir(root)
    out, err = io.StringIO(), io.StringIO()
    code = run_check(CheckOptions(paths=[Path(root)], output_format="json"), stdout=out, stderr=err)
    queue.put((code, out.getvalue(), err.getvalue()))


@pytest.mark.slow
def test_sixty_parallel_runs_share_one_cache_and_one_new_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, env = _project(tmp_path)
    (root / "s.py").write_text("import numpy as np\nx = np.zeros(3)\n")
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # inherited by the forked runs; no key exists yet
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    runs = [context.Process(target=_one_run, args=(str(root), queue)) for _ in range(60)]
    for run in runs:
        run.start()
    results = [queue.get(timeout=300) for _ in runs]
    for run in runs:
        run.join(timeout=60)
    assert {code for code, _, _ in results} == {1} and {err for _, _, err in results} == {""}
    assert len({out for _, out, _ in results}) == 1 and _codes(results[0][1]) == ["KL101"]
    entries = _entries(root)
    assert len(entries) == 2
    # every entry verifies under the one key that won: a later run is all hits (nothing is
    # rewritten) with the same output
    written = [entry.stat().st_mtime_ns for entry in entries]
    again = run_cli(["check", "--output-format", "json", "."], root, env=env)
    assert again.stdout == results[0][1] and [entry.stat().st_mtime_ns for entry in entries] == written
