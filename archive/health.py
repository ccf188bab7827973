"""Honest answers when something the archive depends on is down.

- ``/healthz``: the database and the search engine, each "ok" or why not,
  200 when both answer, 503 otherwise; for load balancers and monitors.
- A database that cannot be reached gives a plain translated 503 page with
  ``Retry-After`` (``DatabaseUnavailableMiddleware`` for views, the 500
  handler for the rest), never a 500.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
UNREACHABLE = (OperationalError, InterfaceError)


def database_unavailable() -> HttpResponse:
    # No request context: sessions and users live in the database.
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view that finds the database unreachable answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, UNREACHABLE):
            logger.error("database unavailable: %s", str(exception).strip().splitlines()[0] if str(exception) else "")
            return database_unavailable()
        return None


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok"


def _search() -> str:
    from essays.search import engine, healing

    try:
        engine.check()
    except engine.SearchUnavailable as exc:
        healing.heal_soon(now=True)
        reason = str(exc).split(":")[0]
        return f"unavailable: {reason}"
    return "ok"


@never_cache
def healthz(request):
    checks = {"database": _database(), "search": _search()}
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
