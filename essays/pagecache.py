"""Whole reader pages from the cache, never stale.

An anonymous GET of a reader page (the ``essays`` URLs: home, lists, essay,
collection, section, tag, tags, feeds, sitemap, search) is answered from
Django's cache when the same page was rendered under the current content
version (``essays.freshness``): the key holds the version, so the first
request after any committed change renders afresh. The key also holds the
active language (the language cookie; Accept-Language is ignored by
``archive.middleware``), the scheme and host (pages print absolute links),
and the whole query string (``?script=hant``, ``?page=``, ``?q=``).

Never from the cache, never stored: requests carrying a session cookie or
credentials (curators and staff, anyone signed in), other methods than GET,
responses other than 200, responses that set a cookie, read the session or
need a CSRF cookie, or say ``Cache-Control: private/no-store``.

The middleware sits last in ``MIDDLEWARE``: it stores what the view
returned, and the middlewares around it (security headers, language,
clickjacking) still run on every response, cached or not.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import cc_delim_re

from essays import freshness
from essays.memo import Kept

CACHED_NAMESPACE = "essays"
# The pages this process served last, as stored: with Redis, a hit on a busy
# page no longer crosses the network. Keyed like the cache (the content
# version included), so never stale.
MEMO_PAGES = 256
_memo = Kept(MEMO_PAGES)
_remember, _recall = _memo.put, _memo.get


def forget() -> None:
    _memo.clear()


def page_key(request) -> str:
    uri = request.build_absolute_uri()
    digest = hashlib.sha256(uri.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return f"wenji:page:{freshness.version()}:{translation.get_language()}:{digest}"


def wants_fresh(request) -> bool:
    """Whether this request must be rendered, not read from the cache."""
    if not getattr(settings, "PAGE_CACHE", True) or request.method != "GET":
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return True  # signed in (or signing in): always fresh pages
    return "messages" in request.COOKIES  # a message waiting to be shown


def storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token: it is this reader's
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    control = {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    return not control & {"private", "no-store", "no-cache"}


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and storable(request, response):
            entry = (response.status_code, [(name, value) for name, value in response.items()], response.content)
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            _remember(key, entry)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.namespace != CACHED_NAMESPACE or wants_fresh(request):
            return None
        request._page_cache_key = key = page_key(request)
        hit = _recall(key)
        if hit is None:
            hit = cache.get(key)
            if hit is None:
                return None
            _remember(key, hit)
        request._page_cache_key = None  # nothing to store
        status, headers, content = hit
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response
