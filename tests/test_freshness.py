"""Cached fragments (tag counts, the home page's shelves) are keyed by the
content version, which changes after every committed change: a page never
shows counts from before the last commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essays import freshness
from essays.models import Essay, Tag

pytestmark = pytest.mark.django_db


def tag_counts(client):
    return {tag.name: tag.count for tag in client.get("/tags/").context["tags"]}


def test_a_commit_changes_the_version_once(imported, django_capture_on_commit_callbacks):
    before = freshness.version()
    essay = Essay.objects.readable().first()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        essay.title = "新标题"
        essay.save()
        essay.tags.add(Tag.objects.create(name="新标签"))
    assert sum(1 for c in callbacks if c is freshness._bump) == 1
    after = freshness.version()
    assert after != before
    with django_capture_on_commit_callbacks(execute=True):
        Tag.objects.filter(name="新标签").get().delete()
    assert freshness.version() not in (before, after)


def test_nothing_changes_until_the_commit(imported, django_capture_on_commit_callbacks):
    before = freshness.version()
    with django_capture_on_commit_callbacks(execute=False):
        Essay.objects.readable().first().save()
    assert freshness.version() == before


def test_an_imported_file_changes_the_version_in_its_own_transaction(
    search_index, tmp_path, django_capture_on_commit_callbacks
):
    """Each file of an import writes the new version as the last write of
    its transaction (no transaction of its own after the commit); a file
    that fails leaves it as it was."""
    from essays.importer import Importer

    (tmp_path / "a.txt").write_text(
        "合集\n1、第一篇\n学习心得体会很深。\n2、第二篇\n观后感写得很好。\n", encoding="utf-8"
    )
    before = freshness.version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = Importer(update_index=False, workers=0).import_paths([tmp_path / "a.txt"])
    assert not report.failed, report.summary()
    assert not [c for c in callbacks if c is freshness._bump]
    stored = freshness.version()
    assert stored != before

    (tmp_path / "a.txt").write_text("合集\n1、第一篇\n学习心得体会更深。\n", encoding="utf-8")
    from unittest import mock

    with mock.patch("essays.importer.Importer._store", side_effect=RuntimeError("disk full")):
        report = Importer(update_index=False, workers=0).import_paths([tmp_path / "a.txt"])
    assert report.failed
    assert freshness.version() == stored


def test_changes_outside_an_import_still_wait_for_the_commit(imported, django_capture_on_commit_callbacks):
    """written_with_transaction() is the importer's alone: an edit made
    after it, in the same thread, changes the version after its commit."""
    from django.db import transaction

    with transaction.atomic(), freshness.written_with_transaction():
        Essay.objects.readable().first().save()
    before = freshness.version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Essay.objects.readable().first().save()
    assert freshness.version() == before
    assert [c for c in callbacks if c is freshness._bump]


def test_tag_counts_are_cached_and_follow_a_hidden_essay(client, imported, django_capture_on_commit_callbacks):
    tag = Tag.objects.in_use()[0]
    counts = tag_counts(client)
    assert counts[tag.name] == tag.count
    with CaptureQueriesContext(connection) as queries:
        assert tag_counts(client) == counts
    assert len(queries) == 1  # the version; the counts come from the cache
    essay = Essay.objects.readable().filter(tags=tag).first()
    with django_capture_on_commit_callbacks(execute=True):
        essay.status = Essay.Status.HIDDEN
        essay.save()
    assert tag_counts(client).get(tag.name, 0) == tag.count - 1


def test_home_shelves_follow_a_renamed_tag_and_a_featured_essay(client, imported, django_capture_on_commit_callbacks):
    client.get("/")
    tag = Tag.objects.in_use()[0]
    essay = Essay.objects.readable().order_by("char_count").first()
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "改过的标签名"
        tag.save()
        essay.featured = True
        essay.save()
    html = client.get("/").content.decode()
    assert "改过的标签名" in html
    assert [e.pk for e in client.get("/").context["featured"]] == [essay.pk]


def test_the_cloud_of_every_tag_is_rendered_once_per_version(client, imported, django_capture_on_commit_callbacks):
    cloud = "essays/includes/tag_cloud.html"
    first = client.get("/tags/")
    assert cloud in [t.name for t in first.templates]
    second = client.get("/tags/")
    assert cloud not in [t.name for t in second.templates]
    assert second.content == first.content
    tag = Tag.objects.in_use()[0]
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "云中的新名字"
        tag.save()
    assert "云中的新名字" in client.get("/tags/").content.decode()
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get("/tags/").content.decode()
    assert "，文章数：" not in client.get("/tags/").content.decode()


def test_the_essay_pages_neighbours_and_related_essays_follow_a_hide(
    client, imported, django_capture_on_commit_callbacks
):
    main = Essay.objects.readable().filter(position=2).first()
    url = main.get_absolute_url()
    response = client.get(url)
    related, following = response.context["related"], response.context["next"]
    assert related and following
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert not any("UNION" in q["sql"] for q in queries)  # cached for this content version
    with django_capture_on_commit_callbacks(execute=True):
        for essay in [related[0], following]:
            essay.status = Essay.Status.HIDDEN
            essay.save()
    html = client.get(url).content.decode()
    assert related[0].get_absolute_url() not in html and following.get_absolute_url() not in html
