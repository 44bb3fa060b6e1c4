"""The base of the interpreter's trackers that only collect facts (interpreter.Tracker)."""

from __future__ import annotations

from typing import Any


class StatelessTracker:
    """A tracker that collects facts as calls happen and keeps no flow-sensitive state: nothing
    to fork at a branch or to merge after it."""

    def on_call(self, site: Any) -> None:
        return None

    def snapshot(self) -> None:
        return None

    def restore(self, snap: None) -> None:
        return None

    def join(self, a: None, b: None) -> None:
        return None
