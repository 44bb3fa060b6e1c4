"""A saved model checked against the data it will be fed (--input-shape / --data)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

MODELS = Path(__file__).resolve().parent.parent / "fixtures" / "models"


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keraslint", "check", "--output-format", "json", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def codes(result: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(d["code"] for d in json.loads(result.stdout))


def test_widened_input_is_kl202(tmp_path: Path) -> None:
    """The seed case: a model trained on 8 channels is fed 32."""
    model = str(MODELS / "conv1d_stride.keras")
    result = check(model, "--input-shape", "32,100,32", cwd=tmp_path)
    assert result.returncode == 1
    found = json.loads(result.stdout)
    kl202 = next(d for d in found if d["code"] == "KL202")
    assert "32 channels" in kl202["message"] and "declared for 8" in kl202["message"]
    assert codes(check(model, "--input-shape", "32,100,8", cwd=tmp_path)) == ["KL301"]


def test_length_and_rank_are_kl201(tmp_path: Path) -> None:
    model = str(MODELS / "conv1d_stride.keras")
    assert "KL201" in codes(check(model, "--input-shape", "None,120,8", cwd=tmp_path))
    assert "KL204" in codes(check(model, "--input-shape", "16,100", cwd=tmp_path))


def test_an_input_shape_without_its_batch_axis_says_so_and_blames_no_declaration(tmp_path: Path) -> None:
    """``--input-shape 100,8`` for a model of (None, 100, 8): the command line left out the batch
    axis. Not KL203 ("the model input is declared as (100, 8) ... declare (8,)"): a saved model
    has no declaration of the user's, and that advice would break it."""
    for model in (MODELS / "conv1d_stride.keras", MODELS / "conv1d_stride.h5"):
        found = json.loads(check(str(model), "--input-shape", "100,8", cwd=tmp_path).stdout)
        assert [d["code"] for d in found if d["code"] != "KL301"] == ["KL201"]
        assert "has no batch axis" in found[0]["message"] and "--input-shape 32,100,8" in found[0]["message"]


def test_data_file_header_only(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.zeros((10, 100, 32), dtype="float32"))
    model = str(MODELS / "conv1d_stride.h5")
    assert "KL202" in codes(check(model, "--data", "x.npy", cwd=tmp_path))


def test_bad_data_arguments_are_one_line_errors(tmp_path: Path) -> None:
    model = str(MODELS / "conv1d_stride.keras")
    (tmp_path / "bad.npy").write_bytes(b"not numpy")
    for args in (["--data", "missing.npy"], ["--data", "bad.npy"], ["--input-shape", "32,abc"]):
        result = check(model, *args, cwd=tmp_path)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
