"""to_simplified gives what OpenCC's t2s gives, while handing OpenCC only
the clauses it could change (essays.textutil._t2s_marks)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from essays import parsing, textutil
from tests.conftest import SEEDS


def opencc(text: str) -> str:
    return textutil._t2s().convert(text) if text else text


def seed_texts() -> list[str]:
    texts = [parsing.decode(path.read_bytes())[0] for path in sorted(SEEDS.glob("*.txt"))]
    return texts + [textutil.to_traditional(text) for text in texts]


def test_the_seeds_and_their_traditional_forms_come_out_as_opencc_gives_them():
    for text in seed_texts():
        assert textutil.to_simplified(text) == opencc(text)


@pytest.fixture
def given_to_opencc(monkeypatch) -> list[str]:
    """What to_simplified hands OpenCC, call by call."""
    given = []
    convert = textutil._t2s().convert
    textutil._t2s_marks()  # made from the real converter's dictionary, before the spy stands in

    class Spy:
        def convert(self, text):
            given.append(text)
            return convert(text)

    monkeypatch.setattr(textutil, "_t2s", lambda: Spy())
    return given


def test_simplified_text_reaches_opencc_only_in_the_clauses_it_could_change(given_to_opencc):
    text = "疫情防控取得显著成效，会议结束了。" + "大家都很高兴！\n" * 30
    expected = opencc(text)
    given_to_opencc.clear()
    assert textutil.to_simplified(text) == expected
    # 著 and 结 are in words OpenCC changes (显著 stays, 结束 becomes 結束);
    # the clauses without them never reach it.
    assert given_to_opencc == ["疫情防控取得显著成效", "会议结束了"]
    given_to_opencc.clear()
    assert textutil.to_simplified("大家都很高兴，全国上下齐心协力") == "大家都很高兴，全国上下齐心协力"
    assert given_to_opencc == []


def test_half_width_punctuation_ends_a_clause_too(given_to_opencc):
    # Search normalises text (NFKC: ，！？；： become ,!?;:) before folding it
    # to Simplified: the clauses are as short as in the text itself.
    text = "疫情防控取得显著成效,会议结束了;" + "大家都很高兴!真的吗?是的:\n" * 30
    expected = opencc(text)
    given_to_opencc.clear()
    assert textutil.to_simplified(text) == expected
    assert given_to_opencc == ["疫情防控取得显著成效", "会议结束了"]


def test_traditional_text_is_given_to_opencc_whole(given_to_opencc):
    text = textutil.to_traditional("全国脱贫攻坚先进事迹报告会心得体会。我们一起学习，共同进步！") * 20
    expected = opencc(text)
    given_to_opencc.clear()
    assert textutil.to_simplified(text) == expected
    assert given_to_opencc == [text]


def _alphabet() -> list[str]:
    """Characters and words OpenCC changes, everyday characters it leaves,
    the ends of clauses and other punctuation, Latin, and characters beyond
    the BMP (some of which it changes)."""
    dictionary = textutil._t2s().dictionary
    phrases = sorted(k for k, v in dictionary.ts_phrases[0].items() if k != v)
    characters = sorted(k for k, v in dictionary.ts_characters[0].items() if k != v)
    astral = [ch for ch in characters if ord(ch) > 0xFFFF][:20]
    return [
        *phrases[::7],
        *characters[::13],
        *astral,
        *"的一是在不了有和人这中大为上个国我以要他时来用们生到作地于显著结束抱覆沈新",
        *"\n。，！？；：、 ,!?;:.·—“”《》（）\t",
        "abc",
        "COVID-19",
        "𠀀",
    ]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_alphabet()), max_size=60))
def test_any_mix_comes_out_as_opencc_gives_it(pieces):
    text = "".join(pieces)
    assert textutil.to_simplified(text) == opencc(text)


def test_long_runs_without_the_end_of_a_clause():
    # OpenCC cuts texts of 10,000 characters or more at its own delimiters.
    text = ("显著的变化" * 2500) + "。" + ("回覆" * 3000)
    assert textutil.to_simplified(text) == opencc(text)
