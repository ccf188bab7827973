"""Wenji settings. Everything an operator changes comes from the environment;
the defaults make `make run` work on a laptop with nothing set."""

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from archive import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WENJI_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = env.secret_key(os.environ, VAR_DIR)
DEBUG = env.env_bool(os.environ, "DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.env_list(os.environ, "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env.env_list(os.environ, "DJANGO_CSRF_TRUSTED_ORIGINS", "")

# HTTPS hardening is opt-in, each switch on its own: a plain-HTTP run with
# debug off (make run) must still serve pages.
SECURE_SSL_REDIRECT = env.env_bool(os.environ, "DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env.env_int(os.environ, "DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool(os.environ, "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.env_bool(os.environ, "DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env.env_bool(os.environ, "DJANGO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language choice is a cookie like the others: the same flags. No script
# reads it.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
if env.env_bool(os.environ, "DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# The health check answers over plain HTTP too (a load balancer inside).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp), on every response, the admin's too:
# scripts only from our own files (no inline script anywhere: base.html's
# theme script is static/js/theme.js, and Django's admin has none), no
# plugins, no <base>, no framing. Inline styles stay allowed: the standalone
# error pages and two admin templates carry a <style> block.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "haystack",
    "csp",
    "axes",
    "simple_history",
    "essays",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the query or the cookies.
    "archive.middleware.CleanInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "archive.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who made a change, for the history of essays, tags, sections, collections.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: answers a locked-out client's login with 429.
    "axes.middleware.AxesMiddleware",
    # Stores what the view returned, for anonymous readers (essays/pagecache.py);
    # only 200s, so a 503 below it is never kept.
    "essays.pagecache.PageCacheMiddleware",
    # Last, so it sees the views' exceptions first.
    "archive.health.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "archive.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "archive.wsgi.application"

DATABASES = {"default": env.database_config(os.environ, VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache_config(os.environ, VAR_DIR)}
# Anonymous reader pages served whole from the cache, keyed by the content
# version so that no page is ever older than the last commit
# (essays/pagecache.py). Entries of older versions simply age out.
PAGE_CACHE = env.env_bool(os.environ, "WENJI_PAGE_CACHE", True)
PAGE_CACHE_SECONDS = env.env_int(os.environ, "WENJI_PAGE_CACHE_SECONDS", 24 * 3600)

HAYSTACK_CONNECTIONS = {"default": env.search_config(os.environ, VAR_DIR)}
# Saving or deleting an essay (admin, shell) queues it for the index, written
# after the transaction commits; the importer indexes in batches at the end.
HAYSTACK_SIGNAL_PROCESSOR = "essays.search.sync.EssaySignalProcessor"
HAYSTACK_SEARCH_RESULTS_PER_PAGE = 20
# The web process notices an index that disagrees with the database (after a
# crash, a deleted folder) and repairs the difference in the background
# (essays/search/healing.py).
SEARCH_SELF_HEALING = env.env_bool(os.environ, "WENJI_SEARCH_SELF_HEALING", True)

# Admin logins are throttled by django-axes, per client address and per
# account, each on its own: after WENJI_LOGIN_FAILURE_LIMIT wrong passwords
# in a row, that address (or that account, from anywhere) waits
# WENJI_LOGIN_COOLOFF_MINUTES. Attempts are kept in the database (the admin
# lists them); `manage.py axes_reset_username NAME` or `axes_reset_ip ADDRESS`
# unlocks at once.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.env_int(os.environ, "WENJI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.env_int(os.environ, "WENJI_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "archive.clients.client_ip"
AXES_USERNAME_CALLABLE = "archive.clients.login_username"
AXES_LOCKOUT_CALLABLE = "archive.clients.locked_out"
AXES_VERBOSE = False
# django-axes's admin pages (attempts, failures, logs) have no Chinese and
# would put English into the curators' admin; unlocking is a command
# (axes_reset_username, axes_reset_ip: docs/production.md).
AXES_ENABLE_ADMIN = False

# Requests per client to /search/ and, counted apart, /search/suggest/
# (e.g. 60/m), on the shared cache; unset: no limit (archive/ratelimit.py).
SEARCH_RATE_LIMIT = env.env_rate(os.environ, "SEARCH_RATE_LIMIT")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Where jieba keeps its dictionary cache (it would otherwise write to /tmp).
JIEBA_CACHE_DIR = VAR_DIR / "jieba"
# Words of this archive jieba keeps whole (tags, sections, people), written by
# `manage.py build_search_dictionary`; after it changes, run rebuild_index.
JIEBA_CORPUS_DICT = VAR_DIR / "jieba" / "corpus_dict.txt"

# Largest text file the importer accepts, in bytes.
IMPORT_MAX_BYTES = env.env_int(os.environ, "WENJI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
    "loggers": {"jieba": {"level": "ERROR"}},
}
