"""Shape-engine tests: Keras runs as the oracle here, so configure it before anything imports it."""

from __future__ import annotations

import os

# Must happen before the first `import keras` anywhere in the session.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import pytest  # noqa: E402

from .oracle_stats import STATS  # noqa: E402


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not STATS.cases:
        return
    tr = terminalreporter
    tr.section("keraslint shape engine vs Keras (oracle)")
    tr.write_line(f"{'layer':<26}{'cases':>8}{'rejected':>10}{'known-diff':>12}")
    for kind in sorted(STATS.cases):
        tr.write_line(f"{kind:<26}{STATS.cases[kind]:>8}{STATS.rejected[kind]:>10}{STATS.known[kind]:>12}")
    total = sum(STATS.cases.values())
    compared = total - sum(STATS.known.values())
    tr.write_line(
        f"total: {total} generated cases over {len(STATS.cases)} layer kinds; "
        f"{compared} compared with Keras ({sum(STATS.rejected.values())} rejected by both), "
        f"{sum(STATS.known.values())} skipped as documented known differences"
    )
