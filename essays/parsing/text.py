"""Characters, lines and words: what the rest of the parser reads text with.

Line normalisation, the character classes, editor blurbs, author names,
placeholders and derived titles. No cutting happens here.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from functools import lru_cache

HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Characters that may close a sentence (a paragraph ending in one is complete).
SENTENCE_END = "。！？!?…；;.：:”’」』）)】》~～—"
# Characters a title or heading never ends with (they are trimmed off).
TITLE_TRIM = " \t\u3000\u00a0,，、:：;；"
# Whitespace to strip around a line, full-width indent included.
LINE_SPACE = " \t\u3000\u00a0\u2002\u2003\u200b\ufeff"
# A heading or a title is a short line.
HEADING_MAX_CHARS = 40

_NEWLINES_RE = re.compile(r"\r\n|[\r\u2028\u2029\x85]")


# Control characters (C0 and C1, tab and line ends excepted) and lone
# surrogates: nothing a reader sees, and PostgreSQL refuses NUL outright.
_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_controls(text: str) -> str:
    """Drop NUL, the other control characters (tab and line ends kept) and
    lone surrogates: the same text then lands on every database."""
    return _CONTROLS_RE.sub("", text)


def normalise_text(text: str) -> str:
    """Every line end becomes \\n; a leading BOM and control characters go."""
    return clean_controls(_NEWLINES_RE.sub("\n", text)).lstrip("\ufeff")


def normalised_lines(text: str) -> list[str]:
    """The lines of ``text`` as the parser numbers them (``start_line`` and
    ``CutHint.heading_lines`` index into this list), indents kept."""
    return normalise_text(text).split("\n")


def strip_line(line: str) -> str:
    return line.strip(LINE_SPACE + "\r\n")


def ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in SENTENCE_END


# --------------------------------------------------------------------------
# Editor blurbs

BLURB_RE = re.compile(
    r"欢迎(?:查阅|阅读|大家阅读|借鉴|参考|收藏)|歡迎(?:查閱|閱讀|大家閱讀|借鑒|參考|收藏)"
    r"|小[编編]|为大家整理|為大家整理|一起[来來]看看|仅供参考|僅供參考"
    r"|希望(?:大家|对你|對你)(?:喜欢|喜歡|有所帮助|有所幫助)"
    r"|^(?:以下是|下面是|以下為|下面為|以下为|下面为)|供(?:大家|您|你)(?:参考|參考|借鉴|借鑒|阅读|閱讀)"
    r"|希望(?:对|對)(?:大家|您|你)有(?:所)?(?:帮助|幫助)|希望能(?:帮|幫)(?:助)?到"
)
BLURB_TITLE_RES = [
    re.compile(r"一起[来來]看看(?P<t>.+?)[，,]?\s*(?:欢迎|歡迎)"),
    re.compile(r"(?:整理的|精心整理|收集整理|为大家带来的|為大家帶來的)(?P<t>.+?)[，,。]"),
]


def is_blurb(line: str) -> bool:
    return bool(BLURB_RE.search(line))


def blurb_title(blurb: str, number_re: str) -> str:
    for pattern in BLURB_TITLE_RES:
        m = pattern.search(blurb)
        if m:
            title = re.sub(rf"{number_re}篇(?:范文|精选)?$", "", m.group("t")).strip(TITLE_TRIM)
            if 2 <= len(title) <= 60:
                return title
    return ""


# --------------------------------------------------------------------------
# Authors

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


def author_line(line: str) -> str | None:
    m = EXPLICIT_AUTHOR_RE.match(line)
    if m:
        return m.group("name").strip()
    m = AUTHOR_LINE_RE.match(line)
    if m and looks_like_name(m.group("name")):
        return line
    return None


# --------------------------------------------------------------------------
# Placeholders

# Every placeholder starts with one of the characters in the lookahead; said
# first, it lets the engine skip the rest of the text at once (the seed text
# without placeholders: 4.0 -> 0.44 ms for one search).
PLACEHOLDER_RE = re.compile(
    r"(?=[_＿*＊XＸ×xｘ])(?:"
    r"[_＿]+"
    r"|[*＊]+"
    rf"|(?<![A-Za-z])[XＸ×xｘ]{{1,4}}(?=[年月日号號县縣市区區镇鎮乡鄉村省人名位个個])"
    rf"|(?<=[{HAN}])[XＸ×]{{1,4}}(?![A-Za-z])"
    r")"
)


def find_placeholders(text: str) -> list[str]:
    """The anonymisation marks in a text (20__年, _县, X年前, **, *政治局委员)."""
    return [m.group(0) for m in PLACEHOLDER_RE.finditer(text)]


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


def ordinal(n: int) -> str:
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
        result.append(title if seen[title] == 1 else f"{title}（{ordinal(seen[title])}）")
    return result


def first_of_paired_titles(title: str) -> str:
    """'X报告会心得体会 X报告会观后感': a page title naming the same thing
    twice for search engines; readers need the first."""
    parts = title.split()
    if len(parts) == 2 and len(os.path.commonprefix(parts)) >= 4:
        return parts[0]
    return title
