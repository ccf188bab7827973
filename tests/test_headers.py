"""Security headers and cookie flags, in the style of Django's own
middleware tests: a response through the middleware, its headers read."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from csp.middleware import CSPMiddleware
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import RequestFactory

from essays.models import Essay, Section, SourceFile, Tag

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response):
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


def test_middleware_adds_the_policy_to_a_response():
    middleware = CSPMiddleware(lambda request: HttpResponse("<p>x</p>"))
    assert_strict(middleware(RequestFactory().get("/")))


@pytest.fixture
def archive(db):
    source = SourceFile.objects.create(
        name="a.txt", sha256="0" * 64, encoding="utf-8", title="合集", raw_text="文", imported_at="2024-01-01T00:00Z"
    )
    # One of the sections the migrations create: a new row would take its id
    # from a PostgreSQL sequence that a live-server test's flush and reload
    # of those rows leaves behind.
    section = Section.objects.get(slug="yingxiong")
    essay = Essay.objects.create(source=source, position=1, key="k1", title="标题", text="正文", section=section)
    essay.tags.add(Tag.objects.create(name="标签"))
    return essay


PUBLIC = [
    "/",
    "/essays/",
    "/essays/k1/",
    "/collections/",
    "/tags/",
    "/tags/标签/",
    "/sections/yingxiong/",
    "/search/",
    "/nope/",
]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_carry_the_policy_and_no_inline_script(client, archive, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_strict(response)
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group()
    assert not EVENT_HANDLER.search(html)


ADMIN = [
    "/admin/login/",
    "/admin/",
    "/admin/essays/essay/",
    "/admin/essays/essay/add/",
    "/admin/essays/essay/{pk}/change/",
    "/admin/essays/essay/{pk}/versions/",  # where .../history/ leads
    "/admin/essays/essay/review/",
    "/admin/essays/essay/duplicates/",
    "/admin/essays/tag/",
    "/admin/essays/sourcefile/upload/",
    "/admin/auth/user/add/",
    "/admin/password_change/",
]


@pytest.mark.parametrize("url", ADMIN)
def test_admin_pages_carry_the_policy_and_keep_working_under_it(client, archive, url):
    if url != "/admin/login/":
        client.force_login(User.objects.create_superuser("root", password="pw"))
    response = client.get(url.format(pk=archive.pk))
    assert response.status_code == 200
    assert_strict(response)
    html = response.content.decode()
    # Under script-src 'self' an inline script or handler would not run.
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group()
    assert not EVENT_HANDLER.search(html)
    assert "javascript:" not in html


def test_the_theme_script_is_a_static_file_loaded_before_the_body(client, archive):
    html = client.get("/").content.decode()
    head = html.split("<body", 1)[0]
    assert re.search(r'<script src="/static/js/theme\.js"></script>', head)
    assert 'localStorage.getItem("wenji:theme")' in (ROOT / "static/js/theme.js").read_text(encoding="utf-8")


def test_language_cookie_is_httponly_and_samesite(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    cookie = response.cookies["django_language"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # a plain-HTTP run, like the session cookie


def test_language_cookie_is_secure_with_the_other_cookies():
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client().post('/i18n/setlang/', {'language': 'en', 'next': '/'}).cookies['django_language']\n"
        "print(bool(c['secure']), c['samesite'], bool(c['httponly']))\n"
    )
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DJANGO_SECURE_COOKIES": "1",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "sqlite://:memory:",
    }
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["True", "Lax", "True"]
