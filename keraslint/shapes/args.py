"""Reading a layer's constructor arguments the way Keras 3 standardizes them.

Every reader returns None for a value the source pass could not resolve (``UNKNOWN``), so an
unknown flows on as an unknown dimension or parameter count. Invalid known values raise the
``config`` ShapeError Keras would raise from the constructor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from keraslint.shapes.errors import ShapeError
from keraslint.values import UNKNOWN
from keraslint.plural import plural

REQUIRED: Any = object()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


class Args:
    """A layer's config plus the layer kind, for readers that name the layer in their errors."""

    def __init__(self, kind: str, config: Mapping[str, Any]) -> None:
        self.kind = kind
        self.config = config

    def fail(self, message: str, **details: Any) -> ShapeError:
        return ShapeError("config", f"{self.kind}: {message}", **details)

    def raw(self, key: str, default: Any = None) -> Any:
        if key not in self.config:
            if default is REQUIRED:
                raise self.fail(f"missing required argument `{key}`")
            return default
        return self.config[key]

    def has(self, key: str) -> bool:
        return key in self.config

    def integer(
        self,
        key: str,
        default: Any = REQUIRED,
        *,
        minimum: int | None = 1,
        allow_none: bool = False,
    ) -> int | None:
        """An integer argument such as ``filters``; None when unknown (or None and allowed)."""
        value = self.raw(key, default)
        if is_unknown(value):
            return None
        if value is None:
            if allow_none:
                return None
            raise self.fail(f"`{key}` must be an integer, got None")
        # Keras rejects 32.0 as a size (a classic from `units=64 / 2`), so the engine does too.
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"`{key}` must be an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(f"`{key}` must be >= {minimum}, got {value}", actual=value)
        return value

    def ints(self, key: str, n: int, default: Any = REQUIRED, *, allow_zero: bool = False) -> tuple[int | None, ...]:
        """Keras' ``standardize_tuple``: ``3`` or ``(3,)`` for n=1, ``(3, 3)`` or ``3`` for n=2."""
        return standardize_tuple(self, key, self.raw(key, default), n, allow_zero=allow_zero)

    def flag(self, key: str, default: bool) -> bool | None:
        value = self.raw(key, default)
        if is_unknown(value):
            return None
        return bool(value)

    def padding(self, *, allow_causal: bool = False, case_sensitive: bool = False) -> str | None:
        """``valid``/``same`` (and ``causal`` for Conv1D); conv layers lower-case it, pooling does not."""
        value = self.raw("padding", "valid")
        if is_unknown(value):
            return None
        allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
        text = value if case_sensitive or not isinstance(value, str) else value.lower()
        if text not in allowed:
            raise self.fail(f"`padding` must be one of {sorted(allowed)}, got {value!r}", actual=value)
        return text

    def data_format(self) -> str | None:
        value = self.raw("data_format", None)
        if is_unknown(value):
            return None
        if value is None:
            return "channels_last"
        text = str(value).lower()
        if text not in ("channels_first", "channels_last"):
            raise self.fail(f"`data_format` must be channels_first or channels_last, got {value!r}")
        return text

    def choice(self, key: str, allowed: Sequence[Any], default: Any) -> Any:
        value = self.raw(key, default)
        if is_unknown(value):
            return UNKNOWN
        if value not in allowed:
            raise self.fail(f"`{key}` must be one of {list(allowed)}, got {value!r}", actual=value)
        return value


def standardize_tuple(args: Args, key: str, value: Any, n: int, *, allow_zero: bool = False) -> tuple[int | None, ...]:
    if is_unknown(value):
        return (None,) * n
    if isinstance(value, int):
        items: tuple[Any, ...] = (value,) * n
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise args.fail(f"`{key}` must be an integer or a tuple of {n} integers, got {value!r}") from None
        if len(items) != n:
            raise args.fail(f"`{key}` must be a tuple of {n} integers, got {value!r}", expected=n, actual=len(items))
    out: list[int | None] = []
    for item in items:
        if is_unknown(item):
            out.append(None)
            continue
        try:
            number = int(item)
        except (TypeError, ValueError):
            raise args.fail(f"`{key}` must hold integers, got {value!r}") from None
        if number < 0 or (number == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise args.fail(f"every value of `{key}` must be {bound}, got {value!r}", actual=value)
        out.append(number)
    return tuple(out)


def pair_tuple(
    args: Args, key: str, value: Any, n: int, *, negative_int: bool = False
) -> tuple[tuple[int | None, int | None], ...]:
    """Padding/cropping in Keras' 2D/3D form: ``1``, ``(1, 2)`` or ``((1, 1), (2, 0))``.

    ``negative_int``: ZeroPadding2D/3D take a bare negative int without complaint.
    """
    if is_unknown(value):
        return ((None, None),) * n
    if isinstance(value, int):
        if value < 0 and not negative_int:
            raise args.fail(f"`{key}` cannot be negative, got {value}")
        return ((value, value),) * n
    if not hasattr(value, "__len__"):
        raise args.fail(f"`{key}` must be an int or a tuple of {plural(n, 'entry')}, got {value!r}")
    if len(value) != n:
        raise args.fail(f"`{key}` must have {plural(n, 'entry')}, got {value!r}", expected=n, actual=len(value))
    pairs = []
    for entry in value:
        a, b = standardize_tuple(args, key, entry, 2, allow_zero=True)
        pairs.append((a, b))
    return tuple(pairs)
