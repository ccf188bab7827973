"""Near-duplicate detection with the compact sentence index gives what the
dict of sets of every holder gave (tests/test_sentence_index.py Reference):
the same duplicate_of, near_duplicate_of and similarity for every essay, on
a corpus of copies and near copies within one file and across files and
runs, with boilerplate sentences, re-imports and a file rolled back."""

import random

import pytest

from essays import importer
from essays.importer import Importer
from essays.models import Essay, SourceFile, Tag
from tests.test_sentence_index import Reference

pytestmark = pytest.mark.django_db

PLACES = "武汉 北京 上海 广州 成都 西安 长沙 南京 杭州 重庆 郑州 济南".split()
DEEDS = "守护生命 坚守岗位 送菜上门 日夜值守 逆行出征 修路架桥 扶贫攻坚 教书育人".split()
BOILERPLATE = "下面是小编为大家整理的心得体会范文，欢迎大家阅读参考。"


def sentence(rng: random.Random) -> str:
    n = rng.randrange(10_000)
    return f"{rng.choice(PLACES)}的第{n}位志愿者{rng.choice(DEEDS)}，平凡的人做着不平凡的事。"


def corpus(seed: int = 7) -> list[list[str]]:
    """Files of essays (each a list of sentences): originals, exact copies
    and near copies (a sentence or two changed, added or dropped) of earlier
    essays of the same file or of another, and boilerplate on many."""
    rng = random.Random(seed)
    pool = [sentence(rng) for _ in range(120)]
    made: list[list[str]] = []
    files = []
    for _file in range(5):
        essays = []
        for _ in range(12):
            roll = rng.random()
            if made and roll < 0.15:
                essay = list(rng.choice(made))  # an exact copy
            elif made and roll < 0.55:
                essay = list(rng.choice(made))  # a near copy (or not so near)
                for _edit in range(rng.randint(1, 4)):
                    where = rng.randrange(len(essay))
                    what = rng.random()
                    if what < 0.4:
                        essay[where] = sentence(rng)
                    elif what < 0.7:
                        essay.insert(where, rng.choice(pool))
                    elif len(essay) > 3:
                        del essay[where]
            else:
                essay = rng.sample(pool, rng.randint(4, 12))
            if rng.random() < 0.3 and BOILERPLATE not in essay:
                essay.insert(0, BOILERPLATE)
            essays.append(essay)
            made.append(essay)
        files.append(essays)
    return files


def write(folder, name: str, essays: list[list[str]]):
    body = "".join(f"{n}、标题{n}\n{''.join(sentences)}\n" for n, sentences in enumerate(essays, start=1))
    path = folder / name
    path.write_text(f"{name}合集\n{body}", encoding="utf-8")
    return path


def outcome():
    def place(essay):
        return (essay.source.name, essay.position) if essay else None

    return {
        place(e): (place(e.duplicate_of), place(e.near_duplicate_of), e.similarity)
        for e in Essay.objects.select_related("source", "duplicate_of__source", "near_duplicate_of__source")
    }


def run_all(tmp_path, monkeypatch, label: str, index_class):
    """Two runs: three files (the first of them rolled back once), then two
    more and a changed first file (the index read from the database)."""
    monkeypatch.setattr(importer, "SentenceIndex", index_class)
    folder = tmp_path / label
    folder.mkdir()
    files = corpus()
    first = [write(folder, f"f{n}.txt", essays) for n, essays in enumerate(files[:3])]
    runner = Importer(update_index=False, workers=0)
    real_store = Importer._store_essay
    failed = []

    def failing_once(self, source, position, *args):
        if source.name == "f1.txt" and position == 9 and not failed:
            failed.append(position)
            raise RuntimeError("disk full")
        return real_store(self, source, position, *args)

    monkeypatch.setattr(Importer, "_store_essay", failing_once)
    report = runner.import_paths(first)
    assert [f.status for f in report.files] == ["imported", "failed", "imported"]
    report = runner.import_paths(first)  # the same importer: its index rebuilt after the rollback
    monkeypatch.setattr(Importer, "_store_essay", real_store)
    changed = [list(essay) for essay in files[0]]
    changed[2] = changed[2][:-1] + [sentence(random.Random(1))]
    changed[5] = list(files[3][4])
    second = [write(folder, "f0.txt", changed), *(write(folder, f"f{n}.txt", files[n]) for n in (3, 4))]
    report = Importer(update_index=False, workers=0).import_paths(second)
    assert not report.failed
    found = outcome()
    Essay.objects.all().delete()
    SourceFile.objects.all().delete()
    Tag.objects.all().delete()
    return found


@pytest.mark.parametrize("common", [3, 50])
def test_the_compact_index_finds_what_every_holder_found(tmp_path, monkeypatch, search_index, common):
    monkeypatch.setattr(importer, "COMMON_SENTENCE_HOLDERS", common)
    expected = run_all(tmp_path, monkeypatch, "reference", Reference)
    found = run_all(tmp_path, monkeypatch, "compact", importer.SentenceIndex)
    assert found == expected
    # Not vacuous: copies and near copies, within a file and across files.
    near = {place: near for place, (_dup, near, _ratio) in found.items() if near}
    assert sum(1 for dup, _near, _ratio in found.values() if dup) >= 5
    assert any(place[0] == other[0] for place, other in near.items())
    assert any(place[0] != other[0] for place, other in near.items())
    assert len(near) >= 5


# -- the hashes an essay's row keeps ---------------------------------------------------


def near_copy_of(text: str) -> str:
    """The text with one sentence changed: a near copy (ratio over 0.9)."""
    first = text.index("。")
    return text[:first] + "，说得好" + text[first:]


def test_an_essays_row_keeps_the_hashes_of_its_text(imported):
    from essays import textutil

    essay = Essay.objects.filter(duplicate_of=None).first()
    assert textutil.unpack_hashes(essay.sentence_hashes) == textutil.sentence_hashes(essay.text)
    essay.text = essay.text + "\n\n又添了一段新的文字，足够长的一个句子。"
    essay.save()
    essay.refresh_from_db()
    assert textutil.unpack_hashes(essay.sentence_hashes) == textutil.sentence_hashes(essay.text)


def test_an_import_reads_the_archives_hashes_not_its_texts(imported, monkeypatch):
    """A file added to the archive is checked for near copies against the
    hashes the essays' rows keep: only its own texts are hashed."""
    from essays import textutil

    original = Essay.objects.filter(duplicate_of=None, char_count__gt=300).order_by("pk").first()
    hashed = []
    real = textutil.text_facts
    monkeypatch.setattr(textutil, "text_facts", lambda text, *a, **k: hashed.append(text) or real(text, *a, **k))
    report = Importer(update_index=False).import_bytes(
        "copy.txt", f"一篇近似的文章\n\n{near_copy_of(original.text)}\n".encode()
    )
    assert report.status == "imported", report
    copy = Essay.objects.get(source__name="copy.txt")
    assert copy.near_duplicate_of_id == original.pk
    assert set(hashed) <= {copy.text}, len(hashed)


def test_rows_stored_before_the_hashes_were_kept_are_filled_in(imported):
    from essays import textutil

    Essay.objects.update(sentence_hashes=None)
    original = Essay.objects.filter(duplicate_of=None, char_count__gt=300).order_by("pk").first()
    Importer(update_index=False).import_bytes("copy.txt", f"一篇近似的文章\n\n{near_copy_of(original.text)}\n".encode())
    assert Essay.objects.get(source__name="copy.txt").near_duplicate_of_id == original.pk
    for essay in Essay.objects.filter(duplicate_of=None):
        assert textutil.unpack_hashes(essay.sentence_hashes) == textutil.sentence_hashes(essay.text), essay.key


def test_a_text_saved_by_itself_takes_its_hashes_along(imported):
    """save(update_fields=["text"]) writes the fields that follow from the
    text, the hashes among them."""
    from essays import textutil

    essay = Essay.objects.filter(duplicate_of=None).first()
    essay.text = "完全不同的一篇文章，写的是另一件事情。\n\n第二段也是新的内容，没有旧的句子。"
    essay.save(update_fields=["text"])
    assert textutil.unpack_hashes(Essay.objects.get(pk=essay.pk).sentence_hashes) == textutil.sentence_hashes(
        essay.text
    )


def test_saving_after_the_importer_refreshed_hashes_the_text_once(imported, monkeypatch):
    from essays import textutil

    essay = Essay.objects.filter(duplicate_of=None).first()
    essay.text = essay.text + "\n\n又添了一段新的文字，足够长的一个句子。"
    essay.refresh_derived_fields(textutil.text_facts(essay.text))
    hashed = []
    real = textutil.text_facts
    monkeypatch.setattr(textutil, "text_facts", lambda text, *a, **k: hashed.append(text) or real(text, *a, **k))
    essay.save()
    assert hashed == []
    essay.text = essay.text + "\n\n再改一次。这一句也够长了吧，对的。"
    essay.save()  # a new text: refreshed
    assert hashed == [essay.text]
    assert textutil.unpack_hashes(Essay.objects.get(pk=essay.pk).sentence_hashes) == textutil.sentence_hashes(
        essay.text
    )


def test_an_import_lets_go_of_the_archives_sentences_before_its_tags(tmp_path, monkeypatch, search_index):
    """Every stored essay's sentences (millions at 100,000 essays) serve the
    files' storing only: the vocabulary's process and the index's pool are
    forked without them. The same importer reads them again for more files."""
    from essays import retagging

    files = corpus()
    runner = Importer(update_index=False, workers=0)
    held = []
    real = retagging.retag

    def retag(*args, **kwargs):
        held.append(runner._sentence_index)
        return real(*args, **kwargs)

    monkeypatch.setattr(retagging, "retag", retag)
    assert not runner.import_paths([write(tmp_path, "f0.txt", files[0])]).failed
    assert held == [None]
    copy = [list(essay) for essay in files[0][:3]]
    report = runner.import_paths([write(tmp_path, "copy.txt", copy)])
    assert report.files[0].status == "imported"
    copies = Essay.objects.filter(source__name="copy.txt")
    assert copies.count() == 3 and all(essay.duplicate_of_id for essay in copies)
