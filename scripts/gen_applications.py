"""Regenerate keraslint/shapes/application_table.py from Keras itself.

    python scripts/gen_applications.py > keraslint/shapes/application_table.py

Every application is built with ``weights=None`` (nothing is downloaded) and measured: the
feature-map channels, the parameters without the top (trainable and non-trainable, for 3 and
for 1 input channels), the top's parameters for two class counts (which fixes its formula),
the smallest input Keras accepts and the model's name. The spatial steps (``STEPS``) are
written from the Keras sources (keras/src/applications/*.py) because one of them, ``correct_pad``,
depends on the parity of the size it sees at build time, which no single built model shows;
this script checks them against the output Keras builds for several input sizes and stops on
any disagreement, so the table only ever holds what Keras agrees with.
"""

from __future__ import annotations

import inspect
import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")

import keras  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from keraslint.shapes.applications import spatial  # noqa: E402

V = "valid"
RESNET = (("pad", 3, 3), (V, 7, 2), ("pad", 1, 1), (V, 3, 2), (V, 1, 2), (V, 1, 2), (V, 1, 2))
INCEPTION = ((V, 3, 2), (V, 3, 1), (V, 3, 2), (V, 3, 1), (V, 3, 2), (V, 3, 2), (V, 3, 2))
EFFICIENTNET = (("cpad", 3), ("cpad", 3), ("cpad", 5), ("cpad", 3), ("cpad", 5))
SAME5 = (("same", 2),) * 5

#: name -> (spatial steps, default size, minimum size, top formula, sizes the top accepts with
#: imagenet weights (None: the default size only))
APPS: dict[str, tuple] = {
    "VGG16": (((V, 2, 2),) * 5, 224, 32, "vgg", None),
    "VGG19": (((V, 2, 2),) * 5, 224, 32, "vgg", None),
    "ResNet50": (RESNET, 224, 32, "dense", None),
    "ResNet101": (RESNET, 224, 32, "dense", None),
    "ResNet152": (RESNET, 224, 32, "dense", None),
    "ResNet50V2": (RESNET, 224, 32, "dense", None),
    "ResNet101V2": (RESNET, 224, 32, "dense", None),
    "ResNet152V2": (RESNET, 224, 32, "dense", None),
    "InceptionV3": (INCEPTION, 299, 75, "dense", None),
    "InceptionResNetV2": (INCEPTION, 299, 75, "dense", None),
    "Xception": (((V, 3, 2), (V, 3, 1), *(("same", 2),) * 4), 299, 71, "dense", None),
    "DenseNet121": ((*RESNET[:4], (V, 2, 2), (V, 2, 2), (V, 2, 2)), 224, 32, "dense", None),
    "DenseNet169": ((*RESNET[:4], (V, 2, 2), (V, 2, 2), (V, 2, 2)), 224, 32, "dense", None),
    "DenseNet201": ((*RESNET[:4], (V, 2, 2), (V, 2, 2), (V, 2, 2)), 224, 32, "dense", None),
    "MobileNet": ((("same", 2), *(("pad", 0, 1), (V, 3, 2)) * 4), 224, 32, "dense", (128, 160, 192, 224)),
    "MobileNetV2": ((("same", 2), ("cpad", 3), ("cpad", 3), ("cpad", 3), ("cpad", 3)), 224, 32, "dense",
                    (96, 128, 160, 192, 224)),
    **{f"EfficientNetB{i}": (EFFICIENTNET, size, 32, "dense", None)
       for i, size in enumerate((224, 240, 260, 300, 380, 456, 528, 600))},
    **{f"EfficientNetV2{v}": (SAME5, size, 32, "dense", None)
       for v, size in (("B0", 224), ("B1", 240), ("B2", 260), ("B3", 300), ("S", 384), ("M", 480), ("L", 480))},
    **{f"ConvNeXt{v}": (((V, 4, 4), (V, 2, 2), (V, 2, 2), (V, 2, 2)), 224, 32, "dense", None)
       for v in ("Tiny", "Small", "Base", "Large", "XLarge")},
}
#: the width multipliers Keras has imagenet weights for; other values are not tabulated
ALPHAS = {"MobileNet": (0.25, 0.5, 0.75, 1.0), "MobileNetV2": (0.35, 0.5, 0.75, 1.0, 1.3, 1.4)}


def counts(model: keras.Model) -> tuple[int, int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    return trainable, frozen


def build(name: str, **kwargs: object) -> keras.Model:
    keras.backend.clear_session()
    return getattr(keras.applications, name)(weights=None, **kwargs)


def check_steps(name: str, steps: tuple, minimum: int, kwargs: dict) -> None:
    sizes = sorted({minimum, minimum + 1, 225})
    for size in sizes:
        model = build(name, include_top=False, input_shape=(size, size + 2, 3), **kwargs)
        got = tuple(model.output_shape[1:3])
        want = (spatial(steps, size, size), spatial(steps, size + 2, size + 2))
        if got != want:
            raise SystemExit(f"{name}: steps give {want} for {size}x{size + 2}, Keras {got}")
    try:
        build(name, include_top=False, input_shape=(minimum - 1, minimum - 1, 3), **kwargs)
    except ValueError as error:
        if "at least" not in str(error):
            raise
    else:
        raise SystemExit(f"{name}: Keras accepts {minimum - 1}, below the tabulated minimum")


def measure(name: str, default: int, top: str, **kwargs: object) -> dict:
    base = build(name, include_top=False, input_shape=(default, default, 3), **kwargs)
    channels = int(base.output_shape[-1])
    row = {"name": base.name, "channels": channels, "params": counts(base),
           "params_1": counts(build(name, include_top=False, input_shape=(default, default, 1), **kwargs))}
    total = sum(row["params"])
    for classes in (7,):
        full = build(name, include_top=True, classes=classes, input_shape=(default, default, 3), **kwargs)
        extra = full.count_params() - total
        side = spatial(APPS[name][0], default, default)
        if top == "dense":
            expected = channels * classes + classes
        else:
            flat = side * side * channels
            expected = flat * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * classes + classes
        if extra != expected:
            raise SystemExit(f"{name}: top has {extra} parameters for {classes} classes, formula {expected}")
    return row


def main() -> None:
    print('"""The keras.applications networks keraslint models (see keraslint/shapes/applications.py).')
    print()
    print(f"Generated by scripts/gen_applications.py from Keras {keras.__version__} (weights=None, built")
    print("and measured, and the spatial steps checked against Keras for several input sizes). Do not")
    print('edit by hand: rerun the script."""')
    print()
    print("# name: (spatial steps, default size, minimum size, top formula, sizes the top takes with imagenet")
    print("#        weights or None for the default only, Keras model name, {alpha: (feature channels,")
    print("#        (trainable, non-trainable) without the top for 3 input channels, the same for 1 channel)})")
    print("APPLICATIONS = {")
    for name, (steps, default, minimum, top, sizes) in APPS.items():
        check_steps(name, steps, minimum, {})
        widths = {}
        model_name = None
        for alpha in ALPHAS.get(name, (None,)):
            kwargs = {} if alpha is None else {"alpha": alpha}
            row = measure(name, default, top, **kwargs)
            if alpha in (None, 1.0):
                model_name = row["name"]
            widths[alpha if alpha is not None else 1.0] = (row["channels"], row["params"], row["params_1"])
        print(f"    {name!r}: ({steps!r}, {default}, {minimum}, {top!r}, {sizes!r}, {model_name!r}, {{")
        for alpha, entry in widths.items():
            print(f"        {alpha!r}: {entry!r},")
        print("    }),")
        sys.stdout.flush()
    print("}")
    print()
    print("# each constructor's parameters in order, for arguments given by position")
    print("PARAMETERS = {")
    for name in APPS:
        print(f"    {name!r}: {tuple(inspect.signature(getattr(keras.applications, name)).parameters)!r},")
    print("}")


if __name__ == "__main__":
    main()
