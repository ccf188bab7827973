"""SQLite's write-ahead log copied into the database by a thread beside the
writer (essays.checkpoints), on real files: the test database itself is in
memory, with no log."""

import os
import sqlite3
import threading
import time

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from essays import checkpoints
from essays.checkpoints import Checkpointer, checkpoints_beside

PAGE = 4096


def writer(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")  # as checkpoints_beside sets it
    db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body BLOB)")
    return db


def write_pages(db, pages: int, start: int = 0) -> None:
    db.execute("BEGIN")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(start + n, os.urandom(PAGE)) for n in range(pages)])
    db.execute("COMMIT")


def wait_for(condition, seconds: float = 10.0) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def test_the_log_is_copied_into_the_database_once_long_enough(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = writer(path)
    checkpointer = Checkpointer(path, pages=200, interval=0.01).start()
    try:
        write_pages(db, 50)
        time.sleep(0.1)
        assert checkpointer.checkpoints == 0  # shorter than the threshold: left alone
        write_pages(db, 400, start=50)
        assert wait_for(lambda: checkpointer.checkpoints >= 1)
        # Copied: the database file holds the rows, which the writer never copied.
        assert wait_for(lambda: os.path.getsize(path) >= 400 * PAGE)
    finally:
        checkpointer.stop()
    db.close()
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (450,)


def test_the_threshold_counts_frames_not_yet_copied_not_the_logs_file(tmp_path):
    """After a copy SQLite writes the log again from its start and the file
    keeps its size: a little more written is not a full log again."""
    path = tmp_path / "db.sqlite3"
    db = writer(path)
    checkpointer = Checkpointer(path, pages=200, interval=0.01).start()
    try:
        write_pages(db, 400)
        assert wait_for(lambda: checkpointer.checkpoints >= 1)
        copies = checkpointer.checkpoints
        write_pages(db, 20, start=400)  # the log starts again: 20 pages, not 400
        time.sleep(0.3)
        assert checkpointer.checkpoints == copies
        assert os.path.getsize(f"{path}-wal") >= 400 * PAGE
    finally:
        checkpointer.stop()
    db.close()


def test_the_log_starts_again_beside_a_writer_that_never_stops(tmp_path):
    """A writer committing file after file, barely pausing (an import): the
    passive copies never find the whole log copied when a transaction
    begins, so SQLite never wrote it from its start again and the file grew
    with every page written. Past ``restart_pages`` a copy waits for a
    pause and the log starts again: its file stays near that size."""
    path = tmp_path / "db.sqlite3"
    db = writer(path)
    checkpointer = Checkpointer(path, pages=50, interval=0.005, restart_pages=200).start()
    try:
        for n in range(150):  # 3,000 pages: 12 MB through the log
            write_pages(db, 20, start=20 * n)
            time.sleep(0.0005)  # the importer's own work between two files
    finally:
        checkpointer.stop()
    assert checkpointer.restarts >= 1
    assert os.path.getsize(f"{path}-wal") < 2000 * PAGE  # without: all 3,000 pages and more
    db.close()
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT count(*) FROM t").fetchone() == (3000,)


def test_what_is_left_is_copied_when_it_stops(tmp_path):
    path = tmp_path / "db.sqlite3"
    db = writer(path)
    checkpointer = Checkpointer(path, pages=10_000, interval=0.01).start()
    write_pages(db, 100)
    checkpointer.stop()
    assert checkpointer.checkpoints == 1
    assert os.path.getsize(path) >= 100 * PAGE
    db.close()


def test_a_fork_waits_for_a_checkpoint_in_progress(tmp_path, monkeypatch):
    """A process forked in the middle of a checkpoint would inherit SQLite's
    locks as held: the fork waits until the checkpoint is done, and the
    child then uses SQLite."""
    path = tmp_path / "db.sqlite3"
    db = writer(path)
    write_pages(db, 20)
    started, finished = threading.Event(), []

    class SlowConnection:
        def __init__(self, real):
            self.real = real

        def execute(self, sql):
            started.set()
            time.sleep(0.5)
            result = self.real.execute(sql)
            finished.append(time.monotonic())
            return result

        def close(self):
            self.real.close()

    real_connect = sqlite3.connect
    monkeypatch.setattr(checkpoints.sqlite3, "connect", lambda *a, **k: SlowConnection(real_connect(*a, **k)))
    checkpointer = Checkpointer(path, pages=1, interval=0.01).start()
    try:
        assert started.wait(5)
        pid = os.fork()
        if pid == 0:  # the child: SQLite works
            try:
                child = real_connect(path)
                child.execute("SELECT count(*) FROM t").fetchone()
                os._exit(0)
            except BaseException:
                os._exit(1)
        forked = time.monotonic()
        _, status = os.waitpid(pid, 0)
    finally:
        checkpointer.stop()
    assert os.waitstatus_to_exitcode(status) == 0
    assert finished and finished[0] <= forked
    db.close()


def test_a_checkpoint_that_fails_is_logged_and_ends_the_thread(tmp_path, caplog):
    path = tmp_path / "no such folder" / "db.sqlite3"
    checkpointer = Checkpointer(path, interval=0.01).start()
    checkpointer.stop()
    assert checkpointer.checkpoints == 0
    assert "not started" in caplog.text


def file_connection(path):
    """Django's SQLite connection to a database in a file, with the
    write-ahead log the settings give every file database."""
    settings = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"init_command": "PRAGMA journal_mode = WAL"},
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias="checkpoints-test")


def autocheckpoint(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_beside_a_django_connection_its_own_checkpoints_stop_and_come_back(tmp_path):
    conn = file_connection(tmp_path / "db.sqlite3")
    try:
        before = autocheckpoint(conn)
        assert before > 0
        with checkpoints_beside(conn, pages=1) as checkpointer:
            assert isinstance(checkpointer, Checkpointer)
            assert autocheckpoint(conn) == 0
            with conn.cursor() as cursor:
                cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)")
                cursor.executemany("INSERT INTO t VALUES (%s, %s)", [(n, os.urandom(PAGE)) for n in range(50)])
            assert wait_for(lambda: checkpointer.checkpoints >= 1)
        assert autocheckpoint(conn) == before
        assert os.path.getsize(tmp_path / "db.sqlite3") >= 50 * PAGE
    finally:
        conn.close()


@pytest.mark.django_db
def test_a_database_without_a_log_is_left_as_it_is():
    """The test database (in memory on SQLite) and PostgreSQL: nothing runs
    beside them and nothing is changed."""
    sqlite = connection.vendor == "sqlite"
    before = autocheckpoint(connection) if sqlite else None
    with checkpoints_beside(connection) as checkpointer:
        assert checkpointer is None
        if sqlite:
            assert autocheckpoint(connection) == before
