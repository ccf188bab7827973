"""The corpus dictionary: words of this archive that jieba should keep whole
(tag names, section names, the names of people the essays mention).

It lives in ``settings.JIEBA_CORPUS_DICT`` (var/jieba/corpus_dict.txt), is
written by ``manage.py build_search_dictionary`` and loaded at start-up after
jieba's own dictionary. Segmentation only ranks results (character bigrams
find them), but documents keep the segmentation they were indexed with: after
the dictionary changes, run ``rebuild_index``."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import jieba

from essays.models import Essay, Section, Tag
from essays.parsing import looks_like_name
from essays.textutil import add_word, cut, init_jieba, to_simplified

logger = logging.getLogger(__name__)

NAME_MIN_COUNT = 2  # a name the HMM finds must occur this often in the corpus
_loaded: set[str] = set()


def corpus_words() -> dict[str, str]:
    """word -> part of speech (n for tags and sections, nr for people)."""
    init_jieba()
    words: dict[str, str] = {}
    for name in Section.objects.values_list("name", flat=True):
        words[to_simplified(name)] = "n"
    for name in Tag.objects.filter(essays__isnull=False).distinct().values_list("name", flat=True):
        words[to_simplified(name)] = "n"
    known = jieba.dt.FREQ
    people = Counter()
    for author in Essay.objects.readable().exclude(author="").values_list("author", flat=True).distinct():
        folded = to_simplified(author.strip())
        if looks_like_name(folded):
            people[folded] += NAME_MIN_COUNT
    for title, text in Essay.objects.readable().values_list("title", "text").iterator():
        for word in cut(to_simplified(f"{title}\n{text}")):
            if 2 <= len(word) <= 4 and not known.get(word) and looks_like_name(word):
                people[word] += 1
    for name, count in people.items():
        if count >= NAME_MIN_COUNT:
            words.setdefault(name, "nr")
    return {w: pos for w, pos in sorted(words.items()) if w and not any(ch.isspace() for ch in w)}


def write_dictionary(path, words: dict[str, str]) -> bool:
    """Write jieba's user-dictionary format; True when the file changed."""
    path = Path(path)
    content = "".join(f"{word} 1000 {pos}\n" for word, pos in words.items())
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return True


def load_dictionary(path) -> int:
    """Teach jieba the corpus words (once per process and file). Returns the
    number of words loaded; a missing file is no error (nothing built yet)."""
    if not path:
        return 0
    path = Path(path)
    key = str(path.resolve())
    if key in _loaded or not path.exists():
        return 0
    init_jieba()
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            add_word(parts[0], int(parts[1]), parts[2])
            count += 1
    _loaded.add(key)
    logger.info("loaded %d corpus words from %s", count, path)
    return count
