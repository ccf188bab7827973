"""The backup format: JSON Lines, one record a line, each with a ``type``.

Line 1 is the header, ``{"type": "header", "format": "wenji-backup",
"version": 4}``; then every section, tag (with its old names), collection
(with its raw file), essay (with everything a curator changed and the
importer's snapshot), and the change history of all four (django-simple-history's
rows, ``history_records``), in that order. ``essays.restoring`` reads it back.
Nothing in it depends on the database it came from: no primary keys, no
export time, every list sorted in Python (not by a database collation), so
export, restore into any database and export again gives the same bytes.

A later version can add record types by raising ``VERSION``; a reader
refuses a version newer than its own. Version 3 kept the imported text in
the essay's ``imported`` snapshot (version 4 keeps its digest there,
Essay.import_snapshot); version 2 had no history records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db import models

from essays.models import Essay, Section, SourceFile, Tag, TagAlias

FORMAT = "wenji-backup"
VERSION = 4

# The models whose history the backup holds, in file order: (the name a
# history record gives its model, the model, the field naming its objects).
HISTORY = (
    ("section", Section, "name"),
    ("tag", Tag, "name"),
    ("collection", SourceFile, "name"),
    ("essay", Essay, "key"),
)
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
CHUNK = 500


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
    yield from history_records()


def history_fields(model) -> list:
    """The fields of ``model``'s history rows a history record holds in
    ``fields``: all but the object's id and simple-history's own."""
    return [f for f in model.history.model._meta.concrete_fields if f.name != "id" and f.name not in HISTORY_FIELDS]


def essay_tags_history():
    """The model of the tags each essay history row recorded."""
    return Essay.history.model.historicalessay_tags_set.rel.related_model


class References:
    """How a history record names an object: a living one by its name (a
    section's, tag's or collection's) or key (an essay's); one deleted since
    as ``{"gone": n}``, n counting the model's deleted objects in the order
    of their first history row (1-based); one neither alive nor in the
    history as null."""

    def __init__(self):
        self.names: dict[str, dict[int, str]] = {}
        self.gone: dict[str, dict[int, int]] = {}
        for kind, model, natural in HISTORY:
            self.names[kind] = dict(model.objects.values_list("pk", natural))
            gone: dict[int, int] = {}
            ids = model.history.model.objects.order_by("history_date", "history_id").values_list("id", flat=True)
            for pk in ids.iterator(chunk_size=5000):
                if pk not in self.names[kind] and pk not in gone:
                    gone[pk] = len(gone) + 1
            self.gone[kind] = gone

    def __call__(self, kind: str, pk):
        if pk is None:
            return None
        if pk in self.names[kind]:
            return self.names[kind][pk]
        if pk in self.gone[kind]:
            return {"gone": self.gone[kind][pk]}
        return None


def _tag_order(ref):
    return (1, ref["gone"]) if isinstance(ref, dict) else (0, ref)


FK_KINDS = {SourceFile: "collection", Section: "section", Essay: "essay", Tag: "tag"}


def history_records() -> Iterator[dict]:
    """One record per history row of sections, tags, collections and
    essays: by model, then time, then row."""
    refs = References()
    users = dict(get_user_model().objects.values_list("pk", get_user_model().USERNAME_FIELD))
    for kind, model, _natural in HISTORY:
        fields = history_fields(model)
        rows = model.history.model.objects.order_by("history_date", "history_id")
        batch = []
        for row in rows.iterator(chunk_size=CHUNK):
            batch.append(row)
            if len(batch) >= CHUNK:
                yield from _history_batch(kind, batch, fields, refs, users)
                batch = []
        yield from _history_batch(kind, batch, fields, refs, users)


def _history_batch(kind, rows, fields, refs, users) -> Iterator[dict]:
    tags: dict[int, list] = {}
    if kind == "essay" and rows:
        through = essay_tags_history().objects.filter(history_id__in=[r.history_id for r in rows])
        for history_id, tag_id in through.values_list("history_id", "tag_id"):
            ref = refs("tag", tag_id)
            if ref is not None:
                tags.setdefault(history_id, []).append(ref)
    for row in rows:
        values = {}
        for f in fields:
            value = getattr(row, f.attname)
            if f.is_relation:
                value = refs(FK_KINDS[f.related_model], value)
            elif isinstance(f, models.DateTimeField):
                value = _time(value)
            elif isinstance(f, models.JSONField):
                value = _canonical(value)
            values[f.name] = value
        record = {
            "type": "history",
            "model": kind,
            "object": refs(kind, row.id),
            "history_date": _time(row.history_date),
            "history_type": row.history_type,
            "history_change_reason": row.history_change_reason,
            "history_user": users.get(row.history_user_id),
            "fields": values,
        }
        if kind == "essay":
            record["tags"] = sorted(tags.get(row.history_id, []), key=_tag_order)
        yield record


def export_lines(counts: dict | None = None) -> Iterator[str]:
    """The backup, line by line; ``counts`` (if given) is filled with the
    number of records of each type."""
    for record in export_records():
        if counts is not None:
            counts[record["type"]] = counts.get(record["type"], 0) + 1
        yield json.dumps(record, ensure_ascii=False) + "\n"
