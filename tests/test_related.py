"""Related essays: relevant (most shared tags first, then the same section),
bounded whatever the archive's size, and right after edits, merges and hides."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from essays.models import Essay, Section, SourceFile, Tag, essay_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def make():
    source = SourceFile.objects.create(
        name="related.txt", sha256="0" * 64, encoding="utf-8", title="合集", raw_text="", imported_at=timezone.now()
    )
    positions = iter(range(1, 1000))

    def essay(tags=(), section=None, text=None, **fields):
        position = next(positions)
        made = Essay.objects.create(
            source=source,
            position=position,
            key=essay_key(source.name, position),
            title=f"文章{position}",
            text=text or f"第{position}篇的正文。",
            section=section,
            **fields,
        )
        made.tags.set([Tag.objects.get_or_create(name=name)[0] for name in tags])
        return made

    return essay


@pytest.fixture
def sections():
    return list(Section.objects.order_by("pk")[:2])


def related(essay, **kwargs):
    essay = Essay.objects.prefetch_related("tags").get(pk=essay.pk)
    return Essay.objects.related_to(essay, **kwargs)


def test_most_shared_tags_first_then_the_same_section(make, sections):
    here, there = sections
    main = make(["甲", "乙", "丙"], here)
    one_tag_elsewhere = make(["甲"], there)
    one_tag_here = make(["乙"], here)
    two_tags = make(["甲", "乙"], there)
    three_tags = make(["甲", "乙", "丙"], there)
    make(["丁"], there)  # nothing in common
    assert related(main) == [three_tags, two_tags, one_tag_here, one_tag_elsewhere]


def test_filled_up_with_the_newest_of_the_section(make, sections):
    here, there = sections
    main = make(["甲"], here)
    older, newer = make(["丁"], here), make([], here)
    make(["丁"], there)
    shared = make(["甲"], there)
    assert related(main) == [shared, newer, older]
    assert related(make([], here), limit=2) == [newer, older]


def test_never_the_essay_itself_nor_a_copy_of_its_text(make, sections):
    here, _ = sections
    main = make(["甲"], here, text="同一段正文。")
    make(["甲"], here, text="同 一段正文。")  # the same text, whitespace aside: the same fingerprint
    other = make(["甲"], here)
    assert related(main) == [other]


def test_unreadable_essays_never_appear(make, sections):
    here, _ = sections
    main = make(["甲"], here)
    hidden = make(["甲"], here, status=Essay.Status.HIDDEN)
    draft = make([], here, status=Essay.Status.DRAFT)
    copy = make(["甲"], here, duplicate_of=main)
    shown = related(main)
    assert hidden not in shown and draft not in shown and copy not in shown


def test_candidates_are_the_newest_of_each_tag(make, sections):
    """Bounded: only the ``per_tag`` newest essays of each tag are read."""
    main = make(["甲"])
    oldest = make(["甲"])
    newer = [make(["甲"]) for _ in range(3)]
    assert related(main, per_tag=3) == newer[::-1]
    assert related(main, per_tag=4) == [*newer[::-1], oldest]


def test_right_after_edits_hides_and_merges(make, sections):
    here, there = sections
    main = make(["甲"], here)
    a = make(["甲"], there)
    b = make(["乙"], there)
    assert related(main) == [a]
    b.tags.add(Tag.objects.get(name="甲"))
    assert related(main) == [b, a]
    b.status = Essay.Status.HIDDEN
    b.save()
    assert related(main) == [a]
    c = make(["丙"], there)
    Tag.objects.get(name="甲").merge([Tag.objects.get(name="丙")])
    assert related(main) == [c, a]
    main.tags.add(Tag.objects.get(name="乙"))
    b.status = Essay.Status.PUBLISHED
    b.save()
    assert related(main) == [b, c, a]


def test_the_tag_walk_uses_the_tag_essay_index(make, sections):
    main = make(["甲", "乙"])
    make(["甲"])
    with CaptureQueriesContext(connection) as queries:
        related(main)
    walk = next(q["sql"] for q in queries if "LIMIT" in q["sql"] and "essays_essay_tags" in q["sql"])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + walk)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        else:
            # A few rows: make every other way dear, as it is at size.
            for way in ("seqscan", "sort", "bitmapscan"):
                cursor.execute(f"SET LOCAL enable_{way} = off")
            cursor.execute("EXPLAIN " + walk)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert "essays_essay_tags_tag_essay" in plan


def test_two_queries_and_one_more_to_fill_from_the_section(make, sections):
    here, _ = sections
    main = make(["甲", "乙"], here)
    make(["甲"], here)
    essay = Essay.objects.prefetch_related("tags").get(pk=main.pk)
    with CaptureQueriesContext(connection) as queries:
        Essay.objects.related_to(essay)
    assert len(queries) == 3
