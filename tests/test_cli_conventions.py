"""ruff's command-line habits, end to end in real subprocesses: -h, -q/-s/-v, --show-files,
--show-settings, --per-file-ignores, fixable counts, KL010, a missing path among several, and
usage errors in keraslint's own one-line wording."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BUGGY = textwrap.dedent("""\
    import tensorflow as tf
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
    model.fit(x, y, nb_epoch=3)
""")
CLEAN = "import tensorflow as tf\ntf.keras.utils.set_random_seed(0)\nmodel = tf.keras.Sequential()\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "keraslint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("keraslint: error: "), result.stderr
    assert "Traceback" not in result.stderr and "Value error" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [[], ["check"], ["rule"], ["shapes"], ["server"]])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_short_and_long_help_on_every_command(tmp_path: Path, command: list[str], flag: str) -> None:
    result = run(*command, flag, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout and "-h, --help" in result.stdout
    assert "<list[" not in result.stdout


def test_check_help_shows_every_option_and_path_metavar(tmp_path: Path) -> None:
    text = run("check", "-h", cwd=tmp_path).stdout
    assert "PATH..." in text
    for option in ("--quiet", "-q", "--silent", "--verbose", "-v", "--show-files", "--show-settings",
                   "--per-file-ignores", "--select", "--extend-select", "--ignore", "--fix", "--unsafe-fixes",
                   "--diff", "--statistics", "--output-format", "--config", "--exit-zero", "--no-cache"):
        assert option in text, option


def test_quiet_prints_findings_only_and_silent_nothing(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    quiet = run("check", "-q", "--no-cache", "train.py", cwd=tmp_path)
    assert quiet.returncode == 1
    assert "train.py:2:9: KL101" in quiet.stdout and "Found" not in quiet.stdout and "fixable" not in quiet.stdout
    assert quiet.stderr == ""
    (tmp_path / "clean.py").write_text(CLEAN)
    assert run("check", "--quiet", "clean.py", cwd=tmp_path).stdout == ""
    for flag in ("-s", "--silent"):
        silent = run("check", flag, "train.py", cwd=tmp_path)
        assert (silent.returncode, silent.stdout, silent.stderr) == (1, "", "")
    # fatal errors still say why
    assert "unknown rule selector" in one_line_error(run("check", "-s", "--select", "KL9999", "train.py",
                                                          cwd=tmp_path))


def test_verbose_says_config_files_cache_and_timing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nextend-select = ['KL403']\n")
    (tmp_path / "train.py").write_text(BUGGY)
    first = run("check", "-v", "train.py", cwd=tmp_path)
    assert first.returncode == 1
    assert "keraslint: verbose: settings from pyproject.toml for 1 file" in first.stderr
    assert "keraslint: verbose: train.py: checked in " in first.stderr
    assert "keraslint: verbose: 1 file in " in first.stderr
    second = run("check", "--verbose", "train.py", cwd=tmp_path)
    assert "keraslint: verbose: train.py: from the cache" in second.stderr
    assert second.stdout == first.stdout  # the report itself is unchanged
    assert "verbose" not in run("check", "train.py", cwd=tmp_path).stderr


def test_show_files_lists_what_would_be_checked(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text(CLEAN)
    (tmp_path / "a.py").write_text(BUGGY)
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "lib.py").write_text(BUGGY)
    result = run("check", "--show-files", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "a.py\npkg/b.py\n")


def test_show_settings_prints_the_resolved_settings_for_a_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.keraslint]\nextend-select = ['kl403']\nextend-exclude = ['legacy/']\n"
        "[tool.keraslint.per-file-ignores]\n'tests/**' = ['KL101']\n")
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--show-settings", "--per-file-ignores", "train.py:KL102", "train.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f'Resolved settings for: "{(tmp_path / "train.py").resolve()}"'
    assert lines[1] == f'Settings path: "{(tmp_path / "pyproject.toml").resolve()}"'
    assert "\tlegacy-keras-api (KL403)," in lines  # lower-case codes in pyproject.toml work
    assert "\tpartially-seeded-randomness (KL102)," not in lines  # per-file-ignores from the command line
    assert "\tunseeded-training (KL101)," in lines
    assert 'file_resolver.extend_exclude = [' in lines and '\t"legacy/",' in lines
    assert '\t"tests/**" = [KL101],' in lines and '\t"train.py" = [KL102],' in lines
    assert "linter.channel-expansion-ratio = 4.0" in lines


def test_per_file_ignores_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text(BUGGY)
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--output-format", "concise", "--per-file-ignores", "tests/**:kl101", ".", cwd=tmp_path)
    assert "train.py:2:9: KL101" in result.stdout and "tests/t.py" not in result.stdout
    # merged with the configuration's own table
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint.per-file-ignores]\n'train.py' = ['KL101']\n")
    merged = run("check", "--per-file-ignores", "tests/**:KL1", ".", cwd=tmp_path)
    assert merged.returncode == 0, merged.stdout
    assert "GLOB:CODES" in one_line_error(run("check", "--per-file-ignores", "tests", ".", cwd=tmp_path))
    assert "unknown rule selector 'KL999'" in one_line_error(
        run("check", "--per-file-ignores", "t.py:KL999", ".", cwd=tmp_path))


def test_fixable_findings_are_marked_and_counted(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--no-cache", "--extend-select", "KL403", "train.py", cwd=tmp_path)
    assert "train.py:3:17: KL403 [*] [info] `nb_epoch=` is `epochs=` in Keras 3" in result.stdout
    assert "train.py:2:9: KL101 [warning]" in result.stdout  # its fix is unsafe: no mark
    assert result.stdout.splitlines()[-1] == (
        "[*] 1 fixable with the --fix option (1 hidden fix can be enabled with the --unsafe-fixes option).")
    unsafe = run("check", "--no-cache", "--extend-select", "KL403", "--unsafe-fixes", "train.py", cwd=tmp_path)
    assert unsafe.stdout.splitlines()[-1] == "[*] 2 fixable with the --fix option."


NOQA = textwrap.dedent("""\
    import tensorflow as tf
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])  # noqa: KL101
    a = 1  # noqa: KL301, E501
    b = 2  # noqa: KL3O1  keep this note
    c = 3  # type: ignore  # noqa: KL201
    d = 4  # noqa
""")


def test_unused_noqa_is_reported_and_fixed(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(NOQA)
    assert run("check", "--no-cache", "train.py", cwd=tmp_path).returncode == 0  # off by default
    result = run("check", "--no-cache", "--extend-select", "KL010", "--output-format", "concise", "train.py",
                 cwd=tmp_path)
    assert result.returncode == 1
    assert "train.py:3:58: KL010 [*] [info] Unused `# noqa` directive (unused: `KL101`)" in result.stdout
    assert "train.py:4:8: KL010 [*] [info] Unused `# noqa` directive (unused: `KL301`)" in result.stdout
    assert "(unknown: `KL3O1`)" in result.stdout
    assert result.stdout.count("KL010") == 4  # E501 and the blanket noqa are other linters' business
    fixed = run("check", "--no-cache", "--extend-select", "KL010", "--fix", "train.py", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout
    assert (tmp_path / "train.py").read_text() == textwrap.dedent("""\
        import tensorflow as tf
        tf.keras.utils.set_random_seed(0)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        a = 1  # noqa: E501
        b = 2  # keep this note
        c = 3  # type: ignore
        d = 4  # noqa
    """)


def test_unknown_noqa_code_is_a_warning_even_with_kl010_off(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(NOQA)
    result = run("check", "--no-cache", "train.py", cwd=tmp_path)
    assert result.returncode == 0
    assert ("keraslint: warning: train.py line 5: `# noqa` names unknown rule code KL3O1 (did you mean KL301?)"
            in result.stderr.splitlines())
    assert run("check", "-q", "--no-cache", "train.py", cwd=tmp_path).stderr == ""


def test_a_missing_path_among_several_is_a_kl002_and_the_rest_is_checked(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--output-format", "concise", "train.py", "trian.py", "gone/", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "train.py:2:9: KL101" in result.stdout
    assert "trian.py:1:1: KL002 [error] Cannot read trian.py: it does not exist (did you mean 'train.py'?)" \
        in result.stdout
    assert "gone:1:1: KL002 [error] Cannot read gone: it does not exist" in result.stdout
    assert "in 3 files" in result.stdout
    # nothing could be read: a usage error, as before
    assert "does not exist" in one_line_error(run("check", "trian.py", "nope.py", cwd=tmp_path))


@pytest.mark.parametrize("args", [
    ["check", "--output-format", "xml", "."],
    ["rule", "--output-format", "xml", "KL101"],
    ["shapes", "--output-format", "xml", "train.py"],
    ["check", "--input-shape", "a,b", "."],
    ["check", "--per-file-ignores", ":KL101", "."],
    ["check", "--per-file-ignores", "[:KL101", "."],
    ["check", "--no-such-option", "."],
    ["shapes"],
    ["check", "--select"],
])
def test_bad_option_values_are_one_keraslint_line(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "train.py").write_text(CLEAN)
    line = one_line_error(run(*args, cwd=tmp_path))
    assert not line.startswith("keraslint: error: Error")


def test_bad_output_format_names_the_choices(tmp_path: Path) -> None:
    line = one_line_error(run("check", "--output-format", "xml", ".", cwd=tmp_path))
    assert line == ("keraslint: error: invalid value for '--output-format': 'xml' is not one of 'full', 'concise', "
                    "'json', 'json-lines', 'github', 'sarif' (see 'keraslint check --help')")


def test_config_without_a_keraslint_table_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "other.toml").write_text("[tool.ruff]\nline-length = 100\n")
    (tmp_path / "train.py").write_text(CLEAN)
    line = one_line_error(run("check", "--config", "other.toml", "train.py", cwd=tmp_path))
    assert "other.toml: no [tool.keraslint] table in the file given with --config" in line


def test_codes_in_pyproject_are_case_insensitive(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.keraslint]\nselect = ['kl1']\nignore = ['Kl102']\n"
                                             "[tool.keraslint.per-file-ignores]\n'x.py' = ['kl101']\n")
    (tmp_path / "train.py").write_text(BUGGY)
    result = run("check", "--output-format", "concise", "train.py", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "KL101" in result.stdout
