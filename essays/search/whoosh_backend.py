"""The Whoosh backend: haystack's, with a whitespace analyzer on every text
field (the tokens are made in Python, ``essays.search.tokens``)."""

from __future__ import annotations

import threading

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend, WhooshSearchQuery
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import STORED, TEXT

from essays.search.tiers import (
    CHAR_FIELD,
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
                # Tokens are made in Python (essays.search.tokens); they are not
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
    return f'{fieldname}:"{bigram_string(text)}"'


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
