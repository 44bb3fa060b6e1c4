"""Text from the checked files, made safe to print: it can never move the cursor, colour the
terminal, start a new line or forge a line of its own.

File names, source lines and names inside saved models (a ``.keras`` layer name) are the
user's data, not ours: printed raw, an escape sequence could rewrite the screen, and a
newline could add a ``::error file=...::`` line that GitHub Actions runs as a workflow
command. Every text format passes such text through ``printable``.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["ENCODE_ERRORS", "printable"]

# C0 controls but the tab, DEL, C1 controls, line and paragraph separators, the bidirectional
# overrides and isolates (they reorder what is shown: "Trojan Source"), and lone surrogates
# (undecodable bytes of a file name, kept by surrogateescape).
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # the byte surrogateescape stood in for
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _encode_escaped(error: UnicodeError) -> tuple[str, int]:
    """``\\uXXXX`` for what the encoding cannot hold (UTF-16 pairs beyond the BMP): a valid
    escape inside a JSON string, where machine formats hold their only non-ASCII text, and a
    readable one in text. (``backslashreplace`` writes ``\\xe9``, which JSON rejects.)"""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    parts = []
    for char in error.object[error.start:error.end]:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            parts.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            parts.append(f"\\u{code:04x}")
    return "".join(parts), error.end


#: the ``errors`` handler every output stream and report file is written with
ENCODE_ERRORS = "keraslint-escape"
codecs.register_error(ENCODE_ERRORS, _encode_escaped)


def printable(text: str) -> str:
    """``text`` with every character that could act on a terminal or a log parser written as
    a backslash escape (``\\n``, ``\\x1b``, ``\\u2028``; an undecodable byte as ``\\xff``)."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text
