"""Deep pages of a list walk from a remembered anchor, not from the list's
start (essays.paging.page_ids): every page is the same as OFFSET gives,
whatever the order, ties included, and after an edit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from essays import freshness, paging
from essays.models import Essay, Section, SourceFile, essay_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db, monkeypatch):
    """Three collections of seven essays, with ties on date and length."""
    monkeypatch.setattr(paging, "STRIDE", 4)
    section = Section.objects.create(name="深", slug="deep-pages")
    moment = timezone.now()
    essays = []
    for n in range(3):
        source = SourceFile.objects.create(
            name=f"deep{n}.txt", sha256=f"{n}" * 64, encoding="utf-8", title=f"合集{n}", raw_text="", imported_at=moment
        )
        for position in range(1, 8):
            essays.append(
                Essay(
                    source=source,
                    position=position,
                    key=essay_key(source.name, position),
                    title=f"{n}-{position}",
                    text="字" * (position % 3 + 1),
                    section=section if position % 2 else None,
                )
            )
    Essay.objects.bulk_create(essays)
    # Ties: a few essays share one creation time.
    Essay.objects.filter(position__in=[2, 3, 4]).update(created=moment)
    return section


def lists(section):
    readable = Essay.objects.readable()
    return {
        "order": readable.sorted_by("order").values_list("pk", flat=True),
        "new": readable.sorted_by("new").values_list("pk", flat=True),
        "length": readable.sorted_by("length").values_list("pk", flat=True),
        "section": readable.filter(section=section).in_collection_order().values_list("pk", flat=True),
    }


def test_every_page_is_what_offset_gives(shelf):
    for name, ids in lists(shelf).items():
        total = ids.count()
        for size in (1, 3, 5):
            for start in range(total + 2):
                assert paging.page_ids(ids, start, start + size) == list(ids[start : start + size]), (name, start)


def test_a_deep_page_walks_from_its_anchor(shelf):
    ids = lists(shelf)["order"]
    paging.page_ids(ids, 9, 11)  # finds the anchor at 8
    with CaptureQueriesContext(connection) as queries:
        assert paging.page_ids(ids, 10, 12) == list(ids[10:12])
    page = [q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"]]
    assert len(page) == 2 and "OFFSET 2" in page[0]  # from position 8, not from 0


def test_anchors_are_not_used_after_an_edit(shelf):
    ids = lists(shelf)["new"]
    before = paging.page_ids(ids, 8, 12)
    hidden = list(ids[:3])
    Essay.objects.filter(pk__in=hidden).update(status=Essay.Status.HIDDEN)
    freshness._new_version()  # what the commit of the edit does
    ids = lists(shelf)["new"]
    assert paging.page_ids(ids, 8, 12) == list(ids[8:12]) != before


def test_an_order_that_is_not_unique_is_paged_with_offset(shelf):
    ids = Essay.objects.readable().order_by("-char_count").values_list("pk", flat=True)
    assert paging._order(ids) is None
    assert paging.page_ids(ids, 5, 9) == list(ids[5:9])


def test_list_pages_far_from_the_start_are_right(client, shelf, monkeypatch):
    from essays import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    for sort in ("order", "new", "length"):
        expected = list(lists(shelf)[sort])
        seen = []
        for number in range(1, len(expected) // 2 + 2):
            response = client.get(f"/essays/?sort={sort}&page={number}")
            seen += [e.pk for e in response.context["page_obj"].object_list]
        assert seen[: len(expected)] == expected
