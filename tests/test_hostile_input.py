"""Hostile input, sent to every URL pattern the project has (walked from
``get_resolver()``): huge values, broken percent-encoding, NUL and other
control characters, encoded surrogates, repeated keys, negative and huge
numbers, in the path and in the query, anonymous and as a superuser. No
answer is a 5xx, on SQLite or PostgreSQL (which refuses a NUL in any text)."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from archive.cleaning import clean_text
from essays.models import Essay, Section, SourceFile, Tag, TagAlias

pytestmark = pytest.mark.django_db

# As they travel in a URL: already percent-encoded, or deliberately broken.
HOSTILE = [
    "%00",
    "a%00b",
    "%01%1B%7F",
    "%C2%85",  # C1 NEL
    "%ED%A0%80",  # a surrogate, encoded (not valid UTF-8)
    "%E4%B8",  # cut UTF-8
    "%FF%FE",
    "%",
    "%zz",
    "%0D%0ASet-Cookie:%20x=1",
    "x" * 5000,
    "%E4%BA%BA" * 2000,
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999",
    "1e400",
    "1.5",
    "%EF%BF%BF",
]
PUBLIC_KEYS = ["q", "page", "tag", "section", "collection", "sort", "script", "next", "language"]
ADMIN_KEYS = ["q", "p", "o", "e", "all", "_to_field", "_popup", "_changelist_filters", "next"]
AUTOCOMPLETE_KEYS = ["term", "app_label", "model_name", "field_name", "page"]
PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def patterns(resolvers=None, prefix=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def fill(route: str, value: str) -> str:
    """The route with every parameter replaced by ``value``."""
    path = PARAM.sub(value, route).replace("^", "").replace("$", "")
    return "/" + path


def admin_filter_keys() -> dict[str, list[str]]:
    """Each changelist's filter parameters, as its ModelAdmin declares them."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="root")
    keys = {}
    for model, model_admin in admin.site._registry.items():
        changelist = model_admin.get_changelist_instance(request)
        names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
        keys[f"/admin/{model._meta.app_label}/{model._meta.model_name}/"] = names
    return keys


@pytest.fixture
def little_archive(db, search_index):
    """One of everything, so lookups find rows and follow relations; an
    (empty) search index, so /healthz answers 200 when this file runs alone
    too."""
    source = SourceFile.objects.create(
        name="a.txt", sha256="0" * 64, encoding="utf-8", title="合集", raw_text="文", imported_at=timezone.now()
    )
    # One of the sections the migrations create: a new row would take its id
    # from a PostgreSQL sequence that a live-server test's flush and reload
    # of those rows leaves behind.
    section = Section.objects.get(slug="yingxiong")
    essay = Essay.objects.create(source=source, position=1, key="k1", title="标题", text="正文", section=section)
    tag = Tag.objects.create(name="标签")
    essay.tags.add(tag)
    TagAlias.objects.create(name="旧标签", tag=tag)
    User.objects.create_superuser("root", password="pw")
    return essay


def answers(client, url):
    try:
        return client.get(url).status_code
    except Exception as exc:  # the test client re-raises a view's exception
        return f"{type(exc).__name__}: {str(exc)[:80]}"


def failures(client, urls):
    found = []
    for url in urls:
        status = answers(client, url)
        if not isinstance(status, int) or status >= 500:
            found.append((url[:120], status))
    return found


def path_urls():
    for route in patterns():
        if PARAM.search(route):
            for value in HOSTILE:
                yield fill(route, value)


def query_urls(keys_for):
    for route in patterns():
        base = fill(route, "1")
        for key in keys_for(base):
            for value in ("%00", "a%00b", "%ED%A0%80", "x" * 5000, "99999999999999999999", "-1", "%C2%B2", "%E0%A5%AF"):
                yield f"{base}?{key}={value}"
            repeated = "&".join(f"{key}={value}" for value in HOSTILE)
            yield f"{base}?{repeated}"
        yield base + "?" + "&".join(f"{value}={value}" for value in HOSTILE[:12])


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_no_path_value_gives_a_5xx(little_archive, who):
    client = Client()
    if who == "superuser":
        client.force_login(User.objects.get(username="root"))
    assert failures(client, path_urls()) == []


def test_no_query_value_gives_a_5xx_on_public_pages(little_archive):
    client = Client()
    urls = query_urls(lambda base: [] if base.startswith("/admin/") else PUBLIC_KEYS)
    assert failures(client, urls) == []


def test_no_query_value_gives_a_5xx_in_the_admin(little_archive):
    client = Client()
    client.force_login(User.objects.get(username="root"))
    filters = admin_filter_keys()

    def keys_for(base):
        if not base.startswith("/admin/"):
            return []
        if base == "/admin/autocomplete/":
            return AUTOCOMPLETE_KEYS
        return ADMIN_KEYS + filters.get(base, [])

    found = failures(client, query_urls(keys_for))
    assert found == [], "\n".join(map(str, found))


def test_hostile_cookies_never_reach_the_session_table(little_archive):
    client = Client()
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert answers(client, "/admin/") in (200, 302)


def test_clean_text_drops_controls_and_surrogates_and_caps_length():
    assert clean_text("a\x00b\x07c\x9fd") == "abcd"
    assert clean_text("a\tb\nc") == "a b c"
    assert clean_text("x\ud800y") == "xy"
    assert clean_text("人" * 5000) == "人" * 2000
    assert clean_text("逆行者") == "逆行者"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/essays/?tag=%00", 200),
        ("/essays/?section=%00&collection=a%00b", 200),
        ("/essays/%00/", 404),
        ("/tags/a%00b/", 404),
        ("/sections/%00/feed/", 404),
        ("/collections/%00/", 404),
        ("/search/?q=%00&tag=%00&section=%00", 200),
    ],
)
def test_the_urls_that_answered_500_on_postgresql(client, little_archive, url, status):
    assert client.get(url).status_code == status


@pytest.mark.parametrize("query", ["status__exact=%00", "q=%00", "section__id__exact=%00", "o=%00"])
def test_admin_filters_and_search_take_a_nul(client, little_archive, query):
    client.force_login(User.objects.get(username="root"))
    assert client.get(f"/admin/essays/essay/?{query}").status_code in (200, 302)


def test_middleware_cleans_the_query_and_refuses_the_path():
    from django.http import Http404, HttpResponse

    from archive.middleware import CleanInputMiddleware

    seen = {}

    def view(request):
        seen["GET"] = request.GET
        return HttpResponse()

    middleware = CleanInputMiddleware(view)
    middleware(RequestFactory().get("/essays/", {"tag": ["逆行者\x00", "\x00"], "\x00": "x", "q": "y" * 9000}))
    assert seen["GET"].getlist("tag") == ["逆行者"]
    assert "\x00" not in seen["GET"] and "" not in seen["GET"]
    assert len(seen["GET"]["q"]) == 2000
    with pytest.raises(Http404):
        middleware(RequestFactory().get("/tags/a\x00b/"))
