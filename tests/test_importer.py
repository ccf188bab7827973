"""import_seeds: the seeds land right, bad files are refused by name, re-runs
change nothing a curator did."""

import pytest

from essays.importer import Importer
from essays.models import Essay, Section, SourceFile, Tag, essay_key
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db


def essay_at(prefix, position):
    return Essay.objects.get(source__name__startswith=prefix, position=position)


# -- the seeds ----------------------------------------------------------------------


def test_seed_import_creates_every_essay(imported):
    assert SourceFile.objects.count() == 5
    counts = {s.name[:3]: s.essays.count() for s in SourceFile.objects.all()}
    assert counts == {"000": 10, "001": 5, "002": 10, "003": 3, "004": 5}
    assert imported.summary() == (
        "files: 5 imported, 0 unchanged, 0 failed; essays: 33 created, 0 updated, 0 unchanged"
    )


def test_collections_keep_title_intro_author_and_raw_text(imported):
    third = SourceFile.objects.get(name__startswith="003")
    assert third.title == "北京抗疫纪录片《背水一战》观后感范文"
    assert "下面是小编为大家整理的" in third.intro
    assert third.encoding == "utf-8"
    assert third.raw_text.startswith("北京抗疫纪录片《背水一战》观后感范文\n")
    assert len(third.sha256) == 64
    assert SourceFile.objects.get(name__startswith="004").author == "马振华老师"


def test_author_line_is_the_author_of_the_files_essays(imported):
    assert set(Essay.objects.filter(source__name__startswith="004").values_list("author", flat=True)) == {"马振华老师"}
    assert essay_at("002", 6).author == "付曙华"


def test_exact_duplicate_is_linked_and_kept_out_of_listings(imported):
    original, copy = essay_at("002", 1), essay_at("002", 7)
    assert copy.duplicate_of == original
    assert original.duplicate_of is None
    assert copy not in Essay.objects.readable()
    assert Essay.objects.readable().count() == 32


def test_near_duplicate_is_flagged_for_review(db, search_index, write_file):
    base = "".join(f"这是第{i}句话，讲的是抗击疫情的故事和平凡英雄的事迹。" for i in range(30))
    changed = base.replace("第3句话", "第三句话")
    path = write_file("near.txt", f"近似合集\n1、原文\n{base}\n2、改动\n{changed}\n3、无关\n完全不同的内容。\n")
    report = Importer().import_paths([path])
    assert not report.failed
    first, second, third = Essay.objects.order_by("position")
    assert second.near_duplicate_of == first
    assert second.similarity >= 0.9
    assert second.duplicate_of is None
    assert third.near_duplicate_of is None


def test_boilerplate_sentences_neither_hide_nor_make_near_duplicates(db, search_index, write_file, monkeypatch):
    """Sentences held by many essays are left out of the candidate count (it
    would make an import quadratic): a real near copy is still found, and
    essays sharing only boilerplate are not near copies."""
    from essays import importer

    monkeypatch.setattr(importer, "COMMON_SENTENCE_HOLDERS", 3)
    boilerplate = "下面是小编为大家整理的心得体会范文，欢迎大家阅读参考。"
    base = "".join(f"这是第{i}句话，讲的是抗击疫情的故事和平凡英雄的事迹。" for i in range(30))
    essays = [f"{boilerplate}{base}", f"{boilerplate}{base.replace('第3句话', '第三句话')}"]
    essays += [
        f"{boilerplate}{text}"
        for text in (
            "春天的田野里，农民们忙着播种，希望在泥土里发芽。",
            "医护人员日夜坚守在病房，用汗水守护生命的防线。",
            "山村小学的孩子们第一次用上了电脑，眼睛里闪着光。",
            "老党员翻开发黄的笔记本，讲起当年修路的故事。",
            "志愿者穿梭在社区楼道，把蔬菜送到居民的门口。",
        )
    ]
    body = "".join(f"{n}、标题{n}\n{text}\n" for n, text in enumerate(essays, start=1))
    report = Importer().import_paths([write_file("boiler.txt", f"样板合集\n{body}")])
    assert not report.failed
    first, second, *others = Essay.objects.order_by("position")
    assert second.near_duplicate_of == first
    assert all(e.near_duplicate_of is None for e in others)


def test_placeholders_are_flagged(imported):
    flagged = {(e.source.name[:3], e.position) for e in Essay.objects.filter(has_placeholders=True)}
    assert {("000", 2), ("000", 3), ("002", 6), ("004", 1)} <= flagged
    assert ("003", 1) not in flagged


def test_keys_are_short_stable_and_url_safe(imported):
    essay = essay_at("000", 1)
    assert essay.key == essay_key("000_7d05368c0c8b9bdb.txt", 1)
    assert len(essay.key) == 10 and essay.key.isalnum() and essay.key.islower()
    assert essay.get_absolute_url() == f"/essays/{essay.key}/"
    assert Essay.objects.values("key").distinct().count() == 33


def test_every_essay_gets_a_section_and_three_to_six_tags(imported):
    assert Section.objects.count() >= 4
    for essay in Essay.objects.prefetch_related("tags"):
        assert essay.section is not None, essay.title
        assert 3 <= essay.tags.count() <= 6, (essay.title, list(essay.tags.all()))
    assert essay_at("000", 4).section.name == "脱贫攻坚"
    assert essay_at("002", 6).section.name == "英雄事迹"
    assert essay_at("001", 1).section.name == "抗击疫情"
    assert "张楠" in [t.name for t in essay_at("000", 7).tags.all()]


def test_counts_and_flags_follow_the_text(imported):
    essay = essay_at("003", 1)
    assert essay.char_count == sum(len(p) for p in essay.paragraphs)
    assert essay.text == "\n".join(essay.paragraphs)
    assert not essay.title_derived
    assert essay_at("000", 1).title_derived


# -- re-running -------------------------------------------------------------------------


def test_reimport_skips_unchanged_files(imported):
    keys = list(Essay.objects.order_by("pk").values_list("pk", "key", "updated"))
    report = Importer().import_paths([SEEDS])
    assert report.count("unchanged") == 5
    assert report.summary().endswith("essays: 0 created, 0 updated, 33 unchanged")
    assert list(Essay.objects.order_by("pk").values_list("pk", "key", "updated")) == keys


def test_changed_file_updates_in_place_with_the_same_keys(db, search_index, seeds_dir):
    Importer().import_paths([seeds_dir])
    keys = dict(Essay.objects.values_list("pk", "key"))
    path = next(seeds_dir.glob("003_*.txt"))
    path.write_text(path.read_text(encoding="utf-8").replace("6月11日以来", "6月11日起"), encoding="utf-8")
    report = Importer().import_paths([seeds_dir])
    assert report.summary() == "files: 1 imported, 4 unchanged, 0 failed; essays: 0 created, 1 updated, 32 unchanged"
    assert dict(Essay.objects.values_list("pk", "key")) == keys
    assert essay_at("003", 1).paragraphs[0].startswith("6月11日起")


def test_curator_edits_survive_a_reimport_of_a_changed_file(db, search_index, seeds_dir):
    Importer().import_paths([seeds_dir])
    essay = essay_at("002", 2)
    other_section = Section.objects.exclude(pk=essay.section_id).first()
    essay.title = "一线天：致敬社区工作者"
    essay.text = essay.text.replace("一线天,", "一线天，", 1)
    essay.section = other_section
    essay.status = Essay.Status.HIDDEN
    essay.save()
    essay.tags.set([Tag.objects.get_or_create(name="社区")[0]])
    copy = essay_at("002", 7)
    copy.duplicate_of = None  # the curator decides it is not a duplicate
    copy.save()

    path = next(seeds_dir.glob("002_*.txt"))
    # The source changes every essay of the file, including the curated ones.
    path.write_text(path.read_text(encoding="utf-8").replace("疫情", "疫情 "), encoding="utf-8")
    report = Importer().import_paths([path])
    assert not report.failed

    essay.refresh_from_db()
    assert essay.title == "一线天：致敬社区工作者"
    assert essay.text.startswith("一线天，因两壁夹峙")
    assert essay.section == other_section
    assert essay.status == Essay.Status.HIDDEN
    assert [t.name for t in essay.tags.all()] == ["社区"]
    assert set(essay.curated_fields()) == {"title", "text", "section", "status", "tags"}
    copy.refresh_from_db()
    assert copy.duplicate_of is None
    # Fields nobody touched did follow the file.
    assert "疫情 " in essay_at("002", 3).text


def test_a_row_keeps_the_imported_text_once_and_its_digest_tells_a_curators_text(db, search_index, write_file):
    """The import snapshot keeps the text it wrote as its digest: the text
    itself is ``imported_text`` (it was stored a third time in the snapshot).
    A curator's change, new paragraph breaks alone included, is still told
    from the importer's text, and a re-import leaves it alone."""
    import hashlib

    path = write_file("one.txt", "合集\n1、甲\n第一段的内容。\n第二段的内容。\n2、乙\n另一篇的内容。\n")
    Importer().import_paths([path])
    first, second = Essay.objects.order_by("position")
    assert "text" not in first.imported
    assert first.imported["text_sha256"] == hashlib.sha256(first.text.encode()).hexdigest()
    assert first.imported_text == first.text and first.curated_fields() == []

    first.text = first.text.replace("\n", "\n\n")  # the same words, a blank line between
    first.save()
    assert first.curated_fields() == ["text"]
    path.write_text("合集\n1、甲\n第一段的新内容。\n2、乙\n另一篇的新内容。\n", encoding="utf-8")
    report = Importer().import_paths([path])
    assert report.files[0].status == "updated"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "第一段的内容。\n\n第二段的内容。" and first.curated_fields() == ["text"]
    assert second.text == "另一篇的新内容。" and second.curated_fields() == []
    assert second.imported["text_sha256"] == hashlib.sha256("另一篇的新内容。".encode()).hexdigest()


def test_essays_gone_from_a_file_are_hidden_not_deleted(db, search_index, write_file):
    path = write_file("two.txt", "合集\n1、甲\n第一篇的内容。\n2、乙\n第二篇的内容。\n")
    Importer().import_paths([path])
    path.write_text("合集\n1、甲\n第一篇的内容。\n", encoding="utf-8")
    report = Importer().import_paths([path])
    assert report.files[0].retired == 1
    assert Essay.objects.get(position=2).status == Essay.Status.HIDDEN


# -- bad files ----------------------------------------------------------------------------


def test_bad_files_are_refused_by_name_while_good_ones_land(db, search_index, write_file, run_import, tmp_path):
    write_file("good.txt", "好文章\n1、其一\n这是一篇好文章。\n")
    write_file("empty.txt", b"")
    write_file("blank.txt", "  \n\u3000\n")
    write_file("binary.txt", b"\x00\x01\x02PK\x03\x04" * 20)
    write_file("title-only.txt", "只有标题\n")
    write_file("latin.txt", b"\xff\xfe\xfd garbage \xff" * 10)
    code, out, err = run_import(tmp_path / "in")
    assert code == 1
    lines = err.strip().splitlines()
    assert lines == [
        "binary.txt: refused: binary data (NUL bytes), not a text file",
        "blank.txt: refused: contains only whitespace",
        "empty.txt: refused: empty file",
        "latin.txt: refused: does not look like Chinese text in any known encoding (best guess utf-16)",
        "title-only.txt: refused: no essay found (only a title, headings or an editor's note)",
    ]
    assert "Traceback" not in out + err
    assert out.strip().splitlines()[-1] == (
        "files: 1 imported, 0 unchanged, 5 failed; essays: 1 created, 0 updated, 0 unchanged"
    )
    assert list(SourceFile.objects.values_list("name", flat=True)) == ["good.txt"]


def test_oversized_missing_and_unreadable_files(db, search_index, write_file, run_import, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    big = write_file("big.txt", "大" * 200)
    code, out, err = run_import(big, tmp_path / "missing.txt", tmp_path)
    assert code == 1
    assert "big.txt: refused: too large (600 bytes; the limit is 100)" in err
    assert f"{tmp_path / 'missing.txt'}: refused: no such file or folder" in err


def test_unreadable_file_is_named(db, search_index, write_file, run_import, monkeypatch):
    path = write_file("secret.txt", "标题\n内容。\n")
    real_read = type(path).read_bytes

    def read_bytes(self):
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(type(path), "read_bytes", read_bytes)
    code, _, err = run_import(path)
    assert code == 1
    assert f"{path}: refused: unreadable (Permission denied)" in err


def test_a_file_lands_whole_or_not_at_all(db, search_index, write_file, monkeypatch):
    path = write_file("half.txt", "合集\n1、甲\n第一篇的内容。\n2、乙\n第二篇的内容。\n")
    original = Importer._store_essay

    def fail_on_second(self, source, position, *args):
        if position == 2:
            raise RuntimeError("disk full")
        return original(self, source, position, *args)

    monkeypatch.setattr(Importer, "_store_essay", fail_on_second)
    report = Importer().import_paths([path])
    assert report.files[0].line() == "half.txt: refused: could not be stored (RuntimeError: disk full)"
    assert not SourceFile.objects.exists()
    assert not Essay.objects.exists()


def test_no_txt_files_is_an_error(db, tmp_path, run_import):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no .txt files found"):
        run_import(tmp_path)


def test_markup_is_stored_as_is(db, search_index, write_file):
    path = write_file("markup.txt", "标记\n1、脚本\n<script>alert(1)</script> &amp; 正文。\n")
    Importer().import_paths([path])
    assert Essay.objects.get().text == "<script>alert(1)</script> &amp; 正文。"


# -- search follows the import -------------------------------------------------------------


def test_search_finds_imported_essays(indexed):
    from haystack.query import SearchQuerySet

    results = SearchQuerySet().models(Essay).filter(content="钟南山")
    keys = {r.key for r in results}
    assert essay_at("004", 5).key in keys
    # Duplicates are not in the index: only the first copy is found.
    keys = {r.key for r in SearchQuerySet().models(Essay).filter(content="方言实用手册")}
    assert keys == {essay_at("002", 1).key}


def test_force_reparses_unchanged_files_and_keeps_curator_edits(imported):
    source = SourceFile.objects.get(name__startswith="000")
    source.title = "旧的解析结果"
    source.save()
    essay = essay_at("000", 3)
    essay.title = "策展人的标题"
    essay.save()
    assert Importer().import_paths([SEEDS]).count("unchanged") == 5  # by hash, nothing to do
    report = Importer(force=True).import_paths([SEEDS])
    assert report.count("updated") == 1 and report.count("unchanged") == 4
    source.refresh_from_db()
    assert source.title == "全国脱贫攻坚先进事迹报告会心得体会"
    assert essay_at("000", 3).title == "策展人的标题"


def test_an_import_leaves_the_planner_statistics_fresh(imported):
    """Without statistics SQLite sorts whole rows (the text included) instead
    of walking the listing indexes; an import runs ANALYZE."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'essays_essay'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'essays_essay' AND attname = 'status'")
        assert cursor.fetchone()[0] > 0


# -- layouts and doubtful cuts ------------------------------------------------------------


def _layout_file(heading, count=3, extra=""):
    from tests import layout_samples

    return layout_samples.headed_file(heading, count=count) + extra


def test_a_file_headed_pian_imports_as_separate_essays(db, search_index, write_file):
    from tests.layout_samples import ESSAYS

    path = write_file("pian.txt", _layout_file(lambda n, t: f"【篇{'一二三'[n - 1]}】{t}").encode("utf-16"))
    report = Importer().import_paths([path])
    assert not report.failed
    source = SourceFile.objects.get()
    assert source.encoding == "utf-16"
    assert [e.title for e in source.essays.order_by("position")] == [e.title for e in ESSAYS[:3]]
    assert not any(e.text.startswith("【篇") for e in source.essays.all())
    assert source.cut_doubts == []


def test_nul_characters_are_stripped_before_storing(db, search_index, write_file):
    text = _layout_file(lambda n, t: f"{n}、{t}").replace("读书", "读\x00书", 1)
    report = Importer().import_paths([write_file("nul.txt", text.encode("utf-16"))])
    assert not report.failed, report.files[0].line()
    source = SourceFile.objects.get()
    assert "\x00" not in source.raw_text
    assert "读书" in source.raw_text
    assert Essay.objects.get(position=1).title == "读书让我看见更大的世界"


def test_a_doubtful_cut_is_imported_stored_and_queued_for_review(db, search_index, write_file):
    from essays.cutreview import doubt_message

    write_file("sure.txt", _layout_file(lambda n, t: f"{n}、{t}"))
    doubtful = write_file("doubtful.txt", _layout_file(lambda n, t: f"{n}、{t}", extra="4、附记\n本文来源于网络。\n"))
    report = Importer().import_paths([doubtful.parent])
    assert not report.failed
    lines = {f.name: f.line() for f in report.files}
    assert lines["doubtful.txt"].endswith("; cut to review: essay 4 has only 8 characters")
    assert "cut to review" not in lines["sure.txt"]

    queued = list(SourceFile.objects.needs_cut_review())
    assert [s.name for s in queued] == ["doubtful.txt"]
    assert queued[0].essays.count() == 4  # imported all the same
    doubt = queued[0].cut_doubts[0]
    assert (doubt["code"], doubt["essay"], doubt["values"]) == ("short_essay", 3, {"chars": 8})
    assert doubt_message(doubt) == "第 4 篇只有 8 字，可能不是一篇文章。"


def test_a_fixed_file_leaves_the_review_queue(db, search_index, write_file):
    path = write_file("fix.txt", _layout_file(lambda n, t: f"{n}、{t}", extra="4、附记\n本文来源于网络。\n"))
    Importer().import_paths([path])
    assert SourceFile.objects.needs_cut_review().count() == 1
    path.write_text(_layout_file(lambda n, t: f"{n}、{t}"), encoding="utf-8")
    report = Importer().import_paths([path])
    assert report.files[0].doubts == []
    assert not SourceFile.objects.needs_cut_review().exists()


def test_the_seeds_have_no_doubtful_cut(imported):
    assert not SourceFile.objects.needs_cut_review().exists()
    assert all(not f.doubts for f in imported.files)
