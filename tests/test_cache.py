"""The results cache and the process pool: same output, less work."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import keraslint.run as run_module
from keraslint.run import CheckOptions, run_check

BUGGY = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(x, y)\n"


def check(paths: list[Path], **extra) -> tuple[int, list[dict]]:
    out, err = io.StringIO(), io.StringIO()
    code = run_check(CheckOptions(paths=paths, output_format="json", **extra), stdout=out, stderr=err)
    return code, json.loads(out.getvalue())


def test_second_run_comes_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    script = tmp_path / "t.py"
    script.write_text(BUGGY)
    first = check([script])
    calls = []
    real = run_module._run_jobs  # in this process (each _run_job runs in a worker process)
    monkeypatch.setattr(run_module, "_run_jobs", lambda jobs, *rest: calls.extend(jobs) or real(jobs, *rest))
    assert check([script]) == first and calls == []  # a hit: nothing analysed
    script.write_text(BUGGY + "# changed\n")
    assert check([script])[0] == 1 and len(calls) == 1  # new bytes: a miss
    assert check([script], no_cache=True)[0] == 1 and len(calls) == 2
    assert check([script], extend_select=["KL104"])[0] == 1 and len(calls) == 3  # other rules: another key


def test_a_damaged_cache_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    script = tmp_path / "t.py"
    script.write_text(BUGGY)
    first = check([script])
    for entry in (tmp_path / "cache").rglob("*.json"):
        entry.write_text("{not json")
    assert check([script]) == first


def test_cached_full_output_still_shows_the_source_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    script = tmp_path / "t.py"
    script.write_text(BUGGY)
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        run_check(CheckOptions(paths=[script]), stdout=out, stderr=io.StringIO())
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1] and "2 | model = tf.keras.Sequential" in outputs[1]


def test_parallel_run_gives_the_same_ordered_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(30):
        body = BUGGY if index % 3 else "import numpy as np\nx = np.zeros(3)\n"
        (tmp_path / f"s{index:02d}.py").write_text(body)
    monkeypatch.setattr(run_module, "PARALLEL_MIN_FILES", 10_000)
    serial = check([tmp_path], no_cache=True)
    monkeypatch.setattr(run_module, "PARALLEL_MIN_FILES", 2)
    parallel = check([tmp_path], no_cache=True)
    assert parallel == serial and len(serial[1]) == 20


def test_per_file_budget_turns_a_slow_file_into_kl009(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import keraslint.checker as checker

    monkeypatch.setenv("KERASLINT_FILE_BUDGET", "0.5")
    real = checker.check_source

    def slow(*args, **kwargs):
        time.sleep(3)
        return real(*args, **kwargs)

    monkeypatch.setattr(checker, "check_source", slow)
    (tmp_path / "t.py").write_text(BUGGY)
    start = time.monotonic()
    code, found = check([tmp_path / "t.py"], no_cache=True)
    assert time.monotonic() - start < 2.5
    assert code == 2 and [d["code"] for d in found] == ["KL009"] and "budget" in found[0]["message"]


def test_a_file_name_with_undecodable_bytes_has_a_cache_key() -> None:
    """os.listdir gives such a name with surrogate escapes; the key is of its bytes."""
    from keraslint.cache import key

    odd = key(b"x = 1\n", "caf\udce9.py", {"KL101"}, {})
    assert odd != key(b"x = 1\n", "cafe.py", {"KL101"}, {})
    assert odd == key(b"x = 1\n", "caf\udce9.py", {"KL101"}, {})


def test_the_key_changes_with_keraslints_own_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install that edited a rule must miss, not serve the old code's results."""
    import hashlib
    import os

    import keraslint.cache as cache

    package = tmp_path / "keraslint"
    package.mkdir()
    (package / "rule.py").write_text("x = 1\n")

    def tree_digest() -> str:
        digest = hashlib.sha256()
        cache._digest_tree(digest, package)
        return digest.hexdigest()

    before = tree_digest()
    os.utime(package / "rule.py", ns=(1, 1))  # as an edit (or a checkout) changes it
    assert tree_digest() != before
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "rule.cpython.pyc").write_bytes(b"\0")
    walked = tree_digest()
    (package / "__pycache__" / "rule.cpython.pyc").write_bytes(b"\0\0")
    assert tree_digest() == walked  # bytecode is not the code

    roots = []
    monkeypatch.setattr(cache, "_BUILD", None)
    monkeypatch.setattr(cache, "_digest_tree", lambda digest, root: roots.append(root.name))
    assert cache.build_fingerprint().startswith(cache.__version__ + "+")
    assert roots[0] == "keraslint" and len(roots) == 2  # the rules live in their own folder in a checkout
    monkeypatch.setattr(cache, "_BUILD", None)
    key_before = cache.key(b"x = 1\n", "t.py", {"KL101"}, {})
    monkeypatch.setattr(cache, "_BUILD", "0.1.0+other")
    assert cache.key(b"x = 1\n", "t.py", {"KL101"}, {}) != key_before


FED_FROM_FILES = """\
import numpy as np
import keras
from keras import layers
keras.utils.set_random_seed(0)
x = np.load("x.npy")
y = np.zeros((100, 1), "float32")
model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])
model.compile(loss="mse")
model.fit(x, y)
"""


def test_a_data_file_the_script_reads_is_a_dependency_of_its_cached_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The findings of ``np.load("x.npy")`` depend on the array's header: a cached result is
    dropped when the file is written again, appears or disappears, as when the script changes."""
    import numpy as np

    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    script = tmp_path / "train.py"
    script.write_text(FED_FROM_FILES)
    assert check([script]) == (0, [])  # no x.npy: its shape is unknown, nothing to say
    np.save(tmp_path / "x.npy", np.zeros((100, 8), "float32"))
    assert check([script]) == (0, [])
    np.save(tmp_path / "x.npy", np.zeros((100, 6), "float32"))
    code, found = check([script])
    assert code == 1 and [d["code"] for d in found] == ["KL201"] and "(6 vs 8)" in found[0]["message"]
    assert check([script]) == (code, found)  # unchanged since: from the cache
    (tmp_path / "x.npy").unlink()
    assert check([script]) == (0, [])


def test_a_module_that_appears_next_to_the_script_invalidates_its_cached_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``from netdef import build`` with no netdef.py yet: creating it changes what the import
    finds, so the result cached without it is not served again."""
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    script = tmp_path / "train.py"
    script.write_text(FED_FROM_FILES.replace('x = np.load("x.npy")', 'x = np.zeros((100, 6), "float32")')
                      .replace("from keras import layers\n", "from netdef import build\n")
                      .replace("model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])", "model = build()"))
    assert check([script]) == (0, [])
    (tmp_path / "netdef.py").write_text("import keras\nfrom keras import layers\n"
                                        "def build():\n    return keras.Sequential([keras.Input((8,)), layers.Dense(1)])\n")
    assert [d["code"] for d in check([script])[1]] == ["KL201"]


def test_a_module_rewritten_in_place_is_hashed_again(tmp_path: Path) -> None:
    """file_hash() knows a settled file by its stat within a run: a rewrite with the same size
    changes its mtime (set here, as a clock tick later would), so it is read and hashed again;
    one changed just now is never known by its stat at all."""
    import hashlib
    import os
    import time

    from keraslint.cache import _HASHES, file_hash

    module = tmp_path / "netdef.py"
    module.write_text("WIDTH = 8\n")
    past = 1_600_000_000_000_000_000
    os.utime(module, ns=(past, past))
    assert file_hash(module) == hashlib.sha256(b"WIDTH = 8\n").hexdigest() and str(module) in _HASHES
    module.write_text("WIDTH = 9\n")  # same size, a new mtime
    os.utime(module, ns=(past + 1, past + 1))
    assert file_hash(module) == hashlib.sha256(b"WIDTH = 9\n").hexdigest()
    time.sleep(0.05)  # past the clock tick of the last change: a new ctime
    module.write_text("WIDTH = 7\n")  # same size, and the mtime set back as it was
    os.utime(module, ns=(past + 1, past + 1))
    assert file_hash(module) == hashlib.sha256(b"WIDTH = 7\n").hexdigest()
    fresh = tmp_path / "fresh.py"
    fresh.write_text("WIDTH = 8\n")
    assert file_hash(fresh) is not None and str(fresh) not in _HASHES
    fresh.unlink()
    assert file_hash(fresh) is None


def test_a_cached_finding_in_an_imported_module_is_served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached finding may name a module the file imports (its display name is checked only
    then): the second run serves the same report."""
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "netdef.py").write_text("import keras\n\ndef build():\n"
                                        "    return keras.Sequential([keras.layers.Dense(1)])\n")
    (tmp_path / "train.py").write_text("from netdef import build\nmodel = build()\nmodel.fit(x, y)\n")
    first = check([Path("train.py")])
    assert any(d["filename"] == "netdef.py" for d in first[1]), first
    calls = []
    real = run_module._run_jobs
    monkeypatch.setattr(run_module, "_run_jobs", lambda jobs, *rest: calls.extend(jobs) or real(jobs, *rest))
    assert check([Path("train.py")]) == first and calls == []


IMPORTS_NETDEF = (FED_FROM_FILES.replace('x = np.load("x.npy")', 'x = np.zeros((100, 6), "float32")')
                  .replace("from keras import layers\n", "from netdef import build\n")
                  .replace("model = keras.Sequential([keras.Input((8,)), layers.Dense(1)])", "model = build()"))
NETDEF = ("import keras\nfrom keras import layers\n"
          "def build():\n    return keras.Sequential([keras.Input((8,)), layers.Dense(1)])\n")


def test_every_file_of_a_run_depends_on_the_modules_it_looked_for(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Within one run the second file takes the first one's answer to "where is netdef?"
    (consulted.one_run); it must still record the places looked at, so that creating netdef.py
    afterwards invalidates both cached results."""
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "pyproject.toml").write_text("")
    scripts = [tmp_path / "a_train.py", tmp_path / "b_train.py"]
    for script in scripts:
        script.write_text(IMPORTS_NETDEF)
    assert check(scripts) == (0, [])
    (tmp_path / "netdef.py").write_text(NETDEF)
    found = check(scripts)[1]
    assert sorted(Path(d["filename"]).name for d in found if d["code"] == "KL201") == ["a_train.py", "b_train.py"]


def test_a_module_created_during_a_run_is_looked_for_again_by_the_next(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """netdef.py saved by an editor right after a_train.py's import looked for it: the run answers
    "absent" for both files, and the next run must not take their cached results (the place was
    recorded as it was when looked at, absent, not as it was when each analysis ended)."""
    from keraslint.source import modules

    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "pyproject.toml").write_text("")
    scripts = [tmp_path / "a_train.py", tmp_path / "b_train.py"]
    for script in scripts:
        script.write_text(IMPORTS_NETDEF)
    real = modules._locate

    def saving_meanwhile(folder: Path, leaf: str) -> object:
        found = real(folder, leaf)
        if leaf == "netdef" and not (tmp_path / "netdef.py").exists():
            (tmp_path / "netdef.py").write_text(NETDEF)
        return found

    monkeypatch.setattr(modules, "_locate", saving_meanwhile)
    assert check(scripts) == (0, [])  # neither saw netdef.py
    monkeypatch.setattr(modules, "_locate", real)
    assert check(scripts) == check(scripts, no_cache=True)
    assert [Path(d["filename"]).name for d in check(scripts)[1]] == ["a_train.py", "b_train.py"]
