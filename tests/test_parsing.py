"""The text parser, alone: no database, no Django."""

from pathlib import Path

import pytest

from essays.parsing import ParseError, decode, derive_title, find_placeholders, parse

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def parse_seed(prefix):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    text, encoding = decode(path.read_bytes())
    assert encoding == "utf-8"
    return parse(text, fallback_title=path.stem)


# -- the five seed layouts ---------------------------------------------------


def test_seed_000_title_line_with_excerpt_and_space_led_essays():
    c = parse_seed("000")
    # The page title names the event twice ("…心得体会 …观后感"); the first is kept.
    assert c.title == "全国脱贫攻坚先进事迹报告会心得体会"
    assert len(c.essays) == 10
    first = c.essays[0]
    # The excerpt on the title line is not an essay; essay one starts below it.
    assert first.paragraphs[0].startswith("坚持以人民为中心。以人民为中心是")
    assert first.paragraphs[-1].endswith("绝对不会有如此“硬核”的成就。")
    assert first.title == "坚持以人民为中心"
    assert first.title_derived


def test_seed_000_heading_repeating_the_title_with_a_number_splits_and_is_dropped():
    c = parse_seed("000")
    eighth = c.essays[7]
    assert eighth.paragraphs[0] == "张楠烈士事迹心得体会:张楠的勇，是一往无前的勇。"
    assert eighth.title == "张楠烈士事迹心得体会"
    assert all("观后感八" not in p for e in c.essays for p in e.paragraphs)
    assert c.essays[6].paragraphs[-1].endswith("20__年被山东总队评为“十佳优秀士官”。")


def test_seed_000_placeholders_are_kept_and_flagged():
    c = parse_seed("000")
    second = c.essays[1]
    assert "强调到20__年现行标准下" in second.paragraphs[0]
    assert second.has_placeholders
    assert "今年7月，_县共从县乡机关" in c.essays[2].text
    assert c.essays[2].has_placeholders
    assert not c.essays[4].has_placeholders


def test_seed_000_titles_are_short_and_distinct():
    c = parse_seed("000")
    titles = [e.title for e in c.essays]
    assert len(set(titles)) == len(titles)
    assert all(0 < len(t) <= 31 for t in titles)
    assert titles[5] == "其实想跟病人交流，想给她们一个加油的微笑"  # unpaired quote dropped


def test_seed_001_blurb_is_the_intro_and_names_the_collection():
    c = parse_seed("001")
    assert c.intro.endswith("学习心得5篇，欢迎查阅!")
    assert c.title == "2020《英雄的人民人民的英雄》学习心得"
    assert len(c.essays) == 5
    assert all("欢迎查阅" not in e.text for e in c.essays)
    assert c.essays[0].title == "组织带头斗志昂，我为一线添风光"
    assert c.essays[-1].paragraphs[-1].endswith("战胜新长征路上的一切艰难险阻。")


def test_seed_001_paragraph_cut_across_a_blank_line_is_joined():
    c = parse_seed("001")
    second = c.essays[1]
    joined = [p for p in second.paragraphs if "超越了时间和空间上的限制，用一个个平凡的举动" in p]
    assert len(joined) == 1
    assert not any(p.startswith("制，用一个个") for p in second.paragraphs)
    assert len(second.paragraphs) == 5


def test_seed_002_numbered_headings_give_titles_without_numbers():
    c = parse_seed("002")
    assert len(c.essays) == 10
    titles = [e.title for e in c.essays]
    assert titles[0] == "平凡英雄事迹个人学习心得"
    assert titles[5] == "学习抗美援朝英雄事迹精神心得感悟"
    assert titles[6] == "平凡英雄事迹个人学习心得（二）"
    assert titles[9] == "致敬平凡英雄个人事迹学习心得感悟（二）"
    assert not any(e.title_derived for e in c.essays)
    assert all(not p.startswith(("1、", "7、", "10、")) for e in c.essays for p in e.paragraphs)


def test_seed_002_sign_off_name_is_the_author_not_text():
    c = parse_seed("002")
    sixth = c.essays[5]
    assert sixth.author == "付曙华"
    assert sixth.paragraphs[-1].endswith("到处都有明媚的阳光”!好美的歌!!")
    assert "X年前" in sixth.text and sixth.has_placeholders
    # Closing slogans are not names.
    assert c.essays[2].author == ""
    assert c.essays[2].paragraphs[-1].endswith("武汉加油!中国加油!")


def test_seed_002_exact_copy_has_the_same_text():
    c = parse_seed("002")
    assert c.essays[6].text == c.essays[0].text


def test_seed_003_repeated_title_lines_and_editor_blurb():
    c = parse_seed("003")
    assert c.title == "北京抗疫纪录片《背水一战》观后感范文"
    assert "下面是小编为大家整理的" in c.intro
    assert len(c.essays) == 3
    assert [e.title for e in c.essays] == [
        "北京抗疫纪录片《背水一战》观后感范文",
        "北京抗疫纪录片《背水一战》观后感范文（二）",
        "北京抗疫纪录片《背水一战》观后感范文（三）",
    ]
    assert c.essays[0].paragraphs[0].startswith("6月11日以来,北京市新发地")
    assert c.essays[2].paragraphs[-1].endswith("我们必然将迎来这场战“疫”的最后胜利!")
    assert all("观后感范文" not in p for e in c.essays for p in e.paragraphs)


def test_seed_004_author_line_and_title_number_headings():
    c = parse_seed("004")
    assert c.title == "疫情防控的实践心得"
    assert c.author == "马振华老师"
    assert len(c.essays) == 5
    assert c.essays[0].title == "疫情防控的实践心得"
    assert c.essays[4].title == "疫情防控的实践心得（五）"
    assert c.essays[0].paragraphs[0].startswith("近日,中组部召开电视电话会议,*政治局委员")
    assert c.essays[0].has_placeholders
    assert c.essays[1].paragraphs[-1].endswith("相信我们一定能迎来胜利的曙光!")
    assert len(c.essays[1].paragraphs) == 9
    assert all(p != "马振华老师" for e in c.essays for p in e.paragraphs)


# -- other layouts curators bring ----------------------------------------------

SAMPLE = (
    "读书的乐趣\n一、书中自有黄金屋\n读书使人明智，读史使人明智。\n我每天都读书。\n二、开卷有益\n开卷有益是古人的话。\n"
)


def test_utf8_with_bom():
    text, encoding = decode(SAMPLE.encode("utf-8-sig"))
    assert encoding == "utf-8-sig"
    c = parse(text)
    assert c.title == "读书的乐趣"
    assert [e.title for e in c.essays] == ["书中自有黄金屋", "开卷有益"]


def test_gb18030_file_is_decoded():
    text, encoding = decode(SAMPLE.encode("gb18030"))
    assert encoding == "gb18030"
    assert parse(text).essays[1].paragraphs == ["开卷有益是古人的话。"]


def test_gbk_bytes_that_are_also_valid_utf8_are_read_as_gbk():
    # The GBK bytes of 唷班啊 happen to be valid UTF-8 too (two characters of
    # other scripts): the whole file's share of everyday CJK decides.
    data = "唷班啊".encode("gbk")
    assert data.decode("utf-8")
    text, encoding = decode("唷班啊\n".encode("gbk") + "这是一篇文章。\n".encode("gbk"))
    assert encoding == "gb18030"
    assert text.startswith("唷班啊")


def test_utf8_that_is_also_valid_gb18030_stays_utf8():
    data = "命省类置温响\n".encode()
    assert data.decode("gb18030")  # decodable either way
    text, encoding = decode(data)
    assert encoding == "utf-8"
    assert text.startswith("命省类置温响")


def test_crlf_and_lone_cr_line_ends():
    for newline in ("\r\n", "\r"):
        c = parse(SAMPLE.replace("\n", newline))
        assert [e.paragraphs for e in c.essays] == [
            ["读书使人明智，读史使人明智。", "我每天都读书。"],
            ["开卷有益是古人的话。"],
        ]


def test_full_width_indents_are_stripped_and_do_not_split_essays():
    text = "春天的随笔\n\u3000\u3000春天来了，花开了。\n\u3000\u3000小草也绿了。\n\u3000\u3000我们去郊游。\n"
    c = parse(text)
    assert len(c.essays) == 1
    assert c.essays[0].paragraphs == ["春天来了，花开了。", "小草也绿了。", "我们去郊游。"]


def test_space_indented_paragraphs_everywhere_are_indents_not_separators():
    text = "春天的随笔\n    春天来了，花开了。\n    小草也绿了。\n    我们去郊游。\n"
    assert len(parse(text).essays) == 1


@pytest.mark.parametrize(
    ("first", "second", "titles"),
    [
        ("一、初心", "二、使命", ["初心", "使命"]),
        ("（一）初心", "（二）使命", ["初心", "使命"]),
        ("篇一：初心", "篇二：使命", ["初心", "使命"]),
        ("1. 初心", "2. 使命", ["初心", "使命"]),
        ("1、初心", "2、使命", ["初心", "使命"]),
        ("第一篇 初心", "第二篇：使命", ["初心", "使命"]),
    ],
)
def test_heading_styles(first, second, titles):
    text = f"党课心得\n{first}\n不忘初心，方得始终。\n{second}\n牢记使命，砥砺前行。\n"
    c = parse(text)
    assert c.title == "党课心得"
    assert [e.title for e in c.essays] == titles
    assert [e.paragraphs for e in c.essays] == [["不忘初心，方得始终。"], ["牢记使命，砥砺前行。"]]


def test_bare_numbered_headings_derive_titles_from_text():
    text = "心得合集\n第一篇\n不忘初心，方得始终。\n第二篇\n牢记使命，砥砺前行。\n"
    c = parse(text)
    assert [e.title for e in c.essays] == ["不忘初心，方得始终", "牢记使命，砥砺前行"]
    assert all(e.title_derived for e in c.essays)


def test_traditional_chinese_text():
    text = "抗疫心得體會\n一、致敬逆行者\n醫護人員奮戰在抗疫一線，令人感動。\n二、眾志成城\n全國人民團結一心。\n"
    text_back, encoding = decode(text.encode("big5"))
    assert encoding == "big5"
    c = parse(text_back)
    assert c.title == "抗疫心得體會"
    assert [e.title for e in c.essays] == ["致敬逆行者", "眾志成城"]
    assert c.essays[0].paragraphs == ["醫護人員奮戰在抗疫一線，令人感動。"]


def test_traditional_blurb_is_an_intro():
    text = "抗疫心得\n以下是小編為大家整理的抗疫心得，歡迎閱讀！\n一、致敬\n醫護人員奮戰在一線。\n"
    c = parse(text)
    assert "小編" in c.intro
    assert len(c.essays) == 1


def test_markup_is_kept_as_text():
    c = parse("标题\n<script>alert('x')</script> &amp; 文字。\n")
    assert c.essays[0].paragraphs == ["<script>alert('x')</script> &amp; 文字。"]


def test_single_essay_without_title_line_uses_fallback_title():
    c = parse(
        "春天来了，花开了，小草也绿了，我们一起去郊游，看到了很多美丽的风景。\n第二段。\n", fallback_title="spring"
    )
    assert c.title == "spring"
    assert len(c.essays) == 1
    assert c.essays[0].title == "春天来了，花开了，小草也绿了"


# -- titles and placeholders ----------------------------------------------------------


def test_derive_title_keeps_a_short_first_sentence():
    assert derive_title(["以初心立信心，任尔东西南北风。疫情狂风骤雨的时候。"]) == "以初心立信心，任尔东西南北风"


def test_derive_title_cuts_a_long_sentence_at_a_clause():
    title = derive_title(
        ["春节，应是阖家团圆的日子，一场疫情，像一个巨石砸入我们原本平静有序的生活，一时间，巨浪翻涌。"]
    )
    assert title == "春节，应是阖家团圆的日子"


def test_derive_title_truncates_a_sentence_without_clauses():
    title = derive_title(["这" * 80 + "。"])
    assert len(title) == 30 and title.endswith("…")


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("到20__年现行标准", ["__"]),
        ("今年7月，_县共从", ["_"]),
        ("回想起了X年前那场", ["X"]),
        ("统一到**重要指示", ["**"]),
        ("会议,*政治局委员、中组部", ["*"]),
        ("十七年前sars病毒爆发", []),
        ("4。29蒙山救火", []),
    ],
)
def test_placeholders(text, marks):
    assert find_placeholders(text) == marks


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"   \n\t\n\xe3\x80\x80\n", "contains only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (bytes(range(1, 32)) * 20, "binary data"),
        (b"text \xff\xff\xff " * 50, "cannot be decoded"),
        ("只有标题\n".encode(), "no essay found"),
        ("标题\n下面是小编为大家整理的文章，欢迎阅读！\n".encode(), "no essay found"),
    ],
)
def test_bad_input_raises_a_one_line_reason(data, reason):
    with pytest.raises(ParseError) as excinfo:
        text, _ = decode(data)
        parse(text)
    message = str(excinfo.value)
    assert reason in message
    assert "\n" not in message


def test_everyday_cjk_characters_are_never_controls_or_unassigned():
    """decode() looks up the category of only the characters outside the
    everyday set: none inside it could be a control, unassigned, private-use
    or a lone surrogate, so the shares it checks are those of every character."""
    import unicodedata

    from essays.parsing import decoding

    common = decoding._common_cjk()
    assert len(common) > 15000 and "学" in common and "學" in common and "，" in common
    assert not [ch for ch in common if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")]
    assert all(decoding._is_common_cjk(ch) for ch in "心得体会，。“”讀書") and not decoding._is_common_cjk("😀")


def test_only_the_characters_outside_the_everyday_set_are_counted_one_by_one(monkeypatch):
    """Telling encodings apart counted every character of a file (a fifth of
    an import's preparing): the everyday CJK characters are now counted in
    runs, by a pattern, and only the rest (ASCII, punctuation, rare ones)
    one by one."""
    from collections import Counter

    from essays.parsing import decoding

    counted = []
    monkeypatch.setattr(decoding, "Counter", lambda chars: counted.append(len(chars)) or Counter(chars))
    text = SAMPLE * 20
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert 0 < sum(counted) < len(text) / 4


@pytest.mark.parametrize("number", ["【1】", "1、", "（一）", "第1篇："])
def test_a_title_under_a_bare_number_with_no_text_keeps_the_title_not_the_number(number):
    """An essay cut short after its numbered heading, its title on the next
    line and its author: the title's words stand as its text, never the bare
    number (a paragraph that was only layout; found by the fuzz test in CI)."""
    collection = parse(f"{number}\n背影\n作者：张三", fallback_title="fallback")
    (essay,) = collection.essays
    assert (essay.title, essay.paragraphs, essay.author) == ("背影", ["背影"], "张三")
