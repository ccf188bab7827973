"""The Elasticsearch 7 / OpenSearch backend: haystack's, with a whitespace
mapping on every text field; no IK plugin."""

from __future__ import annotations

from essays.search.tiers import (
    CHAR_FIELD,
    GRAM_FIELD,
    META_GRAM_FIELD,
    TITLE_GRAM_FIELD,
    TITLE_PHRASE_BOOST,
    WORD_FIELDS,
    SearchHits,
    SearchRequest,
    filter_terms,
    loose_needles,
    scoring_words,
)
from essays.search.tokens import bigrams

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
