"""Pages whose cost does not grow with the archive: each page of a listing
is read through an index in its order, never by sorting every essay. Checked
on the statements and, on SQLite (what `make bench` measures), on their
query plans; speed itself is for `make bench`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essays.models import Tag

pytestmark = pytest.mark.django_db


def sqlite_plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return " ".join(str(row[-1]) for row in cursor.fetchall())


def page_statement(queries, table: str) -> str:
    statements = [q["sql"] for q in queries if "LIMIT" in q["sql"] and f'FROM "{table}"' in q["sql"]]
    assert statements, [q["sql"] for q in queries]
    return statements[-1]


@pytest.mark.parametrize("url", ["/essays/?page=2", "/essays/?page=2&sort=order", "/sections/kangyi/?page=2"])
def test_collection_order_pages_walk_an_index_in_their_order(client, imported, url, monkeypatch):
    from essays import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 3)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    sql = page_statement(queries, "essays_essay")
    # The order is the essays' own columns (no collection name to join and sort by).
    assert 'ORDER BY "essays_essay"."source_id" ASC, "essays_essay"."position" ASC LIMIT' in sql
    if connection.vendor == "sqlite":
        plan = sqlite_plan(sql)
        assert "TEMP B-TREE" not in plan, plan


def test_a_tag_page_walks_the_tag_essay_index(client, imported, monkeypatch):
    from essays import views

    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 3)
    tag = Tag.objects.in_use()[0]
    client.get("/tags/")  # the tag counts, cached for this content version
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{tag.get_absolute_url()}?page=2")
    sql = page_statement(queries, "essays_essay_tags")
    assert sql.startswith('SELECT "essays_essay_tags"."essay_id"') and "ORDER BY 1 DESC LIMIT 3 OFFSET 3" in sql
    assert not any("COUNT(" in q["sql"] for q in queries)  # the count is the cached tag count
    if connection.vendor == "sqlite":
        plan = sqlite_plan(sql)
        assert "TEMP B-TREE" not in plan and "essays_essay_tags_tag_essay" in plan, plan
    assert response.context["paginator"].count == tag.count
    shown = [e.pk for e in response.context["essays"]]
    assert shown == list(tag.essays.readable().order_by("-pk").values_list("pk", flat=True)[3:6])


def test_a_section_feed_walks_an_index_newest_first(client, imported):
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/sections/kangyi/feed/").status_code == 200
    sql = page_statement(queries, "essays_essay")
    assert 'ORDER BY "essays_essay"."created" DESC, "essays_essay"."id" DESC LIMIT' in sql
    if connection.vendor == "sqlite":
        plan = sqlite_plan(sql)
        assert "TEMP B-TREE" not in plan and "essay_readable_section_new" in plan, plan


def test_the_sitemap_is_an_index_of_files_of_bounded_size(client, imported, monkeypatch):
    import xml.etree.ElementTree as ET

    from essays import sitemaps

    monkeypatch.setattr(sitemaps.EssaySitemap, "limit", 10)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(client.get("/sitemap.xml").content)
    files = [loc.text.removeprefix("http://testserver") for loc in index.findall("s:sitemap/s:loc", ns)]
    essay_files = [f for f in files if f.startswith("/sitemap-essays.xml")]
    assert len(essay_files) == 4  # 32 readable seed essays, 10 a file
    for url in essay_files:
        assert len(ET.fromstring(client.get(url).content).findall("s:url", ns)) <= 10


def test_search_box_suggestions_walk_the_titles_index_and_count_tags_from_theirs(client, imported):
    """A keystroke's suggestions: titles walked in their order along the
    readable essays' titles (the table's rows carry the texts: 96 ms at
    100,000 essays) and the tags counted from the tag-essay index, not
    joined to every essay of a popular tag. Hidden essays count for no tag."""
    from essays.models import Essay, readable_tag_counts

    tag = Tag.objects.get(name="逆行者")
    essays = list(Essay.objects.readable().filter(tags=tag))
    Essay.objects.filter(pk=essays[0].pk).update(status=Essay.Status.HIDDEN)
    with CaptureQueriesContext(connection) as queries:
        data = client.get("/search/suggest/", {"q": "逆行"}).json()
    offered = {s["label"]: s.get("count") for s in data["suggestions"] if s["kind"] == "tag"}
    assert offered["逆行者"] == len(essays) - 1 == readable_tag_counts([tag.pk])[tag.pk]
    tags = [s["label"] for s in data["suggestions"] if s["kind"] == "tag"]
    expected = sorted(
        (t for t in Tag.objects.filter(name__contains="逆行") if readable_tag_counts([t.pk]).get(t.pk)),
        key=lambda t: (-readable_tag_counts([t.pk])[t.pk], t.name),
    )
    assert tags == [t.name for t in expected][:4]
    titles = [s["label"] for s in data["suggestions"] if s["kind"] == "title"]
    assert titles == sorted(e.title for e in Essay.objects.readable().filter(title__contains="逆行"))[:6]
    statements = [q["sql"] for q in queries]
    assert not [sql for sql in statements if 'FROM "essays_tag"' in sql and 'JOIN "essays_essay" ' in sql]
    if connection.vendor == "sqlite":
        titles_sql = next(sql for sql in statements if '"essays_essay"."title" LIKE' in sql)
        plan = sqlite_plan(titles_sql)
        assert "essay_readable_title" in plan and "TEMP B-TREE" not in plan, plan
    else:  # PostgreSQL walks no (status, duplicate_of, ...) index for "IS NULL": a partial one of its own
        # and a position in the title, which it does not guess rare as it does a LIKE
        assert [sql for sql in statements if 'STRPOS(UPPER("essays_essay"."title")' in sql]
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'essay_pg_readable_title'")
            (definition,) = cursor.fetchone()
        assert "(title, id)" in definition and "duplicate_of_id IS NULL" in definition, definition


def tag_filtered_list(client, names, sort="order", page=1):
    from urllib.parse import urlencode

    params = [("tag", name) for name in names] + [("sort", sort), ("page", page)]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/essays/?" + urlencode(params))
    assert response.status_code == 200
    return [essay.pk for essay in response.context["essays"]], [q["sql"] for q in queries]


def test_a_list_filtered_by_tags_seldom_together_starts_from_the_rarest_tags_essays(client, imported, monkeypatch):
    """A tag on a few essays, or tags seldom on the same essay: the list
    starts from the rarest tag's essays (walking every essay in the list's
    order found its few: 20 ms at 100,000 essays for a tag on two). A tag on
    many essays is tested for along the list's order, which a page ends
    early. Either way the list is the definition's: every tag on each
    essay, in the sort asked for."""
    from essays import models, views
    from essays.models import Essay, readable_tag_counts

    # The seeds' few essays, at the scale of a large archive's: pages of 3,
    # an essay's row costing one entry walked.
    monkeypatch.setattr(views.EssayList, "paginate_by", 3)
    monkeypatch.setattr(models, "ROW_COST_IN_ENTRIES", 1)
    counts = readable_tag_counts()
    names = dict(Tag.objects.values_list("pk", "name"))
    by_use = sorted((pk for pk in counts if counts[pk]), key=lambda pk: (counts[pk], names[pk]))
    rare, common = names[by_use[0]], names[by_use[-1]]
    pairs = [
        (names[a], names[b]) for a in by_use[-8:] for b in by_use[-8:] if a < b
    ]  # common tags, some seldom together
    orders = {"order": ("source_id", "position"), "new": ("-created", "-pk"), "length": ("-char_count", "pk")}

    def expected(tags, sort, page=1):
        essays = Essay.objects.readable()
        for name in tags:
            essays = essays.filter(pk__in=Essay.tags.through.objects.filter(tag__name=name).values("essay_id"))
        pks = list(essays.order_by(*orders[sort]).values_list("pk", flat=True))
        page = min(page, max(1, -(-len(pks) // 3)))  # past the end: the last page, as the list shows
        return pks[(page - 1) * 3 : page * 3]

    drove = walked = 0
    for tags in [(rare,), (common,), (common, rare), *pairs]:
        for sort in orders:
            shown, statements = tag_filtered_list(client, tags, sort)
            assert shown == expected(tags, sort), (tags, sort)
            page_sql = [sql for sql in statements if "ORDER BY" in sql and "essays_essay_tags" in sql]
            if page_sql and '"essays_essay"."id" IN (SELECT U0."essay_id"' in page_sql[0]:
                drove += 1
            elif page_sql:
                walked += 1
    assert drove and walked
    # Deep pages, and one past the end (the last), either way.
    for tags in [(rare,), (common,), pairs[0]]:
        for page in (2, 999):
            assert tag_filtered_list(client, tags, "new", page)[0] == expected(tags, "new", page), (tags, page)
    _, statements = tag_filtered_list(client, (rare,))
    assert '"essays_essay"."id" IN (SELECT U0."essay_id"' in next(s for s in statements if "ORDER BY" in s)
    _, statements = tag_filtered_list(client, (common,))
    assert "IN (SELECT U0" not in next(s for s in statements if "ORDER BY" in s and "essays_essay_tags" in s)
    # A tag on no readable essay: nothing to list, no essay read.
    Tag.objects.create(name="无人用的标签")
    shown, statements = tag_filtered_list(client, (common, "无人用的标签"))
    assert shown == [] and not [sql for sql in statements if "essays_essay_tags" in sql]
