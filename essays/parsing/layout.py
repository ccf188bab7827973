"""Lines that are layout: numbered headings (by family) and separator lines.

A heading is recognised by its shape: a frame (none, 【】-like brackets or
（）-like parentheses) around a marker (篇, 第…篇, 范文, 其, Part, or none) and
a number (Arabic, full-width or Chinese numerals), then punctuation or a
space, then an optional title. Each frame × marker pair is one *family*;
adding a family is one row in FRAMES or MARKERS below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from essays.parsing.text import HAN, TITLE_TRIM

# --------------------------------------------------------------------------
# Numerals

CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "兩": 2, "贰": 2, "貳": 2, "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100}
CN_NUM = "".join(CN_DIGITS) + "".join(CN_UNITS)
ARABIC_RE = r"[0-9０-９]{1,3}"
CN_RE = rf"[{CN_NUM}]{{1,5}}"
# The legacy pattern other modules build on ("一", "12", "十一").
NUM = rf"(?:{ARABIC_RE}|{CN_RE})"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def numeral_value(token: str) -> int | None:
    """The number a numeral token writes: '12', '１２', '十一', '二十三',
    '一〇', '两', '①'. None when it is not a number."""
    token = token.strip()
    if not token:
        return None
    if token in CIRCLED:
        return CIRCLED.index(token) + 1
    if token.isdigit():
        try:
            return int(token)
        except ValueError:
            return None
    if any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in token):
        return None
    if not any(ch in CN_UNITS for ch in token):
        # Positional: '一〇' is 10, '二一' is 21.
        value = 0
        for ch in token:
            value = value * 10 + CN_DIGITS[ch]
        return value
    total, current = 0, 0
    for ch in token:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        else:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


# --------------------------------------------------------------------------
# Heading families


@dataclass(frozen=True)
class Frame:
    key: str  # "" for none
    opening: str  # regex
    closing: str  # regex
    label: str  # format for the label


@dataclass(frozen=True)
class Marker:
    key: str
    regex: str  # with {num} where the numeral goes
    example: str
    # May a title follow the numeral without punctuation or a space?
    glued: bool = True
    # Numerals allowed: Arabic and Chinese, or one of them.
    numerals: str = "any"


FRAMES = [
    Frame("", "", "", "{}"),
    Frame("bracket", r"[【\[〔［〖]\s*", r"\s*[】\]〕］〗]", "【{}】"),
    Frame("paren", r"[（(]\s*", r"\s*[）)]", "（{}）"),
]
MARKERS = [
    Marker("pian", r"(?:篇目|篇章|篇)\s*{num}", "篇一"),
    Marker("di_pian", r"第\s*{num}\s*篇", "第一篇"),
    Marker("fanwen", r"(?:精选|精選|优秀|優秀)?(?:范文|範文|范例|範例|例文|文章)\s*{num}", "范文一"),
    Marker("qi", r"其\s*{num}", "其一", glued=False),
    Marker("part", r"(?i:part)\s*{num}", "Part 1"),
    # A bare numeral: Chinese and Arabic numbering are told apart, because
    # essays numbered 一、二、 often hold points numbered 1、2、 or the reverse.
    Marker("num_cn", "{num}", "一", glued=False, numerals="cn"),
    Marker("num_arabic", "{num}", "1", glued=False, numerals="arabic"),
]
# After the number: the punctuation a heading uses before its title.
HEADING_PUNCT = "、.．:："
# A title never starts with these after a bare number and a space
# ("10 月 1 日", "3 个人"): the number is part of the sentence.
UNIT_START = "年月日号號时時分秒元岁歲个個人次天周週位名条條件届屆期级級米斤公万萬亿億千百倍%％"


@dataclass(frozen=True)
class Family:
    key: str
    label: str
    pattern: re.Pattern


@dataclass(frozen=True)
class Heading:
    family: str
    number: int
    rest: str  # the title after the number, layout trimmed ("" when bare)


def _numeral(numerals: str) -> str:
    if numerals == "cn":
        return CN_RE
    if numerals == "arabic":
        return ARABIC_RE
    return NUM


def _family_pattern(frame: Frame, marker: Marker) -> str:
    number = marker.regex.format(num=f"(?P<num>{_numeral(marker.numerals)})")
    punct = f"[{HEADING_PUNCT}]"
    if frame.key:
        after = rf"\s*{punct}?\s*"
    elif marker.key == "num_arabic":
        # "1.5万" and "2.3" are numbers, not headings.
        after = rf"(?:\s*{punct}(?![0-9０-９])\s*|\s+(?=[^{UNIT_START}]))"
    elif marker.key == "num_cn":
        after = rf"(?:\s*{punct}\s*|\s+(?=[^{UNIT_START}]))"
    elif marker.glued:
        after = rf"(?:\s*{punct}\s*|\s*)"
    else:
        after = rf"(?:\s*{punct}\s*|\s+|$)"
    return rf"^{frame.opening}{number}{frame.closing}{after}(?P<rest>.*)$"


def _label(frame: Frame, marker: Marker) -> str:
    if not frame.key and marker.key.startswith("num_"):
        return marker.example + "、"
    return frame.label.format(marker.example)


def _build_families() -> list[Family]:
    families = []
    for frame in FRAMES:
        for marker in MARKERS:
            key = f"{frame.key}_{marker.key}" if frame.key else marker.key
            families.append(Family(key, _label(frame, marker), re.compile(_family_pattern(frame, marker))))
    families.append(Family("num_half_paren", "1）", re.compile(rf"^(?P<num>{NUM})\s*[)）]\s*(?P<rest>.*)$")))
    families.append(Family("circled", "①", re.compile(rf"^(?P<num>[{CIRCLED}])\s*[{HEADING_PUNCT}]?\s*(?P<rest>.*)$")))
    return families


FAMILIES: list[Family] = _build_families()
FAMILY_BY_KEY = {f.key: f for f in FAMILIES}
# Families that need the collection's title line; the cutter matches them.
TITLE_FAMILIES = [
    ("title_number", "标题＋序号（如 心得体会2）"),
    ("title_repeat", "重复的合集标题"),
]
FAMILY_LABELS = {f.key: f.label for f in FAMILIES} | dict(TITLE_FAMILIES)

# The characters a heading can start with: a quick test before the patterns.
_HEADING_START = set("0123456789０１２３４５６７８９" + CN_NUM + CIRCLED + "【[〔［〖（(篇第其范範精优優例文Pp")
# The numbering part of a heading is short; so is its title.
MAX_NUMBERING_CHARS = 12
MAX_HEADING_TITLE = 40
# A title after a number may ask or exclaim (【篇二】为什么要读书？); one that
# ends a statement is a numbered sentence of the text.
_SENTENCE_CLOSE = "。；;"


def heading_families() -> list[tuple[str, str]]:
    """(key, short label with an example) of every heading family, for a
    curator to choose from (``CutHint(mode="family", family=key)``)."""
    return [(f.key, f.label) for f in FAMILIES] + list(TITLE_FAMILIES)


def match_heading(line: str) -> Heading | None:
    """The heading a stripped line is, if it is one: its family, number and
    title. A line whose title reads as a sentence is text, not a heading."""
    if not line or line[0] not in _HEADING_START or len(line) > MAX_NUMBERING_CHARS + MAX_HEADING_TITLE + 4:
        return None
    for family in FAMILIES:
        m = family.pattern.match(line)
        if not m:
            continue
        number = numeral_value(m.group("num"))
        if number is None or not 0 < number < 1000:
            return None
        rest = m.group("rest")
        if len(line) - len(rest) > MAX_NUMBERING_CHARS:
            return None
        rest = rest.strip(TITLE_TRIM)
        if len(rest) > MAX_HEADING_TITLE or (rest and rest[-1] in _SENTENCE_CLOSE):
            return None
        if is_layout_only(rest):
            rest = ""
        return Heading(family.key, number, rest)
    return None


# --------------------------------------------------------------------------
# Separators and other lines made of layout

SEPARATOR_CHARS = set("-—─━*=~～#·•_＿＊＝﹏﹋﹌﹍﹎–―‐‑‒⸺⸻═┄┅┈┉╌╍+＋※☆★◆◇○●□■▲△▽▼◎♦❤♥.…。/\\|｜<>《》^ˇ`'\"“”")
SEPARATOR_LABEL_RE = re.compile(r"(?:我是|华丽的|華麗的|华丽丽的|華麗麗的)?(?:分割|分隔)[线線]")
_SPACES_RE = re.compile(r"\s+")
_BARE_NUMBER_RE = re.compile(
    rf"^[【\[〔［〖（(]?\s*(?:篇|第|其|范文|範文|(?i:part))?\s*(?:{NUM}|[{CIRCLED}])\s*篇?\s*[】\]〕］〗）)]?\s*[{HEADING_PUNCT}]?$"
)
_HAS_WORD_RE = re.compile(rf"[{HAN}A-Za-z0-9]")


def is_separator(line: str) -> bool:
    """A line of three or more -, —, ─, *, =, ~, #, · and the like (spaces
    between allowed), maybe with 分割线 in it."""
    compact = _SPACES_RE.sub("", line)
    if len(compact) < 3 or compact[0] not in SEPARATOR_CHARS and "分" not in compact:
        return False
    if "分" in compact:
        compact = SEPARATOR_LABEL_RE.sub("", compact)
    return len(compact) >= 3 and all(ch in SEPARATOR_CHARS for ch in compact) and not _HAS_WORD_RE.search(compact)


_SEPARATOR_CLASS = "[" + "".join(sorted(re.escape(ch) for ch in SEPARATOR_CHARS)) + r"\s]"
_TITLED_SEPARATOR_RE = re.compile(rf"^(?:{_SEPARATOR_CLASS}){{3,}}(?P<title>.{{1,30}}?)(?:{_SEPARATOR_CLASS}){{3,}}$")


def separator_title(line: str) -> str:
    """The title a separator line carries between its runs of marks
    ('======== 背影 ========', '★★★ 春 ★★★'); "" for any other line."""
    m = _TITLED_SEPARATOR_RE.match(line)
    if not m:
        return ""
    title = m.group("title").strip(TITLE_TRIM)
    if not _HAS_WORD_RE.search(title) or SEPARATOR_LABEL_RE.fullmatch(title) or is_layout_only(title):
        return ""
    return title


def is_layout_only(text: str) -> bool:
    """A line that carries no words: a separator, a bare number or a
    numeral in brackets (（一）, 【篇二】, 3.)."""
    text = text.strip(TITLE_TRIM)
    if not text:
        return True
    if len(text) <= 16 and _BARE_NUMBER_RE.match(text):
        return True
    return is_separator(text)
