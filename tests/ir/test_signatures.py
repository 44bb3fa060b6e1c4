"""The generated signature table matches the installed Keras (Keras is the oracle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

from keraslint.ir.signatures import SIGNATURES

pytest.importorskip("keras")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import gen_signatures  # noqa: E402


def test_signature_table_is_current() -> None:
    assert SIGNATURES == gen_signatures.table(), "run `python scripts/gen_signatures.py`"
