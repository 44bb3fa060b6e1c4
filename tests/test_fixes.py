"""Every fix: the fixed file parses, keeps its formatting and comments, and no longer reports
what was fixed."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from keraslint.checker import check_source
from keraslint.fixes import apply
from keraslint.registry import all_rules
from keraslint.run import CheckOptions, run_check

ALL = {r.code for r in all_rules()}

# (code, source, expected fixed source, applicability)
CASES = [
    ("KL403", "import keras\n\nopt = keras.optimizers.Adam(lr=1e-3)  # tuned\n",
     "import keras\n\nopt = keras.optimizers.Adam(learning_rate=1e-3)  # tuned\n", "safe"),
    ("KL403", "from keras.models import Sequential\nm = Sequential()\nm.fit(x,  y,   nb_epoch=5)\n",
     "from keras.models import Sequential\nm = Sequential()\nm.fit(x,  y,   epochs=5)\n", "safe"),
    ("KL403", "from keras.models import Sequential\nm = Sequential()\nm.fit_generator(gen,\n    steps_per_epoch=10)\n",
     "from keras.models import Sequential\nm = Sequential()\nm.fit(gen,\n    steps_per_epoch=10)\n", "safe"),
    ("KL403", "import tensorflow as tf\nc = tf.keras.layers.Convolution2D(32, 3)\n",
     "import tensorflow as tf\nc = tf.keras.layers.Conv2D(32, 3)\n", "safe"),
    ("KL403", "from keras.layers import Conv1D\nc = Conv1D(nb_filter=8, filter_length=3, border_mode='same')\n",
     "from keras.layers import Conv1D\nc = Conv1D(filters=8, kernel_size=3, padding='same')\n", "safe"),
    ("KL101", '"""Train."""\nimport tensorflow as tf\n\n# the model\nmodel = tf.keras.Sequential()\nmodel.fit(x, y)\n',
     '"""Train."""\nimport tensorflow as tf\ntf.keras.utils.set_random_seed(42)\n\n# the model\nmodel = tf.keras.Sequential()\n'
     'model.fit(x, y)\n', "unsafe"),
    ("KL101", "from tensorflow import keras\nimport numpy as np\nm = keras.Sequential()\nm.fit(x, y)\n",
     "from tensorflow import keras\nimport numpy as np\nkeras.utils.set_random_seed(42)\nm = keras.Sequential()\nm.fit(x, y)\n",
     "unsafe"),
    ("KL101", "from keras.models import Sequential\nm = Sequential()\nm.fit(x, y)\n",
     "from keras.models import Sequential\nimport keras\nkeras.utils.set_random_seed(42)\nm = Sequential()\nm.fit(x, y)\n",
     "unsafe"),
    ("KL203", "import numpy as np\nimport keras\nX = np.zeros((100, 8))\n"
              "m = keras.Sequential([keras.layers.Dense(1, input_shape=X.shape)])  # head\nm.fit(X, np.zeros(100))\n",
     "import numpy as np\nimport keras\nX = np.zeros((100, 8))\n"
     "m = keras.Sequential([keras.layers.Dense(1, input_shape=X.shape[1:])])  # head\nm.fit(X, np.zeros(100))\n",
     "unsafe"),
    ("KL401", "import keras\nm = keras.Sequential([keras.Input((4,)),\n    keras.layers.Dense(1, activation='softmax')])  # out\n",
     "import keras\nm = keras.Sequential([keras.Input((4,)),\n    keras.layers.Dense(1, activation='sigmoid')])  # out\n",
     "unsafe"),
]


@pytest.mark.parametrize(("code", "source", "expected", "applicability"), CASES)
def test_fix(code: str, source: str, expected: str, applicability: str) -> None:
    report = check_source(source, "t.py", selected=ALL)
    fixes = [d.fix for d in report.diagnostics if d.code == code and d.fix is not None]
    assert fixes, [d.message for d in report.diagnostics]
    assert {f.applicability for f in fixes} == {applicability}
    fixed, applied = apply(source, fixes)
    assert applied == len(fixes)
    assert fixed == expected  # exact: formatting and comments untouched
    cst.parse_module(fixed)
    compile(fixed, "t.py", "exec")
    after = check_source(fixed, "t.py", selected=ALL)
    fixed_spans = {(d.code, d.message) for d in report.diagnostics if d.fix in fixes}
    assert not fixed_spans & {(d.code, d.message) for d in after.diagnostics}


def test_convolution2d_with_keras1_meaning_has_no_safe_rename() -> None:
    report = check_source("from keras.layers import Convolution2D\nc = Convolution2D(32, 3, 3)\n", "t.py", selected=ALL)
    (finding,) = [d for d in report.diagnostics if "Convolution2D" in d.message]
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


def test_samples_per_epoch_is_advice_only() -> None:
    report = check_source("import keras\nm = keras.Sequential()\nm.fit(x, samples_per_epoch=100)\n", "t.py",
                          selected={"KL403"})
    assert [d.fix for d in report.diagnostics] == [None]


def run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "keraslint", "check", *args], cwd=tmp_path, capture_output=True,
                          text=True, input=stdin, timeout=120)


SCRIPT = "import tensorflow as tf\nmodel = tf.keras.Sequential()\nopt = tf.keras.optimizers.SGD(lr=0.1)\nmodel.fit(x, y)\n"


def test_diff_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(SCRIPT)
    result = run(tmp_path, "--extend-select", "KL403", "--diff", "t.py")
    assert result.returncode == 1
    assert "-opt = tf.keras.optimizers.SGD(lr=0.1)\n+opt = tf.keras.optimizers.SGD(learning_rate=0.1)" in result.stdout
    assert "set_random_seed" not in result.stdout  # unsafe: needs --unsafe-fixes
    assert (tmp_path / "t.py").read_text() == SCRIPT


def test_fix_writes_safe_fixes_and_reports_the_rest(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text(SCRIPT)
    result = run(tmp_path, "--extend-select", "KL403", "--fix", "--output-format", "concise", "t.py")
    assert result.returncode == 1  # KL101 remains: its fix is unsafe
    assert "KL101" in result.stdout and "KL403" not in result.stdout
    assert "learning_rate=0.1" in (tmp_path / "t.py").read_text()
    result = run(tmp_path, "--fix", "--unsafe-fixes", "t.py")
    assert result.returncode == 0, result.stdout
    assert "tf.keras.utils.set_random_seed(42)\n" in (tmp_path / "t.py").read_text()


def test_fix_keeps_the_file_encoding(tmp_path: Path) -> None:
    source = '# -*- coding: latin-1 -*-\nimport keras\nlabel = "caf\xe9"\nopt = keras.optimizers.SGD(lr=0.1)\n'
    (tmp_path / "t.py").write_bytes(source.encode("latin-1"))
    run(tmp_path, "--select", "KL403", "--fix", "t.py")
    assert (tmp_path / "t.py").read_bytes() == source.replace("lr=", "learning_rate=").encode("latin-1")


def test_fix_from_stdin_prints_the_fixed_source(tmp_path: Path) -> None:
    result = run(tmp_path, "--select", "KL403", "--fix", "-", stdin=SCRIPT)
    assert result.stdout == SCRIPT.replace("lr=", "learning_rate=")


def test_json_carries_the_fix(tmp_path: Path, monkeypatch) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.py").write_text(SCRIPT)
    out, err = io.StringIO(), io.StringIO()
    run_check(CheckOptions(paths=[Path("t.py")], output_format="json", extend_select=["KL403"]), stdout=out, stderr=err)
    by_code = {d["code"]: d for d in json.loads(out.getvalue())}
    assert by_code["KL403"]["fix"] == {
        "message": "Rename `lr` to `learning_rate`", "applicability": "safe",
        "edits": [{"content": "learning_rate", "location": {"row": 3, "column": 31},
                   "end_location": {"row": 3, "column": 33}}],
    }
    assert by_code["KL101"]["fix"]["applicability"] == "unsafe"


def fixed(source: str, *, unsafe: bool = False) -> str:
    from keraslint.fix_command import _fixed_source

    report = check_source(source, "t.py", selected={"KL403"})
    text, _, refused = _fixed_source(report, CheckOptions(paths=[], unsafe_fixes=unsafe),
                                     lambda t: check_source(t, "t.py", selected={"KL403"}))
    assert not refused
    compile(text, "t.py", "exec")
    return text


@pytest.mark.parametrize(("source", "unsafe", "expected"), [
    # the NameError: the import follows the rename
    ("from keras.layers import Convolution2D\nc = Convolution2D(16, 3)\n", False,
     "from keras.layers import Conv2D\nc = Conv2D(16, 3)\n"),
    # a use the fixes do not rename keeps the old name imported
    ("from keras.layers import Convolution2D, Dense\na = Convolution2D(4, 3)\nc = Convolution2D(16, 3, 3)\n", False,
     "from keras.layers import Convolution2D, Conv2D, Dense\na = Conv2D(4, 3)\nc = Convolution2D(16, 3, 3)\n"),
    # ... until the unsafe rewrite renames it too: the old name leaves the import
    ("from keras.layers import Convolution2D, Dense\na = Convolution2D(4, 3)\nc = Convolution2D(16, 3, 3)\n", True,
     "from keras.layers import Conv2D, Dense\na = Conv2D(4, 3)\nc = Conv2D(16, (3, 3))\n"),
    ("from keras.layers import Conv2D, Convolution2D\na = Convolution2D(4, 3)\n", False,
     "from keras.layers import Conv2D\na = Conv2D(4, 3)\n"),
    ("from keras.layers import Convolution2D as C\na = C(4, 3)\n", False,
     "from keras.layers import Conv2D as C\na = C(4, 3)\n"),
    ("from keras.layers import *\na = Convolution2D(4, 3)\n", False, "from keras.layers import *\na = Conv2D(4, 3)\n"),
    ("import keras\nc = keras.layers.CuDNNLSTM(4)\n", True, "import keras\nc = keras.layers.LSTM(4)\n"),
])
def test_class_renames_keep_the_imports_working(source: str, unsafe: bool, expected: str) -> None:
    assert fixed(source, unsafe=unsafe) == expected


@pytest.mark.parametrize("source", [
    # `Conv2D` is the script's own: renaming would pick it up
    "from keras.layers import Convolution2D\nclass Conv2D: pass\na = Convolution2D(4, 3)\n",
    # removed from Keras 3 and still used elsewhere: the import could not stay
    "from keras.layers import AtrousConvolution1D\nKIND = AtrousConvolution1D\na = AtrousConvolution1D(4, 3)\n",
    # an aliased import with a use that is not renamed
    "from keras.layers import Convolution2D as C\nKIND = C\na = C(4, 3)\n",
])
def test_class_renames_that_cannot_keep_the_imports_are_not_offered(source: str) -> None:
    assert fixed(source, unsafe=True) == source


def test_convolution2d_reports_what_it_does_today() -> None:
    (finding,) = check_source("from keras.layers import Convolution2D\nc = Convolution2D(16, 3, 3)\n", "t.py",
                              selected={"KL403"}).diagnostics
    assert finding.message.startswith("`Convolution2D(16, 3, 3)` is `Conv2D(16, kernel_size=3, strides=3)` in Keras 3")
    assert "in Keras 1 it meant 16 filters of 3x3 (`Conv2D(16, (3, 3))`, stride 1)" in finding.message
    assert finding.fix is not None and finding.fix.applicability == "unsafe"
    assert finding.fix.message.startswith("Rewrite as `Conv2D(16, (3, 3))`")


def test_seed_goes_after_imports_behind_section_strings() -> None:
    """keras.io layout: a docstring, a `\"\"\"## Setup\"\"\"` heading, then `import keras_core as keras`."""
    source = ('"""Title: x"""\n\n"""\n## Setup\n"""\n\nimport numpy as np\nimport keras_core as keras\n\n'
              'model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\nmodel.fit(np.zeros((8, 4)), np.zeros(8))\n')
    from keraslint.fix_command import _fixed_source

    report = check_source(source, "t.py", selected={"KL101"})
    result, _, refused = _fixed_source(report, CheckOptions(paths=[], unsafe_fixes=True),
                                       lambda t: check_source(t, "t.py", selected={"KL101"}))
    assert not refused
    assert "import keras_core as keras\nkeras.utils.set_random_seed(42)\n" in result
    assert "import keras\n" not in result
    compile(result, "t.py", "exec")
