"""Project middleware: input cleaning and the language choice."""

from django.http import Http404, QueryDict
from django.middleware.locale import LocaleMiddleware

from archive.cleaning import MAX_PARAM_CHARS, clean_text, has_unsafe


class CleanInputMiddleware:
    """Nothing a client sends reaches a lookup uncleaned.

    - A path holding a control character or a lone surrogate names no page:
      404, before any view runs (``/essays/%00/``, ``/tags/a%00b/``).
    - Query parameters (names and values) and cookies go through
      ``clean_text``: control characters out, values cut at
      ``MAX_PARAM_CHARS``; a value left empty is dropped. ``?tag=%00`` is
      then no filter at all, the same on SQLite and PostgreSQL.

    Form posts are left to the forms: Django's fields refuse a NUL with a
    form error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_unsafe(request.path_info):
            raise Http404("control character in the path")
        if self._needs_cleaning(request.GET):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                # A value that was nothing but control characters is dropped,
                # not turned into an empty one (``?_to_field=`` is an error
                # in the admin where ``?_to_field=%00`` was a refusal).
                kept = [clean_text(v) for v in values]
                kept = [new for new, old in zip(kept, values, strict=True) if new or not old]
                key = clean_text(key)
                if key and kept:
                    cleaned.setlist(key, kept)
            cleaned._mutable = False
            request.GET = cleaned
        if any(has_unsafe(k) or has_unsafe(v) for k, v in request.COOKIES.items()):
            request.COOKIES = {k: v for k, v in request.COOKIES.items() if not (has_unsafe(k) or has_unsafe(v))}
        return self.get_response(request)

    @staticmethod
    def _needs_cleaning(params) -> bool:
        for key, values in params.lists():
            if has_unsafe(key) or len(key) > MAX_PARAM_CHARS:
                return True
            if any(has_unsafe(v) or len(v) > MAX_PARAM_CHARS for v in values):
                return True
        return False


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus the browser's Accept-Language: the
    archive speaks Simplified Chinese by default, and English only when a
    reader chooses it with the language switch (a cookie)."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
