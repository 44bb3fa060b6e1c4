"""Single images read from files (``load_img``/``img_to_array``), and Keras as their oracle."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from keraslint.checker import check_source

from . import array

CASES = [
    # (load_img arguments, img_to_array arguments)
    ("target_size=(32, 48)", ""),
    ("target_size=(32, 48), color_mode='grayscale'", ""),
    ("target_size=(20, 20), color_mode='rgba'", ""),
    ("target_size=(32, 48)", "data_format='channels_first'"),
    ("color_mode='grayscale', target_size=(16, 24)", "dtype='uint8'"),
]


def _static(load: str, convert: str) -> tuple:
    x = array(f"import keras\nimg = keras.utils.load_img('p.png', {load})\n"
              f"x = keras.utils.img_to_array(img{', ' + convert if convert else ''})\n")
    return x.shape, x.dtype, x.scaled


def test_shape_comes_from_target_size_and_color_mode() -> None:
    assert _static("target_size=(32, 48)", "") == ((32, 48, 3), "float32", False)
    assert _static("target_size=(32, 48), color_mode='grayscale'", "")[0] == (32, 48, 1)
    assert _static("target_size=(32, 48)", "data_format='channels_first'")[0] == (3, 32, 48)


def test_unknown_size_and_mode_stay_unknown() -> None:
    assert _static("", "")[0] == (None, None, 3)
    x = array("import keras\nmode = input()\nimg = keras.utils.load_img('p.png', color_mode=mode)\n"
              "x = keras.utils.img_to_array(img)\n")
    assert x.shape == (None, None, None)
    # not an image keraslint followed: the rank is not invented
    assert array("import keras\nx = keras.utils.img_to_array(open('p.png'))\n").shape is None


def test_other_import_paths() -> None:
    x = array("from tensorflow.keras.preprocessing.image import load_img, img_to_array\n"
              "x = img_to_array(load_img('p.png', target_size=(8, 8)))\n")
    assert x.shape == (8, 8, 3)


def test_predicting_on_a_raw_image_after_scaled_training_is_kl208() -> None:
    code = textwrap.dedent("""\
        import keras
        (x_train, y_train), _ = keras.datasets.cifar10.load_data()
        model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Flatten(),
                                  keras.layers.Dense(10, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy")
        model.fit(x_train / 255.0, y_train)
        img = keras.utils.load_img("cat.png", target_size=(32, 32))
        model.predict(keras.utils.img_to_array(img)[None])
    """)
    found = [d for d in check_source(code, "t.py", selected={"KL208"}).diagnostics if d.code == "KL208"]
    assert len(found) == 1 and "load_img('cat.png')" in found[0].message
    fixed = code.replace("img)[None]", "img)[None] / 255.0")
    assert not [d for d in check_source(fixed, "t.py", selected={"KL208"}).diagnostics if d.code == "KL208"]


@pytest.mark.slow
def test_keras_agrees() -> None:
    """Keras reads a real PNG with the same arguments: the shape, dtype and unscaled values."""
    pytest.importorskip("PIL", reason="pillow is in the test extra")
    script = textwrap.dedent(f"""\
        import json, os, tempfile
        os.environ["KERAS_BACKEND"] = "tensorflow"
        import numpy as np
        from PIL import Image
        import keras
        path = os.path.join(tempfile.mkdtemp(), "p.png")
        Image.fromarray(np.full((40, 50, 3), 200, dtype="uint8")).save(path)
        out = []
        for load, convert in {CASES!r}:
            img = eval(f"keras.utils.load_img(path, {{load}})")
            x = eval(f"keras.utils.img_to_array(img{{', ' + convert if convert else ''}})")
            out.append([list(x.shape), str(x.dtype), float(x.max())])
        print(json.dumps(out))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    keras_says = json.loads(result.stdout.strip().splitlines()[-1])
    for (load, convert), (shape, dtype, top) in zip(CASES, keras_says):
        ours, our_dtype, scaled = _static(load, convert)
        assert list(ours) == shape and our_dtype == dtype, (load, convert)
        assert scaled is False and top > 1  # raw 0-255 values, as KL206/KL208 assume
