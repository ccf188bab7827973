"""Asking the configured search engine: ``run_search(SearchRequest)``."""

from __future__ import annotations

import logging

from haystack import connections

from essays.search.tiers import SearchHits, SearchRequest

logger = logging.getLogger(__name__)


class SearchUnavailable(Exception):
    """The search engine could not answer (a server down, an unreadable
    index folder); the reason is logged."""


def run_search(request: SearchRequest, using="default") -> SearchHits:
    if not request.query:
        return SearchHits(0, [], 0)
    try:
        return connections[using].get_backend().run_search(request)
    except Exception as exc:
        logger.exception("search engine %r failed", using)
        raise SearchUnavailable(f"{type(exc).__name__}: {exc}") from exc
