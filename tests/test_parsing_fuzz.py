"""Fuzzing the parser and the decoder with hypothesis: random Unicode and
bytes never raise anything but ParseError, never leave an essay whose title
or paragraph is only layout, and never lose a character that is not layout.
Kept to a few seconds: modest example counts, no deadline."""

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from essays.parsing import (
    CutHint,
    ParseError,
    decode,
    heading_families,
    is_layout_only,
    is_separator,
    match_heading,
    normalised_lines,
    parse,
    separator_title,
)
from essays.parsing.text import LINE_SPACE, TITLE_TRIM

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NEWLINES = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85"]
# Pieces an essay file is made of, and the debris scraped files carry.
PIECES = [
    "【篇一】",
    "【篇二】标题",
    "（一）",
    "(2)",
    "一、",
    "2、标题",
    "3. ",
    "第1篇：",
    "范文2：",
    "其二",
    "Part 3 ",
    "〔四〕",
    "------------",
    "＊＊＊",
    "=====",
    "==== 背影 ====",
    "★★★春★★★",
    "～～～～",
    "·····",
    "华丽的分割线",
    "下面是小编为大家整理的，欢迎阅读！",
    "作者：张三",
    "马振华老师",
    "锟斤拷",
    "烫烫烫",
    "\ufffd",
    "\x00",
    "\x07",
    "\ud800",
    "\udfff",
    "\ufeff",
    "\u3000\u3000",
    " ",
    "\t",
    "。",
    "！",
    "...",
    "…",
    "读书使人明智。",
    "春天来了，花开了，小草也绿了。",
    "标题",
]
piece = st.one_of(st.sampled_from(PIECES), st.sampled_from(NEWLINES), st.text(max_size=12))
essay_like_text = st.lists(piece, max_size=60).map("".join)
any_text = st.one_of(st.text(max_size=400), essay_like_text)


def output_chars(collection) -> set[str]:
    parts = [collection.title, collection.intro, collection.author]
    for essay in collection.essays:
        parts += [essay.title, essay.author, *essay.paragraphs]
    return set("".join(parts))


AUTHOR_LABEL = re.compile(r"^(?:作者|撰文|文)\s*[:：/]\s*")


def content_chars(text: str) -> set[str]:
    """The characters a reader must find again: everything but whitespace,
    control characters, separator lines, bare numbers, the numbering of
    headings, the edge punctuation of titles and an author line's label."""
    chars = set()
    lines = [raw.strip(LINE_SPACE + "\r\n") for raw in normalised_lines(text)]
    title = next((line for line in lines if line), "")
    for line in lines:
        if not line or is_separator(line) or is_layout_only(line):
            continue
        line = separator_title(line) or line  # '=== 背影 ===': the marks are layout
        if title and line.startswith(title) and is_layout_only(line[len(title) :]):
            continue  # the title again, numbered: "心得体会2"
        heading = match_heading(line)
        if heading:
            line = heading.rest
        line = AUTHOR_LABEL.sub("", line)
        chars |= {ch for ch in line if not ch.isspace() and ch not in TITLE_TRIM}
    return chars


def check(collection, text):
    assert collection.essays
    for essay in collection.essays:
        assert essay.title and not is_layout_only(essay.title), essay.title
        assert essay.paragraphs
        for paragraph in essay.paragraphs:
            assert paragraph and not is_layout_only(paragraph), paragraph
            assert "\x00" not in paragraph
        assert 0 <= essay.start_line < essay.end_line <= len(normalised_lines(text))
    for doubt in collection.doubts:
        assert doubt.code and "\n" not in doubt.detail


@FUZZ
@given(any_text)
@example("【1】\n<\n作者:A一")  # found by CI: a bare number kept as the only paragraph
def test_parse_raises_only_parse_error_and_loses_no_text(text):
    try:
        collection = parse(text, fallback_title="fallback")
    except ParseError as exc:
        assert "\n" not in str(exc)
        return
    check(collection, text)
    missing = content_chars(text) - output_chars(collection)
    assert not missing, missing


@FUZZ
@given(
    any_text,
    st.sampled_from(["auto", "family", "separator", "single", "lines", "bogus"]),
    st.sampled_from([k for k, _ in heading_families()] + ["nope", ""]),
    st.lists(st.integers(min_value=-3, max_value=80), max_size=5),
)
def test_hints_raise_only_parse_error(text, mode, family, lines):
    try:
        collection = parse(text, hint=CutHint(mode=mode, family=family, heading_lines=tuple(lines)))
    except ParseError as exc:
        assert "\n" not in str(exc)
        return
    check(collection, text)
    if mode != "lines":  # a curator's title line names an essay, numbering and all
        assert not content_chars(text) - output_chars(collection)


@FUZZ
@given(st.binary(max_size=600))
def test_decode_raises_only_parse_error_and_yields_clean_text(data):
    try:
        text, encoding = decode(data)
    except ParseError as exc:
        assert "\n" not in str(exc)
        return
    assert encoding
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text)


@FUZZ
@given(essay_like_text, st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "big5"]))
def test_decode_and_parse_of_encoded_text(text, codec):
    try:
        data = text.encode(codec)
    except UnicodeError:  # surrogates, or characters the codec lacks
        data = text.encode(codec, errors="ignore") if codec != "utf-16" else b"\xff\xfe" + b"\x00\x01" * 3
    try:
        decoded, _ = decode(data)
        parse(decoded)
    except ParseError:
        pass


def test_huge_lines_every_line_ending_and_repeated_headings_are_fast_and_safe():
    cases = [
        "标题\n" + "长" * 300_000 + "。\n",
        "【篇一】\n" * 5000,
        "".join(f"{n % 50 + 1}、标题\n正文。\n" for n in range(3000)),
        "".join(f"-----\n{n}、小标题\n内容内容。\n" for n in range(1, 999)),
        "\r".join(["锟斤拷烫烫烫\ufffd"] * 2000),
        "\x00" * 10_000,
        "\ud800\udfff" * 1000,
        "=" * 100_000,
        "一、\n" * 2000 + "正文。",
    ]
    for text in cases:
        try:
            collection = parse(text)
        except ParseError:
            continue
        check(collection, text)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="春夏秋冬山水风云花鸟读书学习家乡老师朋友", min_size=2, max_size=10),
            st.lists(
                st.text(alphabet="我们的生活因为学习而美好春天来了花开了小草绿了", min_size=20, max_size=80).map(
                    lambda s: s + "。"
                ),
                min_size=1,
                max_size=4,
            ),
        ),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from(
        [
            lambda n, t: f"【篇{'一二三四五六'[n - 1]}】{t}",
            lambda n, t: f"第{n}篇：{t}",
            lambda n, t: f"范文{n}：{t}",
            lambda n, t: f"（{'一二三四五六'[n - 1]}）{t}",
            lambda n, t: f"{n}、{t}",
            lambda n, t: f"Part {n} {t}",
            lambda n, t: f"------\n{t}",
            lambda n, t: f"＊ ＊ ＊\n{t}",
        ]
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_any_file_in_a_known_family_is_cut_into_its_essays(essays, heading, newline):
    lines = ["随笔合集"]
    for n, (title, paragraphs) in enumerate(essays, start=1):
        lines.append(heading(n, title))
        lines.extend(paragraphs)
    text = newline.join(lines)
    collection = parse(text)
    assert [e.paragraphs for e in collection.essays] == [p for _, p in essays]
    assert [e.title.split("（")[0] for e in collection.essays] == [t for t, _ in essays]


def _decode_as_before(data: bytes):
    """decode() as it read before the everyday set (every character's
    category and encodability looked up one by one): the reference."""
    import codecs
    import unicodedata
    from collections import Counter

    from essays.parsing import decoding
    from essays.parsing.text import clean_controls

    def plausibility(counts):
        non_ascii = sum(n for ch, n in counts.items() if ord(ch) > 127)
        if not non_ascii:
            return 1.0
        return sum(n for ch, n in counts.items() if ord(ch) > 127 and decoding._is_common_cjk(ch)) / non_ascii

    def checked(text, encoding):
        counts = Counter(text)
        unassigned = sum(n for ch, n in counts.items() if unicodedata.category(ch) in ("Cn", "Co", "Cs"))
        controls = sum(n for ch, n in counts.items() if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
        if plausibility(counts) < 0.5 or unassigned / len(text) > 0.001:
            raise ParseError("not Chinese")
        if controls / len(text) > 0.01:
            raise ParseError("binary")
        text = clean_controls(text)
        if not text:
            raise ParseError("empty")
        return text, encoding

    if not data or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return None  # paths this change left alone
    scored = []
    for rank, encoding in enumerate(decoding.CANDIDATE_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((plausibility(Counter(text)), -rank, encoding, text))
    if not scored:
        raise ParseError("undecodable")
    _, _, encoding, text = max(scored, key=lambda candidate: candidate[:2])
    return checked(text, encoding)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=400),
        st.builds(
            lambda text, codec: text.encode(codec, errors="ignore"),
            st.text(
                alphabet=st.one_of(st.sampled_from("心得体会學習，。“”\n\t\x07\x1b😀ｱ"), st.characters(codec="utf-8")),
                max_size=200,
            ),
            st.sampled_from(["utf-8", "gb18030", "big5"]),
        ),
    )
)
def test_decode_decides_as_it_did_character_by_character(data):
    try:
        expected = _decode_as_before(data)
    except ParseError:
        with pytest.raises(ParseError):
            decode(data)
        return
    if expected is not None:
        assert decode(data) == expected
