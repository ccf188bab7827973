"""Caching without stale pages.

A page fragment that costs a scan of the archive (tag counts, the shelf of
collections) is cached under a key holding the archive's content version: a
random token in the database, replaced once per committed transaction that
changed an essay, a tag, a section, a collection or a tag alias. A token, not
a counter: a database restored from a backup brings back its own token, whose
entries (if still cached) describe exactly that content, and later changes
never reuse a key. Every request reads the
version (one primary-key lookup), so a process never serves a fragment older
than the last commit, whatever the cache backend: a per-process locmem cache
is as safe as Redis, only less shared.
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from essays.memo import MISSING, Kept
from essays.oncommit import OncePerCommit

CACHE_SECONDS = 24 * 3600  # old versions' entries simply age out


# Within one request the version is read once (the page cache, the cached
# fragments and the tag cloud all key on it); outside requests, every time.
_request = threading.local()


def version() -> str:
    token = getattr(_request, "token", None)
    if token is None:
        token = _read_version() or "initial"
        if getattr(_request, "active", False):
            _request.token = token
    return token


def _read_version() -> str | None:
    # Plain SQL: read on every request, where building the ORM query cost
    # more than running it.
    from essays.models import ContentVersion

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {ContentVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _request_started(**kwargs) -> None:
    _request.active, _request.token = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.token = False, None


# The latest fragments this process used, unpickled: reading the tag shelf
# (1,100 tags) back from the cache took 60% of the tags page under gunicorn.
# Keyed like the cache, so never older than the content version; shared by
# the requests of this process, so callers must not change what they get.
MEMO_ENTRIES = 512
_memo = Kept(MEMO_ENTRIES)


def cached(name: str, build):
    """``build()``, computed once per content version (and process, with a
    per-process cache)."""
    key = f"wenji:{name}:{version()}"
    value = _memo.get(key, MISSING)
    if value is not MISSING:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    _memo.put(key, value)
    return value


# Values too large to pickle into the cache on every change (every readable
# essay's tags: 500,000 links at 100,000 essays), kept in this process for
# the latest content version only.
_latest: dict[str, tuple[str, object]] = {}
_latest_lock = threading.Lock()


def latest(name: str, build):
    """``build()``, computed once per content version in this process; only
    the latest version's value is kept. Callers must not change it."""
    current = version()
    with _latest_lock:
        found = _latest.get(name)
    if found is not None and found[0] == current:
        return found[1]
    value = build()
    with _latest_lock:
        _latest[name] = (current, value)
    return value


def forget() -> None:
    """Drop this process's memo (tests start each with an empty cache)."""
    _memo.clear()
    with _latest_lock:
        _latest.clear()


def _new_version() -> None:
    from essays.models import ContentVersion

    token = uuid.uuid4().hex
    _request.token = None  # this request's own change: read the new version
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {ContentVersion._meta.db_table} SET token = %s WHERE id = 1", [token])
        done = cursor.rowcount
    if not done:
        ContentVersion.objects.get_or_create(pk=1, defaults={"token": token})


_bump = OncePerCommit(_new_version)
# Set within written_with_transaction(): whether the block changed anything.
_block = threading.local()


def changed(**kwargs) -> None:
    """Change the version once the current transaction commits (once per
    transaction, however many rows it touched); nothing if it rolls back.
    Within written_with_transaction(), at the end of that block instead."""
    if kwargs.get("raw"):  # loaddata
        return
    if getattr(_block, "changes", None) is not None:
        _block.changes = True
        return
    _bump.request()


@contextmanager
def written_with_transaction():
    """Use inside an atomic block: what the block changes replaces the
    version as the block's last write, in the same transaction, instead of
    in a transaction of its own after the commit. Readers see the new
    content and the new version together, and a rollback undoes both. The
    importer stores each file this way: one statement and one commit fewer
    per file (a twentieth of the importing process's time)."""
    outer = getattr(_block, "changes", None)
    _block.changes = False
    try:
        yield
        if _block.changes:
            _new_version()
    finally:
        changes, _block.changes = _block.changes, outer
        if outer is not None and changes:
            _block.changes = True


def connect() -> None:
    from essays.models import Essay, Section, SourceFile, Tag, TagAlias

    for model in (Essay, Tag, Section, SourceFile, TagAlias):
        post_save.connect(changed, sender=model, dispatch_uid=f"freshness-save-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"freshness-delete-{model.__name__}")
    m2m_changed.connect(changed, sender=Essay.tags.through, dispatch_uid="freshness-tags")
    request_started.connect(_request_started, dispatch_uid="freshness-request-started")
    request_finished.connect(_request_finished, dispatch_uid="freshness-request-finished")
