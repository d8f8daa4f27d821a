"""The data directory of the embedded store: who may use it, and whether its file is whole.

A server must never start on a data file it cannot trust: a silent fresh database (with a
new key) would hide the loss of every job and key, and two servers on one file would each
take the other's running jobs for dead. So ``sitelore serve``

1. locks the data directory (:func:`lock_data_dir`) before it touches anything, and
2. checks the database file (:func:`check_data_file`): a file that exists must be a whole,
   writable sitelore database.

Each refusal is a :class:`~sitelore.jobs.store.StoreUnusable` with one line saying what
is wrong and what to do; nothing is created or changed on the way.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path

from sitelore.jobs.store import StoreUnusable

LOCK_NAME = "sitelore.lock"
OUR_TABLES = frozenset({"api_keys", "jobs"})
_MOVE_AWAY = "restore it from a backup, or move it away to start with an empty database"


class DataDirInUse(StoreUnusable):
    """Another process holds the data directory's lock."""


class DataDirLock:
    """An exclusive lock on a data directory, held while the object lives (or ``release``).

    ``flock`` ends with the process however it dies, so a crashed server never leaves the
    directory locked; the file is not inherited by child processes."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._fd: int | None = None
        self._made: list[Path] = []  # the directories this lock created, deepest last

    def acquire(self) -> DataDirLock:
        missing = [self.path.parent, *self.path.parent.parents]
        self._made = [folder for folder in missing if not folder.exists()][::-1]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise DataDirInUse(
                f"the data directory {self.path.parent} is in use by another sitelore "
                f"process (pid {holder}): stop it, or give this one another --data-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def abandon(self) -> None:
        """Release, and remove what the lock created: a server that failed to start leaves
        no trace."""
        self.release()
        self.path.unlink(missing_ok=True)
        for folder in reversed(self._made):
            folder.rmdir()


def lock_data_dir(data_dir: Path) -> DataDirLock:
    """Lock ``data_dir`` for this process, or raise :class:`DataDirInUse`."""
    return DataDirLock(data_dir).acquire()


def check_data_file(path: Path) -> None:
    """Refuse a database file that exists but is not a whole, writable sitelore database.

    A missing file is fine (the store creates it); an empty one is not: SQLite would take
    it for a new database."""
    if not path.exists():
        if not os.access(path.parent, os.W_OK):
            raise StoreUnusable(f"cannot create the database in {path.parent}: not writable")
        return
    if path.stat().st_size == 0:
        raise StoreUnusable(f"the database file {path} is empty (truncated?): {_MOVE_AWAY}")
    if not _writable(path):
        raise StoreUnusable(
            f"the database file {path} cannot be written (a read-only file, directory or "
            "file system): make it writable, or give another --data-dir"
        )
    problem = _problem(path)
    if problem is not None:
        raise StoreUnusable(f"the database file {path} {problem}: {_MOVE_AWAY}")


def _writable(path: Path) -> bool:
    """The file and its directory (SQLite writes its -wal and -shm files beside it)."""
    return os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK)


def _problem(path: Path) -> str | None:
    """What is wrong with the file's content, read without writing; None when nothing."""
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return f"cannot be opened ({error})"
    try:
        verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
        if verdict != "ok":
            return f"is damaged ({verdict})"
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if not OUR_TABLES.issubset(tables):
            return "is not a sitelore database (it has no jobs or api_keys table)"
        return None
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorname == "SQLITE_NOTADB":
            return "is not a SQLite database"
        return f"is damaged ({error})"
    finally:
        db.close()
