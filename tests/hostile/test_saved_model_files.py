"""Saved models that are not what they claim: zip bombs, zips with a huge directory, HDF5
attributes that are not one text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.hostile.cli import run_cli


def _bomb(path: Path, megabytes: int) -> Path:
    """config.json of ``[{},{},...]``: deflate squeezes it ~1000 times, parsing inflates it ~30 times."""
    count = megabytes * 1024 * 1024 // 3
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("config.json", b"[" + b"{}," * count + b"{}]")
        archive.writestr("metadata.json", b"{}")
    return path


def _check(tmp_path: Path, name: str, **extra) -> tuple[int, str, str]:
    result = run_cli(["check", "--no-cache", "--output-format", "concise", name], tmp_path, timeout=60, **extra)
    return result.returncode, result.stdout, result.stderr


def test_a_zip_bomb_config_is_refused_by_its_size(tmp_path: Path) -> None:
    assert _bomb(tmp_path / "m.keras", 50).stat().st_size < 60_000
    code, out, err = _check(tmp_path, "m.keras")
    assert code == 1 and "Traceback" not in err
    assert "KL002" in out and "config.json is 52.4 MB, larger than the 16 MB keraslint reads" in out


def test_a_config_under_the_size_cap_that_would_parse_into_millions_of_objects(tmp_path: Path) -> None:
    _bomb(tmp_path / "m.keras", 15)
    code, out, err = _check(tmp_path, "m.keras", memory=700_000_000)
    assert code == 1 and "Traceback" not in err, err[-500:]
    assert "config.json has 5,242,882 objects and lists, more than the 500,000 keraslint parses" in out


def test_a_zip_with_more_members_than_a_model_is_refused_before_its_directory_is_parsed(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "m.keras", "w") as archive:
        archive.writestr("config.json", "{}")
        for index in range(10_001):
            archive.writestr(f"{index}", b"")
    code, out, _ = _check(tmp_path, "m.keras")
    assert code == 1 and "zip archive claims 10,002 members, more than the 10,000 a saved model has" in out


def test_a_zip64_end_record_is_read_too(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "m.keras", "w", allowZip64=True) as archive:
        for index in range(0x10000):  # past the 16-bit count: the zip64 record carries it
            archive.writestr(f"{index}", b"")
    code, out, _ = _check(tmp_path, "m.keras")
    assert code == 1 and "zip archive claims 65,536 members" in out


@pytest.mark.parametrize("value, reason", [
    pytest.param(["{}"] * 1000, "model_config attribute holds 1,000 values, not one text", id="array-of-strings"),
    pytest.param(12345, "model_config attribute is not text (got int64)", id="number"),
])
def test_an_h5_model_config_that_is_not_one_text_is_refused_unread(tmp_path: Path, value, reason: str) -> None:
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "m.h5", "w") as handle:
        handle.attrs["model_config"] = value
    code, out, _ = _check(tmp_path, "m.h5")
    assert code == 1 and reason in out
