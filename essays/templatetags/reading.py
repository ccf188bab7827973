"""Template helpers for reading pages."""

import datetime
import html

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from essays.parsing import PLACEHOLDER_RE

register = template.Library()


@register.filter
def mark_placeholders(text: str) -> str:
    """Escape a paragraph, then mark the anonymisation placeholders in it
    (20__年, _县, **) with a short explanation readers can hover or tap."""
    note = gettext("此处为原文的匿名处理，具体信息已隐去。")
    pieces = []
    last = 0
    for match in PLACEHOLDER_RE.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(
            format_html(
                '<span class="placeholder" tabindex="0" title="{}" data-note="{}">{}</span>', note, note, match.group(0)
            )
        )
        last = match.end()
    pieces.append(html.escape(text[last:]))
    # Every piece was escaped above; only our own span markup is unescaped.
    return mark_safe("".join(str(p) for p in pieces))  # noqa: S308


@register.filter
def as_paragraphs(paragraphs: list[str]) -> str:
    """The paragraphs of an essay as ``<p>`` elements, each escaped and its
    placeholders marked: one filter call, not a template loop per paragraph
    (an essay has dozens of them)."""
    # Each paragraph went through mark_placeholders, which escapes it.
    return mark_safe("\n".join(f"<p>{mark_placeholders(p)}</p>" for p in paragraphs))  # noqa: S308


@register.filter
def chars(count: int) -> str:
    """“1234 字” (“1234 characters”): an essay's length in a list row. A
    filter, not a blocktranslate per row: a list of fifty essays spent a
    tenth of its time there."""
    return gettext("%(count)s 字") % {"count": count}


@register.filter
def tag_links(tags, css_class: str = "tag") -> str:
    """The tags as links separated by “、”: one filter call per essay, not
    five template nodes per tag (a search page shows a hundred), escaped
    with the standard library's html.escape (Django's escape() is the same
    replacement behind a lazy-string wrapper, a third of this filter's time)."""
    css_class = html.escape(css_class)
    links = (
        f'<a class="{css_class}" href="{html.escape(t.get_absolute_url())}">{html.escape(t.name)}</a>' for t in tags
    )
    return mark_safe("、".join(links))  # noqa: S308 - every value above is escaped


@register.filter
def day(value) -> str:
    """A date or time as YYYY-MM-DD, in the current time zone: the
    ``date:"Y-m-d"`` filter parses its format for every value (a sitemap
    file prints 500)."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.isoformat() if isinstance(value, datetime.date) else ""


@register.filter
def essay_items(essays) -> str:
    """A list of essays, each its title linked and its collection and
    length: the list, section and tag pages show fifty, and a template loop
    over them took a quarter of such a page (1.3 ms at fifty rows, 0.1 ms
    here). Expects essays whose source is loaded (EssayQuerySet.list_rows)."""
    length = html.escape(gettext("%(count)s 字"))  # translated once, not per row
    items = [
        '  <li class="essay-list__item">\n'
        f'    <a class="essay-list__title" href="{html.escape(essay.get_absolute_url())}">{html.escape(essay.title)}</a>\n'
        f'    <span class="meta">{html.escape(essay.source.title)} · {length % {"count": essay.char_count}}</span>\n'
        "  </li>\n"
        for essay in essays
    ]
    if not items:
        items = [f'  <li class="empty">{html.escape(gettext("暂无文章。"))}</li>\n']
    return mark_safe(f'<ul class="essay-list">\n{"".join(items)}</ul>')  # noqa: S308 - every value above is escaped


@register.filter
def search_result_items(essays) -> str:
    """The search page's results, each its marked title and snippet (already
    escaped and marked by essays.search.highlighting), collection, section
    and tags: one filter, not a template loop (twenty results took a
    quarter of the search page)."""
    items = []
    for essay in essays:
        source = essay.source
        place = f'<a href="{html.escape(source.get_absolute_url())}">{html.escape(source.title)}</a>'
        if essay.section:
            section = essay.section
            place += f' · <a href="{html.escape(section.get_absolute_url())}">{html.escape(section.name)}</a>'
        if essay.tag_list:
            place += f" · {tag_links(essay.tag_list, 'search-result__tag')}"
        items.append(
            '    <li class="search-result">\n'
            f'      <h2 class="search-result__title"><a href="{html.escape(essay.get_absolute_url())}">'
            f"{conditional_escape(essay.title_html)}</a></h2>\n"
            f'      <p class="search-result__snippet">{conditional_escape(essay.snippet)}</p>\n'
            f'      <p class="meta search-result__meta">\n        {place}\n      </p>\n'
            "    </li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308 - every value above is escaped or marked safe by highlighting
