"""Settings read from the environment (archive/env.py): the defaults that make
`make run` work, and what docker-compose.yml feeds in production."""

import sqlite3
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive import env

VAR = Path("/srv/wenji/var")


def test_database_defaults_to_sqlite_in_var():
    config = env.database_config({}, VAR)
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/wenji/var/db.sqlite3"


def test_sqlite_keeps_its_temporary_files_in_memory(tmp_path):
    # A statement that changes more than 64 KB of pages inside a transaction
    # (an import's multi-row insert of a file's essays) otherwise writes its
    # statement journal to a file under /var/tmp: at 20,000 essays, 14 page
    # writes an essay, a sixth of the import's system time.
    config = env.database_config({}, tmp_path)
    db = sqlite3.connect(config["NAME"])
    db.executescript(config["OPTIONS"]["init_command"])
    assert db.execute("PRAGMA temp_store").fetchone() == (2,)  # MEMORY
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_gives_back_the_logs_disk_once_it_starts_again(tmp_path):
    # A long transaction (an import's retag of 100,000 essays) grows the
    # write-ahead log to gigabytes; without a limit the file keeps that size
    # while any connection stays open (a web server's, for ten minutes and more).
    config = env.database_config({}, tmp_path)
    db = sqlite3.connect(config["NAME"], isolation_level=None)
    db.executescript(config["OPTIONS"]["init_command"])
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("CREATE TABLE t (body BLOB)")
    limit = db.execute("PRAGMA journal_size_limit").fetchone()[0]
    assert 0 < limit <= 64 * 2**20
    db.execute("BEGIN")
    db.executemany("INSERT INTO t VALUES (?)", [(bytes(4096),) for _n in range(limit // 4096 + 2000)])
    db.execute("COMMIT")
    wal = tmp_path / "db.sqlite3-wal"
    assert wal.stat().st_size > limit
    db.execute("PRAGMA wal_checkpoint(RESTART)")
    db.execute("INSERT INTO t VALUES (x'00')")  # the log starts again, and is cut down
    assert wal.stat().st_size <= limit


def test_database_url_for_postgres():
    config = env.database_config({"DATABASE_URL": "postgres://wenji:secret@db:5432/wenji"}, VAR)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"], config["USER"]) == ("db", 5432, "wenji", "wenji")


def test_bad_database_url_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL="):
        env.database_config({"DATABASE_URL": "nosuchdb://x"}, VAR)


def test_search_defaults_to_tantivy_in_var():
    config = env.search_config({}, VAR)
    assert config == {"ENGINE": "essays.search.tantivy_backend.TantivyEngine", "PATH": "/srv/wenji/var/search_index"}


@pytest.mark.parametrize(
    "url, engine, path",
    [
        ("tantivy:///data/index", "essays.search.tantivy_backend.TantivyEngine", "/data/index"),
        ("whoosh:///data/index", "essays.search.whoosh_backend.ChineseWhooshEngine", "/data/index"),
        ("whoosh:///", "essays.search.whoosh_backend.ChineseWhooshEngine", "/srv/wenji/var/whoosh_index"),
    ],
)
def test_embedded_search_urls(url, engine, path):
    assert env.search_config({"SEARCH_URL": url}, VAR) == {"ENGINE": engine, "PATH": path}


def test_unknown_search_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="SEARCH_URL='solr://x'"):
        env.search_config({"SEARCH_URL": "solr://x"}, VAR)


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("", "django.core.cache.backends.locmem.LocMemCache"),
        ("redis://cache:6379/1", "django.core.cache.backends.redis.RedisCache"),
        ("dummy://", "django.core.cache.backends.dummy.DummyCache"),
    ],
)
def test_cache_url(url, backend):
    assert env.cache_config({"CACHE_URL": url}, VAR)["BACKEND"] == backend


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = env.secret_key({}, tmp_path)
    assert len(first) > 40
    assert env.secret_key({}, tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert env.secret_key({"DJANGO_SECRET_KEY": "given"}, tmp_path) == "given"


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("true", True), ("off", False), ("", False)])
def test_booleans(raw, value):
    assert env.env_bool({"X": raw}, "X") is value


def test_bad_boolean_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG='maybe'"):
        env.env_bool({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG")


def test_allowed_hosts_default_and_list():
    assert env.env_list({}, "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1") == ["localhost", "127.0.0.1"]
    assert env.env_list({"H": " a.org , b.org "}, "H", "") == ["a.org", "b.org"]


def test_https_hardening_is_off_unless_asked_for(settings):
    # Debug is off in tests, yet nothing forces HTTPS: a plain-HTTP run works.
    assert settings.DEBUG is False
    assert settings.SECURE_SSL_REDIRECT is False
    assert settings.SECURE_HSTS_SECONDS == 0
    assert settings.SESSION_COOKIE_SECURE is False
