"""The ecosystem check (scripts/ecosystem.py): its report and exit codes, and the shared corpora
of published, correct Keras code against the reviewed baseline (CONTRIBUTING.md).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ecosystem.py"
CORPORA = ROOT.parent / "shared" / "corpora"

_spec = importlib.util.spec_from_file_location("ecosystem", SCRIPT)
assert _spec is not None and _spec.loader is not None
ecosystem = importlib.util.module_from_spec(_spec)
sys.modules["ecosystem"] = ecosystem
_spec.loader.exec_module(ecosystem)

# An error (KL203: input_shape includes the sample axis) and a warning (KL101).
_BUGGY = """\
import numpy as np
import keras
x = np.zeros((32, 10))
model = keras.Sequential([keras.layers.Dense(1, input_shape=x.shape)])
model.compile(loss="mse")
model.fit(x, np.zeros(32))
"""
_CLEAN = "import keras\nkeras.utils.set_random_seed(0)\nprint('nothing to see')\n"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False,
                          cwd=ROOT)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "code" / "models").mkdir(parents=True)
    (tmp_path / "code" / "models" / "train.py").write_text(_BUGGY)
    (tmp_path / "code" / "clean.py").write_text(_CLEAN)
    return tmp_path


def _baseline(project: Path, verdicts: dict[str, str]) -> Path:
    path = project / "baseline.json"
    done = _run(str(project / "code"), "--baseline", str(path), "--update-baseline")
    assert done.returncode == 0, done.stderr
    data = json.loads(path.read_text())
    for entry in data["findings"]:
        entry["verdict"] = verdicts.get(entry["code"], entry["verdict"])
    path.write_text(json.dumps(data))
    return path


def test_report_lists_new_findings_and_totals(project: Path) -> None:
    done = _run(str(project / "code"), "--baseline", str(project / "none.json"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("== ") and "models: 1 files, 1 models found" in line for line in lines), done.stdout
    assert any("new    models/train.py:4: KL203 [error]" in line for line in lines), done.stdout
    total, summary = lines[-2], lines[-1]
    assert total.startswith("total: 2 files, 1 models")
    assert "errors 1 (0 false, 1 unreviewed)" in total and "3 new, 0 gone" in total
    assert summary == "ecosystem: 2 files, 1 models found (1 fully shaped); errors: 1 (0 false); warnings: 1 (0 false = 0.0%, 0 debatable)"


def test_check_fails_on_an_unreviewed_or_false_error_only(project: Path) -> None:
    path = _baseline(project, {})
    assert all(e["verdict"] == "unreviewed" for e in json.loads(path.read_text())["findings"])
    assert _run(str(project / "code"), "--baseline", str(path), "--check").returncode == 1
    assert _run(str(project / "code"), "--baseline", str(path)).returncode == 0  # report only
    path = _baseline(project, {"KL203": "false", "KL101": "true"})
    done = _run(str(project / "code"), "--baseline", str(path), "--check")
    assert done.returncode == 1 and "false  models/train.py:4: KL203" in done.stdout
    path = _baseline(project, {"KL203": "true", "KL101": "false"})
    done = _run(str(project / "code"), "--baseline", str(path), "--check")
    assert done.returncode == 0, done.stdout  # a false warning is counted, not fatal
    assert "warnings 1 (1 false, 100.0%)" in done.stdout.splitlines()[-2]


def test_update_keeps_verdicts_and_reports_gone_findings(project: Path) -> None:
    path = _baseline(project, {"KL203": "true"})
    (project / "code" / "models" / "train.py").write_text(_BUGGY.replace("input_shape=x.shape", "input_shape=x.shape[1:]"))
    done = _run(str(project / "code"), "--baseline", str(path))
    assert "gone   models/train.py:4: KL203 (true)" in done.stdout
    assert _run(str(project / "code"), "--baseline", str(path), "--update-baseline").returncode == 0
    codes = {e["code"]: e["verdict"] for e in json.loads(path.read_text())["findings"]}
    assert "KL203" not in codes and codes.get("KL101") == "unreviewed"


def test_bad_arguments_are_one_line_errors(tmp_path: Path) -> None:
    done = _run(str(tmp_path / "missing"))
    assert done.returncode == 2 and "not a folder" in done.stderr


@pytest.mark.skipif(not CORPORA.is_dir(), reason="the shared corpora are not beside this checkout")
def test_shared_corpora_match_the_reviewed_baseline(tmp_path: Path) -> None:
    """Zero false or unreviewed errors, at most 2% false warnings, every warning reviewed."""
    baseline = ecosystem.load_baseline(ecosystem.DEFAULT_BASELINE)
    findings, models = ecosystem.collect(CORPORA)
    totals = ecosystem.Totals()
    report = tmp_path / "ecosystem-report.txt"
    with open(report, "w", encoding="utf-8") as out:
        ecosystem.report(CORPORA, findings, models, ecosystem._files(CORPORA), baseline, totals, out)
    unreviewed = [f"{f.where()}: {f.code} {f.message}" for f in findings if f.severity in ("error", "warning")
                  and baseline.get(f.key, {}).get("verdict", "unreviewed") == "unreviewed"]
    assert unreviewed == [], "review these and record them (CONTRIBUTING.md):\n" + "\n".join(unreviewed)
    assert totals.false_errors == 0, report.read_text()
    assert totals.false_warnings <= 0.02 * totals.warnings, report.read_text()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- ecosystem:start -->\n", 1)[1].split("\n<!-- ecosystem:end -->", 1)[0]
    assert shown == ecosystem.summary(totals), "update the ecosystem figures in README.md"
