"""When a cut is doubtful, say so, with reasons a person can check.

Each reason is a ``Doubt`` with a stable code; ``essays/cutreview.py`` turns
codes into translated messages. The thresholds are here, named.
"""

from __future__ import annotations

from bisect import bisect_left

from essays.parsing.layout import FAMILY_LABELS
from essays.parsing.model import Doubt, ParsedEssay
from essays.parsing.text import ends_sentence

# An essay this much longer than the median of the others may hold several.
LONG_FACTOR = 3
# An essay with heading-like lines this much longer than the others' median
# may be two that were not cut apart.
INNER_FACTOR = 2
# Fewer characters than this is hardly an essay: a heading, a footer, a note.
SHORT_CHARS = 80
# A lone essay this long, with short title-like lines in it, may be several
# essays under bare titles.
LONG_SINGLE_CHARS = 2500
TITLE_LIKE_CHARS = 30
# How many of the suspicious lines a doubt quotes.
QUOTED_LINES = 3

CODES = ("long_essay", "inner_headings", "short_essay", "competing_families", "text_before_headings")


def _size(essay: ParsedEssay) -> int:
    # The characters that are not whitespace (str.split's whitespace is isspace()'s).
    return len("".join(essay.text.split()))


def _title_like(essay: ParsedEssay) -> list[str]:
    return [p for p in essay.paragraphs[1:] if len(p) <= TITLE_LIKE_CHARS and not ends_sentence(p)]


def _median_without(ordered: list[int], value: int) -> float:
    """The median of ``ordered`` (sorted) less one occurrence of ``value``;
    0 when nothing is left. Found by index, not by sorting: a file of a thousand essays
    must not sort a thousand lists."""
    k = bisect_left(ordered, value)
    m = len(ordered) - 1
    if m <= 0:
        return 0

    def at(i: int) -> int:
        return ordered[i if i < k else i + 1]

    return at(m // 2) if m % 2 else (at(m // 2 - 1) + at(m // 2)) / 2


def find_doubts(
    essays: list[ParsedEssay], inner: list[list[str]], cut: str, rivals: list, lead: str = ""
) -> list[Doubt]:
    doubts: list[Doubt] = []
    if lead:
        doubts.append(
            Doubt(
                "text_before_headings",
                0,
                f"text stands before the first heading {lead}: the headings may be sections of one essay",
                {"heading": lead},
            )
        )
    sizes = [_size(e) for e in essays]
    ordered = sorted(sizes)
    for n, (essay, size) in enumerate(zip(essays, sizes, strict=True)):
        typical = _median_without(ordered, size)
        if len(essays) >= 3 and typical and size > LONG_FACTOR * typical:
            doubts.append(
                Doubt(
                    "long_essay",
                    n,
                    f"essay {n + 1} has {size} characters, over {LONG_FACTOR} times the median {typical:g} of the others",
                    {"chars": size, "median": int(typical)},
                )
            )
        elif len(essays) == 1 and size > LONG_SINGLE_CHARS and (lines := inner[n] or _title_like(essay)):
            doubts.append(
                Doubt(
                    "long_essay",
                    n,
                    f"the only essay has {size} characters and title-like lines: {' / '.join(lines[:QUOTED_LINES])}",
                    {"chars": size, "lines": lines[:QUOTED_LINES]},
                )
            )
        if inner[n] and (len(essays) == 1 or not cut or (typical and size > INNER_FACTOR * typical)):
            doubts.append(
                Doubt(
                    "inner_headings",
                    n,
                    f"essay {n + 1} has heading-like lines inside: {' / '.join(inner[n][:QUOTED_LINES])}",
                    {"lines": inner[n][:QUOTED_LINES], "count": len(inner[n])},
                )
            )
        if size < SHORT_CHARS:
            doubts.append(Doubt("short_essay", n, f"essay {n + 1} has only {size} characters", {"chars": size}))
    if rivals:
        labels = [FAMILY_LABELS.get(c.key, c.key) for c in rivals]
        chosen = FAMILY_LABELS.get(cut, cut)
        doubts.append(
            Doubt(
                "competing_families",
                None,
                f"cut at {chosen}; {', '.join(labels)} would cut elsewhere",
                {"chosen": cut, "rivals": [c.key for c in rivals]},
            )
        )
    return doubts
