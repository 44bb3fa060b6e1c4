"""`--fix` never loses or corrupts the user's file: atomic writes, files changed meanwhile,
read-only files, exact offsets on odd lines, fixes that would not compile, `--fix -`, and the
file's own line endings, BOM, encoding cookie and final newline."""

from __future__ import annotations

import io
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import keraslint.fix_command
from keraslint.checker import check_source
from keraslint.diagnostics import Edit, Fix, Location
from keraslint.fixes import apply, apply_fixes
from keraslint.run import CheckOptions, run_check

LEGACY = "import keras\nopt = keras.optimizers.SGD(lr=0.1)\n"
FIXED = LEGACY.replace("lr=", "learning_rate=")


def run(cwd: Path, *args: str, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "keraslint", "check", "--no-cache", *args], cwd=cwd,
                          capture_output=True, input=stdin, timeout=120, **kwargs)


def fix_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *names: str) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = run_check(CheckOptions(paths=[Path(n) for n in names], select=["KL403"], fix=True, no_cache=True),
                     stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".keraslint"))


# ---- the rewrite is atomic


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="RLIMIT_FSIZE is POSIX")
def test_a_write_that_fails_midway_leaves_the_file_whole(tmp_path: Path) -> None:
    import resource

    # A real failed write, as on a full disk: the kernel refuses bytes past the size limit.
    original = ("import keras\n" + "x = 1\n" * 200 + "opt = keras.optimizers.SGD(lr=0.1)\n").encode()
    (tmp_path / "t.py").write_bytes(original)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (len(original) + 4, len(original) + 4))

    result = run(tmp_path, "--select", "KL403", "--fix", "t.py", preexec_fn=small_files)
    assert (tmp_path / "t.py").read_bytes() == original
    assert result.returncode == 2
    assert b"t.py: not fixed, cannot write it" in result.stderr
    assert leftovers(tmp_path) == []


def test_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import keraslint.writing

    (tmp_path / "t.py").write_text(LEGACY)
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if len(data) > 10:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(keraslint.writing.os, "write", half_then_full)
    code, _, err = fix_in_process(tmp_path, monkeypatch, "t.py")
    assert (tmp_path / "t.py").read_text() == LEGACY
    assert code == 2 and "not fixed, cannot write it: No space left on device" in err
    assert leftovers(tmp_path) == []


def test_the_file_keeps_its_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "t.py"
    script.write_text(LEGACY)
    script.chmod(0o751)
    assert fix_in_process(tmp_path, monkeypatch, "t.py")[0] == 0
    assert script.read_text() == FIXED
    assert stat.S_IMODE(script.stat().st_mode) == 0o751
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_a_symlink_stays_a_symlink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "train.py"
    target.write_text(LEGACY)
    target.chmod(0o640)
    (tmp_path / "link.py").symlink_to(target)
    assert fix_in_process(tmp_path, monkeypatch, "link.py")[0] == 0
    assert (tmp_path / "link.py").is_symlink() and os.readlink(tmp_path / "link.py") == str(target)
    assert target.read_text() == FIXED
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path / "real") == []


# ---- a save made while --fix runs is never overwritten


def test_a_file_saved_meanwhile_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "t.py"
    script.write_text(LEGACY)
    saved = LEGACY + "# the user's edit\n"
    analyse = keraslint.fix_command._fixed_source

    def user_saves_meanwhile(*args, **kwargs):
        script.write_text(saved)
        return analyse(*args, **kwargs)

    monkeypatch.setattr(keraslint.fix_command, "_fixed_source", user_saves_meanwhile)
    code, _, err = fix_in_process(tmp_path, monkeypatch, "t.py")
    assert script.read_text() == saved
    assert code == 2
    assert err.splitlines() == ["keraslint: error: t.py: not fixed, the file changed since keraslint read it "
                                "(saved meanwhile?); run again"]
    assert leftovers(tmp_path) == []


# ---- a read-only file among several


def test_a_read_only_file_is_reported_and_the_others_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(LEGACY)
    (tmp_path / "b.py").chmod(0o444)
    code, out, err = fix_in_process(tmp_path, monkeypatch, "a.py", "b.py", "c.py")
    assert (tmp_path / "a.py").read_text() == FIXED and (tmp_path / "c.py").read_text() == FIXED
    assert (tmp_path / "b.py").read_text() == LEGACY  # even as root, who could write it
    assert "keraslint: error: b.py: not fixed, the file is read-only" in err
    assert "fixed 2 problems in 2 files" in err
    assert "b.py:2:" in out and "a.py:2:" not in out  # b.py's finding is still reported
    assert code == 2


# ---- offsets are exact on lines with form feeds and other characters splitlines() breaks at


@pytest.mark.parametrize("source", [
    "import keras\n\x0copt = keras.optimizers.Adam(lr=0.01)\n",
    "import keras\nif True:\n    x = 1\n\x0c    opt = keras.optimizers.Adam(lr=0.01)\n",
    "import keras\nif True:\n  \x0c  opt = keras.optimizers.Adam(lr=0.01)\n",
    "import keras\nnote = 'a\u2028b'  # \x1c \x1d \x1e \x85\nopt = keras.optimizers.Adam(lr=0.01)\n",
    "import keras\r\n\x0copt = keras.optimizers.Adam(lr=0.01)\r\n",
    "import keras\r\x0copt = keras.optimizers.Adam(lr=0.01)\r",
])
def test_fix_offsets_on_odd_lines(source: str) -> None:
    report = check_source(source, "t.py", selected={"KL403"})
    (finding,) = report.diagnostics
    fixed, applied = apply(source, [finding.fix])
    assert applied == 1
    assert fixed == source.replace("lr=", "learning_rate=")
    line = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")[finding.location.row - 1]
    assert line[finding.location.column - 1:finding.end_location.column - 1] == "lr"  # the reported span too


# ---- a rename never repeats a keyword, and no fix may break compilation


def test_a_rename_whose_keyword_exists_is_not_offered() -> None:
    source = "import keras\nopt = keras.optimizers.Adam(lr=0.1, learning_rate=0.2)\n"
    (finding,) = check_source(source, "t.py", selected={"KL403"}).diagnostics
    assert finding.fix is None
    assert "passes both; remove `lr=`" in finding.message


def test_layer_keyword_rename_whose_keyword_exists_is_not_offered() -> None:
    source = "import keras\nc = keras.layers.Conv1D(8, 3, border_mode='same', padding='valid')\n"
    (finding,) = [d for d in check_source(source, "t.py", selected={"KL403"}).diagnostics if "border_mode" in d.message]
    assert finding.fix is None


def test_a_fix_that_would_not_compile_is_refused() -> None:
    source = "import keras\nopt = keras.optimizers.Adam(lr=0.1)\nx = 1\n"
    good = check_source(source, "t.py", selected={"KL403"}).diagnostics[0].fix
    bad = Fix("Break it", "safe", (Edit("(", Location(3, 5), Location(3, 6)),))
    result = apply_fixes(source, [bad, good])
    assert result.text == source.replace("lr=", "learning_rate=")
    assert result.applied == 1
    assert [(fix.message, why.split(":")[0]) for fix, why in result.refused] == [("Break it", "SyntaxError")]


def test_fixes_are_refused_on_a_file_that_does_not_compile() -> None:
    source = "import keras\nopt = keras.optimizers.Adam(lr=0.1)\nreturn 1\n"  # parses, does not compile
    fix = check_source(source, "t.py", selected={"KL403"}).diagnostics[0].fix
    result = apply_fixes(source, [fix])
    assert result.text == source and result.applied == 0 and len(result.refused) == 1


def test_refused_fixes_are_said_and_the_file_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = "import keras\nopt = keras.optimizers.Adam(lr=0.1)\nreturn 1\n"
    (tmp_path / "t.py").write_text(source)
    code, _, err = fix_in_process(tmp_path, monkeypatch, "t.py")
    assert (tmp_path / "t.py").read_text() == source
    assert "t.py: fix not applied (Rename `lr` to `learning_rate`: the file does not compile" in err
    assert code == 1


# ---- --fix - (format on save): stdout is always the source


def test_stdin_that_does_not_parse_is_echoed(tmp_path: Path) -> None:
    source = b"import keras\nopt = keras.optimizers.Adam(lr=0.1\n"
    result = run(tmp_path, "--fix", "--output-format", "concise", "-", stdin=source)
    assert result.stdout == source
    assert b"KL001" in result.stderr
    assert result.returncode == 1


def test_stdin_fixed_source_on_stdout_findings_on_stderr(tmp_path: Path) -> None:
    source = b"import keras\nopt = keras.optimizers.Adam(lr=0.1)\nm = keras.Sequential([keras.layers.Dense(1, input_dim=3)])\n"
    result = run(tmp_path, "--select", "KL403", "--fix", "--output-format", "concise", "-", stdin=source)
    assert result.stdout == source.replace(b"lr=", b"learning_rate=")
    assert b"input_dim" in result.stderr and b"KL403" not in result.stdout
    assert result.returncode == 1  # `input_dim=` has no fix: a finding remains
    clean = b"import keras\nopt = keras.optimizers.Adam(learning_rate=0.1)\n"
    result = run(tmp_path, "--select", "KL403", "--fix", "-", stdin=clean)
    assert (result.stdout, result.returncode) == (clean, 0)


def test_stdin_keeps_bytes(tmp_path: Path) -> None:
    source = '# -*- coding: latin-1 -*-\r\nimport keras\r\nlabel = "caf\xe9"\r\nopt = keras.optimizers.SGD(lr=0.1)\r\n'
    result = run(tmp_path, "--select", "KL403", "--fix", "-", stdin=source.encode("latin-1"))
    assert result.stdout == source.replace("lr=", "learning_rate=").encode("latin-1")
    binary = b"\x00\x01binary"
    result = run(tmp_path, "--fix", "-", stdin=binary)
    assert result.stdout == binary and result.returncode == 1


# ---- the file's own line endings, BOM, encoding cookie and final newline


TRAIN = "import keras\n\nmodel = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\nmodel.fit(x, y)\n"


@pytest.mark.parametrize(("prefix", "newline", "encoding", "final"), [
    (b"", "\r\n", "utf-8", True),
    (b"\xef\xbb\xbf", "\r\n", "utf-8", False),
    (b"", "\r", "utf-8", True),
    (b"", "\n", "utf-8", False),
    (b"", "\r\n", "latin-1", True),
])
def test_seed_insertion_keeps_the_file_style(tmp_path: Path, prefix: bytes, newline: str, encoding: str,
                                             final: bool) -> None:
    text = TRAIN if encoding == "utf-8" else '# -*- coding: latin-1 -*-\n"""caf\xe9"""\n' + TRAIN
    text = text.replace("\n", newline)
    if not final:
        text = text[:-len(newline)]
    data = prefix + text.encode(encoding)
    (tmp_path / "t.py").write_bytes(data)
    result = run(tmp_path, "--select", "KL101", "--fix", "--unsafe-fixes", "t.py")
    assert result.returncode == 0, (result.stdout, result.stderr)
    after = (tmp_path / "t.py").read_bytes()
    assert after.startswith(prefix + (b"# -*- coding: latin-1 -*-" if encoding != "utf-8" else b"import keras"))
    body = after[len(prefix):].decode(encoding)
    assert "keras.utils.set_random_seed(42)" + newline in body
    others = {"\r\n", "\r", "\n"} - {newline}
    assert not any(other in body.replace(newline, "") for other in others), repr(body)
    assert body.endswith(newline) == final
