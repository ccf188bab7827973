"""Who is asking: the client's address (for throttles) and, at the admin's
door, the login name; and the page a locked-out client gets.

Behind a TLS-terminating proxy (``DJANGO_BEHIND_PROXY=1``) the client is the
last address the proxy appended to ``X-Forwarded-For``; earlier entries are
whatever the client sent and are not trusted. Otherwise it is the socket's
peer, ``REMOTE_ADDR``.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from archive.cleaning import clean_text


def client_ip(request) -> str | None:
    """The address, or None when there is none (a request made in code)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return clean_text(last, 64)
    return clean_text(request.META.get("REMOTE_ADDR", ""), 64) or None


def login_username(request, credentials=None) -> str:
    """The name tried at the login form, cleaned like every other value
    before django-axes counts (and stores) it."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return clean_text(str(name), 150)


def locked_out(request, response=None, credentials=None):
    """django-axes' answer to a client or an account with too many failed
    logins: 429, a translated page, and when to come back."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    page = render(request, "admin/locked_out.html", context, status=429)
    page["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return page
