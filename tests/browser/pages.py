"""Which pages the browser tests visit, and small helpers to read them."""

import re

from django.urls import Resolver404, resolve


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


# Kinds of page (their addresses come from the imported data: Site.pages).
# The search page is built separately; it is tested as soon as it exists.
PAGES = [
    "home",
    "list",
    "list-filtered",
    "essay",
    "essay-traditional",
    "essay-duplicate",
    "collection",
    "section",
    "tag-list",
    "tag",
    *(["search"] if _resolves("/search/") else []),
    "404",
]


def count_in(text: str) -> int:
    """The number in a count such as "共 12 篇" or "12 篇"."""
    match = re.search(r"(\d+)\s*篇", text)
    assert match, f"no count in {text!r}"
    return int(match.group(1))


def luminance(css_color: str) -> float:
    """Relative luminance (0 black .. 1 white) of an rgb()/rgba() colour."""
    red, green, blue = (int(v) / 255 for v in re.findall(r"[\d.]+", css_color)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def body_background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")
