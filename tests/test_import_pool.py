"""Imports with a pool of worker processes give exactly what an import in one
process gives, and the texts are segmented in the pool, never in the process
writing the database and the index."""

import re
import time

import pytest

from essays.importer import Importer
from essays.models import Essay, SourceFile, Tag
from essays.search import tokens
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db


def snapshot():
    return sorted(
        (
            e.source.name,
            e.position,
            e.key,
            e.title,
            e.author,
            e.section.slug if e.section_id else None,
            tuple(sorted(t.name for t in e.tags.all())),
            e.status,
            e.duplicate_of.key if e.duplicate_of_id else None,
            e.near_duplicate_of.key if e.near_duplicate_of_id else None,
        )
        for e in Essay.objects.select_related(
            "source", "section", "duplicate_of", "near_duplicate_of"
        ).prefetch_related("tags")
    )


def test_a_pool_imports_what_one_process_imports(search_index):
    pooled = Importer(update_index=False, workers=2).import_paths([SEEDS])
    assert not pooled.failed
    with_pool = snapshot()
    SourceFile.objects.all().delete()
    Tag.objects.all().delete()
    alone = Importer(update_index=False, workers=0).import_paths([SEEDS])
    assert snapshot() == with_pool
    assert [f.line() for f in pooled.files] == [f.line() for f in alone.files]


def test_a_pooled_rerun_skips_unchanged_files_and_refuses_bad_ones(search_index, write_file, seeds_dir):
    Importer(update_index=False, workers=2).import_paths([seeds_dir])
    (seeds_dir / "broken.txt").write_bytes(b"")
    seed = sorted(SEEDS.glob("*.txt"))[3]
    (seeds_dir / "zz_copy.txt").write_bytes(seed.read_bytes())
    report = Importer(update_index=False, workers=2).import_paths([seeds_dir])
    by_name = {f.name: f for f in report.files}
    assert by_name["broken.txt"].status == "failed"
    assert (
        by_name["zz_copy.txt"].status == "unchanged" and by_name["zz_copy.txt"].reason == f"same content as {seed.name}"
    )
    assert all(f.status == "unchanged" for f in report.files if f.name != "broken.txt")
    assert sum(f.unchanged for f in report.files) == Essay.objects.count()


def test_the_index_uses_the_documents_made_in_the_pool(search_index, monkeypatch):
    made = []
    original = tokens.index_tokens

    def counting(*parts):
        made.append(parts)  # in this process only: a worker appends to its own copy
        return original(*parts)

    monkeypatch.setattr(tokens, "index_tokens", counting)
    report = Importer(update_index=True, workers=2).import_paths([SEEDS])
    assert not report.index_error
    # No part of any document (title, text, tags and section, collection
    # and author) is segmented in this process: the workers make whole documents.
    assert made == []
    from haystack import connections

    assert not connections["default"].get_unified_index().get_index(Essay)._prepared  # forgotten after each batch
    from essays.search.engine import run_search
    from essays.search.tiers import SearchRequest

    assert run_search(SearchRequest(tokens.parse_query("钟南山"))).total > 0


def test_documents_from_rows_are_the_documents_of_the_essays(search_index):
    """The pool indexes plain rows (EssayIndex.rows) instead of model
    instances: each row's document is exactly the essay's."""
    from haystack import connections

    Importer(update_index=False, workers=0).import_paths([SEEDS])
    essay = Essay.objects.readable().filter(tags__isnull=False).first()
    essay.section = None
    essay.save()
    index = connections["default"].get_unified_index().get_index(Essay)
    readable = list(index.index_queryset().order_by("pk"))
    rows = index.rows([e.pk for e in Essay.objects.all()])
    assert [row.pk for row in rows] == [e.pk for e in readable]
    assert any(not row.section_id for row in rows) and any(row.tags for row in rows)
    for row, essay in zip(rows, readable, strict=True):
        assert index.full_prepare(row) == index.full_prepare(essay)


def test_tags_of_new_essays_are_written_in_batches(search_index):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        Importer(update_index=False, workers=0).import_paths([SEEDS])
    tag_writes = [q for q in queries if 'INTO "essays_essay_tags"' in q["sql"]]
    # The archive's vocabulary tags the whole run at its end (essays.retagging):
    # a few batched inserts, never one per essay.
    assert 0 < len(tag_writes) <= len(list(SEEDS.glob("*.txt")))
    assert Essay.objects.filter(tags__isnull=False).distinct().count() == Essay.objects.count()


def test_each_essay_is_indexed_once_after_its_tags(search_index, monkeypatch):
    """The run's tags come at its end: indexing before them would index every
    new essay twice (and make its tokens twice), however long the run (an
    import used to index every INDEX_EVERY essays as it went)."""
    from haystack import connections

    from essays import importer

    monkeypatch.setattr(importer, "INDEX_EVERY", 10, raising=False)

    backend = connections["default"].get_backend()
    written = []
    original = type(backend).update

    def counting(self, index, iterable, commit=True):
        iterable = list(iterable)
        written.extend((e.pk, tuple(sorted(t.name for t in e.tags.all()))) for e in iterable)
        return original(self, index, iterable, commit)

    monkeypatch.setattr(type(backend), "update", counting)
    report = Importer(update_index=True, workers=2).import_paths([SEEDS])
    assert not report.index_error
    readable = Essay.objects.readable().prefetch_related("tags")
    assert sorted(written) == sorted((e.pk, tuple(sorted(t.name for t in e.tags.all()))) for e in readable)


def test_files_are_read_beside_the_writer_and_index_tokens_on_every_core(search_index, monkeypatch):
    """Storing files keeps this process busy, so one core is left to it;
    writing the index leaves it waiting for tokens, so they are made on
    every core."""
    from essays import importer
    from essays.search import pooled

    monkeypatch.setattr(importer.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(importer, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(importer, "POOL_MIN_ESSAYS", 1)
    pools = []
    original_import_files = importer.Importer._import_files

    def import_files(self, files, workers):
        pools.append(("files", workers))
        return original_import_files(self, files, workers)

    original_open = pooled.IndexFeed.open

    def open_feed(self):
        pools.append(("index", self.workers))
        return original_open(self)

    monkeypatch.setattr(importer.Importer, "_import_files", import_files)
    monkeypatch.setattr(pooled.IndexFeed, "open", open_feed)
    report = Importer(update_index=True).import_paths([SEEDS])
    assert not report.failed and not report.index_error
    assert pools[:2] == [("files", 1), ("index", 2)]
    from haystack.query import SearchQuerySet

    assert SearchQuerySet().models(Essay).count() == Essay.objects.readable().count()


def test_the_report_says_what_each_phase_cost(search_index):
    """The benchmark and `import_seeds -v 2` show where an import's time
    goes: wall and CPU time of each phase, here and in the pools."""
    report = Importer(update_index=True, workers=2).import_paths([SEEDS])
    assert list(report.phases) == ["store", "tags", "index"]
    assert all(cost.seconds > 0 and cost.cpu > 0 for cost in report.phases.values())
    # The files and the index tokens are worked on in pools, the vocabulary
    # in a process of its own (counted in the tags phase, when it ends).
    assert report.phases["store"].workers_cpu > 0 and report.phases["index"].workers_cpu > 0
    assert report.phases["tags"].workers_cpu > 0
    assert "store " in report.costs_line() and "s in workers" in report.costs_line()


def test_import_seeds_prints_the_phases_when_asked(search_index):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_seeds", str(SEEDS), "--no-progress", verbosity=2, stdout=out)
    assert re.search(r"^time: store [\d.]+ s \(CPU [\d.]+ s here", out.getvalue(), re.M), out.getvalue()


def _burn_then_wait(started, release):
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    started.set()
    release.wait(10)


def test_a_phase_counts_the_cpu_of_children_still_running():
    """The index's pool is forked before the tags are made and ends with
    the index: the tags phase still counts what its workers did."""
    import multiprocessing

    from essays.importer import _children_cpu

    context = multiprocessing.get_context("fork")
    started, release = context.Event(), context.Event()
    before = _children_cpu()
    child = context.Process(target=_burn_then_wait, args=(started, release))
    child.start()
    try:
        assert started.wait(10)
        assert _children_cpu() - before >= 0.2
    finally:
        release.set()
        child.join()
    assert _children_cpu() - before >= 0.2  # and once it ended
