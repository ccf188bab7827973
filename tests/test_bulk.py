"""essays.bulk writes the rows bulk_create would, on SQLite and PostgreSQL."""

import datetime
import json
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from essays import bulk, textutil
from essays.models import Essay, Section, SourceFile

pytestmark = pytest.mark.django_db


def _source(name):
    return SourceFile.objects.create(
        name=name, sha256=name * 8, encoding="utf-8", title="合集", raw_text="原文", imported_at=timezone.now()
    )


def _essay(source, position, **fields):
    text = fields.pop("text", f"第{position}篇。学习心得，体会很深。\n\n“引号”与 Latin words。")
    essay = Essay(
        source=source,
        position=position,
        key=f"{source.name}-{position}",
        title=f"标题{position}",
        text=text,
        imported_text=text,
        imported={"title": f"标题{position}", "tags": ["学习", "心得"], "section": None},
        terms={"学习": 2.5, "心得": 1.0},
        **fields,
    )
    essay.refresh_derived_fields(textutil.text_facts(text))
    return essay


def _stored(pks):
    columns = [f.attname for f in Essay._meta.concrete_fields if f.attname not in ("id", "key", "created", "updated")]
    return [row for row in Essay.objects.filter(pk__in=pks).order_by("pk").values_list(*columns)]


def test_inserted_essays_read_back_as_bulk_created_ones():
    section = Section.objects.create(name="读后感", slug="du-hou-gan")
    by_django, by_bulk = _source("a"), _source("b")
    variety = [
        {},
        {"section": section, "status": Essay.Status.HIDDEN, "similarity": 0.875, "featured": True},
        {"text": "", "title_derived": True},
    ]
    made = [_essay(by_django, n, **fields) for n, fields in enumerate(variety, start=1)]
    Essay.objects.bulk_create(made)
    ours = [_essay(by_bulk, n, **fields) for n, fields in enumerate(variety, start=1)]
    ours[1].near_duplicate_of = made[0]
    made_twin = Essay.objects.get(pk=made[1].pk)
    made_twin.near_duplicate_of = made[0]
    made_twin.save(update_fields=["near_duplicate_of"])

    bulk.insert_objects(ours)

    assert all(essay.pk and not essay._state.adding for essay in ours)
    django_rows = [row[1:] for row in _stored([e.pk for e in made])]  # all but the source
    our_rows = [row[1:] for row in _stored([e.pk for e in ours])]
    assert our_rows == django_rows
    reread = Essay.objects.get(pk=ours[0].pk)
    assert reread.imported["tags"] == ["学习", "心得"] and reread.terms == {"学习": 2.5, "心得": 1.0}
    assert textutil.unpack_hashes(reread.sentence_hashes) == textutil.sentence_hashes(reread.text)
    # auto_now and auto_now_add are stamped, as bulk_create stamps them.
    assert reread.created and reread.updated and timezone.now() - reread.updated < datetime.timedelta(minutes=1)


def test_each_essay_gets_its_own_key_across_batches():
    source = _source("c")
    essays = [_essay(source, n) for n in range(1, 121)]
    batch = connection.ops.bulk_batch_size([f for f in Essay._meta.concrete_fields if not f.primary_key], essays)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_objects(essays)
    assert len(queries) == -(-120 // batch)
    keys = dict(Essay.objects.filter(source=source).values_list("position", "pk"))
    assert [essay.pk for essay in essays] == [keys[n] for n in range(1, 121)]


def test_a_value_of_an_unusual_type_goes_through_its_field():
    """A lazy string in a text column is what the field makes of it, not
    the object itself (which no driver takes)."""
    from django.utils.functional import lazy

    source = _source("d")
    essay = _essay(source, 1)
    essay.title = lazy(lambda: "懒标题", str)()
    bulk.insert_objects([essay])
    assert Essay.objects.get(pk=essay.pk).title == "懒标题"


def test_insert_values_leaves_nothing_behind_when_a_row_is_refused():
    source = _source("e")
    first = _essay(source, 1)
    bulk.insert_objects([first])
    from django.db import IntegrityError, transaction

    again = _essay(source, 2)
    again.key = first.key  # the key is unique
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_objects([_essay(source, 3), again])
    assert list(Essay.objects.filter(source=source).values_list("position", flat=True)) == [1]


def test_the_importer_stores_new_essays_and_their_history_without_bulk_create(search_index):
    """The import's hot path goes through essays.bulk (bulk_create's
    compiler cost a fifth of the importing process), and every new essay
    has its one history row."""
    from essays.importer import Importer
    from tests.conftest import SEEDS

    history = Essay.history.model
    refuse = mock.Mock(side_effect=AssertionError("bulk_create"))
    with (
        mock.patch.object(Essay.objects, "bulk_create", refuse),
        mock.patch.object(history.objects, "bulk_create", refuse),
    ):
        report = Importer(update_index=False).import_paths([SEEDS])
    assert not report.failed, report.summary()
    created = sum(file.created for file in report.files)
    assert created and Essay.objects.count() == created
    assert history.objects.filter(history_type="+").count() == created
    assert set(history.objects.values_list("id", flat=True)) == set(Essay.objects.values_list("pk", flat=True))


def test_json_encoded_ahead_is_written_as_it_is_and_reads_back_as_the_value():
    import json

    source = _source("f")
    ours, django = _essay(source, 1), _essay(source, 2)
    encoder = Essay._meta.get_field("terms").encoder
    ours.terms = bulk.JSONText(json.dumps(django.terms, cls=encoder))
    bulk.insert_objects([ours])
    Essay.objects.bulk_create([django])
    raw = dict(Essay.objects.filter(source=source).values_list("position", "terms"))
    assert raw[1] == raw[2] == {"学习": 2.5, "心得": 1.0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT terms FROM essays_essay WHERE id IN (%s, %s) ORDER BY id", [ours.pk, django.pk])
        stored = [row[0] for row in cursor.fetchall()]
    assert stored[0] == stored[1]  # the very text bulk_create wrote


def test_imported_terms_are_the_candidate_terms_for_new_and_changed_essays(search_index, write_file):
    """The pool sends each essay's terms encoded; a new essay stores them
    as they came, a changed one (saved through the ORM) decoded: both read
    back as the terms, never as a string."""
    from essays import tagging
    from essays.importer import Importer

    first = "合集\n1、第一篇\n学习心得体会，党员干部学习。\n2、第二篇\n观后感，英雄事迹感人。\n"
    path = write_file("terms.txt", first)
    Importer(update_index=False).import_paths([path])
    changed = first.replace("英雄事迹感人", "志愿者的故事感人")
    write_file("terms.txt", changed)
    Importer(update_index=False).import_paths([path])
    for essay in Essay.objects.filter(source__name="terms.txt"):
        assert isinstance(essay.terms, dict) and essay.terms
        assert essay.terms == json.loads(json.dumps(tagging.candidate_terms(essay.title, essay.text)))


def test_a_statement_compiled_once_answers_as_the_orm_for_every_size_of_values():
    source = _source("s.txt")
    essays = [_essay(source, n) for n in range(1, 6)]
    bulk.insert_objects(essays)
    by_print = {e.fingerprint: e.pk for e in essays}
    statements = bulk.Statements()

    def build(size):
        return Essay.objects.filter(fingerprint__in=[str(n) for n in range(size)]).order_by("pk").values_list("pk")

    with CaptureQueriesContext(connection) as queries:
        for wanted in ([essays[2].fingerprint], [essays[4].fingerprint, "0" * 64, essays[0].fingerprint]):
            expected = sorted(by_print[p] for p in wanted if p in by_print)
            assert [pk for (pk,) in statements.rows("prints", build, wanted)] == expected
            assert [pk for (pk,) in statements.rows("prints", build, wanted)] == expected  # again, compiled
    assert len(queries) == 4  # the statements themselves, nothing else
    with pytest.raises(ValueError, match="takes 1 values, not 2"):
        statements.rows("one", lambda size: Essay.objects.filter(key="k").values_list("pk"), ["a", "b"])
