"""Regenerate the rule table in README.md and docs/rules.md from the rule registry.

Run `python scripts/update_docs.py` after adding or changing a rule; tests/test_docs.py fails
while either file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from keraslint.explain import rule_pages, rule_table

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def readme_with_table(readme: str) -> str:
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{rule_table()}\n{END}{tail}"


def main() -> int:
    readme = ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")
    (ROOT / "docs" / "rules.md").write_text(rule_pages(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
