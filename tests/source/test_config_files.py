"""Config files the script reads (json.load / yaml.safe_load of a literal path) are read as data."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from keraslint.checker import check_file, check_source
from keraslint.registry import all_rules
from keraslint.source import config_files
from keraslint.source.values import ListValue
from keraslint.values import UNKNOWN
from tests.source import run

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "config_files"
ALL = {r.code for r in all_rules()}
CONFIG = {"data": {"seq_len": 128, "channels": 3}, "model": {"filters": [16, 32, 64]}, "classes": 4, "lr": 0.001,
          "name": "net", "bn": True, "dropout": None}
YAML = """\
data:
  seq_len: 128
  channels: 3
model:
  filters: [16, 32, 64]
classes: 4
lr: 0.001
name: net
bn: true
dropout: null
"""


def plain(value: Any) -> Any:
    """The values a config gives, as Python data (to compare with what json would load)."""
    if isinstance(value, ListValue):
        return [plain(v) for v in value.items]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    (tmp_path / "config.yaml").write_text(YAML)
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "base.json").write_text(json.dumps(CONFIG))
    return tmp_path


@pytest.mark.parametrize("load", [
    "with open('config.json') as f:\n    cfg = json.load(f)\n",
    "cfg = json.load(open('config.json', encoding='utf-8'))\n",
    "cfg = json.loads(Path('config.json').read_text())\n",
    "cfg = json.loads(open('config.json', 'rb').read())\n",
    "with Path('configs', 'base.json').open() as f:\n    cfg = json.load(f)\n",
    "cfg = json.load(open(Path('configs').joinpath('base.json')))\n",
    "cfg = json.load(open(os.path.join('configs', 'base.json')))\n",
    "cfg = json.load(open(os.path.join(os.path.dirname(__file__), 'config.json')))\n",
    "cfg = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'configs/base.json')))\n",
    "cfg = json.loads((Path(__file__).parent / 'config.json').read_text())\n",
    "cfg = json.load(open(Path(__file__).resolve().parent / 'configs' / 'base.json'))\n",
    "cfg = json.load(open(Path(__file__).parent.joinpath('configs', 'base.json')))\n",
    "cfg = json.load(open(Path('configs').parent / 'config.json'))\n",
    "cfg = yaml.safe_load(open('config.yaml'))\n",
    "with open('config.yaml') as f:\n    cfg = yaml.load(f, Loader=yaml.SafeLoader)\n",
    "cfg = yaml.load(Path('config.yaml').read_text(), yaml.FullLoader)\n",
    "cfg = yaml.full_load(open('config.yaml'))\n",
])
def test_a_config_file_is_read_as_the_dict_a_literal_gives(project: Path, load: str) -> None:
    v = run("import json, os\nimport yaml\nfrom pathlib import Path\n" + load +
            "seq, ch = cfg['data']['seq_len'], cfg['data'].get('channels', 1)\n", script_dir=project)
    assert plain(v["cfg"]) == CONFIG
    assert isinstance(v["cfg"]["model"]["filters"], ListValue)
    assert (v["seq"], v["ch"]) == (128, 3)


def test_the_parent_of_a_folder_above_the_script_is_not_guessed(project: Path) -> None:
    v = run("import json\nfrom pathlib import Path\ncfg = json.load(open(Path(p).parent / 'config.json'))\n",
            script_dir=project)
    assert v["cfg"] is UNKNOWN


def test_a_loop_over_a_config_list_sizes_each_layer(project: Path) -> None:
    v = run("import json\nfrom tensorflow import keras\ncfg = json.load(open('config.json'))\n"
            "widths = []\nfor f in cfg['model']['filters']:\n    widths.append(f * 2)\n", script_dir=project)
    assert v["widths"].items == [32, 64, 128]


def test_a_literal_json_string_is_parsed() -> None:
    v = run("import json\ncfg = json.loads('{\"units\": [8, 4]}')\n")
    assert plain(v["cfg"]) == {"units": [8, 4]}


def test_each_load_gives_a_fresh_dict(project: Path) -> None:
    v = run("import json\na = json.load(open('config.json'))\nb = json.load(open('config.json'))\n"
            "a['classes'] = 10\n", script_dir=project)
    assert v["a"]["classes"] == 10 and v["b"]["classes"] == 4


@pytest.mark.parametrize(("files", "load"), [
    ({}, "cfg = json.load(open('config.json'))\n"),  # missing
    ({"config.json": '{"classes": 4,'}, "cfg = json.load(open('config.json'))\n"),  # malformed
    ({"config.json": b'\xff\xfe{'}, "cfg = json.load(open('config.json'))\n"),  # not text
    ({"config.yaml": "a: [1, 2\n"}, "cfg = yaml.safe_load(open('config.yaml'))\n"),
    ({"config.yaml": "!!python/object/apply:os.system ['true']\n"}, "cfg = yaml.safe_load(open('config.yaml'))\n"),
    ({"config.yaml": "!!python/object/apply:os.system ['true']\n"},
     "cfg = yaml.load(open('config.yaml'), Loader=yaml.Loader)\n"),  # parsed safely all the same
    ({"config.yaml": YAML}, "cfg = yaml.load(open('config.yaml'), Loader=yaml.BaseLoader)\n"),  # all strings
    ({"config.yaml": YAML}, "cfg = yaml.load(open('config.yaml'))\n"),  # PyYAML 6 needs a Loader
    ({"config.json": "{}"}, "cfg = json.load(open(sys.argv[1]))\n"),  # not a literal path
    ({"config.json": "{}"}, "cfg = json.load(open('config.json'), object_hook=dict)\n"),
    ({"config.json": "{}"}, "cfg = json.load(open('configs'))\n"),  # a folder
    ({"config.json": '{"a": 1}'}, "json.dump({'a': 2}, open('config.json', 'w'))\n"
                                  "cfg = json.load(open('config.json'))\n"),  # the script writes it first
    ({"config.yaml": "1: one\n2: two\n"}, "cfg = yaml.safe_load(open('config.yaml'))\n"),  # not string keys
    ({"config.yaml": "when: 2024-01-01\n"}, "cfg = yaml.safe_load(open('config.yaml'))['when']\n"),
    ({"config.json": json.dumps({"pad": "x" * (config_files.MAX_BYTES + 1)})}, "cfg = json.load(open('config.json'))\n"),
])
def test_what_cannot_be_read_is_unknown(tmp_path: Path, files: dict[str, Any], load: str) -> None:
    (tmp_path / "configs").mkdir()
    for name, content in files.items():
        path = tmp_path / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    v = run("import json, sys\nimport yaml\n" + load, script_dir=tmp_path)
    assert v["cfg"] is UNKNOWN


def test_yaml_aliases_cannot_blow_up(tmp_path: Path) -> None:
    lines = ["a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "loop.yaml").write_text("&x [*x]\n")
    v = run("import yaml\na = yaml.safe_load(open('bomb.yaml'))\nb = yaml.safe_load(open('loop.yaml'))\n",
            script_dir=tmp_path)
    assert v["a"] is UNKNOWN and v["b"] is UNKNOWN


def test_without_pyyaml_a_yaml_config_is_unknown(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml raises ImportError
    v = run("import yaml, json\ncfg = yaml.safe_load(open('config.yaml'))\nj = json.load(open('config.json'))\n",
            script_dir=project)
    assert v["cfg"] is UNKNOWN and plain(v["j"]) == CONFIG
    report = check_file(FIXTURES / "bad_labels_from_yaml.py", "bad_labels_from_yaml.py", selected=ALL)
    assert [d.code for d in report.diagnostics] == []


# -- through the real check path -------------------------------------------------------------

def codes(report: Any) -> list[tuple[int, str]]:
    return [(d.location.row, d.code) for d in report.diagnostics]


def test_a_config_value_that_makes_the_model_wrong_is_found() -> None:
    report = check_file(FIXTURES / "bad_channels_from_json.py", "bad_channels_from_json.py", selected=ALL)
    assert codes(report) == [(26, "KL202")]
    assert "has 6 channels" in report.diagnostics[0].message and "declared for 3" in report.diagnostics[0].message
    report = check_file(FIXTURES / "bad_labels_from_yaml.py", "bad_labels_from_yaml.py", selected=ALL)
    assert codes(report) == [(24, "KL205")]
    assert "5 classes but the output layer has 4 units" in report.diagnostics[0].message


def test_a_correct_config_driven_script_is_clean() -> None:
    report = check_file(FIXTURES / "good_config_from_yaml.py", "good_config_from_yaml.py", selected=ALL)
    assert codes(report) == []


def test_the_cli_reads_the_config_next_to_the_script(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run([sys.executable, "-m", "keraslint", "check", "--no-cache", "--output-format", "json",
                           str(FIXTURES / "bad_channels_from_json.py")], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert [d["code"] for d in json.loads(done.stdout)] == ["KL202"], done.stderr


SCRIPT = """\
import json
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
tf.config.experimental.enable_op_determinism()
cfg = json.load(open("config.json"))
model = keras.Sequential([keras.Input((cfg["seq_len"], cfg["channels"])), keras.layers.Conv1D(8, 3),
                          keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
model.compile("adam", "binary_crossentropy")
model.fit(np.zeros((64, 100, 3)), np.zeros((64,)))
"""


@pytest.mark.parametrize("content", [None, '{"seq_len": 100, "channels": ', "[1, 2]", '{"seq_len": 100}',
                                     '{"seq_len": 100, "channels": "6"}'])
def test_a_missing_or_malformed_config_gives_no_finding_and_no_crash(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "config.json").write_text(content)
    report = check_source(SCRIPT, "t.py", selected=ALL, script_dir=tmp_path)
    assert not [d for d in report.diagnostics if d.code.startswith("KL2") or d.code == "KL009"], report.diagnostics


def test_the_same_script_with_a_wrong_config_is_found(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"seq_len": 100, "channels": 6}')
    report = check_source(SCRIPT, "t.py", selected={"KL202"}, script_dir=tmp_path)
    assert [d.code for d in report.diagnostics] == ["KL202"]
    (tmp_path / "config.json").write_text('{"seq_len": 100, "channels": 3}')
    assert check_source(SCRIPT, "t.py", selected=ALL, script_dir=tmp_path).diagnostics == []
