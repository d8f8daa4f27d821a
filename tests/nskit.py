"""A file system of its own for a server under test: a small tmpfs in a private mount
namespace (root only, as in CI), so a test can fill its disk or make it read-only
without touching the machine's."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

needs_root = pytest.mark.skipif(
    os.geteuid() != 0, reason="mount namespaces need root (CI runs as root)"
)


def in_tmpfs(mount: Path, size: str, then: str = "") -> list[str]:
    """A command prefix: mount a tmpfs of ``size`` on ``mount`` (created if missing) in a
    mount namespace of its own, run the shell line ``then``, and exec the command."""
    mount.mkdir(parents=True, exist_ok=True)
    script = f'mount -t tmpfs -o size={size} tmpfs "$0" && {then or "true"} && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, str(mount)]


def inside(pid: int, *command: str) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in the mount namespace of process ``pid``."""
    return subprocess.run(
        ["nsenter", "--target", str(pid), "--mount", "--", *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
