"""KL101-KL104 on realistic scripts, through the real checker (one parse, one analysis)."""

from __future__ import annotations

import textwrap

import pytest

from keraslint.checker import check_source

REPRO = {"KL101", "KL102", "KL103", "KL104"}


def findings(code: str, selected: set[str] = REPRO) -> list[tuple[int, str]]:
    report = check_source(textwrap.dedent(code), "t.py", selected=selected)
    assert not [d for d in report.diagnostics if d.code.startswith("KL00")], report.diagnostics
    return sorted((d.location.row, d.code) for d in report.diagnostics)


def messages(code: str, code_: str) -> list[str]:
    report = check_source(textwrap.dedent(code), "t.py", selected={code_})
    return [d.message for d in report.diagnostics]


# -- KL101 unseeded-training --------------------------------------------------------------------

def test_unseeded_sequential_is_reported_at_first_creation() -> None:
    code = """\
        import tensorflow as tf
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.fit(x, y)
        other = tf.keras.Sequential()
        """
    assert findings(code) == [(2, "KL101")]
    # `other` has no layers and is never used: nothing random about it
    assert "also unseeded: line 3)" in messages(code, "KL101")[0]


@pytest.mark.parametrize("seed", [
    "import keras\nkeras.utils.set_random_seed(1)",
    "import tensorflow as tf\ntf.keras.utils.set_random_seed(1)",
    "import tensorflow as tf\ntf.random.set_seed(1)",
    "import tensorflow as tf\ntf.set_random_seed(1)",
    "import tensorflow as tf\ntf.compat.v1.set_random_seed(1)",
    "import tensorflow.compat.v1 as tf\ntf.set_random_seed(1)",
    "from tensorflow.keras.utils import set_random_seed\nset_random_seed(1)",
    "from keras.utils import set_random_seed as seed_everything\nseed_everything(1)",
    "from tensorflow.random import set_seed\nset_seed(1)",
])
def test_every_global_seed_spelling_counts(seed: str) -> None:
    code = seed + "\nimport tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.fit(x, y)\n"
    assert [f for f in findings(code) if f[1] == "KL101"] == []


def test_numpy_seed_alone_does_not_seed_weights() -> None:
    code = """\
        import numpy as np
        from keras.models import Sequential
        np.random.seed(0)
        m = Sequential()
        m.fit(x, y)
        """
    assert findings(code, {"KL101"}) == [(5, "KL101")]


def test_seed_inside_main_counts() -> None:
    code = """\
        import tensorflow as tf

        def main():
            tf.keras.utils.set_random_seed(42)
            tf.config.experimental.enable_op_determinism()
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            model.fit(x, y)

        if __name__ == "__main__":
            main()
        """
    assert findings(code) == []


def test_unseeded_main_is_reported() -> None:
    code = """\
        from tensorflow import keras

        def main():
            model = keras.Sequential([keras.layers.Dense(1)])
            model.fit(x, y)

        if __name__ == "__main__":
            main()
        """
    assert findings(code) == [(4, "KL101")]


def test_seed_in_optional_branch_is_maybe() -> None:
    code = """\
        import argparse
        import tensorflow as tf
        parser = argparse.ArgumentParser()
        parser.add_argument("--seed", type=int)
        args = parser.parse_args()
        if args.seed:
            tf.random.set_seed(args.seed)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.fit(x, y)
        """
    assert findings(code, {"KL101", "KL102", "KL103"}) == []


def test_seed_inside_the_builder_counts_for_that_model() -> None:
    code = """\
        import tensorflow as tf
        def build(seed):
            tf.random.set_seed(seed)
            return tf.keras.Sequential([tf.keras.layers.Dense(1)])
        for s in [1, 2, 3]:
            build(s).fit(x, y)
        """
    assert findings(code, {"KL101", "KL102", "KL103"}) == []


def test_seed_in_a_helper_called_first() -> None:
    code = """\
        import os, random
        import numpy as np
        import tensorflow as tf

        def set_seeds(seed=42):
            os.environ["PYTHONHASHSEED"] = str(seed)
            random.seed(seed)
            np.random.seed(seed)
            tf.random.set_seed(seed)

        set_seeds()
        x = np.random.rand(100, 3)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.fit(x, x.sum(axis=1))
        """
    assert findings(code, {"KL101", "KL102", "KL103"}) == []


def test_seed_in_a_never_called_function_does_not_count() -> None:
    code = """\
        import tensorflow as tf
        def seed_everything():
            tf.random.set_seed(0)
        model = tf.keras.Sequential()
        model.fit(x, y)
        """
    assert findings(code) == [(5, "KL101")]


def test_library_module_with_only_builders_is_clean() -> None:
    code = """\
        import tensorflow as tf
        def build(units=8):
            return tf.keras.Sequential([tf.keras.layers.Dense(units)])
        def train(model, x, y):
            model.fit(x, y)
        """
    assert findings(code) == []


def test_training_a_loaded_model_without_seed() -> None:
    code = "import keras\nmodel = keras.models.load_model('m.keras')\nmodel.fit(x, y)\n"
    assert findings(code) == [(3, "KL101")]
    assert "trained" in messages(code, "KL101")[0]


def test_keras_model_subclass_without_seed() -> None:
    code = """\
        import tensorflow as tf
        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)
            def call(self, x):
                return self.dense(x)
        net = Net()
        net.compile("adam", "mse")
        net.fit(x, y)
        """
    # its __init__ is followed: the Dense it builds has fresh weights
    assert findings(code) == [(8, "KL101")]
    assert "its initial weights" in messages(code, "KL101")[0]


def test_seed_in_a_trainer_class_method_counts() -> None:
    code = """\
        import tensorflow as tf

        class Experiment:
            def __init__(self, seed):
                self.seed = seed
                self.setup()

            def setup(self):
                tf.keras.utils.set_random_seed(self.seed)
                tf.config.experimental.enable_op_determinism()

        exp = Experiment(7)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.fit(x, y)
        """
    assert findings(code) == []


def test_recursive_seeding_helper_is_unknown_not_unseeded() -> None:
    code = """\
        import tensorflow as tf
        def seed(n):
            if n == 0:
                tf.random.set_seed(1)
            else:
                seed(n - 1)
        seed(3)
        model = tf.keras.Sequential()
        """
    assert [f for f in findings(code) if f[1] == "KL101"] == []


def test_caught_exception_does_not_hide_the_rest_of_the_script() -> None:
    code = """\
        import tensorflow as tf
        try:
            raise ImportError("optional dependency")
        except ImportError:
            pass
        model = tf.keras.Sequential()
        model.fit(x, y)
        """
    assert findings(code) == [(7, "KL101")]


def test_model_built_in_match_case() -> None:
    code = """\
        import tensorflow as tf
        match arch:
            case "mlp":
                model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
                model.fit(x, y)
            case _:
                model = None
        """
    assert findings(code) == [(4, "KL101")]


def test_function_that_always_raises_is_not_an_internal_error() -> None:
    code = """\
        import tensorflow as tf
        def unsupported():
            raise NotImplementedError
        if flag:
            unsupported()
        tf.keras.utils.set_random_seed(0)
        tf.config.experimental.enable_op_determinism()
        model = tf.keras.Sequential()
        """
    assert findings(code) == []


def test_comprehension_with_condition_is_analysed() -> None:
    code = """\
        import tensorflow as tf
        models = [tf.keras.Sequential([tf.keras.layers.Dense(1)]) for k in range(3) if k > 0]
        """
    # built in a comprehension (followed once, its result unknown) and never used: not reported,
    # but the walk reached the call (a seed in the comprehension would count)
    assert findings(code) == []


# -- KL102 partially-seeded-randomness ----------------------------------------------------------

def test_numpy_draw_before_numpy_seed() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        X = np.random.rand(2000, 50, 4)
        tf.random.set_seed(42)
        np.random.seed(42)
        """
    assert findings(code, {"KL102"}) == [(3, "KL102")]


def test_set_random_seed_seeds_python_numpy_and_tensorflow() -> None:
    code = """\
        import random
        import numpy as np
        import keras
        import tensorflow as tf
        keras.utils.set_random_seed(1)
        a = np.random.rand(3)
        b = random.random()
        c = tf.random.normal((3,))
        ds = tf.data.Dataset.from_tensor_slices(a).shuffle(10)
        """
    assert findings(code, {"KL102"}) == []


def test_python_random_unseeded_while_tf_seeded() -> None:
    code = """\
        import random
        import tensorflow as tf
        tf.random.set_seed(1)
        random.shuffle(files)
        """
    assert findings(code, {"KL102"}) == [(4, "KL102")]


def test_seeded_generators_are_fine() -> None:
    code = """\
        import random
        import numpy as np
        import tensorflow as tf
        tf.random.set_seed(0)
        rng = np.random.default_rng(0)
        noise = rng.normal(size=10)
        r = random.Random(1)
        r.shuffle(items)
        legacy = np.random.RandomState(seed=3)
        legacy.rand(4)
        """
    assert findings(code, {"KL102"}) == []


def test_unseeded_generator_instances() -> None:
    code = """\
        import random
        import numpy as np
        import tensorflow as tf
        tf.random.set_seed(0)
        rng = np.random.default_rng()
        noise = rng.normal(size=10)
        r = random.Random()
        r.shuffle(items)
        """
    assert findings(code, {"KL102"}) == [(6, "KL102"), (8, "KL102")]


def test_generator_seeded_from_a_parameter_is_not_reported() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        def make(seed):
            return np.random.default_rng(seed)
        tf.random.set_seed(0)
        make(5).normal()
        """
    assert findings(code, {"KL102"}) == []


def test_dataset_shuffle_seed_by_keyword_or_position() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        np.random.seed(0)
        ds = tf.data.Dataset.from_tensor_slices(x)
        a = ds.shuffle(1000, seed=7)
        b = ds.shuffle(1000, 7)
        c = ds.shuffle(1000)
        """
    assert findings(code, {"KL102"}) == [(7, "KL102")]


def test_tf_random_ops_with_positional_seed() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        np.random.seed(0)
        a = tf.random.shuffle(x, 3)
        b = tf.random.uniform((2,), 0, 1, tf.float32, 5)
        c = tf.random.normal((2,), seed=1)
        d = tf.random.normal((2,))
        """
    assert findings(code, {"KL102"}) == [(7, "KL102")]


def test_train_test_split_without_random_state() -> None:
    code = """\
        import tensorflow as tf
        from sklearn.model_selection import train_test_split
        tf.random.set_seed(3)
        a, b, c, d = train_test_split(x, y, test_size=0.2)
        e, f, g, h = train_test_split(x, y, test_size=0.2, random_state=0)
        i, j, k, l = train_test_split(x, y, shuffle=False)
        """
    assert findings(code, {"KL102"}) == [(4, "KL102")]


def test_image_data_generator_flow_without_seed() -> None:
    code = """\
        import tensorflow as tf
        from tensorflow.keras.preprocessing.image import ImageDataGenerator
        tf.random.set_seed(3)
        gen = ImageDataGenerator(rotation_range=10)
        a = gen.flow(x, y, batch_size=32)
        b = gen.flow(x, y, seed=1)
        c = gen.flow_from_directory("data/", shuffle=False)
        d = gen.flow_from_directory("data/")
        """
    assert findings(code, {"KL102"}) == [(5, "KL102"), (8, "KL102")]


def test_nothing_seeded_is_left_to_kl101() -> None:
    code = "import numpy as np\nx = np.random.rand(10)\n"
    assert findings(code, {"KL102"}) == []


def test_draw_in_optional_seed_branch_is_not_reported() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        tf.random.set_seed(0)
        if args.seed is not None:
            np.random.seed(args.seed)
        x = np.random.rand(3)
        """
    assert findings(code, {"KL102"}) == []


# -- KL103 seed-after-model-creation ------------------------------------------------------------

def test_seed_after_model_names_the_model_line() -> None:
    code = """\
        import keras
        inputs = keras.Input(shape=(16,))
        outputs = keras.layers.Dense(1)(inputs)
        model = keras.Model(inputs, outputs)
        keras.utils.set_random_seed(1337)
        model.fit(x, y)
        """
    assert findings(code, {"KL101", "KL103"}) == [(5, "KL103")]
    assert "line 4" in messages(code, "KL103")[0]


def test_seed_late_in_loop_body() -> None:
    code = """\
        import tensorflow as tf
        for seed in [42, 100, 1234]:
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            tf.random.set_seed(seed)
            model.fit(x, y)
        """
    assert findings(code, {"KL101", "KL103"}) == [(4, "KL103")]


def test_seed_early_in_loop_body() -> None:
    code = """\
        import tensorflow as tf
        for seed in [42, 100, 1234]:
            tf.random.set_seed(seed)
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            model.fit(x, y)
        """
    assert findings(code, {"KL101", "KL103"}) == []


def test_several_models_only_the_early_one_is_unseeded() -> None:
    code = """\
        import tensorflow as tf
        def build(seed=None):
            if seed is not None:
                tf.random.set_seed(seed)
            return tf.keras.Sequential([tf.keras.layers.Dense(1)])
        baseline = build()
        seeded = build(seed=1)
        again = build(seed=2)
        baseline.fit(x, y)
        """
    result = findings(code, {"KL101", "KL103"})
    assert result == [(4, "KL103")]
    assert "line 5" in messages(code, "KL103")[0] and "line 6" in messages(code, "KL103")[0]


def test_layer_created_before_seed() -> None:
    code = ("import tensorflow as tf\ndense = tf.keras.layers.Dense(4)\ntf.random.set_seed(0)\n"
            "model = tf.keras.Sequential([tf.keras.Input((3,)), dense])\nmodel.fit(x, y)\n")
    assert findings(code, {"KL103"}) == [(3, "KL103")]


@pytest.mark.parametrize("after", [
    # the early model is thrown away: the name is rebound before any training
    "model = tf.keras.Sequential([tf.keras.layers.Dense(4)])\nmodel.fit(x, y)\n",
    # never trained or used at all
    "",
])
def test_early_model_not_used_after_the_seed_is_not_kl103(after: str) -> None:
    code = ("import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(4)])\n"
            "tf.random.set_seed(0)\n" + after)
    assert findings(code, {"KL103"}) == []


def test_bare_layer_expression_is_not_kl103() -> None:
    code = ("import keras\nkeras.layers.Dense(8)\nunused = keras.layers.Conv2D(8, 3)\n"
            "keras.utils.set_random_seed(0)\nm = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\n"
            "m.fit(x, y)\n")
    assert findings(code, {"KL103"}) == []


def test_numpy_seed_after_model_is_not_kl103() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        model = tf.keras.Sequential()
        np.random.seed(0)
        """
    assert findings(code, {"KL103"}) == []


# -- KL104 nondeterministic-ops -----------------------------------------------------------------

def test_seeded_without_determinism() -> None:
    code = "import tensorflow as tf\ntf.random.set_seed(42)\nm = tf.keras.Sequential()\n"
    assert findings(code) == [(2, "KL104")]


@pytest.mark.parametrize("determinism", [
    "tf.config.experimental.enable_op_determinism()",
    "os.environ['TF_DETERMINISTIC_OPS'] = '1'",
    "os.environ.setdefault('TF_DETERMINISTIC_OPS', '1')",
    "os.environ['TF_CUDNN_DETERMINISTIC'] = 'true'",
])
def test_determinism_enabled(determinism: str) -> None:
    code = f"import os\nimport tensorflow as tf\n{determinism}\ntf.random.set_seed(42)\nm = tf.keras.Sequential()\n"
    assert findings(code) == []


def test_no_model_no_kl104() -> None:
    assert findings("import tensorflow as tf\ntf.random.set_seed(42)\n") == []


# -- whole scripts ------------------------------------------------------------------------------

def test_seed_sweep_script() -> None:
    code = """\
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import layers

        def make_data(n):
            return np.random.rand(n, 8), np.random.rand(n)

        def build():
            return tf.keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(1)])

        results = {}
        for seed in (1, 2, 3):
            tf.keras.utils.set_random_seed(seed)
            tf.config.experimental.enable_op_determinism()
            x, y = make_data(256)
            model = build()
            model.compile(optimizer="adam", loss="mse")
            results[seed] = model.fit(x, y, epochs=1, verbose=0)
        """
    assert findings(code) == []


def test_unseeded_experiment_runs_report_once() -> None:
    code = """\
        import tensorflow as tf
        for run in range(5):
            model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
            model.compile("adam", "mse")
            model.fit(x, y)
        """
    assert findings(code) == [(3, "KL101")]


def test_absl_style_main_is_not_a_false_positive() -> None:
    code = """\
        import tensorflow as tf
        from absl import app

        def main(argv):
            tf.keras.utils.set_random_seed(0)
            model = tf.keras.Sequential()
            model.fit(x, y)

        if __name__ == "__main__":
            app.run(main)
        """
    assert [f for f in findings(code) if f[1] in ("KL101", "KL103")] == []


@pytest.mark.parametrize(("imports", "call"), [
    ("from absl import app", "app.run(main)"),
    ("import fire", "fire.Fire(main)"),
    ("import tensorflow as tf", "tf.compat.v1.app.run()"),
])
def test_entry_point_runners_call_main(imports: str, call: str) -> None:
    """`app.run(main)` and friends run main: its unseeded model counts (it is not 'detached')."""
    from keraslint.checker import check_source

    code = (f"{imports}\nimport keras\ndef main(argv=None):\n"
            "    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n    m.fit(x, y)\n"
            f"if __name__ == '__main__':\n    {call}\n")
    assert [d.code for d in check_source(code, "t.py", selected={"KL101"}).diagnostics] == ["KL101"]


@pytest.mark.parametrize(("code", "expected"), [
    # arrays: fit shuffles them every epoch
    ("m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\nm.fit(np.zeros((8, 3)), np.zeros(8))\n",
     "its initial weights and the order `fit` shuffles the samples in differ"),
    # a tf.data pipeline is fed in its own order: only the weights (and dropout) are random here
    ("m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1), keras.layers.Dropout(0.5)])\n"
     "m.fit(tf.data.Dataset.from_tensor_slices((np.zeros((8, 3)), np.zeros(8))).batch(2))\n",
     "its initial weights and its dropout masks differ"),
])
def test_kl101_says_what_differs(code: str, expected: str) -> None:
    code = "import numpy as np\nimport tensorflow as tf\nimport keras\n" + code
    assert expected in messages(code, "KL101")[0]


def test_loaded_model_trained_without_shuffling_or_dropout_is_not_reported() -> None:
    code = ("import numpy as np\nimport keras\nbase = keras.models.load_model('m.keras')\n"
            "inp = keras.Input((3,))\nm = keras.Model(inp, base(inp))\n"
            "m.fit(np.zeros((8, 3)), np.zeros(8), shuffle=False)\n")
    # the loaded network's layers are unknown: it may hold dropout, so it is still reported
    assert "any weight initialisation, dropout or shuffling in it differs" in messages(code, "KL101")[0]
    code = ("import numpy as np\nimport keras\ninp = keras.Input((3,))\nm = keras.Model(inp, keras.layers.Flatten()(inp))\n"
            "m.fit(np.zeros((8, 3)), np.zeros(8), shuffle=False)\n")
    assert findings(code, {"KL101"}) == []


def test_subclass_wrapping_a_pretrained_network_is_not_reported() -> None:
    """Style transfer: a keras.Model subclass around VGG19, called but never trained."""
    code = """\
        import tensorflow as tf
        class StyleContentModel(tf.keras.models.Model):
            def __init__(self):
                super().__init__()
                self.vgg = tf.keras.applications.VGG19(include_top=False, weights="imagenet")
            def call(self, x):
                return self.vgg(x)
        extractor = StyleContentModel()
        results = extractor(tf.constant(image))
        """
    assert findings(code, {"KL101"}) == []


def test_hub_layers_are_pretrained() -> None:
    code = """\
        import tensorflow as tf
        import tensorflow_hub as hub
        model = tf.keras.Sequential([hub.KerasLayer("https://tfhub.dev/x/4", input_shape=(224, 224, 3))])
        model.predict(images)
        unknown = tf.keras.Sequential([something_unknown()])
        unknown.predict(images)
        """
    assert findings(code, {"KL101"}) == []


def test_a_wrapper_around_a_trained_model_draws_nothing_new() -> None:
    code = """\
        import numpy as np
        import keras
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        model.fit(np.zeros((8, 4)), np.zeros((8, 3)))
        probabilities = keras.Sequential([model, keras.layers.Softmax()])
        probabilities.predict(np.zeros((2, 4)))
        """
    assert findings(code, {"KL101"}) == [(3, "KL101")]
    assert "line 5" not in messages(code, "KL101")[0]
