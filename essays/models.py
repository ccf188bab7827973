"""The archive's data: source files (collections), sections, tags, essays."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import math
from contextlib import contextmanager

from django.conf import settings
from django.db import connections, models
from django.db.models.base import ModelState
from django.db.models.functions import StrIndex, Upper
from django.db.models.signals import post_init, pre_init
from django.utils.translation import gettext_lazy as _
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords

from essays import dbfunctions
from essays.links import address
from essays.paging import STRIDE

KEY_LENGTH = 10


class UnicodeJSONEncoder(json.JSONEncoder):
    """JSON with Chinese text as itself: the default escapes every character
    outside ASCII as \\uXXXX, six bytes for a character UTF-8 writes in
    three. The import snapshot holds an essay's whole text, so on SQLite
    (which stores the JSON as written) it made each essay's row some 9 KB
    larger. Values read back are the same."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


# Related essays: candidates taken from each of an essay's tags.
RELATED_PER_TAG = 40


def essay_key(source_name: str, position: int) -> str:
    """The public key of an essay's link: derived from the file's name and the
    essay's place in it, so it is the same on every machine and every
    re-import, and no edit (title, text) ever changes it."""
    digest = hashlib.sha256(f"essay\n{source_name}\n{position}".encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:KEY_LENGTH]


def collection_key(source_name: str) -> str:
    digest = hashlib.sha256(f"collection\n{source_name}".encode()).digest()
    return base64.b32encode(digest).decode("ascii").lower()[:KEY_LENGTH]


# A collection whose cut the parser doubted (SourceFile.cut_doubts not empty):
# the review queue 切分待复核, with a partial index of its own (at 10,000
# collections, one of them doubted, the review page read every one's row).
CUT_REVIEW_QUEUE = ~models.Q(dbfunctions.IsEmptyJSONList(models.F("cut_doubts")))


class SourceFileQuerySet(models.QuerySet):
    def shelf(self):
        """Collections a reader can open (holding a readable essay), newest
        import first; not the raw file. ``with_counts`` adds each one's count
        to a page of them."""
        readable = Essay.objects.readable().filter(source=models.OuterRef("pk"))
        return self.filter(models.Exists(readable)).defer("raw_text").order_by("-imported_at", "name")

    def needs_cut_review(self):
        """The review queue 切分待复核: files whose cut the parser doubted
        (``cut_doubts``, reasons in ``essays.cutreview.doubt_message``),
        newest import first: from their own index, never every file's row
        (where the doubts lie past the raw text)."""
        return self.filter(CUT_REVIEW_QUEUE).defer("raw_text").order_by("-imported_at", "name")


def with_counts(objects, field: str) -> list:
    """Those of ``objects`` (tags, sections, collections) that hold a
    readable essay, each with ``count``, their readable essays; ``field``
    is the essay's field pointing at them. Counted from the essays' side,
    grouped: at 100,000 essays 190 ms for every tag, where a count per tag
    over a join took 740."""
    objects = list(objects)
    if field == "tags":
        counts = readable_tag_counts([o.pk for o in objects] if len(objects) <= 500 else None)
    else:
        essays = Essay.objects.readable()
        if len(objects) <= 500:  # a page of them: count only theirs
            essays = essays.filter(**{f"{field}__in": [o.pk for o in objects]})
        counts = essays.counts_by(field)
    kept = [o for o in objects if counts.get(o.pk)]
    for o in kept:
        o.count = counts[o.pk]
    return kept


def readable_tag_counts(tag_ids=None, unseen: models.Q | None = None) -> dict[int, int]:
    """{tag id: readable essays carrying it}, for ``tag_ids`` (a list, or a
    query of them) or every tag:
    every essay's tags counted from the tag-essay index alone, less those of
    the few essays readers do not see (or those ``unseen`` names). Joining
    each of 500,000 links to its essay to ask whether it is readable took
    900 ms at 100,000 essays."""
    through = Essay.tags.through.objects.all()
    if tag_ids is not None:
        through = through.filter(tag_id__in=tag_ids)
    counts = dict(through.values_list("tag_id").annotate(n=models.Count("pk")).order_by())
    unseen = Essay.objects.filter(~readable_q() if unseen is None else unseen).values("pk")
    for tag_id, n in through.filter(essay__in=unseen).values_list("tag_id").annotate(n=models.Count("pk")).order_by():
        counts[tag_id] -= n
    return counts


# A collection's versions, without its raw text (kept whole on the row).
SOURCE_HISTORY = HistoricalRecords(excluded_fields=["raw_text", "previous_cut"], verbose_name=_("合集历史"))


class SourceFile(models.Model):
    """One imported text file: a collection of essays."""

    name = models.CharField(_("文件名"), max_length=255, unique=True)
    key = models.CharField(_("链接键"), max_length=16, unique=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    encoding = models.CharField(_("编码"), max_length=32)
    title = models.CharField(_("合集标题"), max_length=300)
    intro = models.TextField(_("编者按"), blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    raw_text = models.TextField(_("原始文本"))
    size = models.PositiveIntegerField(_("字节数"), default=0)
    imported_at = models.DateTimeField(_("导入时间"))
    # Set once a curator split, merged or re-cut the file's essays: re-imports
    # then keep the essays as the curator left them (``curated_cut`` lists
    # them, in order, as they were when last curated).
    cut_curated = models.BooleanField(_("切分经策展"), default=False)
    curated_cut = models.JSONField(
        _("策展后的切分"), default=list, blank=True, editable=False, encoder=UnicodeJSONEncoder
    )
    # The layout hint a curator chose for this file (mode and family of a
    # parsing.CutHint); re-imports cut with it.
    cut_hint = models.JSONField(_("切分提示"), default=dict, blank=True, editable=False, encoder=UnicodeJSONEncoder)
    # The cut the last re-cut replaced (essays.repair.cut_snapshot), to undo it.
    previous_cut = models.JSONField(
        _("上一次的切分"), default=dict, blank=True, editable=False, encoder=UnicodeJSONEncoder
    )
    # Why the parser doubts its cut (essays.parsing.Doubt.as_dict() each);
    # empty when the cut is sure. Rewritten by every import of the file.
    cut_doubts = models.JSONField(_("切分疑点"), default=list, blank=True, encoder=UnicodeJSONEncoder)

    objects = SourceFileQuerySet.as_manager()
    history = SOURCE_HISTORY

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["-imported_at", "name"], name="collection_newest"),
            models.Index(fields=["-imported_at", "name"], condition=CUT_REVIEW_QUEUE, name="collection_cut_review"),
        ]
        verbose_name = _("合集")
        verbose_name_plural = _("合集")

    def __str__(self) -> str:
        return self.title or self.name

    def save(self, *args, **kwargs):
        self.give_key()
        super().save(*args, **kwargs)

    def give_key(self) -> None:
        """The collection's link key, made from its name once (a bulk insert
        calls this where save() would)."""
        if not self.key:
            self.key = collection_key(self.name)

    def get_absolute_url(self) -> str:
        return address("essays:collection", "key", self.key)

    def remember_curated_cut(self) -> None:
        """Mark the cut as the curator's and note what it is now."""
        self.cut_curated = True
        self.cut_doubts = []  # a curator has looked at the cut: off the review queue
        self.curated_cut = [
            {"key": key, "title": title, "position": position}
            for key, title, position in self.essays.order_by("position").values_list("key", "title", "position")
        ]
        self.save(update_fields=["cut_curated", "curated_cut", "cut_doubts"])


class Section(models.Model):
    """A themed section (脱贫攻坚, 抗击疫情…); keywords steer the importer."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("网址名"), max_length=50, unique=True, allow_unicode=True)
    description = models.TextField(_("简介"), blank=True)
    keywords = models.TextField(_("关键词"), blank=True, help_text=_("用空格或逗号分隔；导入时据此归类。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords(verbose_name=_("栏目历史"))

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [word for word in self.keywords.replace("，", ",").replace(",", " ").split() if word]

    def get_absolute_url(self) -> str:
        return address("essays:section", "slug", self.slug)


class TagQuerySet(models.QuerySet):
    def of_essay(self, essay) -> list:
        """The tags of ``essay`` by name, as reading pages show them (name
        and link; other fields deferred)."""
        return self.of_essays([essay.pk]).get(essay.pk, [])

    def of_essays(self, pks) -> dict[int, list]:
        """essay pk -> its tags by name, for the essays ``pks``: one plain
        statement over the (essay, tag) link table. The ORM's prefetch of
        the same took most of a search page's database time."""
        pks = list(pks)
        if not pks:
            return {}
        through = Essay.tags.through._meta.db_table
        marks = ", ".join(["%s"] * len(pks))
        sql = (
            f"SELECT l.essay_id, t.id, t.name FROM {Tag._meta.db_table} t JOIN {through} l ON l.tag_id = t.id"
            f" WHERE l.essay_id IN ({marks}) ORDER BY t.name"
        )
        found: dict[int, list] = {}
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, pks)
            for essay_id, pk, name in cursor.fetchall():
                found.setdefault(essay_id, []).append(loaded(Tag, self.db, id=pk, name=name))
        return found

    def in_use(self) -> list:
        """Tags on at least one readable essay, each with ``count``, most used
        first."""
        return sorted(with_counts(self.only("pk", "name"), "tags"), key=lambda tag: (-tag.count, tag.name))


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)

    objects = TagQuerySet.as_manager()
    history = HistoricalRecords(verbose_name=_("标签历史"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A renamed tag keeps its old address working: the old name becomes
        # an alias that redirects here.
        if self.pk:
            old_name = Tag.objects.filter(pk=self.pk).values_list("name", flat=True).first()
            if old_name and old_name != self.name:
                super().save(*args, **kwargs)
                TagAlias.objects.update_or_create(name=old_name, defaults={"tag": self})
                TagAlias.objects.filter(name=self.name).delete()
                return
        super().save(*args, **kwargs)
        TagAlias.objects.filter(name=self.name).delete()

    def merge(self, others) -> int:
        """Fold ``others`` into this tag: their essays get this tag, their
        names redirect here, and they are deleted. Returns essays moved."""
        moved = 0
        for other in others:
            if other.pk == self.pk:
                continue
            essays = list(other.essays.all())
            self.essays.add(*essays)
            moved += len(essays)
            TagAlias.objects.filter(tag=other).update(tag=self)
            name = other.name
            other.delete()
            TagAlias.objects.update_or_create(name=name, defaults={"tag": self})
            for essay in essays:  # each essay's history says its tags changed
                essay._change_reason = f"标签合并：{name} → {self.name}"[:100]
                record_history(essay, "~")
        return moved

    def get_absolute_url(self) -> str:
        return address("essays:tag", "name", self.name)


class TagAlias(models.Model):
    """A tag's former name (after a rename or merge); its URL redirects."""

    name = models.CharField(_("旧名称"), max_length=50, unique=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("标签"))

    class Meta:
        verbose_name = _("标签别名")
        verbose_name_plural = _("标签别名")

    def __str__(self) -> str:
        return f"{self.name} → {self.tag.name}"


# Collection order: collections in the order they were imported (the
# importer takes files in name order), each one's essays in their place in
# the file. By ids, not names, so every page of a list walks an index
# (essay_readable_order, essay_readable_section_order) instead of sorting
# the whole archive: at 20,000 essays a deep page of the list took 290 ms,
# now 2.
COLLECTION_ORDER = ("source_id", "position")


class EssayPage:
    """A list of essays for a Paginator, given as a query of their ids in
    order: a page is its ids (walking a listing index), then the rows a list
    shows (EssayQuerySet.list_rows, one plain statement)."""

    def __init__(self, ids, count: int | None = None, count_key=None):
        # count_key: what the count depends on, for essays.paging to keep it
        # under (the filters, not the order).
        self.ids, self.known_count, self.count_key = ids, count, count_key

    def count(self) -> int:
        if self.known_count is None:
            self.known_count = self.ids.count()
        return self.known_count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        from essays.paging import page_ids

        start, stop = index.start or 0, index.stop
        if stop is None or start < 0 or stop < 0 or index.step not in (None, 1):
            pks = list(self.ids[index])
        else:
            pks = page_ids(self.ids, start, stop)
        return Essay.objects.db_manager(self.ids.db).list_rows(pks)


# What the essay page reads of an essay (its text, the links around it); the
# rest loads if read.
READING_FIELDS = (
    "key",
    "title",
    "text",
    "author",
    "char_count",
    "fingerprint",
    "position",
    "source",
    "section",
    "status",
    "duplicate_of",
)
# What a search result or a list row shows of an essay. Loading fewer
# columns is most of what a list page saves: each one is converted (the
# dates parsed) for every row.
RESULT_FIELDS = ("key", "title", "text", "char_count", "source", "section", "status", "duplicate_of")
LIST_FIELDS = ("key", "title", "char_count", "source")


def loaded(model, db: str, **values):
    """An instance of ``model`` as the ORM loads it from a row of plain SQL:
    the given columns (by attname) set, every other field deferred (read on
    access), ``_state`` saying it came from ``db``."""
    if (pre_init.receivers or post_init.receivers) and (
        pre_init.has_listeners(model) or post_init.has_listeners(model)
    ):
        # Model.__init__ sends them: it must run.
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in values]
        return model.from_db(db, fields, [values[name] for name in fields])
    # What from_db leaves behind, without Model.__init__'s walk over every
    # field (30 µs an essay; a list page builds a hundred instances): a field
    # not in __dict__ is deferred, and loads when read.
    instance = model.__new__(model)
    state = instance._state = ModelState()
    state.adding, state.db = False, db
    attnames = _attnames(model)
    instance.__dict__.update(values if values.keys() <= attnames else {k: values[k] for k in values if k in attnames})
    return instance


@functools.cache
def _attnames(model) -> frozenset:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def readable_q(prefix: str = "") -> models.Q:
    """The one definition of what readers see: published, and not a duplicate
    of another essay. ``prefix`` reaches essays through a relation
    (``"essays__"`` from a tag, section or collection)."""
    return models.Q(**{f"{prefix}status": Essay.Status.PUBLISHED, f"{prefix}duplicate_of__isnull": True})


# Fields only the admin and the importer read: a collection's raw file and
# its cut bookkeeping (JSON, decoded on every load), the import snapshot,
# the sentence hashes.
HEAVY_FIELDS = (
    "source__raw_text",
    "source__curated_cut",
    "source__cut_hint",
    "source__previous_cut",
    "source__cut_doubts",
    "imported",
    "imported_text",
    "terms",
    "sentence_hashes",
)


def readable_count():
    """Count of readable essays, for annotating tags, sections, collections."""
    return models.Count("essays", filter=readable_q("essays__"), distinct=True)


# The importer writes one history row per essay it creates or changes
# (``record_history``), not one per save and tag change.
ESSAY_HISTORY = HistoricalRecords(
    # terms: derived from the text (essays.tagging), recomputed by retag.
    m2m_fields=["tags"],
    excluded_fields=["imported", "imported_text", "terms", "sentence_hashes"],
    # Versions are looked up by essay, date and user only: copies of the
    # essay's own indexes cost each version a page write or more.
    no_db_index=[
        "key",
        "fingerprint",
        "has_placeholders",
        "featured",
        "source",
        "section",
        "duplicate_of",
        "near_duplicate_of",
    ],
    verbose_name=_("文章历史"),
)
IMPORT_REASON = "导入"
# The reason of a version made when the vocabulary changed an essay's tags
# (manage.py retag; an import's own retag completes the import's versions).
RETAG_REASON = "自动标签"


def history_tag_ids(record) -> list[int]:
    """The tags a history row recorded that still exist (a tag merged away
    since is gone; its essays carry the tag it went into)."""
    ids = [row.tag_id for row in record.tags.all()]
    return list(Tag.objects.filter(pk__in=ids).values_list("pk", flat=True))


class OneClassHistoryDescriptor(HistoryDescriptor):
    """simple_history's ``Model.history``, with its manager class made once:
    the stock descriptor makes a new one on every access (from_queryset walks
    the queryset class with inspect, 0.3 ms), and an import reads it twice
    for every file it stores."""

    @functools.cached_property
    def _manager(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager(self.model, instance)


def make_history_managers_once(models_with_history) -> None:
    """Put OneClassHistoryDescriptor where simple_history put its own (on
    each model with history, and on history models for their m2m rows)."""
    for model in models_with_history:
        for name, value in list(vars(model).items()):
            if type(value) is HistoryDescriptor:
                setattr(model, name, OneClassHistoryDescriptor(value.model, value.manager_class, value.queryset_class))


def record_history(essay, history_type: str = "~") -> None:
    """One history row for ``essay`` as it is now (its tags included)."""
    skip = essay.__dict__.pop("skip_history_when_saving", None)
    try:
        ESSAY_HISTORY.create_historical_record(essay, history_type)
    finally:
        if skip is not None:
            essay.skip_history_when_saving = skip


def history_rows(records: HistoricalRecords, instances, history_type: str, returning: bool = False) -> list | None:
    """One history row for each of ``instances`` (all of ``records``' model)
    as they are now, in one insert of values rather than a model instance
    and a save each (``essays.bulk``): with each one's change reason, user
    and date, as ``create_historical_record`` writes them, without their
    many-to-many rows. No signals are sent for the rows (nothing here
    listens). The rows' keys when ``returning``."""
    from django.utils import timezone as tz

    from essays import bulk

    model = type(instances[0])
    fields = records.fields_included(model)
    names = [field.attname for field in fields]
    names += ["history_date", "history_type", "history_user_id", "history_change_reason"]
    now = tz.now()
    rows = []
    for instance in instances:
        user = records.get_history_user(instance)
        rows.append(
            [getattr(instance, field.attname) for field in fields]
            + [
                getattr(instance, "_history_date", now),
                history_type,
                user.pk if user is not None else None,
                records.get_change_reason_for_object(instance, history_type, None),
            ]
        )
    return bulk.insert_values(model.history.model, names, rows, returning=returning)


def record_history_many(essays, history_type: str = "+", with_tags: bool = True) -> None:
    """``record_history`` for many essays in a few statements (the rows in
    one insert, their tags read in one query), as an import writes them: one
    row per essay, with its change reason and tags (``with_tags=False``:
    the caller knows they have none)."""
    essays = [essay for essay in essays]
    if not essays:
        return
    # Values, not model instances: a history row per new essay is an
    # import's second-largest write (essays.bulk says what it saves).
    keys = history_rows(ESSAY_HISTORY, essays, history_type, returning=with_tags)
    if not with_tags:
        return
    model = Essay.history.model
    by_essay = {essay.pk: key for essay, key in zip(essays, keys, strict=True)}
    for field in model._history_m2m_fields:
        m2m_model = ESSAY_HISTORY.m2m_models[field]
        through = getattr(Essay, field.name).through
        # The link rows' own columns (ids), not the essays and tags they
        # link: those rows, the essay's text among them, are not needed.
        names = [f.attname for f in through._meta.fields]
        essay_at = names.index("essay_id")
        linked = through.objects.filter(essay_id__in=list(by_essay)).values_list(*names)
        m2m_model.objects.bulk_create(
            [m2m_model(history_id=by_essay[row[essay_at]], **dict(zip(names, row, strict=True))) for row in linked]
        )


@contextmanager
def one_history_row(essay, reason: str | None):
    """Within the block, saves and tag changes of ``essay`` write no history;
    after it, one row with ``reason``."""
    essay.skip_history_when_saving = True
    try:
        yield essay
    finally:
        del essay.skip_history_when_saving
    essay._change_reason = reason[:100] if reason else None
    record_history(essay, "~")


# From this many keys on, EssayQuerySet.among tests each row for them on
# SQLite rather than starting from them (at 100,000 essays, the admin's
# first page: 10 keys 0.0 ms as keys, 7.6 as a test; 1,000 keys 5.0 and 1.1;
# 10,000 keys 37.9 and 1.0).
AMONG_AS_A_TEST = 2_000


# Choosing how a list filtered by tags is read (EssayQuerySet.with_all_tags),
# in units of one entry of the list's order walked and tested for the tags
# (SQLite, 100,000 essays: 0.25-0.5 us): looking one essay up in a tag's
# entries of the tag-essay index costs about one; reading an essay's row and
# sorting it, some sixteen (4 us).
ROW_COST_IN_ENTRIES = 16


class EssayQuerySet(models.QuerySet):
    def among(self, pks):
        """The essays among ``pks``, however many: the keys travel as one
        parameter (a JSON array on SQLite, an array on PostgreSQL), not one
        each. 20,000 of them as ``pk__in`` took 20-50 ms to compile into each
        statement, and SQLite takes 32,766 parameters at most."""
        pks = sorted({int(pk) for pk in pks})
        if connections[self.db].vendor == "postgresql":
            keys = models.expressions.RawSQL("SELECT unnest(%s::bigint[])", [pks])
            return self.filter(pk__in=keys)
        # SQLite, the only other database Wenji runs on.
        keys = models.expressions.RawSQL("SELECT value FROM json_each(%s)", [json.dumps(pks)])
        if len(pks) < AMONG_AS_A_TEST:
            return self.filter(pk__in=keys)
        # Many keys: a test of each row (``+id``: not a key to look rows up
        # by), so that SQLite walks the rows in the list's order along an
        # index and stops at the page. Started from the keys, it read and
        # sorted every one: the admin's first page of a search finding
        # 100,000 essays, 273 -> 10 ms.
        key = models.Func(models.F("pk"), template="+%(expressions)s", output_field=models.BigIntegerField())
        return self.alias(among_key=key).filter(among_key__in=keys)

    def readable(self):
        """Listings, feeds, the sitemap and the search index all start here."""
        return self.filter(readable_q())

    def curated(self):
        """The essays with a field a curator has taken over
        (``Essay.curated_fields()``, asked of the database: the admin's
        filter read every essay, text and tags, into Python to ask each)."""
        from django.db.models.functions import Coalesce

        def held(name: str) -> models.Q:
            return models.Q(imported__has_key=name)

        def differs(current, name: str) -> models.Q:
            # A key of the snapshot holding null compares as "" (no slug or
            # key is empty), as None does in Python.
            return held(name) & ~models.Q(
                models.lookups.Exact(
                    Coalesce(current, models.Value(""), output_field=models.TextField()),
                    Coalesce(
                        dbfunctions.JSONText(models.F("imported"), name),
                        models.Value(""),
                        output_field=models.TextField(),
                    ),
                )
            )

        tags = Essay.tags.through.objects.filter(essay_id=models.OuterRef("pk"))
        tag_count = models.Subquery(
            tags.order_by().values("essay_id").annotate(n=models.Count("*")).values("n"),
            output_field=models.IntegerField(),
        )
        tags_differ = held("tags") & (
            ~models.Q(
                models.lookups.Exact(Coalesce(tag_count, 0), dbfunctions.JSONArrayLength(models.F("imported"), "tags"))
            )
            | models.Q(
                models.Exists(
                    tags.exclude(
                        models.Q(dbfunctions.JSONArrayHolds(models.OuterRef("imported"), "tags", models.F("tag__name")))
                    )
                )
            )
        )
        # The text as its digest (Essay.import_snapshot), or as it is in a
        # snapshot from before the digest.
        text_differs = differs(dbfunctions.TextDigest("text"), IMPORTED_TEXT_DIGEST) | differs(models.F("text"), "text")
        return self.exclude(imported={}).filter(
            differs(models.F("title"), "title")
            | differs(models.F("author"), "author")
            | differs(models.F("status"), "status")
            | differs(models.F("section__slug"), "section")
            | differs(models.F("duplicate_of__key"), "duplicate_of")
            | tags_differ
            | text_differs
        )

    def reachable(self):
        """Essays whose link answers: readable ones, and published duplicates
        (a shared link never breaks; the page points to the main copy)."""
        return self.filter(status=Essay.Status.PUBLISHED)

    def with_all_tags(self, names, in_use: dict | None = None, readable: int = 0, reach: int = 20):
        """Essays carrying every one of the tag names (an AND), each essay
        tested for each tag through the tag-essay index as the list's order
        is walked.

        Given ``in_use`` (the tags on readable essays by name, each with its
        ``count``: ``views.tags_by_name()``) and ``readable`` (how many
        essays are readable), the tags are asked for by id, and a list that
        would walk far along its order to reach its ``reach``-th essay (a
        page's last: a rare tag, tags seldom on the same essay) starts from
        the essays of the rarest tag that carry the others, found in the
        tag-essay index alone. At 100,000 essays, joined to the tags by
        name, a common tag's first page took 19-23 ms and three tags seldom
        together 16-18 ms; now 1.9 and 3.7-4.3 ms. A tag on no readable
        essay lists none."""
        names = list(dict.fromkeys(names))
        if not names:
            return self
        through = Essay.tags.through.objects
        if in_use is None:
            queryset = self
            for name in names:
                queryset = queryset.filter(
                    models.Exists(through.filter(essay_id=models.OuterRef("pk"), tag__name=name))
                )
            return queryset
        if not all(name in in_use for name in names):
            return self.none()
        tags = sorted((in_use[name] for name in names), key=lambda tag: (tag.count, tag.name))
        # The tags taken as independent: the share of essays carrying them
        # all, the entries walked to the page's last (from the nearest
        # remembered anchor: essays.paging), and the cost of starting from
        # the rarest tag's essays instead.
        share = math.prod(min(1.0, tag.count / max(1, readable)) for tag in tags)
        walked = min(readable, min(reach, STRIDE) / share) if share else readable
        started = tags[0].count * len(tags) + readable * share * ROW_COST_IN_ENTRIES
        if started < walked:
            links = through.filter(tag_id=tags[0].pk)
            for tag in tags[1:]:
                links = links.filter(models.Exists(through.filter(essay_id=models.OuterRef("essay_id"), tag_id=tag.pk)))
            return self.filter(pk__in=links.values("essay_id"))
        queryset = self
        for tag in tags:
            queryset = queryset.filter(models.Exists(through.filter(essay_id=models.OuterRef("pk"), tag_id=tag.pk)))
        return queryset

    def titled_with(self, parts, limit: int) -> list:
        """The first ``limit`` of these essays (key and title) whose title
        holds any of ``parts`` (case aside, as ``icontains``), in title
        order: walked along the titles' index (essay_readable_title; on
        PostgreSQL essay_pg_readable_title) until found, not read from every
        row and sorted. On PostgreSQL asked as a position in the title, not
        LIKE: it guesses a LIKE of two characters or more rare, and read and
        sorted every readable title instead (20,000 essays: 20-35 ms a
        keystroke, growing with the archive; walked, 0.6-1.4 ms). SQLite
        walks either way, and tests a LIKE faster than a position in an
        upper-cased copy (a title no essay holds, 100,000 essays: 16-23 ms
        against 40-46)."""
        on_postgresql = connections[self.db].vendor == "postgresql"
        held = models.Q()
        for part in parts:
            if on_postgresql:
                held |= models.Q(models.lookups.GreaterThan(StrIndex(Upper("title"), Upper(models.Value(part))), 0))
            else:
                held |= models.Q(title__icontains=part)
        return list(self.filter(held).only("title", "key").order_by("title", "pk")[:limit])

    def counts_by(self, field: str) -> dict:
        """How many of these essays there are per value of ``field`` (a
        foreign key, or ``tags``): {value: count}."""
        return dict(self.values_list(field).annotate(n=models.Count("pk")).order_by())

    def sorted_by(self, sort: str):
        orderings = {
            "new": ("-created", "-pk"),
            "length": ("-char_count", "pk"),
        }
        return self.order_by(*orderings.get(sort, COLLECTION_ORDER))

    def related_to(self, essay, limit: int = 5, per_tag: int = RELATED_PER_TAG, tag_ids=None) -> list:
        """Readable essays sharing tags with ``essay`` (most shared tags
        first, then those of its section, then the newest), filled up with
        the newest of its section; never the essay itself or a copy of its
        text. Bounded whatever the archive's size: the candidates are the
        ``per_tag`` newest readable essays of each of its tags, walked through
        the tag-essay index (migration 0009), then counted and ranked here.
        At 20,000 essays the old grouping of the whole section took 192 ms.
        ``tag_ids``: the essay's tags, when the caller has them already."""
        if tag_ids is None:
            tag_ids = [tag.pk for tag in essay.tags.all()]
        tag_ids = sorted(tag_ids)
        found = []
        if tag_ids:
            found = self._related_by_tags(essay, tag_ids, per_tag)
        found = [row for row in found if row[3] != essay.fingerprint]
        found.sort(key=lambda row: (-row[1], row[2] != essay.section_id or row[2] is None, -row[0]))
        pks = [row[0] for row in found[:limit]]
        if len(pks) < limit and essay.section_id:
            same_section = (
                self.readable()
                .filter(section_id=essay.section_id)
                .exclude(pk__in=[essay.pk, *pks])
                .exclude(fingerprint=essay.fingerprint)
                .order_by("-pk")
                .values_list("pk", flat=True)[: limit - len(pks)]
            )
            pks += list(same_section)
        return self.list_rows(pks)

    def list_rows(self, pks: list[int]) -> list:
        """The essays ``pks``, in that order, with what a list of essays
        shows (title, length, collection title); every other field is
        deferred and loads if read."""
        return self._in_order(pks, self._with_places(LIST_FIELDS, *self._pk_in(pks)))

    def results(self, pks: list[int]) -> list:
        """The readable essays ``pks``, in that order, with what a search
        result shows (the text for its snippet, collection, section)."""
        where, params = self._pk_in(pks)
        readable = f"{where} AND e.status = %s AND e.duplicate_of_id IS NULL"
        return self._in_order(pks, self._with_places(RESULT_FIELDS, readable, [*params, Essay.Status.PUBLISHED]))

    @staticmethod
    def _pk_in(pks) -> tuple[str, list]:
        return f"e.id IN ({', '.join(['%s'] * len(pks)) or 'NULL'})", list(pks)

    @staticmethod
    def _in_order(pks, essays) -> list:
        found = {essay.pk: essay for essay in essays}
        return [found[pk] for pk in pks if pk in found]

    def _with_places(self, fields: tuple, where: str, params: list) -> list:
        """The essays matching ``where`` (plain SQL over ``e``, the essay
        table), ``fields`` loaded and every other field deferred, each with
        its collection (key, title) and section (name, slug) set. One
        statement: on the reading pages, building the ORM's queries cost
        several times running them."""
        names = [Essay._meta.get_field(name).attname for name in fields]
        columns = ", ".join(f"e.{Essay._meta.get_field(name).column}" for name in fields)
        sql = (
            f"SELECT e.id, {columns}, s.key, s.title, c.name, c.slug FROM {Essay._meta.db_table} e"
            f" JOIN {SourceFile._meta.db_table} s ON s.id = e.source_id"
            f" LEFT JOIN {Section._meta.db_table} c ON c.id = e.section_id WHERE {where}"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        essays = []
        # Each row's collection and section put in the relation's cache, as
        # select_related does (the descriptor's checks cost more than loading).
        source_field, section_field = Essay._meta.get_field("source"), Essay._meta.get_field("section")
        for row in rows:
            essay = loaded(Essay, self.db, **dict(zip(["id", *names], row, strict=False)))
            source_key, source_title, section_name, section_slug = row[-4:]
            source = loaded(SourceFile, self.db, id=essay.source_id, key=source_key, title=source_title)
            source_field.set_cached_value(essay, source)
            if "section_id" in names:
                section = None  # known to have none: no query for it
                if essay.section_id is not None:
                    section = loaded(Section, self.db, id=essay.section_id, name=section_name, slug=section_slug)
                section_field.set_cached_value(essay, section)
            essays.append(essay)
        return essays

    def _related_by_tags(self, essay, tag_ids: list[int], per_tag: int) -> list[tuple]:
        """(pk, shared tags, section id, fingerprint) of the candidates: the
        newest readable essays of each tag, in one statement."""
        through = Essay.tags.through._meta.db_table
        table = Essay._meta.db_table
        newest = (
            f"SELECT * FROM (SELECT t.essay_id FROM {through} t JOIN {table} e ON e.id = t.essay_id"
            f" WHERE t.tag_id = %s AND e.status = %s AND e.duplicate_of_id IS NULL AND e.id <> %s"
            f" ORDER BY t.essay_id DESC LIMIT %s) AS newest_{{n}}"
        )
        union = " UNION ".join(newest.format(n=n) for n in range(len(tag_ids)))
        marks = ", ".join(["%s"] * len(tag_ids))
        sql = (
            f"SELECT e.id, COUNT(*), e.section_id, e.fingerprint FROM {through} t JOIN {table} e ON e.id = t.essay_id"
            f" WHERE t.essay_id IN ({union}) AND t.tag_id IN ({marks}) GROUP BY e.id, e.section_id, e.fingerprint"
        )
        params = [p for tag_id in tag_ids for p in (tag_id, Essay.Status.PUBLISHED, essay.pk, per_tag)] + tag_ids
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def featured(self, limit: int = 4) -> list:
        """Essays curators marked as featured; until they have, the longest
        essay of each section, so the home page never shows an empty shelf."""
        shelf = self.readable().select_related("source", "section").defer(*HEAVY_FIELDS)
        # The few featured essays first, from their own index (essay_featured):
        # filtered in the shelf's order, the database walked every collection
        # and essay to find them (500 ms at 100,000 essays).
        marked = list(self.filter(featured=True).order_by().values_list("pk", flat=True))
        chosen = list(shelf.filter(pk__in=marked)[:limit]) if marked else []
        if chosen:
            return chosen
        picks = {}
        longest_first = self.readable().filter(section__isnull=False).order_by("-char_count", "pk")
        for pk, section_id in longest_first.values_list("pk", "section_id")[:200]:
            picks.setdefault(section_id, pk)
        pks = list(picks.values())[:limit]
        found = shelf.in_bulk(pks)
        return [found[pk] for pk in pks if pk in found]

    def in_collection_order(self):
        return self.order_by(*COLLECTION_ORDER)

    def tag_page(self, tag, count: int | None = None) -> EssayPage:
        """The readable essays carrying ``tag``, newest first, for a
        paginator: the page's ids walk the tag-essay index (tag_id,
        essay_id), so any page of any tag costs the same; ``count`` (the
        cached tag counts) spares counting them."""
        links = (
            Essay.tags.through.objects.filter(tag=tag, essay__status=Essay.Status.PUBLISHED)
            .filter(essay__duplicate_of__isnull=True)
            .order_by("-essay_id")
            .values_list("essay_id", flat=True)
        )
        return EssayPage(links, count)

    def paged(self, count_key=None) -> EssayPage:
        """These essays, in their order, as pages of list rows; ``count_key``
        names what their number depends on (see essays.paging)."""
        return EssayPage(self.values_list("pk", flat=True), count_key=count_key)

    def with_related(self):
        """What the reading pages, the search index and the export show about
        each essay, in one query plus prefetches. A collection's raw file and
        the imported snapshot are left out: they are large and only the admin
        reads them."""
        return (
            self.select_related("source", "section", "duplicate_of__source", "duplicate_of__section")
            .defer(*HEAVY_FIELDS, *(f"duplicate_of__{name}" for name in HEAVY_FIELDS))
            .prefetch_related("tags", "duplicate_of__tags")
        )

    def to_read(self, key: str | None = None, pk: int | None = None):
        """The essay an essay page shows, by its key or pk, if published
        (duplicates included: their page points to the main copy), with its
        collection and section; READING_FIELDS loaded, the others
        deferred. The essay page's hottest query."""
        where, value = ("e.key = %s", key) if key is not None else ("e.id = %s", pk)
        found = self._with_places(READING_FIELDS, f"{where} AND e.status = %s", [value, Essay.Status.PUBLISHED])
        return found[0] if found else None

    def neighbours(self, essay) -> tuple:
        """The readable essays just before and after ``essay`` in its
        collection, (previous, next), each None at an end: one statement
        over the (source, position) index, whatever the collection's size."""
        table = Essay._meta.db_table
        side = (
            f"SELECT * FROM (SELECT id, key, title, position FROM {table}"
            f" WHERE source_id = %s AND status = %s AND duplicate_of_id IS NULL AND position {{op}} %s"
            f" ORDER BY position {{order}} LIMIT 1) AS {{name}}"
        )
        sql = " UNION ALL ".join(
            [side.format(op="<", order="DESC", name="before_"), side.format(op=">", order="ASC", name="after_")]
        )
        params = [essay.source_id, Essay.Status.PUBLISHED, essay.position] * 2
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = [loaded(Essay, self.db, id=pk, key=key, title=title, position=pos) for pk, key, title, pos in rows]
        previous = next((e for e in found if e.position < essay.position), None)
        following = next((e for e in found if e.position > essay.position), None)
        return previous, following

    def for_feed(self):
        """What a feed entry shows: the text, the collection, the tags."""
        return self.select_related("source").defer(*HEAVY_FIELDS).prefetch_related("tags")

    def listed(self):
        """What a list of essays shows: title, collection, length; not the
        text."""
        return self.select_related("source").defer("text", *HEAVY_FIELDS)


# The key of Essay.imported holding the digest of the text the importer
# wrote (textutil.text_digest).
IMPORTED_TEXT_DIGEST = "text_sha256"

# What puts an essay in three of the review queues (essays.admin.queues,
# REVIEW_QUEUES, the one definition); each has a partial index of its own
# (Essay.Meta.indexes), so that a queue's count reads its essays' index
# entries, not every essay's row (past the text, for the import snapshot).
PLACEHOLDERS_QUEUE = models.Q(has_placeholders=True)
NEAR_DUPLICATES_QUEUE = models.Q(near_duplicate_of__isnull=False, duplicate_of__isnull=True)
# A title the importer made from the first words, not yet retitled by hand.
DERIVED_TITLES_QUEUE = models.Q(title_derived=True) & models.Q(
    title=dbfunctions.JSONText(models.F("imported"), "title")
)


def tagged() -> models.Exists:
    """Essays carrying a tag, asked of the tag-essay index for each essay:
    the untagged queue (``~tagged()``) and the admin's tag filter. Joined to
    every link and made distinct, "has tags" took 848 ms at 100,000 essays."""
    return models.Exists(Essay.tags.through.objects.filter(essay_id=models.OuterRef("pk")))


class Essay(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        HIDDEN = "hidden", _("已隐藏")
        DRAFT = "draft", _("草稿")

    # Fields the importer writes and a curator may take over. A field whose
    # value differs from what the importer last wrote (``imported``, the text
    # as its digest: import_snapshot) belongs to the curator from then on:
    # re-imports leave it alone.
    CURATABLE_FIELDS = ("title", "text", "author", "section", "tags", "status", "duplicate_of")

    source = models.ForeignKey(SourceFile, on_delete=models.CASCADE, related_name="essays", verbose_name=_("合集"))
    position = models.PositiveIntegerField(_("序号"))
    key = models.CharField(_("链接键"), max_length=16, unique=True, editable=False)
    title = models.CharField(_("标题"), max_length=300)
    title_derived = models.BooleanField(_("标题由正文生成"), default=False)
    text = models.TextField(_("正文"), help_text=_("每行一段。"))
    author = models.CharField(_("作者"), max_length=100, blank=True)
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="essays", verbose_name=_("栏目")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="essays", verbose_name=_("标签"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PUBLISHED)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("重复于"),
    )
    near_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="near_duplicates",
        verbose_name=_("疑似重复于"),
    )
    similarity = models.FloatField(_("相似度"), null=True, blank=True)
    has_placeholders = models.BooleanField(_("含匿名占位符"), default=False, db_index=True)
    featured = models.BooleanField(_("推荐"), default=False, db_index=True, help_text=_("在首页推荐。"))
    char_count = models.PositiveIntegerField(_("字数"), default=0)
    fingerprint = models.CharField(_("正文指纹"), max_length=64, db_index=True, editable=False)
    # The text's sentence hashes (textutil.pack_hashes), for an import's check
    # for near copies: read from here, not hashed again from every text (an
    # upload into 20,000 essays spent 2.2 s doing that). Empty in rows
    # stored before they were kept; the importer fills those in.
    sentence_hashes = models.BinaryField(null=True, editable=False)
    imported = models.JSONField(_("导入值"), default=dict, editable=False, encoder=UnicodeJSONEncoder)
    imported_text = models.TextField(_("导入的正文"), editable=False, blank=True)
    # The candidate tag terms of the title and text (essays.tagging), kept so
    # that retagging the archive never segments text again.
    terms = models.JSONField(_("候选标签词"), default=dict, editable=False, blank=True, encoder=UnicodeJSONEncoder)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EssayQuerySet.as_manager()
    # Who changed what and when, tags included; the import snapshot is left
    # out (it is the importer's, and large).
    history = ESSAY_HISTORY

    class Meta:
        ordering = ["source__name", "position"]
        constraints = [models.UniqueConstraint(fields=["source", "position"], name="essay_unique_position")]
        # Every listing starts from readable_q() (status, duplicate_of); these
        # indexes then give each sort its order, and the counts per tag,
        # section and collection their answer, without reading the rows
        # (which hold the text). At 20,000 essays on SQLite, the newest ten
        # went from 81 ms to under 1, the tag counts from 360 ms to 75.
        indexes = [
            models.Index(fields=["status", "duplicate_of", "-created", "-id"], name="essay_readable_new"),
            models.Index(fields=["status", "duplicate_of", "-char_count"], name="essay_readable_length"),
            models.Index(fields=["status", "duplicate_of", "source", "position"], name="essay_readable_order"),
            # Related essays (related_to) judge each candidate by these columns
            # alone: on SQLite a row read past the text follows its overflow
            # pages, which cost two thirds of the essay page's queries.
            models.Index(
                fields=["id", "status", "duplicate_of", "section", "fingerprint"], name="essay_related_candidate"
            ),
            # The sitemap's pages and the search index's repair read every
            # readable essay's key and update time: from this index alone, not
            # from rows whose update time lies past the text (on SQLite 500
            # rows took 26-45 ms, 0.8 ms from the index).
            models.Index(fields=["status", "duplicate_of", "id", "key", "updated"], name="essay_readable_updated"),
            models.Index(
                fields=["section", "status", "duplicate_of", "source", "position"], name="essay_readable_section_order"
            ),
            models.Index(
                fields=["section", "status", "duplicate_of", "-created", "-id"], name="essay_readable_section_new"
            ),
            models.Index(fields=["source", "status", "duplicate_of"], name="essay_readable_by_source"),
            # The home page's featured essays: a handful among all.
            models.Index(fields=["id"], condition=models.Q(featured=True), name="essay_featured"),
            # Essays readers do not see (hidden, drafts, copies): the admin's
            # search reads their text, the engine answers for the others. The
            # condition is readable_q()'s negation, as the search writes it.
            models.Index(
                fields=["id"],
                condition=~models.Q(status="published", duplicate_of__isnull=True),
                name="essay_unreadable",
            ),
            # The review queues' counts (admin index and review page): at
            # 100,000 bench essays, half with placeholders and half with
            # derived titles, on SQLite: placeholders 294 -> 9 ms, near
            # duplicates 144 -> 0.4 ms, derived titles 306 -> 15 ms.
            models.Index(fields=["status"], condition=PLACEHOLDERS_QUEUE, name="essay_queue_placeholders"),
            models.Index(fields=["status"], condition=NEAR_DUPLICATES_QUEUE, name="essay_queue_near_duplicates"),
            models.Index(fields=["status"], condition=DERIVED_TITLES_QUEUE, name="essay_queue_derived_titles"),
            # The admin's search for one character reads the authors through
            # this, not the table (whose rows carry the texts: reading every
            # author at 100,000 essays took 0.1-0.2 s, and seconds cold).
            models.Index(fields=["author"], condition=~models.Q(author=""), name="essay_author"),
            # The search box's title suggestions (a part of a title, a page of
            # them in title order): walked along this until found, where the
            # table's rows carry the texts (96 ms a keystroke at 100,000 essays).
            models.Index(fields=["status", "duplicate_of", "title"], name="essay_readable_title"),
        ]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")

    def __str__(self) -> str:
        return self.title

    DERIVED_FIELDS = ("char_count", "has_placeholders", "fingerprint", "sentence_hashes")

    def save(self, *args, **kwargs):
        # Refreshed unless the caller just did, for this very text (the
        # importer does, with the hashes its pool made).
        if getattr(self, "_derived_from", None) is not self.text:
            self.refresh_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return address("essays:essay", "key", self.key)

    @property
    def reading_minutes(self) -> int:
        """About 400 characters a minute, at least one."""
        return max(1, round(self.char_count / 400))

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    def refresh_derived_fields(self, facts=None) -> None:
        """Counts, flags and hashes that follow from the text (``facts``:
        the text's textutil.TextFacts, when the caller has them)."""
        from essays import textutil

        if facts is None:
            facts = textutil.text_facts(self.text)
        self.char_count = facts.char_count
        self.has_placeholders = facts.has_placeholders
        self.fingerprint = facts.fingerprint
        self.sentence_hashes = facts.packed_hashes
        self._derived_from = self.text

    # -- curator ownership -------------------------------------------------

    def current_values(self, tag_names: list[str] | None = None) -> dict:
        if tag_names is None:
            tag_names = sorted(tag.name for tag in self.tags.all())
        return {
            "title": self.title,
            "text": self.text,
            "author": self.author,
            "section": self.section.slug if self.section_id else None,
            "tags": sorted(tag_names),
            "status": self.status,
            "duplicate_of": self.duplicate_of.key if self.duplicate_of_id else None,
        }

    def curated_fields(self, tag_names: list[str] | None = None) -> list[str]:
        """The fields a curator has taken over: they differ from what the
        importer last wrote."""
        if not self.imported:
            return []
        from essays.textutil import text_digest

        current = self.current_values(tag_names)
        written = dict(self.imported)
        if IMPORTED_TEXT_DIGEST in written:
            written["text"], current["text"] = written.pop(IMPORTED_TEXT_DIGEST), text_digest(current["text"])
        return [name for name in self.CURATABLE_FIELDS if name in written and current[name] != written[name]]

    @staticmethod
    def import_snapshot(values: dict, digest: str | None = None) -> dict:
        """What ``imported`` keeps of the values the importer wrote: all but
        the text, which it keeps as its digest (``digest``, when the caller
        has it). The text itself is ``imported_text``, stored once: the
        snapshot held it too, a third copy in every row, which every import
        encoded and every retag parsed to reach the tags beside it."""
        snapshot = dict(values)
        if "text" in snapshot:
            from essays.textutil import text_digest

            text = snapshot.pop("text")
            snapshot[IMPORTED_TEXT_DIGEST] = digest or text_digest(text)
        return snapshot


class EssayRedirect(models.Model):
    """An essay key that no longer has its own essay (merged away, or cut
    differently): its link answers 301 to the essay holding its text."""

    old_key = models.CharField(_("旧链接键"), max_length=16, unique=True)
    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="redirects", verbose_name=_("文章"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文章跳转")
        verbose_name_plural = _("文章跳转")

    def __str__(self) -> str:
        return f"{self.old_key} → {self.essay.key}"


class ContentVersion(models.Model):
    """One row: a token replaced after every committed change to what readers
    see (``essays.freshness``). Cached fragments are keyed by it."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("内容版本")
        verbose_name_plural = _("内容版本")

    def __str__(self) -> str:
        return str(self.number)


class TagVocabulary(models.Model):
    """One row: the archive's tag vocabulary as its last build left it (an
    import's retag, ``manage.py retag``), for the tags the change form
    suggests. Building it reads every essay's terms: 20,000 essays took
    over ten seconds, which a curator opening an essay must never wait for."""

    terms = models.JSONField(default=dict, encoder=UnicodeJSONEncoder)  # term -> readable essays using it
    folded = models.JSONField(default=dict, encoder=UnicodeJSONEncoder)  # a variant -> the term it was folded into
    readable_count = models.PositiveIntegerField(default=0)
    built = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("标签词表")
        verbose_name_plural = _("标签词表")

    def __str__(self) -> str:
        return f"{len(self.terms)} terms, {self.built:%Y-%m-%d %H:%M}"


class QueueReview(models.Model):
    """A curator looked at an essay in a review queue and found it fine as it
    is: it leaves that queue, with who said so and when."""

    class Queue(models.TextChoices):
        PLACEHOLDERS = "placeholders", _("含匿名占位符")
        NEAR_DUPLICATES = "near_duplicates", _("疑似重复")
        UNTAGGED = "untagged", _("没有标签")
        NO_SECTION = "no_section", _("没有栏目")
        DERIVED_TITLES = "derived_titles", _("标题由正文生成")

    essay = models.ForeignKey(Essay, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("文章"))
    queue = models.CharField(_("队列"), max_length=20, choices=Queue.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("策展人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["essay", "queue"], name="queue_review_once")]
        ordering = ["-at"]
        # The review page's latest reviews: without it SQLite read every
        # essay to find them (163 ms at 100,000 essays, with no review yet).
        indexes = [models.Index(fields=["-at"], name="queue_review_latest")]
        verbose_name = _("队列审阅")
        verbose_name_plural = _("队列审阅")

    def __str__(self) -> str:
        return f"{self.essay} · {self.get_queue_display()}"


class TagReview(models.Model):
    """A curator looked at a tag in the tags' queue and kept it as it is: a
    tag on one essay that is worth having (``other`` empty), or two tags
    with overlapping names that mean different things (``other``)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("标签"))
    other = models.ForeignKey(
        Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("另一个标签")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("策展人"),
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "other"], name="tag_review_once"),
            models.UniqueConstraint(
                fields=["tag"], condition=models.Q(other__isnull=True), name="tag_review_once_alone"
            ),
        ]
        verbose_name = _("标签审阅")
        verbose_name_plural = _("标签审阅")

    def __str__(self) -> str:
        return f"{self.tag} · {self.other}" if self.other_id else str(self.tag)
