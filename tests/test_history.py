"""History and undo: one row per change with who, when and why; the
importer's rows told apart; diffs between versions; restore; revert with a
confirmation."""

import pytest
from django.urls import reverse

from essays.importer import Importer
from essays.models import IMPORT_REASON, Essay, Tag, history_tag_ids
from tests.conftest import FOUR

pytestmark = pytest.mark.django_db


def essays_of(source):
    return list(source.essays.order_by("position"))


# -- history ----------------------------------------------------------------------------------


def test_the_importer_writes_one_history_row_per_essay_marked_as_import(four):
    for essay in essays_of(four):
        rows = list(essay.history.all())
        assert len(rows) == 1
        assert rows[0].history_change_reason == IMPORT_REASON and rows[0].history_user is None
        assert sorted(r.tag.name for r in rows[0].tags.all()) == sorted(t.name for t in essay.tags.all())


def test_a_new_collections_first_version_is_the_import_with_its_description(four):
    from essays import freshness
    from essays.models import SourceFile

    (row,) = four.history.all()
    assert (row.history_type, row.history_change_reason, row.history_user) == ("+", IMPORT_REASON, None)
    assert (row.id, row.name, row.key, row.sha256, row.title) == (
        four.pk,
        "four.txt",
        four.key,
        four.sha256,
        four.title,
    )
    assert row.imported_at == four.imported_at and row.key == SourceFile.objects.get(pk=four.pk).key
    assert not hasattr(row, "raw_text")  # the raw file stays on the collection's row only
    # A new collection is a new content version (cached pages are never stale).
    before = freshness.version()
    Importer(update_index=False).import_bytes("five.txt", FOUR.replace("春天来了", "春天到了").encode())
    assert freshness.version() != before
    assert SourceFile.objects.get(name="five.txt").history.get().history_type == "+"


def test_an_unchanged_forced_reimport_adds_no_history_rows(four):
    before = Essay.history.count()
    Importer(update_index=False, force=True).import_bytes("four.txt", FOUR.encode())
    assert Essay.history.count() == before


def test_an_edit_in_the_change_form_is_one_row_with_who_and_what(curator_client, curator, four):
    essay = essays_of(four)[0]
    url = reverse("admin:essays_essay_change", args=[essay.pk])
    form = curator_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(title="春天的田野", text=essay.text + "\n新加的一段。", tags=[t.pk for t in essay.tags.all()])
    data["new_tags"] = "节气"
    data["section"] = data.get("section") or ""
    data["duplicate_of"] = ""
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rows = list(essay.history.order_by("-history_date"))
    assert len(rows) == 2
    assert rows[0].history_user == curator and rows[0].title == "春天的田野"
    assert "节气" in {r.tag.name for r in rows[0].tags.all()}
    assert "标题" in rows[0].history_change_reason


def test_bulk_actions_and_tag_merges_are_in_the_history(curator_client, curator, four):
    first, second = essays_of(four)[:2]
    curator_client.post(reverse("admin:essays_essay_changelist"), {"action": "hide", "_selected_action": [first.pk]})
    row = first.history.latest()
    assert row.status == Essay.Status.HIDDEN and row.history_user == curator
    assert row.history_change_reason == "批量：隐藏"
    a, b = Tag.objects.create(name="甲"), Tag.objects.create(name="乙")
    second.tags.add(b)
    a.merge([b])
    assert second.history.latest().history_change_reason == "标签合并：乙 → 甲"
    assert Tag.objects.get(name="甲").pk in history_tag_ids(second.history.latest())


def test_versions_page_shows_a_marked_diff_of_two_versions(curator_client, four):
    essay = essays_of(four)[0]
    essay.text = essay.text.replace("播种", "插秧")
    essay.save()
    older, newer = essay.history.order_by("history_date")
    url = reverse("admin:essays_essay_versions", args=[essay.pk])
    page = curator_client.get(url, {"a": older.history_id, "b": newer.history_id}).content.decode()
    assert "<del>播种</del>" in page and "<ins>插秧</ins>" in page
    assert "删去 2 字，新增 2 字" in page
    assert "导入程序" in page


def test_comparing_versions_of_another_essay_is_a_clear_error(curator_client, four):
    one, two = essays_of(four)[:2]
    url = reverse("admin:essays_essay_versions", args=[one.pk])
    response = curator_client.get(url, {"a": two.history.first().history_id, "b": "x"}, follow=True)
    assert response.status_code == 200
    assert "请选择这篇文章的两个版本来比较。" in response.content.decode()


def test_restore_an_earlier_version_in_one_step(curator_client, client, four):
    essay = essays_of(four)[0]
    original = essay.text
    essay.text = "被改坏的正文。"
    essay.title = "坏标题"
    essay.save()
    first = essay.history.earliest()
    curator_client.post(reverse("admin:essays_essay_restore", args=[essay.pk, first.history_id]))
    essay.refresh_from_db()
    assert essay.text == original and essay.title == "春天"
    assert "春天来了" in client.get(essay.get_absolute_url()).content.decode()
    assert essay.history.count() == 3  # the restore is itself a version, so it can be undone


def test_revert_to_imported_text_asks_first_and_can_be_undone(curator_client, four):
    essay = essays_of(four)[0]
    imported = essay.text
    essay.text = "策展人的改写。"
    essay.save()
    url = reverse("admin:essays_essay_revert", args=[essay.pk])
    page = curator_client.get(url)
    assert page.status_code == 200 and "确认恢复" in page.content.decode()
    essay.refresh_from_db()
    assert essay.text == "策展人的改写。"  # looking changes nothing
    curator_client.post(url)
    essay.refresh_from_db()
    assert essay.text == imported
    curated = essay.history.order_by("-history_date")[1]
    curator_client.post(reverse("admin:essays_essay_restore", args=[essay.pk, curated.history_id]))
    essay.refresh_from_db()
    assert essay.text == "策展人的改写。"


def test_a_tag_rename_in_the_admin_is_in_the_tags_history(curator_client, curator, four):
    # Tags are made in bulk by the importer's tagging (no history rows).
    tag = Tag.objects.bulk_create([Tag(name="四季")])[0]
    tag = Tag.objects.get(name="四季")
    four.essays.first().tags.add(tag)
    old = tag.name
    url = reverse("admin:essays_tag_change", args=[tag.pk])
    data = {"name": "新名字", "aliases-TOTAL_FORMS": "0", "aliases-INITIAL_FORMS": "0"}
    assert curator_client.post(url, data).status_code == 302
    rows = list(tag.history.order_by("history_date"))
    # The importer creates tags in bulk (no rows); the curator's rename is one.
    assert [r.name for r in rows] == ["新名字"] and old != "新名字"
    assert rows[-1].history_user == curator


def test_a_merge_is_recorded_on_both_essays(four):
    from essays import repair

    spring = four.essays.get(position=1)
    gone = four.essays.get(position=2)
    repair.merge_with_next(spring)
    assert spring.history.latest().history_change_reason == f"合并：{gone.key} → {spring.key}"
    assert Essay.history.filter(id=gone.pk, history_type="-").get().history_change_reason.startswith("合并")


def test_history_managers_are_made_from_one_class_per_model(four):
    # simple_history's descriptor builds a new manager class on every access
    # (from_queryset walks the queryset class with inspect: 0.3 ms, twice
    # per file an import stores); Wenji's builds it once. The managers still
    # answer for the model, and for one instance only.
    from essays.models import SourceFile

    essay = essays_of(four)[0]
    assert type(Essay.history) is type(Essay.history) is type(essay.history)
    assert type(SourceFile.history) is type(four.history)
    assert type(Essay.history.model.tags) is type(Essay.history.model.tags)
    assert Essay.history.count() == Essay.objects.count()
    assert [row.id for row in essay.history.all()] == [essay.pk]
    assert essay.history.all()[0].tags.count() == essay.tags.count()
    assert four.history.count() >= 1 and {row.id for row in four.history.all()} == {four.pk}


def test_the_change_form_has_one_history_link_and_the_stock_one_leads_to_the_versions(curator_client, four):
    # Django's own history page lists admin log entries only: for an essay
    # with import, edit and restore rows it said "no history".
    essay = essays_of(four)[0]
    versions = reverse("admin:essays_essay_versions", args=[essay.pk])
    page = curator_client.get(reverse("admin:essays_essay_change", args=[essay.pk])).content.decode()
    assert page.count('class="historylink"') == 1 and f'href="{versions}" class="historylink"' in page
    assert 'class="viewsitelink"' in page
    stock = curator_client.get(reverse("admin:essays_essay_history", args=[essay.pk]))
    assert stock.status_code == 302 and stock["Location"] == versions


# -- the tags an import or a retag gives are part of the version -------------------------------


def tag_names(rows) -> list[str]:
    return sorted(row.tag.name for row in rows)


def test_an_imported_essays_version_holds_the_tags_the_import_gave_it(imported):
    """The run's tags come after its essays are stored (the retag in
    Importer.finish); the import's version shows them all the same."""
    tagged = 0
    for essay in Essay.objects.prefetch_related("tags"):
        (row,) = essay.history.all()
        assert row.history_change_reason == IMPORT_REASON
        assert tag_names(row.tags.all()) == sorted(t.name for t in essay.tags.all()), essay.key
        tagged += bool(essay.tags.all())
    assert tagged > Essay.objects.count() / 2


def test_restoring_the_import_version_keeps_the_tags_it_gave(curator_client, imported):
    essay = next(e for e in Essay.objects.order_by("pk") if e.tags.exists())
    tags = sorted(t.name for t in essay.tags.all())
    essay.text = "被改坏的正文。"
    essay.save()
    first = essay.history.earliest()
    curator_client.post(reverse("admin:essays_essay_restore", args=[essay.pk, first.history_id]))
    essay.refresh_from_db()
    assert sorted(t.name for t in essay.tags.all()) == tags
    versions = curator_client.get(reverse("admin:essays_essay_versions", args=[essay.pk])).content.decode()
    assert tags[0] in versions


def test_a_retag_that_changes_an_essays_tags_is_a_version_of_it(db, search_index, seeds_dir):
    from essays import retagging
    from essays.models import RETAG_REASON
    from tests.test_tagging import archive_grows

    archive_grows(seeds_dir)
    rows_before = {e.pk: e.history.count() for e in Essay.objects.all()}
    report = retagging.retag()
    assert report.changes
    for essay in Essay.objects.prefetch_related("tags"):
        rows = list(essay.history.order_by("history_id"))
        if essay.pk in report.changed:
            assert len(rows) == rows_before[essay.pk] + 1
            assert rows[-1].history_change_reason == RETAG_REASON and rows[-1].history_type == "~"
            assert rows[-1].text == essay.text
        else:
            assert len(rows) == rows_before[essay.pk]
        assert tag_names(rows[-1].tags.all()) == sorted(t.name for t in essay.tags.all()), essay.key


@pytest.mark.django_db
def test_the_essay_history_is_indexed_only_where_it_is_looked_up():
    # A version is looked up by essay (the versions page, retag), by date
    # (restore, export) and by who made it. Copies of the essay's own indexes
    # (key, fingerprint, section, collection…) cost every import a random
    # page write each (a sixth of a store's page writes) and answer nothing.
    from django.db import connection

    table = Essay.history.model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = {
        tuple(c["columns"]) for c in constraints.values() if (c["index"] or c["unique"]) and not c["primary_key"]
    }
    assert indexed == {("id",), ("history_date",), ("history_user_id",)}
