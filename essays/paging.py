"""Page numbers whose count does not grow with the archive.

A Paginator counts its whole list to know the last page: at 100,000 essays
counting the readable essays took longer than building the page. The count
only changes when the content does, so it is kept per content version
(``essays.freshness``), keyed by the list's SQL: every filter, tag and sort
has its own count, and the first request after any change counts afresh.
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
        sql = list_sql(self.object_list)
        if sql is None:
            return super().count
        digest = hashlib.sha256(sql.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return freshness.cached(f"count:{digest}", lambda: Paginator.count.func(self))
