"""Search tokenisation, the same at index time and at query time, whatever the
engine behind haystack. No Django imports.

Text is normalised (NFKC folds full-width forms to half-width, Latin is
lower-cased, Traditional is folded to Simplified) and then turned into
whitespace-separated tokens, so the engine only needs a whitespace analyzer:

- ``words``: jieba's search-mode words of two or more characters, for ranking
  and word-level matches;
- ``grams``: overlapping character bigrams of the text's letters and digits,
  in order, for verbatim recall: a query of two or more characters matches
  exactly the documents holding its bigrams as a phrase, whatever jieba made
  of the surrounding text;
- ``chars``: single characters, for one-character queries.

Punctuation and whitespace are not part of any token. A phrase therefore
matches across them (``人民`` is found in ``人，民``), never the other way round:
every document that holds the query verbatim is found.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from essays.memo import MadeOnSight
from essays.textutil import cut, cut_for_search, to_simplified

# A token that never comes out of a query: it keeps the bigrams of two parts
# of a document (title, tags, text) from running into each other.
BREAK = "|"

MAX_QUERY_CHARS = 100
MAX_TERMS = 8
QUOTES = '"“”„‟＂「」『』'
_QUOTED = re.compile(r"[\"“”„‟＂「」『』]([^\"“”„‟＂「」『』]*)[\"“”„‟＂「」『』]?")


def is_word_char(ch: str) -> bool:
    """Letters and digits of any script (CJK included)."""
    return unicodedata.category(ch)[0] in "LN"


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """One character's NFKC form, lower-cased (may be several characters or
    none; never a character that is not a letter or a digit)."""
    folded = unicodedata.normalize("NFKC", ch).lower()
    return "".join(c for c in folded if is_word_char(c))


def normalize(text: str) -> str:
    """NFKC, lower case, Simplified (OpenCC, phrase by phrase). Keeps
    punctuation and spacing. Used before jieba, which cuts Traditional text
    badly."""
    return to_simplified(nfkc(text).lower())


# What NFKC changes in Chinese prose, each character with its NFKC form:
# the full-width forms of ASCII (，：！？（）), the ideographic space, the
# ellipsis. Nearly every essay holds some, and NFKC's general path then
# costs 0.16 ms an essay (four fifths of normalize()).
_PROSE_COMPAT = {
    chr(code): unicodedata.normalize("NFKC", chr(code)) for code in (*range(0xFF01, 0xFF5F), 0x3000, 0x2026)
}
_PROSE_COMPAT_RE = re.compile("[" + re.escape("".join(_PROSE_COMPAT)) + "]")


def nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)``, the same string, faster for
    prose. Each character of _PROSE_COMPAT becomes its NFKC form, which is
    also its compatibility decomposition: the text's decomposition, and so
    its NFKC form, is unchanged by that. If the result is normalised it is
    the NFKC form; else (a combining mark after a full-width letter, ①, ﬁ…)
    NFKC's general path finishes it."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    replaced = _PROSE_COMPAT_RE.sub(lambda match: _PROSE_COMPAT[match.group()], text)
    if unicodedata.is_normalized("NFKC", replaced):
        return replaced
    return unicodedata.normalize("NFKC", replaced)


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """Traditional to Simplified, character by character, as a str.translate
    table. Character by character (not OpenCC's phrases) so that a string
    folds the same alone (a query) and inside any text (a document)."""
    chars = [chr(cp) for r in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for cp in range(*r)]
    converted = to_simplified("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - OpenCC kept the separators so far
        converted = [to_simplified(c) for c in chars]
    return {ord(c): s for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1}


@lru_cache(maxsize=1)
def _traditional() -> tuple[re.Pattern, dict[str, str]]:
    """A pattern matching any character ``fold`` changes, and what each
    becomes. str.translate looks every character up in a dict (0.13 ms for
    an essay of 1,200 characters); the pattern skips the unchanged ones in C,
    and Simplified text has almost none to change."""
    table = {chr(code): simplified for code, simplified in _t2s_table().items()}
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(table)) + "]"), table


def fold(chars: str) -> str:
    """Traditional to Simplified, character by character (length kept)."""
    pattern, table = _traditional()
    return pattern.sub(lambda match: table[match.group()], chars)


_RUN = re.compile(r"[^\W_]+")


class RunOffsets:
    """The offsets of a projection made of whole runs of ``text``, each
    character kept as it is: the run holding position ``i``, then ``i``'s
    place in it. The runs are found as far as the positions asked for (the
    index asks for none; a snippet for those near its best match): building
    the list of every offset cost more than the rest of project()."""

    __slots__ = ("_text", "_runs", "_origins", "_starts", "_found", "_done")

    def __init__(self, text: str):
        self._text = text
        self._runs = None
        self._origins: list[int] = []  # where each run found so far starts in the text
        self._starts: list[int] = []  # ... and in the projection
        self._found = 0  # the projection's length so far
        self._done = False

    def _find(self, upto: int) -> None:
        """Find runs until the projection is longer than ``upto``."""
        if self._runs is None:
            self._runs = _RUN.finditer(self._text)
        for run in self._runs:
            start, end = run.span()
            self._origins.append(start)
            self._starts.append(self._found)
            self._found += end - start
            if self._found > upto:
                return
        self._done = True

    def __len__(self) -> int:
        if not self._done:
            self._find(len(self._text))
        return self._found

    def __getitem__(self, i: int) -> int:
        if i < 0:
            i += len(self)
        if i >= self._found and not self._done:
            self._find(i)
        if not 0 <= i < self._found:
            raise IndexError(i)
        run = bisect_right(self._starts, i) - 1
        return self._origins[run] + i - self._starts[run]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)


def project(text: str) -> tuple[str, list[int] | RunOffsets]:
    """The text's letters and digits, normalised (NFKC, lower case,
    Simplified), and for each of them the offset of the character of ``text``
    it came from. Highlighting uses the offsets to put marks around the
    original text."""
    joined = "".join(_RUN.findall(text))
    lowered = joined.lower()
    # The common case (Chinese prose): NFKC leaves every letter as it is and
    # lower-casing changes no length (it never shortens), so each character
    # maps to one: the offsets are the runs' positions, found in C, not
    # character by character (a search page projects 20 whole essays).
    if len(lowered) == len(joined) and unicodedata.is_normalized("NFKC", joined):
        return fold(lowered), RunOffsets(text)
    pieces: list[str] = []
    offsets = []
    for run in _RUN.finditer(text):
        chunk = run.group()
        folded = unicodedata.normalize("NFKC", chunk).lower()
        if len(folded) == len(chunk) and (folded.isalnum() or not folded.isascii() and _RUN.fullmatch(folded)):
            pieces.append(folded)
            offsets.extend(range(run.start(), run.end()))
            continue
        for i, ch in enumerate(chunk, start=run.start()):  # a character that expands (①, ㈱, ﬁ)
            for c in _fold_char(ch):
                pieces.append(c)
                offsets.append(i)
    return fold("".join(pieces)), offsets


def bigrams(chars: str) -> list[str]:
    return [chars[i : i + 2] for i in range(len(chars) - 1)]


# A str's characters as 4-byte units (UTF-32), for bigram_string.
_UNIT = next(code for code in "IL" if array(code).itemsize == 4)
_SPACE = " ".encode("utf-32-le")


def bigram_string(chars: str) -> str:
    """``" ".join(bigrams(chars))``, made in C: the text as UTF-32 units,
    each bigram's two units and a space written by three strided slice
    copies. An essay's 1,300 bigrams: 0.01 ms, where slicing them one by one
    in Python took 0.11 (a tenth of an import's index pool)."""
    if len(chars) < 2:
        return ""
    units = array(_UNIT, chars.encode("utf-32-le", "surrogatepass"))
    out = array(_UNIT, _SPACE * (3 * (len(units) - 1)))
    out[0::3] = units[:-1]
    out[1::3] = units[1:]
    return out.tobytes()[: -len(_SPACE)].decode("utf-32-le", "surrogatepass")


def _word_token(word: str) -> str:
    """A word's letters and digits, or "" when fewer than two."""
    folded = "".join(c for c in word if is_word_char(c))
    return folded if len(folded) >= 2 else ""


# Each word's token, made on first sight: an essay's words are mostly words
# other essays used, and looking them all up through ``map`` stays in C
# (0.024 ms for an essay's 700 words, where an lru_cache call per word took 0.052).
_WORD_TOKENS = MadeOnSight(_word_token, most=262144)


def words(text: str) -> list[str]:
    """jieba search-mode words of two or more letters or digits, in order,
    from normalised text."""
    return list(filter(None, map(_WORD_TOKENS.__getitem__, cut_for_search(normalize(text)))))


@dataclass
class Tokens:
    words: str
    grams: str
    chars: str  # distinct, in order


def index_tokens(*parts: str) -> Tokens:
    """The tokens of a document made of several parts (title, tags, text):
    bigrams never span two parts."""
    if sum(map(len, parts)) <= SHORT_PARTS:
        return _short_tokens(parts)
    return _make_tokens(parts)


# Parts this short (tags and section, collection title and author) are
# mostly the same for many essays: their tokens are made once.
SHORT_PARTS = 200


@lru_cache(maxsize=16384)
def _short_tokens(parts: tuple) -> Tokens:
    return _make_tokens(parts)


def _make_tokens(parts: tuple) -> Tokens:
    all_words: list[str] = []
    all_grams: list[str] = []  # each part's bigrams as one string, a BREAK before each part after the first
    all_chars: list[str] = []
    for part in parts:
        if not part:
            continue
        chars, _ = project(part)
        if not chars:
            continue
        if all_grams:
            all_grams.append(BREAK)
        grams = bigram_string(chars)
        if grams:
            all_grams.append(grams)
        all_chars.append(chars)
        all_words.extend(words(part))
    # Each character once, in order of first use: the index keeps the
    # distinct characters (one-character queries), and deduplicating here
    # (in the pool's workers at an import) spares the process writing the
    # index a third of the string to split and pickle.
    return Tokens(" ".join(all_words), " ".join(all_grams), " ".join(dict.fromkeys("".join(all_chars))))


# -- queries -------------------------------------------------------------------


@dataclass
class Term:
    """One thing the reader asked for: a quoted phrase or a run of letters and
    digits. ``text`` is normalised; ``words`` is its jieba segmentation."""

    text: str
    quoted: bool = False
    words: list[str] = field(default_factory=list)

    @property
    def grams(self) -> list[str]:
        return bigrams(self.text)


@dataclass
class Query:
    raw: str  # what the reader typed, cleaned and capped (for the search box)
    terms: list[Term]
    truncated: bool = False

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def has_loose_tier(self) -> bool:
        """Whether some documents can match every word without matching every
        term verbatim."""
        return any(not t.quoted and len(t.words) > 1 for t in self.terms)

    def highlight_terms(self) -> list[str]:
        """Every string worth marking in a snippet, longest first."""
        found = {t.text for t in self.terms}
        for t in self.terms:
            if not t.quoted:
                # Single characters cut off a longer term (控 of 控阻击) would
                # mark every 控 in the text: only words of two or more.
                found.update(w for w in t.words if len(w) > 1)
        return sorted(found, key=lambda s: (-len(s), s))

    def word_list(self) -> list[str]:
        out: list[str] = []
        for t in self.terms:
            for w in [t.text, *t.words]:
                if w not in out:
                    out.append(w)
        return out


def clean_query(raw: str, limit: int = MAX_QUERY_CHARS) -> tuple[str, bool]:
    """Control characters (NUL included) become spaces, runs of whitespace
    one space; the result is capped at ``limit`` characters."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in raw or "")
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        return cleaned[:limit].rstrip(), True
    return cleaned, False


def _segment(text: str) -> list[str]:
    out: list[str] = []
    for word in cut(text):
        if word and word not in out:
            out.append(word)
    return out


def parse_query(raw: str, limit: int = MAX_QUERY_CHARS) -> Query:
    """Turn what a reader typed into terms. Words separated by spaces or
    punctuation are ANDed; text in quotes is one phrase. Nothing of the input
    is ever read as engine syntax."""
    cleaned, truncated = clean_query(raw, limit)
    terms: list[Term] = []
    seen: set[str] = set()

    def add(text: str, quoted: bool) -> None:
        chars, _ = project(text)
        if not chars or chars in seen or len(terms) >= MAX_TERMS:
            return
        seen.add(chars)
        terms.append(Term(chars, quoted, [chars] if quoted else _segment(chars)))

    position = 0
    for match in _QUOTED.finditer(cleaned):
        for chunk in _split_loose(cleaned[position : match.start()]):
            add(chunk, False)
        add(match.group(1), True)
        position = match.end()
    for chunk in _split_loose(cleaned[position:]):
        add(chunk, False)
    return Query(cleaned, terms, truncated)


def _split_loose(text: str) -> list[str]:
    """Runs of letters and digits (spaces and punctuation separate terms)."""
    chunks, current = [], []
    for ch in text:
        if _fold_char(ch):
            current.append(ch)
        elif current:
            chunks.append("".join(current))
            current = []
    if current:
        chunks.append("".join(current))
    return chunks


# -- finding terms in text (highlighting, verification) ------------------------------


def find_spans(text: str, needles: list[str], projection=None) -> list[tuple[int, int, str]]:
    """Where the normalised ``needles`` occur in ``text``, as (start, end,
    needle) offsets into the original text, longest needles first and never
    overlapping. Punctuation between characters is allowed, as in search."""
    chars, offsets = projection or project(text)
    return [(offsets[s], offsets[e - 1] + 1, n) for s, e, n in find_projected_spans(chars, needles)]


def find_projected_spans(chars: str, needles: list[str]) -> list[tuple[int, int, str]]:
    """find_spans in the projection's own positions (``chars`` of
    project()), in order: the projection keeps the text's order, so a caller
    that needs only some spans maps only those to the text."""
    taken = [False] * len(chars)
    spans = []
    for needle in sorted(set(n for n in needles if n), key=lambda s: (-len(s), s)):
        start = chars.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                spans.append((start, end, needle))
            start = chars.find(needle, start + 1)
    spans.sort()
    return spans


def contains(text: str, needle: str) -> bool:
    """Whether ``text`` holds ``needle`` (a term's normalised text) in the
    sense search uses."""
    return needle in project(text)[0]
