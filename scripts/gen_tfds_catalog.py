"""Print the entries of keraslint/source/tfds_catalog.py from an installed tensorflow-datasets.

    python scripts/gen_tfds_catalog.py                 # every dataset the catalog lists
    python scripts/gen_tfds_catalog.py mnist beans     # some datasets (or new ones)
    python scripts/gen_tfds_catalog.py --check         # exit 1 where the catalog differs

Compare the output with CATALOG and update it by hand. Features, versions and supervised keys
come from ``tfds.builder(name).info``, which needs no download. Split names and sizes come from
the dataset's published metadata, which TFDS reads from its servers or a prepared data_dir: when
they are not available the entry says so and the catalog's split table must be taken from the
TFDS catalog page instead. tensorflow-datasets is not a keraslint dependency (it is heavy);
install it in a separate environment to run this.
"""

from __future__ import annotations

import sys
from typing import Any


def _feature(feature: Any) -> str:
    import tensorflow_datasets as tfds

    kind = type(feature).__name__
    shape = tuple(feature.shape)
    dtype = getattr(feature.dtype, "name", str(feature.dtype))
    if isinstance(feature, tfds.features.ClassLabel):
        return f"_label({feature.num_classes})"
    if isinstance(feature, tfds.features.Image):
        return f"_image{shape!r}"
    if isinstance(feature, tfds.features.Text):
        return "_TEXT"
    if isinstance(feature, tfds.features.FeaturesDict):
        return f"<nested FeaturesDict: not a fixed-structure dataset ({kind})>"
    return f"_tensor({shape!r}, {dtype!r})"


def entry(name: str) -> str:
    import tensorflow_datasets as tfds

    builder = tfds.builder(name)
    info = builder.info
    features = ", ".join(f"{key!r}: {_feature(f)}" for key, f in info.features.items())
    splits = {key: split.num_examples for key, split in info.splits.items()}
    note = "" if splits else "  # no split metadata here: take the splits from the TFDS catalog page"
    return (f"{name!r}: (_spec({str(builder.version)!r}, {{{features}}}, {info.supervised_keys!r},\n"
            f"    {splits!r}),),{note}")


def differences(name: str) -> list[str]:
    """Where the catalog's default entry for ``name`` differs from the installed TFDS."""
    import tensorflow_datasets as tfds

    from keraslint.source.tfds_catalog import lookup

    ours = lookup(name)
    builder = tfds.builder(name)
    info = builder.info
    if ours is None:
        return [f"{name}: not in the catalog"]
    found = []
    if ours.version != str(builder.version):
        found.append(f"{name}: version {ours.version} here, {builder.version} in TFDS")
    theirs = {key: _feature(f) for key, f in info.features.items()}
    mine = {key: _feature_text(f) for key, f in ours.features.items()}
    if theirs != mine:
        found.append(f"{name}: features {mine} here, {theirs} in TFDS")
    if tuple(info.supervised_keys or ()) != tuple(ours.supervised or ()):
        found.append(f"{name}: supervised keys {ours.supervised} here, {info.supervised_keys} in TFDS")
    splits = {key: split.num_examples for key, split in info.splits.items()}
    if splits and splits != dict(ours.splits):
        found.append(f"{name}: splits {dict(ours.splits)} here, {splits} in TFDS")
    return found


def _feature_text(feature: Any) -> str:
    """A catalog Feature written as _feature writes the TFDS one."""
    if feature.kind == "class_label":
        return f"_label({feature.num_classes})"
    if feature.kind == "image":
        return f"_image{feature.shape!r}"
    if feature.kind == "text":
        return "_TEXT"
    return f"_tensor({feature.shape!r}, {feature.dtype!r})"


def main(argv: list[str]) -> int:
    try:
        import tensorflow_datasets  # noqa: F401
    except ImportError:
        print("tensorflow-datasets is not installed in this environment", file=sys.stderr)
        return 2
    check = "--check" in argv
    names = [a for a in argv if a != "--check"]
    if not names:
        from keraslint.source.tfds_catalog import CATALOG

        names = list(CATALOG)
    status = 0
    for name in names:
        try:
            if check:
                for line in differences(name):
                    print(line)
                    status = 1
            else:
                print(entry(name))
        except Exception as error:  # noqa: BLE001 - one dataset's failure must not hide the others
            print(f"# {name}: {type(error).__name__}: {error}")
            status = 1 if check else status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
