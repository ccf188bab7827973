"""Automatic tags over the whole archive: build the vocabulary
(``essays.tagging``) from every essay's stored terms and give each essay
its tags, never touching a tag a curator set or removed.

What the curator owns is what differs from the importer's last word
(``Essay.imported``, ``curated_fields()``): once a curator has added or
removed a tag, the essay's tags are the curator's and are left exactly as
they are. The others follow the vocabulary, and ``imported["tags"]``
records the new automatic tags.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from essays import tagging
from essays.memo import Kept
from essays.models import (
    ESSAY_HISTORY,
    IMPORT_REASON,
    RETAG_REASON,
    Essay,
    Tag,
    TagVocabulary,
    record_history_many,
)

logger = logging.getLogger(__name__)


@dataclass
class Figures:
    """What a reader browsing tags meets: tags on readable essays, how many
    of them group a single essay, and how many tags each essay has."""

    tags: int = 0
    used_once: int = 0
    essays: int = 0
    fewest: int = 0
    most: int = 0

    def line(self) -> str:
        return (
            f"{self.tags} tags on {self.essays} readable essays, {self.used_once} used once; "
            f"{self.fewest}-{self.most} tags per essay"
        )


@dataclass
class EssayChange:
    pk: int
    title: str
    added: list[str]
    removed: list[str]


@dataclass
class RetagReport:
    before: Figures
    after: Figures
    vocabulary: tagging.Vocabulary
    changes: list[EssayChange] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> set[int]:
        return {c.pk for c in self.changes}


def figures(assignment: dict[int, list[str]] | None = None, replace: bool = False) -> Figures:
    """The archive's tag figures now, or under ``assignment`` (pk → tag
    names) where it differs; with ``replace``, under ``assignment`` alone."""
    readable = Essay.objects.readable().prefetch_related("tags").only("pk")
    per_essay = {e.pk: [] if replace else [t.name for t in e.tags.all()] for e in readable}
    if assignment:
        per_essay.update({pk: names for pk, names in assignment.items() if pk in per_essay})
    uses = Counter(name for names in per_essay.values() for name in names)
    sizes = [len(names) for names in per_essay.values()] or [0]
    return Figures(
        tags=len(uses),
        used_once=sum(1 for n in uses.values() if n == 1),
        essays=len(per_essay),
        fewest=min(sizes),
        most=max(sizes),
    )


def essay_terms(essay: Essay) -> dict:
    """The essay's candidate terms, computed (and stored) when missing."""
    if not essay.terms:
        essay.terms = tagging.candidate_terms(essay.title, essay.text)
        Essay.objects.filter(pk=essay.pk).update(terms=essay.terms)
    return essay.terms


def vocabulary(beside=None) -> tagging.Vocabulary:
    """The archive's vocabulary from every essay's stored terms (texts are
    read only for essays that have none yet). The same words of all essays,
    and the same (uses, kind) pairs, are held once (each is a new object in
    each essay's decoded JSON): 100,000 essays of about 110 terms each.

    ``beside``: work this process keeps going meanwhile (an import's
    search tokens, essays.search.pooled.IndexFeed): ``beside.keep_busy()``
    now and then while the terms are read, then ``beside.until(done)``
    while the vocabulary is built in a forked process, ``done()`` saying
    when it is ready (``until`` may return earlier)."""
    docs, readable = _stored_terms(beside.keep_busy if beside is not None else None)
    if beside is None:
        return tagging.build_vocabulary(docs, readable, consume=True)
    building = _start_building(docs, readable)
    del docs, readable  # the forked process has them; this one lets them go
    return _built_beside(building, beside.until)


def _stored_terms(tick=None) -> tuple[dict[int, dict], set[int]]:
    """Every essay's terms and the readable essays; ``tick()`` between
    batches of rows."""
    words: dict = {}
    docs: dict[int, dict] = {}
    missing: list[int] = []
    # The statement the ORM makes (the archive's order, which the vocabulary's
    # sums follow), its JSON decoded here: Django's converters, value by
    # value, took a fifth of the reading.
    loads = json.JSONDecoder().decode
    sql, params = Essay.objects.values_list("pk", "terms").query.get_compiler(connection.alias).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(2000):
            if tick is not None:
                tick()
            for pk, stored in rows:
                terms = loads(stored) if isinstance(stored, str) else stored  # jsonb may come decoded
                if not terms:
                    missing.append(pk)
                    docs[pk] = {}  # filled below, in the same order
                    continue
                docs[pk] = {
                    words.setdefault(w, w): words.setdefault((uses, kind), (uses, words.setdefault(kind, kind)))
                    for w, (uses, kind) in terms.items()
                }
    for start in range(0, len(missing), 500):
        for essay in Essay.objects.filter(pk__in=missing[start : start + 500]).only("pk", "title", "text", "terms"):
            docs[essay.pk] = essay_terms(essay)
    readable = set(Essay.objects.readable().values_list("pk", flat=True))
    return docs, readable


# What the forked process builds from (set just before the fork, so the
# terms reach it without being pickled).
_BUILDING: tuple | None = None


def _build_in_child(sender) -> None:
    try:
        docs, readable = _BUILDING
        sender.send(("built", tagging.build_vocabulary(docs, readable, consume=True)))
    except BaseException as exc:  # said to the parent, which builds it itself
        sender.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def _start_building(docs, readable):
    """A forked process building the vocabulary of ``docs``: the terms reach
    it by the fork and only the vocabulary comes back (pickled: some 10 MB
    at 100,000 essays). Returns (the process, the end its answer comes from)."""
    import multiprocessing

    global _BUILDING
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    _BUILDING = (docs, readable)
    try:
        child = context.Process(target=_build_in_child, args=(sender,), name="wenji-vocabulary")
        child.start()
    finally:
        _BUILDING = None
        sender.close()
    return child, receiver


def _built_beside(building, meanwhile) -> tagging.Vocabulary:
    """The vocabulary the forked process built, this process having run
    ``meanwhile(done)`` in the meantime. Should that process fail, the
    vocabulary is built here."""
    child, receiver = building
    try:
        meanwhile(receiver.poll)
        outcome, value = receiver.recv()
    except EOFError:  # the process died (killed, out of memory)
        outcome, value = "failed", None
    finally:
        receiver.close()
        child.join()
    if outcome == "built":
        return value
    value = value or f"the process building it ended with exit code {child.exitcode}"
    logger.warning("tag vocabulary built in this process: %s", value)
    docs, readable = _stored_terms()
    return tagging.build_vocabulary(docs, readable, consume=True)


def retag(
    only=None,
    dry_run: bool = False,
    with_figures: bool = True,
    import_started=None,
    vocab=None,
    beside=None,
) -> RetagReport:
    """Recompute the automatic tags of every essay (or of the pks in
    ``only``), leaving the curator's tags alone. With ``dry_run`` nothing is
    written; the report says what would change. Without ``with_figures``
    (an import's own retag) the report's figures stay empty: counting them
    reads every readable essay's tags twice.

    An essay whose tags change gets a version with them (reason
    RETAG_REASON), so that restoring an older one is undone in one step;
    when its latest version is an import's since ``import_started`` (the
    run this retag completes), that version gets the tags instead.

    ``vocab``: a vocabulary whose ``assigned`` already holds the tags of the
    essays in ``only`` (``tags_from_remembered``); the archive's is then
    neither built nor remembered again. ``beside``: work this process keeps
    going while it reads the terms, builds the vocabulary (``vocabulary``)
    and plans the tags (``beside.keep_busy()``); told of each chunk of
    essays whose tags were just written, in the still open transaction
    (``beside.written(pks)``: an import indexes them then)."""
    built_here = vocab is None
    if built_here:
        vocab = vocabulary(beside)
    before = figures() if with_figures else Figures()
    chosen = Essay.objects.all() if only is None else Essay.objects.filter(pk__in=list(only))
    pks = list(chosen.values_list("pk", flat=True))  # in the archive's order, as reported
    changes: list[EssayChange] = []
    planned: dict[int, list[str]] = {}
    # (pk, tags wanted, automatic tags, the tags it has: name -> pk), read
    # RETAG_CHUNK essays at a time: their titles, tags and the importer's
    # last word on their tags, never the whole ``imported`` snapshot (it
    # holds the text, and was read twice per essay).
    updates: list[tuple[int, list[str], list[str], dict[str, int]]] = []
    through = Essay.tags.through.objects
    for start in range(0, len(pks), RETAG_CHUNK):
        if beside is not None:
            beside.keep_busy()
        chunk = pks[start : start + RETAG_CHUNK]
        has: dict[int, dict[str, int]] = {}
        for essay_id, tag_id, name in through.filter(essay_id__in=chunk).values_list("essay_id", "tag_id", "tag__name"):
            has.setdefault(essay_id, {})[name] = tag_id
        found = Essay.objects.filter(pk__in=chunk).values_list("pk", "title", "imported__tags")
        by_pk = {pk: (title, imported_tags) for pk, title, imported_tags in found}
        for pk in chunk:
            if pk not in by_pk:
                continue
            title, imported_tags = by_pk[pk]
            tags = has.get(pk, {})
            current = set(tags)
            if imported_tags is None or sorted(current) != sorted(imported_tags):
                continue  # made by hand, or its tags are the curator's (as in curated_fields())
            automatic = vocab.assigned.get(pk, [])
            wanted = set(automatic)
            planned[pk] = sorted(wanted)
            if wanted != current or sorted(imported_tags) != sorted(automatic):
                updates.append((pk, sorted(wanted), sorted(automatic), tags))
            if wanted != current:
                changes.append(EssayChange(pk, title, sorted(wanted - current), sorted(current - wanted)))
    after = figures(planned) if with_figures else Figures()
    report = RetagReport(before=before, after=after, vocabulary=vocab, changes=changes, dry_run=dry_run)
    if dry_run:
        return report
    if built_here:
        remember_vocabulary(vocab)
    with transaction.atomic():
        names = {name for _pk, wanted, _auto, _have in updates for name in wanted}
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        missing = [Tag(name=n) for n in sorted(names - set(existing))]
        if missing:
            Tag.objects.bulk_create(missing, ignore_conflicts=True)
            existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
        now = timezone.now()
        through = Essay.tags.through
        retagged = set()
        for start in range(0, len(updates), RETAG_CHUNK):
            chunk = updates[start : start + RETAG_CHUNK]
            added = []
            stamped = []
            for pk, wanted, automatic, have in chunk:
                gone = [tag_pk for name, tag_pk in have.items() if name not in wanted]
                if gone:
                    through.objects.filter(essay_id=pk, tag_id__in=gone).delete()
                added += [(pk, existing[n].pk) for n in wanted if n not in have]
                if gone or set(wanted) != set(have):
                    retagged.add(pk)
                # The automatic tags are the importer's word from now on.
                stamped.append((pk, automatic))
            _stamp(stamped, now)
            # A whole import's new tags in a few statements, not one per
            # essay; bulk writes send no signals, so the search index and the
            # content version are told below.
            _add_tag_rows(added)
            if beside is not None:
                beside.written([pk for pk, *_rest in chunk])
        record_tag_versions(retagged, import_started)
        if retagged:
            from essays import freshness
            from essays.search import sync

            sync.queue(retagged)
            freshness.changed()
    return report


# Essays read, and written, at a time by retag.
RETAG_CHUNK = 2000


def record_tag_versions(pks, import_started=None) -> None:
    """The history of essays whose automatic tags just changed (retag). An
    import's version written since ``import_started`` is the version the
    run made; its tags are replaced by the essay's, in the database (an
    import of 100,000 essays: half a million tag rows, never read into
    Python). Any other essay gets a new version with its tags."""
    pks = sorted(pks)
    history = Essay.history.model
    tag_rows = ESSAY_HISTORY.m2m_models[history._history_m2m_fields[0]]
    quote = connection.ops.quote_name
    through = Essay.tags.through._meta
    essay_column, tag_column = (through.get_field(name).column for name in ("essay", "tag"))
    row_column = quote(tag_rows._meta.get_field("history").column)
    copy = (
        f"INSERT INTO {quote(tag_rows._meta.db_table)} "
        f"({quote(tag_rows._meta.get_field('id').column)}, {quote(essay_column)}, {quote(tag_column)}, {row_column}) "
        f"SELECT t.{quote(through.pk.column)}, t.{quote(essay_column)}, t.{quote(tag_column)}, h.{quote('history_id')} "
        f"FROM {quote(through.db_table)} t JOIN {quote(history._meta.db_table)} h ON h.{quote('id')} = t.{quote(essay_column)} "
        f"WHERE h.{quote('history_id')} IN "
    )
    for start in range(0, len(pks), RETAG_CHUNK):
        chunk = pks[start : start + RETAG_CHUNK]
        latest = history.objects.filter(id__in=chunk).values("id").annotate(latest=Max("history_id")).values("latest")
        amend, fresh = [], set(chunk)
        if import_started is not None:
            for row_id, essay_id in history.objects.filter(
                history_id__in=latest, history_change_reason=IMPORT_REASON, history_date__gte=import_started
            ).values_list("history_id", "id"):
                amend.append(row_id)
                fresh.discard(essay_id)
        if amend:
            tag_rows.objects.filter(history_id__in=amend).delete()
            with connection.cursor() as cursor:
                cursor.execute(copy + f"({', '.join(['%s'] * len(amend))})", amend)
        if fresh:
            essays = list(Essay.objects.filter(pk__in=fresh).defer("imported", "imported_text", "terms"))
            for essay in essays:
                essay._change_reason = RETAG_REASON
            record_history_many(essays, "~")


def _stamp(essays: list[tuple[int, list[str]]], now) -> None:
    """Write each essay's automatic tags into its ``imported`` snapshot, and
    its ``updated``: one statement run for all of them (executemany), not
    one per essay, nor Django's bulk_update (whose CASE per row costs more
    to build than the rows to write). The database sets the one key: the
    snapshot (text included) never travels to Python and back."""
    if not essays:
        return
    quote = connection.ops.quote_name
    imported = quote(Essay._meta.get_field("imported").column)
    updated = Essay._meta.get_field("updated")
    if connection.vendor == "postgresql":
        set_tags = f"jsonb_set({imported}, '{{tags}}', %s::jsonb)"
    else:  # SQLite, the only other database Wenji runs on
        set_tags = f"json_set({imported}, '$.tags', json(%s))"
    sql = (
        f"UPDATE {quote(Essay._meta.db_table)} SET {imported} = {set_tags}, "
        f"{quote(updated.column)} = %s WHERE {quote('id')} = %s"
    )
    stamp = updated.get_db_prep_save(now, connection)
    rows = [(json.dumps(tags, ensure_ascii=False), stamp, pk) for pk, tags in essays]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


def _add_tag_rows(pairs: list[tuple[int, int]]) -> None:
    """Give essays tags: (essay pk, tag pk) pairs, one statement run for all
    of them (executemany), a pair already there left as it is. A model
    instance per pair for bulk_create cost more than the rows' writing (an
    import of 100,000 essays gives half a million)."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    through = Essay.tags.through._meta
    columns = ", ".join(quote(through.get_field(name).column) for name in ("essay", "tag"))
    table = quote(through.db_table)
    if connection.vendor == "postgresql":
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s) ON CONFLICT DO NOTHING"
    else:  # SQLite, the only other database Wenji runs on
        sql = f"INSERT OR IGNORE INTO {table} ({columns}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 5000):
            cursor.executemany(sql, pairs[start : start + 5000])


def remember_vocabulary(vocab: tagging.Vocabulary) -> None:
    """Keep what the change form's suggestions need of a vocabulary just
    built (its terms, foldings and readable count; not each essay's tags)."""
    values = {"terms": vocab.terms, "folded": vocab.folded, "readable_count": vocab.readable_count}
    # One statement, two the first time (update_or_create took five).
    if not TagVocabulary.objects.filter(pk=1).update(**values, built=timezone.now()):
        TagVocabulary.objects.create(pk=1, **values)


# An import adding at most this share of the archive's essays tags them
# from the remembered vocabulary instead of building it again from every
# essay's terms (an upload of one file into 20,000 essays took 10 s, most of
# it that build; at 100,000 it would outlast a web server's timeout).
INCREMENTAL_SHARE = 0.05


def tags_from_remembered(pks) -> tagging.Vocabulary | None:
    """The remembered vocabulary with each of ``pks``'s tags chosen from it
    (``tagging.choose_tags``: the vocabulary terms the essay is most about),
    reading only those essays' terms; None when there is none remembered or
    ``pks`` are more than INCREMENTAL_SHARE of the archive, whose
    vocabulary they could then change."""
    pks = list(pks)
    if not TagVocabulary.objects.exists():
        return None
    if len(pks) > INCREMENTAL_SHARE * Essay.objects.count():
        return None
    remembered = cached_vocabulary()
    vocab = tagging.Vocabulary(
        terms=dict(remembered.terms), folded=dict(remembered.folded), readable_count=remembered.readable_count
    )
    for start in range(0, len(pks), RETAG_CHUNK):
        for essay in Essay.objects.filter(pk__in=pks[start : start + RETAG_CHUNK]).only("pk", "title", "text", "terms"):
            vocab.assigned[essay.pk] = tagging.choose_tags(essay_terms(essay), vocab, vocab.readable_count)
    return vocab


# This process's copy of the remembered vocabulary, keyed by its build time
# (thread-safe: web workers may run threads).
_remembered = Kept(1)


def cached_vocabulary() -> tagging.Vocabulary:
    """The vocabulary for suggestions on the change form: the one the last
    import or retag built and remembered (one small query to see which),
    built and remembered here only when there is none yet."""
    built = TagVocabulary.objects.filter(pk=1).values_list("built", flat=True).first()
    if built is None:
        vocab = vocabulary()
        remember_vocabulary(vocab)
        built = TagVocabulary.objects.values_list("built", flat=True).get(pk=1)
    found = _remembered.get(built)
    if found is None:
        row = TagVocabulary.objects.get(pk=1)
        found = tagging.Vocabulary(terms=row.terms, folded=row.folded, readable_count=row.readable_count)
        _remembered.put(built, found)
    return found


def suggestions(essay: Essay, limit: int = 8) -> list[str]:
    have = {t.name for t in essay.tags.all()}
    return tagging.suggest(essay_terms(essay), cached_vocabulary(), have, limit=limit)
