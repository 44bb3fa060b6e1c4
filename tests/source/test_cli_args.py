"""argparse options and config dicts size models: the script as run with no options given."""

from __future__ import annotations

from pathlib import Path
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


# -- messages say which option default a finding depends on ----------------------------------

OPTIONS = """\
import argparse
import numpy as np
import keras

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default="100")
parser.add_argument("-c", "--channels", dest="n_channels", type=int, default=6)
parser.add_argument("--classes", type=int, default=5)
args = parser.parse_args()
keras.utils.set_random_seed(0)
"""


def messages(code: str, selected: set[str]) -> list[tuple[str, str]]:
    from keraslint.checker import check_source

    return [(d.code, d.message) for d in check_source(code, "train.py", selected=selected).diagnostics]


def test_kl202_names_the_option_default() -> None:
    found = messages(OPTIONS + "model = keras.Sequential([keras.Input((args.seq_len, args.n_channels)), "
                               "keras.layers.Conv1D(8, 3)])\nmodel.compile('adam', 'mse')\n"
                               "model.fit(np.zeros((32, 100, 3)), np.zeros((32, 98, 8)))\n", {"KL202"})
    assert len(found) == 1
    assert "declared for 6 (None, 100, 6)" in found[0][1]
    assert "(declared at line 11) with the default `--channels 6`; Keras stops" in found[0][1]


def test_kl201_and_kl205_name_the_option_defaults() -> None:
    found = messages(OPTIONS + "model = keras.Sequential([keras.Input((args.seq_len, 3)), keras.layers.Flatten(), "
                               "keras.layers.Dense(args.classes, activation='softmax')])\n"
                               "model.compile('adam', 'categorical_crossentropy')\n"
                               "model.fit(np.zeros((32, 90, 3)), keras.utils.to_categorical(np.zeros(32), 3))\n",
                     {"KL201", "KL205"})
    assert dict(found)["KL201"].count("with the default `--seq-len 100`") == 1
    assert "(90 vs 100) with the default `--seq-len 100`" in dict(found)["KL201"]
    assert dict(found)["KL205"].endswith("has 5 units with the default `--classes 5`")
    found = messages(OPTIONS + "model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(args.classes)])\n"
                               "model.compile('adam', 'mse')\nmodel.fit(np.zeros((32, 8)), np.zeros((32, 2)))\n",
                     {"KL205"})
    assert "have width 2 with the default `--classes 5`: Keras stops" in found[0][1]


@pytest.mark.parametrize("channels", [
    "6",  # a literal
    "args.n_channels * 1",  # derived: no claim about where it came from
    "int(args.n_channels)",
    "(args.n_channels if flag else 6)",  # one branch has it, the other not
    "(args.n_channels if flag else args.width)",  # two options of the same value
])
def test_a_size_that_is_not_the_default_itself_claims_nothing(channels: str) -> None:
    code = OPTIONS.replace("args = parser", "parser.add_argument('--width', type=int, default=6)\nargs = parser") + (
        f"model = keras.Sequential([keras.Input((100, {channels})), keras.layers.Conv1D(8, 3)])\n"
        "model.compile('adam', 'mse')\nmodel.fit(np.zeros((32, 100, 3)), np.zeros((32, 98, 8)))\n")
    found = messages(code, {"KL202"})
    assert len(found) == 1 and "declared for 6" in found[0][1] and "default" not in found[0][1], found


def test_the_same_option_in_both_branches_keeps_its_origin() -> None:
    found = messages(OPTIONS + "ch = args.n_channels if flag else args.n_channels\n"
                               "model = keras.Sequential([keras.Input((100, ch)), keras.layers.Conv1D(8, 3)])\n"
                               "model.compile('adam', 'mse')\nmodel.fit(np.zeros((32, 100, 3)), np.zeros((32, 98, 8)))\n",
                     {"KL202"})
    assert "with the default `--channels 6`" in found[0][1]


def test_an_option_default_is_the_int_in_every_comparison() -> None:
    import copy
    import pickle

    from keraslint.source.values import FromOption, merge_values, same_value

    v = env(PARSER + "args = parser.parse_args()\nx = args.seq_len\ny = args.lr\n")
    assert type(v["x"]) is FromOption and v["x"].option == "--seq-len" and type(v["y"]) is float
    six = FromOption(6, "--channels")
    assert same_value(six, 6) and same_value((1, six), (1, 6)) and not same_value(six, 7)
    assert type(merge_values(six, 6)) is int and type(merge_values((1, six), (1, 6))[1]) is int
    assert merge_values(six, FromOption(6, "--channels")).option == "--channels"
    assert type(merge_values(six, FromOption(6, "--width"))) is int
    assert (str(six), repr(six), f"{six}", six + 1, type(six + 1)) == ("6", "6", "6", 7, int)
    assert pickle.loads(pickle.dumps(six)).option == "--channels" and copy.deepcopy(six).option == "--channels"


def test_without_argparse_merges_are_what_they_were() -> None:
    from keraslint.source.values import merge_values

    shape = (None, 100, 6)
    assert merge_values(shape, (None, 100, 6)) is shape  # the same object, as before FromOption existed
    assert merge_values(6, 6) == 6 and merge_values(6, 6.0) is UNKNOWN and merge_values(True, 1) is UNKNOWN
    # only the argparse model makes option values: a script without argparse never holds one
    import keraslint

    package = Path(keraslint.__file__).parent
    makers = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "FromOption(" in p.read_text()
                    and "class FromOption" not in p.read_text())
    assert makers == ["source/cli_args.py"]


@pytest.mark.parametrize("option", [
    "parser.add_argument('--units', type=int, default=4, required=True)",  # must be given
    "parser.add_argument('units', type=int, default=4)",  # a positional argument must be given
])
def test_defaults_that_never_reach_the_program_are_unknown(option: str) -> None:
    assert env(f"parser = argparse.ArgumentParser()\n{option}\nx = parser.parse_args().units\n")["x"] is UNKNOWN


def test_an_optional_positional_takes_its_default() -> None:
    v = env("parser = argparse.ArgumentParser()\nparser.add_argument('units', nargs='?', type=int, default=4)\n"
            "x = parser.parse_args().units\n")
    assert v["x"] == 4 and type(v["x"]) is int  # no option spelling to name
