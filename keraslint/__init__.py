"""keraslint: find bugs in Keras training scripts and saved models without running them."""

__version__ = "0.1.0"
