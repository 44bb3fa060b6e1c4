from pathlib import Path

import pytest

from keraslint.config import ConfigError, OptionSpec, Settings, SettingsResolver, find_config, load_settings
from keraslint.selection import RuleInfo

RULES = [
    RuleInfo("KL001", "invalid-syntax", "error"),
    RuleInfo("KL101", "unseeded-training", "warning"),
    RuleInfo("KL104", "nondeterministic-ops", "info"),
    RuleInfo("KL304", "channel-expansion-without-normalization", "warning"),
]
OPTIONS = {
    "channel-expansion-ratio": OptionSpec("channel-expansion-ratio", float, 4.0, "widening factor"),
    "max-depth": OptionSpec("max-depth", int, 3, "how deep"),
    "strict": OptionSpec("strict", bool, False, "be strict"),
    "mode": OptionSpec("mode", str, "auto", "mode"),
    "seed-functions": OptionSpec("seed-functions", list, ["set_seed"], "seeders"),
}


def write(folder: Path, body: str, name: str = "pyproject.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def load(path: Path | None, cwd: Path | None = None) -> Settings:
    return load_settings(path, rules=RULES, options=OPTIONS, cwd=cwd)


def error(tmp_path: Path, body: str) -> str:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load(path, cwd=tmp_path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_full_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[project]
name = "x"

[tool.keraslint]
select = ["KL1", "KL304"]
extend-select = ["KL104"]
ignore = ["unseeded-training"]
exclude = ["generated/"]
extend-exclude = ["*_pb2.py"]
channel-expansion-ratio = 8
strict = true
seed-functions = ["seed_all"]

[tool.keraslint.per-file-ignores]
"tests/*" = ["KL1"]
"__init__.py" = ["ALL"]
""",
    )
    s = load(path)
    assert s.select == ("KL1", "KL304")
    assert s.extend_select == ("KL104",)
    assert s.ignore == ("unseeded-training",)
    assert s.exclude == ("generated/",)
    assert s.extend_exclude == ("*_pb2.py",)
    assert dict(s.per_file_ignores) == {"tests/*": ("KL1",), "__init__.py": ("ALL",)}
    assert s.options["channel-expansion-ratio"] == 8.0
    assert isinstance(s.options["channel-expansion-ratio"], float)
    assert s.options["strict"] is True
    assert s.options["seed-functions"] == ("seed_all",)
    assert s.options["max-depth"] == 3  # missing options take their default
    assert s.options["mode"] == "auto"
    assert s.path == path.absolute()
    assert s.root == tmp_path.absolute()


def test_defaults_without_file(tmp_path: Path) -> None:
    s = load(None, cwd=tmp_path)
    assert s.select is None and s.exclude is None
    assert s.ignore == () and s.extend_select == () and s.extend_exclude == ()
    assert dict(s.per_file_ignores) == {}
    assert s.options["channel-expansion-ratio"] == 4.0
    assert s.options["seed-functions"] == ("set_seed",)
    assert s.path is None
    assert s.root == tmp_path


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    s = load(write(tmp_path, "[tool.black]\nline-length = 100\n"))
    assert s.select is None
    assert s.root == tmp_path.absolute()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "[tool.keraslint]\nselct = ['KL1']\n",
            "pyproject.toml: [tool.keraslint] unknown key 'selct' (did you mean 'select'?)",
        ),
        (
            "[tool.keraslint]\nextend_select = ['KL1']\n",
            "pyproject.toml: [tool.keraslint] unknown key 'extend_select' (did you mean 'extend-select'?)",
        ),
        (
            "[tool.keraslint]\nchannel_expansion_ratio = 2.0\n",
            "pyproject.toml: [tool.keraslint] unknown key 'channel_expansion_ratio'"
            " (did you mean 'channel-expansion-ratio'?)",
        ),
        ("[tool.keraslint]\nfoo = 1\n", "pyproject.toml: [tool.keraslint] unknown key 'foo'"),
        (
            "[tool.keraslint]\nignore = 101\n",
            "pyproject.toml: [tool.keraslint] 'ignore' must be a list of strings, got int",
        ),
        (
            "[tool.keraslint]\nignore = 'KL101'\n",
            "pyproject.toml: [tool.keraslint] 'ignore' must be a list of strings, got str",
        ),
        (
            "[tool.keraslint]\nselect = ['KL101', 3]\n",
            "pyproject.toml: [tool.keraslint] 'select' must be a list of strings, item 2 is int",
        ),
        (
            "[tool.keraslint]\nselect = ['KL10l']\n",
            "pyproject.toml: [tool.keraslint] 'select': unknown rule selector 'KL10l'"
            " (did you mean 'KL101'?)",
        ),
        (
            "[tool.keraslint.per-file-ignores]\n'tests/*' = ['KL9x']\n",
            "pyproject.toml: [tool.keraslint] 'per-file-ignores.tests/*': unknown rule selector 'KL9x'",
        ),
        (
            "[tool.keraslint]\nper-file-ignores = ['tests/*']\n",
            "pyproject.toml: [tool.keraslint] 'per-file-ignores' must be a table of glob = list of rule"
            " selectors, got list",
        ),
        (
            "[tool.keraslint]\nchannel-expansion-ratio = 'big'\n",
            "pyproject.toml: [tool.keraslint] 'channel-expansion-ratio' must be a float, got str",
        ),
        (
            "[tool.keraslint]\nmax-depth = true\n",
            "pyproject.toml: [tool.keraslint] 'max-depth' must be an int, got bool",
        ),
        (
            "[tool.keraslint]\nstrict = 1\n",
            "pyproject.toml: [tool.keraslint] 'strict' must be a boolean, got int",
        ),
        (
            "[tool.keraslint]\nseed-functions = 'seed'\n",
            "pyproject.toml: [tool.keraslint] 'seed-functions' must be a list, got str",
        ),
        ("[tool]\nkeraslint = 3\n", "pyproject.toml: 'tool.keraslint' must be a table, got int"),
        (
            "[tool.keraslint]\nselect = [\n",
            "pyproject.toml: invalid TOML: Invalid value (end of document)",
        ),
        (
            "[tool.keraslint]\nselect = ['KL1']\nselect = ['KL2']\n",
            "pyproject.toml: invalid TOML: Cannot overwrite a value (line 3, column 17)",
        ),
    ],
)
def test_errors_are_one_clear_line(tmp_path: Path, body: str, message: str) -> None:
    assert error(tmp_path, body) == message


def test_invalid_utf8(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b"[tool.keraslint]\nselect = ['\xff']\n")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: not UTF-8"):
        load(path, cwd=tmp_path)


def test_find_config_walks_up_to_a_keraslint_table(tmp_path: Path) -> None:
    top = write(tmp_path, "[tool.keraslint]\nignore = ['KL101']\n")
    write(tmp_path / "pkg", "[tool.black]\n")  # no keraslint table: skipped
    script = tmp_path / "pkg" / "src" / "train.py"
    script.parent.mkdir(parents=True)
    script.write_text("")
    assert find_config(script) == top.absolute()
    assert find_config(script.parent) == top.absolute()
    assert find_config(tmp_path) == top.absolute()


def test_find_config_none(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None


def test_broken_pyproject_on_the_way_up_only_matters_if_it_mentions_keraslint(tmp_path: Path) -> None:
    write(tmp_path / "a", "this is [not toml")
    assert find_config(tmp_path / "a") is None
    write(tmp_path / "b", "[tool.keraslint\nselect = []")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config(tmp_path / "b")


def test_resolver_uses_nearest_config_per_folder(tmp_path: Path) -> None:
    write(tmp_path, "[tool.keraslint]\nignore = ['KL101']\n")
    write(tmp_path / "sub", "[tool.keraslint]\nselect = ['KL1']\n")
    (tmp_path / "sub" / "deep").mkdir()
    (tmp_path / "other").mkdir()
    resolver = SettingsResolver(rules=RULES, options=OPTIONS, cwd=tmp_path)
    top = resolver.for_path(tmp_path / "train.py")
    assert top.ignore == ("KL101",) and top.root == tmp_path
    sub = resolver.for_path(tmp_path / "sub" / "deep" / "x.py")
    assert sub.select == ("KL1",) and sub.root == tmp_path / "sub"
    assert resolver.for_path(Path("sub/deep")) is sub  # relative to cwd, cached per config
    assert resolver.for_path(tmp_path / "other" / "y.py") is top


def test_resolver_without_config_uses_cwd_as_root(tmp_path: Path) -> None:
    resolver = SettingsResolver(rules=RULES, options=OPTIONS, cwd=tmp_path)
    s = resolver.for_path(tmp_path / "a.py")
    assert s.path is None and s.root == tmp_path
    assert resolver.for_path(tmp_path / "b.py") is s


def test_resolver_forced_config(tmp_path: Path) -> None:
    forced = write(tmp_path / "cfg", "[tool.keraslint]\nselect = ['KL104']\n", name="keraslint.toml")
    write(tmp_path / "sub", "[tool.keraslint]\nselect = ['KL1']\n")
    resolver = SettingsResolver(rules=RULES, options=OPTIONS, forced=Path("cfg/keraslint.toml"), cwd=tmp_path)
    assert resolver.for_path(tmp_path / "sub" / "x.py").select == ("KL104",)
    assert resolver.for_path(tmp_path / "sub" / "x.py").path == forced


def test_resolver_forced_config_missing_or_invalid(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^nope\.toml: config file does not exist$"):
        SettingsResolver(rules=RULES, options=OPTIONS, forced=Path("nope.toml"), cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"is a folder"):
        SettingsResolver(rules=RULES, options=OPTIONS, forced=tmp_path, cwd=tmp_path)
    write(tmp_path, "[tool.keraslint]\nignore = 3\n", name="bad.toml")
    with pytest.raises(
        ConfigError, match=r"^bad\.toml: \[tool\.keraslint\] 'ignore' must be a list of strings"
    ):
        SettingsResolver(rules=RULES, options=OPTIONS, forced=Path("bad.toml"), cwd=tmp_path)


def test_resolver_reports_invalid_nearest_config(tmp_path: Path) -> None:
    write(tmp_path / "sub", "[tool.keraslint]\nselct = []\n")
    resolver = SettingsResolver(rules=RULES, options=OPTIONS, cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"^sub/pyproject\.toml: \[tool\.keraslint\] unknown key 'selct'"):
        resolver.for_path(tmp_path / "sub" / "a.py")
