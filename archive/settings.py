"""Wenji settings. Everything an operator changes comes from the environment;
the defaults make `make run` work on a laptop with nothing set."""

import os
from pathlib import Path

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
if env.env_bool(os.environ, "DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

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
    "essays",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "archive.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it stores what the view returned (essays/pagecache.py).
    "essays.pagecache.PageCacheMiddleware",
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
