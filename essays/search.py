"""Keeping the search index in step with the database."""

from __future__ import annotations

from haystack import connections

from essays.models import Essay


def _index(using="default"):
    return connections[using].get_unified_index().get_index(Essay)


def update_essays(pks, using="default", batch_size=500) -> None:
    """Index the readable essays among ``pks``; remove the others."""
    pks = sorted(set(pks))
    if not pks:
        return
    index = _index(using)
    backend = connections[using].get_backend()
    readable = set(Essay.objects.readable().filter(pk__in=pks).values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        chunk = [pk for pk in pks[start : start + batch_size] if pk in readable]
        if chunk:
            backend.update(index, index.index_queryset(using).filter(pk__in=chunk))
    for pk in pks:
        if pk not in readable:
            backend.remove(f"essays.essay.{pk}")
