"""A small Conv1D training script with the kind of bugs keraslint finds.

Run `keraslint check examples/train_conv1d.py` to see them; nothing here is executed.
"""
import numpy as np
import tensorflow as tf
from sklearn.model_selection import train_test_split

SEQ_LEN = 100
FEATURES = 8

# Synthetic data: drawn before any seed, so it changes on every run.
X = np.random.rand(1000, SEQ_LEN, FEATURES).astype("float32")
y = np.random.randint(0, 2, size=(1000,))
x_train, x_val, y_train, y_val = train_test_split(X, y, test_size=0.2)


def build_model(seq_len: int, features: int) -> tf.keras.Model:
    model = tf.keras.Sequential([
        tf.keras.layers.Input(shape=(seq_len, features)),
        tf.keras.layers.Conv1D(64, kernel_size=5, strides=3, activation="relu"),
        tf.keras.layers.MaxPooling1D(pool_size=2),
        tf.keras.layers.Conv1D(64, kernel_size=3, activation="relu"),
        tf.keras.layers.GlobalAveragePooling1D(),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


model = build_model(SEQ_LEN, FEATURES)
tf.random.set_seed(42)  # too late: the weights above were already drawn
model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=5, batch_size=32)
