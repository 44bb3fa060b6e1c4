import os
from pathlib import Path

import pytest

from keraslint.config import OptionSpec, SettingsResolver
from keraslint.discovery import UsageError, collect_files
from keraslint.selection import RuleInfo

RULES = [RuleInfo("KL101", "unseeded-training", "warning")]
OPTIONS: dict[str, OptionSpec] = {}


def make(root: Path, *files: str) -> None:
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def collect(root: Path, *paths: str, **kwargs: object) -> list[str]:
    resolver = SettingsResolver(rules=RULES, options=OPTIONS, cwd=root)
    found = collect_files([Path(p) for p in paths], resolver, **kwargs)  # type: ignore[arg-type]
    return [p.as_posix() for p in found]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # a git root, so .gitignore files count
    return tmp_path


def test_walks_sorted_and_filters_extensions(project: Path) -> None:
    make(project, "b.py", "a.py", "notes.txt", "pkg/z.py", "pkg/sub/y.py", "pkg/data.csv", "nb.ipynb")
    assert collect(project, ".") == ["a.py", "b.py", "pkg/sub/y.py", "pkg/z.py"]
    assert collect(project, "pkg") == ["pkg/sub/y.py", "pkg/z.py"]
    assert collect(project, ".", extensions=(".py", ".ipynb")) == [
        "a.py",
        "b.py",
        "nb.ipynb",
        "pkg/sub/y.py",
        "pkg/z.py",
    ]


def test_named_files_are_always_included(project: Path) -> None:
    make(project, "notes.txt", "a.py")
    assert collect(project, "notes.txt", "a.py", "./a.py", ".") == ["a.py", "notes.txt"]


def test_default_excludes(project: Path) -> None:
    make(
        project,
        "train.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "pkg/__pycache__/x.py",
        "build/x.py",
        "dist/x.py",
        "node_modules/x.py",
        ".ipynb_checkpoints/x.py",
        ".git/hooks/x.py",
        "src/build/x.py",
    )
    assert collect(project, ".") == ["train.py"]


def test_gitignore_in_walked_folders_and_parents_up_to_git_root(project: Path) -> None:
    make(
        project,
        "keep.py",
        "gen_a.py",
        "data/x.py",
        "pkg/gen_b.py",
        "pkg/gen_keep.py",
        "pkg/local.py",
        "pkg/ok.py",
    )
    (project / ".gitignore").write_text("gen_*.py\n/data/\n")
    (project / "pkg" / ".gitignore").write_text("!gen_keep.py\nlocal.py\n")
    assert collect(project, ".") == ["keep.py", "pkg/gen_keep.py", "pkg/ok.py"]
    # Walking only pkg/ still applies the .gitignore of its parent, up to the git root.
    assert collect(project, "pkg") == ["pkg/gen_keep.py", "pkg/ok.py"]
    # A gitignored file named on the command line is checked anyway.
    assert collect(project, "gen_a.py") == ["gen_a.py"]


def test_gitignore_above_git_root_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".gitignore").write_text("*.py\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    make(repo, "a.py")
    monkeypatch.chdir(repo)
    assert collect(repo, ".") == ["a.py"]


def test_gitignore_without_git_repo_applies_below_walk_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, "a.py", "tmp_b.py")
    (tmp_path / ".gitignore").write_text("tmp_*\n")
    assert collect(tmp_path, ".") == ["a.py"]


def test_exclude_replaces_defaults_extend_exclude_adds(project: Path) -> None:
    make(project, "a.py", "build/b.py", "gen/c.py", "src/gen/d.py", "x_pb2.py")
    (project / "pyproject.toml").write_text('[tool.keraslint]\nexclude = ["/gen"]\n')
    assert collect(project, ".") == ["a.py", "build/b.py", "src/gen/d.py", "x_pb2.py"]
    (project / "pyproject.toml").write_text('[tool.keraslint]\nextend-exclude = ["*_pb2.py", "src/gen/"]\n')
    assert collect(project, ".") == ["a.py", "gen/c.py"]


def test_patterns_are_relative_to_the_config_root(project: Path) -> None:
    make(project, "sub/gen/a.py", "sub/b.py", "gen/c.py")
    (project / "sub" / "pyproject.toml").write_text('[tool.keraslint]\nextend-exclude = ["/gen"]\n')
    assert collect(project, ".") == ["gen/c.py", "sub/b.py"]


def test_explicit_paths_and_force_exclude(project: Path) -> None:
    make(project, "build/a.py", "build/sub/b.py", "gen_x.py", "ok.py")
    (project / "pyproject.toml").write_text('[tool.keraslint]\nextend-exclude = ["gen_*.py"]\n')
    # Named paths are checked even when excluded, as ruff does without --force-exclude.
    assert collect(project, "build", "gen_x.py") == ["build/a.py", "build/sub/b.py", "gen_x.py"]
    assert collect(project, "build", "gen_x.py", "ok.py", force_exclude=True) == ["ok.py"]
    # With --force-exclude a file inside an excluded folder is excluded too.
    assert collect(project, "build/a.py", force_exclude=True) == []


def test_symlinked_folder_loops_terminate(project: Path) -> None:
    make(project, "pkg/a.py", "other/b.py")
    os.symlink(project / "pkg", project / "pkg" / "loop", target_is_directory=True)
    os.symlink(project / "other", project / "pkg" / "link", target_is_directory=True)
    assert collect(project, "pkg") == ["pkg/a.py", "pkg/link/b.py"]
    assert collect(project, ".") == ["other/b.py", "pkg/a.py"]


def test_missing_path(project: Path) -> None:
    make(project, "train.py")
    with pytest.raises(UsageError) as info:
        collect(project, "trian.py")
    assert str(info.value) == "path 'trian.py' does not exist (did you mean 'train.py'?)"
    make(project, "pkg/model.py")
    with pytest.raises(UsageError) as info:
        collect(project, "pkg/modle.py")
    assert str(info.value) == "path 'pkg/modle.py' does not exist (did you mean 'pkg/model.py'?)"
    with pytest.raises(UsageError, match=r"^path 'nowhere/x.py' does not exist$"):
        collect(project, "nowhere/x.py")


def test_absolute_paths_stay_absolute(project: Path) -> None:
    make(project, "pkg/a.py")
    assert collect(project, str(project / "pkg")) == [(project / "pkg" / "a.py").as_posix()]


def test_force_exclude_never_drops_the_root_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "build"  # a project whose own folder name is a default exclude
    make(root, "a.py")
    monkeypatch.chdir(root)
    assert collect(root, ".", force_exclude=True) == ["a.py"]


def test_extension_filter_and_excluded_file_pattern_inside_named_folder(project: Path) -> None:
    make(project, "build/a.py", "build/a_pb2.py", "build/__pycache__/c.py")
    (project / "pyproject.toml").write_text('[tool.keraslint]\nextend-exclude = ["*_pb2.py"]\n')
    # Inside a folder named on the command line, entries are still judged on their own.
    assert collect(project, "build") == ["build/a.py"]
