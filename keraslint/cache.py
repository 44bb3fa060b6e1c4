"""A content-hash cache of per-file results, so unchanged files cost a hash and a read.

The key covers the file's bytes, its name (messages include it), the keraslint version and the
effective configuration (selected rules and rule options). An entry also records the project
modules the analysis read (``from model import build``) with their hashes: it is a miss as soon
as one of them changed, so editing ``model.py`` re-checks ``train.py``. Entries are small JSON
files in ``.keraslint_cache/`` under the current folder (or ``KERASLINT_CACHE_DIR``); a damaged
entry is a miss, never an error. Files a script reads through ``np.load`` are not part of the
key: use ``--no-cache`` after changing such a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keraslint import __version__
from keraslint.diagnostics import Diagnostic, diagnostic_from_json

_FORMAT = 2


def cache_dir() -> Path:
    return Path(os.environ.get("KERASLINT_CACHE_DIR") or ".keraslint_cache")


def key(data: bytes, filename: str, selected: Collection[str], options: Mapping[str, Any]) -> str:
    digest = hashlib.sha256()
    for part in (str(_FORMAT), __version__, filename, ",".join(sorted(selected)),
                 json.dumps(dict(options), sort_keys=True, default=repr)):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def file_hash(path: str | Path) -> str | None:
    """sha256 of a file's bytes; None when it cannot be read (so a dependency that vanished
    never matches its recorded hash)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Entry:
    diagnostics: list[Diagnostic]
    dependencies: dict[str, str] = field(default_factory=dict)
    coverage: Any = None
    notes: list[str] = field(default_factory=list)


class Cache:
    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir()
        self._ready = False

    def _path(self, entry: str) -> Path:
        return self.folder / entry[:2] / f"{entry}.json"

    def get(self, entry: str) -> Entry | None:
        try:
            raw = json.loads(self._path(entry).read_text(encoding="utf-8"))
            found = Entry([diagnostic_from_json(item) for item in raw["diagnostics"]],
                          dict(raw.get("dependencies") or {}), raw.get("coverage"), list(raw.get("notes") or []))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if any(file_hash(path) != digest for path, digest in found.dependencies.items()):
            return None
        return found

    def put(self, entry: str, diagnostics: list[Diagnostic], dependencies: Mapping[str, str] | None = None,
            coverage: Any = None, notes: list[str] | None = None) -> None:
        path = self._path(entry)
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                gitignore = self.folder / ".gitignore"
                if not gitignore.exists():
                    gitignore.write_text("# Created by keraslint\n*\n", encoding="utf-8")
                self._ready = True
            path.parent.mkdir(exist_ok=True)
            payload = {"diagnostics": [d.to_json() for d in diagnostics],
                       "dependencies": dict(dependencies or {}), "coverage": coverage, "notes": list(notes or [])}
            # Write then rename: a concurrent run (pre-commit, an editor) never reads half a file.
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, encoding="utf-8") as handle:
                json.dump(payload, handle)
            os.replace(handle.name, path)
        except (OSError, TypeError, ValueError):
            pass  # a read-only checkout (or an unserialisable coverage value) simply runs uncached
