"""Data migrations, run forwards and back on rows written as the schema
before them had them."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_DIGEST = ("essays", "0020_sentence_hashes")
DIGEST = ("essays", "0021_imported_text_digest")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_the_import_snapshot_keeps_the_texts_digest_and_gets_the_text_back_when_undone():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes("essays")
    try:
        apps = migrate(BEFORE_DIGEST)
        source = apps.get_model("essays", "SourceFile").objects.create(
            name="a.txt",
            key="k1",
            sha256="0" * 64,
            encoding="utf-8",
            title="合集",
            raw_text="…",
            imported_at=timezone.now(),
        )
        Essay = apps.get_model("essays", "Essay")
        untouched, curated, made_by_hand = (
            Essay.objects.create(source=source, position=n, key=f"e{n}", title=f"第{n}篇", text=text, **fields)
            for n, text, fields in (
                (1, "原文，一字未改。", {"imported": {"title": "第1篇", "text": "原文，一字未改。", "tags": ["抗疫"]}}),
                (2, "策展人改过的正文。", {"imported": {"title": "第2篇", "text": "导入的正文。", "tags": []}}),
                (3, "手写的一篇。", {"imported": {}}),
            )
        )
        for essay in (untouched, curated):
            essay.imported_text = essay.imported["text"]
            essay.save()

        migrate(DIGEST)
        from essays.models import Essay as Current

        rows = {e.key: e for e in Current.objects.all()}
        assert rows["e1"].imported == {"title": "第1篇", "text_sha256": sha("原文，一字未改。"), "tags": ["抗疫"]}
        assert rows["e2"].imported == {"title": "第2篇", "text_sha256": sha("导入的正文。"), "tags": []}
        assert rows["e3"].imported == {}
        assert [rows[key].curated_fields(tag_names=tags) for key, tags in (("e1", ["抗疫"]), ("e2", []))] == [
            [],
            ["text"],
        ]

        apps = migrate(BEFORE_DIGEST)
        back = {e.key: e.imported for e in apps.get_model("essays", "Essay").objects.all()}
        assert back == {
            "e1": {"title": "第1篇", "text": "原文，一字未改。", "tags": ["抗疫"]},
            "e2": {"title": "第2篇", "text": "导入的正文。", "tags": []},
            "e3": {},
        }
    finally:
        MigrationExecutor(connection).migrate(leaves)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner statistics")
def test_an_index_a_migration_adds_gets_the_planners_statistics_at_once(imported):
    """An archive analyzed before (every import does) and a migration adding
    an index: without statistics of its own, SQLite's planner took the new
    index of readable titles for a small one and walked it for every list
    filtered by a tag (2.3 -> 70 ms at 100,000 essays)."""
    from django.core.management import call_command

    from essays.planner import refresh_planner_statistics

    refresh_planner_statistics()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx IN ('essay_readable_title', 'essay_author')")
        cursor.execute("CREATE INDEX test_new_index ON essays_essay (char_count, title)")
    call_command("migrate", verbosity=0, interactive=False)  # nothing to apply: its post_migrate still runs
    with connection.cursor() as cursor:
        cursor.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'essays_essay'")
        analyzed = {idx for (idx,) in cursor.fetchall()}
    assert {"essay_readable_title", "essay_author", "test_new_index"} <= analyzed
