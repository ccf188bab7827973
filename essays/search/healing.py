"""The web process repairs the index itself (``sync.repair``), in the
background, once at a time.

- When the engine cannot answer because the index is missing or unreadable
  (a deleted folder, a new volume), the search page and ``/healthz`` answer
  503 and start a repair at once.
- Otherwise a search checks, at most every ``CHECK_SECONDS``, that the index
  and the database agree, and repairs the difference.

A lock in the cache (``cache.add`` is atomic on Redis) keeps the web servers
sharing a cache from all rebuilding together; with the per-process locmem
cache each process repairs at most once at a time, and tantivy's writer lock
makes them take turns.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)

CHECK_SECONDS = 600
LOCK_SECONDS = 1800
RETRY_SECONDS = 60
CHECKED_KEY = "wenji:index:checked"
LOCK_KEY = "wenji:index:repairing"


def _run() -> None:
    from essays.search.sync import repair

    try:
        repair()
    except Exception:
        # An engine that is down: try again in a minute, not on every request.
        logger.exception("search index repair failed")
        cache.set(LOCK_KEY, 1, RETRY_SECONDS)
    else:
        cache.delete(LOCK_KEY)


def _in_thread(work) -> None:
    try:
        work()
    finally:
        connections.close_all()


def _start(work) -> None:
    """Run ``work`` off the request, in a thread of its own with its own
    database connection (tests run it in place)."""
    threading.Thread(target=_in_thread, args=(work,), name="wenji-index-repair", daemon=True).start()


def heal_soon(now: bool = False) -> bool:
    """Start a repair unless one is running (or, without ``now``, one was
    checked in the last CHECK_SECONDS). True when one was started."""
    if not settings.SEARCH_SELF_HEALING:
        return False
    if not now and not cache.add(CHECKED_KEY, 1, CHECK_SECONDS):
        return False
    if not cache.add(LOCK_KEY, 1, LOCK_SECONDS):
        return False
    _start(_run)
    return True
