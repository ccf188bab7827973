"""Repairing cuts: split and merge in the admin, undone from the history;
links keep answering (301 for a key that lost its essay)."""

import pytest
from django.urls import reverse

from essays import repair
from essays.models import Essay, EssayRedirect

pytestmark = pytest.mark.django_db


def essays_of(source):
    return list(source.essays.order_by("position"))


# -- split ----------------------------------------------------------------------------------


def test_split_page_lists_paragraphs_with_a_choice(curator_client, four):
    second = essays_of(four)[1]
    page = curator_client.get(reverse("admin:essays_essay_split", args=[second.pk])).content.decode()
    assert page.count('name="at"') == 1 and "第二段写夏夜" in page


def test_split_keeps_the_first_key_and_lands_on_the_new_part(curator_client, client, four):
    second = essays_of(four)[1]
    key = second.key
    response = curator_client.post(reverse("admin:essays_essay_split", args=[second.pk]), {"at": 1})
    new = Essay.objects.get(source=four, position=3)
    assert response["Location"] == reverse("admin:essays_essay_change", args=[new.pk])
    assert [e.title for e in essays_of(four)] == ["春天", "夏天", new.title, "秋天", "冬天"]
    assert new.key != key and Essay.objects.get(key=key).text.startswith("夏天到了")
    assert new.text == "第二段写夏夜的星空和蛙声。" and new.title_derived
    assert client.get(new.get_absolute_url()).status_code == 200
    four.refresh_from_db()
    assert four.cut_curated and [c["key"] for c in four.curated_cut][1:3] == [key, new.key]


def test_a_heading_like_first_line_names_the_second_part(four):
    essay = essays_of(four)[0]
    essay.text = "春天来了，田野里一片新绿。\n（二）春雨\n春雨贵如油，滋润着万物。"
    essay.save()
    new = repair.split(essay, 1)
    assert new.title == "春雨" and not new.title_derived and new.text == "春雨贵如油，滋润着万物。"


def test_split_at_the_first_paragraph_is_refused_with_a_reason(curator_client, four):
    essay = essays_of(four)[0]
    response = curator_client.post(reverse("admin:essays_essay_split", args=[essay.pk]), {"at": "0"}, follow=True)
    assert "只能在第 2 段到最后一段之间拆分。" in response.content.decode()
    assert four.essays.count() == 4


def test_undo_a_split_from_the_history(curator_client, client, four):
    essay = essays_of(four)[1]
    before = essay.history.latest()
    new = repair.split(essay, 1)
    curator_client.post(reverse("admin:essays_essay_restore", args=[essay.pk, before.history_id]))
    essay.refresh_from_db()
    assert "第二段写夏夜" in essay.text
    assert [e.title for e in essays_of(four)] == ["春天", "夏天", "秋天", "冬天"]
    assert [e.position for e in essays_of(four)] == [1, 2, 3, 4]
    response = client.get(reverse("essays:essay", kwargs={"key": new.key}))
    assert response.status_code == 301 and response["Location"] == essay.get_absolute_url()


# -- merge ----------------------------------------------------------------------------------


def test_merge_with_the_next_essay_redirects_the_old_link(curator_client, client, four):
    first, second = essays_of(four)[:2]
    page = curator_client.get(reverse("admin:essays_essay_merge", args=[first.pk]))
    assert "夏天" in page.content.decode()
    curator_client.post(reverse("admin:essays_essay_merge", args=[first.pk]))
    first.refresh_from_db()
    assert "夏天\n夏天到了" in first.text
    assert [e.position for e in essays_of(four)] == [1, 2, 3]
    response = client.get(reverse("essays:essay", kwargs={"key": second.key}))
    assert response.status_code == 301 and response["Location"] == first.get_absolute_url()
    assert EssayRedirect.objects.filter(old_key=second.key, essay=first).exists()


def test_merging_the_last_essay_is_refused(curator_client, four):
    last = essays_of(four)[-1]
    response = curator_client.post(reverse("admin:essays_essay_merge", args=[last.pk]), follow=True)
    assert "这是合集的最后一篇" in response.content.decode()


def test_undo_a_merge_brings_back_the_essay_under_its_key(curator_client, client, four):
    first, second = essays_of(four)[:2]
    key, tags = second.key, sorted(t.name for t in second.tags.all())
    before = first.history.latest()
    repair.merge_with_next(first)
    curator_client.post(reverse("admin:essays_essay_restore", args=[first.pk, before.history_id]))
    back = Essay.objects.get(key=key)
    assert [e.key for e in essays_of(four)][:2] == [first.key, key]
    assert sorted(t.name for t in back.tags.all()) == tags
    assert client.get(back.get_absolute_url()).status_code == 200
    assert not EssayRedirect.objects.filter(old_key=key).exists()
