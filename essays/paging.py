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
from django.db.models import Q
from django.utils.functional import cached_property

from essays import freshness
from essays.memo import Kept


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


class KeysFirstPaginator(Paginator):
    """A page of a long queryset (the admin's lists): the page's primary
    keys first, sorted alone, then only that page's rows. A database sorting
    the rows themselves carries every column through the sort: on SQLite a
    filtered list of 20,000 essays, texts and snapshots included, took 144 ms
    to sort for a page of 100. The rows come in the same order (the admin's
    orderings end with the primary key, so there are no ties).

    ``rows_from``: the unfiltered queryset the rows are read from (with the
    same related rows and annotations). The list's filters then run once,
    for the keys: read again with the rows, a search's 100,000 keys were
    parsed again for a page of 100 (90 ms at 100,000 essays)."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, rows_from=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.rows_from = rows_from

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if not hasattr(rows, "values_list") or not rows.ordered or rows.query.distinct:
            return self._get_page(rows[bottom:top], number, self)
        keys = list(rows.values_list("pk", flat=True)[bottom:top])
        if self.rows_from is not None and rows.query.order_by:
            return self._get_page(self.rows_from.filter(pk__in=keys).order_by(*rows.query.order_by), number, self)
        return self._get_page(rows.filter(pk__in=keys), number, self)


# -- deep pages ----------------------------------------------------------------
#
# A page of a list is its ids from an index walk; with OFFSET the database
# walks every entry before the page (the last page of 100,000 essays: 100,000
# entries, 8 ms, growing with the archive). Every STRIDE-th position's sort
# values (an anchor) are remembered per content version in each process, so
# a deep page starts its walk at the anchor before it ("seek", or keyset,
# pagination) and walks fewer than STRIDE entries more. The first page
# asked of a stride finds its anchor from the nearest one before it, so a
# reader or a crawler going page by page never walks far, and a jump to the
# end walks once what OFFSET walked every time.

STRIDE = 1000
ANCHORED_LISTS = 256  # lists remembered per process (each a handful of anchors)
_anchors = Kept(ANCHORED_LISTS)  # per list: {position: sort values}


def _order(ids) -> list[tuple[str, bool]] | None:
    """(field name, descending) of a query's order, its last field unique;
    None when it cannot be walked from an anchor."""
    ordering = ids.query.order_by
    if not ordering or not all(isinstance(o, str) for o in ordering):
        return None
    model = ids.model
    fields = []
    for name in ordering:
        descending = name.startswith("-")
        name = name.lstrip("-")
        name = model._meta.pk.attname if name == "pk" else name
        try:
            field = model._meta.get_field(name)
        except Exception:
            return None
        if field.null or "__" in name:
            return None
        fields.append((field.attname, descending))
    last = model._meta.get_field(fields[-1][0])
    if not (last.unique or last.primary_key) and not _unique_together(model, [f for f, _ in fields]):
        return None
    return fields


def _unique_together(model, names: list[str]) -> bool:
    wanted = set(names)
    for constraint in model._meta.total_unique_constraints:
        if {model._meta.get_field(f).attname for f in constraint.fields} <= wanted:
            return True
    return any({model._meta.get_field(f).attname for f in group} <= wanted for group in model._meta.unique_together)


def at_or_after(order: list[tuple[str, bool]], anchor: tuple) -> Q:
    """The rows at or after ``anchor`` (sort values) in ``order``, as a range
    on the first field (an index walk starts there) less the few rows tied
    with the anchor on it that come before it."""
    (name, descending), *rest = order
    value, *rest_values = anchor
    from_here = Q(**{f"{name}__{'lte' if descending else 'gte'}": value})
    if not rest:
        return from_here
    return from_here & ~(Q(**{name: value}) & ~at_or_after(rest, tuple(rest_values)))


def page_ids(ids, start: int, stop: int) -> list:
    """``ids[start:stop]`` (a values_list of primary keys, ordered), walking
    from the nearest anchor at or before ``start`` when the page is deep."""
    order = _order(ids) if start >= STRIDE else None
    if order is None:
        return list(ids[start:stop])
    base = start - start % STRIDE
    anchor = _anchor(ids, order, base)
    if anchor is None:  # the list is shorter than the page asked
        return []
    return list(ids.filter(at_or_after(order, anchor))[start - base : stop - base])


def _anchor(ids, order, position: int) -> tuple | None:
    key = (list_sql(ids), freshness.version(), ids.db)
    known = _anchors.get(key)
    if known is None:
        known = {}
        _anchors.put(key, known)
    if position in known:
        return known[position]
    # A copy: another thread may add an anchor meanwhile.
    before = max((p for p in list(known) if p < position), default=None)
    values = ids.values_list(*(name for name, _ in order))
    if before is None:
        found = list(values[position : position + 1])
    else:
        found = list(values.filter(at_or_after(order, known[before]))[position - before : position - before + 1])
    anchor = found[0] if found else None
    if anchor is not None:
        known[position] = anchor
    return anchor


def forget_anchors() -> None:
    _anchors.clear()
