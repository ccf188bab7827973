"""Settings for `make bench`: the project's, with plain static file storage
(no collectstatic needed) and the test client's host allowed."""

import os

from archive.settings import *  # noqa: F403
from archive.settings import ALLOWED_HOSTS, HAYSTACK_CONNECTIONS, STORAGES, VAR_DIR

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Our Whoosh backend beside the default engine, to compare the two.
HAYSTACK_CONNECTIONS = {
    **HAYSTACK_CONNECTIONS,
    "whoosh": {"ENGINE": "essays.search.whoosh_backend.ChineseWhooshEngine", "PATH": str(VAR_DIR / "whoosh_index")},
}
# Timings are of rendered pages: the page cache is off unless asked for
# (bench/load.py's cached runs set WENJI_PAGE_CACHE=1).
if "WENJI_PAGE_CACHE" not in os.environ:
    PAGE_CACHE = False
