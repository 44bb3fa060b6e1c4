from pathlib import Path

import pytest

from keraslint.selection import (
    RuleInfo,
    UnknownSelectorError,
    per_file_ignored,
    resolve,
    validate_selector,
)

RULES = [
    RuleInfo("KL001", "invalid-syntax", "error"),
    RuleInfo("KL002", "unreadable-input", "error"),
    RuleInfo("KL009", "internal-error", "error"),
    RuleInfo("KL101", "unseeded-training", "warning"),
    RuleInfo("KL102", "partially-seeded-randomness", "warning"),
    RuleInfo("KL103", "seed-after-model-creation", "warning"),
    RuleInfo("KL104", "nondeterministic-ops", "info"),
    RuleInfo("KL201", "input-shape-mismatch", "error"),
    RuleInfo("KL206", "unscaled-input-data", "info"),
    RuleInfo("KL301", "stride-drops-samples", "warning"),
    RuleInfo("KL303", "asymmetric-same-padding", "info"),
]
ALWAYS = {"KL001", "KL002", "KL009"}
ALL = {r.code for r in RULES}


@pytest.mark.parametrize("selector", ["ALL", "KL", "KL1", "KL10", "KL101", "KL0", "unseeded-training"])
def test_valid_selectors(selector: str) -> None:
    validate_selector(selector, RULES)


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("KL10l", "unknown rule selector 'KL10l' (did you mean 'KL101'?)"),
        ("kl101", "unknown rule selector 'kl101' (did you mean 'KL101'?)"),
        (
            "unseeded_training",
            "unknown rule selector 'unseeded_training' (did you mean 'unseeded-training'?)",
        ),
        ("KL9", "unknown rule selector 'KL9' (did you mean 'KL009'?)"),  # a prefix must match a code
        ("KL1O4", "unknown rule selector 'KL1O4' (did you mean 'KL104'?)"),
        (
            "stride-drop-samples",
            "unknown rule selector 'stride-drop-samples' (did you mean 'stride-drops-samples'?)",
        ),
        ("zzz", "unknown rule selector 'zzz'"),
        ("K", "unknown rule selector 'K'"),
        ("", "unknown rule selector ''"),
        ("all", "unknown rule selector 'all' (did you mean 'ALL'?)"),
    ],
)
def test_unknown_selectors(selector: str, message: str) -> None:
    with pytest.raises(UnknownSelectorError) as info:
        validate_selector(selector, RULES)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_default_is_errors_and_warnings() -> None:
    assert resolve(RULES, select=None) == ALL - {"KL104", "KL206", "KL303"}


def test_select_replaces_default_and_includes_info_by_prefix() -> None:
    assert resolve(RULES, select=["KL1"]) == {"KL101", "KL102", "KL103", "KL104"} | ALWAYS
    assert resolve(RULES, select=["ALL"]) == ALL
    assert resolve(RULES, select=["stride-drops-samples"]) == {"KL301"} | ALWAYS


def test_extend_select_adds_to_default() -> None:
    assert resolve(RULES, select=None, extend_select=["KL104"]) == resolve(RULES, select=None) | {"KL104"}


def test_more_specific_ignore_wins() -> None:
    assert resolve(RULES, select=["KL1"], ignore=["KL101"]) == {"KL102", "KL103", "KL104"} | ALWAYS


def test_more_specific_select_wins_over_ignore() -> None:
    active = resolve(RULES, select=None, extend_select=["KL104"], ignore=["KL1"])
    assert "KL104" in active
    assert not active & {"KL101", "KL102", "KL103"}
    assert resolve(RULES, select=["KL101"], ignore=["KL1"]) == {"KL101"} | ALWAYS
    assert resolve(RULES, select=["KL10"], ignore=["KL1"]) == {"KL101", "KL102", "KL103", "KL104"} | ALWAYS


def test_equal_specificity_ignore_wins() -> None:
    assert resolve(RULES, select=["KL1"], ignore=["KL1"]) == ALWAYS
    assert resolve(RULES, select=["KL101"], ignore=["unseeded-training"]) == ALWAYS


def test_always_on_rules_need_an_exact_ignore() -> None:
    assert resolve(RULES, select=None, ignore=["ALL"]) == ALWAYS
    assert resolve(RULES, select=None, ignore=["KL"]) == ALWAYS
    assert resolve(RULES, select=None, ignore=["KL0"]) == resolve(RULES, select=None)
    assert resolve(RULES, select=["KL3"], ignore=["KL001", "internal-error"]) == {"KL301", "KL303", "KL002"}


def test_resolve_rejects_unknown_selectors() -> None:
    with pytest.raises(UnknownSelectorError, match="KL999"):
        resolve(RULES, select=None, ignore=["KL999"])


def test_per_file_ignores(tmp_path: Path) -> None:
    table = {
        "tests/*": ["KL1"],
        "__init__.py": ["KL301"],
        "scripts/": ["ALL"],
        "!src/**": ["KL201"],
    }
    ignored = lambda rel: per_file_ignored(tmp_path / rel, tmp_path, table, RULES)  # noqa: E731
    assert ignored("tests/test_a.py") == {"KL101", "KL102", "KL103", "KL104", "KL201"}
    assert ignored("src/pkg/__init__.py") == {"KL301"}  # basename match at any depth
    assert ignored("src/tests/a.py") == set()  # "tests/*" is anchored at the root
    assert ignored("scripts/deep/x.py") == ALL - ALWAYS | {"KL201"} - ALWAYS
    assert ignored("src/train.py") == set()


def test_per_file_ignores_keep_always_on_rules_unless_exact(tmp_path: Path) -> None:
    table = {"*.py": ["KL"], "gen_*.py": ["KL001"]}
    assert "KL001" not in per_file_ignored(tmp_path / "a.py", tmp_path, table, RULES)
    assert "KL001" in per_file_ignored(tmp_path / "gen_a.py", tmp_path, table, RULES)
    assert "KL002" not in per_file_ignored(tmp_path / "gen_a.py", tmp_path, table, RULES)


def test_per_file_ignores_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    table = {"tests/*.py": ["KL101"]}
    assert per_file_ignored(Path("tests/a.py"), tmp_path, table, RULES) == {"KL101"}
    assert per_file_ignored(Path("/elsewhere/tests/a.py"), tmp_path, table, RULES) == set()
