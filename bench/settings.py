"""Settings for `make bench`: the project's, with plain static file storage
(no collectstatic needed) and the test client's host allowed."""

from archive.settings import *  # noqa: F403
from archive.settings import ALLOWED_HOSTS, STORAGES

ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
