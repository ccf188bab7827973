"""Reader pages over the imported seeds (issue 3 builds on these)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essays.importer import Importer
from essays.models import Essay, SourceFile, Tag

pytestmark = pytest.mark.django_db


def essay_at(prefix, position):
    return Essay.objects.get(source__name__startswith=prefix, position=position)


def test_home_shows_sections_collections_and_tags(client, imported):
    html = client.get("/").content.decode()
    assert '<html lang="zh-Hans">' in html
    for name in ("脱贫攻坚", "抗击疫情", "英雄事迹", "疫情防控的实践心得", "北京抗疫纪录片《背水一战》观后感范文"):
        assert name in html


def test_every_readable_essay_is_linked_from_its_collection(client, imported):
    for essay in Essay.objects.readable().select_related("source"):
        html = client.get(essay.source.get_absolute_url()).content.decode()
        assert essay.get_absolute_url() in html


def test_essay_page_shows_the_text(client, imported):
    essay = essay_at("004", 2)
    response = client.get(essay.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{essay.title}</h1>" in html or essay.title in html
    for paragraph in essay.paragraphs:
        assert paragraph in html
    assert "马振华老师" in html


def test_hidden_essay_is_not_listed_and_its_page_404s(client, imported):
    essay = essay_at("003", 2)
    essay.status = Essay.Status.HIDDEN
    essay.save()
    assert essay.get_absolute_url() not in client.get(essay.source.get_absolute_url()).content.decode()
    assert client.get(essay.get_absolute_url()).status_code == 404


def test_duplicate_link_still_works_and_points_to_the_main_copy(client, imported):
    copy, main = essay_at("002", 7), essay_at("002", 1)
    html = client.get(copy.get_absolute_url()).content.decode()
    assert f'rel="canonical" href="http://testserver{main.get_absolute_url()}"' in html
    assert main.get_absolute_url() in html
    assert copy.get_absolute_url() not in client.get("/essays/?page=2").content.decode()


def test_duplicate_of_a_hidden_essay_answers_404(client, imported):
    copy, main = essay_at("002", 7), essay_at("002", 1)
    main.status = Essay.Status.HIDDEN
    main.save()
    assert client.get(copy.get_absolute_url()).status_code == 404


def test_markup_in_essays_is_escaped(client, db, search_index, write_file):
    Importer().import_paths([write_file("x.txt", "标记\n1、脚本\n<script>alert(1)</script> &amp; 正文。\n")])
    html = client.get(Essay.objects.get().get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; 正文。" in html


def test_tag_with_a_slash_has_a_working_page(client, imported):
    tag = Tag.objects.create(name="抗疫/防控")
    essay_at("000", 1).tags.add(tag)
    assert client.get("/").status_code == 200
    assert client.get(tag.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/essays/",
        "/essays/?tag=武汉&tag=疫情&sort=length",
        "/tags/",
        "/tags/武汉/",
        "/sections/kangyi/",
        "/collections/",
        "collection",
    ],
)
def test_listing_pages_run_few_queries(client, imported, url):
    """A fixed number of queries whatever the archive's size (no query per
    essay or tag). The first view after a change also fills the cached
    shelves (essays.freshness): a few cheap grouped counts more."""
    if url == "collection":
        url = essay_at("000", 1).source.get_absolute_url()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    assert len(cold) <= 15
    assert len(warm) <= 10


def test_unknown_page_is_a_chinese_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "zh-Hans" in response.content.decode()


def test_essay_page_carries_share_metadata(client, imported):
    essay = essay_at("003", 1)
    html = client.get(essay.get_absolute_url()).content.decode()
    url = f"http://testserver{essay.get_absolute_url()}"
    assert f'<meta property="og:url" content="{url}">' in html
    assert f'<meta property="og:title" content="{essay.title}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:description" content="6月11日以来' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="description" content="6月11日以来' in html


def test_feed_lists_the_latest_readable_essays(client, imported):
    import xml.etree.ElementTree as ET

    response = client.get("/feed/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    links = [item.findtext("link") for item in root.iter("item")]
    assert len(links) == 30
    assert f"http://testserver{essay_at('002', 7).get_absolute_url()}" not in links
    assert 'type="application/rss+xml"' in client.get("/").content.decode()


def test_section_feed(client, imported):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(client.get("/sections/tuopin/feed/").content)
    titles = {item.findtext("title") for item in root.iter("item")}
    assert titles == set(Essay.objects.readable().filter(section__slug="tuopin").values_list("title", flat=True))
    assert client.get("/sections/nope/feed/").status_code == 404


def test_sitemap_lists_everything_readable_with_the_real_host(client, imported):
    import xml.etree.ElementTree as ET

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(client.get("/sitemap.xml", HTTP_HOST="localhost").content)
    sitemaps = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert sitemaps == [
        f"http://localhost/sitemap-{name}.xml" for name in ("essays", "collections", "sections", "tags")
    ]
    locs = set()
    for sitemap in sitemaps:
        response = client.get(sitemap.removeprefix("http://localhost"), HTTP_HOST="localhost")
        locs |= {loc.text for loc in ET.fromstring(response.content).findall("s:url/s:loc", ns)}
    for essay in Essay.objects.readable():
        assert f"http://localhost{essay.get_absolute_url()}" in locs
    assert f"http://localhost{essay_at('002', 7).get_absolute_url()}" not in locs
    assert "http://localhost/sections/kangyi/" in locs
    assert not any("example.com" in loc for loc in locs)
    readable_tags = Tag.objects.filter(essays__in=Essay.objects.readable()).distinct()
    for tag in readable_tags:
        assert f"http://localhost{tag.get_absolute_url()}" in locs
    assert len(locs) == 32 + 5 + 3 + readable_tags.count()


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_admin(client, db):
    text = client.get("/robots.txt", HTTP_HOST="localhost").content.decode()
    assert "Disallow: /admin/" in text
    assert "Sitemap: http://localhost/sitemap.xml" in text


def listed_keys(client, query):
    html = client.get(f"/essays/?{query}").content.decode()
    return {e.key for e in Essay.objects.all() if e.get_absolute_url() in html}


def test_tag_filter_is_an_and(client, imported):
    both = set(Essay.objects.readable().with_all_tags(["武汉", "逆行者"]).values_list("key", flat=True))
    wuhan = set(Essay.objects.readable().filter(tags__name="武汉").values_list("key", flat=True))
    assert both and both < wuhan
    assert listed_keys(client, "tag=武汉&tag=逆行者&sort=new") == both


def test_section_and_collection_filters_combine(client, imported):
    collection = essay_at("002", 1).source
    expected = set(
        Essay.objects.readable().filter(section__slug="yingxiong", source=collection).values_list("key", flat=True)
    )
    assert expected
    assert listed_keys(client, f"section=yingxiong&collection={collection.key}") == expected


def test_active_filters_show_as_removable_chips(client, imported):
    html = client.get("/essays/?tag=武汉&tag=逆行者").content.decode()
    assert "标签：武汉" in html and "标签：逆行者" in html
    assert 'href="?tag=%E9%80%86%E8%A1%8C%E8%80%85"' in html  # removing 武汉 keeps 逆行者


def test_sorting_by_length(client, imported):
    import re

    html = client.get("/essays/?sort=length").content.decode()
    listed = list(dict.fromkeys(re.findall(r'href="(/essays/[a-z2-7]{10}/)"', html)))
    expected = [e.get_absolute_url() for e in Essay.objects.readable().order_by("-char_count", "pk")[:20]]
    assert listed == expected


@pytest.mark.parametrize("page", ["999", "abc", "-1", "0", "1e9", "%00"])
def test_any_page_value_answers(client, imported, page):
    assert client.get(f"/essays/?page={page}").status_code == 200


def test_tag_page_links_to_the_filtered_list(client, imported):
    html = client.get(Tag.objects.get(name="武汉").get_absolute_url()).content.decode()
    assert "/essays/?tag=%E6%AD%A6%E6%B1%89" in html


def test_placeholders_are_marked_with_an_explanation(client, imported):
    html = client.get(essay_at("000", 2).get_absolute_url()).content.decode()
    assert '强调到20<span class="placeholder" tabindex="0" title="此处为原文的匿名处理，具体信息已隐去。"' in html
    assert ">__</span>年现行标准" in html


def test_traditional_display_keeps_the_canonical_link(client, imported):
    essay = essay_at("000", 4)
    html = client.get(essay.get_absolute_url() + "?script=hant").content.decode()
    assert '<article class="essay" lang="zh-Hant">' in html
    assert "黨的十八大以來" in html
    assert f'rel="canonical" href="http://testserver{essay.get_absolute_url()}"' in html
    assert "党的十八大以来" in client.get(essay.get_absolute_url()).content.decode()


def test_related_essays_share_tags_and_never_repeat_the_essay(client, imported):
    main = essay_at("002", 1)
    related = list(Essay.objects.related_to(main))
    assert related
    assert main not in related and essay_at("002", 7) not in related
    main_tags = set(main.tags.values_list("pk", flat=True))
    assert set(related[0].tags.values_list("pk", flat=True)) & main_tags
    html = client.get(main.get_absolute_url()).content.decode()
    assert related[0].get_absolute_url() in html


def test_essay_page_has_reader_controls_and_copy_link(client, imported):
    essay = essay_at("003", 1)
    html = client.get(essay.get_absolute_url()).content.decode()
    assert f'class="copy-link" data-url="http://testserver{essay.get_absolute_url()}"' in html
    assert 'data-font="large"' in html and 'class="theme-toggle"' in html
    assert 'href="?script=hant"' in html


def test_home_features_essays(client, imported):
    chosen = essay_at("003", 2)
    chosen.featured = True
    chosen.save()
    html = client.get("/").content.decode()
    assert "推荐阅读" in html and chosen.get_absolute_url() in html


def test_home_without_featured_essays_shows_one_per_section(imported):
    picks = Essay.objects.featured()
    assert len({e.section_id for e in picks}) == len(picks) >= 3


def test_essay_page_runs_few_queries(client, imported):
    essay = essay_at("002", 7)  # a duplicate: the main copy's relations load too
    with CaptureQueriesContext(connection) as queries:
        assert client.get(essay.get_absolute_url()).status_code == 200
    assert len(queries) <= 10


def test_collections_page_lists_every_collection_newest_first(client, imported):
    html = client.get("/collections/").content.decode()
    shelf = list(SourceFile.objects.shelf())
    assert len(shelf) == SourceFile.objects.count() == 5
    positions = [html.index(c.get_absolute_url()) for c in shelf]
    assert positions == sorted(positions)
    assert "共 5 个合集" in html


def test_home_shows_the_newest_collections_and_links_to_all(client, imported, monkeypatch):
    from essays import views

    monkeypatch.setattr(views, "HOME_COLLECTIONS", 2)
    html = client.get("/").content.decode()
    shelf = list(SourceFile.objects.shelf())
    assert shelf[0].get_absolute_url() in html and shelf[1].get_absolute_url() in html
    assert shelf[2].get_absolute_url() not in html
    assert 'href="/collections/"' in html and "全部 5 个合集" in html


@pytest.mark.parametrize("url", ["/sections/kangyi/", "/tags/武汉/"])
@pytest.mark.parametrize("page", ["1", "2", "99", "x"])
def test_section_and_tag_pages_are_paginated(client, imported, monkeypatch, url, page):
    from essays import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 3)
    response = client.get(f"{url}?page={page}")
    assert response.status_code == 200
    paginator = response.context["paginator"]
    assert paginator.count > 3  # more than one page of seeds
    assert 1 <= len(response.context["essays"]) <= 3
    html = response.content.decode()
    assert f"{paginator.count} 篇" in html
    assert 'class="pagination"' in html
