"""Every spelling of a Keras name resolves to one canonical name, through every import style."""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest

from keraslint.source.interpreter import CallSite, Interpreter
from keraslint.source.names import canonical, layer_kind, star_exports


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("tensorflow.keras.layers.Conv1D", "keras.layers.Conv1D"),
        ("tensorflow.python.keras.layers.Dense", "keras.layers.Dense"),
        ("tensorflow.compat.v1.keras.layers.Dense", "keras.layers.Dense"),
        ("tensorflow.compat.v2.keras.layers.Dense", "keras.layers.Dense"),
        ("tf_keras.layers.LSTM", "keras.layers.LSTM"),
        ("keras_core.ops.nn.sigmoid", "keras.ops.sigmoid"),
        ("keras.ops.numpy.tensordot", "keras.ops.tensordot"),
        ("keras.ops.linalg.norm", "keras.ops.norm"),
        ("keras.ops.image.extract_patches", "keras.ops.image.extract_patches"),
        ("keras.src.layers.Dense", "keras.layers.Dense"),
        ("keras.layers.convolutional.Conv2D", "keras.layers.Conv2D"),
        ("keras.layers.core.Dense", "keras.layers.Dense"),
        ("keras.layers.recurrent.LSTM", "keras.layers.LSTM"),
        ("keras.layers.Convolution1D", "keras.layers.Conv1D"),
        ("keras.layers.convolutional.Convolution2D", "keras.layers.Conv2D"),
        ("keras.layers.MaxPool2D", "keras.layers.MaxPooling2D"),
        ("tensorflow.keras.layers.CuDNNLSTM", "keras.layers.LSTM"),
        ("keras.layers.cudnn_recurrent.CuDNNGRU", "keras.layers.GRU"),
        ("keras.layers.AvgPool1D", "keras.layers.AveragePooling1D"),
        ("keras.layers.Merge", "keras.layers.Merge"),
        ("keras.layers.merge.concatenate", "keras.layers.concatenate"),
        ("keras.layers.Input", "keras.Input"),
        ("tensorflow.keras.Input", "keras.Input"),
        ("keras.models.Sequential", "keras.Sequential"),
        ("tensorflow.keras.models.Model", "keras.Model"),
        ("keras.engine.sequential.Sequential", "keras.Sequential"),
        ("keras.engine.training.Model", "keras.Model"),
        ("tensorflow.keras.utils.set_random_seed", "keras.utils.set_random_seed"),
        ("tensorflow.compat.v1.keras.utils.set_random_seed", "keras.utils.set_random_seed"),
        ("tensorflow.compat.v1.set_random_seed", "tensorflow.set_random_seed"),
        ("tensorflow.compat.v1.random.set_random_seed", "tensorflow.set_random_seed"),
        ("tensorflow.random.set_random_seed", "tensorflow.random.set_seed"),
        ("tensorflow.compat.v2.random.set_seed", "tensorflow.random.set_seed"),
        ("tensorflow.random.set_seed", "tensorflow.random.set_seed"),
        ("keras.utils.np_utils.to_categorical", "keras.utils.to_categorical"),
        ("sklearn.cross_validation.train_test_split", "sklearn.model_selection.train_test_split"),
        ("numpy.random.seed", "numpy.random.seed"),
        # modules and unrelated names pass through
        ("tensorflow.keras", "keras"),
        ("tensorflow.keras.layers", "keras.layers"),
        ("kerasx.layers.Dense", "kerasx.layers.Dense"),
        ("mylib.keras.layers.Dense", "mylib.keras.layers.Dense"),
        ("keras.layers.MyCustomLayer", "keras.layers.MyCustomLayer"),
    ],
)
def test_canonical(spelled: str, expected: str) -> None:
    assert canonical(spelled) == expected


def test_canonical_is_idempotent() -> None:
    for name in ("tensorflow.keras.layers.Convolution2D", "tensorflow.compat.v1.set_random_seed",
                 "keras.models.Sequential", "tf_keras.layers.CuDNNLSTM"):
        assert canonical(canonical(name)) == canonical(name)


def test_layer_kind() -> None:
    assert layer_kind("keras.layers.Conv2D") == "Conv2D"
    assert layer_kind("keras.layers.Convolution2D") == "Conv2D"
    assert layer_kind("keras.Sequential") is None
    assert layer_kind("keras.layers.NotALayer") is None


def test_star_exports() -> None:
    layers = star_exports("tensorflow.keras.layers")
    assert layers is not None and {"Conv1D", "Convolution2D", "MaxPool2D", "Input", "concatenate"} <= layers
    # Keras 2 submodules export layers too
    for module in ("keras.layers.core", "keras.layers.convolutional", "tensorflow.keras.layers.experimental.preprocessing"):
        exported = star_exports(module)
        assert exported is not None and "Dense" in exported, module
    assert star_exports("keras.models") == star_exports("tensorflow.keras.models")
    assert "set_random_seed" in (star_exports("tensorflow.keras.utils") or ())
    assert "keras" in (star_exports("tensorflow") or ())
    assert star_exports("some.unknown.module") is None


# -- end to end: what the interpreter reports for each import style ---------------------------

class _Calls:
    def __init__(self) -> None:
        self.sites: list[CallSite] = []

    def on_call(self, site: CallSite) -> None:
        self.sites.append(site)

    def snapshot(self) -> Any:
        return None

    def restore(self, snap: Any) -> None:
        return None

    def join(self, a: Any, b: Any) -> Any:
        return None


def called(code: str) -> list[str]:
    tracker = _Calls()
    Interpreter(cst.parse_module(code), [tracker]).run()
    return [site.name for site in tracker.sites if site.reachable]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import tensorflow as tf\ntf.keras.layers.Conv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("import tensorflow\ntensorflow.keras.layers.Conv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("from tensorflow import keras\nkeras.layers.Conv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("from tensorflow import keras as K\nK.layers.Conv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("import tensorflow.keras as keras\nkeras.layers.Conv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("from tensorflow.keras import layers as L\nL.Conv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("from tensorflow.keras.layers import *\nConv1D(8, 3)\n", "keras.layers.Conv1D"),
        ("from keras.layers import *\nConvolution1D(8, 3)\n", "keras.layers.Conv1D"),
        ("from keras.layers import Conv1D as C\nC(8, 3)\n", "keras.layers.Conv1D"),
        ("from keras.layers.convolutional import Conv2D\nConv2D(8, 3)\n", "keras.layers.Conv2D"),
        ("from keras.layers.convolutional import *\nConvolution2D(8, 3, 3)\n", "keras.layers.Conv2D"),
        ("from keras.layers.core import *\nDense(1)\n", "keras.layers.Dense"),
        ("import keras\nkeras.layers.core.Dense(1)\n", "keras.layers.Dense"),
        ("import keras.layers\nkeras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("import tf_keras\ntf_keras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("import tf_keras as keras\nkeras.layers.Dense(1)\n", "keras.layers.Dense"),
        # keras_core is Keras 3 under its pre-release name (every keras.io example ported to Keras 3)
        ("import keras_core as keras\nkeras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("from keras_core import layers\nlayers.Conv2D(8, 3)\n", "keras.layers.Conv2D"),
        ("import keras_core\nkeras_core.Sequential()\n", "keras.Sequential"),
        ("from tensorflow.python.keras.layers import Dense\nDense(1)\n", "keras.layers.Dense"),
        ("from tensorflow.python import keras\nkeras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("import tensorflow as tf\ntf.compat.v1.keras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("import tensorflow.compat.v1 as tf\ntf.keras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("from tensorflow.compat import v1 as tf\ntf.keras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("from tensorflow import *\nkeras.layers.Dense(1)\n", "keras.layers.Dense"),
        ("from keras.layers import MaxPool2D\nMaxPool2D()\n", "keras.layers.MaxPooling2D"),
        ("from keras.layers import CuDNNLSTM\nCuDNNLSTM(4)\n", "keras.layers.LSTM"),
        ("import tensorflow as tf\ntf.compat.v1.keras.layers.CuDNNLSTM(4)\n", "keras.layers.LSTM"),
        ("from keras.models import Sequential\nSequential()\n", "keras.Sequential"),
        ("from tensorflow.keras import Sequential\nSequential()\n", "keras.Sequential"),
        ("from tensorflow.keras.models import *\nSequential()\n", "keras.Sequential"),
        ("from keras import *\nSequential()\n", "keras.Sequential"),
        ("import keras\nkeras.models.Model(a, b)\n", "keras.Model"),
        ("from keras.layers import Input\nInput((3,))\n", "keras.Input"),
        ("from tensorflow.keras.utils import set_random_seed\nset_random_seed(1)\n", "keras.utils.set_random_seed"),
        ("from tensorflow.keras.utils import *\nset_random_seed(1)\n", "keras.utils.set_random_seed"),
        ("import tensorflow as tf\ntf.keras.utils.set_random_seed(1)\n", "keras.utils.set_random_seed"),
        ("import tensorflow as tf\ntf.set_random_seed(1)\n", "tensorflow.set_random_seed"),
        ("import tensorflow as tf\ntf.compat.v1.set_random_seed(1)\n", "tensorflow.set_random_seed"),
        ("import tensorflow.compat.v1 as tf\ntf.set_random_seed(1)\n", "tensorflow.set_random_seed"),
        ("from tensorflow.compat.v1 import set_random_seed\nset_random_seed(1)\n", "tensorflow.set_random_seed"),
        ("import tensorflow.compat.v2 as tf\ntf.random.set_seed(1)\n", "tensorflow.random.set_seed"),
        ("import numpy\nnumpy.random.seed(0)\n", "numpy.random.seed"),
        ("from numpy import random\nrandom.seed(0)\n", "numpy.random.seed"),
        ("import numpy.random as npr\nnpr.seed(0)\n", "numpy.random.seed"),
        ("from numpy.random import seed\nseed(0)\n", "numpy.random.seed"),
        ("import random as rnd\nrnd.seed(0)\n", "random.seed"),
        ("from random import seed\nseed(0)\n", "random.seed"),
    ],
)
def test_import_styles_resolve(code: str, expected: str) -> None:
    assert called(code)[-1] == expected


def test_spelling_is_kept_for_legacy_rules() -> None:
    tracker = _Calls()
    code = "import tensorflow as tf\ntf.keras.layers.Convolution2D(8, 3, 3)\n"
    Interpreter(cst.parse_module(code), [tracker]).run()
    site = tracker.sites[-1]
    assert site.name == "keras.layers.Conv2D"
    assert site.spelled == "tensorflow.keras.layers.Convolution2D"


def test_local_names_shadow_star_imports_and_builtins() -> None:
    code = (
        "from keras.layers import *\n"
        "def Dense(n):\n    return n\n"
        "Dense(3)\n"
        "Conv1D(1, 2)\n"
    )
    assert called(code) == ["keras.layers.Conv1D"]


def test_relative_import_is_unknown() -> None:
    assert called("from .layers import Dense\nDense(1)\n") == []


def test_names_of_unknown_modules_are_not_keras() -> None:
    assert called("import mylib\nmylib.layers.Dense(1)\n") == ["mylib.layers.Dense"]
