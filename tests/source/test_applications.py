"""keras.applications backbones in the source pass: ``base.input``/``base.output``, ``base(x)``,
``input_tensor=``, what stays unknown and why, and no finding on correct transfer learning.
The numbers themselves are compared with Keras in tests/graph/test_application_oracle.py."""

from __future__ import annotations

from keraslint.checker import check_source
from keraslint.registry import all_rules
from keraslint.summary import ModelSummary, summarize

ALL = {r.code for r in all_rules()}


def summaries(source: str) -> list[ModelSummary]:
    return summarize(check_source(source, "t.py", selected=ALL))


def codes(source: str) -> list[str]:
    return sorted(d.code for d in check_source(source, "t.py", selected=ALL - {"KL104"}).diagnostics)


TRANSFER = """
import keras
from keras import layers

keras.utils.set_random_seed(42)
base_model = keras.applications.MobileNetV2(input_shape=(160, 160, 3), include_top=False, weights="imagenet")
base_model.trainable = False
inputs = keras.Input(shape=(160, 160, 3))
x = keras.applications.mobilenet_v2.preprocess_input(inputs)
x = base_model(x, training=False)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dropout(0.2)(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
model.fit(train_dataset, epochs=10, validation_data=validation_dataset)
"""


def test_a_backbone_called_on_a_tensor_is_one_shaped_row() -> None:
    (summary,) = summaries(TRANSFER)
    assert summary.fully_shaped
    row = next(r for r in summary.layers if r.name == "mobilenetv2_1.00_160" or r.kind == "Model")
    assert row.outputs == ((None, 5, 5, 1280),)
    assert row.params == 2257984  # Keras: MobileNetV2(include_top=False, input_shape=(160, 160, 3)).count_params()
    assert summary.total_params == 2257984 + 1281


def test_correct_transfer_learning_has_no_finding() -> None:
    assert codes(TRANSFER) == []


def test_base_input_and_output_make_a_functional_model() -> None:
    source = """
import keras
base = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(96, 96, 3))
x = keras.layers.GlobalAveragePooling2D()(base.output)
model = keras.Model(inputs=base.input, outputs=keras.layers.Dense(4, activation="softmax")(x))
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped
    assert [r.kind for r in summary.layers] == ["InputLayer", "ResNet50", "GlobalAveragePooling2D", "Dense"]
    assert summary.layers[1].outputs == ((None, 3, 3, 2048),)
    assert summary.inputs == [(None, 96, 96, 3)]


def test_inputs_and_outputs_lists_and_the_module_spelling() -> None:
    source = """
from tensorflow import keras
base = keras.applications.vgg16.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
model = keras.Model(base.inputs, base.outputs)
"""
    (summary,) = summaries(source)
    assert summary.outputs == [(None, 2, 2, 512)] and summary.total_params == 14714688


def test_without_the_top_and_an_input_shape_the_spatial_axes_are_dynamic() -> None:
    source = """
import keras
base = keras.applications.EfficientNetB0(include_top=False)
model = keras.Model(base.input, base.output)
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped  # None is Keras' own None here, not an unknown
    assert summary.outputs == [(None, None, None, 1280)]


def test_input_tensor_applies_the_network_to_that_tensor() -> None:
    source = """
import keras
inp = keras.Input((128, 128, 3))
x = keras.layers.Rescaling(1 / 255)(inp)
base = keras.applications.DenseNet121(weights=None, include_top=False, input_tensor=x, pooling="avg")
model = keras.Model(base.input, keras.layers.Dense(2)(base.output))
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped
    assert [r.kind for r in summary.layers] == ["InputLayer", "Rescaling", "DenseNet121", "Dense"]
    assert summary.layers[2].outputs == ((None, 1024),)


def test_the_top_gives_the_classes() -> None:
    source = """
import keras
model = keras.Sequential([keras.Input((224, 224, 3)), keras.applications.Xception(weights=None, classes=7,
                                                                                 input_shape=(224, 224, 3))])
"""
    (summary,) = summaries(source)
    assert summary.outputs == [(None, 7)]
    assert summary.total_params == 20861480 + 2048 * 7 + 7


def test_an_unknown_include_top_is_unknown_with_its_reason() -> None:
    source = """
import keras, sys
base = keras.applications.ResNet50(weights=None, include_top=sys.argv[1] == "top")
model = keras.Model(base.input, base.output)
"""
    (summary,) = summaries(source)
    assert not summary.fully_shaped
    assert any("`include_top` is not known" in reason for reason in summary.unknown)


def test_an_untabulated_alpha_is_unknown_with_its_reason() -> None:
    source = """
import keras
base = keras.applications.MobileNetV2(alpha=0.6, weights=None, include_top=False, input_shape=(96, 96, 3))
model = keras.Model(base.input, base.output)
"""
    (summary,) = summaries(source)
    assert not summary.fully_shaped
    assert any("alpha=0.6 is not tabulated" in reason for reason in summary.unknown)


def test_measured_inner_layers_are_shaped() -> None:
    source = """
import keras
base = keras.applications.MobileNetV2(weights="imagenet", include_top=False, input_shape=(128, 128, 3))
names = ["block_1_expand_relu", "block_16_project"]
features = keras.Model(base.input, [base.get_layer(name).output for name in names])
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped and summary.outputs == [(None, 64, 64, 96), (None, 4, 4, 320)]
    assert summary.total_params is None  # the part's share of the weights is not counted
    assert codes(source) == []


def test_session_named_and_untabled_inner_layers_stay_unknown() -> None:
    for network, layer in (("InceptionV3", "conv2d_37"), ("ResNet50", "no_such_layer")):
        source = f"""
import keras
base = keras.applications.{network}(weights=None, include_top=False, input_shape=(299, 299, 3))
features = keras.Model(base.input, base.get_layer("{layer}").output)
"""
        (summary,) = summaries(source)
        assert not summary.fully_shaped
        assert summary.unknown[0].startswith(f"layer '{layer}' of {network} (keras.applications): "
                                             "keraslint models the network as a whole, not this inner layer")
        assert codes(source) == []


def test_inner_layers_of_a_one_channel_build_stay_unknown() -> None:
    source = """
import keras
base = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(224, 224, 1))
features = keras.Model(base.input, base.get_layer("conv4_block6_2_relu").output)
"""
    (summary,) = summaries(source)
    assert not summary.fully_shaped


def test_vgg_layers_by_name_are_shaped() -> None:
    source = """
import keras
base = keras.applications.VGG19(weights="imagenet", include_top=False)
base.trainable = False
features = keras.Model(base.inputs, base.get_layer("block5_conv1").output)
"""
    (summary,) = summaries(source)
    assert summary.fully_shaped and summary.outputs == [(None, None, None, 512)]
    assert summary.total_params is None  # the part's share of the weights is not counted
    assert codes(source) == []


def test_an_input_below_the_minimum_is_what_keras_rejects() -> None:
    source = """
import keras
base = keras.applications.InceptionV3(weights=None, include_top=False, input_shape=(64, 64, 3))
model = keras.Model(base.input, base.output)
"""
    report = check_source(source, "t.py", selected=ALL)
    (finding,) = [d for d in report.diagnostics if d.code == "KL307"]
    assert finding.location.row == 3 and "at least 75x75" in finding.message


def test_a_frozen_pretrained_backbone_still_needs_a_seed_for_the_new_head() -> None:
    unseeded = TRANSFER.replace("keras.utils.set_random_seed(42)\n", "")
    assert "KL101" in codes(unseeded)
