"""Search over the seeds: recall, ranking, highlighting, filters, pages,
hostile input, autocomplete. The seeds are imported once for this module
(read-only tests); tests that change essays live in test_search_sync.py."""

import random
import re

import pytest
from haystack import connections

from essays.models import Essay, Section, SourceFile, Tag
from essays.search.engine import run_search
from essays.search.tiers import SearchRequest
from essays.search.tokens import parse_query, project

pytestmark = pytest.mark.django_db

# Queries with the essay a reader expects first (by key: stable across imports).
EXPECTED_FIRST = {
    "抗美援朝": "2jf2qodmfx",
    "金珊": "jtsxunf4q7",
    "蜡梅": "ur3gkcb4dt",
    "张楠烈士": "ed62fwyfzr",
    "坚持以人民为中心": "pchz7l2llx",
    "背水一战 精气神": "urljqfql6k",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seeds, imported and indexed once for the module, removed after."""
    from essays.importer import Importer
    from essays.search.sync import deferred
    from tests.conftest import SEEDS

    with django_db_blocker.unblock():
        backend = connections["default"].get_backend()
        backend.clear()
        report = Importer().import_paths([SEEDS])
        assert not report.failed and not report.index_error, report.summary()
        yield
        with deferred():
            Essay.objects.all().delete()
            SourceFile.objects.all().delete()
            Tag.objects.all().delete()
        backend.clear()


def keys_for(client, url):
    html = client.get(url).content.decode()
    return re.findall(r'class="search-result__title"><a href="/essays/([a-z0-9]+)/"', html)


def found(query, **kwargs):
    """Every essay the engine returns, in order, and the exact-tier size."""
    hits = run_search(SearchRequest(parse_query(query), limit=1000, **kwargs))
    keys = dict(Essay.objects.filter(pk__in=hits.pks).values_list("pk", "key"))
    return [keys[pk] for pk in hits.pks], hits


def holding(needle):
    """Keys of readable essays whose title or text holds ``needle`` (after
    normalisation, punctuation ignored), worked out without the index."""
    folded = project(needle)[0]
    return {e.key for e in Essay.objects.readable() if folded in project(e.title)[0] or folded in project(e.text)[0]}


# -- recall ------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["的人民", "控阻击", "周柳吟", "金珊", "张", "逆行", "阻击战", "抗疫"])
def test_every_essay_holding_the_query_is_found_first(seeded, query):
    expected = holding(query)
    assert expected, "the seeds hold this query"
    keys, hits = found(query)
    assert set(keys[: hits.exact]) == expected


def test_recall_of_sampled_substrings_including_across_word_boundaries(seeded):
    rng = random.Random(4)
    texts = list(Essay.objects.readable().values_list("text", flat=True))
    for _ in range(40):
        chars = project(rng.choice(texts))[0]
        length = rng.randint(2, 6)
        start = rng.randrange(0, len(chars) - length)
        needle = chars[start : start + length]
        keys, hits = found(needle)
        assert set(keys[: hits.exact]) == holding(needle), needle


def test_several_words_are_all_required(seeded):
    keys, _ = found("钟南山 武汉")
    expected = holding("钟南山") & holding("武汉")
    assert expected and set(keys) == expected


def test_quoted_phrase_must_appear_as_written(seeded):
    assert found('"武汉钟南山"')[0] == []
    phrase_keys, _ = found('"最美逆行者"')
    assert set(phrase_keys) == holding("最美逆行者")


def test_traditional_query_finds_simplified_text(seeded):
    simplified, _ = found("脱贫攻坚")
    traditional, _ = found("脫貧攻堅")
    assert simplified and traditional == simplified


# -- ranking -----------------------------------------------------------------------


@pytest.mark.parametrize("query,key", EXPECTED_FIRST.items())
def test_relevance_the_expected_essay_comes_first(client, seeded, query, key):
    assert keys_for(client, f"/search/?q={query}")[0] == key


def test_exact_matches_come_before_matches_of_some_words(seeded):
    keys, hits = found("控阻击")
    exact = holding("控阻击")
    assert 0 < hits.exact < len(keys)
    assert set(keys[: len(exact)]) == exact
    assert not set(keys[len(exact) :]) & exact


def test_title_match_ranks_over_body_match(seeded):
    keys, _ = found("张楠")
    titled = set(Essay.objects.filter(title__contains="张楠").values_list("key", flat=True))
    assert set(keys[: len(titled)]) == titled


# -- the page ----------------------------------------------------------------------


def test_results_show_count_title_link_collection_and_highlight(client, seeded):
    html = client.get("/search/?q=金珊").content.decode()
    essay = Essay.objects.get(key="jtsxunf4q7")
    assert "找到 1 篇" in html
    assert f'href="/essays/{essay.key}/"' in html
    assert essay.source.title in html
    assert "<mark>金珊</mark>" in html


def test_snippet_marks_a_phrase_across_word_boundaries(client, seeded):
    html = client.get("/search/?q=控阻击").content.decode()
    snippets = re.findall(r'<p class="search-result__snippet">(.*?)</p>', html, re.S)
    assert snippets and all("<mark>控阻击</mark>" in s for s in snippets[:3])
    assert all(len(re.sub(r"</?mark>", "", s)) <= 130 for s in snippets)


def test_snippet_marks_every_word_of_a_multi_word_query(client, seeded):
    html = client.get("/search/?q=钟南山 武汉").content.decode()
    assert "<mark>钟南山</mark>" in html and "<mark>武汉</mark>" in html


def test_traditional_query_highlights_the_simplified_text(client, seeded):
    html = client.get("/search/?q=脫貧攻堅").content.decode()
    assert "<mark>脱贫攻坚</mark>" in html


def test_search_box_keeps_the_query(client, seeded):
    html = client.get("/search/?q=钟南山 武汉").content.decode()
    assert 'value="钟南山 武汉"' in html
    assert html.count('role="search"') == 2  # header and page


def test_tag_filters_are_an_and_with_the_query(client, seeded):
    keys = keys_for(client, "/search/?q=武汉&tag=逆行者&tag=钟南山")
    expected = set(
        Essay.objects.readable().with_all_tags(["逆行者", "钟南山"]).values_list("key", flat=True)
    ) & holding("武汉")
    assert expected and set(keys) == expected


def test_section_and_collection_filters(client, seeded):
    section = Section.objects.get(slug="yingxiong")
    keys = keys_for(client, "/search/?q=英雄&section=yingxiong")
    assert keys and all(Essay.objects.get(key=k).section == section for k in keys)
    collection = SourceFile.objects.get(name__startswith="004")
    keys = keys_for(client, f"/search/?q=疫情&collection={collection.key}")
    assert keys and all(Essay.objects.get(key=k).source == collection for k in keys)


def test_filters_show_as_removable_chips(client, seeded):
    html = client.get("/search/?q=武汉&tag=逆行者&section=kangyi").content.decode()
    assert "标签：逆行者" in html and "栏目：抗击疫情" in html


def test_sort_by_newest(client, seeded):
    keys = keys_for(client, "/search/?q=武汉&sort=new")
    created = [Essay.objects.get(key=k).created for k in keys]
    assert created == sorted(created, reverse=True)
    assert set(keys) == set(found("武汉")[0])


def test_pagination(client, seeded, settings):
    from essays.search import views as search_views

    per_page = search_views.PER_PAGE
    search_views.PER_PAGE = 5
    try:
        everything, _ = found("疫情")
        first = keys_for(client, "/search/?q=疫情")
        second = keys_for(client, "/search/?q=疫情&page=2")
        past_end = keys_for(client, "/search/?q=疫情&page=999")
        html = client.get("/search/?q=疫情&page=2").content.decode()
    finally:
        search_views.PER_PAGE = per_page
    assert first == everything[:5] and second == everything[5:10]
    assert past_end == everything[(len(everything) - 1) // 5 * 5 :]
    assert 'rel="next"' in html and 'rel="prev"' in html


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e9", "%00", "99999999999999999999", "2.5", ""])
def test_any_page_value_answers(client, seeded, page):
    response = client.get(f"/search/?q=武汉&page={page}")
    assert response.status_code == 200
    assert keys_for(client, f"/search/?q=武汉&page={page}")


def test_no_results_page_is_kind_and_offers_ways_out(client, seeded):
    html = client.get("/search/?q=飞碟 武汉").content.decode()
    assert "没有找到相关的文章" in html
    assert "?q=%E6%AD%A6%E6%B1%89" in html  # 武汉 alone finds something
    assert "热门标签" in html


def test_no_results_with_filters_offers_the_query_without_them(client, seeded):
    html = client.get("/search/?q=金珊&section=tuopin").content.decode()
    assert "没有找到相关的文章" in html
    assert "去掉筛选条件，可以找到 1 篇" in html


def test_unknown_tag_filter_finds_nothing(client, seeded):
    assert keys_for(client, "/search/?q=武汉&tag=没有这个标签") == []


def test_empty_query_shows_help_not_everything(client, seeded):
    html = client.get("/search/").content.decode()
    assert "怎样搜索" in html
    assert "search-result__title" not in html


@pytest.mark.parametrize(
    "query",
    [
        "%00",
        "%E4%B8",  # broken UTF-8
        "%FF%FE%FD",
        "a" * 10_000,
        "人" * 10_000,
        "title:(x) AND y OR z NOT w",
        "*?~^[]{}()!:+-&|\\/\"'",
        "%22",
        "<script>alert(1)</script>",
        "\x01\x02\x1b[31m",
        "(((((((((((",
        "%E2%80%AE%E2%80%8B",
    ],
)
def test_hostile_queries_never_break_the_page(client, seeded, query):
    response = client.get(f"/search/?q={query}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html


def test_long_query_is_capped_with_a_notice(client, seeded):
    html = client.get("/search/?q=" + "武汉" * 5000).content.decode()
    assert "搜索词太长" in html


# -- autocomplete -------------------------------------------------------------------


def test_suggest_offers_titles_and_tags(client, seeded):
    data = client.get("/search/suggest/?q=抗美").json()
    kinds = {(s["kind"], s["label"]) for s in data["suggestions"]}
    assert ("title", "学习抗美援朝英雄事迹精神心得感悟") in kinds
    data = client.get("/search/suggest/?q=逆行").json()
    assert ("tag", "逆行者") in {(s["kind"], s["label"]) for s in data["suggestions"]}
    assert all(s["url"].startswith("/") for s in data["suggestions"])


def test_suggest_folds_traditional_and_survives_hostile_input(client, seeded):
    data = client.get("/search/suggest/?q=學習抗美").json()
    assert ("title", "学习抗美援朝英雄事迹精神心得感悟") in {(s["kind"], s["label"]) for s in data["suggestions"]}
    assert client.get("/search/suggest/?q=" + "%" * 20).status_code == 200
    assert client.get("/search/suggest/?q=%00%E4%B8").status_code == 200
    assert client.get("/search/suggest/?q=" + "x" * 10_000).status_code == 200
    assert client.get("/search/suggest/").json() == {"query": "", "suggestions": []}


def test_search_form_works_without_javascript(client, seeded):
    html = client.get("/").content.decode()
    assert '<form class="site-search" role="search" action="/search/" method="get">' in html
    assert 'name="q"' in html and 'for="site-search-q"' in html


def test_an_engine_that_fails_gives_a_kind_503_not_a_crash(client, db, monkeypatch):
    backend = connections["default"].get_backend()

    def down(request):
        raise ConnectionError("connection refused")

    monkeypatch.setattr(backend, "run_search", down)
    response = client.get("/search/", {"q": "钟南山"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "搜索暂时不可用" in html
    assert 'value="钟南山"' in html  # the box keeps the query
