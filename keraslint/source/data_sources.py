"""The data sources keraslint models, in one table by kind: the README's count comes from it.

A data source is a call that brings data into the script -- a loader, a dataset builder, a toy
data generator, a transformer whose output width is known -- counted once whatever its
spellings (``keras.utils.load_img`` and ``keras.preprocessing.image.load_img`` are one).
Methods of a modelled object (``Dataset.map``, ``Tokenizer.texts_to_sequences``) are not
sources. The dispatch tables provide the names where there is one (keras.datasets, tf.data,
the keras.utils builders, TFDS); the others are the names their handlers register, and
``tests/source/test_data_sources.py`` checks that each of those has a handler.
"""

from __future__ import annotations

from keraslint.source import keras_data_sources, keras_text_sources, sklearn_sources, tf_data, tfds_catalog


def modelled_data_sources() -> dict[str, tuple[str, ...]]:
    """Every modelled data source, grouped by kind (the README's words for them)."""
    generator = keras_data_sources.IMAGE_DATA_GENERATOR
    return {
        "keras.datasets": tuple(f"keras.datasets.{name}.load_data" for name in keras_data_sources.KNOWN_DATASETS),
        "tf.data and keras.utils pipelines": (*tf_data.SOURCES, *keras_data_sources.SOURCES),
        "ImageDataGenerator flows": tuple(f"{generator}.{method}" for method in keras_data_sources.FLOW_METHODS),
        "TFDS datasets": tuple(f"tensorflow_datasets.load({name!r})" for name in tfds_catalog.CATALOG),
        "NumPy file loaders": ("numpy.load", "numpy.loadtxt", "numpy.genfromtxt"),
        "image files": ("keras.utils.load_img",),
        "scikit-learn splitters": ("sklearn.model_selection.train_test_split", "sklearn.utils.shuffle"),
        "scikit-learn transformers": (*sklearn_sources.SCALERS, sklearn_sources.LABEL_ENCODER,
                                      sklearn_sources.ONE_HOT_ENCODER, sklearn_sources.PCA),
        "scikit-learn toy data": ("sklearn.datasets.make_moons", "sklearn.datasets.make_circles",
                                  "sklearn.datasets.make_blobs", "sklearn.datasets.make_classification",
                                  "sklearn.datasets.make_regression"),
        "pandas": ("pandas.read_csv", "pandas.DataFrame"),
        "Keras text": ("keras.utils.pad_sequences", keras_text_sources.TOKENIZER),
        "TF1 tutorials": ("tensorflow.examples.tutorials.mnist.input_data.read_data_sets",),
    }


def count() -> int:
    """How many data sources are modelled (the README's "Modelled data sources: N")."""
    return sum(len(names) for names in modelled_data_sources().values())
