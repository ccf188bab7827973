"""The doubts' messages for the review queue 切分待复核, in both languages."""

import pytest
from django.utils import translation

from essays.cutreview import doubt_message, doubt_messages
from essays.parsing import Doubt, parse
from tests import layout_samples as samples

DOUBTS = [
    Doubt("long_essay", 1, "", {"chars": 3000, "median": 600}),
    Doubt("long_essay", 0, "", {"chars": 4000, "lines": ["奶奶的菜园", "家乡的小河"]}),
    Doubt("inner_headings", 2, "", {"lines": ["（一）", "-----"], "count": 2}),
    Doubt("short_essay", 3, "", {"chars": 12}),
    Doubt("competing_families", None, "", {"chosen": "num_cn", "rivals": ["paren_num_cn"]}),
    Doubt("text_before_headings", 0, "", {"heading": "一、读书"}),
]


@pytest.mark.parametrize(
    ("doubt", "message"),
    list(
        zip(
            DOUBTS,
            [
                "第 2 篇长 3000 字，超过其他各篇中位数（600 字）的三倍，可能是几篇没有分开。",
                "全文只切出一篇，长 4000 字，其中有像标题的短行：奶奶的菜园 / 家乡的小河",
                "第 3 篇中有像标题或分隔线的行：（一） / -----",
                "第 4 篇只有 12 字，可能不是一篇文章。",
                "还有别的标题样式可以切分，切分方式可能不对。",
                "第一个标题“一、读书”之前还有正文，这些标题可能是同一篇文章的小标题。",
            ],
            strict=True,
        )
    ),
)
def test_each_code_has_a_chinese_message(doubt, message):
    with translation.override("zh-hans"):
        assert doubt_message(doubt) == message
        assert doubt_message(doubt.as_dict()) == message


def test_an_unknown_code_falls_back_to_the_detail():
    assert doubt_message({"code": "new_kind", "essay": None, "detail": "something odd"}) == "something odd"


def test_messages_for_a_parsed_file():
    text = samples.headed_file(lambda n, t: f"{n}、{t}", count=3) + "4、附记\n本文来源于网络。\n"
    with translation.override("zh-hans"):
        assert doubt_messages(parse(text).doubts) == ["第 4 篇只有 8 字，可能不是一篇文章。"]
