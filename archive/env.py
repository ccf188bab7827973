"""Reading settings from the environment.

Kept apart from settings.py so the parsing rules can be unit-tested with any
environment, without reloading Django's settings.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(environ, name: str, default: bool = False) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_int(environ, name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number") from None


RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def env_rate(environ, name: str) -> tuple[int, int] | None:
    """``60/m``, ``1000/h``, ``10/5s``: (requests, seconds); unset or empty:
    None (no limit)."""
    raw = environ.get(name, "")
    if not raw.strip():
        return None
    match = _RATE.match(raw)
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected requests/period, e.g. 60/m (s, m, h or d)")
    count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    return count, multiple * RATE_UNITS[unit]


def env_list(environ, name: str, default: str) -> list[str]:
    raw = environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(environ, var_dir: Path) -> dict:
    url = environ.get("DATABASE_URL", "").strip() or f"sqlite:///{var_dir / 'db.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL={url!r}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # A long timeout lets the importer and the web server share the file.
        options = config.setdefault("OPTIONS", {})
        options["timeout"] = 20
        # WAL with
        # synchronous=NORMAL: a commit no longer waits for the disk
        # (an import commits once per file), readers never block the writer;
        # a crash loses at most the last commits, never the file.
        # Each process keeps its connection, and with it SQLite's page cache
        # (16 MB): a new connection per request read every page of an index
        # again (a deep page of the list: 18 requests/s under gunicorn).
        # temp_store=MEMORY: a statement changing more than 64 KB of pages in
        # a transaction (an import's insert of a file's essays, a retag's
        # updates) spilled its statement journal to a file in /var/tmp, 14
        # page writes an essay; temporary tables and sorts' indexes stay in
        # memory too (keys only: a few MB at 100,000 essays).
        # journal_size_limit: the write-ahead log's file is cut back to 64 MB
        # whenever the log starts again; a long transaction (an import's
        # retag: gigabytes at 100,000 essays) otherwise left it that large
        # while any connection stayed open.
        options["init_command"] = (
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16000; "
            "PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864"
        )
        config["CONN_MAX_AGE"] = 600
    return config


def secret_key(environ, var_dir: Path) -> str:
    """The configured key, or one generated once and kept in var/."""
    key = environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    path = var_dir / "secret_key"
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if not key:
        var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key, encoding="ascii")
        path.chmod(0o600)
    return key


SEARCH_SCHEMES = {
    "tantivy": "essays.search.tantivy_backend.TantivyEngine",
    "whoosh": "essays.search.whoosh_backend.ChineseWhooshEngine",
    # haystack's Elasticsearch 7 backend, with whitespace-analysed fields;
    # the 7.13 client also talks to OpenSearch 1.x/2.x (later 7.x clients
    # refuse servers that are not Elastic's).
    "elasticsearch": "essays.search.elasticsearch_backend.ChineseElasticsearchEngine",
    "opensearch": "essays.search.elasticsearch_backend.ChineseElasticsearchEngine",
}
# Embedded engines, and the folder under var/ each keeps its index in.
EMBEDDED_SCHEMES = {"tantivy": "search_index", "whoosh": "whoosh_index"}
DEFAULT_INDEX_NAME = "wenji"
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,254}$")


def search_config(environ, var_dir: Path) -> dict:
    """Turn SEARCH_URL into a haystack connection.

    whoosh:///            -> embedded index in var/search_index
    whoosh:///abs/path    -> embedded index at /abs/path
    opensearch://host:9200/essays, elasticsearch://host:9200/essays
                          -> remote engine over HTTP, index name from the
                             path (default "wenji")
    opensearch+https://user:password@host:9200/essays
                          -> the same over HTTPS, with basic auth
    ?timeout=30           -> request timeout in seconds (default 10)
    """
    url = environ.get("SEARCH_URL", "").strip() or "tantivy:///"
    parts = urlsplit(url)
    scheme, _, transport = parts.scheme.lower().partition("+")
    embedded = scheme in EMBEDDED_SCHEMES
    if scheme not in SEARCH_SCHEMES or (transport and (embedded or transport not in ("http", "https"))):
        raise ImproperlyConfigured(
            f"SEARCH_URL={url!r}: unknown scheme {parts.scheme!r}; use one of {', '.join(sorted(SEARCH_SCHEMES))}"
            " (opensearch and elasticsearch also as +https)"
        )
    connection = {"ENGINE": SEARCH_SCHEMES[scheme]}
    if embedded:
        path = parts.path if parts.path not in ("", "/") else str(var_dir / EMBEDDED_SCHEMES[scheme])
        connection["PATH"] = path
        return connection
    if not parts.hostname:
        raise ImproperlyConfigured(f"SEARCH_URL={url!r}: no host (e.g. {scheme}://localhost:9200/wenji)")
    index_name = parts.path.strip("/") or DEFAULT_INDEX_NAME
    if not _INDEX_NAME.match(index_name):
        raise ImproperlyConfigured(
            f"SEARCH_URL={url!r}: {index_name!r} is not a valid index name (lower-case letters, digits, . _ -)"
        )
    params = parse_qs(parts.query)
    try:
        timeout = int(params.get("timeout", ["10"])[0])
    except ValueError:
        raise ImproperlyConfigured(f"SEARCH_URL={url!r}: timeout must be a whole number of seconds") from None
    try:
        port = parts.port or 9200
    except ValueError:
        raise ImproperlyConfigured(f"SEARCH_URL={url!r}: the port is not a number") from None
    auth = ""
    if parts.username:
        auth = quote(unquote(parts.username), safe="")
        if parts.password is not None:
            auth += ":" + quote(unquote(parts.password), safe="")
        auth += "@"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    connection.update(
        URL=f"{transport or 'http'}://{auth}{host}:{port}/",
        INDEX_NAME=index_name,
        TIMEOUT=timeout,
    )
    return connection


def cache_config(environ, var_dir: Path) -> dict:
    """Turn CACHE_URL into Django's CACHES['default'].

    locmem:// (default), dummy://, file:///path, redis://host:6379/0
    """
    url = environ.get("CACHE_URL", "").strip() or "locmem://"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "locmem":
        # Per process. Room for the cached pages and fragments of a busy day
        # (Django's default is 300 entries); Redis shares one cache.
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "wenji",
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if scheme == "file":
        path = parts.path if parts.path not in ("", "/") else str(var_dir / "cache")
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": path}
    if scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL={url!r}: unknown scheme {scheme!r}; use locmem, dummy, file or redis")
