"""Shared test setup: results caches go to a temporary folder, never into the repository."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path_factory.mktemp("keraslint_cache")))
