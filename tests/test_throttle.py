"""A locked door: admin logins throttled per client and per account
(django-axes), and the search's per-client limit (SEARCH_RATE_LIMIT)."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory

from archive import ratelimit
from essays.search import views as search_views

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"


@pytest.fixture
def curator(db):
    return User.objects.create_user("curator", password="right-pw", is_staff=True)


def attempt(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_four_wrong_passwords_then_the_right_one_still_logs_in(client, curator):
    for _ in range(4):
        assert attempt(client, "curator", "wrong").status_code == 200
    assert logged_in(attempt(client, "curator", "right-pw"))


def test_five_wrong_passwords_lock_the_account_with_a_translated_429(client, curator):
    for _ in range(5):
        attempt(client, "curator", "wrong")
    response = attempt(client, "curator", "right-pw")
    assert response.status_code == 429
    assert not logged_in(response)
    html = response.content.decode()
    assert "登录已暂停" in html and "15 分钟后再试" in html
    assert response["Retry-After"] == "900"


def test_the_account_stays_locked_from_another_address(client, curator):
    for i in range(5):
        attempt(client, "curator", "wrong", ip=f"10.0.1.{i}")
    assert attempt(client, "curator", "right-pw", ip="192.0.2.7").status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(client, curator):
    for i in range(5):
        attempt(client, f"someone{i}", "wrong", ip="10.0.0.9")
    assert attempt(client, "curator", "right-pw", ip="10.0.0.9").status_code == 429
    assert logged_in(attempt(client, "curator", "right-pw", ip="10.0.0.10"))


def test_axes_reset_username_and_ip_unlock(client, curator):
    for _ in range(5):
        attempt(client, "curator", "wrong")
    out = io.StringIO()
    call_command("axes_reset_username", "curator", stdout=out)
    call_command("axes_reset_ip", "10.0.0.1", stdout=out)
    assert logged_in(attempt(client, "curator", "right-pw"))


def test_a_nul_in_the_login_name_is_a_failed_login_not_a_500(client, curator):
    response = attempt(client, "cura\x00tor", "wrong")
    assert response.status_code == 200
    assert "\x00" not in "".join(
        __import__("axes.models", fromlist=["AccessAttempt"]).AccessAttempt.objects.values_list("username", flat=True)
    )


def test_behind_a_proxy_the_client_is_the_last_forwarded_address(settings):
    from archive.clients import client_ip

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client_ip(request) == "203.0.113.5"


# -- the search's limit ---------------------------------------------------------------------------


def search_from(ip, path="/search/", **params):
    request = RequestFactory().get(path, params, REMOTE_ADDR=ip)
    view = search_views.suggest if path.endswith("suggest/") else search_views.search
    return view(request)


def test_search_is_not_limited_unless_asked(db, settings):
    settings.SEARCH_RATE_LIMIT = None
    assert all(search_from("10.1.1.1").status_code == 200 for _ in range(30))


def test_search_over_the_limit_is_a_429_in_chinese_per_client(db, settings):
    settings.SEARCH_RATE_LIMIT = (3, 60)
    assert [search_from("10.1.1.1").status_code for _ in range(3)] == [200, 200, 200]
    response = search_from("10.1.1.1")
    assert response.status_code == 429
    assert "请求太频繁，请稍后再试。" in response.content.decode()
    assert 1 <= int(response["Retry-After"]) <= 60
    assert search_from("10.1.1.2").status_code == 200  # another client has its own count


def test_suggest_has_its_own_count_and_a_json_429(db, settings):
    settings.SEARCH_RATE_LIMIT = (2, 60)
    search_from("10.1.1.1")
    search_from("10.1.1.1")
    assert search_from("10.1.1.1", "/search/suggest/", q="武汉").status_code == 200
    search_from("10.1.1.1", "/search/suggest/", q="武汉")
    response = search_from("10.1.1.1", "/search/suggest/", q="武汉")
    assert response.status_code == 429
    assert json.loads(response.content) == {"error": "请求太频繁，请稍后再试。", "suggestions": []}


def test_the_window_ends_and_the_count_starts_again(db):
    assert ratelimit.hit("t", "c", 2, 60, now=120.0) == (False, 60)
    assert ratelimit.hit("t", "c", 2, 60, now=150.0) == (False, 30)
    assert ratelimit.hit("t", "c", 2, 60, now=179.0) == (True, 1)
    assert ratelimit.hit("t", "c", 2, 60, now=180.0) == (False, 60)


def test_the_count_lives_in_the_cache_so_servers_sharing_it_share_it(db, settings, tmp_path):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }
    assert ratelimit.hit("t", "c", 2, 60, now=60.0)[0] is False
    assert ratelimit.hit("t", "c", 2, 60, now=61.0)[0] is False
    caches.close_all()
    del caches["default"]  # a fresh handler, as in another server's process
    assert ratelimit.hit("t", "c", 2, 60, now=62.0)[0] is True


@pytest.mark.parametrize(
    ("raw", "rate"), [("60/m", (60, 60)), ("1000/h", (1000, 3600)), ("10/5s", (10, 5)), ("", None)]
)
def test_rate_setting(raw, rate):
    from archive.env import env_rate

    assert env_rate({"SEARCH_RATE_LIMIT": raw}, "SEARCH_RATE_LIMIT") == rate


def test_a_bad_rate_names_the_variable():
    from django.core.exceptions import ImproperlyConfigured

    from archive.env import env_rate

    with pytest.raises(ImproperlyConfigured, match="SEARCH_RATE_LIMIT='sixty'"):
        env_rate({"SEARCH_RATE_LIMIT": "sixty"}, "SEARCH_RATE_LIMIT")
