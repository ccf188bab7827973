"""Re-cutting a collection in the admin: raw text with line numbers beside
the current cut, a hint or hand-marked heading lines, a preview, then apply;
surviving essays keep their keys, the others answer 301."""

import pytest
from django.urls import reverse

from essays import parsing, repair
from essays.models import Essay

pytestmark = pytest.mark.django_db


def recut_url(source):
    return reverse("admin:essays_sourcefile_recut", args=[source.pk])


def keys(source):
    return [e.key for e in source.essays.order_by("position")]


def line_of(source, text):
    return parsing.normalised_lines(source.raw_text).index(text)


def test_recut_page_shows_numbered_raw_text_beside_the_cut(curator_client, four):
    html = curator_client.get(recut_url(four)).content.decode()
    assert '<span class="n">2</span>一、春天' in html
    assert 'name="line" value="2" checked' in html  # the automatic cut's heading lines, to start from
    assert all(e.title in html for e in four.essays.all())


def test_preview_shows_the_new_essays_and_changes_nothing(curator_client, four):
    before = keys(four)
    response = curator_client.post(recut_url(four), {"mode": "single", "preview": "1"})
    preview = response.context["preview"]
    assert len(preview["rows"]) == 1
    row = preview["rows"][0]
    assert row["first"].startswith("一、春天") or row["first"].startswith("春天来了")
    assert row["last"] == "冬天下雪了，大地一片洁白，人们围炉夜话。"
    assert len(preview["gone"]) == 3
    assert keys(four) == before


def test_one_essay_keeps_the_largest_key_and_redirects_the_rest(curator_client, client, four):
    old = list(four.essays.order_by("position"))
    curator_client.post(recut_url(four), {"mode": "single", "apply": "1"})
    kept = four.essays.get()
    assert kept.key == old[0].key  # as in a merge, the first keeps its key
    for essay in old:
        if essay.key != kept.key:
            response = client.get(reverse("essays:essay", kwargs={"key": essay.key}))
            assert response.status_code == 301 and response["Location"] == kept.get_absolute_url()
    four.refresh_from_db()
    assert four.cut_curated and four.cut_hint == {"mode": "single", "family": ""}


def test_hand_marked_lines_cut_there_and_survivors_keep_their_keys(curator_client, client, four):
    old = keys(four)
    lines = [line_of(four, "一、春天"), line_of(four, "二、夏天"), line_of(four, "三、秋天")]  # 四、冬天 joins 秋天
    response = curator_client.post(recut_url(four), {"mode": "lines", "line": lines, "apply": "1"})
    assert response.status_code == 302
    essays = list(four.essays.order_by("position"))
    assert [e.title for e in essays] == ["春天", "夏天", "秋天"]
    assert keys(four) == old[:3] and "冬天下雪了" in essays[2].text
    moved = client.get(reverse("essays:essay", kwargs={"key": old[3]}))
    assert moved.status_code == 301 and moved["Location"] == essays[2].get_absolute_url()
    assert [e.position for e in essays] == [1, 2, 3]


def test_a_new_essay_cut_from_an_old_one_gets_a_new_key(four):
    essays = list(four.essays.order_by("position"))
    summer = essays[1].paragraphs
    text = "\n".join(["合集", "", "春天", essays[0].text, "", "夏天", summer[0], "夏夜", summer[1]])
    lines = parsing.normalised_lines(text)
    hint = parsing.CutHint(mode="lines", heading_lines=(lines.index("春天"), lines.index("夏天"), lines.index("夏夜")))
    four.raw_text = text
    four.save()
    counts = repair.apply_recut(four, parsing.parse(text, hint=hint), hint)
    after = list(four.essays.order_by("position"))
    assert [e.key for e in after[:2]] == [essays[0].key, essays[1].key]
    assert after[2].title == "夏夜" and after[2].key not in {e.key for e in essays}
    assert counts == {"kept": 2, "created": 1, "redirected": 2}


def test_marking_no_line_is_a_clear_error(curator_client, four):
    response = curator_client.post(recut_url(four), {"mode": "lines", "preview": "1"})
    assert "请勾选至少一行作为文章的标题行。" in response.content.decode()


def test_a_hint_the_file_cannot_follow_is_a_clear_error(curator_client, four):
    response = curator_client.post(recut_url(four), {"mode": "separator", "apply": "1"})
    assert "这样切分不行：文件里没有分隔线。" in response.content.decode()
    assert four.essays.count() == 4


def test_a_recut_survives_a_forced_reimport(curator_client, four):
    from essays.importer import Importer
    from tests.conftest import FOUR

    curator_client.post(recut_url(four), {"mode": "single", "apply": "1"})
    kept = keys(four)
    report = Importer(update_index=False, force=True).import_bytes("four.txt", FOUR.encode())
    assert keys(four) == kept and report.code == "kept_cut"


def test_plan_matches_by_shared_text_not_position(four):
    essays = list(four.essays.order_by("position"))
    text = "\n".join(["合集", "", "冬天", essays[3].text, "", "春天", essays[0].text])
    parsed = parsing.parse(text, hint=parsing.CutHint(mode="lines", heading_lines=(2, 5)))
    plan = repair.plan_recut(four, parsed)
    assert [k.key if k else None for k in plan.keeps] == [essays[3].key, essays[0].key]
    assert {old.key for old, _index in plan.gone} == {essays[1].key, essays[2].key}
    assert Essay.objects.count() == 4


# The queue's heading on the review page: its name, then its count.
CUT_REVIEW_COUNT = '切分待复核</a><span class="queue-count">{}</span>'


def test_doubtful_files_wait_in_the_review_queue_until_recut(curator_client, four):
    review = reverse("admin:essays_essay_review")
    html = curator_client.get(review).content.decode()
    assert CUT_REVIEW_COUNT.format(1) in html and recut_url(four) in html
    assert "只有" in html  # the reason: these essays are very short
    curator_client.post(recut_url(four), {"mode": "single", "apply": "1"})
    assert CUT_REVIEW_COUNT.format(0) in curator_client.get(review).content.decode()


def test_a_recut_can_be_undone_and_the_undo_too(curator_client, client, four):
    before = [(e.key, e.title, e.text) for e in four.essays.order_by("position")]
    curator_client.post(recut_url(four), {"mode": "single", "apply": "1"})
    after = [(e.key, e.title, e.text) for e in four.essays.order_by("position")]
    page = curator_client.get(recut_url(four)).content.decode()
    assert "撤销上次重新切分" in page
    curator_client.post(recut_url(four), {"undo": "1"})
    assert [(e.key, e.title, e.text) for e in four.essays.order_by("position")] == before
    for key, _title, _text in before:
        assert client.get(reverse("essays:essay", kwargs={"key": key})).status_code == 200
    curator_client.post(recut_url(four), {"undo": "1"})  # undo the undo
    assert [(e.key, e.title, e.text) for e in four.essays.order_by("position")] == after


def test_undo_without_a_recut_is_a_clear_error(curator_client, four):
    response = curator_client.post(recut_url(four), {"undo": "1"}, follow=True)
    assert "这个合集没有可撤销的重新切分。" in response.content.decode()
