"""Shared test setup: results caches (and their signing key) go to a temporary folder, never into
the repository or the home folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path_factory.mktemp("keraslint_cache")))
    # The cache's signing key too: a test never creates or reads the real ~/.cache/keraslint/key.
    monkeypatch.setenv("KERASLINT_KEY_DIR", str(tmp_path_factory.getbasetemp() / "keraslint_key"))


#: Whole test files in the ``slow`` set (``python -m pytest -m "not slow"`` is the quick subset for
#: contributors; the README's test command runs everything). Each runs Keras/TensorFlow, a subprocess
#: per test, or the corpus; the measured cost (tests' own time) is in the comment.
SLOW_FILES = {
    "shapes/test_application_layers_oracle.py": "truncated backbones built by Keras (~40 s)",
    "shapes/test_oracle.py": "every layer built by Keras (~120 s)",
    "shapes/test_weights_oracle.py": "weight shapes of layers built by Keras (~60 s)",
    "test_weight_files.py": "weight files saved and loaded by Keras (~24 s)",
    "test_ecosystem.py": "the whole shared corpus, three runs (~110 s)",
    "hostile/test_output_forging.py": "a CLI subprocess per format (~55 s)",
    "test_cli.py": "CLI subprocesses (~35 s)",
    "test_cli_conventions.py": "CLI subprocesses (~30 s)",
    "test_fuzz.py": "hypothesmith programs (~35 s)",
    "hostile/test_folding.py": "CLI subprocesses (~30 s)",
    "hostile/test_cache_poisoning.py": "CLI subprocesses (~28 s)",
    "hostile/test_budgets.py": "waits for per-file budgets (~27 s)",
    "hostile/test_server_wedge.py": "language-server subprocesses (~20 s)",
    "hostile/test_files.py": "CLI subprocesses on special files (~19 s)",
    "test_coverage.py": "CLI subprocesses (~17 s)",
    "test_saved_models.py": "models saved by Keras (~14 s)",
    "test_server.py": "language-server subprocesses (~13 s)",
    "hostile/test_saved_model_files.py": "models saved by Keras (~12 s)",
    "test_fix_safety.py": "fixed scripts compiled and compared (~10 s)",
    "hostile/test_empty_selection.py": "CLI subprocesses (~7 s)",
    "test_saved_model_data.py": "models saved by Keras (~7 s)",
    "graph/test_model_oracle.py": "whole models built by Keras (~6 s)",
    "test_packaging.py": "builds a wheel (~6 s)",
    "graph/test_custom_layer_oracle.py": "custom layers built by Keras (~4 s)",
    "graph/test_followed_tensors_oracle.py": "reshapes and masks in layers built by Keras (~5 s)",
    "graph/test_model_parts_oracle.py": "models built from other models' parts, by Keras (~20 s)",
    "test_shapes_command.py": "CLI subprocesses (~3 s)",
    "test_diagrams.py": "CLI subprocesses, Graphviz and Mermaid under node",
    "test_progress.py": "CLI subprocesses on a pseudo-terminal",
    "test_notebook_fixes.py": "CLI subprocesses",
    "test_outputs.py": "CLI subprocesses (~3 s)",
    "test_corpus.py": "the fixture corpus through the CLI (~3 s)",
    "source/test_tf_data_windows.py": "tf.data window/flat_map pipelines run by TensorFlow",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath / "tests"
    slow = {root / name for name in SLOW_FILES}
    for item in items:
        if item.path in slow:
            item.add_marker(pytest.mark.slow)
