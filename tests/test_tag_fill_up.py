"""tagging._fill_up takes, for an essay with too few tags, the term a plain
reading of its rule gives (``reference_fill_up`` below: every term weighed
and every partner asked again for each tag added), on random archives and
on the bench corpus's terms."""

import copy
from collections import Counter, defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from essays import tagging
from essays.tagging import MAX_TAGS, MIN_TAGS, Vocabulary, _weight


def reference_fill_up(vocabulary, merged, readable, df, total, idf, median) -> None:
    holders = defaultdict(list)
    for q in sorted(readable):
        for word in merged.get(q, {}):
            holders[word].append(q)
    assigned = vocabulary.assigned

    def partners(word, pk):
        return (q for q in holders.get(word, ()) if q != pk and word not in assigned.get(q, []))

    for pk in sorted(merged):
        terms = merged[pk]
        tags = assigned[pk]
        while len(tags) < MIN_TAGS:
            options = []
            for word, (uses, kind) in terms.items():
                if word in tags:
                    continue
                if word not in vocabulary.terms and not any(len(assigned[q]) < MAX_TAGS for q in partners(word, pk)):
                    continue
                weight = _weight(uses, kind, df[word] or 1, total, idf.get(word, median))
                options.append((word not in vocabulary.terms, -weight, word))
            if not options:
                break
            _new, _w, word = min(options)
            tags.append(word)
            if word not in vocabulary.terms:
                partner = max(
                    (q for q in partners(word, pk) if len(assigned[q]) < MAX_TAGS),
                    key=lambda q: (merged[q][word][0], -q),
                )
                assigned[partner].append(word)
                vocabulary.terms[word] = df[word]
                vocabulary.kinds.setdefault(word, merged[pk][word][1])


WORDS = [f"词{i}" for i in range(10)]


@st.composite
def archives(draw):
    pks = draw(st.lists(st.integers(1, 60), min_size=1, max_size=25, unique=True))
    merged = {
        pk: draw(
            st.dictionaries(
                st.sampled_from(WORDS),
                st.tuples(st.integers(1, 6), st.sampled_from(["term", "name", "place"])),
                max_size=9,
            )
        )
        for pk in pks
    }
    readable = set(draw(st.lists(st.sampled_from(pks), unique=True)))
    in_vocabulary = draw(st.lists(st.sampled_from(WORDS), unique=True, max_size=6))
    # Tags already given, some essays full (MAX_TAGS): a term outside the
    # vocabulary then needs a partner with room.
    assigned = {pk: draw(st.lists(st.sampled_from(WORDS), unique=True, max_size=MAX_TAGS)) for pk in pks}
    return merged, readable, in_vocabulary, assigned


def _both(merged, readable, in_vocabulary, assigned):
    df = Counter(w for pk in readable for w in merged[pk])
    total = max(1, len(readable))
    idf = {w: 1.0 + i for i, w in enumerate(WORDS[::2])}
    made = []
    for fill_up, partners in (
        (tagging._fill_up, tagging._term_holders(merged, readable)),
        (reference_fill_up, readable),
    ):
        vocabulary = Vocabulary(folded={}, kinds={})
        vocabulary.terms = {w: df[w] for w in in_vocabulary}
        vocabulary.assigned = copy.deepcopy(assigned)
        fill_up(vocabulary, merged, partners, df, total, idf, 5.0)
        made.append((vocabulary.assigned, vocabulary.terms, vocabulary.kinds))
    return made


@settings(max_examples=300, deadline=None)
@given(archives())
def test_the_tags_a_plain_reading_of_the_rule_gives(archive):
    fast, plain = _both(*archive)
    assert fast == plain


def bench_terms(folder, essays: int) -> dict[int, dict]:
    """The candidate terms of a bench corpus of ``essays`` essays, by pk."""
    from pathlib import Path

    from bench.corpus import write_corpus
    from essays import parsing

    write_corpus(folder, essays, Path(__file__).resolve().parent.parent / "seeds")
    docs = {}
    for path in sorted(folder.rglob("*.txt")):
        text, _ = parsing.decode(path.read_bytes())
        for essay in parsing.parse(text, fallback_title=path.stem).essays:
            docs[len(docs) + 1] = tagging.candidate_terms(essay.title, essay.text)
    return docs


def test_the_same_vocabulary_on_the_bench_corpus(tmp_path, monkeypatch):
    docs = bench_terms(tmp_path, 400)
    readable = {pk for pk in docs if pk % 7}
    fast = tagging.build_vocabulary(copy.deepcopy(docs), readable)
    monkeypatch.setattr(
        tagging,
        "_fill_up",
        lambda vocabulary, merged, _holders, *rest: reference_fill_up(vocabulary, merged, readable, *rest),
    )
    plain = tagging.build_vocabulary(copy.deepcopy(docs), readable)
    assert fast.assigned == plain.assigned and fast.terms == plain.terms and fast.kinds == plain.kinds
    assert sum(1 for tags in fast.assigned.values() if len(tags) >= MIN_TAGS) > len(docs) / 2


def test_a_vocabulary_built_twice_indexes_the_terms_holders_once(tmp_path, monkeypatch):
    """_build runs again when filling up added terms past the cap; the
    index of which essays hold each term (2.4 million entries at 20,000
    essays) does not depend on the cap and is made once."""
    docs = bench_terms(tmp_path, 200)
    builds, indexes = [], []
    build, index = tagging._build, tagging._term_holders
    monkeypatch.setattr(tagging, "_build", lambda *args, **kwargs: builds.append(1) or build(*args, **kwargs))
    monkeypatch.setattr(tagging, "_term_holders", lambda *args: indexes.append(1) or index(*args))
    # A cap the fill-up overruns: a second build.
    tagging.build_vocabulary(docs, set(docs), max_terms=5, min_essays=2)
    assert len(builds) >= 2
    assert len(indexes) == 1
