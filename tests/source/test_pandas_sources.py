"""pandas DataFrames as data sources (keraslint/source/pandas_sources.py, csv_headers.py).

pandas is the oracle: each case runs the same snippet with the real pandas (on a CSV written
next to it) and statically. Every dimension the static pass knows must be pandas' own; the
width must be known where the case says so; the sample count of a CSV is never known.
"""

from __future__ import annotations

import os
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest

from keraslint.source import csv_headers
from keraslint.source.values import Array

from . import run

pd = pytest.importorskip("pandas")

CSV = "age,income,,label,age\n1,2.5,3,0,5\n4,5.5,6,1,8\n7,8.5,9,0,11\n"
HEAD = "import numpy as np\nimport pandas as pd\n"


def _both(code: str, tmp_path: Path, csv: str = CSV) -> tuple[Any, Any]:
    (tmp_path / "data.csv").write_text(csv, encoding="utf-8")
    source = HEAD + textwrap.dedent(code)
    scope: dict[str, Any] = {}
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 3 deprecates inplace=: the scripts still use it
            exec(source, scope)  # noqa: S102 - the test's own snippet, run on the real pandas
    finally:
        os.chdir(cwd)
    return scope["x"], run(source, tmp_path)["x"]


# (snippet, whether the static width is known)
CASES = [
    ("x = pd.read_csv('data.csv').values", True),
    ("x = pd.read_csv('data.csv').to_numpy()", True),
    ("x = np.array(pd.read_csv('data.csv'))", True),
    ("x = np.asarray(pd.read_csv('data.csv'), dtype='float32')", True),
    ("x = pd.read_csv('data.csv')[['age', 'income']].values", True),
    ("x = pd.read_csv('data.csv')['label'].values", True),
    ("x = pd.read_csv('data.csv')[['age']].values", True),
    ("x = pd.read_csv('data.csv').drop(columns=['label']).values", True),
    ("x = pd.read_csv('data.csv').drop(['label', 'income'], axis=1).values", True),
    ("x = pd.read_csv('data.csv').drop('label', axis='columns').values", True),
    ("df = pd.read_csv('data.csv')\ny = df.pop('label')\nx = df.values", True),
    ("df = pd.read_csv('data.csv')\nx = df.pop('label').values", True),
    ("x = pd.read_csv('data.csv').iloc[:, :2].values", True),
    ("x = pd.read_csv('data.csv').iloc[:, 1:3].values", True),
    ("x = pd.read_csv('data.csv').iloc[:, :-1].values", True),
    ("x = pd.read_csv('data.csv').iloc[:, -1].values", True),
    ("x = pd.read_csv('data.csv').iloc[:, [0, 2]].values", True),
    ("x = pd.read_csv('data.csv').iloc[:2, :3].values", True),
    ("x = pd.read_csv('data.csv').loc[:, 'income':'label'].values", True),
    ("x = pd.read_csv('data.csv').loc[:, ['age', 'label']].values", True),
    ("x = np.zeros((3, pd.read_csv('data.csv').shape[1]))", True),
    ("x = pd.read_csv('data.csv', usecols=['income', 'age']).values", True),
    ("x = pd.read_csv('data.csv', usecols=[0, 3]).values", True),
    ("x = pd.read_csv('data.csv', index_col=0).values", True),
    ("x = pd.read_csv('data.csv', index_col='label').values", True),
    ("x = pd.read_csv('data.csv', header=None).values", True),
    ("x = pd.read_csv('data.csv', names=['a', 'b', 'c', 'd', 'e'], header=0).values", True),
    ("x = pd.read_csv('data.csv', nrows=2).values", True),
    ("df = pd.read_csv('data.csv')\ndf['extra'] = 0\nx = df.values", True),
    ("df = pd.read_csv('data.csv')\ndf['age'] = 0\nx = df.values", True),
    ("df = pd.read_csv('data.csv')\ndf.drop(columns=['label'], inplace=True)\nx = df.values", True),
    ("df = pd.read_csv('data.csv')\ndf.insert(0, 'first', 1)\nx = df.values", True),
    ("x = pd.read_csv('data.csv').assign(z=1, age=2).values", True),
    ("x = pd.read_csv('data.csv').dropna().astype('float32').values", True),
    ("x = pd.read_csv('data.csv').head(2).values", True),
    ("df = pd.read_csv('data.csv')\ndf.columns = ['a', 'b', 'c', 'd', 'e']\nx = df[['a', 'e']].values", True),
    ("x = pd.DataFrame({'a': [1, 2, 3], 'b': [4.0, 5.0, 6.0]}).values", True),
    ("x = pd.DataFrame({'a': [1, 2], 'b': [3, 4]}, columns=['b']).values", True),
    ("x = pd.DataFrame(np.zeros((5, 3))).iloc[:, 1:].values", True),
    ("x = pd.DataFrame(np.zeros((5, 3)), columns=['p', 'q', 'r']).drop(columns='q').values", True),
    ("x = pd.DataFrame(np.zeros(4))[0].values", True),
    # the width pandas decides from the data
    ("x = pd.get_dummies(pd.read_csv('data.csv')).values", False),
    ("x = pd.get_dummies(pd.read_csv('data.csv')['label']).values", False),
    ("df = pd.read_csv('data.csv')\ndf.set_index('age.1', inplace=True)\nx = df.values", False),
    ("df = pd.read_csv('data.csv')\ndel df['label']\nx = df.values", False),
    ("df = pd.read_csv('data.csv')\ndf.loc[:, 'new'] = 1\nx = df.values", False),
    ("x = pd.read_csv('data.csv', sep=None, engine='python').values", False),
    ("x = pd.read_csv('data.csv', skiprows=1).values", False),
    ("x = pd.read_csv('data.csv', header=1).values", False),
]


@pytest.mark.parametrize(("code", "width_known"), CASES)
def test_shapes_agree_with_pandas(code: str, width_known: bool, tmp_path: Path) -> None:
    real, static = _both(code, tmp_path)
    assert isinstance(static, Array), static
    assert static.shape is not None and len(static.shape) == real.ndim, (static.shape, real.shape)
    for known, actual in zip(static.shape, real.shape):
        assert known is None or known == actual, (static.shape, real.shape)
    if "read_csv" in code and "np.zeros" not in code:
        assert static.shape[0] is None  # the rows are never read
    if real.ndim == 2:
        assert (static.shape[1] is not None) is width_known, static.shape


def test_a_file_that_is_not_there_leaves_the_columns_unknown(tmp_path: Path) -> None:
    x = run(HEAD + "x = pd.read_csv('missing.csv').values", tmp_path)["x"]
    assert x.shape == (None, None)
    assert "missing.csv" in (x.source or "")


def test_a_url_or_a_compressed_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "data.csv.gz").write_text("a,b\n1,2\n", encoding="utf-8")
    for path in ("https://example.com/data.csv", "data.csv.gz"):
        x = run(HEAD + f"x = pd.read_csv({path!r}).values", tmp_path)["x"]
        assert x.shape == (None, None)


def test_the_width_of_a_selection_is_the_list_length_when_the_columns_are_not_known() -> None:
    values = run(HEAD + "df = pd.read_csv('elsewhere.csv')\nx = df[['a', 'b', 'c']].values\n"
                        "y = df['a'].values\nw = df.shape[1]\nz = df.drop(columns=['a']).values\n")
    assert values["x"].shape == (None, 3)
    assert values["y"].shape == (None,)
    assert values["z"].shape == (None, None)
    assert values["w"] is not None and not isinstance(values["w"], int)


def test_only_the_header_line_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "1,2,3\n" * 200_000  # 1.2 MB of rows
    (tmp_path / "big.csv").write_text("a,b,c\n" + body, encoding="utf-8")
    read: list[int] = []
    real_open = open

    def spy(*args: Any, **kwargs: Any) -> Any:
        handle = real_open(*args, **kwargs)
        original = handle.read

        def counted(size: int = -1) -> Any:
            assert size != -1 and size <= csv_headers.MAX_HEADER
            data = original(size)
            read.append(len(data))
            return data

        handle.read = counted
        return handle

    monkeypatch.setattr(csv_headers, "open", spy, raising=False)
    x = run(HEAD + "x = pd.read_csv('big.csv').values", tmp_path)["x"]
    assert x.shape == (None, 3)
    assert sum(read) <= csv_headers.MAX_HEADER


def test_a_header_longer_than_the_bound_is_unknown(tmp_path: Path) -> None:
    wide = ",".join(f"c{i}" for i in range(20_000))  # > MAX_HEADER bytes before the newline
    (tmp_path / "wide.csv").write_text(wide + "\n1\n", encoding="utf-8")
    assert run(HEAD + "x = pd.read_csv('wide.csv').values", tmp_path)["x"].shape == (None, None)


@pytest.mark.parametrize("header", ["a,a,a", "a,,b,", "x,x.1,x", '"q,1",r', "\ufeffa;b", "a\tb\tc"])
def test_column_names_are_pandas_own(header: str, tmp_path: Path) -> None:
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    (tmp_path / "h.csv").write_text(header + "\n" + sep.join("1" * 5) + "\n", encoding="utf-8")
    expected = list(pd.read_csv(tmp_path / "h.csv", sep=sep).columns)
    line = csv_headers.header_line(tmp_path, "h.csv")
    assert line is not None
    fields = csv_headers.split_header(line, sep)
    assert fields is not None
    assert list(csv_headers.column_names(fields)) == expected


def test_a_change_on_one_side_of_a_branch_makes_the_columns_unknown() -> None:
    values = run(HEAD + "import sys\ndf = pd.DataFrame(np.zeros((4, 3)), columns=['a', 'b', 'c'])\n"
                        "if len(sys.argv) > 1:\n    df.pop('a')\nx = df.values\n")
    assert values["x"].shape == (4, None)


def test_a_column_added_inside_a_function_of_the_script_counts() -> None:
    values = run(HEAD + "def add(d):\n    d['n'] = 1\n\ndf = pd.DataFrame(np.zeros((4, 3)))\nadd(df)\nx = df.values\n")
    assert values["x"].shape == (4, 4)


def test_a_scaler_takes_a_frame_as_an_array() -> None:
    values = run(HEAD + "from sklearn.preprocessing import StandardScaler\n"
                        "df = pd.DataFrame({'a': [1.0, 2.0], 'b': [3.0, 4.0]})\n"
                        "x = StandardScaler().fit_transform(df[['a', 'b']])\n")
    assert values["x"].shape == (2, 2)
