"""The table of modelled data sources (the README's count): every name in it has a handler."""

from __future__ import annotations

from keraslint.source import array_registry, arrays, data_sources, keras_data_sources, tf_data, tfds_catalog

_FROM_DISPATCH = ("keras.datasets", "tf.data and keras.utils pipelines", "ImageDataGenerator flows", "TFDS datasets")


def test_every_listed_source_has_a_handler() -> None:
    assert arrays  # importing arrays registers the array handlers (array_registry)
    table = data_sources.modelled_data_sources()
    missing = [name for kind, names in table.items() if kind not in _FROM_DISPATCH for name in names
               if name not in array_registry._FUNCTIONS]
    assert missing == []
    for name in table["tf.data and keras.utils pipelines"]:
        assert name in tf_data.SOURCES or name in keras_data_sources.SOURCES
    assert len(table["TFDS datasets"]) == len(tfds_catalog.CATALOG)


def test_each_source_is_counted_once() -> None:
    names = [name for names in data_sources.modelled_data_sources().values() for name in names]
    assert len(names) == len(set(names)) == data_sources.count()
