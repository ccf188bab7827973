"""Keeping the search index in step with the database.

Index updates happen after the transaction commits, in batches: an essay saved
or deleted anywhere (admin, shell, importer) is queued, and the queue is
written to the index once the surrounding transaction has committed. The
importer defers its updates to the end of a run (``deferred()``) and indexes
what it touched in one go.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from haystack import connections
from haystack.signals import BaseSignalProcessor

from essays.models import Essay, Section, SourceFile, Tag
from essays.oncommit import OncePerCommit

logger = logging.getLogger(__name__)


def _index(using="default"):
    return connections[using].get_unified_index().get_index(Essay)


def update_essays(pks, using="default", batch_size=500, workers: int = 0) -> None:
    """Index the readable essays among ``pks``; remove the others. With
    ``workers`` (1 or more), the titles' and texts' tokens are made in a pool
    of that many processes (essays.search.pooled: the CPU-bound part of
    indexing, in pure Python), and the batches are larger."""
    pks = sorted(set(pks))
    if not pks:
        return
    if workers >= 1:
        from essays.search.pooled import IndexFeed

        with IndexFeed(pks, workers, using=using):
            pass  # the feed indexes whatever is left when its block ends
        return
    index = _index(using)
    backend = connections[using].get_backend()
    readable = set(Essay.objects.readable().filter(pk__in=pks).values_list("pk", flat=True))
    chunks = []
    for start in range(0, len(pks), batch_size):
        chunk = [pk for pk in pks[start : start + batch_size] if pk in readable]
        if chunk:
            chunks.append(chunk)
    # The embedded engine writes every batch with one writer and commits
    # once (per WRITER_SPAN documents), not once per batch.
    with backend.writing() if hasattr(backend, "writing") else nullcontext():
        for chunk in chunks:
            backend.update(index, index.index_queryset(using).filter(pk__in=chunk))
        remove_essays(backend, [pk for pk in pks if pk not in readable])


def remove_essays(backend, pks) -> None:
    """Take these essays' documents out of the index (in one go where the
    engine can)."""
    gone = [f"essays.essay.{pk}" for pk in pks]
    if hasattr(backend, "remove_many"):
        backend.remove_many(gone)
    else:
        for identifier in gone:
            backend.remove(identifier)


# -- repairing what a crash left behind ----------------------------------------------


@dataclass
class Repair:
    indexed: int = 0  # readable essays missing from the index, or indexed before their last change
    removed: int = 0  # documents of essays no longer readable (or gone)
    readable: int = 0

    def line(self) -> str:
        if not (self.indexed or self.removed):
            return f"Search index holds all {self.readable} readable essays."
        return (
            f"Search index repaired: {self.indexed} essays indexed, {self.removed} removed "
            f"({self.readable} readable essays)."
        )


def repair(using="default") -> Repair:
    """Bring the index in step with the database, touching only the
    difference: readable essays the index lacks or holds from before their
    last change (``updated``), and documents of essays no longer readable.
    A missing index is created and filled; one that cannot be opened is
    moved aside and refilled. After an import killed mid-run, the files it
    stored are in the database and this finds their essays."""
    backend = connections[using].get_backend()
    if hasattr(backend, "prepare_repair"):
        backend.prepare_repair()
    wanted = dict(Essay.objects.readable().values_list("pk", "updated").iterator())
    result = Repair(readable=len(wanted))
    if hasattr(backend, "indexed_stamps"):
        held = backend.indexed_stamps()
        stale = [pk for pk, stamp in wanted.items() if pk not in held or (held[pk] is not None and held[pk] != stamp)]
        gone = [pk for pk in held if pk not in wanted]
    else:  # a server engine: counts only, and a full refill when they differ
        from haystack.query import SearchQuerySet

        if SearchQuerySet(using=using).models(Essay).count() == len(wanted):
            return result
        backend.clear(models=[Essay])
        stale, gone = list(wanted), []
    if stale or gone:
        update_essays([*stale, *gone], using=using)
    result.indexed, result.removed = len(stale), len(gone)
    if stale or gone:
        logger.warning("search index repaired: %d indexed, %d removed", len(stale), len(gone))
    return result


# -- keeping in step -----------------------------------------------------------------

_state = threading.local()


def _pending() -> set[int]:
    if not hasattr(_state, "pending"):
        _state.pending = set()
    return _state.pending


def _deferring() -> bool:
    return getattr(_state, "deferred", 0) > 0


@contextmanager
def deferred():
    """Within this block, saves and deletes do not touch the index; the caller
    updates it itself (the importer does, in batches, at the end of a run)."""
    _state.deferred = getattr(_state, "deferred", 0) + 1
    try:
        yield
    finally:
        _state.deferred -= 1


def _flush_pending() -> None:
    pks = set(_pending())
    _pending().clear()
    if not pks:
        return
    try:
        update_essays(pks)
    except Exception:  # the database is right; rebuild_index repairs the index
        logger.exception("search index update failed for %d essays", len(pks))


_flush = OncePerCommit(_flush_pending)


def queue(pks) -> None:
    """Index (or remove) these essays once the current transaction commits."""
    if _deferring():
        return
    pks = set(pks)
    if not pks:
        return
    # One flush per transaction. Essays queued in a transaction that was
    # rolled back stay queued and are re-read by the next flush (harmless).
    _pending().update(pks)
    _flush.request()


class EssaySignalProcessor(BaseSignalProcessor):
    """Queues the essays whose search document a change may alter: the essay
    itself on save or delete, its tags changing, or the rename of a tag,
    section or collection it belongs to. Nothing is indexed on a page view."""

    def setup(self):
        post_save.connect(self.essay_changed, sender=Essay)
        post_delete.connect(self.essay_changed, sender=Essay)
        m2m_changed.connect(self.tags_changed, sender=Essay.tags.through)
        for model in (Tag, Section, SourceFile):
            post_save.connect(self.related_changed, sender=model)
        for model in (Tag, Section):
            pre_delete.connect(self.related_deleted, sender=model)

    def teardown(self):
        post_save.disconnect(self.essay_changed, sender=Essay)
        post_delete.disconnect(self.essay_changed, sender=Essay)
        m2m_changed.disconnect(self.tags_changed, sender=Essay.tags.through)
        for model in (Tag, Section, SourceFile):
            post_save.disconnect(self.related_changed, sender=model)
        for model in (Tag, Section):
            pre_delete.disconnect(self.related_deleted, sender=model)

    def essay_changed(self, sender, instance, raw=False, **kwargs):
        if not raw and instance.pk is not None:
            queue([instance.pk])

    def tags_changed(self, sender, instance, action, reverse, pk_set, **kwargs):
        if _deferring():
            return
        if not reverse:
            if action in ("post_add", "post_remove", "post_clear"):
                queue([instance.pk])
        elif action in ("post_add", "post_remove") and pk_set:
            queue(pk_set)
        elif action == "pre_clear":
            queue(instance.essays.values_list("pk", flat=True))

    def related_changed(self, sender, instance, created=False, raw=False, **kwargs):
        if created or raw or _deferring():
            return
        queue(instance.essays.values_list("pk", flat=True))

    def related_deleted(self, sender, instance, **kwargs):
        if not _deferring():
            queue(instance.essays.values_list("pk", flat=True))
