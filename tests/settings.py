"""Test settings: the project's settings, with a throwaway search index and
fast password hashing. DATABASE_URL still picks SQLite or PostgreSQL."""

import os
import tempfile

os.environ.setdefault("SEARCH_URL", "tantivy://" + tempfile.mkdtemp(prefix="wenji-test-index-"))

from archive.settings import *  # noqa: E402,F403

# Our Whoosh backend, still selectable, beside the default: tests compare the two.
HAYSTACK_CONNECTIONS = {
    **HAYSTACK_CONNECTIONS,  # noqa: F405
    "whoosh": {
        "ENGINE": "essays.search.whoosh_backend.ChineseWhooshEngine",
        "PATH": tempfile.mkdtemp(prefix="wenji-test-whoosh-"),
    },
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "wenji-tests"}}
# Segmentation in tests must not depend on a dictionary built in var/.
JIEBA_CORPUS_DICT = None
# No background repair threads in tests (they would share the test
# database); tests/test_healing.py switches it on and runs the repair in place.
SEARCH_SELF_HEALING = False
# Tests run in transactions that never commit, so the content version never
# changes within a test: whole-page caching would serve a page from before
# the test's own edits. tests/test_pagecache.py switches it on and commits.
PAGE_CACHE = False
