"""The activation an output head ends with, as KL401 (against a cross-entropy) and KL404
(against a regression loss) read it: set by `activation=`, by an Activation/ReLU layer after
the last Dense, through Dropout, or inside TimeDistributed(Dense)."""

from __future__ import annotations

import pytest

from keraslint.checker import check_source

HEAD = "import numpy as np\nimport keras\nfrom keras import layers\nkeras.utils.set_random_seed(0)\n"


def found(source: str, code: str) -> list[tuple[str, str]]:
    return [(d.severity.name, d.message) for d in check_source(source, "t.py", selected={code}).diagnostics]


def model(shape: str, stack: str, loss: str) -> str:
    return f"{HEAD}m = keras.Sequential([keras.Input({shape}), {stack}])\nm.compile(optimizer='adam', loss={loss})\n"


@pytest.mark.parametrize(("stack", "loss", "expected"), [
    ("layers.Dense(1, activation='relu')", "'binary_crossentropy'", ("ERROR", "relu outputs lie in [0, inf)")),
    ("layers.Dense(3, activation='relu'), layers.Dropout(0.2)", "'binary_crossentropy'", ("ERROR", "clips them")),
    ("layers.Dense(3), layers.Activation('tanh')", "'categorical_crossentropy'", ("ERROR", "negative outputs")),
    ("layers.Dense(3), layers.LeakyReLU()", "'categorical_crossentropy'", ("ERROR", "leaky_relu")),
    ("layers.Dense(3, activation='relu')", "'categorical_crossentropy'", ("WARNING", "NaN")),
    ("layers.Dense(3, activation='softplus')", "'categorical_crossentropy'", ("WARNING", "divides them by their sum")),
    ("layers.Dense(3, activation='relu')", "'sparse_categorical_crossentropy'", ("ERROR", "clips them")),
    ("layers.Dense(3), layers.Softmax()", "'categorical_crossentropy'", None),
    # exp divided by its sum is a softmax
    ("layers.Dense(3, activation='exponential')", "'categorical_crossentropy'", None),
    # a capped ReLU stays within [0, 1]
    ("layers.Dense(3), layers.ReLU(max_value=1.0)", "'binary_crossentropy'", None),
    # odd, but declared logits
    ("layers.Dense(3, activation='relu')", "keras.losses.BinaryCrossentropy(from_logits=True)", None),
    ("layers.Dense(3, activation='tanh')", "'mse'", None),
    # a softmax under the relu decides nothing: the relu is what the loss sees
    ("layers.Dense(3, activation='softmax'), layers.Activation('relu')", "'binary_crossentropy'",
     ("ERROR", "relu")),
])
def test_kl401_reads_the_last_activation(stack: str, loss: str, expected: tuple[str, str] | None) -> None:
    findings = found(model("(4,)", stack, loss), "KL401")
    if expected is None:
        assert findings == []
    else:
        ((severity, message),) = findings
        assert severity == expected[0] and expected[1] in message, message


def test_kl401_looks_inside_time_distributed_dense() -> None:
    ((severity, message),) = found(model("(5, 4)", "layers.TimeDistributed(layers.Dense(3, activation='elu'))",
                                         "'sparse_categorical_crossentropy'"), "KL401")
    assert severity == "ERROR" and "TimeDistributed ends in elu (3 units)" in message
    assert found(model("(5, 4)", "layers.TimeDistributed(layers.Dense(3, activation='softmax'))",
                       "'categorical_crossentropy'"), "KL401") == []


LABELS_ONE_HOT = "y = keras.utils.to_categorical(np.random.randint(0, 10, 100), 10)\n"


def fitted(labels: str, stack: str, loss: str, fit: str = "m.fit(x, y)") -> str:
    return (f"{HEAD}x = np.random.rand(100, 8)\n{labels}m = keras.Sequential([keras.Input((8,)), {stack}])\n"
            f"m.compile(optimizer='adam', loss={loss})\n{fit}\n")


def test_kl404_names_the_head_the_labels_and_the_loss_that_fits() -> None:
    ((severity, message),) = found(fitted(LABELS_ONE_HOT, "layers.Dense(10, activation='softmax')", "'mse'"),
                                   "KL404")
    assert severity == "WARNING"
    assert "mean_squared_error trains the softmax output (None, 10)" in message
    assert "one-hot labels (100, 10) (built at line 6)" in message and message.endswith("use categorical_crossentropy")


def test_kl404_reports_a_compile_once_for_training_and_validation_data() -> None:
    source = fitted(LABELS_ONE_HOT, "layers.Dense(10, activation='softmax')", "'huber'",
                    "m.fit(x, y, validation_data=(x, y))\nm.train_on_batch(x, y)")
    assert len(found(source, "KL404")) == 1


@pytest.mark.parametrize(("labels", "stack", "loss"), [
    # soft targets of unknown values (distillation, label distributions)
    ("y = np.load('soft.npy')\n", "layers.Dense(10, activation='softmax')", "'mse'"),
    # real-valued targets
    ("y = np.random.rand(100, 10)\n", "layers.Dense(10, activation='sigmoid')", "'mse'"),
    (LABELS_ONE_HOT, "layers.Dense(10)", "'mse'"),
    (LABELS_ONE_HOT, "layers.Dense(10, activation='softmax')", "'kl_divergence'"),
    (LABELS_ONE_HOT, "layers.Dense(10, activation='softmax')", "'poisson'"),
    ("y = np.random.randint(0, 2, (100, 1))\n", "layers.Dense(1, activation='sigmoid')", "'mse'"),
])
def test_kl404_stays_silent_unless_class_labels_meet_a_probability_head(labels: str, stack: str, loss: str) -> None:
    assert found(fitted(labels, stack, loss), "KL404") == []
