"""The child process of :class:`~sitelore.crawl.pagework.PageProcesses`: the CPU work of an
extraction, one request at a time, over its stdin and stdout.

A frame is a 4-byte big-endian length and a pickle. A request is ``(operation, args)``.
The child says ``("ready", None)`` once its modules are loaded (so that a page's time
limit counts only its work); then each answer is ``("ok", value)``, ``("too_complex",
reason)`` (a page over the tree caps) or ``("error", description)``. The process ends at
the end of its input, or with its parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import struct
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from sitelore.core.assemble import assemble
from sitelore.core.document import parse_document
from sitelore.core.globs import PathFilter
from sitelore.core.triage import triage
from sitelore.errors import PageTooComplex

HEADER = struct.Struct(">I")
# The filters of the jobs this process serves, compiled once each (a job's calls may go
# to any process of the pool).
_FILTERS: dict[tuple[tuple[str, ...], tuple[str, ...]], PathFilter] = {}
MAX_FILTERS = 64


def verdicts(patterns: tuple[tuple[str, ...], tuple[str, ...]], urls: list[str]) -> dict[str, bool]:
    path_filter = _FILTERS.get(patterns)
    if path_filter is None:
        if len(_FILTERS) >= MAX_FILTERS:
            _FILTERS.pop(next(iter(_FILTERS)))
        path_filter = _FILTERS[patterns] = PathFilter(*patterns)
    return path_filter.verdicts(urls)


OPERATIONS: dict[str, Callable[..., Any]] = {
    "parse": parse_document,
    "assemble": assemble,
    "verdicts": verdicts,
    "triage": triage,
}
# Page work yields the CPU to the process that answers HTTP when both want it.
NICENESS = 10
_PR_SET_PDEATHSIG = 1


def read_frame(stream: BinaryIO) -> Any | None:
    """The next object on ``stream``, or None at its end."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def frame(value: Any) -> bytes:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


def answer(request: tuple[str, tuple[Any, ...]]) -> tuple[str, Any]:
    operation, args = request
    try:
        return "ok", OPERATIONS[operation](*args)
    except PageTooComplex as error:
        return "too_complex", error.reason
    except Exception as error:  # a page the code cannot take fails alone, with its cause
        return "error", f"{type(error).__name__}: {error}"


def _die_with_parent() -> None:
    """Linux: be killed when the parent dies, rather than finish a page no one awaits."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def main() -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    requests, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    answers.write(frame(("ready", None)))
    answers.flush()
    while (request := read_frame(requests)) is not None:
        answers.write(frame(answer(request)))
        answers.flush()


if __name__ == "__main__":
    main()
