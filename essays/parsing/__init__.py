"""Turn the text of a scraped essay file into a collection of essays.

Pure Python, no Django: it can be tested and fuzzed alone. Entry points:

- ``decode(data)`` picks the encoding by looking at the whole file;
- ``parse(text, fallback_title, hint)`` cuts the text into a
  ``ParsedCollection``, with ``doubts`` when the cut is uncertain;
- ``normalised_lines(text)`` are the lines ``start_line``, ``end_line`` and
  ``CutHint.heading_lines`` count;
- ``heading_families()`` the heading families a ``CutHint`` may name.

``decode`` and ``parse`` raise ``ParseError`` (a one-line, human-readable
reason) for input that cannot be an essay file or a hint that cannot be
honoured; nothing else is expected to escape them.

One module per concern: ``text`` (characters, names, titles), ``decoding``,
``layout`` (heading families and separators), ``cutting``, ``doubts``,
``model`` (the dataclasses).
"""

from essays.parsing.cutting import parse
from essays.parsing.decoding import CANDIDATE_ENCODINGS, decode
from essays.parsing.layout import (
    FAMILIES,
    Heading,
    heading_families,
    is_layout_only,
    is_separator,
    match_heading,
    numeral_value,
    separator_title,
)
from essays.parsing.model import CutHint, Doubt, ParsedCollection, ParsedEssay, ParseError
from essays.parsing.text import (
    PLACEHOLDER_RE,
    derive_title,
    distinct_titles,
    find_placeholders,
    looks_like_name,
    normalised_lines,
)

__all__ = [
    "CANDIDATE_ENCODINGS",
    "FAMILIES",
    "PLACEHOLDER_RE",
    "CutHint",
    "Doubt",
    "Heading",
    "ParseError",
    "ParsedCollection",
    "ParsedEssay",
    "decode",
    "derive_title",
    "distinct_titles",
    "find_placeholders",
    "heading_families",
    "is_layout_only",
    "is_separator",
    "looks_like_name",
    "match_heading",
    "normalised_lines",
    "numeral_value",
    "parse",
    "separator_title",
]
