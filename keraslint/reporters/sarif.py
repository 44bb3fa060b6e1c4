"""``sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from keraslint import __version__
from keraslint.diagnostics import Diagnostic, Location, rule_url
from keraslint.reporters.machine import dumps

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/keraslint/keraslint"
#: the base of relative artifact URIs, as GitHub code scanning and the SARIF SDK name it
SRCROOT = "%SRCROOT%"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _rules() -> list[dict[str, Any]]:
    from keraslint.registry import all_rules

    rules = []
    for rule in all_rules():
        explanation = rule.explain()
        rules.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": explanation.split("\n", 1)[0]},
            "help": {"text": explanation, "markdown": explanation},
            "helpUri": rule_url(rule.code, rule.name),
            "defaultConfiguration": {"level": _LEVEL[rule.severity.value]},
            "properties": {"pass": rule.pass_.value, "tags": [rule.pass_.value]},
        })
    return rules


def artifact_uri(filename: str) -> str:
    """``artifactLocation.uri``: SARIF 2.1.0 (3.4.3) wants a valid RFC 3986 URI reference.

    A name below the current folder is a relative reference with forward slashes, every other
    character percent-encoded (``with space.py`` -> ``with%20space.py``; ``:`` too, so a first
    segment never reads as a scheme; an undecodable byte as itself: ``%FF``); a name outside
    it an absolute ``file:`` URI.
    """
    path = PurePath(filename)
    if path.is_absolute():
        return path.as_uri()
    return quote(os.fsencode(path.as_posix()), safe="/")


def artifact_location(filename: str) -> dict[str, str]:
    """A relative URI names its base (SARIF 3.4.4: uriBaseId SHOULD be present), the run's
    current folder, given in ``originalUriBaseIds``."""
    uri = artifact_uri(filename)
    return {"uri": uri} if uri.startswith("file:") else {"uri": uri, "uriBaseId": SRCROOT}


def _result(diagnostic: Diagnostic, index: dict[str, int], where: tuple[Location, Location] | None) -> dict[str, Any]:
    # A notebook's finding: the region is in the .ipynb file's JSON, where GitHub can show it;
    # the cell and the row and column inside it are in the properties and the message.
    start, end = where or (diagnostic.location, diagnostic.end_location)
    region = {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }
    text = diagnostic.message
    if diagnostic.cell is not None:
        text = f"cell {diagnostic.cell}, line {diagnostic.location.row}: {text}"
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": _LEVEL[diagnostic.severity.value],
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(diagnostic.filename),
                                             "region": region}}],
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    if diagnostic.cell is not None:
        result["properties"] = {"cell": diagnostic.cell, "cellLine": diagnostic.location.row,
                                "cellColumn": diagnostic.location.column}
    return result


def render_sarif(diagnostics: Sequence[Diagnostic], *,
                 file_location: Callable[[Diagnostic], tuple[Location, Location] | None] | None = None,
                 **_: Any) -> str:
    rules = _rules()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "keraslint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            # an absolute URI ending in a slash (3.14.14): the folder relative URIs start from
            "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().absolute().as_uri().rstrip("/") + "/"}},
            "results": [_result(d, index, file_location(d) if file_location is not None and d.cell is not None
                                else None) for d in diagnostics],
            "columnKind": "unicodeCodePoints",
        }],
    }
    return dumps(log, indent=2) + "\n"
