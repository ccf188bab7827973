"""What every search backend shares: the request, the fields of the
index, and the tiers each backend builds.

Documents arrive already tokenised by ``essays.search.tokens`` (words, character
bigrams, characters, each a whitespace-separated string), so every text field
only needs a whitespace analyzer: on Whoosh (a small subclass that sets the
analyzers in ``build_schema``, no fork of haystack's backend file) and on
Elasticsearch/OpenSearch (haystack's Elasticsearch 7 backend with a
whitespace mapping; no IK plugin).

Queries are built here from a parsed ``essays.search.tokens.Query``, as query
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

from dataclasses import dataclass, field

from essays.search.tokens import Query

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
