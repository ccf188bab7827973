"""essays.memo.Kept: a bounded map of a process's recent work."""

from essays.memo import Kept


def test_the_entry_used_longest_ago_is_forgotten_first():
    kept = Kept(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" used last now
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
    assert len(kept) == 2


def test_a_kept_none_is_told_from_a_missing_entry():
    kept = Kept(2)
    kept.put("nothing", None)
    marker = object()
    assert kept.get("nothing", marker) is None and kept.get("other", marker) is marker
    kept.clear()
    assert kept.get("nothing", marker) is marker


def test_made_on_sight_makes_each_value_once_and_empties_when_full():
    from essays.memo import MadeOnSight

    made = []
    lengths = MadeOnSight(lambda word: made.append(word) or len(word), most=3)
    assert list(map(lengths.__getitem__, ["甲乙", "丙", "甲乙", "丁戊己"])) == [2, 1, 2, 3]
    assert made == ["甲乙", "丙", "丁戊己"]
    assert lengths["庚辛"] == 2 and len(lengths) == 1  # full at three: emptied, then made
