"""Turn the text of a scraped essay file into a collection of essays.

Pure Python, no Django: it can be tested and fuzzed alone. Two entry points:

- ``decode(data)`` picks the encoding by looking at the whole file;
- ``parse(text, fallback_title)`` cuts the text into a ``ParsedCollection``.

Both raise ``ParseError`` (a one-line, human-readable reason) for input that
cannot be an essay file; nothing else is expected to escape them.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "ParseError",
    "ParsedCollection",
    "ParsedEssay",
    "decode",
    "derive_title",
    "find_placeholders",
    "parse",
]


class ParseError(ValueError):
    """The input is not an essay file; the message says why, in one line."""


@dataclass
class ParsedEssay:
    title: str
    paragraphs: list[str]
    title_derived: bool = False
    author: str = ""
    heading: str = ""

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def has_placeholders(self) -> bool:
        return bool(find_placeholders(self.text))


@dataclass
class ParsedCollection:
    title: str
    essays: list[ParsedEssay]
    intro: str = ""
    author: str = ""
    title_derived: bool = False
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Decoding

CANDIDATE_ENCODINGS = ("utf-8", "gb18030", "big5")


@lru_cache(maxsize=65536)
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


def _plausibility(text: str) -> float:
    counts = Counter(text)
    non_ascii = sum(n for ch, n in counts.items() if ord(ch) > 127)
    if not non_ascii:
        return 1.0
    common = sum(n for ch, n in counts.items() if ord(ch) > 127 and _is_common_cjk(ch))
    return common / non_ascii


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    return controls / len(text)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). The choice is made on the whole file: a
    short run of GBK bytes can be valid UTF-8, so every candidate that decodes
    is scored by the share of everyday CJK characters it yields."""
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
        raise ParseError("binary data (NUL bytes), not a text file")
    scored = []
    for rank, encoding in enumerate(CANDIDATE_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text), -rank, encoding, text))
    if not scored:
        raise ParseError("cannot be decoded as UTF-8, GB18030 or Big5 text")
    _, _, encoding, text = max(scored)
    return _checked(text, encoding)


def _unassigned_share(text: str) -> float:
    if not text:
        return 0.0
    return sum(1 for ch in text if unicodedata.category(ch) in ("Cn", "Co", "Cs")) / len(text)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    # Real Chinese prose is almost all everyday characters; bytes decoded with
    # the wrong codec give rare ones, private-use or unassigned code points.
    if _plausibility(text) < 0.5 or _unassigned_share(text) > 0.001:
        raise ParseError(f"does not look like Chinese text in any known encoding (best guess {encoding})")
    if _control_share(text) > 0.01:
        raise ParseError("binary data (control characters), not a text file")
    return text, encoding


# --------------------------------------------------------------------------
# Line classification

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_NUM = "一二三四五六七八九十百零〇两"
NUM = rf"(?:\d{{1,3}}|[{CN_NUM}]{{1,4}})"
# Characters that may close a sentence (a paragraph ending in one is complete).
SENTENCE_END = "。！？!?…；;.：:”’」』）)】》~～—"
# Characters a title or heading never ends with.
TITLE_TRIM = " \t\u3000\u00a0,，、:：;；"
# Whitespace to strip around a line, full-width indent included.
LINE_SPACE = " \t\u3000\u00a0\u2002\u2003\u200b\ufeff"

HEADING_PATTERNS = [
    re.compile(r"^(?P<num>\d{1,3})\s*[、.．:：)）]\s*(?P<rest>.*)$"),
    re.compile(rf"^(?P<num>[{CN_NUM}]{{1,4}})\s*[、.．:：]\s*(?P<rest>.*)$"),
    re.compile(rf"^[（(](?P<num>{NUM})[）)]\s*[、.．:：]?\s*(?P<rest>.*)$"),
    re.compile(rf"^篇(?P<num>{NUM})\s*[：:、.．]?\s*(?P<rest>.*)$"),
    re.compile(rf"^第(?P<num>{NUM})篇\s*[：:、.．]?\s*(?P<rest>.*)$"),
]
# A heading is a short line; its text never ends a sentence.
HEADING_MAX_CHARS = 40

BLURB_RE = re.compile(
    r"欢迎(?:查阅|阅读|大家阅读|借鉴|参考|收藏)|歡迎(?:查閱|閱讀|大家閱讀|借鑒|參考|收藏)"
    r"|小[编編]|为大家整理|為大家整理|一起[来來]看看|仅供参考|僅供參考"
    r"|希望(?:大家|对你|對你)(?:喜欢|喜歡|有所帮助|有所幫助)"
)
BLURB_TITLE_RES = [
    re.compile(r"一起[来來]看看(?P<t>.+?)[，,]?\s*(?:欢迎|歡迎)"),
    re.compile(r"(?:整理的|精心整理|收集整理|为大家带来的|為大家帶來的)(?P<t>.+?)[，,。]"),
]

HONORIFICS = "老师|老師|同志|教授|先生|女士|校长|校長|书记|書記|主任|同学|同學"
AUTHOR_LINE_RE = re.compile(
    rf"^(?:(?:作者|文|撰文|作者：)\s*[:：/]\s*)?(?P<name>[{HAN}·]{{2,5}}?)(?P<hon>{HONORIFICS})?$"
)
EXPLICIT_AUTHOR_RE = re.compile(rf"^(?:作者|撰文|文)\s*[:：/]\s*(?P<name>[{HAN}·A-Za-z ]{{2,20}})$")
SIGNOFF_RE = re.compile(rf"^(?P<body>.*[{re.escape(SENTENCE_END)}])\s*(?P<name>[{HAN}]{{2,4}})$")

# The commonest surnames; enough to tell a signature from a closing slogan.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴"
    "霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑"
    "景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "張劉陳楊黃趙吳孫郭羅鄭謝韓馮鄧蕭許葉蘇魏呂盧姜崔鍾譚陸範賈韋鄒熊秦邱尹薛閆雷龍陶賀顧龔萬錢嚴溫齊喬顏莊聶"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "歐陽", "司馬")
# Parts of speech (jieba) that a given name is never cut into.
NOT_NAME_POS = ("v", "ns", "nt", "a", "d", "p", "c", "u", "r", "f", "t", "s", "y", "e", "o", "m", "q", "l", "i", "z")

PLACEHOLDER_RE = re.compile(
    r"[_＿]+"
    r"|[*＊]+"
    rf"|(?<![A-Za-z])[XＸ×xｘ]{{1,4}}(?=[年月日号號县縣市区區镇鎮乡鄉村省人名位个個])"
    rf"|(?<=[{HAN}])[XＸ×]{{1,4}}(?![A-Za-z])"
)


def find_placeholders(text: str) -> list[str]:
    """The anonymisation marks in a text (20__年, _县, X年前, **, *政治局委员)."""
    return [m.group(0) for m in PLACEHOLDER_RE.finditer(text)]


def _strip(line: str) -> str:
    return line.strip(LINE_SPACE + "\r\n")


def _ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in SENTENCE_END


def _match_heading(line: str) -> tuple[str, str] | None:
    """(number, heading text) when the line is a numbered heading."""
    if len(line) > HEADING_MAX_CHARS + 6:
        return None
    for pattern in HEADING_PATTERNS:
        m = pattern.match(line)
        if m:
            rest = m.group("rest").strip(TITLE_TRIM)
            if len(rest) > HEADING_MAX_CHARS or (rest and rest[-1] in "。！？!?；;"):
                return None
            # "1.5万人" or "2020年" is text, not a heading number.
            if not rest and not re.search(r"[、.．:：)）篇]", line):
                return None
            return m.group("num"), rest
    return None


def _is_blurb(line: str) -> bool:
    return bool(BLURB_RE.search(line))


@lru_cache(maxsize=65536)
def looks_like_name(text: str) -> bool:
    """Whether 2-4 Han characters read as a person's name, not a slogan."""
    if not 2 <= len(text) <= 4:
        return False
    if text.startswith(COMPOUND_SURNAMES):
        surname_len = 2
    elif text[0] in SURNAMES:
        surname_len = 1
    else:
        return False
    if len(text) - surname_len > 2:
        return False
    import jieba.posseg  # imported late: the rest of the parser needs no dictionary

    pieces = jieba.posseg.lcut(text)
    if len(pieces) == 1:
        return pieces[0].flag.startswith("nr") or pieces[0].flag in ("nz", "n", "x")
    for piece in pieces:
        if piece.word == text[:surname_len]:
            continue
        if piece.flag.startswith(NOT_NAME_POS) and not piece.flag.startswith("nr"):
            return False
    return True


def _author_line(line: str) -> str | None:
    m = EXPLICIT_AUTHOR_RE.match(line)
    if m:
        return m.group("name").strip()
    m = AUTHOR_LINE_RE.match(line)
    if m and looks_like_name(m.group("name")):
        return line
    return None


# --------------------------------------------------------------------------
# Titles


# "张楠烈士事迹心得体会:张楠的勇，…": a heading run into the first sentence.
INLINE_HEADING_RE = re.compile(
    r"^(?P<title>[^，,。：:]{4,30}?(?:心得体会|心得|体会|感悟|观后感|读后感|感想|有感|事迹))[:：]"
)


def derive_title(paragraphs: list[str], limit: int = 30) -> str:
    """A short readable title from the opening text: the first sentence when
    it is short, else its first clauses (at least ten characters, at most
    ``limit``), else the first ``limit`` characters with an ellipsis."""
    text = next((p for p in paragraphs if p.strip()), "").strip()
    if not text:
        return ""
    sentence = re.split(r"(?<=[。！？!?；;…])", text, maxsplit=1)[0]
    lead = INLINE_HEADING_RE.match(sentence)
    if lead:
        return lead.group("title")
    sentence = _balance_quotes(sentence.rstrip("。！？!?；;…"))
    if len(sentence) <= limit:
        return sentence.strip(TITLE_TRIM)
    clauses = re.split(r"(?<=[，,、：:])", sentence)
    title = ""
    for clause in clauses:
        if title and len(title + clause) - 1 > limit:
            break
        title += clause
        if len(title.rstrip("，,、：:")) >= 10:
            break
    title = _balance_quotes(title.rstrip("，,、：:"))
    if len(title) > limit:
        title = title[: limit - 1].rstrip(TITLE_TRIM) + "…"
    return title.strip(TITLE_TRIM)


def _balance_quotes(text: str) -> str:
    """Drop quotation marks left unpaired by cutting a sentence short."""
    for opening, closing in ("“”", "「」", "『』", "《》", "（）", "()"):
        if text.count(opening) != text.count(closing):
            text = text.replace(opening, "").replace(closing, "")
    return text


CHINESE_ORDINALS = "一二三四五六七八九十"


def _ordinal(n: int) -> str:
    if n <= 10:
        return CHINESE_ORDINALS[n - 1]
    if n < 20:
        return "十" + CHINESE_ORDINALS[n - 11]
    if n < 100:
        tens, ones = divmod(n, 10)
        return CHINESE_ORDINALS[tens - 1] + "十" + (CHINESE_ORDINALS[ones - 1] if ones else "")
    return str(n)


def distinct_titles(titles: list[str]) -> list[str]:
    """Tell identical titles apart: the second 标题 becomes 标题（二）."""
    seen: Counter[str] = Counter()
    result = []
    for title in titles:
        seen[title] += 1
        result.append(title if seen[title] == 1 else f"{title}（{_ordinal(seen[title])}）")
    return result


# --------------------------------------------------------------------------
# Parsing


@dataclass
class _Line:
    raw: str
    text: str

    @property
    def space_led(self) -> bool:
        return self.raw.startswith((" ", "\t")) and bool(self.text)


@dataclass
class _Draft:
    heading: str = ""
    heading_text: str = ""
    repeats_title: bool = False
    paragraphs: list[str] = field(default_factory=list)
    blank_before_last: bool = False


def _normalise_newlines(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.lstrip("\ufeff")
    # Other control characters carry nothing a reader can see.
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _split_title_excerpt(first: str, following: list[str]) -> str | None:
    """The page title when the first line carries an excerpt of the first
    essay ending in "...": ' 标题 标题一坚持以人民为中心。…为人...'."""
    body = first.rstrip()
    for ellipsis in ("...", "…", "。。。"):
        if body.endswith(ellipsis):
            body = body[: -len(ellipsis)]
            break
    else:
        return None
    start = next((t for t in following if t), "")
    best = None
    for i in range(len(body)):
        excerpt = body[i:]
        if len(excerpt) >= 5 and start.startswith(excerpt):
            best = body[:i]
            break
    if best is None:
        # No matching text below: keep what reads as the title, the part up to
        # the first sentence mark.
        best = re.split(r"[。！？!?]", body, maxsplit=1)[0]
        best = best[:HEADING_MAX_CHARS]
    title = best.strip(TITLE_TRIM)
    # "…观后感一" + excerpt of essay one: the trailing number counts essays.
    title = re.sub(r"(?:一|1|（一）|\(1\))$", "", title).strip(TITLE_TRIM)
    return title or None


def _first_of_paired_titles(title: str) -> str:
    """'X报告会心得体会 X报告会观后感': a page title naming the same thing
    twice for search engines; readers need the first."""
    parts = title.split()
    if len(parts) == 2 and len(os.path.commonprefix(parts)) >= 4:
        return parts[0]
    return title


def _title_number_heading(line: str, title: str) -> bool:
    """'疫情防控的实践心得3': the collection title followed by a number."""
    if not title or not line.startswith(title) or line == title:
        return False
    rest = line[len(title) :].strip(TITLE_TRIM)
    return bool(re.fullmatch(rf"[（(]?{NUM}[)）]?篇?", rest))


def _blurb_title(blurb: str) -> str:
    for pattern in BLURB_TITLE_RES:
        m = pattern.search(blurb)
        if m:
            title = re.sub(rf"{NUM}篇(?:范文|精选)?$", "", m.group("t")).strip(TITLE_TRIM)
            if 2 <= len(title) <= 60:
                return title
    return ""


def parse(text: str, fallback_title: str = "") -> ParsedCollection:
    """Cut a whole file's text into its collection title, intro, author and
    essays. Raises ParseError when there is no essay in it."""
    if not text.strip(LINE_SPACE + "\r\n\f\v"):
        raise ParseError("contains only whitespace")
    lines = [_Line(raw, _strip(raw)) for raw in _normalise_newlines(text).split("\n")]
    while lines and not lines[0].text:
        lines.pop(0)

    non_empty = [line for line in lines if line.text]
    space_led = sum(1 for line in non_empty if line.space_led)
    # A leading ASCII space starts an essay only when it is the exception; a
    # file indenting every paragraph with spaces uses it as plain indentation.
    space_separates = 0 < space_led <= len(non_empty) / 2

    collection = ParsedCollection(title="", essays=[])
    title_line = ""  # the literal title line, which may recur as a heading
    index = 0
    first = lines[0].text
    following = [line.text for line in lines[1:]]
    excerpt_title = _split_title_excerpt(first, following)
    if excerpt_title:
        title_line = excerpt_title
        collection.title = _first_of_paired_titles(excerpt_title)
        index = 1
    elif _is_blurb(first) or _match_heading(first):
        pass
    elif len(first) <= HEADING_MAX_CHARS + 10 and not _ends_sentence(first):
        collection.title = title_line = first.strip(TITLE_TRIM)
        index = 1

    # The preamble: repeated titles, the editor's blurb, an author line.
    blurbs: list[str] = []
    while index < len(lines):
        current = lines[index].text
        if not current:
            index += 1
            continue
        if title_line and current.strip(TITLE_TRIM) == title_line and not _repeat_starts_essay(lines, index):
            index += 1
            continue
        if _is_blurb(current) and len(current) <= 400:
            blurbs.append(current)
            index += 1
            continue
        if not collection.author and not blurbs and (author := _author_line(current)):
            collection.author = author
            index += 1
            continue
        break
    collection.intro = "\n".join(blurbs)
    if not collection.title and blurbs:
        collection.title = _blurb_title(" ".join(blurbs))
        collection.title_derived = bool(collection.title)

    drafts = _cut_essays(lines[index:], title_line, space_separates)
    drafts = [d for d in drafts if d.paragraphs]
    if not drafts:
        raise ParseError("no essay found (only a title, headings or an editor's note)")

    if not collection.title:
        first_heading = next((d.heading_text for d in drafts if d.heading_text), "")
        collection.title = first_heading or fallback_title
        collection.title_derived = True

    essays = [_finish(d) for d in drafts]
    # A heading that only repeats the collection title names the essay when
    # every essay has one (a uniform layout); in a mixed file the text says more.
    uniform = all(d.heading for d in drafts)
    titles = []
    for draft, essay in zip(drafts, essays, strict=True):
        if draft.heading_text and not draft.repeats_title:
            titles.append(draft.heading_text)
        elif draft.repeats_title and uniform and collection.title:
            titles.append(collection.title)
        else:
            essay.title_derived = True
            titles.append(derive_title(essay.paragraphs) or collection.title)
    for essay, title in zip(essays, distinct_titles(titles), strict=True):
        essay.title = title
    collection.essays = essays
    return collection


def _repeat_starts_essay(lines: list[_Line], index: int) -> bool:
    """A repeated title directly followed by body text is a heading."""
    for line in lines[index + 1 :]:
        if line.text:
            return not _is_blurb(line.text) and line.text != lines[index].text
    return False


def _cut_essays(lines: list[_Line], title_line: str, space_separates: bool) -> list[_Draft]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    blank_seen = False

    def start(heading: str = "", heading_text: str = "", repeats_title: bool = False) -> _Draft:
        draft = _Draft(heading=heading, heading_text=heading_text, repeats_title=repeats_title)
        drafts.append(draft)
        return draft

    for line in lines:
        text = line.text
        if not text:
            blank_seen = True
            continue
        heading = _match_heading(text)
        bare = text.strip(TITLE_TRIM)
        if title_line and (bare == title_line or _title_number_heading(bare, title_line)):
            current = start(text, "", repeats_title=True)
        elif heading:
            number, rest = heading
            repeats = bool(title_line) and rest == title_line
            current = start(text, "" if repeats else rest, repeats_title=repeats)
        elif line.space_led and space_separates and not (current and current.heading and not current.paragraphs):
            current = start()
            current.paragraphs.append(text)
        else:
            if current is None:
                current = start()
            previous = current.paragraphs[-1] if current.paragraphs else ""
            if previous and blank_seen and _cut_mid_sentence(previous, text):
                current.paragraphs[-1] = _join(previous, text)
            else:
                current.paragraphs.append(text)
        blank_seen = False
    return drafts


def _cut_mid_sentence(previous: str, following: str) -> bool:
    """'…超越了时间和空间上的限' / '制，用一个个…': one paragraph split in two."""
    if len(previous) < 20 or _ends_sentence(previous):
        return False
    if _match_heading(following):
        return False
    return bool(re.match(rf"[{HAN}A-Za-z0-9，,、；;：:）)”’」』]", following))


def _join(left: str, right: str) -> str:
    if re.search(r"[A-Za-z0-9]$", left) and re.match(r"[A-Za-z0-9]", right):
        return f"{left} {right}"
    return left + right


def _finish(draft: _Draft) -> ParsedEssay:
    paragraphs = list(draft.paragraphs)
    author = ""
    last = paragraphs[-1]
    if len(paragraphs) > 1 and (name := _author_line(last)) and len(last) <= 10:
        # A name alone on the last line signs the essay.
        author = name
        paragraphs.pop()
    else:
        m = SIGNOFF_RE.match(last)
        if m and looks_like_name(m.group("name")):
            author = m.group("name")
            paragraphs[-1] = m.group("body").rstrip()
    return ParsedEssay(title="", paragraphs=paragraphs, author=author, heading=draft.heading)
