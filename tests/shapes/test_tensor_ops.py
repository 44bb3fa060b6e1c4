"""Ops on Keras tensors (keraslint/shapes/tensor_ops.py) against Keras itself.

Each case runs the op on symbolic ``keras.KerasTensor``s (Keras' own ``compute_output_spec``) and
on keraslint's TensorOp: the shapes must be equal, and where Keras refuses the op the engine
must raise a ShapeError (or UnsupportedLayer where it cannot know). Cases are generated from a
fixed seed over random shapes with unknown (None) sizes, plus hand-written edge cases.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from keraslint.shapes import ShapeError, UnsupportedLayer
from keraslint.shapes.tensor_ops import TensorOp

keras = pytest.importorskip("keras")
ops = keras.ops

Case = tuple[str, str, dict[str, Any], list[tuple], tuple, Callable[..., Any]]


def _keras(fn: Callable[..., Any], shapes: list[tuple], constants: tuple) -> tuple | None:
    tensors = [keras.KerasTensor(s) for s in shapes]
    import numpy as np

    extra = [np.ones(c, dtype="float32") if c else 1.0 for c in constants]
    try:
        out = fn(*tensors, *extra)
    except (ValueError, IndexError, TypeError):
        return None
    return tuple(out.shape)


def _engine(op: str, params: dict[str, Any], shapes: list[tuple], constants: tuple) -> tuple | None | str:
    try:
        return TensorOp(op, op, params, constants).infer([tuple(s) for s in shapes]).output
    except ShapeError:
        return None
    except UnsupportedLayer:
        return "unsupported"


def _shape(rng: random.Random, rank: int, unknown: float = 0.25) -> tuple:
    return tuple(None if rng.random() < unknown else rng.choice([1, 2, 3, 4, 6]) for _ in range(rank))


def _cases() -> list[Case]:
    rng = random.Random(1234)
    cases: list[Case] = []
    for i in range(60):
        a = (None, *_shape(rng, rng.randint(0, 3)))
        b = (None, *_shape(rng, rng.randint(0, 3))) if rng.random() < 0.7 else _shape(rng, rng.randint(0, 3))
        if rng.random() < 0.5:  # make them agree more often than chance
            b = tuple(x if rng.random() < 0.8 else 1 for x in a)
        cases.append((f"add{i}", "elementwise", {}, [a, b], (), ops.add))
        c = _shape(rng, rng.randint(0, 2), 0)
        cases.append((f"mul_const{i}", "elementwise", {}, [a], (c,), ops.multiply))
    for i in range(40):
        rank = rng.randint(2, 4)
        a = (None, *_shape(rng, rank - 1))
        b = tuple(d if rng.random() < 0.8 else rng.choice([1, 2, 5]) for d in a)
        axis = rng.choice([-1, 1, rank - 1, 0])
        cases.append((f"concat{i}", "concatenate", {"axis": axis}, [a, b], (),
                      lambda x, y, axis=axis: ops.concatenate([x, y], axis=axis)))
        cases.append((f"stack{i}", "stack", {"axis": axis}, [a, a], (),
                      lambda x, y, axis=axis: ops.stack([x, y], axis=axis)))
        keepdims = rng.random() < 0.3
        red = rng.choice([None, 1, -1, (1, 2) if rank > 2 else 1])
        cases.append((f"mean{i}", "reduce", {"axis": red, "keepdims": keepdims}, [a], (),
                      lambda x, red=red, keepdims=keepdims: ops.mean(x, axis=red, keepdims=keepdims)))
        ex = rng.choice([0, 1, -1, rank])
        cases.append((f"expand{i}", "expand_dims", {"axis": ex}, [a], (),
                      lambda x, ex=ex: ops.expand_dims(x, ex)))
        perm = [0, *rng.sample(range(1, rank), rank - 1)]
        cases.append((f"transpose{i}", "transpose", {"axes": tuple(perm)}, [a], (),
                      lambda x, perm=perm: ops.transpose(x, perm)))
        sq = rng.choice([1, -1])
        cases.append((f"squeeze{i}", "squeeze", {"axis": sq}, [a], (), lambda x, sq=sq: ops.squeeze(x, axis=sq)))
        m = (None, *_shape(rng, rank - 1, 0.1))
        n = (*m[1:-2], m[-1] if rng.random() < 0.8 else 5, rng.choice([2, 3]))
        cases.append((f"matmul{i}", "matmul", {}, [m, n], (), ops.matmul))
    for i in range(30):
        full = (None, *_shape(rng, 3, 0.1))
        target = rng.choice([(-1, 12), (-1, 4, 3), (-1, 2, 2, 3), (-1, 24), (-1, 6, 2)])
        cases.append((f"reshape{i}", "reshape", {"shape": target}, [full], (),
                      lambda x, target=target: ops.reshape(x, target)))
    keys = [(slice(None), 0), (Ellipsis, slice(None, 3)), (slice(None), None, 1), (0,), (slice(None), slice(1, None)),
            (Ellipsis, 0), (slice(None), -1), (slice(None), slice(None, None, 2), 0), (slice(None), 5),
            (Ellipsis, None), (slice(None), 0, 0, 0, 0)]
    for i, key in enumerate(keys):
        for shape in [(None, 4, 6), (None, None, 3), (None, 2, 5, 7)]:
            cases.append((f"getitem{i}_{len(shape)}", "getitem", {"key": key}, [shape], (),
                          lambda x, key=key: x[key]))
    equations = ["bijc,bijd->bcd", "ij,jk->ik", "bij,j->bi", "ij,jk->ki", "ij->ji", "bi,bi->b", "abc,cd->abd"]
    for i in range(30):  # einsum (a gram matrix in style transfer): sizes per label, 1s broadcast
        equation = equations[i % len(equations)]
        sizes = {label: rng.choice([None, 2, 3]) for label in "abcdijk"}
        shapes = [tuple(1 if rng.random() < 0.1 else sizes[label] for label in spec)
                  for spec in equation.split("->")[0].split(",")]
        cases.append((f"einsum{i}", "einsum", {"equation": equation}, shapes, (),
                      lambda *xs, equation=equation: ops.einsum(equation, *xs)))
    return cases


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_tensor_op_agrees_with_keras(case: Case) -> None:
    _, op, params, shapes, constants, fn = case
    ours = _engine(op, params, shapes, constants)
    theirs = _keras(fn, shapes, constants)
    if ours == "unsupported":
        return  # unknown is never wrong
    assert ours == theirs, f"{op}{params} on {shapes} + constants {constants}: engine {ours}, keras {theirs}"


def test_enough_cases_are_compared() -> None:
    compared = sum(1 for c in CASES if _engine(c[1], c[2], c[3], c[4]) not in ("unsupported",))
    assert compared > 0.9 * len(CASES)


def test_constant_before_tensor_in_matmul() -> None:
    import numpy as np

    ours = TensorOp("matmul", "@", {"reverse": True}, ((3, 4),)).infer([(None, 4, 5)]).output
    assert ours == tuple(ops.matmul(np.ones((3, 4), "float32"), keras.KerasTensor((None, 4, 5))).shape)


def test_unknown_op_or_argument_is_unsupported_not_guessed() -> None:
    with pytest.raises(UnsupportedLayer, match="not modelled"):
        TensorOp(None, "`tf.image.resize`").infer([(None, 8, 8, 3)])
    with pytest.raises(UnsupportedLayer, match="size of the new shape"):
        TensorOp("reshape", "`ops.reshape`", {"shape": (-1, "n")}).infer([(None, 8)])
    with pytest.raises(UnsupportedLayer):
        TensorOp("squeeze", "`ops.squeeze`", {"axis": None}).infer([(None, None, 8)])


def test_mismatch_is_a_shape_error_with_the_numbers() -> None:
    with pytest.raises(ShapeError, match=r"\(None, 3\) and \(None, 4\)"):
        TensorOp("elementwise", "`a + b`").infer([(None, 3), (None, 4)])
