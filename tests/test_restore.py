"""restore_essays: a backup from export_essays restores whole, into SQLite
or PostgreSQL, and exporting again gives the same bytes."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from essays import repair
from essays.models import Essay, Section, SourceFile, Tag, TagAlias

pytestmark = pytest.mark.django_db

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def essay_at(prefix, position):
    return Essay.objects.get(source__name__startswith=prefix, position=position)


@pytest.fixture
def curated(imported, curator):
    """The seeds with a curator's work on them: every kind of field taken
    over, and a history of it (an edit with who and why, a split, a merge
    that deletes an essay, a tag merge that deletes a tag)."""
    essay = essay_at("003", 1)
    essay.title = "策展人改的标题"
    essay.text = essay.text + "\n策展人补的一段。"
    essay.status = Essay.Status.HIDDEN
    essay.featured = True
    essay.save()
    essay.tags.set([Tag.objects.create(name="策展标签")])
    tag = Tag.objects.get(name="逆行者")
    tag.name = "最美逆行者"  # leaves an alias behind
    tag.save()
    section = Section.objects.get(slug="yingxiong")
    section.description = "改过的简介"
    section.save()
    copy, main = essay_at("001", 2), essay_at("001", 1)
    copy.duplicate_of = main
    copy.save()
    Essay.objects.filter(pk=essay_at("002", 3).pk).update(near_duplicate_of=essay_at("002", 4), similarity=0.8125)
    source = SourceFile.objects.get(name__startswith="004")
    source.intro = "编者按：改过。"
    source.save()
    edited = essay_at("003", 2)
    edited.text = "策展人改写的正文。\n第二段。\n第三段。"
    edited._change_reason = "策展：改写正文"
    edited._history_user = curator
    edited.save()
    repair.split(edited, 1)
    repair.merge_with_next(essay_at("004", 1))
    kept, gone = Tag.objects.create(name="留下的标签"), Tag.objects.create(name="并掉的标签")
    edited.tags.add(gone)
    kept.merge([gone])
    return essay


def history_lines(data: bytes) -> list[dict]:
    records = [json.loads(line) for line in data.splitlines()]
    return [r for r in records if r["type"] == "history"]


def assert_history_kept(data: bytes):
    """The curator history of ``curated`` is in the backup ``data``."""
    rows = history_lines(data)
    reasons = {r["history_change_reason"] for r in rows}
    assert "策展：改写正文" in reasons
    assert any((r or "").startswith("拆分：") for r in reasons) and any((r or "").startswith("合并：") for r in reasons)
    assert any(r["history_user"] == "curator" for r in rows)
    assert any(r["model"] == "essay" and isinstance(r["object"], dict) for r in rows)  # the merged-away essay
    assert any(r["model"] == "tag" and r["history_type"] == "-" for r in rows)
    assert {r["model"] for r in rows} >= {"essay", "tag", "section", "collection"}


def export_bytes(tmp_path, name="a.jsonl") -> bytes:
    target = tmp_path / name
    call_command("export_essays", "--output", str(target), verbosity=0)
    return target.read_bytes()


def test_the_backup_starts_with_a_versioned_header(curated, tmp_path):
    first = export_bytes(tmp_path).split(b"\n", 1)[0]
    assert json.loads(first) == {"type": "header", "format": "wenji-backup", "version": 4}


def test_restore_replace_in_place_gives_the_same_bytes_and_keeps_curator_work(curated, tmp_path):
    before = export_bytes(tmp_path)
    assert_history_kept(before)
    curated_before = {e.key: e.curated_fields() for e in Essay.objects.all()}
    out = io.StringIO()
    call_command("restore_essays", str(tmp_path / "a.jsonl"), "--replace", "--no-index", stdout=out)
    assert "restored 33 essays, 5 collections" in out.getvalue()
    assert f"{len(history_lines(before))} history records" in out.getvalue()
    assert export_bytes(tmp_path, "b.jsonl") == before
    assert {e.key: e.curated_fields() for e in Essay.objects.all()} == curated_before
    essay = Essay.objects.get(key=curated.key)
    assert (essay.title, essay.status, essay.featured) == ("策展人改的标题", "hidden", True)
    assert essay.imported_text and essay.imported_text != essay.text
    assert TagAlias.objects.get(name="逆行者").tag.name == "最美逆行者"
    assert essay_at("001", 2).duplicate_of == essay_at("001", 1)
    assert Essay.objects.filter(near_duplicate_of__isnull=False).exists()


def test_a_non_empty_database_is_refused_without_replace(curated, tmp_path):
    export_bytes(tmp_path)
    with pytest.raises(CommandError, match=r"a\.jsonl: not restored: the database already holds") as caught:
        call_command("restore_essays", str(tmp_path / "a.jsonl"))
    assert "\n" not in str(caught.value)
    assert Essay.objects.get(key=curated.key).title == "策展人改的标题"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("合集\n1、标题\n正文。\n".encode(), "not a Wenji backup"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a Wenji backup"),
        (b'{"source": "a.txt", "position": 1, "title": "x"}\n', "before format versions"),
        (b'{"type": "header", "format": "wenji-backup", "version": 99}\n', "version 99; this Wenji reads up to 4"),
        (b'{"type": "header", "format": "wenji-backup", "version": 5}\n', "version 5; this Wenji reads up to 4"),
        (b'{"type": "header", "format": "wenji-backup", "version": 2}\n{"type": "poem"}\n', "unknown record type"),
        (
            b'{"type": "header", "format": "wenji-backup", "version": 2}\n{"type": "tag", "name": "x"}\n',
            "lacks aliases",
        ),
        (
            b'{"type": "header", "format": "wenji-backup", "version": 3}\n{"type": "history", "model": "poem", '
            b'"object": "x", "history_date": "2026-01-01T00:00:00+00:00", "history_type": "+", '
            b'"history_change_reason": null, "history_user": null, "fields": {}}\n',
            "line 2: history of an unknown model 'poem'",
        ),
        (
            b'{"type": "header", "format": "wenji-backup", "version": 3}\n{"type": "history", "model": "tag"}\n',
            "history record lacks fields, history_change_reason",
        ),
        (
            b'{"type": "header", "format": "wenji-backup", "version": 3}\n{"type": "history", "model": "tag", '
            b'"object": "x", "history_date": "2026-01-01T00:00:00+00:00", "history_type": "+", '
            b'"history_change_reason": null, "history_user": null, "fields": {"name": "x"}}\n',
            "line 2: history refers to a missing 'x'",
        ),
        (b"", "not a Wenji backup"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_in_one_line_naming_it(db, tmp_path, content, reason):
    path = tmp_path / "thing.jsonl"
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("restore_essays", str(path))
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and reason in message and "\n" not in message
    assert not Tag.objects.exists()


def test_a_nul_in_a_backup_never_reaches_the_database(db, tmp_path):
    header = {"type": "header", "format": "wenji-backup", "version": 2}
    tag = {"type": "tag", "name": "坏\u0000标签", "aliases": []}
    path = tmp_path / "nul.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (header, tag)) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("restore_essays", str(path), "--no-index", stdout=out)
    assert list(Tag.objects.values_list("name", flat=True)) == ["坏标签"]
    assert "NUL characters removed from 1 fields" in out.getvalue()


def test_the_history_restores_so_an_earlier_version_comes_back(curated, tmp_path, curator_client):
    edited = essay_at("003", 2)
    original = edited.history.earliest().text
    merged_into = essay_at("004", 1)
    gone_key = Essay.history.filter(history_type="-", history_change_reason__startswith="合并：").get().key
    export_bytes(tmp_path)
    call_command("restore_essays", str(tmp_path / "a.jsonl"), "--replace", "--no-index", stdout=io.StringIO())

    edited = Essay.objects.get(key=edited.key)
    rows = list(edited.history.order_by("history_date", "history_id"))
    assert [r.history_change_reason for r in rows][:2] == ["导入", "策展：改写正文"]
    assert rows[1].history_user.username == "curator" and rows[1].text.startswith("策展人改写的正文")
    assert sorted(t.name for t in Tag.objects.filter(pk__in=[r.tag_id for r in rows[-1].tags.all()])) == sorted(
        t.name for t in edited.tags.all()
    )
    # Through the admin's restore view: the text comes back and the split is undone.
    part_key = essay_at("003", 3).key
    response = curator_client.post(reverse("admin:essays_essay_restore", args=[edited.pk, rows[0].history_id]))
    assert response.status_code == 302
    edited.refresh_from_db()
    assert edited.text == original
    assert not Essay.objects.filter(key=part_key).exists()
    # A new essay never takes the id the restored history gave a deleted one.
    new = Essay.objects.create(source=edited.source, position=999, key="brandnew00", title="新", text="新的一篇。")
    assert not Essay.history.filter(id=new.pk).exclude(key="brandnew00").exists()
    # Through essays.repair.restore: the merged-away essay comes back under its key and its own history.
    merged_into = Essay.objects.get(key=merged_into.key)
    repair.restore(merged_into, merged_into.history.earliest())
    back = Essay.objects.get(key=gone_key)
    assert back.history.filter(history_type="-").exists()


def test_a_history_user_missing_here_is_restored_as_no_user(curated, tmp_path, curator):
    before = export_bytes(tmp_path)
    curator.delete()
    out = io.StringIO()
    call_command("restore_essays", str(tmp_path / "a.jsonl"), "--replace", "--no-index", stdout=out)
    assert "by users this database lacks, kept without a user" in out.getvalue()
    after = history_lines(export_bytes(tmp_path, "b.jsonl"))
    assert [r["history_user"] for r in after] == [None] * len(after)
    assert [{**r, "history_user": None} for r in history_lines(before)] == after


def test_a_version_2_backup_restores_without_history(curated, tmp_path):
    lines = export_bytes(tmp_path).decode().splitlines(keepends=True)
    old = [line for line in lines if json.loads(line)["type"] != "history"]
    old[0] = json.dumps({"type": "header", "format": "wenji-backup", "version": 2}) + "\n"
    path = tmp_path / "v2.jsonl"
    path.write_text("".join(old), encoding="utf-8")
    out = io.StringIO()
    call_command("restore_essays", str(path), "--replace", "--no-index", stdout=out)
    assert "restored 33 essays" in out.getvalue() and "history" not in out.getvalue()
    # The restore's own saves and deletions leave no history behind.
    assert not any(model.history.exists() for model in (Essay, Tag, Section, SourceFile))
    assert export_bytes(tmp_path, "b.jsonl").decode().splitlines(keepends=True)[1:] == old[1:]


def test_a_version_3_backup_with_the_imported_text_in_its_snapshot_restores_as_today(curated, tmp_path):
    """Version 3 kept the imported text in each essay's snapshot; restored,
    the snapshot keeps its digest, and the same fields are the curator's."""
    import hashlib

    lines = export_bytes(tmp_path).decode().splitlines(keepends=True)
    curated_before = {e.key: e.curated_fields() for e in Essay.objects.all()}
    records = [json.loads(line) for line in lines[1:]]
    # Every text the backup holds, by digest: the snapshot's is one of them.
    texts = [r["text"] for r in records if r["type"] == "essay"]
    texts += [r["imported_text"] for r in records if r["type"] == "essay"]
    texts += [r["fields"]["text"] for r in records if r["type"] == "history" and r["model"] == "essay"]
    by_digest = {hashlib.sha256(text.encode()).hexdigest(): text for text in texts}
    old = [json.dumps({"type": "header", "format": "wenji-backup", "version": 3}) + "\n"]
    for record in records:
        if record["type"] == "essay" and "text_sha256" in record["imported"]:
            record["imported"]["text"] = by_digest[record["imported"].pop("text_sha256")]
        old.append(json.dumps(record, ensure_ascii=False) + "\n")
    assert old[1:] != lines[1:]
    path = tmp_path / "v3.jsonl"
    path.write_text("".join(old), encoding="utf-8")
    call_command("restore_essays", str(path), "--replace", "--no-index", stdout=io.StringIO())
    assert {e.key: e.curated_fields() for e in Essay.objects.all()} == curated_before
    assert export_bytes(tmp_path, "b.jsonl").decode().splitlines(keepends=True) == lines


def test_import_seeds_refuses_a_json_lines_file_by_name(db, write_file, run_import):
    code, out, err = run_import(write_file("old-backup.jsonl", '{"source": "a.txt", "position": 1}\n'))
    assert code == 1
    assert "old-backup.jsonl: refused: JSON, not an essay text file" in err
    assert not Essay.objects.exists()


def test_import_seeds_refuses_a_backup_by_name(curated, tmp_path, run_import):
    export_bytes(tmp_path)
    before = Essay.objects.count()
    code, out, err = run_import(tmp_path / "a.jsonl")
    assert code == 1
    assert "a.jsonl: refused: a Wenji backup; restore it with manage.py restore_essays" in err
    assert Essay.objects.count() == before


# -- into a fresh database, in another process ----------------------------------------------------

# On the PostgreSQL run, the chain goes through SQLite and back: a laptop's
# archive moving to production, and the other way.
CHAIN = ["sqlite", "postgresql"] if ON_POSTGRES else ["sqlite"]


def test_round_trip_into_fresh_databases_is_byte_identical(curated, tmp_path, scratch_database, manage):
    backup = export_bytes(tmp_path, "original.jsonl")
    assert_history_kept(backup)
    current = tmp_path / "original.jsonl"
    for step, vendor in enumerate(CHAIN):
        url = scratch_database(f"restore{step}", vendor=vendor)
        code, out, err = manage(url, "migrate", "--noinput", "-v", "0")
        assert code == 0, err
        # The curator's account is there (user accounts are not in the backup).
        code, out, err = manage(
            url, "shell", "-c", "from django.contrib.auth.models import User; User.objects.create_user('curator')"
        )
        assert code == 0, err
        code, out, err = manage(url, "restore_essays", current, index=tmp_path / f"index{step}")
        assert code == 0, err
        assert "restored 33 essays" in out and "Search index repaired: " in out
        assert "history records" in out and "lack" not in out
        again = tmp_path / f"again{step}.jsonl"
        code, out, err = manage(url, "export_essays", "--output", again)
        assert code == 0, err
        assert again.read_bytes() == backup, vendor
        current = again
