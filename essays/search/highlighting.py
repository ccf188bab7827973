"""Snippets and highlights built on the search's own segmentation.

The text is escaped piece by piece and ``<mark>`` is put around the pieces
that match; only this escaped result is marked safe. The query is never
split on spaces and never read as a regular expression."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from html import escape  # Django's escape() is this behind a lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe

from essays.search.tokens import Query, find_projected_spans, find_spans, project

SNIPPET_CHARS = 120
LEAD_CHARS = 30  # how much text comes before the best match
MAX_SPANS = 400
# Line breaks and tabs become spaces (a regex: str.translate looks up every
# character in Python).
_BREAKS = re.compile(r"[\n\r\t]")


def _render(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> SafeString:
    pieces = []
    position = start
    for s, e, _ in spans:
        if s < start or e > end:
            continue
        pieces.append(escape(text[position:s]))
        pieces.append(f"<mark>{escape(text[s:e])}</mark>")
        position = e
    pieces.append(escape(text[position:end]))
    return mark_safe("".join(pieces))  # every piece of text above was escaped


def highlight(text: str, query: Query) -> SafeString:
    """The whole (short) text with every matched term marked."""
    spans = find_spans(text, query.highlight_terms())[:MAX_SPANS]
    return _render(text, spans, 0, len(text))


def _whole_term_anchor(spans, query: Query) -> int | None:
    """The best match is an occurrence of a whole term, the longest one:
    the first such span, by its index in ``spans``, or None."""
    terms = {t.text for t in query.terms}
    whole = [i for i, span in enumerate(spans) if span[2] in terms]
    if not whole:
        return None
    longest = max(len(spans[i][2]) for i in whole)
    return next(i for i in whole if len(spans[i][2]) == longest)


def _densest_start(spans, width: int) -> int | None:
    """Without a whole term, the best match is where most different words
    meet within ``width`` characters: its start, or None without spans."""
    if not spans:
        return None
    best, best_score = spans[0][0], 0
    for i, (s, _, _) in enumerate(spans):
        seen = {n for (s2, e2, n) in spans[i:] if e2 <= s + width}
        if len(seen) > best_score:
            best, best_score = s, len(seen)
    return best


def snippet(text: str, query: Query, width: int = SNIPPET_CHARS) -> SafeString:
    """About ``width`` characters of ``text`` around the best match, with
    every matched term marked; the opening of the text when nothing in it
    matches (the match was in the tags or the collection's title)."""
    flat = _BREAKS.sub(" ", text)
    chars, offsets = project(flat)
    projected = find_projected_spans(chars, query.highlight_terms())[:MAX_SPANS]
    first = _whole_term_anchor(projected, query)
    if first is None:  # no whole term: where most words meet, over every span
        spans = [(offsets[s], offsets[e - 1] + 1, n) for s, e, n in projected]
        anchor = _densest_start(spans, width)
    else:
        # Only spans near the anchor can reach the window: the projection
        # drops characters but keeps the order, so a span more than the
        # window's width away in it is further away in the text. An essay
        # holds dozens of matches; mapping each to the text was half the
        # snippet's time.
        anchor_at = projected[first][0]
        longest = max(len(n) for _, _, n in projected)
        starts = [s for s, _, _ in projected]
        near = projected[bisect_left(starts, anchor_at - width - longest) : bisect_right(starts, anchor_at + width)]
        spans = [(offsets[s], offsets[e - 1] + 1, n) for s, e, n in near]
        anchor = offsets[anchor_at]
    start = 0 if anchor is None else max(0, anchor - LEAD_CHARS)
    end = min(len(flat), start + width)
    if end - start < width:
        start = max(0, end - width)
    # Never cut a marked term in two at the edges.
    for s, e, _ in spans:
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    body = _render(flat, spans, start, end)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return mark_safe(f"{prefix}{body.strip()}{suffix}")  # body is escaped; the ellipses are literal
