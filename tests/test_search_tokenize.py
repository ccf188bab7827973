"""Search tokenisation (essays.search.tokens): no database, no index."""

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from essays.search.tokens import (
    BREAK,
    MAX_QUERY_CHARS,
    bigram_string,
    bigrams,
    clean_query,
    find_spans,
    index_tokens,
    nfkc,
    parse_query,
    project,
)


def test_full_width_case_and_traditional_fold_to_one_form():
    assert project("ＡＢＣ１２３")[0] == "abc123"
    assert project("AbC")[0] == "abc"
    assert project("脫貧攻堅")[0] == "脱贫攻坚"


def test_projection_keeps_offsets_into_the_original_text():
    chars, offsets = project("我们，的人民！")
    assert chars == "我们的人民"
    assert offsets == [0, 1, 3, 4, 5]


def test_index_tokens_hold_bigrams_words_and_characters():
    tokens = index_tokens("坚持以人民为中心")
    assert tokens.grams.split() == bigrams("坚持以人民为中心")
    assert "人民" in tokens.words.split()
    assert set("坚持以人民为中心") <= set(tokens.chars.split())


def test_bigrams_never_span_two_parts_of_a_document():
    grams = index_tokens("标题甲", "乙正文").grams.split()
    assert BREAK in grams
    assert "甲乙" not in grams


def test_several_words_are_separate_terms_and_quotes_make_a_phrase():
    query = parse_query('钟南山 武汉 "最美 逆行者"')
    assert [(t.text, t.quoted) for t in query.terms] == [("钟南山", False), ("武汉", False), ("最美逆行者", True)]


def test_a_term_keeps_its_jieba_words_for_the_loose_tier():
    term = parse_query("控阻击").terms[0]
    assert term.text == "控阻击"
    assert "阻击" in term.words
    assert "".join(term.words) == "控阻击"


def test_query_syntax_characters_are_only_separators():
    query = parse_query('title:(张*) AND 武汉~2 OR [a TO z] ^3 \\ / ! -x +y "')
    texts = [t.text for t in query.terms]
    assert "张" in texts and "武汉" in texts
    assert all(ch.isalnum() for t in texts for ch in t)


def test_control_characters_and_nul_become_spaces():
    cleaned, truncated = clean_query("张\x00楠\x07\u200b武汉")
    assert cleaned == "张 楠 武汉"
    assert not truncated


def test_long_queries_are_capped():
    query = parse_query("人" * 10_000)
    assert query.truncated
    assert len(query.raw) == MAX_QUERY_CHARS


def test_a_query_of_punctuation_alone_has_no_terms():
    assert not parse_query("！？*** ...")


def test_spans_are_found_across_punctuation_and_in_the_original_text():
    text = "我们的人，民在控阻击战"
    spans = find_spans(text, ["的人民", "阻击"])
    assert [(text[s:e], needle) for s, e, needle in spans] == [("的人，民", "的人民"), ("阻击", "阻击")]


def test_spans_of_traditional_text_for_a_simplified_needle():
    text = "全國脫貧攻堅"
    ((start, end, _),) = find_spans(text, ["脱贫攻坚"])
    assert text[start:end] == "脫貧攻堅"


def test_a_word_added_to_the_dictionary_reaches_cached_tokens():
    """Short parts' tokens (tags, section, collection) are cached; a word
    added to the dictionary (essays.dictionary) is seen at once."""
    from essays import textutil
    from essays.search.tokens import index_tokens

    textutil.init_jieba()
    before = index_tokens("浏翠岭村")
    assert "浏翠岭村" not in before.words.split()
    textutil.add_word("浏翠岭村", 50, "ns")
    assert "浏翠岭村" in index_tokens("浏翠岭村").words.split()


def test_index_tokens_hold_each_character_once_in_order():
    text = "人民的人民，人民英雄！People 2020"
    chars, _ = project(text)
    assert index_tokens(text).chars.split() == list(dict.fromkeys(chars))
    assert index_tokens("标题甲", "甲乙").chars.split() == ["标", "题", "甲", "乙"]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=60))
def test_the_bigram_string_is_the_bigrams_joined(chars):
    """Any characters: CJK, Latin, astral ones (one unit each in UTF-32),
    even a lone surrogate."""
    assert bigram_string(chars) == " ".join(bigrams(chars))


def test_the_bigram_string_of_astral_and_lone_surrogate_characters():
    assert bigram_string("𠀀𠀁中") == "𠀀𠀁 𠀁中"
    assert bigram_string("a\ud800b") == "a\ud800 \ud800b"
    assert bigram_string("中") == bigram_string("") == ""


_PART_ALPHABET = [*"人民英雄甲乙丙丁abZ09", *"，。！ \n", "ＡＢ", "脫貧"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PART_ALPHABET), max_size=12).map("".join), max_size=5))
def test_a_documents_bigrams_are_each_parts_bigrams_with_a_break_between(parts):
    """The plain reading of index_tokens: each part with letters or digits
    gives its bigrams, a BREAK before every such part but the first that
    gave some (a part of one character gives none), so no bigram spans two
    parts."""
    expected: list[str] = []
    for part in parts:
        chars, _ = project(part)
        if not chars:
            continue
        if expected:
            expected.append(BREAK)
        expected.extend(bigrams(chars))
    assert index_tokens(*parts).grams.split() == expected
    seen = "".join(project(part)[0] for part in parts)
    assert index_tokens(*parts).chars.split() == list(dict.fromkeys(seen))


# What NFKC treats specially beside prose: full-width letters followed by
# combining marks (they compose), characters that expand (①, ﬁ, ㈱), Hangul
# jamo that compose, canonical reordering, and characters NFKC leaves alone.
_NFKC_ALPHABET = [
    *"，。：；！？（）…\u3000ＡＢｚ０９＂＇",
    *"\u0301\u0300\u0323\u0308\u3099\u309a",
    *"①㈱ﬁ½Ⅻ㎏ｶﾞ",
    *"\u1100\u1161\u11a8가",
    *"疫情防控abcAZ09 ,.\n",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_NFKC_ALPHABET), max_size=40))
def test_nfkc_is_unicodedatas_nfkc(chars):
    text = "".join(chars)
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_nfkc_of_prose_with_full_width_punctuation():
    text = "疫情防控，人人有责：不信谣、不传谣……　ＣＯＶＩＤ－１９！"
    assert nfkc(text) == unicodedata.normalize("NFKC", text) == "疫情防控,人人有责:不信谣、不传谣...... COVID-19!"
    assert nfkc("Ａ\u0301") == "Á"  # a full-width letter and a combining mark compose
