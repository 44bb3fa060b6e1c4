"""Explain pages (``keraslint rule``) and the rule table, both generated from the registry."""

from __future__ import annotations

from typing import Any

from keraslint.diagnostics import Severity, rule_url
from keraslint.registry import all_rules, rule_infos
from keraslint.rule import Rule
from keraslint.selection import suggest


def find_rule(code_or_name: str) -> type[Rule] | str:
    """The rule for a code or kebab-case name, or a one-line error with the closest match."""
    wanted = code_or_name.strip()
    for rule in all_rules():
        if wanted.upper() == rule.code or wanted.lower() == rule.name:
            return rule
    close = suggest(wanted, rule_infos())
    hint = f" (did you mean '{close}'?)" if close and close != "ALL" else ""
    return f"unknown rule '{wanted}'{hint}; `keraslint rule --all` lists every rule"


def default_selected(rule: type[Rule]) -> bool:
    return rule.severity is not Severity.INFO


def severity_text(rule: type[Rule]) -> str:
    """``warning``, or ``warning (error where Keras stops)`` for a rule whose findings differ."""
    return rule.severity.value + (f" ({rule.severity_note})" if rule.severity_note else "")


def rule_text(rule: type[Rule]) -> str:
    header = f"{rule.code} ({rule.name})"
    facts = (f"Severity: {severity_text(rule)}. Pass: {rule.pass_.value}. "
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
        "severity_note": rule.severity_note,
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
        lines.append(f"| {rule.code} | [{rule.name}]({rule_url(rule.code, rule.name)}) | {severity_text(rule)} | "
                     f"{rule.pass_.value} | {'yes' if default_selected(rule) else 'no'} | {rule.summary} |")
    return "\n".join(lines)


def rule_pages() -> str:
    """docs/rules.md: every explain page, one anchor per rule (the `url` of each finding)."""
    parts = ["# keraslint rules", "",
             "Generated from the rule registry by `python scripts/update_docs.py`; do not edit by hand.", "",
             rule_table(), ""]
    for rule in all_rules():
        parts += [f"## {rule.code} {rule.name}", "",
                  f"Severity: **{rule.severity.value}**"
                  f"{f' ({rule.severity_note})' if rule.severity_note else ''} · pass: {rule.pass_.value} · "
                  f"{'selected by default' if default_selected(rule) else 'opt-in'}", "",
                  _demote(rule.explain()), ""]
        if rule.options:
            parts += ["Options (`[tool.keraslint]`):", ""]
            parts += [f"- `{o.name}` ({o.type.__name__}, default `{o.default!r}`): {o.help}" for o in rule.options]
            parts.append("")
    return "\n".join(parts)


def _demote(markdown: str) -> str:
    """Explain pages use `##` headings; inside docs/rules.md they sit under a rule's `##`."""
    return "\n".join("#" + line if line.startswith("## ") else line for line in markdown.splitlines())
