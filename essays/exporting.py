"""The backup format: JSON Lines, one record a line, each with a ``type``.

Line 1 is the header, ``{"type": "header", "format": "wenji-backup",
"version": 2}``; then every section, tag (with its old names), collection
(with its raw file), and essay (with everything a curator changed and the
importer's snapshot), in that order. ``essays.restoring`` reads it back.
Nothing in it depends on the database it came from: no primary keys, no
export time, every list sorted in Python (not by a database collation), so
export, restore into any database and export again gives the same bytes.

A later version can add record types (the curators' change history:
``{"type": "history", ...}`` after the essays) by raising ``VERSION``; a
reader refuses a version newer than its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from essays.models import Essay, Section, SourceFile, Tag, TagAlias

FORMAT = "wenji-backup"
VERSION = 2


def _time(value) -> str | None:
    return value.isoformat() if value is not None else None


def _canonical(value):
    """JSON with sorted keys at every level: PostgreSQL's jsonb does not keep
    the order a dict was written in, SQLite does."""
    return json.loads(json.dumps(value, sort_keys=True))


def header() -> dict:
    return {"type": "header", "format": FORMAT, "version": VERSION}


def section_record(section: Section) -> dict:
    return {
        "type": "section",
        "name": section.name,
        "slug": section.slug,
        "description": section.description,
        "keywords": section.keywords,
        "order": section.order,
    }


def tag_record(tag: Tag, aliases: list[str]) -> dict:
    return {"type": "tag", "name": tag.name, "aliases": sorted(aliases)}


def collection_record(source: SourceFile) -> dict:
    return {
        "type": "collection",
        "name": source.name,
        "key": source.key,
        "title": source.title,
        "intro": source.intro,
        "author": source.author,
        "sha256": source.sha256,
        "encoding": source.encoding,
        "size": source.size,
        "imported_at": _time(source.imported_at),
        "raw_text": source.raw_text,
    }


def essay_record(essay: Essay) -> dict:
    return {
        "type": "essay",
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
        "updated": _time(essay.updated),
        # What restore needs beyond what a reader of the file wants.
        "text": essay.text,
        "title_derived": essay.title_derived,
        "featured": essay.featured,
        "duplicate_of_key": essay.duplicate_of.key if essay.duplicate_of_id else None,
        "near_duplicate_of_key": essay.near_duplicate_of.key if essay.near_duplicate_of_id else None,
        "similarity": essay.similarity,
        "imported": _canonical(essay.imported),
        "imported_text": essay.imported_text,
        "created": _time(essay.created),
    }


def export_records() -> Iterator[dict]:
    yield header()
    for section in sorted(Section.objects.all(), key=lambda s: s.slug):
        yield section_record(section)
    aliases: dict[int, list[str]] = {}
    for tag_id, name in TagAlias.objects.values_list("tag_id", "name"):
        aliases.setdefault(tag_id, []).append(name)
    for tag in sorted(Tag.objects.only("pk", "name"), key=lambda t: t.name):
        yield tag_record(tag, aliases.get(tag.pk, []))
    names = sorted(SourceFile.objects.values_list("name", flat=True))
    for name in names:
        yield collection_record(SourceFile.objects.get(name=name))
    for name in names:
        essays = (
            Essay.objects.filter(source__name=name)
            .select_related("source", "section", "duplicate_of", "near_duplicate_of")
            .only(
                *(f.name for f in Essay._meta.concrete_fields),
                "source__name",
                "source__title",
                "section__name",
                "duplicate_of__key",
                "near_duplicate_of__key",
            )
            .prefetch_related("tags")
            .order_by("position")
        )
        for essay in essays:
            yield essay_record(essay)


def export_lines(counts: dict | None = None) -> Iterator[str]:
    """The backup, line by line; ``counts`` (if given) is filled with the
    number of records of each type."""
    for record in export_records():
        if counts is not None:
            counts[record["type"]] = counts.get(record["type"], 0) + 1
        yield json.dumps(record, ensure_ascii=False) + "\n"
