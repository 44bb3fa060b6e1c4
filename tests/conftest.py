"""Shared test setup: results caches (and their signing key) go to a temporary folder, never into
the repository or the home folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path_factory.mktemp("keraslint_cache")))
    # The cache's signing key too: a test never creates or reads the real ~/.cache/keraslint/key.
    monkeypatch.setenv("KERASLINT_KEY_DIR", str(tmp_path_factory.getbasetemp() / "keraslint_key"))
