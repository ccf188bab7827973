"""Honest faults: /healthz, and a 503 (never a 500) when the database cannot
be reached."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def database_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused')

    monkeypatch.setattr(connection, "ensure_connection", refuse)


def test_healthz_says_ok_when_database_and_index_answer(client, search_index):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "search": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_a_missing_index(client, search_index):
    shutil.rmtree(search_index.path)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "search": "unavailable: IndexMissing"}


def test_healthz_reports_an_unreachable_database(client, search_index, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable: OperationalError"
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize("url", ["/", "/essays/", "/tags/", "/search/?q=武汉", "/feed/"])
def test_pages_answer_503_with_retry_after_when_the_database_is_down(client, database_down, url):
    response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库暂时连接不上" in response.content.decode()


def test_a_database_error_outside_a_view_is_a_503_too(database_down, monkeypatch):
    # A middleware reading the session: the error does not pass through a view.
    from django.contrib.sessions.backends.db import SessionStore

    monkeypatch.setattr(SessionStore, "load", lambda self: connection.ensure_connection())
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32
    response = client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_an_unreachable_database_server_gives_503_not_500(tmp_path):
    """A real refused connection: a server process pointed at a port nothing listens on."""
    script = (
        "import json, django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(raise_request_exception=False)\n"
        "out = {u: c.get(u) for u in ('/', '/essays/k1/', '/healthz')}\n"
        "print(json.dumps({u: [r.status_code, r.get('Retry-After')] for u, r in out.items()}))\n"
    )
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "WENJI_VAR_DIR": str(tmp_path),
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers == {"/": [503, "30"], "/essays/k1/": [503, "30"], "/healthz": [503, "30"]}
