"""Bad and hostile inputs: never a traceback, never code execution, never lost output."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from keraslint.checker import check_file, check_source
from keraslint.registry import all_rules
from keraslint.run import CheckOptions, run_check

ALL = frozenset(r.code for r in all_rules())
ROOT = Path(__file__).resolve().parent.parent


def check(paths: list[Path]) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_check(CheckOptions(paths=paths, output_format="json", no_cache=True), stdout=out, stderr=err)
    return code, json.loads(out.getvalue() or "[]"), err.getvalue()


def test_ten_megabyte_file_is_skipped_quickly_with_a_note(tmp_path: Path) -> None:
    big = tmp_path / "big.py"
    line = "x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]\n"
    big.write_text(line * (10 * 1024 * 1024 // len(line) + 1))
    start = time.monotonic()
    report = check_file(big, "big.py", selected=ALL)
    assert time.monotonic() - start < 10
    assert report.diagnostics == [] and report.source is None
    (note,) = report.notes
    assert "big.py is 10.0 MB, over the 2 MB limit for one file; skipped" == note


def test_ten_thousand_deep_expression_is_kl001_not_a_crash() -> None:
    source = "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"
    start = time.monotonic()
    report = check_source(source, "deep.py", selected=ALL)
    assert time.monotonic() - start < 5
    assert [d.code for d in report.diagnostics] == ["KL001"]


def test_deeply_nested_calls_in_a_subprocess_do_not_kill_the_process(tmp_path: Path) -> None:
    """libcst's native parser crashes the interpreter on thousands of nested brackets; the
    guard must stop it before, so the process lives and reports (run out of process to prove it)."""
    (tmp_path / "deep.py").write_text("m = " + "f(" * 5000 + "1" + ")" * 5000 + "\n")
    result = subprocess.run([sys.executable, "-m", "keraslint", "check", "deep.py", "--output-format", "concise"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "KL001" in result.stdout, (result.returncode, result.stderr[-500:])


def test_symlink_loops_do_not_hang_discovery(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text("x = 1\n")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "self")
    code, found, _ = check([tmp_path])
    assert code == 0 and found == []


def test_broken_symlink_and_fifo_named_py(tmp_path: Path) -> None:
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    os.mkfifo(tmp_path / "pipe.py")  # reading it would block forever
    (tmp_path / "ok.py").write_text("x = 1\n")
    start = time.monotonic()
    code, found, err = check([tmp_path])
    assert time.monotonic() - start < 10
    assert "Traceback" not in err
    assert all(d["code"] == "KL002" for d in found)
    # named explicitly, a FIFO is refused with a message, not read
    code, found, err = check([tmp_path / "pipe.py"])
    assert code in (1, 2) and "Traceback" not in err


def test_unreadable_file_is_kl002(tmp_path: Path) -> None:
    folder = tmp_path / "notes.py"
    folder.mkdir()  # a folder with a .py name cannot be read as a file, even by root
    report = check_file(folder / ".." / "notes.py", "notes.py", selected=ALL)
    assert [d.code for d in report.diagnostics] == ["KL002"]


def test_a_script_that_would_write_a_file_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "was_executed"
    script = tmp_path / "train.py"
    script.write_text(
        "import os, tensorflow as tf\n"
        f"open({str(marker)!r}, 'w').write('top level ran')\n"
        "def build():\n"
        f"    os.system('touch {marker}')\n"
        "    return tf.keras.Sequential()\n"
        "model = build()\n"
        "model.fit(x, y)\n"
        f"exec(\"open({str(marker)!r}, 'w')\")\n"
        "__import__('subprocess').run(['touch', 'x'])\n"
    )
    code, found, _ = check([script])
    assert not marker.exists()
    assert not (tmp_path / "x").exists() and not Path("x").exists()
    assert code == 1 and {d["code"] for d in found} == {"KL101"}


def test_one_bad_file_does_not_lose_the_others(tmp_path: Path) -> None:
    (tmp_path / "a_binary.py").write_bytes(b"\x00\x01\x02")
    (tmp_path / "b_syntax.py").write_text("def f(:\n")
    (tmp_path / "c_train.py").write_text("import tensorflow as tf\nm = tf.keras.Sequential()\nm.fit(x, y)\n")
    code, found, _ = check([tmp_path])
    assert code == 1
    assert [(Path(d["filename"]).name, d["code"]) for d in found] == [
        ("a_binary.py", "KL002"), ("b_syntax.py", "KL001"), ("c_train.py", "KL101")]


@pytest.mark.slow
def test_stdlib_keras_and_tensorflow_sources_never_crash() -> None:
    """Thousands of real files no one here wrote: no KL009, no traceback (scripts/robustness.py)."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "robustness.py")], capture_output=True,
                            text=True, timeout=1800)
    summary = result.stdout.strip().splitlines()
    assert result.returncode == 0, "\n".join(summary[-20:]) + result.stderr[-2000:]
    assert summary[-1] == "0 files with KL009 or a traceback"
    checked = int(summary[0].split()[1])
    assert checked > 2000, summary[0]
