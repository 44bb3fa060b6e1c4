"""consulted.resolved(): Path.resolve() with the folders' resolution remembered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keraslint.source import consulted


def test_resolved_is_what_path_resolve_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "x.npy").write_bytes(b"")
    os.symlink(real, tmp_path / "link")
    os.symlink(real / "x.npy", real / "alias.npy")
    monkeypatch.chdir(tmp_path)
    for path in [tmp_path / "link" / "x.npy", tmp_path / "link" / "absent.py", tmp_path / "link" / "alias.npy",
                 Path("link/x.npy"), Path("link/../real/x.npy"), Path("link/./x.npy"), Path("link"), Path("."),
                 Path("/")]:
        assert consulted.resolved(path) == str(path.resolve()), path


def test_a_folder_that_becomes_a_link_is_seen_after_forget_folders(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    consulted.forget_folders()
    assert consulted.resolved(tmp_path / "a" / "m.py") == str((tmp_path / "a" / "m.py").resolve())
    (tmp_path / "a").rmdir()
    os.symlink(tmp_path / "b", tmp_path / "a")
    consulted.forget_folders()  # what a long-lived process does between requests
    assert consulted.resolved(tmp_path / "a" / "m.py") == str((tmp_path / "b" / "m.py").resolve())


def test_a_folder_in_a_loop_of_links_gives_its_path(tmp_path: Path) -> None:
    """Path.resolve() raises RuntimeError there; resolved() gives the path as far as it goes."""
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    assert consulted.resolved(tmp_path / "loop" / "x.npy") == os.path.realpath(tmp_path / "loop" / "x.npy")


def test_each_run_starts_with_the_folders_as_they_are(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with consulted.one_run():
        assert consulted.resolved(tmp_path / "a" / "m.py") == str((tmp_path / "a" / "m.py").resolve())
    (tmp_path / "a").rmdir()
    os.symlink(tmp_path / "b", tmp_path / "a")
    with consulted.one_run():
        assert consulted.resolved(tmp_path / "a" / "m.py") == str((tmp_path / "b" / "m.py").resolve())
