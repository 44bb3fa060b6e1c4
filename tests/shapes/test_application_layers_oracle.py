"""Inner layers of keras.applications backbones against Keras itself (weights=None): a truncated
backbone at two input sizes must get the output shape Keras builds."""

from __future__ import annotations

import pytest

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.summary import summarize

CASES = [("InceptionV3", "mixed4", 75), ("ResNet50", "conv4_block6_2_relu", 32), ("ResNet50V2", "conv3_block4_out", 32),
         ("Xception", "block14_sepconv2_act", 71), ("MobileNetV2", "block_1_expand_relu", 32)]


@pytest.mark.parametrize("network,layer,minimum", CASES)
@pytest.mark.parametrize("offset", [0, 97])
def test_truncated_backbone_matches_keras(network: str, layer: str, minimum: int, offset: int) -> None:
    import keras

    size = minimum + offset
    base = getattr(keras.applications, network)(weights=None, include_top=False, input_shape=(size, size + 1, 3))
    want = tuple(base.get_layer(layer).output.shape)
    source = f"""
import keras
base = keras.applications.{network}(weights=None, include_top=False, input_shape=({size}, {size + 1}, 3))
model = keras.Model(base.input, base.get_layer("{layer}").output)
"""
    (summary,) = summarize(check_source(source, "t.py", selected={r.code for r in all_rules()}))
    assert summary.fully_shaped and summary.outputs == [want]
