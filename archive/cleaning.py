"""Cleaning what arrives from outside before it becomes a lookup.

One function, ``clean_text``, for every value that may reach the database:
query parameters and cookies (``archive.middleware.CleanInputMiddleware``),
the admin's login name (django-axes), a restored backup. PostgreSQL refuses a
NUL in any text and neither database takes a lone surrogate, so a value
holding one would answer 500 on one database and 200 on the other. No Django
imports.
"""

from __future__ import annotations

import unicodedata

# Longer query values are cut: no lookup needs more (the search box takes
# 100 characters, a tag 50), and a 10 MB parameter is only a cost.
MAX_PARAM_CHARS = 2000


def is_unsafe(ch: str) -> bool:
    """Control characters (C0, DEL, C1; NUL included) and lone surrogates."""
    return unicodedata.category(ch) in ("Cc", "Cs")


def has_unsafe(text: str) -> bool:
    return any(is_unsafe(ch) for ch in text)


def clean_text(raw: str, limit: int | None = MAX_PARAM_CHARS) -> str:
    """``raw`` without control characters or lone surrogates: whitespace
    controls (tab, newline…) become a space, the others are dropped; cut at
    ``limit`` characters (None: no cut)."""
    if raw and has_unsafe(raw):
        raw = "".join(" " if ch.isspace() else "" if is_unsafe(ch) else ch for ch in raw)
    if limit is not None and len(raw) > limit:
        raw = raw[:limit]
    return raw
