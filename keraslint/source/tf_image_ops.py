"""TensorFlow functions that keep a tensor's shape (activations, identity, flips and colour
adjustments, clip_by_value) and tf.image's resizing and colour-space conversions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.array_registry import handles, register
from keraslint.source.array_shapes import _is_number, dim
from keraslint.source.array_values import TENSOR, as_array, derive, unknown
from keraslint.source.values import Array, ListValue, Ref

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


# TensorFlow element-wise and image functions ---------------------------------------------------

# Same shape and dtype as their input; the first keep its values (a permutation), the others
# change them (so whether they are scaled is no longer known).
_TF_PERMUTING = frozenset({"identity", "stop_gradient", "image.flip_left_right", "image.flip_up_down",
                           "image.random_flip_left_right", "image.random_flip_up_down"})
_TF_KEEPING = frozenset({"abs", "math.abs", "square", "math.square", "negative", "math.negative", "nn.relu",
                         "nn.relu6", "nn.elu", "nn.selu", "nn.leaky_relu", "sigmoid", "math.sigmoid", "nn.sigmoid",
                         "tanh", "math.tanh", "nn.tanh", "image.random_brightness", "image.random_contrast",
                         "image.adjust_brightness", "image.adjust_contrast", "image.random_saturation",
                         "image.random_hue", "image.adjust_saturation", "image.adjust_hue", "image.adjust_gamma"})
_TF_RGB = frozenset({"image.random_saturation", "image.random_hue", "image.adjust_saturation", "image.adjust_hue"})


def _tf_same(interp: Interpreter, site: CallSite) -> Any:
    leaf = site.name[len("tensorflow."):]
    first = "image" if leaf.startswith("image.") else \
        "features" if leaf.startswith(("nn.relu", "nn.elu", "nn.selu", "nn.leaky")) else "x"
    base = as_array(site.arg(0, first), tf=True)
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    if leaf in _TF_RGB and (base.shape is None or not base.shape or base.shape[-1] not in (None, 3)):
        return unknown(site.node, type_=TENSOR)  # TensorFlow needs 3 channels here
    scaled = base.scaled if leaf in _TF_PERMUTING else None
    return derive(base, site.node, base.shape, type_=TENSOR, scaled=scaled, one_hot=base.one_hot
                  if leaf in _TF_PERMUTING else None)


for _leaf in _TF_PERMUTING | _TF_KEEPING:
    register(f"tensorflow.{_leaf}", _tf_same)


@handles("tensorflow.clip_by_value")
def _tf_clip(interp: Interpreter, site: CallSite) -> Any:
    """``tf.clip_by_value(t, lo, hi)``: t's shape when the bounds are numbers (or scalars)."""
    base = as_array(site.arg(0, "t"), tf=True)
    bounds = [site.arg(1, "clip_value_min"), site.arg(2, "clip_value_max")]
    if base is None or site.star_args or not all(
            _is_number(b) or isinstance(b, Array) and b.shape == () for b in bounds):
        return unknown(site.node, type_=TENSOR)
    return derive(base, site.node, base.shape, type_=TENSOR, scaled=None, one_hot=None)


def _image_size(value: Any) -> tuple[int | None, int | None] | None:
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple) and len(value) == 2:
        return dim(value[0]), dim(value[1])
    return None


def _resized(base: Array, node: Any, size: tuple[int | None, int | None] | None, dtype: str | None) -> Array:
    """An image (h, w, c) or batch (b, h, w, c) of images at a new height and width."""
    if base.shape is None or len(base.shape) not in (3, 4) or size is None:
        return unknown(node, type_=TENSOR, dtype=dtype)
    return derive(base, node, (*base.shape[:-3], *size, base.shape[-1]), dtype, type_=TENSOR, one_hot=None)


@handles("tensorflow.image.resize")
def _tf_resize(interp: Interpreter, site: CallSite) -> Any:
    """float32, except that nearest-neighbour keeps the dtype (tf.image.resize's docstring);
    ``preserve_aspect_ratio`` makes the size depend on the image."""
    base = as_array(site.arg(0, "images"), tf=True)
    method = site.arg(2, "method", default="bilinear")
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    nearest = method == "nearest" or isinstance(method, Ref) and method.name.endswith("NEAREST_NEIGHBOR")
    known_method = isinstance(method, str) or isinstance(method, Ref) and method.name.startswith(
        "tensorflow.image.ResizeMethod.")
    dtype = base.dtype if nearest else "float32" if known_method else None
    size = _image_size(site.arg(1, "size"))
    if site.arg(3, "preserve_aspect_ratio", default=False) is not False:
        size = None
    return _resized(base, site.node, size, dtype)


@handles("tensorflow.image.resize_with_pad", "tensorflow.image.resize_with_crop_or_pad")
def _tf_resize_to_target(interp: Interpreter, site: CallSite) -> Any:
    """resize_with_pad interpolates, so gives float32; resize_with_crop_or_pad only crops or
    pads, so keeps the dtype."""
    base = as_array(site.arg(0, "image"), tf=True)
    if base is None or site.star_args:
        return unknown(site.node, type_=TENSOR)
    size = (dim(site.arg(1, "target_height")), dim(site.arg(2, "target_width")))
    return _resized(base, site.node, size, "float32" if site.name.endswith("resize_with_pad") else base.dtype)


@handles("tensorflow.image.rgb_to_grayscale", "tensorflow.image.grayscale_to_rgb")
def _tf_colour(interp: Interpreter, site: CallSite) -> Any:
    base = as_array(site.arg(0, "images"), tf=True)
    to_rgb = site.name.endswith("grayscale_to_rgb")
    if base is None or base.shape is None or not base.shape or site.star_args \
            or base.shape[-1] not in (None, 1 if to_rgb else 3):
        return unknown(site.node, type_=TENSOR)
    return derive(base, site.node, (*base.shape[:-1], 3 if to_rgb else 1), type_=TENSOR, one_hot=None)




@handles("tensorflow.image.random_crop", "tensorflow.image.stateless_random_crop")
def _tf_random_crop(interp: Interpreter, site: CallSite) -> Any:
    """A slice of ``value`` of shape ``size``: its values and dtype are the input's. TensorFlow
    refuses a size of another rank or larger than a known axis, so those stay unknown."""
    base = as_array(site.arg(0, "value"), tf=True)
    size = site.arg(1, "size")
    if isinstance(size, ListValue):
        size = tuple(size.items)
    if base is None or base.shape is None or site.star_args or not isinstance(size, tuple) \
            or len(size) != len(base.shape):
        return unknown(site.node, type_=TENSOR)
    crop = tuple(dim(s) for s in size)
    if any(c is None or c < 0 or (d is not None and c > d) for c, d in zip(crop, base.shape)):
        return unknown(site.node, type_=TENSOR)
    return derive(base, site.node, crop, type_=TENSOR)
