"""Bounds on the source pass, so that pathological and library-style code finishes."""

from __future__ import annotations

import sys

MAX_CALL_DEPTH = 6
# Calls that run a function of the script for it (the usual `main` entry points).
ENTRY_POINT_RUNNERS = frozenset({"absl.app.run", "tensorflow.app.run", "tensorflow.compat.v1.app.run", "fire.Fire",
                                 "typer.run"})
# A function body is followed at most this many times per file; after that its calls are
# unknown (a ResNet generator built twice applies its padding layer 40 times). Training scripts
# call a builder a handful of times; parsers and libraries that call
# each other everywhere would otherwise re-run the same bodies combinatorially.
MAX_CALLS_PER_FUNCTION = 64
MAX_EVAL_DEPTH = 120
MAX_UNROLL = 64
#: bound on the product of the lengths of nested unrolled loops (six nested ``range(60)`` loops
#: took the whole step budget, ~3 s, on a 7-line script)
MAX_UNROLL_TOTAL = 1024
DEFAULT_BUDGET = 200_000
_MAX_CONST_LEN = 10_000
#: constant ints wider than this become UNKNOWN (``x = x * x`` in a loop would otherwise never end)
_MAX_INT_BITS = 4_096
#: Python frames kept free below the recursion limit for trackers, the API model and the caller
_FRAME_MARGIN = 150
#: rough Python frames one nested block / one nested expression costs the interpreter
_BLOCK_FRAMES = 6
_EVAL_FRAMES = 2
#: ``returned`` when the path ended in ``raise`` (an enclosing ``try`` may catch it)
RAISED = "raise"


def frames_left() -> int:
    """Python frames the interpreter may still use from the caller's depth (the real stack is
    measured: the caller may itself be deep, a worker thread or a test runner)."""
    depth, frame = 0, sys._getframe(1)
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return sys.getrecursionlimit() - depth - _FRAME_MARGIN
