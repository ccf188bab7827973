"""Whole pages from the cache (essays.pagecache), never stale: an edit, a
hide, a tag rename and a section change are each seen at once on every page
that shows them; signed-in users always get fresh pages. On locmem and on
the real Redis server."""

import os

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essays import freshness, pagecache, views
from essays.models import Essay, Section, Tag

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/3")
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wenji-pagecache-tests"}
REDIS = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "wenji-tests"}


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)])
def page_cache(request, settings):
    from django.core.cache import cache

    settings.CACHES = {"default": LOCMEM if request.param == "locmem" else REDIS}
    settings.PAGE_CACHE = True
    cache.clear()
    freshness.forget()
    pagecache.forget()
    yield request.param
    cache.clear()


def page_of(essays, essay, per_page=views.LIST_PAGE_SIZE) -> int:
    return list(essays.values_list("pk", flat=True)).index(essay.pk) // per_page + 1


def pages_showing(essay) -> list[str]:
    """Every page that shows ``essay``'s title (the page of a long list
    holding it), and the sitemap and feed that list it."""
    readable = Essay.objects.readable()
    tag = essay.tags.order_by("pk").first()
    by_tag = readable.filter(tags=tag).in_collection_order()
    by_section = readable.filter(section=essay.section).in_collection_order()
    return [
        "/",
        f"/essays/?sort=new&page={page_of(readable.sorted_by('new'), essay, 20)}",
        essay.get_absolute_url(),
        f"{essay.get_absolute_url()}?script=hant",
        essay.source.get_absolute_url(),
        f"{tag.get_absolute_url()}?page={page_of(by_tag, essay)}",
        f"{essay.section.get_absolute_url()}?page={page_of(by_section, essay)}",
        "/feed/",
        f"{essay.section.get_absolute_url()}feed/",
    ]


@pytest.fixture
def newest(indexed):
    """The newest readable essay: on the home page and in the feeds."""
    return Essay.objects.readable().with_related().sorted_by("new").first()


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def prime(client, urls):
    """Render each page, then check the second view is a cache hit: one
    query (the content version) and no template."""
    first = {url: get(client, url) for url in urls}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode() == first[url], url
        assert len(queries) == 1, (url, [q["sql"] for q in queries])
    return first


def test_an_anonymous_page_is_served_from_the_cache(client, newest, page_cache):
    urls = [
        *pages_showing(newest),
        "/tags/",
        "/collections/",
        "/sitemap.xml",
        "/sitemap-tags.xml",
        "/search/?q=疫情",
        "/essays/",
    ]
    prime(client, urls)


def test_an_edit_is_seen_at_once_on_every_page(client, newest, page_cache, django_capture_on_commit_callbacks):
    urls = [*pages_showing(newest), "/search/?q=新的题目灯火阑珊"]
    prime(client, urls)
    with django_capture_on_commit_callbacks(execute=True):
        newest.title = "新的题目灯火阑珊"
        newest.save()
    for url in urls:
        html = get(client, url)
        assert "新的题目灯火阑珊" in html or "新的題目燈火闌珊" in html, url


def test_a_hidden_essay_is_gone_at_once_from_every_page(client, newest, page_cache, django_capture_on_commit_callbacks):
    url = newest.get_absolute_url()
    lists = [u for u in pages_showing(newest) if not u.startswith(url)]
    word = newest.title
    search = f"/search/?q={word}"
    prime(client, [*lists, url, search, "/sitemap-essays.xml"])
    with django_capture_on_commit_callbacks(execute=True):
        newest.status = Essay.Status.HIDDEN
        newest.save()
    assert client.get(url).status_code == 404
    for page in [*lists, search, "/sitemap-essays.xml"]:
        assert url not in get(client, page), page


def test_a_renamed_tag_is_seen_at_once(client, newest, page_cache, django_capture_on_commit_callbacks):
    tag = Tag.objects.in_use()[0]
    essay = Essay.objects.readable().filter(tags=tag).with_related().sorted_by("new").first()
    old_url = tag.get_absolute_url()
    prime(client, [essay.get_absolute_url(), "/tags/", "/", old_url, "/sitemap-tags.xml"])
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "改过的标签名"
        tag.save()
    new_url = Tag.objects.get(pk=tag.pk).get_absolute_url()
    for url in [essay.get_absolute_url(), "/tags/", "/"]:
        assert "改过的标签名" in get(client, url), url
    assert client.get(old_url).status_code == 301
    assert "改过的标签名" in get(client, new_url)
    assert new_url.replace("/tags/", "") in get(client, "/sitemap-tags.xml")


def test_a_section_change_is_seen_at_once(client, newest, page_cache, django_capture_on_commit_callbacks):
    old = newest.section
    new = Section.objects.exclude(pk=old.pk).order_by("pk").first()
    url = newest.get_absolute_url()
    before = prime(client, [url, old.get_absolute_url(), new.get_absolute_url(), f"{new.get_absolute_url()}feed/", "/"])
    assert url in before[old.get_absolute_url()]
    with django_capture_on_commit_callbacks(execute=True):
        newest.section = new
        newest.save()
    assert new.get_absolute_url() in get(client, url).split('class="breadcrumbs"')[1].split("</p>")[0]
    assert url not in get(client, old.get_absolute_url())
    assert url in get(client, f"{new.get_absolute_url()}feed/")
    assert url in get(
        client, f"{new.get_absolute_url()}?page={page_of(new.essays.readable().in_collection_order(), newest)}"
    )
    # A renamed section: its name on the essay page at once.
    with django_capture_on_commit_callbacks(execute=True):
        new.name = "改名的栏目"
        new.save()
    assert "改名的栏目" in get(client, url)
    assert "改名的栏目" in get(client, "/")


def test_signed_in_users_always_get_fresh_pages(client, newest, page_cache):
    url = newest.get_absolute_url()
    prime(client, [url])
    curator = User.objects.create_user("curator", password="secret-pass-1", is_staff=True)
    client.force_login(curator)
    Essay.objects.filter(pk=newest.pk).update(title="未提交也看得到的标题")  # no commit, no new version
    assert "未提交也看得到的标题" in get(client, url)
    client.logout()
    client.cookies.pop("sessionid", None)
    assert "未提交也看得到的标题" not in get(client, url)  # the anonymous copy, same version


def test_the_language_is_part_of_the_key(client, newest, page_cache):
    url = newest.get_absolute_url()
    chinese = get(client, url)
    client.cookies["django_language"] = "en"
    english = get(client, url)
    assert '<html lang="en">' in english and '<html lang="zh-Hans">' in chinese
    del client.cookies["django_language"]
    assert get(client, url) == chinese


def test_a_page_from_another_process_is_served_from_the_shared_cache(client, newest, page_cache):
    url = newest.get_absolute_url()
    html = get(client, url)
    pagecache.forget()  # as another worker would: nothing of its own, the same cache
    with CaptureQueriesContext(connection) as queries:
        assert get(client, url) == html
    assert len(queries) == 1


def test_traditional_and_simplified_are_cached_apart(client, newest, page_cache):
    url = newest.get_absolute_url()
    hans, hant = get(client, url), get(client, f"{url}?script=hant")
    assert hans != hant
    assert get(client, url) == hans and get(client, f"{url}?script=hant") == hant


def test_the_host_is_part_of_the_key(client, newest, page_cache, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    url = newest.get_absolute_url()
    assert "http://testserver" in get(client, url)
    assert "http://other.example" in client.get(url, HTTP_HOST="other.example").content.decode()


def test_cached_pages_set_no_cookie_and_the_language_switch_still_works(newest, page_cache):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        response = client.get(newest.get_absolute_url())
        assert not response.cookies
    response = client.post("/i18n/setlang/", {"language": "en", "next": newest.get_absolute_url()})
    assert response.status_code == 302
    assert '<html lang="en">' in get(client, newest.get_absolute_url())


def test_errors_are_not_cached(client, newest, page_cache):
    url = "/tags/还没有的标签/"
    assert client.get(url).status_code == 404
    newest.tags.add(Tag.objects.create(name="还没有的标签"))  # no commit: the same content version
    assert client.get(url).status_code == 200


def test_admin_pages_are_never_cached(client, newest, page_cache):
    from essays.pagecache import CACHED_NAMESPACE

    assert client.get("/admin/login/").status_code == 200
    assert CACHED_NAMESPACE == "essays"
    with CaptureQueriesContext(connection):
        response = client.get("/admin/login/")
    assert response.cookies  # the login form's CSRF cookie: rendered afresh each time
