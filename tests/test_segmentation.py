"""rjieba segments for search and tagging as jieba does: the same cuts on the
seed text, the user and corpus dictionaries honoured, Latin runs kept whole."""

import jieba
import pytest

from essays import parsing, textutil
from essays.search.tokens import parse_query, words
from tests.conftest import SEEDS


def seed_texts() -> list[str]:
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        text, _ = parsing.decode(path.read_bytes())
        texts.append(textutil.to_simplified(text))
    return texts


def test_the_same_cuts_as_jieba_on_the_seed_text():
    textutil.init_jieba()
    for text in seed_texts():
        assert textutil.cut(text) == jieba.lcut(text)
        assert textutil.cut_for_search(text) == jieba.lcut_for_search(text)


def test_the_same_tags_as_with_jieba(monkeypatch):
    essays = [e for text in seed_texts() for e in parsing.parse(text, fallback_title="x").essays]
    fast = [textutil.suggest_tags(e.title, e.text) for e in essays]
    monkeypatch.setattr(textutil, "cut", jieba.lcut)
    assert fast == [textutil.suggest_tags(e.title, e.text) for e in essays]


def test_the_user_dictionary_keeps_its_words_whole():
    assert "逆行者" in textutil.cut("最美的逆行者们")
    assert "逆行者" in words("致敬逆行者")


def test_a_corpus_word_is_kept_whole_by_both(tmp_path):
    from essays.dictionary import load_dictionary

    text = "网友们化身云监工日夜守候"
    assert "云监工" not in textutil.cut(text)
    path = tmp_path / "corpus_dict.txt"
    path.write_text("云监工 1000 n\n", encoding="utf-8")
    assert load_dictionary(path) == 1
    assert "云监工" in textutil.cut(text) and "云监工" in jieba.lcut(text)
    assert "云监工" in words(text)


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("抗击COVID-19疫情", "covid19"),
        ("抗击COVID-19疫情", "COVID"),
        ("5G网络覆盖乡村", "5G"),
        ("Ｗｉｆｉ信号", "wifi"),
    ],
)
def test_a_latin_run_of_a_document_is_a_word_its_query_finds(text, query):
    """jieba cut COVID-19 as COVID/-/19, so the query covid19 (how a reader
    types it, or COVID-19 stripped of its hyphen) missed the word."""
    for term in parse_query(query).terms:
        assert set(term.words) <= set(words(text))
