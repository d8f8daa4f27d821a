"""What a fetched page is before it is read: a bot challenge, a script shell, or content.

One pure call, so that the page processes (:mod:`sitelore.crawl.pagework`) can make it off
the event loop: the tree caps first (a hostile page never reaches a parser), then
:func:`~sitelore.core.challenges.challenge_of` and
:func:`~sitelore.core.shells.needs_rendering`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sitelore.core.challenges import challenge_of
from sitelore.core.shells import ShellVerdict, needs_rendering
from sitelore.core.treecaps import TreeLimits, check_tree


@dataclass(frozen=True)
class Triage:
    challenge: str | None  # what kind of bot challenge the page is, if it is one
    shell: ShellVerdict  # whether a browser would build its content


def triage(
    html: str, url: str, status: int, headers: Mapping[str, str], limits: TreeLimits
) -> Triage:
    """Raises :class:`~sitelore.errors.PageTooComplex` for a page over the tree caps."""
    check_tree(html, url, limits)
    return Triage(challenge_of(html, status, headers), needs_rendering(html))
