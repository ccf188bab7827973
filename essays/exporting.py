"""The backup format: JSON Lines, one essay per line, in collection order."""

from __future__ import annotations

import json
from collections.abc import Iterator

from essays.models import Essay


def essay_record(essay: Essay) -> dict:
    return {
        "source": essay.source.name,
        "position": essay.position,
        "key": essay.key,
        "title": essay.title,
        "author": essay.author,
        "section": essay.section.name if essay.section_id else None,
        "tags": sorted(tag.name for tag in essay.tags.all()),
        "paragraphs": essay.paragraphs,
        "url": essay.get_absolute_url(),
        "duplicate_of": essay.duplicate_of.get_absolute_url() if essay.duplicate_of_id else None,
        "status": essay.status,
        "has_placeholders": essay.has_placeholders,
        "collection": essay.source.title,
        "char_count": essay.char_count,
        "updated": essay.updated.isoformat(),
    }


def export_lines(queryset=None) -> Iterator[str]:
    queryset = queryset if queryset is not None else Essay.objects.all()
    for essay in queryset.with_related().in_collection_order().iterator(chunk_size=500):
        yield json.dumps(essay_record(essay), ensure_ascii=False) + "\n"
