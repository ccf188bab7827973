"""Page numbers whose count does not grow with the archive.

A Paginator counts its whole list to know the last page: at 100,000 essays
counting the readable essays took longer than building the page. The count
only changes when the content does, so it is kept per content version
(``essays.freshness``), keyed by what the list says its count depends on
(``EssayPage.count_key``) or else by its SQL: every filter has its own
count, and the first request after any change counts afresh.
"""

from __future__ import annotations

import hashlib

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from essays import freshness


def list_sql(object_list) -> str | None:
    """The SQL (parameters inlined) of a queryset, or of an EssayPage's
    query of ids; None for anything else (a list is counted as it is)."""
    query = getattr(getattr(object_list, "ids", object_list), "query", None)
    if query is None:
        return None
    sql, params = query.sql_with_params()
    return f"{sql} {params!r}"


class VersionedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        known = getattr(self.object_list, "known_count", None)
        if known is not None:  # counted already (a tag page: the tag shelf's counts)
            return known
        # A list may name what its count depends on (building its SQL for
        # the key cost more than the page's rows); otherwise its SQL is the key.
        key = getattr(self.object_list, "count_key", None) or list_sql(self.object_list)
        if key is None:
            return super().count
        digest = hashlib.sha256(str(key).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return freshness.cached(f"count:{digest}", lambda: Paginator.count.func(self))
