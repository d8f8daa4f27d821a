"""The core is pure: importing every module of ``sitelore.core`` (in a fresh interpreter)
loads no network, async, database, web-framework or process module."""

from __future__ import annotations

import json
import subprocess
import sys

IMPURE = (
    "asyncio",
    "socket",
    "ssl",
    "http.client",
    "urllib.request",
    "subprocess",
    "multiprocessing",
    "concurrent.futures",
    "sqlite3",
    "httpx",
    "httpcore",
    "psycopg",
    "procrastinate",
    "fastapi",
    "starlette",
    "uvicorn",
)

IMPORT_THE_CORE = """
import importlib, json, pkgutil, sys
import sitelore.core as core
for module in pkgutil.walk_packages(core.__path__, "sitelore.core."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_core_imports_no_io() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_THE_CORE], capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(done.stdout))
    assert "sitelore.core.document" in loaded  # the walk did import the core
    assert sorted(loaded & set(IMPURE)) == []
    assert sorted(name for name in loaded if name.startswith("sitelore.")) == sorted(
        name
        for name in loaded
        if name.startswith(
            ("sitelore.core", "sitelore.models", "sitelore.errors", "sitelore.lexicon")
        )
    )
