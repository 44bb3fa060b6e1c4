"""Saved models (.keras, .h5) read statically: keraslint.ir.saved against Keras as the oracle.

The fixtures in fixtures/models/ are made by fixtures/models/make_models.py. Keras loads each
one (safe_mode=True) and must agree with keraslint's reading of the config on every layer's
output shapes and on the parameter count; the models are also rebuilt here and compared in
memory. A Lambda whose function writes a marker file proves that reading a model runs nothing,
and hostile files give a one-line Unreadable reason, never a traceback.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

import importlib.util
import json
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keraslint.graph.propagate import AnalyzedModel, analyze_model
from keraslint.ir import saved
from keraslint.ir.graph import Layer, ModelGraph
from keraslint.ir.saved import load_saved_model, model_from_config
from keraslint.source.reading import Unreadable

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "models"


def _load_make_models() -> Any:
    spec = importlib.util.spec_from_file_location("keraslint_fixture_make_models", FIXTURES / "make_models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_models = _load_make_models()
VARIANTS = (".keras", ".h5", "_k2.h5")
FIXTURE_FILES = [f"{name}{variant}" for name in make_models.MODELS for variant in VARIANTS]
# Keras 3 cannot load these tf.keras 2 dialect files (it reads a first layer's batch_input_shape
# as an input_shape, and needs `module` on a wrapper's inner layer); the .keras file of the same
# model is the oracle for them.
KERAS_CANNOT_LOAD = {"conv1d_stride_k2.h5", "recurrent_outputs_k2.h5"}


@pytest.fixture(scope="module")
def keras() -> Any:
    return pytest.importorskip("keras")


# --------------------------------------------------------------------------- helpers


def ours(path: Path) -> tuple[ModelGraph, AnalyzedModel]:
    (graph,) = load_saved_model(path)
    return graph, analyze_model(graph)


def our_layer_outputs(analysis: AnalyzedModel) -> dict[str, list[tuple[Any, ...]]]:
    """Layer name -> the output shapes of each of its applications, in the top model."""
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for node in analysis.order:
        if node.layer is not None:
            found[str(node.layer.name)].append(tuple(analysis.result(node).outputs))
    return {name: sorted(shapes, key=repr) for name, shapes in found.items()}


def keras_layer_outputs(keras: Any, model: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The same, from the Keras model's own graph (every node of every layer in it)."""
    function = model._functional if isinstance(model, keras.Sequential) else model
    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for nodes in function._nodes_by_depth.values():
        for node in nodes:
            if isinstance(node.operation, keras.layers.InputLayer):
                continue
            found[node.operation.name].append(tuple(tuple(t.shape) for t in node.output_tensors))
    return {name: sorted(shapes, key=repr) for name, shapes in found.items()}


def assert_matches_keras(keras: Any, analysis: AnalyzedModel, model: Any, label: str) -> None:
    errors = [(node.layer.label if node.layer else "input", result.error)
              for _, node, result in analysis.walk() if result.error is not None]
    assert not errors, f"{label}: keraslint reports {errors} on a model Keras built"
    assert our_layer_outputs(analysis) == keras_layer_outputs(keras, model), label
    assert analysis.output_shapes() == [tuple(t.shape) for t in model.outputs], label
    assert [t.node.input_shape for t in analysis.graph.inputs] == [tuple(t.shape) for t in model.inputs], label
    assert analysis.total_params() == model.count_params(), label


def load_with_keras(keras: Any, path: Path) -> Any:
    return keras.saving.load_model(path, safe_mode=True, compile=False)


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def write_h5(path: Path, attrs: dict[str, Any], dataset: bool = False) -> Path:
    h5py = pytest.importorskip("h5py")
    with h5py.File(path, "w") as handle:
        for key, value in attrs.items():
            handle.attrs[key] = value
        if dataset:
            handle.create_dataset("weights", data=[1.0, 2.0, 3.0])
    return path


def fixture_config(name: str) -> Any:
    with zipfile.ZipFile(FIXTURES / name) as archive:
        return json.loads(archive.read("config.json"))


# --------------------------------------------------------------------------- Keras as the oracle


@pytest.mark.parametrize("filename", FIXTURE_FILES)
def test_fixture_matches_keras(keras: Any, filename: str) -> None:
    path = FIXTURES / filename
    _, analysis = ours(path)
    oracle = path if filename not in KERAS_CANNOT_LOAD else FIXTURES / (filename.split("_k2")[0] + ".keras")
    assert_matches_keras(keras, analysis, load_with_keras(keras, oracle), filename)


@pytest.mark.parametrize("name", [*make_models.MODELS, "lambda_marker"])
def test_regenerated_models_match_keras_in_memory(keras: Any, tmp_path: Path, name: str) -> None:
    model = make_models.build(name)
    model.save(tmp_path / f"{name}.keras")
    files = [tmp_path / f"{name}.keras"]
    if name != "lambda_marker":
        model.save(tmp_path / f"{name}.h5")
        make_models.write_keras2_h5(tmp_path / f"{name}.keras", tmp_path / f"{name}.h5", tmp_path / f"{name}_k2.h5",
                                    **make_models.KERAS2_STYLES.get(name, {}))
        files += [tmp_path / f"{name}.h5", tmp_path / f"{name}_k2.h5"]
    for path in files:
        _, analysis = ours(path)
        assert_matches_keras(keras, analysis, model, path.name)


def test_fixtures_are_small() -> None:
    files = [p for p in FIXTURES.iterdir() if p.suffix in (".keras", ".h5")]
    assert len(files) == len(FIXTURE_FILES) + 2
    for path in files:
        assert path.stat().st_size < 200_000, path.name


def test_keras1_config_reads_with_keras1_keywords() -> None:
    graph, analysis = ours(FIXTURES / "keras1_sequential.h5")
    assert graph.kind == "sequential"
    assert graph.inputs[0].node.input_shape == (None, 100, 8)
    conv, pool, flatten, dense = graph.layers()
    assert (conv.kind, conv.spelled, conv.name) == ("Conv1D", "Convolution1D", "convolution1d_1")
    assert conv.config["filters"] == 4 and conv.config["kernel_size"] == 5 and conv.config["strides"] == 3
    assert ("border_mode", "padding") in conv.renamed
    assert pool.config["pool_size"] == 2 and dense.config["units"] == 1
    assert [analysis.result(n).output for n in analysis.order[1:]] == [(None, 32, 4), (None, 16, 4), (None, 64),
                                                                       (None, 1)]
    assert analysis.total_params() == (5 * 8 * 4 + 4) + (64 + 1)


# --------------------------------------------------------------------------- the IR itself


def test_ir_shape_of_a_nested_model_with_a_shared_layer() -> None:
    graph, analysis = ours(FIXTURES / "nested.keras")
    assert graph.kind == "functional" and graph.name == "nested"
    assert [t.node.input_name for t in graph.inputs] == ["left", "right"]
    encoder = [layer for layer in graph.layers() if layer.kind == "Model"]
    assert len(encoder) == 1 and encoder[0].name == "encoder"
    assert isinstance(encoder[0].submodel, ModelGraph) and encoder[0].submodel.kind == "sequential"
    assert [layer.kind for layer in encoder[0].submodel.layers()] == ["Dense", "Dropout"]
    shared_nodes = [n for n in analysis.order if n.layer is not None and n.layer.name == "shared"]
    assert len(shared_nodes) == 2 and shared_nodes[0].layer is shared_nodes[1].layer
    assert all(layer.node is None for layer in graph.layers())
    assert len(analysis.nested) == 2  # the encoder runs once per call


def test_ir_of_recurrent_outputs_and_wrappers() -> None:
    for filename in ("recurrent_outputs.keras", "recurrent_outputs_k2.h5"):
        graph, analysis = ours(FIXTURES / filename)
        by_name = {layer.name: layer for layer in graph.layers()}
        lstm_node = next(n for n in analysis.order if n.layer is by_name["lstm"])
        assert lstm_node.output_count == 3
        assert analysis.result(lstm_node).outputs == ((None, 7, 3), (None, 3), (None, 3))
        inner = by_name["bi"].config["layer"]
        assert isinstance(inner, Layer) and inner.kind == "GRU" and inner.config["units"] == 2
        assert isinstance(by_name["bi"].config["backward_layer"], Layer)
        assert isinstance(by_name["td"].config["layer"], Layer) and by_name["td"].config["layer"].kind == "Dense"
        assert [t.index for t in graph.outputs] == [0, 0, 2]


def test_config_values_are_plain_python() -> None:
    (graph,) = load_saved_model(FIXTURES / "conv2d_pool.keras")
    by_name = {layer.name: layer for layer in graph.layers()}
    assert by_name["pad"].config["padding"] == ((1, 1), (0, 2))
    assert by_name["conv"].config["kernel_size"] == (3, 3) and by_name["conv"].config["padding"] == "same"
    assert by_name["pool"].config["pool_size"] == (2, 2)
    assert by_name["reshape"].config["target_shape"] == (100, 4)
    assert "dtype" not in by_name["conv"].config and "name" not in by_name["conv"].config
    (graph,) = load_saved_model(FIXTURES / "two_inputs.keras")
    assert {layer.name: layer.config.get("activation") for layer in graph.layers()} == {
        "dense_a": "relu", "dense_b": "relu", "concat": None, "out": "softmax"}


def test_weights_are_never_needed(tmp_path: Path) -> None:
    """Only config.json is read: a .keras zip holding nothing else loads the same."""
    config = fixture_config("nested.keras")
    path = write_zip(tmp_path / "bare.keras", {"config.json": json.dumps(config),
                                               "model.weights.h5": b"not hdf5 at all"})
    _, analysis = ours(path)
    _, reference = ours(FIXTURES / "nested.keras")
    assert analysis.total_params() == reference.total_params() == 91


def test_keras_ops_and_custom_classes_are_opaque() -> None:
    config = fixture_config("two_inputs.keras")
    layers = config["config"]["layers"]
    concat = next(layer for layer in layers if layer["name"] == "concat")
    concat["module"], concat["registered_name"] = "keras.src.ops.numpy", "Add"  # keras.ops.add, not layers.Add
    dense = next(layer for layer in layers if layer["name"] == "dense_a")
    dense["module"], dense["registered_name"] = "my_project.layers", "MyPackage>Dense"
    graph = model_from_config(config)
    kinds = {layer.name: (layer.kind, layer.spelled) for layer in graph.layers()}
    assert kinds["concat"] == ("Opaque", "Concatenate") and kinds["dense_a"] == ("Opaque", "Dense")
    analysis = analyze_model(graph)
    assert analysis.output_shapes() == [None]  # unknown, not a guess


def test_kl301_fires_on_the_saved_conv1d_model() -> None:
    from keraslint.checker import check_file
    from keraslint.registry import all_rules

    codes = {rule.code for rule in all_rules()}
    for filename in ("conv1d_stride.keras", "conv1d_stride.h5", "conv1d_stride_k2.h5", "keras1_sequential.h5"):
        report = check_file(FIXTURES / filename, filename, selected=codes)
        found = [d for d in report.diagnostics if d.code == "KL301"]
        assert len(found) == 1, (filename, report.diagnostics)
        assert "drops the last 2 timesteps" in found[0].message and "length 100" in found[0].message
    report = check_file(FIXTURES / "two_inputs.keras", "two_inputs.keras", selected=codes)
    assert not [d for d in report.diagnostics if d.severity in ("error", "warning")], report.diagnostics


# --------------------------------------------------------------------------- nothing is executed


@pytest.fixture
def marker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "lambda-ran.marker"
    monkeypatch.setenv(make_models.MARKER_ENV, str(path))
    monkeypatch.chdir(tmp_path)  # the Lambda's fallback path is relative
    return path


def test_lambda_is_never_executed(marker: Path) -> None:
    from keraslint.checker import check_file
    from keraslint.registry import all_rules

    path = FIXTURES / "lambda_marker.keras"
    graph, analysis = ours(path)
    lambda_layer = next(layer for layer in graph.layers() if layer.kind == "Lambda")
    assert lambda_layer.config == {"output_shape": (4,)} and lambda_layer.name == "writes_marker"
    assert analysis.output_shapes() == [(None, 1)] and analysis.total_params() == (4 * 4 + 4) + (4 + 1)
    report = check_file(path, path.name, selected={rule.code for rule in all_rules()})
    assert not [d for d in report.diagnostics if d.code in ("KL002", "KL009")], report.diagnostics
    result = subprocess.run([sys.executable, "-m", "keraslint", "check", "--select", "ALL", str(path)],
                            capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert not marker.exists(), "reading the model executed its Lambda"


def test_keras_refuses_the_lambda_in_safe_mode(keras: Any, marker: Path) -> None:
    with pytest.raises(ValueError, match="safe_mode"):
        load_with_keras(keras, FIXTURES / "lambda_marker.keras")
    assert not marker.exists()


def test_the_lambda_fixture_really_writes_its_marker(marker: Path) -> None:
    """Positive control: Keras with safe_mode=False rebuilds the function, and running the model
    runs it (so the test above means something). In a subprocess."""
    code = ("import keras, numpy, sys\n"
            "model = keras.saving.load_model(sys.argv[1], safe_mode=False, compile=False)\n"
            "model(numpy.zeros((1, 4), dtype='float32'))\n")
    result = subprocess.run([sys.executable, "-c", code, str(FIXTURES / "lambda_marker.keras")], capture_output=True,
                            text=True, env=os.environ.copy(), timeout=300)
    # The fixture's Lambda bytecode is marshalled by the Python that ran make_models.py; on another
    # Python version regenerate it (python fixtures/models/make_models.py) rather than skip.
    assert result.returncode == 0, f"Keras could not rebuild the Lambda: {result.stderr.strip().splitlines()[-1:]}"
    assert marker.exists() and marker.read_text() == "executed"


def test_reading_models_never_imports_keras_or_tensorflow() -> None:
    code = f"""
import sys
from pathlib import Path
from keraslint.ir.saved import load_saved_model
from keraslint.graph.propagate import analyze_model
for path in sorted(Path({str(FIXTURES)!r}).iterdir()):
    if path.suffix in (".keras", ".h5"):
        for graph in load_saved_model(path):
            analyze_model(graph)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras", "jax", "torch"))
print(heavy)
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- hostile input


def _functional(layers: list[dict[str, Any]], outputs: Any = None) -> dict[str, Any]:
    return {"class_name": "Functional", "config": {
        "name": "m", "layers": [{"class_name": "InputLayer", "name": "x", "config": {"batch_shape": [None, 4]},
                                 "inbound_nodes": []}, *layers],
        "input_layers": [["x", 0, 0]], "output_layers": outputs if outputs is not None else [["b", 0, 0]]}}


def _dense(name: str, *sources: tuple[str, int]) -> dict[str, Any]:
    return {"class_name": "Dense", "name": name, "config": {"units": 2},
            "inbound_nodes": [[[src, node, 0, {}]] for src, node in sources]}


def _keras_file(tmp_path: Path, config: Any) -> Path:
    return write_zip(tmp_path / "m.keras", {"config.json": json.dumps(config)})


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "not a zip": (lambda d: _bytes(d / "m.keras", b"hello, I am not a zip"), "not a zip archive"),
    "empty file": (lambda d: _bytes(d / "m.keras", b""), "not a zip archive"),
    "truncated zip": (lambda d: _bytes(d / "m.keras", (FIXTURES / "nested.keras").read_bytes()[:3000]), "zip"),
    "zip without config.json": (lambda d: write_zip(d / "m.keras", {"metadata.json": "{}"}), "no config.json"),
    "garbage json": (lambda d: write_zip(d / "m.keras", {"config.json": "{not json"}), "not valid JSON"),
    "binary config": (lambda d: write_zip(d / "m.keras", {"config.json": b"\xff\xfe\x00junk"}), "not UTF-8"),
    "json list": (lambda d: _keras_file(d, [1, 2, 3]), "not a Keras model"),
    "a layer, not a model": (lambda d: _keras_file(d, {"class_name": "Dense", "config": {"units": 3}}),
                             "describes a Dense layer, not a model"),
    "subclassed model": (lambda d: _keras_file(d, {"module": "__main__", "class_name": "MyModel", "config": {}}),
                         "subclassed"),
    "deep json": (lambda d: write_zip(d / "m.keras", {"config.json": "[" * 100_000 + "]" * 100_000}),
                  "nested too deeply"),
    "moderately deep json": (lambda d: _keras_file(d, {"class_name": "Sequential", "config": {
        "layers": [{"class_name": "Dense", "config": {"units": json.loads("[" * 400 + "]" * 400)}}]}}),
        "nested deeper than"),
    "huge int": (lambda d: write_zip(d / "m.keras", {"config.json": '{"class_name": ' + "9" * 10_000 + "}"}),
                 "not valid JSON"),
    "cycle": (lambda d: _keras_file(d, _functional([_dense("a", ("b", 0)), _dense("b", ("a", 0))])), "cycle"),
    "self loop": (lambda d: _keras_file(d, _functional([_dense("b", ("b", 0))])), "cycle"),
    "dangling layer": (lambda d: _keras_file(d, _functional([_dense("b", ("ghost", 0))])), "unknown layer 'ghost'"),
    "dangling node": (lambda d: _keras_file(d, _functional([_dense("a", ("x", 0)), _dense("b", ("a", 3))])),
                      "node 3 of layer 'a'"),
    "dangling output": (lambda d: _keras_file(d, _functional([_dense("b", ("x", 0))], [["nope", 0, 0]])),
                        "unknown layer 'nope'"),
    "no outputs": (lambda d: _keras_file(d, _functional([_dense("b", ("x", 0))], [])), "no outputs"),
    "duplicate names": (lambda d: _keras_file(d, _functional([_dense("b", ("x", 0)), _dense("b", ("x", 0))])),
                        "two layers are named 'b'"),
    "malformed node": (lambda d: _keras_file(d, _functional([{"class_name": "Dense", "name": "b", "config": {},
                                                              "inbound_nodes": ["oops"]}])), "malformed"),
    "negative index": (lambda d: _keras_file(d, _functional([_dense("b", ("x", -1))])), "not a valid index"),
    "layers not a list": (lambda d: _keras_file(d, {"class_name": "Functional", "config": {"layers": 3}}),
                          "no layer list"),
    "h5 without model_config": (lambda d: write_h5(d / "m.h5", {"keras_version": "2.15.0"}, dataset=True),
                                "no model_config"),
    "h5 with garbage config": (lambda d: write_h5(d / "m.h5", {"model_config": "{{{"}), "not valid JSON"),
    "h5 with numeric config": (lambda d: write_h5(d / "m.h5", {"model_config": 3}), "not text"),
    "h5 that is not hdf5": (lambda d: _bytes(d / "m.h5", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64), "HDF5"),
    "h5 that is text": (lambda d: _bytes(d / "m.h5", b"just text"), "HDF5"),
    "missing file": (lambda d: d / "absent.keras", "No such file"),
    "other suffix": (lambda d: _bytes(d / "m.bin", b"abc"), "not a saved Keras model"),
    "plain directory": (lambda d: _mkdir(d / "folder"), "directory"),
    "SavedModel folder": (lambda d: _saved_model(d / "export"),
                          "SavedModel folders are not supported: 'export' is a TensorFlow SavedModel; "
                          "save with model.save('m.keras')"),
}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _saved_model(path: Path) -> Path:
    path.mkdir()
    (path / "saved_model.pb").write_bytes(b"\x08\x01")
    (path / "variables").mkdir()
    return path


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_gives_a_one_line_reason(tmp_path: Path, case: str) -> None:
    make, fragment = HOSTILE[case]
    path = make(tmp_path)
    with pytest.raises(Unreadable) as caught:
        load_saved_model(path)
    reason = caught.value.reason
    assert reason and "\n" not in reason and len(reason) < 300, reason
    assert fragment in reason, reason


def test_oversized_config_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = json.dumps(fixture_config("nested.keras"))
    keras_path = write_zip(tmp_path / "big.keras", {"config.json": config})
    h5_path = write_h5(tmp_path / "big.h5", {"model_config": config})
    monkeypatch.setattr(saved, "MAX_CONFIG_BYTES", 1000)
    for path in (keras_path, h5_path):
        with pytest.raises(Unreadable, match="larger than"):
            load_saved_model(path)


def test_lying_zip_header_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A member that is bigger than its header says (a zip bomb) is still cut at the cap."""
    path = write_zip(tmp_path / "bomb.keras", {"config.json": " " * 5000 + "{}"})
    real_getinfo = zipfile.ZipFile.getinfo

    def lying_getinfo(self: zipfile.ZipFile, name: str) -> zipfile.ZipInfo:
        info = real_getinfo(self, name)
        info.file_size = 10
        return info

    monkeypatch.setattr(zipfile.ZipFile, "getinfo", lying_getinfo)
    monkeypatch.setattr(saved, "MAX_CONFIG_BYTES", 1000)
    with pytest.raises(Unreadable) as caught:
        load_saved_model(path)
    assert "\n" not in caught.value.reason


def test_checker_reports_unreadable_models_as_kl002(tmp_path: Path) -> None:
    from keraslint.checker import check_file

    path = _bytes(tmp_path / "broken.keras", b"nope")
    report = check_file(path, "broken.keras", selected={"KL002"})
    assert [d.code for d in report.diagnostics] == ["KL002"]
    assert "not a zip archive" in report.diagnostics[0].message


# --------------------------------------------------------------------------- fuzzing

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10**6) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)
_BASES = ["nested.keras", "recurrent_outputs.keras", "conv2d_pool.keras", "two_inputs.keras"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    copy = list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


_CONFIGS = {name: fixture_config(name) for name in _BASES}
_PATHS = {name: _paths(config) for name, config in _CONFIGS.items()}


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(base=st.sampled_from(_BASES), data=st.data(), mutations=st.integers(1, 3))
def test_mutated_configs_never_crash(base: str, data: st.DataObject, mutations: int) -> None:
    config = _CONFIGS[base]
    for _ in range(mutations):
        paths = _paths(config) if config is not _CONFIGS[base] else _PATHS[base]
        path = data.draw(st.sampled_from(paths))
        new = data.draw(_JSON | st.sampled_from([[["x", 0, 0]], ["ghost", 0, 0], [], {}, -1, "Functional",
                                                 {"class_name": "__keras_tensor__",
                                                  "config": {"keras_history": ["dense", 5, 9]}}]))
        config = _replace(config, path, new)
    try:
        graph = model_from_config(config)
    except Unreadable as exc:
        assert exc.reason and "\n" not in exc.reason
        return
    graph.nodes()
    analysis = analyze_model(graph)
    analysis.output_shapes()
    analysis.total_params()


@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(blob=st.binary(max_size=600), as_zip=st.booleans())
def test_arbitrary_bytes_never_crash(tmp_path_factory: pytest.TempPathFactory, blob: bytes, as_zip: bool) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = write_zip(folder / "m.keras", {"config.json": blob}) if as_zip else _bytes(folder / "m.keras", blob)
    try:
        for graph in load_saved_model(path):
            analyze_model(graph)
    except Unreadable as exc:
        assert exc.reason and "\n" not in exc.reason


# --------------------------------------------------------------------------- more shapes of configs


def _attention_model(keras: Any) -> Any:
    from keras import layers

    q = keras.Input((5, 8), name="q")
    v = keras.Input((7, 8), name="v")
    # Called by keyword (the config keeps query/value under kwargs) and positionally.
    # (return_attention_scores is a call argument the shape engine does not model: that
    # output is unknown, so it is left out here.)
    attended = layers.MultiHeadAttention(2, 4, name="mha")(query=q, value=v)
    positional = layers.MultiHeadAttention(1, 3, name="mha_pos")(q, v, v)
    merged = layers.Concatenate(name="cat")([attended, positional])
    return keras.Model([q, v], merged, name="attention")


def _embedding_model(keras: Any) -> Any:
    from keras import layers

    tokens = keras.Input((9,), dtype="int32", name="tokens")
    x = layers.Embedding(50, 6, name="embed")(tokens)
    x = layers.GRU(4, return_sequences=True, name="gru")(x)
    x = layers.Conv1DTranspose(3, 3, strides=2, name="up")(x)
    x = layers.UpSampling1D(2, name="upsample")(x)
    x = layers.LayerNormalization(name="ln")(x)
    return keras.Model(tokens, layers.GlobalAveragePooling1D(name="gap")(x), name="embedding")


def _deep_nesting_model(keras: Any) -> Any:
    from keras import layers

    inner_in = keras.Input((6,), name="inner_in")
    inner = keras.Model(inner_in, layers.Dense(3, name="inner_dense")(inner_in), name="inner")
    middle = keras.Sequential([keras.Input((6,), name="middle_in"), inner, layers.Dense(2, name="middle_dense")],
                              name="middle")
    x = keras.Input((6,), name="x")
    return keras.Model(x, layers.Add(name="sum")([middle(x), middle(x)]), name="outer")


@pytest.mark.parametrize("builder", [_attention_model, _embedding_model, _deep_nesting_model],
                         ids=lambda f: f.__name__.strip("_"))
def test_more_model_configs_match_keras(keras: Any, tmp_path: Path, builder: Callable[[Any], Any]) -> None:
    keras.utils.set_random_seed(0)
    model = builder(keras)
    for suffix in (".keras", ".h5"):
        path = tmp_path / f"model{suffix}"
        model.save(path)
        _, analysis = ours(path)
        assert_matches_keras(keras, analysis, model, path.name)
        assert_matches_keras(keras, analysis, load_with_keras(keras, path), path.name)


def test_tf_keras_op_layers_are_opaque_and_constants_skipped() -> None:
    """tf.keras 2 wraps `x * 2.0` as a TFOpLambda whose node lists a constant as _CONSTANT_VALUE."""
    config = _functional([
        {"class_name": "TFOpLambda", "name": "b", "config": {"name": "b", "function": "math.multiply"},
         "inbound_nodes": [[["x", 0, 0, {"y": 2.0, "name": None}], ["_CONSTANT_VALUE", -1, 2.0, {}]]]},
    ])
    graph = model_from_config(config)
    (layer,) = graph.layers()
    assert (layer.kind, layer.spelled, layer.name) == ("Opaque", "TFOpLambda", "b")
    assert analyze_model(graph).output_shapes() == [None]


def test_saved_model_protobuf_named_directly(tmp_path: Path) -> None:
    folder = _saved_model(tmp_path / "export")
    with pytest.raises(Unreadable, match="SavedModel folders are not supported"):
        load_saved_model(folder / "saved_model.pb")


def test_initial_state_dependencies_are_counted() -> None:
    """Tensors passed by keyword (initial_state) are dependency edges: the encoder stays in the graph."""
    def tensor(name: str, index: int) -> dict[str, Any]:
        return {"class_name": "__keras_tensor__", "config": {"keras_history": [name, 0, index]}}

    config = {"class_name": "Functional", "config": {"name": "s2s", "layers": [
        {"class_name": "InputLayer", "name": "e", "config": {"batch_shape": [None, 5, 3]}, "inbound_nodes": []},
        {"class_name": "InputLayer", "name": "d", "config": {"batch_shape": [None, 6, 2]}, "inbound_nodes": []},
        {"class_name": "LSTM", "name": "enc", "config": {"units": 4, "return_state": True},
         "inbound_nodes": [{"args": [tensor("e", 0)], "kwargs": {}}]},
        {"class_name": "LSTM", "name": "dec", "config": {"units": 4},
         "inbound_nodes": [{"args": [tensor("d", 0)], "kwargs": {"initial_state": [tensor("enc", 1), tensor("enc", 2)]}}]},
    ], "input_layers": [["e", 0, 0], ["d", 0, 0]], "output_layers": [["dec", 0, 0]]}}
    analysis = analyze_model(model_from_config(config))
    assert analysis.output_shapes() == [(None, 4)]
    assert analysis.total_params() == 240  # Keras' count_params() for this model


def test_absurd_tensor_index_is_refused(tmp_path: Path) -> None:
    config = _functional([{"class_name": "Dense", "name": "b", "config": {"units": 2},
                           "inbound_nodes": [[["x", 0, 0, {}]]]}], [["b", 0, 10**6]])
    with pytest.raises(Unreadable, match="not a valid index"):
        load_saved_model(_keras_file(tmp_path, config))
