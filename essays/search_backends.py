"""haystack backends that understand Chinese.

The Whoosh engine is haystack's own, with a jieba tokenizer for text fields
set in ``build_schema`` (no fork of haystack's backend file)."""

from __future__ import annotations

import unicodedata

import jieba
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.analysis import LowercaseFilter, Token, Tokenizer
from whoosh.fields import TEXT

from essays.textutil import init_jieba, to_simplified


def _is_word(piece: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in piece)


class JiebaTokenizer(Tokenizer):
    """jieba's precise-mode words with sequential positions (jieba's own
    ChineseAnalyzer stores character offsets as positions, which breaks
    phrase queries). Text is folded to Simplified first."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        init_jieba()
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for word, start, end in jieba.tokenize(to_simplified(value)):
            if not _is_word(word):
                continue
            token.text = word
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            token.stopped = False
            if positions:
                token.pos = position
                position += 1
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def chinese_analyzer():
    return JiebaTokenizer() | LowercaseFilter()


class ChineseWhooshSearchBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for name, field in schema.items():
            # haystack gives every text field a StemmingAnalyzer, which keeps a
            # run of Chinese as one token; jieba cuts it into words.
            if isinstance(field, TEXT) and not getattr(fields.get(name), "analyzer", None):
                field.analyzer = chinese_analyzer()
        return content_field_name, schema


class ChineseWhooshEngine(WhooshEngine):
    backend = ChineseWhooshSearchBackend
