"""The parts of every page that hardly change: the links in the head, the
site header and the footer, rendered once per process and kept.

Rendering them took a fifth of a page's time (thirty translated strings,
a dozen reversed addresses and static file names on every request). What
they show depends on the language, the URL configuration and script prefix,
the kind of page (the header marks the current one) and, on the search page,
the query in the box: all of that is the key. The footer also holds the
page's own path (where the language switch returns); it is rendered with a
marker that is replaced by the escaped path.
"""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from essays.memo import Kept

register = template.Library()

KEPT = 512
# Never in a path: get_full_path() percent-encodes control characters.
_NEXT_PATH = "\x00next-path\x00"
_kept = Kept(KEPT)


def forget(**kwargs) -> None:
    _kept.clear()


# Tests that override settings (static files, languages) get fresh chrome.
setting_changed.connect(forget, dispatch_uid="chrome-forget")


def _rendered(name: str, *varying, **context) -> str:
    key = (name, get_language(), get_urlconf(), get_script_prefix(), *varying)
    html = _kept.get(key)
    if html is None:
        html = render_to_string(f"includes/{name}.html", {"LANGUAGE_CODE": get_language(), **context})
        _kept.put(key, html)
    return html


@register.simple_tag
def site_head():
    return mark_safe(_rendered("site_head"))  # noqa: S308 - our own template's output


@register.simple_tag(takes_context=True)
def site_header(context):
    match = getattr(context.get("request"), "resolver_match", None)
    current = match.url_name if match else None
    query = context.get("search_query") or ""
    return mark_safe(_rendered("site_header", current, query, current=current, search_query=query))  # noqa: S308


@register.simple_tag(takes_context=True)
def site_footer(context):
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    html = _rendered("site_footer", next_path=_NEXT_PATH)
    return mark_safe(html.replace(_NEXT_PATH, escape(path)))  # noqa: S308 - the path is escaped
