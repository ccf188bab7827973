"""Reading a backup (``essays.exporting``) back into an empty database.

Everything lands in one transaction, or nothing does. References between
records go by name and key (a collection's file name, an essay's key), never
by primary key, so a backup restores into any database, SQLite or
PostgreSQL. The fields an essay's other fields imply (character count,
placeholder flag, fingerprint) are computed again, as on every save.

The history records (format versions 3 and 4) come after the essays: the
database's history of sections, tags, collections and essays is replaced by
the backup's, each row under the restored object's new id. Objects deleted
since (``{"gone": n}``) get ids of their own, above every living one, and the
id sequence is moved past them so a new object never takes one. A user the
database lacks leaves ``history_user`` empty.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from essays import exporting, freshness
from essays.models import Essay, Section, SourceFile, Tag, TagAlias

BATCH = 500


class NotABackup(Exception):
    """The file is not a backup this version can read; the message says why
    in one line."""


class NotEmpty(Exception):
    pass


@dataclass
class Restored:
    counts: dict[str, int] = field(default_factory=dict)
    nul_stripped: int = 0  # text fields that held NUL (possible in SQLite, never in PostgreSQL)
    users_missing: int = 0  # history rows whose user is not in this database

    def line(self) -> str:
        c = self.counts
        text = (
            f"restored {c.get('essay', 0)} essays, {c.get('collection', 0)} collections, "
            f"{c.get('tag', 0)} tags, {c.get('section', 0)} sections"
        )
        if c.get("history"):
            text += f", {c['history']} history records"
            if self.users_missing:
                text += f" ({self.users_missing} by users this database lacks, kept without a user)"
        if self.nul_stripped:
            text += f"; NUL characters removed from {self.nul_stripped} fields"
        return text


REQUIRED = {
    "section": {"name", "slug", "description", "keywords", "order"},
    "tag": {"name", "aliases"},
    "collection": {"name", "key", "title", "intro", "author", "sha256", "encoding", "size", "imported_at", "raw_text"},
    "essay": {
        "source", "position", "key", "title", "author", "section", "tags", "status", "text", "title_derived",
        "featured", "duplicate_of_key", "near_duplicate_of_key", "similarity", "imported", "imported_text",
        "created", "updated",
    },
    "history": {
        "model", "object", "history_date", "history_type", "history_change_reason", "history_user", "fields",
    },
}  # fmt: skip
HISTORY_MODELS = {kind: model for kind, model, _ in exporting.HISTORY}


def read_header(path: Path) -> dict:
    """The header of ``path``, or NotABackup saying why not."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(64 * 1024)
    except OSError as exc:
        raise NotABackup(f"cannot be read ({exc.strerror or exc})") from None
    try:
        header = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NotABackup("not a Wenji backup (its first line is not a JSON header)") from None
    if not isinstance(header, dict) or header.get("format") != exporting.FORMAT or header.get("type") != "header":
        if isinstance(header, dict) and "source" in header and "position" in header:
            raise NotABackup("a backup from before format versions (no header line); export it again with this Wenji")
        raise NotABackup(f"not a Wenji backup (no {exporting.FORMAT!r} header on its first line)")
    version = header.get("version")
    if not isinstance(version, int) or version > exporting.VERSION:
        raise NotABackup(f"backup format version {version!r}; this Wenji reads up to {exporting.VERSION}")
    return header


def _records(path: Path):
    with path.open(encoding="utf-8") as handle:
        next(handle)  # the header
        for number, line in enumerate(handle, start=2):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                raise NotABackup(f"line {number} is not JSON") from None
            kind = record.get("type") if isinstance(record, dict) else None
            if kind not in REQUIRED:
                raise NotABackup(f"line {number}: unknown record type {kind!r}")
            missing = REQUIRED[kind] - set(record)
            if missing:
                raise NotABackup(f"line {number}: {kind} record lacks {', '.join(sorted(missing))}")
            yield number, kind, record


def is_empty() -> bool:
    """No essays, collections, tags or aliases. Sections do not count: a
    new database has the ones the migrations create, and the backup's
    replace them."""
    return not any(model.objects.exists() for model in (Essay, SourceFile, Tag, TagAlias))


def _when(value):
    return datetime.fromisoformat(value) if value else None


class _Cleaner:
    def __init__(self, restored: Restored):
        self.restored = restored

    def __call__(self, value):
        if isinstance(value, str) and "\x00" in value:
            self.restored.nul_stripped += 1
            return value.replace("\x00", "")
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        return value


def _bump_sequence(model, last: int) -> None:
    """Make sure the id sequence of ``model`` never hands out ``last`` or
    below again (the ids given to objects the history says were deleted)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [connection.ops.quote_name(table)])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM {sequence})))", [sequence, last])
        elif connection.vendor == "sqlite":
            cursor.execute("UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [last, table])
            if not cursor.rowcount:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
        else:  # pragma: no cover - Wenji runs on SQLite and PostgreSQL
            raise NotImplementedError(connection.vendor)


def clear_history() -> None:
    """Delete the history of sections, tags, collections and essays (a
    restore's own saves and deletions write some; the backup's replaces it)."""
    # Raw deletes: the rows refer to nothing and nothing refers to them but the tags rows, gone first.
    exporting.essay_tags_history().objects.all()._raw_delete(connection.alias)
    for _kind, model, _natural in exporting.HISTORY:
        model.history.model.objects.all()._raw_delete(connection.alias)


class _History:
    """Writes a backup's history records, in batches, under the restored
    objects' ids."""

    def __init__(self, restored: Restored, live: dict[str, dict[str, int]]):
        self.restored = restored
        self.live = live
        self.ghosts: dict[str, dict[int, int]] = {kind: {} for kind in HISTORY_MODELS}
        self.next_ghost: dict[str, int] = {}
        user = get_user_model()
        self.users = dict(user.objects.values_list(user.USERNAME_FIELD, "pk"))
        self.fields = {
            kind: {f.name: f for f in exporting.history_fields(model)} for kind, model in HISTORY_MODELS.items()
        }
        self.pending: list[tuple[models.Model, list]] = []
        self.kind: str | None = None

    def ref(self, kind: str, value):
        if value is None:
            return None
        if isinstance(value, dict) and isinstance(value.get("gone"), int):
            ghosts = self.ghosts[kind]
            if value["gone"] not in ghosts:
                if kind not in self.next_ghost:
                    top = HISTORY_MODELS[kind].objects.aggregate(top=models.Max("pk"))["top"]
                    self.next_ghost[kind] = (top or 0) + 1
                ghosts[value["gone"]] = self.next_ghost[kind]
                self.next_ghost[kind] += 1
            return ghosts[value["gone"]]
        if isinstance(value, str):
            return self.live[kind][value]  # a KeyError names what the backup lacks
        raise ValueError(f"not a reference to a {kind}: {value!r}")

    def add(self, number: int, r: dict) -> None:
        kind = r["model"]
        if kind not in HISTORY_MODELS:
            raise NotABackup(f"line {number}: history of an unknown model {kind!r}")
        if kind != self.kind:
            self.flush()
            self.kind = kind
        fields = self.fields[kind]
        given = r["fields"] if isinstance(r["fields"], dict) else {}
        missing = set(fields) - set(given)
        if missing:
            raise NotABackup(f"line {number}: history record lacks fields {', '.join(sorted(missing))}")
        unknown = set(given) - set(fields)
        if unknown:
            raise NotABackup(f"line {number}: history record has unknown fields {', '.join(sorted(unknown))}")
        if kind == "essay" and not isinstance(r.get("tags"), list):
            raise NotABackup(f"line {number}: history record lacks tags")
        if r["object"] is None:
            raise NotABackup(f"line {number}: history record names no object")
        try:
            row, tags = self._row(kind, r, given)
        except ValueError as exc:
            raise NotABackup(f"line {number}: history record: {exc}") from None
        self.pending.append((row, tags))
        if len(self.pending) >= BATCH:
            self.flush()

    def _row(self, kind: str, r: dict, given: dict):
        if r["history_type"] not in ("+", "~", "-"):
            raise ValueError(f"unknown history_type {r['history_type']!r}")
        if not isinstance(r["history_date"], str):
            raise ValueError("no history_date")
        user_id = None
        if r["history_user"] is not None:
            user_id = self.users.get(r["history_user"])
            if user_id is None:
                self.restored.users_missing += 1
        row = HISTORY_MODELS[kind].history.model(
            id=self.ref(kind, r["object"]),
            history_date=_when(r["history_date"]),
            history_type=r["history_type"],
            history_change_reason=r["history_change_reason"],
            history_user_id=user_id,
        )
        for name, f in self.fields[kind].items():
            value = given[name]
            if f.is_relation:
                setattr(row, f.attname, self.ref(exporting.FK_KINDS[f.related_model], value))
            elif isinstance(f, models.DateTimeField):
                setattr(row, f.attname, _when(value))
            else:
                setattr(row, f.attname, value)
        tags = [self.ref("tag", t) for t in r.get("tags", [])] if kind == "essay" else []
        return row, tags

    def flush(self) -> None:
        if not self.pending:
            return
        model = HISTORY_MODELS[self.kind].history.model
        created = model.objects.bulk_create([row for row, _ in self.pending])
        if self.kind == "essay":
            through = exporting.essay_tags_history()
            model_rows = []
            # ``id`` is the old through row's: nothing reads it, and it would not be this database's.
            for row, (_, tags) in zip(created, self.pending, strict=True):
                model_rows += [through(id=0, essay_id=row.id, tag_id=tag, history_id=row.history_id) for tag in tags]
            through.objects.bulk_create(model_rows, batch_size=BATCH)
        self.pending.clear()

    def finish(self) -> None:
        self.flush()
        for kind, ghosts in self.ghosts.items():
            if ghosts:
                _bump_sequence(HISTORY_MODELS[kind], max(ghosts.values()))


def restore(path: Path, replace: bool = False) -> Restored:
    read_header(path)
    restored = Restored()
    clean = _Cleaner(restored)
    from essays.search.sync import deferred

    with transaction.atomic(), deferred():
        if not is_empty():
            if not replace:
                raise NotEmpty("the database already holds essays, collections or tags")
            Essay.objects.update(duplicate_of=None, near_duplicate_of=None)
            for model in (Essay, TagAlias, Tag, SourceFile):
                model.objects.all().delete()
        Section.objects.all().delete()

        sections: dict[str, int] = {}
        tags: dict[str, int] = {}
        sources: dict[str, int] = {}
        essay_ids: dict[str, int] = {}
        links: list[tuple[str, str | None, str | None]] = []
        pending: list[tuple[Essay, list[str], str | None, str | None]] = []

        def flush_essays():
            if not pending:
                return
            created = Essay.objects.bulk_create([essay for essay, *_ in pending])
            through = []
            for essay, (_, names, created_at, updated_at) in zip(created, pending, strict=True):
                essay_ids[essay.key] = essay.pk
                essay.created, essay.updated = _when(created_at), _when(updated_at)
                through += [Essay.tags.through(essay_id=essay.pk, tag_id=tags[name]) for name in names]
            # bulk_create stamped them with now (auto_now): put back the backup's times.
            Essay.objects.bulk_update(created, ["created", "updated"])
            Essay.tags.through.objects.bulk_create(through)
            pending.clear()

        def finish_essays():
            flush_essays()
            linked = []
            for key, duplicate_of, near in links:
                if duplicate_of or near:
                    try:
                        linked.append(
                            Essay(
                                pk=essay_ids[key],
                                duplicate_of_id=essay_ids[duplicate_of] if duplicate_of else None,
                                near_duplicate_of_id=essay_ids[near] if near else None,
                            )
                        )
                    except KeyError as exc:
                        raise NotABackup(f"essay {key} links to a missing essay {exc.args[0]!r}") from None
            Essay.objects.bulk_update(linked, ["duplicate_of", "near_duplicate_of"], batch_size=BATCH)
            clear_history()

        history: _History | None = None
        for number, kind, r in _records(path):
            r = clean(r)
            restored.counts[kind] = restored.counts.get(kind, 0) + 1
            try:
                if kind == "history":
                    if history is None:  # the first one: everything it can refer to is in
                        finish_essays()
                        live = {"section": sections, "tag": tags, "collection": sources, "essay": essay_ids}
                        history = _History(restored, live)
                    history.add(number, r)
                    continue
                if history is not None:
                    raise NotABackup(f"line {number}: a {kind} record after the history records")
                if kind == "section":
                    section = Section.objects.create(
                        name=r["name"], slug=r["slug"], description=r["description"],
                        keywords=r["keywords"], order=r["order"],
                    )  # fmt: skip
                    sections[section.name] = section.pk
                elif kind == "tag":
                    tag = Tag.objects.create(name=r["name"])
                    tags[tag.name] = tag.pk
                    TagAlias.objects.bulk_create([TagAlias(name=name, tag=tag) for name in r["aliases"]])
                elif kind == "collection":
                    source = SourceFile(
                        name=r["name"], key=r["key"], title=r["title"], intro=r["intro"], author=r["author"],
                        sha256=r["sha256"], encoding=r["encoding"], size=r["size"],
                        imported_at=_when(r["imported_at"]), raw_text=r["raw_text"],
                    )  # fmt: skip
                    SourceFile.objects.bulk_create([source])
                    sources[source.name] = source.pk
                else:
                    essay = Essay(
                        source_id=sources[r["source"]], position=r["position"], key=r["key"], title=r["title"],
                        title_derived=r["title_derived"], text=r["text"], author=r["author"],
                        section_id=sections[r["section"]] if r["section"] is not None else None,
                        status=r["status"], featured=r["featured"], similarity=r["similarity"],
                        # Versions 2 and 3 kept the imported text in the snapshot.
                        imported=Essay.import_snapshot(r["imported"]) if isinstance(r["imported"], dict) else {},
                        imported_text=r["imported_text"],
                    )  # fmt: skip
                    essay.refresh_derived_fields()
                    for name in r["tags"]:
                        tags[name]  # noqa: B018 - a KeyError names a tag the backup lacks
                    pending.append((essay, r["tags"], r["created"], r["updated"]))
                    links.append((r["key"], r["duplicate_of_key"], r["near_duplicate_of_key"]))
                    if len(pending) >= BATCH:
                        flush_essays()
            except KeyError as exc:
                raise NotABackup(f"line {number}: {kind} refers to a missing {exc.args[0]!r}") from None
        if history is None:
            finish_essays()
        else:
            history.finish()
        freshness.changed()
    return restored
