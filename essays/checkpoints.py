"""SQLite's write-ahead log copied into the database beside a long run of
writes (an import), by a thread of its own, not inside the writer's commits.

Each commit appends the pages it changed to the log; SQLite copies the log
into the database (a checkpoint) in the commit that finds it long enough,
and the writer waits for the copy and its sync. An import of 20,000 essays
spent 10.8 s of its 70 s in commits, 2.9 s of them in the one after its tags
(the log then held every essay row again). The sqlite3 module lets go of
the GIL while SQLite works, so a thread with its own connection copies the
log while the importing process goes on with Python.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

logger = logging.getLogger(__name__)

# The log is copied once it holds this many pages not copied yet (16 MB of
# 4 KB pages).
PAGES = 4000
# SQLite writes the log again from its start only when a transaction begins
# with the whole log copied. Passive copies never caught up with a writer
# that barely pauses between files: the log grew with every page written
# (6.3 GB over an import of 100,000 essays, most of it written out to disk
# by the kernel for nothing). Once the log holds this many pages (64 MB),
# a copy waits for the writer to pause (RESTART), and the next transaction
# starts the log again.
RESTART_PAGES = 16384
# How long such a copy waits for the writer's transaction to end (a retag
# holds one for minutes: the copy then gives up and is tried again later).
RESTART_WAIT_MS = 1000

# Where the wal-index (the log's -shm file, in the machine's byte order)
# keeps the log's last valid frame (mxFrame of its header) and the frames
# already copied into the database (nBackfill of its checkpoint info):
# SQLite's file format, https://www.sqlite.org/walformat.html.
_LAST_FRAME = slice(16, 20)
_COPIED = slice(96, 100)

# Held while a checkpoint runs, and by every fork of this process: a process
# forked in the middle of one inherits SQLite's locks as held, and the pool
# workers (which keep their scratch files in SQLite) hung on their first
# statement. A fork waits for the checkpoint; a checkpoint waits for the fork.
_FORK_GATE = threading.Lock()
os.register_at_fork(before=_FORK_GATE.acquire, after_in_parent=_FORK_GATE.release, after_in_child=_FORK_GATE.release)


class Checkpointer:
    """A thread copying ``database``'s write-ahead log into it whenever the
    log holds ``pages`` pages not copied yet (looked at every ``interval`` seconds),
    and once more when stopped. Passive checkpoints: they never wait for the
    writer nor hold it up. A failure is logged and ends the thread; the
    writer's own checkpoints (``checkpoints_beside`` puts them back) then
    copy the log as before."""

    def __init__(
        self, database: Path | str, pages: int = PAGES, interval: float = 0.2, restart_pages: int = RESTART_PAGES
    ):
        self.database = str(database)
        self.wal_index = Path(f"{database}-shm")
        self.pages = pages
        self.restart_pages = restart_pages
        self.interval = interval
        self.checkpoints = 0
        self.restarts = 0  # copies that let the log start again
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wenji-checkpoints", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """The last copy made, then the thread gone."""
        self._stopping.set()
        self._thread.join()

    def _frames(self) -> tuple[int, int]:
        """The log's frames (a page each) since it last started, and those
        of them copied into the database. Not the log file's size: once the
        log starts again, the file keeps its size. Read without a lock: a
        read torn by a commit only moves the next copy by one look."""
        try:
            with self.wal_index.open("rb") as header:
                head = header.read(_COPIED.stop)
        except OSError:  # no log yet
            return 0, 0
        if len(head) < _COPIED.stop:
            return 0, 0
        last, copied = (int.from_bytes(head[part], sys.byteorder) for part in (_LAST_FRAME, _COPIED))
        return last, copied

    def _not_copied(self) -> int:
        last, copied = self._frames()
        return max(0, last - copied)

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self.database, timeout=0)
        except sqlite3.Error:
            logger.exception("write-ahead log checkpoints beside the writer not started")
            return
        try:
            while not self._stopping.wait(self.interval):
                if self._not_copied() >= self.pages:
                    self._checkpoint(db)
                    if self._frames()[0] >= self.restart_pages:
                        self._restart(db)
            self._checkpoint(db)
        except sqlite3.Error:
            logger.exception("write-ahead log checkpoints beside the writer stopped")
        finally:
            db.close()

    def _checkpoint(self, db) -> None:
        with _FORK_GATE:
            db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.checkpoints += 1

    def _restart(self, db) -> None:
        """Copy what is left once the writer's transaction ends, holding the
        next one back meanwhile (what is left is what the writer added since
        the passive copy just made): the next transaction then writes the
        log from its start. Given up after RESTART_WAIT_MS."""
        db.execute(f"PRAGMA busy_timeout = {RESTART_WAIT_MS}")
        try:
            with _FORK_GATE:
                (busy, _log, _copied) = db.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        finally:
            db.execute("PRAGMA busy_timeout = 0")
        self.checkpoints += 1
        if not busy:
            self.restarts += 1


@contextmanager
def checkpoints_beside(connection, pages: int = PAGES):
    """Within the block, ``connection`` (Django's) no longer copies the log
    in its commits: a Checkpointer does, beside it. Then the connection's
    setting is put back. Only for an SQLite database in a file with a
    write-ahead log; elsewhere nothing changes. Yields the Checkpointer, or
    None."""
    if connection.vendor != "sqlite":
        yield None
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        (mode,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint")
        (before,) = cursor.fetchone()
    if str(mode).lower() != "wal":  # in memory (the tests), or a rollback journal
        yield None
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    checkpointer = Checkpointer(connection.settings_dict["NAME"], pages).start()
    try:
        yield checkpointer
    finally:
        checkpointer.stop()
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")
