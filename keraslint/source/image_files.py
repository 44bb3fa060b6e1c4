"""Single images read from files: ``keras.utils.load_img`` and ``img_to_array``.

The classic way a script predicts on one picture. The image file is never opened: its size is
what ``target_size=`` resizes it to (unknown without it), its channels what ``color_mode``
asks for, and its values raw 0-255 (``img_to_array`` converts to float32 without scaling,
keras/src/utils/image_utils.py), which is what KL206/KL208 need to know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_registry import handles
from keraslint.source.array_values import make
from keraslint.source.values import Obj

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

IMAGE = "PIL.Image.Image"
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}


def _size(value: Any) -> tuple[int | None, int | None]:
    if isinstance(value, tuple) and len(value) == 2:
        return tuple(d if isinstance(d, int) and not isinstance(d, bool) and d > 0 else None for d in value)
    return None, None


@handles("keras.utils.load_img", "keras.preprocessing.image.load_img", "keras.utils.image_utils.load_img")
def _load_img(interp: Interpreter, site: CallSite) -> Any:
    mode = site.arg(2, "color_mode", default="rgb")
    path = site.arg(0, "path", default=None)
    return Obj(IMAGE, site.node, {"size": _size(site.arg(3, "target_size", default=None)),
                                  "channels": _CHANNELS.get(mode) if isinstance(mode, str) else None,
                                  "path": path if isinstance(path, str) else None})


@handles("keras.utils.img_to_array", "keras.preprocessing.image.img_to_array", "keras.utils.image_utils.img_to_array")
def _img_to_array(interp: Interpreter, site: CallSite) -> Any:
    image = site.arg(0, "img", default=None)
    if not isinstance(image, Obj) or image.type != IMAGE:
        return make(site.node, None, "float32")
    data_format = site.arg(1, "data_format", default=None)
    height, width = image.data["size"]
    channels = image.data["channels"]
    shape = (channels, height, width) if data_format == "channels_first" else (height, width, channels)
    if data_format not in (None, "channels_last", "channels_first"):
        shape = None
    dtype = site.arg(2, "dtype", default="float32")
    path = image.data.get("path")
    return make(site.node, shape, dtype if isinstance(dtype, str) else None, scaled=False,
                source=f"load_img({path!r})" if path else "load_img")
