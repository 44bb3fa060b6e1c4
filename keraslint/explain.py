"""Explain pages (``keraslint rule``) and the rule table, both generated from the registry."""

from __future__ import annotations

import difflib
from typing import Any

from keraslint.diagnostics import Severity, rule_url
from keraslint.registry import all_rules
from keraslint.rule import Rule


def find_rule(code_or_name: str) -> type[Rule] | str:
    """The rule for a code or kebab-case name, or a one-line error with the closest match."""
    wanted = code_or_name.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    choices = [r.code for r in all_rules()] + [r.name for r in all_rules()]
    close = difflib.get_close_matches(wanted.upper() if wanted[:2].upper() == "KL" else wanted.lower(),
                                      choices, n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown rule '{wanted}'{hint}; `keraslint rule --all` lists every rule"


def default_selected(rule: type[Rule]) -> bool:
    return rule.severity is not Severity.INFO


def rule_text(rule: type[Rule]) -> str:
    header = f"{rule.code} ({rule.name})"
    facts = (f"Severity: {rule.severity.value}. Pass: {rule.pass_.value}. "
             f"{'Selected by default.' if default_selected(rule) else 'Not selected by default (opt in with --extend-select).'}")
    parts = [header, "=" * len(header), facts, "", rule.explain()]
    if rule.options:
        parts += ["", "## Options ([tool.keraslint])"]
        parts += [f"- `{o.name}` ({o.type.__name__}, default {o.default!r}): {o.help}" for o in rule.options]
    return "\n".join(parts)


def rule_json(rule: type[Rule]) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity.value,
        "pass": rule.pass_.value,
        "summary": rule.summary,
        "default": default_selected(rule),
        "options": [{"name": o.name, "type": o.type.__name__, "default": o.default, "help": o.help} for o in rule.options],
        "explanation": rule.explain(),
        "url": rule_url(rule.code, rule.name),
    }


def rule_table() -> str:
    """The Markdown table the README embeds (tests/test_docs.py keeps it current)."""
    lines = ["| code | name | severity | pass | default | what |", "|---|---|---|---|---|---|"]
    for rule in all_rules():
        lines.append(f"| {rule.code} | [{rule.name}]({rule_url(rule.code, rule.name)}) | {rule.severity.value} | "
                     f"{rule.pass_.value} | {'yes' if default_selected(rule) else 'no'} | {rule.summary} |")
    return "\n".join(lines)
