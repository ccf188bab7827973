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
