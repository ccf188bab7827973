"""The index stays in step with the database: saves, hides, deletes and tag
changes reach it after the transaction commits; page views never write."""

import io

import pytest
from django.core.management import call_command

from essays.importer import Importer
from essays.models import Essay, Tag
from essays.search import sync as search
from essays.search.engine import run_search
from essays.search.tiers import SearchRequest
from essays.search.tokens import parse_query

pytestmark = pytest.mark.django_db


def pks(query, **kwargs):
    return run_search(SearchRequest(parse_query(query), limit=1000, **kwargs)).pks


@pytest.fixture
def essay(indexed):
    return Essay.objects.get(key="jtsxunf4q7")  # 疫情防控的实践心得（三）, names 金珊


def test_edited_text_is_searchable_after_commit(essay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        essay.text = essay.text.replace("金珊", "金玉珊") + "\n蓝鲸湾的灯塔守望者"
        essay.save()
    assert pks("蓝鲸湾的灯塔") == [essay.pk]
    # 金珊 is still one of its tags, but no longer in its text.
    assert run_search(SearchRequest(parse_query("金珊"))).exact == 0


def test_nothing_changes_before_the_transaction_commits(essay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        essay.title = "蓝鲸湾"
        essay.save()
    assert pks("蓝鲸湾") == []
    flushes = [c for c in callbacks if c is search._flush]
    assert len(flushes) == 1  # one batch, however many saves
    flushes[0]()
    assert pks("蓝鲸湾") == [essay.pk]


def test_hiding_and_publishing_again(essay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        essay.status = Essay.Status.HIDDEN
        essay.save()
    assert essay.pk not in pks("金珊")
    with django_capture_on_commit_callbacks(execute=True):
        essay.status = Essay.Status.PUBLISHED
        essay.save()
    assert pks("金珊") == [essay.pk]


def test_deleting_removes_it(essay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        essay.delete()
    assert pks("金珊") == []


def test_tag_added_and_renamed(essay, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tag = Tag.objects.create(name="灯塔")
        essay.tags.add(tag)
    assert pks("疫情", tag_ids=[tag.pk]) == [essay.pk]
    assert essay.pk in pks("灯塔")
    with django_capture_on_commit_callbacks(execute=True):
        tag.name = "航标"
        tag.save()
    assert essay.pk in pks("航标") and essay.pk not in pks("灯塔")


def test_page_views_never_write_to_the_index(client, essay, monkeypatch):
    def refuse(pks):
        raise AssertionError("a page view queued an index update")

    monkeypatch.setattr(search, "queue", refuse)
    for url in ("/", essay.get_absolute_url(), "/essays/", "/search/?q=金珊"):
        assert client.get(url).status_code == 200


def test_reimporting_unchanged_files_indexes_nothing(indexed, monkeypatch):
    from tests.conftest import SEEDS

    calls = []
    monkeypatch.setattr(search, "update_essays", lambda pks, **kw: calls.append(set(pks)))
    report = Importer().import_paths([SEEDS])
    assert report.count("unchanged") == 5
    assert calls == []


def test_import_indexes_in_one_batch_after_the_run(db, search_index, write_file, monkeypatch):
    calls = []
    real = search.update_essays
    monkeypatch.setattr(search, "update_essays", lambda pks, **kw: (calls.append(set(pks)), real(pks, **kw)))
    path = write_file(
        "a.txt", "故事合集\n一、蓝鲸湾\n写的是蓝鲸湾的故事，很长很长。\n二、灯塔\n写的是灯塔的故事，也很长。\n"
    )
    Importer().import_paths([path])
    assert len(calls) == 1 and len(calls[0]) == 2
    assert len(pks("故事")) == 2


def test_traditional_essay_is_found_by_a_simplified_query(db, search_index, write_file, client):
    path = write_file("t.txt", "繁體合集\n 全國脫貧攻堅先進事蹟報告會在北京舉行。\n 另一篇文章，講的是別的事情。\n")
    Importer().import_paths([path])
    essay = Essay.objects.get(text__contains="脫貧攻堅")
    assert pks("脱贫攻坚") == [essay.pk]
    assert pks("脫貧攻堅") == [essay.pk]
    html = client.get("/search/?q=脱贫攻坚").content.decode()
    assert "<mark>脫貧攻堅</mark>" in html  # the original script is shown, marked


def test_full_width_and_case_are_folded(db, search_index, write_file):
    path = write_file("w.txt", "合集\n 型号ＡＢＣ１２３的机器很好用。\n 另一篇讲型号 Xyz789 的故事。\n")
    Importer().import_paths([path])
    first = Essay.objects.get(text__contains="ＡＢＣ")
    second = Essay.objects.get(text__contains="Xyz")
    assert pks("abc123") == [first.pk]
    assert pks("ＡＢＣ１２３") == [first.pk]
    assert pks("XYZ789") == [second.pk]


def test_markup_in_an_essay_is_shown_as_text_in_snippets(db, search_index, write_file, client):
    path = write_file("m.txt", "合集\n 有人在留言里写了<script>alert('蓝鲸')</script>这样的代码。\n 第二篇。\n")
    Importer().import_paths([path])
    html = client.get("/search/?q=蓝鲸").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>蓝鲸</mark>&#x27;)&lt;/script&gt;" in html


def test_rebuild_index_and_update_index_work(indexed):
    out = io.StringIO()
    call_command("clear_index", interactive=False, stdout=out)
    assert pks("金珊") == []
    call_command("update_index", stdout=out, verbosity=0)
    assert len(pks("金珊")) == 1
    call_command("rebuild_index", interactive=False, stdout=out, verbosity=0)
    assert len(pks("金珊")) == 1


def test_corpus_dictionary_holds_tags_sections_and_names(imported, tmp_path):
    import jieba

    from essays.dictionary import corpus_words, load_dictionary, write_dictionary

    words = corpus_words()
    assert words["逆行者"] == "n"  # a tag
    assert words["抗击疫情"] == "n"  # a section
    assert words.get("张楠") in ("n", "nr")  # a person, also a tag
    path = tmp_path / "corpus_dict.txt"
    assert write_dictionary(path, {"柳吟周": "nr"})
    assert not write_dictionary(path, {"柳吟周": "nr"})  # unchanged
    assert load_dictionary(path) == 1
    assert "柳吟周" in jieba.lcut("昨天柳吟周来了")


def test_build_search_dictionary_command(imported, tmp_path, settings):
    settings.JIEBA_CORPUS_DICT = tmp_path / "d.txt"
    out = io.StringIO()
    call_command("build_search_dictionary", stdout=out)
    assert "run rebuild_index" in out.getvalue()
    assert "逆行者 1000 n" in settings.JIEBA_CORPUS_DICT.read_text(encoding="utf-8")


def test_a_rolled_back_change_never_reaches_the_index_and_later_ones_still_do(essay):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        essay.title = "蓝鲸湾"
        essay.save()
        raise RuntimeError
    assert pks("蓝鲸湾") == []
    essay.refresh_from_db()
    essay.title = "灯塔守望"
    with transaction.atomic():  # the test's own transaction never commits: flush by hand
        essay.save()
    search._flush()
    assert pks("灯塔守望") == [essay.pk]
