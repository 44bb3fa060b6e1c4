"""A content-hash cache of per-file results, so unchanged files cost a hash and a read.

The key covers the file's bytes, its name (messages include it), the keraslint build (its version
and the names, sizes and modification times of its own package files, so an editable or git install
that changed keraslint's code misses instead of showing stale results) and the
effective configuration (selected rules and rule options). An entry also records the project
modules the analysis read (``from model import build``) with their hashes: it is a miss as soon
as one of them changed, so editing ``model.py`` re-checks ``train.py``. Entries are small files
in ``.keraslint_cache/`` under the current folder (or ``KERASLINT_CACHE_DIR``). Files a script
reads through ``np.load`` are not part of the key: use ``--no-cache`` after changing such a file.

The cache folder can arrive with a checkout (force-added, copied, unpacked from an archive), so
nothing in it is trusted because of where it lies: every entry carries an HMAC-SHA256 made with
a per-user key kept outside the checkout (``key_path()``), and is validated against the schema
after the MAC matched. An entry that is unsigned, signed with another key, damaged or not what
keraslint writes is a miss, and the fresh result replaces it. A cache folder that is a symlink
or owned by someone else is neither read nor written.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keraslint import __version__
from keraslint.config import display_path
from keraslint.diagnostics import Diagnostic, Pass, Severity, diagnostic_from_json
from keraslint.files import data_stamp, read_regular

__all__ = ["Cache", "Entry", "cache_dir", "file_hash", "key", "key_path"]

_FORMAT = 3
_MAC_PREFIX = b"keraslint-cache-entry\0"
MAX_ENTRY_BYTES = 32 * 1024 * 1024
"""An entry is read with this cap (before its MAC is checked); larger results are not cached."""
_KEY_HEX_LENGTH = 64


def cache_dir() -> Path:
    return Path(os.environ.get("KERASLINT_CACHE_DIR") or ".keraslint_cache")


def key_path() -> Path | None:
    """Where this user's signing key lives: ``$KERASLINT_KEY_DIR/key`` (tests, unusual setups),
    else ``$XDG_CACHE_HOME/keraslint/key``, else ``~/.cache/keraslint/key``; None without a home."""
    override = os.environ.get("KERASLINT_KEY_DIR")
    if override:
        return Path(override) / "key"
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says a relative value is to be ignored
        return Path(xdg) / "keraslint" / "key"
    try:
        return Path.home() / ".cache" / "keraslint" / "key"
    except (RuntimeError, KeyError):  # no HOME and no passwd entry
        return None


_BUILD: str | None = None


def build_fingerprint() -> str:
    """keraslint's version plus a digest of its package files' names, sizes and mtimes.

    A released wheel never changes under its version, but a development install does: keying on
    the version alone served results of the code before an edit. Stat-ing the ~200 package files
    costs about a millisecond, once per process, and only when the cache is used.
    """
    global _BUILD
    if _BUILD is None:
        import hashlib
        from importlib.util import find_spec

        digest = hashlib.sha256(__version__.encode())
        # keraslint.rules lives outside the keraslint folder in a source checkout (pyproject's
        # package-dir); find_spec locates it without importing the rules.
        from keraslint.registry import CHECKOUT_RULES

        rules = find_spec("keraslint.rules")
        roots = [Path(__file__).resolve().parent]
        # a checkout without an install has its rules beside the package (registry.rules_package)
        roots += [Path(location).resolve() for location in (rules.submodule_search_locations or [])] if rules else \
            [CHECKOUT_RULES]
        for root in dict.fromkeys(roots):
            _digest_tree(digest, root)
        _BUILD = f"{__version__}+{digest.hexdigest()[:16]}"
    return _BUILD


def _digest_tree(digest: Any, root: Path) -> None:
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".py", ".json")):
                continue
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            relative = os.path.relpath(path, root.parent)
            digest.update(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))


def key(data: bytes, filename: str, selected: Collection[str], options: Mapping[str, Any]) -> str:
    import hashlib  # hashlib, hmac and secrets load when the cache is used: not for --no-cache

    digest = hashlib.sha256()
    for part in (str(_FORMAT), build_fingerprint(), filename, ",".join(sorted(selected)),
                 json.dumps(dict(options), sort_keys=True, default=repr)):
        digest.update(part.encode("utf-8", "surrogateescape"))  # a file name with undecodable bytes
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


#: path -> (its stat: device, inode, size, mtime and ctime, which utime cannot set back; its
#: sha256): each cached file of a project names the same modules as dependencies (~90 each in
#: a 1,000-module project), so a process hashes each once and stats it for every entry that
#: names it. Bounded.
_HASHES: dict[str, tuple[tuple[int, ...], str]] = {}
_MAX_HASHES = 20_000
_SETTLED_NS = 2_000_000_000


def file_hash(path: str | Path) -> str | None:
    """sha256 of a regular file's bytes, read in chunks; None when it is not one or cannot be
    read (so a dependency that vanished, or became a FIFO, never matches its recorded hash)."""
    import hashlib

    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    seen = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    known = _HASHES.get(str(path))
    if known is not None and known[0] == seen:
        return known[1]
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    # A file changed within the clock's granularity of its last change can keep its stat (git's
    # "racily clean" files): only one untouched for a while is known by its stat.
    if time.time_ns() - info.st_mtime_ns > _SETTLED_NS:
        if len(_HASHES) >= _MAX_HASHES:
            _HASHES.clear()
        _HASHES[str(path)] = (seen, digest.hexdigest())
    return digest.hexdigest()


def _unchanged(path: str, recorded: str) -> bool:
    """A module read is recorded by its sha256; a data file looked for, by its data_stamp."""
    if recorded.startswith("stat:") or recorded in ("absent", "other"):
        return data_stamp(path) == recorded
    return file_hash(path) == recorded


@dataclass
class Entry:
    diagnostics: list[Diagnostic]
    dependencies: dict[str, str] = field(default_factory=dict)
    coverage: Any = None
    notes: list[str] = field(default_factory=list)


def _owned_folder(path: Path) -> bool:
    """A real folder (not a symlink to one) owned by the user running keraslint."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    return not hasattr(os, "geteuid") or info.st_uid == os.geteuid()


def _private_key_file(descriptor: int) -> bool:
    info = os.fstat(descriptor)
    owned = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
    # Readable by others, the key would let them sign entries; writable, replace it.
    return stat.S_ISREG(info.st_mode) and owned and not info.st_mode & 0o077


def _read_key(path: Path) -> bytes | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not _private_key_file(descriptor):
            return None
        text = os.read(descriptor, _KEY_HEX_LENGTH + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    try:
        secret = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    return secret if len(secret) * 2 == _KEY_HEX_LENGTH else None


def load_key(path: Path | None = None) -> bytes | None:
    """This user's signing key, created (mode 0600, in a 0700 folder) on first use; None when
    it cannot be had safely, and then the cache is not used at all."""
    path = path if path is not None else key_path()
    if path is None:
        return None
    existing = _read_key(path)
    if existing is not None:
        return existing
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(folder)
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid() or info.st_mode & 0o022:
            return None  # someone else could swap the key under us
        if os.path.lexists(path):
            return None  # there, but not a private key of ours: never overwrite it blindly
        # Written whole under a temporary name, then linked into place: of many first runs
        # at once, one key wins and nobody ever reads half of one.
        import tempfile  # only when a file is written: --no-cache never loads it (nor shutil, random)

        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".key-")  # mkstemp uses mode 0600
        import secrets

        try:
            os.write(handle, secrets.token_hex(_KEY_HEX_LENGTH // 2).encode("ascii"))
            os.fsync(handle)
            os.close(handle)
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
            except OSError:
                # No hard links on this file system: a rename, which may replace a key a
                # concurrent first run just made; that run's entries then merely miss.
                if not os.path.lexists(path):
                    os.replace(temporary, path)
        finally:
            if os.path.lexists(temporary):
                os.unlink(temporary)
    except OSError:
        return None
    return _read_key(path)


class Cache:
    def __init__(self, folder: Path | None = None, *, secret: bytes | None = None) -> None:
        self.folder = folder or cache_dir()
        self._secret = secret
        self._usable: bool | None = None
        self._ready = False

    def _path(self, entry: str) -> Path:
        return self.folder / entry[:2] / f"{entry}.json"

    def _key(self) -> bytes | None:
        if self._usable is None:
            if self._secret is None:
                self._secret = load_key()
            # An existing folder must be ours and real; one that is not there yet, we create.
            self._usable = self._secret is not None and (not os.path.lexists(self.folder)
                                                         or _owned_folder(self.folder))
        return self._secret if self._usable else None

    def _mac(self, secret: bytes, entry: str, payload: bytes) -> bytes:
        # The entry's name (its content key) is signed too: a valid entry moved to another
        # file's slot does not verify.
        import hashlib
        import hmac

        return hmac.new(secret, _MAC_PREFIX + entry.encode("ascii") + b"\0" + payload, hashlib.sha256).digest()

    def get(self, entry: str, filename: str) -> Entry | None:
        """The entry for ``filename`` under content key ``entry``, if this user's keraslint wrote it."""
        secret = self._key()
        if secret is None or not _owned_folder(self._path(entry).parent):
            return None
        try:
            data = read_regular(self._path(entry), MAX_ENTRY_BYTES + _KEY_HEX_LENGTH + 1)
        except OSError:
            return None
        mac, newline, payload = data.partition(b"\n")
        try:
            expected = bytes.fromhex(mac.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            return None
        import hmac

        if not newline or not hmac.compare_digest(expected, self._mac(secret, entry, payload)):
            return None
        try:
            found = entry_from_payload(json.loads(payload.decode("utf-8")), filename)
        except (ValueError, TypeError, KeyError, RecursionError):
            return None  # signed by us, yet not what this version writes: a miss all the same
        if not all(_unchanged(path, digest) for path, digest in found.dependencies.items()):
            return None
        return found

    def put(self, entry: str, diagnostics: list[Diagnostic], dependencies: Mapping[str, str] | None = None,
            coverage: Any = None, notes: list[str] | None = None) -> None:
        secret = self._key()
        if secret is None:
            return
        path = self._path(entry)
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                if not _owned_folder(self.folder):
                    self._usable = False
                    return
                self._write_gitignore()
                self._ready = True
            path.parent.mkdir(exist_ok=True)
            if not _owned_folder(path.parent):
                return  # a symlinked subfolder would send the write anywhere
            payload = json.dumps({"diagnostics": [d.to_json() for d in diagnostics],
                                  "dependencies": dict(dependencies or {}), "coverage": coverage,
                                  "notes": list(notes or [])}, separators=(",", ":")).encode("utf-8")
            if len(payload) > MAX_ENTRY_BYTES:
                return  # it could not be read back
            # Write then rename: a concurrent run (pre-commit, an editor) never reads half a file.
            import tempfile  # only when a file is written: --no-cache never loads it (nor shutil, random)

            with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as handle:
                handle.write(self._mac(secret, entry, payload).hex().encode("ascii") + b"\n" + payload)
            os.replace(handle.name, path)
        except (OSError, TypeError, ValueError):
            pass  # a read-only checkout (or an unserialisable coverage value) simply runs uncached

    def _write_gitignore(self) -> None:
        # O_EXCL | O_NOFOLLOW: an existing .gitignore (even a planted symlink) is left alone
        # rather than written through.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(self.folder / ".gitignore", flags, 0o644)
        except FileExistsError:
            return
        try:
            os.write(descriptor, b"# Created by keraslint\n*\n")
        finally:
            os.close(descriptor)


# --------------------------------------------------------------------------- the entry schema


class _Invalid(ValueError):
    pass


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise _Invalid(what)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _location(value: Any) -> None:
    _require(isinstance(value, dict) and set(value) == {"row", "column"}
             and all(_is_int(v) and v >= 0 for v in value.values()), "location")


def _rule_names() -> dict[str, str]:
    from keraslint.registry import all_rules  # the registry imports every rule: only when needed

    return {rule.code: rule.name for rule in all_rules()}


_DIAGNOSTIC_KEYS = {"code", "name", "message", "severity", "pass", "filename", "cell", "location", "end_location",
                    "noqa_row", "url", "fix"}


def _diagnostic(item: Any, names: Mapping[str, str], filenames: _Filenames) -> Diagnostic:
    _require(isinstance(item, dict) and set(item) == _DIAGNOSTIC_KEYS, "diagnostic keys")
    _require(names.get(item["code"]) == item["name"], "a known rule")
    _require(item["severity"] in {s.value for s in Severity} and item["pass"] in {p.value for p in Pass}, "enums")
    _require(isinstance(item["message"], str) and isinstance(item["url"], str), "texts")
    _require(item["filename"] in filenames, "the file's own name, or a module it imports")
    _require(all(item[k] is None or _is_int(item[k]) for k in ("cell", "noqa_row")), "cell and noqa_row")
    _location(item["location"])
    _location(item["end_location"])
    fix = item["fix"]
    if fix is not None:
        _require(isinstance(fix, dict) and set(fix) == {"message", "applicability", "edits"}
                 and isinstance(fix["message"], str) and fix["applicability"] in ("safe", "unsafe")
                 and isinstance(fix["edits"], list), "fix")
        for edit in fix["edits"]:
            _require(isinstance(edit, dict) and set(edit) == {"content", "location", "end_location"}
                     and isinstance(edit["content"], str), "edit")
            _location(edit["location"])
            _location(edit["end_location"])
    return diagnostic_from_json(item)


def _coverage(value: Any) -> None:
    """What keraslint.summary.coverage (or checker's fallbacks) produce, and nothing else."""
    if value is None:
        return
    _require(isinstance(value, dict) and "models" in value and set(value) <= {"models", "analysed", "error"}
             and isinstance(value["models"], list), "coverage")
    _require(isinstance(value.get("analysed", False), bool) and isinstance(value.get("error", ""), str), "coverage")
    for model in value["models"]:
        _require(isinstance(model, dict)
                 and set(model) == {"name", "kind", "file", "line", "cell", "fully_shaped", "reason"}
                 and isinstance(model["kind"], str) and isinstance(model["fully_shaped"], bool)
                 and all(model[k] is None or isinstance(model[k], str) for k in ("name", "file", "reason"))
                 and all(model[k] is None or _is_int(model[k]) for k in ("line", "cell")), "a coverage model")


class _Filenames:
    """``in``: the names a cached finding may carry, the display names made when first needed."""

    def __init__(self, filename: str, dependencies: Collection[str]) -> None:
        self._known = {filename, *dependencies}
        self._dependencies: Collection[str] | None = dependencies

    def __contains__(self, name: object) -> bool:
        if name not in self._known and self._dependencies is not None:
            self._known.update(display_path(Path(p)) for p in self._dependencies)
            self._dependencies = None
        return name in self._known


def entry_from_payload(raw: Any, filename: str) -> Entry:
    """An entry as ``Cache.put`` writes it for ``filename``; ``ValueError`` for anything else."""
    _require(isinstance(raw, dict) and set(raw) == {"diagnostics", "dependencies", "coverage", "notes"}, "keys")
    dependencies = raw["dependencies"]
    _require(isinstance(dependencies, dict)
             and all(isinstance(k, str) and isinstance(v, str) for k, v in dependencies.items()), "dependencies")
    notes = raw["notes"]
    _require(isinstance(notes, list) and all(isinstance(n, str) for n in notes), "notes")
    _coverage(raw["coverage"])
    _require(isinstance(raw["diagnostics"], list), "diagnostics")
    # A finding names the checked file or a project module its analysis read; the modules'
    # display names are made only if a finding needs them (a file has ~200 dependencies).
    filenames = _Filenames(filename, dependencies)
    names = _rule_names()
    diagnostics = [_diagnostic(item, names, filenames) for item in raw["diagnostics"]]
    return Entry(diagnostics, dict(dependencies), raw["coverage"], list(notes))
