import copy
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from keraslint.diagnostics import Diagnostic, Edit, Fix, Location, Pass, Severity
from keraslint.reporters import render


def load_schema() -> dict[str, Any]:
    # Package data, so it must be reachable from an installed wheel as well as the checkout.
    text = files("keraslint").joinpath("schemas/diagnostics.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


SCHEMA = load_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

PLAIN = Diagnostic(
    code="KL301",
    name="stride-drops-samples",
    severity=Severity.WARNING,
    pass_=Pass.GRAPH,
    message="drops the last 2 timesteps",
    filename="train.py",
    location=Location(12, 5),
    end_location=Location(12, 61),
    noqa_row=12,
)
FIXED = Diagnostic(
    code="KL101",
    name="unseeded-training",
    severity=Severity.WARNING,
    pass_=Pass.SOURCE,
    message="no global seed",
    filename="train.py",
    location=Location(1, 1),
    end_location=Location(3, 1),
    fix=Fix(
        "Add keras.utils.set_random_seed(0)",
        "unsafe",
        (Edit("import keras\nkeras.utils.set_random_seed(0)\n", Location(1, 1), Location(1, 1)),),
    ),
)
IN_CELL = Diagnostic(
    code="KL201",
    name="input-shape-mismatch",
    severity=Severity.ERROR,
    pass_=Pass.GRAPH,
    message="x has 5 features, the model expects 4",
    filename="nb.ipynb",
    location=Location(2, 1),
    end_location=Location(2, 16),
    noqa_row=2,
    cell=3,
)


def rendered(*diagnostics: Diagnostic) -> list[dict[str, Any]]:
    text = render("json", diagnostics, files_checked=2, source_line=lambda d: None, color=False)
    return json.loads(text)


def test_schema_is_valid_draft_2020_12() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_rendered_output_validates() -> None:
    output = rendered(PLAIN, FIXED, IN_CELL)
    VALIDATOR.validate(output)
    assert output[1]["fix"]["edits"][0]["location"] == {"row": 1, "column": 1}
    assert output[2]["cell"] == 3
    VALIDATOR.validate(rendered())


def test_schema_lists_exactly_the_fields_of_to_json() -> None:
    item = SCHEMA["$defs"]["diagnostic"]
    assert set(item["required"]) == set(item["properties"]) == set(PLAIN.to_json())
    fix = SCHEMA["$defs"]["fix"]
    assert set(fix["required"]) == set(rendered(FIXED)[0]["fix"])


def _broken(mutate) -> list[dict[str, Any]]:
    output = copy.deepcopy(rendered(FIXED))
    mutate(output[0])
    return output


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(code="E501"),
        lambda d: d.update(code="KL1011"),
        lambda d: d.update(name="Unseeded_Training"),
        lambda d: d.update(severity="fatal"),
        lambda d: d.update(**{"pass": "runtime"}),
        lambda d: d.update(cell=0),
        lambda d: d.update(cell="3"),
        lambda d: d.update(noqa_row="1"),
        lambda d: d["location"].update(row=0),
        lambda d: d["end_location"].update(column=0),
        lambda d: d["location"].update(extra=1),
        lambda d: d.update(extra="field"),
        lambda d: d.pop("url"),
        lambda d: d.pop("fix"),
        lambda d: d["fix"].update(applicability="maybe"),
        lambda d: d["fix"]["edits"][0].pop("content"),
        lambda d: d["fix"]["edits"][0]["location"].update(row=-1),
        lambda d: d.update(fix="Add a seed"),
    ],
)
def test_broken_objects_are_rejected(mutate) -> None:
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(_broken(mutate))


def test_top_level_must_be_an_array() -> None:
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(rendered(PLAIN)[0])
