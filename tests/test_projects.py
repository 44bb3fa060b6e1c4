"""The project's other modules: imports read as source, findings reported where the code is.

The projects under fixtures/projects/ are checked through the real command path (run_check),
from inside each project, as a user would run keraslint there.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from keraslint.run import CheckOptions, run_check
from keraslint.source import module_files

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "projects"


def check(root: Path, *paths: str, **extra) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(root)
    try:
        options = CheckOptions(paths=[Path(p) for p in paths or ["."]], output_format="json", no_cache=True)
        for name, value in extra.items():
            setattr(options, name, value)
        code = run_check(options, stdout=out, stderr=err)
    finally:
        os.chdir(cwd)
    return code, json.loads(out.getvalue()), err.getvalue()


def found(diagnostics: list[dict]) -> list[tuple[str, int, str]]:
    return [(d["filename"], d["location"]["row"], d["code"]) for d in diagnostics]


def test_a_builder_imported_from_a_sibling_module_is_followed() -> None:
    code, diagnostics, _ = check(PROJECTS / "bad_flat", "train.py")
    assert code == 1
    assert found(diagnostics) == [("model.py", 8, "KL301"), ("train.py", 11, "KL202")]
    stride, width = diagnostics
    # reported at the layer in model.py, naming the call in train.py that made it certain
    assert stride["message"].endswith("[via `build_model(6)`, train.py line 9]")
    assert stride["fix"] is None
    assert "declared at model.py line 7" in width["message"]
    assert "built at line 7" in width["message"]  # its own file's line: no file named


def test_check_dot_reports_each_finding_once() -> None:
    _, diagnostics, _ = check(PROJECTS / "bad_flat", ".")
    # model.py's own check finds the stride too (with any width): one finding, not two
    assert found(diagnostics) == [("model.py", 8, "KL301"), ("train.py", 11, "KL202")]


def test_a_correct_multi_module_project_gives_no_finding() -> None:
    assert check(PROJECTS / "good_flat")[:2] == (0, [])


def test_packages_relative_imports_and_init_reexports() -> None:
    # scripts/train.py imports the package from the project root, whose __init__.py re-exports
    # a builder that uses `from .. import config` and `from ..layers import conv_block`
    code, diagnostics, _ = check(PROJECTS / "bad_package", "scripts/train.py")
    assert found(diagnostics) == [("scripts/train.py", 11, "KL202")]
    assert "declared at netlib/models/classifier.py line 9" in diagnostics[0]["message"]
    assert "The data has 1 channel (128, 32, 32, 1)" in diagnostics[0]["message"]


def test_src_layout_and_a_trainer_class_in_another_module() -> None:
    code, diagnostics, _ = check(PROJECTS / "bad_src_layout", "train.py")
    assert found(diagnostics) == [("src/proj/trainer.py", 11, "KL201")]
    message = diagnostics[0]["message"]
    assert "(24 vs 20)" in message and "declared at src/proj/model.py line 9" in message
    assert message.endswith("[via `Trainer(epochs=1).train(x, y)`, train.py line 9]")


def test_a_correct_src_layout_project_seeded_at_import_gives_no_finding() -> None:
    # proj/seeding.py seeds when imported: no KL101 for the model the trainer builds
    assert check(PROJECTS / "good_src_layout")[:2] == (0, [])


def test_cycles_star_imports_and_a_module_that_does_not_parse() -> None:
    code, diagnostics, err = check(PROJECTS / "good_cycles", "train.py")
    assert (code, diagnostics) == (0, [])
    assert "broken.py (imported by train.py) was skipped: does not parse (invalid syntax)" in err


def test_star_import_binds_all_and_shapes_follow(tmp_path: Path) -> None:
    from keraslint.checker import check_file

    root = tmp_path / "p"
    shutil.copytree(PROJECTS / "good_cycles", root)
    report = check_file(root / "train.py", "train.py", selected={"KL201"})
    (model,) = report.context.models
    widths = [result.output[-1] for _, _, result in model.walk()][1:]
    assert widths == [32, 64, 1]  # UNITS and UNITS * 2 came through `from blocks import *`


def _project(tmp_path: Path, files: dict[str, str], marker: bool = True) -> Path:
    root = tmp_path / "proj"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if marker:
        (root / "pyproject.toml").write_text("")
    return root


BUILDER = """
import keras

def build(width):
    return keras.Sequential([keras.Input(shape=(width,)), keras.layers.Dense(2, activation="softmax")])
"""
USES_BUILDER = """
import numpy as np
import keras
from {module} import build

keras.utils.set_random_seed(0)
model = build(5)
model.compile(loss="categorical_crossentropy")
model.fit(np.zeros((8, 7)), np.zeros((8, 2)))
"""


def test_modules_outside_the_project_root_are_not_followed(tmp_path: Path) -> None:
    # model.py sits above the project root (the folder with pyproject.toml): not the project's
    _project(tmp_path, {"model.py": BUILDER}, marker=False)
    root = _project(tmp_path / "proj", {"train.py": USES_BUILDER.format(module="model")})
    assert check(root, "train.py")[:2] == (0, [])


def test_without_a_marker_the_script_folder_is_searched(tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": BUILDER, "train.py": USES_BUILDER.format(module="model")}, marker=False)
    assert [d["code"] for d in check(root, "train.py")[1]] == ["KL201"]


def test_a_noqa_in_the_imported_module_suppresses_the_finding_there(tmp_path: Path) -> None:
    builder = BUILDER.replace('keras.layers.Dense(2, activation="softmax")])',
                              'keras.layers.Dense(2, activation="softmax")])  # noqa: KL201')
    root = _project(tmp_path, {"model.py": builder, "train.py": USES_BUILDER.format(module="model")})
    # KL201 lands at the fit call in train.py, so model.py's noqa does not hide it ...
    assert [d["code"] for d in check(root, "train.py")[1]] == ["KL201"]
    stride = "import keras\ndef build(x):\n    return keras.layers.Conv1D(4, 5, strides=3)(x)  # noqa: KL301\n"
    script = ("import keras\nfrom blocks import build\nkeras.utils.set_random_seed(0)\n"
              "i = keras.Input(shape=(100, 2))\nm = keras.Model(i, build(i))\nm.compile(loss='mse')\n"
              "m.fit(x, y)\n")
    root = _project(tmp_path / "two", {"blocks.py": stride, "train.py": script})
    # ... while a finding located in blocks.py obeys blocks.py's comment
    assert check(root, "train.py")[1] == []


def test_fix_never_edits_an_imported_module(tmp_path: Path) -> None:
    legacy = ("import keras\ndef build():\n    m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\n"
              "    m.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss='mse')\n    return m\n")
    script = "import keras\nfrom model import build\nkeras.utils.set_random_seed(0)\nbuild().fit(x, y)\n"
    root = _project(tmp_path, {"model.py": legacy, "train.py": script})
    before = (root / "model.py").read_text()
    _, diagnostics, _ = check(root, "train.py", extend_select=["KL403"])
    assert [(d["filename"], d["code"], d["fix"]) for d in diagnostics] == [("model.py", "KL403", None)]
    check(root, "train.py", extend_select=["KL403"], fix=True)
    assert (root / "model.py").read_text() == before


def test_editing_an_imported_module_invalidates_the_cached_result(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    root = _project(tmp_path, {"model.py": BUILDER, "train.py": USES_BUILDER.format(module="model")})
    assert [d["code"] for d in check(root, "train.py", no_cache=False)[1]] == ["KL201"]
    assert [d["code"] for d in check(root, "train.py", no_cache=False)[1]] == ["KL201"]  # from the cache
    (root / "model.py").write_text(BUILDER.replace("shape=(width,)", "shape=(7,)"))
    assert check(root, "train.py", no_cache=False)[1] == []


def test_lazy_modules_run_only_when_a_name_is_read(tmp_path: Path) -> None:
    """A module that only defines is not run at its import; one whose top level calls is."""
    root = _project(tmp_path, {"defs.py": "X = 1\ndef f():\n    return X\n",
                               "effects.py": "import keras\nkeras.utils.set_random_seed(3)\n"})
    source, _ = module_files.read_source(root / "defs.py")
    assert source is not None and not source.eager
    source, _ = module_files.read_source(root / "effects.py")
    assert source is not None and source.eager


def test_a_long_import_chain_has_no_recursion_error(tmp_path: Path) -> None:
    """1,000 modules, each importing the previous one at its top level with an effect (so each
    import runs the next): the nesting degrades to unknown, never a RecursionError."""
    files = {"m0.py": "import keras\nWIDTH = 4\nkeras.backend.clear_session()\n"}
    for i in range(1, 1000):
        files[f"m{i}.py"] = f"import keras\nfrom m{i - 1} import WIDTH\nkeras.backend.clear_session()\n"
    files["train.py"] = ("import keras\nfrom m999 import WIDTH\nkeras.utils.set_random_seed(0)\n"
                         "m = keras.Sequential([keras.Input(shape=(WIDTH,)), keras.layers.Dense(1)])\n"
                         "m.compile(loss='mse')\nm.fit(x, y)\n")
    root = _project(tmp_path, files)
    code, diagnostics, _ = check(root, "train.py")
    assert code == 0 and diagnostics == []


def test_an_unseeded_model_built_in_another_module(tmp_path: Path) -> None:
    builder = "import keras\ndef build():\n    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\n"
    script = "import numpy as np\nfrom model import build\nm = build()\nm.compile(loss='mse')\nm.fit(np.zeros((4, 3)), np.zeros((4, 1)))\n"
    root = _project(tmp_path, {"model.py": builder, "train.py": script})
    (finding,) = check(root, "train.py")[1]
    assert (finding["filename"], finding["code"], finding["fix"]) == ("model.py", "KL101", None)
    assert finding["message"].endswith("[via `build()`, train.py line 3]")
    seeded = script.replace("from model import build\n", "from model import build\nimport keras\nkeras.utils.set_random_seed(0)\n")
    (root / "train.py").write_text(seeded)
    assert check(root, "train.py")[1] == []


def test_shapes_names_the_files_a_model_is_built_in() -> None:
    from keraslint.shapes_command import run_shapes

    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(PROJECTS / "bad_package")
    try:
        run_shapes([Path("scripts/train.py")], "json", None, stdout=out, stderr=err)
    finally:
        os.chdir(cwd)
    (model,) = json.loads(out.getvalue())
    assert (model["filename"], model["line"], model["fully_shaped"]) == ("netlib/models/classifier.py", 16, True)
    files = [(layer["kind"], layer.get("file"), layer["line"]) for layer in model["layers"]][:3]
    assert files == [("InputLayer", None, 9), ("Conv2D", "netlib/layers.py", 5),
                     ("BatchNormalization", "netlib/layers.py", 6)]


def test_a_notebook_importing_a_project_module(tmp_path: Path) -> None:
    cells = [
        "import numpy as np\nimport keras\nfrom blocks import build\nkeras.utils.set_random_seed(0)",
        "i = keras.Input(shape=(100, 2))\nm = keras.Model(i, build(i))\nm.compile(loss='mse')",
    ]
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                          for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    blocks = "import keras\n\n\ndef build(x):\n    return keras.layers.Conv1D(4, 5, strides=3)(x)\n"
    root = _project(tmp_path, {"blocks.py": blocks, "nb.ipynb": json.dumps(notebook)})
    (finding,) = check(root, "nb.ipynb")[1]
    # the layer's own file and row, not a notebook cell
    assert (finding["filename"], finding["cell"], finding["location"]["row"]) == ("blocks.py", None, 5)
    assert finding["message"].endswith("[via `build(i)`, nb.ipynb cell 2, line 2]")


def test_a_lazily_imported_module_that_gains_an_effect_invalidates_the_cache(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERASLINT_CACHE_DIR", str(tmp_path / "cache"))
    script = ("import numpy as np\nimport keras\nimport setup_run  # noqa: F401\n"
              "m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\n"
              "m.compile(loss='mse')\nm.fit(np.zeros((4, 3)), np.zeros((4, 1)))\n")
    root = _project(tmp_path, {"setup_run.py": "EPOCHS = 3\n", "train.py": script})
    assert [d["code"] for d in check(root, "train.py", no_cache=False)[1]] == ["KL101"]
    (root / "setup_run.py").write_text("import keras\nEPOCHS = 3\nkeras.utils.set_random_seed(0)\n")
    assert check(root, "train.py", no_cache=False)[1] == []  # seeded at import now


def test_a_module_checked_and_imported_in_one_run_is_parsed_once(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``check .`` meets model.py twice, as a checked file and as train.py's import: one parse,
    whichever comes first; an edit between two runs is parsed again and its findings change."""
    from keraslint.source import parsing

    monkeypatch.setattr(module_files, "_TREES", {})
    monkeypatch.setattr(module_files, "_SOURCES", {})
    parsed: list[str] = []
    real = parsing._parse

    def counting(text: str, filename: str) -> object:
        parsed.append(Path(filename).name)
        return real(text, filename)

    monkeypatch.setattr(parsing, "_parse", counting)
    root = _project(tmp_path, {"model.py": BUILDER, "train.py": USES_BUILDER.format(module="model"),
                               "zz_train.py": USES_BUILDER.format(module="model")})
    # model.py is checked before train.py imports it, zz_train.py imports it after: one parse each
    assert [d["code"] for d in check(root, ".")[1]] == ["KL201", "KL201"]
    assert sorted(parsed) == ["model.py", "train.py", "zz_train.py"]
    (root / "model.py").write_text(BUILDER.replace("shape=(width,)", "shape=(7,)"))
    parsed.clear()
    assert check(root, "train.py", "model.py")[1] == []
    # model.py changed; train.py, a script (its top level calls), keeps no tree for an import
    assert parsed == ["model.py", "train.py"]
    parsed.clear()
    check(root, "model.py", "train.py")
    assert parsed == ["train.py"]  # model.py unchanged: its tree is the one kept


def test_within_one_run_each_import_is_looked_for_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files of one ``keraslint check`` each find ``model.py`` again; within the run the
    place is remembered (consulted.one_run), and every file still depends on the places looked at."""
    root = _project(tmp_path, {"model.py": BUILDER, **{f"train{i}.py": USES_BUILDER.format(module="model")
                                                       for i in range(3)}})
    looked: list[str] = []
    real = Path.is_file

    def counting(self: Path) -> bool:
        if self.name == "model.py":
            looked.append(str(self))
        return real(self)

    monkeypatch.setattr(Path, "is_file", counting)
    code, diagnostics, _ = check(root, "train0.py", "train1.py", "train2.py")
    assert [d["code"] for d in diagnostics] == ["KL201"] * 3
    assert len(looked) == 1
    looked.clear()
    check(root, "train0.py")  # a new run looks again: the module may have moved since
    assert len(looked) == 1


def test_within_one_run_each_module_file_is_statted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file of a run reads model.py (to run it, and to see that a summary recorded on it
    still holds): its stats are made once per run, as for one file, and a new run makes them
    again."""
    helper = "import keras\n\n\ndef widen(x, width):\n    return keras.layers.Dense(width)(x)\n"
    script = ("import keras\nfrom model import widen\nkeras.utils.set_random_seed(0)\n"
              "inputs = keras.Input(shape=(4,))\nmodel = keras.Model(inputs, widen(inputs, {width}))\n")
    root = _project(tmp_path, {"model.py": helper, **{f"train{i}.py": script.format(width=i + 2) for i in range(3)}})
    monkeypatch.setattr(module_files, "_SOURCES", {})
    statted: list[str] = []
    real = Path.stat

    def counting(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "model.py":
            statted.append(str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", counting)
    assert check(root, "train0.py")[1] == []
    one_file = len(statted)  # finding it, reading it
    assert 1 <= one_file <= 2
    statted.clear()
    assert check(root, "train0.py", "train1.py", "train2.py")[1] == []  # a new run stats it again
    assert len(statted) == one_file


def test_the_module_runs_benchmark_counts_each_files_run_of_a_module(tmp_path: Path) -> None:
    """benchmarks/module_runs.py (what projects.py prints against "each module analysed once per
    run"): three scripts reading ``lib``'s names run its top level once each; lib.py, checked
    itself, runs as the checked file, not as a module."""
    import subprocess
    import sys

    lib = "import keras\nWIDTH = 8\n\n\ndef head(x):\n    return keras.layers.Dense(WIDTH)(x)\n"
    script = ("import keras\nfrom lib import head\nkeras.utils.set_random_seed(0)\n"
              "inputs = keras.Input(shape=(4,))\nmodel = keras.Model(inputs, head(inputs))\n")
    root = _project(tmp_path, {"lib.py": lib, **{f"train{i}.py": script for i in range(3)}})
    bench = Path(__file__).resolve().parent.parent / "benchmarks" / "module_runs.py"
    done = subprocess.run([sys.executable, str(bench), str(root)], capture_output=True, text=True, check=True)
    measured = json.loads(done.stdout)
    assert (measured["checked"], measured["modules"], measured["runs"]) == (4, 1, 3)
    assert 0 < measured["imports"] + measured["definitions"] == pytest.approx(measured["top_level"], abs=1e-5)
    assert measured["top_level"] < measured["seconds"]


CONFIGURED_BUILDER = """import keras
from keras import layers


def build_model(config):
    inputs = keras.Input(shape=(20, 8))
    x = layers.LSTM(config["units"], return_sequences=True)(inputs)
    x = layers.LSTM(16)(x)
    {extra}outputs = layers.Dense(config["classes"], activation="softmax")(x)
    return keras.Model(inputs, outputs)
"""
CONFIGURED_TRAIN = """import keras
import numpy as np
from model import build_model

keras.utils.set_random_seed(0)
x = np.random.rand(64, 20, 8).astype("float32")
y = np.random.randint(0, 10, size=(64,))
model = build_model({"units": 32, "classes": 10})
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=1)
"""


def test_a_finding_in_a_module_its_own_check_and_a_script_both_reach_is_reported_once(tmp_path: Path) -> None:
    """model.py's own check (its builder run with unknown arguments) and train.py's call reach
    the same LSTM: one finding, whose message names model.py's lines without the file."""
    root = _project(tmp_path, {"model.py": CONFIGURED_BUILDER.format(extra="x = layers.LSTM(16)(x)\n    "),
                               "train.py": CONFIGURED_TRAIN})
    for paths in ((".",), ("model.py", "train.py"), ("train.py", "model.py")):
        _, diagnostics, _ = check(root, *paths)
        assert found(diagnostics) == [("model.py", 9, "KL306")], paths
        assert "LSTM at line 8 returns only its last output" in diagnostics[0]["message"]


def test_coverage_counts_a_builder_once_and_shaped_when_a_caller_shapes_it(tmp_path: Path) -> None:
    """The builder is found by model.py's own check (unknown sizes) and through train.py (known
    ones): one model in the total, fully shaped; train.py's line says which file it is in."""
    root = _project(tmp_path, {"model.py": CONFIGURED_BUILDER.format(extra=""), "train.py": CONFIGURED_TRAIN})
    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(root)
    try:
        run_check(CheckOptions(paths=[Path(".")], output_format="concise", no_cache=True, show_coverage=True),
                  stdout=out, stderr=err)
    finally:
        os.chdir(cwd)
    text = out.getvalue()
    assert "model.py: 1 model, 0 fully shaped" in text and "train.py: 1 model, 1 fully shaped" in text
    assert text.splitlines()[-1] == "Total: 1 model in 2 of 2 files, 1 fully shaped (100%)"


def test_a_noqa_in_a_module_function_is_not_unused_for_its_own_check(tmp_path: Path) -> None:
    """data.py's `# noqa: KL102` suppresses a finding only train.py's call makes: checked alone
    (a pre-commit run of the changed data.py) or with train.py, KL010 leaves it, so --fix keeps
    it. An unknown code there is still reported, and so is an unused one in a script."""
    data = "import numpy as np\n\n\ndef make():\n    return np.random.rand(64, 4)  # noqa: KL102\n"
    train = ("import keras\nfrom data import make\n\nx = make()\nkeras.utils.set_random_seed(0)\n"
             "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
             "model.compile(loss='mse')\nmodel.fit(x, x[:, :1])\n")
    root = _project(tmp_path, {"data.py": data, "train.py": train})
    for paths in ((".",), ("data.py",)):
        assert check(root, *paths, extend_select=["KL010"])[1] == [], paths
    assert found(check(root, ".")[1]) == []  # the noqa is what keeps train.py's finding quiet
    (root / "data.py").write_text(data.replace("KL102", "KL1O2"))
    assert [d["code"] for d in check(root, "data.py", extend_select=["KL010"])[1]] == ["KL010"]
    (root / "data.py").write_text(data + "\nmake()\n")  # a top level that calls: a script
    diagnostics = check(root, "data.py", extend_select=["KL010"])[1]
    assert [(d["code"], d["location"]["row"]) for d in diagnostics] == [("KL010", 5)]


def test_per_file_ignores_apply_where_the_finding_is_reported(tmp_path: Path) -> None:
    """train.py's call makes a KL102 in data.py: data.py's entry hides it, train.py's does not
    (as a `# noqa` in data.py would, and would not), configured or on the command line."""
    data = "import numpy as np\n\n\ndef make():\n    return np.random.rand(64, 4)\n"
    train = ("import keras\nfrom data import make\n\nx = make()\nkeras.utils.set_random_seed(0)\n"
             "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
             "model.compile(loss='mse')\nmodel.fit(x, x[:, :1])\n")
    root = _project(tmp_path, {"data.py": data, "train.py": train})
    assert found(check(root, ".")[1]) == [("data.py", 5, "KL102")]
    assert found(check(root, ".", per_file_ignores=[("data.py", ["KL102"])])[1]) == []
    assert found(check(root, "train.py", per_file_ignores=[("data.py", ["KL1"])])[1]) == []
    assert found(check(root, ".", per_file_ignores=[("train.py", ["KL1"])])[1]) == [("data.py", 5, "KL102")]
    (root / "pyproject.toml").write_text('[tool.keraslint.per-file-ignores]\n"data.py" = ["KL102"]\n')
    assert found(check(root, ".")[1]) == []
    (root / "pyproject.toml").write_text('[tool.keraslint.per-file-ignores]\n"train.py" = ["KL102"]\n')
    assert found(check(root, "train.py")[1]) == [("data.py", 5, "KL102")]


def test_the_language_server_applies_per_file_ignores_where_the_finding_is(tmp_path: Path) -> None:
    """The editor's check of train.py (keraslint.server_worker) filters as `check` does."""
    from keraslint.server_worker import Target, run_check as server_check

    data = "import numpy as np\n\n\ndef make():\n    return np.random.rand(64, 4)\n"
    train = ("import keras\nfrom data import make\n\nx = make()\nkeras.utils.set_random_seed(0)\n"
             "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
             "model.compile(loss='mse')\nmodel.fit(x, x[:, :1])\n")
    root = _project(tmp_path, {"data.py": data, "train.py": train})
    cwd = Path.cwd()
    os.chdir(root)
    try:
        def elsewhere() -> list[tuple[str, str]]:
            outcome = server_check(Target(root / "train.py", root, "train.py", True), train)
            return [(where.name, d.code) for where, d in outcome.elsewhere]

        assert elsewhere() == [("data.py", "KL102")]
        (root / "pyproject.toml").write_text('[tool.keraslint.per-file-ignores]\n"train.py" = ["KL1"]\n')
        assert elsewhere() == [("data.py", "KL102")]
        (root / "pyproject.toml").write_text('[tool.keraslint.per-file-ignores]\n"data.py" = ["KL102"]\n')
        assert elsewhere() == []
    finally:
        os.chdir(cwd)


def test_fix_keeps_a_noqa_for_a_per_file_ignored_code_and_the_modules_findings(tmp_path: Path) -> None:
    """--fix re-checks as the first check did: a used `# noqa` for a code the file's
    per-file-ignores switch off stays (the KL403 fix alone is applied), and a finding in an
    imported module is still reported after the fix (exit 1)."""
    script = ("import numpy as np\nimport keras\nfrom data import make\n\n"
              "x = np.random.rand(64, 4)  # noqa: KL102\nz = make()\nkeras.utils.set_random_seed(0)\n"
              "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
              "model.compile(loss='mse')\nmodel.fit(x, x[:, :1], nb_epoch=1)\n")
    data = "import numpy as np\n\n\ndef make():\n    return np.random.rand(64, 4)\n"
    root = _project(tmp_path, {"t.py": script, "data.py": data})
    code, diagnostics, _ = check(root, "t.py", fix=True, extend_select=["KL010", "KL403"],
                                 per_file_ignores=[("t.py", ["KL102"])])
    assert (root / "t.py").read_text() == script.replace("nb_epoch=1", "epochs=1")
    assert code == 1 and found(diagnostics) == [("data.py", 5, "KL102")]


def test_an_imported_modules_broken_configuration_does_not_stop_the_check(tmp_path: Path) -> None:
    """lib/pyproject.toml names an unknown rule: checking train.py (whose own configuration is
    fine) still reports lib/data.py's finding, in `check` and in the language server."""
    from keraslint.server_worker import Target, run_check as server_check

    data = "import numpy as np\n\n\ndef make():\n    return np.random.rand(64, 4)\n"
    train = ("import keras\nfrom lib.data import make\n\nx = make()\nkeras.utils.set_random_seed(0)\n"
             "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
             "model.compile(loss='mse')\nmodel.fit(x, x[:, :1])\n")
    root = _project(tmp_path, {"lib/__init__.py": "", "lib/data.py": data, "train.py": train,
                               "lib/pyproject.toml": '[tool.keraslint]\nselect = ["NOPE"]\n'})
    code, diagnostics, _ = check(root, "train.py")
    assert code == 1 and found(diagnostics) == [("lib/data.py", 5, "KL102")]
    cwd = Path.cwd()
    os.chdir(root)
    try:
        outcome = server_check(Target(root / "train.py", root, "train.py", True), train)
    finally:
        os.chdir(cwd)
    assert [(where.name, d.code) for where, d in outcome.elsewhere] == [("data.py", "KL102")]


def test_kl010_judges_a_script_with_a_main_block_and_a_def_line(tmp_path: Path) -> None:
    """A `__main__` block makes the file a script, whose own check runs its functions: an unused
    code there is reported; so is one on a module's `def` line (its defaults run at import)."""
    script = ("import keras\n\n\ndef main():\n    keras.utils.set_random_seed(0)\n"
              "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])  # noqa: KL101\n"
              "    return model\n\n\nif __name__ == '__main__':\n    main()\n")
    module = "import keras\n\n\ndef build(n=4):  # noqa: KL101\n    return keras.layers.Dense(n)\n"
    root = _project(tmp_path, {"s.py": script, "m.py": module})
    assert [(d["filename"], d["location"]["row"]) for d in check(root, ".", extend_select=["KL010"])[1]] == [
        ("m.py", 4), ("s.py", 6)]


def test_coverage_counts_each_model_a_loop_builds(tmp_path: Path) -> None:
    loop = ("import keras\nkeras.utils.set_random_seed(0)\nfor n in [4, 8]:\n"
            "    m = keras.Sequential([keras.Input(shape=(n,)), keras.layers.Dense(1)])\n")
    root = _project(tmp_path, {"l.py": loop, "model.py": CONFIGURED_BUILDER.format(extra=""),
                               "train.py": CONFIGURED_TRAIN + "other = build_model({'units': 8, 'classes': 10})\n"})
    out, err = io.StringIO(), io.StringIO()
    cwd = Path.cwd()
    os.chdir(root)
    try:
        run_check(CheckOptions(paths=[Path(".")], output_format="concise", no_cache=True, show_coverage=True),
                  stdout=out, stderr=err)
    finally:
        os.chdir(cwd)
    # l.py's two, and the builder twice (train.py's two calls; model.py's own run is one of them)
    assert out.getvalue().splitlines()[-1] == "Total: 4 models in 3 of 3 files, 4 fully shaped (100%)"


def test_a_module_named_two_ways_reports_its_finding_once(tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": CONFIGURED_BUILDER.format(extra="x = layers.LSTM(16)(x)\n    "),
                               "train.py": CONFIGURED_TRAIN, "sub/notes.txt": ""})
    _, diagnostics, _ = check(root / "sub", "../train.py", str(root / "model.py"))
    assert [(d["location"]["row"], d["code"]) for d in diagnostics] == [(9, "KL306")]


MODULE_CONFIG_MODEL = ("import keras\nimport config\n\n\ndef build():\n"
                       "    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(config.NUM_CLASSES, "
                       "activation='softmax')])\n")
MODULE_CONFIG_TRAIN = ("import keras\nimport numpy as np\nimport config\nfrom model import build\n\n{change}"
                       "keras.utils.set_random_seed(0)\n"
                       "y = keras.utils.to_categorical(np.random.randint(0, 4, 32), 4)\nm = build()\n"
                       "m.compile(loss='categorical_crossentropy')\nm.fit(np.random.rand(32, 8), y, epochs=1)\n")


@pytest.mark.parametrize("change, config", [
    ("config.NUM_CLASSES = 4\n", "NUM_CLASSES = 10\n"),
    ("setattr(config, 'NUM_CLASSES', 4)\n", "NUM_CLASSES = 10\n"),
    ("config.use(4)\n", "NUM_CLASSES = 10\n\n\ndef use(n):\n    global NUM_CLASSES\n    NUM_CLASSES = n\n"),
    # may not run: unknown from there on, never the 10 it may set
    ("import sys\nif len(sys.argv) > 1:\n    config.NUM_CLASSES = 10\n", "NUM_CLASSES = 4\n"),
])
def test_a_module_attribute_set_by_another_file_is_what_its_readers_see(tmp_path: Path, change: str,
                                                                         config: str) -> None:
    """train.py sets config's NUM_CLASSES before model.py reads it (an attribute store, setattr,
    a function with `global`): Dense(4) matches the 4-class labels, as Keras builds it."""
    root = _project(tmp_path, {"config.py": config, "model.py": MODULE_CONFIG_MODEL,
                               "train.py": MODULE_CONFIG_TRAIN.format(change=change)})
    assert found(check(root, "train.py")[1]) == []
    if "global" not in config and "if" not in change:
        # without the change the 10-unit output is reported, as Keras would stop
        (root / "train.py").write_text(MODULE_CONFIG_TRAIN.format(change=""))
        assert [d["code"] for d in check(root, "train.py")[1]] == ["KL205"]
