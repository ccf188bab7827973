"""An import's cost follows what it imports, not the archive: the statements
for a file do not grow with the archive or with the file's essays, and a file
still lands whole or not at all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from essays.importer import Importer
from essays.models import Essay, SourceFile

pytestmark = pytest.mark.django_db


def collection(name: str, count: int, offset: int = 0) -> str:
    essays = "".join(
        f"{n}、第{n + offset}篇\n这是第{n + offset}篇文章，讲述{n + offset}号社区志愿者的故事。第{n + offset}位志愿者在疫情中坚守岗位。\n"
        for n in range(1, count + 1)
    )
    return f"{name}\n{essays}"


def statements(write_file, name: str, content: str) -> int:
    """The statements storing the file (retagging at the end of the run is
    left out: how many tags change depends on the archive's vocabulary)."""
    path = write_file(name, content)
    importer = Importer(update_index=False, workers=0)
    stored: list[int] = []
    with CaptureQueriesContext(connection) as queries:
        report = importer.import_paths([path], progress=lambda _file: stored.append(len(queries)))
    assert not report.failed, report.summary()
    return stored[0]


def test_statements_per_file_stay_flat_as_the_archive_grows(search_index, write_file):
    statements(write_file, "a.txt", collection("甲", 3))
    small = statements(write_file, "b.txt", collection("乙", 10, offset=100))
    for n in range(6):
        statements(write_file, f"more{n}.txt", collection(f"丙{n}", 10, offset=200 + 10 * n))
    assert Essay.objects.count() == 73
    bigger = statements(write_file, "c.txt", collection("丁", 10, offset=900))
    assert bigger == small


def test_statements_do_not_grow_with_the_essays_of_a_file(search_index, write_file):
    statements(write_file, "seed.txt", collection("种", 3))
    few = statements(write_file, "few.txt", collection("少", 2, offset=100))
    many = statements(write_file, "many.txt", collection("多", 12, offset=200))
    assert many == few


def test_new_essays_get_one_history_row_each(search_index, write_file):
    statements(write_file, "h.txt", collection("史", 4))
    for essay in Essay.objects.all():
        rows = list(essay.history.all())
        assert [(r.history_type, r.history_change_reason) for r in rows] == [("+", "导入")]
        assert rows[0].title == essay.title and rows[0].text == essay.text


def test_copies_of_the_archive_and_of_the_same_file_find_the_main_copy(search_index, write_file):
    statements(write_file, "first.txt", collection("原", 2))
    original = Essay.objects.get(source__name="first.txt", position=2)
    text = original.text
    content = (
        f"副本\n1、新的\n完全不同的一篇新文章。\n2、抄一\n{text}\n3、新的二\n又一篇新文章，谈春天。\n4、抄二\n{text}\n"
    )
    statements(write_file, "copies.txt", content)
    copies = Essay.objects.filter(source__name="copies.txt").order_by("position")
    assert [e.duplicate_of_id for e in copies] == [None, original.pk, None, original.pk]
    assert [e.imported["duplicate_of"] for e in copies] == [None, original.key, None, original.key]
    # A copy only within the new file: the first of them is the main copy.
    statements(
        write_file, "twice.txt", "两次\n1、甲\n只在这个文件里出现两次的文章。\n2、乙\n只在这个文件里出现两次的文章。\n"
    )
    first, second = Essay.objects.filter(source__name="twice.txt").order_by("position")
    assert first.duplicate_of_id is None and second.duplicate_of_id == first.pk


def test_a_file_whose_insert_fails_lands_not_at_all(search_index, write_file, monkeypatch):
    from essays import importer

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "record_history_many", fail)
    path = write_file("half.txt", collection("半", 3))
    report = Importer(update_index=False, workers=0).import_paths([path])
    assert report.files[0].line() == "half.txt: refused: could not be stored (RuntimeError: disk full)"
    assert not SourceFile.objects.exists() and not Essay.objects.exists()


def test_the_runs_retag_writes_in_a_few_statements_and_counts_no_figures(search_index, monkeypatch):
    from essays import retagging
    from tests.conftest import SEEDS

    importer = Importer(update_index=False, workers=0)
    calls = []
    original = retagging.retag

    def capturing(*args, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            report = original(*args, **kwargs)
        calls.append([q["sql"] for q in queries])
        return report

    monkeypatch.setattr(retagging, "retag", capturing)
    report = importer.import_paths([SEEDS])
    assert not report.failed
    (sql,) = calls
    # executemany is logged as "N times: UPDATE ...".
    stamps = [s for s in sql if 'UPDATE "essays_essay" SET' in s]
    assert len(stamps) == 1 and stamps[0].startswith(f"{Essay.objects.count()} times"), stamps
    # A few statements for the whole run (it was one per essay, and the tag
    # figures of the whole archive, read twice, for a report the import
    # throws away), and two to keep the vocabulary it built (the change
    # form's suggestions and small imports read it).
    assert len(sql) <= 18, len(sql)
    assert Essay.objects.filter(tags__isnull=False).distinct().count() == Essay.objects.count()


def test_an_import_stores_and_tags_with_the_log_copied_beside_it(search_index, write_file, monkeypatch):
    """Every file's commit and the tags' commit happen within
    essays.checkpoints.checkpoints_beside: on SQLite the write-ahead log is
    copied into the database by a thread, not by the commits."""
    from contextlib import contextmanager

    from essays import importer, retagging

    inside = []
    events = []

    @contextmanager
    def watched(conn):
        assert conn is connection
        inside.append(True)
        try:
            yield None
        finally:
            inside.pop()

    store, retag = importer.Importer._store_prepared, retagging.retag
    monkeypatch.setattr(importer, "checkpoints_beside", watched)
    monkeypatch.setattr(
        importer.Importer, "_store_prepared", lambda self, p: events.append(("store", bool(inside))) or store(self, p)
    )
    monkeypatch.setattr(retagging, "retag", lambda *a, **k: events.append(("tags", bool(inside))) or retag(*a, **k))
    path = write_file("a.txt", collection("合集", 3))
    report = Importer(update_index=False, workers=0).import_paths([path])
    assert not report.failed, report.summary()
    assert events == [("store", True), ("tags", True)]
    assert not inside


def test_a_new_file_is_looked_up_once_and_copies_are_still_known(search_index, write_file):
    """One query finds both the file of the same name and another file with
    the same content (before: one query each, for every file)."""
    content = collection("甲", 3)
    write_file("a.txt", content)
    path = write_file("b.txt", collection("乙", 3, offset=10))
    with CaptureQueriesContext(connection) as queries:
        report = Importer(update_index=False, workers=0).import_paths([path.parent / "a.txt", path])
    assert not report.failed, report.summary()
    # The store's lookups by name or content (not the pool-less path's
    # check of the digest alone): one per file, and for a new file no
    # collection is read whole (raw text included).
    lookups = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"essays_sourcefile"."sha256" =' in q["sql"]
    ]
    assert len(lookups) == 2  # one per file
    assert not any('"essays_sourcefile"."raw_text"' in q["sql"] for q in queries if q["sql"].startswith("SELECT"))

    copy = write_file("c.txt", content)
    first, again = (
        Importer(update_index=False, workers=0).import_paths([p]).files[0] for p in (copy, path.parent / "a.txt")
    )
    assert (first.status, first.code, first.values) == ("unchanged", "same_content", {"twin": "a.txt"})
    # Its own name comes first: the file itself, unchanged (not a copy of c.txt).
    assert (again.status, again.code) == ("unchanged", "")


def test_the_writing_process_derives_nothing_from_the_texts_the_pool_prepared(search_index, monkeypatch):
    """Counts, placeholder flags, fingerprints and sentence hashes come with
    each essay from the pool (prepare): the process writing the rows, the
    import's slowest part, hashes no text of the file. Copies are still found
    and every stored value is what the text gives."""
    import hashlib

    from essays import importer as importer_module
    from essays import textutil

    sections = Importer().sections()
    first = importer_module.prepare("a.txt", collection("甲", 4).encode(), sections)
    # The second file repeats the first's second essay word for word, and has
    # a placeholder.
    content = (
        collection("乙", 3, offset=50)
        + "4、第2篇\n这是第2篇文章，讲述2号社区志愿者的故事。第2位志愿者在疫情中坚守岗位。\n"
    )
    content += "5、某某\n20__年，_县的志愿者们在疫情中坚守岗位，一直没有离开过。\n"
    second = importer_module.prepare("b.txt", content.encode(), sections)

    def refused(*args, **kwargs):
        raise AssertionError("a text of the file was worked on again while its rows were written")

    def hash_of_no_text(real):
        def hashed(data=b"", *args, **kwargs):
            if "志愿者".encode() in data:
                refused()
            return real(data, *args, **kwargs)

        return hashed

    monkeypatch.setattr(textutil, "text_facts", refused, raising=False)
    monkeypatch.setattr(textutil, "sentence_hashes", refused)
    for name in ("sha256", "blake2b"):
        monkeypatch.setattr(hashlib, name, hash_of_no_text(getattr(hashlib, name)))
    importer = Importer(update_index=False, workers=0)
    reports = [importer._store_prepared(first), importer._store_prepared(second)]
    monkeypatch.undo()

    assert [r.status for r in reports] == ["imported", "imported"], [r.reason for r in reports]
    for essay in Essay.objects.all():
        expected = textutil.text_facts(essay.text)
        assert (essay.char_count, essay.has_placeholders, essay.fingerprint) == expected[:3]
        assert bytes(essay.sentence_hashes) == expected.packed_hashes
    copy = Essay.objects.get(source__name="b.txt", position=4)
    assert copy.duplicate_of == Essay.objects.get(source__name="a.txt", position=2)
    assert Essay.objects.get(source__name="b.txt", position=5).has_placeholders
