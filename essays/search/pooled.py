"""Search documents made in a pool of processes while this process goes on
with other work: an import's index (``IndexFeed``).

Making an essay's tokens (segmenting, bigrams) is most of indexing's work,
in pure Python, so it runs in forked workers; this process reads the rows
and writes what the workers made. An import keeps the workers busy through
the two stretches when it has one core's work of its own:

- while the terms are read and the tag vocabulary is built (in a process
  of its own, ``essays.retagging.vocabulary``), and while the tags are
  planned, the workers make the title's and the text's tokens ahead
  (``keep_busy``, ``until``): they do not depend on the tags. They are kept in a scratch SQLite file (``TokenSpill``), not in
  memory: at 100,000 essays they would take about 1.3 GB;
- while the tags are written, essay by essay in chunks (``add`` after each
  chunk), the workers make those essays' documents, whose tags and section
  are all that is left to segment.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import sqlite3
import tempfile
from collections import deque
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from haystack import connections

from essays.heap import release_freed_memory
from essays.models import Essay
from essays.search import tokens
from essays.search.sync import remove_essays
from essays.search_indexes import EssayIndex

logger = logging.getLogger(__name__)

# Essays per batch handed to a worker. Two batches are in memory at once
# (tokens of 1,000 essays: about 40 MB); 2,000 took 37 MB more at its peak
# and wrote no faster (5,000 bench essays).
POOL_BATCH = 1000
# Batches in the workers' hands before this process waits for the oldest.
IN_FLIGHT = 2
# Essays whose tokens one worker makes ahead in one go (about a second's work).
PRETOKENIZE_BATCH = 500


def _index(using="default"):
    return connections[using].get_unified_index().get_index(Essay)


def _digest(title: str, text: str) -> int:
    """What a spilled row was made from: forked workers share the parent's
    hash seed, so every worker of one feed gives the same number."""
    return hash((title, text))


# Each worker's connection to a scratch file, opened once (a worker takes many jobs).
_SPILL_CONNECTIONS: dict[tuple[int, str], sqlite3.Connection] = {}


class TokenSpill:
    """Title and text tokens made ahead, by primary key, in a scratch SQLite
    file the workers write and read (SQLite takes turns between them). A
    row is used only if the essay's title and text are still what it was
    made from."""

    COLUMNS = ("title_words", "title_grams", "title_chars", "body_words", "body_grams", "body_chars")

    def __init__(self, path: Path):
        self.path = path  # all a job carries to a worker

    def _open(self) -> sqlite3.Connection:
        key = (os.getpid(), str(self.path))
        connection = _SPILL_CONNECTIONS.get(key)
        if connection is None:
            connection = _SPILL_CONNECTIONS[key] = sqlite3.connect(self.path, timeout=60)
            # Scratch data: nothing to recover after a crash.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            columns = ", ".join(f"{name} TEXT" for name in self.COLUMNS)
            connection.execute(f"CREATE TABLE IF NOT EXISTS made (pk INTEGER PRIMARY KEY, digest INTEGER, {columns})")
        return connection

    def write(self, essays) -> int:
        """Make and keep the tokens of ``essays`` ((pk, title, text) each)."""
        rows = []
        for pk, title, text in essays:
            title_tokens, body_tokens = EssayIndex.title_and_text_tokens(title, text)
            rows.append((pk, _digest(title, text), *_fields(title_tokens), *_fields(body_tokens)))
        connection = self._open()
        with connection:
            connection.executemany(f"INSERT OR REPLACE INTO made VALUES ({', '.join('?' * 8)})", rows)
        return len(rows)

    def read(self, essays) -> dict[int, tuple[tokens.Tokens, tokens.Tokens]]:
        """{pk: (title tokens, text tokens)} for those of ``essays`` (rows
        with pk, title and text) made ahead from the same title and text."""
        by_pk = {essay.pk: essay for essay in essays}
        if not by_pk or not self.path.exists():
            return {}
        found = {}
        query = f"SELECT pk, digest, {', '.join(self.COLUMNS)} FROM made WHERE pk IN ({', '.join('?' * len(by_pk))})"
        try:
            made = self._open().execute(query, list(by_pk)).fetchall()
        except sqlite3.Error:  # unreadable (a full disk while it was written): made again
            logger.warning("search tokens made ahead unreadable in %s", self.path, exc_info=True)
            return {}
        for pk, digest, *fields in made:
            essay = by_pk[pk]
            if digest == _digest(essay.title, essay.text):
                found[pk] = (tokens.Tokens(*fields[:3]), tokens.Tokens(*fields[3:]))
        return found


def _fields(made: tokens.Tokens) -> tuple[str, str, str]:
    return made.words, made.grams, made.chars


# -- in a worker (forked: no database) -------------------------------------------------


def _pretokenize(job) -> int:
    spill, essays = job
    return spill.write(essays)


def _documents(job) -> list:
    """The documents of ``rows``, as EssayIndex.full_prepare makes them, with
    the title's and the text's tokens made ahead where the spill has them."""
    spill, rows = job
    index = _index()
    made = spill.read(rows) if spill is not None else {}
    with index.tokens_made(made):
        return [(row.pk, index.full_prepare(row)) for row in rows]


# -- in the process writing the index ----------------------------------------------------


class IndexFeed:
    """Index (or remove) essays in batches whose documents a pool of
    ``workers`` processes makes, this process writing them into the engine:
    ``add`` as essays are ready, and at ``close`` those of ``pks`` not added
    yet. Essays no longer readable are removed from the index. Used as a
    context manager, or opened and closed by hand (an import does: its
    tags are written in between)."""

    def __init__(self, pks, workers: int, using: str = "default", spill_dir: Path | None = None):
        self.using = using
        self.workers = workers
        self.pending = sorted(set(pks))  # to index by the end, in pk order
        self._added: set[int] = set()
        self._spill_dir = spill_dir
        self._spill: TokenSpill | None = None
        self._spilled: set[int] = set()  # handed out to be made ahead
        self._ahead_queue = None  # the essays still to make ahead
        self.made_ahead = 0
        self._ahead: deque = deque()  # pretokenizing batches in the workers' hands
        self._waiting: deque = deque()  # (rows, documents to come), oldest first
        self._gone: list[int] = []
        self.pool = None
        self._writing = None
        self.failed: Exception | None = None  # what stopped ``written``

    def open(self) -> IndexFeed:
        self.index = _index(self.using)
        self.backend = connections[self.using].get_backend()
        # The embedded engine writes every batch with one writer and commits
        # once (per WRITER_SPAN documents), not once per batch.
        self._writing = self.backend.writing() if hasattr(self.backend, "writing") else nullcontext()
        self._writing.__enter__()
        # Forked now, before this process reads a vocabulary's worth of
        # terms: the workers never touch the database.
        self.pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self

    def close(self, error: BaseException | None = None) -> None:
        """Index what is left and commit; with ``error`` (the work around the
        feed failed), drop what was not committed yet instead. Raises what
        stopped ``written``, if anything did."""
        if self.pool is None:
            return
        failure = error or self.failed
        try:
            if failure is None:
                self.add(self.pending)
                self._write_waiting(until=0)
                self._remove_gone()
                self._finish_pretokenizing()
        except BaseException as exc:
            failure = exc
            raise
        finally:
            pool, self.pool = self.pool, None
            if failure is None:
                pool.close()
            else:
                pool.terminate()
            pool.join()
            if self._spill is not None:
                shutil.rmtree(self._spill.path.parent, ignore_errors=True)
            writing, self._writing = self._writing, None
            if failure is None:
                writing.__exit__(None, None, None)
            else:
                writing.__exit__(type(failure), failure, failure.__traceback__)
        if error is None and self.failed is not None:
            raise self.failed

    def __enter__(self):
        return self.open()

    def __exit__(self, kind, error, trace):
        self.close(error)
        return False

    # -- tokens made ahead ------------------------------------------------------

    def keep_busy(self, workers: int | None = None) -> None:
        """Without waiting: hand each idle worker (of ``workers``, all by
        default) a batch of essays whose title and text tokens it makes
        ahead and keeps for ``add``. Called while this process reads the
        terms and plans the tags; it reads each batch's rows itself."""
        if self.failed is not None:
            return
        try:
            busy = sum(not made.ready() for made in self._ahead)
            while busy < (workers or self.workers):
                essays = self._next_ahead()
                if essays is None:
                    return
                self._ahead.append(self.pool.apply_async(_pretokenize, ((self._spill, essays),)))
                busy += 1
            while self._ahead and self._ahead[0].ready():
                self._collect(self._ahead.popleft())
        except Exception:  # tokens ahead only spare work: the documents are made without them
            logger.exception("search tokens not made ahead")
            self._ahead_queue = iter(())

    def until(self, done) -> None:
        """Keep one worker making tokens ahead until ``done()`` (the
        vocabulary, built in a process of its own that needs the other core)."""
        while not done() and self.failed is None:
            self.keep_busy(workers=1)
            running = [made for made in self._ahead if not made.ready()]
            if not running:
                return  # nothing left to make ahead
            running[-1].wait(0.05)

    def _next_ahead(self) -> list | None:
        """The next essays to make tokens for ahead ((pk, title, text) each),
        marked as such; None when there are none left."""
        if self._spill is None:
            self._spill_dir = self._spill_dir or Path(settings.VAR_DIR) / "tmp"
            self._spill_dir.mkdir(parents=True, exist_ok=True)
            self._spill = TokenSpill(Path(tempfile.mkdtemp(prefix="index-tokens-", dir=self._spill_dir)) / "made.db")
        if self._ahead_queue is None:
            left = [pk for pk in self.pending if pk not in self._spilled and pk not in self._added]
            self._ahead_queue = iter(left)
        batch = [pk for _n, pk in zip(range(PRETOKENIZE_BATCH), self._ahead_queue, strict=False)]
        if not batch:
            return None
        self._spilled.update(batch)
        self.made_ahead += len(batch)
        readable = Essay.objects.readable().filter(pk__in=batch).order_by("pk")
        return list(readable.values_list("pk", "title", "text"))

    def _finish_pretokenizing(self) -> None:
        while self._ahead:
            self._collect(self._ahead.popleft())

    def _collect(self, made) -> None:
        """A batch of tokens made ahead, done: what failed is logged and
        making more ahead stops (the documents are made without them)."""
        try:
            made.get()
        except Exception:
            logger.exception("search tokens not made ahead")
            self._ahead_queue = iter(())

    # -- documents --------------------------------------------------------------

    def written(self, pks) -> None:
        """``add``, for work that must go on if indexing fails (an import's
        tags, written in the transaction this is called in): the first error
        stops the feed, and ``close`` raises it."""
        if self.failed is None:
            try:
                self.add(pks)
            except Exception as exc:
                logger.exception("search documents not made")
                self.failed = exc

    def add(self, pks) -> None:
        """Index these essays now (those still pending): their rows are read
        here, as the database has them in this connection, and their
        documents made in the workers."""
        chosen = sorted(set(pks) - self._added)
        if not chosen:
            return
        self._added.update(chosen)
        self.pending = [pk for pk in self.pending if pk not in self._added]
        # Tokens still being made ahead need not be waited for: a worker
        # making a document reads the spill when its own turn comes (SQLite
        # serialises the two), and makes what it does not find there.
        self._ahead_queue = iter(())  # nothing more ahead
        for start in range(0, len(chosen), POOL_BATCH):
            batch = chosen[start : start + POOL_BATCH]
            rows = self.index.rows(batch)
            readable = {row.pk for row in rows}
            self._gone.extend(pk for pk in batch if pk not in readable)
            if rows:
                spill = self._spill if self._spilled.intersection(readable) else None
                self._waiting.append((rows, self.pool.map_async(_documents, _jobs(spill, rows), chunksize=1)))
            self._write_waiting(until=IN_FLIGHT)

    def _write_waiting(self, until: int) -> None:
        """Write the oldest batches until ``until`` are left in the workers'
        hands (those already made first, without waiting)."""
        wrote = False
        while len(self._waiting) > until or (self._waiting and self._waiting[0][1].ready()):
            rows, made = self._waiting.popleft()
            documents = dict(document for part in made.get() for document in part)
            with self.index.prepared(documents):
                self.backend.update(self.index, rows)
            wrote = True
        if wrote:
            # The documents were unpickled in the pool's result thread, in an
            # allocator arena of its own, and freed here: without this, an
            # import of 100,000 essays kept some 200 MB it no longer used.
            release_freed_memory()

    def _remove_gone(self) -> None:
        gone, self._gone = self._gone, []
        remove_essays(self.backend, gone)


# Rows per job a worker takes: small enough that both workers share a batch.
ROWS_PER_JOB = 20


def _jobs(spill, rows):
    return [(spill, rows[start : start + ROWS_PER_JOB]) for start in range(0, len(rows), ROWS_PER_JOB)]
