"""Chinese text helpers shared by the importer, the admin and search:
jieba start-up, Simplified/Traditional folding, tag and section suggestions,
near-duplicate similarity. No Django imports."""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
import sys
import threading
from array import array
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import jieba
import jieba.analyse
import jieba.posseg
import rjieba

from essays.memo import MadeOnSight
from essays.parsing import looks_like_name
from essays.parsing.text import PLACEHOLDER_RE

USER_DICT = Path(__file__).resolve().parent / "userdict.txt"
_init_lock = threading.Lock()
_initialised = False


def init_jieba(cache_dir: Path | str | None = None) -> None:
    """Load jieba's dictionary once per process, caching it in ``cache_dir``
    (var/jieba) rather than /tmp, and keep its logger quiet."""
    global _initialised
    if _initialised:
        return
    with _init_lock:
        if _initialised:
            return
        jieba.setLogLevel(logging.ERROR)
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(cache_dir)
        jieba.initialize()
        # Words of this archive's themes that jieba's stock dictionary cuts
        # apart (逆行者 would become 逆/行者).
        for line in USER_DICT.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit():
                add_word(parts[0], int(parts[1]), parts[2])
        _initialised = True


# -- segmentation ------------------------------------------------------------
# rjieba (jieba-rs) cuts with jieba's own dictionary and HMM, 20-50 times
# faster: on all the seed text (33,000 characters) its cuts and search-mode
# cuts are the same as jieba's, user words included
# (tests/test_segmentation.py). It differs on Latin runs: COVID-19 stays one
# word where jieba cuts COVID/-/19, which suits search better (a query is
# segmented without its punctuation, as covid19). jieba itself still supplies
# the parts of speech and the IDF table tags are chosen with.


def add_word(word: str, freq: int, tag: str) -> None:
    """A word both segmenters keep whole (and jieba's part of speech for it)."""
    jieba.add_word(word, freq, tag)
    rjieba.add_word(word, freq, tag)
    # A word's part of speech, and the words of short parts, may have changed.
    TERM_KINDS.clear()
    from essays.search import tokens

    tokens._short_tokens.cache_clear()


def _tag_verdict(word: str):
    from essays.tagging import _term_kind

    return _term_kind(word)


# essays.tagging's verdict on each word (a term and its kind, or None), made
# on first sight: an essay's words are mostly words other essays used, and
# candidate_terms looks an essay's 700 words up through ``map`` (an
# lru_cache call per word took most of its time). Callers first call
# sync_parts_of_speech().
TERM_KINDS = MadeOnSight(_tag_verdict, most=262144)


def term_kind(word: str):
    """essays.tagging's verdict on one word (TERM_KINDS, one at a time)."""
    return TERM_KINDS[word]


def sync_parts_of_speech() -> None:
    """jieba keeps the parts of speech of added words aside until its next
    posseg cut (which looks_like_name makes now and then): merge them now,
    so that a word's verdict never depends on what was cut before it, and
    forget the verdicts made without them."""
    dt = jieba.posseg.dt
    if dt.tokenizer.user_word_tag_tab:
        dt.makesure_userdict_loaded()
        TERM_KINDS.clear()


def cut(text: str) -> list[str]:
    """jieba's precise-mode words of ``text`` (HMM on), through rjieba."""
    init_jieba()
    return rjieba.cut(text)


def cut_for_search(text: str) -> list[str]:
    """jieba's search-mode words (precise words, plus the dictionary words
    inside long ones), through rjieba."""
    init_jieba()
    return rjieba.cut_for_search(text)


@lru_cache(maxsize=65536)
def _looks_like_name(word: str) -> bool:
    return looks_like_name(word)


@lru_cache(maxsize=1)
def _t2s():
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t():
    from opencc_purepy import OpenCC

    return OpenCC("s2t")


def to_traditional(text: str) -> str:
    """Simplified to Traditional, for readers of 繁體."""
    return _s2t().convert(text)


# What ends a clause for to_simplified; kept only where no word OpenCC
# converts holds it (checked in _t2s_marks), so that no word spans two clauses.
# The half-width forms too: search folds text with NFKC (，to ,) before it
# folds it to Simplified, and without them its clauses ran to the next 。
# (an essay's search words took 1.60 ms, 1.01 with them).
_CLAUSE_ENDS = "\n。，！？；：、 ,!?;:"
# A text with one character OpenCC may change in this many or more is
# converted whole (Traditional text); Simplified text has about one in 1,000.
TRADITIONAL_TEXT = 50


@dataclass(frozen=True)
class _T2SMarks:
    """Where OpenCC's t2s may change a text: ``marks`` matches at least one
    character of every word and character it changes (or any character
    beyond the BMP, whose class would make the pattern slow); ``ends``
    matches what ends a clause, ``to_last_end`` text up to the last end."""

    marks: re.Pattern
    ends: re.Pattern
    to_last_end: re.Pattern


@lru_cache(maxsize=1)
def _t2s_marks() -> _T2SMarks:
    dictionary = _t2s().dictionary
    converted = [
        (key, value)
        for table in (dictionary.ts_characters[0], dictionary.ts_phrases[0])
        for key, value in table.items()
        if key != value
    ]
    marks = {key for key, _ in converted if len(key) == 1}
    for key, value in converted:
        if marks.isdisjoint(key):
            # The last character the word changes (else its last): any one
            # of its characters will do, and a changed one is rarer in
            # Simplified text.
            changed = [a for a, b in zip(key, value, strict=True) if a != b] if len(key) == len(value) else []
            marks.add((changed or list(key))[-1])
    bmp = "".join(sorted(ch for ch in marks if ord(ch) <= 0xFFFF))
    ends = re.escape("".join(ch for ch in _CLAUSE_ENDS if not any(ch in key for key, _ in converted)))
    return _T2SMarks(
        marks=re.compile(f"[{re.escape(bmp)}]|[\U00010000-\U0010ffff]"),
        ends=re.compile(f"[{ends}]"),
        to_last_end=re.compile(f".*[{ends}]", re.DOTALL),
    )


def to_simplified(text: str) -> str:
    """Traditional to Simplified, character for character (the length is kept,
    so offsets into the result are offsets into the original).

    OpenCC here is pure Python: 0.3 ms for an essay of Simplified text, a
    fifth of an import's text work. OpenCC takes the longest word of its
    dictionary at each place, and no word spans the end of a clause: only
    the clauses holding a character it could change are given to it, and
    Simplified text has few such clauses or none."""
    found = _t2s_marks()
    mark = found.marks.search(text)
    if mark is None:
        return text
    convert = _t2s().convert
    if len(found.marks.findall(text, mark.start())) * TRADITIONAL_TEXT > len(text):
        return convert(text)  # Traditional text: one call, not one per clause
    pieces: list[str] = []
    done = 0  # text[:done] is in pieces
    while mark is not None:
        at = mark.start()
        before = found.to_last_end.match(text, done, at)
        start = before.end() if before else done
        after = found.ends.search(text, at)
        end = after.start() if after else len(text)
        pieces.append(text[done:start])
        pieces.append(convert(text[start:end]))
        done = end
        mark = found.marks.search(text, end)
    pieces.append(text[done:])
    return "".join(pieces)


# -- tags --------------------------------------------------------------------

# Words too common in this genre to tell essays apart.
STOP_WORDS = frozenset(
    """
    我们 他们 你们 她们 自己 一个 一些 这个 那个 这些 那些 没有 就是 还是 已经 不是 可以 能够 进行 通过 作为 时候 时间 今年
    去年 今天 明天 现在 当前 目前 同时 以来 之中 之后 之前 方面 工作 问题 情况 要求 实现 发展 坚持 加强 推进 做好 落实 提高
    提升 确保 全面 重要 一定 始终 不断 更加 充分 真正 全国 中国 国家 社会 人民 群众 人们 大家 一切 一方 精神 力量 意识 事业
    领导 同志 一名 一线 生活 心中 心里 身边 地方 事情 东西 样子 道路 过程 任务 心得 心得体会 体会 感悟 学习 观后感 范文 文章
    小编 这场 一场 一次 一样 一起 每个 所有 各级 各地 各种 各项 相关 大事 总会 地区 重点 优势 信息 全民 管理 城市 方式 作用
    能力 基础 机制 水平 措施 行动 部门 单位 岗位 科学 公众 安宁 职业 美丽 深度 政策 施策 产业 战斗 抗争 城市 医院 家里人 工作者
    全力以赴 生命安全 身体健康 广大党员
    """.split()
)
# jieba parts of speech worth a tag: nouns of all kinds, verbal nouns, idioms.
TAG_POS = ("n", "nr", "nrfg", "nrt", "ns", "nt", "nz", "vn", "l", "i")
NAME_POS = ("nr", "nrfg", "nrt")
PLACE_POS = ("ns",)
_NUMERIC = re.compile(r"^[\d０-９.％%一二三四五六七八九十百千万亿零〇两]+$")


def _idf():
    tfidf = jieba.analyse.default_tfidf
    return tfidf.idf_freq, tfidf.median_idf


def suggest_tags(title: str, text: str, limit: int = 6, minimum: int = 3) -> list[str]:
    """3-6 tags: the people and places an essay mentions often, then its
    TF-IDF keywords, stop words left out. Traditional text is folded to
    Simplified first, so tags are shared across scripts."""
    init_jieba()
    body = to_simplified(f"{title}\n{text}")
    words = Counter()
    names = Counter()
    places = Counter()
    pos_table = jieba.posseg.dt.word_tag_tab
    # Plain segmentation plus the dictionary's part of speech is ten times
    # faster than jieba.posseg's HMM tagger; words jieba's HMM found that the
    # dictionary lacks are kept only when they read as a person's name.
    for word in cut(body):
        if len(word) < 2 or word in STOP_WORDS or _NUMERIC.match(word) or "_" in word:
            continue
        flag = pos_table.get(word)
        if flag is None:
            if not _looks_like_name(word):
                continue
            flag = "nr"
        if flag.startswith(NAME_POS):
            names[word] += 1
        elif flag in PLACE_POS:
            places[word] += 1
        if flag in TAG_POS or flag.startswith(NAME_POS):
            words[word] += 1
    idf, median = _idf()
    total = sum(words.values()) or 1
    scored = sorted(words, key=lambda w: (-(words[w] / total) * idf.get(w, median), w))

    tags: list[str] = []
    # People and places mentioned at least twice lead: readers look for them.
    for counter in (names, places):
        for word, count in counter.most_common(2):
            if count >= 2 and word not in tags:
                tags.append(word)
    for word in scored:
        if len(tags) >= limit:
            break
        if word not in tags and not any(word in tag or tag in word for tag in tags):
            tags.append(word)
    if len(tags) < minimum:
        for word in scored:
            if len(tags) >= minimum:
                break
            if word not in tags:
                tags.append(word)
    return tags[:limit]


def best_section(title: str, text: str, sections: list[tuple[str, list[str]]], simplified=None) -> str | None:
    """The section whose keywords the essay uses most (a keyword in the title
    counts thrice); None when no keyword occurs. ``simplified``: (title,
    text) already folded to Simplified."""
    folded_title, folded_text = simplified or (to_simplified(title), to_simplified(text))
    best, best_score = None, 0
    for slug, keywords in sections:
        score = sum(3 * folded_title.count(k) + folded_text.count(k) for k in keywords if k)
        if score > best_score:
            best, best_score = slug, score
    return best


# -- near duplicates -----------------------------------------------------------

NEAR_DUPLICATE_RATIO = 0.9
_SENTENCE_SPLIT = re.compile(r"[。！？!?；;\n]")


def compact(text: str) -> str:
    return "".join(text.split())


def sentence_hashes(text: str, min_chars: int = 8) -> set[int]:
    """Short hashes of an essay's sentences (64-bit ints: the importer keeps
    millions of them, essays.sentence_index): two essays that are 90% the
    same share most of them, so they find each other without comparing
    every pair."""
    return _compact_sentence_hashes(compact(text), min_chars)


def _compact_sentence_hashes(compacted: str, min_chars: int = 8) -> set[int]:
    hashes = set()
    for sentence in _SENTENCE_SPLIT.split(compacted):
        if len(sentence) >= min_chars:
            hashes.add(int.from_bytes(hashlib.blake2b(sentence.encode(), digest_size=8).digest()))
    return hashes


class TextFacts(NamedTuple):
    """What an essay row keeps that follows from its text alone
    (Essay.DERIVED_FIELDS), and the sentence hashes near-duplicate detection
    reads. An import's pool works them out with the rest of the text work,
    so the process writing the rows does not."""

    char_count: int
    has_placeholders: bool
    # Identity for exact-duplicate detection: the same words in the same
    # order, whatever the whitespace.
    fingerprint: str
    sentence_hashes: set[int]
    packed_hashes: bytes
    # The exact text's digest (text_digest): what the import snapshot keeps
    # of the text it wrote (Essay.imported).
    digest: str


def text_facts(text: str) -> TextFacts:
    # The characters of the paragraphs without whitespace (line breaks are
    # whitespace to str.split): what the count, the fingerprint and the
    # sentences read.
    compacted = compact(text)
    hashes = _compact_sentence_hashes(compacted)
    return TextFacts(
        char_count=len(compacted),
        has_placeholders=PLACEHOLDER_RE.search(text) is not None,
        fingerprint=hashlib.sha256(compacted.encode()).hexdigest(),
        sentence_hashes=hashes,
        packed_hashes=pack_hashes(hashes),
        digest=text_digest(text),
    )


def text_digest(text: str) -> str:
    """The SHA-256 of the text exactly as it is, whitespace included (a
    curator's new paragraph breaks are a change)."""
    return hashlib.sha256(text.encode()).hexdigest()


def pack_hashes(hashes) -> bytes:
    """Sentence hashes as the essay's row keeps them: 8 bytes each, little
    endian, in order."""
    packed = array("Q", sorted(hashes))
    if sys.byteorder == "big":  # pragma: no cover - every machine Wenji runs on is little endian
        packed.byteswap()
    return packed.tobytes()


def unpack_hashes(data) -> set[int]:
    packed = array("Q")
    packed.frombytes(bytes(data))
    if sys.byteorder == "big":  # pragma: no cover
        packed.byteswap()
    return set(packed)


def similarity(a: str, b: str) -> float:
    """How much of two texts is the same, 0..1 (difflib's ratio on the text
    without whitespace)."""
    (a, counts_a), (b, counts_b) = _compact_counts(a), _compact_counts(b)
    length = len(a) + len(b)
    if not length:
        return 1.0
    # difflib's real_quick_ratio and quick_ratio (the characters the two
    # share, counted), with Counter: the same numbers, several times faster.
    if 2.0 * min(len(a), len(b)) / length < NEAR_DUPLICATE_RATIO:
        return 2.0 * sum((counts_a & counts_b).values()) / length
    quick = 2.0 * sum((counts_a & counts_b).values()) / length
    if quick < NEAR_DUPLICATE_RATIO:
        return quick
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@lru_cache(maxsize=1024)
def _compact_counts(text: str) -> tuple[str, Counter]:
    """A text without whitespace and its characters counted: an import
    compares each new essay with a few others, and often with the same ones."""
    text = compact(text)
    return text, Counter(text)


def forget_compared_texts() -> None:
    """Drop the texts similarity() keeps counted (an import's are done with)."""
    _compact_counts.cache_clear()
