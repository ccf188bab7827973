"""A haystack backend over tantivy, the embedded default engine.

tantivy (a Lucene-like library in Rust; MIT, released monthly) answers the
search page's queries in about a millisecond where Whoosh, in pure Python,
took hundreds at a few thousand essays (``docs/search.md`` has the numbers).
It reads the same whitespace-separated tokens as the other backends
(``essays.search.tokens``), with tantivy's whitespace tokenizer, and builds the
same tiers (``essays.search.tiers``) as query objects: nothing the reader
types reaches a query parser.

The index is a directory (``SEARCH_URL=tantivy:///path``). Every process opens
it once; a search first checks ``meta.json`` (one ``stat``) so that a commit by
another process (the admin in another gunicorn worker, ``import_seeds``) is
seen by the next query. One process writes at a time: tantivy takes a lock
file, and a writer that finds it held waits and tries again.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tantivy
from django.utils import timezone
from haystack.backends import BaseEngine, BaseSearchBackend, BaseSearchQuery, log_query
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.fields import DateField, DateTimeField
from haystack.models import SearchResult
from haystack.utils import get_identifier, get_model_ct

from essays.memo import Kept
from essays.search.engine import IndexMissing
from essays.search.tiers import (
    CHAR_FIELD,
    FILTER_FIELDS,
    GRAM_FIELD,
    META_GRAM_FIELD,
    PHRASE_FIELDS,
    TITLE_GRAM_FIELD,
    TITLE_PHRASE_BOOST,
    WORD_FIELDS,
    SearchHits,
    SearchRequest,
    filter_terms,
    loose_needles,
    scoring_words,
)
from essays.search.tokens import bigram_string, bigrams, parse_query

# A document's primary key, as a column: results are turned into primary keys
# without reading stored documents.
PK_FIELD = "django_pk"
# The essay's ``updated`` as indexed: how a repair finds stale documents.
STAMP_FIELD = "updated"
SPEC_FILE = "wenji-schema.json"
WRITER_HEAP = 64_000_000
LOCK_WAIT_SECONDS = 30.0
# Within ``writing()`` (an import's index), one writer takes this many
# documents before it commits. A commit per batch of 1,000 cost a third of
# the indexing: each waited for tantivy to index its batch and to merge the
# segments made so far (10,000 essays written in 8.3 s, 5.6 with one
# commit). The writer is then let go, so a curator's save waiting for the
# lock (LOCK_WAIT_SECONDS) gets it between spans (some 10 s each here).
WRITER_SPAN = 20_000

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Q = tantivy.Query
MUST, SHOULD, MUST_NOT = tantivy.Occur.Must, tantivy.Occur.Should, tantivy.Occur.MustNot


@dataclass
class _Opened:
    pid: int  # a forked process (gunicorn --preload) opens its own
    index: tantivy.Index
    stamp: tuple | None  # meta.json when last (re)loaded


@dataclass
class _Session:
    """A ``writing()`` block's writer (opened at its first write) and the
    documents it took since its last commit."""

    index: tantivy.Index | None = None
    writer: tantivy.IndexWriter | None = None
    documents: int = 0


_OPEN: dict[str, _Opened] = {}
_OPEN_LOCK = threading.Lock()

# Counts the search page shows but does not rank: how many essays only the
# loose tier finds (and, sorted by date, how many the exact tier finds),
# kept per index commit (meta.json's stamp) and query in each process. Such
# a count walks every match: at 100,000 essays a common word's took longer
# than ranking its first page (脫貧攻堅: 24 ms against 16). The stamp is in
# the key, so a commit by any process is counted afresh at its first query.
COUNTS_KEPT = 2048
_COUNTS = Kept(COUNTS_KEPT)


def _request_key(request: SearchRequest) -> tuple:
    terms = tuple((t.text, t.quoted, tuple(t.words)) for t in request.query.terms)
    return terms, tuple(sorted(set(request.tag_ids))), request.section_id, request.collection_id


class TantivySearchBackend(BaseSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.path = Path(connection_options["PATH"])
        self._schema = None
        self._spec = None
        self._local = threading.local()  # this thread's writing() session

    # -- schema and opening ---------------------------------------------------------

    @staticmethod
    def schema_spec(fields) -> list[tuple]:
        """What each field of the index is: (name, kind, option). Kept
        beside the index, so an index built for other fields is noticed."""
        spec = [(name, "id", "basic") for name in (ID, DJANGO_CT, DJANGO_ID)]
        spec.append((PK_FIELD, "pk", "fast"))
        for field in fields.values():
            name = field.index_fieldname
            if name in (ID, DJANGO_CT, DJANGO_ID):
                continue
            if isinstance(field, DateField | DateTimeField):
                spec.append((name, "date", "fast"))
            elif not field.indexed:
                spec.append((name, "stored", "basic"))
            elif name in PHRASE_FIELDS:  # positions only where phrases are asked
                spec.append((name, "tokens", "position"))
            elif name in FILTER_FIELDS or name == CHAR_FIELD:
                spec.append((name, "tokens", "basic"))
            else:  # frequencies, for BM25
                spec.append((name, "tokens", "freq"))
        return spec

    @staticmethod
    def build_schema_from_spec(spec) -> tantivy.Schema:
        builder = tantivy.SchemaBuilder()
        for name, kind, option in spec:
            if kind in ("id", "stored"):
                builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
            elif kind == "pk":
                builder.add_unsigned_field(name, fast=True)
            elif kind == "date":
                # Microseconds since the epoch: tantivy's date columns keep
                # whole seconds, too coarse to sort essays imported together.
                builder.add_integer_field(name, indexed=True, fast=True)
            else:
                # Tokens are made in Python (essays.search.tokens): whitespace
                # splits them, nothing else.
                builder.add_text_field(name, tokenizer_name="whitespace", index_option=option)
        return builder.build()

    @property
    def spec(self) -> list[tuple]:
        if self._spec is None:
            fields = self.connections[self.connection_alias].get_unified_index().all_searchfields()
            self._spec = self.schema_spec(fields)
        return self._spec

    @property
    def schema(self) -> tantivy.Schema:
        if self._schema is None:
            self._schema = self.build_schema_from_spec(self.spec)
        return self._schema

    @property
    def connections(self):
        from haystack import connections

        return connections

    def _stamp(self):
        try:
            meta = os.stat(self.path / "meta.json")
        except FileNotFoundError:
            return None
        return (meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def _open(self, create: bool = True):
        """The index, opened once per process (haystack keeps a backend per
        thread; they share it), reloaded when a writer has committed since.
        None when there is no index and ``create`` is false."""
        key = str(self.path)
        with _OPEN_LOCK:
            stamp = self._stamp()
            opened = _OPEN.get(key)
            if opened and opened.pid == os.getpid() and stamp is not None:
                if opened.stamp != stamp:
                    opened.index.reload()
                    opened.stamp = stamp
                return opened.index
            if stamp is None and not create:
                return None
            if self.path.is_dir() and any(self.path.iterdir()) and not self._compatible():
                # Another engine's files, or an index of other fields: start
                # afresh (rebuild_index fills it) rather than fail every query.
                shutil.rmtree(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
            index = tantivy.Index(self.schema, path=key, reuse=True)
            (self.path / SPEC_FILE).write_text(self._spec_text(), encoding="utf-8")
            _OPEN[key] = _Opened(os.getpid(), index, self._stamp())
            self.setup_complete = True
            return index

    def _spec_text(self) -> str:
        return json.dumps(self.spec, ensure_ascii=False)

    def _compatible(self) -> bool:
        try:
            return (self.path / SPEC_FILE).read_text(encoding="utf-8") == self._spec_text()
        except OSError:
            return False

    def setup(self):
        self._open()

    # -- health and repair ----------------------------------------------------------

    def check_index(self) -> int:
        """The number of documents; IndexMissing when there is no index,
        tantivy's error when it cannot be read."""
        index = self._open(create=False)
        if index is None:
            raise IndexMissing(f"no search index at {self.path}")
        return index.searcher().num_docs

    def prepare_repair(self) -> None:
        """Make sure there is an index to repair: a missing one is created
        empty; one tantivy cannot open is moved aside (kept, for a person to
        look at) and replaced by an empty one."""
        try:
            self._open()
        except ValueError:
            aside = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
            with _OPEN_LOCK:
                _OPEN.pop(str(self.path), None)
                self.path.rename(aside)
            self._open()

    def indexed_stamps(self) -> dict[int, datetime | None]:
        """{primary key: the essay's ``updated`` when it was indexed} for
        every document, read from the fast columns (no stored documents)."""
        index = self._open(create=False)
        if index is None:
            return {}
        searcher = index.searcher()
        if not searcher.num_docs:
            return {}
        addresses = [address for _, address in searcher.search(Q.all_query(), limit=searcher.num_docs).hits]
        pks = searcher.fast_field_values(PK_FIELD, addresses)
        stamps = searcher.fast_field_values(STAMP_FIELD, addresses)
        return {
            int(pk): None if stamp is None else EPOCH + timedelta(microseconds=stamp)
            for pk, stamp in zip(pks, stamps, strict=True)
        }

    def _searcher(self):
        index = self._open(create=False)
        return None if index is None else index.searcher()

    def _searcher_and_stamp(self):
        """A searcher and the commit it reads (None, None: no index). Taken
        together under the lock that reloads, so a count is never kept
        under a newer commit than the one it counted."""
        index = self._open(create=False)
        if index is None:
            return None, None
        with _OPEN_LOCK:
            opened = _OPEN.get(str(self.path))
            return index.searcher(), opened.stamp if opened else None

    @staticmethod
    def _kept_count(searcher, stamp, query, key: tuple) -> int:
        """``query``'s number of matches, counted once per index commit."""
        if stamp is None:
            return searcher.search(query, limit=1).count
        # The documents' and segments' numbers too: two commits within one
        # tick of the file clock can leave meta.json's stamp the same.
        key = (stamp, searcher.num_docs, searcher.num_segments, *key)
        count = _COUNTS.get(key)
        if count is None:
            count = searcher.search(query, limit=1).count
            _COUNTS.put(key, count)
        return count

    def _writer(self):
        """The index and a writer of it, holding tantivy's writer lock; a
        lock held by another process is waited for."""
        index = self._open()
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return index, index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _let_go(self, index, writer, commit: bool) -> None:
        """Commit (or roll back) and release the lock; this process's
        searches then read the new commit."""
        try:
            if commit:
                writer.commit()
            else:
                writer.rollback()
        finally:
            writer.wait_merging_threads()  # releases the lock
        index.reload()
        with _OPEN_LOCK:
            opened = _OPEN.get(str(self.path))
            if opened is not None:
                opened.stamp = self._stamp()

    def _write(self, work, documents: int = 0) -> None:
        """Run ``work(writer)`` and commit; within ``writing()``, on the
        session's writer, committed once ``documents`` add up to WRITER_SPAN."""
        session = getattr(self._local, "session", None)
        if session is not None:
            if session.writer is None:
                session.index, session.writer = self._writer()
            work(session.writer)
            session.documents += documents
            if session.documents >= WRITER_SPAN:
                writer, session.writer, session.documents = session.writer, None, 0
                self._let_go(session.index, writer, commit=True)
            return
        index, writer = self._writer()
        try:
            work(writer)
        except BaseException:
            self._let_go(index, writer, commit=False)
            raise
        self._let_go(index, writer, commit=True)

    @contextmanager
    def writing(self):
        """Within it, this thread's updates and removals go to one writer,
        committed every WRITER_SPAN documents and when the block ends; what
        was not committed yet is rolled back if the block raises (a repair,
        ``sync.repair``, indexes it again). Searches see the documents once
        committed."""
        if getattr(self._local, "session", None) is not None:  # already in one
            yield
            return
        session = self._local.session = _Session()
        try:
            yield
        except BaseException:
            if session.writer is not None:
                self._let_go(session.index, session.writer, commit=False)
            raise
        else:
            if session.writer is not None:
                self._let_go(session.index, session.writer, commit=True)
        finally:
            self._local.session = None

    # -- writing ------------------------------------------------------------------

    def _document(self, index, obj) -> tantivy.Document:
        data = index.full_prepare(obj)
        doc = tantivy.Document()
        dated = _dated_fields(index)
        for name, value in data.items():
            if value is None or value == "":
                continue
            if name in dated:
                doc.add_integer(name, _microseconds(value))
            elif isinstance(value, list | tuple):
                for item in value:
                    doc.add_text(name, str(item))
            else:
                doc.add_text(name, str(value))
        doc.add_unsigned(PK_FIELD, int(obj.pk))
        return doc

    def update(self, index, iterable, commit=True):
        objects = list(iterable)
        if not objects:
            return

        def work(writer):
            # Each document made as it is added (tantivy copies it into the
            # writer's heap), not all of a batch's first: 2,000 essays'
            # documents took about 50 MB.
            for obj in objects:
                writer.delete_documents_by_term(ID, get_identifier(obj))
                writer.add_document(self._document(index, obj))

        self._write(work, documents=len(objects))

    def remove(self, obj_or_string, commit=True):
        self.remove_many([get_identifier(obj_or_string)])

    def remove_many(self, identifiers) -> None:
        identifiers = list(identifiers)
        if not identifiers:
            return

        def work(writer):
            for identifier in identifiers:
                writer.delete_documents_by_term(ID, identifier)

        self._write(work, documents=len(identifiers))

    def clear(self, models=None, commit=True):
        if not models:
            self._write(lambda writer: writer.delete_all_documents())
            return
        labels = [get_model_ct(model) for model in models]

        def work(writer):
            for label in labels:
                writer.delete_documents_by_term(DJANGO_CT, label)

        self._write(work)

    # -- the search page ------------------------------------------------------------

    def run_search(self, request: SearchRequest) -> SearchHits:
        searcher, stamp = self._searcher_and_stamp()
        if searcher is None:  # not "nothing found": there is nothing to look in
            raise IndexMissing(f"no search index at {self.path}")
        schema = self.schema
        exact, loose, scoring, filters = tantivy_queries(schema, request)
        end = request.offset + request.limit
        key = (str(self.path), *_request_key(request))

        def ranked(required, offset, limit):
            clauses = [(MUST, required), *filters]
            if scoring is not None:
                clauses.append((SHOULD, scoring))
            return searcher.search(Q.boolean_query(clauses), limit=max(limit, 1), offset=offset, count=True)

        if request.sort == "new":
            anywhere = Q.boolean_query([(SHOULD, exact), (SHOULD, loose)])
            result = searcher.search(
                Q.boolean_query([(MUST, anywhere), *filters]),
                limit=max(request.limit, 1),
                offset=request.offset,
                count=True,
                order_by_field="created",
            )
            exact_total = self._kept_count(searcher, stamp, Q.boolean_query([(MUST, exact), *filters]), ("exact", *key))
            return SearchHits(result.count, self._pks(searcher, result)[: request.limit], exact_total)

        first = ranked(exact, request.offset, request.limit)
        exact_total = first.count
        pks = self._pks(searcher, first)[: request.limit] if request.offset < exact_total else []
        if not loose_needles(request.query):
            return SearchHits(exact_total, pks, exact_total)
        loose_only = Q.boolean_query([(MUST, loose), (MUST_NOT, exact)])
        wanted = end - exact_total
        if len(pks) >= request.limit or wanted <= 0:
            count = self._kept_count(searcher, stamp, Q.boolean_query([(MUST, loose_only), *filters]), ("loose", *key))
            return SearchHits(exact_total + count, pks, exact_total)
        start = max(request.offset - exact_total, 0)
        second = ranked(loose_only, start, request.limit - len(pks))
        return SearchHits(exact_total + second.count, (pks + self._pks(searcher, second))[: request.limit], exact_total)

    @staticmethod
    def _pks(searcher, result) -> list[int]:
        return [int(pk) for pk in searcher.fast_field_values(PK_FIELD, [address for _, address in result.hits])]

    # -- haystack's SearchQuerySet ----------------------------------------------------

    @log_query
    def search(self, query_string, **kwargs):
        searcher = self._searcher()
        if searcher is None or not query_string:
            return {"results": [], "hits": 0}
        index = self._open()
        query = index.parse_query(query_string, [GRAM_FIELD])
        models = kwargs.get("models") or ()
        if models:
            labels = [Q.term_query(self.schema, DJANGO_CT, get_model_ct(m), index_option="basic") for m in models]
            query = Q.boolean_query([(MUST, query), (MUST, Q.boolean_query([(SHOULD, q) for q in labels]))])
        start = kwargs.get("start_offset") or 0
        end = kwargs.get("end_offset")
        limit = max((end - start) if end is not None else searcher.num_docs, 1)
        sort_by = kwargs.get("sort_by") or []
        options = {}
        if sort_by and sort_by[0].lstrip("-") == "created":
            options = {
                "order_by_field": "created",
                "order": tantivy.Order.Desc if sort_by[0].startswith("-") else tantivy.Order.Asc,
            }
        result = searcher.search(query, limit=limit, offset=start, count=True, **options)
        result_class = kwargs.get("result_class") or SearchResult
        unified = self.connections[self.connection_alias].get_unified_index()
        results = []
        for score, address in result.hits:
            stored = {k: v[0] for k, v in searcher.doc(address).to_dict().items() if v}
            app_label, model_name = stored.pop(DJANGO_CT).split(".")
            pk = stored.pop(DJANGO_ID)
            model = self._model(unified, app_label, model_name)
            if model is None:
                continue
            results.append(result_class(app_label, model_name, pk, score if not options else 0.0, **stored))
        return {"results": results, "hits": result.count}

    @staticmethod
    def _model(unified, app_label, model_name):
        from django.apps import apps

        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            return None
        return model if model in unified.get_indexed_models() else None


def _dated_fields(index) -> frozenset[str]:
    """The index's date fields, by the names its documents give them: kept
    on the index (its fields are set when it is built), not looked up among
    its fields for every value of every document."""
    dated = getattr(index, "_tantivy_dated_fields", None)
    if dated is None:
        dated = frozenset(f.index_fieldname for f in index.fields.values() if isinstance(f, DateField | DateTimeField))
        index._tantivy_dated_fields = dated
    return dated


def _microseconds(value) -> int:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return (value - EPOCH) // timedelta(microseconds=1)


def _match(schema, text: str, fieldname: str = GRAM_FIELD):
    """Documents holding ``text`` (normalised letters and digits) verbatim."""
    if len(text) == 1:
        return Q.term_query(schema, CHAR_FIELD, text, index_option="basic")
    grams = bigrams(text)
    if len(grams) == 1:
        return Q.term_query(schema, fieldname, grams[0])
    return Q.phrase_query(schema, fieldname, grams)


def tantivy_queries(schema, request: SearchRequest):
    """(exact, loose, scoring or None, filter clauses) as tantivy queries,
    the same tiers as ``whoosh_queries``."""
    query = request.query
    exact = Q.boolean_query([(MUST, _match(schema, t.text)) for t in query.terms])
    anywhere = [
        _match(schema, n)
        if len(n) == 1
        else Q.boolean_query([(SHOULD, _match(schema, n)), (SHOULD, _match(schema, n, META_GRAM_FIELD))])
        for n in loose_needles(query)
    ]
    loose = Q.boolean_query([(MUST, q) for q in anywhere]) if anywhere else Q.empty_query()
    should = []
    for word in scoring_words(query):
        for fieldname, boost in WORD_FIELDS.items():
            should.append((SHOULD, Q.boost_query(Q.term_query(schema, fieldname, word, index_option="freq"), boost)))
    for term in query.terms:
        if len(term.text) >= 2:
            should.append((SHOULD, Q.boost_query(_match(schema, term.text, TITLE_GRAM_FIELD), TITLE_PHRASE_BOOST)))
        else:
            should.append((SHOULD, _match(schema, term.text)))
    scoring = Q.boolean_query(should) if should else None
    filters = [
        (MUST, Q.const_score_query(Q.term_query(schema, f, v, index_option="basic"), 0.0))
        for f, v in filter_terms(request)
    ]
    return exact, loose, scoring, filters


class TantivySearchQuery(BaseSearchQuery):
    """haystack's ``SearchQuerySet`` over tantivy's query language, built
    here from normalised letters and digits only (``parse_query``)."""

    def matching_all_fragment(self):
        return "*"

    def build_query_fragment(self, field, filter_type, value):
        raw = str(getattr(value, "query_string", value))
        if field == "content" and filter_type in ("content", "contains", "exact"):
            query = parse_query(raw)
            if not query:
                return "*"
            parts = []
            for term in query.terms:
                if len(term.text) == 1:
                    parts.append(f"{CHAR_FIELD}:{term.text}")
                else:
                    phrase = bigram_string(term.text)
                    parts.append(f'({GRAM_FIELD}:"{phrase}" OR {META_GRAM_FIELD}:"{phrase}")')
            return "(" + " AND ".join(parts) + ")"
        from haystack import connections

        index_field = connections[self._using].get_unified_index().get_index_fieldname(field)
        tokens = [t for t in raw.split() if t.isalnum()]
        if not tokens:
            return "*"
        return "(" + " AND ".join(f'{index_field}:"{t}"' for t in tokens) + ")"


class TantivyEngine(BaseEngine):
    backend = TantivySearchBackend
    query = TantivySearchQuery
