"""argparse options and config dicts size models: the script as run with no options given."""

from __future__ import annotations

from typing import Any

import libcst as cst
import pytest

from keraslint.source.interpreter import Interpreter
from keraslint.values import UNKNOWN


def env(code: str) -> dict[str, Any]:
    interp = Interpreter(cst.parse_module("import argparse\n" + code))
    interp.run()
    return interp.module_frame.vars


PARSER = """\
parser = argparse.ArgumentParser(description="train")
parser.add_argument("--seq-len", type=int, default=100)
parser.add_argument("-f", "--features", type=int, default="8")
parser.add_argument("--lr", type=float, default="1e-3")
group = parser.add_argument_group("model")
group.add_argument("--stride", dest="strides", type=int, default=3)
parser.add_argument("--wide", action="store_true")
parser.add_argument("--no-bn", action="store_false", dest="bn")
parser.add_argument("--layers", action="append")
parser.add_argument("--name")
parser.add_argument("data_dir")
parser.set_defaults(epochs=10)
"""


def test_defaults_as_argparse_gives_them() -> None:
    v = env(PARSER + "args = parser.parse_args()\nconfig = vars(args)\n"
            "a, b, c, d, e, f = args.seq_len, args.features, args.lr, args.strides, args.wide, args.bn\n"
            "g, h, i, j = args.epochs, args.name, config['seq_len'], args.data_dir\n")
    assert (v["a"], v["b"], v["c"], v["d"], v["g"], v["i"]) == (100, 8, 0.001, 3, 10, 100)
    # meant to be given on the command line: flags and options without a default
    assert v["e"] is UNKNOWN and v["f"] is UNKNOWN and v["h"] is UNKNOWN and v["j"] is UNKNOWN


@pytest.mark.parametrize("tail", [
    "args = parser.parse_args(['--seq-len', '50'])\nx = args.seq_len\n",  # explicit arguments: not modelled
    "args = parser.parse_args()\nx = args.layers\n",  # append action
    "args = parser.parse_args()\nx = args.never_declared\n",
    "args, rest = parser.parse_known_args()\nx = rest\n",
    "if flag:\n    parser.add_argument('--units', type=int, default=4)\nargs = parser.parse_args()\nx = args.units\n",
])
def test_what_cannot_be_known_is_unknown(tail: str) -> None:
    assert env(PARSER + tail)["x"] is UNKNOWN


def test_attributes_set_after_parsing() -> None:
    v = env(PARSER + "args = parser.parse_args()\nargs.seq_len = 64\nx = args.seq_len\n"
            "if flag:\n    args.features = 3\ny = args.features\n")
    assert v["x"] == 64 and v["y"] is UNKNOWN


def test_config_dicts() -> None:
    v = env("CONFIG = {'model': {'units': [16, 32], 'kernel': 5}, 'lr': 0.1}\nparams = dict(CONFIG, lr=0.01)\n"
            "a = CONFIG['model']['units'][1]\nb = CONFIG['model'].get('stride', 1)\nc = params['lr']\n"
            "d = CONFIG.get('missing')\ne = CONFIG['missing']\n"
            "loaded = {}\nfor line in open('cfg'):\n    loaded[line] = 1\nf = loaded.get('units', 8)\n")
    assert (v["a"], v["b"], v["c"], v["d"]) == (32, 1, 0.01, None)
    assert v["e"] is UNKNOWN  # a KeyError at run time
    assert v["f"] is UNKNOWN  # the loop may have added 'units': the default is not certain


def test_a_model_sized_by_options_is_checked() -> None:
    from keraslint.checker import check_source

    code = (
        "import argparse\nimport keras\n"
        "def parse():\n    parser = argparse.ArgumentParser()\n"
        "    parser.add_argument('--seq-len', type=int, default=100)\n"
        "    parser.add_argument('--stride', type=int, default=3)\n    return parser.parse_args()\n"
        "args = parse()\nkeras.utils.set_random_seed(0)\n"
        "model = keras.Sequential([keras.Input((args.seq_len, 8)), keras.layers.Conv1D(16, 5, strides=args.stride)])\n")
    report = check_source(code, "train.py", selected={"KL301"})
    assert [(d.code, d.location.row) for d in report.diagnostics] == [("KL301", 10)]
    assert "on length 100 drops the last 2 timesteps" in report.diagnostics[0].message
