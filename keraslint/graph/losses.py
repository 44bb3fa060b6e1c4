"""How Keras 3 lines up labels (``y_true``) with a model output (``y_pred``), loss by loss.

This is the one place for loss semantics. It is written by hand from Keras 3's own code
(``keras/src/losses/losses.py``, ``loss.py`` ``squeeze_or_expand_to_same_rank`` and the
TensorFlow backend's cross-entropies in ``backend/tensorflow/nn.py``) because no library
models it; tests/graph/test_loss_alignment.py runs a generated table of label shapes x
output shapes x losses under Keras and checks every prediction here against it.

Shapes are tuples whose first entry is the batch axis (any value there, usually None, means
"the batch"); None elsewhere is an unknown size, and a comparison that depends on one gives
no outcome (None) rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["elementwise", "strict", "sparse", "overlap", "ctc", "circle", "one_hot"]
DEFAULT_AXIS = "default"
"""``align``'s axis when the loss was given none: the loss's own default."""


@dataclass(frozen=True)
class LossSpec:
    name: str
    """Keras's function name (``mean_squared_error``), also the canonical name keraslint uses."""
    class_name: str
    aliases: tuple[str, ...]
    kind: Kind
    """``elementwise``: labels broadcast against the output (numpy rules) after Keras squeezes or
    expands a trailing 1; ``strict``: the TF backend demands the same rank and shape (binary and
    categorical cross-entropy); ``sparse``: integer ids, one rank below the output; ``overlap``:
    elementwise, then a sum over ``axis`` (Dice, Tversky); ``ctc``: ``(batch, max_length)`` label
    ids against ``(batch, timesteps, classes)`` logits; ``circle``: one id per sample against
    ``(batch, dims)`` embeddings, compared pairwise within the batch; ``one_hot``: ids one-hot
    encoded over the output's last axis inside the loss, then elementwise."""
    reduces_last_axis: bool = True
    """Whether the per-sample loss drops the last axis (a mean or sum over it)."""
    default_axis: int | None = -1
    """The ``axis`` the loss reduces when given none (None: every axis, the batch too)."""
    by_string: bool = True
    """Whether ``loss="<name>"`` and ``keras.losses.<name>`` work; False where Keras does not
    register the name (CategoricalGeneralizedCrossEntropy's function also needs ``q``)."""


LOSSES: tuple[LossSpec, ...] = (
    LossSpec("mean_squared_error", "MeanSquaredError", ("mse", "MSE"), "elementwise"),
    LossSpec("mean_absolute_error", "MeanAbsoluteError", ("mae", "MAE"), "elementwise"),
    LossSpec("mean_absolute_percentage_error", "MeanAbsolutePercentageError", ("mape", "MAPE"), "elementwise"),
    LossSpec("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", ("msle", "MSLE"), "elementwise"),
    LossSpec("huber", "Huber", (), "elementwise"),
    LossSpec("log_cosh", "LogCosh", (), "elementwise"),
    LossSpec("cosine_similarity", "CosineSimilarity", (), "elementwise"),
    LossSpec("hinge", "Hinge", (), "elementwise"),
    LossSpec("squared_hinge", "SquaredHinge", (), "elementwise"),
    LossSpec("categorical_hinge", "CategoricalHinge", (), "elementwise"),
    LossSpec("kl_divergence", "KLDivergence", ("kld", "KLD"), "elementwise"),
    LossSpec("poisson", "Poisson", (), "elementwise"),
    LossSpec("categorical_focal_crossentropy", "CategoricalFocalCrossentropy", (), "elementwise"),
    LossSpec("binary_crossentropy", "BinaryCrossentropy", ("bce",), "strict"),
    LossSpec("binary_focal_crossentropy", "BinaryFocalCrossentropy", (), "strict"),
    LossSpec("categorical_crossentropy", "CategoricalCrossentropy", (), "strict"),
    LossSpec("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", (), "sparse"),
    LossSpec("dice", "Dice", (), "overlap", default_axis=None),
    LossSpec("tversky", "Tversky", (), "overlap", default_axis=None),
    LossSpec("ctc", "CTC", (), "ctc"),
    LossSpec("circle", "Circle", (), "circle"),
    LossSpec("categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy", (), "one_hot",
             by_string=False),
)

# Keras 2 spellings that Keras 3 rejects ("logcosh", "huber_loss", "kullback_leibler_divergence") are
# left out: the test checks that every spelling here resolves under Keras 3.
_BY_SPELLING = {spelling: spec for spec in LOSSES for spelling in (spec.name, spec.class_name, *spec.aliases)}


def spec(name: str | None) -> LossSpec | None:
    """The table entry for any spelling of a built-in loss (None for others: unknown)."""
    return _BY_SPELLING.get(name) if name is not None else None


@dataclass(frozen=True)
class Outcome:
    result: Literal["ok", "raises", "broadcast"]
    message: str = ""
    """For ``raises``: the start of the error Keras raises."""
    shape: tuple | None = None
    """For ``ok``/``broadcast``: the per-sample loss shape (``reduction=None``), batch axis first."""
    labels: tuple | None = None
    output: tuple | None = None
    """The label and output shapes after Keras's squeeze/expand of a trailing 1."""
    mixes_samples: bool = False
    """For ``broadcast``: the batch axis of the labels meets another axis of the output, so every
    output is compared with the label of every sample in the batch."""

    def stops(self) -> str:
        """"Keras stops at the first batch", quoting the error where it is Keras's own check.
        TensorFlow's shape failures are left unquoted: it words them one way when the batch size
        is known at tracing ("Dimensions must be equal") and another when it is not."""
        if self.message in _TENSORFLOW_MESSAGES:
            return "Keras stops at the first batch"
        return f"Keras stops at the first batch ('{self.message}')"


_TENSORFLOW_MESSAGES = frozenset({"Incompatible shapes", "In[0] and In[1] must have compatible batch dimensions",
                                  "Matrix size-incompatible"})


_BATCH = "N"


def _with_batch(shape: tuple) -> tuple:
    return (_BATCH, *shape[1:])


def squeeze_or_expand(y: tuple, out: tuple) -> tuple[tuple, tuple]:
    """``keras.src.losses.loss.squeeze_or_expand_to_same_rank(y_true, y_pred)``."""
    if len(y) == len(out) + 1 and y[-1] == 1:
        if len(out) == 1:
            out = (*out, 1)
        else:
            y = y[:-1]
    elif len(out) == len(y) + 1 and out[-1] == 1:
        if len(y) == 1:
            y = (*y, 1)
        else:
            out = out[:-1]
    return y, out


def _broadcast(a: tuple, b: tuple) -> tuple | None | str:
    """numpy broadcasting; None when it depends on an unknown size, "" when it fails."""
    rank = max(len(a), len(b))
    a = (1,) * (rank - len(a)) + a
    b = (1,) * (rank - len(b)) + b
    out = []
    for x, z in zip(a, b):
        if x == z or z == 1:
            out.append(x)
        elif x == 1:
            out.append(z)
        elif x is None or z is None:
            return None
        else:
            return ""  # includes the batch against a fixed size: fails unless a batch has that many samples
    return tuple(out)


def _mismatch(a: tuple, b: tuple) -> bool | None:
    unknown = False
    for x, z in zip(a, b):
        if x is None or z is None:
            unknown = unknown or x != z
        elif x != z:
            return True
    return None if unknown else False


def _reduce(shape: tuple, axis: Any) -> tuple | None:
    """``ops.sum(x, axis=axis)``'s shape; None for an axis Keras would refuse (not modelled)."""
    if axis is None:
        return ()
    axes = axis if isinstance(axis, tuple) else (axis,)
    dropped = {a + len(shape) if a < 0 else a for a in axes}
    if any(not 0 <= a < len(shape) for a in dropped):
        return None
    return tuple(d for i, d in enumerate(shape) if i not in dropped)


def _ctc(y: tuple, out: tuple) -> Outcome:
    # keras.src.backend.tensorflow.nn.ctc_loss checks the labels first, then the logits
    if len(y) != 2:
        return Outcome("raises", "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)`",
                       labels=y, output=out)
    if len(out) != 3:
        return Outcome("raises", "Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
                                 "num_classes)`", labels=y, output=out)
    return Outcome("ok", shape=(_BATCH,), labels=y, output=out)


def _circle(y: tuple, out: tuple) -> Outcome | None:
    # distances: matmul(y_pred, transpose(y_pred)), transpose reversing every axis
    if len(out) != 2:
        batch = _broadcast(out[:-2], tuple(reversed(out))[:-2])
        if batch == "":
            return Outcome("raises", "In[0] and In[1] must have compatible batch dimensions", labels=y, output=out)
        if out[-1] is not None and out[1] is not None and out[-1] != out[1]:
            return Outcome("raises", "Matrix size-incompatible", labels=y, output=out)
        return None
    # masks: equal(labels, transpose(labels)), rank-1 labels made a column first
    if len(y) == 1 or (len(y) == 2 and y[-1] == 1):
        return Outcome("ok", shape=(_BATCH,), labels=y, output=out)
    if _broadcast(y, tuple(reversed(y))) == "":
        return Outcome("raises", "Incompatible shapes", labels=y, output=out)
    return None


def align(loss: str | None, labels: tuple, output: tuple, *, axis: Any = DEFAULT_AXIS) -> Outcome | None:
    """What Keras 3 (TensorFlow backend) does when ``loss`` compares ``labels`` with ``output``.

    None when the loss is not a built-in one or the outcome depends on an unknown size."""
    entry = spec(loss)
    if entry is None or not labels or not output:
        return None
    if axis == DEFAULT_AXIS:
        axis = entry.default_axis
    y, out = _with_batch(tuple(labels)), _with_batch(tuple(output))
    # every built-in loss class is a LossFunctionWrapper, which aligns first
    y, out = squeeze_or_expand(y, out)
    if entry.kind == "ctc":
        return _ctc(y, out)
    if entry.kind == "circle":
        return _circle(y, out)
    if entry.kind == "sparse":
        if axis not in (-1, len(out) - 1):
            return Outcome("raises", "Only axis=-1 is currently supported", labels=y, output=out)
        if len(y) == len(out) and y[-1] == 1:
            y = y[:-1]
        if len(y) != len(out) - 1:
            return Outcome("raises", "Argument `output` must have rank (ndim) `target.ndim - 1`", labels=y,
                           output=out)
        differs = _mismatch(y, out[:-1])
        if differs is None:
            return None
        if differs:
            return Outcome("raises", "Arguments `target` and `output` must have the same shape up until the last "
                                     "dimension", labels=y, output=out)
        return Outcome("ok", shape=out[:-1], labels=y, output=out)
    if entry.kind == "strict":
        if len(y) != len(out):
            return Outcome("raises", "Arguments `target` and `output` must have the same rank (ndim)", labels=y,
                           output=out)
        differs = _mismatch(y, out)
        if differs is None:
            return None
        if differs:
            return Outcome("raises", "Arguments `target` and `output` must have the same shape", labels=y, output=out)
        return Outcome("ok", shape=out[:-1], labels=y, output=out)
    # one_hot: ops.one_hot(y_true, y_pred.shape[-1]) adds the class axis before the product
    compared = (*y, out[-1]) if entry.kind == "one_hot" else y
    if entry.kind == "one_hot" and out[-1] is None:
        return None
    joint = _broadcast(compared, out)
    if joint is None:
        return None
    if joint == "":
        return Outcome("raises", "Incompatible shapes", labels=y, output=out)
    shape = _reduce(joint, axis) if entry.kind == "overlap" else joint[:-1] if entry.reduces_last_axis else joint
    if shape is None:
        return None
    return Outcome("ok" if compared == out else "broadcast", shape=shape, labels=y, output=out,
                   mixes_samples=_BATCH in joint[1:])
