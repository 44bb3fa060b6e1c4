"""The README and docs/rules.md are generated from the registry and must stay current."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from keraslint.explain import rule_pages, rule_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from update_docs import readme_with_table  # noqa: E402


def test_readme_rule_table_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rule_table() in readme
    assert readme_with_table(readme) == readme, "run `python scripts/update_docs.py`"


def test_rules_doc_is_current() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rule_pages(), "run `python scripts/update_docs.py`"


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_readme_starts_with_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme.split("## ", 1)[0]
    blocks = re.findall(r"```bash\n(.+?)\n```", head, flags=re.S)
    assert len(blocks) == 2 and all("\n" not in b for b in blocks)
    assert "keraslint check examples/" in blocks[0]
    assert "pytest" in blocks[1] and ".[test]" in blocks[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = re.findall(r"```bash\n(.+?)\n```", readme.split("## ", 1)[0])[1]
    install, run = test_command.split("&& ")[-2:]
    assert install.strip() in ci
    assert run.strip() in ci


def test_bundled_example_exists_and_has_findings() -> None:
    from keraslint.checker import check_file
    from keraslint.registry import all_rules

    example = ROOT / "examples" / "train_conv1d.py"
    report = check_file(example, "train_conv1d.py", selected={r.code for r in all_rules()})
    assert report.diagnostics


def test_pre_commit_hook_definition() -> None:
    hooks = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    for line in ("id: keraslint", "entry: keraslint check --force-exclude", "language: python",
                 "types_or: [python, jupyter]", "require_serial: true"):
        assert line in hooks


def test_readme_counts_of_verified_losses_and_applications_are_current() -> None:
    from keraslint.graph.losses import LOSSES
    from keraslint.shapes.application_table import APPLICATIONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"for {len(LOSSES)} of Keras 3's 22 built-in" in readme
    assert f"keras.applications networks: {len(APPLICATIONS)}." in readme


def test_readme_count_of_modelled_data_sources_is_current() -> None:
    from keraslint.source import data_sources, tfds_catalog

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"Modelled data sources: {data_sources.count()} (" in readme, "keraslint/source/data_sources.py counts"
    assert f" {len(tfds_catalog.CATALOG)} TFDS datasets," in readme


def test_the_slow_files_of_the_quick_subset_exist() -> None:
    from conftest import SLOW_FILES

    assert [name for name in SLOW_FILES if not (ROOT / "tests" / name).is_file()] == []
