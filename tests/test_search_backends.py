"""SEARCH_URL parsing and the Elasticsearch/OpenSearch backend: no server
runs here, so these test the connection settings, the whitespace mapping and
the query bodies the backend would send (the same tokens as Whoosh)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from haystack.utils.loading import UnifiedIndex

from archive import env
from essays.search.elasticsearch_backend import (
    ChineseElasticsearchEngine,
    ChineseElasticsearchSearchBackend,
    es_bodies,
)
from essays.search.tiers import SearchRequest
from essays.search.tokens import parse_query
from essays.search_indexes import EssayIndex

VAR = Path("/srv/wenji/var")
ENGINE = "essays.search.elasticsearch_backend.ChineseElasticsearchEngine"


@pytest.mark.parametrize(
    "url,expected",
    [
        ("opensearch://search:9200/essays", {"URL": "http://search:9200/", "INDEX_NAME": "essays", "TIMEOUT": 10}),
        ("elasticsearch://localhost/", {"URL": "http://localhost:9200/", "INDEX_NAME": "wenji", "TIMEOUT": 10}),
        (
            "opensearch+https://admin:s%40cret@os.example.org:443/wenji-prod?timeout=30",
            {"URL": "https://admin:s%40cret@os.example.org:443/", "INDEX_NAME": "wenji-prod", "TIMEOUT": 30},
        ),
        ("elasticsearch://[::1]:9201/x", {"URL": "http://[::1]:9201/", "INDEX_NAME": "x", "TIMEOUT": 10}),
    ],
)
def test_remote_search_urls(url, expected):
    assert env.search_config({"SEARCH_URL": url}, VAR) == {"ENGINE": ENGINE, **expected}


@pytest.mark.parametrize(
    "url",
    [
        "opensearch:///essays",  # no host
        "opensearch://h:9200/Essays",  # index names are lower case
        "opensearch://h:9200/a/b",
        "opensearch://h:port/x",
        "opensearch://h:9200/x?timeout=soon",
        "opensearch+ftp://h/x",
        "whoosh+https:///x",
        "tantivy+http:///x",
    ],
)
def test_bad_remote_search_urls_name_the_variable(url):
    with pytest.raises(ImproperlyConfigured, match="SEARCH_URL="):
        env.search_config({"SEARCH_URL": url}, VAR)


def test_connection_settings_reach_the_client():
    config = env.search_config({"SEARCH_URL": "opensearch://search:9200/essays?timeout=7"}, VAR)
    engine = ChineseElasticsearchEngine(using="remote")
    backend = ChineseElasticsearchSearchBackend("remote", **config)
    assert isinstance(engine, ChineseElasticsearchEngine)
    assert backend.index_name == "essays"
    assert backend.timeout == 7
    (connection,) = backend.conn.transport.connection_pool.connections
    assert connection.host == "http://search:9200"


def test_every_text_field_is_analysed_on_whitespace():
    backend = ChineseElasticsearchSearchBackend("remote", URL="http://search:9200/", INDEX_NAME="essays")
    unified = UnifiedIndex()
    unified.build(indexes=[EssayIndex()])
    content_field, mapping = backend.build_schema(unified.all_searchfields())
    assert content_field == "text"
    for name in ("text", "title_words", "meta_words", "grams", "meta_grams", "title_grams", "chars", "tag_ids"):
        assert mapping[name] == {"type": "text", "analyzer": "whitespace"}, name
    assert mapping["created"] == {"type": "date"}
    assert "ik" not in str(backend.DEFAULT_SETTINGS)


def test_query_bodies_use_bigram_phrases_and_exact_tier_first():
    exact, loose = es_bodies(SearchRequest(parse_query("控阻击"), offset=20, limit=10))
    assert exact["query"]["bool"]["must"] == [{"match_phrase": {"grams": "控阻 阻击"}}]
    assert exact["from"] == 20 and exact["size"] == 10
    assert {"term": {"chars": "控"}} in loose["query"]["bool"]["must"]
    assert loose["query"]["bool"]["must_not"] == [{"bool": {"must": exact["query"]["bool"]["must"]}}]
    boosts = {
        next(iter(c["term"])): next(iter(c["term"].values()))["boost"]
        for c in exact["query"]["bool"]["should"]
        if "term" in c and isinstance(next(iter(c["term"].values())), dict)
    }
    assert boosts["title_words"] > boosts["meta_words"] > boosts["text"]


def test_query_bodies_carry_filters_and_sorting():
    request = SearchRequest(parse_query("武汉"), tag_ids=[3, 5], section_id=2, collection_id=9, sort="new")
    (body,) = es_bodies(request)
    assert body["query"]["bool"]["filter"] == [
        {"term": {"tag_ids": "3"}},
        {"term": {"tag_ids": "5"}},
        {"term": {"section_key": "2"}},
        {"term": {"collection_key": "9"}},
    ]
    assert body["sort"][0] == {"created": {"order": "desc"}}


def test_user_text_never_reaches_a_query_string_query():
    for raw in ['title:x AND "y', "*:*", "a OR b~2^3"]:
        for body in es_bodies(SearchRequest(parse_query(raw))):
            assert "query_string" not in str(body) and "simple_query_string" not in str(body)
