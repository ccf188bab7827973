"""An import keeps both cores busy after its files are stored: the tag
vocabulary is built in a process of its own while the index's pool makes
the texts' tokens ahead (essays.search.pooled.IndexFeed.keep_busy, until),
and the documents of the essays already tagged are made while the next ones'
tags are written. Whatever the path, every document is the one the plain
path makes, and the tags never depend on the index."""

import os
import time

import pytest

from essays import retagging, tagging
from essays.importer import Importer
from essays.models import Essay
from essays.search import pooled
from essays.search.sync import update_essays
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db


def _written_documents(monkeypatch, backend) -> dict:
    """{pk: document} as the index is given them (documents made in a worker
    are in the index's ``_prepared`` while it writes)."""
    written = {}
    original = type(backend).update

    def update(self, index, iterable, commit=True):
        rows = list(iterable)
        for row in rows:
            written[row.pk] = index.full_prepare(row)
        return original(self, index, rows, commit)

    monkeypatch.setattr(type(backend), "update", update)
    return written


def _plain_documents(pks) -> dict:
    from haystack import connections

    index = connections["default"].get_unified_index().get_index(Essay)
    return {row.pk: index.full_prepare(row) for row in index.rows(pks)}


def _slowly(build, parent: int, seconds: float):
    """``build`` that, in a forked process, first waits: the pool then has
    time to make tokens ahead whatever the machine's speed."""

    def slow(*args, **kwargs):
        if os.getpid() != parent:
            time.sleep(seconds)
        return build(*args, **kwargs)

    return slow


class Beside:
    """What retag keeps going beside the vocabulary, doing nothing."""

    def __init__(self, until=None):
        self.ticks = 0
        self.until = until or (lambda done: None)

    def keep_busy(self):
        self.ticks += 1


def test_keeping_busy_while_the_terms_are_read_and_the_tags_planned(imported, monkeypatch):
    beside = Beside()
    beside.written = lambda pks: None
    monkeypatch.setattr(retagging, "RETAG_CHUNK", 5)
    retagging.retag(only=Essay.objects.values_list("pk", flat=True), with_figures=False, beside=beside)
    chunks = -(-Essay.objects.count() // 5)
    assert beside.ticks >= 1 + chunks


def test_tokens_made_ahead_give_the_documents_made_at_once(imported, search_index, monkeypatch):
    pks = sorted(Essay.objects.readable().values_list("pk", flat=True))
    written = _written_documents(monkeypatch, search_index)
    polls = []
    with pooled.IndexFeed(pks, workers=2) as feed:
        # Not done until the third look: a batch or two are made ahead.
        feed.until(lambda: polls.append(1) or len(polls) > 2)
        feed._finish_pretokenizing()
        assert feed._spill.path.exists()
        spill = feed._spill.path.parent
        handed = feed.made_ahead
    assert handed > 0
    assert written == _plain_documents(pks)
    assert not spill.exists()  # the scratch file goes with the feed


def test_a_text_changed_after_its_tokens_were_made_is_tokenised_again(imported, search_index, monkeypatch):
    pks = sorted(Essay.objects.readable().values_list("pk", flat=True))
    written = _written_documents(monkeypatch, search_index)
    changed = Essay.objects.get(pk=pks[0])
    with pooled.IndexFeed(pks, workers=2) as feed:
        feed.until(lambda: False)  # everything, before the change
        feed._finish_pretokenizing()
        Essay.objects.filter(pk=changed.pk).update(title="独一无二的新标题", text="改过的正文，谁也没见过。")
    assert "独一" in written[changed.pk]["title_grams"].split()
    assert written == _plain_documents(pks)


def test_the_vocabulary_built_beside_is_the_one_built_here(imported, monkeypatch):
    here = retagging.vocabulary()
    looks = []
    monkeypatch.setattr(tagging, "build_vocabulary", _slowly(tagging.build_vocabulary, os.getpid(), 0.3))
    beside = retagging.vocabulary(beside=Beside(until=lambda done: looks.append(done())))
    assert looks == [False]  # this process was given the time the other one took
    assert (beside.terms, beside.folded, beside.assigned) == (here.terms, here.folded, here.assigned)


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_vocabulary_process_that_fails_leaves_the_build_to_this_one(imported, monkeypatch, caplog, how):
    here = retagging.vocabulary()
    parent = os.getpid()
    build = tagging.build_vocabulary

    def failing(*args, **kwargs):
        if os.getpid() != parent:
            if how == "dies":
                os._exit(9)
            raise MemoryError("out of memory")
        return build(*args, **kwargs)

    monkeypatch.setattr(tagging, "build_vocabulary", failing)
    beside = retagging.vocabulary(beside=Beside())
    assert (beside.terms, beside.assigned) == (here.terms, here.assigned)
    assert "built in this process" in caplog.text


def test_an_import_makes_documents_while_it_writes_tags(search_index, monkeypatch):
    """The documents of the essays tagged so far are being written before
    the tags' transaction ends, and are those of the essays as tagged."""
    from essays import importer

    monkeypatch.setattr(importer, "POOL_MIN_ESSAYS", 1)
    monkeypatch.setattr(retagging, "RETAG_CHUNK", 10)
    monkeypatch.setattr(tagging, "build_vocabulary", _slowly(tagging.build_vocabulary, os.getpid(), 0.3))
    written = _written_documents(monkeypatch, search_index)
    during_tags = []
    record = retagging.record_tag_versions

    def recording(pks, import_started=None):
        during_tags.append(len(written))
        return record(pks, import_started)

    monkeypatch.setattr(retagging, "record_tag_versions", recording)
    report = Importer(update_index=True, workers=2).import_paths([SEEDS])
    assert not report.failed and not report.index_error
    assert during_tags and during_tags[0] > 0
    readable = sorted(Essay.objects.readable().values_list("pk", flat=True))
    assert sorted(written) == readable
    assert written == _plain_documents(readable)  # tags, section and stamps as committed
    assert report.repair.indexed == 0 and report.repair.removed == 0


def test_an_index_that_fails_while_tags_are_written_leaves_the_tags(search_index, monkeypatch):
    from essays import importer

    monkeypatch.setattr(importer, "POOL_MIN_ESSAYS", 1)
    monkeypatch.setattr(retagging, "RETAG_CHUNK", 10)

    def broken(self, pks):
        raise OSError("disk full")

    monkeypatch.setattr(pooled.IndexFeed, "add", broken)
    report = Importer(update_index=True, workers=2).import_paths([SEEDS])
    assert not report.failed
    assert "disk full" in report.index_error
    tagged = Essay.objects.readable().filter(tags__isnull=False).distinct().count()
    assert tagged == Essay.objects.readable().count()
    # The index is rebuilt from the database as usual.
    update_essays(Essay.objects.readable().values_list("pk", flat=True))
    from haystack.query import SearchQuerySet

    assert SearchQuerySet().models(Essay).count() == Essay.objects.readable().count()


def test_the_feed_hands_freed_memory_back_after_the_batches_it_writes(imported, search_index, monkeypatch):
    """Documents are unpickled in the pool's result thread (an allocator
    arena of its own) and freed here: the heap is trimmed as they are
    written, not left to grow with the import."""
    pks = sorted(Essay.objects.readable().values_list("pk", flat=True))
    monkeypatch.setattr(pooled, "POOL_BATCH", 10)
    monkeypatch.setattr(pooled, "IN_FLIGHT", 0)
    trimmed = []
    monkeypatch.setattr(pooled, "release_freed_memory", lambda: trimmed.append(1))
    with pooled.IndexFeed(pks, workers=2) as feed:
        for start in range(0, 30, 10):
            feed.add(pks[start : start + 10])
    assert len(trimmed) >= 3


def test_tokens_that_cannot_be_made_ahead_are_made_with_the_documents(search_index, monkeypatch, caplog):
    """Tokens made ahead only spare work: a scratch file that cannot be
    written (a full disk) stops them, and the index is complete all the same."""
    from essays import importer

    monkeypatch.setattr(importer, "POOL_MIN_ESSAYS", 1)
    monkeypatch.setattr(tagging, "build_vocabulary", _slowly(tagging.build_vocabulary, os.getpid(), 0.3))

    def full_disk(self, essays):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pooled.TokenSpill, "write", full_disk)
    written = _written_documents(monkeypatch, search_index)
    report = Importer(update_index=True, workers=2).import_paths([SEEDS])
    assert not report.failed and not report.index_error
    readable = sorted(Essay.objects.readable().values_list("pk", flat=True))
    assert written == _plain_documents(readable)
    assert "search tokens not made ahead" in caplog.text


def test_a_scratch_file_that_cannot_be_read_is_made_again(imported, search_index, monkeypatch):
    pks = sorted(Essay.objects.readable().values_list("pk", flat=True))
    written = _written_documents(monkeypatch, search_index)
    with pooled.IndexFeed(pks, workers=2) as feed:
        feed.until(lambda: False)
        feed._finish_pretokenizing()
        feed._spill.path.write_bytes(b"not a database" * 100)
    assert written == _plain_documents(pks)
