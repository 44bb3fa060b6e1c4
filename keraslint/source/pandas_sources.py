"""pandas as scripts feed Keras with it: DataFrames whose columns are known, their columns
selected, dropped or popped, and the arrays they turn into (``df.values``, ``df.to_numpy()``,
``np.array(df)``).

A DataFrame is ``Obj(FRAME, node, {"columns", "width", "rows", "source"})``: ``columns`` the
tuple of labels when every one is known (``width`` is then its length), ``width`` alone when
only the count is (``df[["a", "b"]]`` of a frame whose columns are not known), ``rows`` the
number of rows or None. A Series is ``Obj(SERIES, node, {"rows", "source"})``. Both become
arrays through ``array_values.as_array`` (so scikit-learn and ``np.array`` take them too).

``pd.read_csv(literal path)`` reads only the header line of a file next to the script
(csv_headers.py); its rows are never read, so the sample count is always unknown. A width
pandas decides from the data (``get_dummies``) or a selection pandas would refuse (a missing
column: KeyError) stays unknown. Frames change in place (``df["c"] = ...``, ``df.pop``,
``inplace=True``, ``del df["c"]``): a change the pass cannot follow, or one on one side of an
undecided branch, makes the columns unknown, never wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from keraslint.source import csv_headers
from keraslint.source.array_dtypes import dtype_name
from keraslint.source.array_registry import handles, register
from keraslint.source.array_shapes import _is_int
from keraslint.source.array_values import PANDAS_FRAME as FRAME
from keraslint.source.array_values import PANDAS_SERIES as SERIES
from keraslint.source.array_values import as_array, make
from keraslint.source.values import NOT_MODELLED, Array, ListValue, Obj
from keraslint.values import UNKNOWN

if TYPE_CHECKING:
    from keraslint.source.interpreter import CallSite, Interpreter

ILOC = "pandas.DataFrame.iloc"
LOC = "pandas.DataFrame.loc"
_MAX_COLUMNS = csv_headers.MAX_COLUMNS


def frame(node: Any, *, columns: tuple | None = None, width: int | None = None, rows: int | None = None,
          source: str | None = None) -> Obj:
    if columns is not None:
        if len(columns) > _MAX_COLUMNS:
            columns = None
        else:
            width = len(columns)
    return Obj(FRAME, node, {"columns": columns, "width": width, "rows": rows, "source": source})


def series(node: Any, rows: int | None, source: str | None = None) -> Obj:
    return Obj(SERIES, node, {"rows": rows, "source": source})


def is_frame(value: Any) -> bool:
    return isinstance(value, Obj) and not isinstance(value, Array) and value.type == FRAME


def is_series(value: Any) -> bool:
    return isinstance(value, Obj) and not isinstance(value, Array) and value.type == SERIES


def _like(df: Obj, node: Any, **changes: Any) -> Obj:
    """A frame computed from ``df``: its columns, rows and source unless changed."""
    data = {"columns": df.data.get("columns"), "width": df.data.get("width"), "rows": df.data.get("rows"),
            "source": df.data.get("source"), **changes}
    if "width" in changes and "columns" not in changes:
        data["columns"] = None
    return frame(node, **data)


def forget(df: Obj) -> None:
    """The frame changed in a way the pass does not follow (in place, every alias sees it)."""
    df.data.update(columns=None, width=None, rows=None)


def _label(value: Any) -> bool:
    return isinstance(value, str) or _is_int(value) and not isinstance(value, bool)


def _labels(value: Any) -> list | None:
    """A literal list of column labels (``["a", "b"]``); None for anything else."""
    items = value.items if isinstance(value, ListValue) else None
    if items is None or not all(_label(item) for item in items):
        return None
    return list(items)


def _count(columns: tuple, label: Any) -> int:
    return sum(1 for c in columns if c == label and type(c) is type(label))


# -- sources -------------------------------------------------------------------------------------

@handles("pandas.read_csv")
def _read_csv(interp: Interpreter, site: CallSite) -> Any:
    path = site.arg(0, "filepath_or_buffer")
    source = f"pd.read_csv({path!r})" if isinstance(path, str) else "pd.read_csv(...)"
    if site.star_args or not isinstance(path, str):
        return frame(site.node, source=source)
    return frame(site.node, columns=_csv_columns(interp, site, path), source=source)


#: read_csv keywords that leave the columns as the header gives them
_HARMLESS = frozenset({"sep", "delimiter", "header", "names", "index_col", "usecols", "encoding", "dtype",
                       "na_values", "keep_default_na", "na_filter", "low_memory", "engine", "parse_dates",
                       "nrows", "skipfooter", "thousands", "decimal", "true_values", "false_values", "verbose",
                       "on_bad_lines", "memory_map", "float_precision", "dtype_backend"})


def _csv_columns(interp: Interpreter, site: CallSite, path: str) -> tuple | None:
    if set(site.kwargs) - _HARMLESS or len(site.args) > 2:
        return None
    sep = site.arg(1, "sep", default=site.kwargs.get("delimiter", ","))
    header = site.kwargs.get("header", "infer")
    names = site.kwargs.get("names")
    if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
        return None  # None / regex separators: the python engine's sniffing
    if names is not None:
        given = _labels(names)
        if given is None or header not in ("infer", None, 0):
            return None
        columns: tuple | None = tuple(given)
    else:
        if header not in ("infer", 0):
            fields = None if header is not None else _fields(interp, path, sep)
            columns = None if fields is None else tuple(range(len(fields)))
        else:
            fields = _fields(interp, path, sep)
            columns = None if fields is None else csv_headers.column_names(fields)
    if columns is None:
        return None
    return _index_and_usecols(columns, site.kwargs.get("index_col"), site.kwargs.get("usecols"))


def _fields(interp: Interpreter, path: str, sep: str) -> list[str] | None:
    line = csv_headers.header_line(getattr(interp, "script_dir", None), path)
    return None if line is None else csv_headers.split_header(line, sep)


def _index_and_usecols(columns: tuple, index_col: Any, usecols: Any) -> tuple | None:
    if usecols is not None:
        wanted = _labels(usecols)
        if wanted is None:
            return None
        if all(isinstance(w, str) for w in wanted):
            if any(_count(columns, w) != 1 for w in wanted):
                return None  # pandas raises for a missing name
            columns = tuple(c for c in columns if c in wanted)  # in the file's order
        elif all(_is_int(w) for w in wanted):
            if any(not 0 <= w < len(columns) for w in wanted):
                return None
            columns = tuple(c for position, c in enumerate(columns) if position in wanted)
        else:
            return None
    if index_col is None or index_col is False:
        return columns
    if usecols is not None:
        return None  # index_col then counts within the used columns: not worth modelling
    if isinstance(index_col, str) and _count(columns, index_col) == 1:
        return tuple(c for c in columns if c != index_col)
    if _is_int(index_col) and not isinstance(index_col, bool) and -len(columns) <= index_col < len(columns):
        keep = list(columns)
        del keep[index_col]
        return tuple(keep)
    return None


@handles("pandas.DataFrame")
def _data_frame(interp: Interpreter, site: CallSite) -> Any:
    if site.star_args or site.has(1, "index"):
        return frame(site.node)
    data = site.arg(0, "data", default=None)
    given = site.arg(2, "columns", default=None)
    names = _labels(given) if given is not None else None
    if given is not None and names is None:
        return frame(site.node)
    if isinstance(data, dict):
        return _from_dict(site, data, names)
    if is_frame(data):
        if names is not None:
            return _select(data, site.node, names)
        return _like(data, site.node)
    array = as_array(data)
    if array is None or array.shape is None or len(array.shape) not in (1, 2):
        return frame(site.node)
    rows = array.shape[0]
    width = array.shape[1] if len(array.shape) == 2 else 1
    if names is not None:
        if width is not None and width != len(names):
            return frame(site.node)  # pandas raises: the shape does not fit the names
        return frame(site.node, columns=tuple(names), rows=rows, source=array.source)
    columns = tuple(range(width)) if width is not None else None
    return frame(site.node, columns=columns, rows=rows, source=array.source)


def _from_dict(site: CallSite, data: dict, names: list | None) -> Obj:
    lengths = set()
    for value in data.values():
        array = as_array(value)
        if array is None or array.shape is None or len(array.shape) != 1:
            return frame(site.node)  # scalars need an index; nested values are objects
        lengths.add(array.shape[0])
    if len(lengths) > 1:
        return frame(site.node)  # "All arrays must be of the same length" (or unknown lengths)
    rows = lengths.pop() if lengths else 0
    # columns= picks (and orders) the keys; a name that is not a key is a column of NaN
    return frame(site.node, columns=tuple(names) if names is not None else tuple(data), rows=rows)


@handles("pandas.get_dummies")
def _get_dummies(interp: Interpreter, site: CallSite) -> Any:
    data = site.arg(0, "data")
    rows = data.data.get("rows") if is_frame(data) or is_series(data) else None
    return frame(site.node, rows=rows, source=data.data.get("source") if isinstance(data, Obj) else None)


# -- selecting columns ---------------------------------------------------------------------------

def _select(df: Obj, node: Any, labels: list) -> Any:
    """``df[["a", "b"]]``: the listed columns (each as often as the frame has it)."""
    columns = df.data.get("columns")
    if columns is None:
        distinct = len(set(labels)) == len(labels)
        return _like(df, node, width=len(labels) if distinct else None)
    picked: list = []
    for label in labels:
        if _count(columns, label) == 0:
            return UNKNOWN  # KeyError
        picked.extend(c for c in columns if c == label and type(c) is type(label))
    return _like(df, node, columns=tuple(picked))


def _column(df: Obj, node: Any, label: Any) -> Any:
    """``df["a"]``: a Series (a frame when the label is repeated)."""
    columns = df.data.get("columns")
    if columns is not None and _count(columns, label) != 1:
        return UNKNOWN if _count(columns, label) == 0 else _select(df, node, [label])
    return series(node, df.data.get("rows"), df.data.get("source"))


def subscript(base: Any, indices: list[Any], node: Any = None) -> Any:
    """``df["a"]``, ``df[["a", "b"]]``, ``df.iloc[...]``, ``df.loc[...]``; NOT_MODELLED otherwise."""
    if isinstance(base, Obj) and base.type in (ILOC, LOC) and not isinstance(base, Array):
        df = base.data["frame"]
        return (_iloc if base.type == ILOC else _loc)(df, node, indices)
    if is_series(base):
        return UNKNOWN
    if not is_frame(base):
        return NOT_MODELLED
    if len(indices) != 1:
        return UNKNOWN
    key = indices[0]
    if _label(key):
        return _column(base, node, key)
    if (labels := _labels(key)) is not None:
        return _select(base, node, labels)
    if isinstance(key, slice):
        return _like(base, node, rows=_sliced(base.data.get("rows"), key))
    return UNKNOWN  # a mask, a tuple (a MultiIndex key) ...


def _sliced(length: int | None, part: slice) -> int | None:
    if length is None or not all(p is None or _is_int(p) and not isinstance(p, bool)
                                 for p in (part.start, part.stop, part.step)):
        return None
    if part.step == 0:
        return None
    return len(range(length)[part])


def _iloc(df: Obj, node: Any, indices: list[Any]) -> Any:
    items = list(indices[0]) if len(indices) == 1 and isinstance(indices[0], tuple) else list(indices)
    if not items or len(items) > 2:
        return UNKNOWN
    row, col = items[0], items[1] if len(items) == 2 else slice(None)
    rows = df.data.get("rows")
    if not isinstance(row, slice):
        return UNKNOWN  # a row of the frame (or one cell): not modelled
    rows = _sliced(rows, row)
    columns, width = df.data.get("columns"), df.data.get("width")
    if _is_int(col) and not isinstance(col, bool):
        if width is not None and not -width <= col < width:
            return UNKNOWN  # IndexError
        return series(node, rows, df.data.get("source"))
    if isinstance(col, slice):
        if columns is not None and _sliced(len(columns), col) is not None:
            return _like(df, node, columns=columns[col], rows=rows)
        return _like(df, node, width=_sliced(width, col), rows=rows)
    if (positions := _labels(col)) is not None and all(_is_int(p) for p in positions):
        if width is not None and not all(-width <= p < width for p in positions):
            return UNKNOWN
        if columns is not None:
            return _like(df, node, columns=tuple(columns[p] for p in positions), rows=rows)
        return _like(df, node, width=len(positions), rows=rows)
    return UNKNOWN


def _loc(df: Obj, node: Any, indices: list[Any]) -> Any:
    items = list(indices[0]) if len(indices) == 1 and isinstance(indices[0], tuple) else list(indices)
    if len(items) != 2 or items[0] != slice(None):
        return UNKNOWN  # rows chosen by label: their count is not known
    col = items[1]
    if _label(col):
        return _column(df, node, col)
    if (labels := _labels(col)) is not None:
        return _select(df, node, labels)
    columns = df.data.get("columns")
    if isinstance(col, slice) and col.step is None and columns is not None:
        names = [c for c in (col.start, col.stop) if c is not None]
        if any(_count(columns, c) != 1 for c in names):
            return UNKNOWN
        start = columns.index(col.start) if col.start is not None else 0
        stop = columns.index(col.stop) + 1 if col.stop is not None else len(columns)
        return _like(df, node, columns=columns[start:stop])  # label slices include their end
    return UNKNOWN


def attribute(obj: Obj, name: str) -> Any:
    """``df.values``, ``df.shape``, ``df.iloc`` ...; NOT_MODELLED for other objects and names."""
    if is_frame(obj):
        if name == "values":
            return as_array(obj)
        if name == "shape":
            rows, width = obj.data.get("rows"), obj.data.get("width")
            return (UNKNOWN if rows is None else rows, UNKNOWN if width is None else width)
        if name == "ndim":
            return 2
        if name in ("iloc", "loc"):
            return Obj(ILOC if name == "iloc" else LOC, obj.node, {"frame": obj})
        if name in ("columns", "index", "dtypes", "T", "at", "iat", "size"):
            return UNKNOWN
        return NOT_MODELLED
    if is_series(obj):
        if name == "values":
            return as_array(obj)
        if name == "shape":
            rows = obj.data.get("rows")
            return (UNKNOWN if rows is None else rows,)
        if name == "ndim":
            return 1
        if name in ("index", "dtype", "name", "str", "dt", "cat", "iloc", "loc", "size"):
            return UNKNOWN
    return NOT_MODELLED


# -- methods ---------------------------------------------------------------------------------------

def _to_numpy(interp: Interpreter, site: CallSite) -> Any:
    if site.receiver is None:
        return UNKNOWN  # the method called unbound, on no instance
    array = as_array(site.receiver, site.node)
    if array is None:
        return UNKNOWN
    dtype = site.arg(0, "dtype", default=None)
    return make(site.node, array.shape, dtype_name(dtype) if dtype is not None else None, source=array.source)


def _inplace(site: CallSite) -> bool | None:
    value = site.kwargs.get("inplace", False)
    return value if isinstance(value, bool) else None


def _dropped(site: CallSite) -> list | None:
    """The column labels ``drop`` removes; None when it drops rows or is not known."""
    columns = site.kwargs.get("columns")
    if columns is None:
        axis = site.kwargs.get("axis", 0)
        if axis not in (1, "columns") or site.has(None, "index"):
            return None
        columns = site.arg(0, "labels", default=None)
    if _label(columns):
        return [columns]
    return _labels(columns)


def _drop(interp: Interpreter, site: CallSite) -> Any:
    df = site.receiver
    if df is None:
        return UNKNOWN
    labels = _dropped(site)
    result: Any
    current = df.data.get("columns")
    ignore = site.kwargs.get("errors", "raise") == "ignore"
    if labels is None or site.star_args or site.has(None, "level"):
        rows_only = labels is None and (site.has(None, "index") or site.kwargs.get("axis", 0) in (0, "index"))
        result = _like(df, site.node, rows=None) if rows_only and not site.star_args else frame(site.node)
    elif current is None:
        result = frame(site.node, rows=df.data.get("rows"), source=df.data.get("source"))
    elif not ignore and any(_count(current, label) == 0 for label in labels):
        result = UNKNOWN  # KeyError: not found in axis
    else:
        kept = tuple(c for c in current if not any(c == label and type(c) is type(label) for label in labels))
        result = _like(df, site.node, columns=kept)
    return _maybe_in_place(interp, site, df, result)


def _maybe_in_place(interp: Interpreter, site: CallSite, df: Obj, result: Any) -> Any:
    """With ``inplace=True`` the frame becomes the result and the call gives None."""
    inplace = _inplace(site)
    if inplace is False:
        return result
    if inplace is None or interp.uncertain or not is_frame(result):
        forget(df)
    else:
        df.data.update(columns=result.data["columns"], width=result.data["width"], rows=result.data["rows"])
    return None if inplace is True else UNKNOWN


def _pop(interp: Interpreter, site: CallSite) -> Any:
    df = site.receiver
    if df is None:
        return UNKNOWN
    label = site.arg(0, "item")
    columns = df.data.get("columns")
    if not _label(label):
        forget(df)
        return UNKNOWN
    popped = series(site.node, df.data.get("rows"), df.data.get("source"))
    if columns is None:
        width = df.data.get("width")
        df.data.update(width=width - 1 if width and not interp.uncertain else None)
        return popped
    if _count(columns, label) != 1:
        forget(df)  # KeyError, or a frame of the repeated columns
        return UNKNOWN
    if interp.uncertain:
        df.data.update(columns=None, width=None)  # the rows stay as they are either way
    else:
        kept = tuple(c for c in columns if not (c == label and type(c) is type(label)))
        df.data.update(columns=kept, width=len(kept))
    return popped


def _keeping(rows: bool) -> Any:
    """Methods that keep every column (``astype``, ``fillna`` ...); ``rows``: and the rows."""
    def keep(interp: Interpreter, site: CallSite) -> Any:
        df = site.receiver
        if df is None:
            return UNKNOWN
        if df.type == SERIES:
            result: Any = series(site.node, df.data.get("rows") if rows else None, df.data.get("source"))
            return result if _inplace(site) is False else UNKNOWN
        result = _like(df, site.node, rows=df.data.get("rows") if rows else None)
        return _maybe_in_place(interp, site, df, result)

    return keep


def _dropna(interp: Interpreter, site: CallSite) -> Any:
    if site.receiver is not None and site.kwargs.get("axis", 0) not in (0, "index"):
        return _maybe_in_place(interp, site, site.receiver, frame(site.node))  # drops columns
    return _keeping(False)(interp, site)


def _head(interp: Interpreter, site: CallSite) -> Any:
    df = site.receiver
    if df is None:
        return UNKNOWN
    n, rows = site.arg(0, "n", default=5), df.data.get("rows")
    count = min(n, rows) if rows is not None and _is_int(n) and n >= 0 else None
    if df.type == SERIES:
        return series(site.node, count, df.data.get("source"))
    return _like(df, site.node, rows=count)


def _insert(interp: Interpreter, site: CallSite) -> Any:
    df = site.receiver
    if df is None:
        return UNKNOWN
    at, label = site.arg(0, "loc"), site.arg(1, "column")
    columns = df.data.get("columns")
    if interp.uncertain or not _label(label) or not _is_int(at) or columns is None or not 0 <= at <= len(columns) \
            or _count(columns, label):
        forget(df)  # (a label already there raises unless allow_duplicates=True)
    else:
        df.data.update(columns=(*columns[:at], label, *columns[at:]), width=len(columns) + 1)
    return None


def _assign(interp: Interpreter, site: CallSite) -> Any:
    df = site.receiver
    if df is None or site.args or site.star_args:
        return UNKNOWN
    columns = df.data.get("columns")
    if columns is None:
        return frame(site.node, rows=df.data.get("rows"), source=df.data.get("source"))
    added = tuple(k for k in site.kwargs if _count(columns, k) == 0)
    return _like(df, site.node, columns=columns + added)


def set_item(interp: Interpreter, df: Any, keys: list[Any], value: Any) -> bool:
    """``df["c"] = value`` (a new or replaced column); ``df.loc[...] = ...`` and anything else
    forget the columns. False when ``df`` is not a frame (or its indexer)."""
    if isinstance(df, Obj) and df.type in (ILOC, LOC) and not isinstance(df, Array):
        forget(df.data["frame"])  # df.loc[:, "new"] = 0 adds a column
        return True
    if not is_frame(df):
        return is_series(df)
    columns = df.data.get("columns")
    if interp.uncertain or len(keys) != 1 or not _label(keys[0]) or columns is None:
        forget(df)
    elif _count(columns, keys[0]) == 0:
        df.data.update(columns=(*columns, keys[0]), width=len(columns) + 1)
    return True


def set_attribute(interp: Interpreter, df: Any, name: str, value: Any) -> None:
    """``df.columns = [...]`` renames the columns; their count stays (pandas checks it)."""
    if is_frame(df) and name == "columns":
        names = _labels(value)
        width = df.data.get("width")
        if names is not None and not interp.uncertain and (width is None or width == len(names)):
            df.data.update(columns=tuple(names), width=len(names))
        else:
            df.data.update(columns=None)


#: modelled DataFrame methods; any other one given ``inplace=`` forgets the columns (see mutated)
_METHODS: dict[str, Any] = {
    "to_numpy": _to_numpy, "drop": _drop, "pop": _pop, "head": _head, "tail": _head, "insert": _insert,
    "assign": _assign, "dropna": _dropna,
    **{name: _keeping(True) for name in ("astype", "fillna", "copy", "sort_values", "replace", "abs", "round",
                                         "clip", "interpolate", "bfill", "ffill", "sort_index")},
    **{name: _keeping(False) for name in ("sample", "drop_duplicates")},
}
for _name, _handler in _METHODS.items():
    register(f"{FRAME}.{_name}", _handler)
for _name in ("to_numpy", "astype", "fillna", "copy", "head", "tail", "abs", "round", "clip"):
    register(f"{SERIES}.{_name}", _METHODS[_name])


def mutated(interp: Interpreter, site: CallSite) -> None:
    """Before a call on a frame: one the model does not follow that may change it in place
    (``df.set_index("id", inplace=True)``, ``df.rename(..., inplace=True)``) forgets its columns."""
    receiver = site.receiver
    if not is_frame(receiver):
        return
    method = site.name.rsplit(".", 1)[-1]
    if method not in _METHODS and (site.star_args or site.kwargs.get("inplace", False) is not False
                                   or method in ("update", "__setitem__", "set_axis", "rename_axis")):
        forget(receiver)

