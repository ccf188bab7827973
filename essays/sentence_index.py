"""Which essays hold which sentences, for near-duplicate detection during an
import (essays.importer), kept small: an archive of 100,000 essays has
millions of sentences. No Django imports.

A sentence is known by its 64-bit hash (``textutil.sentence_hashes``), an
int. What the importer asks of a sentence is only whether it is *telling*
(held by at most ``common`` essays) and, if so, by which. So each sentence
holds, in one dict:

- one essay: its number (an int: a pk, or a stand-in for an essay not yet
  inserted); most sentences of an archive are in one essay only;
- 2 to ``common`` essays: a sorted tuple of their numbers;
- more: ``MANY``, and the essays are no longer tracked. Holders are only
  ever added (or a stand-in renamed to its pk), so a sentence once held by
  more than ``common`` essays stays common, and forgetting which essays hold
  it changes no answer.

The dict of sets of hex strings this replaces took about 330 bytes per
sentence held by one essay (a 65-byte string, a 216-byte set, the dict's
slot); this takes about 80 (a 36-byte int and the slot), and a boilerplate
sentence held by thousands of essays takes the same, not a set of thousands.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter
from itertools import chain


class _Many:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MANY"


MANY = _Many()


class SentenceIndex:
    def __init__(self, common: int):
        self.common = common
        self._holders: dict[int, object] = {}

    def __len__(self) -> int:
        return len(self._holders)

    def add(self, sentence: int, number: int) -> None:
        """``number`` holds ``sentence`` (holding it twice is holding it)."""
        found = self._holders.get(sentence)
        if found is MANY:
            return
        if found is None:
            self._holders[sentence] = number if self.common >= 1 else MANY
        elif type(found) is int:
            if found != number:
                self._holders[sentence] = (
                    MANY if self.common < 2 else ((found, number) if found < number else (number, found))
                )
        elif number not in found:
            if len(found) >= self.common:
                self._holders[sentence] = MANY
            else:
                holders = list(found)
                insort(holders, number)
                self._holders[sentence] = tuple(holders)

    def rename(self, sentence: int, old: int, new: int) -> None:
        """The holder known as ``old`` (a stand-in) is ``new`` from now on:
        ``old`` no longer holds ``sentence``, ``new`` does."""
        found = self._holders.get(sentence)
        if found is MANY:
            return
        holders = [] if found is None else [found] if type(found) is int else list(found)
        if old in holders:
            holders.remove(old)
            if not holders:
                del self._holders[sentence]
            else:
                self._holders[sentence] = holders[0] if len(holders) == 1 else tuple(holders)
        self.add(sentence, new)

    def holders(self, sentence: int):
        """The numbers holding ``sentence`` (a tuple, empty for none), or
        ``MANY`` when more than ``common`` essays hold it."""
        found = self._holders.get(sentence)
        if found is None:
            return ()
        if type(found) is int:
            return (found,)
        return found

    def candidates(self, hashes, exclude: int | None = None, limit: int = 20) -> list[int]:
        """The essays that share at least half of these sentences' telling
        ones (a sentence no essay holds is telling too), but ``exclude``:
        the first ``limit`` numbers, in order."""
        telling = 0
        held = []
        for sentence in hashes:
            found = self._holders.get(sentence)
            if found is MANY:
                continue
            telling += 1
            if found is not None:
                held.append((found,) if type(found) is int else found)
        shared = Counter(chain.from_iterable(held))
        shared.pop(exclude, None)
        need = (telling + 1) // 2
        return sorted(number for number, n in shared.items() if n >= need)[:limit]
