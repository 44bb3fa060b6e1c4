"""Abstract values the source pass tracks through a script.

Plain Python constants (int, float, str, bool, None) and tuples of values stand for
themselves; everything else is one of the classes below or UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Union

import libcst as cst

from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.frames import Frame


@dataclass(frozen=True)
class Ref:
    """A module, class or function of an external library, by canonical qualified name.

    ``spelled`` is the dotted path as written after resolving import aliases, before
    canonicalisation (``tensorflow.keras.layers.Convolution2D``); KL403 reads it.
    """

    name: str
    spelled: str

    @property
    def leaf(self) -> str:
        return self.spelled.rsplit(".", 1)[-1]


@dataclass(eq=False)
class Function:
    """A function defined in the script; calls to it are followed."""

    node: cst.FunctionDef | cst.Lambda
    scope: Frame
    name: str
    defaults: dict[str, Any] = field(default_factory=dict)
    #: for a method: the class whose body defines it (``super()`` inside it starts after that class)
    owner: Any = None


@dataclass(eq=False)
class ClassValue:
    """A class defined in the script. ``base`` is the canonical name of a Keras base, if any."""

    node: cst.ClassDef
    name: str
    base: str | None
    #: class attributes assigned in the class body (``EPOCHS = 10``), inherited ones included
    attrs: dict[str, Any] = field(default_factory=dict)
    #: for ``@dataclass`` and ``NamedTuple`` classes: the fields in order, with their defaults
    #: (MISSING: none); None for other classes
    fields: list[tuple[str, Any]] | None = None
    #: the script's own base classes, in order
    parents: list[ClassValue] = field(default_factory=list)
    #: methods assigned to the class after its body (``FeedBack.call = call``)
    attached: set[str] = field(default_factory=set)


@dataclass(eq=False)
class Obj:
    """An instance of an external type (``keras.Model``, ``tensorflow.data.Dataset`` ...).

    ``node`` is the expression that created it; ``data`` carries what later passes need
    (a layer's config, a generator's seededness ...).
    """

    type: str
    node: cst.CSTNode | None = field(repr=False)
    data: dict[str, Any] = field(default_factory=dict, repr=False)


DYNAMIC_DIM = "keras.dynamic_dim"
"""The type of ``ops.shape(x)[1]`` for an axis the model declares None (``Input((None,))``): not
a number and not an unknown either. It is only ever used as the length of ``ops.arange``/
``tf.range`` (positions over a sequence of any length); everywhere else it is an opaque object,
so arithmetic, comparisons and truth tests on it are unknown."""


def dynamic_dim(node: cst.CSTNode | None) -> Obj:
    return Obj(DYNAMIC_DIM, node)


def is_dynamic_dim(value: Any) -> bool:
    return isinstance(value, Obj) and value.type == DYNAMIC_DIM


#: ``Array.data`` key: the axes of an array built from dynamic_dims (``ops.arange(length)``,
#: ``tf.tile(token, (batch, 1, 1))``) whose None is the model's own None. Operations that keep
#: the shape as it is carry it; every other derived array drops it (its None is then unknown)
DYNAMIC_AXES = "dynamic_axes"

#: ``Array.data`` key: ``(low, high)``, the integer values the array holds lie in [low, high)
#: (``np.random.randint(0, 5, n)``, a keras.datasets label split). Only set where certain;
#: derived arrays drop it
VALUE_RANGE = "value_range"

#: ``Array.data`` key: for one-hot labels whose width a call fixed, how (`to_categorical` with
#: num_classes=5), for messages; carried by the operations that keep the values
ONE_HOT_BY = "one_hot_by"


@dataclass(eq=False)
class Array(Obj):
    """A NumPy array or a TensorFlow tensor of known rank (``shape`` None: rank unknown too).

    Dimensions are ints or None (unknown). ``node`` is the expression that built it, so
    messages can say which line made the data.
    """

    shape: tuple[int | None, ...] | None = None
    dtype: str | None = None
    """NumPy dtype name (``float32``, ``uint8``, ``int64`` ...) or None when unknown."""
    scaled: bool | None = None
    """False for raw 0-255 image data not yet divided or normalised (KL206); None if unknown."""
    one_hot: bool | None = None
    """True for one-hot labels (to_categorical, np.eye(k)[y]); False for integer class ids."""
    source: str | None = None
    """Where the data comes from, for messages: ``keras.datasets.mnist``, ``np.load('x.npy')``."""

    @property
    def rank(self) -> int | None:
        return None if self.shape is None else len(self.shape)


@dataclass(eq=False)
class ListValue:
    """A list literal whose items are known (mutable in the script, so never merged as equal)."""

    items: list[Any]


@dataclass(frozen=True)
class Method:
    """``receiver.name`` looked up on an Obj: calling it is an API call named ``type.name``."""

    receiver: Obj
    name: str


class FromOption(int):
    """An int that is the default of a command-line option (``--channels 6``), so that a message
    depending on it can say "with the default `--channels 6`". It is the int itself everywhere
    else; arithmetic on it gives plain ints (a derived size makes no claim about its origin)."""

    option: str

    def __new__(cls, value: int, option: str) -> FromOption:
        self = super().__new__(cls, value)
        self.option = option
        return self

    def __getnewargs__(self) -> tuple[int, str]:  # type: ignore[override]
        return int(self), self.option

    def __repr__(self) -> str:
        return int.__repr__(self)

    __str__ = __repr__


def _kind(value: Any) -> type:
    # An option's default is an int for every comparison: only the messages read its origin.
    return int if type(value) is FromOption else type(value)


#: what a semantic module returns for a call it does not model (the next module is asked)
NOT_MODELLED: Any = type("NotModelled", (), {"__repr__": lambda self: "NOT_MODELLED"})()

Value = Union[int, float, str, bool, None, tuple, Ref, Function, ClassValue, Obj, ListValue, Method, Any]


#: ``Array.data`` facts two branches must share for a merge to keep the array
_MERGED_FACTS = ("real_values", "real_in_unit", VALUE_RANGE)


def same_value(a: Any, b: Any) -> bool:
    """Whether two branches computed the same value (so a merge keeps it)."""
    if a is b:
        return True
    if isinstance(a, Array) and isinstance(b, Array):
        # facts kept in ``data`` (label_values' marks, the value range) must agree too, or a merge
        # would keep one branch's fact for both
        return (a.type, a.shape, a.dtype, a.scaled, a.one_hot, *map(a.data.get, _MERGED_FACTS)) == (
            b.type, b.shape, b.dtype, b.scaled, b.one_hot, *map(b.data.get, _MERGED_FACTS))
    if a is UNKNOWN or b is UNKNOWN:
        return False
    if isinstance(a, (Obj, Function, ClassValue, ListValue)) or isinstance(b, (Obj, Function, ClassValue, ListValue)):
        return False
    if _kind(a) is not _kind(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - exotic constants compare as different
        return False


def merge_values(a: Any, b: Any) -> Any:
    return _common(a, b) if same_value(a, b) else UNKNOWN


def _common(a: Any, b: Any) -> Any:
    """``a`` (equal to ``b``), keeping an option's origin only where both branches share it."""
    if type(a) is FromOption or type(b) is FromOption:
        return a if type(a) is type(b) and a.option == b.option else int(a)
    if isinstance(a, tuple) and a is not b:
        items = tuple(_common(x, y) for x, y in zip(a, b))
        return a if all(x is y for x, y in zip(items, a)) else items
    return a
