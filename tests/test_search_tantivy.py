"""The tantivy backend (the embedded default): what a single-process test of
the search page does not show. Commits by other processes are seen at once,
the writer lock is waited for, a folder holding another engine's files is
replaced, haystack's own commands work, and the Whoosh backend (still
selectable) answers every query the same way."""

import io
import logging
import multiprocessing
import threading
import time

import pytest
import tantivy
from django.core.management import call_command
from haystack import connections
from haystack.query import SearchQuerySet

from essays.models import Essay
from essays.search import tantivy_backend
from essays.search.engine import IndexMissing, run_search
from essays.search.sync import deferred, update_essays
from essays.search.tantivy_backend import PK_FIELD, SPEC_FILE, TantivySearchBackend
from essays.search.tiers import SearchRequest
from essays.search.tokens import parse_query

pytestmark = pytest.mark.django_db


def pks(query, using="default", **kwargs):
    return run_search(SearchRequest(parse_query(query), limit=1000, **kwargs), using=using).pks


def test_the_default_engine_is_tantivy():
    assert isinstance(connections["default"].get_backend(), TantivySearchBackend)


def test_a_commit_by_another_process_is_seen_by_the_next_query(indexed):
    backend = connections["default"].get_backend()
    essay = Essay.objects.readable().get(pk=pks("金珊")[0])
    assert pks("金珊")
    # Another process (an admin save in another worker) deletes the
    # document: its own Index object, its own writer.
    other = tantivy.Index.open(str(backend.path))
    writer = other.writer(heap_size=15_000_000, num_threads=1)
    writer.delete_documents_by_term("id", f"essays.essay.{essay.pk}")
    writer.commit()
    writer.wait_merging_threads()
    assert pks("金珊") == []


def test_a_writer_waits_for_the_lock_held_by_another(indexed):
    backend = connections["default"].get_backend()
    other = tantivy.Index.open(str(backend.path))
    held = other.writer(heap_size=15_000_000, num_threads=1)
    released = threading.Event()

    def release_soon():
        time.sleep(0.3)
        held.wait_merging_threads()
        released.set()

    thread = threading.Thread(target=release_soon)
    thread.start()
    essay = Essay.objects.readable().get(pk=pks("金珊")[0])
    update_essays([essay.pk])  # waits for the lock, then writes
    thread.join()
    assert released.is_set()
    assert pks("金珊") == [essay.pk]


def test_a_folder_of_another_engine_is_replaced(db, tmp_path, settings):
    folder = tmp_path / "index"
    folder.mkdir()
    (folder / "_MAIN_1.toc").write_bytes(b"whoosh was here")
    backend = TantivySearchBackend("default", PATH=str(folder))
    with pytest.raises(IndexMissing):  # not a tantivy index: no answer, rather than "nothing found"
        run_search_on(backend, "金珊")
    backend.setup()
    assert run_search_on(backend, "金珊").total == 0
    assert not (folder / "_MAIN_1.toc").exists()
    assert (folder / SPEC_FILE).exists() and (folder / "meta.json").exists()


def run_search_on(backend, query):
    return backend.run_search(SearchRequest(parse_query(query)))


def test_primary_keys_come_from_a_column(indexed):
    backend = connections["default"].get_backend()
    searcher = backend._searcher()
    result = searcher.search(tantivy.Query.all_query(), limit=5)
    from_column = searcher.fast_field_values(PK_FIELD, [a for _, a in result.hits])
    from_documents = [int(searcher.doc(a).to_dict()["django_id"][0]) for _, a in result.hits]
    assert from_column == from_documents


def test_search_queryset_and_update_index_remove(indexed):
    total = Essay.objects.readable().count()
    assert SearchQuerySet().models(Essay).count() == total
    assert {r.key for r in SearchQuerySet().models(Essay).filter(content="金珊")} == set(
        Essay.objects.readable().filter(text__contains="金珊").values_list("key", flat=True)
    )
    gone = Essay.objects.readable().get(pk=pks("金珊")[0])
    with deferred():  # removed behind the index's back
        gone.delete()
    assert pks("金珊")  # still in the index
    out = io.StringIO()
    call_command("update_index", remove=True, stdout=out, verbosity=1)
    assert "removing 1 stale records" in out.getvalue()
    assert pks("金珊") == []
    assert SearchQuerySet().models(Essay).count() == total - 1


def test_rebuild_index_reports_progress(indexed, capsys):
    out = io.StringIO()
    try:
        call_command("rebuild_index", interactive=False, stdout=out, verbosity=2, batchsize=10)
    finally:
        # haystack turns multiprocessing's logger up to INFO at verbosity 2;
        # at exit it would write to pytest's closed capture stream.
        multiprocessing.get_logger().setLevel(logging.WARNING)
    total = Essay.objects.readable().count()
    assert f"Indexing {total} " in out.getvalue()
    # haystack prints a line per batch at verbosity 2 (to the process's stdout)
    printed = capsys.readouterr().out
    assert f"indexed 1 - 10 of {total}" in printed
    last = (total - 1) // 10 * 10 + 1
    assert f"indexed {last} - {total} of {total}" in printed
    assert len(pks("金珊")) == 1


QUERIES = ["金珊", "人民", "的人民", "控阻击", "张", "钟南山 武汉", '"人民群众"', "脫貧攻堅", "抗美援朝 英雄", "疫情"]


def test_whoosh_gives_the_same_answers(indexed):
    """Our Whoosh backend, still selectable (SEARCH_URL=whoosh:///), finds
    the same essays in the same tiers for every query; only the order of
    equally good hits may differ between the engines' BM25s."""
    whoosh = connections["whoosh"].get_backend()
    whoosh.clear()
    try:
        update_essays(Essay.objects.readable().values_list("pk", flat=True), using="whoosh")
        for query in QUERIES:
            ours = run_search(SearchRequest(parse_query(query), limit=1000))
            theirs = run_search(SearchRequest(parse_query(query), limit=1000), using="whoosh")
            assert (ours.total, ours.exact) == (theirs.total, theirs.exact), query
            assert set(ours.pks[: ours.exact]) == set(theirs.pks[: theirs.exact]), query
            assert set(ours.pks) == set(theirs.pks), query
            newest = run_search(SearchRequest(parse_query(query), limit=1000, sort="new"))
            assert (
                newest.pks == run_search(SearchRequest(parse_query(query), limit=1000, sort="new"), using="whoosh").pks
            ), query
    finally:
        whoosh.clear()


def test_ensure_search_index_repairs_only_when_something_is_missing(indexed):
    total = Essay.objects.readable().count()
    out = io.StringIO()
    call_command("ensure_search_index", stdout=out)
    assert out.getvalue().strip() == f"Search index holds all {total} readable essays."
    connections["default"].get_backend().clear()
    out = io.StringIO()
    call_command("ensure_search_index", stdout=out)
    assert (
        out.getvalue().strip() == f"Search index repaired: {total} essays indexed, 0 removed ({total} readable essays)."
    )
    assert SearchQuerySet().models(Essay).count() == total


def test_ensure_search_index_names_an_unreadable_index_in_one_line(db, monkeypatch):
    from django.core.management.base import CommandError

    def unreachable(self):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(TantivySearchBackend, "indexed_stamps", unreachable)
    with pytest.raises(
        CommandError, match=r"^search index at \S+ cannot be repaired: ConnectionError: connection refused$"
    ):
        call_command("ensure_search_index")


class CountingSearcher:
    """A searcher that records each search it runs."""

    def __init__(self, searcher, calls):
        self._searcher, self._calls = searcher, calls

    def search(self, query, *args, **kwargs):
        self._calls.append(query)
        return self._searcher.search(query, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._searcher, name)


def test_counts_the_page_does_not_rank_are_kept_per_index_commit(indexed, monkeypatch):
    backend = connections["default"].get_backend()
    real = backend._searcher_and_stamp
    calls: list[str] = []
    monkeypatch.setattr(
        backend, "_searcher_and_stamp", lambda: (lambda s, stamp: (CountingSearcher(s, calls), stamp))(*real())
    )
    # A query whose first hit is exact and which the loose tier finds more of.
    for text in ["防控疫情", "武汉 英雄", "人民 英雄", "抗疫 精神", "英雄 人民", "疫情 英雄"]:
        hits = run_search(SearchRequest(parse_query(text), limit=1))
        if hits.exact >= 1 and hits.total > hits.exact:
            break
    else:
        pytest.fail("no seed query with exact and loose hits")
    request = SearchRequest(parse_query(text), limit=1)
    tantivy_backend._COUNTS.clear()  # as in a new process
    calls.clear()
    first = run_search(request)
    assert len(calls) == 2  # the ranked page, and the loose tier counted
    calls.clear()
    again = run_search(request)
    assert len(calls) == 1 and (again.total, again.exact, again.pks) == (first.total, first.exact, first.pks)
    # Sorted by date, the exact tier's count is kept the same way.
    newest = SearchRequest(parse_query(text), limit=1, sort="new")
    run_search(newest)
    calls.clear()
    assert run_search(newest).exact == first.exact and len(calls) == 1

    # Another process removes an essay only the loose tier found: the next
    # query counts again and sees it gone.
    loose_only = [pk for pk in pks(text) if pk not in pks(f'"{text}"')][-1:] or pks(text)[-1:]
    other = tantivy.Index.open(str(backend.path))
    writer = other.writer(heap_size=15_000_000, num_threads=1)
    writer.delete_documents_by_term("id", f"essays.essay.{loose_only[0]}")
    writer.commit()
    writer.wait_merging_threads()
    calls.clear()
    after = run_search(request)
    assert len(calls) == 2 and after.total == first.total - 1


class _CountingWriter:
    def __init__(self, writer, commits):
        self._writer, self._commits = writer, commits

    def commit(self):
        self._commits.append(1)
        return self._writer.commit()

    def __getattr__(self, name):
        return getattr(self._writer, name)


@pytest.fixture
def commits(monkeypatch):
    """Each commit the backend's writers make, counted."""
    made: list[int] = []
    opened = TantivySearchBackend._writer

    def counted(self):
        index, writer = opened(self)
        return index, _CountingWriter(writer, made)

    monkeypatch.setattr(TantivySearchBackend, "_writer", counted)
    return made


def test_an_update_in_many_batches_commits_once(imported, commits):
    readable = list(Essay.objects.readable().values_list("pk", flat=True))
    assert len(readable) > 4
    # A batch per two essays, as an import's are per 1,000: each used to
    # commit, waiting for tantivy to index it and merge its segments.
    update_essays(readable, batch_size=2)
    assert len(commits) == 1
    assert SearchQuerySet().models(Essay).count() == len(readable)
    essay = Essay.objects.readable().get(pk=pks("金珊")[0])
    assert essay.pk in readable


def test_a_long_update_commits_and_lets_the_lock_go_every_span(imported, commits, monkeypatch):
    monkeypatch.setattr(tantivy_backend, "WRITER_SPAN", 4)
    readable = list(Essay.objects.readable().values_list("pk", flat=True))
    released = []
    let_go = TantivySearchBackend._let_go

    def spy(self, index, writer, commit):
        let_go(self, index, writer, commit)
        # Released: another writer (a curator's save in another process) gets the lock now.
        other = tantivy.Index.open(str(self.path)).writer(heap_size=15_000_000, num_threads=1)
        other.wait_merging_threads()
        released.append(commit)

    monkeypatch.setattr(TantivySearchBackend, "_let_go", spy)
    update_essays(readable, batch_size=2)
    assert len(commits) == len(released) == -(-len(readable) // 4)
    assert all(released)
    assert SearchQuerySet().models(Essay).count() == len(readable)


def test_a_writing_block_that_fails_commits_nothing_and_lets_the_lock_go(indexed):
    backend = connections["default"].get_backend()
    index = connections["default"].get_unified_index().get_index(Essay)
    essay = Essay.objects.readable().get(pk=pks("金珊")[0])
    with pytest.raises(RuntimeError), backend.writing():
        backend.remove_many([f"essays.essay.{essay.pk}"])
        raise RuntimeError("the import failed here")
    assert pks("金珊") == [essay.pk]  # the removal was rolled back
    other = tantivy.Index.open(str(backend.path)).writer(heap_size=15_000_000, num_threads=1)  # not held
    other.wait_merging_threads()
    backend.update(index, [essay])
    assert pks("金珊") == [essay.pk]
