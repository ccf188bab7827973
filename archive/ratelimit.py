"""A fixed-window request counter per client on the shared cache
(``cache.add`` then ``cache.incr``, both atomic on Redis), so several web
servers sharing the cache share the count. ``SEARCH_RATE_LIMIT=60/m`` limits
the search page and, on its own count, the suggestions; unset, nothing is
limited.

Small enough to keep here rather than add django-ratelimit (last released in
2023): the windows, the key and the 429 are ours to choose and to test."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from archive.clients import client_ip


def hit(scope: str, key: str, limit: int, seconds: int, now: float | None = None) -> tuple[bool, int]:
    """Count one request of ``key`` in the current window; (over the limit,
    seconds until the window ends)."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    name = f"wenji:rate:{scope}:{window}:{key}"
    if cache.add(name, 1, seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, seconds + 1)
            count = 1
    return count > limit, max(1, int((window + 1) * seconds - now))


def too_many(request, retry_after: int, as_json: bool) -> HttpResponse:
    message = _("请求太频繁，请稍后再试。")
    if as_json:
        response = JsonResponse(
            {"error": message, "suggestions": []}, status=429, json_dumps_params={"ensure_ascii": False}
        )
    else:
        response = HttpResponse(loader.get_template("429.html").render({"message": message}, request), status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limited(scope: str, as_json: bool = False):
    """Limit the view to ``settings.SEARCH_RATE_LIMIT`` requests per client."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            rate = settings.SEARCH_RATE_LIMIT
            if rate:
                over, retry_after = hit(scope, client_ip(request) or "unknown", *rate)
                if over:
                    return too_many(request, retry_after, as_json)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
