"""haystack backends for pre-segmented Chinese text.

Documents arrive already tokenised by ``essays.tokenize`` (words, character
bigrams, characters, each a whitespace-separated string), so every text field
only needs a whitespace analyzer: on Whoosh (a small subclass that sets the
analyzers in ``build_schema``, no fork of haystack's backend file) and on
Elasticsearch/OpenSearch (haystack's Elasticsearch 7 backend with a
whitespace mapping; no IK plugin).

Queries are built here from a parsed ``essays.tokenize.Query``, as query
objects or a query body, never by handing the reader's text to a query
parser. Every backend answers ``run_search(SearchRequest) -> SearchHits`` the
same way:

1. essays whose title or text holds every term verbatim (the exact tier)
   come first;
2. then essays holding every word of the terms in their title, text, tags,
   section, collection title or author, but not every term verbatim in the
   title or text;
3. within a tier, a BM25 score in which title and tag matches weigh more
   than body matches.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import STORED, TEXT

from essays.tokenize import Query, bigrams, parse_query

# Fields holding tokens, and the weight of a word found in each.
WORD_FIELDS = {"title_words": 4.0, "meta_words": 3.0, "text": 1.0}
GRAM_FIELD = "grams"  # title and text: the exact tier
META_GRAM_FIELD = "meta_grams"  # tags, section, collection, author
TITLE_GRAM_FIELD = "title_grams"
CHAR_FIELD = "chars"
PHRASE_FIELDS = {GRAM_FIELD, META_GRAM_FIELD, TITLE_GRAM_FIELD}
FILTER_FIELDS = ("tag_ids", "section_key", "collection_key")
TITLE_PHRASE_BOOST = 6.0


@dataclass
class SearchRequest:
    query: Query
    tag_ids: list[int] = field(default_factory=list)
    section_id: int | None = None
    collection_id: int | None = None
    sort: str = "relevance"  # or "new"
    offset: int = 0
    limit: int = 20


@dataclass
class SearchHits:
    total: int
    pks: list[int]
    exact: int  # how many of ``total`` hold every term verbatim


def filter_terms(request: SearchRequest) -> list[tuple[str, str]]:
    """(field, token) pairs every hit must carry."""
    pairs = [("tag_ids", str(pk)) for pk in dict.fromkeys(request.tag_ids)]
    if request.section_id is not None:
        pairs.append(("section_key", str(request.section_id)))
    if request.collection_id is not None:
        pairs.append(("collection_key", str(request.collection_id)))
    return pairs


def loose_needles(query: Query) -> list[str]:
    """The strings that must all occur somewhere for the loose tier: quoted
    phrases whole, other terms word by word."""
    needles: list[str] = []
    for term in query.terms:
        for needle in [term.text] if term.quoted else term.words:
            if needle not in needles:
                needles.append(needle)
    return needles


def scoring_words(query: Query) -> list[str]:
    return [w for w in query.word_list() if len(w) >= 2]


# -- Whoosh ------------------------------------------------------------------------


def _whoosh_match(text: str, fieldname: str = GRAM_FIELD) -> wq.Query:
    """Documents holding ``text`` (normalised letters and digits) verbatim."""
    if len(text) == 1:
        return wq.Term(CHAR_FIELD, text)
    grams = bigrams(text)
    if len(grams) == 1:
        return wq.Term(fieldname, grams[0])
    return wq.Phrase(fieldname, grams)


def whoosh_queries(request: SearchRequest) -> tuple[wq.Query, wq.Query, wq.Query, wq.Query | None]:
    """(exact, loose-only, scoring, filter or None) as Whoosh queries."""
    query = request.query
    exact = wq.And([_whoosh_match(t.text) for t in query.terms])
    anywhere = [
        _whoosh_match(n) if len(n) == 1 else wq.Or([_whoosh_match(n), _whoosh_match(n, META_GRAM_FIELD)])
        for n in loose_needles(query)
    ]
    loose = wq.AndNot(wq.And(anywhere), exact)
    should: list[wq.Query] = []
    for word in scoring_words(query):
        for fieldname, boost in WORD_FIELDS.items():
            should.append(wq.Term(fieldname, word, boost=boost))
    for term in query.terms:
        if len(term.text) >= 2:
            title = _whoosh_match(term.text, TITLE_GRAM_FIELD)
            title.boost = TITLE_PHRASE_BOOST
            should.append(title)
        else:
            should.append(wq.Term(CHAR_FIELD, term.text))
    scoring = wq.Or(should) if should else wq.NullQuery
    pairs = filter_terms(request)
    filt = wq.And([wq.Term(f, v) for f, v in pairs]) if pairs else None
    return exact, loose, scoring, filt


def whitespace_analyzer():
    return SpaceSeparatedTokenizer()


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self._local = threading.local()

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for name in list(schema.names()):
            current = schema[name]
            searchfield = fields.get(name)
            if searchfield is not None and searchfield.indexed is False:
                schema.remove(name)
                schema.add(name, STORED())
            elif isinstance(current, TEXT):
                # Tokens are made in Python (essays.tokenize); they are not
                # stored (the database has the text), and only the bigram
                # fields keep positions, for phrases.
                schema.remove(name)
                schema.add(
                    name,
                    TEXT(
                        analyzer=whitespace_analyzer(),
                        stored=False,
                        phrase=name in PHRASE_FIELDS,
                        field_boost=getattr(fields.get(name), "boost", 1.0) or 1.0,
                    ),
                )
        return content_field_name, schema

    # The searcher is kept between queries (opening one per query costs more
    # than the query) and refreshed when the index has changed.
    def _searcher(self):
        if not self.setup_complete:
            self.setup()
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or getattr(self._local, "index", None) is not self.index:
            self.index = self.index.refresh()
            searcher = self.index.searcher()
            self._local.index = self.index
        else:
            searcher = searcher.refresh()
        self._local.searcher = searcher
        return searcher

    def _forget_searcher(self):
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local.searcher = None

    def update(self, index, iterable, commit=True):
        super().update(index, iterable, commit)
        self._forget_searcher()

    def remove(self, obj_or_string, commit=True):
        super().remove(obj_or_string, commit)
        self._forget_searcher()

    def remove_many(self, identifiers) -> None:
        """Remove several documents in one write (haystack's ``remove`` opens
        and commits a writer per document)."""
        from haystack.constants import ID
        from whoosh.writing import AsyncWriter

        identifiers = list(identifiers)
        if not identifiers:
            return
        if not self.setup_complete:
            self.setup()
        self.index = self.index.refresh()
        writer = AsyncWriter(self.index)
        for identifier in identifiers:
            writer.delete_by_term(ID, identifier)
        writer.commit()
        self._forget_searcher()

    def clear(self, models=None, commit=True):
        self._forget_searcher()
        super().clear(models, commit)
        self._forget_searcher()

    def run_search(self, request: SearchRequest) -> SearchHits:
        exact, loose, scoring, filt = whoosh_queries(request)
        searcher = self._searcher()
        end = request.offset + request.limit
        if request.sort == "new":
            everything = wq.Or([exact, loose])
            results = searcher.search(everything, limit=max(end, 1), filter=filt, sortedby="created", reverse=True)
            total = len(results)
            exact_total = self._count(searcher, exact, filt)
            pks = [int(hit["django_id"]) for hit in results[request.offset : end]]
            return SearchHits(total, pks, exact_total)

        pks: list[int] = []
        first = searcher.search(wq.AndMaybe(exact, scoring), limit=max(end, 1), filter=filt, terms=False)
        exact_total = len(first)
        pks.extend(int(hit["django_id"]) for hit in first[request.offset : end])
        if len(pks) >= request.limit:  # the page is full: tier 2 only needs counting
            return SearchHits(exact_total + self._count(searcher, loose, filt), pks[: request.limit], exact_total)
        wanted = end - exact_total
        second = searcher.search(wq.AndMaybe(loose, scoring), limit=wanted, filter=filt, terms=False)
        start = max(request.offset - exact_total, 0)
        pks.extend(int(hit["django_id"]) for hit in second[start:wanted])
        return SearchHits(exact_total + len(second), pks[: request.limit], exact_total)

    @staticmethod
    def _count(searcher, query, filt) -> int:
        """How many documents match, without scoring them."""
        return len(searcher.search(query, limit=None, scored=False, filter=filt, terms=False))


def _whoosh_syntax(text: str, fieldname: str) -> str:
    """Query-language form of ``_whoosh_match``; ``text`` holds only letters
    and digits (from ``parse_query``), so nothing in it is syntax."""
    if len(text) == 1:
        return f"{CHAR_FIELD}:{text}"
    return f'{fieldname}:"{" ".join(bigrams(text))}"'


class ChineseWhooshSearchQuery(WhooshSearchQuery):
    """haystack's ``SearchQuerySet().filter(content=…)`` and ``auto_query``
    on the same tokens as the search page: each term of the value must occur
    verbatim (title, text, tags, section, collection, author)."""

    def build_query_fragment(self, field, filter_type, value):
        if field != "content" or filter_type not in ("content", "contains", "exact"):
            return super().build_query_fragment(field, filter_type, value)
        raw = getattr(value, "query_string", value)
        query = parse_query(str(raw))
        if not query:
            return super().build_query_fragment(field, filter_type, value)
        parts = []
        for term in query.terms:
            if len(term.text) == 1:
                parts.append(_whoosh_syntax(term.text, GRAM_FIELD))
            else:
                parts.append(
                    f"({_whoosh_syntax(term.text, GRAM_FIELD)} OR {_whoosh_syntax(term.text, META_GRAM_FIELD)})"
                )
        return "(" + " AND ".join(parts) + ")"


class ChineseWhooshEngine(WhooshEngine):
    backend = ChineseWhooshSearchBackend
    query = ChineseWhooshSearchQuery


# -- Elasticsearch / OpenSearch ---------------------------------------------------------


def _es_match(text: str, fieldname: str = GRAM_FIELD) -> dict:
    if len(text) == 1:
        return {"term": {CHAR_FIELD: text}}
    grams = bigrams(text)
    if len(grams) == 1:
        return {"term": {fieldname: grams[0]}}
    return {"match_phrase": {fieldname: " ".join(grams)}}


def es_bodies(request: SearchRequest) -> list[dict]:
    """The query bodies (one per tier, or one sorted by date) for
    Elasticsearch 7 / OpenSearch, over the same tokens as Whoosh."""
    query = request.query
    exact = [_es_match(t.text) for t in query.terms]
    should: list[dict] = []
    for word in scoring_words(query):
        for fieldname, boost in WORD_FIELDS.items():
            should.append({"term": {fieldname: {"value": word, "boost": boost}}})
    for term in query.terms:
        if len(term.text) >= 2:
            clause = _es_match(term.text, TITLE_GRAM_FIELD)
            kind = next(iter(clause))
            inner = clause[kind][TITLE_GRAM_FIELD]
            clause[kind][TITLE_GRAM_FIELD] = (
                {"query": inner, "boost": TITLE_PHRASE_BOOST}
                if kind == "match_phrase"
                else {"value": inner, "boost": TITLE_PHRASE_BOOST}
            )
            should.append(clause)
        else:
            should.append({"term": {CHAR_FIELD: term.text}})
    filters = [{"term": {f: v}} for f, v in filter_terms(request)]
    base = {"_source": ["django_id"], "track_total_hits": True}

    def body(must, must_not=(), sort=None, size=request.limit, offset=request.offset):
        b = {
            **base,
            "query": {"bool": {"must": must, "should": should, "filter": filters, "must_not": list(must_not)}},
            "from": offset,
            "size": size,
        }
        if sort:
            b["sort"] = sort
        return b

    loose = [
        _es_match(n)
        if len(n) == 1
        else {"bool": {"should": [_es_match(n), _es_match(n, META_GRAM_FIELD)], "minimum_should_match": 1}}
        for n in loose_needles(query)
    ]
    if request.sort == "new":
        return [body(loose, sort=[{"created": {"order": "desc"}}, "_score"])]
    return [body(exact), body(loose, must_not=[{"bool": {"must": exact}}])]


try:  # the client is needed only when SEARCH_URL names such a server
    from haystack.backends.elasticsearch7_backend import (
        Elasticsearch7SearchBackend,
        Elasticsearch7SearchEngine,
    )
except ImportError:  # pragma: no cover - elasticsearch client missing
    Elasticsearch7SearchBackend = Elasticsearch7SearchEngine = None


if Elasticsearch7SearchBackend is not None:

    class ChineseElasticsearchSearchBackend(Elasticsearch7SearchBackend):
        """haystack's Elasticsearch 7 backend (also speaks to OpenSearch 1-2)
        with every text field analysed on whitespace: the tokens are made in
        Python, exactly as for Whoosh."""

        DEFAULT_FIELD_MAPPING = {"type": "text", "analyzer": "whitespace"}
        DEFAULT_SETTINGS = {"settings": {"index": {"number_of_shards": 1}}}

        def run_search(self, request: SearchRequest) -> SearchHits:
            if not self.setup_complete:
                self.setup()
            bodies = es_bodies(request)
            if request.sort == "new":
                raw = self.conn.search(index=self.index_name, body=bodies[0])
                total = raw["hits"]["total"]["value"]
                return SearchHits(total, [int(h["_source"]["django_id"]) for h in raw["hits"]["hits"]], total)
            first = self.conn.search(index=self.index_name, body=bodies[0])
            exact_total = first["hits"]["total"]["value"]
            pks = [int(h["_source"]["django_id"]) for h in first["hits"]["hits"]]
            total = exact_total
            if len(bodies) > 1:
                second_body = dict(bodies[1])
                second_body["from"] = max(request.offset - exact_total, 0)
                second_body["size"] = max(request.limit - len(pks), 0)
                second = self.conn.search(index=self.index_name, body=second_body)
                total += second["hits"]["total"]["value"]
                pks += [int(h["_source"]["django_id"]) for h in second["hits"]["hits"]]
            return SearchHits(total, pks[: request.limit], exact_total)

    class ChineseElasticsearchEngine(Elasticsearch7SearchEngine):
        backend = ChineseElasticsearchSearchBackend
