"""Automatic tags from a vocabulary built for this archive. No Django imports.

A tag is worth having when it groups essays: a reader who opens it finds
several. So tags are not each essay's own keywords (most of which no other
essay shares: 任尔, 劲儿, 枝头) but terms of the archive's vocabulary:

1. ``candidate_terms``: each essay's nouns, names, places and verbal nouns
   (jieba's dictionary parts of speech), with how often it uses them; the
   title counts thrice. Filler words and fragments are left out. The
   importer stores these per essay (``Essay.terms``), so a retag never
   segments text again.
2. ``build_vocabulary``: the terms of the archive's readable essays, scored
   by corpus document frequency (a term on one essay groups nothing; a term
   on most essays tells none apart), with jieba's general IDF only as a
   tie-breaker against generic words. Near-synonyms are folded into one
   term (北京市 into 北京; 疫情防控 and 抗击疫情 into 疫情): one contains the
   other and they occur in the same essays. At most ``max_terms`` terms
   are kept, each the chosen tag of at least ``min_essays`` readable essays.
3. ``choose_tags``: an essay's tags are the vocabulary terms it uses most,
   3 to 6 of them.

The importer calls ``candidate_terms`` for each new or changed text and
``essays.retagging.retag`` once at the end of an import.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

MIN_TAGS = 3
MAX_TAGS = 6
MAX_TERMS = 40
MIN_ESSAYS = 2
# A term held by more than this share of the readable essays tells none apart.
MAX_SHARE = 0.6
TITLE_WEIGHT = 3

# Parts of speech worth a tag (jieba's dictionary): nouns of all kinds,
# names, places, organisations, verbal nouns. Not idioms or set phrases
# (众志成城, 全国一盘棋 say how, not what), not verbs or adverbs.
TERM_POS = ("n", "nr", "nrfg", "nrt", "ns", "nt", "nz", "vn")
NAME_POS = ("nr", "nrfg", "nrt")
PLACE_POS = ("ns",)

# Filler: words too general in this genre to group essays by, and fragments
# jieba leaves (任尔 of 任尔东西南北风, 易地 of 易地扶贫搬迁, 劲儿, 近几年).
FILLER = frozenset(
    """
    我们 他们 你们 她们 自己 一个 一些 这个 那个 这些 那些 没有 就是 还是 已经 不是 可以 能够 进行 通过 作为 时候 时间 今年
    去年 今天 明天 现在 当前 目前 同时 以来 之中 之后 之前 方面 工作 问题 情况 要求 实现 发展 坚持 加强 推进 做好 落实 提高
    提升 确保 全面 重要 一定 始终 不断 更加 充分 真正 全国 中国 国家 社会 人民 群众 人们 大家 一切 一方 精神 力量 意识 事业
    领导 同志 一名 一线 生活 心中 心里 身边 地方 事情 东西 样子 道路 过程 任务 心得 心得体会 体会 感悟 学习 观后感 范文 文章
    小编 这场 一场 一次 一样 一起 每个 所有 各级 各地 各种 各项 相关 大事 总会 地区 重点 优势 信息 全民 管理 城市 方式 作用
    能力 基础 机制 水平 措施 行动 部门 单位 岗位 科学 公众 安宁 职业 美丽 深度 政策 施策 产业 战斗 抗争 医院 家里人 工作者
    全力以赴 生命安全 身体健康 广大党员 个人 人员 活动 学习心得 战胜 抗击 集中力量 众志成城 守土 大局 关键 信心 考验 任尔 劲儿 大妈 大伯 大爷 大娘 枝头 近几年 几年 易地 孩子 爷爷 奶奶 妈妈 爸爸 父亲 母亲
    家人 朋友 同学 老师 先生 女士 时代 世界 历史 未来 时刻 日子 岁月 瞬间 一天 每天 人生 生命 心灵 温暖 希望 梦想 责任 使命
    初心 担当 奉献 付出 努力 行动 态度 思想 作风 本领 榜样 楷模 典型 事迹 故事 感动 致敬 号召 声音 消息 新闻 报道 视频 照片
    """.split()
)
_NUMERIC = re.compile(r"^[\d０-９.％%一二三四五六七八九十百千万亿零〇两几]+")


@dataclass
class Vocabulary:
    """The archive's tags to be: ``terms`` (canonical name → document
    frequency among readable essays), ``folded`` (a variant → the term it
    was folded into), ``kinds`` (term → "name", "place" or "term")."""

    terms: dict[str, int] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    # The tags chosen for each essay the vocabulary was built from.
    assigned: dict[int, list[str]] = field(default_factory=dict)
    readable_count: int = 0

    def canonical(self, word: str) -> str:
        return self.folded.get(word, word)

    def merges(self) -> list[tuple[str, list[str]]]:
        """(term, the variants folded into it), for the curators' review."""
        groups: dict[str, list[str]] = defaultdict(list)
        for variant, term in self.folded.items():
            groups[term].append(variant)
        return sorted((term, sorted(variants)) for term, variants in groups.items())


def _kind(flag: str) -> str:
    if flag.startswith(NAME_POS):
        return "name"
    if flag in PLACE_POS:
        return "place"
    return "term"


def is_filler(word: str) -> bool:
    return len(word) < 2 or len(word) > 8 or word in FILLER or bool(_NUMERIC.match(word)) or "_" in word


def candidate_terms(title: str, text: str, words=None, simplified=None) -> dict[str, list]:
    """{term: [uses, kind]} for one essay: its nouns, names, places and
    verbal nouns (the title's count thrice), filler left out. Traditional
    text is folded to Simplified first, so essays in either script share
    tags. ``words``: the title's and the text's words when the caller has
    already segmented them (title words first, then ``None``, then the
    text's), to save segmenting twice; ``simplified``: (title, text) when
    the caller has already folded them to Simplified."""
    from essays.textutil import TERM_KINDS, cut, init_jieba, sync_parts_of_speech, to_simplified

    init_jieba()
    sync_parts_of_speech()
    if words is None:
        title_s, text_s = simplified or (to_simplified(title), to_simplified(text))
        # rjieba: jieba's cuts, 20-50 times faster (essays.textutil.cut).
        title_words, text_words = cut(title_s), cut(text_s)
    else:
        end = words.index(None)  # the title ends here
        title_words, text_words = words[:end], words[end + 1 :]
    counts: dict[str, int] = {}
    kinds: dict[str, str] = {}
    for weight, part in ((TITLE_WEIGHT, title_words), (1, text_words)):
        # Each word's verdict, (the word stripped, its kind) or None (filler,
        # or not a term), looked up in C; only the terms come back here.
        for word, kind in filter(None, map(TERM_KINDS.__getitem__, part)):
            counts[word] = counts.get(word, 0) + weight
            kinds[word] = kind
    return {word: [n, kinds[word]] for word, n in counts.items()}


def _term_kind(word: str):
    """What candidate_terms makes of one word: (the word stripped, its kind)
    when it is a term, else None. Cached per word by essays.textutil."""
    import jieba.posseg

    from essays.parsing import looks_like_name

    word = word.strip()
    if is_filler(word):
        return None
    flag = jieba.posseg.dt.word_tag_tab.get(word)
    if flag is None:
        # Words jieba's HMM found that its dictionary lacks: kept only
        # when they read as a person's name.
        if not looks_like_name(word):
            return None
        flag = "nr"
    if not flag.startswith(TERM_POS):
        return None
    return word, _kind(flag)


def _general_idf():
    import jieba.analyse

    tfidf = jieba.analyse.default_tfidf
    return tfidf.idf_freq, tfidf.median_idf


def _salient(uses: int) -> bool:
    """Used often enough in an essay to be what the essay is about: twice in
    the text, or once in the title."""
    return uses >= 2


def _fold_synonyms(docs: dict, readable: set) -> dict[str, str]:
    """variant → canonical term: two terms, one beginning or ending the other
    (北京/北京市, 疫情/疫情防控, 肺炎/新冠肺炎), used together in at least half
    of the essays that use the rarer one. The canonical one is what more
    essays are about (then the shorter). Two terms neither of which contains
    the other are never folded together through a third (干部 and 党员 stay
    apart, though 党员干部 holds both)."""
    # How many readable essays are about each word; which essays mention the
    # words that may fold (held as sets only for those: an archive of
    # 100,000 essays mentions millions of (essay, word) pairs).
    about: Counter = Counter()
    for pk, terms in docs.items():
        if pk in readable:
            about.update(word for word, (uses, _kind) in terms.items() if _salient(uses))
    words = sorted(about, key=lambda w: (-about[w], len(w), w))
    parent: dict[str, str] = {}

    def root(word: str) -> str:
        while word in parent:
            word = parent[word]
        return word

    def rank(word: str):
        return (-about[word], len(word), word)

    # Each term with the shorter terms that begin or end it: its prefixes
    # and suffixes looked up, not every pair of terms compared (quadratic in
    # the archive's words).
    pairs = []
    for longer in words:
        inside = {longer[:n] for n in range(1, len(longer))} | {longer[n:] for n in range(1, len(longer))}
        pairs.extend((longer, shorter) for shorter in inside if shorter in about)
    folding = {word for pair in pairs for word in pair}
    mention: dict[str, set] = defaultdict(set)
    for pk, terms in docs.items():
        if pk in readable:
            for word in folding.intersection(terms):
                mention[word].add(pk)
    # The strongest pairs first: most essays using both.
    together = {pair: len(mention[pair[0]] & mention[pair[1]]) for pair in pairs}
    pairs.sort(key=lambda p: (-together[p], p))
    for longer, shorter in pairs:
        if together[(longer, shorter)] * 2 < min(len(mention[longer]), len(mention[shorter])):
            continue
        a, b = root(longer), root(shorter)
        if a != b and (a in b or b in a):
            keep, drop = sorted((a, b), key=rank)
            parent[drop] = keep
    return {word: root(word) for word in parent}


def _merged(terms: dict, folded: dict[str, str], shared: dict | None = None) -> dict:
    """An essay's terms with the variants folded into their terms: {term:
    (uses, kind)}, read only. ``shared`` holds the (uses, kind) pairs made so
    far, so that the essays of an archive share them (a pair per term per
    essay took most of the memory of a vocabulary's build)."""
    if folded.keys().isdisjoint(terms):
        # Nothing to fold: the essay's own terms (read only; this keeps an
        # archive's terms in memory once, not twice).
        return terms
    uses_of: dict[str, int] = {}
    kind_of: dict[str, str] = {}
    for word, (uses, kind) in terms.items():
        term = folded.get(word, word)
        if term in uses_of:
            uses_of[term] += uses
        else:
            uses_of[term] = uses
            kind_of[term] = kind
        if word == term:
            kind_of[term] = kind
    if shared is None:
        return {term: (uses, kind_of[term]) for term, uses in uses_of.items()}
    out = {}
    for term, uses in uses_of.items():
        pair = (uses, kind_of[term])
        out[term] = shared.setdefault(pair, pair)
    return out


def _weight(uses: int, kind: str, df: int, total: int, general_idf: float) -> float:
    corpus_idf = math.log((total + 1) / (df + 0.5))
    boost = 1.5 if kind in ("name", "place") else 1.0
    # Generic words (low general IDF) weigh less, specific ones a little more.
    generality = min(1.0, max(0.3, general_idf / 10))
    return math.log1p(uses) * corpus_idf * boost * generality


@dataclass
class _Corpus:
    """What every build of one archive's vocabulary starts from (it does not
    depend on how many terms are kept)."""

    folded: dict
    merged: dict
    readable: set
    total: int
    df: Counter
    salient: Counter
    kinds: dict
    holders: dict | None = None

    def term_holders(self) -> dict[str, list[int]]:
        """Which readable essays use each term, in pk order (_fill_up's
        partners), made once per corpus: a vocabulary is often built twice
        (_build makes room for the terms filling up adds), and at 20,000
        essays this index is 2.4 million entries."""
        if self.holders is None:
            self.holders = _term_holders(self.merged, self.readable)
        return self.holders


def _term_holders(merged: dict, readable: set) -> dict[str, list[int]]:
    holders: dict[str, list[int]] = defaultdict(list)
    for q in sorted(readable):
        for word in merged.get(q, {}):
            holders[word].append(q)
    return holders


def _corpus(docs: dict[int, dict], readable: set[int], consume: bool = False) -> _Corpus:
    folded = _fold_synonyms(docs, readable)
    shared: dict = {}
    if consume:  # each essay's terms let go of once merged: held once, not twice
        merged = {pk: _merged(docs.pop(pk), folded, shared) for pk in list(docs)}
    else:
        merged = {pk: _merged(terms, folded, shared) for pk, terms in docs.items()}
    total = max(1, sum(1 for pk in merged if pk in readable))
    df: Counter = Counter()
    salient: Counter = Counter()
    kinds: dict[str, str] = {}
    for pk, terms in merged.items():
        if pk not in readable:
            continue
        for word, (uses, kind) in terms.items():
            df[word] += 1
            kinds.setdefault(word, kind)
            if _salient(uses):
                salient[word] += 1
    return _Corpus(folded, merged, readable, total, df, salient, kinds)


def build_vocabulary(
    docs: dict[int, dict],
    readable: set[int],
    max_terms: int = MAX_TERMS,
    min_essays: int = MIN_ESSAYS,
    consume: bool = False,
) -> Vocabulary:
    """The vocabulary of an archive: ``docs`` maps each essay's pk to its
    ``candidate_terms``; only ``readable`` essays count. ``assigned`` holds
    each essay's tags. With ``consume``, ``docs`` is emptied as it is read
    (an archive's terms are then never in memory twice)."""
    corpus = _corpus(docs, readable, consume)
    ranking = _ranking(corpus, min_essays)
    cap = max_terms
    while True:
        vocabulary = _build(corpus, cap, min_essays, ranking)
        # Filling up essays with too few tags may add terms: make room.
        if len(vocabulary.terms) <= max_terms or cap <= min_essays:
            return vocabulary
        cap -= len(vocabulary.terms) - max_terms


def _ranking(corpus: _Corpus, min_essays: int):
    """The first candidate terms; each essay's of them in the order _choose
    takes them (a term's weight depends on its document frequency, never on
    which other terms are kept, so the order is made once and each round of
    _build only filters it); and each term's weight over the archive."""
    df, total = corpus.df, corpus.total
    idf, median = _general_idf()
    limit_share = max(min_essays, int(MAX_SHARE * total))
    candidates = {w for w in df if corpus.salient[w] >= min_essays and df[w] <= limit_share}
    known: dict[tuple, float] = {}

    def weight(word, uses, kind):
        key = (word, uses, kind)
        found = known.get(key)
        if found is None:
            found = known[key] = _weight(uses, kind, df[word], total, idf.get(word, median))
        return found

    ranked = {}
    weights: Counter = Counter()
    for pk, terms in corpus.merged.items():
        scored = []
        for word, (uses, kind) in terms.items():
            if word in candidates:
                w = weight(word, uses, kind)
                scored.append((not _salient(uses), -w, word))
                if pk in corpus.readable:
                    weights[word] += w
        scored.sort()
        ranked[pk] = ([word for _n, _w, word in scored], sum(1 for n, _w, _word in scored if not n))
    return candidates, ranked, weights


def _build(corpus: _Corpus, max_terms: int, min_essays: int, ranking=None) -> Vocabulary:
    folded, merged, readable, total, df = corpus.folded, corpus.merged, corpus.readable, corpus.total, corpus.df
    kinds = dict(corpus.kinds)
    idf, median = _general_idf()
    candidates, ranked, weights = ranking or _ranking(corpus, min_essays)

    # Keep the terms that end up chosen for at least ``min_essays`` essays;
    # choosing from a smaller vocabulary moves essays to other terms, so
    # repeat until it settles.
    vocabulary = Vocabulary(folded=folded, kinds=kinds)
    for _round in range(10):
        chosen: Counter = Counter()
        for pk in merged:
            if pk in readable:
                chosen.update(_pick(ranked[pk], candidates))
        kept = {w for w in candidates if chosen[w] >= min_essays}
        if len(kept) > max_terms:
            kept = set(sorted(kept, key=lambda w: (-chosen[w], -weights[w], w))[:max_terms])
        if kept == candidates:
            break
        candidates = kept
    vocabulary.terms = {w: df[w] for w in sorted(candidates)}
    vocabulary.folded = {v: t for v, t in folded.items() if t in candidates}
    vocabulary.readable_count = total
    vocabulary.assigned = {pk: _pick(ranked[pk], candidates) for pk in merged}
    _fill_up(vocabulary, merged, corpus.term_holders(), df, total, idf, median)
    vocabulary.assigned = {pk: sorted(tags) for pk, tags in vocabulary.assigned.items()}
    return vocabulary


def _pick(ranked: tuple[list[str], int], terms, limit=MAX_TAGS, minimum=MIN_TAGS) -> list[str]:
    """_choose on a ranked list, among ``terms`` (the vocabulary)."""
    words, salient = ranked
    chosen = [word for word in words[:salient] if word in terms][:limit]
    for word in words:
        if len(chosen) >= minimum:
            break
        if word not in chosen and word in terms:
            chosen.append(word)
    return chosen


def _fill_up(vocabulary: Vocabulary, merged: dict, holders: dict, df: Counter, total: int, idf, median) -> None:
    """An essay left with fewer than 3 tags (it shares few terms with the
    rest) gets the term it uses most that another readable essay also uses,
    and so does that essay: the new tag groups the two. Partners are looked
    up in ``holders`` (_Corpus.term_holders), not by scanning every essay for
    every term (quadratic: 8 s for 400 essays)."""
    assigned = vocabulary.assigned

    def partners(word: str, pk: int):
        return (q for q in holders.get(word, ()) if q != pk and word not in assigned.get(q, []))

    weights: dict[tuple, float] = {}  # (word, uses, kind): essays share most of them

    def weight(word: str, uses: int, kind: str) -> float:
        key = (word, uses, kind)
        found = weights.get(key)
        if found is None:
            found = weights[key] = _weight(uses, kind, df[word] or 1, total, idf.get(word, median))
        return found

    for pk in sorted(merged):
        terms = merged[pk]
        tags = assigned[pk]
        if len(tags) >= MIN_TAGS:
            continue
        # The essay's terms in the order they are taken: the vocabulary's
        # first, then by weight. While this essay fills up, only the terms it
        # takes join the vocabulary, so the order holds; what can change is
        # whether a term outside it still has a partner with room, asked of
        # each term in turn until one will do (not of every term, each time).
        options = sorted(
            (word not in vocabulary.terms, -weight(word, uses, kind), word) for word, (uses, kind) in terms.items()
        )
        while len(tags) < MIN_TAGS:
            for outside, _w, word in options:
                if word in tags:
                    continue
                # A term outside the vocabulary needs a partner with room for it.
                if outside and not any(len(assigned[q]) < MAX_TAGS for q in partners(word, pk)):
                    continue
                break
            else:
                break
            tags.append(word)
            if word not in vocabulary.terms:
                partner = max(
                    (q for q in partners(word, pk) if len(assigned[q]) < MAX_TAGS),
                    key=lambda q: (merged[q][word][0], -q),
                )
                assigned[partner].append(word)
                vocabulary.terms[word] = df[word]
                vocabulary.kinds.setdefault(word, merged[pk][word][1])


def _choose(terms: dict, vocabulary: Vocabulary, total: int, idf, median, limit=MAX_TAGS, minimum=MIN_TAGS):
    scored = []
    for word, (uses, kind) in terms.items():
        if word in vocabulary.terms:
            weight = _weight(uses, kind, vocabulary.terms[word], total, idf.get(word, median))
            scored.append((not _salient(uses), -weight, word))
    scored.sort()
    chosen = [word for not_salient, _w, word in scored if not not_salient][:limit]
    # Too few the essay is about: fill up with vocabulary terms it mentions.
    for _not_salient, _w, word in scored:
        if len(chosen) >= minimum:
            break
        if word not in chosen:
            chosen.append(word)
    return chosen


def choose_tags(terms: dict, vocabulary: Vocabulary, total: int) -> list[str]:
    """3 to 6 tags for one essay (its ``candidate_terms``): the vocabulary
    terms it is most about, near-synonyms folded; sorted by name."""
    idf, median = _general_idf()
    merged = _merged(terms, vocabulary.folded)
    return sorted(_choose(merged, vocabulary, total, idf, median))


def merge_pairs(names) -> list[tuple[str, str]]:
    """(shorter, longer) for each two of ``names`` (two characters or more)
    where one begins or ends the other: each name's own beginnings and
    endings looked up, not every name compared with every other (2,833
    tags: 370 ms, growing with the square of their number)."""
    known = {n for n in names if len(n) >= 2}
    pairs = []
    for longer in sorted(known):
        parts = {longer[:i] for i in range(2, len(longer))} | {longer[-i:] for i in range(2, len(longer))}
        pairs.extend((shorter, longer) for shorter in sorted(parts & known))
    return pairs


def merge_suggestions(tag_essays: dict[str, set]) -> list[tuple[str, str, int]]:
    """Existing tags a curator may want to merge: (keep, fold, shared essays)
    where one name begins or ends the other (北京/北京市, 肺炎/新冠肺炎,
    英雄/英雄事迹). The kept one is the more used, then the shorter; the
    pairs sharing most essays come first."""
    out = []
    for a, b in merge_pairs(tag_essays):
        keep, fold = sorted((a, b), key=lambda n: (-len(tag_essays[n]), len(n), n))
        out.append((keep, fold, len(tag_essays[a] & tag_essays[b])))
    return sorted(out, key=lambda p: (-p[2], p[0], p[1]))


def suggest(terms: dict, vocabulary: Vocabulary, have: set[str], limit: int = 8) -> list[str]:
    """Tags to offer a curator for one essay (its ``candidate_terms``): the
    vocabulary terms it uses, most telling first, then terms it is about
    that no vocabulary term covers yet (a new tag the curator may start);
    never one it has, never filler."""
    idf, median = _general_idf()
    merged = _merged(terms, vocabulary.folded)
    total = max(1, vocabulary.readable_count)

    def weight(word):
        uses, kind = merged[word]
        return _weight(uses, kind, vocabulary.terms.get(word, 1), total, idf.get(word, median))

    known = sorted((w for w in merged if w in vocabulary.terms and w not in have), key=lambda w: (-weight(w), w))
    own = sorted(
        (w for w in merged if w not in vocabulary.terms and w not in have and _salient(merged[w][0])),
        key=lambda w: (-weight(w), w),
    )
    return (known + own)[:limit]
