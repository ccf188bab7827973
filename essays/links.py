"""Reader page addresses, reversed once per process.

A page of search results or a list of fifty essays links every essay, its
collection, section and tags: 180 ``reverse()`` calls on one search page,
a tenth of its time. An address depends only on the URL name, the value in
it, the script prefix and the URL configuration, so it is remembered under
all four: a test that swaps ROOT_URLCONF, or a deployment under a prefix,
gets its own addresses.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The busiest addresses (a few MB); a forgotten one costs one reverse().
REMEMBERED = 50_000


@lru_cache(maxsize=REMEMBERED)
def _address(urlconf, prefix: str, name: str, argument: str, value: str) -> str:
    return reverse(name, kwargs={argument: value}, urlconf=urlconf)


def address(name: str, argument: str, value: str) -> str:
    """``reverse(name, kwargs={argument: value})``, remembered."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _address(urlconf, get_script_prefix(), name, argument, value)


def forget() -> None:
    _address.cache_clear()
