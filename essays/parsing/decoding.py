"""Bytes to text: which encoding a scraped file is in.

The whole file decides. A byte order mark (UTF-8, UTF-16 LE/BE) is taken at
its word; UTF-16 without one shows itself by its zero bytes; otherwise every
candidate that decodes strictly is scored by the share of everyday CJK
characters it yields.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from essays.parsing.model import ParseError
from essays.parsing.text import clean_controls

CANDIDATE_ENCODINGS = ("utf-8", "gb18030", "big5")
# A text file may carry a few stray NUL bytes (a truncated download, padding);
# more than this share of them is binary data.
MAX_NUL_SHARE = 0.01


def _is_common_cjk(char: str) -> bool:
    """A character a real Chinese text is made of: one that the national
    character sets of everyday use (GB2312, Big5) can encode. Mis-decoded bytes
    land mostly on rare characters, kana or Latin letters instead."""
    for codec in ("gb2312", "big5"):
        try:
            char.encode(codec)
            return True
        except UnicodeEncodeError:
            continue
    return False


@lru_cache(maxsize=1)
def _common_cjk() -> frozenset[str]:
    """Every character _is_common_cjk accepts (all in the Basic Multilingual
    Plane, about 16,000; made once per process, in some 0.2 s)."""
    return frozenset(ch for ch in map(chr, range(0x80, 0x10000)) if _is_common_cjk(ch))


@lru_cache(maxsize=1)
def _common_run() -> re.Pattern:
    """A pattern for runs of everyday CJK characters, as ranges of code points."""
    codes = sorted(map(ord, _common_cjk()))
    ranges, first, last = [], codes[0], codes[0]
    for code in codes[1:]:
        if code != last + 1:
            ranges.append((first, last))
            first = code
        last = code
    ranges.append((first, last))
    return re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]+")


@dataclass
class _Census:
    """What a candidate decoding's characters are: its length, how many are
    everyday CJK, and the others counted one by one. A Chinese text is
    mostly the former, which are never controls nor unassigned; counting
    every character (Counter) took four fifths of telling encodings apart,
    a fifth of an import's preparing."""

    length: int
    common: int
    rest: Counter

    @classmethod
    def of(cls, text: str) -> _Census:
        rest = _common_run().sub("", text)
        return cls(len(text), len(text) - len(rest), Counter(rest))

    def plausibility(self) -> float:
        """The share of the non-ASCII characters that are everyday CJK."""
        non_ascii = self.common + sum(n for ch, n in self.rest.items() if ch > "\x7f")
        return self.common / non_ascii if non_ascii else 1.0

    def share(self, categories, allowed: str = "") -> float:
        """The share of the text in these Unicode categories (``allowed`` left out)."""
        if not self.length:
            return 0.0
        found = sum(n for ch, n in self.rest.items() if unicodedata.category(ch) in categories and ch not in allowed)
        return found / self.length


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """(text, codec) when the bytes read as UTF-16 without a byte order mark:
    its ASCII (line ends, digits) puts zero bytes on one side of the pairs,
    so such a file has NUL bytes; the side that reads as Chinese wins."""
    if len(data) % 2 or len(data) < 4:
        return None
    best = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        census = _Census.of(text)
        score = census.plausibility()
        if best is None or score > best[0]:
            best = (score, text, codec, census)
    if best is None:
        return None
    try:
        return _checked(best[1], best[2], best[3])
    except ParseError:
        return None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). The choice is made on the whole file: a
    short run of GBK bytes can be valid UTF-8, so every candidate that decodes
    is scored by the share of everyday CJK characters it yields. NUL and the
    other control characters (tab and line ends kept) are dropped from the
    text, so every database stores the same thing."""
    if not data:
        raise ParseError("empty file")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data.decode("utf-8-sig"), "utf-8-sig")
        except UnicodeDecodeError:
            raise ParseError("starts with a UTF-8 byte order mark but is not valid UTF-8") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _checked(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError:
            raise ParseError("starts with a UTF-16 byte order mark but is not valid UTF-16") from None
    if b"\x00" in data:
        found = _utf16_without_bom(data)
        if found:
            return found
        if data.count(0) > len(data) * MAX_NUL_SHARE:
            raise ParseError("binary data (NUL bytes), not a text file")
        data = data.replace(b"\x00", b"")
    scored = []
    for rank, encoding in enumerate(CANDIDATE_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Each candidate's characters are counted once, for all the checks.
        census = _Census.of(text)
        scored.append((census.plausibility(), -rank, encoding, text, census))
    if not scored:
        raise ParseError("cannot be decoded as UTF-8, UTF-16, GB18030 or Big5 text")
    _, _, encoding, text, census = max(scored, key=lambda candidate: candidate[:2])
    return _checked(text, encoding, census)


def _checked(text: str, encoding: str, census: _Census | None = None) -> tuple[str, str]:
    # Real Chinese prose is almost all everyday characters; bytes decoded with
    # the wrong codec give rare ones, private-use or unassigned code points.
    census = census or _Census.of(text)
    if census.plausibility() < 0.5 or census.share(("Cn", "Co", "Cs")) > 0.001:
        raise ParseError(f"does not look like Chinese text in any known encoding (best guess {encoding})")
    if census.share(("Cc",), allowed="\t\n\r\f\v") > 0.01:
        raise ParseError("binary data (control characters), not a text file")
    text = clean_controls(text)
    if not text:
        raise ParseError("empty file")
    return text, encoding
