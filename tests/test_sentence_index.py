"""essays.sentence_index against the dict of sets it replaced: the same
candidates for any holdings, thresholds and questions."""

from collections import Counter, defaultdict
from itertools import chain

from hypothesis import given, settings
from hypothesis import strategies as st

from essays.sentence_index import MANY, SentenceIndex


class Reference:
    """The importer's sentence map before: every holder of every sentence."""

    def __init__(self, common):
        self.common = common
        self.index = defaultdict(set)

    def add(self, sentence, number):
        self.index[sentence].add(number)

    def rename(self, sentence, old, new):
        holders = self.index[sentence]
        holders.discard(old)
        holders.add(new)

    def candidates(self, hashes, exclude=None, limit=20):
        index = self.index
        holders = [found for found in map(index.get, hashes) if found and len(found) <= self.common]
        telling = sum(1 for h in hashes if len(index.get(h, ())) <= self.common)
        shared = Counter(chain.from_iterable(holders))
        shared.pop(exclude, None)
        need = (telling + 1) // 2
        return sorted(pk for pk, n in shared.items() if n >= need)[:limit]


SENTENCES = st.integers(min_value=0, max_value=12).map(lambda n: (n * 0x9E3779B97F4A7C15) % (1 << 64))
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("add"), SENTENCES, st.integers(min_value=1, max_value=15)),
        st.tuples(st.just("rename"), SENTENCES, st.integers(min_value=0, max_value=30)),
    ),
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(
    common=st.integers(min_value=0, max_value=5),
    ops=OPS,
    questions=st.lists(
        st.tuples(st.frozensets(SENTENCES, max_size=8), st.one_of(st.none(), st.integers(1, 15))), max_size=10
    ),
    limit=st.sampled_from([2, 20]),
)
def test_candidates_are_those_of_every_holder_kept(common, ops, questions, limit):
    compact, reference = SentenceIndex(common), Reference(common)
    fresh = 1000  # renamed holders get numbers never used before, as a new essay's pk is
    for op, sentence, number in ops:
        if op == "add":
            compact.add(sentence, number)
            reference.add(sentence, number)
        else:
            held = sorted(reference.index.get(sentence, ()))
            old = held[number % len(held)] if held and number % 3 else number  # mostly a holder, or not
            fresh += 1
            compact.rename(sentence, old, fresh)
            reference.rename(sentence, old, fresh)
        for hashes, exclude in questions:
            assert compact.candidates(hashes, exclude, limit) == reference.candidates(hashes, exclude, limit)
    for sentence, holders in reference.index.items():
        found = compact.holders(sentence)
        if len(holders) > common:
            assert found is MANY
        else:
            assert found == tuple(sorted(holders))
    assert compact.candidates(set(reference.index), None) == reference.candidates(set(reference.index), None)


def test_a_sentence_of_many_essays_is_no_longer_telling():
    index = SentenceIndex(common=2)
    for number in (5, 3):
        index.add(1, number)
        index.add(2, number)
    index.add(2, 3)  # again: still two
    assert index.holders(1) == (3, 5) and index.holders(2) == (3, 5)
    assert index.candidates({1, 2}) == [3, 5]
    index.add(1, 9)
    assert index.holders(1) is MANY
    # 1 says nothing now; 2 (and 7, held by none) are the telling ones: half is one.
    assert index.candidates({1, 2, 7}) == [3, 5]
    assert index.candidates({1, 7}) == []
    index.rename(2, 3, 4)
    assert index.holders(2) == (4, 5)
    assert index.holders(99) == ()
