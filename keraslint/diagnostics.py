"""What a rule reports, in the shape every reporter and the JSON schema share."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Pass(str, enum.Enum):
    SOURCE = "source"
    GRAPH = "graph"


# The explain pages are generated into docs/rules.md (one anchor per rule) from the registry.
DOCS_URL = "https://github.com/keraslint/keraslint/blob/main/docs/rules.md#{anchor}"


def rule_url(code: str, name: str) -> str:
    return DOCS_URL.format(anchor=f"{code}-{name}".lower())


@dataclass(frozen=True, order=True)
class Location:
    """1-based row and column; as an end location it is exclusive."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between ``location`` and ``end_location`` with ``content``."""

    content: str
    location: Location
    end_location: Location


@dataclass(frozen=True)
class Fix:
    message: str
    applicability: str  # "safe" | "unsafe"
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    pass_: Pass
    message: str
    filename: str
    location: Location
    end_location: Location
    noqa_row: int | None = None
    cell: int | None = None
    fix: Fix | None = None
    url: str = field(default="")

    def __post_init__(self) -> None:
        if not self.url:
            object.__setattr__(self, "url", rule_url(self.code, self.name))

    def sort_key(self) -> tuple[Any, ...]:
        return (self.filename, self.cell or 0, self.location, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        """The JSON object documented in schemas/diagnostics.schema.json (ruff's field names)."""
        fix = None
        if self.fix is not None:
            fix = {
                "message": self.fix.message,
                "applicability": self.fix.applicability,
                "edits": [
                    {
                        "content": e.content,
                        "location": {"row": e.location.row, "column": e.location.column},
                        "end_location": {"row": e.end_location.row, "column": e.end_location.column},
                    }
                    for e in self.fix.edits
                ],
            }
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity.value,
            "pass": self.pass_.value,
            "filename": self.filename,
            "cell": self.cell,
            "location": {"row": self.location.row, "column": self.location.column},
            "end_location": {"row": self.end_location.row, "column": self.end_location.column},
            "noqa_row": self.noqa_row,
            "url": self.url,
            "fix": fix,
        }


def diagnostic_from_json(data: dict[str, Any]) -> Diagnostic:
    """The inverse of ``Diagnostic.to_json`` (used by the cache)."""
    fix = None
    if data.get("fix"):
        raw = data["fix"]
        fix = Fix(raw["message"], raw["applicability"], tuple(
            Edit(e["content"], Location(**e["location"]), Location(**e["end_location"])) for e in raw["edits"]))
    return Diagnostic(code=data["code"], name=data["name"], severity=Severity(data["severity"]),
                      pass_=Pass(data["pass"]), message=data["message"], filename=data["filename"],
                      location=Location(**data["location"]), end_location=Location(**data["end_location"]),
                      noqa_row=data["noqa_row"], cell=data["cell"], fix=fix, url=data["url"])
