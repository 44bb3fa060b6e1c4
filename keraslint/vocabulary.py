"""The canonical Keras vocabulary every import style and every Keras version resolves to.

Canonical names are Keras 3 public names: ``keras.layers.Conv1D``, ``keras.Sequential``,
``keras.Model``, ``keras.Input``, ``keras.utils.set_random_seed``. The source pass maps
``tf.keras``, ``tensorflow.keras``, ``tensorflow.python.keras``, ``tf_keras`` and Keras 1/2
module paths (``keras.layers.convolutional.Conv2D``) onto these names.
"""

from __future__ import annotations

from typing import Final

# Layer classes keraslint knows by name (Keras 3 spelling). The shape engine supports a
# subset; anything else found under keras.layers is kept as an opaque layer.
LAYER_KINDS: Final[frozenset[str]] = frozenset(
    """
    InputLayer Dense EinsumDense Activation ReLU LeakyReLU PReLU ELU Softmax ThresholdedReLU
    Dropout SpatialDropout1D SpatialDropout2D SpatialDropout3D AlphaDropout GaussianDropout
    GaussianNoise ActivityRegularization
    BatchNormalization LayerNormalization GroupNormalization UnitNormalization Normalization
    Rescaling CenterCrop Resizing Flatten Reshape Permute RepeatVector Masking Lambda Identity
    Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose
    SeparableConv1D SeparableConv2D DepthwiseConv1D DepthwiseConv2D
    MaxPooling1D MaxPooling2D MaxPooling3D AveragePooling1D AveragePooling2D AveragePooling3D
    GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D
    GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D
    UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D ZeroPadding3D
    Cropping1D Cropping2D Cropping3D Embedding
    SimpleRNN LSTM GRU SimpleRNNCell LSTMCell GRUCell RNN StackedRNNCells
    Bidirectional TimeDistributed ConvLSTM1D ConvLSTM2D ConvLSTM3D
    Concatenate Add Subtract Multiply Average Maximum Minimum Dot
    MultiHeadAttention Attention AdditiveAttention
    RandomFlip RandomRotation RandomZoom RandomTranslation RandomCrop RandomContrast
    RandomBrightness TextVectorization StringLookup IntegerLookup CategoryEncoding Hashing
    Discretization
    """.split()
)

# Names Keras 1/2 (or tf.keras 2) used for layers that Keras 3 spells differently.
LEGACY_LAYER_ALIASES: Final[dict[str, str]] = {
    "Convolution1D": "Conv1D",
    "Convolution2D": "Conv2D",
    "Convolution3D": "Conv3D",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "Deconvolution2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Convolution2DTranspose": "Conv2DTranspose",
    "Convolution3DTranspose": "Conv3DTranspose",
    "SeparableConvolution1D": "SeparableConv1D",
    "SeparableConvolution2D": "SeparableConv2D",
    "DepthwiseConvolution2D": "DepthwiseConv2D",
    "MaxPool1D": "MaxPooling1D",
    "MaxPool2D": "MaxPooling2D",
    "MaxPool3D": "MaxPooling3D",
    "AvgPool1D": "AveragePooling1D",
    "AvgPool2D": "AveragePooling2D",
    "AvgPool3D": "AveragePooling3D",
    "GlobalMaxPool1D": "GlobalMaxPooling1D",
    "GlobalMaxPool2D": "GlobalMaxPooling2D",
    "GlobalMaxPool3D": "GlobalMaxPooling3D",
    "GlobalAvgPool1D": "GlobalAveragePooling1D",
    "GlobalAvgPool2D": "GlobalAveragePooling2D",
    "GlobalAvgPool3D": "GlobalAveragePooling3D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
    "ConvRNN2D": "ConvLSTM2D",
}

# Functional merge helpers (keras.layers.add(...)) and the layer class each one builds.
MERGE_FUNCTIONS: Final[dict[str, str]] = {
    "add": "Add",
    "subtract": "Subtract",
    "multiply": "Multiply",
    "average": "Average",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "concatenate": "Concatenate",
    "dot": "Dot",
}

# Layers removed outright in Keras 3 (kept so they resolve and KL403 can name them).
REMOVED_LAYERS: Final[frozenset[str]] = frozenset({"Merge", "Highway", "MaxoutDense"})

# Module prefixes that all mean "the Keras API".
KERAS_PREFIXES: Final[tuple[str, ...]] = (
    "tensorflow.python.keras",
    "tensorflow.keras",
    "tensorflow.compat.v2.keras",
    "tf_keras",
    "keras_core",
    "keras",
)


def canonical_layer_kind(name: str) -> str | None:
    """The Keras 3 class name for a layer spelled ``name`` in any Keras version, else None."""
    if name in LAYER_KINDS:
        return name
    return LEGACY_LAYER_ALIASES.get(name)
