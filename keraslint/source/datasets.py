"""What data-loading calls return: keras.datasets, tf.data pipelines, image directories.

A ``tf.data.Dataset`` is an Obj whose ``data["element"]`` is the element structure (an
Array per component, without the batch axis) and ``data["batch"]`` the batch size once
``.batch()`` was called. Anything not modelled returns NOT_MODELLED.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source.values import NOT_MODELLED

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter


def call(interp: Interpreter, site: CallSite) -> Any:
    return NOT_MODELLED
