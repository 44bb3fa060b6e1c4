"""The ecosystem check: keraslint over real code, compared with a reviewed baseline.

Like ruff's ecosystem check, this runs the installed keraslint (as a user would: the CLI, JSON
output) over folders of real, correct Keras code and compares every finding with a baseline in
which each one was reviewed by hand: ``true`` (a real defect or real non-determinism),
``false`` (a false alarm: a keraslint bug), ``debatable``, or ``unreviewed``.

    python scripts/ecosystem.py ../shared/corpora            # report
    python scripts/ecosystem.py ../shared/corpora --check    # exit 1 on a false/unreviewed error
    python scripts/ecosystem.py ../shared/corpora --update-baseline   # record new findings

For each folder (each PATH, grouped by its immediate subfolders) it prints the files, the models
found and how many are fully shaped (no axis keraslint could not determine, as ``check
--show-coverage`` counts them) with the commonest first reasons for the others, the findings by code for the default selection and for
``--select ALL``, and every finding that is new, gone or judged false; the last line has the
totals. Any folder works (a monorepo too); ``--baseline`` names the file (default: the one beside
this script). Only ``--check`` changes the exit code: 1 when an error-severity finding is
unreviewed or judged false, so a rule change that cries wolf at error severity cannot land.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_BASELINE = Path(__file__).resolve().parent / "ecosystem-baseline.json"
VERDICTS = ("true", "false", "debatable", "unreviewed")
Key = tuple[str, "int | None", int, str]


@dataclass
class Finding:
    file: str  # relative to the folder given on the command line
    cell: int | None
    row: int
    code: str
    severity: str
    message: str
    default: bool  # also reported by the default selection

    @property
    def key(self) -> Key:
        return (self.file, self.cell, self.row, self.code)

    def where(self) -> str:
        cell = f"cell {self.cell}:" if self.cell is not None else ""
        return f"{self.file}:{cell}{self.row}"


def _keraslint(args: list[str]) -> Any:
    """Run the installed keraslint on ``args`` and parse its JSON output."""
    command = [sys.executable, "-m", "keraslint", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise SystemExit(f"ecosystem: `{' '.join(command)}` failed ({done.returncode}): {done.stderr.strip()[:500]}")
    return json.loads(done.stdout)


def _relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(filename).as_posix()


def collect(root: Path) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Findings (``--select ALL``, marked with whether the default selection has them too) and the
    model summaries of ``keraslint shapes``."""
    common = ["--no-cache", "--exit-zero", "--output-format", "json", str(root)]
    default = {(_relative(d["filename"], root), d.get("cell"), d["location"]["row"], d["code"])
               for d in _keraslint(["check", *common])}
    findings = [Finding(_relative(d["filename"], root), d.get("cell"), d["location"]["row"], d["code"],
                        d["severity"], d["message"], False)
                for d in _keraslint(["check", "--select", "ALL", *common])]
    for finding in findings:
        finding.default = finding.key in default
    models = _keraslint(["shapes", "--output-format", "json", str(root)])
    for model in models:
        model["filename"] = _relative(model["filename"], root)
    return findings, models


def fully_shaped(model: dict[str, Any]) -> bool:
    """keraslint's own definition (``keraslint shapes`` JSON, ``check --show-coverage``): the model
    was resolved and no output axis of any layer is ``"?"`` (undetermined; null is a dynamic axis
    the model declares, which is known)."""
    if "fully_shaped" in model:
        return bool(model["fully_shaped"])
    return bool(model["complete"]) and bool(model["layers"]) and not any(
        _undetermined(layer["output_shape"]) for layer in model["layers"])


def _undetermined(shape: Any) -> bool:
    if shape == "?":
        return True
    return isinstance(shape, list) and any(_undetermined(d) for d in shape)


def first_reason(model: dict[str, Any]) -> str:
    """The model's first unknown reason as a category: without its line and quoted code, so that
    the same cause in different files counts once."""
    reasons = model.get("unknown") or ["no reason recorded"]
    text = re.sub(r" \((?:\S+ )?line \d+\)$", "", str(reasons[0]))
    return re.sub(r"`[^`]*`", "`…`", text)


def _coverage(models: list[dict[str, Any]]) -> str:
    shaped = sum(fully_shaped(m) for m in models)
    share = f"{100 * shaped / len(models):.0f}% fully shaped" if models else "no models"
    causes = Counter(first_reason(m) for m in models if not fully_shaped(m))
    top = "; ".join(f"{reason} ({n})" for reason, n in causes.most_common(3))
    return f"   coverage: {share}" + (f"; first reasons: {top}" if top else "")


def load_baseline(path: Path) -> dict[Key, dict[str, Any]]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = {}
    for entry in data["findings"]:
        if entry["verdict"] not in VERDICTS:
            raise SystemExit(f"ecosystem: {path}: unknown verdict {entry['verdict']!r} for {entry['file']}")
        entries[(entry["file"], entry.get("cell"), entry["row"], entry["code"])] = entry
    return entries


def write_baseline(path: Path, findings: list[Finding], old: dict[Key, dict[str, Any]]) -> None:
    """Keep every verdict still current, add new findings as unreviewed, drop gone ones."""
    entries = []
    for finding in sorted(findings, key=lambda f: (f.file, f.cell or 0, f.row, f.code)):
        previous = old.get(finding.key, {})
        entries.append({"file": finding.file, "cell": finding.cell, "row": finding.row, "code": finding.code,
                        "severity": finding.severity, "message": finding.message,
                        "verdict": previous.get("verdict", "unreviewed"), "why": previous.get("why", "")})
    text = json.dumps({"version": 1, "findings": entries}, indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def _group(file: str) -> str:
    head, _, rest = file.partition("/")
    return head if rest else "."


def _counts(findings: Iterable[Finding]) -> str:
    counts = Counter(f.code for f in findings)
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items())) or "none"


@dataclass
class Totals:
    files: int = 0
    models: int = 0
    shaped: int = 0
    findings: int = 0
    default: int = 0
    errors: int = 0
    false_errors: int = 0
    unreviewed_errors: int = 0
    warnings: int = 0
    false_warnings: int = 0
    debatable_warnings: int = 0
    new: int = 0
    gone: int = 0


def report(root: Path, findings: list[Finding], models: list[dict[str, Any]], files: list[str],
           baseline: dict[Key, dict[str, Any]], totals: Totals, out: Any) -> None:
    current = {f.key for f in findings}
    gone = [entry for key, entry in baseline.items() if key not in current and
            (key[0] in files)]
    groups = sorted({_group(f) for f in files})
    for group in groups:
        mine = [f for f in findings if _group(f.file) == group]
        group_models = [m for m in models if _group(m["filename"]) == group]
        group_files = [f for f in files if _group(f) == group]
        label = root.as_posix() if group == "." else f"{root.as_posix()}/{group}"
        shaped = sum(fully_shaped(m) for m in group_models)
        print(f"== {label}: {len(group_files)} files, {len(group_models)} models found, {shaped} fully shaped", file=out)
        print(_coverage(group_models), file=out)
        print(f"   default selection: {_counts(f for f in mine if f.default)}", file=out)
        print(f"   --select ALL:      {_counts(mine)}", file=out)
        for finding in mine:
            entry = baseline.get(finding.key)
            verdict = entry["verdict"] if entry else None
            if entry is None:
                print(f"   new    {finding.where()}: {finding.code} [{finding.severity}] {finding.message}", file=out)
            elif verdict == "false":
                print(f"   false  {finding.where()}: {finding.code} [{finding.severity}] {finding.message}"
                      f"  -- {entry.get('why', '')}", file=out)
        for entry in gone:
            if _group(entry["file"]) == group:
                cell = f"cell {entry['cell']}:" if entry.get("cell") is not None else ""
                print(f"   gone   {entry['file']}:{cell}{entry['row']}: {entry['code']} ({entry['verdict']}) "
                      f"{entry.get('message', '')[:120]}", file=out)
        totals.models += len(group_models)
        totals.shaped += shaped
    totals.files += len(files)
    totals.findings += len(findings)
    totals.default += sum(f.default for f in findings)
    totals.gone += len(gone)
    for finding in findings:
        entry = baseline.get(finding.key)
        verdict = entry["verdict"] if entry else None
        totals.new += entry is None
        if finding.severity == "error":
            totals.errors += 1
            totals.false_errors += verdict == "false"
            totals.unreviewed_errors += verdict in (None, "unreviewed")
        elif finding.severity == "warning":
            totals.warnings += 1
            totals.false_warnings += verdict == "false"
            totals.debatable_warnings += verdict == "debatable"


def _files(root: Path) -> list[str]:
    """The files ``keraslint check`` reads under ``root`` (its own discovery)."""
    from keraslint.config import SettingsResolver
    from keraslint.run import CheckOptions, _collect, option_specs, rule_infos

    resolver = SettingsResolver(rules=rule_infos(), options=option_specs())
    return sorted(_relative(str(path), root) for path in _collect(CheckOptions(paths=[root]), resolver))


def summary(totals: Totals) -> str:
    """The figures the README quotes (tests/test_ecosystem.py keeps them current)."""
    share = f"{100 * totals.false_warnings / totals.warnings:.1f}%" if totals.warnings else "0.0%"
    return (f"ecosystem: {totals.files} files, {totals.models} models found ({totals.shaped} fully shaped); "
            f"errors: {totals.errors} ({totals.false_errors} false); warnings: {totals.warnings} "
            f"({totals.false_warnings} false = {share}, {totals.debatable_warnings} debatable)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, help="folders of real code")
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE, help="the reviewed baseline (JSON)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when an error-severity finding is unreviewed or judged false")
    parser.add_argument("--update-baseline", action="store_true",
                        help="write the baseline: keep verdicts, add new findings as unreviewed, drop gone ones")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.is_dir():
            parser.error(f"not a folder: {path}")
    baseline = load_baseline(args.baseline)
    totals = Totals()
    everything: list[Finding] = []
    for root in args.paths:
        findings, models = collect(root)
        files = _files(root)
        report(root, findings, models, files, baseline, totals, sys.stdout)
        everything.extend(findings)
    if args.update_baseline:
        write_baseline(args.baseline, everything, baseline)
    share = f"{100 * totals.false_warnings / totals.warnings:.1f}%" if totals.warnings else "0.0%"
    print(f"total: {totals.files} files, {totals.models} models ({totals.shaped} fully shaped), "
          f"{totals.findings} findings ({totals.default} in the default selection); "
          f"errors {totals.errors} ({totals.false_errors} false, {totals.unreviewed_errors} unreviewed), "
          f"warnings {totals.warnings} ({totals.false_warnings} false, {share}); "
          f"{totals.new} new, {totals.gone} gone")
    print(summary(totals))
    if args.check and (totals.false_errors or totals.unreviewed_errors):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
