"""KL303's padding numbers against what Keras (TensorFlow backend) computes for padding="same",
and its scope: even kernels only."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from keraslint.checker import check_source
from keraslint.graph.layers import same_padding

keras = pytest.importorskip("keras")

CASES = [(length, kernel, stride, dilation)
         for length, kernel, stride, dilation in itertools.product(range(1, 13), range(1, 6), (1, 2, 3), (1, 2))
         if stride == 1 or dilation == 1]  # Keras refuses strides > 1 together with dilation > 1


def _valid(padded: np.ndarray, weights: np.ndarray | None, kernel: int, stride: int, dilation: int) -> np.ndarray:
    """A "valid" window (correlation, or max without weights), the reference the splits are tried with."""
    taps = np.arange(kernel) * dilation
    starts = np.arange(0, len(padded) - taps[-1], stride)
    windows = padded[starts[:, None] + taps[None, :]]
    return windows.max(axis=1) if weights is None else windows @ weights


def _splits_keras_uses(length: int, kernel: int, stride: int, dilation: int, pool: bool) -> list[tuple[int, int]]:
    """Every (before, after) padding with which a "valid" window reproduces Keras's "same" output."""
    x = np.arange(1, length + 1, dtype="float32")
    weights = None if pool else np.arange(1, kernel + 1, dtype="float32") ** 2
    if pool:
        same = keras.ops.max_pool(x.reshape(1, length, 1), kernel, stride, padding="same")
    else:
        same = keras.ops.conv(x.reshape(1, length, 1), weights.reshape(kernel, 1, 1), stride, padding="same",
                              dilation_rate=dilation)
    same = np.asarray(same)[0, :, 0]
    effective = (kernel - 1) * dilation + 1
    splits = []
    for total in range(effective):
        for before in range(total + 1):
            # max pooling never picks padding: pad with -inf where a convolution pads with zeros
            padded = np.pad(x, (before, total - before), constant_values=-np.inf if pool else 0)
            if len(padded) >= effective:
                valid = _valid(padded, weights, kernel, stride, dilation)
                if valid.shape == same.shape and np.array_equal(valid, same):
                    splits.append((before, total - before))
    return splits


@pytest.mark.parametrize(("length", "kernel", "stride", "dilation"), CASES)
def test_same_padding_matches_keras(length: int, kernel: int, stride: int, dilation: int) -> None:
    ours = same_padding(length, kernel, stride, dilation)
    for pool in (False, True) if dilation == 1 and kernel <= length else (False,):
        splits = _splits_keras_uses(length, kernel, stride, dilation, pool)
        assert ours in splits and sum(ours) == min(map(sum, splits)), (pool, splits)
        if length >= (kernel - 1) * dilation + 1 and not pool:
            # distinct inputs and weights: once every tap can touch the data, only one start fits
            # (padding after the last window is never read)
            assert {before for before, _ in splits} == {ours[0]}, splits


def test_an_even_kernel_shifts_the_output_half_a_step_towards_the_start() -> None:
    """The message's claim: with the extra element after, an impulse at position 5 comes out
    centred on 4.5."""
    x = np.zeros((1, 10, 1), dtype="float32")
    x[0, 5, 0] = 1.0
    for kernel in (2, 4):
        out = np.asarray(keras.ops.conv(x, np.ones((kernel, 1, 1), dtype="float32"), 1, padding="same"))[0, :, 0]
        assert (out * np.arange(10)).sum() / out.sum() == pytest.approx(4.5)


def _findings(length: int, kernel: int, stride: int) -> list[str]:
    code = (f"import keras\nm = keras.Sequential([keras.Input(({length}, 1)),\n"
            f"    keras.layers.Conv1D(4, {kernel}, strides={stride}, padding='same')])\n")
    return [d.message for d in check_source(code, "padding.py", selected={"KL303"}).diagnostics]


@pytest.mark.parametrize(("length", "kernel", "stride"), [(n, k, s) for n in (7, 8, 27, 28) for k in (1, 2, 3, 4, 5)
                                                          for s in (1, 2, 3)])
def test_reported_exactly_for_even_kernels_that_pad_unevenly(length: int, kernel: int, stride: int) -> None:
    before, after = same_padding(length, kernel, stride)
    found = _findings(length, kernel, stride)
    assert bool(found) == (kernel % 2 == 0 and before != after), found
    for message in found:
        assert f"{before} before and {after} after" in message
        # the advice works: an odd kernel splits evenly, and so does any length it names
        assert len(set(same_padding(length, kernel + 1, stride))) == 1
        for named in message.split("even at length ")[1:]:
            for n in named.split(")")[0].split(" or "):
                assert len(set(same_padding(int(n), kernel, stride))) == 1
