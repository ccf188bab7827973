from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from archive.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # The language switch is in every page's footer, and pages are cached
    # whole for every reader (essays.pagecache): it carries no per-reader
    # CSRF token. All it can change is the interface language of the one
    # who sends it.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("essays.urls")),
]

handler400 = "essays.views.bad_request"
handler404 = "essays.views.page_not_found"
handler500 = "essays.views.server_error"
