"""What keeps the essay page and the search page cheap stays correct: the
plain-SQL reads behave like the ORM's, the related essays' candidates are
judged from an index alone, and the faster folding and projection give the
same characters and offsets as the character-by-character way."""

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from essays.models import Essay, SourceFile, Tag, essay_key, loaded
from essays.search import tokens
from essays.search.tokens import _RUN, _fold_char, _t2s_table, fold, project


@pytest.fixture
def collection(db):
    source = SourceFile.objects.create(
        name="cost.txt", sha256="1" * 64, encoding="utf-8", title="合集", raw_text="", imported_at=timezone.now()
    )

    def essay(position, **fields):
        return Essay.objects.create(
            source=source,
            position=position,
            key=essay_key(source.name, position),
            title=f"文章{position}",
            text=f"第{position}篇。",
            **fields,
        )

    return source, essay


def test_neighbours_skip_hidden_and_duplicate_essays(collection):
    _, essay = collection
    first = essay(1)
    essay(2, status=Essay.Status.HIDDEN)
    middle = essay(3)
    essay(4, duplicate_of=first)
    last = essay(5)
    previous, following = Essay.objects.neighbours(middle)
    assert (previous, following) == (first, last)
    assert (previous.key, previous.title) == (first.key, first.title)
    assert Essay.objects.neighbours(first) == (None, middle)
    assert Essay.objects.neighbours(last) == (middle, None)


def test_rows_from_plain_sql_load_their_other_fields_when_read(collection):
    source, essay = collection
    one, two = essay(1, author="张三"), essay(2)
    rows = Essay.objects.list_rows([two.pk, one.pk, 999_999])
    assert rows == [two, one]  # in the order asked, the missing one left out
    with CaptureQueriesContext(connection) as queries:
        assert (rows[0].title, rows[0].char_count, rows[0].source.title) == (two.title, two.char_count, source.title)
    assert not queries.captured_queries  # shown in lists: no further query
    assert "author" in rows[1].get_deferred_fields()
    assert rows[1].author == "张三"  # deferred, loaded on access
    tag = loaded(Tag, "default", id=5, name="甲")
    assert (tag.pk, tag.name, tag._state.adding) == (5, "甲", False)


def test_tags_of_an_essay_by_name(collection):
    _, essay = collection
    one = essay(1)
    one.tags.set([Tag.objects.create(name=name) for name in ("乙", "甲", "丙")])
    assert [t.name for t in Tag.objects.of_essay(one)] == [t.name for t in one.tags.order_by("name")]
    assert Tag.objects.of_essay(essay(2)) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the query plan asked is SQLite's")
def test_related_candidates_are_judged_from_the_index_alone(collection):
    """Reading a candidate's section and fingerprint from its row went
    through the text's overflow pages: two thirds of the essay page's
    queries at 2,000 essays."""
    _, essay = collection
    tag = Tag.objects.create(name="甲")
    essays = [essay(n) for n in range(1, 30)]
    for made in essays:
        made.tags.add(tag)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    main = essays[0]
    with CaptureQueriesContext(connection) as queries:
        Essay.objects.related_to(main, tag_ids=[tag.pk])
    candidates = next(q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + candidates.replace("%s", "?"))
        plan = [row[-1] for row in cursor.fetchall()]
    essay_reads = [step for step in plan if step.startswith("SEARCH e ")]
    assert essay_reads, plan
    assert all("COVERING INDEX" in step for step in essay_reads), plan


def test_fold_is_the_character_table():
    table = _t2s_table()
    every = "".join(chr(code) for code in table)
    assert fold(every) == every.translate(table)
    assert fold("脫貧攻堅，醫護人員鐘南山 abc１２") == "脱贫攻坚，医护人员钟南山 abc１２"


def slow_project(text):
    """project() as it was: character by character for every run."""
    pieces, offsets = [], []
    for run in _RUN.finditer(text):
        for i, ch in enumerate(run.group(), start=run.start()):
            for c in _fold_char(ch):
                pieces.append(c)
                offsets.append(i)
    return fold("".join(pieces)), offsets


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("钟南山鐘醫護 ，。\n①ﬁİAbc１２é\u0301e\u3000_-")))
def test_project_gives_the_same_letters_and_offsets(text):
    assert project(text) == slow_project(text)


def test_project_of_prose_takes_the_fast_path(monkeypatch):
    text = "钟南山院士说：疫情防控，人人有责。2020年武汉"
    assert unicodedata.is_normalized("NFKC", "".join(_RUN.findall(text)))
    expected = slow_project(text)
    monkeypatch.setattr(tokens, "_fold_char", lambda ch: pytest.fail("took the slow path"))
    assert project(text) == expected


def test_remembered_addresses_follow_the_script_prefix_and_urlconf(collection):
    from django.urls import clear_script_prefix, reverse, set_script_prefix

    _, essay = collection
    one = essay(1)
    assert one.get_absolute_url() == reverse("essays:essay", kwargs={"key": one.key})
    set_script_prefix("/wenji/")
    try:
        assert one.get_absolute_url() == f"/wenji/essays/{one.key}/"
    finally:
        clear_script_prefix()
    assert one.get_absolute_url() == f"/essays/{one.key}/"


def test_tag_links_and_lengths_render_escaped_and_translated():
    from django.utils import translation

    from essays.templatetags.reading import chars, tag_links

    tags = [Tag(name="甲"), Tag(name="<乙>")]
    assert tag_links(tags, "t") == (
        '<a class="t" href="/tags/%E7%94%B2/">甲</a>、<a class="t" href="/tags/%3C%E4%B9%99%3E/">&lt;乙&gt;</a>'
    )
    assert chars(1234) == "1234 字"
    with translation.override("en"):
        assert chars(1234) == "1234 characters"


def test_kept_chrome_follows_the_page_language_and_query(client, collection):
    """The header and footer are rendered once and kept: each page still
    gets its own current link, search box, return path and language."""
    _, essay = collection
    one = essay(1)
    listing = client.get("/essays/?page=2&x=%22%3E%3Cb%3E").content.decode()
    assert '<a href="/essays/" aria-current="page">' in listing
    assert 'name="next" value="/essays/?page=2&amp;x=%22%3E%3Cb%3E"' in listing
    page = client.get(one.get_absolute_url()).content.decode()
    assert 'aria-current="page"' not in page.split("<main")[0]
    assert f'name="next" value="{one.get_absolute_url()}"' in page
    found = client.get("/search/", {"q": '钟"<南>'}).content.decode()
    assert 'name="q" value="钟&quot;&lt;南&gt;"' in found.split("<main")[0]
    assert 'name="q" value=""' in client.get("/search/").content.decode().split("<main")[0]
    client.cookies["django_language"] = "en"
    english = client.get("/essays/").content.decode()
    assert "All essays" in english.split("<main")[0] and "全部文章" not in english.split("<main")[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the partial indexes are PostgreSQL's")
@pytest.mark.parametrize("sort", ["new", "length"])
def test_postgresql_walks_an_index_for_the_newest_and_longest(collection, sort):
    """Without the partial indexes of migration 0014, PostgreSQL read and
    sorted every row for these orders (10-28 ms at 20,000 essays)."""
    _, essay = collection
    for n in range(1, 40):
        essay(n, char_count=n * 10)
    listing = Essay.objects.readable().sorted_by(sort).values_list("pk", flat=True)[:20]
    sql, params = listing.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE essays_essay")
        # A few rows: make every other way dear, as it is at size (a needed
        # sort still shows in the plan, only dearer).
        for way in ("seqscan", "sort", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{way} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan, plan
    assert "essay_pg_readable_" in plan, plan


def test_list_counts_are_kept_per_content_version(client, collection):
    """Counting every readable essay for the page numbers grew with the
    archive (10 ms of a list page at 100,000 essays): it is counted once per
    content version and list, and again under a new version (each committed
    change makes one: tests/test_freshness.py)."""
    from essays import freshness

    _, essay = collection
    made = [essay(n) for n in range(1, 4)]
    freshness._new_version()

    def counts(url):
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        return page, sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries)

    page, counted = counts("/essays/")
    assert counted >= 1 and "共 3 篇" in page
    page, counted = counts("/essays/")
    assert counted == 0 and "共 3 篇" in page
    assert counts("/essays/?sort=new")[1] == 0  # the same essays in another order
    assert counts(f"/essays/?collection={made[0].source.key}")[1] >= 1  # another list, its own count
    made[0].status = Essay.Status.HIDDEN
    made[0].save()
    freshness._new_version()
    page, counted = counts("/essays/")
    assert counted >= 1 and "共 2 篇" in page


def test_the_essay_to_read_comes_with_its_collection_and_section(collection):
    from essays.models import Section

    source, essay = collection
    section = Section.objects.first()
    shown = essay(1, section=section, author="李四")
    essay(2, status=Essay.Status.HIDDEN)
    copy = essay(3, duplicate_of=shown)
    found = Essay.objects.to_read(key=shown.key)
    with CaptureQueriesContext(connection) as queries:
        assert (found.pk, found.title, found.text, found.author) == (shown.pk, shown.title, shown.text, "李四")
        assert (found.source.title, found.section.name, found.section.slug) == (
            source.title,
            section.name,
            section.slug,
        )
    assert not queries.captured_queries
    assert found.created == shown.created  # deferred: read when asked
    assert Essay.objects.to_read(key=essay_key(source.name, 2)) is None  # hidden
    assert Essay.objects.to_read(key="nope") is None
    assert Essay.objects.to_read(key=copy.key).duplicate_of_id == shown.pk
    assert Essay.objects.to_read(pk=copy.pk).key == copy.key
    no_section = Essay.objects.to_read(key=essay(4).key)
    with CaptureQueriesContext(connection) as queries:
        assert no_section.section is None
    assert not queries.captured_queries


def test_search_results_keep_the_engine_order_and_only_readable_essays(collection):
    from essays.models import Section

    source, essay = collection
    section = Section.objects.first()
    one, two = essay(1, section=section), essay(2)
    hidden = essay(3, status=Essay.Status.HIDDEN)
    copy = essay(4, duplicate_of=one)
    found = Essay.objects.results([two.pk, hidden.pk, copy.pk, one.pk, 999_999])
    assert found == [two, one]
    with CaptureQueriesContext(connection) as queries:
        assert (found[1].text, found[1].section.name, found[1].source.key) == (one.text, section.name, source.key)
        assert found[0].section is None
    assert not queries.captured_queries
    assert Essay.objects.results([]) == [] and Essay.objects.list_rows([]) == []


# The list of essays as a template loop wrote it before the essay_items
# filter: the filter must give the same markup, escaped the same way.
ESSAY_ITEMS_LOOP = """{% load i18n reading %}<ul class="essay-list">
  {% for essay in essays %}
  <li class="essay-list__item">
    <a class="essay-list__title" href="{{ essay.get_absolute_url }}">{{ essay.title }}</a>
    <span class="meta">{{ essay.source.title }} · {{ essay.char_count|chars }}</span>
  </li>
  {% empty %}
  <li class="empty">{% translate "暂无文章。" %}</li>
  {% endfor %}
</ul>"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_list_of_essays_renders_as_the_template_loop_did(collection, language):
    from django.template import Context, Template
    from django.template.loader import render_to_string
    from django.utils import translation

    source, essay = collection
    source.title = 'A & B <"合集">'
    source.save()
    essays = [essay(1), essay(2), essay(3)]
    Essay.objects.filter(pk=essays[0].pk).update(title="<script>alert('x')</script>")
    Essay.objects.filter(pk=essays[1].pk).update(title="文章 & 其他")
    rows = Essay.objects.list_rows([e.pk for e in essays])

    def squeeze(markup):
        return " ".join(markup.split())

    with translation.override(language):
        for shown in (rows, []):
            expected = Template(ESSAY_ITEMS_LOOP).render(Context({"essays": shown}))
            got = render_to_string("essays/includes/essay_items.html", {"essays": shown})
            assert squeeze(got) == squeeze(expected)
            assert "<script>" not in got


def test_loaded_instances_are_what_the_orm_would_load(collection):
    from django.db.models.signals import post_init

    _, essay = collection
    saved = essay(1)
    values = {"id": saved.pk, "key": saved.key, "title": saved.title, "source_id": saved.source_id}
    ours = loaded(Essay, "default", **values, not_a_field="ignored")
    names = [f.attname for f in Essay._meta.concrete_fields if f.attname in values]  # from_db's order
    orm = Essay.from_db("default", names, [values[name] for name in names])
    assert ours.get_deferred_fields() == orm.get_deferred_fields()
    assert {k: v for k, v in vars(ours).items() if k != "_state"} == {
        k: v for k, v in vars(orm).items() if k != "_state"
    }
    assert (ours._state.adding, ours._state.db) == (False, "default")
    assert ours.text == saved.text  # deferred: read when asked for
    # Model.__init__ is what sends post_init: with a receiver, it runs.
    seen = []
    receiver = lambda sender, instance, **kwargs: seen.append(instance)  # noqa: E731
    post_init.connect(receiver, sender=Essay)
    try:
        again = loaded(Essay, "default", **values)
    finally:
        post_init.disconnect(receiver, sender=Essay)
    assert seen == [again]


def test_tag_counts_leave_out_what_readers_do_not_see(collection):
    from essays.models import readable_tag_counts, with_counts

    _, essay = collection
    shown, hidden, copy, other = essay(1), essay(2, status=Essay.Status.HIDDEN), essay(3), essay(4)
    copy.duplicate_of = shown
    copy.save()
    common, unseen, lone = Tag.objects.create(name="共"), Tag.objects.create(name="隐"), Tag.objects.create(name="独")
    for e in (shown, hidden, copy, other):
        e.tags.add(common)
    hidden.tags.add(unseen)
    copy.tags.add(unseen)
    other.tags.add(lone)
    assert readable_tag_counts() == {common.pk: 2, unseen.pk: 0, lone.pk: 1}
    assert readable_tag_counts([lone.pk, unseen.pk]) == {unseen.pk: 0, lone.pk: 1}
    assert [(t.name, t.count) for t in Tag.objects.in_use()] == [("共", 2), ("独", 1)]
    assert [(t.name, t.count) for t in with_counts(Tag.objects.filter(name="共"), "tags")] == [("共", 2)]


def test_featured_essays_come_first_and_only_readable_ones(collection):
    _, essay = collection
    first, _, hidden = essay(1, featured=True), essay(2), essay(3, featured=True, status=Essay.Status.HIDDEN)
    assert [e.pk for e in Essay.objects.featured()] == [first.pk]
    Essay.objects.filter(pk=first.pk).update(featured=False)
    assert hidden.pk not in [e.pk for e in Essay.objects.featured()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the query plan asked is SQLite's")
def test_featured_essays_are_found_from_their_own_index(collection):
    queryset = Essay.objects.filter(featured=True).order_by().values_list("pk", flat=True)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "essay_featured" in plan


SEARCH_RESULTS_LOOP = """{% load reading %}{% for essay in essays %}
    <li class="search-result">
      <h2 class="search-result__title"><a href="{{ essay.get_absolute_url }}">{{ essay.title_html }}</a></h2>
      <p class="search-result__snippet">{{ essay.snippet }}</p>
      <p class="meta search-result__meta">
        <a href="{{ essay.source.get_absolute_url }}">{{ essay.source.title }}</a>
        {% if essay.section %} · <a href="{{ essay.section.get_absolute_url }}">{{ essay.section.name }}</a>{% endif %}
        {% if essay.tag_list %} · {{ essay.tag_list|tag_links:"search-result__tag" }}{% endif %}
      </p>
    </li>
    {% endfor %}"""


def test_search_results_render_as_the_template_loop_did(collection):
    from django.template import Context, Template

    from essays.models import Section
    from essays.search import highlighting
    from essays.search.tokens import parse_query
    from essays.templatetags.reading import search_result_items

    source, essay = collection
    source.title = 'A & B <"合集">'
    source.save()
    section = Section.objects.create(name="<栏目> & 其他", slug="lanmu-x")
    plain, placed, tagged = essay(1), essay(2, section=section), essay(3)
    Essay.objects.filter(pk=plain.pk).update(title="<b>第1篇</b> & 'x'", text="<script>第1篇</script>。")
    tagged.tags.add(Tag.objects.create(name="<标签>"))
    query = parse_query("第1篇")
    found = Essay.objects.results([plain.pk, placed.pk, tagged.pk])
    tags = Tag.objects.of_essays([e.pk for e in found])
    for row in found:
        row.tag_list = tags.get(row.pk, [])
        row.title_html = highlighting.highlight(row.title, query)
        row.snippet = highlighting.snippet(row.text, query)

    def squeeze(markup):
        return " ".join(str(markup).split())

    expected = Template(SEARCH_RESULTS_LOOP).render(Context({"essays": found}))
    got = search_result_items(found)
    assert squeeze(got) == squeeze(expected)
    assert "<script>" not in got and "<mark>" in got


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the query plan asked is SQLite's")
def test_list_rows_are_read_from_an_index_on_sqlite(collection):
    _, essay = collection
    pks = [essay(n).pk for n in range(1, 4)]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as after an import
    with CaptureQueriesContext(connection) as queries:
        Essay.objects.list_rows(pks)
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX essay_sqlite_list_row" in plan


def test_json_columns_keep_chinese_as_itself(collection):
    _, essay = collection
    saved = essay(1, imported={"text": "疫情防控，人人有责。", "tags": ["抗疫"]}, terms={"抗疫": 2})
    with connection.cursor() as cursor:
        cursor.execute("SELECT imported, terms FROM essays_essay WHERE id = %s", [saved.pk])
        imported, terms = (str(value) for value in cursor.fetchone())
    assert "疫情防控" in imported and "抗疫" in terms and "\\u" not in imported + terms
    again = Essay.objects.get(pk=saved.pk)
    assert again.imported == {"text": "疫情防控，人人有责。", "tags": ["抗疫"]} and again.terms == {"抗疫": 2}
