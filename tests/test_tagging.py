"""Automatic tags worth browsing: a vocabulary built for the archive
(essays.tagging), applied by the importer and by ``manage.py retag``
without touching a curator's tags (essays.retagging)."""

import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from essays import retagging, tagging
from essays.importer import Importer
from essays.models import Essay, Tag
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db

FILLER_SEEN_IN_0_1 = ["任尔", "劲儿", "大妈", "枝头", "近几年", "易地"]


def essay_at(prefix, position):
    return Essay.objects.get(source__name__startswith=prefix, position=position)


def readable_uses() -> Counter:
    return Counter(
        name
        for e in Essay.objects.readable().prefetch_related("tags")
        for name in e.tags.values_list("name", flat=True)
    )


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_seed_archive_figures(imported):
    """At most 40 automatic tags, each on at least two readable essays,
    every essay with 3 to 6."""
    uses = readable_uses()
    assert 10 <= len(uses) <= 40, uses
    assert min(uses.values()) >= 2, [name for name, n in uses.items() if n < 2]
    for essay in Essay.objects.prefetch_related("tags"):
        assert 3 <= essay.tags.count() <= 6, (essay.title, list(essay.tags.all()))
    figures = retagging.figures()
    assert (figures.tags, figures.used_once, figures.fewest, figures.most) == (len(uses), 0, 3, 6)


def test_tag_report_prints_the_figures_before_and_after(imported):
    out = command("tag_report")
    before = re.search(r"per-essay keywords: (\d+) tags on (\d+) readable essays, (\d+) used once", out)
    after = re.search(r"archive vocabulary: (\d+) tags on (\d+) readable essays, (\d+) used once; (\d)-(\d)", out)
    assert before and after, out
    print(out)
    # jieba's keywords essay by essay: over a hundred tags, most used once.
    assert int(before[1]) > 100 and int(before[3]) > 80
    assert int(after[1]) <= 40 and int(after[3]) == 0 and (after[4], after[5]) == ("3", "6")
    assert re.search(rf"now: +{after[1]} tags", out)


def test_no_fragments_or_filler_and_names_and_places_kept(imported):
    names = set(Tag.objects.filter(essays__isnull=False).values_list("name", flat=True))
    assert not names & set(FILLER_SEEN_IN_0_1)
    assert {"张楠", "钟南山"} <= names  # people
    assert {"武汉", "北京"} <= names  # places
    assert "张楠" in [t.name for t in essay_at("000", 7).tags.all()]


def test_near_synonyms_are_folded(imported):
    names = set(Tag.objects.filter(essays__isnull=False).values_list("name", flat=True))
    assert "北京" in names and "北京市" not in names
    # 003's essays on Beijing all carry the one tag.
    assert all("北京" in [t.name for t in essay_at("003", n).tags.all()] for n in (1, 2, 3))
    assert "疫情防控" not in names and "抗击疫情" not in names


def test_folding_needs_the_two_words_in_the_same_essays():
    docs = {
        1: {"北京": [3, "place"], "北京市": [2, "place"], "冬天": [2, "term"]},
        2: {"北京": [2, "place"], "北京市": [2, "place"], "冬天": [2, "term"]},
        3: {"北京": [2, "place"], "冬天": [2, "term"]},
        4: {"英雄": [2, "term"], "冬天": [2, "term"]},
        5: {"英雄事迹": [2, "term"], "冬天": [2, "term"]},
        6: {"英雄": [2, "term"], "冬天": [2, "term"]},
    }
    assert tagging._fold_synonyms(docs, set(docs)) == {"北京市": "北京"}


def test_a_vocabulary_built_consuming_its_terms_is_the_same(imported):
    """retagging.vocabulary lets each essay's terms go once merged (they
    are held once, not twice): the vocabulary is the one built keeping them,
    and the merged terms share their (uses, kind) pairs."""
    docs = dict(Essay.objects.values_list("pk", "terms"))
    readable = set(Essay.objects.readable().values_list("pk", flat=True))
    kept = tagging.build_vocabulary({pk: dict(t) for pk, t in docs.items()}, readable)
    given = {pk: dict(t) for pk, t in docs.items()}
    consumed = tagging.build_vocabulary(given, readable, consume=True)
    assert given == {}
    for attribute in ("terms", "folded", "kinds", "assigned", "readable_count"):
        assert getattr(consumed, attribute) == getattr(kept, attribute), attribute
    assert list(consumed.assigned) == list(kept.assigned)
    assert consumed.folded  # the seeds have near-synonyms to fold
    assert retagging.vocabulary().assigned == kept.assigned
    corpus = tagging._corpus({pk: dict(t) for pk, t in docs.items()}, readable)
    pairs = [pair for terms in corpus.merged.values() for pair in terms.values()]
    assert all(isinstance(pair, tuple | list) and len(pair) == 2 for pair in pairs)
    folded_essays = [t for pk, t in corpus.merged.items() if not corpus.folded.keys().isdisjoint(docs[pk])]
    assert folded_essays
    made = [pair for terms in folded_essays for pair in terms.values()]
    assert len({id(pair) for pair in made}) == len(set(made))  # each pair made once


def test_merge_pairs_are_every_two_names_where_one_begins_or_ends_the_other():
    """Found from each name's beginnings and endings, they are the pairs
    comparing every name with every other finds (which grows with the
    square of the tags: 370 ms at 2,833)."""
    import random

    rng = random.Random(9)
    alphabet = "北京市人民英雄抗疫新冠肺炎武汉"
    names = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 5))) for _ in range(400)} | {"哈哈", "哈哈哈"}
    every_two = sorted(
        (a, b) for a in names for b in names if 2 <= len(a) < len(b) and (b.startswith(a) or b.endswith(a))
    )
    assert sorted(tagging.merge_pairs(names)) == every_two
    assert ("哈哈", "哈哈哈") in every_two and len(every_two) > 100


def test_merge_suggestions_offer_names_that_overlap(imported):
    suggestions = tagging.merge_suggestions({"肺炎": {1, 2}, "新冠肺炎": {3, 4, 5}, "武汉": {1}, "北京": {6}})
    assert suggestions == [("新冠肺炎", "肺炎", 0)]


def archive_grows(seeds_dir):
    """The seeds but 004, imported; then 004 arrives."""
    later = next(seeds_dir.glob("004_*.txt"))
    later.rename(seeds_dir.parent / later.name)
    report = Importer(update_index=False).import_paths([seeds_dir])
    assert not report.failed
    report = Importer(update_index=False).import_paths([seeds_dir.parent / later.name])
    assert not report.failed


def tags_now() -> dict[int, list[str]]:
    return {e.pk: sorted(t.name for t in e.tags.all()) for e in Essay.objects.prefetch_related("tags")}


def test_retag_dry_run_shows_changes_and_makes_none(db, search_index, seeds_dir):
    archive_grows(seeds_dir)
    before = tags_now()
    out = command("retag", "--dry-run")
    assert tags_now() == before
    changed = int(re.search(r"would change the tags of (\d+) essays \(dry run\)", out)[1])
    assert changed > 0
    assert re.search(r"^.+: [+-]\S+", out, re.M), out
    assert "before: " in out and "after: " in out
    out = command("retag")
    assert f"changed the tags of {changed} essays" in out
    assert tags_now() != before
    # Now the archive is as if imported in one go: each tag groups essays.
    assert min(readable_uses().values()) >= 2
    assert "changed the tags of 0 essays" in command("retag")


def test_retag_never_touches_tags_a_curator_set_or_removed(db, search_index, seeds_dir):
    archive_grows(seeds_dir)
    added = essay_at("000", 5)
    added.tags.add(Tag.objects.get_or_create(name="蜡梅")[0])
    removed = essay_at("000", 7)
    dropped = removed.tags.get(name="张楠")
    removed.tags.remove(dropped)
    kept_added = sorted(t.name for t in added.tags.all())
    kept_removed = sorted(t.name for t in removed.tags.all())
    assert "tags" in added.curated_fields() and "tags" in removed.curated_fields()
    report = retagging.retag()
    assert report.changes  # the archive grew: others changed
    assert sorted(t.name for t in essay_at("000", 5).tags.all()) == kept_added
    assert sorted(t.name for t in essay_at("000", 7).tags.all()) == kept_removed
    # Re-importing does not undo them either.
    Importer(update_index=False, force=True).import_paths([seeds_dir])
    assert sorted(t.name for t in essay_at("000", 7).tags.all()) == kept_removed


def test_retag_stamps_the_new_automatic_tags_and_keeps_the_rest_of_the_snapshot(db, search_index, seeds_dir):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    archive_grows(seeds_dir)
    before = {e.pk: e.imported for e in Essay.objects.all()}
    with CaptureQueriesContext(connection) as queries:
        report = retagging.retag()
    assert report.changes
    # The snapshot holds the text: retag reads only its tags, and the
    # database sets them in place.
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and "imported" in q["sql"]]
    whole_column = re.compile(r'(SELECT|,)\s*"essays_essay"\."imported"\s*(,|FROM)')
    assert reads and not any(whole_column.search(sql) for sql in reads), reads
    for essay in Essay.objects.prefetch_related("tags"):
        old = before[essay.pk]
        if essay.pk in report.changed:
            assert essay.imported["tags"] == sorted(t.name for t in essay.tags.all())
        assert {k: v for k, v in essay.imported.items() if k != "tags"} == {k: v for k, v in old.items() if k != "tags"}
        assert set(essay.imported) == set(old)
    assert "changed the tags of 0 essays" in command("retag")


def test_an_archive_imported_before_the_vocabulary_is_retagged(db, search_index, seeds_dir):
    """Essays imported by the old importer have no stored terms and one
    keyword set each: retag computes the terms and replaces the tags."""
    Importer(update_index=False).import_paths([SEEDS])
    Essay.objects.update(terms={})
    for essay in Essay.objects.all():
        names = ["任尔", "枝头"] if essay.pk % 2 else ["劲儿"]
        tags = [Tag.objects.get_or_create(name=n)[0] for n in names]
        essay.tags.set(tags)
        Essay.objects.filter(pk=essay.pk).update(imported={**essay.imported, "tags": sorted(names)})
    command("retag")
    assert not set(FILLER_SEEN_IN_0_1) & set(readable_uses())
    assert all(e.terms for e in Essay.objects.all())


# -- the tags' queue in the admin ----------------------------------------------------------------------


@pytest.fixture
def curator_client(client, db):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("curator", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="curators"))
    client.force_login(user)
    return client


def test_the_tags_queue_lists_tags_used_once_and_merge_suggestions(curator_client, imported):
    essay = essay_at("003", 1)
    essay.tags.add(Tag.objects.create(name="北京市"), Tag.objects.create(name="背水一战"))
    html = curator_client.get(reverse("admin:essays_tag_review")).content.decode()
    used_once = html[html.index('id="queue-used_once"') :]
    assert "背水一战" in used_once and "北京市" in used_once
    merge = html[html.index('id="queue-merge"') : html.index('id="queue-used_once"')]
    assert "“北京市”（1 篇）并入“北京”（3 篇）" in merge
    dashboard = curator_client.get(reverse("admin:index")).content.decode()
    assert re.search(r"只用在一篇文章上的标签</a></th>\s*<td class=\"tag-queue-count\">2<", dashboard)
    # Merging from the queue: the essays move, the old name redirects.
    keep, fold = Tag.objects.get(name="北京"), Tag.objects.get(name="北京市")
    curator_client.post(reverse("admin:essays_tag_merge_pair"), {"keep": keep.pk, "fold": fold.pk})
    assert not Tag.objects.filter(name="北京市").exists()
    html = curator_client.get(reverse("admin:essays_tag_review")).content.decode()
    assert "北京市" not in html[html.index('id="queue-merge"') :]
    once = curator_client.get(reverse("admin:essays_tag_changelist"), {"use": "once"}).context["cl"].result_list
    assert [t.name for t in once] == ["背水一战"]


def test_the_change_form_suggests_vocabulary_tags_not_fragments(curator_client, imported):
    essay = essay_at("000", 1)
    html = curator_client.get(reverse("admin:essays_essay_change", args=[essay.pk])).content.decode()
    offered = re.findall(r'class="button suggested-tag" name="_suggested_tag" value="([^"]+)"', html)
    assert offered
    assert not set(offered) & (set(FILLER_SEEN_IN_0_1) | {"集中力量"})
    assert not set(offered) & {t.name for t in essay.tags.all()}
    vocabulary = retagging.cached_vocabulary()
    known = [name for name in offered if name in vocabulary.terms]
    assert offered[: len(known)] == known  # tags that group essays come first


def test_working_through_the_tags_queue_reaches_zero(curator_client, imported):
    from essays.admin.tags import merge_suggestions, tag_queue_counts, tags_used_once

    essay = essay_at("003", 1)
    essay.tags.add(Tag.objects.create(name="北京市"), Tag.objects.create(name="背水一战"))
    assert dict((k, n) for k, _label, n in tag_queue_counts())["used_once"] == 2
    pairs = merge_suggestions()
    assert pairs
    # Merge the first suggestion, keep the others apart.
    first = pairs[0]
    curator_client.post(reverse("admin:essays_tag_merge_pair"), {"keep": first["keep"].pk, "fold": first["fold"].pk})
    for pair in merge_suggestions():
        curator_client.post(reverse("admin:essays_tag_keep"), {"tag": pair["fold"].pk, "other": pair["keep"].pk})
    for tag, _essay in tags_used_once():
        curator_client.post(reverse("admin:essays_tag_keep"), {"tag": tag.pk})
    assert [n for _k, _label, n in tag_queue_counts()] == [0, 0]
    html = curator_client.get(reverse("admin:essays_tag_review")).content.decode()
    assert html.count("队列已清空。") == 2
    dashboard = curator_client.get(reverse("admin:index")).content.decode()
    assert re.findall(r'<td class="tag-queue-count">(\d+)</td>', dashboard) == ["0", "0"]


# -- the vocabulary the change form suggests from --------------------------------------


def terms_reads(queries) -> list[str]:
    """Statements reading essays' terms (the vocabulary's build reads them all)."""
    return [q["sql"] for q in queries if '"essays_essay"."terms"' in q["sql"].split(" FROM ")[0]]


def test_an_import_remembers_the_vocabulary_its_retag_built(imported):
    from essays.models import TagVocabulary

    remembered = TagVocabulary.objects.get()
    built = retagging.vocabulary()
    assert remembered.terms == built.terms and remembered.folded == built.folded
    assert remembered.readable_count == built.readable_count == Essay.objects.readable().count()
    from django.db import connection

    with connection.cursor() as cursor:  # kept as Chinese, as every JSON column (no \\u escapes)
        cursor.execute("SELECT terms FROM essays_tagvocabulary")
        (raw,) = cursor.fetchone()
    assert "\\u" not in str(raw) and any(term in str(raw) for term in built.terms)


def test_the_change_form_suggests_without_reading_every_essays_terms(curator_client, imported):
    """After an import, opening an essay reads one row of vocabulary, not
    every essay's terms (at 20,000 essays that took over ten seconds,
    every ten minutes, in each web process)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    essay = essay_at("000", 1)
    with CaptureQueriesContext(connection) as queries:
        html = curator_client.get(reverse("admin:essays_essay_change", args=[essay.pk])).content.decode()
    assert 'class="button suggested-tag"' in html
    assert terms_reads(queries) == [] or all("WHERE" in sql for sql in terms_reads(queries)), terms_reads(queries)


def test_without_a_remembered_vocabulary_the_change_form_builds_it_once(curator_client, imported):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essays.models import TagVocabulary

    TagVocabulary.objects.all().delete()
    essay = essay_at("000", 1)
    url = reverse("admin:essays_essay_change", args=[essay.pk])
    first = curator_client.get(url).content.decode()
    assert TagVocabulary.objects.get().terms == retagging.vocabulary().terms
    with CaptureQueriesContext(connection) as queries:
        again = curator_client.get(url).content.decode()
    assert all("WHERE" in sql for sql in terms_reads(queries)), terms_reads(queries)
    offered = re.compile(r'name="_suggested_tag" value="([^"]+)"')
    assert offered.findall(first) == offered.findall(again) != []


def test_a_retag_remembers_its_vocabulary_and_a_dry_run_does_not(imported):
    from essays.models import TagVocabulary

    TagVocabulary.objects.all().delete()
    retagging.retag(dry_run=True)
    assert not TagVocabulary.objects.exists()
    report = retagging.retag()
    assert TagVocabulary.objects.get().terms == report.vocabulary.terms
    assert retagging.cached_vocabulary().terms == report.vocabulary.terms


def one_seed_again() -> bytes:
    """A seed file with three sentences changed: new to the archive, essays
    and all, about what the archive is about."""
    data = sorted(SEEDS.glob("*.txt"))[1].read_bytes().decode("utf-8")
    return data.replace("。", "，真的。", 3).encode("utf-8")


def import_again():
    """Store one_seed_again, then finish the run as an import does; return
    (the file's report, the statements the finish ran)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from essays.importer import ImportReport

    importer = Importer(update_index=False)
    stored = importer.import_bytes("again.txt", one_seed_again())
    assert stored.status == "imported" and stored.created
    with CaptureQueriesContext(connection) as queries:
        importer.finish(ImportReport(files=[stored]))
    return stored, queries


def test_a_small_import_into_a_large_archive_tags_from_the_remembered_vocabulary(imported, monkeypatch):
    """A file added to a large archive (here: the share monkeypatched up to
    what a 50-essay archive needs) is tagged from the vocabulary the last
    full build remembered, reading only its own essays' terms; the
    remembered vocabulary is left as it was."""
    from essays.models import TagVocabulary

    monkeypatch.setattr(retagging, "INCREMENTAL_SHARE", 0.5)
    remembered = TagVocabulary.objects.get()
    stored, queries = import_again()
    assert all("WHERE" in sql for sql in terms_reads(queries)), terms_reads(queries)
    vocab = retagging.cached_vocabulary()
    for essay in Essay.objects.filter(pk__in=stored.created_ids).prefetch_related("tags"):
        tags = sorted(t.name for t in essay.tags.all())
        assert tags == tagging.choose_tags(essay.terms, vocab, vocab.readable_count)
        assert 0 < len(tags) <= tagging.MAX_TAGS
        assert set(tags) <= set(vocab.terms)
    assert TagVocabulary.objects.get().built == remembered.built


def test_a_large_import_builds_the_vocabulary_again(imported):
    """Ten essays into fifty: more than INCREMENTAL_SHARE, so the run's
    vocabulary is built from every essay's terms and remembered."""
    from essays.models import TagVocabulary

    remembered = TagVocabulary.objects.get()
    _stored, queries = import_again()
    assert any("WHERE" not in sql for sql in terms_reads(queries))
    assert TagVocabulary.objects.get().built > remembered.built


def _candidate_terms_read_plainly(title: str, text: str) -> dict:
    """candidate_terms as its rule reads: each word of the title (thrice),
    then of the text, judged on its own (no verdict kept)."""
    from essays.textutil import cut, sync_parts_of_speech, to_simplified

    sync_parts_of_speech()
    counts, kinds = Counter(), {}
    for weight, words in ((tagging.TITLE_WEIGHT, cut(to_simplified(title))), (1, cut(to_simplified(text)))):
        for word in words:
            found = tagging._term_kind(word)
            if found is not None:
                counts[found[0]] += weight
                kinds[found[0]] = found[1]
    return {word: [n, kinds[word]] for word, n in counts.items()}


def test_candidate_terms_are_the_plain_reading_of_the_rule_in_order(imported):
    """Verdicts are kept per word and looked up in C (essays.textutil.TERM_KINDS):
    the terms, their counts, kinds and order are those of the plain reading."""
    for essay in Essay.objects.all()[:40]:
        made = tagging.candidate_terms(essay.title, essay.text)
        expected = _candidate_terms_read_plainly(essay.title, essay.text)
        assert list(made.items()) == list(expected.items())
    words = ["北京", None, "北京", "疫情", "我们", "张文宏"]
    assert tagging.candidate_terms("", "", words=words) == {
        "北京": [4, "place"],
        "疫情": [1, "term"],
        "张文宏": [1, "name"],
    }
