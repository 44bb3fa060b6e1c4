"""KL308 on ``model.load_weights(path)``: weight files made by Keras 3 in a temporary folder,
a script beside them, keraslint's verdict, and Keras itself loading the file into the script's
model (the claim and the quoted error must hold; a quiet script must load).

Only dataset shapes are read from the files (keraslint.ir.weights_file); hostile layouts give
no verdict.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py
import keras
import numpy as np
import pytest

from keraslint.checker import check_source
from keraslint.ir.weights_file import Keras3Weights, LegacyWeights, read_weight_shapes

HEAD = "import numpy as np\nimport keras\nfrom keras import layers\n"

#: name -> (the model the file is saved from, the script's model, the file name, Keras refuses)
CASES = {
    "dense_wider": ("[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]",
                    "[keras.Input((4,)), layers.Dense(16), layers.Dense(2)]", "w.weights.h5", True),
    "dense_same": ("[keras.Input((4,)), layers.Dense(8), layers.Dropout(0.1), layers.Dense(2)]",
                   "[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]", "w.weights.h5", False),
    "one_more_dense": ("[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]",
                       "[keras.Input((4,)), layers.Dense(8), layers.Dense(2), layers.Dense(1)]", "w.weights.h5", True),
    "one_dense_fewer": ("[keras.Input((4,)), layers.Dense(8), layers.Dense(2), layers.Dense(1)]",
                        "[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]", "w.weights.h5", False),
    "lstm_units": (("[keras.Input((5, 3)), layers.LSTM(4, return_sequences=True), layers.Bidirectional(layers.GRU(2)), "
                   "layers.Dense(1)]"),
                   ("[keras.Input((5, 3)), layers.LSTM(6, return_sequences=True), layers.Bidirectional(layers.GRU(2)), "
                   "layers.Dense(1)]"), "w.weights.h5", True),
    "bidirectional_units": ("[keras.Input((5, 3)), layers.Bidirectional(layers.GRU(2)), layers.Dense(1)]",
                            "[keras.Input((5, 3)), layers.Bidirectional(layers.GRU(3)), layers.Dense(1)]",
                            "w.weights.h5", True),
    "conv_same": (("[keras.Input((9, 9, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(), "
                  "layers.TimeDistributed(layers.Dense(2)), layers.Flatten(), layers.Dense(1)]"),
                  ("[keras.Input((9, 9, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(), "
                  "layers.TimeDistributed(layers.Dense(2)), layers.Flatten(), layers.Dense(1)]"), "w.weights.h5", False),
    "conv_filters": (("[keras.Input((9, 9, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.Flatten(), "
                     "layers.Dense(1)]"),
                     ("[keras.Input((9, 9, 3)), layers.Conv2D(8, 3), layers.BatchNormalization(), layers.Flatten(), "
                     "layers.Dense(1)]"), "w.weights.h5", True),
    "time_distributed_units": ("[keras.Input((5, 4)), layers.TimeDistributed(layers.Dense(3)), layers.Flatten()]",
                               "[keras.Input((5, 4)), layers.TimeDistributed(layers.Dense(2)), layers.Flatten()]",
                               "w.weights.h5", True),
    "legacy_wider": ("[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]",
                     "[keras.Input((4,)), layers.Dense(16), layers.Dense(2)]", "w.h5", True),
    "legacy_one_more": ("[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]",
                        "[keras.Input((4,)), layers.Dense(8), layers.Dropout(0.2), layers.Dense(2), layers.Dense(1)]",
                        "w.h5", True),
    "legacy_same": ("[keras.Input((4,)), layers.Dense(8), layers.Dense(2)]",
                    "[keras.Input((4,)), layers.Dense(8), layers.Dropout(0.2), layers.Dense(2)]", "w.h5", False),
}


def _model(stack: str) -> keras.Model:
    return eval(f"keras.Sequential({stack})", {"keras": keras, "layers": keras.layers})


def _save(stack: str, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _model(stack)
        if path.name.endswith(".weights.h5"):
            model.save_weights(path)
        else:
            model.save(path)  # a legacy .h5 model file: load_weights reads its model_weights group


def _script(stack: str, name: str) -> str:
    return f"{HEAD}model = keras.Sequential({stack})\nmodel.load_weights({name!r})\n"


def _keras_error(code: str, folder: Path) -> str | None:
    """Run the script under Keras in ``folder``; the error it stops with, or None."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "t.py", "exec"), {})  # noqa: S102 - the test's own script
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    finally:
        os.chdir(here)
    return None


def _findings(code: str, folder: Path) -> list:
    return [d for d in check_source(code, "t.py", selected={"KL308"}, script_dir=folder).diagnostics]


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_weights_verdict_matches_keras(name: str, tmp_path: Path) -> None:
    saved, wanted, file, refused = CASES[name]
    _save(saved, tmp_path / file)
    code = _script(wanted, file)
    error = _keras_error(code, tmp_path)
    assert (error is not None) == refused, f"{name}: Keras {'accepts' if error is None else error[:300]}"
    found = _findings(code, tmp_path)
    if not refused:
        assert not found, [d.message for d in found]
        return
    assert len(found) == 1, [d.message for d in found]
    finding = found[0]
    assert finding.location.row == 5 and "Keras raises ValueError" in finding.message
    quoted = finding.message.split("Keras raises ValueError: ")[1].strip("'")
    assert quoted in error, f"Keras's error does not say {quoted!r}: {error[:600]}"


def test_no_file_no_verdict(tmp_path: Path) -> None:
    code = _script("[keras.Input((4,)), layers.Dense(16)]", "missing.weights.h5")
    assert not _findings(code, tmp_path)


def test_lenient_loading_is_not_judged(tmp_path: Path) -> None:
    _save("[keras.Input((4,)), layers.Dense(8)]", tmp_path / "w.weights.h5")
    code = f"{HEAD}model = keras.Sequential([keras.Input((4,)), layers.Dense(16)])\n" \
           "model.load_weights('w.weights.h5', skip_mismatch=True)\n"
    assert _keras_error(code, tmp_path) is None
    assert not _findings(code, tmp_path)


def test_model_built_later_is_not_judged(tmp_path: Path) -> None:
    """A Sequential without an input is not built yet: Keras refuses for that reason, whatever
    the file holds; not a shape verdict."""
    _save("[keras.Input((4,)), layers.Dense(8)]", tmp_path / "w.weights.h5")
    code = f"{HEAD}model = keras.Sequential([layers.Dense(16)])\nmodel.load_weights('w.weights.h5')\n"
    assert not _findings(code, tmp_path)


def test_layers_added_after_the_call_do_not_count(tmp_path: Path) -> None:
    _save("[keras.Input((4,)), layers.Dense(8)]", tmp_path / "w.weights.h5")
    code = f"{HEAD}model = keras.Sequential([keras.Input((4,)), layers.Dense(8)])\n" \
           "model.load_weights('w.weights.h5')\nmodel.add(layers.Dense(3))\n"
    assert _keras_error(code, tmp_path) is None
    assert not _findings(code, tmp_path)


def test_only_shapes_are_read(tmp_path: Path) -> None:
    _save("[keras.Input((4,)), layers.Dense(8)]", tmp_path / "w.weights.h5")
    stored = read_weight_shapes(tmp_path / "w.weights.h5", keras3=True)
    assert isinstance(stored, Keras3Weights) and stored.paths["layers/dense"] == ((4, 8), (8,))
    _save("[keras.Input((4,)), layers.Dense(8)]", tmp_path / "w.h5")
    legacy = read_weight_shapes(tmp_path / "w.h5", keras3=False)
    assert isinstance(legacy, LegacyWeights) and [s for _, s in legacy.layers] == [((4, 8), (8,))]


def test_hostile_files_give_no_facts(tmp_path: Path) -> None:
    (tmp_path / "text.weights.h5").write_text("not hdf5")
    assert read_weight_shapes(tmp_path / "text.weights.h5", keras3=True) is None
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("x", data=np.zeros(3))
    linked = tmp_path / "linked.weights.h5"
    with h5py.File(linked, "w") as f:
        layers = f.create_group("layers")
        layers["dense"] = h5py.ExternalLink(str(other), "/")  # would open another file
        f["layers"].create_group("loop")["back"] = h5py.SoftLink("/layers")
    stored = read_weight_shapes(linked, keras3=True)
    assert stored is not None and stored.paths == {}
    legacy = tmp_path / "names.h5"
    with h5py.File(legacy, "w") as f:
        f.attrs["layer_names"] = np.array([b"a"] * 10, dtype="S1")
        f.create_group("a").attrs["weight_names"] = np.zeros(3)  # not strings
    assert read_weight_shapes(legacy, keras3=False) is None
