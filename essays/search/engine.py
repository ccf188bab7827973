"""Asking the configured search engine: ``run_search(SearchRequest)``."""

from __future__ import annotations

import logging

from haystack import connections

from essays.search.tiers import SearchHits, SearchRequest

logger = logging.getLogger(__name__)


class SearchUnavailable(Exception):
    """The search engine could not answer (a server down, an unreadable
    index folder); the reason is logged."""


class IndexMissing(Exception):
    """No index where the settings say (a deleted folder, a new volume): the
    engine cannot answer, which is not the same as finding nothing."""


def check(using="default") -> None:
    """Raise SearchUnavailable unless the engine can answer a query: the
    health endpoint's question."""
    backend = connections[using].get_backend()
    try:
        if hasattr(backend, "check_index"):
            backend.check_index()
        else:
            from essays.search.tokens import parse_query

            backend.run_search(SearchRequest(parse_query("文"), limit=1))
    except Exception as exc:
        raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc


def run_search(request: SearchRequest, using="default") -> SearchHits:
    if not request.query:
        return SearchHits(0, [], 0)
    try:
        return connections[using].get_backend().run_search(request)
    except Exception as exc:
        logger.exception("search engine %r failed", using)
        raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc


def holds_every_readable_essay(using="default") -> bool:
    """Whether the index holds as many documents as there are readable
    essays: what lets the admin take the engine's word for them (after an
    import without the index, or while it is rebuilt, it does not). False
    when the engine cannot say."""
    from essays.models import Essay

    backend = connections[using].get_backend()
    try:
        if hasattr(backend, "check_index"):
            held = backend.check_index()
        else:  # a server engine
            from haystack.query import SearchQuerySet

            held = SearchQuerySet(using=using).models(Essay).count()
    except Exception:
        logger.warning("search engine %r cannot count its documents", using, exc_info=True)
        return False
    return held == Essay.objects.readable().count()
