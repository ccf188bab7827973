"""Layouts the parser has to recognise by shape: every heading family in
every numeral style, bracket and punctuation, separator lines, single essays,
in several encodings and line endings. No database."""

import pytest

from essays.parsing import (
    CutHint,
    ParseError,
    decode,
    heading_families,
    is_layout_only,
    match_heading,
    normalised_lines,
    numeral_value,
    parse,
)
from tests import layout_samples as samples
from tests.layout_samples import CN_NUMERALS, ESSAYS


def cn(n):
    return CN_NUMERALS[n - 1]


def fw(n):  # full-width digits
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


# (id, heading line for essay n with title t)
HEADINGS = [
    ("bracket-pian-cn", lambda n, t: f"【篇{cn(n)}】{t}"),
    ("bracket-pian-arabic", lambda n, t: f"【篇{n}】 {t}"),
    ("square-pian", lambda n, t: f"[篇{cn(n)}]{t}"),
    ("fullwidth-square-pian", lambda n, t: f"［篇{cn(n)}］：{t}"),
    ("tortoise-pian", lambda n, t: f"〔篇{cn(n)}〕{t}"),
    ("pian-colon", lambda n, t: f"篇{cn(n)}：{t}"),
    ("pian-dot", lambda n, t: f"篇{n}. {t}"),
    ("pianmu", lambda n, t: f"篇目{cn(n)} {t}"),
    ("di-pian-arabic-colon", lambda n, t: f"第{n}篇：{t}"),
    ("di-pian-cn-space", lambda n, t: f"第{cn(n)}篇 {t}"),
    ("di-pian-fullwidth", lambda n, t: f"第{fw(n)}篇：{t}"),
    ("bracket-di-pian", lambda n, t: f"【第{cn(n)}篇】{t}"),
    ("fanwen-arabic-colon", lambda n, t: f"范文{n}：{t}"),
    ("fanwen-cn-colon", lambda n, t: f"范文{cn(n)}：{t}"),
    ("bracket-fanwen", lambda n, t: f"【范文{n}】{t}"),
    ("jingxuan-fanwen", lambda n, t: f"精选范文{cn(n)}、{t}"),
    ("qi", lambda n, t: f"其{cn(n)}：{t}"),
    ("part", lambda n, t: f"Part {n} {t}"),
    ("part-upper", lambda n, t: f"PART{n}：{t}"),
    ("paren-cn", lambda n, t: f"（{cn(n)}）{t}"),
    ("paren-arabic", lambda n, t: f"({n}){t}"),
    ("paren-arabic-fullwidth", lambda n, t: f"（{n}）、{t}"),
    ("square-cn", lambda n, t: f"[{cn(n)}]{t}"),
    ("bracket-arabic", lambda n, t: f"【{n}】{t}"),
    ("tortoise-cn", lambda n, t: f"〔{cn(n)}〕{t}"),
    ("cn-dun", lambda n, t: f"{cn(n)}、{t}"),
    ("cn-dot", lambda n, t: f"{cn(n)}．{t}"),
    ("cn-space", lambda n, t: f"{cn(n)} {t}"),
    ("arabic-dun", lambda n, t: f"{n}、{t}"),
    ("arabic-dot-space", lambda n, t: f"{n}. {t}"),
    ("arabic-colon", lambda n, t: f"{n}：{t}"),
    ("arabic-half-paren", lambda n, t: f"{n}）{t}"),
    ("circled", lambda n, t: f"{'①②③④⑤⑥'[n - 1]} {t}"),
]
# Headings with no title after them: the essay's title is the next line.
BARE_HEADINGS = [
    ("bracket-pian", lambda n: f"【篇{cn(n)}】"),
    ("pian", lambda n: f"篇{n}."),
    ("fanwen", lambda n: f"范文{n}："),
    ("fanwen-cn", lambda n: f"范文{cn(n)}："),
    ("di-pian", lambda n: f"第{cn(n)}篇"),
    ("paren-cn", lambda n: f"（{cn(n)}）"),
    ("square-cn", lambda n: f"[{cn(n)}]"),
    ("qi", lambda n: f"其{cn(n)}"),
    ("part", lambda n: f"Part {n}"),
    ("cn-dun", lambda n: f"{cn(n)}、"),
]


def assert_essays(collection, expected, titles=None):
    assert [e.title for e in collection.essays] == (titles or [e.title for e in expected])
    assert [e.paragraphs for e in collection.essays] == [list(e.paragraphs) for e in expected]


def assert_no_layout(collection):
    for essay in collection.essays:
        assert essay.title and not is_layout_only(essay.title), essay.title
        assert all(p and not is_layout_only(p) for p in essay.paragraphs)


# -- headings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("utf-8", "\n"), ("gb18030", "\r\n"), ("utf-16-le-bom", "\r")],
    ids=["utf8", "gb", "utf16"],
)
@pytest.mark.parametrize("heading", [h for _, h in HEADINGS], ids=[i for i, _ in HEADINGS])
def test_heading_family_cuts_essays_and_gives_their_titles(heading, encoding, newline):
    data = samples.encode(samples.with_newlines(samples.headed_file(heading, count=4), newline), encoding)
    c = parse(decode(data)[0])
    assert c.title == samples.COLLECTION_TITLE
    assert c.intro == samples.INTRO
    assert_essays(c, ESSAYS[:4])
    assert not any(e.title_derived for e in c.essays)
    assert c.doubts == []
    assert_no_layout(c)


@pytest.mark.parametrize("heading", [h for _, h in HEADINGS], ids=[i for i, _ in HEADINGS])
def test_heading_family_without_a_title_line_or_intro(heading):
    c = parse(samples.headed_file(heading, count=3, title=""))
    assert_essays(c, ESSAYS[:3])


@pytest.mark.parametrize("bare", [h for _, h in BARE_HEADINGS], ids=[i for i, _ in BARE_HEADINGS])
def test_bare_heading_takes_the_next_short_line_as_title(bare):
    c = parse(samples.headed_file(lambda n, t: f"{bare(n)}\n{t}", count=4))
    assert_essays(c, ESSAYS[:4])
    assert_no_layout(c)


@pytest.mark.parametrize("bare", [h for _, h in BARE_HEADINGS], ids=[i for i, _ in BARE_HEADINGS])
def test_bare_heading_before_a_sentence_derives_the_title(bare):
    c = parse(samples.headed_file(lambda n, t: bare(n), count=3))
    assert [e.paragraphs for e in c.essays] == [list(e.paragraphs) for e in ESSAYS[:3]]
    assert all(e.title_derived for e in c.essays)
    assert c.essays[1].title == "奶奶家门前有一块不大的菜园"


def test_heading_numbers_may_skip_a_lost_essay():
    c = parse(samples.headed_file(lambda n, t: f"【篇{cn(n if n < 3 else n + 1)}】{t}", count=4))
    assert len(c.essays) == 4


def test_first_essay_may_stand_under_the_title_without_a_heading():
    text = samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3, intro=False)
    text = text.replace(f"【篇一】{ESSAYS[0].title}\n", "")
    c = parse(text)
    assert len(c.essays) == 3
    assert [e.title for e in c.essays[1:]] == [ESSAYS[1].title, ESSAYS[2].title]


@pytest.mark.parametrize(
    ("line", "family", "number", "rest"),
    [
        ("【篇二】标题", "bracket_pian", 2, "标题"),
        ("【篇一】", "bracket_pian", 1, ""),
        ("范文2：", "fanwen", 2, ""),
        ("范文二：标题", "fanwen", 2, "标题"),
        ("第1篇：标题", "di_pian", 1, "标题"),
        ("第三篇 标题", "di_pian", 3, "标题"),
        ("（一）", "paren_num_cn", 1, ""),
        ("(2)标题", "paren_num_arabic", 2, "标题"),
        ("其二", "qi", 2, ""),
        ("篇3.", "pian", 3, ""),
        ("Part 2 标题", "part", 2, "标题"),
        ("[一]", "bracket_num_cn", 1, ""),
        ("〔三〕标题", "bracket_num_cn", 3, "标题"),
        ("一、标题", "num_cn", 1, "标题"),
        ("2、标题", "num_arabic", 2, "标题"),
        ("3. 标题", "num_arabic", 3, "标题"),
        ("二十三、标题", "num_cn", 23, "标题"),
        ("十一．标题", "num_cn", 11, "标题"),
        ("两、标题", "num_cn", 2, "标题"),
        ("一〇、标题", "num_cn", 10, "标题"),
        ("【篇十二】", "bracket_pian", 12, ""),
        ("〖范文3〗标题", "bracket_fanwen", 3, "标題" if False else "标题"),
        ("範文二：標題", "fanwen", 2, "標題"),
    ],
)
def test_heading_shapes(line, family, number, rest):
    heading = match_heading(line)
    assert heading is not None
    assert (heading.family, heading.number, heading.rest) == (family, number, rest)


@pytest.mark.parametrize(
    "line",
    [
        "1.5万人参加了活动",
        "2020年是不平凡的一年",
        "10 月 1 日是国庆节",
        "一样的天空",
        "其实我很喜欢读书",
        "一、坚持党的领导，这是我们的根本。",
        "第一，要坚持学习",
        "篇幅有限，不再赘述",
        "3 个人一起去",
        "一" * 60,
    ],
)
def test_text_is_not_a_heading(line):
    assert match_heading(line) is None


@pytest.mark.parametrize(
    ("token", "value"),
    [("一", 1), ("十", 10), ("十一", 11), ("二十三", 23), ("两", 2), ("一〇", 10), ("一百零一", 101), ("１２", 12)],
)
def test_numerals(token, value):
    assert numeral_value(token) == value


# -- nested and stray numbering -------------------------------------------------------


def test_nested_points_inside_essays_do_not_cut():
    """篇一 holding 一、二、三: the outer family numbers the essays."""
    points = ["一、读书明理", "二、读书修身", "三、读书致用"]
    c = parse(samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3, sub_points=lambda k: points[k - 1]))
    assert [e.title for e in c.essays] == [e.title for e in ESSAYS[:3]]
    assert c.essays[0].paragraphs[0] == "一、读书明理"
    assert len(c.essays[0].paragraphs) == 6
    assert c.cut == "bracket_pian"


def test_points_numbered_in_one_essay_only_do_not_cut():
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=3)
    text = text.replace(ESSAYS[1].paragraphs[0], f"{ESSAYS[1].paragraphs[0]}\n（一）春天种豆角\n（二）夏天搭丝瓜架")
    c = parse(text)
    assert len(c.essays) == 3
    assert "（一）春天种豆角" in c.essays[1].paragraphs


def test_a_lone_bracketed_numeral_in_the_body_is_not_a_cut_and_not_a_paragraph():
    text = samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3)
    text = text.replace(f"\u3000\u3000{ESSAYS[2].paragraphs[1]}", f"（一）\n{ESSAYS[2].paragraphs[1]}")
    c = parse(text)
    assert len(c.essays) == 3
    assert c.essays[2].paragraphs[1] == "（一）" + ESSAYS[2].paragraphs[1]
    assert_no_layout(c)


def test_headings_out_of_order_are_not_a_cut_and_are_doubtful():
    numbers = [1, 3, 2]
    c = parse(samples.headed_file(lambda n, t: f"（{cn(numbers[n - 1])}）{t}", count=3))
    assert len(c.essays) == 1
    assert "inner_headings" in [d.code for d in c.doubts]


@pytest.mark.parametrize("heading", [lambda n, t: f"【篇{cn(n)}】{t}", lambda n, t: f"{n}、{t}"])
def test_a_table_of_contents_is_not_a_cut(heading):
    contents = "\n".join(heading(n, e.title) for n, e in enumerate(ESSAYS, start=1))
    text = samples.headed_file(heading, count=6, intro=False)
    text = text.replace(samples.COLLECTION_TITLE, f"{samples.COLLECTION_TITLE}\n{contents}\n", 1)
    c = parse(text)
    assert_essays(c, ESSAYS)
    assert c.intro == contents


# -- separators --------------------------------------------------------------------


SEPARATORS = [
    "------------------------------",
    "———————————",
    "─────────",
    "━━━━━━━━",
    "* * * * *",
    "＊＊＊＊＊＊",
    "==========",
    "＝＝＝＝＝",
    "~~~~~~~~",
    "～～～～～～",
    "#####",
    "·····",
    "• • • • •",
    "__________",
    "＿＿＿＿＿",
    "﹏﹏﹏﹏﹏﹏",
    "---",
    "-=-=-=-=-",
    "★★★★★",
    "------华丽的分割线------",
]


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("gb18030", "\r\n"), ("utf-16-be-bom", "\r")])
@pytest.mark.parametrize("separator", SEPARATORS)
def test_separator_lines_cut_and_the_next_short_line_is_the_title(separator, encoding, newline):
    data = samples.encode(samples.with_newlines(samples.separated_file(separator, count=4), newline), encoding)
    c = parse(decode(data)[0])
    assert c.title == samples.COLLECTION_TITLE
    assert_essays(c, ESSAYS[:4])
    assert c.cut == "separator"
    assert_no_layout(c)


@pytest.mark.parametrize("separator", SEPARATORS[:6])
def test_separators_without_title_lines_derive_titles(separator):
    c = parse(samples.separated_file(separator, count=3, titled=False))
    assert [e.paragraphs for e in c.essays] == [list(e.paragraphs) for e in ESSAYS[:3]]
    assert all(e.title_derived for e in c.essays)
    assert c.essays[0].title == "小时候，家里最多的不是玩具，而是父亲从旧书摊上淘来的书"


def test_separators_between_essays_the_first_under_the_title_line():
    c = parse(samples.separated_file("------", count=3, title="", leading=False))
    assert_essays(c, ESSAYS[:3])


def test_separators_before_numbered_headings_use_the_headings_titles():
    text = samples.headed_file(lambda n, t: f"-----------\n{cn(n)}、{t}", count=3)
    c = parse(text)
    assert_essays(c, ESSAYS[:3])
    assert_no_layout(c)


def test_a_separator_inside_an_essay_cut_by_headings_is_dropped():
    text = samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3)
    text = text.replace(f"\u3000\u3000{ESSAYS[0].paragraphs[2]}", f"＊＊＊\n{ESSAYS[0].paragraphs[2]}")
    c = parse(text)
    assert_essays(c, ESSAYS[:3])


def test_the_dash_file_of_issue_10_is_not_one_essay_titled_with_dashes():
    dashes = "-" * 30
    c = parse(samples.separated_file(dashes, count=3, title="", titled=False, leading=False))
    assert len(c.essays) == 3
    assert all(dashes not in e.title and dashes not in e.paragraphs for e in c.essays)


@pytest.mark.parametrize("line", ["======== {} ========", "★★★ {} ★★★", "———— {} ————", "~~~{}~~~"])
def test_separator_lines_carrying_the_title(line):
    text = "\n".join(
        [samples.COLLECTION_TITLE, *(y for e in ESSAYS[:3] for y in (line.format(e.title), *e.paragraphs))]
    )
    c = parse(text)
    assert_essays(c, ESSAYS[:3])
    assert c.cut == "separator"


def test_an_author_line_under_an_essays_title_is_its_author():
    text = samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}\n作者：{'王芳李强'[2 * n - 2 : 2 * n]}", count=2)
    c = parse(text)
    assert [e.author for e in c.essays] == ["王芳", "李强"]
    assert_essays(c, ESSAYS[:2])


def test_titles_may_ask_or_exclaim():
    titles = ["我们为什么要读书？", "奶奶的菜园！"]
    text = samples.headed_file(lambda n, t: f"范文{n}：{titles[n - 1]}", count=2)
    assert [e.title for e in parse(text).essays] == titles
    text = samples.separated_file("-----", count=2).replace(ESSAYS[0].title, titles[0])
    assert [e.title for e in parse(text).essays] == [titles[0], ESSAYS[1].title]


def test_text_before_headings_counting_from_one_is_doubtful():
    """一篇心得 with sections 一、二、三 after an opening paragraph: cut as
    before, but a curator is asked whether they are sections."""
    lead = "\n".join(ESSAYS[5].paragraphs[:2])
    text = samples.headed_file(lambda n, t: f"{cn(n)}、{t}", count=3, intro=False)
    text = text.replace(f"一、{ESSAYS[0].title}", f"{lead}\n一、{ESSAYS[0].title}")
    c = parse(text)
    assert len(c.essays) == 4
    assert [(d.code, d.essay) for d in c.doubts] == [("text_before_headings", 0)]
    assert c.doubts[0].values == {"heading": f"一、{ESSAYS[0].title}"}


@pytest.mark.parametrize("collection_title", ["", "散文三篇\n"])
def test_separators_underlining_the_titles_above_them(collection_title):
    lines = [y for e in ESSAYS[:3] for y in (e.title, "—" * 12, *e.paragraphs)]
    c = parse(collection_title + "\n".join(lines))
    assert_essays(c, ESSAYS[:3])


@pytest.mark.parametrize(
    "intro",
    ["以下是为大家准备的关于读书的作文，供大家参考。", "读书是一件快乐的事。", "下面為大家帶來三篇散文。"],
)
@pytest.mark.parametrize("layout", ["heading", "separator"])
def test_a_short_text_before_the_first_essay_is_the_intro(intro, layout):
    if layout == "heading":
        text = samples.headed_file(lambda n, t: f"第{n}篇：{t}", count=3, intro=False)
    else:
        text = samples.separated_file("*****", count=3)
    text = text.replace(samples.COLLECTION_TITLE, f"{samples.COLLECTION_TITLE}\n{intro}", 1)
    c = parse(text.replace("\n", "\r\n\r\n"))
    assert c.intro == intro
    assert_essays(c, ESSAYS[:3])
    assert c.doubts == []


# -- a file of one essay -----------------------------------------------------------------


@pytest.mark.parametrize("script", ["simplified", "traditional"])
def test_single_essay_takes_its_title_line(script):
    essay = samples.essays(1, script)[0]
    c = parse(essay.title + "\n\n" + "\n".join("\u3000\u3000" + p for p in essay.paragraphs))
    assert c.title == essay.title
    assert len(c.essays) == 1
    assert c.essays[0].title == essay.title
    assert not c.essays[0].title_derived
    assert c.essays[0].paragraphs == list(essay.paragraphs)


def test_single_essay_with_author_line():
    essay = ESSAYS[4]
    c = parse(f"{essay.title}\n作者：李明\n" + "\n".join(essay.paragraphs))
    assert (c.title, c.author, c.essays[0].title) == (essay.title, "李明", essay.title)


# -- encodings and line endings -------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16-le-bom", "utf-16-be-bom"]
NEWLINES = ["\n", "\r\n", "\r"]
FAMILY_SAMPLES = [
    ("bracket_pian", lambda n, t: f"【篇{cn(n)}】{t}"),
    ("fanwen", lambda n, t: f"范文{n}：{t}"),
    ("di_pian", lambda n, t: f"第{n}篇：{t}"),
    ("paren_num_cn", lambda n, t: f"（{cn(n)}）{t}"),
    ("qi", lambda n, t: f"其{cn(n)}\n{t}"),
    ("part", lambda n, t: f"Part {n} {t}"),
    ("num_cn", lambda n, t: f"{cn(n)}、{t}"),
    ("num_arabic", lambda n, t: f"{n}. {t}"),
]


@pytest.mark.parametrize("newline", NEWLINES, ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("family", FAMILY_SAMPLES, ids=[k for k, _ in FAMILY_SAMPLES])
def test_families_in_every_encoding_and_line_ending(family, encoding, newline):
    key, heading = family
    data = samples.encode(samples.with_newlines(samples.headed_file(heading, count=3), newline), encoding)
    text, found = decode(data)
    assert found == {"utf-16-le-bom": "utf-16", "utf-16-be-bom": "utf-16"}.get(encoding, encoding)
    c = parse(text)
    assert c.cut == key
    assert_essays(c, ESSAYS[:3])


@pytest.mark.parametrize("newline", NEWLINES, ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_separator_file_in_every_encoding_and_line_ending(encoding, newline):
    data = samples.encode(samples.with_newlines(samples.separated_file("——————", count=3), newline), encoding)
    c = parse(decode(data)[0])
    assert_essays(c, ESSAYS[:3])


BIG5_FAMILIES = [
    lambda n, t: f"【篇{cn(n)}】{t}",
    lambda n, t: f"範文{n}：{t}",
    lambda n, t: f"第{cn(n)}篇 {t}",
    lambda n, t: f"（{cn(n)}）{t}",
    lambda n, t: f"{cn(n)}、{t}",
    lambda n, t: f"其{cn(n)}：{t}",
]


@pytest.mark.parametrize("newline", NEWLINES, ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("encoding", ["big5", "utf-8", "utf-16-le-bom"])
@pytest.mark.parametrize("heading", BIG5_FAMILIES)
def test_traditional_files(heading, encoding, newline):
    text = samples.headed_file(heading, count=3, title=samples.TRADITIONAL_TITLE, script="traditional")
    decoded, found = decode(samples.encode(samples.with_newlines(text, newline), encoding))
    if encoding == "big5":
        assert found == "big5"
    c = parse(decoded)
    expected = samples.essays(3, "traditional")
    assert_essays(c, expected)


def test_traditional_separator_file_in_big5():
    text = samples.separated_file("─────", count=3, title=samples.TRADITIONAL_TITLE)
    text = samples.traditional(text)
    decoded, found = decode(text.encode("big5"))
    assert found == "big5"
    assert [e.title for e in parse(decoded).essays] == [e.title for e in samples.essays(3, "traditional")]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised_by_its_zero_bytes(codec):
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=2)
    decoded, found = decode(text.encode(codec))
    assert found == codec
    assert decoded == text


def test_nul_and_control_characters_are_dropped():
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=2)
    dirty = text.replace("读书", "读\x00书", 1).replace("菜园", "菜\x07园", 1)
    decoded, _ = decode(dirty.encode("utf-8"))
    assert decoded == text
    decoded, _ = decode(samples.encode(dirty, "utf-16-le-bom"))
    assert decoded == text
    assert parse(dirty).essays[0].title == ESSAYS[0].title


def test_a_mostly_nul_file_is_still_binary():
    with pytest.raises(ParseError, match="binary data"):
        decode(b"\x00\x00\x00\x01" * 50)


# -- line numbers and hints ----------------------------------------------------------------


def test_essays_know_their_lines():
    text = samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3)
    lines = normalised_lines(text)
    c = parse(text)
    assert [lines[e.start_line] for e in c.essays] == [f"【篇{cn(n)}】{e.title}" for n, e in enumerate(ESSAYS[:3], 1)]
    for essay in c.essays:
        assert lines[essay.end_line - 1].strip() == essay.paragraphs[-1]
    assert c.essays[0].end_line <= c.essays[1].start_line


def test_normalised_lines_count_every_line_ending_alike():
    assert normalised_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]
    assert normalised_lines("\ufeff甲\x00乙") == ["甲乙"]


def test_heading_families_have_keys_and_labels():
    families = dict(heading_families())
    assert families["bracket_pian"] == "【篇一】"
    assert families["num_cn"] == "一、"
    assert families["paren_num_cn"] == "（一）"
    assert len(families) == len(heading_families())


def test_family_hint_cuts_only_at_that_family():
    """Points numbered 一、二、三 inside essays headed (一)(二)(三)... which the
    curator says are not essays, while 篇 headings are."""
    points = ["一、读书明理", "二、读书修身", "三、读书致用"]
    text = samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3, sub_points=lambda k: points[k - 1])
    by_points = parse(text, hint=CutHint(mode="family", family="num_cn"))
    # The first heading of 篇 stands before the first point: an essay of its own.
    assert by_points.essays[0].paragraphs == [f"【篇一】{ESSAYS[0].title}"]
    assert [e.title for e in by_points.essays][1:5] == ["读书明理", "读书修身", "读书致用", "读书明理（二）"]
    assert by_points.cut == "num_cn"


def test_separator_hint_ignores_headings():
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=3).replace("2、", "~~~~~~\n2、")
    c = parse(text, hint=CutHint(mode="separator"))
    assert len(c.essays) == 2
    assert c.essays[1].title == ESSAYS[1].title


def test_single_hint_makes_one_essay():
    c = parse(samples.headed_file(lambda n, t: f"【篇{cn(n)}】{t}", count=3), hint=CutHint(mode="single"))
    assert len(c.essays) == 1
    assert c.essays[0].paragraphs[0] == f"【篇一】{ESSAYS[0].title}"
    assert c.intro == samples.INTRO


def test_lines_hint_cuts_exactly_there():
    text = samples.separated_file("", count=3, title="", leading=False)  # essays with no marks between
    lines = normalised_lines(text)
    starts = [lines.index(e.title) for e in ESSAYS[:3]]
    assert len(parse(text).essays) == 1
    c = parse(text, hint=CutHint(mode="lines", heading_lines=tuple(starts)))
    assert_essays(c, ESSAYS[:3])
    assert [e.start_line for e in c.essays] == starts
    assert c.cut == "lines"


@pytest.mark.parametrize(
    ("hint", "reason"),
    [
        (CutHint(mode="sideways"), "unknown cut mode"),
        (CutHint(mode="family", family="nope"), "unknown heading family"),
        (CutHint(mode="family", family="bracket_pian"), "no headings of the family 【篇一】"),
        (CutHint(mode="separator"), "no separator lines"),
        (CutHint(mode="lines"), "no heading lines given"),
        (CutHint(mode="lines", heading_lines=(9999,)), "line 9999 is not in the file"),
        (CutHint(mode="lines", heading_lines=(-1,)), "line -1 is not in the file"),
        (CutHint(mode="lines", heading_lines=(1,)), "line 1 is blank"),
        (CutHint(mode="lines", heading_lines=("2",)), "is not a line number"),
        (CutHint(mode="lines", heading_lines=([2],)), "is not a line number"),
        (CutHint(mode="lines", heading_lines=3), "must be a tuple"),
        (CutHint(mode="family", family=["num_cn"]), "unknown heading family"),
    ],
)
def test_hints_that_cannot_be_honoured_are_a_one_line_parse_error(hint, reason):
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=2, intro=False).replace("\n", "\n\n", 1)
    with pytest.raises(ParseError) as excinfo:
        parse(text, hint=hint)
    assert reason in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_lines_hint_on_a_separator_is_refused():
    text = samples.separated_file("-----", count=2)
    index = normalised_lines(text).index("-----")
    with pytest.raises(ParseError, match="separator line"):
        parse(text, hint=CutHint(mode="lines", heading_lines=(index,)))


# -- doubts -------------------------------------------------------------------------------


def test_one_essay_far_longer_than_the_rest_is_doubtful():
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=4)
    long_part = "\n".join(ESSAYS[4].paragraphs + ESSAYS[5].paragraphs) * 2
    text = text.replace(ESSAYS[1].paragraphs[2], ESSAYS[1].paragraphs[2] + "\n" + long_part)
    c = parse(text)
    doubts = [(d.code, d.essay) for d in c.doubts]
    assert ("long_essay", 1) in doubts
    assert c.doubts[0].values["chars"] > 3 * c.doubts[0].values["median"]


def test_a_short_essay_is_doubtful():
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=3) + "4、附记\n本文来源于网络。\n"
    c = parse(text)
    assert [(d.code, d.essay) for d in c.doubts] == [("short_essay", 3)]
    assert "\n" not in c.doubts[0].detail


def test_a_long_single_essay_with_title_like_lines_is_doubtful():
    body = []
    for essay in ESSAYS:
        body.append(essay.title)
        body.extend(essay.paragraphs * 3)
    c = parse("散文集\n" + "\n".join(body))
    assert len(c.essays) == 1
    assert "long_essay" in [d.code for d in c.doubts]


def test_clean_files_have_no_doubts():
    for heading in (lambda n, t: f"【篇{cn(n)}】{t}", lambda n, t: f"{n}、{t}"):
        assert parse(samples.headed_file(heading, count=5)).doubts == []
    assert parse(samples.separated_file("-----", count=5)).doubts == []
