"""The review queue 切分待复核: why the parser doubts a file's cut, in words
a curator reads. The parser (Django-free) gives stable codes and values; the
messages are translated here. The queue itself is
``SourceFile.objects.needs_cut_review()``; each file's reasons are in
``SourceFile.cut_doubts``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from essays.parsing import Doubt

QUEUE_NAME = gettext_lazy("切分待复核")


def _fields(doubt: Doubt | dict) -> tuple[str, int | None, str, dict]:
    if isinstance(doubt, Doubt):
        return doubt.code, doubt.essay, doubt.detail, dict(doubt.values)
    return doubt.get("code", ""), doubt.get("essay"), doubt.get("detail", ""), dict(doubt.get("values") or {})


def _lines(values: dict) -> str:
    return " / ".join(str(line) for line in values.get("lines", []))


def doubt_message(doubt: Doubt | dict) -> str:
    """One translated sentence for a doubt: a ``Doubt`` or its stored form
    (``SourceFile.cut_doubts`` items). Unknown codes fall back to the
    parser's English detail."""
    code, essay, detail, values = _fields(doubt)
    position = essay + 1 if isinstance(essay, int) else None
    if code == "long_essay" and "median" in values:
        return _(
            "第 %(position)s 篇长 %(chars)s 字，超过其他各篇中位数（%(median)s 字）的三倍，可能是几篇没有分开。"
        ) % {
            "position": position,
            "chars": values.get("chars"),
            "median": values.get("median"),
        }
    if code == "long_essay":
        return _("全文只切出一篇，长 %(chars)s 字，其中有像标题的短行：%(lines)s") % {
            "chars": values.get("chars"),
            "lines": _lines(values),
        }
    if code == "inner_headings":
        return _("第 %(position)s 篇中有像标题或分隔线的行：%(lines)s") % {
            "position": position,
            "lines": _lines(values),
        }
    if code == "short_essay":
        return _("第 %(position)s 篇只有 %(chars)s 字，可能不是一篇文章。") % {
            "position": position,
            "chars": values.get("chars"),
        }
    if code == "text_before_headings":
        return _("第一个标题“%(heading)s”之前还有正文，这些标题可能是同一篇文章的小标题。") % {
            "heading": values.get("heading", "")
        }
    if code == "competing_families":
        return _("还有别的标题样式可以切分，切分方式可能不对。")
    return detail


def doubt_messages(doubts) -> list[str]:
    return [doubt_message(d) for d in doubts or ()]
