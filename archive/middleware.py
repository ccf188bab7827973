"""Language choice: Simplified Chinese unless the reader picked English."""

from django.middleware.locale import LocaleMiddleware


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus the browser's Accept-Language: the
    archive speaks Simplified Chinese by default, and English only when a
    reader chooses it with the language switch (a cookie)."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
