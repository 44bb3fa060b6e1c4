"""Counted nouns in messages: "1 unit", "2 units", "1 fix", "3 fixes"."""

from __future__ import annotations

#: plurals the suffix rules below get wrong, and nouns with no plural ("2 info")
_IRREGULAR = {"axis": "axes", "info": "info", "index": "indices", "vertex": "vertices", "matrix": "matrices"}


def plural_of(word: str) -> str:
    """The plural of an English noun as keraslint's messages use them."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``count`` and the noun, singular for exactly one: ``plural(1, "unit")`` is "1 unit".
    ``many`` gives the plural when it is not the regular one."""
    return f"{count} {word if count == 1 else many or plural_of(word)}"
