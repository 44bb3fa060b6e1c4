"""``pad_sequences`` as a data source (keraslint/source/keras_text_sources.py); the shapes and
dtypes are compared with what Keras's own pad_sequences returns, run in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from keraslint.source.values import Array

from . import run

HEAD = "import numpy as np\nfrom keras.utils import pad_sequences\n"

CASES = [
    "x = pad_sequences([[1, 2, 3], [4], [5, 6]], maxlen=10)",
    "x = pad_sequences([[1, 2, 3], [4]], maxlen=2, padding='post', truncating='post')",
    "x = pad_sequences([[1, 2], [3]], 4, 'float32')",
    "x = pad_sequences([[1, 2], [3], [4], [5]], maxlen=3, dtype=np.int64)",
    "x = pad_sequences(np.zeros((6, 9), dtype='int32'), maxlen=5)",
]


def _keras_results() -> dict[str, list]:
    code = f"""
import json, numpy as np
from keras.utils import pad_sequences
out = {{}}
for case in {CASES!r}:
    scope = {{"np": np, "pad_sequences": pad_sequences}}
    exec(case, scope)
    out[case] = [list(scope["x"].shape), str(scope["x"].dtype)]
print(json.dumps(out))
"""
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_shapes_agree_with_keras() -> None:
    real = _keras_results()
    for case in CASES:
        static = run(HEAD + case)["x"]
        assert isinstance(static, Array), case
        assert [list(static.shape or ()), static.dtype] == real[case], case


def test_the_old_spelling_is_the_same_function() -> None:
    code = "from tensorflow.keras.preprocessing.sequence import pad_sequences\nx = pad_sequences([[1], [2]], maxlen=7)\n"
    assert run(code)["x"].shape == (2, 7)


def test_without_maxlen_the_width_is_the_data_s() -> None:
    assert run(HEAD + "x = pad_sequences([[1, 2, 3], [4]])")["x"].shape == (2, None)


def test_sequences_of_unknown_count() -> None:
    code = HEAD + "import pandas\nx = pad_sequences(pandas.read_csv('t.csv')['ids'], maxlen=50)"
    assert run(code)["x"].shape == (None, 50)


# The Keras 2 Tokenizer is not in Keras 3 (nor is tf_keras installed here), so these follow
# its source (keras-preprocessing text.py, sequences_to_matrix): ``np.zeros((len(sequences),
# num_words))``, with num_words = len(word_index) + 1 when not given.
TOKENIZER = "from tensorflow.keras.preprocessing.text import Tokenizer\n"


def test_tokenizer_matrix_width_is_num_words() -> None:
    values = run(TOKENIZER + "t = Tokenizer(num_words=500)\nt.fit_on_texts(['a b', 'c'])\n"
                 "x = t.texts_to_matrix(['a b', 'c', 'a'], mode='tfidf')\ny = t.sequences_to_matrix([[1, 2]])\n")
    assert (values["x"].shape, values["x"].dtype) == ((3, 500), "float64")
    assert values["y"].shape == (1, 500)


def test_tokenizer_without_num_words_has_the_vocabulary_s_width() -> None:
    x = run(TOKENIZER + "t = Tokenizer()\nt.fit_on_texts(['a b'])\nx = t.texts_to_matrix(['a b'])\n")["x"]
    assert x.shape == (1, None)


def test_tokenizer_sequences_are_ragged_until_padded() -> None:
    # texts_to_sequences gives one list of ids per text, each as long as its text: no array
    values = run(TOKENIZER + "from tensorflow.keras.preprocessing.sequence import pad_sequences\nimport numpy as np\n"
                 "t = Tokenizer(num_words=100)\ntexts = ['a b c', 'd', 'e f']\nt.fit_on_texts(texts)\n"
                 "seqs = t.texts_to_sequences(texts)\nraw = np.array(seqs)\nn = len(seqs)\n"
                 "x = pad_sequences(seqs, maxlen=20)\ny = pad_sequences(seqs)\n")
    assert values["x"].shape == (3, 20)
    assert values["y"].shape == (3, None)
    assert values["raw"].shape is None
    assert not isinstance(values["n"], int)


def test_tokenizer_sequences_of_a_pandas_column() -> None:
    values = run(TOKENIZER + "from tensorflow.keras.preprocessing.sequence import pad_sequences\nimport pandas as pd\n"
                 "df = pd.DataFrame({'text': ['a b', 'c', 'd e f', 'g']})\nt = Tokenizer()\n"
                 "x = pad_sequences(t.texts_to_sequences(df['text']), maxlen=8)\n"
                 "z = pad_sequences(t.texts_to_sequences(pd.read_csv('t.csv')['text']), maxlen=8)\n")
    assert values["x"].shape == (4, 8)
    assert values["z"].shape == (None, 8)
