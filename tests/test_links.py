"""Links never break and curated cuts survive re-imports; search, feeds,
the sitemap and cached counts follow each repair at once."""

import pytest
from django.urls import reverse

from essays import parsing, repair
from essays.importer import Importer
from essays.models import Essay
from essays.search.engine import run_search
from essays.search.sync import update_essays
from essays.search.tiers import SearchRequest
from essays.search.tokens import parse_query
from tests.conftest import FOUR

pytestmark = pytest.mark.django_db


def pks(query):
    return run_search(SearchRequest(parse_query(query), limit=1000)).pks


@pytest.fixture
def indexed_four(four):
    update_essays(four.essays.values_list("pk", flat=True))
    return four


def essays_of(source):
    return list(source.essays.order_by("position"))


def keys(source):
    return [e.key for e in essays_of(source)]


def test_search_finds_the_new_second_part_right_after_a_split(indexed_four, django_capture_on_commit_callbacks):
    summer = essays_of(indexed_four)[1]
    with django_capture_on_commit_callbacks(execute=True):
        second = repair.split(summer, 1)
    assert pks("夏夜") == [second.pk]  # its text; the tags stay on both parts


def test_search_drops_the_merged_away_essay_at_once(indexed_four, django_capture_on_commit_callbacks):
    spring, summer = essays_of(indexed_four)[:2]
    with django_capture_on_commit_callbacks(execute=True):
        repair.merge_with_next(spring)
    assert pks("荷花") == [spring.pk]
    assert summer.pk not in pks("夏天")


def whole_sitemap(client) -> str:
    """The sitemap index and every sitemap it lists, as one text."""
    import re
    from urllib.parse import urlsplit

    index = client.get(reverse("essays:sitemap")).content.decode()
    parts = [index]
    for loc in re.findall(r"<loc>([^<]+)</loc>", index):
        url = urlsplit(loc)
        parts.append(client.get(url.path + (f"?{url.query}" if url.query else "")).content.decode())
    return "\n".join(parts)


def test_feed_and_sitemap_follow_a_merge(client, four, django_capture_on_commit_callbacks):
    spring, summer = essays_of(four)[:2]
    with django_capture_on_commit_callbacks(execute=True):
        repair.merge_with_next(spring)
    feed = client.get(reverse("essays:feed")).content.decode()
    sitemap = whole_sitemap(client)
    assert summer.key not in feed and summer.key not in sitemap
    assert spring.key in feed and spring.key in sitemap


def test_feed_and_sitemap_list_the_new_part_of_a_split(client, four, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        second = repair.split(essays_of(four)[1], 1)
    assert second.key in client.get(reverse("essays:feed")).content.decode()
    assert second.key in whole_sitemap(client)


def test_collection_page_and_counts_follow_a_split(client, four, django_capture_on_commit_callbacks):
    home = reverse("essays:home")
    assert [c.count for c in client.get(home).context["collections"] if c.pk == four.pk] == [4]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        second = repair.split(essays_of(four)[1], 1)
    page = client.get(four.get_absolute_url()).content.decode()
    assert second.get_absolute_url() in page
    assert [c.count for c in client.get(home).context["collections"] if c.pk == four.pk] == [5]


def test_a_forced_reimport_keeps_a_split(four):
    second = repair.split(essays_of(four)[1], 1)
    before = keys(four)
    report = Importer(update_index=False, force=True).import_bytes("four.txt", FOUR.encode())
    assert keys(four) == before and Essay.objects.get(key=second.key).text == "第二段写夏夜的星空和蛙声。"
    assert report.code == "kept_cut" and "kept the curated cut (5 essays)" in report.line()


def test_a_changed_file_never_undoes_a_merge_and_says_what_it_kept(client, four):
    spring, summer = essays_of(four)[:2]
    repair.merge_with_next(spring)
    changed = FOUR.replace("人们围炉夜话。", "人们围炉夜话，等待春天。")
    report = Importer(update_index=False).import_bytes("four.txt", changed.encode())
    assert report.status == "updated" and report.code == "kept_cut"
    assert not Essay.objects.filter(key=summer.key).exists()
    assert client.get(reverse("essays:essay", kwargs={"key": summer.key})).status_code == 301
    four.refresh_from_db()
    assert "等待春天" in four.raw_text  # the re-cut page shows the new text, to follow it if wanted


def test_an_unchanged_file_is_still_skipped_by_hash(four):
    repair.split(essays_of(four)[1], 1)
    report = Importer(update_index=False).import_bytes("four.txt", FOUR.encode())
    assert report.status == "unchanged" and report.code == ""


def test_an_uploaded_hint_is_kept_for_later_imports(db, search_index):
    text = "一个合集\n\n第一篇正文，讲述了很多故事。\n-----\n第二篇正文，也讲述了很多故事。\n"
    Importer(update_index=False).import_bytes("hint.txt", text.encode(), hint=parsing.CutHint(mode="single"))
    changed = text + "补充的一段。\n"
    Importer(update_index=False).import_bytes("hint.txt", changed.encode())
    assert Essay.objects.filter(source__name="hint.txt", status=Essay.Status.PUBLISHED).count() == 1
