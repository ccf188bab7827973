"""export_essays: the JSON Lines backup format."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from essays.models import Essay

pytestmark = pytest.mark.django_db


def export(tmp_path):
    target = tmp_path / "backup.jsonl"
    call_command("export_essays", "--output", str(target), stdout=io.StringIO())
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert records[0] == {"type": "header", "format": "wenji-backup", "version": 4}
    return [r for r in records if r["type"] == "essay"]


def test_export_has_every_essay_in_collection_order(imported, tmp_path):
    records = export(tmp_path)
    assert len(records) == 33
    order = [(r["source"], r["position"]) for r in records]
    assert order == sorted(order)


def test_export_record_fields(imported, tmp_path):
    records = {(r["source"][:3], r["position"]): r for r in export(tmp_path)}
    first = records[("004", 1)]
    essay = Essay.objects.get(source__name__startswith="004", position=1)
    assert first["title"] == "疫情防控的实践心得"
    assert first["author"] == "马振华老师"
    assert first["section"] == essay.section.name
    assert first["tags"] == sorted(t.name for t in essay.tags.all())
    assert first["paragraphs"] == essay.paragraphs
    assert first["paragraphs"][0].startswith("近日,中组部召开电视电话会议")
    assert first["url"] == f"/essays/{essay.key}/"
    assert first["duplicate_of"] is None
    assert first["status"] == "published"
    assert first["has_placeholders"] is True


def test_export_links_duplicates_to_the_main_copy(imported, tmp_path):
    records = {(r["source"][:3], r["position"]): r for r in export(tmp_path)}
    assert records[("002", 7)]["duplicate_of"] == records[("002", 1)]["url"]


def test_export_to_stdout(imported, capsys):
    call_command("export_essays", stderr=io.StringIO())
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    essays = [r for r in records if r["type"] == "essay"]
    assert len(essays) == 33
    assert essays[0]["source"].startswith("000")
    assert [r["type"] for r in records[:2]] == ["header", "section"]


def test_export_refuses_a_folder_and_a_missing_folder(db, tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        call_command("export_essays", "--output", str(tmp_path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_essays", "--output", str(tmp_path / "nope" / "b.jsonl"))


def test_export_ends_with_the_history_by_model_then_time(imported, curator, tmp_path):
    from essays import repair

    essay = Essay.objects.get(source__name__startswith="004", position=1)
    essay.title = "策展人的标题"
    essay._change_reason = "策展：改标题"
    essay._history_user = curator
    essay.save()
    repair.split(essay, 1)
    target = tmp_path / "backup.jsonl"
    call_command("export_essays", "--output", str(target), stdout=io.StringIO())
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    kinds = [r["type"] for r in records]
    first = kinds.index("history")
    assert set(kinds[first:]) == {"history"} and "essay" in kinds[:first]
    history = records[first:]
    order = {"section": 0, "tag": 1, "collection": 2, "essay": 3}
    keys = [(order[r["model"]], r["history_date"]) for r in history]
    assert keys == sorted(keys)
    rows = [r for r in history if r["model"] == "essay" and r["object"] == essay.key]
    assert [r["history_change_reason"] for r in rows] == ["导入", "策展：改标题", rows[2]["history_change_reason"]]
    edit = rows[1]
    assert edit["history_user"] == "curator" and edit["history_type"] == "~"
    assert edit["fields"]["title"] == "策展人的标题" and edit["fields"]["key"] == essay.key
    assert edit["fields"]["source"] == essay.source.name and edit["fields"]["section"] == essay.section.name
    assert edit["tags"] == sorted(t.name for t in essay.tags.all())
    assert edit["history_date"].endswith("+00:00") and "T" in edit["history_date"]
    assert "id" not in edit["fields"] and "history_id" not in edit
    assert rows[0]["history_user"] is None
    sources = [r for r in history if r["model"] == "collection"]
    assert sources and all(r["object"] == r["fields"]["name"] for r in sources)
